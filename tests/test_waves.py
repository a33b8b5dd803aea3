"""Waves through the daemon's ingest, the store and the replay: the same scam from five new accounts
within minutes raises one alert listing them and flags every post `wave`; greetings, texts spread
over hours and regulars do not; a restart mid-wave keeps counting; a dismissed wave stops."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_memory import COPIES, SCAM

from monitor.cli.entry import main
from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.desk import review
from monitor.runtime import daemon, memory_feed
from monitor.store import Store

PLACE = "-100123"
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
FIFTH = ("Honestly the best decision this year: joining the signals group of Mr Daniel Harris, my "
         "portfolio grew 4x in two weeks, write to him and say Ben sent you")
WAVE = [SCAM, *COPIES, FIFTH]


def _ingest(path: Path, **waves: object) -> daemon.Ingest:
    """A daemon's ingest over the store at path with a pipeline of its own (as after a restart)."""
    base = config.load(None)
    settings = dataclasses.replace(base, memory={"refresh_seconds": 0.0},
                                   waves={**base.waves, **waves})
    store = Store(path)
    pipeline = Pipeline.from_settings(settings, store.salt())
    return daemon.Ingest(pipeline, store, dict(config.DEFAULT_MODES), dry_run=True)


def _post(n: int, text: str, minutes: float = 0.0, author: str = "",
          place: str = PLACE) -> Post:
    who = author or f"fresh_{n}"
    return Post("telegram", f"p{n}", Author("telegram", f"id-{who}", who), text, channel="group",
                created_at=T0 + timedelta(minutes=minutes), place=place)


def _send(ingest: daemon.Ingest, *posts: Post, together: bool = False) -> None:
    async def go() -> None:
        if together:  # one batch
            await asyncio.gather(*(ingest(p) for p in posts))
            return
        for post in posts:
            await ingest(post)
    asyncio.run(go())


def _waves(store: Store, n: int) -> list[dict]:
    return [f for f in store.post_findings("telegram", f"p{n}") if f["label"] == "wave"]


def _alerts(store: Store) -> list[dict]:
    return [a for a in store.db["actions"].rows if a["kind"] == "alert"
            and a["reason"] == "impersonation: wave"]


def test_five_new_accounts_posting_one_scam_raise_one_wave_alert(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, *(_post(n, text, minutes=3 * n) for n, text in enumerate(WAVE)))
    store = ingest.store
    for n in range(5):
        found = _waves(store, n)
        assert len(found) == 1 and found[0]["kind"] == "impersonation"
        assert found[0]["fingerprint"] == "wave:telegram:p4"
    assert "5 accounts" in _waves(store, 4)[0]["evidence"]
    alerts = _alerts(store)
    assert len(alerts) == 1 and alerts[0]["post_id"] == "p4"
    assert all(f"@fresh_{n}" in alerts[0]["text"] for n in range(5))
    # a sixth account joins the wave: flagged, no second alert
    _send(ingest, _post(5, COPIES[1] + " Really!", minutes=16))
    assert "raised by post p4" in _waves(store, 5)[0]["evidence"]
    assert len(_alerts(store)) == 1
    # its own weaker finding (a lure, weighed as a first message) does not alert either
    assert "alert" not in [a["kind"] for a in store.post_actions("telegram", "p5")]


def test_one_batch_raises_the_wave_too(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, *(_post(n, text, minutes=n) for n, text in enumerate(WAVE)), together=True)
    assert all(_waves(ingest.store, n) for n in range(5))
    assert len(_alerts(ingest.store)) == 1


