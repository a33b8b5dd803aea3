"""The daily digest: its text from the store, its clock (once a day, across restarts) and
`monitor digest` printing it and sending it to a webhook and an SMTP server on loopback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core import config
from monitor.core.models import Author, Finding, Post
from monitor.desk import digest
from monitor.replies.guard import Guard
from monitor.runtime.alerting.routing import Alerting
from monitor.runtime.alerting.schedule import SENT_KEY, digest_loop, due, next_run
from monitor.runtime.alerting.webhook import WebhookChannel
from monitor.store import Store
from monitor.store.case_rows import open_or_join
from tests.fakes import until
from tests.fakes.smtp import SmtpServer
from tests.fakes.webhook import WebhookReceiver

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _post(store: Store, pid: str, findings: list[Finding], created: datetime) -> None:
    post = Post("telegram", pid, Author("telegram", f"u{pid}", f"user{pid}"), "[redacted]",
                "group", created_at=created)
    store.record(post, findings, [], [])


def _finding(kind: str, label: str) -> Finding:
    return Finding(kind, label, 0.9, "evidence", kind)


def _world(store: Store) -> None:
    """Three findings today, one reviewed of each outcome, an open case."""
    _post(store, "1", [_finding("secret_leak", "seed_phrase")], NOW - timedelta(hours=2))
    _post(store, "2", [_finding("impersonation", "scam_lure")], NOW - timedelta(hours=1))
    _post(store, "3", [_finding("impersonation", "staff_claim")], NOW - timedelta(hours=1))
    store.review(2, "confirmed", "ann")
    store.review(3, "false_positive", "ann")
    open_or_join(store, "host", "okx-help.support", ("telegram", "2"), "ann")


def test_the_digest_counts_precision_cases_and_the_oldest_wait(
    tmp_path: Path, settings: config.Settings
) -> None:
    store = Store(tmp_path / "m.db")
    _world(store)
    store.db.execute("UPDATE findings SET created_at = ? WHERE id = 1",
                     [(NOW - timedelta(hours=26)).isoformat()])
    text = digest.build(store, NOW)
    assert text.startswith("support-monitor daily digest, 2026-12-06 08:00 UTC")
    assert "Findings in the last 24 h: 2\n- support_request: 0\n- impersonation: 2" in text
    assert "- secret_leak: 0" in text  # flagged 26 hours ago
    assert "- impersonation: 0.50 (1 confirmed, 1 dismissed)" in text
    assert "- secret_leak: n/a (no decisions)" in text
    assert "Open takedown cases: 1\n- case #1 host okx-help[.]support (open," in text
    assert "finding #1 (secret_leak: seed_phrase) on telegram, waiting 1d 2h" in text
    assert Guard(settings.brand).check(text, "telegram", "alert") is None  # fit to send anywhere


def test_an_empty_store_has_a_digest_too(tmp_path: Path) -> None:
    text = digest.build(Store(tmp_path / "m.db"), NOW)
    assert "Findings in the last 24 h: 0" in text and "Open takedown cases: 0" in text
    assert "Oldest unreviewed item: none, the queue is empty" in text


def test_the_digest_time_is_the_next_hh_mm_utc() -> None:
    assert next_run("08:30", NOW) == NOW.replace(minute=30)
    assert next_run("08:00", NOW) == NOW + timedelta(days=1)  # at the minute itself: tomorrow's
    assert next_run("07:00", NOW) == NOW.replace(hour=7) + timedelta(days=1)


def test_the_digest_is_due_once_a_day_after_its_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    assert not due(store, "09:00", NOW)
    assert due(store, "08:00", NOW)
    store.set_meta(SENT_KEY, "2026-12-06")  # sent today, e.g. before a restart
    assert not due(store, "08:00", NOW) and due(store, "08:00", NOW + timedelta(days=1))


def test_the_loop_sends_one_digest_a_day_even_when_restarted(
    tmp_path: Path, settings: config.Settings
) -> None:
    store = Store(tmp_path / "m.db")

    async def run_twice() -> WebhookReceiver:
        async with WebhookReceiver(b"k") as hook:
            channel = WebhookChannel(hook.url, b"k", attempts=1)
            alerting = Alerting(Guard(settings.brand), {"webhook": channel}, {}, ("webhook",),
                                "07:00")
            for _ in range(2):  # a restart the same day sends nothing more
                stop = asyncio.Event()
                task = asyncio.create_task(
                    digest_loop(store, alerting, digest.build, stop, lambda: NOW))
                await until(lambda: bool(hook.received))
                await asyncio.sleep(0.2)
                stop.set()
                await task
            return hook

    hook = asyncio.run(run_twice())
    assert len(hook.received) == 1 and "daily digest" in hook.received[0]["text"]


CONFIG = """
[brand]
name = "OKX"
domains = ["okx.com"]
live_chat_url = "https://www.okx.com/help"
ticket_url = "https://www.okx.com/support/submit-request"

[monitor]
db = "{db}"

[alerts.webhook]
enabled = true
url = "{hook}"
secret_env = "DIGEST_HOOK_SECRET"
attempts = 2
backoff = 0.05

[alerts.email]
enabled = true
host = "127.0.0.1"
port = {smtp}
from = "monitor@okx.com"
to = ["desk@okx.com", "lead@okx.com"]
starttls = false

[alerts.digest]
enabled = true
channels = ["telegram", "webhook", "email"]
"""


def test_monitor_digest_prints_and_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "m.db"
    _world(Store(db))
    monkeypatch.setenv("DIGEST_HOOK_SECRET", "a-secret-to-sign-with")
    assert main(["digest", "--db", str(db)]) == 0
    assert "Open takedown cases: 1" in capsys.readouterr().out

    async def send(smtp: SmtpServer) -> tuple[int, WebhookReceiver]:
        async with WebhookReceiver(b"a-secret-to-sign-with", fail_first=1) as hook:
            cfg = tmp_path / "monitor.toml"
            cfg.write_text(CONFIG.format(db=db, hook=hook.url, smtp=smtp.port), encoding="utf-8")
            code = await asyncio.to_thread(main, ["digest", "--send", "--config", str(cfg)])
            return code, hook

    with SmtpServer() as smtp:
        code, hook = asyncio.run(send(smtp))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "webhook: sent\nemail: sent" in out and "telegram: skipped" in out
    assert len(hook.received) == 1 and hook.attempts == 2  # after one 503
    assert "daily digest" in hook.received[0]["text"]
    (message,) = smtp.messages
    assert message["To"] == "desk@okx.com, lead@okx.com"


def test_monitor_digest_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "--db", str(tmp_path / "none.db")]) == 2
    assert "database not found" in capsys.readouterr().err
