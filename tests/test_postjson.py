"""Post JSON: required fields, types and the error that names the field."""

from __future__ import annotations

import codecs
import json
import re
from datetime import UTC, datetime

import pytest

from monitor.core.postjson import MAX_DEPTH, PostError, decode_lines, is_blank, parse_line, too_deep

MINIMAL = {"id": "1", "platform": "telegram", "text": "hi", "author": {"handle": "bob"}}


def test_minimal_post_gets_defaults() -> None:
    post = parse_line(json.dumps(MINIMAL))
    assert (post.platform, post.id, post.channel, post.author.id) == (
        "telegram",
        "1",
        "public",
        "bob",
    )
    assert post.raw == MINIMAL


def test_full_post() -> None:
    obj = {
        **MINIMAL,
        "id": 77,
        "channel": "dm",
        "created_at": "2026-11-21T10:00:00Z",
        "reply_to": "5",
        "author": {
            "id": 42,
            "handle": "bob",
            "followers": 3,
            "verified": False,
            "created_at": "2026-11-18T00:00:00Z",
            "bio": "OKX Customer Support",
        },
    }
    post = parse_line(json.dumps(obj))
    assert post.id == "77" and post.author.id == "42" and post.reply_to == "5"
    assert post.created_at is not None and post.created_at.tzinfo is not None
    assert post.author.followers == 3 and post.author.bio == "OKX Customer Support"


def test_staff_are_read_as_authors() -> None:
    obj = {
        **MINIMAL,
        "staff": [
            {"id": 7, "handle": "alice_okx_cm", "name": "Alice | OKX Team"},
            {"handle": "li"},
        ],
    }
    post = parse_line(json.dumps(obj))
    assert [(m.id, m.handle, m.name) for m in post.staff] == [
        ("7", "alice_okx_cm", "Alice | OKX Team"),
        ("li", "li", ""),
    ]
    assert (
        not post.by_staff
        and parse_line(json.dumps({**obj, "author": {"id": 7, "handle": "x"}})).by_staff
    )


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


@pytest.mark.parametrize(
    ("line", "deep"),
    [
        ("[" * 65, True),
        ("[" * 64 + "]" * 64, False),
        ('{"a":' * 65 + "0" + "}" * 65, True),
        ("[" + "[[]]," * 100 + "0]", False),  # many brackets, shallow
        ("[" * 60 + "[],[" * 5 + "]" * 70, True),  # deep without 65 opening brackets in a row
        (json.dumps({"text": "[" * 1000}), False),  # brackets in a string are text
        ('{"text": "\\"[[[' + "[" * 100 + '"}', False),  # ... after an escaped quote too
        ('"' + "[" * 100, False),  # an unclosed string runs to the end of the line
    ],
)
def test_too_deep_counts_brackets_outside_strings(line: str, deep: bool) -> None:
    assert too_deep(line) is deep


def test_a_post_nested_past_the_limit_is_refused_before_decoding() -> None:
    line = json.dumps({**MINIMAL, "author": {"handle": "b", "x": "X"}}).replace(
        '"X"', "[" * 70 + "]" * 70
    )
    with pytest.raises(PostError, match=f"^nested more than {MAX_DEPTH} levels deep$"):
        parse_line(line)
    deepest = json.dumps({**MINIMAL, "extra": "X"}).replace(
        '"X"', "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    )
    assert parse_line(deepest).id == "1"


def test_a_number_python_will_not_read_is_named() -> None:
    with pytest.raises(PostError, match="a number has more than 4300 digits"):
        parse_line(json.dumps(MINIMAL)[:-1] + ', "n": ' + "9" * 5000 + "}")


def test_lone_surrogates_become_the_replacement_character_in_every_field() -> None:
    obj = {
        **MINIMAL,
        "id": "a\ud800",
        "text": "hi \udfff",
        "author": {"handle": "\ud83dbob", "name": "x\ud800"},
    }
    post = parse_line(json.dumps(obj))  # written as \\ud800 escapes: valid JSON
    assert (post.id, post.text, post.author.handle, post.author.name) == (
        "a\ufffd",
        "hi \ufffd",
        "\ufffdbob",
        "x\ufffd",
    )
    # a whole pair stays
    assert parse_line(json.dumps({**MINIMAL, "text": "\U0001f680"})).text == "\U0001f680"


def test_a_time_without_an_offset_is_utc() -> None:
    post = parse_line(
        json.dumps(
            {
                **MINIMAL,
                "created_at": "2026-11-20T08:00:00",
                "author": {"handle": "b", "created_at": "2026-11-19T23:00:00+14:00"},
            }
        )
    )
    assert post.created_at == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert (
        post.author.created_at is not None and (post.created_at - post.author.created_at).days == 0
    )


def test_lines_from_bytes_drop_one_opening_bom_and_keep_bad_bytes_for_the_reader() -> None:
    raw = [
        codecs.BOM_UTF8 + json.dumps(MINIMAL).encode() + b"\r\n",
        b"\xff\n",
        codecs.BOM_UTF8 + b"{}\n",
        b" \t\r\n",
    ]
    first, second, third, fourth = decode_lines(raw)
    assert parse_line(first).id == "1" and is_blank(fourth) and not is_blank(third)
    with pytest.raises(PostError, match="^not valid UTF-8 at column 1$"):
        parse_line(second)
    with pytest.raises(PostError, match="not valid JSON"):
        parse_line(third)
