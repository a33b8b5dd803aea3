"""The Post JSON form used by replay files and `monitor scan`: parse with clear errors, and dump."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from monitor.models import CHANNELS, PLATFORMS, Author, Post

MAX_TEXT = 1_000_000  # characters; a longer text is refused rather than truncated silently


class PostError(ValueError):
    """A Post JSON object that cannot be read; the message names the field."""


def parse_line(line: str) -> Post:
    """One JSON line to a Post."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise PostError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    return parse_post(obj)


def parse_post(obj: Any) -> Post:
    """A decoded JSON object to a Post; only id, platform, text and author.handle are required."""
    if not isinstance(obj, dict):
        raise PostError("a post must be a JSON object")
    author = obj.get("author")
    if not isinstance(author, dict):
        raise PostError("missing field 'author' (an object with at least 'handle')")
    platform = _choice(obj, "platform", PLATFORMS)
    text = _str(obj, "text", required=True)
    if len(text) > MAX_TEXT:
        raise PostError(f"field 'text' is {len(text)} characters; the limit is {MAX_TEXT}")
    return Post(
        platform=platform,
        id=_str(obj, "id", required=True),
        author=_author(author, platform),
        text=text,
        channel=_choice(obj, "channel", CHANNELS, default="public"),
        created_at=_time(obj, "created_at"),
        url=_str(obj, "url"),
        reply_to=_str(obj, "reply_to") or None,
        edit_of=_str(obj, "edit_of") or None,
        raw=obj,
        staff=_staff(obj, platform),
    )


def _staff(obj: dict[str, Any], platform: str) -> tuple[Author, ...]:
    """The optional list of the place's admins and moderators, each an author object."""
    staff = obj.get("staff") or []
    if not isinstance(staff, list):
        raise PostError("field 'staff' must be a list of author objects")
    for i, member in enumerate(staff):
        if not isinstance(member, dict):
            raise PostError(f"field 'staff[{i}]' must be an object with at least 'handle'")
    return tuple(_author(member, platform, f"staff[{i}].") for i, member in enumerate(staff))


def _author(obj: dict[str, Any], platform: str, prefix: str = "author.") -> Author:
    """An author object (the post's author, or one of its staff)."""
    followers = obj.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int)):
        raise PostError(f"field '{prefix}followers' must be an integer")
    verified = obj.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise PostError(f"field '{prefix}verified' must be true or false")
    handle = _str(obj, "handle", required=True, prefix=prefix)
    return Author(
        platform=platform,
        id=_str(obj, "id", prefix=prefix) or handle,
        handle=handle,
        name=_str(obj, "name", prefix=prefix),
        created_at=_time(obj, "created_at", prefix=prefix),
        followers=followers,
        verified=verified,
        bio=_str(obj, "bio", prefix=prefix),
    )


def _str(obj: dict[str, Any], key: str, required: bool = False, prefix: str = "") -> str:
    """A string field; ids given as numbers are accepted and turned into strings."""
    value = obj.get(key)
    if value is None:
        if required:
            raise PostError(f"missing field '{prefix}{key}'")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PostError(f"field '{prefix}{key}' must be a string")
    if required and value == "":
        raise PostError(f"field '{prefix}{key}' is empty")
    return str(value)


def _choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...], default: str = "") -> str:
    """A string field restricted to a fixed set of values."""
    value = obj.get(key, default) or default
    if value not in allowed:
        raise PostError(f"field '{key}' must be one of {', '.join(allowed)}")
    return str(value)


def _time(obj: dict[str, Any], key: str, prefix: str = "") -> datetime | None:
    """An ISO-8601 time field (a trailing Z is accepted)."""
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PostError(f"field '{prefix}{key}' must be an ISO-8601 string")
    try:
        return datetime.fromisoformat(value)  # 3.11+ reads a trailing Z as UTC
    except ValueError:
        raise PostError(f"field '{prefix}{key}' is not an ISO-8601 time") from None
