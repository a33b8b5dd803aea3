"""A takedown case as text: its terminal lines and the abuse report for the registrar, host or
platform. Every text comes from the store, redacted; hosts are written defanged (evil-okx[.]com)."""

from __future__ import annotations

from typing import Any

from monitor.core.models import Brand
from monitor.desk.cases import age, format_span, subject_text, subject_words
from monitor.desk.review import plain
from monitor.replies.guard import defang

LIST_HEADER = f"{'ID':>5}  {'KIND':<7} {'STATUS':<8} {'AGE':>7}  {'FIRST SEEN (UTC)':<16}  " \
              f"{'POSTS':>5}  {'PLATFORMS':<18} SUBJECT"
MAX_EVIDENCE = 20  # posts quoted in an abuse report; the rest are counted
QUOTE = 280  # characters of each post quoted


def format_line(case: dict[str, Any]) -> str:
    """One case on one terminal line."""
    seen = (case["first_seen"] or "")[:16].replace("T", " ")
    return (f"{case['id']:>5}  {case['kind']:<7} {case['status']:<8} "
            f"{format_span(age(case)):>7}  {seen:<16}  {case['posts']:>5}  "
            f"{plain(case['platforms'] or '', 18):<18} {plain(subject_text(case))}")


def format_detail(case: dict[str, Any], brand: Brand) -> list[str]:
    """A case, its history and its posts as terminal lines."""
    lines = [
        (f"case {case['id']}: {plain(subject_words(case))}, {case['status']} "
         f"(age {format_span(age(case))})"),
        f"first seen {case['first_seen']}; opened by {plain(case['opened_by'])}",
    ]
    if case["reported_at"]:
        lines.append(f"reported   {case['reported_at']}")
    if case["closed_at"]:
        lines.append(f"closed     {case['closed_at']} ({case['status']})")
    if case["note"]:
        lines.append(f"note       {plain(case['note'])}")
    lines += [f"post       {_evidence_line(p, brand)}" for p in case["post_rows"]]
    return lines


def abuse_report(case: dict[str, Any], brand: Brand) -> str:
    """The report for the registrar or host of a phishing site (or the platform of an impostor
    account): what it is, the brand's own domains, first seen, the evidence, the request."""
    what = _named(case)
    official = ", ".join(brand.domains)
    if case["kind"] == "host":
        head = [f"Subject: phishing site impersonating {brand.name}: {what}", "",
                "To the abuse team of the registrar or hosting provider,", "",
                (f"The site {what} impersonates {brand.name} to take its customers' passwords, "
                 f"recovery phrases and funds. {brand.name}'s official domains are {official}; "
                 f"{what} is not one of them and is not operated by {brand.name}.")]
        ask = (f"Please suspend {what} (the domain, or the content and hosting behind it) and "
               "tell us the outcome.")
    else:
        head = [f"Subject: account impersonating {brand.name}: {what}", "",
                "To the trust and safety team,", "",
                (f"The account {what} impersonates {brand.name} or its support staff to take "
                 f"people's passwords, recovery phrases and funds. {brand.name}'s official "
                 f"domains are {official}; it does not run this account.")]
        ask = f"Please remove or suspend {what} and tell us the outcome."
    posts = case["post_rows"]
    plural = "s" if len(posts) != 1 else ""
    lines = [*head, "", (f"First seen: {_when(case['first_seen'])} (our case #{case['id']}, "
                         f"{len(posts)} post{plural})."), "",
             "Where it appeared (secrets in the posts removed by us):"]
    lines += [f"- {_evidence_line(p, brand)}" for p in posts[:MAX_EVIDENCE]]
    if len(posts) > MAX_EVIDENCE:
        lines.append(f"- … and {len(posts) - MAX_EVIDENCE} more posts")
    return "\n".join([*lines, "", ask, "", f"{brand.name} brand protection"]) + "\n"


def _named(case: dict[str, Any]) -> str:
    """A host defanged, or an account as '@okx_helpdesk on telegram'."""
    platform, _, handle = subject_text(case).partition(":")
    return subject_text(case) if case["kind"] == "host" else f"{handle} on {platform}"


def _evidence_line(post: dict[str, Any], brand: Brand) -> str:
    """One post of a case: when, where, who and its (redacted) text, every foreign host defanged."""
    where = f"{post['platform']} ({post['channel']})" if post["channel"] else post["platform"]
    who = f" by @{post['author_handle']}" if post["author_handle"] else ""
    link = f" {post['url']}" if post["url"] else ""
    text = plain(post["text"] or "[post not stored]", QUOTE)
    return defang(f"{_when(post['seen_at'])}, {where}{who}{link}: \"{text}\"", brand.domains)


def _when(iso: str | None) -> str:
    """A stored time as '2026-12-01 10:00 UTC'."""
    return (iso or "-")[:16].replace("T", " ") + (" UTC" if iso else "")
