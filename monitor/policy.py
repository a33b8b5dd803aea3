"""Which actions follow from which findings: reply, dm, delete, alert, report. Pure."""

from __future__ import annotations

from monitor.classify.text import language
from monitor.config import Brand
from monitor.models import Action, Finding, Post
from monitor.replies.templates import Templates

ADMIN_TARGET = "admin"  # alerts go to the managers' chat, resolved by the sender


def is_official(post: Post, brand: Brand) -> bool:
    """Whether the post's author is one of the brand's own accounts on that platform."""
    handles = {h.casefold().lstrip("@") for h in brand.accounts.get(post.platform, ())}
    return post.author.handle.casefold().lstrip("@") in handles


def plan(post: Post, findings: list[Finding], templates: Templates) -> list[Action]:
    """The actions for one post's flagged findings; at most one action of each kind."""
    if not findings or is_official(post, templates.brand):
        return []  # never answer the brand's own accounts
    by_kind = {f.kind: f for f in sorted(findings, key=lambda f: f.score)}
    lang = language(post.text)
    if "secret_leak" in by_kind:
        return _secret_actions(post, [f for f in findings if f.kind == "secret_leak"], lang, templates)
    if "impersonation" in by_kind:
        return _impersonation_actions(post, by_kind["impersonation"], lang, templates)
    return _support_actions(post, by_kind["support_request"], lang, templates)


def _secret_actions(post: Post, leaks: list[Finding], lang: str, t: Templates) -> list[Action]:
    """Delete the post, tell the user privately what to do now, say publicly only that it was removed."""
    types = sorted({f.label for f in leaks})
    reason = "secret_leak: " + ", ".join(types)
    advice = " ".join(t.render("secret_leak", lang, "dm", label) for label in types)
    actions = [
        Action("delete", post.platform, post.id, "", reason),
        Action("dm", post.platform, post.author.id, advice, reason),
    ]
    if post.channel != "dm":
        actions.append(Action("reply", post.platform, post.id, t.render("secret_leak", lang, "public"), reason))
    actions.append(_alert(post, leaks, reason))
    return actions


def _impersonation_actions(post: Post, finding: Finding, lang: str, t: Templates) -> list[Action]:
    """Warn the thread (never the impersonator), alert the managers, record a report."""
    reason = f"impersonation: {finding.label}"
    official = ", ".join(f"@{h}" for h in t.brand.accounts.get(post.platform, ())) or t.brand.name
    warning = t.render("impersonation", lang, "public", impostor=post.author.handle, official_accounts=official)
    target = post.reply_to or post.id  # answer the user who was targeted, in their thread
    return [
        Action("reply", post.platform, target, warning, reason),
        _alert(post, [finding], reason),
        Action("report", post.platform, post.author.id, finding.evidence, reason),
    ]


def _support_actions(post: Post, finding: Finding, lang: str, t: Templates) -> list[Action]:
    """A short public pointer to the official channels, or a fuller answer in a DM."""
    visibility = "dm" if post.channel == "dm" else "public"
    text = t.render("support_request", lang, visibility, finding.label)
    kind = "dm" if visibility == "dm" else "reply"
    target = post.author.id if kind == "dm" else post.id
    return [Action(kind, post.platform, target, text, f"support_request: {finding.label}")]


def _alert(post: Post, findings: list[Finding], reason: str) -> Action:
    """A redacted alert for the managers."""
    lines = [f"{reason} on {post.platform} by @{post.author.handle}"]
    lines += [f"- {f.label} ({f.score:.2f}): {f.evidence}" for f in findings]
    if post.url:
        lines.append(post.url)
    return Action("alert", post.platform, ADMIN_TARGET, "\n".join(lines), reason)
