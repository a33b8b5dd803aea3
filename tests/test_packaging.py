"""Packaging: the wheel ships the data files, and every module finds
them through monitor.resources."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from monitor import resources

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_path_is_under_the_resolved_data_folder() -> None:
    from monitor.classify import derived, text
    from monitor.classify.derived_files import FILES
    from monitor.classify.impersonation import wordlists
    from monitor.classify.support import classifier as detector
    from monitor.classify.support import generate
    from monitor.cli.running import DEMO_STREAM
    from monitor.core import config
    from monitor.desk import command_handlers as commands
    from monitor.replies import templates

    paths = [
        config.DEFAULT_CONFIG,
        templates.TEMPLATE_DIR,
        commands.TEXT_DIR,
        wordlists.DATA_DIR,
        text.T2S_PATH,
        generate.DATA_DIR,
        detector.DEFAULT_MODEL_DIR,
        DEMO_STREAM,
        *(derived.path(name) for name in FILES),
    ]
    for path in paths:
        assert path.exists() and path.is_relative_to(resources.DATA_DIR), path


def test_the_wheel_ships_the_data_folder_as_monitor_data(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    for name in ("monitor", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-v",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # The licence is an SPDX expression: no setuptools warning about the old TOML table form.
    assert "project.license" not in built.stdout + built.stderr
    [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
    assert "License-Expression: MIT\n" in zipfile.ZipFile(wheel).read(metadata).decode("utf-8")
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()}
    # Everything in data/ but the generated training set (and bytecode) is in the wheel.
    wanted = {n for n in shipped if not n.endswith((".pyc", "train.jsonl.gz"))}
    assert {"monitor/" + n for n in wanted} <= names
    assert "monitor/data/support/train.jsonl.gz" not in names
    assert not any(n.startswith("data/") for n in names)  # no top-level 'data' package


def test_classify_finds_the_same_data_folder_as_monitor_resources() -> None:
    """classify looks the data folder up itself (it imports only
    core.models and itself): the same."""
    from monitor.classify import bundled

    assert bundled.DATA_DIR == resources.DATA_DIR
