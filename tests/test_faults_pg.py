"""Postgres faults: a database that cannot be used stops `monitor run` at start with one line (host
and reason, never the password); a connection lost mid-run is waited out; an older schema is
migrated once, by one of the replicas opening it together."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path

from monitor.cli.entry import main
from monitor.core.config import DEFAULT_CONFIG
from monitor.store import MIGRATIONS, Store
from monitor.store import sqlite as store_sqlite
from tests.fakes.telegram import TelegramFake, until
from tests.faultworld import (
    GROUP,
    PENDING,
    POSTS,
    TOKEN,
    check_once_each,
    count,
    ingest_for,
    message,
    run_daemon,
    settings_for,
    world,
)
from tests.pg import PASSWORD


def _replay(tmp_path: Path) -> Path:
    path = tmp_path / "stream.jsonl"
    path.write_text("", encoding="utf-8")
    return path


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing listens there


def test_an_unreachable_postgres_stops_run_at_start_with_one_line(tmp_path, capsys) -> None:
    port = _dead_port()
    url = f"postgresql://monitor:{PASSWORD}@127.0.0.1:{port}/monitor"
    code = main(["run", "--replay", str(_replay(tmp_path)), "--db", url])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert f"127.0.0.1:{port}/monitor" in err and "not reachable" in err
    assert "refused" in err.lower()
    assert PASSWORD not in err


def test_refused_credentials_stop_run_at_start_without_the_password(
    tmp_path, capsys, pg_cluster
) -> None:
    url = pg_cluster.url("postgres", password="wrong-" + PASSWORD)
    code = main(["run", "--replay", str(_replay(tmp_path)), "--db", url])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert f"127.0.0.1:{pg_cluster.port}/postgres" in err
    assert "password authentication failed" in err
    assert PASSWORD not in err


def test_an_older_schema_is_migrated_once_by_one_of_many_replicas(pg_url, monkeypatch) -> None:
    monkeypatch.setattr(store_sqlite, "MIGRATIONS", MIGRATIONS[:-1])
    Store(pg_url).close()  # a database made by the release before
    monkeypatch.setattr(store_sqlite, "MIGRATIONS", MIGRATIONS)
    errors: list[BaseException] = []
    versions: list[int] = []

    def open_one() -> None:
        try:
            store = Store(pg_url)
            versions.append(store.schema_version())
            store.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert versions == [len(MIGRATIONS)] * 4
    store = Store(pg_url)
    columns = store.db.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'actions' "
        "AND column_name = 'claimed_by'").fetchone()
    assert columns == (1,)



def test_a_connection_lost_mid_run_is_waited_out_and_nothing_confirmed_unstored(
    tmp_path, monkeypatch, pg_url
) -> None:
    store, watcher = Store(pg_url), Store(pg_url)  # the daemon's, and one reading from outside
    dead = f"postgresql://monitor:{PASSWORD}@127.0.0.1:{_dead_port()}/monitor"

    async def scenario() -> TelegramFake:
        async with TelegramFake(token=TOKEN) as fake:
            users = world(fake, 4)
            monkeypatch.setenv("TG_TOKEN", TOKEN)
            settings = settings_for(tmp_path, fake)
            ingest, stop = ingest_for(settings, store), asyncio.Event()
            task = asyncio.create_task(run_daemon(settings, store, ingest, stop))
            fake.post(GROUP, users[0], message(0))
            await until(lambda: count(watcher, POSTS) == 1 and fake.confirmed == 2)
            live, store.db.url = store.db.url, dead  # the server is gone: reconnecting fails
            watcher.db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                               "application_name = 'monitor' AND pid <> pg_backend_pid()")
            for n in (1, 2, 3):
                fake.post(GROUP, users[n], message(n))
            await until(lambda: ingest.metrics.restarts.get("telegram")
                        + ingest.metrics.store_errors.get("io") >= 2, timeout=30)
            assert count(watcher, POSTS) == 1
            assert fake.confirmed <= 2, "an update was confirmed before it was stored"
            store.db.url = live  # back
            await until(lambda: count(watcher, POSTS) == 4 and count(watcher, PENDING) == 0,
                        timeout=60)
            stop.set()
            await task
            return fake

    fake = asyncio.run(scenario())
    check_once_each(fake, watcher, 4)


def test_the_config_names_postgres_too(tmp_path, capsys) -> None:
    port = _dead_port()
    config = tmp_path / "monitor.toml"
    example = DEFAULT_CONFIG.read_text(encoding="utf-8")
    config.write_text(example.replace(
        'db = "monitor.db"', f'db = "postgresql://monitor:{PASSWORD}@127.0.0.1:{port}/m"'),
        encoding="utf-8")
    code = main(["run", "--config", str(config), "--replay", str(_replay(tmp_path))])
    err = capsys.readouterr().err.strip()
    assert code == 2 and f"database 127.0.0.1:{port}/m not reachable" in err, err
    assert PASSWORD not in err
