"""A Slack channel: chat.postMessage through slack_sdk's AsyncWebClient."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

SLACK_API = "https://slack.com/api/"


class SlackError(RuntimeError):
    """Slack refused a message; worded with Slack's error code only (never the token)."""


@dataclass(frozen=True, slots=True)
class SlackChannel:
    """Posts each text to one Slack channel as the bot whose token it holds."""

    token: str
    channel: str
    base_url: str = SLACK_API  # a loopback fake's http://127.0.0.1:PORT/api/ in tests
    name: str = "slack"

    async def send(self, text: str) -> None:
        """Post the text; a refusal (ok: false) raises SlackError with Slack's code."""
        client = AsyncWebClient(token=self.token, base_url=_with_slash(self.base_url), timeout=15)
        try:
            await client.chat_postMessage(channel=self.channel, text=text, mrkdwn=False)
        except SlackApiError as exc:
            raise SlackError(f"slack refused the message: {exc.response.get('error')}") from None


def _with_slash(url: str) -> str:
    """slack_sdk joins method names onto the base URL, which must end with a slash."""
    return url if url.endswith("/") else url + "/"
