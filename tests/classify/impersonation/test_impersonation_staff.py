"""Staff clones: an account copying an admin's name or handle flags; the admins
themselves and namesakes do not."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation import ImpersonationDetector
from monitor.classify.impersonation.staff import LABEL, fold_name, staff_signals
from monitor.core.config import Brand
from monitor.core.models import Author, Post

ALICE = Author("telegram", "7001", "alice_okx_cm", "Alice | OKX Team")
LI = Author("telegram", "7002", "li_wei_mod", "李伟 · 欧易社区")
MIKE = Author("telegram", "7003", "mike", "Mike")
NOA = Author("telegram", "7004", "", "Noa Levi-Katz")  # no username: Telegram allows that
# a server nickname, then the global name
KAI = Author("discord", "7005", "kaiwei", "Kai | OKX Mod / kaiwei")
STAFF = (ALICE, LI, MIKE, NOA, KAI)


def member(handle: str, name: str = "", user_id: str = "9001") -> Author:
    return Author("telegram", user_id, handle, name)


@pytest.mark.parametrize(
    ("author", "words"),
    [
        (
            member("alice_0kx_cm1", "Alice | OKX Team"),
            "copies admin Alice | OKX Team (@alice_okx_cm)'s",
        ),
        # full-width bar, zero, emoji
        (member("user5521", "Alice｜0KX  Team ✅"), "copies admin Alice | OKX Team"),
        (member("user5521", "ALICE.OKX.TEAM"), "copies admin Alice | OKX Team"),
        (member("user5521", "李偉·歐易社區"), "copies admin 李伟 · 欧易社区"),  # traditional script
        (member("user5521", "@alice_okx_cm"), "is admin Alice | OKX Team (@alice_okx_cm)'s handle"),
        (
            member("alice_okx_cm_", "Alice"),
            "looks like admin Alice | OKX Team (@alice_okx_cm)'s (other separators)",
        ),
        (member("allice_okx_cm", ""), "(a doubled letter)"),
        (member("аlice_okx_cm", "Al"), "handle аlice_okx_cm looks like admin"),  # Cyrillic а
        (member("alise_okx_cm", ""), "handle alise_okx_cm is a typo of admin Alice | OKX Team"),
        (member("noa_levi_katz", "Noa Levi Katz"), "copies admin Noa Levi-Katz's"),
        # nick / global
        (Author("discord", "9003", "kai", "Kai | OKX Mod"), "copies admin Kai | OKX Mod / kaiwei"),
        (
            Author("discord", "9003", "kai", "KAI | OKX MOD / kai"),
            "copies admin Kai | OKX Mod / kaiwei",
        ),
        (
            member("alice_okx_cm2024", ""),
            "handle alice_okx_cm2024 is admin Alice | OKX Team (@alice_okx_cm)'s with a number",
        ),
    ],
)
def test_a_copy_of_an_admin_flags(author: Author, words: str) -> None:
    found = staff_signals(author, STAFF)
    assert found and all(s.label == LABEL for s in found) and max(s.weight for s in found) >= 0.5
    assert any(words in s.words for s in found)


@pytest.mark.parametrize(
    "author",
    [
        ALICE,  # the admin herself
        # the same account renamed: ids decide
        Author("telegram", "7001", "alice_new_handle", "Alice (away)"),
        member("alice", "Alice"),  # a namesake with the first name only
        member("bob_trader", "Bob"),
        member("okx_fan", "OKX fan club"),
        member("james", "Li Wei"),  # no fold of the Chinese name
        member("user1", ""),
        member(
            "alice_okx_team", ""
        ),  # two letters from the admin's: someone else's own name as likely
        Author("telegram", "9002", "mike_1990", ""),  # a short name with a number: a namesake's own
    ],
)
def test_admins_and_namesakes_do_not_flag(author: Author) -> None:
    assert [s for s in staff_signals(author, STAFF) if s.weight >= 0.5] == []


def test_a_short_copied_name_stays_under_the_flag_line() -> None:
    # "Mike" may be anyone; next to an offer of help it still counts.
    [signal] = staff_signals(member("mike_1990", "Mike"), STAFF)
    assert signal.label == LABEL and signal.weight < 0.5


def test_no_staff_listed_means_no_signal() -> None:
    assert staff_signals(member("alice_okx_cm_", "Alice | OKX Team"), ()) == []


def test_fold_name_reads_a_name_as_a_reader_does() -> None:
    assert fold_name("Alice | 0KX ✅") == fold_name("alice okx") == "allceokx"
    assert fold_name("歐易 客服") == "欧易客服"


def _post(author: Author, text: str, reply_to: str | None = None) -> Post:
    return Post("telegram", "-100:5", author, text, channel="group", reply_to=reply_to, staff=STAFF)


def test_the_detector_flags_a_clone_offering_help_in_a_thread(brand: Brand) -> None:
    clone = member("alice_okx_cm_", "Alice | OKX Team")
    [finding] = ImpersonationDetector(brand).check(
        _post(clone, "I can help, DM me", reply_to="-100:4")
    )
    assert finding.label == "fake_support_reply" and finding.score >= 0.9
    assert (
        "display name 'Alice | OKX Team' copies admin Alice | OKX Team (@alice_okx_cm)'s"
        in finding.evidence
    )
    assert (
        "handle alice_okx_cm_ looks like admin" in finding.evidence
        and "asks to DM" in finding.evidence
    )


def test_the_detector_never_flags_the_staff_even_with_the_brand_in_their_names(
    brand: Brand,
) -> None:
    # "Alice | OKX Support" alone would read as a claim to be support; as
    # an admin of the group it is theirs.
    admin = Author("telegram", "7001", "alice_okx_support", "Alice | OKX Support")
    text = "Withdrawals are delayed, DM me your ticket number"
    post = Post("telegram", "-100:6", admin, text, channel="group", staff=(admin,))
    assert ImpersonationDetector(brand).check(post) == []
    elsewhere = Author("telegram", "7100", "alice_okx_support", "Alice | OKX Support")
    stranger = Post("telegram", "-100:7", elsewhere, text, channel="group", staff=STAFF)
    assert ImpersonationDetector(brand).check(stranger) != []
