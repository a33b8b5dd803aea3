"""`monitor review flag` and `monitor verify` over the campaign memory, through main()."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_memory import SCAM, _ingest, _post, _send

from monitor.cli import main


def test_review_flag_then_verify_answers_known_scammer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "m.db"
    ingest = _ingest(db)
    _send(ingest, _post("telegram", "1", "777", "daniel_harris_fx", SCAM, "Daniel Harris FX"))
    ingest.store.close()
    assert main(["verify", "@daniel_harris_fx", "--db", str(db)]) == 1  # not known yet
    args = ["--db", str(db), "--who", "ana"]
    assert main(["review", "flag", "telegram:1", "--kind", "impersonation", *args]) == 0
    assert "confirmed by ana" in capsys.readouterr().out
    for target in ("@daniel_harris_fx", "https://t.me/Daniel_Harris_FX", "harris-signals.net"):
        assert main(["verify", target, "--db", str(db)]) == 3
        out = capsys.readouterr().out
        assert out.startswith(f"KNOWN SCAMMER: {target}") and "finding #1" in out
    assert main(["verify", "@okx", "--platform", "twitter", "--db", str(db)]) == 0
    assert main(["review", "flag", "telegram:1", "--kind", "impersonation", *args]) == 2
    assert "already has impersonation finding #1" in capsys.readouterr().err
