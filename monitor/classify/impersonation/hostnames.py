"""Hosts that mislead without the brand's name: named only for a crypto lure, or
wearing another domain in front."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.wordlists import words

# Endings that make the labels before them read as a whole domain (walletapp.io.gift-portal.net).
# Not 'app' or 'co', which real hosts use as a subdomain's label (acme.app.box.com, example.co.com).
_FRONT_ENDINGS = frozenset({"com", "org", "net", "io"})
# Digits glue words together (login2fa, claim2024) unless they belong to a word (2fa, erc20).
_NUMBER = re.compile(r"\d+")
_MAX_LABEL = 63


def foreign_front(host: str) -> Signal | None:
    """A whole domain written before another one (uniswap.org.airdrop.example.net):
    readers stop at the first name they know. example.com.au is no trick: a two-letter
    country code is a registry's ending."""
    labels = host.split(".")
    for i in range(1, len(labels) - 1):
        rest = labels[i + 1 :]
        if labels[i] in _FRONT_ENDINGS and not (len(rest) == 1 and len(rest[0]) == 2):
            front = ".".join(labels[: i + 1])
            return Signal(
                "phishing_link",
                0.7,
                f"link {host} puts the domain {front} in front of another domain",
            )
    return None


def lure_named(host: str) -> Signal | None:
    """A host named only for a lure, with no brand needed: a crypto lure in any label
    (claim-usdt-bonus.top), an account lure in the registered name (kyc-verify-account.com)."""
    labels = host.split(".")[:-1]
    for i, label in enumerate(labels):
        named = _named_words(label.replace("erc-20", "erc20"))
        kinds = [_kinds()[w] for w in named]
        if "lure" in kinds and "crypto" in kinds:
            return Signal(
                "phishing_link",
                0.6,
                f"link {host} is named for a crypto lure ({' + '.join(named)})",
            )
        # Only in the registered name: a company's own subdomains may be named
        # so (account-recovery.example.com).
        if (
            i == len(labels) - 1
            and "account" in kinds
            and ("lure" in kinds or kinds.count("account") > 1)
        ):
            return Signal(
                "phishing_link",
                0.6,
                f"link {host} is named for an account lure ({' + '.join(named)})",
            )
    return None


def _named_words(label: str) -> tuple[str, ...]:
    """The lure, crypto and account words of a label made only of known words, in order without
    repeats; () when the label holds any other word."""
    pieces = [p for p in re.split(r"[-_]+", label) if p]
    if not pieces or len(label) > _MAX_LABEL:
        return ()
    split = [_segment(p) for p in pieces]
    if any(s is None for s in split):
        return ()
    return tuple(dict.fromkeys(w for run in split for w in run or () if _kinds()[w] != "glue"))


@lru_cache(maxsize=8192)  # bounded: a daemon reads labels without end
def _segment(piece: str) -> tuple[str, ...] | None:
    """A piece of a label read as a run of known words (plural 's' and numbers allowed), or None."""
    if not piece:
        return ()
    for end in range(len(piece), 0, -1):  # longest word first: 'recovery' before 'recover'
        head = piece[:end]
        # The singular's kind wins: domain_words holds 'rewards' as
        # glue, this list 'reward' as a lure.
        word = (
            head[:-1]
            if head.endswith("s") and head[:-1] in _kinds()
            else head
            if head in _kinds()
            else None
        )
        if word is None and _NUMBER.fullmatch(head):
            word = ""
        if word is not None and (rest := _segment(piece[end:])) is not None:
            return ((word,) if word else ()) + rest
    return None


@cache
def _kinds() -> dict[str, str]:
    """Each known word's kind: lure, crypto, account or glue (domain_words.txt
    are glue unless listed here)."""
    kinds = {w: "glue" for w in words("domain_words")}
    for entry in words("lure_host_words"):
        kind, word = entry.split()
        kinds[word] = kind
    return kinds
