"""What the commands over a database share: whether --db names a missing SQLite file, and
--since/--status as a report query."""

from __future__ import annotations

from pathlib import Path

from monitor.cli.shared import CliError
from monitor.desk import report, review
from monitor.store.postgres import is_url


def db_missing(db: str | Path) -> bool:
    """Whether --db names an SQLite file that is not there (a postgresql:// URL is asked when
    opened: an unreachable one stops the command with its own line)."""
    return not is_url(db) and not Path(db).is_file()


def report_query(since: str | None, status: str | None) -> report.Query:
    """--since and --status as a report query."""
    try:
        return report.Query(
            review.parse_since(since) if since else None, review.parse_statuses(status or "")
        )
    except review.ReviewError as exc:
        raise CliError(str(exc)) from None
