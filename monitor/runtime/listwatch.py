"""The running daemon's host lists: the files its pipeline's lists came from, looked at before each
batch, and a changed file's new lists handed to the detectors (no restart, no SIGHUP)."""

from __future__ import annotations

import dataclasses

from monitor.core.hostlists import ListFile
from monitor.core.pipeline import Pipeline


class ListWatch:
    """Keeps a pipeline's host lists as their files are: an edit by `monitor lists`, a review
    decision, /block or by hand counts from the next batch on, within about `every` seconds."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._pipeline: Pipeline | None = None
        self._files: tuple[ListFile, ListFile] = (ListFile(None), ListFile(None))

    def refresh(self, pipeline: Pipeline) -> None:
        """Hand the pipeline new lists if one of its files changed (a bad edit is logged and the
        last good list stays)."""
        if pipeline is not self._pipeline:  # the first batch, or a config reload built a new one
            self._pipeline, lists = pipeline, pipeline.lists
            # Seeded with what the pipeline read; each file is read again at its first look (an
            # edit made since, while the daemon started, is not missed), then when it changes.
            self._files = (ListFile(lists.phishing_path, self.every, lists.phishing),
                           ListFile(lists.allowed_path, self.every, lists.allowed))
        phishing, allowed = (file.domains() for file in self._files)
        # The same set objects while nothing changed: no comparison of big lists per batch.
        if phishing is not pipeline.lists.phishing or allowed is not pipeline.lists.allowed:
            lists = dataclasses.replace(pipeline.lists, phishing=phishing, allowed=allowed)
            pipeline.set_lists(lists)
