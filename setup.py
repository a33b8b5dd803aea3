"""Packaging beside pyproject.toml: the top-level data/ folder ships inside the package as monitor.data.

pyproject.toml cannot map a folder outside the package into it while also finding the packages, so
this file adds that one mapping; everything else is declared in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

# data/'s subfolders are listed as packages too: setuptools ships only the folders it is told of.
DATA_FOLDERS = [f"monitor.data.{name}" for name in find_namespace_packages("data", exclude=["*__pycache__*"])]

setup(
    packages=[*find_packages(include=["monitor*"]), "monitor.data", *DATA_FOLDERS],
    package_dir={"monitor.data": "data"},
)
