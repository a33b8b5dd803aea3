"""The daemon with the Discord connector against the loopback fake: end
to end, restart, credentials."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.discord import TOKEN, FakeDiscord, wait_for
from mnemonic import Mnemonic

from monitor.cli.connecting import build_connectors
from monitor.connectors.discord.gateway import DEFAULT_API_BASE, DEFAULT_GATEWAY, DiscordConnector
from monitor.core import config
from monitor.core.pipeline import build_detectors
from monitor.store import Store

PENDING = "SELECT count(*) FROM actions WHERE status = 'planned'"
TOKEN_ENV = "SM_TEST_DISCORD_TOKEN"
BRAND = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
discord = ["OKX"]

[modes]
support_request = "auto"
impersonation = "auto"
secret_leak = "auto"
"""


def write_config(tmp_path: Path, fake: FakeDiscord, extra: str = "") -> Path:
    """A realistic monitor.toml whose [discord] table points at the fake."""
    path = tmp_path / "monitor.toml"
    path.write_text(
        BRAND
        + f"""
[monitor]
db = "{tmp_path / "monitor.db"}"

[discord]
enabled = true
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
token_env = "{TOKEN_ENV}"
message_content = true
"""
        + extra,
        encoding="utf-8",
    )
    return path


def seed_phrase() -> str:
    """A valid BIP39 phrase (checksum included), fresh for each test."""
    return Mnemonic("english").generate(128)


def test_daemon_answers_discord_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    phrase = seed_phrase()
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"

    async def scenario() -> tuple[FakeDiscord, dict, dict, dict, int]:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        cfg = write_config(tmp_path, fake)
        alice, carol, dave = (fake.add_user(n) for n in ("alice", "carol", "dave"))
        impostor = fake.add_user(
            "0kx_support", "OKX Support", created=datetime.now(UTC) - timedelta(days=2)
        )
        daemon = await _spawn(cfg, log)
        await wait_for(fake.connected, timeout=60)
        ask = await fake.post(
            fake.general,
            alice,
            "Hi, I cannot withdraw my USDT, the withdrawal "
            "has been pending for 3 days. Please help",
        )
        await fake.post(
            fake.general,
            impostor,
            "Hello, I am from OKX support team, please DM me "
            "and I will help you fix your withdrawal",
            reply_to=int(ask["id"]),
        )
        leak = await fake.post(fake.general, carol, f"is this my recovery phrase ok? {phrase}")
        await fake.post(fake.general, dave, "gm everyone, nice rally today")
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 4, timeout=30)
        await wait_for(lambda: _db_count(db, PENDING) == 0, timeout=30)
        code = await _stop(daemon, fake)
        return fake, ask, leak, carol, code

    fake, ask, leak, carol, code = asyncio.run(scenario())
    assert code == 0, log.read_text(encoding="utf-8")
    replies = fake.replies_to(ask)
    warnings = [m for m in replies if "not an official" in m["content"]]
    answers = [m for m in replies if m not in warnings]
    settings = config.load(tmp_path / "monitor.toml")
    if any(d.kind == "support_request" for d in build_detectors(settings)):
        assert len(answers) == 1 and "okx.com" in answers[0]["content"]
    else:
        assert answers == [] and len(warnings) == 1
    assert all("@0kx_support" in m["content"] for m in warnings)
    assert fake.deleted == [(fake.general, int(leak["id"]))]
    [advice] = fake.dms_to(carol)
    assert "seed phrase" in advice["content"]
    notices = [m for m in fake.sent if "removed a message" in m["content"]]
    assert len(notices) == 1 and notices[0]["channel_id"] == str(fake.general)
    assert_phrase_nowhere(db, log, fake, phrase)


