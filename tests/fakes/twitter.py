"""A loopback fake of the X API v2 (aiohttp) that checks OAuth1 signatures and scripts faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web
from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849.utils import escape

from tests.fakes import until  # noqa: F401  (re-exported: tests import it with the fake)

REAL_HOST = "https://api.twitter.com"  # what tweepy signs, whatever host the request reaches
TWEET_DEFAULT = ("id", "text", "edit_history_tweet_ids")
LONG_POST = 280
USER_DEFAULT = ("id", "name", "username")
DM_DEFAULT = ("id", "event_type", "text")
NOT_ENROLLED = {
    "title": "Client Forbidden",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
    "reason": "client-not-enrolled",
    "required_enrollment": "Appropriate Level of API Access",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
    "tokens from a Twitter developer App that is attached to a Project.",
}
# X's answer once the app's monthly usage cap is spent (a 429 that is not a rate limit).
USAGE_CAPPED = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}
CODE_453 = {
    "errors": [
        {
            "code": 453,
            "message": "You currently have access to a subset of X API V2 "
            "endpoints and limited v1.1 endpoints only. If you need access to this "
            "endpoint, you may need a different access level.",
        }
    ]
}


@dataclass
class Fault:
    """One scripted failure: an HTTP status, an optional body and a rate-limit reset."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    reset_in: float | None = None  # seconds from now, sent as x-rate-limit-reset


