"""The real daemon with the Reddit connector against the fake: the four-post
story, a restart, bad logins."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes.reddit import BOT, ENV, FakeReddit, eventually, new_fake
from mnemonic import Mnemonic

from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.models import Post
from monitor.core.pipeline import Pipeline, build_detectors
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store

PHRASES = [Mnemonic("english").to_mnemonic(bytes([n] * 16)) for n in (7, 8, 9, 10)]  # valid BIP39
ADVICE = (
    "Never post seed phrases, keys or passwords. For help, use live chat at "
    "https://www.okx.com/help."
)
REMOVED = f"We removed a message here because it contained sensitive information. {ADVICE}"
KEPT = f"This message contains sensitive information: please delete it now. {ADVICE}"
CONFIG = """
[brand]
name = "OKX"
aliases = ["OKEx"]
domains = ["okx.com", "okex.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
reddit = ["OKX_Official", "{bot}"]

[modes]
support_request = "auto"
impersonation = "auto"
secret_leak = "auto"

[limits]
user_cooldown = 0
thread_cooldown = 0

[reddit]
enabled = true
base_url = "{base}"
subreddits = ["OKX", "CryptoCurrency"]
poll_interval = 0.1
max_retry_wait = 2.0
"""


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The four Reddit credentials in env vars, as an operator would set them."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def _settings(tmp_path: Path, fake: FakeReddit) -> config.Settings:
    """A realistic monitor.toml with [reddit] pointed at the fake."""
    path = tmp_path / "monitor.toml"
    path.write_text(CONFIG.replace("{base}", fake.url).replace("{bot}", BOT), encoding="utf-8")
    return config.load(path)


class CheckedIngest(daemon.Ingest):
    """The real Ingest, checking that inbox items are still unread at the fake when handled."""

    def __init__(self, fake: FakeReddit, stop_after: int | None, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.fake, self.stop_after, self.seen = fake, stop_after, 0
        self.stop = asyncio.Event()

    async def __call__(self, post: Post) -> None:
        """Handle the post; set stop after `stop_after` posts (a stop in mid-stream)."""
        if post.id in self.fake.inbox and not self.store.has_post(post.platform, post.id):
            assert post.id in self.fake.unread, (
                "an inbox item was marked read before it was handled"
            )
        await super().__call__(post)
        self.seen += 1
        if self.stop_after is not None and self.seen >= self.stop_after:
            self.stop.set()


async def _daemon(
    settings: config.Settings,
    store: Store,
    fake: FakeReddit,
    done: Callable[[], bool],
    stop_after: int | None = None,
) -> None:
    """Run the daemon as `monitor run` composes it, until done() holds (or stop_after posts)."""
    connectors = build_connectors(settings, store)
    assert [c.name for c in connectors] == ["reddit"]
    pipeline = Pipeline.from_settings(settings, store.salt())
    ingest = CheckedIngest(
        fake, stop_after, pipeline, store, settings.modes, False, settings.policy
    )
    task = asyncio.create_task(
        daemon.run(
            connectors,
            ingest,
            ingest.stop,
            send_interval=0.05,
            outbound=Outbound.from_settings(settings),
        )
    )
    await eventually(lambda: ingest.stop.is_set() or done() or task.done(), timeout=60)
    ingest.stop.set()
    await task


def _settled(store: Store, posts: int) -> Callable[[], bool]:
    """All posts stored and no action left to send."""
    return lambda: (
        store.db["posts"].count == posts
        and not [*store.actions("planned"), *store.actions("sending")]
    )


def _assert_no_phrase(text: str, phrase: str) -> None:
    """No three consecutive words of the phrase appear, whatever separates them."""
    words = phrase.split()
    for i in range(len(words) - 2):
        assert not re.search(r"\W+".join(words[i : i + 3]), text), "raw seed phrase words found"


def _dump(store: Store) -> str:
    """Every row of every table, as text."""
    return json.dumps([list(store.db[t].rows) for t in store.db.table_names()], ensure_ascii=False)


def _story(fake: FakeReddit) -> dict[str, str]:
    """A support request, an impersonator's reply to it, a leaked seed
    phrase and an ordinary comment."""
    fake.add_user("OKX_Official", days_old=3000)
    fake.add_user("alice_trades", days_old=1500, karma=2400)
    fake.add_user("0kx_support", days_old=2, verified=False, karma=1)
    fake.add_user("bob_hodl", days_old=700)
    fake.add_user("carol", days_old=2500)
    fake.moderated.add("okx")
    thread = fake.add_submission("OKX", "OKX_Official", "Daily discussion thread")
    request = fake.add_comment(
        thread,
        "alice_trades",
        "My USDT withdrawal has been pending for 3 days "
        "and nobody answers my ticket. Can anyone help me get my funds?",
    )
    return {
        "thread": thread,
        "request": request,
        "scam": fake.add_comment(
            request,
            "0kx_support",
            "Hello, I'm from OKX support. Please DM me on "
            "Telegram @okx_helpdesk_24 and I will fix your withdrawal right away.",
        ),
        "leak": fake.add_comment(
            thread, "bob_hodl", f"is my wallet safe? my words are {PHRASES[0]}"
        ),
        "ordinary": fake.add_comment(thread, "carol", "Great AMA yesterday, thanks team!"),
    }


def _replies_to(fake: FakeReddit, parent: str) -> list[str]:
    """Texts the bot replied under one thing."""
    return [r["text"] for r in fake.sent.replies if r["parent"] == parent]


def test_story_support_impersonator_leak_and_ordinary(tmp_path: Path, caplog) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            s = _story(fake)
            settings = _settings(tmp_path, fake)
            support_on = any(d.kind == "support_request" for d in build_detectors(settings))
            store = Store(tmp_path / "m.db")
            await _daemon(settings, store, fake, _settled(store, 5))
            warning = _replies_to(fake, s["request"])
            assert any("@0kx_support is not an official OKX account" in t for t in warning), warning
            [evidence] = [
                f["evidence"]
                for f in store.db["findings"].rows
                if f["kind"] == "impersonation" and f["post_id"].endswith(s["scam"])
            ]
            assert "no verified e-mail" in evidence  # has_verified_email, read through praw
            assert len(warning) == (2 if support_on else 1)
            assert fake.sent.removed == [s["leak"]]
            assert [p["to"] for p in fake.sent.pms] == ["bob_hodl"]
            assert "seed phrase" in fake.sent.pms[0]["text"]
            assert _replies_to(fake, s["leak"]) == [REMOVED]
            assert _replies_to(fake, s["ordinary"]) == [] and _replies_to(fake, s["scam"]) == []
            sent_text = json.dumps([fake.sent.replies, fake.sent.pms])
            _assert_no_phrase(sent_text, PHRASES[0])
            _assert_no_phrase(_dump(store), PHRASES[0])
            alerts = [a for a in store.actions() if a["kind"] == "alert"]
            assert alerts and all(
                a["status"] == "skipped" and "no admin chat" in a["result"] for a in alerts
            )
            store.close()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    _assert_no_phrase(caplog.text, PHRASES[0])
    assert "my words are" not in caplog.text and "pending for 3 days" not in caplog.text


def test_a_lookalike_of_a_subreddit_moderator_is_flagged_and_the_moderator_is_not(
    tmp_path: Path, caplog
) -> None:
    async def scenario() -> dict[str, str]:
        async with new_fake() as fake:
            for name in ("mia_okx_mod", "mia_0kx_mod", "alice_trades", "mia_2001"):
                fake.add_user(name, days_old=900)
            # r/CryptoCurrency keeps its list private: 403
            fake.moderators["okx"] = ["mia_okx_mod", BOT]
            fake.add_subreddit("CryptoCurrency")
            thread = fake.add_submission(
                "OKX",
                "mia_okx_mod",
                "Withdrawals on TRC20 are delayed today",
                "The team is on it. If yours is stuck, DM me your ticket number.",
            )
            request = fake.add_comment(
                thread, "alice_trades", "mine is stuck for 3 days, who can help?"
            )
            ids = {
                "thread": thread,
                "request": request,
                "clone": fake.add_comment(request, "mia_0kx_mod", "I can help you, DM me"),
                "namesake": fake.add_comment(thread, "mia_2001", "thanks for the update"),
            }
            store = Store(tmp_path / "m.db")
            await _daemon(_settings(tmp_path, fake), store, fake, _settled(store, 4))
            ids["flagged"] = json.dumps(
                [
                    (f["post_id"], f["evidence"])
                    for f in store.db["findings"].rows
                    if f["kind"] == "impersonation"
                ]
            )
            ids["warnings"] = json.dumps(_replies_to(fake, request))
            ids["to_mod"] = json.dumps(_replies_to(fake, thread))
            store.close()
            return ids

    with caplog.at_level(logging.WARNING):
        ids = asyncio.run(scenario())
    flagged = json.loads(ids["flagged"])
    assert [post for post, _ in flagged] == [ids["clone"]]  # not the moderator, not the namesake
    assert "handle mia_0kx_mod looks like admin @mia_okx_mod's (0→o)" in flagged[0][1]
    assert any(
        "@mia_0kx_mod is not an official OKX account" in t for t in json.loads(ids["warnings"])
    )
    assert json.loads(ids["to_mod"]) == []  # a moderator's post gets no support pointer
    assert caplog.text.count("cannot list the moderators of r/CryptoCurrency (Forbidden)") == 1


def test_a_link_posts_link_is_checked(tmp_path: Path) -> None:
    # A link post's text is only its title; where it leads is in the submission's url.
    async def scenario() -> str:
        async with new_fake() as fake:
            for name in ("fixer_2291", "bob_hodl", "seed_helper", "dan_charts"):
                fake.add_user(name, days_old=400)
            scam = fake.add_submission(
                "OKX",
                "fixer_2291",
                "Withdrawal stuck? Official fix portal",
                link="https://okx-withdraw-fix.com/start",
            )
            fake.add_submission(
                "OKX",
                "bob_hodl",
                "Proof of reserves report",
                link="https://www.okx.com/proof-of-reserves",
            )
            # No brand in the name, but named for a lure; an ordinary market-data site beside it.
            lure = fake.add_submission(
                "OKX",
                "seed_helper",
                "Wallet frozen? Restore it here",
                link="https://restore-seed-phrase.app/",
            )
            fake.add_submission(
                "OKX",
                "dan_charts",
                "Where OKB ranks today",
                link="https://coinmarketcap.com/currencies/okb/",
            )
            store = Store(tmp_path / "m.db")
            await _daemon(_settings(tmp_path, fake), store, fake, _settled(store, 4))
            found = json.dumps(
                sorted(
                    (f["post_id"], f["label"], f["evidence"])
                    for f in store.db["findings"].rows
                    if f["kind"] == "impersonation"
                )
            )
            store.close()
            return json.dumps([scam, lure, found])

    scam, lure, found = json.loads(asyncio.run(scenario()))
    by_post = {post: (label, evidence) for post, label, evidence in json.loads(found)}
    assert len(by_post) == 2  # the official link and the market-data link give nothing
    [(label, evidence)] = [v for post, v in by_post.items() if post.endswith(scam)]
    assert label == "phishing_link" and "okx-withdraw-fix.com" in evidence
    [(label, evidence)] = [v for post, v in by_post.items() if post.endswith(lure)]
    assert (
        label == "phishing_link"
        and "restore-seed-phrase.app is named for a crypto lure" in evidence
    )


def test_restart_misses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            for name in ("bob", "dan", "erin", "frank", "gina", "hank", "OKX_Official"):
                fake.add_user(name, days_old=400)
            fake.moderated.add("okx")
            settings = _settings(tmp_path, fake)
            inbox = [
                fake.add_message("erin", "help", f"support asked for my words: {PHRASES[1]}"),
                fake.add_message("frank", "hello", "just saying hi"),
            ]
            thread = fake.add_submission("OKX", "OKX_Official", "Weekly thread")
            comments = [
                fake.add_comment(thread, "bob", f"is this safe {PHRASES[2]}"),
                fake.add_comment(thread, "carol", "nice update"),
                fake.add_comment(thread, "dan", f"backup: {PHRASES[3]}"),
            ]
            store = Store(tmp_path / "m.db")
            # Stopped mid-stream: after the inbox and the submission, before the comments.
            await _daemon(settings, store, fake, lambda: False, stop_after=3)
            assert store.db["posts"].count == 3
            comments.append(fake.add_comment(thread, "gina", f"my phrase {PHRASES[0]}"))
            inbox.append(fake.add_message("hank", "q", "how do I reset 2FA?"))
            bot_reply = next(
                (r["name"] for r in fake.sent.replies if r["parent"] == comments[0]), None
            )
            if bot_reply:  # a reply to the bot's notice reaches its inbox
                inbox.append(fake.add_comment(bot_reply, "bob", "thanks, moved my funds"))
            await _daemon(settings, store, fake, _settled(store, 5 + len(inbox)))
            posts = {r["id"] for r in store.db["posts"].rows}
            assert set(inbox) | set(comments) | {thread} <= posts
            leaks = [comments[0], comments[2], comments[3]]
            assert sorted(fake.sent.removed) == sorted(leaks)
            answered = (
                {"hank": 1}
                if any(d.kind == "support_request" for d in build_detectors(settings))
                else {}
            )
            # the leakers get advice; hank's PM asking how to reset 2FA gets the support answer
            assert Counter(p["to"] for p in fake.sent.pms) == {
                "bob": 1,
                "dan": 1,
                "gina": 1,
                "erin": 1,
                **answered,
            }
            assert Counter(r["parent"] for r in fake.sent.replies) == {leak: 1 for leak in leaks}
            assert fake.sent.deleted == [inbox[0]]  # erin's leaked PM leaves the bot's inbox
            assert fake.unread == set() and set(fake.sent.read) == set(inbox)
            keys = [(a["post_id"], a["kind"]) for a in store.actions()]
            assert len(keys) == len(set(keys))
            for phrase in PHRASES:
                _assert_no_phrase(_dump(store), phrase)
            store.close()

    asyncio.run(scenario())


def test_leak_where_the_bot_is_no_moderator_asks_the_user_to_delete(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            fake.add_user("bob_hodl", days_old=700)
            post = fake.add_submission(
                "CryptoCurrency", "bob_hodl", "wallet help", f"words: {PHRASES[1]}"
            )
            store = Store(tmp_path / "m.db")
            await _daemon(_settings(tmp_path, fake), store, fake, _settled(store, 1))
            delete = next(a for a in store.actions() if a["kind"] == "delete")
            assert delete["status"] == "failed" and "403 Forbidden" in delete["result"]
            assert fake.sent.removed == [] and [p["to"] for p in fake.sent.pms] == ["bob_hodl"]
            assert _replies_to(fake, post) == [KEPT]
            store.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        ("REDDIT_PASSWORD", "wrong", "invalid_grant"),
        ("REDDIT_CLIENT_SECRET", "wrong", "HTTP 401"),
    ],
)
def test_refused_login_stops_only_this_connector_with_one_line(
    tmp_path, monkeypatch, caplog, setting, value, reason
) -> None:
    async def scenario() -> None:
        async with new_fake() as fake:
            settings = _settings(tmp_path, fake)
            monkeypatch.setenv(setting, value)
            store = Store(tmp_path / "m.db")
            # returns once the connector gave up
            await _daemon(settings, store, fake, lambda: False)
            store.close()

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())
    message = (
        f"reddit connector stopped: login as u/{BOT} refused ({reason}); check the client id, "
        "secret, username and password env vars of [reddit]"
    )
    assert [r.getMessage() for r in caplog.records] == [message]
