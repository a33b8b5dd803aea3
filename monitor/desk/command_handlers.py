"""Command handlers: plain functions over the store, (desk, call) -> reply text and buttons;
Telegram (desk.telegram_commands) and Discord's slash commands (desk.discord_commands) call them."""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.classify import (
    Verdict,
    find_secrets,
    language,
    on_list,
    redact,
    strip_invisible,
    verify_text,
    worst,
)
from monitor.core.config import Settings, is_bundled
from monitor.core.hostlists import ListFile, add_domains, clean_domain
from monitor.core.hostlists import load as load_list
from monitor.core.models import PLATFORMS, Author, Brand, Finding, Post, reason_kind
from monitor.core.policy import alert
from monitor.desk import enforcing, review
from monitor.desk.allowing import AllowTarget, allow_links
from monitor.replies.guard import defang
from monitor.resources import data_path
from monitor.store import Store
from monitor.store.switches import held_back, muted_platforms, paused, set_muted, set_paused

log = logging.getLogger("monitor.commands")
TEXT_DIR = data_path("commands")
LANGUAGES = ("en", "zh")
USER_COMMANDS = ("start", "help", "support", "verify", "report")
MANAGER_COMMANDS = (
    "flags",
    "show",
    "approve",
    "unban",
    "dismiss",
    "resolve",
    "stats",
    "pause",
    "resume",
    "mute",
    "unmute",
    "block",
    "allow",
)
# Manager commands answered wherever a manager writes them: they reply to a group's message.
GROUP_COMMANDS = ("flag",)
KINDS = {
    "leak": "secret_leak",
    "leaks": "secret_leak",
    "secret": "secret_leak",
    "secret_leak": "secret_leak",
    "impersonation": "impersonation",
    "impostor": "impersonation",
    "imp": "impersonation",
    "support": "support_request",
    "support_request": "support_request",
}
DEFAULT_FLAGS, MAX_FLAGS = 10, 20
MAX_ARG = 300  # longest /verify or /report argument looked at; longer text is cut
MAX_MESSAGE = 4096  # Telegram's message limit
REPORT_SCORE = 0.5  # a user's report is a claim to check, not a detection
_SPAN = re.compile(r"^\d{1,3}[hdw]$")


class CommandError(ValueError):
    """A command that cannot run as given; the message is the reply, already in the caller's
    language."""


@dataclass(frozen=True, slots=True)
class Call:
    """One command (or button press) as a user sent it, on Telegram or (slash commands) Discord."""

    command: str
    args: str
    user_id: int
    chat_id: int
    private: bool
    lang: str = "en"
    username: str = ""
    ref: str = ""  # the update id: names the record a /report makes, so a redelivery adds nothing
    platform: str = "telegram"  # or "discord", whose ref is the interaction id
    reply_to: str = ""  # the post id of the message the command answers (Telegram: CHAT:MESSAGE)

    @property
    def who(self) -> str:
        """The caller as the audit log and review decisions name them."""
        return f"{self.platform}:{self.user_id}" + (f" @{self.username}" if self.username else "")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: its label and the callback data Telegram hands back when pressed."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers; `delete_command` asks to delete the command message (a secret in a
    group)."""

    text: str
    buttons: tuple[Button, ...] = ()
    delete_command: bool = False


@dataclass(frozen=True, slots=True)
class Texts:
    """The command texts per language, from data/commands/<lang>.toml, filled with brand facts."""

    tables: dict[str, dict[str, dict[str, str]]]
    brand: Brand

    @classmethod
    def load(cls, brand: Brand, directory: Path = TEXT_DIR) -> Texts:
        """Read every language's file; a malformed one is named."""
        tables = {}
        for lang in LANGUAGES:
            path = directory / f"{lang}.toml"
            try:
                tables[lang] = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ValueError(f"{path}: cannot read command texts: {exc}") from None
        return cls(tables, brand)

    def get(self, lang: str, key: str, **fields: object) -> str:
        """One text in `lang` (English when it lacks one), with its placeholders filled."""
        return self._fill(self._find(lang, "text", key), fields)

    def usage(self, lang: str, command: str) -> str:
        """The /help line of one command."""
        return self._fill(self._find(lang, "usage", command), {})

    def secret(self, lang: str, label: str) -> str:
        """A secret type in words, e.g. seed phrase."""
        return self._find(lang, "secrets", label)

    def _find(self, lang: str, table: str, key: str) -> str:
        """The raw text, falling back to English."""
        return self.tables.get(lang, {}).get(table, {}).get(key) or self.tables["en"][table][key]

    def _fill(self, text: str, fields: dict[str, object]) -> str:
        """Brand facts and `fields` put into the placeholders."""
        b = self.brand
        facts = {
            "brand": b.name,
            "live_chat_url": b.live_chat_url,
            "ticket_url": b.ticket_url,
            "help_center_url": b.help_center_url or b.live_chat_url,
            "support_email": b.support_email,
        }
        return text.format_map({**facts, **fields})


