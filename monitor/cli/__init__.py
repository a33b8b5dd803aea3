"""The `monitor` command: entry holds the entry point and the table of subcommands; each
subcommand's options and work are in the module the table names (scan, running, review_serve, ...),
imported only when that subcommand runs; shared holds what they share."""

from monitor.cli.entry import main

__all__ = ["main"]
