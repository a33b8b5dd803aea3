"""A manager's hand on enforcement: the alert's 'Delete + restrict' and 'Ban instead' buttons,
`monitor review undo` and /unban, each audited under the manager's name, sent once by the sender."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from monitor.cli.entry import main
from monitor.connectors.replay import ReplayConnector
from monitor.core.config import Settings
from monitor.desk import command_handlers as commands
from monitor.desk import enforcing
from monitor.desk.command_handlers import Call, Desk
from monitor.desk.review import ReviewError
from monitor.runtime.outbound import Outbound
from monitor.runtime.sender import send_planned
from monitor.store import Store

ADMIN, ADMIN_CHAT = 501, -100500
IMPOSTOR = {"id": "666", "handle": "OKXSupport_Admin"}


def _stream(tmp_path: Path) -> Path:
    """A help request in a Telegram group and an impostor's answer to it."""
    posts = [
        {"id": "1", "platform": "telegram", "channel": "group", "place": "-100123",
         "author": {"id": "101", "handle": "danny"},
         "text": "my withdrawal has been pending for 2 days, can someone help?"},
        {"id": "2", "platform": "telegram", "channel": "group", "place": "-100123",
         "author": IMPOSTOR, "reply_to": "1",
         "text": "Hello Danny, I'm one of the admins here. Please DM me your UID and the email on "
                 "your account so I can fix it"},
    ]
    path = tmp_path / "group.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    return path


def _replayed(tmp_path: Path) -> tuple[Store, int]:
    """The stream replayed under the example config (impersonation held for review): the
    impostor's finding id."""
    db = tmp_path / "m.db"
    assert main(["run", "--replay", str(_stream(tmp_path)), "--db", str(db), "--dry-run"]) == 0
    store = Store(db)
    # --dry-run recorded what the example config plans; hold them as `run` would without it.
    store.db.execute("UPDATE actions SET status = 'held' WHERE kind IN ('delete', 'restrict')")
    [finding] = [f for f in store.post_findings("telegram", "2") if f["kind"] == "impersonation"]
    return store, finding["id"]


def _send(store: Store, outbox: Path, settings: Settings) -> list[dict]:
    """One sending pass through a replay connector writing the outbox; what it wrote."""
    connector = ReplayConnector(outbox.with_suffix(".in"), store, outbox=outbox)
    asyncio.run(send_planned(store, [connector], Outbound.from_settings(settings)))
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]


def _desk(settings: Settings, store: Store) -> Desk:
    desk = Desk.from_settings(settings, store)
    return dataclasses.replace(desk, admins=frozenset({ADMIN}), admin_chat_id=ADMIN_CHAT)


def _call(command: str, args: str) -> Call:
    return Call(command, args, ADMIN, ADMIN_CHAT, False, "en", "alice", "501")


def test_the_alert_offers_delete_and_restrict_together_and_sends_each_once(
    tmp_path: Path, settings: Settings
) -> None:
    store, fid = _replayed(tmp_path)
    desk = _desk(settings, store)
    buttons = commands.review_buttons(desk, "en", enforcing.show(store, fid))
    assert [b.label for b in buttons][:2] == ["Delete + restrict", "Ban instead"]
    answer, _ = commands.press(desk, _call("button", buttons[0].data))
    assert answer.startswith("Approved by telegram:501 @alice: delete #")
    sent = _send(store, tmp_path / "out.jsonl", settings)
    assert {(a["kind"], a["target"]) for a in sent} >= {("delete", "2"), ("restrict", "666")}
    assert _send(store, tmp_path / "out.jsonl", settings) == sent  # nothing goes out twice
    audit = [(a["who"], a["action"]) for a in store.db["audit"].rows]
    assert ("telegram:501 @alice", "approve:delete") in audit
    assert ("telegram:501 @alice", "approve:restrict") in audit


def test_ban_instead_skips_the_restriction_and_bans_the_account(
    tmp_path: Path, settings: Settings
) -> None:
    store, fid = _replayed(tmp_path)
    answer, _ = commands.press(_desk(settings, store), _call("button", f"ban:{fid}"))
    assert answer.startswith("Approved by telegram:501 @alice: ban #")
    kinds = {a["kind"]: a["status"] for a in store.post_actions("telegram", "2")}
    assert kinds["restrict"] == "skipped" and kinds["ban"] == "planned"
    sent = _send(store, tmp_path / "out.jsonl", settings)
    assert [(a["target"], a["place"]) for a in sent if a["kind"] == "ban"] == [("666", "-100123")]


def test_undo_lifts_a_sent_restriction_once_and_names_who(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, fid = _replayed(tmp_path)
    enforcing.approve_enforcement(store, fid, "hana")
    _send(store, tmp_path / "out.jsonl", settings)
    [restrict] = [a for a in store.post_actions("telegram", "2") if a["kind"] == "restrict"]
    assert restrict["status"] == "sent"
    store.close()
    db = str(tmp_path / "m.db")
    assert main(["review", "undo", str(restrict["id"]), "--who", "hana", "--db", db]) == 0
    assert "unban #" in capsys.readouterr().out
    assert main(["review", "undo", str(restrict["id"]), "--who", "hana", "--db", db]) == 2
    assert "undone already" in capsys.readouterr().err
    store = Store(db)
    sent = _send(store, tmp_path / "out.jsonl", settings)
    assert [(a["kind"], a["target"], a["place"]) for a in sent if a["kind"] == "unban"] == [
        ("unban", "666", "-100123")]
    assert ("hana", "undo:restrict") in [(a["who"], a["action"]) for a in store.db["audit"].rows]


def test_unban_in_telegram_stops_a_held_restriction_and_refuses_other_actions(
    tmp_path: Path, settings: Settings
) -> None:
    store, _ = _replayed(tmp_path)
    desk = _desk(settings, store)
    actions = {a["kind"]: a for a in store.post_actions("telegram", "2")}
    reply = commands.handle(desk, _call("unban", str(actions["restrict"]["id"])))
    assert reply.text.startswith("Undone by telegram:501 @alice: restrict #")
    assert store.db["actions"].get(actions["restrict"]["id"])["status"] == "skipped"
    with pytest.raises(ReviewError, match="only a restrict or ban is undone"):
        enforcing.undo(store, actions["delete"]["id"], "hana")
