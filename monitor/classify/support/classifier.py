"""SupportDetector: the Detector face of the support classifier: an n-gram stage,
MiniLM for English it may flag."""

from __future__ import annotations

import importlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from monitor.classify.base import Pending
from monitor.classify.bundled import data_path
from monitor.classify.support.background import BackgroundEncoder, EncoderError, shared_encoder
from monitor.classify.support.encoder import MODEL_DATA_FILE, MODEL_FILE, TOKENIZER_FILE
from monitor.classify.support.linear import ByScript, Scores, from_logits, sigmoid
from monitor.classify.text import language
from monitor.core.models import SUPPORT_TOPICS, Finding, Post

log = logging.getLogger(__name__)
DEFAULT_MODEL_DIR = data_path("support", "model")
META_FILE = "meta.json"
# Below this a finding is noise even for the review queue; the flag line itself is the config's
# support_request threshold (0.5 by default, where the model's scores are calibrated to cut).
MIN_SCORE = 0.2
WEIGHTLESS_GRAPH = 1 << 20  # bytes: MiniLM's graph is ~0.1 MB without its weights, ~23 MB with
TOPIC_WORDS = {
    "withdrawal": "a withdrawal or outgoing transfer",
    "deposit": "a deposit or incoming transfer",
    "login": "logging in or account security",
    "kyc": "identity verification",
    "trading": "trading or an order",
    "api": "the API",
    "other": "their account",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's answer for one text."""

    score: float  # P(support request)
    topic: str
    stage: str  # which models decided, for the evidence


class SupportDetector:
    """Flags support requests with their topic; English posts the n-gram model
    might flag also go to MiniLM."""

    kind = "support_request"
    name = "support"

    def __init__(
        self,
        model_dir: Path | None = None,
        encoder_path: Path | None = None,
        use_encoder: bool = True,
    ) -> None:
        model_dir = model_dir or DEFAULT_MODEL_DIR
        self.linear = ByScript.load(model_dir)
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        self.band: tuple[float, float] = tuple(meta["band"])  # type: ignore[assignment]
        self.offsets: dict[str, float] = meta.get("offsets", {})
        # Above band[1] with a topic this sure, MiniLM is not asked (1.0: always asked).
        self.topic_sure: float = meta.get("topic_sure", 1.0)
        # MiniLM and its head: model_dir's own, or the folder encoder_path names (whose errors are
        # then reported, not silently skipped).
        wanted = use_encoder and (encoder_path is not None or (model_dir / MODEL_FILE).exists())
        self.encoder = _encoder(encoder_path or model_dir) if wanted else None

    @classmethod
    def load(cls, path: Path | None = None) -> SupportDetector:
        """The detector from a model directory (default data/support/model/)."""
        return cls(path)

    def check(self, post: Post) -> list[Finding]:
        """One support_request finding when the post asks for help, else none."""
        return self._findings(self.predict([post.text])[0])

    def check_many(self, posts: Sequence[Post]) -> list[list[Finding]]:
        """check() for many posts at once, so the English ones MiniLM sees share its batches."""
        return self.begin_many(posts).result()

    def begin_many(self, posts: Sequence[Post]) -> Pending[list[list[Finding]]]:
        """check_many() started: the n-gram stage runs now, MiniLM on its own thread meanwhile."""
        verdicts = self.begin_predict([p.text for p in posts])
        return Pending(lambda: [self._findings(v) for v in verdicts.result()], verdicts.waits_on)

    def _findings(self, verdict: Verdict) -> list[Finding]:
        """The finding for one verdict, or none below the noise floor."""
        if verdict.score < MIN_SCORE:
            return []
        evidence = (
            f"asks for help with {TOPIC_WORDS[verdict.topic]} ({verdict.stage} {verdict.score:.2f})"
        )
        return [Finding(self.kind, verdict.topic, round(verdict.score, 4), evidence, self.name)]

    def predict(self, texts: Sequence[str]) -> list[Verdict]:
        """Verdicts for many texts; the English ones MiniLM should see share its batches."""
        return self.begin_predict(texts).result()

    def begin_predict(self, texts: Sequence[str]) -> Pending[list[Verdict]]:
        """predict() started: the n-gram verdicts now, the texts it is unsure of sent to MiniLM."""
        cheap = [self.linear.scores(t) for t in texts]
        verdicts = [_verdict(s, "n-gram model") for s in cheap]
        chosen = [i for i, t in enumerate(texts) if self._needs_encoder(t, cheap[i])]
        if not chosen or self.encoder is None:
            return Pending.now([self._calibrated(t, v) for t, v in zip(texts, verdicts)])
        logits = self.encoder.submit([texts[i] for i in chosen])

        def finish() -> list[Verdict]:
            try:
                deep = [from_logits(row) for row in logits.result()]
            except EncoderError as exc:
                # The n-gram verdicts stand (less accurate in English):
                # better than no verdict at all.
                log.error("support classifier without MiniLM for %d posts: %s", len(chosen), exc)
                deep = []
            for i, scores in zip(chosen, deep):
                verdicts[i] = _verdict(self._combine(cheap[i], scores), "n-gram + MiniLM model")
            return [self._calibrated(t, v) for t, v in zip(texts, verdicts)]

        return Pending(finish, [logits])

    def _calibrated(self, text: str, verdict: Verdict) -> Verdict:
        """Shift the score by the language's logit offset, so one 0.5 cut serves every language."""
        offset = self.offsets.get(language(text), 0.0)
        if not offset:
            return verdict
        p = min(max(verdict.score, 1e-6), 1 - 1e-6)
        return replace(verdict, score=sigmoid(math.log(p / (1 - p)) + offset))

    def _needs_encoder(self, text: str, scores: Scores) -> bool:
        """English (MiniLM has no Chinese vocabulary) that the n-gram stage thinks may be a request,
        unless it is sure of both the request and its topic: above band[1] MiniLM moves only the
        topic, and one this sure it would overturn only by disagreeing almost wholly."""
        if scores.support < self.band[0] or language(text) != "en":
            return False
        return scores.support <= self.band[1] or float(scores.topics.max()) <= self.topic_sure

    def _combine(self, cheap: Scores, deep: Scores) -> Scores:
        """Average both stages where the cheap one is unsure; topics always from
        both (MiniLM's are better)."""
        support = (
            cheap.support if cheap.support > self.band[1] else (cheap.support + deep.support) / 2
        )
        return Scores(support=support, topics=(cheap.topics + deep.topics) / 2)


def model_problems(model_dir: Path | None = None, encoder_path: Path | None = None,
                   use_encoder: bool = True) -> list[str]:
    """What would keep the support model from loading, found without loading MiniLM (seconds of
    start-up): the n-gram stage read, MiniLM's two files present and its runtime importable."""
    model_dir = model_dir or DEFAULT_MODEL_DIR
    try:
        ByScript.load(model_dir)
        json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))["band"]
    except (OSError, ValueError, KeyError) as exc:
        return [f"the n-gram stage in {model_dir} does not load ({type(exc).__name__}: {exc})"]
    folder = encoder_path or model_dir
    if not use_encoder or (encoder_path is None and not (model_dir / MODEL_FILE).exists()):
        return []  # n-gram stage only, as the detector would run
    problems = [f"{folder / name} is missing" for name in (MODEL_FILE, TOKENIZER_FILE)
                if not (folder / name).is_file()]
    # A graph of a few KB holds no weights (export.optimise): they are in the file beside it.
    graph, weights = folder / MODEL_FILE, folder / MODEL_DATA_FILE
    if graph.is_file() and graph.stat().st_size < WEIGHTLESS_GRAPH and not weights.is_file():
        problems.append(f"{weights} is missing (the weights of {graph})")
    for module in ("onnxruntime", "tokenizers"):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            problems.append(f"MiniLM's runtime {module} does not import ({exc})")
    return problems


def _encoder(folder: Path) -> BackgroundEncoder:
    """The MiniLM worker shared by every detector on this model."""
    if not Path(folder).is_dir():  # said now, not by the worker later
        raise ValueError(f"[support] encoder_path {folder}: no such directory")
    return shared_encoder(Path(folder).resolve())


def _verdict(scores: Scores, stage: str) -> Verdict:
    """Most likely topic and the support probability."""
    return Verdict(scores.support, SUPPORT_TOPICS[int(np.argmax(scores.topics))], stage)
