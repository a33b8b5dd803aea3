"""X (Twitter) connector on tweepy: mentions and DMs with cursors, replies,
DMs, rate limits, access errors.

tweepy's synchronous Client runs in worker threads (asyncio.to_thread) rather than its AsyncClient:
the sync client needs no extra dependency (the async one needs `tweepy[async]`), tweepy.Paginator
works on it as documented, and every call is short because waits (rate-limit resets, backoff)
happen on the event loop, where a stop cancels them at once. The store is only touched on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
import tweepy
from requests.adapters import HTTPAdapter

from monitor.connectors.backoff import Backoff, with_backoff
from monitor.connectors.catalog import credentials
from monitor.connectors.protocol import Condition, ConnectorFatal, Emit, in_chunks, no_report_api
from monitor.connectors.twitter.budget import TIERS, RateBudget
from monitor.core.config import ConfigError, Settings
from monitor.core.models import Action, Author, Post
from monitor.store import Store

log = logging.getLogger("monitor.connectors.twitter")
T = TypeVar("T")

REAL_API = "https://api.twitter.com"  # tweepy hard-codes this host; requests are signed for it
# verified_type tells a bought blue mark from an organisation's (business) or a government's.
USER_FIELDS = ["created_at", "public_metrics", "verified", "verified_type", "username", "name",
               "description"]
# entities: X writes every link in a tweet's text as a t.co address; entities.urls holds the real
# ones. note_tweet: a post longer than 280 characters comes cut short in text, whole in note_tweet.
TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets",
                "author_id", "entities", "note_tweet"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id"]
ME, MENTIONS, DMS = "GET /2/users/me", "GET /2/users/:id/mentions", "GET /2/dm_events"
CURSOR_MENTIONS, CURSOR_DMS = "twitter:mentions", "twitter:dm"
ENV_DEFAULTS = {"consumer_key_env": "X_API_KEY", "consumer_secret_env": "X_API_SECRET",
                "access_token_env": "X_ACCESS_TOKEN",
                "access_token_secret_env": "X_ACCESS_TOKEN_SECRET"}
MAX_PAGES = 8  # 100 a page; the mentions timeline reaches only the newest 800 anyway
HTTP_TIMEOUT = 30.0  # seconds; a hung request must not pin a worker thread forever
MAX_RATE_WAIT = 900.0  # X's rate windows are 15 minutes
TRIES = 5  # attempts per call before the error goes up (to the supervisor or the action)
BACKOFF, MAX_BACKOFF = 1.0, 60.0
USAGE_CAP_PAUSE = 3600.0  # seconds between checks once X's monthly usage cap is reached


class AccessDenied(ConnectorFatal):
    """The app's access tier or credentials do not allow an endpoint the connector needs."""


class NotPermitted(Exception):
    """An action X does not allow this bot to take."""


class UsageCapped(Exception):
    """X answered 429 UsageCapExceeded: the app's usage cap for the period is spent (not a rate
    limit: waiting 15 minutes does not help, the period has to end or the cap be raised)."""


