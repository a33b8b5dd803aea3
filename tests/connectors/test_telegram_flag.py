"""/flag on Telegram: a manager answers a scam the detectors passed with /flag in the group
itself; the running daemon's campaign memory then flags its copy (known_scam_copy). The daemon
as `monitor run` assembles it, python-telegram-bot against the loopback fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from monitor.cli.connecting import build_connectors
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.runtime import daemon
from monitor.runtime.outbound import Outbound
from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

GROUP, ADMINS = -100500, -100999
BOSS, MALLORY, SCAMMER, NEWCOMER = 11, 12, 77, 78  # BOSS is the config's only admin
REFUSAL = "Sorry, this command is only for the OKX support managers."
SCAM = ("Honestly the best decision this year was joining the signals group run by Mr Daniel "
        "Harris, my portfolio grew four times in two weeks, write to him at harris-signals.net "
        "and say Anna sent you")
COPY = ("honestly the best decision of this year was joining the signals group of Mr. Daniel "
        "Harris - my portfolio grew 5x in three weeks!! write to him and say Maria sent you")
# The daemon reads new decisions every batch; a newcomer's first message is weighed as anyone's
# (else the stricter threshold flags the scam itself, and there is nothing missed to flag).
EXTRA = "\n[memory]\nrefresh_seconds = 0.0\n\n[newcomers]\nfactor = 1.0\n"


@asynccontextmanager
async def _daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  store: Store) -> AsyncIterator[TelegramFake]:
    """The daemon with the Telegram connector and its command layer, sending every 50 ms."""
    async with TelegramFake() as fake:
        fake.add_group(GROUP, "OKX Community", username="okx_community")
        fake.add_group(ADMINS, "OKX moderators", kind="group")
        fake.add_user(BOSS, "Boss", "boss", started=True)
        fake.add_user(MALLORY, "Mallory", "mallory", started=True)
        fake.add_user(SCAMMER, "Daniel Harris FX", "daniel_harris_fx")
        fake.add_user(NEWCOMER, "Maria", "maria_signals_22")
        monkeypatch.setenv("TG_TOKEN", fake.token)
        settings = config.load(write_config(tmp_path, fake.base_url, ADMINS, EXTRA))
        ingest = daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store,
                               settings.modes, False)
        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(build_connectors(settings, store), ingest, stop,
                                              0.05, Outbound.from_settings(settings)))
        try:
            yield fake
        finally:
            stop.set()
            await task


async def _ask(fake: TelegramFake, user: int, text: str, reply_to: int | None) -> str:
    """A command in the group (as a reply to a message, if given) and the bot's answer to it."""
    message = fake.post(GROUP, user, text, reply_to=reply_to)
    await until(lambda: any(m["asked_reply_to"] == message for m in fake.sent_to(GROUP)))
    return next(m["text"] for m in fake.sent_to(GROUP) if m["asked_reply_to"] == message)


def _findings(store: Store, message: int) -> dict[str, dict[str, str]]:
    """The findings on one group message: label -> row."""
    return {f["label"]: f for f in store.post_findings("telegram", f"{GROUP}:{message}")}


def test_a_scam_flagged_with_a_reply_makes_its_copy_a_known_scam_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "monitor.db")

    async def scenario() -> tuple[int, int]:
        async with _daemon(tmp_path, monkeypatch, store) as fake:
            scam = fake.post(GROUP, SCAMMER, SCAM)
            await until(lambda: store.has_post("telegram", f"{GROUP}:{scam}"))
            assert _findings(store, scam) == {}  # the detectors passed it
            assert await _ask(fake, MALLORY, "/flag", scam) == REFUSAL
            assert (await _ask(fake, BOSS, "/flag", None)).startswith("Send /flag as a reply")
            assert (await _ask(fake, BOSS, "/flag scam", scam)).startswith("Unknown kind")
            answer = await _ask(fake, BOSS, "/flag imp signals_scam fake signals group", scam)
            flagged = _findings(store, scam)["signals_scam"]
            said = (f"Flagged #{flagged['id']} as impersonation/signals_scam, confirmed by "
                    "telegram:11 @boss.")
            assert answer.splitlines() == [
                said, "takedown case #1 opened for host harris-signals[.]net"]
            # the bot's own answer is no stored post: nothing to flag
            own = fake.sent_to(GROUP)[-1]["message_id"]
            assert (await _ask(fake, BOSS, "/flag", own)).startswith("That message is not stored")
            copy = fake.post(GROUP, NEWCOMER, COPY)
            await until(lambda: "known_scam_copy" in _findings(store, copy))
            return flagged["id"], copy

    finding_id, copy = asyncio.run(scenario())
    evidence = _findings(store, copy)["known_scam_copy"]["evidence"]
    assert f"finding #{finding_id}" in evidence and "similarity" in evidence
    [decision] = store.reviews_of(finding_id)
    assert (decision["who"], decision["decision"], decision["note"]) == (
        "telegram:11 @boss", "confirmed", "fake signals group")
    audit = [(r["who"], r["action"]) for r in store.db["audit"].rows]
    assert ("telegram:12 @mallory", "refused:/flag") in audit
    assert [a for w, a in audit if w == "telegram:11 @boss" and a.startswith("/")] == [
        "/flag"] * 4
