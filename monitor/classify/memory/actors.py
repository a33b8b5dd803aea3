"""Known actors: the accounts, handles, names and contacts of confirmed scams, found in any post."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.content import PHONE
from monitor.classify.impersonation.domains import hosts
from monitor.classify.impersonation.skeleton import skeleton
from monitor.classify.impersonation.wordlists import words
from monitor.core.models import Brand

MIN_HANDLE = 4  # shorter handle skeletons (bob, ann) name too many people to mean one account
MIN_NAME = 6  # display names are shared more than handles: only long ones identify anybody
_PHONES = re.compile(PHONE)
_WALLET = re.compile(r"\b(?:0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|bc1[02-9ac-hj-np-z]{25,59}"
                     r"|[13][1-9A-HJ-NP-Za-km-z]{25,34})\b")
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_.]{3,64})")
# The handles a reply opens with are whom it answers (X writes them in), often the victim: the
# contacts a scam gives come after.
_ADDRESSEES = re.compile(r"^\s*(?:@[A-Za-z0-9_.]{1,64}[\s,:]*)+")
_TME = re.compile(r"\b(?:t|telegram)\.me/(?!\+|joinchat)([A-Za-z0-9_]{4,64})", re.IGNORECASE)
_WAME = re.compile(r"\bwa\.me/(\d{7,15})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Identifier:
    """What names an actor: kind (account, handle, name, phone, wallet, host) and value."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A post's identifier found in the registry, with the finding that put it there."""

    identifier: Identifier
    finding_id: int
    own: bool  # the post's author is the actor (else the post names one of its contacts)


def identifiers(platform: str, author_id: str, handle: str, name: str,
                text: str) -> list[Identifier]:
    """The author's identifiers, then the contacts the (redacted) text names."""
    return list(dict.fromkeys([*author_identifiers(platform, author_id, handle, name),
                               *contacts(text)]))


def author_identifiers(platform: str, author_id: str, handle: str, name: str) -> list[Identifier]:
    """The account on its platform, its handle's and display name's skeletons (on any platform)."""
    out = [Identifier("account", f"{platform}:{author_id}")] if author_id else []
    out += _handle(handle)
    if len(folded := skeleton(name)) >= MIN_NAME:
        out.append(Identifier("name", folded))
    return out


def contacts(text: str) -> list[Identifier]:
    """Phone numbers, wallet addresses, hosts, @handles and t.me links a text names."""
    out = [Identifier("phone", _digits(m.group(0))) for m in _PHONES.finditer(text)]
    out += [Identifier("phone", m.group(1)) for m in _WAME.finditer(text)]
    out += [Identifier("wallet", m.group(0).lower() if m.group(0).startswith("0x") else m.group(0))
            for m in _WALLET.finditer(text)]
    out += [Identifier("host", h.removeprefix("www.")) for h in hosts(text) if not _common(h)]
    body = _ADDRESSEES.sub(" ", text, count=1)
    for m in (*_MENTION.finditer(body), *_TME.finditer(text)):
        if skeleton(m.group(1)) not in _common_labels():  # @opensea: the platform, not a contact
            out += _handle(m.group(1))
    return [i for i in out if i.value]


def named(target: str) -> list[Identifier]:
    """What a question about one account names (`monitor verify`): its contacts, and a bare word's
    handle and display-name skeletons."""
    word = target.strip().removeprefix("u/").lstrip("@")
    bare = [] if not word or " " in word or "/" in word else _handle(word)
    folded = skeleton(target.strip())
    name = [Identifier("name", folded)] if len(folded) >= MIN_NAME else []
    return list(dict.fromkeys([*contacts(target), *bare, *name]))


def _handle(handle: str) -> list[Identifier]:
    folded = skeleton(handle.lstrip("@"))
    return [Identifier("handle", folded)] if len(folded) >= MIN_HANDLE else []


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits if len(digits) >= 7 else ""


@cache
def _common_hosts() -> frozenset[str]:
    """Hosts everyone links (data/impersonation/common_hosts.txt) and the URL shorteners."""
    return frozenset(words("common_hosts")) | frozenset(words("shorteners"))


@cache
def _common_labels() -> frozenset[str]:
    """The names of those hosts (opensea, pump) as handle skeletons."""
    return frozenset(skeleton(h.split(".")[0]) for h in _common_hosts())


def _common(host: str) -> bool:
    host = host.casefold().removeprefix("www.")
    return any(host == c or host.endswith("." + c) for c in _common_hosts())


class ActorIndex:
    """Identifier -> the finding that made it known; the brand's own accounts and domains are never
    taken in, whatever a confirmed post named."""

    def __init__(self, brand: Brand) -> None:
        reg = BrandRegistry.from_brand(brand)
        self._registry = reg
        self._own = {Identifier("handle", skeleton(h)) for h in reg.known_handles()}
        self._known: dict[Identifier, tuple[int, float]] = {}  # -> (finding id, expires)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def add(self, ident: Identifier, finding_id: int, expires: float) -> None:
        """Know an identifier (the brand's own are left out)."""
        official = ident.kind == "host" and self._registry.is_official_host(ident.value)
        if ident in self._own or official:
            return
        with self._lock:
            self._known[ident] = (finding_id, expires)

    def clear(self, ident: Identifier) -> None:
        """Forget an identifier: a manager dismissed a finding on a post it belongs to."""
        with self._lock:
            self._known.pop(ident, None)

    def prune(self, now: float) -> None:
        """Forget what has expired."""
        with self._lock:
            for ident in [i for i, (_, expires) in self._known.items() if expires <= now]:
                del self._known[ident]

    def find(self, own: Iterable[Identifier], named: Iterable[Identifier], now: float) -> list[Hit]:
        """The known identifiers among an author's own and those a text names."""
        hits = []
        for ident, is_own in [*((i, True) for i in own), *((i, False) for i in named)]:
            found = self._known.get(ident)
            if found and found[1] > now:
                hits.append(Hit(ident, found[0], is_own))
        return hits
