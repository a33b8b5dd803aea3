"""What the command-line modules share: the one-line user error, the configured list files that
are missing, and the fingerprint salt."""

from __future__ import annotations

import secrets
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core import config

if TYPE_CHECKING:  # annotations only: `monitor scan` opens no store, so it never loads one
    from monitor.store import Store


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def missing_lists(settings: config.Settings) -> list[str]:
    """One line for each configured phishing or allow list file that does not exist, saying how to
    create it; a configured list that is not there means no host is flagged (or spared) by it."""
    missing = []
    for key, command in (("phishing_list", "update"), ("allow_list", "allow")):
        path: Path | None = getattr(settings, key)
        if path is None or path.exists():
            continue
        folder = "" if path.parent.is_dir() else f"mkdir -p {shlex.quote(str(path.parent))} && "
        missing.append(
            f"{path}: [monitor] {key} file not found; create it empty with "
            f"`{folder}touch {shlex.quote(str(path))}`, or fill it with "
            f"`monitor lists {command} FILE --config {shlex.quote(str(settings.path))}`"
        )
    return missing


def salt(settings: config.Settings, store: Store | None) -> bytes:
    """The fingerprint salt: from the env var named in config, else the database's own."""
    value = config.env_secret(settings.salt_env)
    if value:
        return value.encode("utf-8")
    return store.salt() if store else secrets.token_bytes(32)
