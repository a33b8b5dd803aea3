"""`monitor verify`: is this account or link the brand's own, and if
not, why does it look like it?"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.content import PHONE
from monitor.classify.impersonation.domains import host_signal, hosts, on_list, user_name_trick
from monitor.classify.impersonation.handles import handle_signals, name_signals
from monitor.classify.impersonation.signals import Signal
from monitor.classify.regexes import compiled
from monitor.core.models import Brand

FLAG = 0.5
# The regexes are compiled on first use (regexes.compiled): `monitor scan` imports this module but
# verifies nothing.
# Profile links name both the platform and the handle.
_PROFILE = (
    r"(?i)^(?:https?://)?(?:www\.)?(?:(?P<twitter>x\.com|twitter\.com)/@?|(?P<telegram>t\.me"
    r"|telegram\.me)/"
    r"|(?P<reddit>reddit\.com/(?:u|user)/)"
    r"|(?P<discord>discord\.com/users/))(?P<handle>[\w.]{1,64})/?$"
)

_EMAIL = r"(?i)^(?:mailto:)?[^@\s/:]{1,64}@[^@\s/]{1,253}\.[a-z]{2,24}$"
# Invites name a server or group, not an account: a Discord code may be a vanity name (okx-support),
# a Telegram join link's code is random.
_INVITE = (
    r"(?i)^(?:https?://)?(?:www\.)?(?:(?P<discord>discord\.gg"
    r"|discord(?:app)?\.com/invite)/(?P<code>[\w-]{1,64})"
    r"|(?P<telegram>t\.me|telegram\.me)/(?:\+|joinchat/)[\w-]{1,64})/?$"
)
# What a question typed around the item ("is @0kx_support real?",
# "这个是官方的吗okx-help.com") is cut at.
_WORDS = r"[\s,;!?()<>\"'“”‘’「」《》【】，？！：；、\u3400-\u9fff]+"
_MAX_ITEMS = 3
# Handles on X, Telegram, Reddit and Discord: ASCII letters, digits, '_' and (Discord) '.'; anything
# else (spaces, 欧易官方客服) is a display name.
_HANDLE = r"(?i)[a-z0-9_.]{1,64}"
# A bare word in a question that reads as a handle: one with a digit or an underscore (0kx_support).
_HANDLE_SHAPED = r"(?ai)(?=\w*[a-z])(?=\w*[\d_])\w{3,32}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer: official or not, suspicious or not, and the reasons in plain words."""

    target: str
    official: bool
    suspicious: bool
    reasons: list[str] = field(default_factory=list)


def verify(
    target: str,
    brand: Brand,
    platform: str | None = None,
    phishing_domains: frozenset[str] = frozenset(),
    allowed_hosts: frozenset[str] = frozenset(),
) -> Verdict:
    """Check one handle (@name, u/name), display name, e-mail address, profile or
    invite link, or other link."""
    reg = BrandRegistry.from_brand(brand)
    target = target.strip()
    if not target:
        raise ValueError(
            "nothing to verify: give a handle, a display name, an e-mail address or a link"
        )
    if compiled(_EMAIL).match(target):
        return verify_address(target.casefold(), reg, phishing_domains, allowed_hosts)
    if compiled(PHONE).fullmatch(target.removeprefix("tel:")):
        return verify_phone(target.removeprefix("tel:"), brand)
    if profile := compiled(_PROFILE).match(target):
        found = next(p for p in ("twitter", "telegram", "reddit", "discord") if profile.group(p))
        return verify_handle(profile.group("handle"), reg, found)
    if invite := compiled(_INVITE).match(target):
        return verify_invite(target, invite, reg)
    if found_hosts := hosts(target):
        return verify_host(
            found_hosts[0], reg, phishing_domains, allowed_hosts, _hidden_host(target, reg)
        )
    if "://" in target:  # a link with no public host in it (a router's address): no account either
        return Verdict(
            target, False, False, [f"{target} links to no public site, so it is not {reg.name}'s"]
        )
    handle = target.removeprefix("u/").lstrip("@")
    if not compiled(_HANDLE).fullmatch(handle):
        return verify_name(target, reg)
    return verify_handle(handle, reg, platform)


