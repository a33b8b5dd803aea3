"""ImpersonationDetector: fake support accounts, look-alike handles and links, scam lures."""

from __future__ import annotations

import re

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.claims import claim_signals
from monitor.classify.impersonation.content import AIRDROP, content_signals
from monitor.classify.impersonation.domains import hosts_in, link_signals, refanged, warned_about
from monitor.classify.impersonation.handles import BIO_CLAIM, author_signals
from monitor.classify.impersonation.mentions import mention_signals
from monitor.classify.impersonation.rule import ASKS_TO_DM
from monitor.classify.impersonation.signals import Signal, combine, evidence, weighed_down
from monitor.classify.impersonation.staff import LABEL as STAFF_LOOKALIKE
from monitor.classify.impersonation.staff import staff_signals
from monitor.classify.text import normalise
from monitor.core.models import Brand, Finding, Post

# Below this a finding is noise even for the review queue; the flag line itself is the config's
# impersonation threshold (0.5 by default).
MIN_SCORE = 0.3
_OFFERS = ("fake_support_reply", "offplatform_contact", "credential_request")
# an account passing for the brand's or for its staff
_LOOKALIKES = ("lookalike_handle", STAFF_LOOKALIKE)
# whoever posts it
_DANGEROUS = ("phishing_link", "credential_request", "scam_lure", "lookalike_mention")
# Sign-up and referral links are affiliate promos: a drainer wants a
# wallet connected, not an account.
_REFERRAL = re.compile(
    r"[?&](?:ref|referral|invite|code|accesscode)=|/(?:join|invite|ref|referral|register|signup)/"
    r"|\b(?:upon |on )?registration\b|\bsign ?up\b|\breferral\b",
    re.IGNORECASE,
)


class ImpersonationDetector:
    """Flags posts whose author imitates the brand or whose content lures users to a scam."""

    kind = "impersonation"
    name = "impersonation"

    def __init__(
        self,
        brand: Brand,
        phishing: frozenset[str] = frozenset(),
        allowed: frozenset[str] = frozenset(),
    ) -> None:
        self.registry = BrandRegistry.from_brand(brand)
        # The operator's phishing domains, and the look-alikes they checked and found legitimate:
        # one value, so a post never sees one list old and the other new.
        self.lists = (phishing, allowed)

    def set_lists(self, phishing: frozenset[str], allowed: frozenset[str]) -> None:
        """Use new host lists from the next post on (the runtime's, when a list file changed)."""
        self.lists = (phishing, allowed)

    def check(self, post: Post) -> list[Finding]:
        """At most one finding naming every signal; none for the brand's own
        accounts or the place's staff."""
        if self.registry.is_official(post.platform, post.author.handle) or post.by_staff:
            return []
        signals = self.signals(post)
        score, label = combine(signals)
        if score < MIN_SCORE:
            return []
        return [Finding(self.kind, label, score, evidence(signals), self.name,
                        weighed_down=weighed_down(signals))]

    def signals(self, post: Post) -> list[Signal]:
        """Author, content, link and context signals for one post."""
        found = author_signals(post.author, self.registry, post.created_at) + staff_signals(
            post.author, post.staff
        )
        text = normalise(post.text)
        found += content_signals(text) + claim_signals(text, self.registry)
        found += mention_signals(text, self.registry, post.author.handle)
        found += link_signals(post.text, self.registry, *self.lists)
        if self.registry.is_trusted(post.platform, post.author.handle):
            # The team vouches for the account: its name, its offers of help and its DM invitations
            # are its work. What is dangerous whoever posts it (a hacked account too) still counts.
            found = [s for s in found if s.label in _DANGEROUS]
        return found + context_signals(post, found) + self.claim_link(post, found)

    def claim_link(self, post: Post, found: list[Signal]) -> list[Signal]:
        """An airdrop or claim announcement that links off the brand's domains: a drainer's lure."""
        if not any(s.words == AIRDROP for s in found) or _REFERRAL.search(post.text):
            return []
        norm = refanged(post.text)
        # A site named to warn about it ("fake airdrop at
        # okx-claim[.]com, don't click") is no claim page.
        if any(
            not self.registry.is_official_host(h) and not warned_about(h, norm)
            for h in hosts_in(norm)
        ):
            return [Signal("scam_lure", 0.4, "links to a claim page off the brand's domains")]
        return []


def context_signals(post: Post, found: list[Signal]) -> list[Signal]:
    """The classic scam: an offer of help in a reply, worse from an account imitating the brand; and
    an answer to a help request from an account whose bio says it is the brand's support."""
    extra: list[Signal] = []
    if post.replies_to_request and any(s.words.startswith(BIO_CLAIM) for s in found):
        # Support talk ("what is your UID?") needs no offer: the bio already makes it one.
        extra.append(
            Signal(
                "fake_support_reply",
                0.3,
                "answers a help request while its bio claims the brand's support",
            )
        )
    offers = [s for s in found if s.label in _OFFERS]
    if not offers:
        return extra
    if any(s.label in _LOOKALIKES and s.weight >= 0.5 for s in found):
        extra.append(Signal("fake_support_reply", 0.95, "a look-alike account offers support"))
    if post.replies_to_request:
        extra.append(
            Signal(
                "fake_support_reply",
                0.35,
                "replies to a help request with an offer of help or a DM",
            )
        )
    elif post.reply_to:
        # "Text me when you're on the way" asks for a DM too: unless the message answered is a help
        # request, a reply that only does that weighs less than one offering help, asking for
        # secrets or moving the user to another app.
        chat = all(s.words == ASKS_TO_DM for s in offers)
        extra.append(
            Signal("fake_support_reply", 0.2 if chat else 0.35,
                   "replies to someone with an offer of help or a DM", weighed_down=chat)
        )
    return extra
