"""process(post) -> findings and planned actions (no network); a batch settled in its context (the
thread, earlier versions, each action's first status); reading a file
through it a chunk at a time."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from monitor.classify import (
    Detector,
    FlagsEarlier,
    Pending,
    ReadsHostLists,
    SecretDetector,
    builtin_detectors,
    language,
    scrub,
)
from monitor.core import policy
from monitor.core.config import Settings
from monitor.core.edits import new_in_edits
from monitor.core.enforce import Enforce
from monitor.core.hostlists import HostLists
from monitor.core.models import ARRIVALS, Context, Finding, History, Post, Processed
from monitor.replies.templates import Templates

T = TypeVar("T")
Process = Callable[[list[Post]], list[Processed]]  # posts -> their results, in order
__all__ = [
    "BATCH",
    "Context",
    "Pipeline",
    "Processed",
    "build_detectors",
    "in_order",
    "numbered_chunks",
]
# Posts classified together at most (by the daemon, and per chunk of a file): a transformer's cost
# per post falls steeply with the batch.
BATCH = 64
# Chunks started ahead of the one being read out: MiniLM works on its own thread, so the other
# detectors go on meanwhile (while it loads, through the whole of a 10,000-post file).
AHEAD = 256
# What the detectors after redaction read of a post at most: real posts are far shorter (Reddit's
# limit is 40,000 characters), and the rules and n-grams must not spend seconds on a 1 MB paste.
# The secret finders read it all, and the post is stored whole (redacted).
DETECT_CHARS = 64_000


def build_detectors(
    settings: Settings, lists: HostLists | None = None, remember: bool = True
) -> list[Detector]:
    """The built-in detectors (every one besides the secret finder) for these settings: classify
    builds them from plain values, read here from the settings, and the host lists (read from
    the settings' list files unless given); the campaign memory's unless `remember` is False."""
    support = settings.support
    lists = lists or HostLists.read(settings.phishing_list, settings.allow_list)
    return builtin_detectors(
        settings.brand,
        phishing=lists.phishing,
        allowed=lists.allowed,
        model_dir=support.get("model_dir"),
        encoder_path=support.get("encoder_path"),
        use_encoder=support.get("use_encoder", True),
        memory=settings.memory if remember and settings.memory.get("enabled", True) else None,
        waves=wave_options(settings) if remember and settings.waves.get("enabled", True) else None,
    )


def wave_options(settings: Settings) -> dict[str, Any]:
    """The wave tracker's options: [waves], the memory's threshold, and who is new to a place (the
    [newcomers] count of first messages)."""
    options = {k: v for k, v in settings.waves.items() if k != "enabled"}
    if "threshold" in settings.memory:
        options["threshold"] = settings.memory["threshold"]
    return {**options, "new_messages": settings.newcomers["first_messages"]}


class Pipeline:
    """Redacts secrets at the entrance, runs every detector, keeps
    flagged findings, plans actions."""

    def __init__(
        self,
        secrets: SecretDetector,
        detectors: Sequence[Detector],
        templates: Templates,
        thresholds: dict[str, float],
        lists: HostLists | None = None,
        enforce: Enforce | None = None,
        newcomers: dict[str, Any] | None = None,
    ) -> None:
        self.secrets = secrets
        self.detectors = list(detectors)
        self.templates = templates
        self.thresholds = thresholds
        self.enforce = enforce or Enforce()  # what may be done against an impostor, per platform
        self.lists = lists or HostLists()  # what the detectors were given, and from which files
        # A member's first messages in a place: how many, and the impersonation threshold's factor.
        newcomers = newcomers or {}
        self.first_messages: int = newcomers.get("first_messages", 0)
        self.newcomer_factor: float = newcomers.get("factor", 1.0)

    @classmethod
    def from_settings(cls, settings: Settings, salt: bytes, remember: bool = True) -> Pipeline:
        """The pipeline with the built-in detectors for these settings; `remember`: with the
        campaign memory (which only a store can feed: `monitor scan` and `eval` have none)."""
        lists = HostLists.read(settings.phishing_list, settings.allow_list)
        return cls(
            secrets=SecretDetector(salt),
            detectors=build_detectors(settings, lists, remember),
            templates=Templates.load(settings.brand),
            thresholds=settings.thresholds,
            enforce=settings.enforce,
            lists=lists,
            newcomers=settings.newcomers,
        )

    def in_context(
        self,
        posts: Sequence[Post],
        context: Context,
        modes: policy.Modes,
        process: Process | None = None,
    ) -> list[Processed]:
        """Classify a batch as the daemon stores it: marked by the thread, run through `process`
        (process_many unless given), then settled. The one way posts are read in context."""
        posts = marked(posts, context)
        run = process or self.process_many
        return self.settle(posts, run(posts), context, modes, run)

    def settle(
        self,
        posts: Sequence[Post],
        results: Sequence[Processed],
        context: Context,
        modes: policy.Modes,
        process: Process | None = None,
    ) -> list[Processed]:
        """The batch's first-pass results made final: replies to requests in the batch again, an
        edit kept to what is new, and each action's first status by its finding kind's mode."""
        again = again_under_requests(posts, results, context, process or self.process_many)
        settled = new_in_edits(again, context, self.templates, self.enforce)
        return [_with_statuses(r, modes) for r in settled]

    def set_lists(self, lists: HostLists) -> None:
        """Hand new host lists to the detectors that read them, for the posts they check from now
        on (a running daemon's, when a list file changed)."""
        self.lists = lists
        for detector in self.detectors:
            if isinstance(detector, ReadsHostLists):
                detector.set_lists(lists.phishing, lists.allowed)

    def process(self, post: Post) -> Processed:
        """Classify one post. Nothing downstream ever sees the unredacted text."""
        return self.process_many([post])[0]

    def process_many(self, posts: Sequence[Post]) -> list[Processed]:
        """Classify posts together, in order: a detector with check_many
        (batched models) sees them at once."""
        return self.start(posts).result()

    def start(self, posts: Sequence[Post]) -> Pending[list[Processed]]:
        """process_many() started: everything in this process runs now; the result waits only for
        models working on another thread, so a caller can start the next posts meanwhile."""
        entered = [self._enter(post) for post in posts]
        clean = [_readable(c) for c, _ in entered]
        # A detector that works on another thread (MiniLM) begins first, so that its work overlaps
        # the others' rather than waiting for them; findings stay in the detectors' order.
        first = sorted(self.detectors, key=lambda d: not hasattr(d, "begin_many"))
        begun = {id(d): _begin(d, clean) for d in first}
        started = [begun[id(d)] for d in self.detectors]

        # Asked once a batch, not once a post: isinstance on a runtime Protocol walks its members.
        flaggers: list[FlagsEarlier] = [d for d in self.detectors if isinstance(d, FlagsEarlier)]

        def finish() -> list[Processed]:
            for pending in started:
                for (_, found), extra in zip(entered, pending.result()):
                    found.extend(extra)
            return [self._finish(c, found, self._earlier(c, flaggers)) for c, found in entered]

        return Pending(finish, [f for pending in started for f in pending.waits_on])

    def _enter(self, post: Post) -> tuple[Post, list[Finding]]:
        """The post with every user-controlled field redacted, and its secret findings."""
        clean, located = scrub(post)
        return clean, self.secrets.findings([m for _, m in located])

    def _earlier(self, post: Post, flaggers: list[FlagsEarlier]) -> tuple[Processed, ...]:
        """Stored posts the detectors now flag because of this one (a wave it raised)."""
        return tuple(self._finish(p, [f]) for d in flaggers for p, f in d.earlier(post))

    def _finish(self, clean: Post, found: list[Finding],
                earlier: tuple[Processed, ...] = ()) -> Processed:
        """Keep the findings over their thresholds (lower for a newcomer's first messages) and
        plan the actions."""
        first = self._first_messages(clean)
        flagged = [_noted(f, clean) if _stricter(f, first) else f for f in found
                   if f.score >= self._threshold(f, first)]
        kinds = {f.kind for f in flagged}
        # The brand's own answers and scam offers are not support requests, whatever their words.
        if "impersonation" in kinds or policy.is_official(clean, self.templates.brand):
            flagged = [f for f in flagged if f.kind != "support_request"]
        actions = policy.plan(clean, flagged, self.templates, self.enforce)
        return Processed(post=clean, findings=flagged, actions=actions, lang=language(clean.text),
                         earlier=earlier)

    def _first_messages(self, post: Post) -> bool:
        """Whether the post is one of its author's first messages in its group, server or subreddit
        (known from the store; an X mention or a DM is in none)."""
        return (bool(post.place) and post.channel != "dm" and post.posts_here is not None
                and post.posts_here < self.first_messages)

    def _threshold(self, finding: Finding, first: bool) -> float:
        """A finding kind's threshold; an impersonation's lower for a newcomer's first messages."""
        threshold = self.thresholds.get(finding.kind, 0.5)
        return threshold * self.newcomer_factor if _stricter(finding, first) else threshold


def _stricter(finding: Finding, first: bool) -> bool:
    """Whether a newcomer's lower threshold applies: to an impersonation finding among their first
    messages, unless its context weighed it down (a member warning about a site is no scammer)."""
    return first and finding.kind == "impersonation" and not finding.weighed_down


def _noted(finding: Finding, post: Post) -> Finding:
    """The finding with its evidence saying it is among the author's first messages here."""
    n = (post.posts_here or 0) + 1
    note = "first message in this place" if n == 1 else f"message {n} in this place"
    return dataclasses.replace(finding, evidence=f"{finding.evidence}; {note}")


def _with_statuses(result: Processed, modes: policy.Modes) -> Processed:
    """The result with each action's first status (and those of the stored posts it flags)."""
    return dataclasses.replace(
        result, statuses=tuple(modes.first_status(a) for a in result.actions),
        earlier=tuple(_with_statuses(e, modes) for e in result.earlier),
    )


def _readable(post: Post) -> Post:
    """The post as the detectors read it: its text cut at DETECT_CHARS."""
    if len(post.text) <= DETECT_CHARS:
        return post
    return dataclasses.replace(post, text=post.text[:DETECT_CHARS])


def marked(posts: Sequence[Post], context: Context) -> list[Post]:
    """The posts, those that reply to a stored post read as a support request marked so (the
    impersonation detector weighs an offer of help or a DM under a help request higher), each with
    its author's history in its place (the store's, and the batch's posts before it)."""
    out = [_mark(post) if _answers_request(post, context) else post for post in posts]
    return with_history(out, context) if context.history else out


def with_history(posts: Sequence[Post], context: Context) -> list[Post]:
    """The posts with their authors' messages in the place before them and when first seen there;
    the posts of a batch count for those after them."""
    seen: dict[tuple[str, str, str], History] = dict(context.history)
    out = []
    for post in posts:
        if post.channel == "dm":
            out.append(post)
            continue
        key = (post.platform, post.place, post.author.id)
        before = seen.get(key, History())
        out.append(dataclasses.replace(post, posts_here=before.messages,
                                       first_here=before.first_seen))
        counts = post.text not in ARRIVALS and not post.edit_of  # a message, not a join or an edit
        seen[key] = History(before.messages + counts, before.first_seen or post.created_at)
    return out


def _answers_request(post: Post, context: Context) -> bool:
    """Whether the post replies to a stored post read as a support request."""
    return bool(post.reply_to) and "support_request" in context.kinds(
        post.platform, post.reply_to or ""
    )


def _mark(post: Post) -> Post:
    """The post marked as a reply to a support request."""
    return dataclasses.replace(post, replies_to_request=True)


def again_under_requests(
    posts: Sequence[Post], results: Sequence[Processed], context: Context, process: Process
) -> list[Processed]:
    """The results, with the replies to a post read as a support request (in this same batch, or
    in the context when the first pass ran before it was known) classified again knowing it."""
    requests = {r.post.key for r in results if any(f.kind == "support_request" for f in r.findings)}
    again = [
        i
        for i, post in enumerate(posts)
        if post.reply_to
        and not post.replies_to_request
        and ((post.platform, post.reply_to) in requests or _answers_request(post, context))
    ]
    out = list(results)
    if again:
        for i, result in zip(again, process([_mark(posts[i]) for i in again]), strict=True):
            out[i] = result
    return out


def _begin(detector: Detector, posts: list[Post]) -> Pending[list[list[Finding]]]:
    """A detector's findings for posts: started if it can work in the background, else done now."""
    begin = getattr(detector, "begin_many", None)
    if begin is not None:
        return begin(posts)  # type: ignore[no-any-return]
    many = getattr(detector, "check_many", None)
    return Pending.now(many(posts) if many else [detector.check(p) for p in posts])


def numbered_chunks(lines: Iterable[str], size: int = BATCH) -> Iterator[list[tuple[int, str]]]:
    """Every line with its line number (from 1), `size` at a time; blank ones too, so that a caller
    can answer each input line (scan) or pass over them (eval)."""
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        chunk.append((number, line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def in_order(started: Iterable[Pending[list[T]]], ahead: int = AHEAD) -> Iterator[T]:
    """The items of each started batch, batch after batch: a batch is read out as soon as it is
    done, and waited for only when `ahead` more have been started behind it."""
    waiting: deque[Pending[list[T]]] = deque()
    for pending in started:
        waiting.append(pending)
        while waiting and (waiting[0].done() or len(waiting) > ahead):
            yield from waiting.popleft().result()
    for pending in waiting:
        yield from pending.result()