@dataclass
class Credentials:
    """The four OAuth1 values the fake accepts."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


class FakeX:
    """Serves mentions, DM events, tweets and users for one bot
    account; records what it was sent."""

    def __init__(self, creds: Credentials | None = None, bot_username: str = "okx") -> None:
        self.creds = creds or CREDS
        self.page_cap = 100  # the largest page served, whatever max_results asks for
        self._ids = itertools.count(1_860_000_000_000_000_001)
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.mentions: list[str] = []  # tweet ids that mention the bot
        self.dm_events: list[dict[str, Any]] = []
        self.posted: list[dict[str, Any]] = []  # tweets the bot created
        self.dms_sent: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.calls: list[str] = []  # route names in the order they were served
        self.rejected = 0  # requests refused for a bad signature
        self.over_limit = 0  # requests answered 429 for going past a route's limit
        self.faults: dict[str, list[Fault]] = {}
        # Per-route request limits and window length, answered in x-rate-limit-* headers as X does;
        # generous unless a test sets a tier's figures.
        self.limits: dict[str, int] = {"mentions": 10_000, "dm_events": 10_000}
        self.window = 900.0
        self._windows: dict[str, tuple[float, int]] = {}  # route -> (window start, requests in it)
        self.me = self.add_user(bot_username, "OKX", "2013-01-01T00:00:00.000Z", 5_000_000, True)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- scripting ---------------------------------------------------------------------------
    def add_user(
        self,
        username: str,
        name: str = "",
        created_at: str = "2019-05-01T00:00:00.000Z",
        followers: int = 100,
        verified: bool = False,
        description: str = "",
        verified_type: str | None = None,
    ) -> str:
        """A user the fake knows; returns its id. verified_type: blue, business, government."""
        uid = str(next(self._ids))
        self.users[uid] = {
            "id": uid,
            "username": username,
            "name": name or username,
            "created_at": created_at,
            "verified": verified,
            "description": description,
            "verified_type": verified_type or ("blue" if verified else "none"),
            "public_metrics": {
                "followers_count": followers,
                "following_count": 10,
                "tweet_count": 50,
                "listed_count": 0,
            },
        }
        return uid

    def mention(self, author_id: str, text: str, reply_to: str | None = None) -> str:
        """A tweet that mentions the bot; returns its id."""
        tid = self._tweet(author_id, text, reply_to)
        self.mentions.append(tid)
        return tid

    def dm(self, sender_id: str, text: str) -> str:
        """A direct message to the bot; returns its event id."""
        return self._dm_event(sender_id, self.me, text)

    def fail(
        self,
        route: str,
        status: int,
        times: int = 1,
        body: dict[str, Any] | None = None,
        reset_in: float | None = None,
    ) -> None:
        """Answer the next `times` requests to `route` with `status`."""
        self.faults.setdefault(route, []).extend(
            Fault(status, body or {"title": f"HTTP {status}", "status": status}, reset_in)
            for _ in range(times)
        )

    # -- server ------------------------------------------------------------------------------
    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL."""
        app = web.Application(middlewares=[self._oauth, self._faults])
        app.router.add_get("/2/users/me", self._get_me, name="me")
        app.router.add_get("/2/users/{id}/mentions", self._get_mentions, name="mentions")
        app.router.add_get("/2/users/{id}", self._get_user, name="user")
        app.router.add_get("/2/dm_events", self._get_dm_events, name="dm_events")
        app.router.add_post("/2/tweets", self._create_tweet, name="create_tweet")
        app.router.add_delete("/2/tweets/{id}", self._delete_tweet, name="delete_tweet")
        app.router.add_post(
            "/2/dm_conversations/with/{pid}/messages", self._create_dm, name="create_dm"
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    # -- middlewares -------------------------------------------------------------------------
    @web.middleware
    async def _oauth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse any request whose OAuth1 HMAC-SHA1 signature does not verify (401)."""
        if not self._signed_ok(request):
            self.rejected += 1
            return web.json_response(
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                status=401,
            )
        return await handler(request)

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Record the route and serve a scripted fault when one is queued for it."""
        route = request.match_info.route.name or "?"
        self.calls.append(route)
        queued = self.faults.get(route)
        if not queued:
            return self._count(route, await handler(request))
        fault = queued.pop(0)
        headers = {}
        if fault.reset_in is not None:
            headers = {
                "x-rate-limit-limit": "75",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(time.time() + fault.reset_in)),
            }
        return web.json_response(fault.body, status=fault.status, headers=headers)

    def _count(self, route: str, response: web.StreamResponse) -> web.StreamResponse:
        """Spend one request of the route's window and say what is left, as X does; past the
        limit, a 429 until the window resets."""
        if route not in self.limits:
            return response
        now = time.time()
        start, used = self._windows.get(route, (now, 0))
        if now >= start + self.window:
            start, used = now, 0
        used += 1
        self._windows[route] = (start, used)
        headers = {
            "x-rate-limit-limit": str(self.limits[route]),
            "x-rate-limit-remaining": str(max(self.limits[route] - used, 0)),
            "x-rate-limit-reset": str(int(start + self.window) + 1),
        }
        if used > self.limits[route]:
            self.over_limit += 1
            return web.json_response(
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                status=429,
                headers=headers,
            )
        response.headers.update(headers)
        return response

    def _signed_ok(self, request: web.Request) -> bool:
        """Check the request's OAuth1 signature with the fake's credentials."""
        return signed_ok(request, self.creds)

    # -- reads -------------------------------------------------------------------------------
    async def _get_me(self, request: web.Request) -> web.Response:
        """GET /2/users/me."""
        return web.json_response(
            {"data": _pick(self.users[self.me], USER_DEFAULT, request, "user.fields")}
        )

    async def _get_user(self, request: web.Request) -> web.Response:
        """GET /2/users/:id; an unknown id is a 200 with an error, as X answers."""
        user = self.users.get(request.match_info["id"])
        if user is None:
            return web.json_response(
                {
                    "errors": [
                        {
                            "title": "Not Found Error",
                            "detail": f"Could not find user with id: [{request.match_info['id']}].",
                        }
                    ]
                }
            )
        return web.json_response({"data": _pick(user, USER_DEFAULT, request, "user.fields")})

    async def _get_mentions(self, request: web.Request) -> web.Response:
        """GET /2/users/:id/mentions: newest first, since_id
        exclusive, paged by pagination_token."""
        since = int(request.query.get("since_id", "0"))
        ids = sorted((t for t in self.mentions if int(t) > since), key=int, reverse=True)
        page, meta = self._page(ids, request)
        tweets = [self.tweets[t] for t in page]
        data = [_pick(t, TWEET_DEFAULT, request, "tweet.fields") for t in tweets]
        return web.json_response(self._with_includes(data, tweets, request, meta))

    async def _get_dm_events(self, request: web.Request) -> web.Response:
        """GET /2/dm_events: MessageCreate events, newest first, paged; no since_id on X."""
        events = sorted(self.dm_events, key=lambda e: int(e["id"]), reverse=True)
        if request.query.get("event_types", "MessageCreate") != "MessageCreate":
            events = []
        page, meta = self._page([e["id"] for e in events], request)
        chosen = [e for e in events if e["id"] in page]
        # X's DM pages carry no newest/oldest id, and a previous_token even on the first page.
        meta.pop("newest_id", None), meta.pop("oldest_id", None)
        if page:
            meta["previous_token"] = (
                f"p{max(int(request.query.get('pagination_token', 'p0')[1:]) - 1, 0)}"
            )
        body: dict[str, Any] = {"meta": meta}
        if chosen:
            body["data"] = [_pick(e, DM_DEFAULT, request, "dm_event.fields") for e in chosen]
            if "sender_id" in request.query.get("expansions", ""):
                senders = dict.fromkeys(e["sender_id"] for e in chosen)
                body["includes"] = {
                    "users": [
                        _pick(self.users[u], USER_DEFAULT, request, "user.fields") for u in senders
                    ]
                }
        return web.json_response(body)

    def _page(self, ids: list[str], request: web.Request) -> tuple[list[str], dict[str, Any]]:
        """One page of ids and its meta, like X: result_count, newest/oldest id, next_token."""
        size = min(int(request.query.get("max_results", "10")), self.page_cap)
        start = int(request.query.get("pagination_token", "p0")[1:])
        page = ids[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0], oldest_id=page[-1])
        if start + size < len(ids):
            meta["next_token"] = f"p{start + size}"
        return page, meta

    def _with_includes(
        self,
        data: list[dict[str, Any]],
        tweets: list[dict[str, Any]],
        request: web.Request,
        meta: dict[str, Any],
    ) -> dict[str, Any]:
        """The response body with the expanded authors and referenced tweets."""
        body: dict[str, Any] = {"meta": meta}
        if not data:
            return body
        body["data"] = data
        expansions = request.query.get("expansions", "").split(",")
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            authors = dict.fromkeys(t["author_id"] for t in tweets)
            includes["users"] = [
                _pick(self.users[a], USER_DEFAULT, request, "user.fields") for a in authors
            ]
        if "referenced_tweets.id" in expansions:
            refs = [
                r["id"]
                for t in tweets
                for r in t.get("referenced_tweets", [])
                if r["id"] in self.tweets
            ]
            if refs:
                includes["tweets"] = [
                    _pick(self.tweets[r], TWEET_DEFAULT, request, "tweet.fields") for r in refs
                ]
        if includes:
            body["includes"] = includes
        return body

    # -- writes ------------------------------------------------------------------------------
    async def _create_tweet(self, request: web.Request) -> web.Response:
        """POST /2/tweets: the bot posts (a reply when in_reply_to_tweet_id is given)."""
        body = await request.json()
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        tid = self._tweet(self.me, body["text"], reply_to)
        self.posted.append({"id": tid, "text": body["text"], "reply_to": reply_to})
        # as recorded
        return web.json_response({"data": {"id": tid, "text": body["text"]}}, status=201)

    async def _delete_tweet(self, request: web.Request) -> web.Response:
        """DELETE /2/tweets/:id: only the bot's own tweets, as on X."""
        tid = request.match_info["id"]
        if self.tweets.get(tid, {}).get("author_id") != self.me:
            return web.json_response(
                {
                    "title": "Forbidden",
                    "status": 403,
                    "detail": "You are not allowed to delete this Tweet.",
                },
                status=403,
            )
        self.deleted.append(tid)
        return web.json_response({"data": {"deleted": True}})

    async def _create_dm(self, request: web.Request) -> web.Response:
        """POST /2/dm_conversations/with/:participant_id/messages."""
        body = await request.json()
        pid = request.match_info["pid"]
        event_id = self._dm_event(self.me, pid, body["text"])
        self.dms_sent.append({"participant_id": pid, "text": body["text"], "event_id": event_id})
        return web.json_response(
            {"data": {"dm_conversation_id": f"{self.me}-{pid}", "dm_event_id": event_id}},
            status=201,
        )

    # -- helpers -----------------------------------------------------------------------------
    def _tweet(self, author_id: str, text: str, reply_to: str | None) -> str:
        """Store a tweet in API form; returns its id."""
        tid = str(next(self._ids))
        text, entities = _wrap_links(text, tid)
        tweet: dict[str, Any] = {
            "id": tid,
            "text": text,
            "author_id": author_id,
            "created_at": _now(),
            "conversation_id": tid,
            "edit_history_tweet_ids": [tid],
        }
        if len(text) > LONG_POST:  # X cuts a long post's text and keeps it whole in note_tweet
            tweet["text"] = text[:LONG_POST] + "…"
            tweet["note_tweet"] = {
                "text": text,
                **({"entities": {"urls": entities}} if entities else {}),
            }
            entities = [e for e in entities if e["end"] <= LONG_POST]
        if entities:
            tweet["entities"] = {"urls": entities}
        if reply_to:
            parent = self.tweets.get(reply_to, {})
            tweet.update(
                conversation_id=parent.get("conversation_id", reply_to),
                in_reply_to_user_id=parent.get("author_id", ""),
                referenced_tweets=[{"type": "replied_to", "id": reply_to}],
            )
        self.tweets[tid] = tweet
        return tid

    def _dm_event(self, sender_id: str, other_id: str, text: str) -> str:
        """Store a MessageCreate event; returns its id."""
        eid = str(next(self._ids))
        low, high = sorted((sender_id, other_id), key=int)
        self.dm_events.append(
            {
                "id": eid,
                "event_type": "MessageCreate",
                "text": text,
                "sender_id": sender_id,
                "created_at": _now(),
                "dm_conversation_id": f"{low}-{high}",
            }
        )
        return eid


