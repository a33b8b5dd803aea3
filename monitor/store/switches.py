"""Sending switches kept in the store's meta table (so they survive a restart): pause and
per-platform mute."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.store import Store

PAUSED = "paused"
MUTED_PREFIX = "muted:"


def paused(store: Store) -> bool:
    """Whether a manager paused sending (watching goes on)."""
    return store.meta(PAUSED) == "1"


def set_paused(store: Store, value: bool) -> None:
    """Pause or resume sending."""
    store.set_meta(PAUSED, "1" if value else "0")


def muted(store: Store, platform: str) -> bool:
    """Whether nothing may be sent on this platform for now."""
    return store.meta(MUTED_PREFIX + platform) == "1"


def set_muted(store: Store, platform: str, value: bool) -> None:
    """Mute or unmute one platform."""
    store.set_meta(MUTED_PREFIX + platform, "1" if value else "0")


def muted_platforms(store: Store) -> list[str]:
    """Every muted platform, sorted."""
    rows = store.db.execute(
        "SELECT key FROM meta WHERE substr(key, 1, ?) = ? AND value = '1' ORDER BY key",
        [len(MUTED_PREFIX), MUTED_PREFIX],
    ).fetchall()
    return [key[len(MUTED_PREFIX) :] for (key,) in rows]


def held_back(store: Store, kind: str, platform: str) -> bool:
    """Whether an action waits in 'planned': paused or muted; alerts to the managers always go
    out."""
    if kind == "alert":  # the managers need to see what arrives in order to decide to resume
        return False
    return paused(store) or muted(store, platform)


@dataclass(frozen=True, slots=True)
class Switches:
    """The switches as read once for a sending round."""

    paused: bool
    muted: frozenset[str]

    @classmethod
    def read(cls, store: Store) -> Switches:
        """The switches now, in two reads of the meta table."""
        return cls(paused(store), frozenset(muted_platforms(store)))

    def hold(self, kind: str, platform: str) -> bool:
        """Whether an action waits in 'planned' (see held_back)."""
        return kind != "alert" and (self.paused or platform in self.muted)
