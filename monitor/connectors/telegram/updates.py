"""The Telegram connector: long-polls getUpdates with its own offset cursor
and acts through the Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from telegram import Bot, Chat, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from monitor.connectors.backoff import Backoff
from monitor.connectors.catalog import MissingCredential
from monitor.connectors.protocol import Condition, ConnectorFatal, Emit, Refusals, no_report_api
from monitor.connectors.telegram.admins import admin_roster, admins_of
from monitor.connectors.telegram.calls import call, describe, is_transient, maybe_delivered
from monitor.connectors.telegram.mapping import (
    PLATFORM,
    command_for,
    join_posts,
    join_request,
    member_join,
    message_ref,
    parse_ref,
    promoted_or_demoted,
    speaks_for_group,
    to_author,
    to_post,
)
from monitor.connectors.telegram.moderation import (
    NEEDS,
    ban,
    restrict,
    rights_cache,
    rights_in,
    unban,
)
from monitor.core.config import Settings, env_secret
from monitor.core.models import ENFORCEMENT, Action, Author, Post
from monitor.store import Store

log = logging.getLogger("monitor.connectors.telegram")
CURSOR = "telegram:offset"  # the next update_id to ask for; saved only after an update is stored
ALLOWED_UPDATES: Sequence[str] = (
    "message",
    "edited_message",
    "chat_member",
    "chat_join_request",
    "callback_query",
)  # edits: a secret or a scam link may be edited into a message; chat_member and chat_join_request:
# joins and requests to join (admin bots only); callback queries: buttons pressed
DEFAULT_BASE_URL = "https://api.telegram.org"
DEFAULT_TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
DEFAULT_POLL_TIMEOUT = 30.0
PRIVACY_MODE = (
    "privacy mode is on: in groups the bot sees only commands, mentions of it and replies to it; "
    "to read every message, in @BotFather send /setprivacy, pick the bot and choose Disable, then "
    "remove the bot from each group and add it again (or make it an admin of the group)"
)
OnCommand = Callable[[Update], Awaitable[None]]
AlertMarkup = Callable[[Action], InlineKeyboardMarkup | None]
T = TypeVar("T")


class ActionFailed(RuntimeError):
    """Telegram refused an action; the message carries the platform's code and description."""


