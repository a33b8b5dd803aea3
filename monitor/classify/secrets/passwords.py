"""Finder for passwords (not written yet: finds nothing)."""

from __future__ import annotations

from monitor.classify.secrets.match import SecretMatch


def find(text: str) -> list[SecretMatch]:
    """All passwords matches in text."""
    return []
