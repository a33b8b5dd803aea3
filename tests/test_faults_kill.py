"""kill -9 at random points of a real `monitor run`, then restart: no post
lost, no action sent twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

from monitor.store import Store
from tests.fakes.telegram import TelegramFake, until, write_config
from tests.faultworld import (
    ADMINS,
    GROUP,
    OPEN_LIMITS,
    TOKEN,
    check_once_each,
    dump,
    message,
    phrase,
    world,
)

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 12
KILLS = 2  # each start loads the support model (~8 s on 2 busy cores), so two kills, not more
SEED = int(os.environ.get("FAULT_SEED", "20240611"))  # set FAULT_SEED to replay another schedule


async def _spawn(config: Path, db: Path, log: Path) -> asyncio.subprocess.Process:
    """`monitor run` in its own process, its JSON log lines appended to `log`."""
    return await asyncio.create_subprocess_exec(
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
        stderr=log.open("ab"),
    )


def _stored(db: Path, sql: str = "SELECT count(*) FROM posts") -> int:
    """One number from the daemon's database, read from outside while it runs."""
    store = Store(db)
    try:
        return int(store.db.execute(sql).fetchone()[0])
    finally:
        store.close()


def test_random_kill_9s_lose_no_post_and_send_no_action_twice(tmp_path) -> None:
    rng = random.Random(SEED)
    db, log = tmp_path / "monitor.db", tmp_path / "daemon.log"
    Store(db).close()

    async def scenario() -> tuple[TelegramFake, int]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, MESSAGES)
            fake.batch, fake.answer_delay = 1, 0.15  # a slow stream, so kills land mid-way
            config = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS, extra=OPEN_LIMITS)
            for n, user in enumerate(users):
                fake.post(GROUP, user, message(n))
            for _ in range(KILLS):
                before = _stored(db)
                daemon = await _spawn(config, db, log)
                # a random point after the daemon began storing: mid-ingest, mid-send or in between
                await until(
                    lambda b=before, d=daemon: _stored(db) > b or d.returncode is not None,
                    timeout=60,
                )
                await asyncio.sleep(rng.uniform(0.0, 0.8))
                daemon.kill()  # SIGKILL: no flush, no goodbye
                await daemon.wait()
            assert _stored(db) < MESSAGES, "the kills did not land mid-stream"
            final = await _spawn(config, db, log)
            await until(
                lambda: (
                    _stored(db) == MESSAGES
                    and fake.confirmed == MESSAGES + 1
                    and _stored(db, "SELECT count(*) FROM actions WHERE status = 'planned'") == 0
                ),
                timeout=60,
            )
            final.send_signal(signal.SIGTERM)
            return fake, await asyncio.wait_for(final.wait(), 30)

    fake, code = asyncio.run(scenario())
    output = log.read_text(encoding="utf-8")
    assert code == 0, output[-2000:]
    store = Store(db)
    check_once_each(fake, store, MESSAGES)
    interrupted = store.db.execute(
        "SELECT count(*) FROM actions WHERE result LIKE 'interrupted%'"
    ).fetchone()[0]
    assert interrupted <= KILLS  # at most the one call each kill cut off, and never resent
    for n in range(MESSAGES):
        assert phrase(n) not in dump(store) + output
