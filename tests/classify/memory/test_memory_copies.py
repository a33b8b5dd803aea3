"""Near-copy index: what a wave changes from copy to copy is matched, what says little is not."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify.memory import CopyIndex, informative
from monitor.classify.memory.copies import THRESHOLD

NOW = 1_800_000_000.0
LATER = NOW + 86_400
WORDS = ["wallet", "bonus", "claim", "reward", "account", "frozen", "verify", "mentor", "profit",
         "signals", "group", "deposit", "double", "guaranteed", "withdraw", "support", "agent",
         "unlock", "airdrop", "token", "presale", "whitelist", "recover", "funds", "urgent"]
GREETINGS = ["gm", "gn", "hello", "hi", "thanks", "everyone", "guys", "fam", "ser", "wagmi",
             "🔥", "🚀", "❤️", "lol", "ok", "good", "morning", "!!", "🙏"]

texts = st.lists(st.sampled_from(WORDS), min_size=8, max_size=30).map(" ".join).filter(informative)


def _wave(text: str, rng: random.Random) -> str:
    """What a wave changes without rewording: case, punctuation, numbers, links, handles, emoji."""
    words = [w.upper() if rng.random() < 0.3 else w for w in text.split()]
    words.insert(rng.randrange(len(words)), f"{rng.randrange(10_000)}")
    words.append(f"https://claim-{rng.randrange(999)}.top/x?{rng.randrange(99)}")
    words.insert(0, f"@user_{rng.randrange(999)}")
    return ", ".join(words) + rng.choice(["!!", " 🚀", "...", ""])


@settings(max_examples=60, deadline=None)
@given(texts, st.integers(0, 2**32))
def test_a_copy_with_other_numbers_links_handles_case_and_emoji_is_found(
        text: str, seed: int) -> None:
    index = CopyIndex()
    index.add(1, text, 41, True, LATER)
    match = index.copied(_wave(text, random.Random(seed)), NOW)
    assert match is not None and match.finding_id == 41


@settings(max_examples=60, deadline=None)
@given(texts, st.integers(0, 2**32))
def test_look_alike_letters_do_not_hide_a_copy(text: str, seed: int) -> None:
    rng = random.Random(seed)
    swap = {"a": "а", "e": "е", "o": "о", "c": "с"}  # Cyrillic look-alikes
    disguised = "".join(swap.get(c, c) if rng.random() < 0.5 else c for c in text)
    index = CopyIndex()
    index.add(1, text, 7, True, LATER)
    assert index.copied(disguised, NOW) is not None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(GREETINGS), min_size=0, max_size=12).map(" ".join))
def test_greetings_and_emoji_are_never_remembered_nor_matched(text: str) -> None:
    index = CopyIndex()
    assert not informative(text)
    assert index.add(1, text, 1, True, LATER) is False
    index.add(2, "claim your guaranteed airdrop bonus today by verifying your wallet", 2, True,
              LATER)
    assert index.copied(text, NOW) is None


@settings(max_examples=40, deadline=None)
@given(texts, texts)
def test_a_match_is_within_the_threshold_and_names_its_finding(a: str, b: str) -> None:
    index = CopyIndex()
    index.add(1, a, 10, True, LATER)
    match = index.copied(b, NOW)
    assert match is None or (match.similarity >= THRESHOLD and match.finding_id == 10)


@settings(max_examples=40, deadline=None)
@given(texts)
def test_a_dismissed_text_stops_its_copies(text: str) -> None:
    index = CopyIndex()
    index.add(1, text, 10, True, LATER)
    index.add(2, text + " " + text.split()[0], 11, False, LATER)
    assert index.copied(text, NOW) is None


def test_texts_expire_and_the_oldest_go_past_the_bound() -> None:
    rng = random.Random(3)
    made = [" ".join(rng.choices(WORDS, k=15)) for _ in range(40)]
    index = CopyIndex(limit=25)
    for key, text in enumerate(made):
        index.add(key, text, key, True, NOW + key)
    assert len(index) == 25
    assert index.copied(made[0], NOW - 1) is None  # pushed out by the bound
    found = index.copied(made[39], NOW - 1)
    assert found is not None and found.finding_id == 39
    index.prune(NOW + 30)  # keys up to 30 expired
    assert len(index) == 9 and index.copied(made[20], NOW - 1) is None


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=80))
def test_adding_and_dropping_keeps_the_tables_in_step(ops: list[tuple[bool, int]]) -> None:
    rng = random.Random(5)
    made = {k: " ".join(rng.choices(WORDS, k=12)) for k in range(31)}
    index = CopyIndex()
    present: set[int] = set()
    for add, key in ops:
        if add:
            index.add(key, made[key], key, True, LATER)
            present.add(key)
        else:
            index.scams.drop(key)
            present.discard(key)
    for key, text in made.items():
        match = index.copied(text, NOW)
        assert (match is not None) == (key in present) or (match and match.key in present)
        assert match is None or match.key in present
