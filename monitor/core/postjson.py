"""Post JSON lines as replay, `monitor scan` and `monitor eval` read them: errors name the fault."""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from monitor.core.models import CHANNELS, ENFORCEMENT, PLATFORMS, Author, Post

MAX_TEXT = 1_000_000  # characters; a longer text is refused rather than truncated silently
# A post whose MAX_TEXT text is all \uXXXX escapes fits; a longer line is refused undecoded.
MAX_LINE = 8_000_000
# Nesting levels: a post needs three (post, staff list, author). A deeper line is refused before
# it is decoded: json.loads recurses once per level; 100,000 brackets end in RecursionError.
MAX_DEPTH = 64

_JSON_SPACE = " \t\r\n"
# A string (its closing quote optional, so an unclosed one runs to the end of the line instead of
# being tried again from every later quote: one pass, linear), or a run of anything but brackets.
_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^"\[\]{}]+', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# too deep at once: no need to count
_OPENS_IN_A_ROW = re.compile(r"[\[{]" + f"{{{MAX_DEPTH + 1}}}")
# In a line: a byte that was not UTF-8 (decode_lines keeps it as one); in a decoded string: half of
# a pair written alone as a \ud800 escape, which no UTF-8 output (a database, stdout) can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")


class PostError(ValueError):
    """A Post JSON line or object that cannot be read; the message
    names the field, not the value."""


def decode_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """Byte lines as text. A UTF-8 byte order mark opening the first is dropped; bytes that are not
    UTF-8 are kept as lone surrogates (surrogateescape) for load_line to name: one line lost."""
    for number, line in enumerate(lines):
        if number == 0:
            line = line.removeprefix(codecs.BOM_UTF8)
        yield line.decode("utf-8", "surrogateescape")


def is_blank(line: str) -> bool:
    """Whether a line holds nothing but JSON white space (an empty line between posts)."""
    return not line.strip(_JSON_SPACE)


def parse_line(line: str) -> Post:
    """One JSON line to a Post; whatever is wrong with the line raises PostError, nothing else."""
    return parse_post(load_line(line))


def load_line(line: str) -> Any:
    """One line's JSON value. What would break or stall the decoder (depth, size, bytes that are
    not UTF-8, a number too long to read) is refused with a PostError naming it, in linear time."""
    if len(line) > MAX_LINE:
        raise PostError(f"the line is {len(line)} characters; the limit is {MAX_LINE}")
    if bad := _SURROGATE.search(line):
        raise PostError(f"not valid UTF-8 at column {bad.start() + 1}")
    if too_deep(line):
        raise PostError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise PostError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:  # not expected under MAX_DEPTH; kept so no decoder error escapes a line
        raise PostError(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # Python refuses to read an integer of more digits (CVE-2020-10735)
        limit = sys.get_int_max_str_digits()
        raise PostError(f"a number has more than {limit} digits") from None


def too_deep(line: str) -> bool:
    """Whether the line's brackets outside its strings nest deeper than MAX_DEPTH (for valid JSON,
    whether its values do). Linear in the line, in C but for one step per bracket."""
    # Fewer opening brackets than the limit cannot nest deeper: most lines are not worth reading.
    if line.count("[") + line.count("{") <= MAX_DEPTH:
        return False
    brackets = _NOT_BRACKETS.sub("", line)
    if _OPENS_IN_A_ROW.search(brackets):
        return True
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


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
        place=_str(obj, "place"),
        bot_may=_bot_may(obj),
    )


def _bot_may(obj: dict[str, Any]) -> frozenset[str] | None:
    """The optional list of what the bot may do in the post's place (of ENFORCEMENT)."""
    may = obj.get("bot_may")
    if may is None:
        return None
    if not isinstance(may, list) or any(m not in ENFORCEMENT for m in may):
        raise PostError(f"field 'bot_may' must be a list of {', '.join(ENFORCEMENT)}")
    return frozenset(may)


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
    # A lone half of a surrogate pair (a broken emoji) becomes U+FFFD, as the daemon does for live
    # posts: the post is still read, and stored and printed as valid UTF-8.
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else str(value)


def _choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...], default: str = "") -> str:
    """A string field restricted to a fixed set of values."""
    value = obj.get(key, default) or default
    if value not in allowed:
        raise PostError(f"field '{key}' must be one of {', '.join(allowed)}")
    return str(value)


def _time(obj: dict[str, Any], key: str, prefix: str = "") -> datetime | None:
    """An ISO-8601 time field (a trailing Z is accepted; a time with no offset is read as UTC)."""
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PostError(f"field '{prefix}{key}' must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value)  # 3.11+ reads a trailing Z as UTC
    except ValueError:
        raise PostError(f"field '{prefix}{key}' is not an ISO-8601 time") from None
    # Times are subtracted (an account's age when it posted): a naive and an aware one cannot be.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
