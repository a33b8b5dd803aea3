"""`monitor review flag` treats a missed impersonation as a confirmation does: it opens the
takedown cases of the hosts its post names; other kinds open none."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_memory import SCAM, _ingest, _post, _send

from monitor.cli import main
from monitor.store import Store


def test_flagging_a_missed_scam_opens_its_hosts_case(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "m.db"
    ingest = _ingest(db)
    _send(ingest, _post("telegram", "1", "777", "daniel_harris_fx", SCAM),
          _post("telegram", "2", "778", "carol", f"my friend says {SCAM}"))
    ingest.store.close()
    args = ["--db", str(db), "--who", "ana"]
    assert main(["review", "flag", "telegram:1", "--kind", "impersonation", *args]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "finding 1: impersonation/manager_flag on telegram:1 confirmed by ana",
        "  takedown case #1 opened for host harris-signals[.]net"]
    assert main(["review", "flag", "telegram:2", "--kind", "support_request", *args]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # a support request opens no case
    store = Store(db)
    [case] = store.db["cases"].rows
    assert (case["subject"], case["status"]) == ("harris-signals.net", "open")
    assert [(p["platform"], p["post_id"]) for p in store.db["case_posts"].rows] == [
        ("telegram", "1")]
