"""A loopback fake of Slack's Web API: chat.postMessage as Slack answers it, recording posts."""

from __future__ import annotations

import time
from typing import Any, Self

from aiohttp import web

GOOD_TOKEN = "xoxb-0000000000-fake-loopback-token"


class SlackFake:
    """Answers POST /api/chat.postMessage like Slack: {"ok": true, ...} for the good bot token,
    {"ok": false, "error": "invalid_auth"} for any other (Slack answers HTTP 200 either way)."""

    def __init__(self, token: str = GOOD_TOKEN) -> None:
        self.token = token
        self.posted: list[dict[str, Any]] = []  # channel, text of each accepted message
        self.bodies: list[str] = []  # every request body as received, refused ones too
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        """Listen on 127.0.0.1 on a free port; base_url ends in /api/ as Slack's does."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop the server."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.Response:
        """One Web API call; slack_sdk sends chat.postMessage as JSON with a Bearer token."""
        raw = await request.text()
        self.bodies.append(raw)
        if request.match_info["method"] != "chat.postMessage":
            return web.json_response({"ok": False, "error": "unknown_method"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        body = await request.json() if raw else {}
        if not body.get("channel"):
            return web.json_response({"ok": False, "error": "channel_not_found"})
        if not body.get("text"):
            return web.json_response({"ok": False, "error": "no_text"})
        self.posted.append({"channel": body["channel"], "text": body["text"]})
        ts = f"{time.time():.6f}"
        message = {"type": "message", "text": body["text"], "user": "U0BOT", "ts": ts}
        return web.json_response({"ok": True, "channel": "C0ALERTS", "ts": ts,
                                  "message": message})
