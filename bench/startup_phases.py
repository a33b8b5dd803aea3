"""Start-up phases: the one-off work of a fresh process before its first post's answer, timed
phase by phase, each run in a fresh process (median of --runs).

Phases: importing the detectors (and, within it, the regexes compiled at import), the BIP39
index of the seed finder, the content rules' needle gates, and the first post's secret and
content scans (with the regexes compiled on first use). Times are the main thread's CPU time
(time.thread_time), which other jobs on the machine disturb less than wall time; not the
process's, which counts the spinning of the threads numpy's BLAS starts on import. Bytecode is
written first, as a wheel install has it. With --before REV, the code of that git revision is
timed too, in turns with this checkout's.

Usage: python bench/startup_phases.py [--runs 9] [--text TEXT] [--before REV]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import thread_time
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
        start = thread_time()
        try:
            return compile_(*args)
        finally:
            spent[0] += thread_time() - start

    _compiler.compile = timed
    return spent


def child(text: str) -> dict[str, float]:
    """The phases' seconds in this (fresh) process."""
    spent = _timed_compiles()
    start = thread_time()
    import monitor.classify  # noqa: F401  (what `monitor scan` imports of the detectors)
    from monitor.classify.impersonation import content
    from monitor.classify.secrets import core, seeds
    from monitor.classify.text import normalise

    times = {"import": thread_time() - start, "import: re.compile": spent[0]}
    start = thread_time()
    seeds._index()
    times["seed index"] = thread_time() - start
    start = thread_time()
    # The Latin rules' gates (_latin); _gated made the Chinese ones too, before they were split:
    # either is timed, so the code of an older revision can be measured as well.
    (vars(content).get("_latin") or vars(content)["_gated"])()
    times["needle gates"] = thread_time() - start
    before, start = spent[0], thread_time()
    core.find_secrets(text)
    content.content_signals(normalise(text))
    times["first post"] = thread_time() - start
    times["first post: re.compile"] = spent[0] - before
    return times


def run_child(code: Path, text: str) -> dict[str, float]:
    """child() in a fresh process whose `monitor` is the package under code (put before the
    PYTHONPATH this bench was given, which stays: it may say where data files are found)."""
    paths = [str(code), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    command = [sys.executable, __file__, "--child", "--text", text]
    done = subprocess.run(command, capture_output=True, check=True, text=True, env=env)
    times: dict[str, float] = json.loads(done.stdout)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the phases in fresh processes and print each one's median and fastest time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--text", help="the post (default: coldstart.py's)")
    parser.add_argument("--before", help="git revision to time as well, in turns")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.text)))
        return 0
    # Imported here, not above: they import monitor, which the child must import under its clock.
    from coldstart import TEXT
    from same_output import export
    from throughput import ROOT, compile_bytecode

    compile_bytecode()
    with tempfile.TemporaryDirectory() as name:
        codes = {"after": ROOT}
        if args.before:
            codes = {"before": export(args.before, Path(name)), **codes}
            compileall.compile_dir(codes["before"] / "monitor", quiet=1)
        runs: dict[str, list[dict[str, float]]] = {label: [] for label in codes}
        for _ in range(args.runs):
            for label, code in codes.items():
                runs[label].append(run_child(code, args.text or TEXT))
    report(runs)
    return 0


def report(runs: dict[str, list[dict[str, float]]]) -> None:
    """Each phase's median and fastest milliseconds, per version of the code."""
    count = len(next(iter(runs.values())))
    print(f"{count} fresh processes each; main-thread CPU ms, median (fastest)")
    print(f"{'phase':<24}" + "".join(f"{label:>18}" for label in runs))
    for phase in PHASES:
        cells = []
        for version in runs.values():
            ms = [run[phase] * 1000 for run in version]
            cells.append(f"{statistics.median(ms):>10.1f} ({min(ms):>5.1f})")
        print(f"{phase:<24}" + "".join(f"{cell:>18}" for cell in cells))


if __name__ == "__main__":
    sys.exit(main())
