"""A loopback fake of Reddit's OAuth API (aiohttp): password grant,
listings, inbox, writes, faults."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import BasicAuth, web

from tests.fakes import until

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PAGE_CAP = 100  # Reddit serves at most 100 items a page, whatever `limit` asks for
INBOX_SUBJECTS = {
    "comment_reply": "comment reply",
    "post_reply": "post reply",
    "username_mention": "username mention",
}
# How real Reddit refuses a subreddit (recorded answers): banned
# 404, private 403, each with a reason.
REFUSED = {
    "banned": (404, {"reason": "banned", "message": "Not Found", "error": 404}),
    "private": (403, {"reason": "private", "message": "Forbidden", "error": 403}),
}


@dataclass
class Fault:
    """One scripted failure for requests whose path starts with `path`."""

    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sent:
    """What the bot did at the fake, in order."""

    replies: list[dict[str, str]] = field(default_factory=list)  # parent, text, name
    pms: list[dict[str, str]] = field(default_factory=list)  # to, subject, text
    removed: list[str] = field(default_factory=list)  # fullnames removed as moderator
    deleted: list[str] = field(default_factory=list)  # own fullnames deleted
    read: list[str] = field(default_factory=list)  # fullnames marked read, in order
    reported: list[dict[str, str]] = field(default_factory=list)  # id (the thing), reason
    moderated: list[dict[str, str]] = field(default_factory=list)  # api, sub, name, duration, ...


def base36(number: int) -> str:
    """Reddit's id alphabet."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


