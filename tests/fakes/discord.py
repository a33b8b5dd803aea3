"""A stateful Discord on 127.0.0.1: REST API v10 and gateway websocket, with scripted faults."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from tests.fakes import until

DISCORD_EPOCH_MS = 1420070400000
MESSAGE_CONTENT = 1 << 15  # the privileged intent bits
GUILD_MEMBERS = 1 << 1
MANAGE_MESSAGES, MODERATE_MEMBERS, BAN_MEMBERS = 1 << 13, 1 << 40, 1 << 2  # permission bits
TOKEN = "fake-discord-token"


def snowflake_at(when: datetime, counter: int = 0) -> int:
    """A snowflake whose timestamp is `when` (as Discord derives created_at from it)."""
    return ((int(when.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | (counter & 0xFFF)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with the exact Content-Type discord.py expects (no charset suffix)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _error(status: int, code: int, message: str) -> web.Response:
    """A Discord error body: {"code": ..., "message": ...}."""
    return _json({"code": code, "message": message}, status)


@dataclass
class Fault:
    """A scripted failure for requests whose method and path match, `times` times."""

    method: str
    path: str  # a regular expression matched against the path after /api/v10
    kind: str  # "429" | "500" | "403" | "drop"
    times: int = 1
    retry_after: float = 0.05


@dataclass
class Session:
    """One gateway session: its dispatched events, kept so a RESUME can replay them."""

    id: str
    intents: int
    events: list[dict[str, Any]] = field(default_factory=list)
    sockets: set[web.WebSocketResponse] = field(default_factory=set)


class FakeDiscord:
    """The Discord REST API and gateway for one bot in one guild, with state tests can read."""

    made: ClassVar[list[Any]] = []  # every instance, for the contract checks after a test

    def __init__(
        self,
        *,
        content_intent_enabled: bool = False,
        can_manage_messages: bool = True,
        members_intent_enabled: bool = True,
        bot_permissions: int | None = None,
    ) -> None:
        """A bot as the developer portal makes it: the privileged Message Content intent is off
        (asking for it closes with 4014; without it guild messages arrive empty unless they
        mention the bot). Scenarios that read every message turn it on explicitly. The bot's role
        grants `bot_permissions` (by default Manage Messages unless can_manage_messages is false,
        Moderate Members and Ban Members)."""
        type(self).made.append(self)
        self.content_intent_enabled = content_intent_enabled
        self.members_intent_enabled = members_intent_enabled
        self.can_manage_messages = can_manage_messages
        self._ids = itertools.count(1)
        self._last_id = 0
        self.users: dict[int, dict[str, Any]] = {}
        self.nicks: dict[int, str | None] = {}  # guild nicknames by user id
        self.roles: list[dict[str, Any]] = []  # the guild's roles besides @everyone
        self.member_roles: dict[int, list[str]] = {}  # role ids by user id
        self.bot = self.add_user("monitor-bot", bot=True)
        self.guild_id = self.new_id()
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.sent: list[dict[str, Any]] = []  # messages the bot posted
        self.bodies: list[dict[str, Any]] = []  # the JSON bodies of those posts, as sent
        self.deleted: list[tuple[int, int]] = []  # (channel id, message id)
        self.requests: list[tuple[str, str]] = []  # (method, path) of every REST call
        self.faults: list[Fault] = []
        self._transports: dict[web.WebSocketResponse, Any] = {}
        self.sessions: dict[str, Session] = {}
        self.identifies = 0
        # (method, path, status, JSON body) sent
        self.answered: list[tuple[str, str, int, Any]] = []
        self.resumes = 0
        self.general = self.add_channel("general")
        if bot_permissions is None:
            bot_permissions = (
                MODERATE_MEMBERS | BAN_MEMBERS | (MANAGE_MESSAGES if can_manage_messages else 0)
            )
        self.bot_role = self.add_role("monitor-bot", bot_permissions)
        self.give_role(self.bot, self.bot_role)
        self.timeouts: dict[int, str] = {}  # user id -> communication_disabled_until
        self.bans: dict[int, str] = {}  # user id -> the reason given (X-Audit-Log-Reason)
        self.moderated: list[tuple[str, int, str]] = []  # (what, user id, audit log reason) done
        # slash commands as registered: (guild id or None, name) -> ApplicationCommandResponse
        self.commands: dict[tuple[str | None, str], dict[str, Any]] = {}
        self.command_bodies: list[Any] = []  # every registration's JSON body, as sent
        self.interactions: dict[int, dict[str, Any]] = {}  # INTERACTION_CREATE payloads by id
        self.callbacks: list[dict[str, Any]] = []  # interaction responses: id, query, body
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- setup ---------------------------------------------------------------------------
    def new_id(self) -> int:
        """A fresh snowflake, increasing and stamped with the current time."""
        now = snowflake_at(datetime.now(UTC), next(self._ids))
        self._last_id = max(now, self._last_id + 1)
        return self._last_id

    def add_user(
        self,
        username: str,
        global_name: str | None = None,
        created: datetime | None = None,
        bot: bool = False,
    ) -> dict[str, Any]:
        """A user; `created` sets the account's creation date through its snowflake."""
        uid = snowflake_at(created, next(self._ids)) if created else self.new_id()
        user = {
            "id": str(uid),
            "username": username,
            "global_name": global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        self.users[uid] = user
        return user

    def set_bot_permissions(self, permissions: int) -> None:
        """Change what the bot's role grants (a GUILD_ROLE_UPDATE
        follows when sessions are live)."""
        role = next(r for r in self.roles if r["id"] == self.bot_role)
        role["permissions"] = str(permissions)

    def _bot_may(self, bit: int) -> bool:
        """Whether the bot's roles grant a permission (or administrator)."""
        granted = 0
        for role in self.roles:
            if role["id"] in self.member_roles.get(int(self.bot["id"]), []):
                granted |= int(role["permissions"])
        return bool(granted & (bit | 8))

    def member(self, user: dict[str, Any]) -> dict[str, Any]:
        """A guild member object (GuildMemberResponse) for a user."""
        uid = int(user["id"])
        return {
            "user": user,
            "roles": self.member_roles.get(uid, []),
            "nick": self.nicks.get(uid),
            "joined_at": datetime.now(UTC).isoformat(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "avatar": None,
            "banner": None,
            "communication_disabled_until": self.timeouts.get(uid),
        }

    def set_nick(self, user: dict[str, Any], nick: str | None) -> None:
        """The user's nickname in the guild, which members see instead of their name."""
        self.nicks[int(user["id"])] = nick

    def add_role(self, name: str, permissions: int) -> str:
        """A role with a permission bit field (8192: manage messages); its id."""
        role = {
            "id": str(self.new_id()),
            "name": name,
            "permissions": str(permissions),
            "position": len(self.roles) + 1,
            "color": 0,
            "hoist": True,
            "managed": False,
            "mentionable": True,
        }
        self.roles.append(role)
        return str(role["id"])

    def give_role(self, user: dict[str, Any], role_id: str) -> None:
        """A member gets a role (before the bot connects, or before they next write)."""
        self.member_roles.setdefault(int(user["id"]), []).append(role_id)

    def add_channel(self, name: str) -> int:
        """A text channel in the guild."""
        cid = self.new_id()
        self.channels[cid] = {
            "id": str(cid),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
        }
        self.messages[cid] = []
        return cid

    def dm_channel(self, user: dict[str, Any]) -> int:
        """The DM channel between the bot and a user, made on first use."""
        for cid, ch in self.channels.items():
            if ch["type"] == 1 and ch["recipients"][0]["id"] == user["id"]:
                return cid
        cid = self.new_id()
        self.channels[cid] = {
            "id": str(cid),
            "type": 1,
            "recipients": [user],
            "last_message_id": None,
        }
        self.messages[cid] = []
        return cid

    # -- traffic ---------------------------------------------------------------------------
    async def post(
        self, channel_id: int, author: dict[str, Any], content: str, reply_to: int | None = None
    ) -> dict[str, Any]:
        """A user posts: stored in the channel's history and dispatched to connected sessions."""
        message = self._message(channel_id, author, content, reply_to)
        await self._dispatch("MESSAGE_CREATE", message)
        return message

    async def join(self, user: dict[str, Any]) -> None:
        """A user joins the guild: GUILD_MEMBER_ADD, sent only to
        sessions with the members intent."""
        member = {
            "guild_id": str(self.guild_id),
            "user": user,
            "roles": self.member_roles.get(int(user["id"]), []),
            "joined_at": datetime.now(UTC).isoformat(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "avatar": None,
            "communication_disabled_until": None,
            "nick": self.nicks.get(int(user["id"])),
        }
        for session in list(self.sessions.values()):
            if session.intents & GUILD_MEMBERS:
                await self._send_event(session, "GUILD_MEMBER_ADD", member)

    async def edit(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        """The author edits a message: MESSAGE_UPDATE carries the whole
        message with its edit time."""
        message.update(content=content, edited_timestamp=datetime.now(UTC).isoformat())
        await self._dispatch("MESSAGE_UPDATE", message)
        return message

    def _message(
        self, channel_id: int, author: dict[str, Any], content: str, reply_to: int | None
    ) -> dict[str, Any]:
        """Store a new message in a channel's history."""
        mid = self.new_id()
        guild = self.channels[channel_id]["type"] == 0
        message: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": self._mentions(content),
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 19 if reply_to else 0,
        }
        if guild:
            message["guild_id"] = str(self.guild_id)
            # As the gateway sends it: without "flags" discord.py leaves the author a plain User.
            message["member"] = {
                "roles": self.member_roles.get(int(author["id"]), []),
                "joined_at": message["timestamp"],
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "premium_since": None,
                "avatar": None,
                "communication_disabled_until": None,
                "nick": self.nicks.get(int(author["id"])),
            }
        if reply_to:
            message["message_reference"] = {
                "message_id": str(reply_to),
                "channel_id": str(channel_id),
            }
        self.messages[channel_id].append(message)
        return message

    async def slash(
        self,
        user: dict[str, Any],
        name: str,
        locale: str = "en-US",
        channel_id: int | None = None,
        **options: str,
    ) -> dict[str, Any]:
        """A user runs a registered slash command in a channel (in the bot's DM when None):
        INTERACTION_CREATE (type 2) with the payload Discord sends, to every session."""
        dm = channel_id is None
        where = str(self.guild_id) if not dm else None
        command = self.commands.get((where, name)) or self.commands.get((None, name))
        if command is None:
            raise LookupError(f"/{name} is not registered{'' if dm else ' in the guild'}")
        iid = self.new_id()
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1}
        if options:
            data["options"] = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": self.bot["id"],
            "type": 2,
            "data": data,
            "token": f"interaction-token-{iid}",
            "version": 1,
            "locale": locale,
            "app_permissions": "2248473465835073",
            "entitlements": [],
            "authorizing_integration_owners": {"0": where or "0"},
            "context": 1 if dm else 0,
            "attachment_size_limit": 10485760,
        }
        if dm:
            cid = self.dm_channel(user)
            payload["user"] = user
            payload["channel"] = {**self.channels[cid], "recipients": [user], "flags": 0}
        else:
            cid = channel_id or self.general
            member = {**self.member(user), "permissions": "1071698660929"}
            payload.update(
                guild_id=where,
                guild_locale="en-US",
                guild={"id": where, "locale": "en-US", "features": []},
                member=member,
                channel={**self.channels[cid], "flags": 0, "permissions": member["permissions"]},
            )
        payload["channel_id"] = str(cid)
        self.interactions[iid] = payload
        for session in list(self.sessions.values()):  # no intent is needed for interactions
            await self._send_event(session, "INTERACTION_CREATE", payload)
        return payload

    async def redeliver(self, interaction: dict[str, Any]) -> None:
        """The same INTERACTION_CREATE once more (at-least-once: an event may come twice)."""
        for session in list(self.sessions.values()):
            await self._send_event(session, "INTERACTION_CREATE", interaction)

    def answer_to(self, interaction: dict[str, Any]) -> dict[str, Any] | None:
        """The bot's interaction response to one interaction (its JSON body), if it answered."""
        for callback in self.callbacks:
            if callback["id"] == interaction["id"]:
                return dict(callback["body"])
        return None

    def _mentions(self, content: str) -> list[dict[str, Any]]:
        """The users mentioned as <@id> in a text."""
        ids = {int(m) for m in re.findall(r"<@!?(\d+)>", content)}
        return [self.users[i] for i in ids if i in self.users]

    def replies_to(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's messages that reply to a given message."""
        return [
            m
            for m in self.sent
            if (m.get("message_reference") or {}).get("message_id") == message["id"]
        ]

    def dms_to(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's direct messages to a user."""
        cid = self.dm_channel(user)
        return [m for m in self.sent if m["channel_id"] == str(cid)]

    # -- gateway ---------------------------------------------------------------------------
    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to every session (content hidden where the intent is missing)."""
        for session in list(self.sessions.values()):
            await self._send_event(session, event, self._visible(session, event, data))

    def _visible(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Without the content intent, guild messages that do not mention the bot arrive empty."""
        if (
            event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
            or session.intents & MESSAGE_CONTENT
            or "guild_id" not in data
        ):
            return data
        if any(u["id"] == self.bot["id"] for u in data["mentions"]):
            return data
        return {**data, "content": ""}

    async def _send_event(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number an event in its session and send it to the session's live sockets."""
        frame = {"op": 0, "t": event, "s": len(session.events) + 1, "d": data}
        session.events.append(frame)
        for ws in list(session.sockets):
            try:
                await ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):  # the client went away; RESUME replays it
                session.sockets.discard(ws)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection: HELLO, then IDENTIFY or RESUME, heartbeats, events."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._transports[ws] = request.transport
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        session: Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:
                session = await self._identify(ws, frame["d"])
            elif frame["op"] == 6:
                session = await self._resume(ws, frame["d"])
        if session is not None:
            session.sockets.discard(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        """A fresh session: READY then GUILD_CREATE; 4004 for a bad
        token, 4014 for a denied intent."""
        self.identifies += 1
        if data.get("token") != TOKEN:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        denied = (MESSAGE_CONTENT if not self.content_intent_enabled else 0) | (
            GUILD_MEMBERS if not self.members_intent_enabled else 0
        )
        if data.get("intents", 0) & denied:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        session = Session(id=f"session-{self.identifies}", intents=data.get("intents", 0))
        self.sessions[session.id] = session
        session.sockets.add(ws)
        await self._send_event(session, "READY", self._ready(session))
        await self._send_event(session, "GUILD_CREATE", self._guild())
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        """Replay what the session missed after `seq`, then RESUMED;
        unknown sessions are invalid."""
        self.resumes += 1
        session = self.sessions.get(data.get("session_id") or "")
        if session is None or data.get("token") != TOKEN:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        session.sockets.add(ws)
        for frame in session.events[int(data.get("seq") or 0) :]:
            await ws.send_str(json.dumps(frame))
        await self._send_event(session, "RESUMED", {})
        return session

    def _ready(self, session: Session) -> dict[str, Any]:
        """The READY payload."""
        return {
            "v": 10,
            "user": self.bot,
            "session_id": session.id,
            "private_channels": [],
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "application": {"id": self.bot["id"], "flags": 0},
        }

    def _guild(self) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild, its @everyone role and text channels."""
        channels = [
            {**c, "last_message_id": self._last_message_id(int(c["id"]))}
            for c in self.channels.values()
            if c["type"] == 0
        ]
        everyone = {
            "id": str(self.guild_id),
            "name": "@everyone",
            "permissions": "68608",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
        }
        return {
            "id": str(self.guild_id),
            "name": "OKX Community",
            "owner_id": "1",
            "roles": [everyone, *self.roles],
            "channels": channels,
            "threads": [],
            "members": [self.member(self.bot)],
            "member_count": 3,
            "emojis": [],
            "stickers": [],
            "features": [],
            "large": False,
            "unavailable": False,
        }

    def _last_message_id(self, channel_id: int) -> str | None:
        """The newest message id in a channel."""
        history = self.messages[channel_id]
        return history[-1]["id"] if history else None

    async def drop_connections(self) -> None:
        """Cut every gateway connection without a close frame (a network drop)."""
        for session in self.sessions.values():
            session.sockets.clear()
        for transport in self._transports.values():
            if transport is not None:
                transport.abort()
        self._transports.clear()

    def connected(self) -> bool:
        """Whether some gateway session has a live socket."""
        return any(not ws.closed for s in self.sessions.values() for ws in s.sockets)

    # -- REST ------------------------------------------------------------------------------
    @web.middleware
    async def _rest(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Record the call, check the bot token, apply the first matching scripted fault."""
        path = request.path.removeprefix("/api/v10")
        if request.path == "/gateway":
            return await handler(request)
        self.requests.append((request.method, path))
        interaction = path.startswith("/interactions/")  # authorised by the token in the path
        if not interaction and request.headers.get("Authorization") != f"Bot {TOKEN}":
            return _error(401, 0, "401: Unauthorized")
        fault = self._fault(request.method, path)
        response = self._fail(request, fault) if fault is not None else await handler(request)
        if isinstance(response, web.Response) and response.body:  # kept for the contract tests
            self.answered.append((request.method, path, response.status, json.loads(response.body)))
        return response

    def _fault(self, method: str, path: str) -> Fault | None:
        """Take one use of the first fault matching this request."""
        for fault in self.faults:
            if fault.method == method and re.fullmatch(fault.path, path) and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _fail(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        """The response a fault stands for; "drop" closes the connection without answering."""
        if fault.kind == "429":
            body = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": False,
            }
            return _json(body, 429, {"Via": "1.1 google", "Retry-After": str(fault.retry_after)})
        if fault.kind == "500":
            return _error(500, 0, "500: Internal Server Error")
        if fault.kind == "403":
            return _error(403, 50013, "Missing Permissions")
        assert request.transport is not None
        request.transport.close()
        raise ConnectionResetError("fake network drop")

    def fail(
        self, method: str, path: str, kind: str, times: int = 1, retry_after: float = 0.05
    ) -> None:
        """Script a fault for matching requests (path is a regex on the path after /api/v10)."""
        self.faults.append(Fault(method, path, kind, times, retry_after))

    async def _get_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway: where the gateway is."""
        return _json({"url": self.gateway_url})

    async def _get_bot_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway/bot: the gateway with shard advice."""
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        """GET /users/@me: the bot user (login), with the fields only the account itself sees."""
        return _json({**self.bot, "mfa_enabled": False, "locale": "en-US"})

    async def _get_application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me: the application (login)."""
        return _json(
            {
                "id": self.bot["id"],
                "name": "monitor",
                "icon": None,
                "description": "",
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.bot,
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
            }
        )

    async def _get_user(self, request: web.Request) -> web.Response:
        """GET /users/{id}: a profile, or 404 / 10013."""
        user = self.users.get(int(request.match_info["uid"]))
        return _json(user) if user else _error(404, 10013, "Unknown User")

    async def _get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}: a guild or DM channel, or 404 / 10003."""
        channel = self.channels.get(int(request.match_info["cid"]))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        return _json({**channel, "last_message_id": self._last_message_id(int(channel["id"]))})

    async def _create_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: open (or reuse) a DM channel."""
        user = self.users.get(int((await request.json())["recipient_id"]))
        if user is None:
            return _error(400, 50035, "Invalid Form Body")
        return _json(self.channels[self.dm_channel(user)])

    async def _history(self, request: web.Request) -> web.Response:
        """Up to `limit` messages after `after` (or the newest), newest
        first, as Discord returns them."""
        history = self.messages.get(int(request.match_info["cid"]))
        if history is None:
            return _error(404, 10003, "Unknown Channel")
        limit = int(request.query.get("limit", 50))
        after = request.query.get("after")
        if after is not None:
            page = [m for m in history if int(m["id"]) > int(after)][:limit]
        else:
            page = history[-limit:]
        return _json(list(reversed(page)))

    async def _get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages/{id}: one message, or 404 / 10008."""
        message = self._find(int(request.match_info["cid"]), int(request.match_info["mid"]))
        return _json(message) if message else _error(404, 10008, "Unknown Message")

    def _find(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        """A stored message."""
        for message in self.messages.get(channel_id, []):
            if int(message["id"]) == message_id:
                return message
        return None

    async def _send(self, request: web.Request) -> web.Response:
        """The bot posts; a reply to a missing message fails unless fail_if_not_exists is false."""
        cid = int(request.match_info["cid"])
        if cid not in self.messages:
            return _error(404, 10003, "Unknown Channel")
        body = await request.json()
        self.bodies.append(body)
        ref = body.get("message_reference")
        reply_to = int(ref["message_id"]) if ref else None
        if reply_to and self._find(cid, reply_to) is None:
            if ref.get("fail_if_not_exists", True):
                return _error(400, 50035, "Invalid Form Body: Unknown message")
            reply_to = None
        message = self._message(cid, self.bot, body.get("content", ""), reply_to)
        self.sent.append(message)
        await self._dispatch("MESSAGE_CREATE", message)
        return _json(message)

    async def _delete(self, request: web.Request) -> web.Response:
        """Delete a message; without Manage Messages only the bot's own (else 403 / 50013)."""
        cid, mid = int(request.match_info["cid"]), int(request.match_info["mid"])
        message = self._find(cid, mid)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if not self.can_manage_messages and message["author"]["id"] != self.bot["id"]:
            return _error(403, 50013, "Missing Permissions")
        self.messages[cid].remove(message)
        self.deleted.append((cid, mid))
        await self._dispatch(
            "MESSAGE_DELETE",
            {"id": str(mid), "channel_id": str(cid), "guild_id": str(self.guild_id)},
        )
        return web.Response(status=204)

    async def _get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{g}/members/{u}: a member, or 404 / 10007 for a user not in the guild."""
        uid = int(request.match_info["uid"])
        if request.match_info["gid"] != str(self.guild_id):
            return _error(404, 10004, "Unknown Guild")
        if uid not in self.users or uid in self.bans:
            return _error(404, 10007, "Unknown Member")
        return _json(self.member(self.users[uid]))

    async def _edit_member(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{g}/members/{u}: a timeout (communication_disabled_until) set or lifted;
        needs Moderate Members (else 403 / 50013)."""
        uid = int(request.match_info["uid"])
        if uid not in self.users or uid in self.bans:
            return _error(404, 10007, "Unknown Member")
        body = await request.json()
        if "communication_disabled_until" in body:
            if not self._bot_may(MODERATE_MEMBERS):
                return _error(403, 50013, "Missing Permissions")
            until = body["communication_disabled_until"]
            if until is None:
                self.timeouts.pop(uid, None)
            else:
                self.timeouts[uid] = until
            self.moderated.append(("timeout" if until else "untimeout", uid, _reason(request)))
        return _json(self.member(self.users[uid]))

    async def _ban(self, request: web.Request) -> web.Response:
        """PUT /guilds/{g}/bans/{u}: ban a user; needs Ban Members (else 403 / 50013)."""
        uid = int(request.match_info["uid"])
        if not self._bot_may(BAN_MEMBERS):
            return _error(403, 50013, "Missing Permissions")
        if uid not in self.users:
            return _error(404, 10013, "Unknown User")
        self.bans[uid] = _reason(request)
        self.moderated.append(("ban", uid, _reason(request)))
        return web.Response(status=204)

    async def _unban(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{g}/bans/{u}: lift a ban; 404 / 10026 when there is none."""
        uid = int(request.match_info["uid"])
        if not self._bot_may(BAN_MEMBERS):
            return _error(403, 50013, "Missing Permissions")
        if uid not in self.bans:
            return _error(404, 10026, "Unknown Ban")
        del self.bans[uid]
        self.moderated.append(("unban", uid, _reason(request)))
        return web.Response(status=204)

    async def _put_commands(self, request: web.Request) -> web.Response:
        """PUT /applications/{a}/commands or /applications/{a}/guilds/{g}/commands: the bulk
        overwrite of the application's (or a guild's) commands; the registered ones answered."""
        if request.match_info["aid"] != self.bot["id"]:
            return _error(403, 50001, "Missing Access")
        guild = request.match_info.get("gid")
        if guild is not None and guild != str(self.guild_id):
            return _error(403, 50001, "Missing Access")
        body = await request.json()
        self.command_bodies.append(body)
        for key in [k for k in self.commands if k[0] == guild]:
            del self.commands[key]
        for item in body:
            self.commands[(guild, item["name"])] = self._command(item, guild)
        return _json([c for k, c in self.commands.items() if k[0] == guild])

    def _command(self, item: dict[str, Any], guild: str | None) -> dict[str, Any]:
        """An ApplicationCommandResponse for one registered command."""
        command: dict[str, Any] = {
            "id": str(self.new_id()),
            "application_id": self.bot["id"],
            "version": str(self.new_id()),
            "default_member_permissions": None,
            "type": item.get("type", 1),
            "name": item["name"],
            "name_localizations": item.get("name_localizations"),
            "description": item["description"],
            "description_localizations": item.get("description_localizations"),
            "dm_permission": bool(item.get("dm_permission", True)),
            "contexts": item.get("contexts"),
            "integration_types": item.get("integration_types") or [0],
            "nsfw": bool(item.get("nsfw", False)),
        }
        options = [
            {k: v for k, v in option.items() if v is not None} for option in item.get("options", [])
        ]
        if options:
            command["options"] = options
        if guild is not None:
            command["guild_id"] = guild
        return command

    async def _callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback: answer an interaction once (a second answer
        is 400 / 40060, a wrong token 401 / 50027, an unknown interaction 404 / 10062)."""
        iid = int(request.match_info["iid"])
        interaction = self.interactions.get(iid)
        if interaction is None:
            return _error(404, 10062, "Unknown interaction")
        if request.match_info["token"] != interaction["token"]:
            return _error(401, 50027, "Invalid Webhook Token")
        if any(c["id"] == str(iid) for c in self.callbacks):
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = await request.json()
        self.callbacks.append({"id": str(iid), "query": dict(request.query), "body": body})
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        flags = int((body.get("data") or {}).get("flags") or 0)
        answer = {
            "id": str(iid),
            "type": 2,
            "response_message_id": str(self.new_id()),
            "response_message_loading": body["type"] == 5,
            "response_message_ephemeral": bool(flags & 64),
        }
        return _json({"interaction": answer})

    # -- lifecycle -------------------------------------------------------------------------
    def app(self) -> web.Application:
        """The aiohttp application with every route."""
        app = web.Application(middlewares=[self._rest])
        v10 = "/api/v10"
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(f"{v10}/gateway", self._get_gateway)
        app.router.add_get(f"{v10}/gateway/bot", self._get_bot_gateway)
        app.router.add_get(f"{v10}/users/@me", self._get_me)
        app.router.add_post(f"{v10}/users/@me/channels", self._create_dm)
        app.router.add_get(f"{v10}/users/{{uid}}", self._get_user)
        app.router.add_get(f"{v10}/oauth2/applications/@me", self._get_application)
        app.router.add_get(f"{v10}/channels/{{cid}}", self._get_channel)
        app.router.add_get(f"{v10}/channels/{{cid}}/messages", self._history)
        app.router.add_post(f"{v10}/channels/{{cid}}/messages", self._send)
        app.router.add_get(f"{v10}/channels/{{cid}}/messages/{{mid}}", self._get_message)
        app.router.add_delete(f"{v10}/channels/{{cid}}/messages/{{mid}}", self._delete)
        app.router.add_get(f"{v10}/guilds/{{gid}}/members/{{uid}}", self._get_member)
        app.router.add_patch(f"{v10}/guilds/{{gid}}/members/{{uid}}", self._edit_member)
        app.router.add_put(f"{v10}/guilds/{{gid}}/bans/{{uid}}", self._ban)
        app.router.add_delete(f"{v10}/guilds/{{gid}}/bans/{{uid}}", self._unban)
        app.router.add_put(f"{v10}/applications/{{aid}}/commands", self._put_commands)
        app.router.add_put(
            f"{v10}/applications/{{aid}}/guilds/{{gid}}/commands", self._put_commands
        )
        app.router.add_post(f"{v10}/interactions/{{iid}}/{{token}}/callback", self._callback)
        return app

    async def start(self, port: int = 0) -> FakeDiscord:
        """Listen on 127.0.0.1 (a free port unless one is given)."""
        self._runner = web.AppRunner(self.app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        await self.drop_connections()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """The REST base the connector is configured with."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL the connector is configured with."""
        return f"ws://127.0.0.1:{self.port}/gateway"


def _reason(request: web.Request) -> str:
    """The audit log reason a moderation call gave (URL-quoted in its header)."""
    return unquote(request.headers.get("X-Audit-Log-Reason", ""))


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    """Poll a condition every 20 ms until it holds; fail after `timeout` seconds."""
    await until(predicate, timeout)
