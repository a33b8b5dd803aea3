"""Discord connector on discord.py: guild channels and DMs in; replies, DMs and deletes out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import aiohttp
import discord  # absolute import: the library, not this module
import yarl

from monitor.connectors.backoff import Backoff, with_backoff
from monitor.connectors.catalog import MissingCredential
from monitor.connectors.discord.moderators import StaffRoster
from monitor.connectors.discord.sanctions import NEEDS, ban, guild_and_user, may, time_out, unban
from monitor.connectors.protocol import (
    CHUNK,
    Condition,
    ConnectorFatal,
    Emit,
    Refusals,
    no_report_api,
)
from monitor.core.config import Settings, env_secret
from monitor.core.models import JOINED_SERVER, Action, Author, Post, edit_id, message_id
from monitor.store import Store

log = logging.getLogger("monitor.connectors.discord")
T = TypeVar("T")

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"
DEFAULT_TOKEN_ENV = "DISCORD_BOT_TOKEN"
CURSOR_PREFIX = "discord:channel:"
ATTEMPTS = 4  # tries of a call after a drop or a 5xx, 0.5, 1 and 2 seconds apart
FIRST_WAIT, LAST_WAIT = 0.5, 2.0
READY_TIMEOUT = 10.0  # how long an action waits for a (re)connecting client
# Network drops and server errors that are worth another try (discord.py retries 429s itself).
TRANSIENT = (aiohttp.ClientConnectionError, asyncio.TimeoutError, discord.DiscordServerError)
WATCHED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
INTENT_ERROR = (
    "Discord: a privileged intent the config asks for (message content, or server members with "
    "members = true) is not enabled for this bot in the developer portal (close code 4014)"
)
NO_CONTENT = (
    "message_content = false: in server channels the bot reads only messages that mention it "
    "(and DMs), other messages arrive empty and are skipped; to read every message, switch on "
    "the Message Content Intent (Developer Portal > your application > Bot > Privileged "
    "Gateway Intents) and set message_content = true in [discord]"
)
LOGIN_ERROR = (
    "Discord: the bot token was rejected (HTTP 401); check the token's environment variable"
)
_BACKFILL = "backfill"  # queue marker: a fresh gateway session began, read what was missed
# queue marker: the guilds are known, start cursors for new channels, note moderators
_BASELINE = "baseline"
# A command layer's hook (desk.discord_commands, attached by cli/connecting): called with each new
# client after login and before the gateway connects, to put its slash commands on it.
OnClient = Callable[[discord.Client], Awaitable[None]]


class NotSupported(RuntimeError):
    """An action kind this connector does not carry out."""


class Refused(RuntimeError):
    """Discord refused a restrict, ban or unban; the message carries the status and code."""


@dataclass(frozen=True, slots=True)
class Options:
    """The [discord] table with its defaults filled in."""

    api_base: str = DEFAULT_API_BASE
    gateway_url: str = DEFAULT_GATEWAY
    message_content: bool = False
    members: bool = False  # the privileged server-members intent: members who join are checked
    channels: tuple[int, ...] = ()  # empty: every text channel the bot can read
    # [enforce]: how long a timeout lasts (Discord caps it at 28 days)
    restrict_minutes: int = 24 * 60


def build(settings: Settings, store: Store) -> DiscordConnector:
    """The connector from the [discord] table; the token comes from the env var it names."""
    table = settings.platforms.get("discord", {})
    env = table.get("token_env", DEFAULT_TOKEN_ENV)
    token = env_secret(env)
    if token is None:
        raise MissingCredential(f"environment variable {env} is not set (the Discord bot token)")
    options = Options(
        api_base=table.get("api_base", DEFAULT_API_BASE).rstrip("/"),
        gateway_url=table.get("gateway_url", DEFAULT_GATEWAY),
        message_content=table.get("message_content", False),
        members=table.get("members", False),
        channels=tuple(table.get("channels", ())),
        restrict_minutes=settings.enforce.restrict_minutes,
    )
    # discord.py logs whole payloads (message text included) at DEBUG;
    # log lines never carry post text.
    logging.getLogger("discord").setLevel(logging.INFO)
    return DiscordConnector(token, store, options)


def point_at(api_base: str, gateway_url: str) -> None:
    """Aim discord.py at an API and gateway; they are class attributes, so this is process-wide."""
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


@dataclass(frozen=True, slots=True)
class Joined:
    """A queued member who joined a server: an impostor joins to write to members in private."""

    member: discord.Member


@dataclass(frozen=True, slots=True)
class Edited:
    """A queued edit of a message (a secret or a scam link may be edited in afterwards)."""

    message: discord.Message


class _Client(discord.Client):
    """A discord.Client whose gateway events go onto the connector's queue, in arrival order."""

    def __init__(self, connector: DiscordConnector, intents: discord.Intents) -> None:
        super().__init__(intents=intents, max_messages=None, chunk_guilds_at_startup=False)
        self.connector = connector

    async def setup_hook(self) -> None:
        """Logged in, not connected yet: the attached command layer puts its commands on."""
        if self.connector.on_client is not None:
            await self.connector.on_client(self)

    async def on_connect(self) -> None:
        """A fresh session (not a RESUME): messages sent meanwhile must be read from history."""
        self.connector.connected.set()
        self.connector.queue.put_nowait(_BACKFILL)

    async def on_ready(self) -> None:
        """The guilds and their channels are known."""
        self.connector.queue.put_nowait(_BASELINE)

    async def on_message(self, message: discord.Message) -> None:
        """A live message."""
        self.connector.queue.put_nowait(message)

    async def on_member_join(self, member: discord.Member) -> None:
        """A new member (with the members intent only)."""
        self.connector.queue.put_nowait(Joined(member))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edited message (raw: the message need not be cached); link previews update a message
        too, without an edit time, and are left out."""
        if payload.message.edited_at is not None and payload.message.content:
            self.connector.queue.put_nowait(Edited(payload.message))


class DiscordConnector:
    """Watches DMs and guild channels through the gateway; back-fills from history after a gap."""

    name = "discord"
    platforms = ("discord",)

    def __init__(self, token: str, store: Store, options: Options) -> None:
        self.token = token
        self.store = store
        self.options = options
        self.client: _Client | None = None
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        # a back-fill or baseline marker taken while batching messages
        self._marker: str | None = None
        self.connected = asyncio.Event()
        self.stopped = ""  # why the connector stopped for good; actions then fail at once
        self._warned: set[tuple[int, int]] = set()  # (channel, error code) already logged
        self.staff = StaffRoster()  # each server's moderators, whom impostors copy
        self.refusals = Refusals(log)  # enforcement refused, and servers whose rights are unknown
        self.on_client: OnClient | None = None  # the slash commands' layer, when attached

    def attach(self, on_client: OnClient) -> None:
        """Plug in a command layer: `on_client` gets each client the connector makes (one per
        connection) before it connects. `monitor run` attaches the desk's; the connector knows
        nothing of it."""
        self.on_client = on_client

    def conditions(self) -> dict[str, Condition]:
        """What /healthz shows: without the message-content intent,
        server channels are a blind spot."""
        return {} if self.options.message_content else {"message_content": Condition(NO_CONTENT)}

    def intents(self) -> discord.Intents:
        """Guild messages and DMs; message content and member joins only
        when the config asks for them."""
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.dm_messages = True
        intents.message_content = self.options.message_content
        intents.members = self.options.members
        return intents

    # -- watching ---------------------------------------------------------------------------
    async def run(self, emit: Emit) -> None:
        """Log in, watch the gateway and hand posts to emit, until cancelled or a fatal error."""
        point_at(self.options.api_base, self.options.gateway_url)
        if not self.options.message_content:
            log.warning("discord: %s", NO_CONTENT)
        self.queue = asyncio.Queue()
        self._marker = None
        self.client = client = _Client(self, self.intents())
        consumer = asyncio.create_task(self._consume(emit))
        try:
            async with client:
                await _first_of(client.start(self.token), consumer)
        except discord.PrivilegedIntentsRequired:
            self.stopped = INTENT_ERROR
            raise ConnectorFatal(INTENT_ERROR) from None
        except discord.LoginFailure:
            self.stopped = LOGIN_ERROR
            raise ConnectorFatal(LOGIN_ERROR) from None
        finally:
            consumer.cancel()
            await asyncio.gather(consumer, return_exceptions=True)
            self.connected.clear()

    async def _consume(self, emit: Emit) -> None:
        """Handle queued events in arrival order, so back-fill always comes before newer messages;
        messages queued one behind another go together, so the daemon
        classifies them as one batch."""
        while True:
            # a marker, a discord.Message, Edited or Joined
            item: Any = self._marker or await self.queue.get()
            self._marker = None
            if item is _BACKFILL:
                await self._backfill(emit)
            elif item is _BASELINE:
                self._baseline()
                self._seed_staff()
            else:
                await self._handle_many(self._queued_behind(item), emit)

    def _queued_behind(
        self, first: discord.Message | Edited | Joined
    ) -> list[discord.Message | Edited | Joined]:
        """first and the messages waiting right behind it (up to a chunk); a marker ends the run and
        is kept to be handled next."""
        messages: list[discord.Message | Edited | Joined] = [first]
        while len(messages) < CHUNK and not self.queue.empty():
            item = self.queue.get_nowait()
            if item is _BACKFILL or item is _BASELINE:
                self._marker = item
                break
            messages.append(item)
        return messages

    async def _handle_many(
        self, items: list[discord.Message | Edited | Joined], emit: Emit
    ) -> None:
        """Emit the joins and the watched, readable messages and edits together, then move their
        channels' cursors (an edit does not move one: the message it edits was read already)."""
        for item in items:  # first, so a moderator's own message already counts as theirs
            self._see(item.member if isinstance(item, Joined) else _message(item).author)
        joins = [
            self._staffed(join_post(i.member), i.member.guild)
            for i in items
            if isinstance(i, Joined)
        ]
        mine = [i for i in items if not isinstance(i, Joined) and self._ours(_message(i))]
        posts = [
            self._staffed(to_post(_message(i), edited=isinstance(i, Edited)), _message(i).guild)
            for i in mine
            if _readable(_message(i))
        ]
        await asyncio.gather(*map(emit, joins + posts))
        for message in (i for i in mine if not isinstance(i, Edited)):
            self._advance(message.channel.id, message.id)

    def _see(self, user: discord.User | discord.Member) -> None:
        """Keep the server's moderators up to date with a member met (a DM's author is no member);
        the bot's own member, which the gateway always sends, is not one of the staff."""
        me = self.client.user if self.client is not None else None
        if isinstance(user, discord.Member) and (me is None or user.id != me.id):
            self.staff.see(user, to_author)

    def _staffed(self, post: Post, guild: discord.Guild | None) -> Post:
        """The post with its server's moderators beside it, its server and what the bot may do
        there; a DM has none."""
        if guild is None:
            return post
        return replace(
            post, staff=self.staff.of(guild.id), place=str(guild.id), bot_may=self._rights(guild)
        )

    def _rights(self, guild: discord.Guild) -> frozenset[str] | None:
        """The bot's rights in a server from its own member, which the gateway sends with the server
        and keeps current (role and member updates), so nothing is asked per post; None when the
        member is not known yet."""
        if guild.me is None:
            self.refusals.once(
                "rights",
                str(guild.id),
                f"discord: the bot's own member in server "
                f"{guild.id} is not known; its actions there are tried and may fail",
            )
            return None
        return may(guild.me)

    async def _handle(self, message: discord.Message, emit: Emit) -> None:
        """Emit one message if it is watched and readable, then move its channel's cursor."""
        await self._handle_many([message], emit)

    def _ours(self, message: discord.Message) -> bool:
        """A message in a watched place, not written by the bot itself."""
        assert self.client is not None and self.client.user is not None
        return message.author.id != self.client.user.id and self._watched(message)

    def _watched(self, message: discord.Message) -> bool:
        """DMs always; guild channels when listed in the config, or all when none are listed."""
        if message.guild is None or not self.options.channels:
            return True
        return message.channel.id in self.options.channels

    # -- cursors and back-fill -----------------------------------------------------------------
    def _cursor(self, channel_id: int) -> int | None:
        """The last message id handled in a channel."""
        value = self.store.cursor(f"{CURSOR_PREFIX}{channel_id}")
        return int(value) if value else None

    def _advance(self, channel_id: int, message_id: int) -> None:
        """Save a channel's cursor; never moves backwards (snowflakes grow with time)."""
        current = self._cursor(channel_id)
        if current is None or message_id > current:
            self.store.set_cursor(f"{CURSOR_PREFIX}{channel_id}", str(message_id))

    def _baseline(self) -> None:
        """Start a cursor at the newest message (or now) of each watched channel that has none.

        Without it, a channel first written to while the daemon is down would be missed.
        """
        assert self.client is not None
        now = discord.utils.time_snowflake(discord.utils.utcnow())
        for channel in self.client.get_all_channels():
            wanted = not self.options.channels or channel.id in self.options.channels
            if (
                wanted
                and isinstance(channel, discord.TextChannel)
                and self._cursor(channel.id) is None
            ):
                self._advance(channel.id, channel.last_message_id or now)

    def _seed_staff(self) -> None:
        """The moderators among the members the gateway sent at start (all of a small server's, with
        the members intent); the others are met as they write."""
        assert self.client is not None
        for guild in self.client.guilds:
            for member in guild.members:
                self._see(member)

    async def _backfill(self, emit: Emit) -> None:
        """Read every channel with a cursor from its history, oldest first, after the cursor."""
        for name, value in self.store.cursors(CURSOR_PREFIX).items():
            channel_id = int(name.removeprefix(CURSOR_PREFIX))
            try:
                await self._backfill_channel(channel_id, int(value), emit)
            except (discord.Forbidden, discord.NotFound) as exc:
                self._warn_once(channel_id, exc, "cannot read history")

    async def _backfill_channel(self, channel_id: int, after: int, emit: Emit) -> None:
        """Emit one channel's messages since `after`."""
        assert self.client is not None
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        assert isinstance(channel, discord.abc.Messageable)
        async for message in channel.history(
            limit=None, after=discord.Object(after), oldest_first=True
        ):
            await self._handle(message, emit)

    # -- acting ------------------------------------------------------------------------------
    async def perform(self, action: Action) -> str:
        """Reply, DM or delete; alerts belong to the managers' Telegram
        chat; reports are recorded."""
        if action.kind == "report":
            return no_report_api("discord")
        if action.kind in ("restrict", "ban", "unban"):
            return await self._enforce(await self._ready_client(), action)
        handler = {"reply": self._reply, "dm": self._dm, "delete": self._delete}.get(action.kind)
        if handler is None:  # fails this action: alerts go to the managers' Telegram chat
            raise NotSupported(f"the Discord connector does not send {action.kind} actions")
        client = await self._ready_client()
        return await handler(client, action)

    async def _enforce(self, client: _Client, action: Action) -> str:
        """Time out, ban or unban a user in the server the action's place names; a refusal names
        Discord's status and code and is logged once per server and kind with the permission."""
        guild, user_id = guild_and_user(client, action)
        calls = {
            "restrict": lambda: time_out(
                guild, user_id, self.options.restrict_minutes, action.text
            ),
            "ban": lambda: ban(guild, user_id, action.text),
            "unban": lambda: unban(guild, user_id, action.text),
        }
        try:
            return await self._try(guild.id, calls[action.kind])
        except discord.HTTPException as exc:
            reason = f"HTTP {exc.status}, code {exc.code}: {exc.text}"
            if isinstance(exc, discord.Forbidden):
                self.refusals.once(
                    action.kind,
                    action.place,
                    f"discord: cannot {action.kind} in server {action.place}: the "
                    f"bot needs the {NEEDS[action.kind]} permission, and a role above "
                    f"the member's ({reason})",
                )
            raise Refused(f"discord refused {action.kind} ({reason})") from None

    async def _ready_client(self) -> _Client:
        """The logged-in client, waiting a while for a (re)connecting one."""
        # never wait on a connector that will not come back: it would stall the sender
        if self.stopped:
            raise ConnectionError(self.stopped)
        try:
            await asyncio.wait_for(self.connected.wait(), READY_TIMEOUT)
        except TimeoutError:
            raise ConnectionError("discord: not connected") from None
        assert self.client is not None
        return self.client

    async def _reply(self, client: _Client, action: Action) -> str:
        """Answer in the thread; if the message is gone (deleted), post in the channel instead."""
        channel_id, message_id = split_target(action.target)
        channel = client.get_partial_messageable(channel_id)
        ref = channel.get_partial_message(message_id).to_reference(fail_if_not_exists=False)
        mentions = discord.AllowedMentions.none()  # never ping: not the author, not @everyone
        sent = await self._try(
            channel_id, lambda: channel.send(action.text, reference=ref, allowed_mentions=mentions)
        )
        return f"message {sent.id}"

    async def _dm(self, client: _Client, action: Action) -> str:
        """A private message to a user."""
        user_id = int(action.target)
        dm = await self._try(user_id, lambda: client.create_dm(discord.Object(user_id)))
        sent = await self._try(dm.id, lambda: dm.send(action.text))
        return f"dm {sent.id}"

    async def _delete(self, client: _Client, action: Action) -> str:
        """Delete a message (needs Manage Messages; without it Discord answers 403 / 50013)."""
        channel_id, message_id = split_target(action.target)
        message = client.get_partial_messageable(channel_id).get_partial_message(message_id)
        await self._try(channel_id, message.delete)
        return "deleted"

    async def _try(self, place: int, call: Callable[[], Awaitable[T]]) -> T:
        """Call the API, retrying drops and 5xx with backoff; a refusal
        is logged once per channel."""
        backoff = Backoff(FIRST_WAIT, LAST_WAIT)

        def wait_for(exc: Exception) -> float | None:
            return backoff.delay() if isinstance(exc, TRANSIENT) else None

        def said(exc: Exception, wait: float) -> None:
            log.warning("discord: %s; retrying in %.1fs", type(exc).__name__, wait)

        try:
            return await with_backoff(call, wait_for, said, attempts=ATTEMPTS)
        except discord.Forbidden as exc:
            self._warn_once(place, exc, "refused")
            raise

    def _warn_once(self, place: int, exc: discord.HTTPException, what: str) -> None:
        """Log a platform refusal with its codes, once per channel (or user) and code."""
        if (place, exc.code) not in self._warned:
            self._warned.add((place, exc.code))
            log.warning(
                "discord: %s in channel %s (HTTP %s, code %s: %s)",
                what,
                place,
                exc.status,
                exc.code,
                exc.text,
            )

    async def profile(self, author_id: str) -> Author:
        """The user's public profile (creation date from the snowflake)."""
        client = await self._ready_client()
        user = await self._try(int(author_id), lambda: client.fetch_user(int(author_id)))
        return to_author(user)


