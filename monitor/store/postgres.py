"""Postgres behind the same Store: a small stand-in for the part of sqlite_utils.Database the code
uses (execute, query, atomic, table(...).insert/update/get/rows_where/...), translating the few
SQLite-dialect statements it is handed, so one schema and one set of migrations serve both.

What is translated: `?` placeholders, `[name]` identifiers, INSERT OR IGNORE (ON CONFLICT DO
NOTHING), the `+column` index hint, LIKE (ILIKE: SQLite's is case-blind), NULLs sorting first as in
SQLite; group_concat, instr and sum(boolean) are SQL functions made once with the schema. Python
numbers are sent untyped (as SQLite takes them: a text column compared with 5 compares '5').
A table without an integer `id` key has a hidden identity column `rowid`, left out of the rows
returned as dicts. Errors come back as sqlite3's (OperationalError for a lost or refused
connection, IntegrityError for a key), so the callers' retries and checks hold for both.
A NUL character in a text (Postgres cannot store one) is stored as U+FFFD.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.core.models import StoredAction
from monitor.store.sqlite import URL_STORES, Store, stored_action

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 10  # seconds a connection attempt may take
STATEMENT_TIMEOUT_MS = 60_000  # a statement stuck longer (a lock held by a hung peer) fails
# libpq's TCP keepalives: a peer gone silent is noticed in ~25 s, not after the kernel's 2 hours
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3}
MIGRATION_LOCK = 0x6D6F6E  # pg_advisory_lock key: one replica migrates at a time
TYPES = {str: "TEXT", int: "BIGINT", float: "DOUBLE PRECISION", bytes: "BYTEA"}

# SQLite's functions the queries use, made with the schema (under the migration lock).
COMPAT_SQL = """
CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer
  LANGUAGE sql IMMUTABLE AS 'SELECT strpos(haystack, needle)';
CREATE OR REPLACE FUNCTION _gc_step(acc text, val text, sep text) RETURNS text
  LANGUAGE sql IMMUTABLE AS
  'SELECT CASE WHEN val IS NULL THEN acc WHEN acc IS NULL THEN val ELSE acc || sep || val END';
CREATE OR REPLACE FUNCTION _gc_step(acc text, val text) RETURNS text
  LANGUAGE sql IMMUTABLE AS
  'SELECT CASE WHEN val IS NULL THEN acc WHEN acc IS NULL THEN val ELSE acc || '','' || val END';
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = _gc_step, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = _gc_step, STYPE = text);
CREATE OR REPLACE FUNCTION _sum_bool(acc bigint, val boolean) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS 'SELECT acc + CASE WHEN val THEN 1 ELSE 0 END';
CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = _sum_bool, STYPE = bigint, INITCOND = '0');
"""


class StoreUnreachable(Exception):
    """The database named cannot be used at all (down, refused, wrong password): one line naming
    the host and the reason, never the password."""


def is_url(path: object) -> bool:
    """Whether a --db value names a Postgres database rather than an SQLite file."""
    return str(path).startswith(SCHEMES)


def safe_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def where(url: str) -> str:
    """host:port/database of a URL, the part a message names."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or 'localhost'}{port}{parts.path or '/'}"


def _reason(exc: Exception, url: str) -> str:
    """libpq's complaint in one line, without the password even if it were echoed."""
    text = " ".join(str(exc).split())
    password = urlsplit(url).password
    if password:
        text = text.replace(password, "***")
    text = re.sub(r'connection to server at "[^"]*" \([^)]*\), port \d+ failed: ', "", text)
    return text[:300]


# -- the SQL dialect --------------------------------------------------------------------------

_WORD_BEFORE_PLUS = re.compile(r"(^|[\s(,=])\+(\w+\.\w+|\w+)\b")


@lru_cache(maxsize=1024)
def translate(sql: str, with_params: bool) -> str:
    """A statement written for SQLite, as Postgres takes it."""
    out: list[str] = []
    quoted = False
    for char in sql:  # outside string literals: placeholders, [names], literal %
        if char == "'":
            quoted = not quoted
            out.append(char)
        elif quoted:
            out.append("%%" if char == "%" and with_params else char)
        elif char == "?":
            out.append("%s")
        elif char == "%" and with_params:
            out.append("%%")
        elif char in "[]":
            out.append('"')
        else:
            out.append(char)
    text = "".join(out)
    if re.match(r"\s*INSERT\s+OR\s+IGNORE\b", text, re.IGNORECASE):
        text = re.sub(r"INSERT\s+OR\s+IGNORE", "INSERT", text, count=1, flags=re.IGNORECASE)
        text += " ON CONFLICT DO NOTHING"
    text = _WORD_BEFORE_PLUS.sub(r"\1\2", text)
    text = re.sub(r"\bLIKE\b", "ILIKE", text)
    text = re.sub(r"\bDESC\b(?!\s+NULLS)", "DESC NULLS LAST", text, flags=re.IGNORECASE)
    text = re.sub(r"\bASC\b(?!\s+NULLS)", "ASC NULLS FIRST", text, flags=re.IGNORECASE)
    return text


