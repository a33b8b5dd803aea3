"""The command layer on Discord: /support, /verify and /report as slash commands (discord.py's app
commands), answered by the handlers Telegram's commands use (desk.command_handlers).

`monitor run` attaches it to the Discord connector (`attach`, called by cli/connecting): the
connector hands it each client it makes, before the client connects; the layer puts a command tree
on it and registers the commands with the application (once per process).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.app_commands import locale_str

from monitor.connectors.discord import DiscordConnector
from monitor.core.config import Settings
from monitor.desk import command_handlers as commands
from monitor.desk.command_handlers import Call, Desk, Texts, call_language
from monitor.replies.guard import Guard

log = logging.getLogger("monitor.connectors.discord")
SLASH_COMMANDS = ("support", "verify", "report")
OPTIONS = {"verify": "target", "report": "text"}  # each command's one option, if it has one
EPHEMERAL = frozenset({"verify", "report"})  # what a user checks or reports, only they see
MAX_CONTENT = 2000  # Discord's message limit
_USAGE = re.compile(r"^/\w+(?: <([^>]+)>)? - (.+)$")  # "/verify <handle or link> - is this ..."


def usage(texts: Texts, lang: str, name: str) -> tuple[str, str]:
    """A command's option and description in `lang`, from its /help line in data/commands."""
    line = texts.usage(lang, name)
    found = _USAGE.match(line)
    if found is None:
        raise ValueError(f"data/commands/{lang}.toml: usage.{name} is not '/{name} <x> - ...'")
    return found.group(1) or "", found.group(2)[:100]  # Discord allows 100 characters


class Translations(app_commands.Translator):
    """The commands' descriptions in Chinese for Discord clients set to Chinese (zh-CN, zh-TW)."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: Any
    ) -> str | None:
        """The Chinese text of a description the layer made, else None (Discord shows English)."""
        name, part = string.extras.get("command"), string.extras.get("part")
        if not locale.value.startswith("zh") or name not in SLASH_COMMANDS:
            return None
        option, description = usage(self.texts, "zh", name)
        return option if part == "option" else description


class CommandLayer:
    """Slash commands into monitor.desk.command_handlers calls, the answers (each through the
    guard) as interaction responses."""

    def __init__(self, desk: Desk, guard: Guard, guilds: tuple[int, ...] = ()) -> None:
        self.desk = desk
        self.guard = guard
        self.guilds = guilds  # register in these servers only (at once); empty: for the app
        self.synced = False

    async def __call__(self, client: discord.Client) -> None:
        """The connector's hook: a command tree on a new client; the commands registered once."""
        tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
        await tree.set_translator(Translations(self.desk.texts))
        places = [discord.Object(g) for g in self.guilds]
        for command in self.commands():
            if places:
                tree.add_command(command, guilds=places)
            else:
                tree.add_command(command)
        if not self.synced:
            self.synced = await self._sync(tree)

    def commands(self) -> list[app_commands.Command[Any, ..., None]]:
        """/support, /verify <target> and /report <text>, described in the /help lines' words."""

        async def support(interaction: discord.Interaction) -> None:
            await self.answer(interaction, "support", "")

        async def verify(interaction: discord.Interaction, target: str) -> None:
            await self.answer(interaction, "verify", target)

        async def report(interaction: discord.Interaction, text: str) -> None:
            await self.answer(interaction, "report", text)

        made: list[app_commands.Command[Any, ..., None]] = []
        for name, callback in (("support", support), ("verify", verify), ("report", report)):
            option, description = usage(self.desk.texts, "en", name)
            if name in OPTIONS:
                text = locale_str(option, command=name, part="option")
                callback = app_commands.describe(**{OPTIONS[name]: text})(callback)
            made.append(
                app_commands.Command(
                    name=name,
                    description=locale_str(description, command=name, part="description"),
                    callback=callback,
                )
            )
        return made

    async def _sync(self, tree: app_commands.CommandTree[discord.Client]) -> bool:
        """Register the commands (PUT, replacing the application's); a refusal is logged and the
        watching goes on."""
        try:
            for guild in self.guilds or (None,):
                await tree.sync(guild=discord.Object(guild) if guild else None)
        except discord.HTTPException as exc:
            log.error(
                "discord: the slash commands could not be registered (HTTP %s, code %s: %s); "
                "the bot must be invited with the applications.commands scope",
                exc.status,
                exc.code,
                exc.text,
            )
            return False
        except (TimeoutError, aiohttp.ClientError) as exc:  # tried again on reconnecting
            log.warning("discord: the slash commands were not registered (%s)", type(exc).__name__)
            return False
        where = f"in {len(self.guilds)} server(s)" if self.guilds else "for the application"
        log.info("discord: slash commands /support, /verify, /report registered %s", where)
        return True

    async def answer(self, interaction: discord.Interaction, name: str, text: str) -> None:
        """Answer one slash command through the handlers; /verify and /report only to the user."""
        user = interaction.user
        call = Call(
            name,
            text,
            user.id,
            interaction.channel_id or 0,
            interaction.guild_id is None,
            call_language(interaction.locale.value, text),
            user.name,
            str(interaction.id),
            "discord",
        )
        try:
            # delete_command has nothing to do here: a slash command's text is no message, and
            # the answer to a /report or /verify that may hold a secret is the user's alone
            reply = commands.handle(self.desk, call).text
        except Exception as exc:  # noqa: BLE001 - the user still gets an answer, the log no text
            log.error("discord: /%s failed (%s)", name, type(exc).__name__)
            reply = self.desk.say(call, "failed", error="internal error")
        await self._respond(interaction, call, reply)

    async def _respond(self, interaction: discord.Interaction, call: Call, text: str) -> None:
        """The interaction response (type 4), unless the guard refuses the text."""
        if len(text) > MAX_CONTENT:
            text = text[: MAX_CONTENT - 1] + "…"
        if reason := self.guard.check(text, "discord", "alert"):
            log.error(
                "discord: the answer to /%s was withheld by the guard: %s", call.command, reason
            )
            text = self.desk.say(call, "failed", error="withheld")
        try:
            await interaction.response.send_message(
                text,
                ephemeral=call.command in EPHEMERAL,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:  # e.g. 10062: answered too late (after 3 seconds)
            log.warning(
                "discord: the answer to /%s was refused (HTTP %s, code %s)",
                call.command,
                exc.status,
                exc.code,
            )


def attach(connector: DiscordConnector, settings: Settings) -> CommandLayer:
    """Plug the slash commands into a connector: [discord] command_guilds names the servers to
    register them in (empty: for the whole application)."""
    table = settings.platforms.get("discord", {})
    layer = CommandLayer(
        Desk.from_settings(settings, connector.store),
        Guard(settings.brand),
        tuple(table.get("command_guilds", ())),
    )
    connector.attach(layer)
    return layer
