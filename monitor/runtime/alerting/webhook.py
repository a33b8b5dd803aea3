"""A signed webhook: the text as JSON, an HMAC-SHA256 signature header, retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

import httpx

from monitor.connectors.backoff import Backoff, with_backoff

log = logging.getLogger("monitor.alerts")
SIGNATURE = "X-Monitor-Signature"
TIMESTAMP = "X-Monitor-Timestamp"


class WebhookError(RuntimeError):
    """The receiver answered with an error status; `retry` when another try may help."""

    def __init__(self, status: int) -> None:
        super().__init__(f"webhook answered HTTP {status}")
        self.retry = status >= 500 or status in (408, 429)


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """'sha256=<hex>' of the HMAC over 'TIMESTAMP.BODY': signing the time too means a captured
    request cannot be replayed later as a fresh one (receivers reject old timestamps)."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True, slots=True)
class WebhookChannel:
    """POSTs {"text": ...} to one URL, signed with a shared secret."""

    url: str
    secret: bytes
    attempts: int = 4
    backoff: float = 1.0  # seconds before the second try; doubles after each failure
    timeout: float = 10.0
    name: str = "webhook"

    async def send(self, text: str) -> None:
        """Deliver the text; 5xx, 408, 429 and connection errors are retried, other 4xx not."""
        body = json.dumps({"text": text, "source": "support-monitor"}).encode()
        delays = Backoff(self.backoff, 60.0)

        def wait_for(exc: Exception) -> float | None:
            return delays.delay() if _retried(exc) else None

        async with httpx.AsyncClient(timeout=self.timeout) as client:
            await with_backoff(lambda: self._post(client, body), wait_for, _said,
                               attempts=self.attempts, backoff=delays)

    async def _post(self, client: httpx.AsyncClient, body: bytes) -> None:
        """One signed POST, signed anew so its timestamp is fresh."""
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP: stamp,
                   SIGNATURE: signature(self.secret, stamp, body)}
        answer = await client.post(self.url, content=body, headers=headers)
        if answer.status_code >= 300:
            raise WebhookError(answer.status_code)



def _retried(exc: Exception) -> bool:
    """A server error or a broken connection is worth another try; a refusal (4xx) is final."""
    if isinstance(exc, WebhookError):
        return exc.retry
    return isinstance(exc, httpx.TransportError)


def _said(exc: Exception, wait: float) -> None:
    """Log one retry, naming the error's type and status, never the URL (it may hold a key)."""
    log.warning("webhook alert not delivered (%s); retrying in %.1fs",
                str(exc) if isinstance(exc, WebhookError) else type(exc).__name__, wait)
