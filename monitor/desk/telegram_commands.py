"""The command layer on Telegram: command messages and pressed buttons in, replies and inline
buttons out.

`monitor run` attaches it to the Telegram connector (`attach`, called by cli/connecting): the
connector exposes a hook for it and knows nothing of the desk.
"""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest

from monitor.connectors.telegram import TelegramConnector
from monitor.connectors.telegram.mapping import command_for, reply_ref
from monitor.core.config import Settings
from monitor.core.models import Action
from monitor.desk import command_handlers as commands
from monitor.desk.command_handlers import Button, Call, Desk, Reply, call_language
from monitor.replies.guard import Guard
from monitor.runtime.sender import alert_post

log = logging.getLogger("monitor.connectors.telegram")
ANSWER_LIMIT = 200  # Telegram shows at most 200 characters of a button's answer


class CommandLayer:
    """Turns Telegram updates into monitor.desk.command_handlers calls and sends their answers (each
    through the guard)."""

    def __init__(self, connector: TelegramConnector, desk: Desk, guard: Guard) -> None:
        self.connector = connector
        self.desk = desk
        self.guard = guard

    async def __call__(self, update: Update) -> None:
        """The connector's on_command hook: a command message or a pressed button."""
        if update.callback_query is not None:
            await self._press(update.callback_query)
        elif update.message is not None:
            await self._command(update.update_id, update.message)

    async def _command(self, update_id: int, message: Message) -> None:
        """Answer one command in its chat, as a reply to it."""
        name = command_for(message, self.connector.username)
        user = message.from_user
        if name is None or user is None:
            return
        text = message.text or ""
        args = text[message.entities[0].length :].strip()
        request = Call(
            name.lower(),
            args,
            user.id,
            message.chat.id,
            message.chat.type == Chat.PRIVATE,
            call_language(user.language_code, text),
            user.username or "",
            str(update_id),
            reply_to=reply_ref(message) or "",
        )
        reply = commands.handle(self.desk, request)
        if reply.delete_command:  # a secret typed into a group must not stay there
            await self._delete(message)
        await self._reply(message, request, reply)

    async def _reply(self, message: Message, request: Call, reply: Reply) -> None:
        """Send the answer, unless the outbound guard refuses it (then a short failure note)."""
        text = reply.text
        if reason := self.guard.check(text, "telegram", "alert"):
            log.error(
                "telegram: the answer to /%s was withheld by the guard: %s", request.command, reason
            )
            text = self.desk.say(request, "failed", error="withheld")
        markup = keyboard(reply.buttons)
        where = ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
        await self.connector.request(
            lambda: self.connector.bot.send_message(
                message.chat.id, text, reply_parameters=where, reply_markup=markup
            ),
            "sendMessage",
            idempotent=False,
        )

    async def _delete(self, message: Message) -> None:
        """Delete a command message that held a secret; where the bot may not, it stays (logged)."""
        try:
            await self.connector.request(
                lambda: self.connector.bot.delete_message(message.chat.id, message.message_id),
                "deleteMessage",
            )
        except BadRequest as exc:
            log.warning(
                "telegram: a command holding a secret could not be deleted in chat %d (%s)",
                message.chat.id,
                exc.message,
            )

    async def _press(self, query: CallbackQuery) -> None:
        """Carry out a pressed button, answer it, and update the buttons under its message."""
        chat = query.message.chat if query.message else None
        user = query.from_user
        request = Call(
            "button",
            query.data or "",
            user.id,
            chat.id if chat else 0,
            bool(chat and chat.type == Chat.PRIVATE),
            call_language(user.language_code, ""),
            user.username or "",
            query.id,
        )
        answer, buttons = commands.press(self.desk, request)
        bot = self.connector.bot
        await self.connector.request(
            lambda: bot.answer_callback_query(query.id, text=answer[:ANSWER_LIMIT]),
            "answerCallbackQuery",
        )
        if buttons is not None and query.message is not None:
            await self._edit(query.message, buttons)

    async def _edit(self, message: MaybeInaccessibleMessage, buttons: tuple[Button, ...]) -> None:
        """Show the buttons still useful under a message; none once nothing waits."""
        bot = self.connector.bot
        try:
            await self.connector.request(
                lambda: bot.edit_message_reply_markup(
                    message.chat.id, message.message_id, reply_markup=keyboard(buttons)
                ),
                "editMessageReplyMarkup",
            )
        except BadRequest as exc:  # "message is not modified": another manager was quicker
            log.info("telegram: buttons in chat %d not updated (%s)", message.chat.id, exc.message)

    def alert_markup(self, action: Action) -> InlineKeyboardMarkup | None:
        """Approve / dismiss buttons under a managers' alert whose post has actions held for
        review."""
        post = alert_post(action.target)
        if post is None:
            return None
        return keyboard(commands.alert_buttons(self.desk, post[0], post[1], action.reason))


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button a row; None when there are none."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data)] for b in buttons]
    )


def attach(connector: TelegramConnector, settings: Settings) -> CommandLayer:
    """Plug the command layer into a connector: its command hook and the buttons under alerts."""
    layer = CommandLayer(
        connector, Desk.from_settings(settings, connector.store), Guard(settings.brand)
    )
    connector.attach(layer, layer.alert_markup)
    return layer