@dataclass
class Desk:
    """What the handlers work on: the store, the brand, the texts and who the managers are."""

    store: Store
    brand: Brand
    texts: Texts
    admins: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    phishing: ListFile = field(default_factory=lambda: ListFile(None))
    # look-alike hosts found legitimate
    allowed: ListFile = field(default_factory=lambda: ListFile(None))
    own_lists: bool = False  # the lists may be changed: they are not the bundled example config's

    @classmethod
    def from_settings(cls, settings: Settings, store: Store) -> Desk:
        """The desk for these settings: [telegram] admins and admin_chat_id, the host lists."""
        cfg = settings.platforms.get("telegram", {})
        return cls(
            store,
            settings.brand,
            Texts.load(settings.brand),
            frozenset(cfg.get("admins", ())),
            cfg.get("admin_chat_id"),
            ListFile(settings.phishing_list),
            ListFile(settings.allow_list),
            not is_bundled(settings),
        )

    def say(self, call: Call, key: str, **fields: object) -> str:
        """A text in the caller's language."""
        return self.texts.get(call.lang, key, **fields)

    def may_manage(self, call: Call) -> bool:
        """A manager command is allowed to an admin, in the admins' chat or a private chat with the
        bot."""
        return call.user_id in self.admins and (call.private or call.chat_id == self.admin_chat_id)

    def may_flag(self, call: Call) -> bool:
        """A group command (/flag) is allowed to an admin in any chat: it answers a message
        there."""
        return call.user_id in self.admins


def call_language(language_code: str | None, text: str) -> str:
    """Chinese when the user's Telegram language is Chinese or the command text holds Chinese."""
    if (language_code or "").lower().startswith("zh") or language(text) == "zh":
        return "zh"
    return "en"


# -- dispatch ---------------------------------------------------------------------------------


def handle(desk: Desk, call: Call) -> Reply:
    """The reply to one command; manager commands are checked, audited and refused to others."""
    if call.command in MANAGER_COMMANDS or call.command in GROUP_COMMANDS:
        return _managed(desk, call)
    handler = USER_HANDLERS.get(call.command)
    return handler(desk, call) if handler else Reply(desk.say(call, "unknown"))


def _managed(desk: Desk, call: Call) -> Reply:
    """Run a manager command for a manager; anyone else is refused. Both go to the audit log."""
    allowed = desk.may_flag if call.command in GROUP_COMMANDS else desk.may_manage
    if not allowed(call):
        _refuse(desk, call, f"/{call.command}")
        return Reply(desk.say(call, "refused"))
    try:
        reply, outcome = MANAGER_HANDLERS[call.command](desk, call), "ok"
    except CommandError as exc:
        reply, outcome = Reply(str(exc)), "error"
    except review.ReviewError as exc:
        reply, outcome = Reply(desk.say(call, "failed", error=exc)), "error"
    desk.store.audit(
        call.who,
        f"/{call.command}",
        {"chat": call.chat_id, "args": _safe(call.args), "result": outcome},
    )
    return reply


def _refuse(desk: Desk, call: Call, what: str) -> None:
    """One log line and an audit entry for a refused attempt; never the message text."""
    log.warning(
        "%s: refused %s from user %d in chat %d (not a manager here)",
        call.platform,
        what,
        call.user_id,
        call.chat_id,
    )
    desk.store.audit(call.who, f"refused:{what}", {"chat": call.chat_id})


