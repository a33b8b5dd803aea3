"""Storage: the SQLite store (posts, findings, actions, cursors, reviews, audit) and what is kept
in it (the pause and mute switches). Other rooms import the store from here."""

from monitor.store import postgres  # noqa: F401 - opens postgresql:// URLs as a Store
from monitor.store.sqlite import ACTION_STATUSES, FINDING_STATUSES, MIGRATIONS, Store

__all__ = ["ACTION_STATUSES", "FINDING_STATUSES", "MIGRATIONS", "Store"]
