"""Progress bars (tqdm) for `scan` and `run --replay`: on stderr, only where a person watches."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Self

# tqdm is imported only for a bar that is shown: it would cost every scan whose output goes to a
# pipe or a file (no bar) ~15 ms of its start-up.
if TYPE_CHECKING:
    from tqdm import tqdm

DELAY = 1.0  # seconds before a bar appears: a short scan or replay shows none


class Hidden:
    """The bar no one watches: it counts nothing and prints nothing."""

    def update(self, n: float = 1) -> None:
        """Nothing to count."""

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> Self:
        """Itself."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to close."""


def on_terminal(stdout_too: bool = True) -> bool:
    """A bar is wanted when stderr is a terminal (never in a pipe, a log file or the tests); with
    stdout_too=False, also only when stdout is not that terminal, whose lines the bar would cut."""
    return sys.stderr.isatty() and (stdout_too or not sys.stdout.isatty())


def bar(desc: str, total: int | None, enabled: bool) -> tqdm | Hidden:
    """A bar on stderr counting lines; a disabled one costs nothing and prints nothing."""
    if not enabled:
        return Hidden()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="line", file=sys.stderr, delay=DELAY,
                dynamic_ncols=True)


def line_count(path: str | Path) -> int | None:
    """The lines of a regular file, for the bar's total (None for stdin or an unreadable file)."""
    if str(path) == "-":
        return None
    try:
        with open(path, "rb") as raw:
            count, last = 0, b""
            while chunk := raw.read(1 << 20):
                count, last = count + chunk.count(b"\n"), chunk
        return count + (1 if last and not last.endswith(b"\n") else 0)
    except OSError:
        return None


def logs_above(enabled: bool) -> AbstractContextManager[object]:
    """While a bar is shown, log lines on stderr are written above it instead of through it."""
    if not enabled:
        return nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()
