"""Links in a post and look-alike domains: homographs, typosquats, brand+word names, subdomain tricks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from monitor.classify.impersonation.fuzzy import is_typo, max_edits, near_substring
from monitor.classify.impersonation.registry import BrandRegistry
from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.skeleton import skeleton, skeletons, substitutions
from monitor.classify.impersonation.wordlists import words
from monitor.classify.text import normalise

# Labels may hold Latin, Greek and Cyrillic letters (homographs); CJK ends a host so 访问okx.com
# yields okx.com. Bounded repeats keep matching linear.
_CHAR = r"0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_LABEL = rf"[{_CHAR}](?:[{_CHAR}-]{{0,61}}[{_CHAR}])?"
_HOST = re.compile(rf"(?<![{_CHAR}.-])((?:{_LABEL}\.){{1,8}}(?:xn--[0-9a-z-]{{1,59}}|[a-z\u0400-\u04ff]{{2,24}}))(?![{_CHAR}-])")
_MAX_HOSTS = 20


def hosts(text: str) -> list[str]:
    """Distinct host names linked or written in a text, in order (at most 20)."""
    found = dict.fromkeys(m.group(1).rstrip(".") for m in _HOST.finditer(normalise(text)))
    return list(found)[:_MAX_HOSTS]


def decode_label(label: str) -> str:
    """An IDN label in Unicode ('xn--kx-...' -> 'оkх'); the label itself if it does not decode."""
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
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
    """An official domain used as the left part of someone else's domain: okx.com.verify-login.io."""
    for domain in reg.domains:
        if f".{domain}." in f".{host}":
            return Signal("phishing_link", 0.9, f"link {host} puts official {domain} in front of another domain")
    return None


def _bounded(token: str, label: str, skel: str) -> bool:
    """A short brand inside a label counts only at an edge, between hyphens or next to a lure word."""
    if len(token) >= 5 or skel.startswith(token) or skel.endswith(token):
        return True
    if any(skeleton(part) == token for part in label.split("-")):
        return True
    rest = skel.replace(token, " ")
    return any(w in rest for w in words("domain_words"))


def label_signal(label: str, skel: str, host: str, reg: BrandRegistry) -> Signal | None:
    """How one host label (with its skeleton) imitates a brand token, if it does."""
    for token, name in reg.tokens.items():
        if skel == token and not label.isascii():
            swaps = ", ".join(substitutions(label))
            return Signal("phishing_link", 0.95, f"link {host} spells '{name}' with look-alike letters ({swaps})")
        if skel == token:
            return Signal("phishing_link", 0.85, f"link {host} uses the name '{name}' on a domain the brand does not own")
        if is_typo(skel, token):
            return Signal("phishing_link", 0.85, f"link {host} is a typo of '{name}'")
        if token in skel and _bounded(token, label, skel):
            return Signal("phishing_link", 0.8, f"link {host} combines '{name}' with other words")
        # Inside a longer label only long names may carry typos: short ones match real words.
        if len(token) >= 9 and near_substring(token, skel, max_edits(token)) is not None:
            return Signal("phishing_link", 0.8, f"link {host} contains a typo of '{name}'")
    return None


def lookalike(host: str, reg: BrandRegistry) -> Signal | None:
    """The first label of a host (not its top-level domain) that imitates the brand."""
    labels = [decode_label(label) for label in host.split(".")[:-1]]
    # A dot inside the name (myether.wallet.com) splits the brand across labels.
    for label in labels + (["".join(labels)] if len(labels) > 1 else []):
        for skel in skeletons(label):
            if found := label_signal(label, skel, host, reg):
                return found
    return None


def host_signal(host: str, reg: BrandRegistry, phishing: frozenset[str]) -> Signal | None:
    """Why a linked host is dangerous, or None for official and ordinary hosts."""
    if reg.is_official_host(host):
        return None
    if listed := on_list(host, phishing):
        return Signal("phishing_link", 0.95, f"links to {host}, on the phishing list ({listed})")
    if host in words("shorteners"):
        return Signal("", 0.25, f"link through shortener {host} hides where it goes")
    return subdomain_trick(host, reg) or lookalike(host, reg)


def link_signals(text: str, reg: BrandRegistry, phishing: frozenset[str]) -> Iterator[Signal]:
    """One signal per dangerous host in the text."""
    for host in hosts(text):
        if found := host_signal(host, reg, phishing):
            yield found