def _safe(text: str) -> str:
    """Command arguments fit for the audit log: secrets redacted, short."""
    clean = strip_invisible(text)[:MAX_ARG]
    return redact(clean, find_secrets(clean))[:100]


# -- user commands ----------------------------------------------------------------------------


def cmd_start(desk: Desk, call: Call) -> Reply:
    """What the bot does and where official support is."""
    return Reply(desk.say(call, "welcome"))


def cmd_help(desk: Desk, call: Call) -> Reply:
    """Exactly the commands this caller may use here."""
    lines = [desk.say(call, "help_user"), *(desk.texts.usage(call.lang, c) for c in USER_COMMANDS)]
    if desk.may_manage(call):
        lines += [
            "",
            desk.say(call, "help_manager"),
            *(desk.texts.usage(call.lang, c) for c in (*MANAGER_COMMANDS, *GROUP_COMMANDS)),
        ]
    return Reply("\n".join(lines))


def cmd_support(desk: Desk, call: Call) -> Reply:
    """The official channels, in the caller's language."""
    b = desk.brand
    email = desk.say(call, "support_email") if b.support_email else ""
    handles = [
        f"{p}: " + ", ".join(f"@{h}" for h in hs) for p, hs in sorted(b.accounts.items()) if hs
    ]
    accounts = desk.say(call, "support_accounts", accounts="; ".join(handles)) if handles else ""
    return Reply(desk.say(call, "support", email=email, accounts=accounts))


def cmd_verify(desk: Desk, call: Call) -> Reply:
    """Is this handle or link official? If not, why it looks like it."""
    target = _target(call)
    if not target:
        return Reply(desk.say(call, "verify_usage"))
    if warning := _secret_warning(desk, call):
        return warning
    verdicts = verify_text(
        target, desk.brand, None, desk.phishing.domains(), desk.allowed.domains()
    )
    blocks = [
        "\n".join([f"{_headline(desk, call, v)}: {v.target}", *(f"- {r}" for r in v.reasons)])
        for v in verdicts
    ]
    if not all(v.official for v in verdicts):
        blocks[-1] += "\n" + desk.say(call, "verify_tail")
    return Reply(defang("\n\n".join(blocks), desk.brand.domains))


def cmd_report(desk: Desk, call: Call) -> Reply:
    """Record a user's report as a flag for review (secrets redacted first) and alert the
    managers."""
    target = _target(call)
    if not target:
        return Reply(desk.say(call, "report_usage"))
    text = redact(target, find_secrets(target))
    record_report(desk, call, text)
    thanks = desk.say(call, "report_thanks", ref=call.ref)
    if warning := _secret_warning(desk, call):
        return Reply(f"{warning.text}\n\n{thanks}", delete_command=warning.delete_command)
    return Reply(thanks)


def record_report(desk: Desk, call: Call, text: str) -> bool:
    """A user report as a synthetic post with an impersonation finding and a managers' alert; False
    if seen."""
    author = Author(call.platform, str(call.user_id), call.username or str(call.user_id))
    post = Post(
        call.platform, f"report:{call.ref}", author, text, "dm" if call.private else "group"
    )
    verdict = worst(
        verify_text(text, desk.brand, None, desk.phishing.domains(), desk.allowed.domains())
    )
    check = (
        "official"
        if verdict.official
        else "suspicious look-alike"
        if verdict.suspicious
        else "not official"
    )
    evidence = defang(
        f"reported by a user: {review.plain(text, 200)} (verify: {check})", desk.brand.domains
    )
    finding = Finding("impersonation", "user_report", REPORT_SCORE, evidence, "user_report")
    notice = alert(post, [finding], "impersonation: user_report", desk.brand)
    return desk.store.record(post, [finding], [notice], ["planned"], language(text))


def _target(call: Call) -> str:
    """The argument of /verify or /report on one line, without invisible characters, bounded."""
    return " ".join(strip_invisible(call.args).split())[:MAX_ARG]


def _secret_warning(desk: Desk, call: Call) -> Reply | None:
    """A warning (never echoing it) when the argument holds a secret; in a group its message should
    go."""
    found = find_secrets(_target(call))
    if not found:
        return None
    what = ", ".join(dict.fromkeys(desk.texts.secret(call.lang, m.label) for m in found))
    return Reply(desk.say(call, "secret_warning", what=what), delete_command=not call.private)


