"""Shared fixtures: an example brand written for these tests."""

from __future__ import annotations

import pytest

from monitor.core.config import Brand

BRAND = Brand(
    name="OKX",
    aliases=("欧易", "OKEx"),
    domains=("okx.com", "okex.com"),
    live_chat_url="https://www.okx.com/help",
    ticket_url="https://www.okx.com/support/submit-request",
    accounts={"twitter": ("okx", "OKXHelpDesk"), "telegram": ("OKXOfficial_English",)},
)


@pytest.fixture
def brand() -> Brand:
    """The example brand."""
    return BRAND
