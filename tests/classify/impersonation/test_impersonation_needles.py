"""Needles: every match of a content rule holds one, so a post without any holds no match."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.classify.impersonation.content import LURES_ZH, _gated, rules
from monitor.classify.impersonation.needles import gate, needles

ALL_RULES = (*rules(), *LURES_ZH)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"\bsend (?:me|us)\b", {"send me", "send us"}),
        (r"(?<![a-z])(?:skype|viber)(?![a-z])", {"skype", "viber"}),
        (r"\bdm\b.{0,80}\b(?:profits?|vip)\b", {"profit", "vip"}),
        (r"x{1,2}y", {"xy"}),
        (r"private ?keys?|seed", {"privatekey", "private key", "seed"}),
    ],
)
def test_needles(pattern: str, expected: set[str]) -> None:
    assert needles(re.compile(pattern)) == expected


@pytest.mark.parametrize("pattern", [r"\w+", r"a?b?", r".{3}", r"[^a]x?", r"(?i)send me"])
def test_no_needles_when_none_is_required(pattern: str) -> None:
    assert needles(re.compile(pattern)) is None
    assert gate(re.compile(pattern)) is None


def test_gate_finds_each_needle() -> None:
    pattern = re.compile(r"\b(?:customer (?:service|care)|help ?desk)\b")
    search = gate(pattern)
    assert search is not None
    for text in ("customer service", "our helpdesk", "help desk"):
        assert search.search(text) is not None
    assert search.search("customer support") is None


def test_every_rule_is_gated_in_order() -> None:
    latin, chinese = _gated()
    assert [rule for rule, _ in latin] == list(rules())
    assert [rule for rule, _ in chinese] == list(ALL_RULES)


@pytest.mark.parametrize("index", range(len(ALL_RULES)))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_holds_a_needle(index: int, data: st.DataObject) -> None:
    rule = ALL_RULES[index]
    search = gate(rule.pattern)
    text = data.draw(st.from_regex(rule.pattern))
    if search is not None and rule.pattern.search(text) is not None:
        assert search.search(text) is not None, text
