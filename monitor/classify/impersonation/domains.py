"""Links in a post and look-alike domains: homographs, typosquats,
brand+word names, subdomain tricks."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import cache

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.denounce import denounced
from monitor.classify.impersonation.fuzzy import is_typo
from monitor.classify.impersonation.hostnames import foreign_front, lure_named
from monitor.classify.impersonation.misspelled import misspelled_in
from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.skeleton import skeleton, skeletons, substitutions
from monitor.classify.impersonation.typos import DOUBLE, slip_budget, typo_cost
from monitor.classify.impersonation.wordlists import words
from monitor.classify.text import normalise, simplified

# Labels may hold Latin, Greek and Cyrillic letters (homographs); CJK ends a host so 访问okx.com
# yields okx.com. What stands before an @ (okx.helpdesk@outlook.com,
# https://www.okx.com@evil.example) is a mailbox or a URL's user name, no host, and no part of it
# either. Bounded repeats keep matching linear.
_CHAR = r"0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_LABEL = rf"[{_CHAR}](?:[{_CHAR}-]{{0,61}}[{_CHAR}])?"
_HOST = re.compile(
    rf"(?<![{_CHAR}.-])((?:{_LABEL}\.){{1,8}}(?:xn--[0-9a-z-]{{1,59}}"
    rf"|[a-z\u0400-\u04ff]{{2,24}}))(?![{_CHAR}@-]|\.[{_CHAR}])"
)
# A link to a bare IPv4 address, written with its scheme (without
# one, 1.2.3.4 is as likely a version).
_IP_LINK = re.compile(r"\bhttps?://((?:\d{1,3}\.){3}\d{1,3})(?![\d.])")
# A link with a user name (scheme://user[:password]@host): browsers go to the host after the @.
_USER_LINK = re.compile(rf"\bhttps?://([^\s/@]{{1,100}})@({_LABEL}(?:\.{_LABEL}){{1,8}})")
_MAX_HOSTS = 20
# A Markdown link, [shown text](https://target): the text a reader sees may name another site.
_MASKED = re.compile(r"\[([^\[\]\n]{1,200})\]\((https?://[^\s()]{1,500})\)")
# Dots written so that link filters miss them: okx-help[.]com, okx-help(dot)com, okx-help。com (an
# ideographic full stop, as Chinese scam messages write it), and with spaces, okx-help dot com or
# okx-help .com, where a common top-level domain must follow (a "polka dot dress" is no link) and a
# name of 4+ letters must precede ("the dot com era", "the .com mania" are no links either).
_TLDS = (
    r"(?:com|net|org|io|app|xyz|co|info|me|cc|top|vip|site|online|pro|live|link|club|finance"
    r"|exchange|cn|hk)"
)
_HIDDEN_DOT = re.compile(
    rf"(?<=[{_CHAR}])(?:\s?[\[({{]\s?(?:\.|dot)\s?[\])}}]\s?|[。｡](?=[{_CHAR}])"
    rf"|(?<=[{_CHAR}-]{{4}})\s(?:dot\s|\.\s?)(?={_TLDS}\b))"
)
# From this length a name carries enough letters that a few slips still leave it recognisable.
_LONG = 9
# A dangerous link named only to warn about it weighs this much: under the flag line,
# so no reply calls the member who warned an impostor, but with a lure or a request
# for secrets beside it the post still flags.
_WARNED = 0.35


def refanged(text: str) -> str:
    """A text normalised, with the dots hidden from link filters written
    as dots: what hosts() reads."""
    return _HIDDEN_DOT.sub(".", normalise(text))


def hosts(text: str, hidden_dots: bool = True) -> list[str]:
    """Distinct host names linked or written in a text, in order, then public IP
    addresses linked (at most 20); with hidden_dots, also hosts whose dots are hidden
    from link filters (okx-help[.]com)."""
    return hosts_in(refanged(text) if hidden_dots else normalise(text))


def hosts_in(norm: str) -> list[str]:
    """hosts() of a text already normalised (or refanged)."""
    found = dict.fromkeys(m.group(1).rstrip(".") for m in _HOST.finditer(norm))
    found.update(
        dict.fromkeys(m.group(1) for m in _IP_LINK.finditer(norm) if is_public_ip(m.group(1)))
    )
    return list(found)[:_MAX_HOSTS]


def is_public_ip(host: str) -> bool:
    """True for an IPv4 address on the internet (a router's
    192.168.1.1 is a user's own business)."""
    try:
        return ipaddress.IPv4Address(host).is_global
    except ValueError:
        return False


def decode_label(label: str) -> str:
    """An IDN label in Unicode ('xn--kx-...' -> 'оkх'); the label itself if it does not decode. A
    label IDNA 2003 refuses (a Cherokee letter: Ꮶraken) is still read by its punycode."""
    if not label.startswith("xn--"):
        return label
    for codec, text in (("idna", label), ("punycode", label[4:])):
        try:
            return text.encode("ascii").decode(codec)
        except UnicodeError:
            continue
    return label


def on_list(host: str, listed: frozenset[str]) -> str | None:
    """The listed domain that host is, or is a subdomain of (lists keep Unicode hosts as xn--)."""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not encodable: compare as written
    parts = host.split(".")
    return next((d for i in range(len(parts) - 1) if (d := ".".join(parts[i:])) in listed), None)


def subdomain_trick(host: str, reg: BrandRegistry) -> Signal | None:
    """An official domain used as the left part of someone else's
    domain: okx.com.verify-login.io."""
    for domain in reg.domains:
        if f".{domain}." in f".{host}":
            return Signal(
                "phishing_link",
                0.9,
                f"link {host} puts official {domain} in front of another domain",
            )
    return None


def _bounded(token: str, label: str, skel: str) -> bool:
    """A short brand inside a label counts only at an edge, between
    hyphens or next to a lure word."""
    if len(token) >= 5 or skel.startswith(token) or skel.endswith(token):
        return True
    if any(skeleton(part) == token for part in label.split("-")):
        return True
    rest = skel.replace(token, " ")
    return any(w in rest for w in _lure_words())


def label_signal(label: str, skel: str, host: str, reg: BrandRegistry) -> Signal | None:
    """How one host label (with its skeleton) imitates a brand token, if it does."""
    for token, name in reg.tokens.items():
        if found := token_signal(label, skel, host, token, name):
            return found
    return None


def token_signal(label: str, skel: str, host: str, token: str, name: str) -> Signal | None:
    """How one host label imitates one brand token: its name, a typo of
    it, or it with other words."""
    if skel == token or (not label.isascii() and _one_foreign_letter(skel, token)):
        if not label.isascii():
            swaps = ", ".join(substitutions(label)) or "a letter from outside a-z"
            return Signal(
                "phishing_link",
                0.95,
                f"link {host} spells '{name}' with look-alike letters ({swaps})",
            )
        return Signal(
            "phishing_link",
            0.85,
            f"link {host} uses the name '{name}' on a domain the brand does not own",
        )
    if _typo(skel, token):
        return Signal("phishing_link", 0.85, f"link {host} is a typo of '{name}'")
    if token in skel and _bounded(token, label, skel):
        return Signal("phishing_link", 0.8, f"link {host} combines '{name}' with other words")
    if len(token) >= 5 and _typo_beside_word(label, skel, token):
        return Signal(
            "phishing_link", 0.8, f"link {host} combines a typo of '{name}' with other words"
        )
    # Inside a longer label only long names may carry typos: short ones match real words.
    if len(token) >= _LONG and _contains_typo(skel, token):
        return Signal("phishing_link", 0.8, f"link {host} contains a typo of '{name}'")
    if piece := misspelled_in(label, token):
        return Signal("phishing_link", 0.8, f"link {host} misspells '{name}' in '{piece}'")
    return None


def _one_foreign_letter(skel: str, token: str) -> bool:
    """One letter of the name replaced by a non-Latin-alphabet one no
    table folds (ƅinance, polønlex)."""
    diff = [a for a, b in zip(skel, token) if a != b]
    return len(skel) == len(token) and len(diff) == 1 and not diff[0].isascii()


def _typo_beside_word(label: str, skel: str, token: str) -> bool:
    """A typo of the name as one hyphen-separated part (opensae-collection) or beside one or two
    lure words (appuniswop, binanctrustwallet)."""
    parts = label.split("-")
    if len(parts) > 1 and any(_typo(skeleton(part), token) for part in parts):
        return True
    return any(_typo(rest, token) for rest in _peeled(skel, 2))


def _peeled(skel: str, depth: int) -> Iterator[str]:
    """What is left of a label after taking up to depth lure words off its
    ends (binanc|trust|wallet)."""
    for w in _lure_words() if depth else ():
        rests = (
            skel[len(w) :] if skel.startswith(w) else "",
            skel[: -len(w)] if skel.endswith(w) else "",
        )
        for rest in filter(None, rests):
            yield rest
            yield from _peeled(rest, depth - 1)


@cache
def _lure_words() -> tuple[str, ...]:
    """The words scam domains pair with a brand (login, wallet, support...),
    as skeletons like the labels."""
    return tuple(skeleton(w) for w in words("domain_words"))


def _contains_typo(skel: str, token: str) -> bool:
    """A typo of a long name somewhere in a label, starting at its first letter as typosquats keep
    it (so 'simplewallet' is no typo of 'examplewallet')."""
    budget = slip_budget(token, token)  # every window below starts with the name's first letter
    # A match spans at most this many letters (the cheapest extra letter costs DOUBLE).
    span = len(token) + int(budget / DOUBLE)
    starts = (i for i, c in enumerate(skel) if c == token[0])
    return any(typo_cost(skel[i : i + span], token, prefix=True) <= budget for i in starts)


def _typo(skel: str, token: str) -> bool:
    """A typosquat of the name: strict rules for short names, a budget of
    typing slips for long ones."""
    if len(token) < _LONG:
        return is_typo(skel, token)
    return skel != token and typo_cost(skel, token) <= slip_budget(skel, token)


def _variants(label: str) -> tuple[str, ...]:
    """The label's skeletons, and with 'nn' read as 'm' (nnyetherwallet), a pair font-tricks use
    in links, then without digits at its ends (cainbase0), which leet folding reads as letters."""
    bare = label.strip("0123456789")
    found = [*skeletons(label), *(skeletons(bare) if bare else ())]
    return tuple(dict.fromkeys([*found, *(s.replace("nn", "m") for s in found)]))


def host_labels(host: str) -> list[str]:
    """A host's labels in Unicode without its top-level domain, then (with two or more) all of them
    joined: a dot inside the name (myether.wallet.com) splits the brand across labels."""
    labels = [decode_label(label) for label in host.split(".")[:-1]]
    return labels + (["".join(labels)] if len(labels) > 1 else [])


def lookalike(host: str, reg: BrandRegistry) -> Signal | None:
    """The first label of a host (not its top-level domain) that imitates the brand."""
    for label in host_labels(host):
        for skel in _variants(label):
            if found := label_signal(label, skel, host, reg):
                return found
    return None


def host_signal(
    host: str, reg: BrandRegistry, phishing: frozenset[str], allowed: frozenset[str] = frozenset()
) -> Signal | None:
    """Why a linked host is dangerous, or None for official, allowed and ordinary hosts."""
    if reg.is_official_host(host):
        return None
    if listed := on_list(host, phishing):
        return Signal("phishing_link", 0.95, f"links to {host}, on the phishing list ({listed})")
    # Checked after the phishing list so that a host on both stays flagged.
    if on_list(host, allowed):
        return None
    if is_public_ip(host):
        return Signal("phishing_link", 0.4, f"links to the bare address {host}, not a named site")
    if host in words("shorteners"):
        return Signal("", 0.25, f"link through shortener {host} hides where it goes")
    return (
        subdomain_trick(host, reg)
        or lookalike(host, reg)
        or foreign_front(host)
        or lure_named(host)
    )


def lookalike_hosts(
    text: str, reg: BrandRegistry, allowed: frozenset[str] = frozenset()
) -> list[str]:
    """Hosts in a text flagged for how they imitate the brand (not for
    a list), e.g. to allow them."""
    return [h for h in hosts(text) if (s := host_signal(h, reg, frozenset(), allowed)) and s.label]


def link_signals(
    text: str, reg: BrandRegistry, phishing: frozenset[str], allowed: frozenset[str] = frozenset()
) -> Iterator[Signal]:
    """One signal per dangerous host in the text, one for a brand name hidden in a link's user name
    and one for link text that shows another site than the link opens."""
    yield from user_name_trick(text, reg)
    yield from masked_link(text, reg)
    norm = refanged(text)
    for host in hosts_in(norm):
        if found := host_signal(host, reg, phishing, allowed):
            yield _in_warning(found, host) if found.label and warned_about(host, norm) else found


def warned_about(host: str, norm: str) -> bool:
    """True when every place a refanged text names the host warns about it: "beware of
    okx-help[.]com", "okx-help.com is phishing", "小心okx-help。com，是钓鱼网站"."""
    places = [m.span() for m in re.finditer(re.escape(host), norm)]
    return bool(places) and all(denounced(norm, start, end) for start, end in places)


def _in_warning(signal: Signal, host: str) -> Signal:
    """A dangerous link's signal, weighed down because the post only names it to warn about it."""
    return Signal(
        signal.label, min(signal.weight, _WARNED), f"names {host} in a warning: {signal.words}",
        weighed_down=True,
    )


def masked_link(text: str, reg: BrandRegistry) -> Iterator[Signal]:
    """A link whose text shows another site than it opens, [okx.com](https://evil.example): Markdown
    as Discord and Reddit write it, and as the Telegram connector writes a text_link entity."""
    for match in _MASKED.finditer(text):
        shown, target = match.group(1), hosts(match.group(2), hidden_dots=False)
        if not target or reg.is_official_host(target[0]):
            continue
        names = hosts(shown)
        if any(reg.is_official_host(h) for h in names):
            yield Signal(
                "phishing_link",
                0.9,
                f"link text '{shown}' shows {reg.name}'s site but opens {target[0]}",
            )
            return
        if not names and brand_in(shown, reg):
            yield Signal(
                "phishing_link", 0.85, f"link text '{shown}' names {reg.name} but opens {target[0]}"
            )
            return
        if any(h != target[0] for h in names):
            yield Signal("phishing_link", 0.7, f"link text shows {names[0]} but opens {target[0]}")
            return


def brand_in(text: str, reg: BrandRegistry) -> bool:
    """True when a word of a text starts or ends with the brand (OKX, 0KX, OKXHelp) or the text
    holds a Chinese name of it; 'Book Xmas' holds okx only across words."""
    norm = normalise(text)
    if any(name in simplified(norm) for name in reg.cjk_names):
        return True
    words_ = (skeleton(w) for w in re.split(r"[^0-9a-z\u0370-\u04ff]+", norm) if w)
    return any(w.startswith(token) or w.endswith(token) for w in words_ for token in reg.tokens)


def user_name_trick(text: str, reg: BrandRegistry) -> Iterator[Signal]:
    """A link whose user-name part reads like the brand's site: https://www.okx.com@evil.example
    goes to evil.example, but a reader stops at okx.com."""
    for match in _USER_LINK.finditer(normalise(text)):
        user = match.group(1).split(":", 1)[0]  # what follows a colon is a password: never quoted
        labels = user.split(".")  # all of them: 'okx' in www.okx.com or 0kx-help alone
        if any(d in user for d in reg.domains) or any(
            label_signal(label, skel, user, reg) for label in labels for skel in _variants(label)
        ):
            yield Signal(
                "phishing_link",
                0.9,
                f"link to {match.group(2)} hides behind the user name '{user}'",
            )
            return
