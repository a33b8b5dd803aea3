"""/flag over a real store: a manager's reply to a group message flags the stored post, in any
chat; anyone else is refused; each wrong use gets its own answer; a secret in the note is never
stored."""

from __future__ import annotations

import dataclasses
import json

from mnemonic import Mnemonic

from monitor.core.config import Settings
from monitor.core.models import Author, Post
from monitor.desk import command_handlers as commands
from monitor.desk.command_handlers import Call, Desk
from monitor.store import Store

ADMIN, USER, ADMIN_CHAT, GROUP = 11, 12, -100999, -100500
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
REFUSAL = "Sorry, this command is only for the OKX support managers."
SCAM = ("Honestly the best decision this year was joining the signals group run by Mr Daniel "
        "Harris, my portfolio grew four times in two weeks, write to him at harris-signals.net")


def _desk(settings: Settings) -> Desk:
    """The example brand's desk with one admin, over a store holding one group message."""
    store = Store(":memory:")
    author = Author("telegram", "66", "0kx_support", "OKX Support")
    store.add_post(Post("telegram", f"{GROUP}:7", author, SCAM, channel="group"))
    desk = Desk.from_settings(settings, store)
    return dataclasses.replace(desk, admins=frozenset({ADMIN}), admin_chat_id=ADMIN_CHAT)


def _flag(args: str = "", user: int = ADMIN, chat: int = GROUP, reply_to: str = f"{GROUP}:7",
          lang: str = "en") -> Call:
    """'/flag ARGS' sent in `chat` as a reply to a message (none when reply_to is empty)."""
    return Call("flag", args, user, chat, chat == user, lang, "boss" if user == ADMIN else "eve",
                "900", reply_to=reply_to)


def test_a_managers_reply_flags_the_post_in_the_group_itself(settings: Settings) -> None:
    desk = _desk(settings)
    reply = commands.handle(desk, _flag())
    [finding] = desk.store.post_findings("telegram", f"{GROUP}:7")
    assert reply.text.splitlines()[0] == (
        f"Flagged #{finding['id']} as impersonation/manager_flag, confirmed by telegram:11 @boss.")
    assert "takedown case #1 opened for host harris-signals[.]net" in reply.text
    assert (finding["kind"], finding["status"], finding["detector"]) == (
        "impersonation", "confirmed", "manager")
    assert not reply.delete_command
    memory = list(desk.store.db["memory_texts"].rows)
    assert [(m["finding_id"], m["scam"], m["text"]) for m in memory] == [(finding["id"], 1, SCAM)]
    audit = [(a["who"], a["action"]) for a in desk.store.db["audit"].rows]
    assert ("telegram:11 @boss", "flag") in audit and audit[-1] == ("telegram:11 @boss", "/flag")


def test_kind_label_and_note_are_read_in_that_order(settings: Settings) -> None:
    desk = _desk(settings)
    reply = commands.handle(desk, _flag("support refund_question asked twice today"))
    [finding] = desk.store.post_findings("telegram", f"{GROUP}:7")
    assert (finding["kind"], finding["label"]) == ("support_request", "refund_question")
    assert reply.text.startswith(f"Flagged #{finding['id']} as support_request/refund_question")
    [decision] = desk.store.reviews_of(finding["id"])
    assert (decision["decision"], decision["note"]) == ("confirmed", "asked twice today")
    assert list(desk.store.db["memory_texts"].rows) == []  # only impersonation is remembered


def test_each_wrong_use_gets_a_clear_answer_and_flags_nothing(settings: Settings) -> None:
    desk = _desk(settings)
    not_reply = commands.handle(desk, _flag(reply_to="")).text
    assert not_reply == ("Send /flag as a reply to the message to flag, in the group where it "
                         "was written.")
    assert commands.handle(desk, _flag("scam")).text.startswith("Unknown kind: use /flag leak")
    missing = commands.handle(desk, _flag(reply_to=f"{GROUP}:8")).text
    assert missing.startswith("That message is not stored")
    assert desk.store.db["findings"].count == 0
    commands.handle(desk, _flag())
    again = commands.handle(desk, _flag("imp")).text
    assert again.startswith("Could not do that: post telegram:-100500:7 already has "
                            "impersonation finding #1")
    assert "未知类型" in commands.handle(desk, _flag("骗子", lang="zh")).text
    results = [json.loads(a["detail"])["result"] for a in desk.store.db["audit"].rows
               if a["action"] == "/flag"]
    assert results == ["error", "error", "error", "ok", "error", "error"]


def test_anyone_else_is_refused_like_every_manager_command(settings: Settings) -> None:
    desk = _desk(settings)
    for call in (_flag(user=USER), _flag(user=USER, chat=ADMIN_CHAT), _flag(user=USER, chat=USER)):
        assert commands.handle(desk, call).text == REFUSAL
    assert desk.store.db["findings"].count == 0
    assert [a["action"] for a in desk.store.db["audit"].rows] == ["refused:/flag"] * 3


def test_a_secret_in_the_note_is_never_stored_and_its_message_goes(settings: Settings) -> None:
    desk = _desk(settings)
    reply = commands.handle(desk, _flag(f"impersonation asked_seed he wanted {PHRASE}"))
    assert reply.delete_command and reply.text.startswith("Flagged #1")
    dump = json.dumps([list(desk.store.db[t].rows) for t in desk.store.db.table_names()])
    assert PHRASE.split()[3] not in dump and "seed phrase removed" in dump
