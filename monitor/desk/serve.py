"""`monitor serve`: a local web page over the review queue, behind a token, loopback by default."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiohttp import web

from monitor.desk import report, review
from monitor.desk.allowing import Allowed, AllowTarget, allow_links
from monitor.desk.report import html as report_html
from monitor.desk.report.rows import held_pairs
from monitor.store import Store

COOKIE = "monitor_session"
CSRF_HEADER = "X-Monitor-Request"  # a custom header: a cross-site form or image cannot send it
MIN_TOKEN = 16
STORE: web.AppKey[Store] = web.AppKey("store", Store)
CONFIG: web.AppKey[dict[str, str]] = web.AppKey("config", dict)
ALLOW: web.AppKey[AllowTarget | None] = web.AppKey("allow")
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
    """The session cookie's value: derived from the token so the token itself never sits in a cookie."""
    return hmac.new(token.encode(), b"monitor-serve-session", hashlib.sha256).hexdigest()


def make_app(store: Store, token: str, who: str, allow: AllowTarget | None = None) -> web.Application:
    """The web application over one store; with `allow`, a dismissal may also allow its look-alike links."""
    app = web.Application(middlewares=[_headers, _auth], client_max_size=64 * 1024)
    app[STORE] = store
    app[ALLOW] = allow
    app[CONFIG] = {"token": token, "session": session_value(token), "who": who}
    app.router.add_get("/", page)
    app.router.add_post("/login", login)
    app.router.add_get("/api/items", items)
    app.router.add_post("/api/findings/{id:\\d+}/{verb}", decide)
    app.router.add_post("/api/actions/{id:\\d+}/approve", approve)
    return app


def authorised(request: web.Request) -> bool:
    """A bearer token or the session cookie, each compared in constant time."""
    cfg = request.app[CONFIG]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].encode(), cfg["token"].encode())
    return hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), cfg["session"].encode())


@web.middleware
async def _auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API calls need the token; posts with the cookie also need the custom header (no CSRF)."""
    if request.path.startswith("/api/"):
        if not authorised(request):
            return _error(401, "missing or wrong token")
        cookie_only = not request.headers.get("Authorization")
        if request.method == "POST" and cookie_only and request.headers.get(CSRF_HEADER) != "1":
            return _error(403, f"missing {CSRF_HEADER} header")
    return await handler(request)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No caching, no framing, no referrer on every answer."""
    response = await handler(request)
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"})
    return response


async def page(request: web.Request) -> web.Response:
    """The report page with decision buttons, or the token form."""
    if not authorised(request):
        return _login_page()
    rep = report.build(request.app[STORE], _query(request))
    text = report_html.render(rep, live=True, who=request.app[CONFIG]["who"], allow=request.app[ALLOW] is not None)
    return web.Response(text=text, content_type="text/html",
                        headers={"Content-Security-Policy": report_html.csp(live=True) + "; frame-ancestors 'none'"})


async def login(request: web.Request) -> web.Response:
    """Check the token from the form and set the session cookie."""
    form = await request.post()
    given = str(form.get("token", ""))
    cfg = request.app[CONFIG]
    if not hmac.compare_digest(given.encode(), cfg["token"].encode()):
        return _login_page("Wrong token.", status=403)
    redirect = web.HTTPSeeOther("/")
    redirect.set_cookie(COOKIE, cfg["session"], httponly=True, samesite="Strict", path="/")
    raise redirect


async def items(request: web.Request) -> web.Response:
    """The queue as JSON (the same rows as the report), for scripts."""
    return web.json_response(report.build(request.app[STORE], _query(request)).rows)


async def decide(request: web.Request) -> web.Response:
    """Confirm, dismiss or resolve one finding."""
    store, finding_id, verb = request.app[STORE], int(request.match_info["id"]), request.match_info["verb"]
    body = await _body(request)
    who = _who(request, body)
    allow = request.app[ALLOW] if verb == "dismiss" and body.get("allow_links") is True else None
    if allow is None and body.get("allow_links") is True:
        return _error(400, "allow_links needs a dismissal and [monitor] allow_list in the server's config")
    try:
        row = review.decide(store, finding_id, verb, who)
    except review.ReviewError as exc:
        return _error(404 if "no finding" in str(exc) else 400, str(exc))
    message = f"finding {finding_id} {review.DECISIONS[verb]} by {who}"
    if allow is not None:
        try:
            message += _allowed_words(allow_links(store, [finding_id], allow))
        except review.ReviewError as exc:  # the decision stands; say why the links were not allowed
            message += f"; links not allowed: {exc}"
    return _rows_answer(store, row["platform"], row["post_id"], message)


def _allowed_words(done: Allowed) -> str:
    """What allowing a finding's links did, as the tail of the answer's message."""
    if done.added:
        others = f"; still new and linking to them: {', '.join(f'#{i}' for i in done.others)}" if done.others else ""
        return f"; on the allow list now: {', '.join(done.added)}{others}"
    if done.phishing:
        return f"; not allowed, on the phishing list: {', '.join(done.phishing)}"
    return "; no look-alike link to allow"


async def approve(request: web.Request) -> web.Response:
    """Release a held action to the daemon's sender."""
    store, action_id = request.app[STORE], int(request.match_info["id"])
    who = _who(request, await _body(request))
    try:
        action = review.approve(store, action_id, who)
    except review.ReviewError as exc:
        return _error(404 if "no action" in str(exc) else 409, str(exc))
    message = f"{action['kind']} {action_id} approved by {who}: the daemon will send it"
    return _rows_answer(store, action["platform"], action["post_id"], message)


def _who(request: web.Request, body: dict[str, Any]) -> str:
    """The reviewer named in the request body, else the server's default."""
    name = body.get("who")
    return str(name).strip() if name else request.app[CONFIG]["who"]


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; empty when there is none."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _rows_answer(store: Store, platform: str, post_id: str, message: str) -> web.Response:
    """Every finding row of a post after a change (actions are shared by its findings)."""
    rows = [store.flagged(finding_id=f["id"])[0] for f in store.post_findings(platform, post_id)]
    out = [{**{c: r.get(c) for c in report.COLUMNS}, "held": held_pairs(r["held_actions"])} for r in rows]
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


def _login_page(message: str = "", status: int = 200) -> web.Response:
    """A small form asking for the token, in the report's own stylesheet; no script, nothing
    from outside."""
    note = f"<p class=error role=alert>{escape(message)}</p>" if message else ""
    body = _LOGIN.format(css=report_html.asset("page.css"), note=note)
    style = report_html.style_source()
    return web.Response(text=body, content_type="text/html", status=status, headers={
        "Content-Security-Policy": f"default-src 'none'; style-src {style}; form-action 'self'; "
                                   "frame-ancestors 'none'"})


_LOGIN = """<!doctype html><html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>support-monitor: sign in</title><style>{css}</style></head>
<body class=signin><main><h1>Review queue</h1>
<p class=meta>support-monitor: paste the token the server was started with.</p>{note}
<form method=post action=/login><label>Token
<input name=token type=password autocomplete=current-password autofocus required></label>
<button>Open</button></form></main></body></html>
"""


async def serve(store: Store, host: str, port: int, token: str, who: str,
                stop: asyncio.Event, announce: Callable[[str], None], allow: AllowTarget | None = None) -> None:
    """Listen until `stop` is set; `announce` gets the address actually bound (port 0 picks one)."""
    runner = web.AppRunner(make_app(store, token, who, allow), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        announce(f"http://{host if ':' not in host else f'[{host}]'}:{bound[1]}/")
        await stop.wait()
    finally:
        await runner.cleanup()
