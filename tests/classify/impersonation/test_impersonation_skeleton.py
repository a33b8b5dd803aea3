"""Confusable skeletons and the plain-words list of swaps."""

from __future__ import annotations

import pytest

from monitor.classify.impersonation.skeleton import skeleton, substitutions


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0kx", "okx"),
        ("оkх", "okx"),  # Cyrillic o and ha
        ("ΟΚΧ", "okx"),  # Greek capitals
        ("O.K_X", "okx"),
        ("ＯＫＸ", "okx"),  # full width
        ("OKXHeIpDesk", "okxhelpdesk"),  # capital I for l
        ("rnetamask", "metamask"),
        ("Exarnple", "example"),
        ("clexwallet", "dexwallet"),  # c and l side by side read as d
    ],
)
def test_skeleton_folds_lookalikes(text: str, expected: str) -> None:
    assert skeleton(text) == expected


@pytest.mark.parametrize("text", ["okb", "oks", "ok", "xko"])
def test_skeleton_keeps_different_names_apart(text: str) -> None:
    assert skeleton(text) != "okx"


@pytest.mark.parametrize(
    "text, swap",
    [("0kx", "0→o"), ("оkx", "Cyrillic о→o"), ("OKXHe1p", "1→l"), ("rnoney", "rn→m")],
)
def test_substitutions_name_the_swap(text: str, swap: str) -> None:
    assert swap in substitutions(text)


def test_no_substitutions_in_plain_text() -> None:
    assert substitutions("okx_support") == []
