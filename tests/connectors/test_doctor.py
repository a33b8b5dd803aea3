"""`monitor doctor` against the loopback fakes of all four platforms, each through its real
library: good credentials pass, bad ones fail with their fix and exit 1, none is ever printed."""

from __future__ import annotations

import asyncio
import re
import textwrap
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, Self

import discord
import pytest
import yarl

from monitor.cli.entry import main
from tests.conftest import ROOT
from tests.fakes.discord import TOKEN as DISCORD_TOKEN
from tests.fakes.discord import FakeDiscord
from tests.fakes.reddit import BOT as REDDIT_BOT
from tests.fakes.reddit import ENV as REDDIT_ENV
from tests.fakes.reddit import FakeReddit, new_fake
from tests.fakes.telegram import TelegramFake
from tests.fakes.twitter import ENV as X_ENV
from tests.fakes.twitter import FakeX

TELEGRAM_TOKEN = "123456:TEST-token"  # the fake's default
CONFIG = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[monitor]
db = "{db}"

[support]
use_encoder = false

[telegram]
enabled = true
base_url = "{telegram}"

[discord]
enabled = true
api_base = "{discord_api}"
gateway_url = "{discord_gateway}"

[twitter]
enabled = true
api_base = "{x}"

[reddit]
enabled = true
base_url = "{reddit}"
"""


class Fakes:
    """The four fakes served from a thread of their own: `monitor doctor` runs its own loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the fakes' loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(15)

    def __enter__(self) -> Self:
        self.thread.start()
        self.run(self._start())
        return self

    async def _start(self) -> None:
        self.telegram = await TelegramFake().__aenter__()
        self.discord = await FakeDiscord().start()
        self.x = FakeX()
        await self.x.start()
        self.reddit: FakeReddit = await new_fake().__aenter__()
        self.reddit.add_user(REDDIT_BOT, days_old=400)

    def __exit__(self, *exc: object) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _stop(self) -> None:
        await self.telegram.__aexit__()
        await self.discord.stop()
        await self.x.close()
        await self.reddit.__aexit__()

    def config(self, folder: Path) -> Path:
        """A monitor.toml with every platform enabled and pointed at its fake."""
        path = folder / "monitor.toml"
        path.write_text(CONFIG.format(
            db=folder / "monitor.db", telegram=self.telegram.base_url,
            discord_api=self.discord.api_base, discord_gateway=self.discord.gateway_url,
            x=self.x.base_url, reddit=self.reddit.url), encoding="utf-8")
        return path


GOOD_ENV = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "DISCORD_BOT_TOKEN": DISCORD_TOKEN,
            **X_ENV, **REDDIT_ENV}


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    """The fakes, with discord.py's process-wide endpoints put back afterwards."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    for name, value in GOOD_ENV.items():
        monkeypatch.setenv(name, value)
    with Fakes() as running:
        yield running
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


def doctor(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit code and printed lines of `monitor doctor --config FILE`."""
    code = main(["doctor", "--config", str(config)])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out.splitlines()


def test_good_credentials_pass_on_every_platform(fakes: Fakes, tmp_path: Path, capsys) -> None:
    code, lines = doctor(fakes.config(tmp_path), capsys)
    assert code == 0, lines
    assert all(line.startswith("OK    ") for line in lines), lines
    by_name = {line.split()[1].rstrip(":"): line for line in lines}
    assert by_name["telegram"].endswith("signed in as @okx_guard_bot")
    assert by_name["discord"].endswith("signed in as monitor-bot (id "
                                       f"{fakes.discord.bot['id']})")
    assert by_name["twitter"].endswith("signed in as @okx")
    assert by_name["reddit"].endswith(f"signed in as u/{REDDIT_BOT}")
    assert {"config", "phishing_list", "allow_list", "support", "database"} <= set(by_name)
    assert "getMe" in fakes.telegram.calls
    assert ("GET", "/users/@me") in fakes.discord.requests
    assert "me" in fakes.x.calls


def test_bad_credentials_fail_with_the_fix_and_are_never_printed(
        fakes: Fakes, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {"TELEGRAM_BOT_TOKEN": "123456:WRONG-token-7f3a9c",
           "DISCORD_BOT_TOKEN": "wrong-dc-4e8b1d", "REDDIT_PASSWORD": "wrong-pw-93c0aa"}
    for name, value in bad.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("X_ACCESS_TOKEN_SECRET")
    code, lines = doctor(fakes.config(tmp_path), capsys)
    assert code == 1
    by_name = {line.split()[1].rstrip(":"): line for line in lines}
    for platform in ("telegram", "discord", "twitter", "reddit"):
        assert by_name[platform].startswith("FAIL  ") and " — fix: " in by_name[platform], lines
    assert "TELEGRAM_BOT_TOKEN" in by_name["telegram"] and "401" in by_name["telegram"]
    assert "DISCORD_BOT_TOKEN" in by_name["discord"]
    assert "invalid_grant" in by_name["reddit"] and f"u/{REDDIT_BOT}" in by_name["reddit"]
    assert "X_ACCESS_TOKEN_SECRET not set" in by_name["twitter"]
    assert by_name["database"].startswith("OK    ")  # the other checks still ran and passed
    text = "\n".join(lines)
    for secret in [*bad.values(), *(v for k, v in GOOD_ENV.items() if k != "REDDIT_USERNAME")]:
        assert secret not in text, secret
    for secret in bad.values():  # not even the tail a token is often shown by
        assert secret[-6:] not in text, secret
    assert "[credential removed]" not in text  # nothing even tried to print one


def test_a_platform_that_does_not_answer_fails_in_bounded_time(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    listener = socket.socket()  # accepts connections (the backlog) and never answers
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    monkeypatch.setattr("monitor.connectors.whoami.TIMEOUT", 1.0)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG.split("[telegram]")[0].format(db=tmp_path / "m.db")
                      + f'[telegram]\nenabled = true\nbase_url = "{url}"\n', encoding="utf-8")
    try:
        code, lines = doctor(config, capsys)
    finally:
        listener.close()
    assert code == 1
    [line] = [line for line in lines if line.split()[1] == "telegram:"]
    assert line.startswith("FAIL  telegram: no answer from") and " — fix: " in line


def test_the_readme_first_run_prints_what_the_readme_shows(
        fakes: Fakes, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## First run"):]
    section = section[:section.index("\n## ")]
    shown = [textwrap.dedent(block) for block in
             re.findall(r"^ *```text\n(.*?)^ *```$", section, re.MULTILINE | re.DOTALL)]
    init_out, doctor_bad, doctor_good = shown
    for command in ("monitor init", "cp .env.example .env", "set -a; . ./.env; set +a",
                    "monitor doctor --config monitor.toml", "monitor run --config monitor.toml"):
        assert command in section, command
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert capsys.readouterr().out == init_out
    # Step 3 as the README says it, with the fake's address in place of Telegram's.
    config = tmp_path / "monitor.toml"
    text = config.read_text(encoding="utf-8").replace(
        "# [telegram]\n# enabled = true\n",
        f'[telegram]\nenabled = true\nbase_url = "{fakes.telegram.base_url}"\n')
    config.write_text(text, encoding="utf-8")
    for name in GOOD_ENV:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:not-the-token")
    assert main(["doctor", "--config", "monitor.toml"]) == 1
    assert capsys.readouterr().out == doctor_bad
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    assert main(["doctor", "--config", "monitor.toml"]) == 0
    good = capsys.readouterr().out
    assert good.splitlines()[-1] + "\n" == doctor_good
    assert good.splitlines()[:-1] == doctor_bad.splitlines()[:-1]
