"""Pick the blocklist hosts that misspell a brand's name without writing it exactly."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from rapidfuzz.distance import OSA

# Reading punycode is no rule of the detector's: the selection may share it.
from monitor.classify.impersonation.domains import decode_label

# The rule is kept apart from the detector's on purpose (its own fold, its own distance, no word
# lists), so that the figures do not measure the detector against itself:
# - a host's labels (not the last) are read IDNA-decoded; a non-ASCII character or a digit is folded
#   to its Unicode UTS #39 prototype (from the eval set's confusables.txt, not the package the
#   detector uses), accents dropped; ASCII letters stay as written;
# - each label is read with its hyphens removed, and all labels joined (a dot may split the name);
#   'rn' read as 'm' and 'vv' as 'w' gives a second reading;
# - a window of that text is a misspelling of a brand name when its plain optimal-string-alignment
#   distance to the name is at most 0 (names under 5 letters), 1 (5-8 letters) or 2 (9+ letters);
# - a window under 6 letters must be a whole label or hyphen-separated piece; inside a longer word a
#   window must keep the name's first letter where a letter precedes it and its last where one
#   follows ('inance' in 'finance' is no 'binance', 'ledgeh' in 'sledgehammer' no 'ledger');
# - a host that holds one of the brand's names verbatim (ASCII or decoded) is left out for that
#   brand: it does not misspell it. The brand's own hosts are left out, and so are the letters of
#   another brand written verbatim (electrumwallet is no 'trustwallet' typo).
# Spot-checked on 120 random dev-half hosts: about 9 in 10 misspell the brand; the rest are other
# words a letter away (nike-coin for kucoin, elephantmoney for phantom, gambit.net for bitget).
_SHORT = 6


def limit(name: str) -> int:
    """Edits a window may differ from the name by: 0 under 5 letters, 1 up to 8, else 2."""
    return 0 if len(name) < 5 else 1 if len(name) <= 8 else 2


@cache
def prototypes(root: Path) -> dict[str, str]:
    """UTS #39 confusables: one source character -> its prototype string."""
    table: dict[str, str] = {}
    path = root / "unicode_confusables/confusables.txt"
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or len(source := fields[0].split()) != 1:
            continue
        table[chr(int(source[0], 16))] = "".join(chr(int(c, 16)) for c in fields[1].split())
    return table


def fold(text: str, table: Mapping[str, str]) -> str:
    """Non-ASCII characters and digits to their prototypes, lower case, accents dropped."""
    out = []
    for char in text.lower():
        if not (char.isascii() and char.isalpha()):
            char = table.get(char, char).lower()
            char = "".join(table.get(c, c) if not c.isascii() else c for c in char).lower()
        out.append(
            "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        )
    return "".join(out)


def readings(host: str, table: Mapping[str, str]) -> tuple[list[str], set[str]]:
    """The texts windows are taken from, and the whole labels and pieces short windows must be."""
    labels = [fold(decode_label(label), table) for label in host.split(".")[:-1]]
    whole: set[str] = set()
    texts = []
    for label in labels:
        whole.update(p for p in label.split("-") if p)
        whole.update((label, label.replace("-", "")))
        texts.append(label.replace("-", ""))
    if len(texts) > 1:
        texts.append("".join(texts))
        whole.add(texts[-1])
    pairs = [t.replace("rn", "m").replace("vv", "w") for t in texts]
    whole |= {w.replace("rn", "m").replace("vv", "w") for w in whole}
    return list(dict.fromkeys(texts + pairs)), whole


def closest(name: str, texts: Iterable[str], whole: set[str]) -> tuple[int, str] | None:
    """The nearest window to the name within its limit, as (distance, window)."""
    size, k = len(name), limit(name)
    pairs = _bigrams(name)
    best: tuple[int, str] | None = None
    for text in texts:
        if name in text:
            return 0, name
        # One edit breaks at most 3 of the name's letter pairs (a swap): skip texts keeping too few.
        if len(pairs & _bigrams(text)) < len(pairs) - 3 * k:
            continue
        for width in range(max(1, size - k), size + k + 1):
            for i in range(len(text) - width + 1):
                window = text[i : i + width]
                if not _shaped(window, name, text, i, whole):
                    continue
                if (d := OSA.distance(name, window, score_cutoff=k)) <= k and (
                    best is None or d < best[0]
                ):
                    best = d, window
    return best


@cache
def _bigrams(text: str) -> frozenset[str]:
    """The distinct letter pairs of a text."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _shaped(window: str, name: str, text: str, i: int, whole: set[str]) -> bool:
    """A window may stand for the name: whole if short, edge letters kept inside a longer word."""
    if len(window) < _SHORT and window not in whole:
        return False
    if i > 0 and text[i - 1].isalpha() and window[0] != name[0]:
        return False
    end = i + len(window)
    return not (end < len(text) and text[end].isalpha() and window[-1] != name[-1])


def misspelled(
    host: str,
    brands: Mapping[str, Iterable[str]],
    table: Mapping[str, str],
    official: Mapping[str, Iterable[str]],
) -> dict[str, str]:
    """Brand key -> window, for each brand the host misspells (and does not write verbatim)."""
    written = host + " " + ".".join(decode_label(label) for label in host.split("."))
    texts, whole = readings(host, table)
    found: dict[str, str] = {}
    for key, names in brands.items():
        if any(n in written for n in names) or any(
            host == d or host.endswith("." + d) for d in official[key]
        ):
            continue
        # Letters of another brand written verbatim are that brand's (trumwallet in electrumwallet).
        others = [
            n for k, ns in brands.items() if k != key for n in ns if len(n) >= 5 and n in written
        ]
        for name in names:
            if hit := closest(name, [_blank(t, others) for t in texts], whole):
                found[key] = hit[1]
                break
    return found


def _blank(text: str, names: list[str]) -> str:
    """The text with these names replaced by hyphens (windows stop there)."""
    for name in names:
        text = text.replace(name, "-" * len(name))
    return text


def blocklists(root: Path) -> dict[str, list[str]]:
    """Every host on the five public phishing lists, by list, lower case, without repeats."""
    from eval_impersonation import host_of, read_csv, read_lines  # the bench's readers

    mm = root / "phishing_metamask_eth_phishing_detect"
    lists = {
        "polkadot-js": json.loads((root / "phishing_polkadot_js/all.json").read_text())["deny"],
        "cryptoscamdb": [
            host_of(r["url"]) or r["name"]
            for r in read_csv(root / "phishing_cryptoscamdb/cryptoscamdb_entries.csv")
        ],
        "metamask": json.loads((mm / "config.json").read_text())["blacklist"]
        + [line.split()[1] for line in read_lines(mm / "hosts.txt") if line.startswith("0.0.0.0 ")],
        "scamsniffer": list(
            json.loads(
                (root / "phishing_scamsniffer/combined_domain_to_addresses.json").read_text()
            )
        ),
        "discord-antiscam": read_lines(root / "phishing_discord_antiscam/list.txt"),
    }
    return {
        src: sorted({h.strip().lower().rstrip(".") for h in hs if "." in h.strip()})
        for src, hs in lists.items()
    }
