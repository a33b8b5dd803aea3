"""`monitor scan`'s work: numbered lines to result objects, in input order, in this process or in
worker processes that each run their own pipeline."""

from __future__ import annotations

import itertools
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from monitor.classify import Pending
from monitor.core.config import Settings
from monitor.core.models import Post
from monitor.core.pipeline import Pipeline, Processed, in_order, numbered_chunks
from monitor.core.postjson import PostError, is_blank, parse_line

if TYPE_CHECKING:  # imported by scan_in_workers: a scan in one process needs no worker pool
    from concurrent.futures import Future, ProcessPoolExecutor

Chunk = list[tuple[int, str]]
# A file of fewer lines is scanned in one process: each worker loads its own models (about half
# a second of CPU), which a short input would not win back.
PARALLEL_FROM = 2048
# Workers started without --jobs: each holds its own models (the parent and two workers peaked at
# ~320 MB on 10,000 posts), so a many-core machine with little memory per core is not filled.
MAX_AUTO_JOBS = 4
# Lines a worker is handed at a time: large enough that sending them and their results costs
# little beside classifying them, small enough to keep every worker busy to the end.
WORKER_CHUNK = 256
# Chunks sent ahead of the one being written, per worker: the input is read as the output is
# written, so memory stays bounded whatever the input's size.
AHEAD_PER_WORKER = 3

_pipeline: Pipeline | None = None  # a worker process's own
_MASKS = hasattr(signal, "pthread_sigmask")  # POSIX; elsewhere workers are spawned, not forked


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, or out of memory)."""


def auto_jobs() -> int:
    """Workers for a long file: one per CPU this process may run on, at most MAX_AUTO_JOBS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_AUTO_JOBS)


def head_and_rest(lines: Iterable[str], count: int) -> tuple[list[str], Iterator[str], bool]:
    """The first `count` lines read, the rest still to read, and whether any line follows them."""
    stream = iter(lines)
    head = list(itertools.islice(stream, count))
    following = next(stream, None)
    if following is None:
        return head, iter(()), False
    return head, itertools.chain([following], stream), True


def scan_lines(lines: Iterable[str], pipeline: Pipeline) -> Iterator[dict[str, Any]]:
    """One result per line, in order: a post's findings, an error for a malformed line (naming what
    is wrong, never quoting it), a marker for a blank line."""
    return in_order(_scan_chunk(chunk, pipeline) for chunk in numbered_chunks(lines))


def scan_in_workers(
    lines: Iterable[str], settings: Settings, salt: bytes, jobs: int
) -> Iterator[dict[str, Any]]:
    """scan_lines() over `jobs` worker processes, each with its own pipeline built from the same
    settings and salt: the same results, in the same order, as one process gives."""
    # Imported here, the one place workers start: they would cost every scan run in one process
    # (standard input, or a file of up to PARALLEL_FROM lines) ~7 ms of its start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    try:
        with ProcessPoolExecutor(jobs, context, _start, (settings, salt)) as pool:
            waiting: deque[Future[list[dict[str, Any]]]] = deque()
            try:
                for chunk in numbered_chunks(lines, WORKER_CHUNK):
                    waiting.append(_submit(pool, chunk))
                    if len(waiting) > jobs * AHEAD_PER_WORKER:
                        yield from waiting.popleft().result()
                while waiting:
                    yield from waiting.popleft().result()
            finally:  # interrupted, or its reader gone: the chunks not yet begun are dropped
                pool.shutdown(cancel_futures=True)
    except BrokenProcessPool:
        raise WorkerDied(
            "a scan worker process ended without answering (killed, or out of memory?); "
            "run with --jobs 1 to scan in one process"
        ) from None


def _submit(pool: ProcessPoolExecutor, chunk: Chunk) -> Future[list[dict[str, Any]]]:
    """A chunk sent to the workers. They are forked inside submit(), so Ctrl-C is held back there:
    a worker never gets it before _start ignores it (the parent answers it right after)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if _MASKS else None
    try:
        return pool.submit(_scan_in_worker, chunk)
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start(settings: Settings, salt: bytes) -> None:
    """A worker's start: its own pipeline, built once."""
    global _pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to answer, once
    if _MASKS:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _pipeline = Pipeline.from_settings(settings, salt, remember=False)


def _scan_in_worker(chunk: Chunk) -> list[dict[str, Any]]:
    """One chunk's results, in a worker."""
    assert _pipeline is not None, "the worker's initializer builds the pipeline"
    return _scan_chunk(chunk, _pipeline).result()


def _scan_chunk(chunk: Chunk, pipeline: Pipeline) -> Pending[list[dict[str, Any]]]:
    """Results for numbered lines, started: the well-formed ones go through the pipeline
    together."""
    posts: dict[int, Post] = {}
    answered: dict[int, dict[str, Any]] = {}
    for number, line in chunk:
        if is_blank(line):
            answered[number] = blank(number)
            continue
        try:
            posts[number] = parse_line(line)
        except PostError as exc:
            answered[number] = _error(number, str(exc))
    processed = _process(pipeline, list(posts.values()))

    def results() -> list[dict[str, Any]]:
        for number, result in zip(posts, processed.result(), strict=True):
            if isinstance(result, str):
                answered[number] = _error(number, result)
            else:
                answered[number] = scan_result(result)
        return [answered[number] for number, _ in chunk]

    return Pending(results, processed.waits_on)


def _process(pipeline: Pipeline, posts: list[Post]) -> Pending[list[Processed | str]]:
    """The posts through the pipeline, started; if the batch raises, post by post, so a post that
    breaks a detector gets an error (the exception's name) and the others their results."""
    try:
        pending = pipeline.start(posts)
    except Exception:  # noqa: BLE001 - retried post by post below
        return Pending.now(_one_by_one(pipeline, posts))

    def finish() -> list[Processed | str]:
        try:
            return list(pending.result())
        except Exception:  # noqa: BLE001 - retried post by post below
            return _one_by_one(pipeline, posts)

    return Pending(finish, pending.waits_on)


def _one_by_one(pipeline: Pipeline, posts: list[Post]) -> list[Processed | str]:
    """Each post's result, or the error that stopped it."""
    out: list[Processed | str] = []
    for post in posts:
        try:
            out.append(pipeline.process(post))
        except Exception as exc:  # noqa: BLE001 - one post must not stop the scan
            out.append(f"not processed ({type(exc).__name__})")
    return out


def blank(number: int) -> dict[str, Any]:
    """The answer for a blank line."""
    return {"id": None, "line": number, "blank": True}


def _error(number: int, message: str) -> dict[str, Any]:
    """The result of a line that gave no post."""
    return {"id": None, "line": number, "error": message}


def scan_result(result: Processed) -> dict[str, Any]:
    """The JSON form of one processed post."""
    findings = [
        {"kind": f.kind, "label": f.label, "score": round(f.score, 3), "evidence": f.evidence}
        for f in result.findings
    ]
    return {"id": result.post.id, "findings": findings, "text_redacted": result.post.text}
