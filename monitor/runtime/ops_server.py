"""The operations endpoint: GET /healthz (JSON, 200 or 503) and GET /metrics (Prometheus text)."""

from __future__ import annotations

import logging

from aiohttp import web

from monitor.core.config import Settings
from monitor.runtime.health import Health
from monitor.runtime.metrics import Metrics

log = logging.getLogger("monitor.ops")

DEFAULT_HOST = "127.0.0.1"  # loopback unless the operator opens it up on purpose
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def build_app(metrics: Metrics, health: Health) -> web.Application:
    """The aiohttp application with its two routes."""

    async def healthz(request: web.Request) -> web.Response:
        ok, body = health.report()
        return web.json_response(body, status=200 if ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(
            body=metrics.render().encode("utf-8"), headers={"Content-Type": CONTENT_TYPE}
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def start(
    metrics: Metrics, health: Health, port: int, host: str = DEFAULT_HOST
) -> web.AppRunner:
    """Listen on host:port (port 0 picks a free one); the runner's cleanup() stops it."""
    runner = web.AppRunner(build_app(metrics, health), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the server listens on."""
    return int(runner.addresses[0][1])


async def start_for(settings: Settings, metrics: Metrics, health: Health) -> web.AppRunner | None:
    """The endpoint `[monitor] metrics_host:metrics_port` asks for, or None when the port is 0."""
    if not settings.metrics_port:
        return None
    runner = await start(metrics, health, settings.metrics_port, settings.metrics_host)
    log.info(
        "health and metrics on http://%s:%d/healthz and /metrics",
        settings.metrics_host,
        bound_port(runner),
    )
    return runner
