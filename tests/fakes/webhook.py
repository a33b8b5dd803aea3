"""A loopback webhook receiver that checks the HMAC signature and can fail the first tries."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Self

from aiohttp import web


class WebhookReceiver:
    """Accepts POST /hook signed with `secret`; the first `fail_first` requests get `fail_status`.
    An unsigned or wrongly signed request is refused with 401 (and counted)."""

    def __init__(self, secret: bytes, fail_first: int = 0, fail_status: int = 503) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.attempts = 0
        self.bad_signatures = 0
        self.received: list[dict[str, Any]] = []  # accepted bodies, parsed
        self.bodies: list[str] = []  # every body as received
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop the server."""
        if self._runner is not None:
            await self._runner.cleanup()

    def signed(self, timestamp: str, body: bytes) -> str:
        """The signature a sender holding the secret puts on this body, as a receiver checks it."""
        mac = hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256)
        return "sha256=" + mac.hexdigest()

    async def _hook(self, request: web.Request) -> web.Response:
        """Check the signature, then fail or accept."""
        self.attempts += 1
        body = await request.read()
        self.bodies.append(body.decode("utf-8", "replace"))
        stamp = request.headers.get("X-Monitor-Timestamp", "")
        given = request.headers.get("X-Monitor-Signature", "")
        if not stamp or not hmac.compare_digest(given, self.signed(stamp, body)):
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        if self.attempts <= self.fail_first:
            return web.json_response({"error": "try again"}, status=self.fail_status)
        self.received.append(json.loads(body))
        return web.json_response({"ok": True})
