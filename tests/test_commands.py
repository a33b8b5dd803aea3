"""Command handlers over a real store: who may do what, the answers in EN and ZH, the audit log,
buttons."""

from __future__ import annotations

import dataclasses
import json
import logging
import tomllib
from pathlib import Path

import pytest
from flagged_items import add, finding, sample
from mnemonic import Mnemonic

from monitor.core.config import Settings
from monitor.core.hostlists import ListFile, load
from monitor.desk import command_handlers as commands
from monitor.desk.command_handlers import Call, Desk
from monitor.store import Store
from monitor.store.switches import muted, paused

ADMIN, USER, ADMIN_CHAT, OTHER_GROUP = 11, 12, -100999, -100500
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
USER_SET = ["/start", "/help", "/support", "/verify", "/report"]
MANAGER_SET = [
    "/flags",
    "/show",
    "/approve",
    "/unban",
    "/dismiss",
    "/resolve",
    "/stats",
    "/pause",
    "/resume",
    "/mute",
    "/unmute",
    "/block",
    "/allow",
    "/flag",
]


def _desk(settings: Settings, store: Store) -> Desk:
    """The desk for the example brand with one admin and the admins' chat."""
    desk = Desk.from_settings(settings, store)
    return dataclasses.replace(desk, admins=frozenset({ADMIN}), admin_chat_id=ADMIN_CHAT)


def _call(
    command: str, args: str = "", user: int = ADMIN, chat: int | None = None, lang: str = "en"
) -> Call:
    """A command from `user`, in their private chat unless another chat is given."""
    chat = user if chat is None else chat
    return Call(
        command,
        args,
        user,
        chat,
        chat == user,
        lang,
        "alice" if user == ADMIN else "mallory",
        "501",
    )


def _commands_listed(text: str) -> list[str]:
    """The commands a /help answer lists, in order."""
    return [line.split()[0] for line in text.splitlines() if line.startswith("/")]


def test_help_lists_exactly_the_commands_the_caller_may_use(settings: Settings) -> None:
    desk = _desk(settings, Store(":memory:"))
    manager = USER_SET + MANAGER_SET
    assert _commands_listed(commands.handle(desk, _call("help")).text) == manager
    assert _commands_listed(commands.handle(desk, _call("help", chat=ADMIN_CHAT)).text) == manager
    assert _commands_listed(commands.handle(desk, _call("help", chat=OTHER_GROUP)).text) == USER_SET
    assert _commands_listed(commands.handle(desk, _call("help", user=USER)).text) == USER_SET
    assert (
        _commands_listed(commands.handle(desk, _call("help", user=USER, chat=ADMIN_CHAT)).text)
        == USER_SET
    )
    assert "管理员命令" in commands.handle(desk, _call("help", lang="zh")).text


