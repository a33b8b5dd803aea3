"""The Detector protocol every classifier implements (ReadsHostLists: one that takes the host
lists), and Pending for results that wait on a model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from monitor.core.models import Finding, Post

T = TypeVar("T")


@runtime_checkable
class Detector(Protocol):
    """Pure: the same post always gives the same findings, with no network (a model may run on a
    thread of its own: see begin_many and Pending)."""

    kind: str
    name: str

    def check(self, post: Post) -> list[Finding]:
        """Return the findings for one post (possibly none)."""
        ...


@runtime_checkable
class ReadsHostLists(Protocol):
    """A detector that reads the operator's host lists. It takes them as plain sets; the files are
    read outside classify, and a running daemon hands it new lists when one changes."""

    def set_lists(self, phishing: frozenset[str], allowed: frozenset[str]) -> None:
        """Use these lists from the next post on."""
        ...


@runtime_checkable
class FlagsEarlier(Protocol):
    """A detector whose finding on one post makes earlier posts suspect too (a wave): after check,
    it names them, each with its finding."""

    def earlier(self, post: Post) -> list[tuple[Post, Finding]]:
        """The earlier posts this post's findings reach, each with its finding."""
        ...


class Pending(Generic[T]):
    """A result that may still wait on a model working on another thread: done() says whether
    result() would return at once; result() waits, then builds the value (once)."""

    def __init__(self, build: Callable[[], T], waits_on: Sequence[Future[Any]] = ()) -> None:
        self._build = build
        self.waits_on = tuple(waits_on)
        self._value: list[T] = []

    @classmethod
    def now(cls, value: T) -> Pending[T]:
        """A result already in hand."""
        return cls(lambda: value)

    def done(self) -> bool:
        """True when result() will not wait."""
        return all(f.done() for f in self.waits_on)

    def result(self) -> T:
        """The value, waiting for the models first."""
        if not self._value:
            self._value.append(self._build())
        return self._value[0]