def _headline(desk: Desk, call: Call, verdict: Verdict) -> str:
    """OFFICIAL, SUSPICIOUS or NOT OFFICIAL in the caller's language."""
    key = "official" if verdict.official else "suspicious" if verdict.suspicious else "not_official"
    return desk.say(call, key)


# -- manager commands -------------------------------------------------------------------------


def cmd_flags(desk: Desk, call: Call) -> Reply:
    """The newest new flags, optionally of one kind, at most n."""
    kind, limit = None, DEFAULT_FLAGS
    for word in call.args.split():
        if word.isdigit():
            limit = max(1, min(int(word), MAX_FLAGS))
        elif word.lower() in KINDS:
            kind = KINDS[word.lower()]
        else:
            raise CommandError(desk.texts.usage(call.lang, "flags"))
    rows = review.queue(desk.store, ("new",), kind, limit=limit)
    if not rows:
        return Reply(desk.say(call, "no_flags"))
    lines = [desk.say(call, "flags_head", count=len(rows))]
    for row in rows:
        lines += _flag_lines(desk, call, row)
    return Reply(_fit(defang("\n".join(lines), desk.brand.domains)))


def _flag_lines(desk: Desk, call: Call, row: dict[str, Any]) -> list[str]:
    """One flag: id, kind, score, where, who and the start of the (redacted) text; its held
    actions."""
    head = (
        f"#{row['id']} {row['kind']}/{review.plain(row['label'])} {row['score']:.2f} "
        f"{row['platform']} "
        f"@{review.plain(row['author_handle'], 32)}: {review.plain(row['text'], 80)}"
    )
    if not row["held_actions"]:
        return [head]
    held = ", ".join(f"#{a.replace(':', ' ')}" for a in row["held_actions"].split(","))
    return [head, "   " + desk.say(call, "held", actions=held)]


def cmd_show(desk: Desk, call: Call) -> Reply:
    """One flag with its post, actions and decisions, and buttons for what waits for review."""
    detail = review.show(desk.store, _number(desk, call))
    text = defang("\n".join(review.format_detail(detail)), desk.brand.domains)
    return Reply(_fit(text), review_buttons(desk, call.lang, detail))


def cmd_unban(desk: Desk, call: Call) -> Reply:
    """Lift a restriction or ban the bot applied (or stop one before it goes out)."""
    row = enforcing.undo(desk.store, _number(desk, call), call.who)
    if row["kind"] == "unban":
        return Reply(desk.say(call, "unbanned", who=call.who, id=row["id"]))
    return Reply(desk.say(call, "unplanned", who=call.who, kind=row["kind"], id=row["id"]))


def cmd_approve(desk: Desk, call: Call) -> Reply:
    """Release a held action to the sender."""
    row = review.approve(desk.store, _number(desk, call), call.who)
    key = "approved_paused" if held_back(desk.store, row["kind"], row["platform"]) else "approved"
    return Reply(desk.say(call, key, who=call.who, kind=row["kind"], id=row["id"]))


def cmd_dismiss(desk: Desk, call: Call) -> Reply:
    """Mark a flag a false positive (its held actions are skipped once none of its kind stands);
    '/dismiss 12 allow' also puts its look-alike links on the allow list."""
    words = call.args.split()
    if len(words) != 2 or words[1].lower() != "allow":
        return _decide(desk, call, "dismiss")
    target = AllowTarget(
        desk.brand, desk.phishing, _writable(desk, call, desk.allowed, "no_allow_list")
    )
    reply = _decide(desk, dataclasses.replace(call, args=words[0]), "dismiss")
    try:
        done = allow_links(desk.store, [int(words[0].lstrip("#"))], target)
    except review.ReviewError as exc:  # the dismissal stands: say both
        return Reply(f"{reply.text}\n{desk.say(call, 'failed', error=str(exc))}")
    lines = [reply.text]
    if done.added:
        lines.append(desk.say(call, "allowed_links", hosts=", ".join(done.added)))
    if done.others:
        lines.append(desk.say(call, "allow_others", ids=", ".join(f"#{i}" for i in done.others)))
    if done.phishing:
        lines.append(desk.say(call, "allow_phishing", hosts=", ".join(done.phishing)))
    if done.without_links:
        lines.append(desk.say(call, "allow_none"))
    return Reply(defang("\n".join(lines), desk.brand.domains))


