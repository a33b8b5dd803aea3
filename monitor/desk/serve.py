"""`monitor serve`: a local web page over the review queue, behind a personal sign-in or a shared
token, loopback by default."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any

from aiohttp import web

from monitor.core.models import Brand
from monitor.desk import cases, enforcing, people, report, review
from monitor.desk.allowing import Allowed, AllowTarget, allow_links
from monitor.desk.report import html as report_html
from monitor.desk.report.rows import held_pairs
from monitor.store import Store
from monitor.store.post_search import PostQuery, SearchError, search

COOKIE = "monitor_session"
CSRF_HEADER = "X-Monitor-Request"  # a custom header: a cross-site form or image cannot send it
MIN_TOKEN = 16
MAX_NOTE = 500  # characters of a flag's note kept
STORE: web.AppKey[Store] = web.AppKey("store", Store)
ALLOW: web.AppKey[AllowTarget | None] = web.AppKey("allow")
BRAND: web.AppKey[Brand | None] = web.AppKey("brand")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(ValueError):
    """The server cannot start as asked; the message says why."""


def check_token(token: str | None, env_name: str) -> str:
    """The token from the environment, refused when missing or too short to guess hard."""
    if not token:
        raise ServeError(f"refusing to start without a token: set ${env_name} "
                         f"(at least {MIN_TOKEN} characters, e.g. from `openssl rand -hex 24`)")
    if len(token) < MIN_TOKEN:
        raise ServeError(f"${env_name} is too short: use at least {MIN_TOKEN} characters")
    return token


def check_host(host: str, allow_remote: bool) -> str:
    """The bind address; anything but loopback needs an explicit --allow-remote."""
    if host == "localhost" or _is_loopback(host) or allow_remote:
        return host
    raise ServeError(f"refusing to listen on {host}: not a loopback address; add --allow-remote "
                     "if you mean it (and put TLS in front)")


def _is_loopback(host: str) -> bool:
    """Whether an address is on the loopback interface."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_value(token: str) -> str:
    """The shared token's session cookie: derived from the token so the token itself never sits
    in a cookie."""
    return hmac.new(token.encode(), b"monitor-serve-session", hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Server:
    """How one server signs people in: the shared token (None: people only) and the name its
    decisions carry, how long a person's session lasts, and the clock (tests move it)."""

    token: str | None
    who: str
    ttl: timedelta = people.SESSION_TTL
    clock: people.Clock = people.now_utc

    @property
    def session(self) -> str | None:
        """The shared token's cookie value."""
        return session_value(self.token) if self.token else None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request comes from, and whether a valid Bearer token said so (no CSRF check then)."""

    person: people.Person
    bearer: bool


SERVER: web.AppKey[Server] = web.AppKey("server", Server)
CALLER: web.RequestKey[Caller] = web.RequestKey("caller", Caller)  # set by the _auth middleware


def make_app(store: Store, token: str | None, who: str, allow: AllowTarget | None = None, *,
             ttl: timedelta = people.SESSION_TTL,
             clock: people.Clock = people.now_utc,
             brand: Brand | None = None) -> web.Application:
    """The web application over one store; with `allow`, a dismissal may also allow its look-alike
    links. `token` is the shared token (scripts) whose decisions carry `who`; people sign in with
    their name and password (`monitor users`). With `brand`, a confirmed impersonation opens
    takedown cases."""
    app = web.Application(middlewares=[_headers, _auth], client_max_size=64 * 1024)
    app[STORE] = store
    app[ALLOW] = allow
    app[SERVER] = Server(token, who, ttl, clock)
    app[BRAND] = brand
    app.router.add_get("/", page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/api/items", items)
    app.router.add_post("/api/findings/{id:\\d+}/{verb}", decide)
    app.router.add_post("/api/actions/{id:\\d+}/approve", approve)
    app.router.add_post("/api/actions/{id:\\d+}/undo", undo)
    app.router.add_get("/api/posts", posts)
    app.router.add_post("/api/flag", flag)
    app.router.add_get("/api/cases", case_list)
    return app


def identify(request: web.Request) -> Caller | None:
    """The caller: a Bearer token (the shared one or a person's) if the request has one, else the
    session cookie (the shared token's or a person's); None when neither is valid."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        person = _bearer(request, header[7:])
        return Caller(person, bearer=True) if person else None
    person = _cookie(request, request.cookies.get(COOKIE, ""))
    return Caller(person, bearer=False) if person else None


def _bearer(request: web.Request, given: str) -> people.Person | None:
    """The person a Bearer token belongs to: the shared token (compared in constant time) or a
    personal one (looked up by its hash)."""
    server = request.app[SERVER]
    if server.token and hmac.compare_digest(given.encode(), server.token.encode()):
        return _shared(server)
    return people.token_person(request.app[STORE], given)


def _cookie(request: web.Request, value: str) -> people.Person | None:
    """The person of a session cookie: the shared token's derived value, or a person's session."""
    server = request.app[SERVER]
    if server.session and hmac.compare_digest(value.encode(), server.session.encode()):
        return _shared(server)
    return people.session_person(request.app[STORE], value, server.clock())


def _shared(server: Server) -> people.Person:
    """The shared token's person: the server's name, with an admin's rights (as before people)."""
    return people.Person(server.who, "admin")


def caller(request: web.Request) -> Caller:
    """The caller the middleware identified."""
    return request[CALLER]


@web.middleware
async def _auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API calls need a token or a session; posts without a valid Bearer token also need the
    custom header (no CSRF): any other Authorization header skips nothing."""
    if request.path.startswith("/api/"):
        found = identify(request)
        if found is None:
            return _error(401, "missing or wrong token or session")
        forgeable = request.method == "POST" and not found.bearer
        if forgeable and request.headers.get(CSRF_HEADER) != "1":
            return _error(403, f"missing {CSRF_HEADER} header")
        request[CALLER] = found
    return await handler(request)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No caching, no framing, no referrer on every answer."""
    response = await handler(request)
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"})
    return response


async def page(request: web.Request) -> web.Response:
    """The report page with decision buttons (the static report for a viewer), or the sign-in
    form."""
    found = identify(request)
    if found is None:
        return _login_page(request.app)
    person = found.person
    live = person.may_decide()
    rep = report.build(request.app[STORE], _query(request), undo=person.may_enforce())
    text = report_html.render(rep, live=live, who=person.name,
                              allow=live and request.app[ALLOW] is not None)
    return web.Response(text=text, content_type="text/html", headers={
        "Content-Security-Policy": report_html.csp(live=live) + "; frame-ancestors 'none'"})


async def login(request: web.Request) -> web.Response:
    """Sign in with a name and password, or with the shared token; sets the session cookie.
    Failures are counted per name and per address and written to the audit log."""
    form = await request.post()
    address = request.remote or ""
    if "name" in form:
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        return await _person_login(request, name, password, address)
    return _token_login(request, str(form.get("token", "")), address)


async def _person_login(request: web.Request, name: str, password: str,
                        address: str) -> web.Response:
    """A person's sign-in: an unknown name, a disabled user and a wrong password get one answer."""
    store, server = request.app[STORE], request.app[SERVER]
    now = server.clock()
    if people.throttled(store, name, address, now):
        store.audit(people.shown(name), "signin:throttled", {"address": address})
        return _login_page(request.app, _THROTTLED, status=429)
    user = people.candidate(store, name)
    # argon2 takes tens of milliseconds: off the event loop, with no store access in the thread.
    ok, rehashed = await asyncio.to_thread(
        people.verify, user["password_hash"] if user else None, password)
    if not ok or user is None:
        people.record_failure(store, name, address, now, "password")
        return _login_page(request.app, "Wrong name or password.", status=403)
    session = people.start_session(store, user, address, now, server.ttl, rehashed)
    redirect = web.HTTPSeeOther("/")
    redirect.set_cookie(COOKIE, session, httponly=True, samesite="Strict", path="/",
                        max_age=int(server.ttl.total_seconds()))
    raise redirect


def _token_login(request: web.Request, given: str, address: str) -> web.Response:
    """The shared token's sign-in (throttled per address like a person's)."""
    store, server = request.app[STORE], request.app[SERVER]
    now = server.clock()
    if people.throttled(store, "", address, now):
        store.audit("-", "signin:throttled", {"address": address})
        return _login_page(request.app, _THROTTLED, status=429)
    if not server.token or not hmac.compare_digest(given.encode(), server.token.encode()):
        people.record_failure(store, "", address, now, "token")
        return _login_page(request.app, "Wrong token.", status=403)
    redirect = web.HTTPSeeOther("/")
    redirect.set_cookie(COOKIE, server.session or "", httponly=True, samesite="Strict", path="/")
    raise redirect


_THROTTLED = (f"Too many failed sign-ins: wait {people.THROTTLE_WINDOW.seconds // 60} minutes "
              "and try again.")


async def logout(request: web.Request) -> web.Response:
    """End a person's session (a plain form post: signing someone out is all a forgery could do)."""
    people.end_session(request.app[STORE], request.cookies.get(COOKIE, ""))
    redirect = web.HTTPSeeOther("/")
    redirect.del_cookie(COOKIE, path="/")
    raise redirect


async def items(request: web.Request) -> web.Response:
    """The queue as JSON (the same rows as the report), for scripts."""
    return web.json_response(report.build(request.app[STORE], _query(request)).rows)


async def decide(request: web.Request) -> web.Response:
    """Confirm, dismiss or resolve one finding, in the caller's name (a body's `who` is ignored)."""
    store, verb = request.app[STORE], request.match_info["verb"]
    finding_id = int(request.match_info["id"])
    person = caller(request).person
    if not person.may_decide():
        return _error(403, f"{person.name} is a {person.role}: a viewer cannot decide")
    body = await _body(request)
    who = person.name
    allow = request.app[ALLOW] if verb == "dismiss" and body.get("allow_links") is True else None
    if allow is None and body.get("allow_links") is True:
        return _error(400, "allow_links needs a dismissal and [monitor] allow_list in the "
                      "server's config")
    try:
        row = review.decide(store, finding_id, verb, who, brand=request.app[BRAND])
    except review.ReviewError as exc:
        return _error(404 if "no finding" in str(exc) else 400, str(exc))
    message = "; ".join([f"finding {finding_id} {review.DECISIONS[verb]} by {who}", *row["cases"]])
    if allow is not None:
        try:
            message += _allowed_words(allow_links(store, [finding_id], allow))
        except review.ReviewError as exc:  # the decision stands; say why the links were not allowed
            message += f"; links not allowed: {exc}"
    return _rows_answer(store, row["platform"], row["post_id"], message, person.may_enforce())


async def case_list(request: web.Request) -> web.Response:
    """Open takedown cases (open or reported) with their age in seconds, for scripts."""
    rows = cases.cases(request.app[STORE], "open")
    return web.json_response([{**c, "age_seconds": int(cases.age(c).total_seconds()),
                               "subject": cases.subject_text(c)} for c in rows])


def _allowed_words(done: Allowed) -> str:
    """What allowing a finding's links did, as the tail of the answer's message."""
    if done.added:
        linking = ", ".join(f"#{i}" for i in done.others)
        others = f"; still new and linking to them: {linking}" if done.others else ""
        return f"; on the allow list now: {', '.join(done.added)}{others}"
    if done.phishing:
        return f"; not allowed, on the phishing list: {', '.join(done.phishing)}"
    return "; no look-alike link to allow"


async def approve(request: web.Request) -> web.Response:
    """Release a held action to the daemon's sender, in the caller's name; enforcement (delete,
    restrict, ban, unban) needs an admin."""
    store, action_id = request.app[STORE], int(request.match_info["id"])
    person = caller(request).person
    kind = _action_kind(store, action_id)
    if not person.may_approve(kind or ""):
        return _error(403, f"{person.name} is a {person.role}: "
                      + ("a viewer cannot approve" if not person.may_decide()
                         else f"only an admin may approve a held {kind}"))
    who = person.name
    try:
        action = review.approve(store, action_id, who)
    except review.ReviewError as exc:
        return _error(404 if "no action" in str(exc) else 409, str(exc))
    message = f"{action['kind']} {action_id} approved by {who}: the daemon will send it"
    return _rows_answer(store, action["platform"], action["post_id"], message,
                        person.may_enforce())


async def undo(request: web.Request) -> web.Response:
    """Undo a restriction or ban, in an admin's name: a sent one gets an unban the daemon sends
    once, a held or planned one is skipped (desk.enforcing.undo, audited)."""
    store, action_id = request.app[STORE], int(request.match_info["id"])
    person = caller(request).person
    if not person.may_enforce():
        return _error(403, f"{person.name} is a {person.role}: only an admin may undo a "
                      "restriction or ban")
    try:
        row = enforcing.undo(store, action_id, person.name)
    except review.ReviewError as exc:
        return _error(404 if "no action" in str(exc) else 409, str(exc))
    if row["kind"] == "unban":
        message = (f"action {action_id} undone by {person.name}: unban {row['id']} planned, "
                   "the daemon will send it")
    else:
        message = f"{row['kind']} {action_id} skipped by {person.name}: it will not go out"
    return _rows_answer(store, row["platform"], row["post_id"], message, True)


async def posts(request: web.Request) -> web.Response:
    """Stored posts whose (redacted) text or author handle holds ?q=, newest first, a page at a
    time (?platform=, ?limit= up to 50, ?offset=): where a post the detectors passed is found."""
    q = request.query
    try:
        query = PostQuery.parse(q.get("q", ""), q.get("platform", ""), q.get("limit", ""),
                                q.get("offset", ""))
    except SearchError as exc:
        return _error(400, str(exc))
    page = search(request.app[STORE], query)
    return web.json_response({"posts": page.posts, "more": page.more, "offset": query.offset,
                              "limit": query.limit})


async def flag(request: web.Request) -> web.Response:
    """Flag a stored post the detectors passed: a finding confirmed at once in the caller's name
    (a body's `who` is ignored), remembered and cased as a confirmation is (desk.review.flag)."""
    store, person = request.app[STORE], caller(request).person
    if not person.may_decide():
        return _error(403, f"{person.name} is a {person.role}: a viewer cannot flag")
    body = await _body(request)
    fields = {k: body.get(k, "") for k in ("platform", "post_id", "kind", "label", "note")}
    if not all(isinstance(v, str) for v in fields.values()):
        return _error(400, "platform, post_id, kind, label and note must be strings")
    if not fields["platform"] or not fields["post_id"]:
        return _error(400, "give the post's platform and post_id")
    target = f"{fields['platform']}:{fields['post_id']}"
    try:
        row = review.flag(store, target, fields["kind"] or "impersonation", person.name,
                          fields["label"], fields["note"][:MAX_NOTE], request.app[BRAND])
    except review.ReviewError as exc:
        text = str(exc)
        return _error(404 if "no stored post" in text else 409 if "already has" in text else 400,
                      text)
    said = f"finding {row['id']} {row['kind']}/{row['label']} confirmed by {person.name} (flagged)"
    message = "; ".join([said, *row["cases"]])
    return _rows_answer(store, row["platform"], row["post_id"], message, person.may_enforce())


def _action_kind(store: Store, action_id: int) -> str | None:
    """An action's kind, or None when there is no such action."""
    row = store.db.execute("SELECT kind FROM actions WHERE id = ?", [action_id]).fetchone()
    return str(row[0]) if row else None


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; empty when there is none."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _rows_answer(store: Store, platform: str, post_id: str, message: str,
                 admin: bool = False) -> web.Response:
    """Every finding row of a post after a change (actions are shared by its findings); for an
    admin, with the restrictions and bans an undo still changes."""
    rows = [store.flagged(finding_id=f["id"])[0] for f in store.post_findings(platform, post_id)]
    lifts = enforcing.liftable(store, (platform, post_id)).get((platform, post_id), [])
    out = [{**{c: r.get(c) for c in report.COLUMNS}, "held": held_pairs(r["held_actions"]),
            "undo": lifts if admin else []} for r in rows]
    return web.json_response({"rows": out, "message": message})


def _query(request: web.Request) -> report.Query:
    """?since=7d&status=new,confirmed as a report query."""
    try:
        since = review.parse_since(request.query["since"]) if request.query.get("since") else None
        statuses = review.parse_statuses(request.query.get("status", ""))
    except review.ReviewError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return report.Query(since, statuses)


def _error(status: int, message: str) -> web.Response:
    """A JSON error answer."""
    return web.json_response({"error": message}, status=status)


def _login_page(app: web.Application, message: str = "", status: int = 200) -> web.Response:
    """The sign-in forms in the report's own stylesheet: name and password when people exist,
    the shared token when the server has one; no script, nothing from outside."""
    note = f"<p class=error role=alert>{escape(message)}</p>" if message else ""
    forms = []
    if people.has_users(app[STORE]):
        forms.append(_PERSON_FORM)
    if app[SERVER].token:
        forms.append(_TOKEN_FORM)
    body = _LOGIN.format(css=report_html.asset("page.css"), note=note, forms="\n".join(forms))
    style = report_html.style_source()
    return web.Response(text=body, content_type="text/html", status=status, headers={
        "Content-Security-Policy": f"default-src 'none'; style-src {style}; form-action 'self'; "
                                   "frame-ancestors 'none'"})


_LOGIN = """<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>support-monitor: sign in</title><style>{css}</style></head>
<body class=signin><main><h1>Review queue</h1>
<p class=meta>support-monitor: sign in.</p>{note}
{forms}</main></body></html>
"""
_PERSON_FORM = """<form method=post action=/login><label>Name
<input name=name autocomplete=username autofocus required></label>
<label>Password <input name=password type=password autocomplete=current-password required></label>
<button>Sign in</button></form>"""
_TOKEN_FORM = """<form method=post action=/login><label>Token
<input name=token type=password autocomplete=current-password required></label>
<button>Open</button></form>"""


async def serve(store: Store, host: str, port: int, token: str | None, who: str,
                stop: asyncio.Event, announce: Callable[[str], None],
                allow: AllowTarget | None = None, ttl: timedelta = people.SESSION_TTL,
                brand: Brand | None = None) -> None:
    """Listen until `stop` is set; `announce` gets the address actually bound (port 0 picks one)."""
    await asyncio.to_thread(people.verify, None, "")  # make the decoy hash before anyone signs in
    app = make_app(store, token, who, allow, ttl=ttl, brand=brand)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        announce(f"http://{host if ':' not in host else f'[{host}]'}:{bound[1]}/")
        await stop.wait()
    finally:
        await runner.cleanup()
