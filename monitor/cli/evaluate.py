"""`monitor eval`: score the pipeline on labelled Post JSON lines: per kind, label, language."""

from __future__ import annotations

import argparse
import json
import secrets as pysecrets
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from monitor.classify import Pending, language
from monitor.core import config
from monitor.core.config import Settings
from monitor.core.models import FINDING_KINDS, Context, Post
from monitor.core.pipeline import Pipeline, Processed, in_order, numbered_chunks
from monitor.core.policy import Modes
from monitor.core.postjson import PostError, decode_lines, is_blank, load_line, parse_post

LANGS = ("en", "zh", "other")
Expected = frozenset[tuple[str, str | None]]  # (kind, label); label None means "any label"
MAX_ERRORS_SHOWN = 20  # in the table; --json lists every malformed line
_HEADER = f"{'tp':>6} {'fp':>6} {'fn':>6} {'tn':>7} {'prec':>6} {'recall':>6} {'f1':>6}\n"


@dataclass(frozen=True, slots=True)
class Record:
    """One scored post: what was expected, what was flagged, its language, its top support topic."""

    expected: Expected
    predicted: frozenset[tuple[str, str]]
    lang: str
    topic: str | None = None  # label of the highest-scoring flagged support_request finding


@dataclass(slots=True)
class Counts:
    """A post-level confusion matrix for one kind, label or kind within a language."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        """Count one post."""
        if expected:
            self.tp, self.fn = self.tp + predicted, self.fn + (not predicted)
        else:
            self.fp, self.tn = self.fp + predicted, self.tn + (not predicted)

    def as_dict(self) -> dict[str, Any]:
        """Counts and the three rates (None where a rate has no denominator)."""
        p, r = _ratio(self.tp, self.tp + self.fp), _ratio(self.tp, self.tp + self.fn)
        f1 = None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": p,
            "recall": r,
            "f1": f1,
        }


@dataclass(slots=True)
class Scores:
    """Everything `monitor eval` reports, computed from records alone."""

    posts: int = 0
    langs: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LANGS, 0))
    kinds: dict[str, Counts] = field(default_factory=dict)
    labels: dict[tuple[str, str], Counts] = field(default_factory=dict)
    by_lang: dict[tuple[str, str], Counts] = field(default_factory=dict)
    topic_correct: int = 0
    topic_total: int = 0


def lang_bucket(text: str) -> str:
    """en, zh or other, from the project's own language guess."""
    lang = language(text)
    return lang if lang in ("en", "zh") else "other"


def score(records: Iterable[Record]) -> Scores:
    """Post-level precision/recall/F1 per kind, label within kind and language; topic accuracy."""
    records = list(records)
    scores = Scores(posts=len(records))
    scores.kinds = {kind: Counts() for kind in _kinds_seen(records)}
    # All labels are known before counting, so a post never naming a label counts as its negative.
    labels = {
        (k, label) for r in records for k, label in r.expected | r.predicted if label is not None
    }
    scores.labels = {key: Counts() for key in sorted(labels)}
    for rec in records:
        scores.langs[rec.lang] = scores.langs.get(rec.lang, 0) + 1
        for kind in scores.kinds:
            _score_kind(scores, rec, kind)
        _score_topic(scores, rec)
    return scores


def _kinds_seen(records: list[Record]) -> list[str]:
    """The three finding kinds, then any other kind a record names (none silently dropped)."""
    seen = {k for r in records for k, _ in r.expected | r.predicted}
    return list(FINDING_KINDS) + sorted(seen - set(FINDING_KINDS))


def _score_kind(scores: Scores, rec: Record, kind: str) -> None:
    """Count one record for a kind, its language and (when its labels are known) each label."""
    exp = {label for k, label in rec.expected if k == kind}
    pred = {label for k, label in rec.predicted if k == kind}
    scores.kinds[kind].add(bool(exp), bool(pred))
    scores.by_lang.setdefault((kind, rec.lang), Counts()).add(bool(exp), bool(pred))
    if None in exp:  # "any label of this kind": the post cannot be judged label by label
        return
    for (k, label), counts in scores.labels.items():
        if k == kind:
            counts.add(label in exp, label in pred)