def test_a_phrase_edited_into_a_message_is_removed_and_a_typo_fix_is_not_answered_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    phrase = seed_phrase()
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"

    async def scenario() -> tuple[FakeDiscord, dict, dict, dict, int]:
        fake, daemon = await _started(tmp_path, log)
        alice, carol = fake.add_user("alice"), fake.add_user("carol")
        ask = await fake.post(
            fake.general, alice, "my withdrawl of 300 USDT is pending for 3 days, please help"
        )
        note = await fake.post(
            fake.general, carol, "my wallet app shows zero balance after the update"
        )
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 2, timeout=30)
        await wait_for(lambda: _db_count(db, PENDING) == 0, timeout=30)
        await fake.edit(ask, "my withdrawal of 300 USDT is pending for 3 days, please help")
        await fake.edit(
            note, f"my wallet app shows zero balance after the update, phrase: {phrase}"
        )
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 4, timeout=30)
        await wait_for(lambda: _db_count(db, PENDING) == 0 and bool(fake.deleted), timeout=30)
        code = await _stop(daemon, fake)
        return fake, ask, note, carol, code

    fake, ask, note, carol, code = asyncio.run(scenario())
    assert code == 0, log.read_text(encoding="utf-8")
    assert fake.deleted == [(fake.general, int(note["id"]))]
    assert len(fake.dms_to(carol)) == 1
    assert len(fake.replies_to(ask)) <= 1  # the first version's answer, none for the typo fix
    with sqlite3.connect(db) as conn:
        edits = conn.execute(
            "SELECT post_id, kind FROM findings WHERE post_id LIKE '%~e%'"
        ).fetchall()
    assert [kind for _, kind in edits] == ["secret_leak"]
    assert_phrase_nowhere(db, log, fake, phrase)


def test_a_lookalike_joining_the_server_is_flagged_before_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"

    async def scenario() -> int:
        fake, daemon = await _started(tmp_path, log, extra="members = true\n")
        await fake.join(fake.add_user("okx.support.team", "OKX Support"))
        await fake.join(fake.add_user("dana_trades", "Dana"))
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 2, timeout=30)
        return await _stop(daemon, fake)

    assert asyncio.run(scenario()) == 0, log.read_text(encoding="utf-8")
    with sqlite3.connect(db) as conn:
        flagged = conn.execute(
            "SELECT p.author_handle, f.evidence FROM findings f JOIN posts p "
            "ON p.platform = f.platform AND p.id = f.post_id WHERE f.kind = 'impersonation'"
        ).fetchall()
    assert [handle for handle, _ in flagged] == ["okx.support.team"]
    assert "okx.support.team" in flagged[0][1]


def test_a_clone_of_a_server_moderator_is_flagged_and_the_moderator_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"

    async def scenario() -> tuple[FakeDiscord, dict, int]:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        moderator = fake.add_role("Moderator", 8192)  # manage messages
        kai = fake.add_user("kai_okx", "Kai | OKX Support")
        fake.give_role(kai, moderator)
        alice, clone, namesake = (
            fake.add_user("alice"),
            fake.add_user("kai_okx_", "Kai | OKX Support"),
            fake.add_user("kai"),
        )
        daemon = await _spawn(write_config(tmp_path, fake), log)
        await wait_for(fake.connected, timeout=60)
        mod = await fake.post(
            fake.general, kai, "Deposits on SOL are delayed today, DM me if yours is missing"
        )
        ask = await fake.post(
            fake.general, alice, "my deposit has not arrived after 3 hours, can anyone help?"
        )
        await fake.post(fake.general, clone, "I can help you, DM me", reply_to=int(ask["id"]))
        await fake.post(fake.general, namesake, "gm")
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 4, timeout=30)
        await wait_for(lambda: _db_count(db, PENDING) == 0, timeout=30)
        return fake, {"mod": mod, "ask": ask}, await _stop(daemon, fake)

    fake, posts, code = asyncio.run(scenario())
    assert code == 0, log.read_text(encoding="utf-8")
    with sqlite3.connect(db) as conn:
        flagged = conn.execute(
            "SELECT p.author_handle, f.evidence FROM findings f JOIN posts p "
            "ON p.platform = f.platform AND p.id = f.post_id WHERE f.kind = 'impersonation'"
        ).fetchall()
    assert [handle for handle, _ in flagged] == ["kai_okx_"]  # not the moderator, not the namesake
    assert "copies admin Kai | OKX Support (@kai_okx)'s" in flagged[0][1]
    assert fake.replies_to(posts["mod"]) == []  # a moderator gets no support pointer
    # the user is warned
    assert any("@kai_okx_" in m["content"] for m in fake.replies_to(posts["ask"]))


