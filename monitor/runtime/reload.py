"""Config reload on SIGHUP: new thresholds, modes, policy, limits, templates and host lists, same
connectors."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.runtime.daemon import Ingest
from monitor.runtime.outbound import Outbound

log = logging.getLogger("monitor.reload")


async def reload(ingest: Ingest, path: Path, salt: bytes) -> bool:
    """Re-read the config and swap in what it builds; a bad config is logged in one line and the
    old one kept."""
    try:
        settings = await asyncio.to_thread(config.load, path)
        pipeline = await asyncio.to_thread(Pipeline.from_settings, settings, salt)
        outbound = await asyncio.to_thread(Outbound.from_settings, settings)
        logging.getLogger().setLevel(settings.log_level)
    except config.ConfigError as exc:
        log.error("config not reloaded, the running one stays: %s", exc)
        return False
    except Exception as exc:  # noqa: BLE001 - a template or list file that does not load: the same answer
        log.error(
            "config not reloaded, the running one stays: %s: %s", type(exc).__name__, str(exc)[:200]
        )
        return False
    ingest.reconfigure(pipeline, settings.modes, settings.policy, outbound)
    log.info("config reloaded from %s (connectors unchanged)", settings.path)
    return True


def install(ingest: Ingest, path: Path, salt: bytes) -> None:
    """Reload on SIGHUP, one reload at a time, in the running event loop."""
    loop = asyncio.get_running_loop()
    busy = asyncio.Lock()
    tasks: set[asyncio.Task[None]] = set()  # held so a reload in progress is not garbage-collected

    async def once() -> None:
        async with busy:
            await reload(ingest, path, salt)

    def on_hup() -> None:
        task = loop.create_task(once())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hup)