def _untyped(adapters: Any) -> None:
    """Python numbers sent as untyped literals, so Postgres types them by their column (SQLite
    compares a text column with 5 as with '5'; Postgres would refuse text = bigint)."""
    from psycopg.adapt import Dumper

    class Untyped(Dumper):
        oid = 0  # unknown: the server infers the type

        def dump(self, obj: Any) -> bytes:
            if isinstance(obj, bool):
                return b"1" if obj else b"0"
            return repr(obj).encode() if isinstance(obj, float) else str(obj).encode()

    for kind in (int, float, bool):
        adapters.register_dumper(kind, Untyped)


def _mapped(exc: Exception) -> Exception:
    """A psycopg error as the sqlite3 error callers already handle."""
    import psycopg
    from psycopg import errors

    text = " ".join(str(exc).split())[:500]
    if isinstance(exc, errors.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, errors.LockNotAvailable | errors.DeadlockDetected
                  | errors.SerializationFailure | errors.QueryCanceled):
        return sqlite3.OperationalError(f"database is locked (postgres: {text})")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return sqlite3.OperationalError(f"disk I/O error (postgres connection: {text})")
    return sqlite3.OperationalError(f"postgres: {text}")


def without_nul(value: Any) -> Any:
    """A text without NUL characters, which Postgres cannot store in text (SQLite can): each
    becomes U+FFFD, as the daemon does with lone surrogates."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value \
        else value


class Cursor:
    """What a statement returned, read as from sqlite3's cursor."""

    def __init__(self, rows: list[tuple[Any, ...]], columns: list[str], rowcount: int,
                 lastrowid: int | None) -> None:
        self._rows, self.columns = rows, columns
        self.rowcount, self.lastrowid = rowcount, lastrowid
        self.description = [(c, None, None, None, None, None, None) for c in columns]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


def _dict(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """A row as a dict, without the hidden rowid."""
    return {c: v for c, v in zip(columns, row, strict=True) if c != "rowid"}


class PgDatabase:
    """One Postgres connection (autocommit; atomic() opens a transaction, nested: a savepoint),
    reconnected when lost between transactions."""

    def __init__(self, url: str, statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> None:
        self.url = url
        self.statement_timeout_ms = statement_timeout_ms
        self._lock = threading.RLock()
        self._depth = 0
        self._serial: set[str] | None = None  # tables with an integer id key
        self._pks: dict[str, list[str]] = {}
        self.conn = self._connect(first=True)

    def _connect(self, first: bool = False) -> psycopg.Connection[Any]:
        import psycopg

        try:
            conn = psycopg.connect(
                self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                application_name="monitor",
                options=f"-c statement_timeout={self.statement_timeout_ms}", **KEEPALIVES)
        except psycopg.Error as exc:
            if first:
                raise StoreUnreachable(
                    f"database {where(self.url)} not reachable: {_reason(exc, self.url)}"
                ) from None
            raise _mapped(exc) from None
        _untyped(conn.adapters)
        return conn

    def _live(self) -> psycopg.Connection[Any]:
        """The connection, made again if it was lost (never inside a transaction)."""
        if self.conn.closed or self.conn.broken:
            if self._depth:
                raise sqlite3.OperationalError("disk I/O error (postgres connection lost)")
            self.conn = self._connect()
        return self.conn

    # -- sqlite_utils.Database's surface ----------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | None = None,
                raw: bool = False) -> Cursor:
        """Run one statement (SQLite dialect; `raw`: Postgres's, with %s) and return what it
        gave."""
        import psycopg

        params = [without_nul(p) for p in params] if params else None
        text = sql if raw else translate(sql, params is not None)
        insert = re.match(r'\s*INSERT\s+INTO\s+"?(\w+)"?', text, re.IGNORECASE)
        returning = bool(insert and "RETURNING" not in text.upper())
        if insert and returning:  # sqlite3's lastrowid: the id, or the hidden rowid
            key = "id" if insert.group(1) in self.serial_tables() else "rowid"
            text += f" RETURNING {key}"
        with self._lock:
            try:
                with self._live().cursor() as cur:
                    cur.execute(text, params)  # type: ignore[arg-type]
                    columns = [d.name for d in cur.description or []]
                    rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
                    count = cur.rowcount
            except psycopg.Error as exc:
                raise _mapped(exc) from exc
        lastrowid = None
        if returning:
            lastrowid = rows[0][0] if rows else None
            rows, columns = [], []
        return Cursor(rows, columns, count, lastrowid)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]:
        """Rows as dicts."""
        cur = self.execute(sql, params)
        return iter([_dict(cur.columns, r) for r in cur.fetchall()])

    @contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        """A transaction (a savepoint inside another); rolled back if the block raises."""
        import psycopg

        with self._lock:
            try:
                with self._live().transaction():
                    self._depth += 1
                    try:
                        yield self
                    finally:
                        self._depth -= 1
            except psycopg.Error as exc:
                raise _mapped(exc) from exc

    def in_transaction(self) -> bool:
        return self._depth > 0

    def table(self, name: str) -> PgTable:
        return PgTable(self, name)

    def __getitem__(self, name: str) -> PgTable:
        return PgTable(self, name)

    def table_names(self) -> list[str]:
        rows = self.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                            "ORDER BY tablename").fetchall()
        return [r[0] for r in rows]

    def enable_wal(self) -> None:
        """Nothing: Postgres logs ahead on its own."""

    def close(self) -> None:
        self.conn.close()

    # -- what the tables are ----------------------------------------------------------------
    def serial_tables(self) -> set[str]:
        """The tables whose key is an integer id the database numbers."""
        if self._serial is None:
            rows = self.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND column_name = 'id' AND is_identity = 'YES'").fetchall()
            self._serial = {r[0] for r in rows}
        return self._serial

    def pks(self, table: str) -> list[str]:
        """A table's primary key columns, in order."""
        if table not in self._pks:
            rows = self.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)", [table], raw=True).fetchall()
            self._pks[table] = [r[0] for r in rows]
        return self._pks[table]

    def schema_changed(self) -> None:
        self._serial, self._pks = None, {}

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """One replica at a time changes the schema; the others wait, then find it done."""
        self.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
        try:
            self.execute(COMPAT_SQL)
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])
            self.schema_changed()