class _Endpoint(HTTPAdapter):
    """Sends tweepy's api.twitter.com requests to api_base (a loopback
    fake in tests), with a timeout.

    The URL is rewritten at send time, after requests_oauthlib signed it, so the OAuth1 signature
    still covers the real api.twitter.com URL.
    """

    def __init__(self, api_base: str, timeout: float = HTTP_TIMEOUT) -> None:
        super().__init__()
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Rewrite the host when overridden, then send."""
        if self.api_base != REAL_API and request.url:
            request.url = self.api_base + request.url[len(REAL_API):]
            kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)  # no_proxy applies
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        return super().send(request, **kwargs)


def make_client(keys: tuple[str, str, str, str], api_base: str = REAL_API,
                timeout: float = HTTP_TIMEOUT) -> tweepy.Client:
    """A user-context (OAuth1) tweepy Client whose requests go to api_base, each within timeout."""
    # tweepy's DEBUG lines carry request bodies and response content (raw post text, maybe a secret)
    logging.getLogger("tweepy").setLevel(logging.INFO)
    client = tweepy.Client(consumer_key=keys[0], consumer_secret=keys[1],
                           access_token=keys[2], access_token_secret=keys[3])
    client.session.mount(REAL_API + "/", _Endpoint(api_base, timeout))
    return client


def build(settings: Settings, store: Store) -> TwitterConnector:
    """The connector from the [twitter] table; MissingCredential names any unset env var."""
    table = settings.platforms.get("twitter", {})
    found = credentials({key: table.get(key, default) for key, default in ENV_DEFAULTS.items()})
    api_base = table.get("api_base", REAL_API)
    if not api_base.startswith(("https://", "http://")):
        raise ConfigError(f"{settings.path}: 'twitter.api_base' must be an http(s) URL")
    interval = float(table.get("poll_interval", 60.0))
    if interval <= 0:
        raise ConfigError(f"{settings.path}: 'twitter.poll_interval' must be more than 0 seconds")
    tier = table.get("tier", "basic")
    if tier not in TIERS:
        raise ConfigError(f"{settings.path}: 'twitter.tier' must be one of {', '.join(TIERS)}")
    key, secret, token, token_secret = (found[name] for name in ENV_DEFAULTS)
    client = make_client((key, secret, token, token_secret), api_base)
    return TwitterConnector(client, store, interval, bool(table.get("dms", True)), tier=tier,
                            backfill_hours=float(table.get("backfill_hours", 2.0)),
                            usage_cap_pause=float(table.get("usage_cap_pause", USAGE_CAP_PAUSE)))


class TwitterConnector:
    """Polls mentions and DMs oldest first, saving a cursor after each;
    replies, DMs, deletes own posts."""

    name = "twitter"
    platforms = ("twitter",)

    def __init__(self, client: tweepy.Client, store: Store, poll_interval: float = 60.0,
                 dms: bool = True, tier: str = "basic", backfill_hours: float = 2.0,
                 usage_cap_pause: float = USAGE_CAP_PAUSE) -> None:
        self.client = client
        self.store = store
        self.poll_interval = poll_interval
        self.dms = dms
        self.backfill_hours = backfill_hours  # a first run handles only this much of the past
        self.usage_cap_pause = usage_cap_pause
        self.budget = RateBudget(tier)
        client.session.hooks["response"].append(self.budget.observe)
        self.capped: str | None = None  # the usage-cap message while X refuses for the period
        self._me: str | None = None
        self._one_at_a_time = asyncio.Lock()  # requests.Session is not promised to be thread-safe

    async def run(self, emit: Emit) -> None:
        """Poll mentions and DMs, each on its own budget, until cancelled; an access-tier refusal
        raises AccessDenied (the connector stops)."""
        while self._me is None:
            try:
                await self.my_id()
            except UsageCapped as exc:
                self._capped(str(exc))
                await asyncio.sleep(self.usage_cap_pause)
        loops = [self._every("mentions", self.poll_mentions, emit)]
        if self.dms:
            loops.append(self._every("dms", self.poll_dms, emit))
        await asyncio.gather(*loops)

    async def _every(self, name: str, poll: Callable[[Emit], Awaitable[None]], emit: Emit) -> None:
        """One timeline's loop: a wait for its budget does not hold up the other's."""
        while True:
            try:
                await poll(emit)
            except UsageCapped as exc:
                self._capped(str(exc))
                await asyncio.sleep(self.usage_cap_pause)
                continue
            await asyncio.sleep(self.budget.wait(name, self.poll_interval))

    def _capped(self, message: str) -> None:
        """Say once that the usage cap is reached; polling is paused, checked once per pause."""
        if self.capped is None:
            log.error("%s; mentions and DMs paused, checked again every %gs", message,
                      self.usage_cap_pause)
        self.capped = message

    def _uncapped(self) -> None:
        """X answers again: the period ended or the cap was raised."""
        if self.capped is not None:
            self.capped = None
            log.info("X: the usage cap no longer applies; polling again")

    def conditions(self) -> dict[str, Condition]:
        """What /healthz shows: the usage cap, while it holds."""
        if self.capped is None:
            return {}
        return {"usage_cap": Condition(self.capped, degraded=True)}

    async def my_id(self) -> str:
        """The bot account's user id, asked once."""
        if self._me is None:
            me = await self._call(ME, self.client.get_me)
            self._me = str(me.data.id)
        return self._me

    # -- watching ----------------------------------------------------------------------------
    async def poll_mentions(self, emit: Emit) -> None:
        """Emit the mentions newer than the cursor, oldest first, saving
        the cursor after each chunk."""
        me = await self.my_id()
        since = self.store.cursor(CURSOR_MENTIONS)
        pages = self.budget.pages("mentions", MAX_PAGES)
        if pages == 0:
            return
        tweets, users = await self._call(MENTIONS, self._fetch_mentions, me, since, pages)
        self._uncapped()
        if since is None:
            tweets = self._first_run(CURSOR_MENTIONS, tweets, lambda t: t.created_at)

        async def handle(tweet: tweepy.Tweet) -> None:
            if str(tweet.author_id) != me:
                await emit(tweet_post(tweet, users.get(tweet.author_id)))

        async def done(chunk: Sequence[tweepy.Tweet]) -> None:
            self.store.set_cursor(CURSOR_MENTIONS, str(chunk[-1].id))

        await in_chunks(sorted(tweets, key=lambda t: t.id), handle, done)

    def _first_run(self, cursor: str, items: list[Any],
                   when: Callable[[Any], datetime | None]) -> list[Any]:
        """With no cursor yet, only the last backfill_hours; with nothing that recent, the newest id
        is remembered at once, so the bot never answers weeks-old mentions."""
        since = datetime.now(UTC) - timedelta(hours=self.backfill_hours)
        fresh = [i for i in items if (when(i) or since) >= since]
        if items and not fresh:
            self.store.set_cursor(cursor, str(max(i.id for i in items)))
        if len(fresh) < len(items):
            log.info("X: first read of %s: %d item(s) older than %gh left alone", cursor,
                     len(items) - len(fresh), self.backfill_hours)
        return fresh

    def _fetch_mentions(self, me: str, since: str | None,
                        pages: int) -> tuple[list[tweepy.Tweet], dict[int, tweepy.User]]:
        """Pages of mentions since the cursor (newest first, as X serves them); in a thread. A first
        run stops at the first page that reaches past the backfill window."""
        tweets: list[tweepy.Tweet] = []
        users: dict[int, tweepy.User] = {}
        for page in tweepy.Paginator(
                self.client.get_users_mentions, me, since_id=since, max_results=100, limit=pages,
                expansions=["author_id", "referenced_tweets.id"], user_fields=USER_FIELDS,
                tweet_fields=TWEET_FIELDS, user_auth=True):
            tweets += page.data or []
            users.update({u.id: u for u in page.includes.get("users", [])})
            if since is None and self._reaches_past(page.data or [], lambda t: t.created_at):
                break
        return tweets, users

    def _reaches_past(self, items: list[Any], when: Callable[[Any], datetime | None]) -> bool:
        """Whether a page holds an item older than the backfill window."""
        since = datetime.now(UTC) - timedelta(hours=self.backfill_hours)
        return any((when(i) or since) < since for i in items)

    async def poll_dms(self, emit: Emit) -> None:
        """Emit DM events after the last one seen, oldest first, saving
        the cursor after each chunk."""
        me = await self.my_id()
        cursor = self.store.cursor(CURSOR_DMS)
        pages = self.budget.pages("dms", MAX_PAGES)
        if pages == 0:
            return
        events, users = await self._call(DMS, self._fetch_dms, int(cursor or 0), pages,
                                         cursor is None)
        self._uncapped()
        if cursor is None:
            events = self._first_run(CURSOR_DMS, events, lambda e: e.created_at)

        async def handle(event: tweepy.DirectMessageEvent) -> None:
            if str(event.sender_id) != me:  # the bot's own sent messages are events too
                await emit(dm_post(event, users.get(event.sender_id)))

        async def done(chunk: Sequence[tweepy.DirectMessageEvent]) -> None:
            self.store.set_cursor(CURSOR_DMS, str(chunk[-1].id))

        await in_chunks(sorted(events, key=lambda e: e.id), handle, done)

    def _fetch_dms(self, last: int, pages: int,
                   first: bool) -> tuple[list[tweepy.DirectMessageEvent], dict[int, tweepy.User]]:
        """DM events newer than `last`: X has no since_id here, so page until it shows up (on a
        first run, until the backfill window is passed); in a thread."""
        events: list[tweepy.DirectMessageEvent] = []
        users: dict[int, tweepy.User] = {}
        for page in tweepy.Paginator(
                self.client.get_direct_message_events, event_types="MessageCreate", max_results=100,
                limit=pages, expansions=["sender_id"], user_fields=USER_FIELDS,
                dm_event_fields=DM_FIELDS):
            users.update({u.id: u for u in page.includes.get("users", [])})
            for event in page.data or []:
                if event.id <= last:
                    return events, users
                events.append(event)
            if first and self._reaches_past(page.data or [], lambda e: e.created_at):
                break
        return events, users

    # -- acting ------------------------------------------------------------------------------
    async def perform(self, action: Action) -> str:
        """Carry out one action; alerts belong to the managers' chat, not to X."""
        if action.kind == "reply":
            return await self._reply(action.target, action.text)
        if action.kind == "dm":
            return await self._dm(action.target, action.text)
        if action.kind == "delete":
            return await self._delete(action.target)
        if action.kind == "report":  # the X API has no endpoint for reporting an account
            return no_report_api("X")
        if action.kind in ("restrict", "ban", "unban"):  # the policy never plans them here
            raise NotPermitted(f"X lets no app {action.kind} an account: block and report it on X "
                               "by hand")
        raise NotPermitted(f"the X connector does not send {action.kind} actions")

    async def _reply(self, post_id: str, text: str) -> str:
        """A reply in the thread; for a DM, a message back to its sender instead."""
        stored = self.store.post("twitter", post_id)
        if stored is not None and stored["channel"] == "dm":
            return await self._dm(stored["author_id"], text)
        resp = await self._call("POST /2/tweets", self.client.create_tweet, retry_errors=False,
                                text=text, in_reply_to_tweet_id=post_id)
        return f"tweet {resp.data['id']}"

    async def _dm(self, user_id: str, text: str) -> str:
        """A direct message to one user."""
        resp = await self._call("POST /2/dm_conversations/with/:id/messages",
                                self.client.create_direct_message, retry_errors=False,
                                participant_id=user_id, text=text)
        return f"dm event {resp.data['dm_event_id']}"

    async def _delete(self, post_id: str) -> str:
        """Delete one of the bot's own tweets; X lets no bot delete anyone else's."""
        stored = self.store.post("twitter", post_id)
        if stored is None or stored["author_id"] != await self.my_id():
            raise NotPermitted("not permitted on X: cannot delete another user's post")
        await self._call("DELETE /2/tweets/:id", self.client.delete_tweet, post_id,
                         retry_errors=False)
        return "deleted"

    async def profile(self, author_id: str) -> Author:
        """The author's public profile: creation date, followers, verified."""
        resp = await self._call("GET /2/users/:id", self.client.get_user, id=author_id,
                                user_fields=USER_FIELDS, user_auth=True)
        if resp.data is None:  # a 200 with `errors`: unknown, suspended or deleted
            why = "; ".join(e.get("detail", "") for e in resp.errors if isinstance(e, dict))
            raise LookupError(f"X: no user with id {author_id}" + (f" ({why})" if why else ""))
        return to_author(resp.data)

    # -- calling X ---------------------------------------------------------------------------
    async def _call(self, label: str, fn: Callable[..., T], *args: Any, retry_errors: bool = True,
                    **kwargs: Any) -> T:
        """Run one blocking tweepy call in a thread: wait out 429s, back
        off on 5xx and network errors.

        Writes pass retry_errors=False: after a 5xx or a timeout the post may exist already, and
        sending it again would break at-most-once; a 429 means X did nothing, so it is retried.
        """
        backoff = Backoff(BACKOFF, MAX_BACKOFF)  # 5xx and drops only: a 429 waits for the reset

        async def once() -> T:
            async with self._one_at_a_time:
                return await asyncio.to_thread(fn, *args, **kwargs)

        def wait_for(exc: Exception) -> float | None:
            if isinstance(exc, tweepy.TooManyRequests):
                # a month's usage cap is not retried: waiting 15 minutes cannot help
                return None if usage_cap(label, exc) else reset_wait(exc.reset_time)
            if isinstance(exc, (tweepy.TwitterServerError, requests.RequestException)):
                return backoff.delay() if retry_errors else None
            return None

        def said(exc: Exception, wait: float) -> None:
            if isinstance(exc, tweepy.TooManyRequests):
                log.warning("X: %s rate limited (429); waiting %.0fs for the reset", label, wait)
            else:
                log.warning("X: %s failed (%s); retrying in %.0fs", label, error_code(exc), wait)

        try:
            return await with_backoff(once, wait_for, said, attempts=TRIES)
        except tweepy.TooManyRequests as exc:
            if (capped := usage_cap(label, exc)) is not None:
                raise capped from None
            raise
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise access_error(label, exc) or exc from None


