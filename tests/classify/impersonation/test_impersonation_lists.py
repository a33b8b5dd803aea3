"""The operator's phishing list: merge, clean and reject bad lines by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.classify.impersonation.lists import ListError, clean_domain, load, update_list
from monitor.classify.impersonation.wordlists import DATA_DIR


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("bad-example.invalid", "bad-example.invalid"),
        ("HTTPS://www.Bad-Example.invalid/login?x=1", "bad-example.invalid"),
        ("0.0.0.0 bad-example.invalid", "bad-example.invalid"),
        ("оkх.com", "оkх.com".encode("idna").decode()),  # Unicode domains are kept as xn-- forms
        ("not a domain!", None),
        ("localhost", None),
    ],
)
def test_clean_domain(raw: str, expected: str | None) -> None:
    assert clean_domain(raw) == expected


def test_update_merges_and_counts(tmp_path: Path) -> None:
    dest = tmp_path / "phishing.txt"
    dest.write_text("# my list\nold-example.invalid\n")
    src = tmp_path / "new.txt"
    src.write_text("# new ones\nnew-example.invalid\nOLD-example.invalid\n\n")
    assert update_list(src, dest) == 2
    assert dest.read_text() == "# my list\nnew-example.invalid\nold-example.invalid\n"
    assert load(dest) == {"new-example.invalid", "old-example.invalid"}


def test_bad_line_is_named_and_nothing_changes(tmp_path: Path) -> None:
    dest = tmp_path / "phishing.txt"
    dest.write_text("old-example.invalid\n")
    src = tmp_path / "new.txt"
    src.write_text("good-example.invalid\nthis is not ok\n")
    with pytest.raises(ListError, match=r"new.txt:2: not a domain: 'this is not ok'"):
        update_list(src, dest)
    assert dest.read_text() == "old-example.invalid\n"


def test_missing_list_is_empty(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.txt") == frozenset()


def test_shipped_example_list_is_valid_and_made_up() -> None:
    domains = load(DATA_DIR / "phishing_example.txt")
    assert domains and all(d.endswith((".invalid", ".test")) for d in domains)