def assert_phrase_nowhere(db: Path, log: Path, fake: FakeDiscord, phrase: str) -> None:
    """No message the bot sent, no line of the daemon's log and nothing in
    its database holds the phrase."""
    assert all(phrase not in m["content"] for m in fake.sent)
    assert phrase not in log.read_text(encoding="utf-8")
    assert_no_raw_secret(db, phrase)


def assert_no_raw_secret(db: Path, phrase: str) -> None:
    """Neither the database nor its WAL holds the phrase (nor a run of its words)."""
    words = phrase.split()
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            data = path.read_bytes()
            assert phrase.encode() not in data and " ".join(words[:4]).encode() not in data
    with sqlite3.connect(db) as conn:
        texts = [row[0] for row in conn.execute("SELECT text FROM posts")]
    assert any("[seed phrase removed" in t for t in texts)


def _db_count(db: Path, sql: str) -> int:
    """One number from the daemon's database, read from outside the daemon."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # the tables are not made yet
        return 0


async def _started(
    tmp_path: Path, log: Path, extra: str = ""
) -> tuple[FakeDiscord, asyncio.subprocess.Process]:
    """The fake, and `monitor run` connected to it with a config pointed at it."""
    fake = await FakeDiscord(content_intent_enabled=True).start()
    daemon = await _spawn(write_config(tmp_path, fake, extra), log)
    await wait_for(fake.connected, timeout=60)
    return fake, daemon


async def _stop(daemon: asyncio.subprocess.Process, fake: FakeDiscord) -> int:
    """SIGTERM the daemon, wait for it to exit, stop the fake; the daemon's exit code."""
    daemon.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(daemon.wait(), 30)
    await fake.stop()
    return code


