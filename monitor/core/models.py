"""Core value types that cross module boundaries: Brand, Author, Post, Finding, Action, and a
post's context and result in the pipeline (Context, Processed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Platform = Literal["twitter", "telegram", "discord", "reddit"]
Channel = Literal["public", "group", "dm"]
FindingKind = Literal["support_request", "impersonation", "secret_leak"]
ActionKind = Literal["reply", "dm", "delete", "alert", "report", "restrict", "ban", "unban"]

PLATFORMS: tuple[str, ...] = ("twitter", "telegram", "discord", "reddit")
CHANNELS: tuple[str, ...] = ("public", "group", "dm")
FINDING_KINDS: tuple[str, ...] = ("support_request", "impersonation", "secret_leak")
ACTION_KINDS: tuple[str, ...] = (
    "reply",
    "dm",
    "delete",
    "alert",
    "report",
    "restrict",
    "ban",
    "unban",
)
# What moderates a place rather than speaks in it: the bot needs the right to each, per place.
ENFORCEMENT: tuple[str, ...] = ("delete", "restrict", "ban", "unban")
SUPPORT_TOPICS: tuple[str, ...] = (
    "withdrawal",
    "deposit",
    "login",
    "kyc",
    "trading",
    "api",
    "other",
)
SECRET_TYPES: tuple[str, ...] = ("seed_phrase", "private_key", "api_key", "token", "password")


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post; profile fields are None where the platform does not give them."""

    platform: str
    id: str
    handle: str
    name: str = ""
    created_at: datetime | None = None
    followers: int | None = None
    verified: bool | None = None
    verified_type: str | None = None  # X: blue (bought), business, government or none
    # The profile's own words where the connector reads them (X's description): read by the
    # detector, never quoted, stored or shown, so kept out of repr too.
    bio: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Brand:
    """The brand the bot speaks for: its names, official accounts, domains and support links."""

    name: str
    domains: tuple[str, ...]
    live_chat_url: str
    ticket_url: str
    aliases: tuple[str, ...] = ()
    help_center_url: str = ""
    support_email: str = ""
    accounts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Accounts the team vouches for (fan clubs, ambassadors, a partner): not the brand's, so
    # answered like anyone, but never flagged for a name or handle that looks like the brand's.
    trusted: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """The brand name followed by its aliases."""
        return (self.name, *self.aliases)


# An edit's post id is the message's id, this mark and the edit time (edit_id below; what an edit
# is acted on for: monitor.core.edits): each version is stored once, and the part before the mark
# still finds the message.
EDIT_MARK = "~e"


def edit_id(message_id: str, edited_at: datetime) -> str:
    """The post id of one edit of a message."""
    return f"{message_id}{EDIT_MARK}{int(edited_at.timestamp())}"


def message_id(post_id: str) -> str:
    """The id of the message a post is a version of (itself for an unedited message)."""
    return post_id.partition(EDIT_MARK)[0]


# The text of a post that stands for a member arriving rather than a message: their name and handle
# are all there is to check, and alerts say which it was.
JOINED_GROUP = "[joined the group]"
ASKED_TO_JOIN = "[asked to join the group]"
JOINED_SERVER = "[joined the server]"
ARRIVALS = (JOINED_GROUP, ASKED_TO_JOIN, JOINED_SERVER)


@dataclass(frozen=True, slots=True)
class Post:
    """One message seen on a platform. `raw` keeps the platform payload out of equality and repr."""

    platform: str
    id: str
    author: Author
    text: str
    channel: str = "public"
    created_at: datetime | None = None
    url: str = ""
    reply_to: str | None = None
    raw: Any = field(default=None, compare=False, repr=False, hash=False)
    # for an edited message: the id of the message (see monitor.core.edits)
    edit_of: str | None = None
    # The admins and moderators of the group, server or subreddit it was posted in, as the platform
    # lists them: impostors copy their names, and their own posts are not answered or flagged.
    staff: tuple[Author, ...] = field(default=(), repr=False)
    # Set by the daemon when the post this one replies to was read as a support request: an offer of
    # a DM under a help request is the classic scam, under a friend's message it is chat.
    replies_to_request: bool = False
    # The group, server or subreddit it was posted in (Telegram chat id, Discord guild id, subreddit
    # name): where a restriction or ban applies. Empty in DMs and where unknown.
    place: str = ""
    # What the bot may do there (of ENFORCEMENT), as the connector last read its rights; None when
    # not known (a replay), and then the platform's answer tells.
    bot_may: frozenset[str] | None = field(default=None, repr=False)
    # The author's history in this place as the store knows it, set by the pipeline from the
    # batch's Context: messages written here before this one (None: not known) and when they were
    # first seen here (None: never before, or not known). Newcomers are weighed more strictly.
    posts_here: int | None = field(default=None, compare=False, repr=False)
    first_here: datetime | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a post across the whole system."""
        return (self.platform, self.id)

    @property
    def by_staff(self) -> bool:
        """Whether one of the place's admins or moderators wrote it."""
        return among(self.author, self.staff)


