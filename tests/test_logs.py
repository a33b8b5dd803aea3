"""Structured JSON logs: one object a line, extra fields kept, and no secret in any
line, library loggers included."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.classify.secrets import find_secrets
from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.runtime import daemon, logs
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until
from tests.faultworld import GROUP, TOKEN, count, ingest_for, phrase, settings_for, world

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "stream.jsonl"
PASSWORD = "Gr33n-Tea-41!x"
API_SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
LEAKS = [
    f"my seed phrase is {phrase(7)}",
    f"my password is {PASSWORD}",
    f"api secret: {API_SECRET}",
    f"bot token {TOKEN} pls help",
]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Logging set up as `monitor run --log-format json` does it, into a
    buffer; restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    logs.setup("DEBUG", "json", stream=stream)
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]
    logging.captureWarnings(False)


def _lines(text: str) -> list[dict]:
    """Every line as its JSON object (each must parse)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_each_record_is_one_json_object_with_its_extra_fields(captured) -> None:
    logging.getLogger("monitor.test").info(
        "post %s stored", "telegram/1", extra={"platform": "telegram", "n": 3}
    )
    [line] = _lines(captured.getvalue())
    assert set(line) == {"time", "level", "logger", "message", "platform", "n"}
    assert (line["level"], line["logger"], line["message"]) == (
        "INFO",
        "monitor.test",
        "post telegram/1 stored",
    )
    assert (line["platform"], line["n"]) == ("telegram", 3)
    assert line["time"].endswith("+00:00")


def test_secrets_in_messages_arguments_tracebacks_and_library_lines_are_removed(
    captured, monkeypatch
) -> None:
    monkeypatch.setenv("SOME_TOKEN_ENV", "zq9-credential-value-77")
    assert config.env_secret("SOME_TOKEN_ENV")
    logging.getLogger("monitor.x").warning("got %s", LEAKS[0])
    logging.getLogger("aiohttp.client").info(
        f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getMe"
    )
    logging.getLogger("prawcore").debug("answer: %r", {"text": LEAKS[1]})
    logging.getLogger("monitor.y").info("extra", extra={"payload": LEAKS[2]})
    logging.getLogger("monitor.z").error("env value zq9-credential-value-77 leaked")
    try:
        raise ValueError(LEAKS[3])
    except ValueError:
        logging.getLogger("discord.client").exception("handler failed")
    text = captured.getvalue()
    assert len(_lines(text)) == 6
    for secret in (phrase(7), PASSWORD, API_SECRET, TOKEN, "zq9-credential-value-77"):
        assert secret not in text
    assert "[credential removed]" in text and "seed phrase removed" in text


def test_text_format_is_scrubbed_too() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logs.setup("INFO", "text", stream=stream)
        logging.getLogger("monitor").info("seed: %s", phrase(3))
    finally:
        root.handlers[:], root.level = saved
    assert phrase(3) not in stream.getvalue() and "seed phrase removed" in stream.getvalue()


def _raw_secrets(texts: list[str]) -> set[str]:
    """The raw spans the secret finders see in these texts."""
    return {t[m.start : m.end] for t in texts for m in find_secrets(t) if m.end - m.start >= 8}


def test_the_demo_at_debug_level_logs_json_without_a_secret(tmp_path) -> None:
    cfg = tmp_path / "monitor.toml"
    example = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    example = example.replace('log_level = "INFO"', 'log_level = "DEBUG"').replace(
        '"impersonation/phishing_example.txt"',
        f'"{config.DEFAULT_CONFIG.parent / "impersonation/phishing_example.txt"}"',
    )
    cfg.write_text(example, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "run",
            "--config",
            str(cfg),
            "--replay",
            str(DEMO),
            "--db",
            str(tmp_path / "m.db"),
            "--dry-run",
            "--log-format",
            "json",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("{")]
    assert lines and all(json.loads(line)["level"] for line in lines)
    texts = [
        json.loads(line)["text"]
        for line in DEMO.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    secrets = _raw_secrets(texts)
    assert len(secrets) >= 5  # the demo stream does leak secrets
    leaked = [s for s in secrets if s in run.stderr + run.stdout]
    assert not leaked, f"{len(leaked)} raw secret(s) in the log"


def test_the_fake_platform_scenario_at_debug_level_logs_no_secret(
    tmp_path, monkeypatch, captured
) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> None:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, len(LEAKS))
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            for user, text in zip(users, LEAKS, strict=True):
                fake.post(GROUP, user, text)
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            connectors = build_connectors(settings, store)
            for name in ("telegram", "httpx", "httpcore"):  # what a careless operator might do
                logging.getLogger(name).setLevel(logging.DEBUG)
            task = asyncio.create_task(
                daemon.run(
                    connectors,
                    ingest,
                    stop,
                    send_interval=0.05,
                    outbound=Outbound.from_settings(settings),
                )
            )
            await until(
                lambda: (
                    count(store, "SELECT count(*) FROM posts") == len(LEAKS)
                    and count(store, "SELECT count(*) FROM actions WHERE status = 'planned'") == 0
                ),
                timeout=30,
            )
            stop.set()
            await task

    asyncio.run(scenario())
    text = captured.getvalue()
    assert len(_lines(text)) > 10  # library loggers spoke too
    assert any(
        line["logger"].startswith(("telegram", "httpx", "httpcore")) for line in _lines(text)
    )
    # with its payload
    assert any("Calling Bot API endpoint" in line["message"] for line in _lines(text))
    for secret in (phrase(7), PASSWORD, API_SECRET, TOKEN):
        assert secret not in text