def cmd_flag(desk: Desk, call: Call) -> Reply:
    """'/flag [kind] [label] [note...]' in reply to a group's message: the stored post becomes a
    confirmed finding (impersonation unless named), remembered and cased as a confirmation is."""
    if not call.reply_to:
        raise CommandError(desk.say(call, "flag_not_reply"))
    words = call.args.split()
    kind = "impersonation"
    if words:
        if words[0].lower() not in KINDS:
            raise CommandError(desk.say(call, "flag_kind"))
        kind = KINDS[words.pop(0).lower()]
    label = words.pop(0) if words else ""
    if not desk.store.has_post(call.platform, call.reply_to):
        raise CommandError(desk.say(call, "flag_not_stored"))
    target = f"{call.platform}:{call.reply_to}"
    row = review.flag(desk.store, target, kind, call.who, label, " ".join(words), desk.brand)
    said = desk.say(call, "flagged", id=row["id"], kind=kind, label=review.plain(row["label"]),
                    who=call.who)
    text = defang("\n".join([said, *row["cases"]]), desk.brand.domains)
    # a secret typed into a group's note must not stay there (the stored note is redacted)
    return Reply(text, delete_command=not call.private and bool(find_secrets(call.args)))


def cmd_resolve(desk: Desk, call: Call) -> Reply:
    """Mark a flag resolved."""
    return _decide(desk, call, "resolve")


def _decide(desk: Desk, call: Call, verb: str) -> Reply:
    """A review decision on one finding."""
    row = review.decide(desk.store, _number(desk, call), verb, call.who, brand=desk.brand)
    said = desk.say(call, "decided", id=row["id"], status=row["status"], who=call.who)
    return Reply("\n".join([said, *row["cases"]]))  # the case lines write hosts defanged


def cmd_stats(desk: Desk, call: Call) -> Reply:
    """Flags per kind, precision per detector and the sending state, over 24h (default) or 7d."""
    window = call.args.strip().lower() or "24h"
    if not _SPAN.match(window):
        raise CommandError(desk.say(call, "bad_window"))
    since = review.parse_since(window)
    rows = desk.store.flagged(since=since)
    lines = [desk.say(call, "stats_head", since=since[:16].replace("T", " ") + " UTC")]
    for kind in sorted({r["kind"] for r in rows}):
        mine = [r for r in rows if r["kind"] == kind]
        new = sum(r["status"] == "new" for r in mine)
        lines.append(desk.say(call, "stats_kinds", kind=kind, total=len(mine), new=new))
    lines += [review.format_precision(p) for p in review.precision(desk.store, since)]
    if not rows:
        lines.append(desk.say(call, "stats_none"))
    lines.append(desk.say(call, "stats_sending", state=_sending_state(desk, call)))
    return Reply("\n".join(lines))


def _sending_state(desk: Desk, call: Call) -> str:
    """on, paused, and the muted platforms."""
    parts = [desk.say(call, "state_paused" if paused(desk.store) else "state_on")]
    if muted := muted_platforms(desk.store):
        parts.append(desk.say(call, "state_muted", platforms=", ".join(muted)))
    return "; ".join(parts)


def cmd_pause(desk: Desk, call: Call) -> Reply:
    """Stop sending; watching and alerts go on."""
    set_paused(desk.store, True)
    log.warning("sending paused by %s", call.who)
    return Reply(desk.say(call, "paused", who=call.who))


def cmd_resume(desk: Desk, call: Call) -> Reply:
    """Start sending again."""
    set_paused(desk.store, False)
    log.warning("sending resumed by %s", call.who)
    return Reply(desk.say(call, "resumed", who=call.who))


def cmd_mute(desk: Desk, call: Call) -> Reply:
    """Stop sending on one platform."""
    platform = _platform(desk, call)
    set_muted(desk.store, platform, True)
    log.warning("sending on %s muted by %s", platform, call.who)
    return Reply(desk.say(call, "muted", platform=platform, who=call.who))


