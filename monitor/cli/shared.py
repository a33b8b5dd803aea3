"""What the command-line modules share: the one-line user error and report queries from
--since/--status."""

from __future__ import annotations

from monitor.desk import report, review


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def report_query(since: str | None, status: str | None) -> report.Query:
    """--since and --status as a report query."""
    try:
        return report.Query(
            review.parse_since(since) if since else None, review.parse_statuses(status or "")
        )
    except review.ReviewError as exc:
        raise CliError(str(exc)) from None