def reset_wait(reset_time: int | None) -> float:
    """Seconds until X's x-rate-limit-reset (epoch seconds, so one more to be past it), bounded."""
    if reset_time is None:
        return 60.0
    return min(max(reset_time - time.time(), 0.0) + 1.0, MAX_RATE_WAIT)


def usage_cap(label: str, exc: tweepy.TooManyRequests) -> UsageCapped | None:
    """The usage-cap error for a 429 whose body says UsageCapExceeded; None for a rate limit."""
    body = _body(exc)
    if body.get("title") != "UsageCapExceeded" and "usage-capped" not in str(body.get("type", "")):
        return None
    period, scope = body.get("period", "Monthly"), body.get("scope", "Product")
    return UsageCapped(f"X: {label} refused: usage cap reached (429 UsageCapExceeded, period "
                       f"{period}, scope {scope}); raise the cap in the X developer portal or wait "
                       "for the period to end")


def access_error(label: str, exc: tweepy.HTTPException) -> AccessDenied | None:
    """The one-line fatal error for a 401 or an access-tier 403; None for other refusals."""
    if isinstance(exc, tweepy.Unauthorized):
        return AccessDenied(f"X: {label} refused the credentials (401); check the four [twitter] "
                            "*_env variables; X connector stopped")
    if 453 in exc.api_codes:
        why = "403, code 453"
    elif _body(exc).get("reason") == "client-not-enrolled":
        why = "403, client-not-enrolled"
    else:
        return None
    return AccessDenied(f"X: {label} needs Basic or Pro access ({why}); X connector stopped")


