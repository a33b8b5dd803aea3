"""A newcomer's first run: `monitor init` writes files `config check` accepts, .env.example names
every environment variable, `doctor` says what is missing, and progress bars stay off stdout."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from monitor.cli import firstrun, progress
from monitor.cli.entry import main
from monitor.cli.running import DEMO_STREAM
from monitor.core import config
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one `monitor` command."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_a_config_that_config_check_accepts_at_once(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "new"
    code, out, _ = run(capsys, "init", str(folder))
    assert code == 0
    for name in ("monitor.toml", ".env.example", "lists/phishing.txt", "lists/allowed.txt"):
        assert (folder / name).is_file() and f"wrote {folder / name}" in out
    assert "monitor doctor --config monitor.toml" in out
    code, out, err = run(capsys, "config", "check", str(folder / "monitor.toml"))
    assert (code, err) == (0, "") and out.startswith(f"{folder / 'monitor.toml'}: ok")
    settings = config.load(folder / "monitor.toml")
    assert settings.phishing_list == (folder / "lists" / "phishing.txt").resolve()
    assert not config.is_bundled(settings)  # `monitor lists update` may change these lists
    assert (folder / ".env.example").read_text(encoding="utf-8") == firstrun.env_example()


def test_init_refuses_to_overwrite_unless_forced_and_never_replaces_a_list(
        tmp_path: Path, capsys) -> None:
    run(capsys, "init", str(tmp_path))
    (tmp_path / "monitor.toml").write_text("# mine\n", encoding="utf-8")
    (tmp_path / "lists" / "phishing.txt").write_text("evil.example\n", encoding="utf-8")
    code, out, err = run(capsys, "init", str(tmp_path))
    assert code == 2 and out == ""
    assert err == (f"monitor: error: {tmp_path / 'monitor.toml'} and {tmp_path / '.env.example'} "
                   "already exist; nothing written (--force overwrites them)\n")
    assert (tmp_path / "monitor.toml").read_text(encoding="utf-8") == "# mine\n"
    code, out, _ = run(capsys, "init", str(tmp_path), "--force")
    assert code == 0 and "lists/phishing.txt" not in out
    assert (tmp_path / "monitor.toml").read_text(encoding="utf-8") == firstrun.config_text()
    assert (tmp_path / "lists" / "phishing.txt").read_text(encoding="utf-8") == "evil.example\n"


def test_every_platform_table_is_there_commented_with_each_key(tmp_path: Path) -> None:
    text = firstrun.config_text()
    assert not any(f"\n[{p}]" in text for p in config.PLATFORM_SCHEMA)  # off until uncommented
    uncommented = []
    for table in [*config.PLATFORM_SCHEMA, "serve"]:
        block = text[text.index(f"# [{table}]\n"):].split("\n\n")[0]
        lines = [line.removeprefix("# ") for line in block.splitlines()
                 if re.match(r"# (\[\w+\]|\w+ = )", line)]
        keys = {line.split(" = ")[0] for line in lines[1:]}
        assert keys == set(config.SCHEMA[table]), table  # every key shown and explained
        uncommented.append("\n".join(lines))
    path = tmp_path / "monitor.toml"
    path.write_text(text + "\n" + "\n\n".join(uncommented) + "\n", encoding="utf-8")
    (tmp_path / "lists").mkdir()
    settings = config.load(path)  # the commented values are valid as they stand
    assert all(settings.platforms[p]["enabled"] for p in config.PLATFORM_SCHEMA)


def test_env_example_names_every_env_key_of_the_schema_with_its_default() -> None:
    from monitor.connectors.discord.gateway import DEFAULT_TOKEN_ENV as DISCORD
    from monitor.connectors.reddit.stream import ENV_DEFAULTS as REDDIT
    from monitor.connectors.telegram.updates import DEFAULT_TOKEN_ENV as TELEGRAM
    from monitor.connectors.twitter.timeline import ENV_DEFAULTS as X
    from monitor.runtime.alerting.routing import ENV_DEFAULTS as ALERTS

    env_keys = {(table, key) for table, keys in _tables(config.SCHEMA)
                for key in keys if key.endswith("_env")}
    assert set(firstrun.ENV_VARS) == env_keys
    defaults = {("monitor", "salt_env"): config.Settings.__dataclass_fields__["salt_env"].default,
                ("serve", "token_env"): "MONITOR_SERVE_TOKEN",
                ("telegram", "token_env"): TELEGRAM, ("discord", "token_env"): DISCORD,
                **{("twitter", key): name for key, name in X.items()},
                **{("reddit", f"{key}_env"): name for key, name in REDDIT.items()}, **ALERTS}
    assert {k: name for k, (name, _) in firstrun.ENV_VARS.items()} == defaults
    text = firstrun.env_example()
    example = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    for (table, key), (name, _) in firstrun.ENV_VARS.items():
        assert re.search(rf"^# \[{table}\] {key}: .+\n{name}=\n", text, re.MULTILINE), name
        assert name in example  # the example config names it where it is configured


def _tables(schema: dict, prefix: str = "") -> list[tuple[str, dict]]:
    """Every table of the schema with its dotted name, sub-tables ([alerts.slack]) too."""
    found = []
    for name, value in schema.items():
        if isinstance(value, dict):
            found += [(f"{prefix}{name}", value), *_tables(value, f"{prefix}{name}.")]
    return found


def test_the_committed_env_example_is_the_generated_one() -> None:
    committed = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert committed == firstrun.env_example(), (
        "regenerate: python -c 'from monitor.cli.firstrun import env_example; "
        "open(\".env.example\", \"w\").write(env_example())'")


def test_doctor_names_a_missing_list_and_no_platform_with_their_fixes(
        tmp_path: Path, capsys) -> None:
    run(capsys, "init", str(tmp_path))
    (tmp_path / "lists" / "allowed.txt").unlink()
    code, out, err = run(capsys, "doctor", "--config", str(tmp_path / "monitor.toml"),
                         "--db", str(tmp_path / "monitor.db"))
    assert code == 1 and err == ""
    lines = {line.split()[1].rstrip(":"): line for line in out.splitlines()}
    allowed = tmp_path / "lists" / "allowed.txt"
    assert lines["allow_list"] == (f"FAIL  allow_list: {allowed} not found — fix: create it empty "
                                   f"with `touch {allowed}`, or fill it with `monitor lists allow "
                                   f"FILE --config {tmp_path / 'monitor.toml'}`")
    assert lines["phishing_list"].startswith("OK    phishing_list: ")
    assert lines["database"] == f"OK    database: {tmp_path / 'monitor.db'} (created on first run)"
    assert lines["platforms"].startswith("FAIL  platforms: none enabled")
    assert not (tmp_path / "monitor.db").exists()  # the doctor creates nothing


def test_doctor_on_a_broken_config_stops_at_that_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "monitor.toml"
    bad.write_text('[brand]\nname = "OKX"\n', encoding="utf-8")
    code, out, _ = run(capsys, "doctor", "--config", str(bad))
    assert code == 1
    assert out == (f"FAIL  config: {bad}: missing key 'brand.domains' — fix: correct the file or "
                   "key named; then `monitor config check FILE`\n")


def test_doctor_takes_the_write_lock_of_an_existing_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setattr("monitor.cli.doctor.DB_TIMEOUT", 0.1)
    db = tmp_path / "monitor.db"
    sqlite3.connect(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        from monitor.cli.doctor import _database

        locked = _database(str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not locked.ok and "locked" in locked.detail
    assert _database(str(db)).detail == f"{db} writable"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _demo_lines(tmp_path: Path, count: int = 40) -> Path:
    path = tmp_path / "posts.jsonl"
    lines = DEMO_STREAM.read_text(encoding="utf-8").splitlines()[:count]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_no_progress_bar_off_a_terminal_and_stdout_unchanged_on_one(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    posts = _demo_lines(tmp_path)
    code, plain, err = run(capsys, "scan", str(posts))
    assert code == 0 and err == ""  # captured stderr is no terminal: no bar
    monkeypatch.setattr(progress, "DELAY", 0.0)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    code, out, _ = run(capsys, "scan", str(posts))
    assert code == 0 and out == plain  # stdout carries the same JSON lines, nothing else
    assert all(json.loads(line) for line in out.splitlines())
    assert "scan: 100%" in terminal.getvalue() and "40/40" in terminal.getvalue()


def test_replay_bar_on_a_terminal_only(tmp_path: Path, capsys,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    posts = _demo_lines(tmp_path)
    args = ("run", "--replay", str(posts), "--dry-run", "--log-format", "text")
    code, out, err = run(capsys, *args, "--db", str(tmp_path / "a.db"))
    assert code == 0 and "replay" not in err and "line/s" not in err
    monkeypatch.setattr(progress, "DELAY", 0.0)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    code, again, _ = run(capsys, *args, "--db", str(tmp_path / "b.db"))
    assert code == 0 and again == out and again.startswith("posts 40 ")
    assert "replay: 100%" in terminal.getvalue() and "40/40" in terminal.getvalue()
