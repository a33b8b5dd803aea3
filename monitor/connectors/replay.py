"""Replays a Post JSON lines file as if it were a live platform; actions go to an outbox file."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Callable
from pathlib import Path

from monitor.connectors.protocol import CHUNK, Emit
from monitor.core.models import PLATFORMS, Action, Author
from monitor.core.postjson import PostError, decode_lines, is_blank, parse_line
from monitor.store import Store

log = logging.getLogger(__name__)


class ReplayConnector:
    """Reads posts from a file in order; the cursor is the last line
    handled, so a restart resumes."""

    name = "replay"
    platforms = PLATFORMS

    def __init__(self, path: Path, store: Store, outbox: Path | None = None,
                 on_lines: Callable[[int], object] | None = None) -> None:
        self.path = path
        self.store = store
        self.outbox = outbox
        self.on_lines = on_lines  # told how many more lines are done (a progress bar's update)
        self.cursor_name = f"replay:{path.resolve()}"
        self.errors = 0

    async def run(self, emit: Emit) -> None:
        """Emit every post after the cursor, then return (the end of the file ends the stream)."""
        done = int(self.store.cursor(self.cursor_name) or 0)
        self._done(done)  # a resumed replay starts where it stopped
        # Read as bytes: a line that is not UTF-8 is one skipped line, not a crash or altered text.
        with self.path.open("rb") as raw:
            numbered = ((n, line) for n, line in enumerate(decode_lines(raw), start=1) if n > done)
            while chunk := list(itertools.islice(numbered, CHUNK)):
                # Emitted together, so the daemon classifies them as one batch; the cursor moves
                # past the chunk once every post in it is stored.
                posts = [(n, line) for n, line in chunk if not is_blank(line)]
                await asyncio.gather(*(self._handle(n, line, emit) for n, line in posts))
                self.store.set_cursor(self.cursor_name, str(chunk[-1][0]))
                self._done(len(chunk))

    def _done(self, lines: int) -> None:
        """Say that `lines` more lines are handled."""
        if self.on_lines is not None and lines:
            self.on_lines(lines)

    async def _handle(self, number: int, line: str, emit: Emit) -> None:
        """Parse and emit one line; a bad line is logged by number (never its text) and skipped.
        parse_line raises only PostError: no line can crash the connector into a restart."""
        try:
            post = parse_line(line)
        except PostError as exc:
            self.errors += 1
            log.warning("%s line %d skipped: %s", self.path.name, number, exc)
            return
        await emit(post)

    async def perform(self, action: Action) -> str:
        """Append the action to the outbox file, standing in for the platform."""
        if self.outbox is None:
            return "replay: not sent"
        record = {"kind": action.kind, "platform": action.platform, "target": action.target,
                  "text": action.text, "reason": action.reason}
        if action.place:  # where a restriction or ban applies
            record["place"] = action.place
        with self.outbox.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"replay: written to {self.outbox.name}"

    async def profile(self, author_id: str) -> Author:
        """A replay has no profiles beyond what the posts carry."""
        return Author(platform="replay", id=author_id, handle=author_id)
