"""Edits: an edit's id names its message, and only the finding kinds it adds are acted on."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.core.config import Settings
from monitor.core.edits import what_is_new
from monitor.core.models import Author, Finding, Post, edit_id, message_id
from monitor.core.pipeline import Pipeline
from monitor.store import Store

PHRASE_POST = (
    "my wallet won't open, here is my phrase: abandon abandon abandon abandon abandon abandon "
    "abandon abandon abandon abandon abandon about"
)


def _edit(text: str) -> Post:
    at = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    return Post(
        "telegram",
        edit_id("-100:7", at),
        Author("telegram", "42", "bob"),
        text,
        channel="group",
        edit_of="-100:7",
    )


def test_an_edit_id_names_its_message() -> None:
    at = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert edit_id("-100:7", at) == f"-100:7~e{int(at.timestamp())}"
    assert message_id(edit_id("-100:7", at)) == "-100:7" and message_id("-100:7") == "-100:7"


def test_an_edit_keeps_only_the_kinds_it_adds(settings: Settings) -> None:
    pipeline = Pipeline.from_settings(settings, b"salt")
    result = pipeline.process(_edit(PHRASE_POST))
    assert "secret_leak" in {f.kind for f in result.findings}
    assert what_is_new(result, set(), pipeline.templates) is result
    again = what_is_new(result, {"secret_leak"}, pipeline.templates)
    # the leak was acted on in an earlier version
    assert again.findings == [] and again.actions == []


def test_an_edit_brings_no_second_support_answer(settings: Settings) -> None:
    pipeline = Pipeline.from_settings(settings, b"salt")
    result = pipeline.process(
        _edit("my withdrawal of 2 ETH is pending for 3 days, can someone help?")
    )
    assert [f.kind for f in result.findings] == ["support_request"]
    assert what_is_new(result, set(), pipeline.templates).actions == []


def test_the_store_names_the_kinds_flagged_on_any_version(tmp_path) -> None:
    store = Store(tmp_path / "m.db")
    original = Post("telegram", "-100:7", Author("telegram", "42", "bob"), "hi")
    store.record(original, [Finding("support_request", "other", 0.9, "x", "d")], [], [])
    store.record(_edit("hi again"), [Finding("secret_leak", "seed_phrase", 1.0, "x", "d")], [], [])
    # a prefix, not a version
    other = Post("telegram", "-100:77", Author("telegram", "42", "bob"), "hi")
    store.record(other, [Finding("impersonation", "scam_lure", 0.9, "x", "d")], [], [])
    assert store.kinds_flagged("telegram", "-100:7") == {"support_request", "secret_leak"}
