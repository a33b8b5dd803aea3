"""Who the bot is on each platform: its credentials put to the platform's who-am-I endpoint
(Telegram getMe, Discord GET /users/@me, Reddit /api/v1/me, X GET /2/users/me), for `doctor`.

Each check drives the platform's own library at the URL the config names, as the connector does, so
what passes here is what `monitor run` will be let in with. No message here carries a credential:
the libraries' own errors can quote a token (python-telegram-bot's InvalidToken does), so a refusal
is worded here and the library's text is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from monitor.connectors.catalog import credentials
from monitor.core.config import Settings

TIMEOUT = 15.0  # seconds a platform has to answer, the login round trips included


class Refused(Exception):
    """The platform answered and refused the credentials; `fix` says what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


async def whoami(platform: str, settings: Settings, timeout: float = TIMEOUT) -> str:
    """The bot's name on the platform. Raises MissingCredential (an env var unset), Refused, or
    another error when the platform could not be reached (TimeoutError after `timeout` seconds)."""
    return await asyncio.wait_for(CHECKS[platform](settings, timeout), timeout)


def endpoint(platform: str, settings: Settings) -> str:
    """The API address the check goes to (never the token-bearing URL), for an error line."""
    table = settings.platforms.get(platform, {})
    key, default = ENDPOINTS[platform]
    return str(table.get(key, default))


async def _telegram(settings: Settings, timeout: float) -> str:
    """getMe through python-telegram-bot."""
    from telegram import Bot
    from telegram.error import InvalidToken
    from telegram.request import HTTPXRequest

    from monitor.connectors.telegram.updates import api_root, quiet_library_logs

    table = settings.platforms.get("telegram", {})
    env = table.get("token_env", "TELEGRAM_BOT_TOKEN")
    token = credentials({"token": env})["token"]
    quiet_library_logs()  # httpx logs each URL, and a Bot API URL carries the token
    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout)
    bot = Bot(token, base_url=f"{api_root(endpoint('telegram', settings))}/bot", request=request)
    try:
        async with bot:  # initialize() is getMe
            me = bot.bot
    except InvalidToken:  # its message quotes the token
        raise Refused(f"Telegram refused the bot token in {env} (401 Unauthorized)",
                      f"copy the token @BotFather gave (/token) into {env}") from None
    return f"@{me.username}"


async def _discord(settings: Settings, timeout: float) -> str:
    """GET /users/@me through discord.py's HTTP client (its login call, without the gateway)."""
    import discord
    from discord.http import HTTPClient

    from monitor.connectors.discord.gateway import DEFAULT_GATEWAY, point_at

    table = settings.platforms.get("discord", {})
    env = table.get("token_env", "DISCORD_BOT_TOKEN")
    token = credentials({"token": env})["token"]
    point_at(endpoint("discord", settings).rstrip("/"), table.get("gateway_url", DEFAULT_GATEWAY))
    http = HTTPClient(asyncio.get_running_loop())
    try:
        user = await http.static_login(token)
    except discord.LoginFailure:
        raise Refused(f"Discord refused the bot token in {env} (401 Unauthorized)",
                      f"copy the token from the Developer Portal (your application > Bot > "
                      f"Reset Token) into {env}") from None
    finally:
        await http.close()
    return f"{user['username']} (id {user['id']})"


async def _twitter(settings: Settings, timeout: float) -> str:
    """GET /2/users/me through tweepy (user context, OAuth 1.0a), in a worker thread."""
    import tweepy

    from monitor.connectors.twitter.timeline import ENV_DEFAULTS, make_client

    table = settings.platforms.get("twitter", {})
    names = {key: table.get(key, default) for key, default in ENV_DEFAULTS.items()}
    found = credentials(names)
    keys = (found["consumer_key_env"], found["consumer_secret_env"],
            found["access_token_env"], found["access_token_secret_env"])
    # The request's own timeout ends the thread's call: wait_for alone would leave it running.
    client = make_client(keys, endpoint("twitter", settings), timeout)
    every = ", ".join(names.values())
    try:
        me = await asyncio.to_thread(client.get_me, user_auth=True)
    except tweepy.Unauthorized:
        raise Refused("X refused the app's keys (401 Unauthorized)",
                      f"regenerate the keys and tokens in the X developer portal and put them in "
                      f"{every}") from None
    except tweepy.Forbidden:
        raise Refused("X answered 403 Forbidden: the app's access level or tier does not allow it",
                      "give the app Read and write (and Direct message) permissions, regenerate "
                      "the access token, and check the project's tier") from None
    finally:
        client.session.close()
    return f"@{me.data.username}"


async def _reddit(settings: Settings, timeout: float) -> str:
    """/api/v1/me through asyncpraw, after its password grant."""
    from asyncprawcore.exceptions import OAuthException, ResponseException

    from monitor.connectors.reddit.stream import make_client, read_config

    cfg = read_config(settings)
    reddit = make_client(cfg)
    fix = ("check the script app's id and secret (reddit.com/prefs/apps) and the bot account's "
           "username and password in the [reddit] *_env variables")
    try:
        me = await reddit.user.me()
    except OAuthException as exc:  # the password grant refused: its code, e.g. invalid_grant
        raise Refused(f"Reddit refused the login as u/{cfg.username} ({exc.error})", fix) from None
    except ResponseException as exc:
        if exc.response.status not in (401, 403):
            raise
        raise Refused(f"Reddit refused the login as u/{cfg.username} "
                      f"(HTTP {exc.response.status})", fix) from None
    finally:
        await reddit.close()
    return f"u/{me.name}" if me else f"u/{cfg.username}"


CHECKS: dict[str, Callable[[Settings, float], Awaitable[str]]] = {
    "telegram": _telegram, "discord": _discord, "twitter": _twitter, "reddit": _reddit,
}
# The config key naming each platform's API address, and its default.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "telegram": ("base_url", "https://api.telegram.org"),
    "discord": ("api_base", "https://discord.com/api/v10"),
    "twitter": ("api_base", "https://api.twitter.com"),
    "reddit": ("base_url", "https://oauth.reddit.com"),
}
