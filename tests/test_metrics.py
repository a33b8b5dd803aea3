"""Prometheus metrics: the text format, error codes, the /healthz and /metrics
endpoint, and the daemon's counts."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from monitor.runtime import ops_server
from monitor.runtime.health import Health
from monitor.runtime.metrics import Metrics, error_code
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until
from tests.faultworld import (
    GROUP,
    TOKEN,
    count,
    ingest_for,
    message,
    run_daemon,
    settings_for,
    world,
)


def test_counters_and_histograms_render_in_prometheus_text_format() -> None:
    m = Metrics()
    m.posts.inc("telegram")
    m.posts.inc("telegram")
    m.errors.inc("discord", 'we"ird\n')
    m.latency.observe(0.03)
    m.latency.observe(7.0)
    text = m.render()
    assert "# TYPE monitor_posts_total counter" in text
    assert 'monitor_posts_total{platform="telegram"} 2' in text
    assert 'monitor_platform_errors_total{platform="discord",code="we\\"ird\\n"} 1' in text
    assert 'monitor_ingest_to_action_seconds_bucket{le="0.025"} 0' in text
    assert 'monitor_ingest_to_action_seconds_bucket{le="0.05"} 1' in text
    assert 'monitor_ingest_to_action_seconds_bucket{le="+Inf"} 2' in text
    assert (
        "monitor_ingest_to_action_seconds_count 2" in text
        and "monitor_ingest_to_action_seconds_sum 7.03" in text
    )
    sample = re.compile(
        r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? [0-9.e+-]+$|^[a-z_]+\{le="[^"]+"\} \d+$'
    )
    assert all(line.startswith("# ") or sample.match(line) for line in text.splitlines())


class _Http(Exception):
    status = 503


class _Wrapped(Exception):
    def __init__(self) -> None:
        super().__init__("boom")
        self.response = type("R", (), {"status": 429})()


def test_error_codes_come_from_the_exception_or_its_text() -> None:
    assert error_code(_Http()) == "503"
    assert error_code(_Wrapped()) == "429"
    assert error_code(RuntimeError("403 Forbidden: bot was blocked by the user")) == "403"
    assert error_code(TimeoutError()) == "TimeoutError"


def test_the_endpoint_serves_health_and_metrics_on_loopback() -> None:
    store = Store(":memory:")
    metrics, health = Metrics(), Health(store)
    health.set("telegram", "running")
    metrics.posts.inc("telegram")

    async def scenario() -> tuple[int, dict, int, str, str]:
        runner = await ops_server.start(metrics, health, 0)
        base = f"http://127.0.0.1:{ops_server.bound_port(runner)}"
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/healthz") as r:
                    ok_status, body = r.status, await r.json()
                health.set("telegram", "restarting")
                async with http.get(f"{base}/healthz") as r:
                    bad_status = r.status
                async with http.get(f"{base}/metrics") as r:
                    return ok_status, body, bad_status, r.headers["Content-Type"], await r.text()
        finally:
            await runner.cleanup()

    ok_status, body, bad_status, content_type, text = asyncio.run(scenario())
    assert (
        ok_status == 200
        and body["status"] == "ok"
        and body["connectors"] == {"telegram": "running"}
    )
    assert bad_status == 503
    assert content_type.startswith("text/plain; version=0.0.4")
    assert 'monitor_posts_total{platform="telegram"} 1' in text


def test_the_daemon_counts_posts_findings_actions_errors_and_latency(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[Metrics, dict[str, str]]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 3)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            # never started the bot: a DM to them is refused (403)
            fake.add_user(999, "Ghost", "ghost")
            # 1 and 4 leak a seed phrase
            for n, user in zip((0, 1, 2, 4), [*users, 999], strict=True):
                fake.post(GROUP, user, message(n))
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            ingest.health = Health(store)
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            await until(
                lambda: (
                    count(store, "SELECT count(*) FROM posts") == 4
                    and count(store, "SELECT count(*) FROM actions WHERE status = 'planned'") == 0
                )
            )
            states = dict(ingest.health.connectors)
            stop.set()
            await task
            return ingest.metrics, states

    metrics, states = asyncio.run(scenario())
    assert states == {"telegram": "running"}
    assert metrics.posts.get("telegram") == 4
    assert metrics.findings.get("secret_leak") == 2
    assert metrics.actions.get("delete", "sent") == 2 and metrics.actions.get("dm", "sent") == 1
    assert metrics.actions.get("dm", "failed") == 1 and metrics.errors.get("telegram", "403") == 1
    assert metrics.latency.count >= 3 and metrics.latency.sum > 0
