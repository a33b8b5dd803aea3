"""`monitor verify` exit codes and `monitor lists update` merging, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import DEFAULT_CONFIG


@pytest.mark.parametrize(
    ("target", "code", "headline"),
    [
        ("@okx", 0, "OFFICIAL: okx"),
        ("https://x.com/OKXHelpDesk", 0, "OFFICIAL: OKXHelpDesk"),
        ("https://www.okx.com/help", 0, "OFFICIAL: www.okx.com"),
        ("0kx_support", 3, "SUSPICIOUS: 0kx_support"),
        ("https://okx.com.verify-login.io/session", 3, "SUSPICIOUS: okx.com.verify-login.io"),
        ("satoshi_fan_88", 1, "NOT OFFICIAL: satoshi_fan_88"),
    ],
)
def test_verify(target: str, code: int, headline: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", target, "--platform", "twitter"]) == code
    assert capsys.readouterr().out.splitlines()[0] == headline


def _config_with_list(tmp_path: Path) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'phishing_list = "impersonation/phishing_example.txt"', 'phishing_list = "phish.txt"')
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lists_update_merges_and_the_detector_uses_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config_with_list(tmp_path)
    new = tmp_path / "new.txt"
    new.write_text("# from the team\nhttps://claim-rewards-now.example/x\n0.0.0.0 wallet-fix.example\n", encoding="utf-8")
    assert main(["lists", "update", str(new), "--config", str(cfg)]) == 0
    assert "2 domains in" in capsys.readouterr().out
    assert main(["verify", "wallet-fix.example", "--config", str(cfg)]) == 3


def test_lists_update_bad_line_leaves_the_list_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config_with_list(tmp_path)
    (tmp_path / "phish.txt").write_text("kept.example\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("fine.example\nthis is not ok\n", encoding="utf-8")
    assert main(["lists", "update", str(bad), "--config", str(cfg)]) == 2
    assert "bad.txt:2: not a domain" in capsys.readouterr().err
    assert (tmp_path / "phish.txt").read_text(encoding="utf-8") == "kept.example\n"
