"""`monitor verify` asks the campaign memory too: a handle or contact of a confirmed scammer."""

from __future__ import annotations

import time

from monitor.cli.dbargs import db_missing
from monitor.core.config import Settings
from monitor.store import Store


def known_scammer(target: str, settings: Settings, db: str | None) -> str | None:
    """'KNOWN SCAMMER: …' with a reason per identifier the memory knows, or None (no database,
    or nothing known)."""
    path = db or settings.db
    if db_missing(path):
        return None
    # The memory needs numpy and datasketch (with scipy): loaded only when there is one to ask.
    from monitor.classify import MemoryDetector, memory_options, named_identifiers
    from monitor.runtime.memory_feed import refresh

    detector = MemoryDetector(settings.brand, **memory_options(settings.memory))
    store = Store(path)
    try:
        refresh([detector], store, force=True)
    finally:
        store.close()
    hits = detector.actors.find([], named_identifiers(target), time.time())
    if not hits:
        return None
    reasons = [f"  - {h.identifier.kind} {h.identifier.value} belongs to a confirmed scammer "
               f"(finding #{h.finding_id})" for h in hits]
    return "\n".join([f"KNOWN SCAMMER: {target.strip()}", *reasons])
