"""Where classify's own shipped files are (word lists, the traditional-to-simplified table, the
support model): the package monitor.data, found through importlib.resources as monitor.resources
finds it, without importing it (classify imports only core.models and itself)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _data_dir() -> Path:
    """site-packages/monitor/data in a wheel, the checkout's data/ in an editable install."""
    try:
        root = files("monitor.data")
    except ModuleNotFoundError:  # a checkout put on sys.path by hand, never installed
        return Path(__file__).resolve().parent.parent.parent / "data"
    return Path(str(root))  # pip installs plain folders; the model runtime wants real paths


DATA_DIR = _data_dir()


def data_path(*parts: str) -> Path:
    """A file or folder under the data folder."""
    return DATA_DIR.joinpath(*parts)
