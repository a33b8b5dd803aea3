"""Database faults and poison posts through the real daemon: a locked database, a
full disk, a crashing detector."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from monitor.classify.secrets import SecretDetector
from monitor.core.models import Finding, Post
from monitor.core.pipeline import Pipeline, build_detectors
from monitor.replies.templates import Templates
from monitor.runtime.daemon import Ingest
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until
from tests.faultworld import (
    GROUP,
    PENDING,
    POSTS,
    TOKEN,
    check_once_each,
    count,
    dump,
    ingest_for,
    message,
    phrase,
    run_daemon,
    settings_for,
    world,
)


def _stuck_then_recovered(
    tmp_path, monkeypatch, block, unblock, error: str
) -> tuple[TelegramFake, Store]:
    """Post one message, block the database, post three more, check
    nothing moved, unblock, finish."""
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> TelegramFake:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 4)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            fake.post(GROUP, users[0], message(0))
            await until(lambda: count(store, POSTS) == 1 and fake.confirmed == 2)
            block(store)
            for n in (1, 2, 3):
                fake.post(GROUP, users[n], message(n) + " " + "padding " * 400)  # needs new pages
            await until(lambda: ingest.metrics.store_errors.get(error) >= 2, timeout=20)
            stored = count(store, POSTS)  # the first of them may still have fit
            assert stored < 4 and fake.confirmed - 1 <= stored, (
                "an update was confirmed before it was stored"
            )
            unblock(store)
            await until(lambda: count(store, POSTS) == 4 and count(store, PENDING) == 0, timeout=40)
            stop.set()
            await task
            return fake

    return asyncio.run(scenario()), store


def test_a_locked_database_is_waited_out_and_nothing_is_lost(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.WARNING)
    holder = sqlite3.connect(tmp_path / "monitor.db", isolation_level=None)

    def block(store: Store) -> None:
        store.db.execute("PRAGMA busy_timeout = 100")  # fail fast, so the test need not wait 5 s
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock

    def unblock(store: Store) -> None:
        assert holder.execute(POSTS).fetchone()[0] == 1  # nothing written meanwhile
        holder.execute("COMMIT")

    fake, store = _stuck_then_recovered(tmp_path, monkeypatch, block, unblock, "locked")
    check_once_each(fake, store, 4)
    assert "not written (database locked: database is locked); retrying in" in caplog.text


def test_a_full_disk_keeps_posts_unconfirmed_until_there_is_room(
    tmp_path, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.WARNING)

    def block(store: Store) -> None:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: a full disk

    def unblock(store: Store) -> None:
        store.db.execute("PRAGMA max_page_count = 1073741823")  # room again

    fake, store = _stuck_then_recovered(tmp_path, monkeypatch, block, unblock, "full")
    check_once_each(fake, store, 4)
    assert "database full: database or disk is full" in caplog.text
    for n in range(4):
        assert phrase(n) not in dump(store) + caplog.text


class Exploding:
    """A detector plug-in with a bug: it raises on posts that mention 'BOOM'."""

    kind = "support_request"
    name = "exploding"

    def check(self, post: Post) -> list[Finding]:
        """Raise on the marker word, find nothing otherwise."""
        if "BOOM" in post.text:
            raise RuntimeError(f"detector bug on {post.text!r}")  # the text must not reach the log
        return []


def test_a_post_that_crashes_the_pipeline_is_stored_as_a_placeholder_once(
    tmp_path, monkeypatch, caplog, store_db
) -> None:
    caplog.set_level(logging.INFO)
    store = Store(store_db)

    async def scenario() -> tuple[TelegramFake, Ingest]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 3)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            ingest.pipeline = Pipeline(
                SecretDetector(store.salt()),
                [*build_detectors(settings), Exploding()],
                Templates.load(settings.brand),
                settings.thresholds,
            )
            fake.post(GROUP, users[0], f"BOOM my seed: {phrase(0)}")
            fake.post(GROUP, users[1], message(1))
            fake.post(GROUP, users[2], "BOOM again")
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await until(lambda: count(store, POSTS) == 3 and count(store, PENDING) == 0)
            stop.set()
            await task
            return fake, ingest

    fake, ingest = asyncio.run(scenario())
    texts = [r[0] for r in store.db.execute("SELECT text FROM posts ORDER BY seen_at, id")]
    assert texts.count("[not processed: RuntimeError]") == 2
    audit = store.db.execute(
        "SELECT detail FROM audit WHERE action = 'post not processed'"
    ).fetchall()
    assert len(audit) == 2 and all('"error": "RuntimeError"' in a[0] for a in audit)
    assert not ingest.metrics.restarts.values  # the connector was never restarted over it
    assert fake.confirmed == 4  # and every update was confirmed, so none comes back forever
    assert len(fake.deleted) == 1  # the ordinary leak after the poison post was handled
    assert "not processed (RuntimeError); stored with a placeholder" in caplog.text
    assert phrase(0) not in dump(store) + caplog.text and "BOOM" not in caplog.text
