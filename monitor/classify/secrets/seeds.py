"""Finder for seeds (not written yet: finds nothing)."""

from __future__ import annotations

from monitor.classify.secrets.match import SecretMatch


def find(text: str) -> list[SecretMatch]:
    """All seeds matches in text."""
    return []
