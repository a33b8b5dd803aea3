"""Campaign memory on third-party scam posts (read from --eval-dir, never shipped): near-duplicate
scam posts are clustered, one post per cluster is flagged by a "manager" (the real review path over
a scratch store), and the rest of each cluster is run through the pipeline with and without the
memory; false positives are counted on the non-scam posts. The threshold is the shipped one, chosen
beforehand on the project's own data (bench/memory_threshold.py), never on these figures.

Waves: each cluster posted in one place by its authors (new accounts) two minutes apart, clusters
hours apart, and each source's non-scam posts in a place of their own 20 seconds apart; posts
flagged by the impersonation detector alone, and with the wave tracker. First messages: the
impersonation detector's findings on the set at the threshold and at the newcomers' lower one.

    .venv/bin/python bench/campaign.py --eval-dir ../shared/eval [--waves-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from memory_threshold import demo_posts, generated_texts, reword

from monitor.classify import ImpersonationDetector
from monitor.classify.memory import (
    Identifier,
    MemoryDetector,
    Remembered,
    WaveDetector,
    informative,
)
from monitor.classify.memory.shingles import normal_form
from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.desk import review
from monitor.runtime.memory_feed import refresh
from monitor.store import Store

CLUSTER_JACCARD = 0.5  # word sets, not the detector's shingles: the campaign is defined apart
_X_HANDLE = re.compile(r"https?://(?:x|twitter)\.com/([A-Za-z0-9_]{1,15})/status/")


@dataclass(frozen=True)
class Sample:
    """One labelled post of the campaign set."""

    source: str
    id: str
    text: str
    scam: bool
    handle: str = ""


def samples(eval_dir: Path) -> Iterator[Sample]:
    """Janitr's X posts, tg-spam's Telegram messages and TweetEval's ordinary tweets."""
    with open(eval_dir / "scam_x_posts_janitr_internetcondom" / "janitr_sample_labeled.csv",
              encoding="utf-8") as f:
        for row in csv.DictReader(f):
            handle = m.group(1) if (m := _X_HANDLE.match(row["source_url"] or "")) else ""
            yield Sample("janitr", row["id"], row["text"], row["is_scam"] == "1", handle)
    tg_spam = eval_dir / "spam_tg_spam_umputun" / "tg_spam_ham_samples.csv"
    with open(tg_spam, encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            yield Sample("tg-spam", str(n), row["text"], row["label"] == "spam")
    tweets = eval_dir / "negatives_tweeteval" / "tweeteval_test_sample.csv"
    with open(tweets, encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            yield Sample("tweeteval", str(n), row["text"], False)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def leader_clusters(scams: list[Sample]) -> list[list[Sample]]:
    """Scam posts grouped around a first post (the one flagged): each post joins the first leader
    within word-set Jaccard CLUSTER_JACCARD, else leads a cluster; sizes 2 and up."""
    words = [set(normal_form(s.text).split()) for s in scams]
    groups: list[tuple[set[str], list[Sample]]] = []
    for s, w in zip(scams, words):
        home = next((g for lead, g in groups if _jaccard(lead, w) >= CLUSTER_JACCARD), None)
        if home is None:
            groups.append((w, [s]))
        else:
            home.append(s)
    return [g for _, g in groups if len(g) > 1]


def clusters(scams: list[Sample]) -> list[list[Sample]]:
    """Scam posts grouped by word-set Jaccard >= CLUSTER_JACCARD (single link: a wave that drifts
    copy after copy is one cluster), sizes 2 and up."""
    words = [set(normal_form(s.text).split()) for s in scams]
    parent = list(range(len(scams)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(scams)):
        for j in range(i + 1, len(scams)):
            union = len(words[i] | words[j])
            if union and len(words[i] & words[j]) / union >= CLUSTER_JACCARD:
                parent[root(i)] = root(j)
    groups: dict[int, list[Sample]] = {}
    for i, s in enumerate(scams):
        groups.setdefault(root(i), []).append(s)
    return [g for g in groups.values() if len(g) > 1]


def post(s: Sample) -> Post:
    platform = "telegram" if s.source == "tg-spam" else "twitter"
    # Posts without an author (tg-spam, TweetEval) get one of their own, named apart per source.
    handle = s.handle or f"{s.source.replace('-', '')}_{s.id}"
    author = Author(platform, f"{s.source}-{handle}", handle)
    return Post(platform, f"{s.source}-{s.id}", author, s.text, channel="public")


def flagged(pipeline: Pipeline, posts: list[Post]) -> list[set[str]]:
    """Per post, the labels of its impersonation findings."""
    return [{f.label for f in r.findings if f.kind == "impersonation"}
            for r in pipeline.process_many(posts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, required=True)
    parser.add_argument("--waves-only", action="store_true",
                        help="only the waves and first-message figures")
    args = parser.parse_args()
    settings = replace(config.load(None), memory={"refresh_seconds": 0.0})
    data = list(samples(args.eval_dir))
    if args.waves_only:
        reworded_waves(settings)
        waves(data, settings)
        first_messages(data, settings)
        return
    groupings = (("single link", clusters), ("around the flagged post", leader_clusters))
    with tempfile.TemporaryDirectory(prefix="wt-memory-campaign-") as tmp:
        for n, (name, grouping) in enumerate(groupings):
            print(f"== clusters: {name}")
            store = Store(Path(tmp) / f"campaign{n}.db")  # a memory of its own for each
            pipeline = Pipeline.from_settings(settings, store.salt())
            # The support model plays no part in impersonation findings: left out for speed.
            pipeline.detectors = [d for d in pipeline.detectors if d.name != "support"]
            without = Pipeline(pipeline.secrets, [d for d in pipeline.detectors
                                                  if not isinstance(d, MemoryDetector)],
                               pipeline.templates, pipeline.thresholds)
            run(data, grouping, store, pipeline, without)
            store.close()
    scamdb_hosts(args.eval_dir, data, settings)
    reworded_waves(settings)
    waves(data, settings)
    first_messages(data, settings)


def scamdb_hosts(eval_dir: Path, data: list[Sample], settings: config.Settings) -> None:
    """CryptoScamDB's scam sites as known contacts: how many posts name one, scam or not."""
    path = eval_dir / "phishing_cryptoscamdb" / "cryptoscamdb_entries.csv"
    with open(path, encoding="utf-8") as f:
        names = {row["name"].casefold().removeprefix("www.") for row in csv.DictReader(f)}
    detector = MemoryDetector(settings.brand)
    detector.load_actors(Remembered(n, 0, True, time.time(), identifier=Identifier("host", h))
                         for n, h in enumerate(sorted(names), 1))
    hits = [bool(detector.check(post(s))) for s in data]
    scam = sum(h for h, s in zip(hits, data) if s.scam)
    other = sum(h for h, s in zip(hits, data) if not s.scam)
    print(f"== CryptoScamDB: {len(detector.actors)} scam hosts known; posts naming one: "
          f"{scam} of {sum(s.scam for s in data)} scam, {other} of "
          f"{sum(not s.scam for s in data)} not scam")


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _placed(s: Sample, place: str, at: datetime) -> Post:
    return replace(post(s), place=place, created_at=at, channel="group")


def waves(data: list[Sample], settings: config.Settings) -> None:
    """Posts flagged by the impersonation detector alone and with the wave tracker (defaults, and
    three accounts), on the scam clusters and on each source's non-scam posts."""
    impostors = ImpersonationDetector(settings.brand, frozenset(), frozenset())
    groups = clusters([s for s in data if s.scam])
    sets = {"scam clusters": [_placed(s, "campaign", T0 + timedelta(hours=3 * k, minutes=2 * i))
                              for k, g in enumerate(groups) for i, s in enumerate(g)],
            "scam clusters of 5+": [_placed(s, "campaign", T0 + timedelta(hours=3 * k,
                                                                         minutes=2 * i))
                                    for k, g in enumerate(groups) if len(g) >= 5
                                    for i, s in enumerate(g)]}
    for source in ("janitr", "tg-spam", "tweeteval"):
        mine = [s for s in data if not s.scam and s.source == source]
        sets[f"not scam, {source}"] = [_placed(s, source, T0 + timedelta(seconds=20 * i))
                                       for i, s in enumerate(mine)]
    print("== waves (posts in one place; authors new to it)")
    for name, posts in sets.items():
        alone = {p.key for p in posts if any(f.score >= 0.5 for f in impostors.check(p))}
        line: dict[str, int | str] = {"set": name, "posts": len(posts),
                                      "flagged_without_waves": len(alone)}
        for accounts in (5, 3):
            tracker = WaveDetector(settings.brand, accounts=accounts)
            waved = set()
            for p in posts:
                if tracker.check(p):
                    waved.add(p.key)
                waved |= {e.key for e, _ in tracker.earlier(p)}
            line[f"wave_{accounts}_accounts"] = len(waved)
            line[f"flagged_with_waves_{accounts}"] = len(alone | waved)
        print(json.dumps(line))


def reworded_waves(settings: config.Settings, seed: int = 24) -> None:
    """The project's own waves: each of the demo stream's scam texts posted by 5 new accounts within
    8 minutes in a place of its own, every copy reworded (bench/memory_threshold.py's reword) with
    1, 2, 4 or 6 edits; and 5 accounts posting the same generated support text or chat (not scam:
    the waves there are the false ones)."""
    rng = random.Random(seed)
    scams, _ = demo_posts()
    others = [t for t in generated_texts() if informative(t)]
    print("== waves of reworded copies (5 new accounts, 2 minutes apart)")
    for edits in (1, 2, 4, 6):
        raised = 0
        tracker = WaveDetector(settings.brand)
        for k, text in enumerate(scams):
            posts = [Post("telegram", f"{k}-{i}", Author("telegram", f"a{k}-{i}", f"new_{k}_{i}"),
                          reword(text, rng, edits), channel="group", place=f"p{k}",
                          created_at=T0 + timedelta(minutes=2 * i)) for i in range(5)]
            raised += any(tracker.check(p) for p in posts)
        print(json.dumps({"edits": edits, "scam texts": len(scams), "waves raised": raised}))
    tracker = WaveDetector(settings.brand)
    texts = rng.sample(others, 2000)
    posts = [Post("telegram", str(i), Author("telegram", f"u{i}", f"user_{i}"), t,
                  channel="group", place="chat", created_at=T0 + timedelta(seconds=10 * i))
             for i, t in enumerate(texts)]
    false = sum(bool(tracker.check(p)) for p in posts)
    print(json.dumps({"set": "generated support texts and chat, one place, 10 s apart",
                      "posts": len(posts), "waves raised": false}))


def first_messages(data: list[Sample], settings: config.Settings) -> None:
    """Posts with an impersonation finding at the threshold and at the newcomers' lower one."""
    impostors = ImpersonationDetector(settings.brand, frozenset(), frozenset())
    threshold = settings.thresholds["impersonation"]
    lower = threshold * settings.newcomers["factor"]
    found = [impostors.check(post(s)) for s in data]
    scores = [max((f.score for f in fs), default=0.0) for fs in found]
    # the pipeline's rule: what the detector weighed down (a warning, chat) keeps the usual line
    strict = [max((f.score for f in fs if not f.weighed_down), default=0.0) for fs in found]
    print(f"== first messages: impersonation threshold {threshold} -> {lower:.2f}")
    for source in ("janitr", "tg-spam", "tweeteval"):
        for scam in (True, False):
            mine = [(v, w) for v, w, s in zip(scores, strict, data)
                    if s.source == source and s.scam == scam]
            if mine:
                print(json.dumps({"set": f"{source} {'scam' if scam else 'not scam'}",
                                  "posts": len(mine),
                                  "flagged": sum(v >= threshold for v, _ in mine),
                                  "flagged_as_first_messages": sum(
                                      v >= threshold or w >= lower for v, w in mine)}))


def run(data: list[Sample], grouping: Callable[[list[Sample]], list[list[Sample]]], store: Store,
        pipeline: Pipeline, without: Pipeline) -> None:
    scams = [s for s in data if s.scam]
    groups = grouping(scams)
    confirmed = [g[0] for g in groups]
    rest = [s for g in groups for s in g[1:]]
    for s in confirmed:  # the manager's flag: the real review path, the memory rows it writes
        result = pipeline.process(post(s))
        store.record(result.post, result.findings, [], [], result.lang)
        target = f"{result.post.platform}:{result.post.id}"
        if any(f.kind == "impersonation" for f in result.findings):
            found = [f for f in store.post_findings(*result.post.key)
                     if f["kind"] == "impersonation"]
            review.decide(store, found[0]["id"], "confirm", "bench")
        else:
            review.flag(store, target, "impersonation", "bench")
    start = time.perf_counter()
    refresh(pipeline.detectors, store, force=True)
    loaded = time.perf_counter() - start
    negatives = [s for s in data if not s.scam]
    print(f"{len(data)} posts: {len(scams)} scam, {len(negatives)} not; {len(groups)} clusters "
          f"of near-duplicate scams (word Jaccard >= {CLUSTER_JACCARD}) holding "
          f"{len(rest) + len(groups)} "
          f"posts; one per cluster flagged, {len(rest)} left to catch "
          f"({sum(informative(s.text) for s in rest)} informative); "
          f"memory loaded in {loaded:.2f} s")
    report("cluster rest", rest, pipeline, without)
    for source in ("janitr", "tg-spam", "tweeteval"):
        mine = [s for s in negatives if s.source == source]
        report(f"not scam, {source}", mine, pipeline, without)


def report(name: str, group: list[Sample], pipeline: Pipeline, without: Pipeline) -> None:
    """Posts with an impersonation finding, without and with memory, and the memory's labels."""
    posts = [post(s) for s in group]
    before = flagged(without, posts)
    after = flagged(pipeline, posts)
    memory = [labels & {"known_scam_copy", "known_actor"} for labels in after]
    n = len(group)
    line: dict[str, int | str] = {
            "set": name, "posts": n, "flagged_without_memory": sum(map(bool, before)),
            "flagged_with_memory": sum(map(bool, after)),
            "known_scam_copy": sum("known_scam_copy" in m for m in memory),
            "known_actor": sum("known_actor" in m for m in memory),
            "memory_alone": sum(map(bool, memory)),
            "missed_then_caught": sum(bool(a) and not b for a, b in zip(after, before))}
    print(json.dumps(line))
    print(f"  {name}: {sum(map(bool, before)) / n:.3f} -> {sum(map(bool, after)) / n:.3f} "
          f"of {n} flagged")


if __name__ == "__main__":
    main()
