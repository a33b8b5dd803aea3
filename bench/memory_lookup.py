"""Time one campaign-memory lookup (near-copy and known-actor) with 100,000 remembered texts.

The remembered texts are the support model's generated training texts, each reworded into new
copies (bench/memory_threshold.py's reword) until there are enough; the posts looked up are
half fresh copies of remembered texts, half texts remembered nowhere."""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from memory_threshold import demo_posts, generated_texts, reword

from monitor.classify.memory import MemoryDetector, Remembered, informative
from monitor.core.config import load
from monitor.core.models import Author, Post


def remembered(n: int, rng: random.Random) -> list[str]:
    """n informative texts to remember: generated texts, then reworded copies of them."""
    base = generated_texts()
    out = base[:n]
    while len(out) < n:
        if informative(copy := reword(rng.choice(base), rng, 6)):
            out.append(copy)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=24)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = remembered(args.texts, rng)
    detector = MemoryDetector(load(None).brand, max_texts=args.texts)
    now = time.time()
    start = time.perf_counter()
    detector.load_texts((Remembered(i, i, True, now, text=t) for i, t in enumerate(texts, 1)), now)
    built = time.perf_counter() - start
    _, others = demo_posts()
    queries = [reword(rng.choice(texts), rng, 2) if i % 2 else rng.choice(others)
               for i in range(args.posts)]
    posts = [Post("telegram", str(i), Author("telegram", str(i), f"user{i}"), t)
             for i, t in enumerate(queries)]
    times, cpu, hits = [], [], 0
    for post in posts:
        start, used = time.perf_counter(), time.thread_time()
        hits += bool(detector.check(post))
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - used)
    ms = sorted(t * 1000 for t in times)
    cpu_ms = sorted(t * 1000 for t in cpu)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(detector.copies)} texts remembered in {built:.1f} s; peak RSS {rss:.0f} MB")
    print(f"lookup per post: mean {statistics.mean(ms):.3f} ms, median {ms[len(ms) // 2]:.3f} ms, "
          f"p99 {ms[int(len(ms) * 0.99)]:.3f} ms over {len(posts)} posts ({hits} flagged)")
    # CPU time: what the lookup costs, apart from waiting for a core on a busy machine.
    print(f"CPU per post: mean {statistics.mean(cpu_ms):.3f} ms, "
          f"median {cpu_ms[len(cpu_ms) // 2]:.3f} ms, p99 {cpu_ms[int(len(cpu_ms) * 0.99)]:.3f} ms")


if __name__ == "__main__":
    main()
