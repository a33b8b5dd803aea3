"""Test-wide fixtures and the offline guard: no test may open a connection off this machine."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core import config

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    """Refuse any connection that is not to the loopback interface or a local socket."""
    if isinstance(address, tuple):
        host = str(address[0])
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise RuntimeError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Applied to every test."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def root_handlers() -> Iterator[None]:
    """The root logger's handlers as they were before the test: a command that sets up logging
    binds a handler to the stderr of its test's capture, which is closed once that test ends."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.handlers[:] = before
    root.setLevel(level)


@pytest.fixture
def settings() -> config.Settings:
    """The bundled example settings."""
    return config.load(None)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """The session's throwaway Postgres cluster (tests/pg.py), started on first use."""
    from tests import pg

    cluster = pg.start()
    if isinstance(cluster, str):
        pytest.skip(cluster)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: object) -> str:
    """A fresh, empty Postgres database for one test."""
    return pg_cluster.fresh()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgres"])
def store_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives, once per backend: an SQLite file, then a Postgres database."""
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(autouse=True, scope="session")
def _every_store_on_postgres() -> Iterator[None]:
    """MONITOR_TEST_STORE=postgres (a developer's sweep, not CI's): every Store a test opens in
    this process by a file path lives in a Postgres database of its own instead, named after the
    path, so the whole suite exercises the Postgres dialect. Tests that look for the file itself
    or start `monitor` in another process fail under it, as expected."""
    import hashlib
    import os

    if os.environ.get("MONITOR_TEST_STORE") != "postgres":
        yield
        return
    from monitor.store import postgres, sqlite
    from tests import pg

    cluster = pg.start()
    if isinstance(cluster, str):
        pytest.exit(cluster)
    made: dict[str, str] = {}

    def url(path: object) -> str:
        key = str(path)
        if postgres.is_url(key):
            return key
        if key == ":memory:" or key not in made:
            made[key] = cluster.fresh()
        return made[key]

    real_new, real_init = sqlite.Store.__new__, postgres.PgStore.__init__

    def new(cls: type, path: object, *args: object, **kwargs: object) -> object:
        return object.__new__(postgres.PgStore)

    def init(self: postgres.PgStore, path: object, *args: object, **kwargs: object) -> None:
        real_init(self, url(path))

    sqlite.Store.__new__ = new  # type: ignore[assignment,method-assign]
    postgres.PgStore.__init__ = init  # type: ignore[method-assign]
    _ = hashlib
    yield
    sqlite.Store.__new__ = real_new  # type: ignore[method-assign]
    postgres.PgStore.__init__ = real_init  # type: ignore[method-assign]
    cluster.stop()