def _body(exc: tweepy.HTTPException) -> dict[str, Any]:
    """The JSON body of an error response, or {}."""
    try:
        body = exc.response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_code(exc: Exception) -> str:
    """The HTTP status and X error codes of an error, or its type for a network error."""
    if isinstance(exc, tweepy.HTTPException):
        codes = "".join(f", code {c}" for c in exc.api_codes)
        return f"{exc.response.status_code}{codes}"
    return type(exc).__name__


# -- mapping X objects to Posts -------------------------------------------------------------------
def to_author(user: tweepy.User) -> Author:
    """An X user as an Author, with creation date, followers, verified and bio."""
    metrics = user.public_metrics or {}
    return Author(platform="twitter", id=str(user.id), handle=user.username, name=user.name or "",
                  created_at=user.created_at, followers=metrics.get("followers_count"),
                  verified=user.verified, bio=user.description or "",
                  verified_type=(user.data or {}).get("verified_type"))


def _unknown(user_id: int | None) -> Author:
    """An author X did not expand (suspended or deleted meanwhile); with no id at all (an answer
    without author_id or sender_id), an author with neither id nor handle, never "None"."""
    uid = "" if user_id is None else str(user_id)
    return Author(platform="twitter", id=uid, handle=uid)


def tweet_post(tweet: tweepy.Tweet, user: tweepy.User | None) -> Post:
    """A mention as a public Post; reply_to is the tweet it answers."""
    author = to_author(user) if user is not None else _unknown(tweet.author_id)
    reply_to = next((str(r.id) for r in tweet.referenced_tweets or [] if r.type == "replied_to"),
                    None)
    note = (tweet.data or {}).get("note_tweet") or {}  # a long post, whole, with its own entities
    text = (expanded(note["text"], note.get("entities")) if note.get("text")
            else expanded(tweet.text, tweet.entities))
    return Post(platform="twitter", id=str(tweet.id), author=author, text=text,
                channel="public", created_at=tweet.created_at,
                url=f"https://x.com/{author.handle or 'i/web'}/status/{tweet.id}",
                reply_to=reply_to,
                raw=tweet.data)


def expanded(text: str, entities: dict[str, Any] | None) -> str:
    """The text with X's t.co addresses written back as the links the user posted: a look-alike site
    hides behind https://t.co/... until then."""
    for link in (entities or {}).get("urls", []):
        if (short := link.get("url")) and (full := link.get("expanded_url")):
            text = text.replace(short, full)
    return text


def dm_post(event: tweepy.DirectMessageEvent, user: tweepy.User | None) -> Post:
    """A direct message as a Post whose id is the DM event id."""
    author = to_author(user) if user is not None else _unknown(event.sender_id)
    return Post(platform="twitter", id=str(event.id), author=author, text=event.text or "",
                channel="dm", created_at=event.created_at, raw=event.data)
