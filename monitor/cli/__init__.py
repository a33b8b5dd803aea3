"""The `monitor` command, one module per verb group: entry (parser, run, demo, scan, report,
lists, eval), review_serve (review, serve), evaluate, train; shared holds what they share."""

from monitor.cli.entry import main

__all__ = ["main"]