def split_target(target: str) -> tuple[int, int]:
    """A post id "channel:message" as two snowflakes."""
    channel, sep, message = message_id(target).partition(":")  # an edit's id names its message
    if not (sep and channel.isdigit() and message.isdigit()):
        raise ValueError(f"not a Discord message target (channel:message): {target!r}")
    return int(channel), int(message)


def to_author(user: discord.User | discord.Member) -> Author:
    """The Author for a Discord user; in a server the name members see is the server nickname, and
    the global name is kept beside it (an impostor may dress either as the brand's support)."""
    names = [getattr(user, "nick", None), user.global_name or user.name]
    return Author(
        platform="discord",
        id=str(user.id),
        handle=user.name,
        name=" / ".join(dict.fromkeys(n for n in names if n)),
        created_at=user.created_at,
    )


def _readable(message: discord.Message) -> bool:
    """A message with text of a kind users write (not a join, pin or other system message)."""
    return bool(message.content) and message.type in WATCHED_TYPES


def join_post(member: discord.Member) -> Post:
    """A Post for a member who joined, so their name and handle are checked at the door; the id
    holds the join time, as a member may leave and come back."""
    joined = member.joined_at or discord.utils.utcnow()
    return Post(
        platform="discord",
        id=f"{member.guild.id}~j{member.id}~{int(joined.timestamp())}",
        author=to_author(member),
        text=JOINED_SERVER,
        channel="group",
        created_at=joined,
    )


def _message(item: discord.Message | Edited) -> discord.Message:
    """The message a queued item carries."""
    return item.message if isinstance(item, Edited) else item


def to_post(message: discord.Message, edited: bool = False) -> Post:
    """The Post for a message or an edit of one; its id carries the channel,
    which every later action needs."""
    ref = message.reference
    reply_to = f"{ref.channel_id}:{ref.message_id}" if ref and ref.message_id else None
    own = f"{message.channel.id}:{message.id}"
    at = message.edited_at if edited else None
    return Post(
        platform="discord",
        id=edit_id(own, at) if at else own,
        edit_of=own if at else None,
        author=to_author(message.author),
        text=message.content,
        channel="dm" if message.guild is None else "group",
        created_at=message.created_at,
        url=message.jump_url,
        reply_to=reply_to,
    )


async def _first_of(main: Awaitable[None], watcher: asyncio.Task[None]) -> None:
    """Run `main` until it ends or `watcher` fails; either way the first error is raised."""
    task = asyncio.ensure_future(main)
    try:
        done, _ = await asyncio.wait([task, watcher], return_when=asyncio.FIRST_COMPLETED)
        for finished in done:
            finished.result()
        raise ConnectionError("discord: the gateway connection ended")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
