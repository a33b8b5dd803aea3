"""Takedown cases: phishing hosts and impostor accounts a manager confirmed, tracked from first
sighting to takedown (open -> reported -> down | rejected), with the abuse report to send."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.classify import BrandRegistry, hosts
from monitor.core.models import Brand
from monitor.replies.guard import defang
from monitor.store import Store
from monitor.store.case_rows import (
    CASE_STATUSES,
    case_posts,
    get_case,
    list_cases,
    move_case,
    open_or_join,
)
from monitor.store.sqlite import utcnow

# Where a case may go from each status. A host may die before anyone reports it (open -> down),
# and a rejected report may be sent again to another registrar or host (rejected -> reported).
NEXT: dict[str, tuple[str, ...]] = {
    "open": ("reported", "down"),
    "reported": ("down", "rejected"),
    "rejected": ("reported",),
    "down": (),
}
OPEN_STATUSES = ("open", "reported")
MAX_WHO, MAX_NOTE = 64, 500
# Sites where an impostor keeps an account or a mailbox, not a phishing site of its own: a link to
# them opens an account case (the handle the evidence names), never a host case against the site.
SHARED_HOSTS = ("t.me", "telegram.me", "telegram.org", "x.com", "twitter.com", "discord.gg",
                "discord.com", "discordapp.com", "reddit.com", "redd.it", "instagram.com",
                "facebook.com", "tiktok.com", "youtube.com", "linktr.ee", "beacons.ai", "bio.link",
                "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "qq.com", "163.com",
                "proton.me", "protonmail.com", "icloud.com")
# The account a look-alike mention names, as the impersonation evidence writes it
# (classify.impersonation.mentions): "names @okx_helpdesk, not an official account: ...".
_NAMED = re.compile(
    r"\bnames (@[a-z0-9_.-]{3,32}|u/[a-z0-9_-]{3,20}|[^\s,@]{2,64}@[a-z0-9.-]{3,80})"
    r", not an official account", re.IGNORECASE)
# Which platform a named account lives on, from a profile link in the post beside it.
_PROFILE_SITES = {"t.me": "telegram", "telegram.me": "telegram", "x.com": "twitter",
                  "twitter.com": "twitter", "discord.gg": "discord", "discord.com": "discord",
                  "reddit.com": "reddit", "instagram.com": "instagram", "facebook.com": "facebook",
                  "tiktok.com": "tiktok", "youtube.com": "youtube", "linktr.ee": "linktree"}


_SAID = {"opened": "takedown case #{id} opened for {what}",
         "added": "post added to takedown case #{id} for {what}",
         "had": "takedown case #{id} for {what} already holds this post"}


class CaseError(ValueError):
    """A case operation that cannot be done; the message says why."""


def defanged(host: str) -> str:
    """A host written so that nothing turns it into a link: evil-okx[.]com."""
    return host.replace(".", "[.]")


def subject_text(case: dict[str, Any]) -> str:
    """'evil-okx[.]com' for a host, 'telegram:@okx_helpdesk' for an account (a mailbox defanged)."""
    if case["kind"] == "host":
        return defanged(case["subject"])
    platform, _, handle = case["subject"].partition(":")
    return f"{platform}:{defang(handle, ())}"


def subject_words(case: dict[str, Any]) -> str:
    """'host evil-okx[.]com' or 'account telegram:@okx_helpdesk'."""
    return f"{case['kind']} {subject_text(case)}"


# -- opening ------------------------------------------------------------------------------------
def open_case(store: Store, kind: str, subject: str, post: tuple[str, str],
              who: str) -> tuple[dict[str, Any], str]:
    """Open the case of a host or account, or add the post to the case it has; returns the case
    and one line saying which, e.g. 'takedown case #3 opened for host evil-okx[.]com'."""
    case_id, done = open_or_join(store, kind, subject, post, who)
    case = show(store, case_id)
    return case, _SAID[done].format(id=case_id, what=subject_words(case))


def report_unsupported(store: Store, platform: str, subject: str, post: tuple[str, str],
                       who: str) -> str:
    """For a platform with no report API for bots: the `report` action opens (or joins) the
    takedown case of the account, and its answer says so."""
    _, line = open_case(store, "account", account_subject(platform, subject), post, who)
    return f"no report API for bots on {platform}: {line}"


def account_subject(platform: str, handle: str) -> str:
    """The normalised subject of an account: 'telegram:@okx_helpdesk' (case-folded)."""
    handle = handle.strip().casefold()
    if "@" not in handle and not handle.startswith("u/"):
        handle = "@" + handle
    return f"{platform.strip().casefold()}:{handle}"


def host_subject(host: str) -> str:
    """The normalised subject of a host: lower case, in its ASCII (punycode) form, no final dot."""
    host = host.strip().rstrip(".").casefold()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def phishing_hosts(text: str, brand: Brand) -> list[str]:
    """The hosts a post names that are neither the brand's own nor shared (t.me, gmail.com)."""
    reg = BrandRegistry.from_brand(brand)
    shared = (*SHARED_HOSTS, *_link_hosts(brand))
    return [host_subject(h) for h in hosts(text)
            if not reg.is_official_host(h) and not _under(h, shared)]


def named_accounts(evidence: str, text: str, platform: str) -> list[str]:
    """The impostor accounts the evidence names, as subjects; a profile link in the post names the
    platform the account lives on (t.me/okx_helpdesk: telegram), else the post's own platform."""
    found = []
    for named in _NAMED.findall(evidence or ""):
        found.append(account_subject(_platform_of(named, text, platform), named))
    return list(dict.fromkeys(found))


