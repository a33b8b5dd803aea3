"""The real daemon with the X connector against the fake: the four-post story, a
restart, an access refusal."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from monitor.cli.connecting import build_connectors
from monitor.connectors.protocol import Connector
from monitor.connectors.replay import ReplayConnector
from monitor.connectors.twitter.timeline import CURSOR_MENTIONS
from monitor.core import config
from monitor.core.pipeline import Pipeline, build_detectors
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.fakes.twitter import CODE_453, ENV, FakeX, until, write_config

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word BIP39 phrase
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The four X credentials in env vars, as an operator would set them."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


async def _daemon(
    settings: config.Settings,
    store: Store,
    done: Callable[[], bool],
    extra: list[Connector] | None = None,
) -> daemon.Counters:
    """Run the daemon as `monitor run` composes it, until done() holds; then stop it."""
    connectors = build_connectors(settings, store) + (extra or [])
    pipeline = Pipeline.from_settings(settings, store.salt())
    ingest = daemon.Ingest(pipeline, store, settings.modes, False, settings.policy)
    stop = asyncio.Event()
    task = asyncio.create_task(
        daemon.run(
            connectors, ingest, stop, send_interval=0.05, outbound=Outbound.from_settings(settings)
        )
    )
    await until(lambda: done() or task.done(), timeout=20)
    stop.set()
    return await task


def _settled(store: Store, posts: int) -> Callable[[], bool]:
    """All posts stored and no action left to send."""
    return lambda: (
        store.db["posts"].count == posts
        and not [*store.actions("planned"), *store.actions("sending")]
    )


def _dump(store: Store) -> str:
    """Every row of every table, as text."""
    return json.dumps([list(store.db[t].rows) for t in store.db.table_names()], ensure_ascii=False)


def _story(fake: FakeX) -> dict[str, str]:
    """A support request, an impersonator's reply to it, a leaked seed
    phrase and an ordinary post."""
    alice = fake.add_user("alice_trades", "Alice", "2019-02-01T00:00:00.000Z", 310)
    # a bought mark
    scammer = fake.add_user(
        "0kx_support", "OKX Support", "2026-11-18T00:00:00.000Z", 4, verified=True
    )
    bob = fake.add_user("bob_hodl", "Bob", "2020-06-01T00:00:00.000Z", 45)
    carol = fake.add_user("carol", "Carol", "2017-01-01T00:00:00.000Z", 900)
    request = fake.mention(alice, "@okx my withdrawal has been stuck for 3 days, please help")
    return {
        "alice": alice,
        "bob": bob,
        "request": request,
        "scam": fake.mention(
            scammer,
            "@alice_trades @okx Sorry for the trouble! DM us your details "
            "and our support team will fix it right away",
            reply_to=request,
        ),
        "leak": fake.mention(bob, f"@okx is my wallet safe? my words are {PHRASE}"),
        "ordinary": fake.mention(carol, "@okx gm, great listing today"),
    }


def _replies_to(fake: FakeX, tweet_id: str) -> list[str]:
    """Texts the bot posted in reply to one tweet."""
    return [p["text"] for p in fake.posted if p["reply_to"] == tweet_id]


def test_daemon_answers_the_story_at_the_fake_and_stores_only_redacted_text(tmp_path: Path) -> None:
    async def body(fake: FakeX) -> None:
        ids = _story(fake)
        settings = config.load(write_config(tmp_path, fake.base_url))
        store = Store(tmp_path / "monitor.db")
        await _daemon(settings, store, _settled(store, 4))
        warning = [t for t in _replies_to(fake, ids["request"]) if "0kx_support" in t]
        assert len(warning) == 1 and "not an official" in warning[0]
        [evidence] = [
            f["evidence"]
            for f in store.db["findings"].rows_where("post_id = ?", [ids["scam"]])
            if f["kind"] == "impersonation"
        ]
        # read from the API
        assert (
            "4 followers" in evidence
            and "blue mark (verified_type blue), which X sells" in evidence
        )
        [notice] = _replies_to(fake, ids["leak"])
        assert "sensitive information" in notice
        [advice] = [d for d in fake.dms_sent if d["participant_id"] == ids["bob"]]
        assert "phrase" in advice["text"]  # the seed-phrase advice
        assert fake.deleted == [] and "delete_tweet" not in fake.calls
        # if the policy plans one anyway
        for row in store.db["actions"].rows_where("kind = 'delete'"):
            assert (
                row["status"] == "failed" and "cannot delete another user's post" in row["result"]
            )
        assert _replies_to(fake, ids["ordinary"]) == [] and _replies_to(fake, ids["scam"]) == []
        if any(d.kind == "support_request" for d in build_detectors(settings)):
            assert any(settings.brand.live_chat_url in t for t in _replies_to(fake, ids["request"]))
        sent = json.dumps([fake.posted, fake.dms_sent])
        assert PHRASE not in _dump(store) and PHRASE not in sent
        assert " ".join(PHRASE.split()[:4]) not in _dump(store)
        store.close()

    _with_fake(body)


def test_an_answer_from_an_account_whose_bio_claims_support_is_flagged(tmp_path: Path) -> None:
    # Neither handle nor name looks like the brand: only the bio, which
    # X gives as the user's description.
    async def body(fake: FakeX) -> None:
        alice = fake.add_user("alice_trades", "Alice", "2019-02-01T00:00:00.000Z", 310)
        sara = fake.add_user(
            "sara_helps_88",
            "Sara",
            "2024-03-01T00:00:00.000Z",
            900,
            description="OKX Customer Support | DM for help 24/7",
        )
        dan = fake.add_user(
            "dan_charts",
            "Dan",
            "2020-03-01T00:00:00.000Z",
            400,
            description="OKX trader | not financial advice",
        )
        request = fake.mention(alice, "@okx my withdrawal has been stuck for 3 days, please help")
        answer = fake.mention(
            sara, "@alice_trades @okx what is your UID? I will look into it", reply_to=request
        )
        fan = fake.mention(
            dan, "@alice_trades @okx what network did you pick? mine took a day", reply_to=request
        )
        settings = config.load(write_config(tmp_path, fake.base_url))
        store = Store(tmp_path / "monitor.db")
        await _daemon(settings, store, _settled(store, 3))
        found = {
            f["post_id"].split(":")[-1]: f["evidence"]
            for f in store.db["findings"].rows
            if f["kind"] == "impersonation"
        }
        assert list(found) == [answer] and fan not in found
        assert "profile bio presents it as 'okx' + 'customer'" in found[answer]
        assert "answers a help request while its bio claims the brand's support" in found[answer]
        assert any(
            "sara_helps_88" in t and "not an official" in t for t in _replies_to(fake, request)
        )
        assert "DM for help 24/7" not in _dump(store)  # the bio is read, never stored
        store.close()

    _with_fake(body)


def test_restart_after_a_crash_mid_stream_misses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    async def body(fake: FakeX) -> None:
        ids = _story(fake)
        settings = config.load(write_config(tmp_path, fake.base_url))
        store = Store(tmp_path / "monitor.db")
        await _daemon(settings, store, _settled(store, 4))
        before = (list(fake.posted), list(fake.dms_sent))
        # A crash between storing a post and saving the cursor leaves the cursor one item back.
        store.set_cursor(CURSOR_MENTIONS, ids["scam"])
        late_users = [
            fake.add_user(name, name.title(), "2018-01-01T00:00:00.000Z", 80)
            # two people: the sender limits answers per person
            for name in ("dave", "erin")
        ]
        late = [
            fake.mention(u, f"@okx my password is Gr33n-Tea-{n}4 please reset")
            for n, u in enumerate(late_users)
        ]
        dm = fake.dm(fake.add_user("fay"), "hello, a question about fees")
        again = await _daemon(settings, store, _settled(store, 7))
        assert again.duplicates == 2  # the leak and the ordinary post came again and were ignored
        tweets = {ids[k] for k in ("request", "scam", "leak", "ordinary")}
        assert {r["id"] for r in store.db["posts"].rows} == tweets | {*late, dm}
        assert (
            fake.posted[: len(before[0])] == before[0]
            and fake.dms_sent[: len(before[1])] == before[1]
        )
        targets = [(p["reply_to"], p["text"]) for p in fake.posted]
        assert len(targets) == len(set(targets)) and len(_replies_to(fake, ids["leak"])) == 1
        assert [t for t, _ in targets].count(late[0]) == 1 and [t for t, _ in targets].count(
            late[1]
        ) == 1
        keys = [(r["platform"], r["post_id"], r["kind"]) for r in store.db["actions"].rows]
        assert len(keys) == len(set(keys))
        assert store.cursor(CURSOR_MENTIONS) == late[1]
        store.close()

    _with_fake(body)


def test_an_access_refusal_stops_only_x_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = (ROOT / "data" / "demo" / "stream.jsonl").read_text(encoding="utf-8").splitlines()[:15]
    replay = tmp_path / "stream.jsonl"
    replay.write_text("\n".join(lines) + "\n", encoding="utf-8")

    async def body(fake: FakeX) -> None:
        fake.fail("mentions", 403, times=3, body=CODE_453)
        settings = config.load(write_config(tmp_path, fake.base_url))
        store = Store(tmp_path / "monitor.db")
        other = ReplayConnector(replay, store, tmp_path / "outbox.jsonl")
        never = await asyncio.wait_for(_daemon(settings, store, lambda: False, [other]), 15)
        assert never.posts == len(lines)  # the replay went on to its end
        assert fake.calls.count("mentions") == 1  # no restart
        store.close()

    with caplog.at_level(logging.ERROR):
        _with_fake(body)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [
        (
            "X: GET /2/users/:id/mentions needs Basic or Pro access (403, code 453); "
            "X connector stopped"
        )
    ]


def _with_fake(body: Callable[[FakeX], object]) -> None:
    """Run an async scenario against a started fake."""

    async def main() -> None:
        fake = FakeX()
        await fake.start()
        try:
            await body(fake)  # type: ignore[misc]
        finally:
            await fake.close()

    asyncio.run(main())
