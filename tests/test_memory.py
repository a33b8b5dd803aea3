"""Campaign memory through the real pipeline, daemon ingest and store: a scam managers flagged or
confirmed is caught again in its reworded copies and in its author's next posts, on any platform."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.desk import review
from monitor.runtime import daemon
from monitor.store import Store

SCAM = ("Honestly the best decision this year was joining the signals group run by Mr Daniel "
        "Harris, my portfolio grew four times in two weeks, write to him at harris-signals.net "
        "and say Anna sent you")
COPIES = [
    ("honestly the best decision of this year was joining the signals group of Mr. Daniel Harris - "
    "my portfolio grew 5x in three weeks!! write to him at harris-fx.org, and say Maria sent you"),
    ("Honestly, best decision this year: joining the signals group run by Mr Daniel Harris. My "
    "portfolio grew four times in two weeks. Write to him and say Tom sent you"),
    ("HONESTLY THE BEST DECISION THIS YEAR WAS JOINING THE SIGNALS GROUP RUN BY MR DANIEL HARRIS, "
    "my portfolio grew 3x in 10 days, write to him and say Li sent you 🚀🚀"),
]
OTHER = "Lovely weather for a walk in the park with the dogs this afternoon, then tea and cake"


def _ingest(path: Path) -> daemon.Ingest:
    """A daemon's ingest over the store at path, with a pipeline of its own (as after a restart)."""
    settings = dataclasses.replace(config.load(None), memory={"refresh_seconds": 0.0})
    store = Store(path)
    pipeline = Pipeline.from_settings(settings, store.salt())
    return daemon.Ingest(pipeline, store, dict(config.DEFAULT_MODES), dry_run=True)


def _post(platform: str, post_id: str, author_id: str, handle: str, text: str,
          name: str = "") -> Post:
    return Post(platform, post_id, Author(platform, author_id, handle, name), text, channel="group")


def _send(ingest: daemon.Ingest, *posts: Post) -> None:
    async def go() -> None:
        for post in posts:  # one at a time: each batch reads the memory rows made before it
            await ingest(post)
    asyncio.run(go())


def _labels(ingest: daemon.Ingest, platform: str, post_id: str) -> dict[str, str]:
    """The memory's findings on a stored post: label -> evidence."""
    return {f["label"]: f["evidence"] for f in ingest.store.post_findings(platform, post_id)
            if f["detector"] == "memory"}


def _flag_scam(ingest: daemon.Ingest) -> int:
    """The scam posted on Telegram, passed by the detectors, then flagged by a manager."""
    _send(ingest, _post("telegram", "1", "777", "daniel_harris_fx", SCAM, "Daniel Harris FX"))
    assert ingest.store.post_findings("telegram", "1") == []  # the detectors missed it
    return int(review.flag(ingest.store, "telegram:1", "impersonation", "ana")["id"])


