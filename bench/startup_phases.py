"""Start-up phases: the one-off work of a fresh process before its first post's answer, timed
phase by phase, each run in a fresh process (median of --runs).

Phases: importing the detectors (and, within it, the regexes compiled at import), the BIP39
index of the seed finder, the content rules' needle gates, and the first post's secret and
content scans (with the regexes compiled on first use). Bytecode is written first, as a wheel
install has it. Usage: python bench/startup_phases.py [--runs 7] [--text TEXT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from time import perf_counter
from typing import Any

PHASES = (
    "import",
    "import: re.compile",
    "seed index",
    "needle gates",
    "first post",
    "first post: re.compile",
)


def _timed_compiles() -> list[float]:
    """Seconds spent compiling regexes from now on, summed in the returned one-item list."""
    from re import _compiler  # type: ignore[attr-defined]

    spent = [0.0]
    compile_: Callable[..., Any] = _compiler.compile

    def timed(*args: Any) -> Any:
        """re's own compile, timed."""
        start = perf_counter()
        try:
            return compile_(*args)
        finally:
            spent[0] += perf_counter() - start

    _compiler.compile = timed
    return spent


def child(text: str) -> dict[str, float]:
    """The phases' seconds in this (fresh) process."""
    spent = _timed_compiles()
    start = perf_counter()
    import monitor.classify  # noqa: F401  (what `monitor scan` imports of the detectors)
    from monitor.classify.impersonation import content
    from monitor.classify.secrets import core, seeds
    from monitor.classify.text import normalise

    times = {"import": perf_counter() - start, "import: re.compile": spent[0]}
    start = perf_counter()
    seeds._index()
    times["seed index"] = perf_counter() - start
    start = perf_counter()
    content._gated()
    times["needle gates"] = perf_counter() - start
    before, start = spent[0], perf_counter()
    core.find_secrets(text)
    content.content_signals(normalise(text))
    times["first post"] = perf_counter() - start
    times["first post: re.compile"] = spent[0] - before
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the phases in fresh processes and print each one's median and fastest time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--text", help="the post (default: coldstart.py's)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.text)))
        return 0
    # Imported here, not above: they import monitor, which the child must import under its clock.
    from coldstart import TEXT
    from throughput import compile_bytecode

    compile_bytecode()
    command = [sys.executable, __file__, "--child", "--text", args.text or TEXT]
    runs = [
        json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
        for _ in range(args.runs)
    ]
    print(f"{args.runs} fresh processes; ms")
    print(f"{'phase':<24} {'median':>8} {'fastest':>8}")
    for phase in PHASES:
        ms = [run[phase] * 1000 for run in runs]
        print(f"{phase:<24} {statistics.median(ms):>8.1f} {min(ms):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