def _score_topic(scores: Scores, rec: Record) -> None:
    """Topic accuracy counts only true-positive support requests whose expected topic is known."""
    topics = {label for k, label in rec.expected if k == "support_request"}
    if rec.topic is None or not topics or None in topics:
        return
    scores.topic_total += 1
    scores.topic_correct += rec.topic in topics


def _ratio(num: int, den: int) -> float | None:
    """num/den, or None when den is 0."""
    return num / den if den else None


# -- reading a labelled file -----------------------------------------------------------------


def parse_expected(obj: dict[str, Any]) -> Expected:
    """The `expected` field: a list of {"kind", "label"}; a missing or null label: any."""
    items = obj.get("expected")
    if not isinstance(items, list):
        raise PostError(
            'missing field \'expected\' (a list of {"kind", "label"}; [] for an ordinary post)'
        )
    out: set[tuple[str, str | None]] = set()
    for i, item in enumerate(items):
        kind = item.get("kind") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not kind:
            raise PostError(f"field 'expected[{i}].kind' must be a non-empty string")
        label = item.get("label")
        if label is not None and not isinstance(label, str):
            raise PostError(f"field 'expected[{i}].label' must be a string or null")
        out.add((kind, label or None))
    return frozenset(out)


def to_record(expected: Expected, text: str, result: Processed) -> Record:
    """A record from a pipeline result; the language is guessed on the original, unredacted text."""
    support = [f for f in result.findings if f.kind == "support_request"]
    topic = max(support, key=lambda f: f.score).label if support else None
    predicted = frozenset((f.kind, f.label) for f in result.findings)
    return Record(expected=expected, predicted=predicted, lang=lang_bucket(text), topic=topic)


def read_records(
    lines: Iterable[str], pipeline: Pipeline, errors: list[tuple[int, str]]
) -> Iterator[Record]:
    """A record per well-formed line, in order; each malformed line goes to `errors` as
    (number, message). Lines go through the pipeline a chunk at a time, with chunks started
    ahead (see pipeline.in_order)."""
    # the posts read as support requests so far, as the store keeps them
    requests: set[tuple[str, str]] = set()
    return in_order(
        _chunk_records(chunk, pipeline, errors, requests) for chunk in numbered_chunks(lines)
    )


def _chunk_records(
    chunk: list[tuple[int, str]], pipeline: Pipeline, errors: list[tuple[int, str]],
    requests: set[tuple[str, str]],
) -> Pending[list[Record]]:
    """The records of numbered lines, started: the well-formed ones go
    through the pipeline together."""
    parsed: list[tuple[Expected, Post]] = []
    for number, line in chunk:
        if is_blank(line):  # a blank line is neither a post nor malformed: it is not scored
            continue
        try:
            obj = load_line(line)
            post = parse_post(obj)  # the post's errors are named before those of `expected`
            parsed.append((parse_expected(obj), post))
        except PostError as exc:
            errors.append((number, str(exc)))
    processed = pipeline.start([post for _, post in parsed])

    # called chunk after chunk, in order: `requests` holds every earlier one
    def records() -> list[Record]:
        results = in_threads([post for _, post in parsed], processed.result(), pipeline, requests)
        return [to_record(expected, post.text, result)
                for (expected, post), result in zip(parsed, results, strict=True)]

    return Pending(records, processed.waits_on)


def in_threads(
    posts: list[Post], results: list[Processed], pipeline: Pipeline, requests: set[tuple[str, str]]
) -> list[Processed]:
    """The results as the daemon reaches them (Pipeline.settle, as the daemon calls it): a reply to
    a post read as a support request, earlier in the file or in this chunk, is read knowing it."""
    context = Context({key: frozenset({"support_request"}) for key in requests})
    settled = pipeline.settle(posts, results, context, Modes())
    requests.update(r.post.key for r in settled
                    if any(f.kind == "support_request" for f in r.findings))
    return settled


# -- output ------------------------------------------------------------------------------------


def scores_json(scores: Scores, errors: list[tuple[int, str]]) -> dict[str, Any]:
    """The machine-readable form of a run."""
    labels: dict[str, dict[str, Any]] = defaultdict(dict)
    for (kind, label), counts in scores.labels.items():
        labels[kind][label] = counts.as_dict()
    by_lang: dict[str, dict[str, Any]] = defaultdict(dict)
    for (kind, lang), counts in sorted(scores.by_lang.items()):
        by_lang[kind][lang] = counts.as_dict()
    return {
        "posts": scores.posts,
        "langs": scores.langs,
        "malformed": [{"line": n, "error": msg} for n, msg in errors],
        "kinds": {kind: c.as_dict() for kind, c in scores.kinds.items()},
        "labels": dict(labels),
        "by_lang": dict(by_lang),
        "topic_accuracy": {
            "correct": scores.topic_correct,
            "total": scores.topic_total,
            "accuracy": _ratio(scores.topic_correct, scores.topic_total),
        },
    }


