"""Telegram messages as Posts, and the references (chat:message) that
let actions find them again."""

from __future__ import annotations

from datetime import datetime

from telegram import (
    Chat,
    ChatFullInfo,
    ChatJoinRequest,
    ChatMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from monitor.core.models import ASKED_TO_JOIN, JOINED_GROUP, Author, Post, edit_id, message_id

PLATFORM = "telegram"


def message_ref(chat_id: int, message_id: int) -> str:
    """A post id that names the chat too, so a reply or delete can reach the message later."""
    return f"{chat_id}:{message_id}"


def parse_ref(ref: str) -> tuple[int, int]:
    """(chat_id, message_id) from a post id (an edit's id names its message too); ValueError naming
    the value's shape when malformed."""
    chat, sep, message = message_id(ref).rpartition(":")
    try:
        if not sep:
            raise ValueError
        return int(chat), int(message)
    except ValueError:
        raise ValueError("a Telegram message reference must look like CHAT_ID:MESSAGE_ID") from None


def with_hidden_links(text: str, entities: tuple[MessageEntity, ...]) -> str:
    """The text with each text_link written as Markdown, [shown](url): what a tap opens may
    be another site than the words show ("[www.okx.com](https://evil.example)"). Entity
    offsets count UTF-16 units."""
    links = sorted(
        (e for e in entities if e.type == MessageEntity.TEXT_LINK and e.url),
        key=lambda e: -e.offset,
    )
    units = text.encode("utf-16-le")
    for link in links:
        start, end = link.offset * 2, (link.offset + link.length) * 2
        shown = units[start:end].decode("utf-16-le", errors="replace")
        units = units[:start] + f"[{shown}]({link.url})".encode("utf-16-le") + units[end:]
    return units.decode("utf-16-le", errors="replace") if links else text


def forwarded_from(message: Message) -> str:
    """Where a forwarded message comes from, as a title and @handle ("OKX Announcements
    @okx_news_hub"), so a forward from a look-alike channel is checked like a post naming it; ''
    for a message not forwarded."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginChannel | MessageOriginChat):
        chat = origin.chat if isinstance(origin, MessageOriginChannel) else origin.sender_chat
        return " ".join(filter(None, (chat.title, f"@{chat.username}" if chat.username else "")))
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return " ".join(
            filter(None, (user.full_name, f"@{user.username}" if user.username else ""))
        )
    return origin.sender_user_name if isinstance(origin, MessageOriginHiddenUser) else ""


def to_post(message: Message) -> Post | None:
    """The Post for a user's message or an edit of one; None when it carries no text
    (stickers, joins, service)."""
    text = message.text or message.caption
    if not text or message.from_user is None:
        return None
    text = with_hidden_links(text, message.entities if message.text else message.caption_entities)
    if origin := forwarded_from(message):
        text = f"[forwarded from {origin}]\n{text}"
    chat = message.chat
    ref = message_ref(chat.id, message.message_id)
    return Post(
        platform=PLATFORM,
        id=edit_id(ref, message.edit_date) if message.edit_date else ref,
        edit_of=ref if message.edit_date else None,
        author=sender_of(message, message.from_user),
        text=text,
        channel="dm" if chat.type == Chat.PRIVATE else "group",
        created_at=message.date,
        url=public_url(chat, message.message_id),
        reply_to=reply_ref(message),
        raw=message,
    )


def join_posts(message: Message, bot_username: str) -> list[Post]:
    """A Post per member a service message says joined, other than this bot: an impostor joins to
    read the member list and write to users in private, where the bot never sees it, so its name is
    checked at the door."""
    return [
        join_post(message.chat, user, message.date)
        for user in message.new_chat_members
        if (user.username or "").casefold() != bot_username.casefold()
    ]


def member_join(update: ChatMemberUpdated) -> Post | None:
    """The Post for a chat_member update that is a join (large groups often hide the service
    message, and an admin bot still hears of each join this way); None for any other change."""
    was, now = update.old_chat_member, update.new_chat_member
    outside = was.status in (ChatMember.LEFT, ChatMember.BANNED) or (
        was.status == ChatMember.RESTRICTED and not getattr(was, "is_member", True)
    )
    if (
        not outside
        or now.status not in (ChatMember.MEMBER, ChatMember.RESTRICTED)
        or now.user.is_bot
    ):
        return None
    return join_post(update.chat, now.user, update.date)


def promoted_or_demoted(update: ChatMemberUpdated) -> bool:
    """Whether a chat_member update makes someone an admin or ends it (the
    group's list is then stale)."""
    ranks = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    return (update.old_chat_member.status in ranks) != (update.new_chat_member.status in ranks)


def join_request(request: ChatJoinRequest) -> Post:
    """A request to join a group that asks for approval: checked
    before an admin lets the user in."""
    return Post(
        platform=PLATFORM,
        id=f"{request.chat.id}~r{request.from_user.id}~{request.date:%Y%m%d}",
        author=to_author(request.from_user),
        text=ASKED_TO_JOIN,
        channel="group",
        created_at=request.date,
    )


def join_post(chat: Chat, user: User, date: datetime) -> Post:
    """One member's join; the id names the chat, the member and the day, so the service message and
    the chat_member update of one join are stored once."""
    return Post(
        platform=PLATFORM,
        id=f"{chat.id}~j{user.id}~{date:%Y%m%d}",
        author=to_author(user),
        text=JOINED_GROUP,
        channel="group",
        created_at=date,
    )


def sender_of(message: Message, user: User) -> Author:
    """Who wrote a message: the channel it was sent on behalf of (the user is then a placeholder
    bot, Channel_Bot), else the user. Anonymous admins writing as the group itself stay as sent."""
    chat = message.sender_chat
    if chat is not None and chat.id != message.chat.id:
        return Author(
            platform=PLATFORM,
            id=str(chat.id),
            handle=chat.username or str(chat.id),
            name=chat.title or "",
        )
    return to_author(user)


def speaks_for_group(message: Message) -> bool:
    """A message the group itself sends: an anonymous admin writing as the group, or a post of the
    group's linked channel forwarded into it automatically. Either comes
    from the group's own staff."""
    chat = message.sender_chat
    return chat is not None and (chat.id == message.chat.id or bool(message.is_automatic_forward))


def to_author(user: User | Chat | ChatFullInfo) -> Author:
    """The author as Telegram gives it: no creation date, follower count or verification."""
    handle = user.username or user.first_name or str(user.id)
    return Author(platform=PLATFORM, id=str(user.id), handle=handle, name=user.full_name or "")


def reply_ref(message: Message) -> str | None:
    """The message this one answers; a forum topic's opening message is not a reply."""
    replied = message.reply_to_message
    if replied is None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return message_ref(message.chat.id, replied.message_id)


def public_url(chat: Chat, message_id: int) -> str:
    """The t.me link of a message in a public group; private chats and groups have none."""
    if chat.type == Chat.PRIVATE or not chat.username:
        return ""
    return f"https://t.me/{chat.username}/{message_id}"


def command_for(message: Message, bot_username: str) -> str | None:
    """The command (without '/' and '@bot') when the message is a command addressed to this bot."""
    text = message.text or ""
    first = message.entities[0] if message.entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    name, _, addressee = text[1 : first.length].partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return None  # a command for another bot in the same group: an ordinary message to us
    return name