def cmd_unmute(desk: Desk, call: Call) -> Reply:
    """Send on that platform again."""
    platform = _platform(desk, call)
    set_muted(desk.store, platform, False)
    log.warning("sending on %s unmuted by %s", platform, call.who)
    return Reply(desk.say(call, "unmuted", platform=platform, who=call.who))


def cmd_block(desk: Desk, call: Call) -> Reply:
    """Put hosts on the phishing list: posts linking to them flag from the next one on."""
    return _list_hosts(desk, call, desk.phishing, "phishing")


def cmd_allow(desk: Desk, call: Call) -> Reply:
    """Put look-alike hosts the team checked on the allow list."""
    return _list_hosts(desk, call, desk.allowed, "allowed")


def _list_hosts(desk: Desk, call: Call, target: ListFile, kind: str) -> Reply:
    """Add the hosts (or links) a command names to one list; the running detector reads it within a
    second."""
    words = call.args.split()
    if not words:
        raise CommandError(desk.texts.usage(call.lang, call.command))
    cleaned = {w: clean_domain(w) for w in words}
    if bad := [w for w, d in cleaned.items() if d is None]:
        raise CommandError(desk.say(call, "not_domains", words=", ".join(bad)))
    path = _writable(
        desk, call, target, "no_phishing_list" if kind == "phishing" else "no_allow_list"
    )
    domains = sorted({d for d in cleaned.values() if d})
    try:
        add_domains(domains, path, kind)
    except OSError as exc:
        raise review.ReviewError(f"{path}: cannot write the list ({exc.strerror})") from None
    lines = [
        desk.say(
            call, "blocked" if kind == "phishing" else "allowed_links", hosts=", ".join(domains)
        )
    ]
    # A host on both lists stays flagged; say so rather than let a manager think it is silenced.
    phishing, allowed = load_list(desk.phishing.path), load_list(desk.allowed.path)
    if both := [d for d in domains if on_list(d, phishing) and on_list(d, allowed)]:
        lines.append(desk.say(call, "on_both", hosts=", ".join(both)))
    return Reply(defang("\n".join(lines), desk.brand.domains))


def _writable(desk: Desk, call: Call, target: ListFile, missing: str) -> Path:
    """The list's path if this desk may change it; else the reason as the reply."""
    if target.path is None:
        raise CommandError(desk.say(call, missing))
    if not desk.own_lists:
        raise CommandError(desk.say(call, "example_lists"))
    return target.path


def _number(desk: Desk, call: Call) -> int:
    """The id a command names."""
    words = call.args.split()
    if len(words) != 1 or not words[0].lstrip("#").isdigit():
        raise CommandError(desk.say(call, "needs_id", command=call.command))
    return int(words[0].lstrip("#"))


def _platform(desk: Desk, call: Call) -> str:
    """The platform a command names."""
    name = call.args.strip().lower()
    if name not in PLATFORMS:
        raise CommandError(
            desk.say(call, "needs_platform", command=call.command, platforms=", ".join(PLATFORMS))
        )
    return name


