"""Helpers for the fault tests: a Telegram world at the loopback fake and the daemon
as `monitor run` builds it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from mnemonic import Mnemonic

from monitor.classify.base import Detector
from monitor.classify.secrets import SecretDetector
from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline, build_detectors
from monitor.replies.templates import Templates
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, write_config

GROUP, ADMINS = -100500, -100999
TOKEN = "7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # the shape of a real bot token
# Room for many replies a minute: the fault tests are about delivery, not about rate limits.
OPEN_LIMITS = "\n[limits]\nuser_cooldown = 0\nthread_cooldown = 0\nplatform_per_hour = 100000\n"
POSTS = "SELECT count(*) FROM posts"
# for count(): actions not yet sent
PENDING = "SELECT count(*) FROM actions WHERE status = 'planned'"


def phrase(n: int) -> str:
    """A valid 12-word BIP39 phrase, different for each n."""
    return Mnemonic("english").to_mnemonic(bytes([n]) * 16)


def world(fake: TelegramFake, users: int = 8) -> list[int]:
    """A public group where the bot is admin, the managers' chat and
    `users` users who started the bot."""
    fake.add_group(GROUP, "OKX Community", username="okx_community")
    fake.add_group(ADMINS, "OKX moderators", kind="group")
    ids = [200 + n for n in range(users)]
    for n, user in enumerate(ids):
        fake.add_user(user, f"User{n}", f"user_{n}", started=True)
    return ids


def message(n: int) -> str:
    """Message n of a stream: every third leaks a seed phrase, the
    rest is chatter; all different."""
    return (
        f"help, my wallet is empty, seed: {phrase(n)}"
        if n % 3 == 1
        else f"message {n}: gm, nice market today"
    )


def settings_for(folder: Path, fake: TelegramFake, extra: str = "") -> config.Settings:
    """A realistic config pointed at the fake; the token comes from TG_TOKEN."""
    return config.load(
        write_config(folder, fake.base_url, admin_chat_id=ADMINS, extra=OPEN_LIMITS + extra)
    )


_BUILT: dict[str, tuple[Detector, ...]] = {}


def _detectors(settings: config.Settings) -> tuple[Detector, ...]:
    """The built-in detectors, built once per brand per session: the support
    model takes seconds to load."""
    if settings.brand.name not in _BUILT:
        _BUILT[settings.brand.name] = tuple(build_detectors(settings))
    return _BUILT[settings.brand.name]


def ingest_for(settings: config.Settings, store: Store) -> daemon.Ingest:
    """The Ingest `monitor run` builds (same detectors, the store's own salt)."""
    detectors = _detectors(settings)
    pipeline = Pipeline(
        SecretDetector(store.salt()), detectors, Templates.load(settings.brand), settings.thresholds
    )
    return daemon.Ingest(pipeline, store, settings.modes, False, settings.policy)


async def run_daemon(
    settings: config.Settings, store: Store, ingest: daemon.Ingest, stop: asyncio.Event
) -> daemon.Counters:
    """The daemon with the configured connectors, sending every 50 ms, until stop."""
    connectors = build_connectors(settings, store)
    return await daemon.run(
        connectors, ingest, stop, send_interval=0.05, outbound=Outbound.from_settings(settings)
    )


def sent_keys(fake: TelegramFake) -> list[tuple[int, int | None, str]]:
    """Every message the bot sent, as (chat, replied-to message, text)."""
    return [(m["chat"]["id"], m["asked_reply_to"], m["text"]) for m in fake.sent]


def dump(store: Store) -> str:
    """Every row of every table as text."""
    return "\n".join(
        json.dumps(list(r), ensure_ascii=False)
        for t in store.db.table_names()
        for r in store.db.execute(f"SELECT * FROM [{t}]").fetchall()
    )


def count(store: Store, sql: str) -> int:
    """One number from the database."""
    return int(store.db.execute(sql).fetchone()[0])


def check_once_each(fake: TelegramFake, store: Store, posted: int) -> None:
    """Every post stored once; no message sent twice; every sent action
    matches one message at the fake."""
    assert count(store, "SELECT count(*) FROM posts") == posted
    keys = sent_keys(fake)
    assert len(keys) == len(set(keys)), "a message was sent twice"
    assert len(fake.deleted) == len(set(fake.deleted)), "a message was deleted twice"
    rows = store.db.execute("SELECT kind, status, result FROM actions").fetchall()
    refs = {f"{m['chat']['id']}:{m['message_id']}" for m in fake.sent}
    sent = [r for r in rows if r[1] == "sent" and r[0] in ("reply", "dm", "alert")]
    assert {r[2] for r in sent} <= refs
    unsure = [
        r for r in rows if r[1] == "failed" and ("not resent" in r[2] or "interrupted" in r[2])
    ]
    assert len(sent) <= len(fake.sent) <= len(sent) + len(unsure)
