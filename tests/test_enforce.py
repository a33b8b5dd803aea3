"""Enforcement planning: delete and restrict an impostor where the policy, the platform and the
bot's rights allow it, never anyone else; the config's checks; a replayed group stream's outbox."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from monitor.cli.entry import main
from monitor.core import config, policy
from monitor.core.enforce import Enforce, parse
from monitor.core.models import Author, Finding, Post
from monitor.replies.guard import Guard
from monitor.replies.templates import Templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "monitor.example.toml"
DELETE_RESTRICT = parse({}, {"impersonation": ("reply", "alert", "report", "delete", "restrict")})


@pytest.fixture
def templates(settings: config.Settings) -> Templates:
    return Templates.load(settings.brand)


def scam_reply(platform: str = "telegram", handle: str = "0kx_support_help", **kw: object) -> Post:
    author = Author(platform, "u666", handle, "OKX Support")
    fields = {"channel": "group", "reply_to": "p1", "place": "-100123"} | kw
    return Post(platform, "p2", author, "DM me, I will fix your withdrawal", **fields)  # type: ignore[arg-type]


def finding(label: str = "fake_support_reply") -> Finding:
    return Finding(
        "impersonation", label, 0.95, "a look-alike account offers support", "impersonation"
    )


def plan(
    post: Post,
    templates: Templates,
    enforce: Enforce = DELETE_RESTRICT,
    found: Finding | None = None,
) -> list:
    actions = policy.plan(post, [found or finding()], templates, enforce)
    guard = Guard(templates.brand)
    for a in actions:  # whatever the policy plans passes the guard
        assert guard.check_action(a, "telegram" if a.kind == "alert" else a.platform) is None, a
    return actions


def test_an_impostor_in_a_group_is_removed_and_restricted_and_the_victim_warned(templates) -> None:
    actions = plan(scam_reply(), templates)
    assert [a.kind for a in actions] == ["delete", "reply", "alert", "report", "restrict"]
    delete, warning, _, _, restrict = actions
    assert (delete.target, delete.place) == ("p2", "-100123")  # the impostor's post
    assert warning.target == "p1"  # the victim's thread
    assert (restrict.target, restrict.place) == ("u666", "-100123")  # the impostor's account
    assert "1440 minutes" in restrict.text


@pytest.mark.parametrize("who", ["staff", "official", "trusted", "warner", "dm"])
def test_nobody_but_the_impostor_is_ever_acted_against(templates, who: str) -> None:
    post, found = scam_reply(), finding()
    if who == "staff":
        post = dataclasses.replace(post, staff=(post.author,))
    elif who == "official":
        post = scam_reply(handle=templates.brand.accounts["telegram"][0])
    elif who == "trusted":
        brand = dataclasses.replace(templates.brand, trusted={"telegram": ("okx_fans_club",)})
        templates = dataclasses.replace(templates, brand=brand)
        post = scam_reply(handle="okx_fans_club")
    elif who == "warner":  # "careful, @0kx_support is a scam": the author names a look-alike
        found = finding("lookalike_mention")
    elif who == "dm":
        post = dataclasses.replace(post, channel="dm")
    kinds = [a.kind for a in policy.plan(post, [found], templates, DELETE_RESTRICT)]
    assert not {"delete", "restrict", "ban"} & set(kinds)


def test_without_the_right_nothing_is_planned_and_the_alert_says_why(templates) -> None:
    post = scam_reply(bot_may=frozenset({"delete"}))
    actions = plan(post, templates)
    assert [a.kind for a in actions] == ["delete", "reply", "alert", "report"]
    alert = next(a for a in actions if a.kind == "alert")
    assert "cannot restrict here: the bot has not the right in this place" in alert.text


def test_on_x_nothing_is_planned_and_the_alert_says_what_to_do_by_hand(templates) -> None:
    actions = plan(scam_reply("twitter", place=""), templates)
    assert [a.kind for a in actions] == ["reply", "alert", "report"]
    alert = next(a for a in actions if a.kind == "alert")
    assert "block and report it on X by hand" in alert.text


def test_a_ban_covers_a_restriction(templates) -> None:
    enforce = parse({}, {"impersonation": ("delete", "restrict", "ban")})
    assert [a.kind for a in plan(scam_reply(), templates, enforce)][-1:] == ["ban"]
    assert "restrict" not in [a.kind for a in plan(scam_reply(), templates, enforce)]


def test_a_leak_is_deleted_but_its_author_never_restricted(templates) -> None:
    leak = Finding("secret_leak", "seed_phrase", 0.99, "12 words", "secrets", "fp")
    post = scam_reply(handle="alice")
    kinds = [a.kind for a in policy.plan(post, [leak], templates, DELETE_RESTRICT)]
    assert "delete" in kinds and not {"restrict", "ban"} & set(kinds)


def test_the_default_policy_plans_no_enforcement(templates) -> None:
    kinds = [a.kind for a in plan(scam_reply(), templates, Enforce())]
    assert kinds == ["reply", "alert", "report"]


def _config(tmp_path: Path, extra: str) -> Path:
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace('phishing_list = "impersonation/', f'phishing_list = "{ROOT}/data/impersonation/')
        .replace('allow_list = "impersonation/', f'allow_list = "{ROOT}/data/impersonation/')
    )
    path = tmp_path / "monitor.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            '[policy]\nsecret_leak = ["delete", "restrict"]\n',
            "'policy.secret_leak' may not list 'restrict'",
        ),
        (
            '[policy]\nsupport_request = ["reply", "delete"]\n',
            "'policy.support_request' may not list 'delete'",
        ),
        ('[policy]\nimpersonation = ["unban"]\n', "'policy.impersonation' may not list 'unban'"),
        (
            '[enforce]\ntwitter = ["ban"]\n',
            "'enforce.twitter' lists 'ban', which the platform lets no bot do",
        ),
        ('[enforce]\ntelegram = ["mute"]\n', "'enforce.telegram' has unknown action 'mute'"),
        ("[enforce]\nrestrict_minutes = 0\n", "'enforce.restrict_minutes' must be between 1"),
    ],
)
def test_a_wrong_enforcement_config_names_the_key(tmp_path: Path, table: str, words: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for name in ("[policy]", "[enforce]"):  # the test's table replaces the example's
        if name in table:
            start = text.index(name)
            end = text.index("\n\n", start)
            text = text[:start] + text[end + 2 :]
    path = tmp_path / "monitor.toml"
    path.write_text(
        text.replace('"impersonation/', f'"{ROOT}/data/impersonation/') + "\n" + table,
        encoding="utf-8",
    )
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    assert words in str(err.value) and str(path) in str(err.value)


def test_restrict_has_its_own_mode(settings: config.Settings) -> None:
    modes = policy.Modes(settings.modes, settings.policy)
    plan_ = policy.plan(scam_reply(), [finding()], Templates.load(settings.brand), settings.enforce)
    auto = policy.Modes({**settings.modes, "impersonation": "auto"}, settings.policy)
    statuses = {a.kind: auto.first_status(a) for a in plan_}
    assert (
        statuses["delete"] == "planned" and statuses["restrict"] == "held"
    )  # example: restrict = review
    assert modes.first_status(next(a for a in plan_ if a.kind == "delete")) == "held"


def line(
    pid: str, handle: str, text: str, uid: str, reply_to: str | None = None, **kw: object
) -> str:
    post = {
        "id": pid,
        "platform": "telegram",
        "channel": "group",
        "place": "-100123",
        "text": text,
        "author": {"id": uid, "handle": handle},
        "reply_to": reply_to,
    } | kw
    return json.dumps(post, ensure_ascii=False)


def test_a_replayed_group_stream_shows_the_enforcement_in_the_outbox(tmp_path: Path) -> None:
    staff = {"id": "900", "handle": "group_admin"}
    stream = [
        line("1", "danny", "my withdrawal has been pending for 2 days, can someone help?", "101"),
        line(
            "2",
            "OKXSupport_Admin",
            "Hello Danny, I'm one of the admins here. Please DM me your UID "
            "and the email on your account so I can fix it",
            "666",
            reply_to="1",
        ),
        line(
            "3",
            "okx_helpdesk_live",
            "@danny contact our agent on WhatsApp +1 555 0147 for fast withdrawal recovery",
            "667",
            reply_to="1",
        ),
        line(
            "4",
            "mia",
            "careful @danny, @OKXSupport_Admin is not staff, never DM anyone",
            "102",
            reply_to="1",
        ),
        line(
            "5",
            "group_admin",
            "@danny please use the live chat at okx.com/help, we never DM first",
            "900",
            reply_to="1",
            staff=[staff],
        ),
        line(
            "6",
            "OKXOfficial_English",
            "Withdrawals are back to normal, thanks for your patience",
            "1",
        ),
    ]
    replay, outbox = tmp_path / "group.jsonl", tmp_path / "outbox.jsonl"
    replay.write_text("\n".join(stream) + "\n", encoding="utf-8")
    cfg = _config(tmp_path, "")
    text = cfg.read_text(encoding="utf-8").replace(
        'impersonation = "review"', 'impersonation = "auto"'
    )
    cfg.write_text(text.replace('restrict = "review"', 'restrict = "auto"'), encoding="utf-8")
    assert (
        main(
            [
                "run",
                "--config",
                str(cfg),
                "--replay",
                str(replay),
                "--db",
                str(tmp_path / "m.db"),
                "--outbox",
                str(outbox),
            ]
        )
        == 0
    )
    sent = [json.loads(x) for x in outbox.read_text(encoding="utf-8").splitlines()]
    enforced = {
        (a["kind"], a["target"]) for a in sent if a["kind"] in ("delete", "restrict", "ban")
    }
    assert enforced == {("delete", "2"), ("restrict", "666"), ("delete", "3"), ("restrict", "667")}
    assert all(a["place"] == "-100123" for a in sent if a["kind"] in ("delete", "restrict"))
