"""`monitor verify` exit codes and `monitor lists update` / `allow` merging, through the CLI."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from monitor.cli.entry import main
from monitor.core.config import DEFAULT_CONFIG


@pytest.mark.parametrize(
    ("target", "code", "headline"),
    [
        ("@okx", 0, "OFFICIAL: okx"),
        ("https://x.com/OKXHelpDesk", 0, "OFFICIAL: OKXHelpDesk"),
        ("https://www.okx.com/help", 0, "OFFICIAL: www.okx.com"),
        ("0kx_support", 3, "SUSPICIOUS: 0kx_support"),
        ("https://okx.com.verify-login.io/session", 3, "SUSPICIOUS: okx.com.verify-login.io"),
        ("ouyi_kefu", 3, "SUSPICIOUS: ouyi_kefu"),  # 欧易 in pinyin, an alias in the example config
        # no brand, named for a lure
        ("https://claim-usdt-bonus.top/", 3, "SUSPICIOUS: claim-usdt-bonus.top"),
        ("satoshi_fan_88", 1, "NOT OFFICIAL: satoshi_fan_88"),
    ],
)
def test_verify(target: str, code: int, headline: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", target, "--platform", "twitter"]) == code
    assert capsys.readouterr().out.splitlines()[0] == headline


def test_verify_answers_each_item_of_a_question_and_exits_with_the_worst(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["verify", "is @okx or 0kx-help.com the real one?"]) == 3
    blocks = capsys.readouterr().out.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == ["OFFICIAL: okx", "SUSPICIOUS: 0kx-help.com"]


def test_verify_nothing_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", " "]) == 2
    assert "nothing to verify" in capsys.readouterr().err


def _config_with_list(tmp_path: Path) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'phishing_list = "impersonation/phishing_example.txt"', 'phishing_list = "phish.txt"'
    ).replace('allow_list = "impersonation/allowed_example.txt"', 'allow_list = "allowed.txt"')
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lists_update_merges_and_the_detector_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_with_list(tmp_path)
    new = tmp_path / "new.txt"
    new.write_text("# from the team\nhttps://claim-rewards-now.example/x\n"
                   "0.0.0.0 wallet-fix.example\n", encoding="utf-8")
    assert main(["lists", "update", str(new), "--config", str(cfg)]) == 0
    assert "2 domains in" in capsys.readouterr().out
    assert main(["verify", "wallet-fix.example", "--config", str(cfg)]) == 3


def test_lists_update_bad_line_leaves_the_list_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_with_list(tmp_path)
    (tmp_path / "phish.txt").write_text("kept.example\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("fine.example\nthis is not ok\n", encoding="utf-8")
    assert main(["lists", "update", str(bad), "--config", str(cfg)]) == 2
    assert "bad.txt:2: not a domain" in capsys.readouterr().err
    assert (tmp_path / "phish.txt").read_text(encoding="utf-8") == "kept.example\n"


def _flagged(
    cfg: Path, text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> bool:
    """Whether `monitor scan` with this config flags a post with the text as impersonation."""
    capsys.readouterr()  # what earlier commands printed
    post = {"id": "1", "platform": "telegram", "text": text, "author": {"handle": "amy"}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(post) + "\n"))
    assert main(["scan", "-", "--config", str(cfg)]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    return any(f["kind"] == "impersonation" and f["score"] >= 0.5 for f in findings)


def test_lists_allow_silences_a_checked_lookalike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _config_with_list(tmp_path)
    text = "the okx fan wiki has the fee table: https://okx-fans.example/fees"
    assert main(["verify", "okx-fans.example", "--config", str(cfg)]) == 3
    assert _flagged(cfg, text, capsys, monkeypatch)
    (tmp_path / "ok.txt").write_text("okx-fans.example\n", encoding="utf-8")
    assert main(["lists", "allow", str(tmp_path / "ok.txt"), "--config", str(cfg)]) == 0
    assert "1 domains in" in capsys.readouterr().out and (tmp_path / "allowed.txt").exists()
    # subdomains too
    assert main(["verify", "https://wiki.okx-fans.example/x", "--config", str(cfg)]) == 1
    assert "on the operator's allow list (okx-fans.example)" in capsys.readouterr().out
    assert not _flagged(cfg, text, capsys, monkeypatch)
    # other look-alikes still flag
    assert _flagged(cfg, "fees at https://okx-fees.example/x", capsys, monkeypatch)


def test_a_host_on_both_lists_stays_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_with_list(tmp_path)
    (tmp_path / "phish.txt").write_text("okx-fans.example\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("okx-fans.example\n", encoding="utf-8")
    assert main(["lists", "allow", str(tmp_path / "ok.txt"), "--config", str(cfg)]) == 0
    assert "on both lists, so still flagged: okx-fans.example" in capsys.readouterr().err
    assert main(["verify", "okx-fans.example", "--config", str(cfg)]) == 3
    assert "on the phishing list" in capsys.readouterr().out


def test_lists_allow_needs_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(_config_with_list(tmp_path).read_text(encoding="utf-8").replace(
        'allow_list = "allowed.txt"', ""), encoding="utf-8")
    (tmp_path / "ok.txt").write_text("okx-fans.example\n", encoding="utf-8")
    assert main(["lists", "allow", str(tmp_path / "ok.txt"), "--config", str(cfg)]) == 2
    assert "set [monitor] allow_list to the list's path first" in capsys.readouterr().err


def test_lists_update_into_a_missing_folder_names_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(_config_with_list(tmp_path).read_text(encoding="utf-8").replace(
        'phishing_list = "phish.txt"', 'phishing_list = "no/such/folder/phish.txt"'),
        encoding="utf-8")
    (tmp_path / "new.txt").write_text("bad-site.example\n", encoding="utf-8")
    assert main(["lists", "update", str(tmp_path / "new.txt"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "no/such/folder/phish.txt: cannot write the list" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["verify", "okx-fans.example"], ["scan", "-"]])
def test_a_bad_line_in_a_configured_list_is_one_line_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = _config_with_list(tmp_path)
    (tmp_path / "allowed.txt").write_text("fine.example\nthis is bad\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin",
                        io.StringIO('{"id": "1", "platform": "telegram", "text": "hi"}\n'))
    assert main([*command, "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "allowed.txt:2: not a domain: 'this is bad'" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["update", "allow"])
def test_the_bundled_example_lists_are_not_changed(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in (DEFAULT_CONFIG.parent / "impersonation").glob("*.txt")}
    (tmp_path / "new.txt").write_text("okx-fans.example\n", encoding="utf-8")
    assert main(["lists", kind, str(tmp_path / "new.txt")]) == 2
    assert "pass --config with your own monitor.toml" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before


def test_public_list_formats_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config_with_list(tmp_path)
    metamask = {"version": 2, "tolerance": 2, "fuzzylist": ["okx.com"],
                "whitelist": ["okx-fans.example"],
                "blacklist": ["okx-claim.example", "WWW.okx-gift.example"]}
    polkadot = {"allow": ["*.fleek.co", "duckdns.org"],
                "deny": ["okx-bonus.example", "104.168.169.107", "drapp.web3x"]}
    hosts = ("127.0.0.1 localhost\n::1 ip6-localhost\n"
             "0.0.0.0 okx-airdrop.example  # from a hosts file\n")
    for name, text in (("mm.json", json.dumps(metamask)), ("pk.json", json.dumps(polkadot)),
                       ("hosts", hosts)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["lists", "update", str(tmp_path / "mm.json"), "--config", str(cfg)]) == 0
    assert main(["lists", "update", str(tmp_path / "hosts"), "--config", str(cfg)]) == 0
    # a raw IP
    assert main(["lists", "update", str(tmp_path / "pk.json"), "--config", str(cfg)]) == 2
    assert ("pk.json: entry 3: not a domain: 'drapp.web3x' (--skip-bad skips such entries)"
            in capsys.readouterr().err)
    assert main(["lists", "update", str(tmp_path / "pk.json"), "--config", str(cfg),
                 "--skip-bad"]) == 0
    assert "skipped 1 entries that are not domains" in capsys.readouterr().err
    assert (tmp_path / "phish.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "104.168.169.107", "okx-airdrop.example", "okx-bonus.example", "okx-claim.example",
        "okx-gift.example"]
    # The allow list takes MetaMask's whitelist, never polkadot-js's 'allow'
    # (hosting roots such as duckdns.org).
    assert main(["lists", "allow", str(tmp_path / "mm.json"), "--config", str(cfg)]) == 0
    assert main(["lists", "allow", str(tmp_path / "pk.json"), "--config", str(cfg)]) == 2
    assert "pk.json: no 'whitelist' list in it" in capsys.readouterr().err
    assert (tmp_path / "allowed.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "okx-fans.example"]
    assert main(["verify", "okx-gift.example", "--config", str(cfg)]) == 3


def test_lists_remove_takes_a_host_off_and_names_the_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_with_list(tmp_path)
    (tmp_path / "ok.txt").write_text("okx-fans.example\nokx-wiki.example\n", encoding="utf-8")
    assert main(["lists", "allow", str(tmp_path / "ok.txt"), "--config", str(cfg)]) == 0
    assert main(["verify", "okx-fans.example", "--config", str(cfg)]) == 1  # allowed
    capsys.readouterr()
    assert main(["lists", "remove", "https://okx-fans.example/x", "nope.example",
                 "--from", "allowed", "--config", str(cfg)]) == 0
    out, err = capsys.readouterr()
    assert ("removed 1 from" in out and "okx-fans.example" in out
            and "not on the list: nope.example" in err)
    assert (tmp_path / "allowed.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "okx-wiki.example"]
    assert main(["verify", "okx-fans.example", "--config", str(cfg)]) == 3  # a look-alike again
    # the bundled config's list
    assert main(["lists", "remove", "okx-wiki.example", "--from", "allowed"]) == 2
    assert "pass --config with your own monitor.toml" in capsys.readouterr().err
