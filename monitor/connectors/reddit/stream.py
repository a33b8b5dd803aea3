"""Reddit connector on asyncpraw: the inbox and configured subreddits in;
replies, PMs and removals out."""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpraw
from asyncpraw.exceptions import RedditAPIException
from asyncpraw.models import Message
from asyncprawcore.exceptions import (
    Forbidden,
    NotFound,
    OAuthException,
    Redirect,
    RequestException,
    ResponseException,
    ServerError,
    TooManyRequests,
    UnavailableForLegalReasons,
)

from monitor.connectors.backoff import Backoff, with_backoff
from monitor.connectors.catalog import credentials
from monitor.connectors.protocol import Condition, ConnectorFatal, Emit, Refusals, in_chunks
from monitor.connectors.reddit import bans
from monitor.connectors.reddit.mods import moderator_roster, moderators_of, refresh
from monitor.connectors.reddit.subs import Unreadable
from monitor.core.config import ConfigError, Settings
from monitor.core.models import Action, Author, Post, reason_kind
from monitor.store import Store

log = logging.getLogger("monitor.connectors.reddit")
T = TypeVar("T")

# links in posts point at Reddit itself, whatever base_url serves the API
WEB = "https://www.reddit.com"
ENV_DEFAULTS = {"client_id": "REDDIT_CLIENT_ID", "client_secret": "REDDIT_CLIENT_SECRET",
                "username": "REDDIT_USERNAME", "password": "REDDIT_PASSWORD"}
SUBREDDIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}")
PROFILE_CACHE = 2000  # authors kept in memory; account age barely changes while the daemon runs
# a write is retried only after a 429 (the request was refused, so nothing was done)
WRITE_TRIES = 3
SUBJECTS = {"secret_leak": "Your post was removed to protect your account",
            "support_request": "About your support request"}
TUNING = ("poll_interval", "backfill", "backfill_hours", "ratelimit_seconds", "max_retry_wait",
          "bad_subreddit_retry", "profile_reserve")
TRANSIENT = (ServerError, RequestException)  # 5xx after asyncprawcore's own retries, network errors
# How Reddit refuses a subreddit name: an unknown one redirects to search, a banned one is 404,
# a private or quarantined one 403. None is transient; the other subreddits must go on.
UNREADABLE = (Redirect, NotFound, Forbidden, UnavailableForLegalReasons)


class RedditError(RuntimeError):
    """An action Reddit refused or the connector cannot do; the message names the code."""


@dataclass(frozen=True, slots=True)
class RedditConfig:
    """The [reddit] table with credentials resolved from the environment."""

    client_id: str
    client_secret: str
    username: str
    password: str
    user_agent: str
    base_url: str | None = None  # None: the real Reddit
    subreddits: tuple[str, ...] = ()
    poll_interval: float = 30.0
    backfill: int = 100  # on a first run, how many of the newest items per listing to look at
    backfill_hours: float = 2.0  # ...and of those, only the ones this recent are handled
    ratelimit_seconds: int = 60  # longest RATELIMIT wait (JSON body) asyncpraw sleeps through
    max_retry_wait: float = 300.0  # cap on a 429 wait and on the 5xx/network backoff
    bad_subreddit_retry: float = 3600.0  # seconds before a refused subreddit is asked again
    profile_reserve: int = 100  # requests left in Reddit's window below which profiles are skipped


def build(settings: Settings, store: Store) -> RedditConnector:
    """The connector for settings.platforms['reddit']; MissingCredential names unset env vars."""
    # asyncprawcore's DEBUG lines carry request bodies, i.e. the texts being sent: keep them out.
    logging.getLogger("asyncprawcore").setLevel(logging.INFO)
    return RedditConnector(read_config(settings), store, settings.brand.name,
                           restrict_minutes=settings.enforce.restrict_minutes)


