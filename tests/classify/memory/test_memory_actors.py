"""Known actors: a confirmed scammer's account, handle, name and contacts are found again anywhere,
and the brand's own accounts and domains never become one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.classify.impersonation.skeleton import skeleton
from monitor.classify.memory import MemoryDetector, Remembered, identifiers
from monitor.classify.memory.actors import ActorIndex, Identifier, contacts, named
from monitor.core import config
from monitor.core.models import Author, Post

BRAND = config.load(None).brand
NOW = 1_800_000_000.0
handles = st.from_regex(r"[a-z][a-z0-9_]{5,14}", fullmatch=True)


def _index(*found: Identifier) -> ActorIndex:
    index = ActorIndex(BRAND)
    for ident in found:
        index.add(ident, 9, NOW + 100)
    return index


@settings(max_examples=50, deadline=None)
@given(handles)
def test_a_handle_is_known_again_in_look_alike_spellings_and_links(handle: str) -> None:
    index = _index(*identifiers("telegram", "1", handle, "", ""))
    disguised = handle.replace("o", "0").replace("l", "1").upper()
    for text in (f"write to @{disguised}", f"https://t.me/{handle}"):
        assert [h.finding_id for h in index.find([], contacts(text), NOW)] == [9]
    assert index.find([], named(f"@{disguised}"), NOW)


def test_contacts_are_phones_wallets_hosts_and_handles() -> None:
    text = ("send to 0x52908400098527886E0F7030069857D2E4169EE7 or call +44 20 7946 0958, "
            "see harris-signals.net, t.me/harris_vip, youtube.com/watch and @ann")
    kinds = {(i.kind, i.value) for i in contacts(text)}
    assert ("wallet", "0x52908400098527886e0f7030069857d2e4169ee7") in kinds
    assert ("phone", "442079460958") in kinds and ("host", "harris-signals.net") in kinds
    assert ("handle", skeleton("harris_vip")) in kinds  # i and l fold together, _ drops
    assert not any(i.value.startswith("youtube") for i in contacts(text))  # everyone links it
    assert not any(i.kind == "handle" and i.value == "ann" for i in contacts(text))  # too short


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([h for hs in BRAND.accounts.values() for h in hs]))
def test_the_brands_own_accounts_and_domains_never_become_known(handle: str) -> None:
    found = identifiers("twitter", "5", handle, "", f"official: @{handle} and {BRAND.domains[0]}")
    index = _index(*[i for i in found if i.kind != "account"])
    assert index.find([], contacts(f"ask @{handle} at {BRAND.domains[0]}"), NOW) == []


def test_the_detector_flags_the_account_and_forgets_what_a_dismissal_clears() -> None:
    detector = MemoryDetector(BRAND, refresh_seconds=0)
    rows = [Remembered(n, 9, True, NOW, identifier=i)
            for n, i in enumerate(identifiers("discord", "42", "shady_helper", "", ""), 1)]
    detector.load_actors(rows, NOW)
    post = Post("discord", "p", Author("discord", "42", "renamed_now"), "see you")
    found = detector.check(post)
    assert [f.label for f in found] == ["known_actor"] and "finding #9" in found[0].evidence
    detector.load_actors([Remembered(99, 12, False, NOW, identifier=Identifier(
        "account", "discord:42"))], NOW)
    assert detector.check(post) == []


def test_expired_rows_are_passed_over() -> None:
    detector = MemoryDetector(BRAND, days=1)
    old = NOW - 2 * 86_400
    row = Remembered(1, 9, True, old, identifier=Identifier("handle", "shadyone"))
    detector.load_actors([row], NOW)
    assert len(detector.actors) == 0 and detector.read_actors == 1
