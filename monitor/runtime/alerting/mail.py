"""An e-mail channel: one message per text through aiosmtplib."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

SUBJECT_LENGTH = 120


@dataclass(frozen=True, slots=True)
class MailChannel:
    """Mails each text to a fixed list of addresses through one SMTP server."""

    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password: str | None = None
    starttls: bool = True  # STARTTLS required: credentials and alerts never go in the clear
    tls: bool = False  # implicit TLS from the first byte (port 465)
    timeout: float = 30.0
    name: str = "email"

    async def send(self, text: str) -> None:
        """Send the text; the subject is its first line."""
        await aiosmtplib.send(
            self.message(text), hostname=self.host, port=self.port, username=self.username,
            password=self.password, use_tls=self.tls, start_tls=self.starttls and not self.tls,
            timeout=self.timeout,
        )

    def message(self, text: str) -> EmailMessage:
        """The message: plain text, subject from the first line."""
        message = EmailMessage()
        first = text.strip().splitlines()[0] if text.strip() else "alert"
        message["Subject"] = f"[support-monitor] {first[:SUBJECT_LENGTH]}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message.set_content(text)
        return message
