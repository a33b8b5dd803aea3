"""What the command-line modules share: the one-line user error, report queries from
--since/--status, and the configured list files that are missing."""

from __future__ import annotations

import shlex
from pathlib import Path

from monitor.core import config
from monitor.desk import report, review
from monitor.store.postgres import is_url


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


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


def missing_lists(settings: config.Settings) -> list[str]:
    """One line for each configured phishing or allow list file that does not exist, saying how to
    create it; a configured list that is not there means no host is flagged (or spared) by it."""
    missing = []
    for key, command in (("phishing_list", "update"), ("allow_list", "allow")):
        path: Path | None = getattr(settings, key)
        if path is None or path.exists():
            continue
        folder = "" if path.parent.is_dir() else f"mkdir -p {shlex.quote(str(path.parent))} && "
        missing.append(
            f"{path}: [monitor] {key} file not found; create it empty with "
            f"`{folder}touch {shlex.quote(str(path))}`, or fill it with "
            f"`monitor lists {command} FILE --config {shlex.quote(str(settings.path))}`"
        )
    return missing