def verify_text(
    text: str,
    brand: Brand,
    platform: str | None = None,
    phishing_domains: frozenset[str] = frozenset(),
    allowed_hosts: frozenset[str] = frozenset(),
) -> list[Verdict]:
    """A verdict for each item (up to three) a question names, "is @0kx_support or okx-help.com
    real?"; text naming none is checked whole, as a handle or a display name."""
    known = BrandRegistry.from_brand(brand).known_handles()
    return [
        verify(item, brand, platform, phishing_domains, allowed_hosts)
        for item in items(text, known) or [text]
    ]


def items(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The phone numbers, handles, e-mail addresses and links written in a question, in order,
    without the words around them; a bare word counts when it is shaped like a handle (0kx_support)
    or is a known one (6+ letters)."""
    phones = [(m.start(), m.group(0)) for m in compiled(PHONE).finditer(text)]
    found = phones[:]
    for match in compiled(rf"(?:(?!{_WORDS}).)+").finditer(text):
        word, at = match.group(0).strip(".:"), match.start()
        if any(start <= at < start + len(phone) for start, phone in phones):
            continue  # part of a number written with spaces
        bare = compiled(_HANDLE_SHAPED).fullmatch(word) or (
            len(word) >= 6 and word.casefold() in known
        )
        if bare or word.startswith(("@", "u/")) or "@" in word or "://" in word or hosts(word):
            found.append((at, word))
    return list(dict.fromkeys(w for _, w in sorted(found) if w.strip("@")))[:_MAX_ITEMS]


def worst(verdicts: list[Verdict]) -> Verdict:
    """The verdict to act on: a suspicious one first, then one not official."""
    return min(verdicts, key=lambda v: (not v.suspicious, v.official))


def verify_handle(handle: str, reg: BrandRegistry, platform: str | None) -> Verdict:
    """An account: official on the platform (or any platform when none
    is given), or a look-alike."""
    platforms = [platform] if platform else sorted(reg.official)
    if on := [p for p in platforms if reg.is_official(p, handle)]:
        return Verdict(
            handle, True, False, [f"@{handle} is an official {reg.name} account on {', '.join(on)}"]
        )
    trusted_on = [
        p for p in ([platform] if platform else sorted(reg.trusted)) if reg.is_trusted(p, handle)
    ]
    if trusted_on:  # vouched for, but still not the brand's: users must not take it for support
        reason = (
            f"@{handle} is not an official {reg.name} account; the team vouches for it "
            f"on {', '.join(trusted_on)}"
        )
        return Verdict(handle, False, False, [reason])
    # What users copy may be a display name (欧易官方客服) rather than a handle: read as one if as a
    # handle it raises nothing.
    signals = _flagged(handle_signals(handle, reg)) or _flagged(name_signals(handle, reg))
    where = f" on {platform}" if platform else ""
    reasons = [
        f"@{handle} is not an official {reg.name} account{where}",
        *(s.words for s in signals),
    ]
    return Verdict(handle, False, bool(signals), reasons)


def verify_host(
    host: str,
    reg: BrandRegistry,
    phishing: frozenset[str],
    allowed: frozenset[str] = frozenset(),
    hidden: Signal | None = None,
) -> Verdict:
    """A link: on an official domain, or a look-alike / listed phishing domain, or one the
    operator allowed; hidden is the brand dressed up as the link's user name
    (okx.com@evil.example), suspicious on any host."""
    if reg.is_official_host(host):
        return Verdict(host, True, False, [f"{host} is an official {reg.name} domain"])
    signals = [s for s in (hidden, host_signal(host, reg, phishing, allowed)) if s]
    reasons = [
        f"{host} is not an official {reg.name} domain ({', '.join(reg.domains)})",
        *(s.words for s in signals),
    ]
    if not signals and (listed := on_list(host, allowed)):
        reasons.append(
            f"{host} is on the operator's allow list ({listed}): checked and found legitimate"
        )
    return Verdict(host, False, bool(_flagged(signals)), reasons)


def _hidden_host(target: str, reg: BrandRegistry) -> Signal | None:
    """The user-name trick in a link, if the target is one."""
    return next(user_name_trick(target, reg), None)


def verify_invite(target: str, invite: re.Match[str], reg: BrandRegistry) -> Verdict:
    """A Discord or Telegram invite: it names a server or group, never an account, so it is not
    known to be the brand's; a Discord code dressed as the brand (okx-support) is suspicious."""
    where = "Discord server" if invite.group("discord") else "private Telegram group"
    site = reg.domains[0] if reg.domains else "the official site"
    reason = (
        f"{target} is an invite to a {where}: invites name no account, so the bot cannot tell it "
        "is "
        f"{reg.name}'s (take invites from {site})"
    )
    code = (invite.group("code") or "").casefold()
    # A vanity invite named as the brand or one of its accounts may well be the
    # brand's own: unknown, not suspicious.
    plain = code in reg.tokens or any(code in handles for handles in reg.official.values())
    signals = _flagged(handle_signals(code, reg)) if code and not plain else []
    return Verdict(
        target,
        False,
        bool(signals),
        [reason, *(s.words.replace("handle", "invite name", 1) for s in signals)],
    )


def verify_phone(number: str, brand: Brand) -> Verdict:
    """A phone number given out as support: the brand's support is live chat and
    tickets, so a number that claims to be it rings whoever posted it (who then asks
    for codes or remote access)."""
    channels = f"live chat at {brand.live_chat_url}" + (
        f" and the ticket form at {brand.ticket_url}" if brand.ticket_url else ""
    )
    reasons = [
        f"{number} is not an official {brand.name} number: {brand.name} support is only {channels}",
        (
            "fake support numbers ring the scammer, who asks for codes or to install a "
            "remote-control app"
        ),
    ]
    return Verdict(number, False, True, reasons)


def verify_name(name: str, reg: BrandRegistry) -> Verdict:
    """Text no handle can hold (spaces, 欧易官方客服): a display name, which anyone can
    set, so no proof of an account."""
    reasons = [
        (
            f"'{name}' reads as a display name: anyone can set any display name, "
            "so only the @handle tells"
        )
    ]
    signals = _flagged(name_signals(name, reg))
    return Verdict(name, False, bool(signals), reasons + [s.words for s in signals])


def verify_address(
    address: str,
    reg: BrandRegistry,
    phishing: frozenset[str],
    allowed: frozenset[str] = frozenset(),
) -> Verdict:
    """An e-mail address: on an official domain, or a mailbox dressed as the
    brand's (okxsupport@gmail.com)."""
    address = address.removeprefix("mailto:")
    mailbox, _, domain = address.rpartition("@")
    if reg.is_official_host(domain):
        return Verdict(
            address,
            True,
            False,
            [f"{address} is an address on the official {reg.name} domain {domain}"],
        )
    reasons = [
        f"{address} is not an official {reg.name} address: {domain} is not the brand's domain"
    ]
    found = host_signal(domain, reg, phishing, allowed)
    flagged = _flagged([*([found] if found else []), *handle_signals(mailbox, reg)])
    return Verdict(address, False, bool(flagged), reasons + [s.words for s in flagged])


def _flagged(signals: list[Signal]) -> list[Signal]:
    """The signals that make a target suspicious on their own."""
    return [s for s in signals if s.label and s.weight >= FLAG]


def format_verdict(verdict: Verdict) -> str:
    """Plain text for the CLI: a headline, then one reason a line."""
    head = (
        "OFFICIAL" if verdict.official else "SUSPICIOUS" if verdict.suspicious else "NOT OFFICIAL"
    )
    return "\n".join([f"{head}: {verdict.target}", *(f"  - {r}" for r in verdict.reasons)])
