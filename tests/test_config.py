"""Config: the example loads; each kind of mistake stops with one line naming file and key."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from monitor.cli.entry import main
from monitor.connectors.reddit.stream import RedditConfig
from monitor.connectors.twitter.timeline import TwitterConnector
from monitor.core import config

EXAMPLE = config.DEFAULT_CONFIG.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    settings = config.load(None)
    assert settings.brand.name == "OKX"
    assert "okx.com" in settings.brand.domains
    assert settings.brand.accounts["twitter"] == ("okx", "OKXHelpDesk")
    assert settings.brand.trusted == {}  # the example vouches for no one
    assert "欧易" in settings.brand.names


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "OKX"\n', "", "missing key 'brand.name'"),
        ('name = "OKX"', "name = 5", "'brand.name' must be a string"),
        (
            'domains = ["okx.com", "okex.com"]',
            'domains = "okx.com"',
            "'brand.domains' must be a list of strings",
        ),
        (
            "[brand.accounts]",
            '[brand.accounts]\nmastodon = ["okx"]',
            "unknown key 'brand.accounts.mastodon'",
        ),
        (
            "[brand.trusted]",
            '[brand.trusted]\ntwitter = "okx_fans"',
            "'brand.trusted.twitter' must be a list of strings",
        ),
        (
            'log_level = "INFO"',
            'log_level = "INFO"\ncolour = "blue"',
            "unknown key 'monitor.colour'",
        ),
        (
            "support_request = 0.5",
            "support_request = 1.5",
            "'thresholds.support_request' must be between 0 and 1",
        ),
        (
            'impersonation = "review"',
            'impersonation = "yolo"',
            "'modes.impersonation' must be one of",
        ),
        ("secret_leak = 0.5", 'secret_leak = "high"', "'thresholds.secret_leak' must be a number"),
        (
            '# encoder_path = "/path/to/minilm-onnx"',
            'encoder_path = "minilm"',
            "'support.encoder_path' is not a folder",
        ),
        (
            '# model_dir = "support/model"',
            'model_dir = "no/model"',
            "'support.model_dir' is not a folder",
        ),
        (
            "[modes]",
            "[telegram]\nadmins = ['alice']\n[modes]",
            "'telegram.admins' must be a list of integers",
        ),
        ("[modes]", "[discord]\nenabled = 1\n[modes]", "'discord.enabled' must be a boolean"),
        ("[modes]", "[reddit]\nsubreddit = ['OKX']\n[modes]", "unknown key 'reddit.subreddit'"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in EXAMPLE
    path = _write(tmp_path, EXAMPLE.replace(old, new, 1))
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_section_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match=r"missing section \[brand\]"):
        config.load(_write(tmp_path, "[monitor]\ndb = 'x.db'\n"))
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(_write(tmp_path, "[brand\nname="))
    with pytest.raises(config.ConfigError, match="file not found"):
        config.load(tmp_path / "absent.toml")


def test_config_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check"]) == 0
    assert "ok (brand OKX" in capsys.readouterr().out
    bad = _write(
        tmp_path, EXAMPLE.replace('ticket_url = "https://www.okx.com/support/submit-request"\n', "")
    )
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"monitor: error: {bad}: missing key 'brand.ticket_url'"


def test_example_config_names_every_connector_setting_at_its_default(tmp_path: Path) -> None:
    # The connector tables are commented out; uncommented, they must load and name every key.
    tables = EXAMPLE[EXAMPLE.index("# [telegram]") :]
    # all off
    assert not re.search(r"^\[(telegram|discord|twitter|reddit)\]", EXAMPLE, re.MULTILINE)
    uncommented = re.sub(r"^# (?=\[\w+\]$|\w+ = )", "", tables, flags=re.MULTILINE)
    settings = config.load(_write(tmp_path, EXAMPLE + "\n" + uncommented))
    for platform, schema in config.PLATFORM_SCHEMA.items():
        assert set(settings.platforms[platform]) == set(schema), platform
    reddit = {f.name: f.default for f in dataclasses.fields(RedditConfig)}
    for key in (
        "poll_interval",
        "backfill",
        "backfill_hours",
        "ratelimit_seconds",
        "max_retry_wait",
        "bad_subreddit_retry",
        "profile_reserve",
    ):
        assert settings.platforms["reddit"][key] == reddit[key], key
    twitter = inspect.signature(TwitterConnector).parameters
    for key in ("poll_interval", "dms", "tier", "backfill_hours", "usage_cap_pause"):
        assert settings.platforms["twitter"][key] == twitter[key].default, key
    assert settings.platforms["discord"]["message_content"] is False  # a new bot's state
    assert settings.platforms["telegram"]["poll_timeout"] == 30


def _config_listing(tmp_path: Path, phishing: str, allowed: str) -> Path:
    return _write(
        tmp_path,
        EXAMPLE.replace(
            'phishing_list = "impersonation/phishing_example.txt"', f'phishing_list = "{phishing}"'
        ).replace('allow_list = "impersonation/allowed_example.txt"', f'allow_list = "{allowed}"'),
    )


def test_config_check_fails_on_list_files_that_do_not_exist_and_says_how_to_create_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config_listing(tmp_path, "phish.txt", "lists/allowed.txt")
    assert main(["config", "check", str(cfg)]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    phish, allowed = out.err.splitlines()
    assert phish == (
        f"monitor: error: {tmp_path / 'phish.txt'}: [monitor] phishing_list file not found; "
        "create it empty"
        f" with `touch {tmp_path / 'phish.txt'}`, or fill it with `monitor lists update FILE "
        f"--config {cfg}`"
    )
    # A missing folder is named in the fix too (`lists update` cannot create it).
    assert allowed.startswith(
        f"monitor: error: {tmp_path / 'lists/allowed.txt'}: [monitor] allow_list file"
    )
    assert f"`mkdir -p {tmp_path / 'lists'} && touch {tmp_path / 'lists/allowed.txt'}`" in allowed
    assert f"`monitor lists allow FILE --config {cfg}`" in allowed
    # Following the advice makes the check pass.
    (tmp_path / "phish.txt").touch()
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists/allowed.txt").touch()
    assert main(["config", "check", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith(f"{cfg}: ok (brand OKX")


def test_scan_with_a_missing_list_file_warns_and_still_scans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json
    import sys

    cfg = _config_listing(tmp_path, "phish.txt", "impersonation/allowed_example.txt")
    (tmp_path / "impersonation").mkdir()
    (tmp_path / "impersonation/allowed_example.txt").touch()
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO(
            '{"id": "1", "platform": "reddit", "text": "gm", "author": {"handle": "amy"}}\n'
        ),
    )
    assert main(["scan", "-", "--config", str(cfg)]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["id"] == "1"
    warning = (
        f"monitor: warning: {tmp_path / 'phish.txt'}: [monitor] phishing_list file not found; "
        "create it"
        f" empty with `touch {tmp_path / 'phish.txt'}`, or fill it with"
        f" `monitor lists update FILE --config {cfg}`"
    )
    assert out.err.splitlines() == [warning]


def test_run_with_a_missing_list_file_logs_a_warning_and_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli.running import DEMO_STREAM

    cfg = _config_listing(tmp_path, "phish.txt", "allowed.txt")
    (tmp_path / "allowed.txt").touch()
    replay = tmp_path / "s.jsonl"
    replay.write_text(
        "".join(DEMO_STREAM.read_text(encoding="utf-8").splitlines(True)[:3]), encoding="utf-8"
    )
    run = ["run", "--config", str(cfg), "--replay", str(replay), "--db", str(tmp_path / "m.db")]
    assert main([*run, "--dry-run", "--log-format", "text"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("posts 3 ")
    warnings = [line for line in out.err.splitlines() if "phishing_list file not found" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0]
    assert f"`touch {tmp_path / 'phish.txt'}`" in warnings[0]
    assert "allow_list" not in out.err
