"""A loopback X API v2 that answers with the responses tweepy's own tests recorded from real X.

The bodies go out byte for byte as recorded (gzip, `application/json; charset=utf-8`), with the
recorded `x-rate-limit-limit`/`-remaining` and a reset as far ahead as it was when recorded. The
mentions were recorded on @Twitter's timeline (user 783214), so by default `/2/users/me` answers
with the recorded lookup of @Twitter and the bot is that account; `me="get_me"` answers with the
recorded get_me (@TweepyDev) instead. Every request is checked for a valid OAuth1 signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.recorded import vcr_cassette
from tests.fakes.twitter import CREDS, Credentials, signed_ok

MENTIONS = "test_client_get_users_mentions.yaml"
ME = "test_client_get_me.yaml"
USER = "test_client_get_user.yaml"
TWEET = "test_client_create_and_delete_tweet.yaml"
DMS = "test_manage_and_lookup_direct_messages.yaml"
# Not recorded: X's documented answer to a lookup of a suspended account, a 200 whose `errors`
# entry carries the partial-error fields X documents (value, detail, title, resource_type,
# parameter, resource_id, type). tweepy's get_user cassette has no such entry.
SUSPENDED_DETAIL = "User has been suspended: [{id}]."


def suspended(user_id: str) -> dict[str, Any]:
    """X's documented body for a lookup of a suspended user (built from the docs, not recorded)."""
    return {
        "errors": [
            {
                "value": user_id,
                "detail": SUSPENDED_DETAIL.format(id=user_id),
                "title": "Forbidden",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": user_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }


@dataclass
class Recorded:
    """One recorded response: status, the headers worth sending back,
    the raw body, the parsed body."""

    status: int
    headers: dict[str, str]
    raw: bytes
    body: Any
    request_body: str | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> Recorded:
        """From one vcr_cassette interaction; the reset moved to as far
        ahead of now as it was then."""
        h = item["headers"]
        headers = {k: h[k] for k in ("content-type", "content-encoding") if k in h}
        if "x-rate-limit-reset" in h:
            ahead = int(h["x-rate-limit-reset"]) - parsedate_to_datetime(h["date"]).timestamp()
            headers.update(
                {
                    "x-rate-limit-limit": h["x-rate-limit-limit"],
                    "x-rate-limit-remaining": h["x-rate-limit-remaining"],
                    "x-rate-limit-reset": str(int(time.time() + max(ahead, 1))),
                }
            )
        return cls(item["status"], headers, item["raw"], item["body"], item["request_body"])


@dataclass
class Recordings:
    """The recorded responses the server answers with, by what they are."""

    me: Recorded  # GET /2/users/me (@TweepyDev)
    user: Recorded  # GET /2/users/by/username/Twitter
    mentions: Recorded  # GET /2/users/783214/mentions: 10 tweets and meta.next_token
    mentions_of: str  # the user id whose mentions were recorded
    dm_events: Recorded  # GET /2/dm_events: {"meta": {"result_count": 0}}
    conversation: Recorded  # GET /2/dm_conversations/:id/dm_events: 2 MessageCreate events
    create_tweet: Recorded  # POST /2/tweets (201)
    delete_tweet: Recorded  # DELETE /2/tweets/:id
    create_dm: Recorded  # POST /2/dm_conversations/with/:id/messages (201)

    @classmethod
    def load(cls, where: Path) -> Recordings:
        """Read tweepy's cassettes in `where`."""
        mentions = vcr_cassette(where / MENTIONS)[0]
        dms = vcr_cassette(where / DMS)
        tweet = vcr_cassette(where / TWEET)
        return cls(
            me=Recorded.of(vcr_cassette(where / ME)[0]),
            user=Recorded.of(vcr_cassette(where / USER)[0]),
            mentions=Recorded.of(mentions),
            mentions_of=mentions["uri"].split("/")[-2],
            dm_events=Recorded.of(next(i for i in dms if i["uri"].endswith("/2/dm_events"))),
            conversation=Recorded.of(
                next(
                    i
                    for i in dms
                    if i["uri"].endswith("/dm_events") and "/dm_conversations/" in i["uri"]
                )
            ),
            create_tweet=Recorded.of(tweet[0]),
            delete_tweet=Recorded.of(tweet[1]),
            create_dm=Recorded.of(dms[0]),
        )


@dataclass
class Seen:
    """One request the server answered: method, path, query and JSON body."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class RecordedX:
    """Serves the recordings; records what it was sent.

    Paging: the recorded mentions page carries a `next_token`; asked for it, the server answers
    with the recorded empty page (`{"meta": {"result_count": 0}}`, recorded from /2/dm_events), the
    shape X gives when nothing is left. A `since_id` at or past the recorded newest id
    gets that empty page too. `dm_events="conversation"` serves the recorded
    conversation's two events on /2/dm_events (the same event objects X lists there),
    their next_token again ending in the empty page.
    """

    def __init__(
        self,
        rec: Recordings,
        me: str = "user",
        dm_events: str = "recorded",
        creds: Credentials = CREDS,
    ) -> None:
        self.rec = rec
        self.me = rec.user if me == "user" else rec.me
        self.dm_events = rec.dm_events if dm_events == "recorded" else rec.conversation
        self.creds = creds
        self.suspended: set[str] = set()  # user ids answered with X's documented suspended error
        self.seen: list[Seen] = []
        self._served: dict[int, int] = {}  # answers given per recorded rate-limit window
        self.rejected = 0  # requests refused for a bad OAuth1 signature
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def user_id(self) -> str:
        """The recorded user's id (@Twitter)."""
        return str(self.rec.user.body["data"]["id"])

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL."""
        app = web.Application(middlewares=[self._check])
        app.router.add_get("/2/users/me", self._get_me)
        app.router.add_get("/2/users/by/username/{name}", self._get_user_by_name)
        app.router.add_get("/2/users/{id}/mentions", self._get_mentions)
        app.router.add_get("/2/users/{id}", self._get_user)
        app.router.add_get("/2/dm_events", self._get_dm_events)
        app.router.add_post("/2/tweets", self._create_tweet)
        app.router.add_delete("/2/tweets/{id}", self._delete_tweet)
        app.router.add_post("/2/dm_conversations/with/{pid}/messages", self._create_dm)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.base_url

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def asked(self, path: str) -> list[Seen]:
        """The requests seen for one path."""
        return [s for s in self.seen if s.path == path]

    @web.middleware
    async def _check(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse a bad OAuth1 signature (401, as X does); note every request."""
        body = await request.json() if request.can_read_body else None
        self.seen.append(
            Seen(request.method, request.path, dict(request.query), body, dict(request.headers))
        )
        if not signed_ok(request, self.creds):
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

    def _send(self, recorded: Recorded, window: Recorded | None = None) -> web.Response:
        """The recorded response, bytes and headers as X sent them;
        x-rate-limit-remaining counts down from the recorded figure of `window` (the
        endpoint's own recording) with each answer."""
        headers = dict(recorded.headers)
        window = window or recorded
        if "x-rate-limit-remaining" in window.headers:
            served = self._served.get(id(window), 0)
            self._served[id(window)] = served + 1
            left = max(int(window.headers["x-rate-limit-remaining"]) - served, 0)
            headers.update(
                {k: window.headers[k] for k in ("x-rate-limit-limit", "x-rate-limit-reset")},
                **{"x-rate-limit-remaining": str(left)},
            )
        return web.Response(body=recorded.raw, status=recorded.status, headers=headers)

    def _end(self, window: Recorded) -> web.Response:
        """The recorded empty page, counted against `window`."""
        return self._send(self.rec.dm_events, window)

    async def _get_me(self, request: web.Request) -> web.Response:
        return self._send(self.me)

    async def _get_user_by_name(self, request: web.Request) -> web.Response:
        if request.match_info["name"].lower() != self.rec.user.body["data"]["username"].lower():
            return web.json_response({"errors": [{"title": "Not Found Error"}]})
        return self._send(self.rec.user)

    async def _get_user(self, request: web.Request) -> web.Response:
        """GET /2/users/:id: the recorded users by their ids; a
        suspended id, X's documented error."""
        uid = request.match_info["id"]
        if uid in self.suspended:
            return web.json_response(suspended(uid))
        for recorded in (self.rec.user, self.rec.me):
            if recorded.body["data"]["id"] == uid:
                return self._send(recorded)
        raise web.HTTPNotFound()

    async def _get_mentions(self, request: web.Request) -> web.Response:
        """GET /2/users/:id/mentions for the recorded user: the
        recorded page, then the empty one."""
        if request.match_info["id"] != self.rec.mentions_of:
            raise web.HTTPNotFound()
        since = request.query.get("since_id")
        newest = int(self.rec.mentions.body["meta"]["newest_id"])
        if "pagination_token" in request.query or (since and int(since) >= newest):
            return self._end(self.rec.mentions)
        return self._send(self.rec.mentions)

    async def _get_dm_events(self, request: web.Request) -> web.Response:
        """GET /2/dm_events: the recorded events, then the empty page for their next_token."""
        if "pagination_token" in request.query:
            return self._end(self.dm_events)
        return self._send(self.dm_events)

    async def _create_tweet(self, request: web.Request) -> web.Response:
        """POST /2/tweets: the recorded 201."""
        return self._send(self.rec.create_tweet)

    async def _create_dm(self, request: web.Request) -> web.Response:
        """POST /2/dm_conversations/with/:id/messages: the recorded 201."""
        return self._send(self.rec.create_dm)

    async def _delete_tweet(self, request: web.Request) -> web.Response:
        """DELETE /2/tweets/:id of the recorded tweet."""
        if request.match_info["id"] != self.rec.create_tweet.body["data"]["id"]:
            raise web.HTTPNotFound()
        return self._send(self.rec.delete_tweet)
