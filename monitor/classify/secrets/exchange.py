"""Finder for exchange (not written yet: finds nothing)."""

from __future__ import annotations

from monitor.classify.secrets.match import SecretMatch


def find(text: str) -> list[SecretMatch]:
    """All exchange matches in text."""
    return []