def read_config(settings: Settings) -> RedditConfig:
    """Resolve credentials from the env vars the table names and check the subreddit names."""
    table = settings.platforms.get("reddit", {})
    creds = credentials({key: table.get(f"{key}_env", default)
                         for key, default in ENV_DEFAULTS.items()})
    tuning: dict[str, Any] = {k: table[k] for k in TUNING if k in table}
    return RedditConfig(creds["client_id"], creds["client_secret"], creds["username"],
                        creds["password"],
                        user_agent=table.get("user_agent") or default_user_agent(creds["username"]),
                        base_url=table.get("base_url"), subreddits=_subreddits(settings, table),
                        **tuning)


def _subreddits(settings: Settings, table: dict[str, Any]) -> tuple[str, ...]:
    """The watched subreddits without their r/ prefix; a malformed name is a config error."""
    subs = tuple(s.removeprefix("r/") for s in table.get("subreddits", ()))
    for sub in subs:
        if not SUBREDDIT.fullmatch(sub):
            raise ConfigError(f"{settings.path}: 'reddit.subreddits' has an invalid name {sub!r}")
    return subs


def default_user_agent(username: str) -> str:
    """Reddit's recommended form: platform:app-id:version (by /u/name)."""
    try:
        version = importlib.metadata.version("support-monitor")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    return f"python:support-monitor:{version} (by /u/{username})"


def make_client(cfg: RedditConfig) -> asyncpraw.Reddit:
    """A new asyncpraw client; endpoints from base_url so tests reach a loopback fake."""
    urls: dict[str, Any] = {"oauth_url": cfg.base_url, "reddit_url": cfg.base_url} \
        if cfg.base_url else {}
    return asyncpraw.Reddit(
        client_id=cfg.client_id, client_secret=cfg.client_secret,
        username=cfg.username, password=cfg.password, user_agent=cfg.user_agent,
        check_for_updates=False, ratelimit_seconds=cfg.ratelimit_seconds, **urls)


