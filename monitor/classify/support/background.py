"""MiniLM on a thread of its own: it loads on first use and answers what it is sent, in order."""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
Request = tuple[list[str], "Future[np.ndarray]"]


class EncoderError(RuntimeError):
    """MiniLM could not answer: it failed to load, or failed on a batch."""


class BackgroundEncoder:
    """The head's logits for texts, computed on one worker thread. onnxruntime and the tokenizer
    release the GIL, so forward passes run beside the Python detectors instead of taking turns with
    them, and the model (~0.3 s) loads only when the first English post it must see arrives."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._requests: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, texts: Sequence[str]) -> Future[np.ndarray]:
        """Logits (n, 8) for texts, later: the future fails with EncoderError if MiniLM does."""
        future: Future[np.ndarray] = Future()
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._serve, name="minilm", daemon=True)
                self._worker.start()
        self._requests.put((list(texts), future))
        return future

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Logits now (waits for the worker)."""
        return self.submit(texts).result()

    def close(self) -> None:
        """Let the worker answer what it was sent, then end."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            self._requests.put(None)
            worker.join()

    def _serve(self) -> None:
        """Load MiniLM, then answer requests until close(); what waits
        together shares the passes."""
        try:
            from monitor.classify.support.encoder import MiniLM

            model: MiniLM | str = MiniLM(self._folder)
        except Exception as exc:  # noqa: BLE001 - every request must hear why, not hang
            model = f"MiniLM did not load: {type(exc).__name__}: {exc}"
        while (first := self._requests.get()) is not None:
            waiting = [first]
            while not self._requests.empty():
                item = self._requests.get()
                if item is None:
                    self._requests.put(None)  # answer these, then end
                    break
                waiting.append(item)
            _answer(model, waiting)


def _answer(model: object, waiting: list[Request]) -> None:
    """Settle each request's future with its rows, or all of them with the error."""
    if isinstance(model, str):
        for _, future in waiting:
            future.set_exception(EncoderError(model))
        return
    try:
        rows = model.logits([text for texts, _ in waiting for text in texts])  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - one bad batch fails its requests, not the worker
        for _, future in waiting:
            future.set_exception(EncoderError(f"MiniLM failed: {type(exc).__name__}: {exc}"))
        return
    start = 0
    for texts, future in waiting:
        future.set_result(rows[start : start + len(texts)])
        start += len(texts)


@cache
def shared_encoder(folder: Path) -> BackgroundEncoder:
    """One worker per model for the whole process: every pipeline built (a config reload, each
    test) shares it rather than loading MiniLM again."""
    encoder = BackgroundEncoder(folder)
    atexit.register(encoder.close)
    return encoder


# A process forked from one that used MiniLM (scan's workers, a test's) has the worker's queue but
# not its thread: its requests would wait forever. It starts its own worker instead.
os.register_at_fork(after_in_child=shared_encoder.cache_clear)