async def _spawn(cfg: Path, log: Path) -> asyncio.subprocess.Process:
    """`monitor run --config cfg` as a separate process, as an operator would start it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor.cli",
        "run",
        "--config",
        str(cfg),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
        env=dict(os.environ),
    )


def test_daemon_killed_mid_stream_misses_nothing_and_sends_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    phrases = [seed_phrase() for _ in range(4)]
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"
    posted: list[dict] = []

    async def stream(fake: FakeDiscord, users: list[dict]) -> None:
        """Twelve messages, every third a seed phrase leaked by its own user, one every 100 ms."""
        for n in range(12):
            leak = n % 3 == 2
            text = f"backup words: {phrases[n // 3]}" if leak else f"message {n}: gm all"
            posted.append(await fake.post(fake.general, users[2 + n // 3 if leak else n % 2], text))
            await asyncio.sleep(0.1)

    async def scenario() -> tuple[FakeDiscord, list[dict], int, int]:
        fake = await FakeDiscord(content_intent_enabled=True).start()
        cfg = write_config(tmp_path, fake)
        users = [fake.add_user(n) for n in ("ann", "ben", "cat", "dan", "eve", "fay")]
        first = await _spawn(cfg, log)
        await wait_for(fake.connected, timeout=60)
        poster = asyncio.create_task(stream(fake, users))
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") >= 3, timeout=30)
        first.kill()  # SIGKILL: no clean-up of any kind
        await first.wait()
        at_kill = len(posted)
        await poster  # the rest of the stream arrives while the daemon is down
        second = await _spawn(cfg, log)
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 12, timeout=60)
        await wait_for(lambda: _db_count(db, PENDING) == 0, timeout=30)
        second.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(second.wait(), 30)
        await fake.stop()
        return fake, users, at_kill, code

    fake, users, at_kill, code = asyncio.run(scenario())
    assert code == 0, log.read_text(encoding="utf-8")
    assert at_kill < 12  # some of the stream was posted only while the daemon was down
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM posts")]
        actions = conn.execute("SELECT post_id, kind, status, result FROM actions").fetchall()
    assert sorted(ids) == sorted(f"{fake.general}:{m['id']}" for m in posted)  # nothing missed
    leaks = {f"{fake.general}:{m['id']}" for n, m in enumerate(posted) if n % 3 == 2}
    assert {pid for pid, *_ in actions} == leaks  # ordinary messages need no action
    for _, kind, status, result in actions:  # sent, or cut off by the kill and never retried
        assert status == "sent" or "interrupted" in result or kind == "alert", (
            kind,
            status,
            result,
        )
    sent = Counter(kind for _, kind, status, _ in actions if status == "sent")
    assert sent["delete"] >= 3 and sent["dm"] >= 3 and sent["reply"] >= 3
    # every effect at the fake matches one sent action, or one the kill cut off mid-call (its
    # answer never recorded, so failed as interrupted, never resent): nothing went out twice
    cut = Counter(kind for _, kind, status, result in actions if "interrupted" in (result or ""))
    assert len(fake.deleted) == len(set(fake.deleted))
    assert sent["delete"] <= len(fake.deleted) <= sent["delete"] + cut["delete"]
    assert sent["dm"] <= sum(len(fake.dms_to(u)) for u in users) <= sent["dm"] + cut["dm"]
    replies = len([m for m in fake.sent if m["channel_id"] == str(fake.general)])
    assert sent["reply"] <= replies <= sent["reply"] + cut["reply"]
    output = log.read_text(encoding="utf-8")
    for phrase in phrases:
        assert phrase not in output
        assert_no_raw_secret(db, phrase)


def test_missing_manage_messages_fails_deletes_logs_once_and_the_daemon_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    phrases = [seed_phrase() for _ in range(2)]
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"

    async def scenario() -> tuple[FakeDiscord, int]:
        fake = await FakeDiscord(content_intent_enabled=True, can_manage_messages=False).start()
        users = [fake.add_user(n) for n in ("gus", "hal", "ivy")]
        daemon = await _spawn(write_config(tmp_path, fake), log)
        await wait_for(fake.connected, timeout=60)
        for user, phrase in zip(users, phrases, strict=False):
            await fake.post(fake.general, user, f"my seed: {phrase}")
        await fake.post(fake.general, users[2], "is withdrawal to TRC20 free today?")
        await wait_for(lambda: _db_count(db, "SELECT count(*) FROM posts") == 3, timeout=30)
        await wait_for(lambda: _db_count(db, PENDING) == 0, timeout=30)
        code = await _stop(daemon, fake)
        return fake, code

    fake, code = asyncio.run(scenario())
    output = log.read_text(encoding="utf-8")
    assert code == 0, output
    with sqlite3.connect(db) as conn:
        deletes = conn.execute(
            "SELECT status, result FROM actions WHERE kind = 'delete'"
        ).fetchall()
    assert len(deletes) == 2 and all(s == "failed" and "50013" in r for s, r in deletes)
    assert fake.deleted == [] and len(fake.sent) >= 2  # the DMs and notices still went out
    assert not any("removed a message" in m["content"] for m in fake.sent)  # it was not removed
    refusals = [line for line in output.splitlines() if "code 50013" in line]
    assert len(refusals) == 1 and "HTTP 403" in refusals[0]


def test_missing_token_disables_only_discord_with_one_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    for name in ("R_ID", "R_SECRET", "R_USER", "R_PASS"):
        monkeypatch.setenv(name, "x")
    reddit = """
[reddit]
enabled = true
client_id_env = "R_ID"
client_secret_env = "R_SECRET"
username_env = "R_USER"
password_env = "R_PASS"
"""
    # never started: only its URLs go into the config
    fake = FakeDiscord(content_intent_enabled=True)
    settings = config.load(write_config(tmp_path, fake, reddit))
    caplog.set_level(logging.INFO, logger="monitor")
    built = build_connectors(settings, Store(":memory:"))
    assert [c.name for c in built] == ["reddit"]
    lines = [r.getMessage() for r in caplog.records if "discord" in r.getMessage().lower()]
    expected = (
        f"discord connector disabled: environment variable {TOKEN_ENV} is not set "
        "(the Discord bot token)"
    )
    assert lines == [expected]


def test_readme_discord_example_builds_with_the_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n[discord]", 1)[1].split("```", 1)[0]
    path = tmp_path / "monitor.toml"
    path.write_text(BRAND + "\n[discord]" + example, encoding="utf-8")
    settings = config.load(path)
    env = settings.platforms["discord"]["token_env"]
    monkeypatch.setenv(env, TOKEN)
    [connector] = build_connectors(settings, Store(":memory:"))
    assert isinstance(connector, DiscordConnector) and connector.token == TOKEN
    assert connector.options.api_base == DEFAULT_API_BASE
    assert connector.options.gateway_url == DEFAULT_GATEWAY