def among(author: Author, people: Iterable[Author]) -> bool:
    """Whether the author is one of these accounts, by account id:
    names and handles can be copied."""
    return any(person.id == author.id for person in people)


# A wave (the same text from many accounts new to a place): every post in it carries a finding of
# this label whose fingerprint names the wave by the post that raised it (wave_key); only that
# post's finding is alerted, so a wave makes one alert.
WAVE = "wave"


def wave_key(platform: str, post_id: str) -> str:
    """The name of the wave the post (platform, post_id) raised."""
    return f"wave:{platform}:{post_id}"


@dataclass(frozen=True, slots=True)
class Finding:
    """What a detector concluded about a post; `evidence` is plain words and already redacted."""

    kind: str
    label: str
    score: float
    evidence: str
    detector: str
    fingerprint: str = ""  # salted hash of a secret, for de-duplication; empty for other kinds
    # The detector weighed a signal down for the post's context (a warning, chat between members):
    # a newcomer's stricter threshold does not apply. Not stored: only the pipeline reads it.
    weighed_down: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Action:
    """Something the bot would do in response to a post: reply, dm, delete, alert or report."""

    kind: str
    platform: str
    target: str
    text: str
    reason: str
    # The text to send instead when the delete planned before it failed (a removal notice that
    # must ask the user to delete the post): rendered with the action, chosen by the sender.
    fallback: str = field(default="", compare=False, repr=False)
    # Where a restrict, ban or unban applies (the post's place); the target is then the user id.
    place: str = ""


@dataclass(frozen=True, slots=True)
class StoredAction:
    """An action as the store keeps it and hands it to the sender: its row, post and progress.
    Statuses: planned, held, sending (claimed, the platform not yet answered), sent, failed,
    skipped."""

    id: int
    post_id: str
    action: Action
    status: str
    result: str = ""
    attempts: int = 0  # how many times it was claimed for sending: at most once

    @property
    def kind(self) -> str:
        """The action's kind."""
        return self.action.kind

    @property
    def platform(self) -> str:
        """The platform of the post behind it."""
        return self.action.platform


def reason_kind(reason: str) -> str:
    """The finding kind an action's reason names ("secret_leak: password" -> "secret_leak")."""
    return reason.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class History:
    """An author's stored messages in one place: how many, and when first seen there."""

    messages: int = 0
    first_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What the store knows around a batch of posts, fetched in one query: the finding kinds flagged
    on any stored version of each message that a post of the batch answers or edits, and each
    author's history in the place of their post, by (platform, place, author id)."""

    flagged: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    history: Mapping[tuple[str, str, str], History] = field(default_factory=dict)

    def kinds(self, platform: str, message: str) -> frozenset[str]:
        """The kinds flagged on a stored message (any of its versions); empty if none or unknown."""
        return self.flagged.get((platform, message), frozenset())


@dataclass(frozen=True, slots=True)
class Processed:
    """One post after the pipeline: its redacted form, flagged findings and planned actions, with
    each action's first status (by the mode of its finding kind) once the context is settled."""

    post: Post  # text already redacted; raw payload dropped
    findings: list[Finding]
    actions: list[Action]
    lang: str
    statuses: tuple[str, ...] = ()
    failure: str | None = None  # the exception's name when the post could not be processed
    # Stored posts this one makes suspect after the fact (the earlier posts of a wave it raised),
    # each with its new findings and actions; the daemon adds them to those posts.
    earlier: tuple[Processed, ...] = ()