class TelegramConnector:
    """Watches private chats and the groups the bot is in; replies, DMs, deletes and alerts."""

    name = "telegram"
    platforms: tuple[str, ...] = (PLATFORM,)

    def __init__(
        self,
        bot: Bot,
        store: Store,
        *,
        poll_timeout: float = DEFAULT_POLL_TIMEOUT,
        admin_chat_id: int | None = None,
        on_command: OnCommand | None = None,
        token_env: str = DEFAULT_TOKEN_ENV,
        backoff: Backoff | None = None,
        attempts: int = 5,
        restrict_minutes: int = 24 * 60,  # [enforce] restrict_minutes' default
    ) -> None:
        self.bot = bot
        self.store = store
        self.poll_timeout = poll_timeout
        self.admin_chat_id = admin_chat_id
        self.on_command = on_command  # the command layer plugs in here; commands are not posts
        self.alert_markup: AlertMarkup | None = None  # the command layer's buttons under an alert
        self.token_env = token_env
        self.backoff = backoff or Backoff()
        self.attempts = attempts
        self.username = ""
        self.admins = admin_roster()  # each group's admins, whom impostors copy
        self._warned: set[tuple[str, str]] = set()
        self.restrict_minutes = restrict_minutes  # [enforce]: how long a restriction lasts
        self.rights = rights_cache()  # what the bot may do in each group
        self.refusals = Refusals(log)

    def attach(self, on_command: OnCommand, alert_markup: AlertMarkup | None = None) -> None:
        """Plug in a command layer: commands and pressed buttons go to on_command, and
        alert_markup gives the buttons under a managers' alert. `monitor run` attaches the desk's
        layer (cli/connecting), so this package knows nothing of the desk."""
        self.on_command = on_command
        self.alert_markup = alert_markup

    async def request(
        self, fn: Callable[[], Awaitable[T]], what: str, idempotent: bool = True
    ) -> T:
        """One Bot API call with the connector's retry rules (its backoff, `attempts` tries)."""
        return await call(fn, what, self._fresh_backoff(), self.attempts, idempotent)

    # -- watching ---------------------------------------------------------------------------
    async def run(self, emit: Emit) -> None:
        """Poll forever; a poll's updates are handled, then the offset cursor moves past them."""
        await self.start()
        offset = self._stored_offset()
        while True:
            updates, last = await self._poll(offset)
            # Handled together, so the daemon classifies the posts of one poll as one batch; a
            # crash before the cursor moves brings them again, and the store drops the repeats.
            await asyncio.gather(*(self._handle(update, emit) for update in updates))
            if last is not None:
                offset = last + 1
                self.store.set_cursor(CURSOR, str(offset))

    async def start(self) -> None:
        """Check the token with getMe once, and say what the bot can see in groups."""
        if self.username:
            return
        try:  # initialize() is getMe plus the HTTP clients that close() releases
            await call(self.bot.initialize, "getMe", self._fresh_backoff(), attempts=None)
        except InvalidToken:  # its message quotes the token, so it is not passed on
            raise ConnectorFatal(
                f"telegram connector stopped: the bot token in {self.token_env} "
                "was rejected (401 Unauthorized)"
            ) from None
        me = self.bot.bot
        self.username = me.username or ""
        log.info("telegram: polling as @%s", me.username)
        if not me.can_read_all_group_messages:
            log.warning("telegram: %s", PRIVACY_MODE)

    def conditions(self) -> dict[str, Condition]:
        """What /healthz shows: privacy mode, a blind spot in every
        group where the bot is no admin."""
        me = self.bot.bot if self.username else None
        if me is None or me.can_read_all_group_messages:
            return {}
        return {"privacy_mode": Condition(PRIVACY_MODE)}

    def _stored_offset(self) -> int | None:
        """Where the last run stopped; None on the first run (Telegram then sends what it holds)."""
        value = self.store.cursor(CURSOR)
        return int(value) if value else None

    async def _poll(self, offset: int | None) -> tuple[tuple[Update, ...], int | None]:
        """One long poll: its updates and the last update id it held; asking with `offset` also
        confirms every update before it to Telegram."""
        while True:
            try:
                updates = await call(
                    lambda: self.bot.get_updates(
                        offset=offset,
                        timeout=int(self.poll_timeout),
                        allowed_updates=ALLOWED_UPDATES,
                    ),
                    "getUpdates",
                    self.backoff,
                    attempts=None,
                )
                return updates, updates[-1].update_id if updates else None
            except (TypeError, KeyError, ValueError):  # an update this library cannot read
                return await self._poll_plain(offset)
            except Conflict:
                wait = self.backoff.delay()
                self._warn_once(
                    "poll",
                    "conflict",
                    "telegram: 409 Conflict: another process is "
                    "polling with this bot token; stop it (retrying in %.0fs)",
                    wait,
                )
                await asyncio.sleep(wait)

    async def _poll_plain(self, offset: int | None) -> tuple[tuple[Update, ...], int | None]:
        """The same poll read as plain JSON, update by update: one that does not parse is logged by
        its id and skipped, so it cannot stall the watch (asking again would bring it forever)."""
        kwargs = {"timeout": 0, "allowed_updates": list(ALLOWED_UPDATES)} | (
            {"offset": offset} if offset else {}
        )
        raw = await call(
            lambda: self.bot.do_api_request("getUpdates", api_kwargs=kwargs),
            "getUpdates",
            self.backoff,
            attempts=None,
        )
        updates = []
        for item in raw:
            try:
                updates.append(Update.de_json(item, self.bot))
            except (TypeError, KeyError, ValueError) as exc:
                log.error(
                    "telegram: update %s does not parse (%s); skipped",
                    item.get("update_id"),
                    type(exc).__name__,
                )
        return tuple(u for u in updates if u is not None), max(
            (int(i["update_id"]) for i in raw), default=None
        )

    async def _handle(self, update: Update, emit: Emit) -> None:
        """Commands and pressed buttons go to the command hook; every other
        message with text is a post."""
        if update.callback_query is not None:
            await self._command("button", update)
            return
        if update.chat_join_request is not None:
            await emit(
                await self._staffed(
                    join_request(update.chat_join_request), update.chat_join_request.chat
                )
            )
            return
        if update.chat_member is not None:
            if promoted_or_demoted(update.chat_member):
                self.admins.forget(update.chat_member.chat.id)
            if joined := member_join(update.chat_member):
                await emit(await self._staffed(joined, update.chat_member.chat))
            return
        if update.edited_message is not None:
            # An edited command is neither run again nor a post; any other edit is checked anew.
            if command_for(update.edited_message, self.username) is None and (
                edited := to_post(update.edited_message)
            ):
                await emit(
                    await self._staffed(
                        edited, update.edited_message.chat, speaks_for_group(update.edited_message)
                    )
                )
            return
        message = update.message
        if message is None:
            return
        if message.new_chat_members:
            for joined in join_posts(message, self.username):
                await emit(await self._staffed(joined, message.chat))
            return
        command = command_for(message, self.username)
        if command is not None:
            await self._command(command, update)
            return
        post = to_post(message)
        if post is not None:
            await emit(await self._staffed(post, message.chat, speaks_for_group(message)))

    async def _staffed(self, post: Post, chat: Chat, own: bool = False) -> Post:
        """The post with its group's admins beside it, whom impostors copy (and its
        author among them when the group itself speaks), its group and what the bot may
        do there; a private chat has none."""
        if chat.type == Chat.PRIVATE:
            return post
        admins = await admins_of(self.admins, self.bot, chat.id, self._fresh_backoff())
        may = await rights_in(self.rights, self.bot, chat.id, self._fresh_backoff())
        return replace(
            post, staff=(*admins, post.author) if own else admins, place=str(chat.id), bot_may=may
        )

    async def _command(self, command: str, update: Update) -> None:
        """Hand a command to the command layer; its failure is logged and never stops the watch."""
        if self.on_command is None:
            return
        try:
            await self.on_command(update)
        except Exception as exc:  # noqa: BLE001 - a bad command must not be redelivered forever
            log.error("telegram: command /%s failed (%s)", command[:32], type(exc).__name__)

    # -- acting -----------------------------------------------------------------------------
    async def perform(self, action: Action) -> str:
        """Carry out one action; a refusal is logged once and raised as ActionFailed."""
        handlers = {
            "reply": self._reply,
            "dm": self._dm,
            "delete": self._delete,
            "alert": self._alert,
            "report": self._report,
            "restrict": lambda a: restrict(
                self.bot, a, self.restrict_minutes, self._fresh_backoff()
            ),
            "ban": lambda a: ban(self.bot, a, self._fresh_backoff()),
            "unban": lambda a: unban(self.bot, a, self._fresh_backoff()),
        }
        handler = handlers.get(action.kind)
        if handler is None:
            raise ActionFailed(f"unknown action kind {action.kind!r}")
        try:
            return await handler(action)
        except ValueError as exc:  # a malformed target or a missing admin chat: our side
            self._warn_once(action.kind, "setup", "telegram %s failed: %s", action.kind, exc)
            raise ActionFailed(str(exc)) from None
        except TelegramError as exc:
            raise self._refused(action, exc) from None

    async def _reply(self, action: Action) -> str:
        """Answer in the thread; still sent when the message was deleted meanwhile (a leak)."""
        chat_id, message_id = parse_ref(action.target)
        reply = ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
        return await self._send(chat_id, action.text, reply)

    async def _dm(self, action: Action) -> str:
        """A private message; Telegram allows it only to users who started the bot."""
        return await self._send(int(action.target), action.text)

    async def _alert(self, action: Action) -> str:
        """A message to the managers' chat."""
        if self.admin_chat_id is None:
            raise ValueError("no [telegram] admin_chat_id is set, so alerts cannot be sent")
        markup = self.alert_markup(action) if self.alert_markup else None
        return await self._send(self.admin_chat_id, action.text, markup=markup)

    async def _delete(self, action: Action) -> str:
        """Delete a message; the bot must be an admin allowed to delete messages."""
        chat_id, message_id = parse_ref(action.target)
        await self.request(lambda: self.bot.delete_message(chat_id, message_id), "deleteMessage")
        return "deleted"

    async def _report(self, action: Action) -> str:
        """Telegram has no report call for bots: the managers open a takedown case."""
        return no_report_api(PLATFORM)

    async def _send(
        self,
        chat_id: int,
        text: str,
        reply: ReplyParameters | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> str:
        """sendMessage with retries; the new message's reference."""
        sent = await self.request(
            lambda: self.bot.send_message(
                chat_id, text, reply_parameters=reply, reply_markup=markup
            ),
            "sendMessage",
            idempotent=False,
        )
        return message_ref(chat_id, sent.message_id)

    def _refused(self, action: Action, exc: TelegramError) -> ActionFailed:
        """Log a refusal once per action kind and chat, with the platform's code; the failure."""
        where = (
            str(self.admin_chat_id)
            if action.kind == "alert"
            else action.place or action.target.rpartition(":")[0] or action.target
        )
        reason = describe(exc)
        self._warn_once(
            action.kind, where, "telegram %s in chat %s failed: %s", action.kind, where, reason
        )
        if action.kind in ENFORCEMENT and not is_transient(exc):
            return self._cannot(action, where, reason)
        if maybe_delivered(exc):
            return ActionFailed(f"no answer ({reason}); not resent, it may have arrived")
        if is_transient(exc):
            return ActionFailed(f"gave up after {self.attempts} attempts: {reason}")
        return ActionFailed(reason)

    def _cannot(self, action: Action, where: str, reason: str) -> ActionFailed:
        """A refused delete, restrict, ban or unban: said once per group and kind with the right the
        bot lacks; the group's rights are read again before its next post."""
        chat = action.place or where
        if chat.lstrip("-").isdigit():
            self.rights.forget(int(chat))
        self.refusals.once(
            action.kind,
            chat,
            f"telegram: cannot {action.kind} in group {chat}: "
            f"the bot needs to be an admin with the {NEEDS[action.kind]} right "
            f"({reason})",
        )
        return ActionFailed(f"telegram refused {action.kind} ({reason})")

    def _warn_once(self, kind: str, where: str, msg: str, *args: object) -> None:
        """Log a recurring problem only the first time it happens for this kind and place."""
        if (kind, where) not in self._warned:
            self._warned.add((kind, where))
            log.warning(msg, *args)

    def _fresh_backoff(self) -> Backoff:
        """A backoff for one call, with the connector's base and cap."""
        return Backoff(self.backoff.base, self.backoff.cap)

    # -- profiles ---------------------------------------------------------------------------
    async def profile(self, author_id: str) -> Author:
        """Name and username from getChat; Telegram gives no creation date or followers."""
        chat = await self.request(lambda: self.bot.get_chat(int(author_id)), "getChat")
        return to_author(chat)

    async def close(self) -> None:
        """Release the HTTP connections."""
        await self.bot.shutdown()


def api_root(base_url: str) -> str:
    """The Bot API server's root; a base_url copied from python-telegram-bot's docs ends in /bot."""
    return base_url.rstrip("/").removesuffix("/bot")


def build(settings: Settings, store: Store) -> TelegramConnector:
    """The connector from the [telegram] table; MissingCredential when
    the token env var is unset."""
    cfg = settings.platforms.get("telegram", {})
    token_env = cfg.get("token_env", DEFAULT_TOKEN_ENV)
    token = env_secret(token_env)
    if token is None:
        raise MissingCredential(f"the bot token environment variable {token_env} is not set")
    quiet_library_logs()
    root = api_root(cfg.get("base_url", DEFAULT_BASE_URL))
    bot = Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    return TelegramConnector(
        bot,
        store,
        poll_timeout=cfg.get("poll_timeout", DEFAULT_POLL_TIMEOUT),
        admin_chat_id=cfg.get("admin_chat_id"),
        token_env=token_env,
        restrict_minutes=settings.enforce.restrict_minutes,
    )


def quiet_library_logs() -> None:
    """Keep tokens and message text out of the logs whatever the daemon's log level."""
    # httpx logs every request URL (which carries the token) at INFO; python-telegram-bot logs
    # every call's parameters and answers (message text, so raw secrets) at DEBUG.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
    # Two error lines quote a whole payload (an update that does not parse, a body that is not
    # JSON): keep the line, drop the payload.
    for name in ("telegram.Bot", "telegram.request.BaseRequest"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropPayload) for f in logger.filters):
            logger.addFilter(_DropPayload())


class _DropPayload(logging.Filter):
    """Removes the arguments (the payload) from python-telegram-bot's error records."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, without the payload it would print."""
        if record.levelno >= logging.ERROR and record.args:
            record.msg = str(record.msg).split("%")[0].rstrip(' :"') + " (payload not logged)"
            record.args = ()
        return True
