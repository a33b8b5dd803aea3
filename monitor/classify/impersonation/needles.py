"""Needles: strings one of which every match of a regex must contain, read from its syntax tree.

A content rule's regex starts with \\b or a lookbehind, so the regex engine cannot skip ahead and
tries every position of every post; a search for the rule's needles (a plain alternation of
literals, which the engine skips through by first character) rules most posts out far sooner.
The needles are derived, never written by hand, so they cannot fall behind an edited rule, and
they over-approximate: a text without any needle holds no match.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import Any

# The parser behind re.compile: its tree is what the engine runs. Imported by name because its
# public alias (sre_parse) warns of deprecation, and typeshed describes only that alias.
_parser: Any = importlib.import_module("re._parser")

Strings = frozenset[str]
_MAX_STRINGS = 64  # a longer list of exact strings costs more to search than it saves
_MAX_RANGE = 16  # a character class wider than this is not spelled out
_MAX_REPEAT = 3  # x{0,3} is spelled out; x{0,40} is not


def needles(pattern: re.Pattern[str]) -> Strings | None:
    """Strings one of which every match of pattern contains; None when none can be told."""
    return derive(pattern.pattern, pattern.flags)


def derive(pattern: str, flags: int = 0) -> Strings | None:
    """needles() of the regex re.compile(pattern, flags) would make, without compiling it."""
    tree = _parser.parse(pattern, flags)
    if tree.state.flags & re.IGNORECASE:  # given, or set inline for the whole pattern: (?i)
        return None  # literals in the tree would stand for both cases
    found = _required(list(tree))
    if not found or "" in found:
        return None
    # A text holding "private keys" holds "private key": the longer needle adds nothing.
    return frozenset(s for s in found if not any(o != s and o in s for o in found))


def gate(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A regex that finds one of pattern's needles (None: pattern must always be tried)."""
    return search(needles(pattern))


def search(found: Iterable[str] | None) -> re.Pattern[str] | None:
    """The regex that finds one of these needles (None for None: no needle to look for)."""
    if found is None:
        return None
    return re.compile(_trie(sorted(found)))


def _trie(strings: list[str]) -> str:
    """An alternation of strings with shared prefixes factored out ("a(?:b|c)"): the regex engine
    tries each alternative in turn, so a shared prefix is read once, not once per string."""
    if "" in strings:
        return ""  # a needle ends here: a text holding a longer one holds it too
    groups: dict[str, list[str]] = {}
    for s in strings:
        groups.setdefault(s[0], []).append(s[1:])
    parts = [re.escape(first) + _trie(rest) for first, rest in groups.items()]
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


def _required(items: list[tuple[Any, Any]]) -> Strings | None:
    """The best needles of a sequence: those of a run of its exact items or of one required item."""
    options: list[Strings] = []
    run: set[str] = {""}
    for op, av in items:
        exact = _exact_item(op, av)
        if exact is not None:
            joined = {a + b for a in run for b in exact}
            if len(joined) <= _MAX_STRINGS:
                run = joined
                continue
            options.append(frozenset(run))
            run = set(exact)
            continue
        options.append(frozenset(run))
        run = {""}
        inner = _required_item(op, av)
        if inner is not None:
            options.append(inner)
    options.append(frozenset(run))
    useful = [o for o in options if o and "" not in o]
    # The longest shortest needle rules out the most texts; fewer needles search faster.
    return max(useful, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _required_item(op: Any, av: Any) -> Strings | None:
    """Needles of one item that is not an exact string: a group, an alternation, a repeat."""
    name = op.name
    if name == "SUBPATTERN":
        return None if av[1] & re.IGNORECASE else _required(av[3])
    if name == "ATOMIC_GROUP":
        return _required(av)
    if name == "BRANCH":
        return _union(av[1], _required)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
        return _required(av[2])
    return None


def _exact(items: list[tuple[Any, Any]]) -> Strings | None:
    """Every string a sequence can match, when they are few; None otherwise."""
    out: set[str] = {""}
    for op, av in items:
        exact = _exact_item(op, av)
        if exact is None:
            return None
        out = {a + b for a in out for b in exact}
        if len(out) > _MAX_STRINGS:
            return None
    return frozenset(out)


def _exact_item(op: Any, av: Any) -> Strings | None:
    """Every string one item can match, when they are few; assertions match the empty string."""
    name = op.name
    if name == "LITERAL":
        return frozenset((chr(av),))
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return frozenset(("",))  # zero-width: what they look at is outside the match
    if name == "IN":
        return _charset(av)
    if name == "SUBPATTERN":
        return None if av[1] & re.IGNORECASE else _exact(av[3])
    if name == "ATOMIC_GROUP":
        return _exact(av)
    if name == "BRANCH":
        union = _union(av[1], _exact)
        return union if union is not None and len(union) <= _MAX_STRINGS else None
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return _repeated(*av)
    return None


def _union(
    branches: list[list[tuple[Any, Any]]], of: Callable[[list[tuple[Any, Any]]], Strings | None]
) -> Strings | None:
    """The strings of an alternation: every branch's, or None when one branch has none."""
    union: set[str] = set()
    for branch in branches:
        inner = of(branch)
        if inner is None:
            return None
        union |= inner
    return frozenset(union)


def _repeated(low: int, high: int, body: list[tuple[Any, Any]]) -> Strings | None:
    """Every string body{low,high} can match, when high is small and they are few."""
    inner = _exact(body)
    if inner is None or high > _MAX_REPEAT:
        return None
    out: set[str] = set()
    strings: set[str] = {""}
    for count in range(high + 1):
        if count >= low:
            out |= strings
        strings = {a + b for a in strings for b in inner}
        if len(strings) > _MAX_STRINGS:
            return None
    return frozenset(out) if len(out) <= _MAX_STRINGS else None


def _charset(av: list[tuple[Any, Any]]) -> Strings | None:
    """The characters of a class made of literals and short ranges (no \\w, no negation)."""
    chars: set[str] = set()
    for op, value in av:
        if op.name == "LITERAL":
            chars.add(chr(value))
        elif op.name == "RANGE" and value[1] - value[0] < _MAX_RANGE:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return None
    return frozenset(chars)
