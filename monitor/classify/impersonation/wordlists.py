"""The detector's word lists, read once from data/impersonation/ (one entry a line, '#' comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from monitor.resources import data_path

DATA_DIR = data_path("impersonation")


def read_entries(path: Path) -> list[str]:
    """Non-blank lines of a list file with '#' comments and surrounding space removed."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


@cache
def words(name: str) -> tuple[str, ...]:
    """A bundled list by file stem, e.g. words('shorteners'), case-folded."""
    return tuple(entry.casefold() for entry in read_entries(DATA_DIR / f"{name}.txt"))
