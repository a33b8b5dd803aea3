"""Same output: `monitor scan` on the throughput bench's 10,000 posts, before and after a change,
compared byte for byte.

"Before" is the code of a git revision (default: main), exported to a temporary folder and run
with this interpreter; "after" is the code in this checkout. Exit 0 when the two outputs are
identical, 1 (with the first differing line numbers) when not.

Usage: python bench/same_output.py EVAL_DIR [--before REV] [--posts N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from throughput import ROOT, build_posts


def export(rev: str, dest: Path) -> Path:
    """The tree of `rev` written under dest (git archive), without touching any worktree."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(dest, filter="data")
    return dest


def scan(code: Path, posts: Path, out: Path) -> float:
    """`python -m monitor.cli scan` with the package of `code` first on the path; seconds."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    with out.open("wb") as sink:
        proc = subprocess.run(
            [sys.executable, "-m", "monitor.cli", "scan", str(posts)],
            stdout=sink,
            env=env,
            cwd=posts.parent,
            check=False,
        )
    if proc.returncode not in (0, 1):  # 1: some line malformed, still one answer per line
        raise SystemExit(f"monitor scan ({code}) failed with exit status {proc.returncode}")
    return time.perf_counter() - start


def first_differences(a: bytes, b: bytes, limit: int = 5) -> list[int]:
    """The numbers of the first lines that differ (or that one output lacks)."""
    la, lb = a.splitlines(), b.splitlines()
    out = [n for n, (x, y) in enumerate(zip(la, lb), 1) if x != y][:limit]
    if len(out) < limit and len(la) != len(lb):
        out.append(min(len(la), len(lb)) + 1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the posts, scan them with both versions, compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--before", default="main", help="git revision of the 'before' code")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="folder to keep posts and both outputs in")
    args = parser.parse_args(argv)
    posts = build_posts(args.eval_dir, args.posts)
    with tempfile.TemporaryDirectory() as name:
        tmp = args.keep or Path(name)
        tmp.mkdir(parents=True, exist_ok=True)
        source = tmp / "posts.jsonl"
        source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts))
        before = export(args.before, Path(name) / "before")
        t_before = scan(before, source, tmp / "before.out")
        t_after = scan(ROOT, source, tmp / "after.out")
        a, b = (tmp / "before.out").read_bytes(), (tmp / "after.out").read_bytes()
    print(f"{len(posts)} posts; before ({args.before}) {t_before:.1f} s, after {t_after:.1f} s")
    if a == b:
        print(f"same output: {len(a)} bytes, {len(a.splitlines())} lines, byte for byte")
        return 0
    print(f"DIFFERENT output ({len(a)} vs {len(b)} bytes); first lines: {first_differences(a, b)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
