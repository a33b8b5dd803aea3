"""Needles: every match of a content rule holds one, so a post without any holds no match."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.classify.impersonation import needle_table
from monitor.classify.impersonation.content import LURES_ZH, _chinese, _latin, rules
from monitor.classify.impersonation.needles import derive, gate, needles

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
    assert [rule for rule, _ in _latin()] == list(rules())
    assert [rule for rule, _ in _chinese()] == list(ALL_RULES)


def test_shipped_needles_give_the_gates_the_rules_derive() -> None:
    shipped = needle_table._shipped()
    assert set(shipped) == {(rule.source, 0) for rule in ALL_RULES}
    for rule, search in _chinese():
        derived = gate(rule.pattern)
        assert (search and search.pattern) == (derived and derived.pattern), rule.source


def test_a_pattern_the_file_lacks_has_its_needles_derived() -> None:
    pattern = r"\bask (?:me|us) (?:anything|later)\b"  # not a rule's: an edited rule's stand-in
    assert (pattern, 0) not in needle_table._shipped()
    search = needle_table.gate(pattern)
    assert search is not None and search.pattern == gate(re.compile(pattern)).pattern
    assert search.search("so ask me anything") and not search.search("ask them")


def test_needles_are_derived_from_the_pattern_text_as_from_the_compiled_regex() -> None:
    for rule in ALL_RULES:
        assert derive(rule.source) == needles(rule.pattern)
    assert derive("send me", re.IGNORECASE) is None


@pytest.mark.parametrize("index", range(len(ALL_RULES)))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_holds_a_needle(index: int, data: st.DataObject) -> None:
    rule = ALL_RULES[index]
    search = gate(rule.pattern)
    text = data.draw(st.from_regex(rule.pattern))
    if search is not None and rule.pattern.search(text) is not None:
        assert search.search(text) is not None, text