def open_for_finding(store: Store, row: dict[str, Any], brand: Brand,
                     who: str) -> list[tuple[dict[str, Any], str]]:
    """The cases a confirmed impersonation finding opens or joins: one per phishing host its post
    names and one per off-platform impostor account its evidence names. Other kinds open none."""
    if row["kind"] != "impersonation":
        return []
    post = (row["platform"], row["post_id"])
    subjects = [("host", h) for h in phishing_hosts(row["text"] or "", brand)]
    subjects += [("account", a) for a in named_accounts(row["evidence"], row["text"] or "",
                                                        row["platform"])]
    return [open_case(store, kind, subject, post, who) for kind, subject in subjects]


def _link_hosts(brand: Brand) -> list[str]:
    """The hosts of the brand's support links (a help centre on a vendor's domain)."""
    links = (brand.live_chat_url, brand.ticket_url, brand.help_center_url)
    return [h for link in links if link for h in hosts(link, hidden_dots=False)]


def _under(host: str, domains: Sequence[str]) -> bool:
    """Whether a host is one of the domains or below one."""
    return any(host == d or host.endswith("." + d) for d in domains)


def _platform_of(named: str, text: str, platform: str) -> str:
    """A named account's platform: 'email' for a mailbox; else the site a profile link names."""
    if "@" in named[1:]:
        return "email"
    if named.startswith("u/"):
        return "reddit"
    handle = re.escape(named.lstrip("@"))
    for site, name in _PROFILE_SITES.items():
        if re.search(rf"{re.escape(site)}/(?:invite/)?{handle}\b", text, re.IGNORECASE):
            return name
    return platform


# -- status -------------------------------------------------------------------------------------
def show(store: Store, case_id: int) -> dict[str, Any]:
    """One case with its posts; CaseError for an unknown id."""
    case = get_case(store, case_id)
    if case is None:
        raise CaseError(f"no takedown case with id {case_id}")
    return {**case, "post_rows": case_posts(store, case_id)}


def update(store: Store, case_id: int, status: str, who: str, note: str = "") -> dict[str, Any]:
    """Move a case along open -> reported -> down | rejected, recording who and when (audited)."""
    who, note = _checked(who, note)
    case = show(store, case_id)
    if status not in CASE_STATUSES:
        raise CaseError(f"unknown case status {status!r}; use one of {', '.join(CASE_STATUSES)}")
    if status not in NEXT[case["status"]]:
        allowed = " or ".join(NEXT[case["status"]]) or "nothing (it is closed)"
        raise CaseError(f"case #{case_id} is {case['status']}: it can move to {allowed}, "
                        f"not {status}")
    now = utcnow()
    changes: dict[str, Any] = {"reported_at": now} if status == "reported" else {"closed_at": now}
    if status == "reported":
        changes["closed_at"] = None  # a rejected case reported again is open once more
    if note:
        changes["note"] = note
    with store.db.atomic():
        if not move_case(store, case_id, case["status"], status, changes):
            raise CaseError(f"case #{case_id} changed meanwhile; look again")
        store.audit(who, f"case:{status}", {"case_id": case_id, "from": case["status"],
                                            "note": note})
    return show(store, case_id)


def _checked(who: str, note: str) -> tuple[str, str]:
    """The manager's name (non-empty, short, printable) and a short printable note."""
    who, note = (who or "").strip(), (note or "").strip()
    if not who or len(who) > MAX_WHO or not who.isprintable():
        raise CaseError(f"the manager's name must be 1-{MAX_WHO} printable characters (use --who)")
    if len(note) > MAX_NOTE or not note.replace("\n", " ").isprintable():
        raise CaseError(f"the note must be at most {MAX_NOTE} printable characters")
    return who, note


def cases(store: Store, status: str = "open") -> list[dict[str, Any]]:
    """Cases of one status ('all' for every case; 'open' means open or reported: not closed)."""
    if status == "all":
        return list_cases(store)
    if status == "open":
        return list_cases(store, OPEN_STATUSES)
    if status not in CASE_STATUSES:
        raise CaseError(f"--status {status!r}: use one of {', '.join((*CASE_STATUSES, 'all'))}")
    return list_cases(store, (status,))


def open_rows(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """The cases not closed yet (open or reported), oldest first, as the report shows them: the
    subject defanged and the age as seconds and as words."""
    rows = []
    for case in list_cases(store, OPEN_STATUSES):
        span = age(case, now)
        rows.append({"id": case["id"], "kind": case["kind"], "subject": subject_text(case),
                     "status": case["status"], "first_seen": case["first_seen"],
                     "age": format_span(span), "age_seconds": int(span.total_seconds()),
                     "posts": case["posts"], "platforms": case["platforms"] or ""})
    return rows


# -- times --------------------------------------------------------------------------------------
def age(case: dict[str, Any], now: datetime | None = None) -> timedelta:
    """How long since the case's subject was first seen (until it closed, for a closed case)."""
    end = _time(case["closed_at"]) if case.get("closed_at") else (now or datetime.now(UTC))
    return max(end - _time(case["first_seen"]), timedelta(0))


def time_to_takedown(store: Store) -> timedelta | None:
    """The median time from first seen to down over the cases taken down; None without any."""
    spans = [age(c).total_seconds() for c in list_cases(store, ("down",))]
    return timedelta(seconds=statistics.median(spans)) if spans else None


def format_span(span: timedelta) -> str:
    """A span as '3d 4h', '5h 12m' or '7m'."""
    minutes = int(span.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def _time(iso: str) -> datetime:
    """A stored ISO time as an aware datetime (naive ones are UTC)."""
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

