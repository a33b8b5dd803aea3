"""Stored posts found by words of their (redacted) text or their author's handle, newest first,
a bounded page at a time: how `monitor serve` finds a post the detectors passed, to flag it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.core.models import PLATFORMS
from monitor.store.sqlite import Store

MIN_QUERY, MAX_QUERY = 2, 200  # characters of the words looked for
DEFAULT_LIMIT, MAX_LIMIT = 20, 50  # posts on one page
MAX_OFFSET = 5_000  # the deepest page: past it, narrow the words or the platform
MAX_TEXT = 1_000  # characters of a post's text in an answer
_ESCAPE = "\\"


class SearchError(ValueError):
    """A search that cannot run as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Words to look for (matched anywhere in the text or handle, ASCII letters in either case),
    optionally on one platform, and the page wanted."""

    words: str
    platform: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def parse(cls, words: str, platform: str = "", limit: str = "", offset: str = "") -> PostQuery:
        """The query from request fields (strings), each checked; SearchError names the field."""
        words = " ".join((words or "").split())
        if not MIN_QUERY <= len(words) <= MAX_QUERY:
            raise SearchError(f"q: give {MIN_QUERY}-{MAX_QUERY} characters to look for")
        platform = (platform or "").strip().lower()
        if platform and platform not in PLATFORMS:
            raise SearchError(f"platform: use one of {', '.join(PLATFORMS)} (or none)")
        return cls(words, platform, _number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
                   _number("offset", offset, 0, 0, MAX_OFFSET))


def _number(name: str, text: str, default: int, low: int, high: int) -> int:
    """An integer field within bounds, or its default when empty."""
    if not (text or "").strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise SearchError(f"{name}: give a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise SearchError(f"{name}: give a whole number from {low} to {high}")
    return value


@dataclass(frozen=True, slots=True)
class PostPage:
    """One page of matching posts, and whether more follow it."""

    posts: list[dict[str, Any]]
    more: bool


def search(store: Store, query: PostQuery) -> PostPage:
    """The stored posts whose text or author handle holds the words, newest stored first, each
    with the findings already on it (kind:status, so a page can tell what is flagged)."""
    pattern = f"%{_like_escape(query.words)}%"
    clauses = ["(p.text LIKE ? ESCAPE ? OR p.author_handle LIKE ? ESCAPE ?)"]
    args: list[Any] = [pattern, _ESCAPE, pattern, _ESCAPE]
    if query.platform:
        clauses.append("p.platform = ?")
        args.append(query.platform)
    sql = f"""
        SELECT p.platform, p.id AS post_id, p.channel, p.author_handle, p.author_name,
               substr(p.text, 1, {MAX_TEXT}) AS text, p.url, p.created_at AS posted_at,
               p.seen_at,
               (SELECT group_concat(f.kind || ':' || f.status, ', ') FROM findings f
                 WHERE f.platform = p.platform AND f.post_id = p.id) AS findings
        FROM posts p WHERE {' AND '.join(clauses)}
        ORDER BY p.rowid DESC LIMIT ? OFFSET ?"""
    rows = [dict(r) for r in store.db.query(sql, [*args, query.limit + 1, query.offset])]
    return PostPage(rows[: query.limit], len(rows) > query.limit)


def _like_escape(words: str) -> str:
    """The words with LIKE's wildcards (and the escape character) taken literally."""
    return "".join(_ESCAPE + ch if ch in "%_" + _ESCAPE else ch for ch in words)
