"""`monitor cases list|show|update`, and `monitor review confirm` opening cases, through main()."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cases import PHISHING, _ingest, _post

from monitor.cli.entry import main
from monitor.core.config import Settings
from monitor.store import Store


@pytest.fixture
def db(tmp_path: Path, settings: Settings) -> str:
    """A database holding an impostor's phishing reply (with a seed phrase), not yet reviewed."""
    path = tmp_path / "m.db"
    store = Store(path)
    _ingest(store, settings, _post("1", PHISHING, 1))
    store.close()
    return str(path)


def _finding(db: str, kind: str) -> int:
    store = Store(db)
    try:
        return next(f["id"] for f in store.db["findings"].rows if f["kind"] == kind)
    finally:
        store.close()


def test_review_confirm_opens_cases_and_cases_list_shows_them(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    imp = _finding(db, "impersonation")
    assert main(["review", "confirm", str(imp), "--db", db, "--who", "alice"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"finding {imp}: confirmed by alice; still held: ")
    assert out[1:] == ["  takedown case #1 opened for host okx-verify-login[.]com",
                       "  takedown case #2 opened for account telegram:@okx_helpdesk_team"]
    assert main(["cases", "list", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "KIND", "STATUS", "AGE", "FIRST", "SEEN", "(UTC)", "POSTS",
                                "PLATFORMS", "SUBJECT"]
    first = lines[1].split()
    assert first[:3] == ["1", "host", "open"] and first[-1] == "okx-verify-login[.]com"
    assert "2026-12-01 10:01" in lines[1] and lines[2].split()[-1] == "telegram:@okx_helpdesk_team"


def test_update_moves_a_case_and_list_filters_by_status(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["review", "confirm", str(_finding(db, "impersonation")), "--db", db, "--who", "alice"])
    capsys.readouterr()
    assert main(["cases", "update", "1", "--status", "reported", "--who", "bob",
                 "--note", "abuse ticket 42", "--db", db]) == 0
    assert capsys.readouterr().out == "case 1 (host okx-verify-login[.]com): reported by bob\n"
    assert main(["cases", "update", "1", "--status", "down", "--who", "bob", "--db", db]) == 0
    capsys.readouterr()
    assert main(["cases", "list", "--status", "down", "--db", db]) == 0
    captured = capsys.readouterr()
    assert [line.split()[0] for line in captured.out.splitlines()[1:]] == ["1"]
    assert captured.err.startswith("time to takedown (median over cases down): ")
    assert main(["cases", "list", "--db", db]) == 0  # open by default: the account only
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == ["2"]
    assert main(["cases", "list", "--status", "all", "--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["cases", "show", "1", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "case 1: host okx-verify-login[.]com, down" in shown
    assert "note       abuse ticket 42" in shown and "[seed phrase removed" in shown


def test_show_prints_the_abuse_report(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["review", "confirm", str(_finding(db, "impersonation")), "--db", db, "--who", "alice"])
    capsys.readouterr()
    assert main(["cases", "show", "1", "--abuse-report", "--db", db]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Subject: phishing site impersonating OKX: okx-verify-login[.]com")
    assert "okx-verify-login.com" not in text and "absorb" not in text
    assert "Please suspend okx-verify-login[.]com" in text


def test_errors_are_one_line_with_exit_2(db: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    main(["review", "confirm", str(_finding(db, "impersonation")), "--db", db, "--who", "alice"])
    capsys.readouterr()
    assert main(["cases", "show", "9", "--db", db]) == 2
    assert capsys.readouterr().err == "monitor: error: no takedown case with id 9\n"
    assert main(["cases", "update", "1", "--status", "rejected", "--who", "a", "--db", db]) == 2
    assert capsys.readouterr().err == (
        "monitor: error: case #1 is open: it can move to reported or down, not rejected\n")
    assert main(["cases", "list", "--db", str(tmp_path / "none.db")]) == 2
    assert "database not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["cases", "update", "1", "--status", "open", "--db", db])
    assert exit_.value.code == 2
    assert "invalid choice: 'open'" in capsys.readouterr().err


def test_confirming_a_leak_from_the_cli_opens_nothing(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "confirm", str(_finding(db, "secret_leak")), "--db", db,
                 "--who", "alice"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["cases", "list", "--status", "all", "--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the header alone
