"""Ingest-to-action latency and throughput of a real `monitor run` at a
steady post rate, with peak RSS.

A Telegram Bot API fake on 127.0.0.1 (tests/fakes/telegram.py) carries posts in; the daemon runs
as its own process, as in production. Every post is a support request that gets one public reply;
latency is from the moment the fake holds the post to the moment the reply reaches it (so it
includes the long poll, the pipeline, the database and the sender).

Each rate runs against a daemon of its own, one after the other. The daemon's CPU time (its
process and threads: MiniLM runs on one) is read from /proc before the first timed post and after
the last reply, and given per post.

Usage: python bench/latency.py [--rate 100 200] [--seconds 20] [--no-encoder] [--plain]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from procmem import tree_cpu_seconds, tree_peak_mib

from tests.fakes.telegram import TelegramFake, write_config

TOKEN = "7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
GROUP, ADMINS, USERS = -100500, -100999, 200
# No cooldowns or ceiling: every post gets its reply. No waves: 200 accounts posting one template
# within minutes is a copy-paste wave, whose posts are flagged impersonation/wave and not answered.
EXTRA = (
    "\n[limits]\nuser_cooldown = 0\nthread_cooldown = 0\nplatform_per_hour = 10000000\n"
    "\n[waves]\nenabled = false\n"
)
# Every post reaches MiniLM: the n-gram stage is sure it is a request but not of its topic.
TEXT = "Hi, the transfer of {n} USDT I made to my account yesterday is not there, can you check?"
# --plain: a request the n-gram stage settles alone (sure of request and topic), as many are.
PLAIN = (
    "Hi, my withdrawal of {n} USDT has been pending for 3 days and support has not answered, "
    "can someone help?"
)


class TimedFake(TelegramFake):
    """The fake, noting when each post went in and when the reply to it came back."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.posted_at: dict[int, float] = {}
        self.replied_at: dict[int, float] = {}

    def post_timed(self, user: int, text: str) -> None:
        """A user writes in the group; the clock starts now."""
        message_id = self.post(GROUP, user, text)
        self.posted_at[message_id] = time.monotonic()

    async def _api_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        """Record the arrival of a reply, then answer as the fake does."""
        result = await super()._api_sendMessage(p)
        reply_to = self.sent[-1]["asked_reply_to"]
        if reply_to in self.posted_at and reply_to not in self.replied_at:
            self.replied_at[reply_to] = time.monotonic()
        return result


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(url: str, timeout: float = 120) -> None:
    """Poll /healthz until it answers 200."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the daemon did not become healthy")


async def scrape(url: str) -> str:
    """The daemon's /metrics text."""
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return await r.text()


async def warm_up(fake: TimedFake, text: str, timeout: float = 120) -> None:
    """One post answered before the clock starts: the daemon is healthy before MiniLM, which loads
    on its thread at the first post that needs it, is ready."""
    fake.post_timed(1000, text.format(n="warm-up"))
    deadline = time.monotonic() + timeout
    while not fake.replied_at and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if not fake.replied_at:
        raise SystemExit("the warm-up post got no reply")
    fake.posted_at.clear()
    fake.replied_at.clear()


async def drive(fake: TimedFake, text: str, rate: float, seconds: float) -> float:
    """Post at `rate` per second for `seconds`, on an absolute schedule;
    returns when posting ended."""
    count, start = int(rate * seconds), time.monotonic()
    for n in range(count):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        fake.post_timed(1000 + n % USERS, text.format(n=n))
    return time.monotonic()