class RedditConnector:
    """Polls the inbox (marked read only after handling) and subreddits (cursor per listing)."""

    name = "reddit"
    platforms = ("reddit",)

    def __init__(self, cfg: RedditConfig, store: Store, brand_name: str = "",
                 restrict_minutes: int = 24 * 60) -> None:
        self.cfg = cfg
        # [enforce]: a restriction is a ban of as many days
        self.restrict_minutes = restrict_minutes
        self.store = store
        self.brand_name = brand_name
        self._reddit: asyncpraw.Reddit | None = None  # shared by run, perform and profile
        self._users = 0  # how many of them hold the client now; the last one out closes it
        self._profiles: OrderedDict[str, tuple[Author, int | None]] = OrderedDict()
        self._not_moderator: set[str] = set()  # subreddits already logged as not moderated
        self.moderators = moderator_roster()  # each watched subreddit's, whom impostors copy
        self.bot_rights: dict[str, frozenset[str]] = {}  # from the bot's entry in those lists
        self.refusals = Refusals(log)
        self.unreadable = Unreadable(cfg.bad_subreddit_retry)
        # profiles skipped for the rate budget: said once per window
        self._low_budget_logged = False
        # profiles in flight
        self._loading: dict[str, asyncio.Future[tuple[Author, int | None]]] = {}

    # -- the client -------------------------------------------------------------------------
    @asynccontextmanager
    async def _session(self) -> AsyncIterator[asyncpraw.Reddit]:
        """The shared client, opened on first use and closed when its last user is done."""
        if self._reddit is None:
            self._reddit = make_client(self.cfg)
        reddit = self._reddit
        self._users += 1
        try:
            yield reddit
        finally:
            self._users -= 1
            if self._users == 0:  # run() ended and no send is in flight (or the reverse)
                self._reddit = None
                await reddit.close()

    # -- watching ---------------------------------------------------------------------------
    async def run(self, emit: Emit) -> None:
        """Log in, then poll the inbox and every subreddit until cancelled."""
        async with self._session() as reddit:
            me = await self._login(reddit)
            log.info("reddit: logged in as u/%s; watching the inbox and %d subreddit(s)",
                     getattr(me, "name", self.cfg.username), len(self.cfg.subreddits))
            while True:
                await self._retrying(lambda: self.poll(reddit, emit), "poll")
                await asyncio.sleep(self.cfg.poll_interval)

    async def _login(self, reddit: asyncpraw.Reddit) -> Any:
        """The bot's own account; refused credentials stop this
        connector (restarting cannot help)."""
        try:
            return await self._retrying(reddit.user.me, "login")
        except OAuthException as exc:
            reason = exc.error
        except ResponseException as exc:
            if exc.response.status not in (401, 403):
                raise
            reason = f"HTTP {exc.response.status}"
        raise ConnectorFatal(f"reddit connector stopped: login as u/{self.cfg.username} refused "
                             f"({reason}); check the client id, secret, username and password env "
                             "vars of [reddit]")

    async def poll(self, reddit: asyncpraw.Reddit, emit: Emit) -> None:
        """One round: unread inbox items, then each subreddit's new submissions and comments."""
        await self._poll_inbox(reddit, emit)
        for name in self.cfg.subreddits:
            if self.unreadable.due(name):
                await self._poll_subreddit(reddit, name, emit)

    async def _poll_subreddit(self, reddit: asyncpraw.Reddit, name: str, emit: Emit) -> None:
        """A subreddit's new submissions and comments; one Reddit refuses
        is skipped, not retried now."""
        sub = await reddit.subreddit(name)
        listings = ((f"reddit:r/{name}:submissions", sub.new),
                    (f"reddit:r/{name}:comments", sub.comments))
        try:  # both listings first: a refused name fails here, before anything is emitted
            fetched = [(cursor, await self._newer(cursor, listing)) for cursor, listing in listings]
        except UNREADABLE as exc:
            self.unreadable.failed(name, exc)
            return
        self.unreadable.succeeded(name)
        await refresh(self.moderators, sub, self.cfg.username, self.bot_rights)
        for cursor, items in fetched:
            await self._emit_listing(cursor, items, emit)

    async def _poll_inbox(self, reddit: asyncpraw.Reddit, emit: Emit) -> None:
        """Mentions, PMs and comment replies, oldest first; marked read a
        chunk at a time, once stored."""
        items = [item async for item in reddit.inbox.unread(limit=None)]

        async def done(chunk: Sequence[Any]) -> None:
            await reddit.inbox.mark_read(list(chunk))

        await in_chunks(items[::-1], lambda item: self._emit(item, emit), done)

    async def _emit_listing(self, cursor_name: str, items: list[Any], emit: Emit) -> None:
        """Items (newest first) handed over oldest first, saving the cursor after each chunk."""

        async def done(chunk: Sequence[Any]) -> None:
            self.store.set_cursor(cursor_name, chunk[-1].fullname)

        await in_chunks(items[::-1], lambda item: self._emit(item, emit), done)

    async def _newer(self, cursor_name: str, listing: Callable[..., Any]) -> list[Any]:
        """Newest first. Ids rise over time, so a deleted cursor item does not stall the listing."""
        cursor = self.store.cursor(cursor_name)
        if cursor is None:
            return self._first_run(cursor_name,
                                   [i async for i in listing(limit=max(self.cfg.backfill, 1))])
        newer = []
        async for item in listing(limit=None):
            if _seq(item.fullname) <= _seq(cursor):
                break
            newer.append(item)
        return newer

    def _first_run(self, cursor_name: str, items: list[Any]) -> list[Any]:
        """Only the last backfill_hours of a listing never read before; with none that recent, the
        newest id is remembered at once, so weeks-old posts are never answered."""
        since = time.time() - self.cfg.backfill_hours * 3600
        fresh = [i for i in items if float(i.created_utc) >= since] if self.cfg.backfill else []
        if items and not fresh:
            self.store.set_cursor(cursor_name, items[0].fullname)
        if len(fresh) < len(items):
            log.info("reddit: first read of %s: %d item(s) older than %gh left alone",
                     cursor_name.removeprefix("reddit:"), len(items) - len(fresh),
                     self.cfg.backfill_hours)
        return fresh

    async def _emit(self, item: Any, emit: Emit) -> None:
        """Hand one item to the pipeline, except the bot's own posts."""
        if _author_name(item).casefold() != self.cfg.username.casefold():
            await emit(await self.to_post(item))

    async def to_post(self, item: Any) -> Post:
        """A comment (t1), submission (t3) or private message (t4) as a Post."""
        kind = item.fullname[:2]
        author, karma = await self._author(_author_name(item))
        if kind == "t3":
            # A link post's link is in item.url, not in its text
            # (a self post's url is its own page).
            link = "" if getattr(item, "is_self", True) else getattr(item, "url", "") or ""
            text, url = "\n\n".join(filter(None, (item.title, item.selftext, link))), _link(item)
        elif kind == "t4":
            text, url = (f"{item.subject}\n\n{item.body}".strip(),
                         f"{WEB}/message/messages/{item.id}")
        else:
            text, url = item.body, _link(item)
        sub = getattr(item, "subreddit", None)
        return Post(platform="reddit", id=item.fullname, author=author, text=text,
                    channel="dm" if kind == "t4" else "public", created_at=_time(item.created_utc),
                    url=url, reply_to=getattr(item, "parent_id", None) or None,
                    raw={"kind": kind, "subreddit": str(sub) if sub else None,
                         "author_karma": karma},
                    staff=moderators_of(self.moderators, sub) if sub else (),
                    place=str(sub) if sub else "",
                    bot_may=self.bot_rights.get(str(sub).casefold()) if sub else None)

    async def _author(self, name: str) -> tuple[Author, int | None]:
        """The author's profile, cached, asked once however many of their posts arrive together; a
        deleted or unknown account gets a bare Author, and so does
        everyone while the budget is low."""
        if name in self._profiles:
            self._profiles.move_to_end(name)
            return self._profiles[name]
        if name not in self._loading and not self._budget_left():
            return Author(platform="reddit", id=name, handle=name), None  # not cached: asked later
        if name not in self._loading:
            self._loading[name] = asyncio.ensure_future(self._fetch_author(name))
            self._loading[name].add_done_callback(lambda _: self._loading.pop(name, None))
        return await asyncio.shield(self._loading[name])

    async def _fetch_author(self, name: str) -> tuple[Author, int | None]:
        """One profile request; the answer (or a bare Author for a missing account) is cached."""
        try:
            found = await self._load_profile(name)
        except RedditError:
            found = (Author(platform="reddit", id=name, handle=name), None)
        self._profiles[name] = found
        if len(self._profiles) > PROFILE_CACHE:
            self._profiles.popitem(last=False)
        return found

    def _budget_left(self) -> bool:
        """Whether Reddit's rate window (x-ratelimit-remaining, as asyncprawcore last read it) has
        room for a profile: below profile_reserve the requests are kept for polling and acting."""
        remaining = _remaining(self._reddit)
        if remaining is None or remaining > self.cfg.profile_reserve:
            self._low_budget_logged = False
            return True
        if not self._low_budget_logged:
            self._low_budget_logged = True
            log.warning("reddit: %d requests left in the rate window (profile_reserve %d); "
                        "new authors are handled without their profile until it resets", remaining,
                        self.cfg.profile_reserve)
        return False

    def conditions(self) -> dict[str, Condition]:
        """What a person must fix, for /healthz: each watched subreddit Reddit refuses."""
        return {name: Condition(why) for name, why in self.unreadable.conditions().items()}

    # -- profiles ---------------------------------------------------------------------------
    async def profile(self, author_id: str) -> Author:
        """The author's public profile: account age and verified email; unknown users raise."""
        return (await self._load_profile(author_id))[0]

    async def _load_profile(self, name: str) -> tuple[Author, int | None]:
        """GET /user/{name}/about as an Author and total karma."""
        if name in ("", "[deleted]"):
            raise RedditError("the author's account was deleted")
        async with self._session() as reddit:
            try:
                user = await reddit.redditor(name, fetch=True)
            except NotFound:
                raise RedditError(
                    f"404: no Reddit user u/{name} (deleted, banned or never existed)") from None
        created = getattr(user, "created_utc", None)  # absent for suspended accounts
        karma = None if created is None else (int(getattr(user, "link_karma", 0))
                                              + int(getattr(user, "comment_karma", 0)))
        author = Author(platform="reddit", id=user.name, handle=user.name,
                        created_at=_time(created) if created else None, followers=None,
                        verified=getattr(user, "has_verified_email", None))
        return author, karma

    # -- acting -----------------------------------------------------------------------------
    async def perform(self, action: Action) -> str:
        """Carry out one action; a 429 is waited out and retried, other
        refusals raise RedditError."""
        handlers = {"reply": self._reply, "dm": self._dm, "delete": self._delete,
                    "report": self._report, "alert": self._alert, "restrict": self._enforce,
                    "ban": self._enforce, "unban": self._enforce}
        if action.kind not in handlers:
            raise RedditError(f"unknown action kind {action.kind!r}")
        async with self._session() as reddit:
            return await self._retrying(lambda: handlers[action.kind](reddit, action), action.kind,
                                        tries=WRITE_TRIES, transient=())

    async def _reply(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """Reply under a comment, submission or private message."""
        thing = await _thing(reddit, action.target)
        try:
            new = await thing.reply(action.text)
        except RedditAPIException as exc:
            # RATELIMIT longer than ratelimit_seconds, locked thread...
            raise RedditError(f"Reddit refused the reply: {_codes(exc)}") from None
        return f"replied {new.fullname}" if new is not None else "replied"

    async def _dm(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """A private message to a user by name."""
        subject = SUBJECTS.get(reason_kind(action.reason), "A message from the support team")
        if self.brand_name:
            subject = f"{self.brand_name}: {subject}"
        redditor = await reddit.redditor(action.target)
        try:
            await redditor.message(subject=subject[:100], message=action.text)
        except RedditAPIException as exc:
            raise RedditError(f"Reddit refused the PM: {_codes(exc)}") from None
        return f"PM sent to u/{action.target}"

    async def _delete(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """Remove a post: the bot's own by deleting it, others' as a
        moderator of their subreddit."""
        if action.target.startswith("t4_"):  # a PM can only leave the bot's own inbox
            await Message(reddit, {"id": action.target[3:], "name": action.target}).delete()
            return "deleted from the bot's inbox"
        things = [t async for t in reddit.info(fullnames=[action.target])]
        if not things:
            raise RedditError(f"404: {action.target} not found (already deleted?)")
        thing = things[0]
        if _author_name(thing).casefold() == self.cfg.username.casefold():
            await thing.delete()
            return "deleted own post"
        return await self._mod_remove(thing)

    async def _mod_remove(self, thing: Any) -> str:
        """Remove as moderator; a 403 (not a moderator there) is logged once per subreddit."""
        sub = str(thing.subreddit)
        try:
            await thing.mod.remove(spam=False)
        except Forbidden:
            if sub.casefold() not in self._not_moderator:
                self._not_moderator.add(sub.casefold())
                log.warning("reddit: 403 removing from r/%s: u/%s is not a moderator there; "
                            "leaked secrets in r/%s stay up", sub, self.cfg.username, sub)
            raise RedditError(
                f"403 Forbidden: u/{self.cfg.username} does not moderate r/{sub}") from None
        return f"removed as moderator of r/{sub}"

    async def _report(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """Report the account's latest stored post to Reddit (a report's target is the account, and
        Reddit takes reports of posts, comments and messages, not of accounts)."""
        post_id = self.store.latest_post_id("reddit", action.target)
        if post_id is None:
            raise RedditError(f"no stored post by u/{action.target} to report")
        try:
            return await bans.report(await _thing(reddit, post_id), action)
        except RedditAPIException as exc:
            raise RedditError(f"reddit refused report ({_codes(exc)})") from None

    async def _enforce(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """Ban for the restriction's days, ban for good or unban; a refusal names Reddit's answer
        and is logged once per subreddit and kind with the moderator permission the bot lacks."""
        try:
            if action.kind == "restrict":
                return await bans.restrict(reddit, action, self.restrict_minutes)
            return await (bans.ban if action.kind == "ban" else bans.unban)(reddit, action)
        except ValueError as exc:  # a place or target the action should not have had
            raise RedditError(str(exc)) from None
        except RedditAPIException as exc:
            reason = _codes(exc)
        except Forbidden:
            reason = f"403 Forbidden: u/{self.cfg.username} does not moderate r/{action.place} " \
                     f"with the {bans.NEEDS[action.kind]} permission"
            self.refusals.once(action.kind, action.place.casefold(),
                               f"reddit: cannot {action.kind} in r/{action.place}: {reason}")
        raise RedditError(f"reddit refused {action.kind} ({reason})")

    async def _alert(self, reddit: asyncpraw.Reddit, action: Action) -> str:
        """Alerts belong in the managers' Telegram chat, never on Reddit."""
        raise RedditError("alerts go to the managers' Telegram chat; "
                          "no Telegram connector is running")

    # -- rate limits and transient errors ---------------------------------------------------
    async def _retrying(self, call: Callable[[], Awaitable[T]], what: str, tries: int = 0,
                        transient: tuple[type[Exception], ...] = TRANSIENT) -> T:
        """Run call, waiting out 429s (and backing off transient errors); tries=0 means forever."""
        backoff = Backoff(1.0, self.cfg.max_retry_wait)  # a 429's wait moves it on too

        def wait_for(exc: Exception) -> float | None:
            if isinstance(exc, TooManyRequests):
                return self._rate_wait(exc, backoff.delay())
            return backoff.delay() if isinstance(exc, transient) else None

        def said(exc: Exception, wait: float) -> None:
            error = "429" if isinstance(exc, TooManyRequests) else _describe(exc)
            log.warning("reddit: %s on %s; retrying in %.1fs", error, what, wait)

        return await with_backoff(call, wait_for, said, attempts=tries or None)

    def _rate_wait(self, exc: TooManyRequests, fallback: float) -> float:
        """Seconds to wait after a 429: Retry-After, else x-ratelimit-reset, bounded."""
        headers = exc.response.headers
        for value in (exc.retry_after, headers.get("x-ratelimit-reset")):
            try:
                return min(max(float(value or ""), 1.0), self.cfg.max_retry_wait)
            except ValueError:
                continue
        return fallback


async def _thing(reddit: asyncpraw.Reddit, fullname: str) -> Any:
    """A lazy comment, submission or message by fullname (no request until it is used)."""
    kind, _, short = fullname.partition("_")
    if kind == "t1":
        return await reddit.comment(short, fetch=False)
    if kind == "t3":
        return await reddit.submission(short, fetch=False)
    if kind == "t4":
        return Message(reddit, {"id": short, "name": fullname})
    raise RedditError(f"{fullname!r} is not a Reddit comment, submission or message fullname")


def _remaining(reddit: asyncpraw.Reddit | None) -> int | None:
    """Requests left in Reddit's rate window, or None before any answer said."""
    if reddit is None or reddit._core is None:
        return None
    remaining = reddit.auth.limits.get("remaining")
    return None if remaining is None else int(remaining)


def _link(item: Any) -> str:
    """A comment's or submission's page. Listings carry `permalink`; inbox comments (replies and
    mentions) carry only `context`, the same page with ?context=3."""
    path = getattr(item, "permalink", None) or getattr(item, "context", None) or ""
    return WEB + path if path else ""


def _author_name(item: Any) -> str:
    """The author's name; '' for a deleted account."""
    author = getattr(item, "author", None)
    return str(author) if author else ""


def _seq(fullname: str) -> int:
    """A fullname's place in time: Reddit ids are base-36 counters."""
    return int(fullname.partition("_")[2], 36)


def _time(timestamp: float) -> datetime:
    """A Reddit epoch timestamp as an aware datetime."""
    return datetime.fromtimestamp(float(timestamp), UTC)


def _codes(exc: RedditAPIException) -> str:
    """Reddit's error codes and messages (never the text that was being sent)."""
    return "; ".join(f"{item.error_type}: {item.message}" for item in exc.items)


def _describe(exc: Exception) -> str:
    """An error by its class and HTTP status where there is one."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status", None)
    return f"{type(exc).__name__} {status}" if status else type(exc).__name__
