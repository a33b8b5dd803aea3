"""`monitor db copy` moves a store to Postgres; the report and the review queue then read the same
from either backend."""

from __future__ import annotations

import re

from monitor.cli.entry import main
from monitor.resources import data_path
from monitor.store import Store


def _out(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


# The report's own clock (when it was made, and the precision window counted back from then): two
# runs a second apart differ there whatever store they read.
_CLOCK = re.compile(
    r'("generated_at": |"precision_since": |generated |decisions since )"?[0-9T:+-]+')


def _clockless(text: str) -> str:
    """The output with the report's own times blanked; the stored items' times stay."""
    return _CLOCK.sub(r"\1<now>", text)


def test_a_copied_store_reports_and_reviews_the_same_on_postgres(tmp_path, capsys, pg_url) -> None:
    sqlite = str(tmp_path / "m.db")
    stream = str(data_path("demo", "stream.jsonl"))
    assert main(["run", "--replay", stream, "--db", sqlite, "--dry-run"]) == 0
    capsys.readouterr()
    out = _out(capsys, "db", "copy", sqlite, pg_url)
    assert "posts: 160 rows" in out and "pg-test-secret" not in out
    for argv in (["report", "--format", "json"], ["report", "--format", "csv"],
                 ["report", "--format", "md"], ["review", "list"]):
        from_sqlite, from_pg = (_out(capsys, *argv, "--db", db) for db in (sqlite, pg_url))
        assert _clockless(from_sqlite) == _clockless(from_pg), argv
    first = Store(sqlite).flagged()[0]["id"]
    for db in (sqlite, pg_url):
        _out(capsys, "review", "confirm", str(first), "--who", "carol", "--db", db)
        assert Store(db).db["findings"].get(first)["status"] == "confirmed"
    # the copy went on numbering where the source stopped
    store = Store(pg_url)
    assert Store(sqlite).salt() == store.salt()
    assert main(["db", "copy", sqlite, pg_url]) == 2  # never into a database in use
    assert "already holds" in capsys.readouterr().err
