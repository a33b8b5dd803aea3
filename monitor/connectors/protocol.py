"""The Connector protocol every platform adapter implements."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from monitor.core.models import Action, Author, Post

Emit = Callable[[Post], Awaitable[None]]
T = TypeVar("T")
CHUNK = 64  # items a connector hands over at once: the daemon classifies them as one batch


class ConnectorFatal(Exception):
    """A connector cannot work until a person acts (e.g. no API access): stop it, do not restart.

    The message is the one log line the supervisor writes: what is wrong and what is needed.
    """


@dataclass(frozen=True, slots=True)
class Condition:
    """Something about the platform account a person must change, reported by a running connector
    (`conditions()`) at /healthz: what is wrong and the exact setting. A degraded one means the
    connector watches nothing until it is fixed; the others are blind spots."""

    message: str
    degraded: bool = False


class Connector(Protocol):
    """Watches one platform and carries out actions on it.

    A connector may also have `async close()`, releasing its HTTP sessions and sockets; the
    daemon calls it once at shutdown, after the last action was sent; and `conditions()`, a dict
    of Condition by short name, which /healthz shows.
    """

    name: str
    platforms: tuple[str, ...]  # the platforms whose actions this connector performs

    async def run(self, emit: Emit) -> None:
        """Watch for new posts, call emit(post) for each, keep the cursor in the store."""
        ...

    async def perform(self, action: Action) -> str:
        """Carry out one action; returns the platform's answer (e.g. the new message id)."""
        ...

    async def profile(self, author_id: str) -> Author:
        """The author's public profile."""
        ...


async def in_chunks(
    items: Sequence[T],
    handle: Callable[[T], Awaitable[None]],
    done: Callable[[Sequence[T]], Awaitable[None]],
) -> None:
    """Handle items a chunk at a time, concurrently, so the daemon classifies a chunk's posts as one
    batch; done(chunk), which moves the cursor past it, runs once every item in it was handled."""
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        await asyncio.gather(*(handle(item) for item in chunk))
        await done(chunk)


NO_REPORT_API = "no report API for bots on "


def no_report_api(platform: str) -> str:
    """The answer to a report where the platform has no report call for bots; the sender opens
    the account's takedown case and writes its number in the action's result."""
    return f"{NO_REPORT_API}{platform}: takedown case to be opened"


class Refusals:
    """Where the platform refused an enforcement action, said once per place and kind: the same
    missing right would otherwise fill the log with every post in that place."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._said: set[tuple[str, str]] = set()

    def once(self, kind: str, place: str, line: str) -> None:
        """Log `line` the first time `kind` is refused in `place`."""
        if (kind, place) not in self._said:
            self._said.add((kind, place))
            self.log.warning(line)
