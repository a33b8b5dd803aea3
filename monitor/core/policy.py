"""Which actions follow from which findings (reply, dm, delete, alert, report; restrict and ban
against an impostor where [enforce] allows), and each one's first
status by the mode of its finding kind. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from monitor.core.enforce import Enforce
from monitor.core.models import (
    ARRIVALS,
    WAVE,
    Action,
    Brand,
    Finding,
    Post,
    reason_kind,
    wave_key,
)
from monitor.replies.guard import defang, strip_invisible
from monitor.replies.lang import reply_language
from monitor.replies.templates import Templates

ADMIN_TARGET = "admin"  # alerts go to the managers' chat, resolved by the sender
# X lets an app delete only its own posts, so there a leaked secret can only be flagged.
CANNOT_DELETE = frozenset({"twitter"})
# Most urgent first: the DM for several leaked types at once is the general one.
SECRET_ORDER = ("seed_phrase", "private_key", "api_key", "password", "token")
MAX_HANDLE = 40
MAX_EVIDENCE = 300
MODE_STATUS = {"auto": "planned", "review": "held", "dry_run": "skipped"}


@dataclass(frozen=True, slots=True)
class Modes:
    """How each finding kind's actions start: sent at once, held for a manager or only recorded."""

    by_kind: Mapping[str, str] = field(default_factory=dict)  # finding kind -> auto|review|dry_run
    # Finding kind -> the action kinds it may take; None allows all.
    allowed: Mapping[str, tuple[str, ...]] | None = None
    dry_run: bool = False

    def first_status(self, action: Action) -> str:
        """The status an action is stored with: planned, held or skipped."""
        kind = reason_kind(action.reason)
        if self.allowed is not None and action.kind not in self.allowed.get(kind, ()):
            return "skipped"  # recorded, so the report shows what the policy left out
        # An enforcement kind's own mode (restrict = "review") wins over its finding kind's.
        mode = self.by_kind.get(action.kind) or self.by_kind.get(kind, "review")
        mode = "dry_run" if self.dry_run else mode
        if mode == "review" and action.kind == "alert":
            return "planned"  # the alert is how the managers hear there is something to review
        return MODE_STATUS[mode]


def is_official(post: Post, brand: Brand) -> bool:
    """Whether the post's author is one of the brand's own accounts on that platform."""
    handles = {h.casefold().lstrip("@") for h in brand.accounts.get(post.platform, ())}
    return post.author.handle.casefold().lstrip("@") in handles


def plan(
    post: Post, findings: list[Finding], templates: Templates, enforce: Enforce | None = None
) -> list[Action]:
    """The actions for one post's flagged findings: a leak first, then
    impersonation, then support."""
    if not findings or is_official(post, templates.brand):
        return []  # never answer the brand's own accounts
    lang = reply_language(post.text)
    leaks = [f for f in findings if f.kind == "secret_leak"]
    if leaks:
        return secret_actions(post, leaks, lang, templates)
    by_kind = {f.kind: f for f in sorted(findings, key=lambda f: f.score)}  # strongest of each kind
    if "impersonation" in by_kind:
        finding = by_kind["impersonation"]
        # A wave this post raised is in its alert whichever finding leads.
        waves = [f for f in findings if raises_wave(f, post) and f is not finding]
        return impersonation_actions(post, finding, lang, templates, enforce or Enforce(), waves)
    # the group's own admins need no pointer to support
    if "support_request" in by_kind and not post.by_staff:
        return support_actions(post, by_kind["support_request"], lang, templates)
    return []


def secret_actions(post: Post, leaks: list[Finding], lang: str, t: Templates) -> list[Action]:
    """Delete where the bot may, tell the user privately what to do now, say
    publicly only that it was removed."""
    types = [label for label in SECRET_ORDER if any(f.label == label for f in leaks)]
    reason = "secret_leak: " + ", ".join(types or sorted({f.label for f in leaks}))
    topic = types[0] if len(types) == 1 else "default"
    deletable = post.platform not in CANNOT_DELETE
    actions = [Action("delete", post.platform, post.id, "", reason)] if deletable else []
    actions.append(
        Action(
            "dm", post.platform, post.author.id, t.render("secret_leak", lang, "dm", topic), reason
        )
    )
    if post.channel != "dm":  # if the delete fails, the sender sends the notice that asks for it
        kept = t.render("secret_leak", lang, "public", "kept")
        removed = t.render("secret_leak", lang, "public", "removed") if deletable else kept
        actions.append(
            Action(
                "reply", post.platform, post.id, removed, reason, fallback=kept if deletable else ""
            )
        )
    actions.append(alert(post, leaks, reason, t.brand))
    return actions


def raises_wave(finding: Finding, post: Post) -> bool:
    """Whether the finding is the wave this post raised (not one it joined)."""
    return finding.label == WAVE and finding.fingerprint == wave_key(post.platform, post.id)