def signed_ok(request: web.Request, creds: Credentials) -> bool:
    """Check the OAuth1 HMAC-SHA1 signature over the ORIGINAL api.twitter.com URL with `creds`."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("OAuth "):
        return False
    oauth = dict(
        signature.collect_parameters(
            headers={"Authorization": header}, exclude_oauth_signature=False
        )
    )
    if (
        oauth.get("oauth_consumer_key") != creds.consumer_key
        or oauth.get("oauth_token") != creds.access_token
    ):
        return False
    uri = REAL_HOST + request.raw_path
    params = signature.collect_parameters(
        uri_query=urlsplit(uri).query, headers={"Authorization": header}
    )
    base = signature.signature_base_string(
        request.method, signature.base_string_uri(uri), signature.normalize_parameters(params)
    )
    key = f"{escape(creds.consumer_secret)}&{escape(creds.access_token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()
    return signature.safe_string_equals(expected, unquote(oauth.get("oauth_signature", "")))


def _wrap_links(text: str, tid: str) -> tuple[str, list[dict[str, Any]]]:
    """The text as X stores it, every link replaced by a t.co address, and the url
    entities that map them back."""
    entities: list[dict[str, Any]] = []
    for n, match in enumerate(re.finditer(r"https?://\S+", text)):
        short = f"https://t.co/{tid}x{n}"
        start = text.index(match.group(0))
        text = text[:start] + short + text[start + len(match.group(0)) :]
        entities.append(
            {
                "start": start,
                "end": start + len(short),
                "url": short,
                "expanded_url": match.group(0),
                "display_url": match.group(0).split("://", 1)[1][:25],
            }
        )
    return text, entities


def _pick(
    obj: dict[str, Any], default: tuple[str, ...], request: web.Request, param: str
) -> dict[str, Any]:
    """Only the default fields plus those the request asked for, as X returns them."""
    wanted = set(default) | set(filter(None, request.query.get(param, "").split(",")))
    return {k: v for k, v in obj.items() if k in wanted}


def _now() -> str:
    """Now in X's timestamp form."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# -- wiring a test to the fake ---------------------------------------------------------------------
CREDS = Credentials(
    "test-consumer-key", "test-consumer-secret", "test-access-token", "test-token-secret"
)
ENV = {
    "X_API_KEY": CREDS.consumer_key,
    "X_API_SECRET": CREDS.consumer_secret,
    "X_ACCESS_TOKEN": CREDS.access_token,
    "X_ACCESS_TOKEN_SECRET": CREDS.access_token_secret,
}
CONFIG = """
[brand]
name = "OKX"
aliases = ["欧易", "OKEx"]
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[brand.accounts]
twitter = ["okx", "OKXHelpDesk"]

[monitor]
db = "monitor.db"
log_level = "INFO"

[modes]
support_request = "auto"
impersonation = "auto"
secret_leak = "auto"

[twitter]
enabled = true
api_base = "{api_base}"
consumer_key_env = "X_API_KEY"
consumer_secret_env = "X_API_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
poll_interval = 0.1
"""


def write_config(folder: Path, api_base: str) -> Path:
    """A realistic monitor.toml with [twitter] pointed at the fake; credentials come from ENV."""
    path = folder / "monitor.toml"
    path.write_text(CONFIG.replace("{api_base}", api_base), encoding="utf-8")
    return path
