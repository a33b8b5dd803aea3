"""`monitor verify`: is this account or link the brand's own, and if not, why does it look like it?"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.classify.impersonation.domains import host_signal, hosts, on_list
from monitor.classify.impersonation.handles import handle_signals, name_signals
from monitor.classify.impersonation.registry import BrandRegistry
from monitor.classify.impersonation.signals import Signal
from monitor.config import Brand

FLAG = 0.5
# Profile links name both the platform and the handle.
_PROFILE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:(?P<twitter>x\.com|twitter\.com)/@?|(?P<telegram>t\.me|telegram\.me)/"
    r"|(?P<reddit>reddit\.com/(?:u|user)/)|(?P<discord>discord\.com/users/))(?P<handle>[\w.]{1,64})/?$",
    re.IGNORECASE,
)

_EMAIL = re.compile(r"^(?:mailto:)?[^@\s/:]{1,64}@[^@\s/]{1,253}\.[a-z]{2,24}$", re.IGNORECASE)


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
    """Check a handle (@name, u/name), a profile link or any other link against the brand."""
    reg = BrandRegistry.from_brand(brand)
    target = target.strip()
    if _EMAIL.match(target):
        return verify_address(target.casefold(), reg, phishing_domains, allowed_hosts)
    if profile := _PROFILE.match(target):
        found = next(p for p in ("twitter", "telegram", "reddit", "discord") if profile.group(p))
        return verify_handle(profile.group("handle"), reg, found)
    if "." in target and (found_hosts := hosts(target)):
        return verify_host(found_hosts[0], reg, phishing_domains, allowed_hosts)
    if "://" in target:  # a link with no public host in it (a router's address): no account either
        return Verdict(target, False, False, [f"{target} links to no public site, so it is not {reg.name}'s"])
    return verify_handle(target.removeprefix("u/").lstrip("@"), reg, platform)


def verify_handle(handle: str, reg: BrandRegistry, platform: str | None) -> Verdict:
    """An account: official on the platform (or any platform when none is given), or a look-alike."""
    platforms = [platform] if platform else sorted(reg.official)
    if on := [p for p in platforms if reg.is_official(p, handle)]:
        return Verdict(handle, True, False, [f"@{handle} is an official {reg.name} account on {', '.join(on)}"])
    trusted_on = [p for p in ([platform] if platform else sorted(reg.trusted)) if reg.is_trusted(p, handle)]
    if trusted_on:  # vouched for, but still not the brand's: users must not take it for support
        reason = f"@{handle} is not an official {reg.name} account; the team vouches for it on {', '.join(trusted_on)}"
        return Verdict(handle, False, False, [reason])
    # What users copy may be a display name (欧易官方客服) rather than a handle: read as one if as a
    # handle it raises nothing.
    signals = _flagged(handle_signals(handle, reg)) or _flagged(name_signals(handle, reg))
    where = f" on {platform}" if platform else ""
    reasons = [f"@{handle} is not an official {reg.name} account{where}", *(s.words for s in signals)]
    return Verdict(handle, False, bool(signals), reasons)


def verify_host(
    host: str, reg: BrandRegistry, phishing: frozenset[str], allowed: frozenset[str] = frozenset()
) -> Verdict:
    """A link: on an official domain, or a look-alike / listed phishing domain, or one the operator allowed."""
    if reg.is_official_host(host):
        return Verdict(host, True, False, [f"{host} is an official {reg.name} domain"])
    signal = host_signal(host, reg, phishing, allowed)
    suspicious = bool(signal and signal.label and signal.weight >= FLAG)
    reasons = [f"{host} is not an official {reg.name} domain ({', '.join(reg.domains)})"]
    if signal:
        reasons.append(signal.words)
    elif listed := on_list(host, allowed):
        reasons.append(f"{host} is on the operator's allow list ({listed}): checked and found legitimate")
    return Verdict(host, False, suspicious, reasons)


def verify_address(
    address: str, reg: BrandRegistry, phishing: frozenset[str], allowed: frozenset[str] = frozenset()
) -> Verdict:
    """An e-mail address: on an official domain, or a mailbox dressed as the brand's (okxsupport@gmail.com)."""
    address = address.removeprefix("mailto:")
    mailbox, _, domain = address.rpartition("@")
    if reg.is_official_host(domain):
        return Verdict(address, True, False, [f"{address} is an address on the official {reg.name} domain {domain}"])
    reasons = [f"{address} is not an official {reg.name} address: {domain} is not the brand's domain"]
    found = host_signal(domain, reg, phishing, allowed)
    flagged = _flagged([*([found] if found else []), *handle_signals(mailbox, reg)])
    return Verdict(address, False, bool(flagged), reasons + [s.words for s in flagged])


def _flagged(signals: list[Signal]) -> list[Signal]:
    """The signals that make a target suspicious on their own."""
    return [s for s in signals if s.label and s.weight >= FLAG]


def format_verdict(verdict: Verdict) -> str:
    """Plain text for the CLI: a headline, then one reason a line."""
    head = "OFFICIAL" if verdict.official else "SUSPICIOUS" if verdict.suspicious else "NOT OFFICIAL"
    return "\n".join([f"{head}: {verdict.target}", *(f"  - {r}" for r in verdict.reasons)])
