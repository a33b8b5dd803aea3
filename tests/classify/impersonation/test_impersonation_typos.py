"""The typing-slip cost: doubled, neighbouring-key and look-alike slips are
cheap, other edits are not."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.typos import DOUBLE, INDEL, NEAR, OTHER_SUB, SWAP, typo_cost


@pytest.mark.parametrize(
    "text, cost",
    [
        ("examplewallet", 0.0),
        ("examplewalllet", DOUBLE),  # a doubled letter
        ("examplewalet", DOUBLE),  # a double letter dropped
        ("exampelwallet", SWAP),  # neighbours swapped
        ("examplewaület", NEAR),  # a letter no table folds stands in for one
        ("exanplewallet", NEAR),  # n and m look alike
        ("exzmplewallet", OTHER_SUB),  # z for a: neither looks alike nor touches
        ("examplewalletx", INDEL),  # an extra letter that doubles nothing
    ],
)
def test_slip_costs(text: str, cost: float) -> None:
    assert typo_cost(text, "examplewallet") == cost


def test_prefix_leaves_the_letters_after_the_match_free() -> None:
    assert typo_cost("examplewalllet-claim", "examplewallet", prefix=True) == DOUBLE
    assert typo_cost("examplewalllet-claim", "examplewallet") > 5


def test_unrelated_words_cost_more_than_a_long_name_may_carry() -> None:
    assert typo_cost("samplewall", "examplewallet") > 3