class PgTable:
    """sqlite_utils.Table's surface over one Postgres table."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db, self.name = db, name
        self.last_rowid: int | None = None

    # -- schema -----------------------------------------------------------------------------
    def create(self, columns: dict[str, type], pk: str | Sequence[str] = "id",
               not_null: set[str] | None = None) -> PgTable:
        keys = [pk] if isinstance(pk, str) else list(pk)
        defs = []
        serial = keys == ["id"] and columns.get("id") is int
        if not serial:  # SQLite's rowid: the order rows came in
            defs.append("rowid BIGINT GENERATED BY DEFAULT AS IDENTITY")
        for name, kind in columns.items():
            if serial and name == "id":
                defs.append("id BIGINT GENERATED BY DEFAULT AS IDENTITY")
                continue
            null = " NOT NULL" if name in (not_null or ()) else ""
            defs.append(f'"{name}" {TYPES[kind]}{null}')
        defs.append(f"PRIMARY KEY ({', '.join(chr(34) + k + chr(34) for k in keys)})")
        self.db.execute(f'CREATE TABLE "{self.name}" ({", ".join(defs)})')
        self.db.schema_changed()
        return self

    def create_index(self, columns: Sequence[str], unique: bool = False) -> PgTable:
        name = f"idx_{self.name}_{'_'.join(columns)}"
        cols = ", ".join(f'"{c}"' for c in columns)
        self.db.execute(f'CREATE {"UNIQUE " if unique else ""}INDEX IF NOT EXISTS "{name}" '
                        f'ON "{self.name}" ({cols})')
        return self

    def add_column(self, name: str, kind: type, not_null_default: Any = None) -> PgTable:
        extra = ""
        if not_null_default is not None:
            value = str(not_null_default).replace("'", "''")
            extra = f" NOT NULL DEFAULT '{value}'"
        self.db.execute(f'ALTER TABLE "{self.name}" ADD COLUMN "{name}" {TYPES[kind]}{extra}')
        return self

    def exists(self) -> bool:
        return self.name in self.db.table_names()

    @property
    def pks(self) -> list[str]:
        return self.db.pks(self.name)

    # -- rows -------------------------------------------------------------------------------
    def insert(self, row: dict[str, Any], **_: Any) -> PgTable:
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(f"INSERT INTO [{self.name}] ({cols}) VALUES ({marks})",
                              list(row.values()))
        self.last_rowid = cur.lastrowid
        return self

    def insert_all(self, rows: Sequence[dict[str, Any]], **_: Any) -> PgTable:
        for row in rows:
            self.insert(row)
        return self

    def upsert(self, row: dict[str, Any], pk: str | Sequence[str] | None = None) -> PgTable:
        keys = ([pk] if isinstance(pk, str) else list(pk)) if pk else self.pks
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in row if c not in keys)
        conflict = ", ".join(f'"{k}"' for k in keys)
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        self.db.execute(f"INSERT INTO [{self.name}] ({cols}) VALUES ({marks}) "
                        f"ON CONFLICT ({conflict}) {action}", list(row.values()))
        return self

    def _key(self, pk_values: Any) -> tuple[str, list[Any]]:
        values = list(pk_values) if isinstance(pk_values, list | tuple) else [pk_values]
        keys = self.pks
        if len(keys) != len(values):
            raise sqlite3.OperationalError(f"{self.name}: key {keys} for {values}")
        return " AND ".join(f'"{k}" = ?' for k in keys), values

    def get(self, pk_values: Any) -> dict[str, Any]:
        from sqlite_utils.db import NotFoundError

        clause, args = self._key(pk_values)
        rows = list(self.rows_where(clause, args))
        if not rows:
            raise NotFoundError
        return rows[0]

    def update(self, pk_values: Any, updates: dict[str, Any] | None = None,
               **_: Any) -> PgTable:
        from sqlite_utils.db import NotFoundError

        clause, args = self._key(pk_values)
        if not updates:
            self.get(pk_values)
            return self
        sets = ", ".join(f'"{c}" = ?' for c in updates)
        cur = self.db.execute(f'UPDATE "{self.name}" SET {sets} WHERE {clause}',
                              [*updates.values(), *args])
        if cur.rowcount == 0:
            raise NotFoundError
        return self

    def rows_where(self, where: str | None = None, where_args: Sequence[Any] | None = None,
                   order_by: str | None = None, select: str = "*", limit: int | None = None,
                   offset: int | None = None) -> Iterator[dict[str, Any]]:
        sql = f'SELECT {select} FROM "{self.name}"'
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset is not None:
            sql += f" OFFSET {int(offset)}"
        return self.db.query(sql, where_args)

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.rows_where()

    @property
    def count(self) -> int:
        return self.count_where()

    def count_where(self, where: str | None = None,
                    where_args: Sequence[Any] | None = None) -> int:
        sql = f'SELECT count(*) FROM "{self.name}"' + (f" WHERE {where}" if where else "")
        return int(self.db.execute(sql, where_args).fetchone()[0])  # type: ignore[index]


# -- the Store on Postgres ----------------------------------------------------------------------
CLAIM_LOCK = 0x6D6F6E + 1  # pg_advisory_xact_lock key: sending rounds claim one after another
REPLICA_TTL = 15.0  # seconds without a heartbeat after which a replica is taken for dead
NOW = "extract(epoch from clock_timestamp())"  # the database's clock, the same for every replica


class PgStore(Store):
    """The Store on a Postgres database named by a postgresql:// URL: the same methods, the
    schema made by the same migrations (under an advisory lock, so one replica does it)."""

    def __init__(self, path: str, *_: Any, **__: Any) -> None:
        self.path = str(path)
        self.db = PgDatabase(self.path)  # type: ignore[assignment]
        self._migrate()

    def _migrate(self) -> None:
        with self.db.migration_lock():  # type: ignore[attr-defined]
            super()._migrate()

    def claimable(self) -> list[StoredAction]:
        """Planned actions no other replica is claiming (FOR UPDATE SKIP LOCKED), none of a post
        with an action still in flight (its next action may depend on the answer). Rounds claim
        one at a time (a transaction lock), so the rate limits count every replica's marks."""
        self.db.execute("SELECT pg_advisory_xact_lock(?)", [CLAIM_LOCK])
        sql = ("SELECT * FROM actions a WHERE a.status = 'planned' AND NOT EXISTS ("
               "SELECT 1 FROM actions b WHERE b.platform = a.platform AND b.post_id = a.post_id "
               "AND b.status = 'sending') ORDER BY a.id FOR UPDATE SKIP LOCKED")
        return [stored_action(r) for r in self.db.query(sql)]

    def interrupted(self) -> list[StoredAction]:
        """Actions left sending by a replica that is gone (no heartbeat for REPLICA_TTL) or by a
        process before replicas (claimed by no one)."""
        sql = ("SELECT * FROM actions WHERE status = 'sending' AND (claimed_by = '' OR claimed_by "
               f"NOT IN (SELECT id FROM replicas WHERE seen > {NOW} - ?)) ORDER BY id")
        return [stored_action(r) for r in self.db.query(sql, [REPLICA_TTL])]


for _scheme in SCHEMES:
    URL_STORES[_scheme] = PgStore