def test_five_accounts_writing_gm_everyone_are_not_a_wave(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    texts = ["gm everyone", "GM everyone!", "gm everyone ☀️", "gm gm everyone", "gm everyone 🚀"]
    _send(ingest, *(_post(n, t, minutes=n) for n, t in enumerate(texts * 2)))
    assert not [f for f in ingest.store.db["findings"].rows if f["label"] == "wave"]


def test_the_same_text_spread_over_more_than_the_window_is_no_wave(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db", minutes=30.0)
    _send(ingest, *(_post(n, text, minutes=20 * n) for n, text in enumerate(WAVE)))
    assert not [f for f in ingest.store.db["findings"].rows if f["label"] == "wave"]


def test_regulars_of_the_place_sharing_one_text_are_no_wave(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    regulars = [f"regular_{n}" for n in range(5)]
    old = T0 - timedelta(days=30)
    history = [dataclasses.replace(_post(100 + 10 * n + k, "hello", author=who),
                                   created_at=old + timedelta(minutes=k))
               for n, who in enumerate(regulars) for k in range(4)]
    _send(ingest, *history)
    _send(ingest, *(_post(n, t, minutes=n, author=who)
                    for n, (t, who) in enumerate(zip(WAVE, regulars, strict=True))))
    assert not [f for f in ingest.store.db["findings"].rows if f["label"] == "wave"]


def test_other_places_and_dms_do_not_add_up(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    posts = [_post(n, t, minutes=n, place=f"-100{n}") for n, t in enumerate(WAVE)]
    _send(ingest, *posts, *(dataclasses.replace(_post(10 + n, t), channel="dm", place="")
                            for n, t in enumerate(WAVE)))
    assert not [f for f in ingest.store.db["findings"].rows if f["label"] == "wave"]


def test_a_restart_mid_wave_keeps_counting_and_alerts_once(tmp_path: Path) -> None:
    first = _ingest(tmp_path / "m.db")
    _send(first, *(_post(n, text, minutes=n) for n, text in enumerate(WAVE[:3])))
    first.store.close()
    again = _ingest(tmp_path / "m.db")
    _send(again, *(_post(n, text, minutes=n) for n, text in enumerate(WAVE) if n >= 3))
    assert all(_waves(again.store, n) for n in range(5))
    again.store.close()
    third = _ingest(tmp_path / "m.db")  # the wave is known after this restart too
    _send(third, _post(5, COPIES[0] + " wow", minutes=8))
    assert "raised by post p4" in _waves(third.store, 5)[0]["evidence"]
    assert len(_alerts(third.store)) == 1


def _line(n: int, text: str, minutes: float) -> str:
    return json.dumps({
        "platform": "telegram", "id": str(n), "channel": "group", "place": PLACE, "text": text,
        "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "author": {"id": f"9{n}", "handle": f"newbie_{n}"},
    }, ensure_ascii=False)


def test_a_replayed_wave_sends_one_alert_listing_the_accounts(tmp_path: Path) -> None:
    lines = [_line(n, t, 2 * n) for n, t in enumerate(WAVE)]
    lines += [_line(10 + n, "gm everyone", n) for n in range(6)]
    replay, outbox, db = tmp_path / "s.jsonl", tmp_path / "out.jsonl", tmp_path / "m.db"
    replay.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", "--replay", str(replay), "--db", str(db), "--outbox", str(outbox)]) == 0
    sent = [json.loads(x) for x in outbox.read_text(encoding="utf-8").splitlines()]
    alerts = [a for a in sent if a["kind"] == "alert" and "wave" in a["text"]]
    assert len(alerts) == 1
    assert all(f"@newbie_{n}" in alerts[0]["text"] for n in range(5))
    store = Store(db)
    waved = {f["post_id"] for f in store.db["findings"].rows if f["label"] == "wave"}
    assert waved == {str(n) for n in range(5)}


LOW = st.lists(st.sampled_from(["gm", "gn", "hi", "hello", "thanks", "thank you", "everyone",
                                "谢谢", "早上好", "🚀", "🙏", "!!", "ser", "fam", "gm gm", "👋",
                                "good morning", "晚安", "ok", "lol", "大家早上好", "谢谢大家",
                                "新年快乐", "謝謝", "gm fam", "thx"]), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None)
@given(st.lists(LOW, min_size=6, max_size=8))
def test_low_information_texts_never_form_a_wave(texts: list[list[str]]) -> None:
    from monitor.classify import WaveDetector

    detector = WaveDetector(config.load(None).brand, accounts=2)
    for n, words in enumerate(texts):
        assert detector.check(_post(n, " ".join(words), minutes=n * 0.1)) == []
    assert len(detector) == 0


def test_the_tracker_is_bounded_in_time_and_size() -> None:
    from monitor.classify import WaveDetector

    brand = config.load(None).brand
    small = WaveDetector(brand, max_posts=10)
    for n in range(30):
        small.check(_post(n, f"{SCAM} number {'x' * n}", minutes=n * 0.1))
    assert len(small) == 10
    timed = WaveDetector(brand, minutes=5.0)
    for n, text in enumerate(WAVE):  # one an hour: each forgets the one before
        assert timed.check(_post(n, text, minutes=60 * n)) == []
        assert len(timed) == 1


def test_the_alert_lists_handles_that_are_not_links(tmp_path: Path) -> None:
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, *(_post(n, text, minutes=n, author=f"evil.site{n}.com")
                    for n, text in enumerate(WAVE)))
    alert = _alerts(ingest.store)[0]["text"]
    assert "@evil[.]site0[.]com" in alert and "evil.site0.com" not in alert


def test_a_dismissed_wave_stops_flagging_the_posts_that_join_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_feed, "WAVES_REFRESH", 0.0)
    ingest = _ingest(tmp_path / "m.db")
    _send(ingest, *(_post(n, text, minutes=n) for n, text in enumerate(WAVE)))
    raised = _waves(ingest.store, 4)[0]
    desk = Store(tmp_path / "m.db")  # a manager, in another process
    review.decide(desk, raised["id"], "dismiss", "ana", "members sharing an announcement")
    desk.close()
    _send(ingest, _post(5, COPIES[1] + " Really!", minutes=6))
    assert _waves(ingest.store, 5) == []
