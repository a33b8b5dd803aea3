"""A stateful Telegram Bot API server on 127.0.0.1: users, chats,
long-polled updates, scripted faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from aiohttp import web

from tests.fakes import until  # noqa: F401  (re-exported: tests import it with the fake)

JSON = dict[str, Any]


@dataclass
class Fault:
    """One scripted failure of the next call to a method."""

    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    drop: bool = False  # close the connection without answering
    body: str | None = None  # answer 200 with this raw body instead of JSON


class ApiError(Exception):
    """An error answer of the Bot API: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class TelegramFake:
    """Speaks the Bot API methods the connector uses; holds what the bot
    sent, deleted and confirmed."""

    made: ClassVar[list[Any]] = []  # every instance, for the contract checks after a test

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "okx_guard_bot",
        can_read_all_group_messages: bool = False,
    ) -> None:
        """A new bot as BotFather makes it: privacy mode on (can_read_all_group_messages false), so
        a group's messages reach it only when they are commands, mention it or reply to it, or when
        the bot is an admin there. Scenarios that read every message turn it off explicitly."""
        type(self).made.append(self)
        self.token = token
        self.me: JSON = {
            "id": 900001,
            "is_bot": True,
            "first_name": "Guard",
            "username": bot_username,
            "can_join_groups": True,
            "supports_inline_queries": False,
            "can_read_all_group_messages": can_read_all_group_messages,
        }
        self.users: dict[int, JSON] = {}
        self.bios: dict[int, str] = {}
        self.chats: dict[int, JSON] = {}
        self.started: set[int] = set()  # users who started the bot: only they can get DMs
        self.admin_in: set[int] = set()  # chats where the bot may delete messages
        # chat -> its admins' user ids, owner first
        self.admins: dict[int, list[int]] = defaultdict(list)
        self.admins_hidden: set[int] = set()  # chats whose admin list the bot is refused
        # The bot's admin rights per chat where it is an admin (ChatMemberAdministrator fields).
        self.bot_rights: dict[int, set[str]] = {}
        self.rights_hidden: set[int] = set()  # chats where getChatMember is refused
        self.restricted: dict[tuple[int, int], JSON] = {}  # (chat, user) -> permissions, until_date
        self.banned: set[tuple[int, int]] = set()
        self.moderated: list[tuple[str, int, int]] = []  # (method, chat, user) carried out
        self.messages: dict[tuple[int, int], JSON] = {}  # live messages, by (chat id, message id)
        self.updates: list[JSON] = []  # not yet confirmed by a getUpdates offset
        self.withheld: list[JSON] = []  # group messages privacy mode kept from the bot
        self.answered: list[tuple[str, JSON]] = []  # (method, whole JSON answer), ok or not
        self.delivered: list[int] = []  # update ids in the order getUpdates returned them
        self.sent: list[JSON] = []  # every message the bot sent, with the reply target it asked for
        self.deleted: list[tuple[int, int]] = []
        self.answers: list[JSON] = []  # answerCallbackQuery calls: the query id and the text shown
        self.calls: list[str] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.delays: dict[str, float] = {}  # method -> seconds its answer takes, after it was done
        self.confirmed = 0  # the highest offset a getUpdates call confirmed
        self.batch = 100  # the most updates one getUpdates answer carries
        self.answer_delay = 0.0  # seconds a getUpdates answer that carries updates takes
        self.base_url = ""
        self._next_update = 1
        self._next_message: dict[int, int] = defaultdict(lambda: 100)
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        """Start listening on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Release waiting long polls and stop the server."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the world: users, chats, messages --------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        started: bool = False,
        bio: str = "",
        language_code: str | None = None,
    ) -> JSON:
        """A Telegram user; `started` means they pressed Start, so the bot may DM them."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        if last_name:
            user["last_name"] = last_name
        self.users[user_id] = user
        self.bios[user_id] = bio
        # not Chat fields
        chat = {k: v for k, v in user.items() if k not in ("is_bot", "language_code")}
        self.chats[user_id] = {**chat, "type": "private"}
        if started:
            self.started.add(user_id)
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        username: str | None = None,
        kind: str = "supergroup",
        bot_is_admin: bool = True,
        bot_can_restrict: bool = False,
    ) -> JSON:
        """A group or supergroup the bot is in; public when it has a username. An admin bot may
        delete messages, and restrict and ban members when `bot_can_restrict`."""
        chat: JSON = {"id": chat_id, "type": kind, "title": title}
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        if bot_is_admin:
            self.admin_in.add(chat_id)
            self.bot_rights[chat_id] = {"can_delete_messages"} | (
                {"can_restrict_members"} if bot_can_restrict else set()
            )
        return chat

    def add_admin(self, chat_id: int, user_id: int) -> None:
        """Make a user an admin of a group (the first one made is its owner)."""
        self.admins[chat_id].append(user_id)

    def post(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to: int | None = None,
        links: dict[str, str] | None = None,
        forwarded_from: JSON | None = None,
    ) -> int:
        """A user writes in a chat (their private chat with the bot when chat_id is
        their id); `links` maps words of the text to the address they open (text_link
        entities, offsets in UTF-16 units); `forwarded_from` is the channel a forwarded
        post comes from (its forward_origin)."""
        if self.chats[chat_id]["type"] == "private":
            self.started.add(user_id)  # writing to a bot starts it
        message = self._message(chat_id, self.users[user_id], text, reply_to)
        if forwarded_from is not None:
            message["forward_origin"] = {
                "type": "channel",
                "chat": forwarded_from,
                "message_id": 7,
                "date": int(time.time()) - 3600,
            }
        for shown, url in (links or {}).items():
            offset = len(text[: text.index(shown)].encode("utf-16-le")) // 2
            message.setdefault("entities", []).append(
                {
                    "type": "text_link",
                    "offset": offset,
                    "length": len(shown.encode("utf-16-le")) // 2,
                    "url": url,
                }
            )
        self._queue({"message": message})
        return int(message["message_id"])

    def join(self, chat_id: int, *user_ids: int) -> int:
        """Users join a group: one service message with new_chat_members and no text."""
        self._next_message[chat_id] += 1
        users = [self.users[u] for u in user_ids]
        message: JSON = {
            "message_id": self._next_message[chat_id],
            "date": int(time.time()),
            "chat": self.chats[chat_id],
            "from": users[0],
            "new_chat_members": users,
        }
        self.messages[(chat_id, message["message_id"])] = message
        self._queue({"message": message})
        return int(message["message_id"])

    def request_join(self, chat_id: int, user_id: int) -> None:
        """A user asks to join a group that approves members: a chat_join_request for admin bots."""
        self._queue(
            {
                "chat_join_request": {
                    "chat": self.chats[chat_id],
                    "from": self.users[user_id],
                    "user_chat_id": user_id,
                    "date": int(time.time()),
                }
            }
        )

    def member_update(
        self, chat_id: int, user_id: int, old: str = "left", new: str = "member"
    ) -> None:
        """A chat_member update, as admin bots get for every join (also
        where join messages are hidden)."""
        user = self.users[user_id]
        self._queue(
            {
                "chat_member": {
                    "chat": self.chats[chat_id],
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": _member(old, user),
                    "new_chat_member": _member(new, user),
                }
            }
        )

    def edit(self, chat_id: int, message_id: int, text: str) -> None:
        """The author edits a message: the Bot API sends the whole
        message again as edited_message."""
        message = {
            **self.messages[(chat_id, message_id)],
            "text": text,
            "edit_date": int(time.time()),
        }
        message.pop("entities", None)
        self.messages[(chat_id, message_id)] = message
        self._queue({"edited_message": message})

    def post_as_channel(
        self,
        chat_id: int,
        channel: JSON,
        text: str,
        reply_to: int | None = None,
        automatic: bool = False,
    ) -> int:
        """A channel's owner writes in a group on the channel's behalf: the Bot API names the
        channel in sender_chat and puts its placeholder user, Channel_Bot, in from. `automatic`: the
        group's linked channel posted it and Telegram forwarded it into the group."""
        placeholder = {
            "id": 136817688,
            "is_bot": True,
            "first_name": "Channel",
            "username": "Channel_Bot",
        }
        message = self._message(chat_id, placeholder, text, reply_to)
        message["sender_chat"] = channel
        if automatic:
            message["is_automatic_forward"] = True
        self._queue({"message": message})
        return int(message["message_id"])

    def post_as_group(self, chat_id: int, text: str) -> int:
        """An anonymous admin writes as the group itself: sender_chat is the
        group, from is GroupAnonymousBot."""
        placeholder = {
            "id": 1087968824,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        message = self._message(chat_id, placeholder, text, None)
        message["sender_chat"] = self.chats[chat_id]
        self._queue({"message": message})
        return int(message["message_id"])

    def press(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses an inline button under one of the bot's
        messages; the callback query's id."""
        query_id = f"cq{self._next_update}"
        query = {
            "id": query_id,
            "from": self.users[user_id],
            "chat_instance": f"ci{chat_id}",
            "message": self.messages[(chat_id, message_id)],
            "data": data,
        }
        self._queue({"callback_query": query})
        return query_id

    def buttons(self, chat_id: int, message_id: int) -> list[tuple[str, str]]:
        """The inline buttons under a message now, as (label, callback data)."""
        markup = self.messages[(chat_id, message_id)].get("reply_markup") or {}
        return [
            (b["text"], b["callback_data"])
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def _message(self, chat_id: int, sender: JSON, text: str, reply_to: int | None) -> JSON:
        """Make and keep a message the way the Bot API shows it."""
        self._next_message[chat_id] += 1
        message: JSON = {
            "message_id": self._next_message[chat_id],
            "date": int(time.time()),
            "chat": self.chats[chat_id],
            "from": sender,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        replied = self.messages.get((chat_id, reply_to)) if reply_to else None
        if replied is not None:
            message["reply_to_message"] = {
                k: v for k, v in replied.items() if k != "reply_to_message"
            }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _queue(self, update: JSON) -> None:
        """Hold an update until a getUpdates offset confirms it (unless
        privacy mode keeps it away)."""
        if self._private_to_bot(update):
            self.withheld.append(update)
            return
        self.updates.append({"update_id": self._next_update, **update})
        self._next_update += 1
        self._wake()

    def _private_to_bot(self, update: JSON) -> bool:
        """Whether Telegram's privacy mode keeps this group message from the bot."""
        message = update.get("message") or update.get("edited_message")
        if self.me["can_read_all_group_messages"] or not message or "text" not in message:
            return False  # service messages (joins, left members) always reach it
        chat = message["chat"]
        if chat["type"] not in ("group", "supergroup") or chat["id"] in self.admin_in:
            return False
        text, me = str(message["text"]), f"@{self.me['username']}".casefold()
        command = text.split()[0].casefold() if text.startswith("/") else ""
        replied = (message.get("reply_to_message") or {}).get("from", {}).get("id")
        # not /cmd@other_bot
        for_it = bool(command) and ("@" not in command or command.endswith(me))
        return not (for_it or me in text.casefold() or replied == self.me["id"])

    def _wake(self) -> None:
        """Wake every waiting long poll."""
        self._changed.set()
        self._changed = asyncio.Event()

    def fail(self, method: str, *faults: Fault) -> None:
        """Script the next calls of `method` to fail, one fault per call."""
        self.faults[method].extend(faults)

    def sent_to(self, chat_id: int) -> list[JSON]:
        """The messages the bot sent to one chat, oldest first."""
        return [m for m in self.sent if m["chat"]["id"] == chat_id]

    # -- the HTTP side ----------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API call, keeping every JSON answer for the contract tests."""
        response = await self._answer(request)
        if isinstance(response, web.Response) and response.content_type == "application/json":
            assert isinstance(response.body, bytes)
            self.answered.append((request.match_info["method"], json.loads(response.body)))
        return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        """Route /bot<token>/<method> to its handler, after the token check and scripted faults."""
        method = request.match_info["method"]
        self.calls.append(method)
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        if self.faults.get(method):
            fault = self.faults[method].pop(0)
            if fault.drop:
                assert request.transport is not None
                request.transport.abort()
                return web.Response()
            if fault.body is not None:
                return web.Response(text=fault.body)
            return _error(ApiError(fault.status, fault.description, fault.retry_after))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found: method not found"))
        try:
            result = await handler(await _params(request))
        except ApiError as exc:
            return _error(exc)
        await asyncio.sleep(self.delays.get(method, 0.0))  # carried out; the answer is late
        return web.json_response({"ok": True, "result": result})

    async def _api_getMe(self, p: JSON) -> JSON:
        return self.me

    async def _api_getUpdates(self, p: JSON) -> list[JSON]:
        """Long poll: confirm what lies before the offset, answer at once or when updates arrive."""
        offset, limit = int(p.get("offset") or 0), min(int(p.get("limit") or 100), self.batch)
        if offset > 0:
            self.confirmed = max(self.confirmed, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self._poll_generation += 1  # like Telegram, a new poll ends the one still waiting
        generation = self._poll_generation
        self._wake()
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            ready = [u for u in self.updates if u["update_id"] >= offset][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                await asyncio.sleep(self.answer_delay if ready else 0)
                self.delivered += [u["update_id"] for u in ready]
                return ready
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    async def _api_sendMessage(self, p: JSON) -> JSON:
        """Send to a chat; DMs only to users who started the bot;
        replies must find their message."""
        chat_id, text = self._chat_id(p), str(p.get("text") or "")
        if self.chats[chat_id]["type"] == "private" and chat_id not in self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        reply = p.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or p.get("reply_to_message_id")
        if (
            reply_to
            and (chat_id, int(reply_to)) not in self.messages
            and not reply.get("allow_sending_without_reply")
        ):
            raise ApiError(400, "Bad Request: message to be replied not found")
        message = self._message(chat_id, self.me, text, int(reply_to) if reply_to else None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        self.sent.append({**message, "asked_reply_to": int(reply_to) if reply_to else None})
        return message

    async def _api_deleteMessage(self, p: JSON) -> bool:
        """Delete a message: in groups only as an admin allowed to (or the bot's own message)."""
        chat_id, message_id = self._chat_id(p), int(p["message_id"])
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = message["from"]["id"] == self.me["id"]
        if self.chats[chat_id]["type"] != "private" and chat_id not in self.admin_in and not own:
            raise ApiError(400, "Bad Request: message can't be deleted")
        del self.messages[(chat_id, message_id)]
        self.deleted.append((chat_id, message_id))
        return True

    async def _api_answerCallbackQuery(self, p: JSON) -> bool:
        """Acknowledge a pressed button, with the short text Telegram shows the user."""
        self.answers.append({"id": str(p["callback_query_id"]), "text": str(p.get("text") or "")})
        return True

    async def _api_editMessageReplyMarkup(self, p: JSON) -> JSON:
        """Replace (or, without reply_markup, remove) the buttons
        under one of the bot's messages."""
        key = (self._chat_id(p), int(p["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = p.get("reply_markup") or None
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    async def _api_getChat(self, p: JSON) -> JSON:
        """ChatFullInfo: a user's names, username and bio, or a group's title."""
        chat_id = self._chat_id(p)
        info: JSON = {
            **self.chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
        if self.bios.get(chat_id):
            info["bio"] = self.bios[chat_id]
        return info

    async def _api_getChatAdministrators(self, p: JSON) -> list[JSON]:
        """ChatMemberOwner and ChatMemberAdministrator objects: the group's admins, the bot
        among them where it is one."""
        chat_id = self._chat_id(p)
        if chat_id in self.admins_hidden:
            raise ApiError(400, "Bad Request: member list is inaccessible")
        found = [
            _member("creator" if i == 0 else "administrator", self.users[u])
            for i, u in enumerate(self.admins[chat_id])
        ]
        if chat_id in self.admin_in:
            found.append(_member("administrator", self._me_user(), self.bot_rights.get(chat_id)))
        return found

    def _me_user(self) -> JSON:
        """The bot as a User object."""
        return {k: v for k, v in self.me.items() if k in ("id", "is_bot", "first_name", "username")}

    async def _api_getChatMember(self, p: JSON) -> JSON:
        """One member's ChatMember: the bot with its admin rights, a group's owner and admins, a
        banned (kicked) or restricted member, or a plain member."""
        chat_id, user_id = self._chat_id(p), int(p["user_id"])
        if chat_id in self.rights_hidden:
            raise ApiError(400, "Bad Request: member list is inaccessible")
        if user_id == self.me["id"]:
            if chat_id in self.admin_in:
                return _member("administrator", self._me_user(), self.bot_rights.get(chat_id))
            return _member("member", self._me_user())
        if user_id not in self.users:
            raise ApiError(400, "Bad Request: user not found")
        user = self.users[user_id]
        admins = self.admins[chat_id]
        if user_id in admins:
            return _member("creator" if admins[0] == user_id else "administrator", user)
        if (chat_id, user_id) in self.banned:
            return {"status": "kicked", "user": user, "until_date": 0}
        if (restricted := self.restricted.get((chat_id, user_id))) is not None:
            return {
                "status": "restricted",
                "user": user,
                "is_member": True,
                **restricted["permissions"],
                "until_date": restricted["until_date"],
            }
        return _member("member", user)

    def _may_restrict(self, chat_id: int, user_id: int) -> None:
        """Telegram's refusals of a restriction or ban: no right to, or an admin as the target."""
        if "can_restrict_members" not in self.bot_rights.get(chat_id, set()):
            raise ApiError(400, "Bad Request: not enough rights to restrict/unrestrict chat member")
        if user_id in self.admins[chat_id]:
            raise ApiError(400, "Bad Request: user is an administrator of the chat")
        if user_id not in self.users:
            raise ApiError(400, "Bad Request: user not found")

    async def _api_restrictChatMember(self, p: JSON) -> bool:
        """Restrict a member until until_date; every permission granted lifts the restriction."""
        chat_id, user_id = self._chat_id(p), int(p["user_id"])
        self._may_restrict(chat_id, user_id)
        permissions = dict(p["permissions"])
        self.moderated.append(("restrictChatMember", chat_id, user_id))
        if all(permissions.get(k, False) for k in _PERMISSIONS):
            self.restricted.pop((chat_id, user_id), None)
        else:
            full = {k: bool(permissions.get(k, False)) for k in _PERMISSIONS}
            self.restricted[(chat_id, user_id)] = {
                "permissions": full,
                "until_date": int(p.get("until_date") or 0),
            }
        return True

    async def _api_banChatMember(self, p: JSON) -> bool:
        """Ban a member (they leave the group and cannot come back)."""
        chat_id, user_id = self._chat_id(p), int(p["user_id"])
        self._may_restrict(chat_id, user_id)
        self.moderated.append(("banChatMember", chat_id, user_id))
        self.banned.add((chat_id, user_id))
        self.restricted.pop((chat_id, user_id), None)
        return True

    async def _api_unbanChatMember(self, p: JSON) -> bool:
        """Lift a ban; with only_if_banned a member who is not banned is left alone."""
        chat_id, user_id = self._chat_id(p), int(p["user_id"])
        self._may_restrict(chat_id, user_id)
        if (chat_id, user_id) not in self.banned and str(p.get("only_if_banned")).lower() == "true":
            return True
        self.moderated.append(("unbanChatMember", chat_id, user_id))
        self.banned.discard((chat_id, user_id))
        return True

    def _chat_id(self, p: JSON) -> int:
        """The chat a call names; 400 'chat not found' like Telegram when it does not exist."""
        try:
            chat_id = int(p["chat_id"])
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id


_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def _member(status: str, user: JSON, rights: set[str] | None = None) -> JSON:
    """A ChatMember object: an owner or admin carries the fields the Bot API always sends with it;
    `rights` are an admin's granted ones (by default: delete messages)."""
    member: JSON = {"status": status, "user": user}
    if status in ("creator", "administrator"):
        member["is_anonymous"] = False
    if status == "administrator":
        member |= dict.fromkeys(
            (
                "can_be_edited",
                "can_manage_chat",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_delete_messages",
            ),
            False,
        ) | dict.fromkeys({"can_delete_messages"} if rights is None else rights, True)
    return member


async def _params(request: web.Request) -> JSON:
    """Call parameters, sent as JSON or as a form whose non-string values are JSON-encoded."""
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post()
    return {k: json.loads(str(v)) if k in _JSON_KEYS else str(v) for k, v in form.items()}


_JSON_KEYS = {
    "reply_parameters",
    "allowed_updates",
    "entities",
    "reply_markup",
    "link_preview_options",
    "permissions",
}


def _error(exc: ApiError) -> web.Response:
    """The Bot API's error body, with retry_after in `parameters` for a 429."""
    body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.status)


CONFIG = """
[brand]
name = "OKX"
aliases = ["欧易", "OKEx"]
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
telegram = ["OKXOfficial_English"]

[monitor]
db = "monitor.db"
log_level = "INFO"

[modes]
support_request = "auto"
impersonation = "auto"
secret_leak = "auto"

[telegram]
enabled = true
base_url = "{base_url}"
token_env = "TG_TOKEN"
poll_timeout = 1
admin_chat_id = {admin_chat_id}
admins = [11]
"""


def write_config(
    folder: Path, base_url: str, admin_chat_id: int = -100999, extra: str = ""
) -> Path:
    """A realistic monitor.toml with [telegram] pointed at the fake;
    the token comes from TG_TOKEN."""
    path = folder / "monitor.toml"
    text = CONFIG.replace("{base_url}", base_url).replace("{admin_chat_id}", str(admin_chat_id))
    path.write_text(text + extra, encoding="utf-8")
    return path
