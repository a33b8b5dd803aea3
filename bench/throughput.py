"""Throughput and peak memory: `monitor scan` (all detectors) vs `detect-secrets scan`, same posts.

Usage: python bench/throughput.py EVAL_DIR [--posts N] [--config FILE]
"""

from __future__ import annotations

import argparse
import compileall
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval_secrets import DETECT_SECRETS, write_posts_file

import monitor
from monitor.evalsets import SETS, convert

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEMO_STREAM = ROOT / "data" / "demo" / "stream.jsonl"
MONITOR = Path(sys.executable).with_name("monitor")


@dataclass(frozen=True, slots=True)
class Run:
    """One command: wall time, peak resident memory of its processes, how many processes it ran,
    and the CPU time (user + system) they used, which other jobs on the machine disturb less."""

    seconds: float
    max_rss_mb: float
    processes: int
    cpu_seconds: float = 0.0


def compile_bytecode() -> None:
    """Write the monitor package's bytecode, as installing a wheel does (detect-secrets' was written
    by pip): with PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile its
    ~110 modules again in every run, ~0.1 s of each cold start."""
    compileall.compile_dir(Path(monitor.__file__).parent, quiet=1)


def build_posts(eval_dir: Path, count: int) -> list[dict[str, Any]]:
    """The demo stream and a seeded sample of every converted set, shuffled: `count` in all."""
    demo = [
        json.loads(line) for line in DEMO_STREAM.read_text("utf-8").splitlines() if line.strip()
    ]
    pool = [obj for name in SETS for obj in convert(name, eval_dir)]
    rng = random.Random(0)
    posts = demo + rng.sample(pool, min(len(pool), count - len(demo)))
    rng.shuffle(posts)
    return posts


# Runs a command in `cwd`, its stdout to a file, and prints [exit code, seconds, peak RSS KiB,
# processes seen]. It is a small fresh interpreter so that nothing of this process (which holds
# every converted set) counts.
# `monitor scan` runs MiniLM in a child process, so the peak is taken over the process tree: each
# process's own peak (VmHWM, polled every 20 ms while it lives), summed. Processes rarely peak at
# the same moment, so the sum is an upper bound on what the tree held at once.
_LAUNCHER = """
import json, resource, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from procmem import descendants, own_peak_kib

start = time.perf_counter()
peaks = {}
with open(sys.argv[2], "wb") as out:
    proc = subprocess.Popen(sys.argv[4:], stdout=out, cwd=sys.argv[3])
    while proc.poll() is None:
        for pid in descendants(proc.pid):
            peaks[pid] = max(peaks.get(pid, 0), own_peak_kib(pid))
        time.sleep(0.02)
seconds = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = used.ru_utime + used.ru_stime
print(json.dumps([proc.returncode, seconds, sum(peaks.values()), len(peaks), cpu]))
"""


def run_child(argv: list[str], cwd: Path, stdout_path: Path) -> Run:
    """Run a command to its end through the launcher: wall time and its process tree's peak RSS."""
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(BENCH), str(stdout_path), str(cwd), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    code, seconds, max_rss_kib, processes, cpu = json.loads(proc.stdout)
    if code != 0:
        raise SystemExit(f"{argv[0]} failed with exit status {code}")
    return Run(seconds, max_rss_kib / 1024, processes, cpu)


def measure(
    tool: str, argv: list[str], startup_argv: list[str], n: int, tmp: Path
) -> dict[str, float]:
    """A tool's figures on n posts, and the time of a one-post run. `monitor scan` loads MiniLM in a
    second process while it works, so its one-post time is not a cost every run pays before the
    first post: posts/s beyond a one-post run is n / (time of n - time of 1), not a steady rate."""
    startup = run_child(startup_argv, tmp, tmp / f"{tool}-startup.out")
    full = run_child(argv, tmp, tmp / f"{tool}.out")
    steady = max(full.seconds - startup.seconds, 1e-9)
    return {
        "seconds": full.seconds,
        "posts_per_s": n / full.seconds,
        "one_post_s": startup.seconds,
        "posts_per_s_beyond_one": n / steady,
        "max_rss_mb": full.max_rss_mb,
        "processes": full.processes,
        "cpu_s": full.cpu_seconds,
        "posts_per_cpu_s": n / max(full.cpu_seconds, 1e-9),
    }


def print_results(n: int, ours: dict[str, float], theirs: dict[str, float]) -> None:
    """The side-by-side table and the ratios."""
    print(
        f"{n} posts\n{'tool':<30} {'seconds':>8} {'posts/s':>8} {'1-post run s':>12} "
        f"{'posts/s beyond 1-post run':>25} {'peak RSS MB':>11} {'processes':>9} {'CPU s':>6}"
    )
    for name, r in (("monitor scan (all detectors)", ours), ("detect-secrets scan 1.5.0", theirs)):
        print(
            f"{name:<30} {r['seconds']:>8.1f} {r['posts_per_s']:>8.0f} {r['one_post_s']:>12.1f} "
            f"{r['posts_per_s_beyond_one']:>25.0f} {r['max_rss_mb']:>11.0f} {r['processes']:>9} "
            f"{r['cpu_s']:>6.1f}"
        )
    ratios = (
        ("posts/s", "posts_per_s"),
        ("posts/s beyond a 1-post run", "posts_per_s_beyond_one"),
        ("peak RSS", "max_rss_mb"),
        ("posts per CPU second", "posts_per_cpu_s"),
    )
    for label, key in ratios:
        print(f"ratio monitor / detect-secrets, {label}: {ours[key] / theirs[key]:.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Build the posts, time both tools on them, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--config", help="monitor.toml (default: the bundled example)")
    args = parser.parse_args(argv)
    posts = build_posts(args.eval_dir, args.posts)
    compile_bytecode()
    config = ["--config", args.config] if args.config else []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "posts.jsonl").write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)
        )
        (tmp / "one.jsonl").write_text(json.dumps(posts[0], ensure_ascii=False) + "\n")
        write_posts_file((p["text"] for p in posts), tmp / "posts.txt")
        write_posts_file([posts[0]["text"]], tmp / "one.txt")
        scan = [str(MONITOR), "scan", *config]
        ours = measure("monitor", [*scan, "posts.jsonl"], [*scan, "one.jsonl"], len(posts), tmp)
        # Relative names from the temp folder: detect-secrets skips files outside its working tree.
        ds = [str(DETECT_SECRETS), "scan", "--all-files"]
        theirs = measure("detect-secrets", [*ds, "posts.txt"], [*ds, "one.txt"], len(posts), tmp)
        results = sum(1 for _ in (tmp / "monitor.out").open(encoding="utf-8"))
        found = json.loads((tmp / "detect-secrets.out").read_text("utf-8"))["results"]
    print_results(len(posts), ours, theirs)
    print(
        f"monitor scan wrote {results} result lines for {len(posts)} posts; "
        f"detect-secrets reported {sum(map(len, found.values()))} secrets"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
