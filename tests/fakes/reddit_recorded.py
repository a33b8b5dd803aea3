"""A loopback Reddit that answers with the responses asyncpraw's own
tests recorded from real Reddit.

The unread inbox is the recorded private message, comment reply and 16 username mentions; every
readable subreddit lists the recorded r/askreddit submissions and comments; any other subreddit
name redirects to search (or answers 404 / 403 when named banned / private), and any user but the
recorded one is a 404, as on Reddit. Run it alone for `monitor run`:
`python -m tests.fakes.reddit_recorded [--port N] [--banned NAME] [--private NAME]`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from aiohttp import web

from tests.fakes.recorded import folder, reddit_cassette

NOT_FOUND = {"message": "Not Found", "error": 404}
REFUSED = {
    "banned": (404, {"reason": "banned", "message": "Not Found", "error": 404}),
    "private": (403, {"reason": "private", "message": "Forbidden", "error": 403}),
}


def _body(path: Path, index: int) -> Any:
    """The recorded response body of one interaction."""
    return reddit_cassette(path)[index]["body"]


@dataclass
class Recordings:
    """The recorded bodies the server answers with, by what they are."""

    token: dict[str, Any]
    me: dict[str, Any]
    inbox: list[dict[str, Any]]  # listing children: the PM, the comment reply, the mentions
    new: dict[str, Any]
    comments: dict[str, Any]
    moderators: dict[str, Any]
    user: dict[str, Any]  # /user/subreddit_stats/about
    comment_reply: dict[str, Any]  # /api/comment under a comment
    message_reply: dict[str, Any]  # /api/comment under a private message
    compose: dict[str, Any]

    @classmethod
    def load(cls, where: Path) -> Recordings:
        """Read the asyncpraw cassettes in `where`."""
        inbox = [
            child
            for name in (
                "TestInbox.test_unread",
                "TestInbox.test_comment_replies",
                "TestInbox.test_mentions",
            )
            for child in _body(where / f"{name}.json", 1)["data"]["children"]
        ]
        return cls(
            token=_body(where / "TestInbox.test_unread.json", 0),
            me=_body(where / "TestMessage.test_reply.json", 3),
            inbox=sorted(inbox, key=lambda c: -c["data"]["created_utc"]),
            new=_body(where / "TestSubredditListings.test_new.json", 1),
            comments=_body(where / "TestSubredditListings.test_comments.json", 1),
            moderators=_body(where / "TestSubredditRelationships.test_moderator.json", 2),
            user=_body(where / "TestRedditor.test_message.json", 1),
            comment_reply=_body(where / "TestComment.test_reply.json", 1),
            message_reply=_body(where / "TestMessage.test_reply.json", 2),
            compose=_body(where / "TestRedditor.test_message.json", 2),
        )


@dataclass
class Done:
    """What the client did: inbox items marked read, writes, every request path."""

    read: list[str] = field(default_factory=list)
    writes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


class RecordedReddit:
    """Serves the recordings on 127.0.0.1; `readable`, `refused` say which subreddits exist."""

    def __init__(
        self,
        recordings: Recordings,
        readable: tuple[str, ...] = ("askreddit",),
        refused: dict[str, str] | None = None,
    ) -> None:
        self.rec = recordings
        self.readable = {name.casefold() for name in readable}
        # name -> banned/private
        self.refused = {k.casefold(): v for k, v in (refused or {}).items()}
        self.unread = [c["data"]["name"] for c in recordings.inbox]
        self.done = Done()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        """Listen on a free loopback port."""
        return await self.start(0)

    async def __aexit__(self, *exc: object) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def start(self, port: int) -> Self:
        """Listen on 127.0.0.1:port (0: any free one)."""
        app = web.Application(middlewares=[self._log_and_refuse])
        s = "{_slash:/?}"
        for method, path, handler in (
            ("POST", "/api/v1/access_token", self._token),
            ("GET", "/api/v1/me", self._me),
            ("GET", "/message/unread", self._unread),
            ("POST", "/api/read_message", self._read),
            ("GET", "/r/{sub}/new", self._new),
            ("GET", "/r/{sub}/comments", self._comments),
            ("GET", "/r/{sub}/about/moderators", self._moderators),
            ("GET", "/user/{name}/about", self._user),
            ("GET", "/api/info", self._info),
            ("POST", "/api/comment", self._comment),
            ("POST", "/api/compose", self._compose),
            ("POST", "/api/remove", self._empty),
            ("POST", "/api/del_msg", self._empty),
        ):
            app.router.add_route(method, path + s, handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    @web.middleware
    async def _log_and_refuse(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Record the path; a subreddit that is not readable is
        refused as real Reddit refuses it."""
        self.done.paths.append(request.path)
        parts = request.path.split("/")
        if len(parts) > 2 and parts[1] == "r" and parts[2].casefold() not in self.readable:
            state = self.refused.get(parts[2].casefold())
            if state in REFUSED:
                status, body = REFUSED[state]
                return web.json_response(body, status=status)
            return web.Response(
                status=302,
                headers={"Location": f"https://www.reddit.com/subreddits/search.json?q={parts[2]}"},
            )
        return await handler(request)

    async def _token(self, request: web.Request) -> web.Response:
        return web.json_response(self.rec.token)

    async def _me(self, request: web.Request) -> web.Response:
        return web.json_response(self.rec.me)

    async def _unread(self, request: web.Request) -> web.Response:
        """The recorded inbox items not yet marked read, newest first, on one page."""
        children = [c for c in self.rec.inbox if c["data"]["name"] in self.unread]
        return web.json_response(_listing(children))

    async def _read(self, request: web.Request) -> web.Response:
        names = str((await request.post()).get("id", "")).split(",")
        self.done.read += [n for n in names if n]
        self.unread = [n for n in self.unread if n not in names]
        return web.json_response({})

    async def _new(self, request: web.Request) -> web.Response:
        return web.json_response(self._page(self.rec.new, request))

    async def _comments(self, request: web.Request) -> web.Response:
        return web.json_response(self._page(self.rec.comments, request))

    def _page(self, listing: dict[str, Any], request: web.Request) -> dict[str, Any]:
        """The recorded first page; asked for the page after it, an empty
        listing (none was recorded)."""
        return _listing([]) if request.query.get("after") else listing

    async def _moderators(self, request: web.Request) -> web.Response:
        return web.json_response(self.rec.moderators)

    async def _user(self, request: web.Request) -> web.Response:
        """The one recorded profile; Reddit answers 404 for a name it does not know."""
        if request.match_info["name"].casefold() == self.rec.user["data"]["name"].casefold():
            return web.json_response(self.rec.user)
        return web.json_response(NOT_FOUND, status=404)

    async def _info(self, request: web.Request) -> web.Response:
        """Recorded listing items by fullname."""
        wanted = set(request.query.get("id", "").split(","))
        children = [
            c
            for listing in (self.rec.new, self.rec.comments)
            for c in listing["data"]["children"]
            if c["data"]["name"] in wanted
        ]
        return web.json_response(_listing(children))

    async def _comment(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.done.writes.append(("comment", form))
        pm = form.get("thing_id", "").startswith("t4_")
        return web.json_response(self.rec.message_reply if pm else self.rec.comment_reply)

    async def _compose(self, request: web.Request) -> web.Response:
        self.done.writes.append(("compose", {k: str(v) for k, v in (await request.post()).items()}))
        return web.json_response(self.rec.compose)

    async def _empty(self, request: web.Request) -> web.Response:
        """remove and del_msg answer an empty object."""
        self.done.writes.append(
            (request.path.strip("/"), {k: str(v) for k, v in (await request.post()).items()})
        )
        return web.json_response({})


def _listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    """A one-page Listing."""
    return {
        "kind": "Listing",
        "data": {
            "after": None,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


def _main() -> None:
    """Serve until interrupted, printing the URL for [reddit] base_url."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--recorded", type=Path, default=folder("reddit"))
    parser.add_argument("--banned", action="append", default=[])
    parser.add_argument("--private", action="append", default=[])
    args = parser.parse_args()
    if args.recorded is None:
        parser.error("no recordings: ../shared/recorded/reddit is not beside the repository")
    refused = {**dict.fromkeys(args.banned, "banned"), **dict.fromkeys(args.private, "private")}

    async def serve() -> None:
        server = await RecordedReddit(Recordings.load(args.recorded), refused=refused).start(
            args.port
        )
        print(f"recorded Reddit on {server.url}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    _main()
