"""The Detector protocol every classifier implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from monitor.models import Finding, Post


@runtime_checkable
class Detector(Protocol):
    """Pure and synchronous: the same post always gives the same findings, with no I/O."""

    kind: str
    name: str

    def check(self, post: Post) -> list[Finding]:
        """Return the findings for one post (possibly none)."""
        ...
