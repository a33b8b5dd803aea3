"""How long a hostile Post JSON line takes to be read, or refused, per family and size.

Usage: python bench/badlines.py [--mb 1 7.9]

Each line goes through postjson.parse_line, the reader of `monitor scan`, `monitor run --replay`
and `monitor eval`. Printed: the seconds for the best of three reads (a busy machine only adds
time) and what came of the line. The pipeline after a good line is measured by
bench/adversarial.py and tests/test_badinput.py, not here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from monitor.core.postjson import PostError, parse_line

POST = '{"id": "1", "platform": "telegram", "text": %s, "author": {"handle": "bob"}, "extra": %s}'


def _post(text: str = '"gm"', extra: str = "null") -> str:
    return POST % (text, extra)


# name: a line of about n characters
FAMILIES: dict[str, Callable[[int], str]] = {
    "open brackets [[[[": lambda n: "[" * n,
    "author nested {'a': ...}": lambda n: _post(extra='{"a":' * (n // 6) + "0" + "}" * (n // 6)),
    "flat pairs [][][]": lambda n: _post(extra="[" + "[]," * (n // 3 - 40) + "0]"),
    "brackets in the text": lambda n: _post(text=json.dumps("[" * min(n, 999_000))),
    'escaped quotes "\\"\\"\\"': lambda n: '"' + '\\"' * (n // 2),
    "many short strings": lambda n: _post(extra="[" + '"a",' * (n // 4 - 30) + "0]"),
    "many short objects": lambda n: _post(extra="[" + '{"a":"b"},' * (n // 10 - 10) + "0]"),
    "a huge integer": lambda n: _post(extra="9" * (n - 100)),
    "1e999999 floats": lambda n: _post(extra="[" + "1e999999," * (n // 9 - 20) + "0]"),
    "bytes not UTF-8": lambda n: _post(text='"' + "\udcff" * (n - 100) + '"'),
    "one long text": lambda n: _post(text=json.dumps("a" * (n - 100))),
}


def best_of_three(line: str) -> tuple[float, str]:
    """The fastest of three reads, and what came of the line."""
    times, outcome = [], ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            parse_line(line)
            outcome = "read"
        except PostError as exc:
            outcome = str(exc)[:60]
        times.append(time.perf_counter() - start)
    return min(times), outcome


def main() -> None:
    """Print one row per family and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0, 7.9, 8.1],
                        help="line sizes in MB (the limit is MAX_LINE, 8M characters)")
    args = parser.parse_args()
    print(f"{'family':<28} {'MB':>4} {'seconds':>8}  outcome")
    for name, make in FAMILIES.items():
        for mb in args.mb:
            line = make(int(mb * 1_000_000))
            seconds, outcome = best_of_three(line)
            print(f"{name:<28} {len(line) / 1e6:>4.1f} {seconds:>8.3f}  {outcome}")


if __name__ == "__main__":
    main()
