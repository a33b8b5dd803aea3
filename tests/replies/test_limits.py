"""The [limits] and [policy] config tables: defaults, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core import config
from monitor.runtime.limits import Limits

BRAND = (
    '[brand]\nname = "OKX"\ndomains = ["okx.com"]\nlive_chat_url = "https://okx.com/c"\n'
    'ticket_url = "https://okx.com/t"\n'
)


def load(tmp_path: Path, extra: str) -> config.Settings:
    path = tmp_path / "m.toml"
    path.write_text(BRAND + extra, encoding="utf-8")
    return config.load(path)


def test_defaults_and_overrides(tmp_path: Path) -> None:
    assert Limits.from_config(load(tmp_path, "").limits) == Limits()
    settings = load(
        tmp_path,
        "[limits]\nuser_cooldown = 10\nplatform_per_hour = 5\n"
        '[policy]\nimpersonation = ["alert"]\n',
    )
    assert Limits.from_config(settings.limits) == Limits(
        user_cooldown=10, thread_cooldown=60, platform_per_hour=5
    )
    assert settings.policy["impersonation"] == ("alert",)
    assert settings.policy["secret_leak"] == config.DEFAULT_POLICY["secret_leak"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[limits]\nuser_cooldown = -1\n", "'limits.user_cooldown' must not be negative"),
        ("[limits]\nplatform_per_hour = 1.5\n", "'limits.platform_per_hour' must be a integer"),
        ("[limits]\nburst = 3\n", "unknown key 'limits.burst'"),
        (
            '[policy]\nsupport_request = ["reply", "shout"]\n',
            "'policy.support_request' has unknown action 'shout'",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        load(tmp_path, extra)
