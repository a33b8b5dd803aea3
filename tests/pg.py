"""A throwaway Postgres cluster for the tests: initdb into a temporary folder (as the `postgres`
user when run as root), listening on 127.0.0.1 only; each test gets a database of its own.
Tests that need it skip, saying why, where no cluster can start (no Postgres installed)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PASSWORD = "pg-test-secret"  # the superuser's, sent by the tests over 127.0.0.1 (scram)
_numbers = itertools.count(1)


def _bin() -> Path | None:
    """The folder of initdb and pg_ctl: $MONITOR_PG_BIN, else Debian's newest, else the PATH."""
    if os.environ.get("MONITOR_PG_BIN"):
        return Path(os.environ["MONITOR_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running cluster; `url(db)` names a database in it, `fresh()` makes a new one."""

    def __init__(self) -> None:
        self.bin = _bin()
        if self.bin is None:
            raise RuntimeError("no Postgres installed (initdb not found; set MONITOR_PG_BIN)")
        self.root = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        (self.root / "pw").write_text(PASSWORD + "\n")
        if self.as_root:  # initdb refuses to run as root: the folder is the postgres user's
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.root / "pw", "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
                  f"--pwfile={self.root / 'pw'}", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "log"), "-w", "-t", "60", "start")

    def _run(self, tool: str, *args: str) -> None:
        assert self.bin is not None
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, check=False, capture_output=True, text=True,
                              timeout=120, cwd="/")
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{database}"

    def fresh(self) -> str:
        """A new empty database's URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start() -> Cluster | str:
    """A running cluster, or why none could start."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    try:
        return Cluster()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        return f"no Postgres cluster could start: {exc}"
