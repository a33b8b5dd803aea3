"""Replicas on one Postgres: leases (one owner per stream), actions claimed once, two replicas
replaying one stream store each post once, and a replica killed -9 mid-stream is taken over
within 30 s with no post lost and no action sent twice."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from monitor.core.models import Action, Author, Post
from monitor.resources import data_path
from monitor.runtime.sender import fail_interrupted
from monitor.store import Store
from monitor.store.leases import Leases
from tests.fakes.telegram import TelegramFake, until, write_config
from tests.faultworld import ADMINS, GROUP, OPEN_LIMITS, TOKEN, check_once_each, message, world

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 12


def _count(url: str, sql: str) -> int:
    store = Store(url)
    try:
        return int(store.db.execute(sql).fetchone()[0])
    finally:
        store.close()


def test_a_lease_has_one_owner_until_it_expires_or_is_given_back(pg_url) -> None:
    store = Store(pg_url)
    one, two = Leases(store, "one", 15.0), Leases(store, "two", 15.0)
    assert one.take("telegram") and one.take("telegram")  # taken, then renewed
    assert not two.take("telegram")
    assert two.take("discord")
    assert one.owners() == {"telegram": "one", "discord": "two"}
    store.db.execute("UPDATE leases SET expires = 0 WHERE stream = 'telegram'")  # one went silent
    assert two.take("telegram") and not one.take("telegram")
    two.give_back("telegram")
    assert one.take("telegram")


def test_only_a_dead_replicas_action_in_flight_is_failed(pg_url) -> None:
    store = Store(pg_url)
    post = Post(platform="telegram", id="1", author=Author("telegram", "7", "a"), text="x")
    store.add_post(post)
    alive, dead = Leases(store, "alive", 15.0), Leases(store, "dead", 15.0)
    alive.beat([])
    dead.beat([])
    store.db.execute("UPDATE replicas SET seen = 0 WHERE id = 'dead'")
    for kind, owner in (("reply", "alive"), ("dm", "dead")):
        action_id = store.plan_action(post, Action(kind, "telegram", "1", "hi", "r"))
        store.replica = owner
        store.mark_sending(action_id or 0)
    assert fail_interrupted(store) == 1
    assert {r["kind"]: r["status"] for r in store.db["actions"].rows} == {
        "reply": "sending", "dm": "failed"}


def _spawn(args: list[str], log: Path, **env: str) -> asyncio.subprocess.Process:
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable, "-m", "monitor.cli", "run", *args, env={**os.environ, **env}, cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("ab"))


def test_two_replicas_replaying_one_stream_store_each_post_once(tmp_path, pg_url) -> None:
    stream = Path(str(data_path("demo", "stream.jsonl")))
    copies = [tmp_path / f"stream{n}.jsonl" for n in (1, 2)]  # two leases: both read at once
    for copy in copies:
        shutil.copy(stream, copy)
    log = tmp_path / "replicas.log"
    lines = len(stream.read_text(encoding="utf-8").splitlines())

    async def both() -> list[int]:
        procs = [await _spawn(["--replay", str(c), "--db", pg_url, "--dry-run"], log)
                 for c in copies]
        return [await asyncio.wait_for(p.wait(), 240) for p in procs]

    codes = asyncio.run(both())
    assert codes == [0, 0], log.read_text(encoding="utf-8")[-3000:]
    assert _count(pg_url, "SELECT count(*) FROM posts") == lines
    assert _count(pg_url, "SELECT count(*) FROM (SELECT DISTINCT platform, post_id, label, "
                          "fingerprint FROM findings) f") == \
        _count(pg_url, "SELECT count(*) FROM findings")
    assert _count(pg_url, "SELECT count(*) FROM actions") > 0
    assert _count(pg_url, "SELECT count(*) FROM (SELECT platform, post_id, kind FROM actions "
                          "GROUP BY platform, post_id, kind HAVING count(*) > 1) d") == 0


def test_a_replica_killed_mid_stream_is_taken_over_within_30s(tmp_path, pg_url) -> None:
    logs = [tmp_path / "one.log", tmp_path / "two.log"]

    async def scenario() -> tuple[TelegramFake, float, list[int]]:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, MESSAGES)
            fake.batch, fake.answer_delay = 1, 1.0  # a slow stream: the kill lands mid-way
            config = write_config(tmp_path, fake.base_url, admin_chat_id=ADMINS, extra=OPEN_LIMITS)
            for n, user in enumerate(users):
                fake.post(GROUP, user, message(n))
            args = ["--config", str(config), "--db", pg_url]
            procs = [await _spawn(args, log, TG_TOKEN=TOKEN) for log in logs]
            owner_pid = ("SELECT r.pid FROM leases l JOIN replicas r ON r.id = l.owner "
                         "WHERE l.stream = 'telegram'")
            await until(lambda: _count(pg_url, "SELECT count(*) FROM replicas") == 2
                        and _count(pg_url, "SELECT count(*) FROM posts") >= 2, timeout=90)
            pid = _count(pg_url, owner_pid)
            assert _count(pg_url, "SELECT count(*) FROM posts") < MESSAGES, "not mid-stream"
            killed = next(p for p in procs if p.pid == pid)
            survivor = next(p for p in procs if p.pid != pid)
            killed.kill()  # SIGKILL: no flush, no lease given back
            await killed.wait()
            dead = time.monotonic()
            await until(lambda: _count(pg_url, owner_pid) == survivor.pid, timeout=40)
            takeover = time.monotonic() - dead
            await until(
                lambda: _count(pg_url, "SELECT count(*) FROM posts") == MESSAGES
                and fake.confirmed == MESSAGES + 1
                and _count(pg_url, "SELECT count(*) FROM actions WHERE status IN "
                                   "('planned', 'sending')") == 0,
                timeout=90)
            survivor.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(survivor.wait(), 30)
            return fake, takeover, [code]

    fake, takeover, codes = asyncio.run(scenario())
    output = "".join(log.read_text(encoding="utf-8") for log in logs)
    assert codes == [0], output[-3000:]
    assert takeover <= 30, f"taken over after {takeover:.1f}s"
    print(f"takeover after {takeover:.1f}s")
    store = Store(pg_url)
    check_once_each(fake, store, MESSAGES)
    assert _count(pg_url, "SELECT count(*) FROM leases") == 0  # given back at the clean stop


def test_health_names_the_streams_a_replica_owns_and_metrics_its_leases(pg_url) -> None:
    from monitor.runtime.health import Health
    from monitor.runtime.metrics import Metrics
    from monitor.runtime.replicas import Replica

    store, metrics = Store(pg_url), Metrics()
    replica = Replica(store, metrics, replica_id="host-1")
    health = Health(store)
    health.replica = replica
    health.set("telegram", "running")
    health.set("discord", "standby")  # another replica owns it: not a fault here
    replica.owned["telegram"] = time.monotonic()
    ok, body = health.report()
    assert ok and body["replica"] == {"id": "host-1", "streams": ["telegram"]}
    metrics.replica = replica.id
    replica._count("telegram", "taken")
    text = metrics.render()
    assert 'monitor_stream_leases_total{replica="host-1",stream="telegram",event="taken"} 1' in text
    assert 'monitor_replica_info{replica="host-1"} 1' in text


def test_a_replica_that_cannot_renew_stops_its_stream_before_the_lease_ends(
    pg_url, monkeypatch
) -> None:
    """The fence: with the lease database gone, the stream is stopped within FENCE_AFTER of the
    last renewal (here scaled down 10x), before the lease expires for another replica."""
    from monitor.runtime import daemon, replicas
    from monitor.runtime.health import Health
    from tests.test_faults_pg import _dead_port

    monkeypatch.setattr(replicas, "RENEW_EVERY", 0.3)
    monkeypatch.setattr(replicas, "FENCE_AFTER", 1.0)
    monkeypatch.setattr(replicas, "CALL_TIMEOUT", 0.5)
    store = Store(pg_url)
    replica = replicas.Replica(store, replica_id="fenced")

    class Forever:
        name, platforms, stream = "telegram", ("telegram",), "telegram"
        reading = False

        async def run(self, emit: object) -> None:
            self.reading = True
            try:
                await asyncio.Event().wait()
            finally:
                self.reading = False

    class Ingest:
        health = Health(store)
        metrics = replica.metrics

    async def scenario() -> float:
        stop, connector = asyncio.Event(), Forever()
        beat = asyncio.create_task(replica.beat(stop))
        hold = asyncio.create_task(replica.hold(connector, Ingest(), stop, daemon.supervise))
        await until(lambda: connector.reading, timeout=10)
        renewed = replica.owned["telegram"]
        replica.leases.db.url = f"postgresql://x:y@127.0.0.1:{_dead_port()}/x"
        replica.leases.db.conn.close()  # the lease database is gone
        await until(lambda: not connector.reading, timeout=10)
        fenced = time.monotonic() - renewed
        assert Ingest.health.connectors["telegram"] == "standby"
        stop.set()
        await asyncio.gather(beat, hold)
        return fenced

    fenced = asyncio.run(scenario())
    assert fenced < 1.5  # a real replica: FENCE_AFTER 10 s (+ a renewal's timeout) < LEASE_TTL 15 s
    assert replica.metrics.leases.get("fenced", "telegram", "lost") == 1
