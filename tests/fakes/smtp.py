"""A loopback SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it is sent."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Collector:
    """The aiosmtpd handler: each message's envelope and parsed content."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the message; 250 as a mail server accepting it."""
        self.envelopes.append(envelope)
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd's Controller (its own thread and loop) on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        self.handler = Collector()
        self.port = _free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages received so far."""
        return self.handler.messages

    def raw(self) -> str:
        """Every message as sent over the wire, for a search of its whole text."""
        return "\n".join((e.original_content or b"").decode("utf-8", "replace")
                         for e in self.handler.envelopes)


def _free_port() -> int:
    """A port free on 127.0.0.1 now (Controller needs a number before it starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
