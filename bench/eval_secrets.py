"""Secret-leak recall and false-positive rate per type: our pipeline vs detect-secrets 1.5.0.

Usage: python bench/eval_secrets.py EVAL_DIR [--config FILE]
"""

from __future__ import annotations

import argparse
import json
import secrets as pysecrets
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from monitor.cli.evaluate import score, to_record, write_table
from monitor.core import config
from monitor.core.pipeline import Pipeline
from monitor.core.postjson import parse_post
from monitor.evalsets import SECRET_SETS, convert

ORDINARY_SETS = ("tweeteval", "weibo", "janitr")  # janitr: its non-scam posts only
DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")
Key = tuple[str, str, str]  # (set, upstream type, truth)


def expected_leak(obj: dict[str, Any]) -> bool:
    """Whether a converted post is labelled as leaking a secret."""
    return any(e["kind"] == "secret_leak" for e in obj["expected"])


def load_posts(eval_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """(set, post) for every secret set, then the ordinary posts (no secret expected)."""
    posts = [(name, obj) for name in SECRET_SETS for obj in convert(name, eval_dir)]
    for name in ORDINARY_SETS:
        posts += [(f"ordinary/{name}", o) for o in convert(name, eval_dir) if not o["expected"]]
    return posts


def run_ours(posts: list[dict[str, Any]], pipeline: Pipeline) -> tuple[list[bool], list[Any]]:
    """Per post: flagged as a secret leak by the pipeline; and the scoring records."""
    flags, records = [], []
    for obj in posts:
        post = parse_post(obj)
        result = pipeline.process(post)
        flags.append(any(f.kind == "secret_leak" for f in result.findings))
        expected = frozenset((e["kind"], e["label"]) for e in obj["expected"])
        records.append(to_record(expected, post.text, result))
    return flags, records


def write_posts_file(texts: Iterable[str], path: Path) -> list[range]:
    """Write texts one after another, one post per line (or lines); the line range of each."""
    spans, line = [], 1
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for text in texts:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            f.write("\n".join(lines) + "\n")
            spans.append(range(line, line + len(lines)))
            line += len(lines)
    return spans


def detect_secrets_scan(paths: list[str], cwd: Path) -> dict[str, list[dict[str, Any]]]:
    """`detect-secrets scan` (default plugins and filters) over these paths: results per file."""
    proc = subprocess.run(
        [str(DETECT_SECRETS), "scan", "--all-files", *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    results: dict[str, list[dict[str, Any]]] = json.loads(proc.stdout)["results"]
    return results


def run_detect_secrets(texts: list[str]) -> list[bool]:
    """Per text: whether detect-secrets reports anything on its lines.

    detect-secrets reports a secret once per file however many lines repeat it, so each post's
    lines go to a file of their own; in one shared file a value repeated across posts would
    count only for the first.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "posts"
        folder.mkdir()
        for i, text in enumerate(texts):
            write_posts_file([text], folder / f"{i:06d}.txt")
        results = detect_secrets_scan(["posts"], Path(tmp))
    flagged = {int(Path(name).stem) for name, found in results.items() if found}
    return [i in flagged for i in range(len(texts))]


def tally(keys: list[Key], flags: list[bool]) -> dict[Key, list[int]]:
    """(flagged, total) per key."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for key, flag in zip(keys, flags):
        out[key][0] += flag
        out[key][1] += 1
    return out


def print_side_by_side(title: str, keys: list[Key], ours: list[bool], theirs: list[bool]) -> None:
    """One row per key: n, share flagged by us and by detect-secrets (recall or FP rate)."""
    a, b = tally(keys, ours), tally(keys, theirs)
    print(f"\n{title}\n{'set':<24} {'type':<34} {'truth':<5} {'n':>5} {'ours':>7} {'d-s':>7}")
    for key in sorted(a):
        (s, t, truth), n = key, a[key][1]
        ours_rate, their_rate = a[key][0] / n, b[key][0] / n
        print(f"{s:<24} {t[:34]:<34} {truth:<5} {n:>5} {ours_rate:>7.1%} {their_rate:>7.1%}")


def summary_keys(posts: list[tuple[str, dict[str, Any]]]) -> list[Key]:
    """Per post: its secret type for leaks, else its set (for the false-positive rows)."""
    keys = []
    for name, obj in posts:
        if expected_leak(obj):
            keys.append(("all secret sets", str(obj["expected"][0]["label"]), "leak"))
        else:
            keys.append((name, "(all)", "not"))
    return keys


def main(argv: list[str] | None = None) -> int:
    """Convert, run both tools on the same posts, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    parser.add_argument("--config", help="monitor.toml (default: the bundled example)")
    args = parser.parse_args(argv)
    posts = load_posts(args.eval_dir)
    pipeline = Pipeline.from_settings(config.load(args.config), pysecrets.token_bytes(32))
    ours, records = run_ours([o for _, o in posts], pipeline)
    theirs = run_detect_secrets([o["text"] for _, o in posts])
    detail = [(n, str(o.get("group", "")), "leak" if expected_leak(o) else "not") for n, o in posts]
    print(
        "Share of posts flagged as a secret leak (ours vs d-s = detect-secrets 1.5.0).\n"
        "truth=leak: recall; truth=not: false-positive rate."
    )
    print_side_by_side("Per upstream type", detail, ours, theirs)
    print_side_by_side(
        "Summary: recall per secret type, FP rate per set", summary_keys(posts), ours, theirs
    )
    print("\nOur pipeline, secret sets only (post-level, labels must match per label):")
    write_table(
        score(r for (n, _), r in zip(posts, records) if not n.startswith("ordinary/")),
        [],
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
