"""Worst-case time per post over adversarial inputs, per detector:
catastrophic backtracking shows up here.

Each input family is built at two sizes; a detector whose time grows much faster than the text
(more than 8x for 4x the length) is flagged SUPERLINEAR, and 1 MB is timed only where the
smaller sizes say it finishes in reasonable time (otherwise the 1 MB time is extrapolated).

Usage: python bench/adversarial.py [--config FILE] [--big 1000000] [--budget 60]
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from collections.abc import Callable
from pathlib import Path

from monitor.classify import find_secrets
from monitor.classify.secrets.core import FINDERS
from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline

SMALL, MEDIUM = 16_000, 64_000
# Letters in no pattern, as a glued run an attacker might pad a phrase with.
_LETTERS = "qzjxkvbpygfwmucldrhsnioate" * 3 + "thequickbrownfoxjumpsoverthelazydog"
SEED_WORDS = "abandon ability able about above absent absorb abstract absurd abuse access accident "
# Each family: a function of the wanted length; texts repeat a unit, cut to the length.
FAMILIES: dict[str, Callable[[int], str]] = {
    "one char run (a)": lambda n: "a" * n,
    "one char run (.)": lambda n: "." * n,
    "spaces": lambda n: " " * (n - 1) + "x",
    "digits": lambda n: "1" * n,
    "hex run": lambda n: ("0123456789abcdef" * (n // 16 + 1))[:n],
    "base58 run": lambda n: ("5" + "KxZ9" * (n // 4 + 1))[:n],
    "near-miss seed words": lambda n: (SEED_WORDS * (n // len(SEED_WORDS) + 1))[:n],
    "seed words, no spaces": lambda n: (SEED_WORDS.replace(" ", "") * (n // 80 + 1))[:n],
    "many URLs": lambda n: ("https://okx.com.verify-login.io/a?b=c " * (n // 38 + 1))[:n],
    "dotted run (a.a.a)": lambda n: ("a." * (n // 2 + 1))[:n],
    "'.com' then no spaces": lambda n: (".com" + "<b>" * (n // 3 + 1))[:n],
    "deep markup": lambda n: "<b>" * (n // 7) + "x" + "</b>" * (n // 7),
    "nested brackets": lambda n: "[(" * (n // 4) + ")]" * (n // 4),
    "RTL and zero-width mix": lambda n: ("\u202eokx\u200bsupport\u200d\u2067 " * (n // 17 + 1))[:n],
    "Chinese run": lambda n: "提现到账请帮忙" * (n // 7 + 1),
    "handles (@@@)": lambda n: "@" * n,
    "password: repeated": lambda n: ("password: " * (n // 10 + 1))[:n],
    "key= repeated": lambda n: ("api_key=" * (n // 8 + 1))[:n],
    "emoji": lambda n: "🚀" * n,
    # Shapes the finders' normalised views undo, at their worst (issue 21).
    "key words repeated": lambda n: ("apikey secret passphrase " * (n // 25 + 1))[:n],
    "glued letters": lambda n: (_LETTERS * (n // len(_LETTERS) + 1))[:n],
    "spaced letters": lambda n: (" ".join(SEED_WORDS) * (n // 160 + 1))[:n],
    "emoji-joined seed words": lambda n: (SEED_WORDS.replace(" ", "🔥") * (n // 80 + 1))[:n],
    "base64 of seed words": lambda n: (
        base64.b64encode(SEED_WORDS.encode() * (n // 60 + 1)).decode()
    )[:n],
    "hex pieces after a key word": lambda n: ("private key " + "0a1b " * (n // 5 + 1))[:n],
    "percent escapes": lambda n: ("%41%20%e4%b8%ad" * (n // 15 + 1))[:n],
    "Cyrillic prose": lambda n: ("привет мир как дела аре сору " * (n // 29 + 1))[:n],
    "control characters": lambda n: ("pass\0word is \x07" * (n // 16 + 1))[:n],
    "fullwidth digits": lambda n: ("private key " + "０１２３４５６７８９" * (n // 10 + 1))[:n],
    "URL user-info": lambda n: ("https://a:b@c.io/ " * (n // 18 + 1))[:n],
    "authenticator words": lambda n: ("2fa secret JBSW Y3DP " * (n // 21 + 1))[:n],
}


def timed(check: Callable[[Post], object], text: str) -> float:
    """Seconds one check takes on one post."""
    post = Post("telegram", "1", Author("telegram", "1", "user"), text)
    start = time.perf_counter()
    check(post)
    return time.perf_counter() - start


def _on_text(finder: Callable[[str], object]) -> Callable[[Post], object]:
    """A secret finder as a check on a post's text."""
    return lambda post: finder(post.text)


def checks(pipeline: Pipeline) -> dict[str, Callable[[Post], object]]:
    """Every secret finder, every other detector, and the whole pipeline."""
    found: dict[str, Callable[[Post], object]] = {
        f"secrets.{f.__module__.rsplit('.', 1)[-1]}": _on_text(f) for f in FINDERS
    }
    found["secrets (views, all)"] = _on_text(find_secrets)
    found |= {d.name: d.check for d in pipeline.detectors}
    found["pipeline (all)"] = pipeline.process
    return found


def measure(
    check: Callable[[Post], object], family: Callable[[int], str], big: int, budget: float
) -> tuple[float, str]:
    """The time at `big` characters (measured, or extrapolated when over budget) and a note."""
    small, medium = (min(timed(check, family(n)) for _ in range(3)) for n in (SMALL, MEDIUM))
    growth = medium / max(small, 1e-3)  # best of three: a busy machine adds noise, never removes it
    superlinear = growth > 8 and medium > 0.05
    predicted = medium * (big / MEDIUM) ** (2.0 if superlinear else 1.0)
    note = "SUPERLINEAR" if superlinear else ""
    if predicted > budget:
        return predicted, (note + " extrapolated").strip()
    return timed(check, family(big)), note


def main() -> None:
    """Print the worst family per check, then every measurement over 0.5 s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="monitor.toml (default: the bundled example)")
    parser.add_argument("--big", type=int, default=1_000_000, help="characters in the largest text")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="longest run to time, in seconds"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="each measurement on stderr as it is taken"
    )
    parser.add_argument("--only", help="only the checks whose name starts with this (e.g. secrets)")
    args = parser.parse_args()
    pipeline = Pipeline.from_settings(config.load(args.config), b"bench-salt" * 4)
    rows = []
    chosen = {n: c for n, c in checks(pipeline).items() if not args.only or n.startswith(args.only)}
    for name, check in chosen.items():
        for family, make in FAMILIES.items():
            seconds, note = measure(check, make, args.big, args.budget)
            rows.append((name, family, seconds, note))
            if args.verbose:
                print(
                    f"    {name:<24} {family:<26} {seconds:9.2f} s  {note}",
                    file=sys.stderr,
                    flush=True,
                )
    print(f"worst case per check at {args.big:,} characters:")
    for name in chosen:
        _, family, seconds, note = max((r for r in rows if r[0] == name), key=lambda r: r[2])
        print(f"  {name:<24} {seconds:9.2f} s  {family:<26} {note}")
    print("every measurement over 0.5 s:")
    for name, family, seconds, note in sorted(rows, key=lambda r: -r[2]):
        if seconds > 0.5:
            print(f"  {name:<24} {family:<26} {seconds:9.2f} s  {note}")


if __name__ == "__main__":
    main()
