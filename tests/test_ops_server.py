"""A real `monitor run`: /healthz and /metrics on loopback, SIGHUP reloads the
config, a bad one is refused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config
from tests.faultworld import ADMINS, GROUP, OPEN_LIMITS, TOKEN, message, world

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _statuses(db: Path, post_id: str) -> dict[str, str]:
    """The actions of one post, kind -> status, read from outside the daemon."""
    store = Store(db)
    try:
        rows = store.db.execute(
            "SELECT kind, status FROM actions WHERE post_id = ?", [post_id]
        ).fetchall()
        return dict(rows)
    finally:
        store.close()


async def _get(url: str) -> tuple[int, str]:
    """Status and body of a GET; (0, '') while nothing listens yet."""
    try:
        async with aiohttp.ClientSession() as http, http.get(url) as r:
            return r.status, await r.text()
    except aiohttp.ClientConnectionError:
        return 0, ""


def test_monitor_run_serves_health_and_metrics_and_reloads_on_sighup(tmp_path) -> None:
    db, log, port = tmp_path / "monitor.db", tmp_path / "daemon.log", _free_port()
    base = f"http://127.0.0.1:{port}"

    async def scenario() -> tuple[int, str, str]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 3)
            config = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS, extra=OPEN_LIMITS)
            text = config.read_text(encoding="utf-8").replace(
                # JSON logs: the default
                'log_level = "INFO"',
                f'log_level = "INFO"\nmetrics_port = {port}',
            )
            config.write_text(text, encoding="utf-8")
            daemon = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "monitor.cli",
                "run",
                "--config",
                str(config),
                "--db",
                str(db),
                env={**os.environ, "TG_TOKEN": TOKEN},
                cwd=ROOT,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            health: list[tuple[int, str]] = []

            async def healthy() -> bool:
                health.append(await _get(f"{base}/healthz"))
                return health[-1][0] == 200

            async def poll(check, timeout: float = 180) -> None:
                for _ in range(int(timeout / 0.1)):
                    if await check():
                        return
                    await asyncio.sleep(0.1)
                raise AssertionError(f"not in time; log: {log.read_text()[-1500:]}")

            await poll(healthy)
            first = fake.post(GROUP, users[0], message(1))  # a leak, handled in auto mode
            await until(
                lambda: set(_statuses(db, f"{GROUP}:{first}").values()) == {"sent"}, timeout=30
            )
            status, metrics = await _get(f"{base}/metrics")
            assert status == 200

            config.write_text(
                text.replace('secret_leak = "auto"', 'secret_leak = "review"'), encoding="utf-8"
            )
            daemon.send_signal(signal.SIGHUP)
            await until(lambda: "config reloaded" in log.read_text(), timeout=30)
            second = fake.post(GROUP, users[1], message(4))
            await until(
                lambda: _statuses(db, f"{GROUP}:{second}").get("delete") == "held", timeout=30
            )

            config.write_text(text.replace("[telegram]", "[telegram]\nbogus = 1"), encoding="utf-8")
            daemon.send_signal(signal.SIGHUP)
            await until(lambda: "config not reloaded" in log.read_text(), timeout=30)
            # still review: the bad config was refused
            third = fake.post(GROUP, users[2], message(7))
            await until(
                lambda: _statuses(db, f"{GROUP}:{third}").get("delete") == "held", timeout=30
            )

            daemon.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(daemon.wait(), 30)
            return code, health[-1][1], metrics

    code, health_body, metrics = asyncio.run(scenario())
    output = log.read_text(encoding="utf-8")
    assert code == 0, output[-2000:]
    assert json.loads(health_body)["connectors"] == {"telegram": "running"}
    assert 'monitor_posts_total{platform="telegram"} 1' in metrics
    assert 'monitor_actions_total{kind="delete",result="sent"} 1' in metrics
    assert "monitor_ingest_to_action_seconds_count" in metrics
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    refused = [x for x in lines if x["message"].startswith("config not reloaded")]
    assert len(refused) == 1 and "unknown key 'telegram.bogus'" in refused[0]["message"]