class FakeReddit:
    """One bot account's view of Reddit: subreddits, an inbox, users; records every write."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        user_agent_must_contain: str = "support-monitor",
    ) -> None:
        self.creds = (client_id, client_secret, username, password)
        self.username = username
        self.ua_part = user_agent_must_contain
        self.token = secrets.token_hex(8)
        self._ids = itertools.count(36**5)
        self.things: dict[str, dict[str, Any]] = {}  # fullname -> listing data
        self.inbox: list[str] = []  # fullnames in the bot's inbox, oldest first
        self.unread: set[str] = set()
        self.users: dict[str, dict[str, Any]] = {}
        self.moderated: set[str] = set()  # subreddit names (casefolded) the bot moderates
        self.moderators: dict[str, list[str]] = {}  # subreddit name (casefolded) -> its moderators
        self.permissions: dict[str, list[str]] = {}  # a moderator's name (casefolded) -> ["all"]...
        self.bans: dict[tuple[str, str], str] = {}  # (subreddit, user) casefolded -> duration or ""
        # casefolded name -> public, banned or private; others unknown
        self.subreddits: dict[str, str] = {}
        self.ratelimit: tuple[float, int, int] | None = None  # x-ratelimit-remaining, -used, -reset
        self.faults: list[Fault] = []
        self.ratelimit_comment: list[str] = []  # RATELIMIT messages for the next /api/comment calls
        self.sent = Sent()
        self.requests: list[tuple[float, str, str]] = []  # (monotonic time, method, path)
        self.user_agents: set[str] = set()
        self.token_requests = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self.add_user(username, days_old=2000)

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        """Serve on 127.0.0.1 at a free port."""
        app = web.Application(middlewares=[self._middleware])
        self._routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _routes(self, app: web.Application) -> None:
        """Reddit's paths, each with or without the trailing slash asyncpraw adds."""
        s = "{_slash:/?}"
        app.router.add_post(f"/api/v1/access_token{s}", self._access_token)
        app.router.add_get(f"/api/v1/me{s}", self._me)
        app.router.add_get(f"/message/unread{s}", self._unread)
        app.router.add_post(f"/api/read_message{s}", self._read_message)
        app.router.add_get(f"/r/{{sub}}/new{s}", self._sub_new)
        app.router.add_get(f"/r/{{sub}}/comments{s}", self._sub_comments)
        app.router.add_post(f"/api/comment{s}", self._comment)
        app.router.add_post(f"/api/compose{s}", self._compose)
        app.router.add_post(f"/api/remove{s}", self._remove)
        app.router.add_post(f"/api/del{s}", self._del)
        app.router.add_post(f"/api/del_msg{s}", self._del_msg)
        app.router.add_get(f"/user/{{name}}/about{s}", self._user_about)
        app.router.add_get(f"/api/info{s}", self._info)
        app.router.add_get(f"/r/{{sub}}/about/moderators{s}", self._moderators)
        app.router.add_post(f"/api/report{s}", self._report)
        app.router.add_post(f"/r/{{sub}}/api/friend{s}", self._friend)
        app.router.add_post(f"/r/{{sub}}/api/unfriend{s}", self._unfriend)

    # -- what a test puts in ----------------------------------------------------------------
    def add_user(self, name: str, days_old: float, verified: bool = True, karma: int = 500) -> None:
        """An account with an age, a verified email or not, and karma."""
        self.users[name.casefold()] = {
            "name": name,
            "id": base36(next(self._ids)),
            "created_utc": time.time() - days_old * 86400,
            "has_verified_email": verified,
            "link_karma": karma // 2,
            "comment_karma": karma - karma // 2,
            "is_suspended": False,
            "icon_img": "",
        }

    def add_subreddit(self, name: str, state: str = "public") -> None:
        """A subreddit that exists (public), is banned (404) or private (403); any other name
        redirects to search, as on Reddit."""
        self.subreddits[name.casefold()] = state

    def add_submission(
        self, sub: str, author: str, title: str, selftext: str = "", link: str = ""
    ) -> str:
        """A new post in a subreddit, a self post or, with `link`, a link
        post; returns its fullname."""
        self.subreddits.setdefault(sub.casefold(), "public")
        data = self._new_thing("t3", author, sub)
        permalink = f"/r/{sub}/comments/{data['id']}/post/"
        data.update(
            title=title,
            selftext=selftext,
            is_self=not link,
            num_comments=0,
            permalink=permalink,
            url=link or f"https://www.reddit.com{permalink}",
        )
        return data["name"]

    def add_comment(self, parent: str, author: str, body: str) -> str:
        """A new comment under a submission or comment; replies to the bot land in its inbox."""
        parent_data = self.things[parent]
        link_id = parent if parent.startswith("t3_") else parent_data["link_id"]
        data = self._new_thing("t1", author, parent_data["subreddit"])
        data.update(
            body=body,
            parent_id=parent,
            link_id=link_id,
            replies="",
            permalink=f"/r/{data['subreddit']}/comments/{link_id[3:]}/post/{data['id']}/",
        )
        if parent_data["author"] == self.username and author != self.username:
            self._to_inbox(
                data["name"], "comment_reply" if parent.startswith("t1_") else "post_reply"
            )
        elif f"u/{self.username}".casefold() in body.casefold():
            self._to_inbox(data["name"], "username_mention")
        return data["name"]

    def add_message(self, author: str, subject: str, body: str, to: str = "") -> str:
        """A private message; to the bot (into its inbox) unless `to` names someone else."""
        data = self._new_thing("t4", author, None)
        data.update(
            subject=subject,
            body=body,
            dest=to or self.username,
            parent_id=None,
            first_message_name=None,
            replies="",
            was_comment=False,
            context="",
        )
        if not to:
            self._to_inbox(data["name"], "")
        return data["name"]

    def fail_next(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        """The next request whose path starts with `path` gets `status` (a 429, a 500...)."""
        self.faults.append(Fault(path, status, headers or {}))

    def _new_thing(self, kind: str, author: str, sub: str | None) -> dict[str, Any]:
        """A listing item's common fields, stored under its fullname."""
        short = base36(next(self._ids))
        data: dict[str, Any] = {
            "id": short,
            "name": f"{kind}_{short}",
            "author": author,
            "author_fullname": f"t2_{self.users.get(author.casefold(), {}).get('id', 'x')}",
            "created_utc": time.time(),
            "subreddit": sub,
            "score": 1,
        }
        if sub:
            data["subreddit_name_prefixed"] = f"r/{sub}"
        self.things[data["name"]] = data
        return data

    def _to_inbox(self, fullname: str, kind: str) -> None:
        """Deliver an item to the bot's inbox, unread."""
        if kind:
            self.things[fullname]["type"] = kind
        self.inbox.append(fullname)
        self.unread.add(fullname)

    # -- checks -----------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Log, check the User-Agent and bearer token, and play scripted faults."""
        self.requests.append((time.monotonic(), request.method, request.path))
        ua = request.headers.get("User-Agent", "")
        self.user_agents.add(ua)
        if self.ua_part not in ua:
            # Reddit's answer to bad UAs
            return _json({"message": "Too Many Requests", "error": 429}, 429)
        for fault in self.faults:
            if request.path.startswith(fault.path):
                self.faults.remove(fault)
                return _json(
                    {"message": "scripted fault", "error": fault.status},
                    fault.status,
                    fault.headers,
                )
        if (
            not request.path.startswith("/api/v1/access_token")
            and request.headers.get("Authorization", "") != f"bearer {self.token}"
        ):
            return _json({"message": "Unauthorized", "error": 401}, 401)
        if (refused := self._refused_subreddit(request.path)) is not None:
            return refused
        response = await handler(request)
        if self.ratelimit is not None:
            remaining, used, reset = self.ratelimit
            response.headers.update(
                {
                    "x-ratelimit-remaining": f"{remaining:.1f}",
                    "x-ratelimit-used": str(used),
                    "x-ratelimit-reset": str(reset),
                }
            )
        return response

    def _refused_subreddit(self, path: str) -> web.Response | None:
        """Reddit's answer for a subreddit that cannot be read: a redirect to search for an unknown
        name, 404 for a banned one, 403 for a private one; None for a readable one."""
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "r":
            return None
        state = self.subreddits.get(parts[2].casefold())
        if state == "public":
            return None
        if state in REFUSED:
            status, body = REFUSED[state]
            return _json(body, status)
        location = f"https://www.reddit.com/subreddits/search.json?q={parts[2]}"
        return web.Response(status=302, headers={"Location": location}, text="")

    # -- handlers ---------------------------------------------------------------------------
    async def _access_token(self, request: web.Request) -> web.Response:
        """The script app's password grant; Basic auth carries the client id and secret."""
        self.token_requests += 1
        client_id, secret, username, password = self.creds
        auth = request.headers.get("Authorization", "")
        try:
            basic = BasicAuth.decode(auth)
        except ValueError:
            return _json({"message": "Unauthorized", "error": 401}, 401)
        if (basic.login, basic.password) != (client_id, secret):
            return _json({"message": "Unauthorized", "error": 401}, 401)
        form = await request.post()
        if form.get("grant_type") != "password" or (form.get("username"), form.get("password")) != (
            username,
            password,
        ):
            return _json({"error": "invalid_grant"})
        return _json(
            {"access_token": self.token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        )

    async def _me(self, request: web.Request) -> web.Response:
        """The bot's own account."""
        return _json(self.users[self.username.casefold()])

    async def _unread(self, request: web.Request) -> web.Response:
        """Unread inbox items, newest first; `mark=true` would mark them read as Reddit does."""
        names = [n for n in reversed(self.inbox) if n in self.unread]
        if request.query.get("mark", "false").lower() == "true":
            self.unread.clear()
        return self._listing(names, request, inbox=True)

    async def _read_message(self, request: web.Request) -> web.Response:
        """Mark inbox items read."""
        for name in str((await request.post()).get("id", "")).split(","):
            if name:
                self.unread.discard(name)
                self.sent.read.append(name)
        return _json({})

    async def _sub_new(self, request: web.Request) -> web.Response:
        """A subreddit's submissions, newest first."""
        return self._listing(self._in_sub(request.match_info["sub"], "t3"), request)

    async def _sub_comments(self, request: web.Request) -> web.Response:
        """A subreddit's comments, newest first."""
        return self._listing(self._in_sub(request.match_info["sub"], "t1"), request)

    def _in_sub(self, sub: str, kind: str) -> list[str]:
        """Fullnames of one kind in a subreddit, newest first."""
        names = [
            n
            for n, d in self.things.items()
            if n.startswith(kind) and (d["subreddit"] or "").casefold() == sub.casefold()
        ]
        return sorted(names, key=lambda n: int(n[3:], 36), reverse=True)

    async def _comment(self, request: web.Request) -> web.Response:
        """A reply to a comment, submission or message; may answer
        RATELIMIT in the JSON body once."""
        if self.ratelimit_comment:
            message = self.ratelimit_comment.pop(0)
            return _json({"json": {"errors": [["RATELIMIT", message, "ratelimit"]]}})
        form = await request.post()
        parent, text = str(form.get("thing_id", "")), str(form.get("text", ""))
        if parent not in self.things:
            return _json(
                {"json": {"errors": [["NO_THING", "that thing does not exist", "parent"]]}}
            )
        if parent.startswith("t4_"):
            name = self.add_message(
                self.username,
                "re: " + self.things[parent]["subject"],
                text,
                to=self.things[parent]["author"],
            )
        else:
            name = self.add_comment(parent, self.username, text)
        self.sent.replies.append({"parent": parent, "text": text, "name": name})
        thing = {"kind": name[:2], "data": self.things[name]}
        return _json({"json": {"errors": [], "data": {"things": [thing]}}})

    async def _compose(self, request: web.Request) -> web.Response:
        """A new private message."""
        form = await request.post()
        to = str(form.get("to", ""))
        if to.casefold() not in self.users:
            return _json(
                {"json": {"errors": [["USER_DOESNT_EXIST", "that user doesn't exist", "to"]]}}
            )
        self.sent.pms.append(
            {"to": to, "subject": str(form.get("subject", "")), "text": str(form.get("text", ""))}
        )
        return _json({"json": {"errors": []}})

    async def _remove(self, request: web.Request) -> web.Response:
        """A moderator removal; 403 where the bot does not moderate the thing's subreddit."""
        name = str((await request.post()).get("id", ""))
        sub = (self.things.get(name, {}).get("subreddit") or "").casefold()
        if sub not in self.moderated:
            return _json({"message": "Forbidden", "error": 403}, 403)
        self.sent.removed.append(name)
        return _json({})

    async def _del(self, request: web.Request) -> web.Response:
        """Delete one of the bot's own things (Reddit answers 200 whatever happens)."""
        name = str((await request.post()).get("id", ""))
        if self.things.get(name, {}).get("author") == self.username:
            self.sent.deleted.append(name)
        return _json({})

    async def _del_msg(self, request: web.Request) -> web.Response:
        """Delete a private message from the bot's inbox."""
        name = str((await request.post()).get("id", ""))
        if name in self.inbox:
            self.inbox.remove(name)
            self.sent.deleted.append(name)
        return _json({})

    async def _user_about(self, request: web.Request) -> web.Response:
        """A user's profile, or 404."""
        user = self.users.get(request.match_info["name"].casefold())
        if user is None:
            return _json({"message": "Not Found", "error": 404}, 404)
        return _json({"kind": "t2", "data": user})

    async def _moderators(self, request: web.Request) -> web.Response:
        """A subreddit's moderators as Reddit lists them (a UserList), or 403 for a private one."""
        names = self.moderators.get(request.match_info["sub"].casefold())
        if names is None:
            return _json({"message": "Forbidden", "error": 403}, 403)
        children = [
            {
                "name": n,
                "id": f"t2_{self.users[n.casefold()]['id']}",
                "date": time.time(),
                "mod_permissions": self.permissions.get(n.casefold(), ["all"]),
                "author_flair_text": None,
                "author_flair_css_class": None,
                "rel_id": f"rb_{base36(i + 1)}",
            }
            for i, n in enumerate(names)
        ]
        return _json({"kind": "UserList", "data": {"children": children}})

    async def _report(self, request: web.Request) -> web.Response:
        """A report of a post, comment or message, with its reason (Reddit keeps who reported)."""
        form = await request.post()
        thing, reason = str(form.get("id") or form.get("thing_id", "")), str(form.get("reason", ""))
        if thing not in self.things:
            return _json({"json": {"errors": [["NO_THING", "that thing does not exist", "id"]]}})
        self.sent.reported.append({"id": thing, "reason": reason})
        return _json({"json": {"errors": []}})

    def _may_ban(self, sub: str) -> bool:
        """Whether the bot moderates `sub` with the access (or all) permission."""
        if sub.casefold() not in self.moderated:
            return False
        granted = self.permissions.get(self.username.casefold(), ["all"])
        return "all" in granted or "access" in granted

    async def _friend(self, request: web.Request) -> web.Response:
        """A relationship added: type=banned bans `name`, for `duration` days or for good; 403
        where the bot may not ban in the subreddit."""
        sub, form = request.match_info["sub"], await request.post()
        if form.get("type") != "banned":
            return _json(
                {"json": {"errors": [["INVALID_OPTION", "that option is not valid", "type"]]}}
            )
        if not self._may_ban(sub):
            return _json({"message": "Forbidden", "error": 403}, 403)
        name = str(form.get("name", ""))
        if name.casefold() not in self.users:
            return _json(
                {"json": {"errors": [["USER_DOESNT_EXIST", "that user doesn't exist", "name"]]}}
            )
        duration = str(form.get("duration", ""))
        self.bans[(sub.casefold(), name.casefold())] = duration
        self.sent.moderated.append(
            {
                "api": "friend",
                "sub": sub,
                "name": name,
                "duration": duration,
                "ban_reason": str(form.get("ban_reason", "")),
                "note": str(form.get("note", "")),
            }
        )
        return _json({"json": {"errors": []}})

    async def _unfriend(self, request: web.Request) -> web.Response:
        """A relationship removed: type=banned lifts `name`'s ban
        (Reddit answers 200 either way)."""
        sub, form = request.match_info["sub"], await request.post()
        if not self._may_ban(sub):
            return _json({"message": "Forbidden", "error": 403}, 403)
        name = str(form.get("name", ""))
        if (
            form.get("type") == "banned"
            and self.bans.pop((sub.casefold(), name.casefold()), None) is not None
        ):
            self.sent.moderated.append({"api": "unfriend", "sub": sub, "name": name})
        return web.Response(status=200, text="{}", content_type="application/json")

    async def _info(self, request: web.Request) -> web.Response:
        """Things by fullname (comments, submissions)."""
        names = [n for n in request.query.get("id", "").split(",") if n in self.things]
        return _json(self._listing_body(names, None))

    def _listing(self, names: list[str], request: web.Request, inbox: bool = False) -> web.Response:
        """One page of a listing, paged with `after` the way Reddit does."""
        if after := request.query.get("after"):
            names = names[names.index(after) + 1 :] if after in names else []
        limit = min(int(request.query.get("limit", 25)), PAGE_CAP)
        page = names[:limit]
        return _json(self._listing_body(page, page[-1] if len(names) > limit else None, inbox))

    def _listing_body(
        self, names: list[str], after: str | None, inbox: bool = False
    ) -> dict[str, Any]:
        """Reddit's listing JSON; inbox comments in the inbox's own shape."""
        children = [
            {"kind": n[:2], "data": self._inbox_item(n) if inbox else dict(self.things[n])}
            for n in names
        ]
        return {
            "kind": "Listing",
            "data": {"children": children, "after": after, "before": None, "dist": len(children)},
        }

    def _inbox_item(self, name: str) -> dict[str, Any]:
        """An inbox item as Reddit serves it: a comment reply or mention has `context` (its page
        with ?context=3), a subject and its thread's title, and no `permalink`."""
        data = dict(self.things[name], new=name in self.unread, dest=self.username)
        if name.startswith("t1_"):
            data["was_comment"] = True
            permalink = data.pop("permalink")
            link = self.things.get(data["link_id"], {})
            data.update(
                context=f"{permalink}?context=3",
                subject=INBOX_SUBJECTS[data["type"]],
                link_title=link.get("title", ""),
                num_comments=link.get("num_comments", 0),
            )
            for key in ("link_id", "is_submitter"):
                data.pop(key, None)
        return data


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer."""
    return web.json_response(body, status=status, headers=headers)


# -- what the Reddit tests share ----------------------------------------------------------------
BOT = "OKX_SupportBot"
ENV = {
    "REDDIT_CLIENT_ID": "cid-3f9a27",
    "REDDIT_CLIENT_SECRET": "csecret-81bd40e2",
    "REDDIT_USERNAME": BOT,
    "REDDIT_PASSWORD": "pw-5c1e9d77",
}


def new_fake() -> FakeReddit:
    """A fake that accepts the credentials in ENV, with r/OKX (the tests' subreddit) existing."""
    fake = FakeReddit(*ENV.values())
    fake.add_subreddit("OKX")
    return fake


async def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until check() holds, polling briefly; fail after `timeout` seconds."""
    await until(check, timeout)
