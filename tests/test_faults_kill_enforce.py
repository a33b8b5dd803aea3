"""kill -9 of a real `monitor run` between planning a restriction and sending it, and while Telegram
carries it out: after restarts the account was restricted once, and the call cut off is failed,
never sent again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config

ROOT = Path(__file__).resolve().parent.parent
GROUP, ADMINS = -100500, -100999
ALICE, IMPOSTOR = 21, 66
TOKEN = "7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # the shape of a real bot token
ENFORCE = """
[policy]
impersonation = ["reply", "alert", "report", "delete", "restrict"]

[limits]
user_cooldown = 0
thread_cooldown = 0
"""


async def _spawn(config: Path, db: Path, log: Path) -> asyncio.subprocess.Process:
    """`monitor run` in its own process, its JSON log lines appended to `log`."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitor.cli", "run", "--config", str(config), "--db", str(db),
        env={**os.environ, "TG_TOKEN": TOKEN}, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("ab"))


def _status(db: Path, kind: str) -> tuple[str, str]:
    """(status, result) of the impostor's post's action of this kind, read from outside."""
    store = Store(db)
    try:
        row = store.db.execute("SELECT status, result FROM actions WHERE kind = ?",
                               [kind]).fetchone()
        return (str(row[0]), str(row[1] or "")) if row else ("", "")
    finally:
        store.close()


async def _kill_when(config: Path, db: Path, log: Path, called: str, fake: TelegramFake) -> None:
    """Start the daemon and kill -9 it once Telegram received `called` (and is slow to answer)."""
    before = fake.calls.count(called)
    daemon = await _spawn(config, db, log)
    await until(lambda: fake.calls.count(called) > before or daemon.returncode is not None,
                timeout=90)
    daemon.kill()  # SIGKILL: no flush, no goodbye
    await daemon.wait()


def test_a_restriction_is_never_sent_twice_across_kill_9s(tmp_path: Path) -> None:
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"
    Store(db).close()

    async def scenario() -> tuple[TelegramFake, int, tuple[str, str]]:
        async with TelegramFake(token=TOKEN, can_read_all_group_messages=True) as fake:
            fake.add_group(GROUP, "OKX Community", username="okx_community", bot_can_restrict=True)
            fake.add_group(ADMINS, "OKX moderators", kind="group")
            fake.add_user(ALICE, "Alice", "alice", started=True)
            fake.add_user(IMPOSTOR, "OKX Support", "0kx_support")
            config = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS, extra=ENFORCE)
            help_ = fake.post(GROUP, ALICE, "my withdrawal has been pending for 3 days, help?")
            fake.post(GROUP, IMPOSTOR, "Hello, I am from OKX support. Please verify your wallet at "
                      "https://okx-verify-wallet.com and I will fix it", reply_to=help_)
            # 1: killed while the delete is out: the restriction is planned, not yet sent.
            fake.delays = {"deleteMessage": 60.0}
            await _kill_when(config, db, log, "deleteMessage", fake)
            planned = _status(db, "restrict")
            # 2: killed while Telegram restricts the account and has not answered yet.
            fake.delays = {"restrictChatMember": 60.0}
            await _kill_when(config, db, log, "restrictChatMember", fake)
            fake.delays = {}
            final = await _spawn(config, db, log)
            await until(lambda: _status(db, "alert")[0] == "sent"
                        and _status(db, "restrict")[0] not in ("planned", "sending"), timeout=90)
            final.send_signal(signal.SIGTERM)
            return fake, await asyncio.wait_for(final.wait(), 30), planned

    fake, code, planned = asyncio.run(scenario())
    assert code == 0, log.read_text(encoding="utf-8")[-2000:]
    assert planned[0] == "planned"  # the first kill fell between planning and sending
    assert fake.moderated == [("restrictChatMember", GROUP, IMPOSTOR)]  # once, whatever the kills
    assert fake.calls.count("restrictChatMember") == 1 and fake.calls.count("deleteMessage") == 1
    for kind in ("delete", "restrict"):  # each cut-off call is failed, not resent
        status, result = _status(db, kind)
        assert status == "failed" and result.startswith("interrupted"), (kind, status, result)
    assert (GROUP, IMPOSTOR) in fake.restricted
