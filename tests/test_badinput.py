"""Bad input through the daemon's ingest: any Unicode, zero-width and RTL marks, markup, 1 MB texts."""

from __future__ import annotations

import asyncio
import time
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from monitor import config
from monitor.daemon import Ingest
from monitor.models import Author, Post
from monitor.pipeline import Pipeline
from monitor.store import Store

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
FRAGMENTS = ["\u200b", "\u200d", "\u202e", "\u2067", "\u2069", "\ufeff", "\u0301", "<b>", "</b>", "<script>",
             "[link](http://x.io)", "**", "okx", "0kx", "ＯＫＸ", "support", "@okx_support", "https://okx.com.evil.io",
             "abandon", "提现", "幫助", "مرحبا", "\n", "\t", " ", "\x00", "\ud800", "\udfff", "🚀", "sk_live_",
             "password:", "0x", "a." * 20, "<b>" * 20]
TEXTS = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(FRAGMENTS)), max_size=80).map("".join)
PER_POST = 2.0  # seconds: a generous bound for texts of a few thousand characters


@cache
def _pipeline() -> Pipeline:
    """One pipeline for the module: building it loads the models."""
    return Pipeline.from_settings(config.load(None), b"badinput-salt" * 3)


def _ingest() -> Ingest:
    """A fresh in-memory store behind the daemon's Ingest."""
    return Ingest(_pipeline(), Store(":memory:"), dict(config.DEFAULT_MODES), dry_run=True)


def _post(text: str, post_id: str = "1", handle: str = "user") -> Post:
    return Post("telegram", post_id, Author("telegram", "7", handle, name=handle), text)


def _ingested(ingest: Ingest, post: Post) -> tuple[str, float]:
    """Run one post through Ingest; the stored text and the seconds it took."""
    start = time.perf_counter()
    asyncio.run(ingest(post))
    seconds = time.perf_counter() - start
    row = ingest.store.post(post.platform, post.id)
    assert row is not None, "the post was not stored"
    return row["text"], seconds


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(["bob", "\ud800bob", "ok\u200bx", ""]))
def test_any_text_is_stored_once_without_crash_in_bounded_time(text: str, handle: str) -> None:
    ingest = _ingest()
    stored, seconds = _ingested(ingest, _post(text, handle=handle))
    assert seconds < PER_POST
    assert not stored.startswith("[not processed"), "the pipeline raised on this text"
    stored.encode("utf-8")  # no lone surrogate reached the database
    asyncio.run(ingest(_post(text, handle=handle)))
    assert ingest.counters.posts == 1 and ingest.counters.duplicates == 1


@settings(max_examples=60, deadline=None, derandomize=True)
@given(TEXTS, TEXTS)
def test_a_seed_phrase_in_any_surroundings_never_reaches_the_database(before: str, after: str) -> None:
    stored, _ = _ingested(_ingest(), _post(f"{before} {PHRASE} {after}"))
    assert PHRASE not in stored
    assert "seed phrase removed" in stored


FAMILIES = {
    "dotted run": lambda n: ("a." * n)[:n],
    "'.com' then markup": lambda n: (".com" + "<b>" * n)[:n],
    "deep markup": lambda n: "<b>" * (n // 7) + "x" + "</b>" * (n // 7),
    "rtl and zero-width": lambda n: ("\u202eokx\u200bsupport\u200d\u2067 " * n)[:n],
}


def _best_time(text: str) -> float:
    """The faster of two runs through the pipeline (a busy machine only ever adds time)."""
    times = []
    for _ in range(2):
        start = time.perf_counter()
        _pipeline().process(_post(text))
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.parametrize("family", FAMILIES)
def test_time_grows_linearly_with_text_length(family: str) -> None:
    make = FAMILIES[family]
    small, large = _best_time(make(32_000)), _best_time(make(128_000))
    # 4x the text: about 4x the time; catastrophic backtracking would give 16x or more
    assert large < max(small, 0.01) * 9, f"{family}: {small:.3f}s for 32k, {large:.3f}s for 128k"


def test_a_1mb_text_is_stored_redacted_in_bounded_time() -> None:
    text = ("<b>" * 50 + " " + PHRASE + " " + "a." * 100 + "提现\u200b ") * 2400
    assert len(text) > 1_000_000
    stored, seconds = _ingested(_ingest(), _post(text))
    assert seconds < 60, f"1 MB took {seconds:.1f}s"
    assert PHRASE not in stored
