"""Batched ingest: posts a connector hands over together are classified as
one batch, each stored once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

from monitor.connectors.replay import ReplayConnector
from monitor.core import config
from monitor.core.models import Author, Finding, Post
from monitor.core.pipeline import Pipeline
from monitor.runtime import daemon
from monitor.store import Store

POSTS = 150


class BatchRecorder:
    """A detector plug-in with check_many, as batched models have; it
    notes the size of every batch."""

    kind = "support_request"
    name = "recorder"

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.seen: list[str] = []

    def check(self, post: Post) -> list[Finding]:
        return self.check_many([post])[0]

    def check_many(self, posts: Sequence[Post]) -> list[list[Finding]]:
        self.batches.append(len(posts))
        self.seen += [p.id for p in posts]
        return [[] for _ in posts]


def _stream(tmp_path: Path) -> Path:
    path = tmp_path / "stream.jsonl"
    rows = [
        {
            "id": str(n),
            "platform": "telegram",
            "text": f"post number {n}",
            "author": {"id": str(n % 7), "handle": f"user{n % 7}"},
        }
        for n in range(POSTS)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _ingest(store: Store, recorder: BatchRecorder) -> daemon.Ingest:
    settings = config.load(None)
    base = Pipeline.from_settings(settings, b"batch-salt" * 4)
    pipeline = Pipeline(base.secrets, [recorder], base.templates, settings.thresholds)
    return daemon.Ingest(pipeline, store, dict(config.DEFAULT_MODES), dry_run=True)


def test_a_replayed_stream_is_classified_in_batches_and_stored_once(
    tmp_path: Path, store_db: str
) -> None:
    store, recorder = Store(store_db), BatchRecorder()
    ingest = _ingest(store, recorder)
    connector = ReplayConnector(_stream(tmp_path), store)
    asyncio.run(daemon.run([connector], ingest))
    assert sorted(recorder.seen, key=int) == [str(n) for n in range(POSTS)]  # each post once
    assert max(recorder.batches) == daemon.BATCH and len(recorder.batches) < POSTS / 10
    assert store.db["posts"].count == POSTS and ingest.counters.posts == POSTS
    assert store.cursor(connector.cursor_name) == str(POSTS)


def test_posts_emitted_while_a_batch_is_in_the_models_go_as_the_next_batch(
    tmp_path: Path, store_db: str
) -> None:
    store, recorder = Store(store_db), BatchRecorder()
    ingest = _ingest(store, recorder)
    posts = [
        Post("telegram", str(n), Author("telegram", str(n), f"user{n}"), f"post {n}")
        for n in range(10)
    ]

    async def scenario() -> None:
        first = asyncio.create_task(ingest(posts[0]))
        await asyncio.sleep(0)  # the worker has taken post 0 alone
        await asyncio.gather(first, *(ingest(p) for p in posts[1:]), ingest(posts[3]))

    asyncio.run(scenario())
    # The repeat of post 3 arrived before post 3 was stored, so it is classified with it...
    assert recorder.batches == [1, 10]
    assert store.db["posts"].count == 10 and ingest.counters.posts == 10  # ...and stored once