async def bench(rate: float, seconds: float, folder: Path, extra: str, text: str) -> None:
    """Start the fake and the daemon, drive the load, wait for the replies, print the figures."""
    port = free_port()
    async with TimedFake() as fake:
        fake.add_group(GROUP, "OKX Community", username="okx_community")
        fake.add_group(ADMINS, "OKX moderators", kind="group")
        for n in range(USERS):
            fake.add_user(1000 + n, f"User{n}", f"user_{n}", started=True)
        config = write_config(folder, fake.base_url, admin_chat_id=ADMINS, extra=extra)
        config.write_text(
            config.read_text().replace(
                'log_level = "INFO"', f'log_level = "WARNING"\nmetrics_port = {port}'
            )
        )
        daemon = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "monitor.cli",
            "run",
            "--config",
            str(config),
            "--db",
            str(folder / "m.db"),
            env={**os.environ, "TG_TOKEN": TOKEN},
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(folder / "daemon.log").open("wb"),
        )
        await wait_healthy(f"http://127.0.0.1:{port}/healthz")
        await warm_up(fake, text)
        cpu_before, own_before = tree_cpu_seconds(daemon.pid), _own_cpu()
        first = time.monotonic()
        ended = await drive(fake, text, rate, seconds)
        total = len(fake.posted_at)
        deadline = time.monotonic() + 120
        while len(fake.replied_at) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        last = max(fake.replied_at.values(), default=ended)
        cpu, own = tree_cpu_seconds(daemon.pid) - cpu_before, _own_cpu() - own_before
        rss = tree_peak_mib(daemon.pid)  # the daemon's (and any child process's)
        metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
        daemon.send_signal(signal.SIGTERM)
        await daemon.wait()
    report(fake, rate, first, ended, last, rss, metrics)
    per_post = cpu / max(total, 1) * 1000
    print(
        f"daemon CPU:             {cpu:.1f} s for {total} posts, {per_post:.1f} ms per post"
        f" ({cpu / (last - first) * 100:.0f}% of one core, first post to last reply)"
    )
    print(f"bench's own CPU:        {own / max(total, 1) * 1000:.1f} ms per post (fake and driver)")


def _own_cpu() -> float:
    """CPU seconds this process (the fake and the driver, on the same cores) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(
    fake: TimedFake, rate: float, first: float, ended: float, last: float, rss: float, metrics: str
) -> None:
    """Print the figures."""
    lat = sorted(fake.replied_at[m] - fake.posted_at[m] for m in fake.replied_at)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [float("nan")] * 99
    print(
        f"posts sent to the fake: {len(fake.posted_at)} at {rate:.0f}/s over {ended - first:.1f} s"
    )
    print(f"replies received:       {len(lat)} ({len(fake.posted_at) - len(lat)} missing)")
    print(
        f"ingest-to-action:       p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms"
        if lat
        else "no replies"
    )
    print(
        f"throughput:             {len(lat) / (last - first):.1f} posts/s answered "
        f"(first post to last reply, {last - first:.1f} s)"
    )
    print(f"daemon peak RSS:        {rss:.0f} MiB (with any child processes)")
    own = {
        line.split()[0]: line.split()[1]
        for line in metrics.splitlines()
        if line.startswith("monitor_ingest_to_action_seconds_") and " " in line
    }
    count, total = (
        float(own.get("monitor_ingest_to_action_seconds_count", 0)),
        float(own.get("monitor_ingest_to_action_seconds_sum", 0)),
    )
    results = [
        line
        for line in metrics.splitlines()
        if line.startswith('monitor_actions_total{kind="reply"')
    ]
    print(
        "daemon's reply actions: "
        + ", ".join(line.split('result="')[1].replace('"} ', " ") for line in results)
    )
    if count:
        print(
            f"daemon's own histogram: {count:.0f} actions, mean {total / count * 1000:.0f} ms "
            "(arrival in the daemon to the platform's answer)"
        )


def main() -> None:
    """Parse the options and run the benchmark in a scratch folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rate", type=float, nargs="+", default=[100.0, 200.0], help="posts per second (each)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to post")
    parser.add_argument(
        "--no-encoder",
        action="store_true",
        help="support detector without its sentence encoder ([support] use_encoder = false)",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="posts the n-gram stage settles alone (default: posts that all reach MiniLM)",
    )
    args = parser.parse_args()
    extra = EXTRA + ("\n[support]\nuse_encoder = false\n" if args.no_encoder else "")
    text = PLAIN if args.plain else TEXT
    for n, rate in enumerate(args.rate):
        print(("\n" if n else "") + f"== {rate:.0f} posts/s for {args.seconds:.0f} s", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(bench(rate, args.seconds, Path(folder), extra, text))


if __name__ == "__main__":
    main()
