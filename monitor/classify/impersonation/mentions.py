"""Accounts a post points users to: "contact @okx_support_desk",
t.me/OKX_Helpdesk, 联系飞机 @okx_kefu."""

from __future__ import annotations

import re
from itertools import islice

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.denounce import denounced
from monitor.classify.impersonation.handles import handle_signals
from monitor.classify.impersonation.signals import Signal

LABEL = "lookalike_mention"
# Handles on X, Telegram and Reddit are ASCII letters, digits and underscores.
# A CJK letter may touch the @ (联系飞机@okx_kefu); a Latin one or a dot makes
# it an e-mail address, read whole below.
_AT = r"(?<![a-z0-9_@.])@([a-z0-9_]{3,32})\b"
# Profile links name an account in their path (t.me/+invite and t.me/joinchat/...
# are group invites). A Discord invite may carry a vanity name
# (discord.gg/okxsupport) and Reddit writes users u/name.
_PROFILE = (
    r"\b(?:t\.me|telegram\.me|x\.com|twitter\.com|instagram\.com|facebook\.com|linktr\.ee"
    r"|beacons\.ai"
    r"|bio\.link|tiktok\.com/@|youtube\.com/@|reddit\.com/u(?:ser)?|discord\.gg"
    r"|discord\.com/invite)"
    r"/(?!joinchat/)([a-z0-9_.-]{3,32})\b|(?<![a-z0-9/])u/([a-z0-9_-]{3,20})\b"
)
_EMAIL = (
    r"(?<![a-z0-9_.%+-])([a-z0-9][a-z0-9_.%+-]{1,63})@([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,4})\b"
)
_MENTION = re.compile(f"{_AT}|{_PROFILE}|{_EMAIL}")
# A look-alike named in a post counts at most this much: the post only points to the account.
_CAP = 0.8
_MAX_MENTIONS = 10


def mention_signals(text: str, reg: BrandRegistry, author: str = "") -> list[Signal]:
    """One signal for the first account or mailbox a normalised (case-folded) text names that is not
    the brand's own and looks like it: "contact @okx_support_desk",
    linktr.ee/okxhelp, okxcare@gmail.com."""
    if "@" not in text and "/" not in text:
        return []  # most posts name no account: skip the scan
    # A post names an account without its platform: one official or
    # vouched for on any platform is known.
    official = reg.known_handles()
    for match in islice(_MENTION.finditer(text), _MAX_MENTIONS):
        handle, named, domain = _named(match)
        if (
            handle in official
            or handle == author.casefold()
            or denounced(text, match.start(), match.end())
        ):
            continue
        if domain and reg.is_official_host(domain):
            continue  # an address on the brand's own domain (support@okx.com)
        for signal in handle_signals(handle, reg):
            if signal.label and signal.weight >= 0.5:
                return [
                    Signal(
                        LABEL,
                        min(signal.weight, _CAP),
                        f"names {named}, not an official account: {signal.words}",
                    )
                ]
    return []


def _named(match: re.Match[str]) -> tuple[str, str, str]:
    """The account name a match holds, how the evidence writes it (@name, u/name or the whole
    address), and the address's domain ('' for an account)."""
    at, profile, redditor, mailbox, domain = match.groups()
    if mailbox:
        return mailbox, f"{mailbox}@{domain}", domain
    if redditor:
        return redditor, f"u/{redditor}", ""
    name = (at or profile).rstrip(".")
    return name, f"@{name}", ""