@pytest.mark.parametrize("command", commands.MANAGER_COMMANDS)
def test_anyone_else_is_refused_each_manager_command_and_it_is_audited(
    settings: Settings, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(":memory:")
    desk = _desk(settings, store)
    caplog.set_level(logging.WARNING)
    for call in (_call(command, "1", user=USER), _call(command, "1", user=USER, chat=ADMIN_CHAT),
                 _call(command, "1", chat=OTHER_GROUP)):  # an admin, but in a public group
        assert (
            commands.handle(desk, call).text
            == "Sorry, this command is only for the OKX support managers."
        )
    audit = list(store.db["audit"].rows)
    assert [a["action"] for a in audit] == [f"refused:/{command}"] * 3
    assert [json.loads(a["detail"]) for a in audit] == [
        {"chat": USER},
        {"chat": ADMIN_CHAT},
        {"chat": OTHER_GROUP},
    ]
    assert not paused(store)
    assert (
        len([r for r in caplog.records if f"refused /{command} from user" in r.getMessage()]) == 3
    )


def test_support_gives_the_official_channels_in_the_callers_language(settings: Settings) -> None:
    desk = _desk(settings, Store(":memory:"))
    en = commands.handle(desk, _call("support", user=USER)).text
    zh = commands.handle(desk, _call("support", user=USER, lang="zh")).text
    for text in (en, zh):
        assert settings.brand.live_chat_url in text and settings.brand.ticket_url in text
        assert "@OKXOfficial_English" in text and "support@okx.com" in text
    assert "Live chat" in en and "在线客服" in zh


def test_the_callers_language() -> None:
    assert commands.call_language("zh-hans", "/help") == "zh"
    assert commands.call_language("en", "/verify 这是官方的吗") == "zh"
    assert commands.call_language(None, "/help") == commands.call_language("de", "/help") == "en"


def test_verify_says_official_or_why_it_looks_like_it(settings: Settings) -> None:
    desk = _desk(settings, Store(":memory:"))
    official = commands.handle(desk, _call("verify", "@OKXHelpDesk", user=USER)).text
    assert official.startswith("OFFICIAL: OKXHelpDesk")
    fake = commands.handle(desk, _call("verify", "@0kx_support", user=USER)).text
    assert (
        fake.startswith("SUSPICIOUS")
        and "0→o" in fake
        and "is not an official OKX account" in fake
    )
    link = commands.handle(
        desk, _call("verify", "https://okx.com.verify-login.io/login", user=USER)
    ).text
    assert "verify-login[.]io" in link and "verify-login.io" not in link  # not clickable
    zh = commands.handle(desk, _call("verify", "@0kx_support", user=USER, lang="zh")).text
    assert zh.startswith("可疑")
    assert "Send /verify followed by" in commands.handle(desk, _call("verify", user=USER)).text


def test_verify_answers_a_question_item_by_item(settings: Settings) -> None:
    desk = _desk(settings, Store(":memory:"))
    text = commands.handle(
        desk, _call("verify", "is @OKXHelpDesk or @0kx_support the real one?", user=USER)
    ).text
    first, second = text.split("\n\n")
    assert first.startswith("OFFICIAL: OKXHelpDesk") and "use only" not in first
    assert second.startswith("SUSPICIOUS") and "0kx_support" in second and second.endswith(
        f"use only {settings.brand.live_chat_url}.")


def test_verify_never_echoes_a_secret(settings: Settings) -> None:
    store = Store(":memory:")
    reply = commands.handle(
        _desk(settings, store), _call("verify", f"is this ok {PHRASE}", user=USER, chat=OTHER_GROUP)
    )
    assert "seed phrase" in reply.text and PHRASE.split()[2] not in reply.text
    assert reply.delete_command  # said in a group: the message should go
    assert store.db["posts"].count == 0


def test_report_records_a_flag_for_review_and_an_alert(settings: Settings) -> None:
    store = Store(":memory:")
    desk = _desk(settings, store)
    reply = commands.handle(
        desk, _call("report", "@0kx_helpdesk please check", user=USER, chat=OTHER_GROUP)
    )
    assert "ref 501" in reply.text and not reply.delete_command
    post = store.post("telegram", "report:501")
    assert (post["text"], post["author_id"], post["channel"]) == (
        "@0kx_helpdesk please check",
        str(USER),
        "group",
    )
    [finding] = store.post_findings("telegram", "report:501")
    assert (finding["kind"], finding["label"], finding["detector"], finding["status"]) == \
        ("impersonation", "user_report", "user_report", "new")
    assert "suspicious look-alike" in finding["evidence"]
    [alert] = store.post_actions("telegram", "report:501")
    assert (alert["kind"], alert["status"]) == ("alert", "planned")
    commands.handle(
        desk, _call("report", "@0kx_helpdesk please check", user=USER, chat=OTHER_GROUP)
    )
    assert store.db["findings"].count == 1  # the same update delivered again adds nothing


def test_a_secret_in_a_report_gets_a_warning_and_is_stored_redacted(settings: Settings) -> None:
    store = Store(":memory:")
    reply = commands.handle(
        _desk(settings, store),
        _call("report", f"he asked for {PHRASE}", user=USER, chat=OTHER_GROUP, lang="zh"),
    )
    assert "助记词" in reply.text and reply.delete_command
    dump = json.dumps([list(store.db[t].rows) for t in store.db.table_names()], ensure_ascii=False)
    assert PHRASE.split()[2] not in dump and "seed phrase removed" in dump


def test_flags_show_and_decisions(settings: Settings, tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    desk = _desk(settings, store)
    flags = commands.handle(desk, _call("flags", chat=ADMIN_CHAT)).text
    assert (
        flags.startswith("6 waiting for review")
        and f"#{ids['imp'][0]} impersonation/handle" in flags
    )
    held = [a["id"] for a in store.post_actions("twitter", "1") if a["status"] == "held"]
    assert f"held: #{held[0]} reply, #{held[1]} report" in flags
    leaks = commands.handle(desk, _call("flags", "leak 1")).text
    assert leaks.count("\n#") == 1 and "secret_leak" in leaks and "impersonation" not in leaks
    assert "kind: leak" in commands.handle(desk, _call("flags", "bogus")).text
    show = commands.handle(desk, _call("show", str(ids["imp"][0])))
    assert f"finding {ids['imp'][0]}: impersonation/handle" in show.text
    assert [b.data for b in show.buttons] == [
        f"approve:{ids['imp'][0]}:{held[0]}",
        f"approve:{ids['imp'][0]}:{held[1]}",
        f"dismiss:{ids['imp'][0]}",
    ]
    assert (
        commands.handle(desk, _call("show", "999")).text
        == "Could not do that: no finding with id 999"
    )
    assert commands.handle(desk, _call("resolve", str(ids["leak"][0]))).text.startswith(
        f"Flag #{ids['leak'][0]} is now resolved")
    commands.handle(desk, _call("dismiss", str(ids["support"][0])))
    assert store.post_actions("reddit", "3")[0]["status"] == "skipped"
    approved = commands.handle(desk, _call("approve", str(held[0]))).text
    assert (
        approved
        == f"Approved by telegram:{ADMIN} @alice: reply #{held[0]} goes out within seconds."
    )
    assert "not held" in commands.handle(desk, _call("approve", str(held[0]))).text
    assert (
        commands.handle(desk, _call("approve", "x")).text
        == "/approve needs a number, e.g. /approve 12"
    )
    actions = [a["action"] for a in store.db["audit"].rows]
    assert (
        actions.count("/approve") == 3
        and "review:resolved" in actions
        and "approve:reply" in actions
    )


def test_stats_pause_resume_mute_unmute(settings: Settings, tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    desk = _desk(settings, store)
    commands.handle(desk, _call("dismiss", str(ids["evil"][0])))
    assert "paused by" in commands.handle(desk, _call("pause")).text and paused(store)
    assert "reddit muted" in commands.handle(desk, _call("mute", "reddit")).text and muted(
        store, "reddit"
    )
    assert "needs a platform" in commands.handle(desk, _call("mute", "myspace")).text
    stats = commands.handle(desk, _call("stats", "7d")).text
    assert "impersonation: 2 flagged (1 new)" in stats
    assert "impersonation: 0 confirmed, 1 dismissed, precision 0.00" in stats
    assert "Sending: paused; muted on reddit" in stats
    assert commands.handle(desk, _call("stats", "forever")).text == "Use /stats 24h or /stats 7d."
    commands.handle(desk, _call("resume"))
    commands.handle(desk, _call("unmute", "reddit"))
    assert not paused(store) and not muted(store, "reddit")
    assert "Sending: on" in commands.handle(desk, _call("stats")).text
    assert "发送状态：正常" in commands.handle(desk, _call("stats", lang="zh")).text


def test_buttons_approve_and_dismiss_only_for_managers(settings: Settings, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    store, ids = sample(tmp_path / "m.db")
    desk = _desk(settings, store)
    fid = ids["imp"][0]
    reply_id, report_id = [
        a["id"] for a in store.post_actions("twitter", "1") if a["status"] == "held"
    ]
    caplog.set_level(logging.WARNING)
    answer, buttons = commands.press(
        desk, _call("button", f"approve:{fid}:{reply_id}", user=USER, chat=ADMIN_CHAT)
    )
    assert answer == "Only the support managers can use these buttons." and buttons is None
    assert "refused button from user 12" in caplog.text
    answer, buttons = commands.press(
        desk, _call("button", f"approve:{fid}:{reply_id}", chat=ADMIN_CHAT)
    )
    assert answer.startswith(f"Approved by telegram:{ADMIN} @alice: reply #{reply_id}")
    assert [b.data for b in buttons or ()] == [f"approve:{fid}:{report_id}", f"dismiss:{fid}"]
    answer, _ = commands.press(desk, _call("button", f"approve:{fid}:{reply_id}", chat=ADMIN_CHAT))
    assert answer == "Already handled."
    answer, buttons = commands.press(desk, _call("button", f"dismiss:{fid}", chat=ADMIN_CHAT))
    assert "false_positive" in answer and buttons == ()
    statuses = {a["kind"]: a["status"] for a in store.post_actions("twitter", "1")}
    assert statuses == {"reply": "planned", "alert": "sent", "report": "skipped"}
    assert (
        commands.press(desk, _call("button", "nonsense", chat=ADMIN_CHAT))[0] == "Already handled."
    )
    audit = [a["action"] for a in store.db["audit"].rows]
    assert audit.count("refused:button") == 1 and audit.count("button:approve") == 2
    assert "button:dismiss" in audit


def test_dismissing_an_alert_dismisses_every_finding_it_spoke_for(
    settings: Settings, tmp_path: Path
) -> None:
    store, ids = sample(tmp_path / "m.db")
    desk = _desk(settings, store)
    buttons = commands.alert_buttons(desk, "discord", "4", "secret_leak: password, api_key")
    assert [b.data for b in buttons][-1] == f"dismiss:{ids['two'][0]}"
    commands.press(desk, _call("button", buttons[-1].data, chat=ADMIN_CHAT))
    assert {f["status"] for f in store.post_findings("discord", "4")} == {"false_positive"}
    assert store.post_actions("discord", "4")[0]["status"] == "skipped"
    assert commands.alert_buttons(desk, "twitter", "2", "secret_leak: password") == ()


def test_english_and_chinese_texts_have_the_same_keys() -> None:
    tables = {lang: tomllib.loads((commands.TEXT_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
              for lang in commands.LANGUAGES}
    for table in ("usage", "text", "secrets"):
        assert set(tables["en"][table]) == set(tables["zh"][table]), table
    assert set(tables["en"]["usage"]) == {*commands.USER_COMMANDS, *commands.MANAGER_COMMANDS,
                                          *commands.GROUP_COMMANDS}


def test_an_unknown_command_points_to_help(settings: Settings) -> None:
    desk = _desk(settings, Store(":memory:"))
    assert (
        commands.handle(desk, _call("frobnicate", user=USER)).text
        == "Unknown command. Send /help for the list."
    )


def test_dismiss_allow_puts_the_flags_lookalike_links_on_the_allow_list(
    settings: Settings, tmp_path: Path
) -> None:
    store, _ = sample(tmp_path / "m.db")
    (tmp_path / "phish.txt").write_text("okx-claim.example\n", encoding="utf-8")
    allowed = tmp_path / "allowed.txt"
    desk = dataclasses.replace(_desk(settings, store), phishing=ListFile(tmp_path / "phish.txt"),
                               allowed=ListFile(allowed, every=0), own_lists=True)
    [fan] = add(
        store,
        "10",
        [finding("impersonation", "phishing_link")],
        [("alert", "sent")],
        "fee table at https://okx-fans.example/fees and https://okx-claim.example/x",
        platform="telegram",
    )
    assert "SUSPICIOUS" in commands.handle(desk, _call("verify", "okx-fans.example")).text
    answer = commands.handle(desk, _call("dismiss", f"{fan} allow")).text
    assert answer.splitlines() == [
        f"Flag #{fan} is now false_positive (by telegram:{ADMIN} @alice).",
        "On the allow list now, never flagged as look-alikes again: okx-fans[.]example",  # defanged
        "Not allowed: okx-claim[.]example is on the phishing list. Take it off that list first."]
    assert load(allowed) == {"okx-fans.example"}
    assert "NOT OFFICIAL" in commands.handle(desk, _call("verify", "okx-fans.example")).text
    [leak] = add(
        store,
        "11",
        [finding("secret_leak", "password")],
        [],
        "pw at okx-fees.example",
        platform="telegram",
    )
    assert commands.handle(desk, _call("dismiss", f"{leak} allow", lang="zh")).text.endswith(
        "此标记中没有可加入白名单的仿冒链接。")
    assert load(allowed) == {"okx-fans.example"}  # a leak's dismissal says nothing of its links
    no_list = dataclasses.replace(desk, allowed=ListFile(None))
    assert commands.handle(no_list, _call("dismiss", f"{fan} allow")).text == (
        "No allow list is configured: set [monitor] allow_list first.")
    assert "/dismiss needs a number" in commands.handle(desk, _call("dismiss", "x allow")).text
    unwritable = dataclasses.replace(
        desk, allowed=ListFile(tmp_path / "no" / "such" / "allowed.txt")
    )
    assert (
        commands.handle(unwritable, _call("dismiss", f"{fan} allow")).text.splitlines()
        == [
            # the dismissal stands: both said
            f"Flag #{fan} is now false_positive (by telegram:{ADMIN} @alice).",
            (f"Could not do that: {tmp_path}/no/such/allowed.txt: cannot write the allow list "
             "(No such file or directory)"),
        ]
    )


def test_block_and_allow_change_the_lists_for_managers_only(
    settings: Settings, tmp_path: Path
) -> None:
    store = Store(tmp_path / "m.db")
    phish, allowed = tmp_path / "phish.txt", tmp_path / "allowed.txt"
    desk = dataclasses.replace(_desk(settings, store), phishing=ListFile(phish, every=0),
                               allowed=ListFile(allowed, every=0), own_lists=True)
    assert "SUSPICIOUS" not in commands.handle(desk, _call("verify", "claim-bonus.example")).text
    answer = commands.handle(
        desk, _call("block", "https://claim-bonus.example/x okx-gift.example")
    ).text
    assert answer == ("On the phishing list now; posts linking to it flag within a second: "
                      "claim-bonus[.]example, okx-gift[.]example")
    assert load(phish) == {"claim-bonus.example", "okx-gift.example"}
    assert commands.handle(desk, _call("verify", "claim-bonus.example")).text.startswith(
        "SUSPICIOUS"
    )
    assert commands.handle(desk, _call("allow", "okx-fans.example", lang="zh")).text == (
        "已加入白名单，今后不再标记为仿冒：okx-fans[.]example")
    both = commands.handle(desk, _call("allow", "okx-gift.example")).text.splitlines()
    assert (
        both[1]
        == "Also on the other list; the phishing list wins, so still flagged: okx-gift[.]example"
    )
    assert (
        commands.handle(desk, _call("block", "not a domain")).text
        == "Not a domain or link: not, a, domain"
    )
    assert commands.handle(desk, _call("block")).text.startswith("/block <domain or link>")
    assert commands.handle(desk, _call("block", "x.example", user=USER)).text == (
        "Sorry, this command is only for the OKX support managers.")
    # the example config's lists are never changed
    bundled = dataclasses.replace(desk, own_lists=False)
    assert "bundled example" in commands.handle(bundled, _call("block", "x.example")).text
    assert load(phish) == {"claim-bonus.example", "okx-gift.example"}
    audit = [(a["action"], json.loads(a["detail"])["result"]) for a in store.db["audit"].rows
             if a["action"] != "refused:/block"]
    assert audit[:2] == [("/block", "ok"), ("/allow", "ok")]
