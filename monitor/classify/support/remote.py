"""MiniLM in a child process: it loads while the caller works, and embeds what it is sent, in order."""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
JOIN_SECONDS = 5.0


class EncoderError(RuntimeError):
    """The MiniLM process could not embed: it failed to load, failed on a batch, or ended."""


class RemoteEncoder:
    """Embeds texts in a child process, so torch and transformers load in parallel with the caller's
    own work (~6 s of imports on 2 cores) and the forward passes run beside the Python detectors
    instead of taking turns with them. A child that ends is replaced on the next request."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._child = _Child(path)

    def submit(self, texts: Sequence[str]) -> Future[np.ndarray]:
        """Embeddings (n, 384) for texts, later: the future fails with EncoderError if the child does."""
        with self._lock:
            if self._child.ended:
                log.warning("restarting the MiniLM process: %s", self._child.ended)
                self._child = _Child(self._path)
            return self._child.submit(list(texts))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings now (waits for the child)."""
        return self.submit(texts).result()

    def close(self) -> None:
        """End the child once it has answered what it was sent."""
        with self._lock:
            self._child.close()


@cache
def shared_encoder(path: Path | None) -> RemoteEncoder:
    """One child per model for the whole process: every pipeline built (a config reload, each test)
    shares it rather than loading MiniLM again."""
    encoder = RemoteEncoder(path)
    atexit.register(encoder.close)
    return encoder


class _Child:
    """One child process, a thread that writes its requests (so a caller never blocks while it
    loads) and a thread that reads its answers into the waiting futures."""

    def __init__(self, path: Path | None) -> None:
        # A plain interpreter rather than multiprocessing: spawn would re-import the caller's main
        # module (the whole CLI, ~45 MB) and start a resource tracker process besides.
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, *([str(path)] if path else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_child_env(),
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        requests_out = Connection(os.dup(self.process.stdin.fileno()))
        answers_in = Connection(os.dup(self.process.stdout.fileno()))
        self.process.stdin.close()
        self.process.stdout.close()
        self.ended = ""
        self._waiting: dict[int, Future[np.ndarray]] = {}
        self._guard = threading.Lock()
        self._tickets = itertools.count()
        self._outbox: queue.SimpleQueue[tuple[int, list[str]] | None] = queue.SimpleQueue()
        threading.Thread(target=self._write, args=(requests_out,), daemon=True).start()
        threading.Thread(target=self._read, args=(answers_in,), daemon=True).start()

    def submit(self, texts: list[str]) -> Future[np.ndarray]:
        """Queue one request; its future is settled by the reader."""
        future: Future[np.ndarray] = Future()
        with self._guard:
            if self.ended:
                future.set_exception(EncoderError(self.ended))
                return future
            ticket = next(self._tickets)
            self._waiting[ticket] = future
        self._outbox.put((ticket, texts))
        return future

    def close(self) -> None:
        """Let the child finish what it has and exit."""
        self._outbox.put(None)
        try:
            self.process.wait(JOIN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def _write(self, requests: Connection) -> None:
        """Send queued requests until close() or the child is gone."""
        with requests:
            while (item := self._outbox.get()) is not None:
                try:
                    requests.send(item)
                except OSError:
                    return  # the child is gone; the reader fails what waits

    def _read(self, answers: Connection) -> None:
        """Settle each future as its answer comes; when the child ends, fail every one still waiting."""
        with answers:
            while True:
                try:
                    ticket, value = answers.recv()
                except (EOFError, OSError):
                    break
                with self._guard:
                    future = self._waiting.pop(ticket)
                if isinstance(value, str):
                    future.set_exception(EncoderError(value))
                else:
                    future.set_result(value)
        try:
            code: int | str = self.process.wait(JOIN_SECONDS)
        except subprocess.TimeoutExpired:
            code = "unknown: it closed its output"
        with self._guard:
            self.ended = f"the MiniLM process ended (exit code {code})"
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(EncoderError(self.ended))


# Not `-m`: the package's __init__ imports this module first, and runpy warns about that.
_CHILD = f"import sys; from {__name__} import main; main(sys.argv[1:])"


def _child_env() -> dict[str, str]:
    """The caller's environment, with this package importable however the caller found it."""
    root = str(Path(__file__).resolve().parents[3])
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def main(argv: list[str]) -> None:
    """The child's entry point: requests on standard input, answers on standard output."""
    answers = Connection(os.dup(1))
    os.dup2(2, 1)  # anything a library prints goes to standard error, not into the answers
    # transformers imports scipy, when installed, for losses this model never uses: hiding it
    # saves ~40 MB of this process.
    sys.modules["scipy"] = None  # type: ignore[assignment]
    serve(Connection(os.dup(0)), answers, Path(argv[0]) if argv else None)


def serve(requests: Connection, answers: Connection, path: Path | None) -> None:
    """Load MiniLM, then answer (ticket, texts) requests until the parent closes its end."""
    try:
        from monitor.classify.support.encoder import MiniLM

        encoder: Any = MiniLM(path)
    except Exception as exc:  # noqa: BLE001 - the parent must hear why, not just see an exit code
        encoder = f"MiniLM did not load: {type(exc).__name__}: {exc}"
    while True:
        try:
            waiting = [requests.recv()]
            while requests.poll():  # everything already sent shares the forward passes
                waiting.append(requests.recv())
        except EOFError:
            return
        for ticket, value in _answer(encoder, waiting):
            answers.send((ticket, value))


def _answer(encoder: Any, waiting: list[tuple[int, list[str]]]) -> list[tuple[int, Any]]:
    """Each ticket's embeddings, or the error text for all of them."""
    if isinstance(encoder, str):
        return [(ticket, encoder) for ticket, _ in waiting]
    try:
        rows = encoder.embed([text for _, texts in waiting for text in texts])
    except Exception as exc:  # noqa: BLE001 - one bad batch fails its requests, not the process
        return [(ticket, f"MiniLM failed: {type(exc).__name__}: {exc}") for ticket, _ in waiting]
    bounds = list(itertools.accumulate(len(texts) for _, texts in waiting))
    return [(ticket, rows[end - len(texts):end]) for (ticket, texts), end in zip(waiting, bounds)]
