"""One-off: write t2s.txt, the traditional-to-simplified character table, from the hanziconv package."""

from __future__ import annotations

from pathlib import Path

from hanziconv import charmap  # Apache-2.0; only needed to rebuild the committed table

OUT = Path(__file__).with_name("t2s.txt")
# Both account characters fold to the standard simplified form so 帳戶/帐户/账户 share features.
OVERRIDES = {"帳": "账", "帐": "账"}
HEADER = (
    "# traditional<TAB>simplified, one character each; derived from hanziconv 0.3.2 (Apache-2.0)\n"
)


def main() -> None:
    """Keep every pair whose two forms differ, one per line, sorted for stable diffs."""
    table = {
        t: OVERRIDES.get(t, s)
        for t, s in zip(charmap.traditional_charmap, charmap.simplified_charmap)
        if t != s and not t.isspace()
    }
    pairs = sorted({**table, **OVERRIDES}.items())
    OUT.write_text(HEADER + "".join(f"{t}\t{s}\n" for t, s in pairs), encoding="utf-8")
    print(f"wrote {len(pairs)} pairs to {OUT}")


if __name__ == "__main__":
    main()