def impersonation_actions(
    post: Post, finding: Finding, lang: str, t: Templates, enforce: Enforce,
    also: Sequence[Finding] = (),
) -> list[Action]:
    """Remove the scam and restrict its author where the bot moderates and the policy says so, warn
    the user who was answered (never the impostor), alert the managers (once a wave: on the post
    that raised it, with `also` findings), report the account."""
    reason = f"impersonation: {finding.label}"
    removal, notes = enforcement(post, finding, t.brand, enforce)
    actions = [a for a in removal if a.kind == "delete"]
    if post.reply_to and post.channel != "dm":  # a warning needs someone's thread to go into
        official = (
            ", ".join(f"@{h}" for h in t.brand.accounts.get(post.platform, ())) or t.brand.name
        )
        warning = t.render(
            "impersonation",
            lang,
            "public",
            finding.label,
            impostor=safe_handle(post.author.handle),
            official_accounts=official,
        )
        actions.append(Action("reply", post.platform, post.reply_to, warning, reason))
    report = defang(_clip(finding.evidence), t.brand.domains)
    alerted = finding.label != WAVE or raises_wave(finding, post)
    return [
        *actions,
        *([alert(post, [finding, *also], reason, t.brand, notes)] if alerted else []),
        Action("report", post.platform, post.author.id, report, reason),
        *(a for a in removal if a.kind != "delete"),
    ]


def enforcement(
    post: Post, finding: Finding, brand: Brand, enforce: Enforce
) -> tuple[list[Action], list[str]]:
    """The delete and the restriction or ban the policy lists for this post, where the platform
    and the bot's rights there allow them; and the lines the alert adds
    about what it could not do."""
    wanted = enforce.on(post.platform)
    if by_hand := enforce.by_hand(post.platform):
        return [], [by_hand]
    if not wanted or post.channel == "dm" or not _enforceable(post, finding, brand):
        return [], []
    if "ban" in wanted:  # a ban covers a restriction
        wanted = tuple(k for k in wanted if k != "restrict")
    may = post.bot_may
    refused = [k for k in wanted if may is not None and k not in may]
    reason = f"impersonation: {finding.label}"
    place = post.place
    actions = [
        Action(
            kind,
            post.platform,
            post.id if kind == "delete" else post.author.id,
            _enforce_text(kind, enforce),
            reason,
            place=place,
        )
        for kind in wanted
        if kind not in refused
    ]
    notes = [f"cannot {kind} here: the bot has not the right in this place" for kind in refused]
    return actions, notes


def _enforceable(post: Post, finding: Finding, brand: Brand) -> bool:
    """Whether the author may be acted against: never the brand's accounts, the place's staff or
    an account the team vouches for, and never for naming a look-alike
    (that is how members warn)."""
    trusted = {h.casefold().lstrip("@") for h in brand.trusted.get(post.platform, ())}
    return not (
        post.by_staff
        or is_official(post, brand)
        or finding.label in _NOT_THE_AUTHORS
        or post.author.handle.casefold().lstrip("@") in trusted
    )


# Labels that say something about an account the post names, not about its author.
_NOT_THE_AUTHORS = frozenset({"lookalike_mention"})


def _enforce_text(kind: str, enforce: Enforce) -> str:
    """The note kept with an enforcement action (the platforms' audit logs show it too)."""
    if kind == "restrict":
        return (
            f"restricted for {enforce.restrict_minutes} minutes: impersonating the brand's support"
        )
    if kind == "ban":
        return "banned: impersonating the brand's support"
    return ""


def support_actions(post: Post, finding: Finding, lang: str, t: Templates) -> list[Action]:
    """A short public pointer to the official channels, or a fuller answer when asked in a DM."""
    reason = f"support_request: {finding.label}"
    if post.channel == "dm":
        return [
            Action(
                "dm",
                post.platform,
                post.author.id,
                t.render("support_request", lang, "dm", finding.label),
                reason,
            )
        ]
    return [
        Action(
            "reply",
            post.platform,
            post.id,
            t.render("support_request", lang, "public", finding.label),
            reason,
        )
    ]


def alert(
    post: Post, findings: list[Finding], reason: str, brand: Brand, notes: list[str] | None = None
) -> Action:
    """A redacted alert for the managers, with every foreign link made unclickable; `notes` say
    what the bot could not do."""
    lines = [f"{reason} on {post.platform} by @{safe_handle(post.author.handle)}"]
    if post.text in ARRIVALS:
        # an impostor at the door, before any message
        lines.append(f"{post.text}: nothing written yet")
    if post.url:  # before the evidence: after "API passphrase" a link would read as the passphrase
        lines.append(_clip(post.url))
    lines += [f"- {f.label} ({f.score:.2f}): {_clip(f.evidence)}" for f in findings]
    lines += [f"! {note}" for note in notes or ()]
    return Action(
        "alert", post.platform, ADMIN_TARGET, defang("\n".join(lines), brand.domains), reason
    )


def safe_handle(handle: str) -> str:
    """A handle fit to quote: no invisible or bidi characters, bounded, and
    no dot that makes it a link."""
    clean = "".join(strip_invisible(handle).split()).lstrip("@")[:MAX_HANDLE]
    return clean.replace(".", "[.]")


def _clip(text: str) -> str:
    """Evidence and links cut to a length that keeps an alert well inside a message."""
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1] + "…"
