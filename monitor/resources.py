"""Where the shipped data files are: the project's data/ folder, installed as the package
monitor.data."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir() -> Path:
    """The data folder, found through importlib.resources: site-packages/monitor/data in a wheel,
    the checkout's data/ in an editable install (setup.py maps it there)."""
    try:
        root = files("monitor.data")
    except ModuleNotFoundError:  # a checkout put on sys.path by hand, never installed
        return Path(__file__).resolve().parent.parent / "data"
    # Installed packages are plain folders here (pip never installs zipped); the model runtime and
    # the config's relative paths want real paths.
    return Path(str(root))


DATA_DIR = data_dir()


def data_path(*parts: str) -> Path:
    """A file or folder under the data folder."""
    return DATA_DIR.joinpath(*parts)