def _fit(text: str) -> str:
    """A text cut to one Telegram message."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


# -- buttons ----------------------------------------------------------------------------------


def review_buttons(desk: Desk, lang: str, detail: dict[str, Any]) -> tuple[Button, ...]:
    """Approve (one per held action of the finding's kind) and dismiss, while something waits for
    review."""
    kind = detail["kind"]
    held = [
        a
        for a in detail["action_rows"]
        if a["status"] == "held" and reason_kind(a["reason"]) == kind
    ]
    if not held or detail["status"] == "false_positive":
        return ()
    approve = [*_enforce_buttons(desk, lang, detail)]
    approve += [
        Button(
            desk.texts.get(lang, "button_approve", kind=a["kind"], id=a["id"]),
            f"approve:{detail['id']}:{a['id']}",
        )
        for a in held
    ]
    return (*approve, Button(desk.texts.get(lang, "button_dismiss"), f"dismiss:{detail['id']}"))


def _enforce_buttons(desk: Desk, lang: str, detail: dict[str, Any]) -> list[Button]:
    """'Delete + restrict' (every held removal and restriction at once) and 'Ban instead'."""
    held = [a["kind"] for a in enforcing.held_enforcement(detail)]
    if not held:
        return []
    kinds = " + ".join(held).capitalize()
    found = [Button(desk.texts.get(lang, "button_enforce", kinds=kinds), f"enforce:{detail['id']}")]
    if "restrict" in held:
        found.append(Button(desk.texts.get(lang, "button_ban"), f"ban:{detail['id']}"))
    return found


def alert_buttons(desk: Desk, platform: str, post_id: str, reason: str) -> tuple[Button, ...]:
    """The buttons of a managers' alert about one post: for its first finding of the alert's
    kind."""
    kind = reason_kind(reason)
    findings = [f for f in desk.store.post_findings(platform, post_id) if f["kind"] == kind]
    if not findings:
        return ()
    return review_buttons(desk, "en", review.show(desk.store, findings[0]["id"]))


def press(desk: Desk, call: Call) -> tuple[str, tuple[Button, ...] | None]:
    """A pressed button: the short answer, and the message's new buttons (None: leave them)."""
    if not desk.may_manage(call):
        _refuse(desk, call, "button")
        return desk.say(call, "press_refused"), None
    verb, _, rest = call.args.partition(":")
    finding_id, _, action_id = rest.partition(":")
    if verb not in PRESSES or not finding_id.isdigit() or (action_id and not action_id.isdigit()):
        return desk.say(call, "press_stale"), None
    try:
        answer = PRESSES[verb](desk, call, int(finding_id), int(action_id or 0))
    except review.ReviewError:
        answer = desk.say(call, "press_stale")
    desk.store.audit(call.who, f"button:{verb}", {"chat": call.chat_id, "data": call.args[:64]})
    try:
        return answer, review_buttons(desk, call.lang, review.show(desk.store, int(finding_id)))
    except review.ReviewError:
        return answer, ()


def _press_approve(desk: Desk, call: Call, finding_id: int, action_id: int) -> str:
    """Release the held action the button names."""
    return cmd_approve(desk, dataclasses.replace(call, args=str(action_id))).text


def _press_enforce(desk: Desk, call: Call, finding_id: int, action_id: int) -> str:
    """Release the finding's held removal and restriction (or ban) together."""
    rows = enforcing.approve_enforcement(desk.store, finding_id, call.who)
    kinds = " + ".join(f"{r['kind']} #{r['id']}" for r in rows)
    return desk.say(call, "enforced", who=call.who, kinds=kinds)


def _press_ban(desk: Desk, call: Call, finding_id: int, action_id: int) -> str:
    """Ban the account instead of restricting it."""
    row = enforcing.ban_instead(desk.store, finding_id, call.who)
    return desk.say(call, "banned", who=call.who, id=row["id"])


def _press_dismiss(desk: Desk, call: Call, finding_id: int, action_id: int) -> str:
    """Dismiss every standing finding of the alert's kind on its post (the alert spoke for them
    all)."""
    row = review.show(desk.store, finding_id)
    for f in desk.store.post_findings(row["platform"], row["post_id"]):
        if f["kind"] == row["kind"] and f["status"] != "false_positive":
            review.decide(desk.store, f["id"], "dismiss", call.who)
    return desk.say(call, "decided", id=finding_id, status="false_positive", who=call.who)


USER_HANDLERS: dict[str, Callable[[Desk, Call], Reply]] = {
    "start": cmd_start,
    "help": cmd_help,
    "support": cmd_support,
    "verify": cmd_verify,
    "report": cmd_report,
}
MANAGER_HANDLERS: dict[str, Callable[[Desk, Call], Reply]] = {
    "flags": cmd_flags,
    "show": cmd_show,
    "approve": cmd_approve,
    "unban": cmd_unban,
    "flag": cmd_flag,
    "dismiss": cmd_dismiss,
    "resolve": cmd_resolve,
    "stats": cmd_stats,
    "pause": cmd_pause,
    "resume": cmd_resume,
    "mute": cmd_mute,
    "unmute": cmd_unmute,
    "block": cmd_block,
    "allow": cmd_allow,
}
PRESSES: dict[str, Callable[[Desk, Call, int, int], str]] = {
    "approve": _press_approve,
    "enforce": _press_enforce,
    "ban": _press_ban,
    "dismiss": _press_dismiss,
}