def test_a_flagged_scam_is_caught_in_its_reworded_copies_from_new_accounts_anywhere(
        tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    finding = _flag_scam(ingest)
    copies = [_post(p, f"c{n}", f"new{n}", f"fresh_user_{n}", text)
              for n, (p, text) in enumerate(zip(("telegram", "discord", "twitter"), COPIES))]
    _send(ingest, *copies, _post("discord", "o", "o1", "walker", OTHER))
    for post in copies:
        evidence = _labels(ingest, post.platform, post.id)["known_scam_copy"]
        assert f"finding #{finding}" in evidence and "similarity" in evidence
    assert _labels(ingest, "discord", "o") == {}
    assert ingest.store.post_findings("discord", "c1")[0]["kind"] == "impersonation"


def test_the_scammers_next_harmless_post_and_its_handle_elsewhere_are_flagged(
        tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    finding = _flag_scam(ingest)
    _send(ingest,
          _post("telegram", "2", "777", "daniel_harris_fx", "see you all tomorrow"),
          _post("discord", "3", "d-555", "Daniel_Harris_FX", "hello"),
          _post("twitter", "4", "t-1", "someone", "anyone tried HARRIS-SIGNALS.NET ?"),
          _post("twitter", "5", "t-2", "someone_else", OTHER))
    for platform, post_id in (("telegram", "2"), ("discord", "3"), ("twitter", "4")):
        assert f"finding #{finding}" in _labels(ingest, platform, post_id)["known_actor"]
    assert _labels(ingest, "twitter", "5") == {}


def test_short_greetings_are_never_remembered_nor_matched(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, _post("telegram", "g0", "g-0", "greeter_zero", "gm everyone"))
    review.flag(ingest.store, "telegram:g0", "impersonation", "ana")
    assert ingest.store.db["memory_texts"].count == 0
    greetings = [_post("telegram", f"g{n}", f"g-{n}", f"member_{n}", "gm everyone")
                 for n in range(1, 6)]
    _send(ingest, *greetings)
    assert all(_labels(ingest, "telegram", p.id) == {} for p in greetings)


def test_the_memory_survives_a_restart(tmp_path: Path) -> None:
    first = _ingest(tmp_path / "m.db")
    finding = _flag_scam(first)
    first.store.close()
    again = _ingest(tmp_path / "m.db")  # a new store on the same file, a new pipeline
    _send(again, _post("reddit", "r1", "r-9", "new_redditor", COPIES[0]))
    assert f"finding #{finding}" in _labels(again, "reddit", "r1")["known_scam_copy"]


def test_a_dismissed_copy_stops_flagging_its_copies(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _flag_scam(ingest)
    _send(ingest, _post("discord", "c1", "n1", "fresh_one", COPIES[1]))
    copy = ingest.store.post_findings("discord", "c1")[0]
    review.decide(ingest.store, copy["id"], "dismiss", "ana", "a member quoting the scam")
    _send(ingest, _post("twitter", "c2", "n2", "fresh_two", COPIES[1] + " !!"))
    assert "known_scam_copy" not in _labels(ingest, "twitter", "c2")


def test_a_confirmed_finding_is_remembered_like_a_flag(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    lure = ("URGENT: OKX support here, your account is frozen, verify your wallet at "
            "okx-verify-wallet.com within 24 hours or lose your funds forever")
    _send(ingest, _post("twitter", "s1", "x1", "okx_helpdesk_24", lure))
    found = ingest.store.post_findings("twitter", "s1")
    assert found and found[0]["kind"] == "impersonation"
    review.decide(ingest.store, found[0]["id"], "confirm", "ana")
    _send(ingest, _post("telegram", "s2", "x2", "plain_member", "read okx-verify-wallet.com"))
    assert "known_actor" in _labels(ingest, "telegram", "s2")


def test_a_raw_secret_in_a_flagged_post_never_reaches_the_memory_rows(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    secret = "Tr0ub4dor&3xyz"
    text = (f"log in with my account login: anna.k@example.com password: {secret} to see the "
            "profits of the signals group of Mr Daniel Harris, then write him on whatsapp")
    _send(ingest, _post("telegram", "p1", "p-1", "anna_k", text))
    found = [f for f in ingest.store.post_findings("telegram", "p1")
             if f["kind"] == "impersonation"]
    if found:  # the detectors may read it as a lure already: the manager confirms it
        review.decide(ingest.store, found[0]["id"], "confirm", "ana")
    else:
        review.flag(ingest.store, "telegram:p1", "impersonation", "ana")
    rows = [*ingest.store.db["memory_texts"].rows, *ingest.store.db["memory_actors"].rows]
    assert rows and any("password removed" in str(r.values()) for r in rows)
    assert all(secret not in str(r.values()) for r in rows)


def test_flag_refuses_unknown_posts_and_standing_findings(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _flag_scam(ingest)
    for target, kind in (("telegram:404", "impersonation"), ("telegram:1", "impersonation"),
                         ("telegram:1", "nonsense")):
        try:
            review.flag(ingest.store, target, kind, "ana")
        except review.ReviewError:
            continue
        raise AssertionError(f"{target} {kind} was flagged")
    audit = [r["action"] for r in ingest.store.db["audit"].rows]
    assert audit.count("flag") == 1 and "review:confirmed" in audit


def test_a_flag_from_another_process_reaches_the_running_daemon(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, _post("telegram", "1", "777", "daniel_harris_fx", SCAM))
    desk = Store(tmp_path / "m.db")  # `monitor review flag` opens a store of its own
    review.flag(desk, "telegram:1", "impersonation", "ana")
    desk.close()
    _send(ingest, _post("discord", "c", "n", "newcomer", COPIES[2]))
    assert "known_scam_copy" in _labels(ingest, "discord", "c")


def test_expired_memory_is_neither_loaded_nor_kept(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _flag_scam(ingest)
    for table in ("memory_texts", "memory_actors"):  # made 91 days ago
        ingest.store.db.execute(f"UPDATE {table} SET created_at = '2000-01-01T00:00:00+00:00'")
    again = _ingest(tmp_path / "m.db")
    _send(again, _post("discord", "c", "n", "newcomer", COPIES[2]),
          _post("telegram", "2", "777", "daniel_harris_fx", "see you all tomorrow"))
    assert _labels(again, "discord", "c") == {} and _labels(again, "telegram", "2") == {}
    assert again.store.db["memory_texts"].count == 0
