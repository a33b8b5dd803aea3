"""The bot's rights in a Discord server (its own member's permissions, kept current by the gateway)
and what it does with them: time a member out, ban and unban."""

from __future__ import annotations

from datetime import timedelta

import discord

from monitor.core.models import Action

MAX_TIMEOUT = timedelta(days=28)  # Discord refuses a longer timeout (400, code 50035)
# What the team must grant, named as the server settings name the permissions.
NEEDS = {"delete": "Manage Messages", "restrict": "Moderate Members", "ban": "Ban Members",
         "unban": "Ban Members"}


def may(me: discord.Member) -> frozenset[str]:
    """The enforcement kinds the bot's server permissions allow (an owner or administrator has all;
    discord.py folds that into guild_permissions)."""
    perms = me.guild_permissions
    kinds = {"delete"} if perms.manage_messages else set()
    if perms.moderate_members:
        kinds.add("restrict")
    if perms.ban_members:
        kinds |= {"ban", "unban"}
    return frozenset(kinds)


def guild_and_user(client: discord.Client, action: Action) -> tuple[discord.Guild, int]:
    """The server an action's place names and the user id it targets; ValueError when the bot is
    not in that server or the ids are malformed."""
    if not (action.place.isdigit() and action.target.isdigit()):
        raise ValueError(f"a Discord {action.kind} needs the server id as its place and the "
                         "user id as its target")
    guild = client.get_guild(int(action.place))
    if guild is None:
        raise ValueError(f"the bot is not in server {action.place}")
    return guild, int(action.target)


async def time_out(guild: discord.Guild, user_id: int, minutes: int, reason: str) -> str:
    """Time a member out (no writing, speaking or reacting) for `minutes`, at most 28 days."""
    member = guild.get_member(user_id) or await guild.fetch_member(user_id)
    length = min(timedelta(minutes=minutes), MAX_TIMEOUT)
    await member.timeout(length, reason=reason or None)
    return f"timed out for {int(length.total_seconds() // 60)} minutes"


async def ban(guild: discord.Guild, user_id: int, reason: str) -> str:
    """Ban a user from the server (a member or not), keeping their messages for the record."""
    await guild.ban(discord.Object(user_id), reason=reason or None, delete_message_seconds=0)
    return "banned"


async def unban(guild: discord.Guild, user_id: int, reason: str) -> str:
    """Lift a ban, and a member's timeout, whichever there is."""
    lifted = []
    try:
        await guild.unban(discord.Object(user_id), reason=reason or None)
        lifted.append("unbanned")
    except discord.NotFound:  # 10026 Unknown Ban: no ban to lift
        pass
    try:
        member = guild.get_member(user_id) or await guild.fetch_member(user_id)
    except discord.NotFound:  # 10007 Unknown Member: not in the server (left, or banned until now)
        member = None
    if member is not None and member.is_timed_out():
        await member.timeout(None, reason=reason or None)
        lifted.append("timeout lifted")
    return ", ".join(lifted) or "nothing to lift"
