"""The moderators of each Discord server as the bot meets them: the owner and
members whose roles moderate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import discord

from monitor.core.models import Author

# Any of these makes a member someone users take orders from, and so someone impostors copy.
MODERATION = discord.Permissions(
    administrator=True,
    manage_guild=True,
    manage_messages=True,
    kick_members=True,
    ban_members=True,
    moderate_members=True,
)


def moderates(member: discord.Member) -> bool:
    """Whether a member owns the server or holds a role with a moderation permission."""
    return member.guild.owner_id == member.id or bool(
        member.guild_permissions.value & MODERATION.value
    )


class StaffRoster:
    """Per server, the moderators seen so far: in the member cache at start (with the
    members intent) and as they write or join; a member whose roles no longer
    moderate leaves it when next seen."""

    def __init__(self) -> None:
        self._by_guild: dict[int, dict[int, Author]] = defaultdict(dict)

    def see(self, member: discord.Member, as_author: Callable[[discord.Member], Author]) -> None:
        """Note a member met in a message, an edit or a join (as_author: the Author posts show,
        made only for a moderator)."""
        if moderates(member):
            self._by_guild[member.guild.id][member.id] = as_author(member)
        else:
            self._by_guild[member.guild.id].pop(member.id, None)

    def of(self, guild_id: int) -> tuple[Author, ...]:
        """The server's moderators known now."""
        return tuple(self._by_guild[guild_id].values())
