"""Write data/derived/: the values the detectors derive from their own code and wordlists, shipped
so that a fresh process need not derive them (monitor.classify.derived). Run it after changing a
content rule, the needle or seed-index code, or the mnemonic or confusable-homoglyphs packages;
the tests name it when a file has fallen behind. Usage: python tools/derive_data.py
"""

from __future__ import annotations

import sys

from monitor.classify import derived
from monitor.classify.derived_files import FILES


def main() -> int:
    """Derive every file's value; write the files whose value changed."""
    for name, make in FILES.items():
        written = derived.dump(name, make())
        print(f"{derived.path(name)}: {'written' if written else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
