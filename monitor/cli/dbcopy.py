"""`monitor db copy SQLITE_PATH POSTGRES_URL`: move a store from SQLite to Postgres, every table
and row as it is (the ids too, so links and the audit log still point right)."""

from __future__ import annotations

import argparse

from monitor.cli.dbargs import db_missing
from monitor.cli.shared import CliError
from monitor.store import Store
from monitor.store.postgres import PgDatabase, is_url, safe_url, without_nul

CHUNK = 1000  # rows per INSERT round trip
KEPT = {"schema_version"}  # meta rows the new database has made for itself


def add_db(p: argparse.ArgumentParser) -> None:
    """`monitor db` and its subcommands."""
    dsub = p.add_subparsers(dest="db_command", required=True)
    cp = dsub.add_parser("copy", help="copy an SQLite store into an empty Postgres database")
    cp.add_argument("source", help="the SQLite database file")
    cp.add_argument("target", help="postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    cp.set_defaults(func=cmd_db_copy)


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy every row; the target must hold no posts, findings or actions yet."""
    if is_url(args.source) or db_missing(args.source):
        raise CliError(f"{args.source}: SQLite database not found")
    if not is_url(args.target):
        raise CliError(f"{args.target}: not a postgresql:// URL")
    source, target = Store(args.source), Store(args.target)  # both migrated to this release
    try:
        db = target.db
        assert isinstance(db, PgDatabase)
        used = [t for t in ("posts", "findings", "actions") if db[t].count]
        if used:
            raise CliError(f"{safe_url(args.target)} already holds {', '.join(used)}: "
                           "copy into an empty database")
        counts = _copy(source, db)
    finally:
        source.close()
        target.close()
    for table, n in counts.items():
        print(f"{table}: {n} rows")
    print(f"copied {args.source} to {safe_url(args.target)}")
    return 0


def _copy(source: Store, db: PgDatabase) -> dict[str, int]:
    """Every table's rows in the order SQLite holds them, in one transaction; then each id
    counter is moved past the highest id copied."""
    counts: dict[str, int] = {}
    tables = [t for t in source.db.table_names() if not t.startswith("sqlite_")]
    with db.conn.transaction(), db.conn.cursor() as cur:
        for table in tables:
            columns = [c.name for c in source.db[table].columns]
            cur.execute("SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = %s", [table])
            have = {r[0] for r in cur.fetchall()}
            columns = [c for c in columns if c in have]
            if not columns:
                continue
            rows = source.db.execute(
                f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}] ORDER BY rowid"
            ).fetchall()
            if table == "meta":  # the salt goes along; the schema version is the target's own
                key = columns.index("key")
                rows = [r for r in rows if r[key] not in KEPT]
                cur.execute("DELETE FROM meta WHERE key <> 'schema_version'")
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("%s" for _ in columns)
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
            for start in range(0, len(rows), CHUNK):
                cur.executemany(sql, [tuple(without_nul(v) for v in row)
                                      for row in rows[start:start + CHUNK]])
            counts[table] = len(rows)
            if table in db.serial_tables():
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'coalesce(max(id), 1), max(id) IS NOT NULL) FROM "{table}"')
    return counts
