"""Derived files: each shipped one holds what the code derives now, and a missing or unreadable
file reads as None (its owner then derives the value)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from monitor.classify import derived
from monitor.classify.derived_files import FILES


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_shipped_file_holds_what_the_code_derives_now(name: str) -> None:
    shipped = derived.load(name)
    assert shipped is not None, f"{derived.path(name)} is missing: run {derived.REGENERATE}"
    same = shipped == FILES[name]()  # not in the assert: no diff of 30,000 entries
    assert same, f"{derived.path(name)} has fallen behind the code: run {derived.REGENERATE}"


def test_a_file_reads_back_as_written(tmp_path: Path) -> None:
    value = {"sources": {"a.txt": "00"}, "index": {"abandon": {"english": 0}}}
    (tmp_path / "value.pickle").write_bytes(pickle.dumps(value, protocol=5))
    assert derived.read(tmp_path / "value.pickle") == value


def test_a_missing_or_unreadable_file_reads_as_none(tmp_path: Path) -> None:
    assert derived.read(tmp_path / "missing.pickle") is None
    (tmp_path / "cut.pickle").write_bytes(pickle.dumps(list(range(100)), protocol=5)[:-20])
    assert derived.read(tmp_path / "cut.pickle") is None
    (tmp_path / "text.pickle").write_text("not a pickle", encoding="utf-8")
    assert derived.read(tmp_path / "text.pickle") is None
