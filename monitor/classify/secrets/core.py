"""Runs every secret finder over a text, resolves overlaps, redacts and fingerprints."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from monitor.classify.secrets import exchange, keys, passwords, seeds, tokens
from monitor.classify.secrets.match import SecretMatch

Finder = Callable[[str], list[SecretMatch]]

# The built-in finders, listed explicitly (no plugin discovery). Order breaks ties between
# overlapping matches of equal score: the more specific type wins.
FINDERS: tuple[Finder, ...] = (
    seeds.find,
    keys.find,
    exchange.find,
    tokens.find,
    passwords.find,
)


def find_secrets(text: str, finders: tuple[Finder, ...] = FINDERS) -> list[SecretMatch]:
    """All non-overlapping secrets in `text`, in text order."""
    found: list[tuple[int, SecretMatch]] = []
    for rank, finder in enumerate(finders):
        found.extend((rank, m) for m in finder(text))
    return _resolve_overlaps(found)


def _resolve_overlaps(found: list[tuple[int, SecretMatch]]) -> list[SecretMatch]:
    """Keep the best match where spans overlap: higher score, then longer span, then finder order."""
    ordered = sorted(found, key=lambda rm: (-rm[1].score, -(rm[1].end - rm[1].start), rm[0]))
    kept: list[SecretMatch] = []
    for _, m in ordered:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def redact(text: str, matches: list[SecretMatch]) -> str:
    """Replace each matched span with its readable placeholder."""
    out: list[str] = []
    pos = 0
    for m in sorted(matches, key=lambda m: m.start):
        out.append(text[pos : m.start])
        out.append(m.placeholder)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def fingerprint(match: SecretMatch, salt: bytes) -> str:
    """A salted, truncated HMAC of the secret: equal secrets match, the secret cannot be recovered."""
    digest = hmac.new(salt, match.value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:16]
