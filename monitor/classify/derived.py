"""Derived files: values the detectors would otherwise work out in every fresh process (the BIP39
index, the content rules' needles), computed at development time and shipped under data/derived/.

Their owners read them through load() and derive the value instead when the file is missing,
unreadable or was derived from other inputs, so a stale file costs time, never a wrong answer.
derived_files lists them; a test asserts each equals what the code derives now, and REGENERATE
rewrites them.
"""

from __future__ import annotations

import gc
import pickle
from pathlib import Path
from typing import Any

from monitor.classify.bundled import data_path

REGENERATE = "python tools/derive_data.py"
# Pickle: read as fast as marshal here (the index: ~11 ms either, JSON ~18 ms) and, unlike
# marshal, a format every later Python reads. Protocol 5 is fixed so the bytes do not depend on
# the Python that wrote them.
_PROTOCOL = 5


def path(name: str) -> Path:
    """Where a derived file ships."""
    return data_path("derived", name)


def load(name: str) -> Any:
    """A derived file's value, or None when it is missing or unreadable."""
    return read(path(name))


def read(file: Path) -> Any:
    """load() of a file anywhere."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    # The index is some 30,000 small dicts: the collections their making would set off scan every
    # object of the process (as long again as the load itself) and free none of them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    # A truncated or foreign file: the owner derives the value instead. Pickle's own docs leave
    # open what a bad file raises (UnpicklingError, EOFError, IndexError, ... "not limited to").
    except Exception:  # noqa: BLE001
        return None
    finally:
        if enabled:
            gc.enable()


def dump(name: str, value: Any) -> bool:
    """Write a derived file unless it already holds value; whether it was written."""
    if load(name) == value:
        return False
    path(name).parent.mkdir(parents=True, exist_ok=True)
    path(name).write_bytes(pickle.dumps(value, protocol=_PROTOCOL))
    return True