def write_table(scores: Scores, errors: list[tuple[int, str]], out: TextIO) -> None:
    """The human-readable report: counts, then one row per kind, label and language."""
    langs = ", ".join(f"{lang} {n}" for lang, n in scores.langs.items())
    out.write(f"posts {scores.posts} ({langs}); malformed lines {len(errors)}\n")
    out.writelines(f"  line {number}: {message}\n" for number, message in errors[:MAX_ERRORS_SHOWN])
    if len(errors) > MAX_ERRORS_SHOWN:
        out.write(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} more (see --json)\n")
    out.write(f"\n{'kind':<17} {'label / lang':<20}" + _HEADER)
    for kind, counts in scores.kinds.items():
        out.write(_row(kind, "(any)", counts))
        for (k, label), c in scores.labels.items():
            if k == kind:
                out.write(_row("", label, c))
        for (k, lang), c in sorted(scores.by_lang.items()):
            if k == kind:
                out.write(_row("", f"lang={lang}", c))
    acc = _fmt(_ratio(scores.topic_correct, scores.topic_total))
    out.write(
        f"\nsupport topic accuracy (true-positive support requests with a known topic): "
        f"{acc} ({scores.topic_correct}/{scores.topic_total})\n"
    )


def _row(kind: str, name: str, counts: Counts) -> str:
    """One table row."""
    d = counts.as_dict()
    return (
        f"{kind:<17} {name:<20}{d['tp']:>6} {d['fp']:>6} {d['fn']:>6} {d['tn']:>7} "
        f"{_fmt(d['precision']):>6} {_fmt(d['recall']):>6} {_fmt(d['f1']):>6}\n"
    )


def _fmt(value: float | None) -> str:
    """A rate with three decimals, or '-' when undefined."""
    return "-" if value is None else f"{value:.3f}"


# -- command -----------------------------------------------------------------------------------


def add_eval(p: argparse.ArgumentParser) -> None:
    """The labelled file, --config, --json and --no-progress."""
    p.add_argument("file", type=Path, help="Post JSON lines, each with an `expected` list")
    p.add_argument("--config", help="monitor.toml (default: the bundled example)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the pipeline on a labelled file."""
    settings = config.load(args.config)
    return run_eval(args.file, settings, progress_wanted(args.no_progress), args.json, sys.stdout)


def progress_wanted(no_progress: bool) -> bool:
    """A progress bar only when asked for and stderr is a terminal (never in logs or pipes)."""
    return not no_progress and sys.stderr.isatty()


def run_eval(path: Path, settings: Settings, progress: bool, as_json: bool, out: TextIO) -> int:
    """Score a labelled Post JSON lines file; exit 0; 1 if lines were malformed; 2 if unreadable."""
    try:
        # Read as scan and replay read: a line that is not UTF-8 is malformed, not silently altered.
        lines = list(decode_lines(path.read_bytes().rstrip(b"\n").split(b"\n")))
    except OSError as exc:
        print(f"monitor: error: {path}: {exc.strerror}", file=sys.stderr)
        return 2
    if not any(line.strip() for line in lines):  # said before the models load, not after
        print(f"monitor: {path}: nothing to evaluate (no Post JSON lines)", file=sys.stderr)
        return 0
    # A throwaway salt: fingerprints are never kept by an evaluation.
    # Each post is scored alone: the campaign memory is measured on its own (bench/campaign.py).
    pipeline = Pipeline.from_settings(settings, pysecrets.token_bytes(32), remember=False)
    errors: list[tuple[int, str]] = []
    bar = tqdm(lines, disable=not progress, file=sys.stderr, delay=1.0, unit="line", desc="eval")
    scores = score(read_records(bar, pipeline, errors))
    if as_json:
        out.write(json.dumps(scores_json(scores, errors), ensure_ascii=False, indent=2) + "\n")
    else:
        write_table(scores, errors, out)
    return 1 if errors else 0
