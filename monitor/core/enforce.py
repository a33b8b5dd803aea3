"""What the bot may do to moderate a place: the [enforce] table, checked against each platform's API
and the [policy] lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.core.models import ENFORCEMENT, PLATFORMS

# What each platform's API lets a bot do to another member's post or account. X lets no app delete
# another user's post, restrict or ban anyone: the team blocks and reports there by hand.
PLATFORM_CAN: dict[str, tuple[str, ...]] = {
    "telegram": ENFORCEMENT,
    "discord": ENFORCEMENT,
    "reddit": ENFORCEMENT,
    "twitter": (),
}
PLANNED = ("delete", "restrict", "ban")  # unban is a manager's undo, never planned by the policy
DEFAULT_RESTRICT_MINUTES = 24 * 60
BY_HAND = {  # what the alert tells the team where the bot cannot act
    "twitter": "X lets no app remove this post or ban the account: "
               "block and report it on X by hand",
}


@dataclass(frozen=True, slots=True)
class Enforce:
    """The enforcement kinds the policy plans for impersonation, per platform, and how long a
    restriction lasts."""

    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # platform -> kinds
    restrict_minutes: int = DEFAULT_RESTRICT_MINUTES
    wanted: tuple[str, ...] = ()  # what [policy] impersonation lists, whatever the platform allows

    def on(self, platform: str) -> tuple[str, ...]:
        """What the policy may plan against an impostor on this platform."""
        return self.kinds.get(platform, ())

    def by_hand(self, platform: str) -> str:
        """What the team must do itself where the platform lets the bot do nothing it was asked."""
        return BY_HAND.get(platform, "") if self.wanted and not self.on(platform) else ""


def parse(table: Mapping[str, Any], policy: Mapping[str, tuple[str, ...]]) -> Enforce:
    """The [enforce] table with the policy's lists; a ValueError names the key that is wrong."""
    for kind, actions in policy.items():
        if bad := [a for a in actions if a in _NEVER.get(kind, ())]:
            raise ValueError(f"'policy.{kind}' may not list '{bad[0]}': {_WHY[kind]}")
    if "unban" in policy.get("impersonation", ()):
        raise ValueError("'policy.impersonation' may not list 'unban': it is a manager's undo")
    minutes = table.get("restrict_minutes", DEFAULT_RESTRICT_MINUTES)
    if not 1 <= minutes <= 366 * 24 * 60:
        raise ValueError("'enforce.restrict_minutes' must be between 1 and 527040 (366 days)")
    wanted = tuple(k for k in PLANNED if k in policy.get("impersonation", ()))
    kinds = {p: _platform_kinds(p, table, wanted) for p in PLATFORMS}
    return Enforce(kinds, minutes, wanted)


_NEVER = {  # what a finding kind may never take
    "secret_leak": ("restrict", "ban", "unban"),
    "support_request": ENFORCEMENT,
}
_WHY = {
    "secret_leak": "the author of a leaked secret is its victim (the post is deleted, the account "
                   "never restricted)",
    "support_request": "a support request is answered, never removed",
}


def _platform_kinds(
    platform: str, table: Mapping[str, Any], wanted: tuple[str, ...]
) -> tuple[str, ...]:
    """The wanted kinds the platform allows and its [enforce] list (all it can by default)."""
    listed = table.get(platform, PLATFORM_CAN[platform])
    if bad := [k for k in listed if k not in ENFORCEMENT]:
        raise ValueError(f"'enforce.{platform}' has unknown action '{bad[0]}' "
                         f"(use {', '.join(ENFORCEMENT)})")
    if cannot := [k for k in listed if k not in PLATFORM_CAN[platform]]:
        raise ValueError(f"'enforce.{platform}' lists '{cannot[0]}', which the platform lets no "
                         "bot do" + (f" ({BY_HAND[platform]})" if platform in BY_HAND else ""))
    return tuple(k for k in wanted if k in listed)
