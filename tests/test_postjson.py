"""Post JSON: required fields, types and the error that names the field."""

from __future__ import annotations

import json
import re

import pytest

from monitor.postjson import PostError, parse_line

MINIMAL = {"id": "1", "platform": "telegram", "text": "hi", "author": {"handle": "bob"}}


def test_minimal_post_gets_defaults() -> None:
    post = parse_line(json.dumps(MINIMAL))
    assert (post.platform, post.id, post.channel, post.author.id) == ("telegram", "1", "public", "bob")
    assert post.raw == MINIMAL


def test_full_post() -> None:
    obj = {**MINIMAL, "id": 77, "channel": "dm", "created_at": "2026-11-21T10:00:00Z", "reply_to": "5",
           "author": {"id": 42, "handle": "bob", "followers": 3, "verified": False,
                      "created_at": "2026-11-18T00:00:00Z", "bio": "OKX Customer Support"}}
    post = parse_line(json.dumps(obj))
    assert post.id == "77" and post.author.id == "42" and post.reply_to == "5"
    assert post.created_at is not None and post.created_at.tzinfo is not None
    assert post.author.followers == 3 and post.author.bio == "OKX Customer Support"


def test_staff_are_read_as_authors() -> None:
    obj = {**MINIMAL, "staff": [{"id": 7, "handle": "alice_okx_cm", "name": "Alice | OKX Team"}, {"handle": "li"}]}
    post = parse_line(json.dumps(obj))
    assert [(m.id, m.handle, m.name) for m in post.staff] == [("7", "alice_okx_cm", "Alice | OKX Team"), ("li", "li", "")]
    assert not post.by_staff and parse_line(json.dumps({**obj, "author": {"id": 7, "handle": "x"}})).by_staff


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": None}, "missing field 'id'"),
        ({"platform": "myspace"}, "field 'platform' must be one of"),
        ({"channel": "email"}, "field 'channel' must be one of"),
        ({"text": ["a"]}, "field 'text' must be a string"),
        ({"author": "bob"}, "missing field 'author'"),
        ({"author": {"name": "Bob"}}, "missing field 'author.handle'"),
        ({"author": {"handle": "b", "followers": "many"}}, "'author.followers' must be an integer"),
        ({"created_at": "yesterday"}, "'created_at' is not an ISO-8601 time"),
        ({"text": "x" * 1_000_001}, "the limit is 1000000"),
        ({"staff": "alice"}, "field 'staff' must be a list"),
        ({"staff": [{"handle": "a"}, "bob"]}, "field 'staff[1]' must be an object"),
        ({"staff": [{"name": "Alice"}]}, "missing field 'staff[0].handle'"),
    ],
)
def test_bad_post_names_the_field(change: dict, message: str) -> None:
    obj = {**MINIMAL, **change}
    with pytest.raises(PostError, match=re.escape(message)):
        parse_line(json.dumps(obj))


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(PostError, match="not valid JSON"):
        parse_line("{oops")
    with pytest.raises(PostError, match="must be a JSON object"):
        parse_line("[1, 2]")
