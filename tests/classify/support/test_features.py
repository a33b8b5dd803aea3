"""Tests for the support classifier's text features."""

from __future__ import annotations

import zlib

import pytest

from monitor.classify.support.features import DIM, grams, hashed, prepare


def test_traditional_folds_to_simplified() -> None:
    """A traditional-script post gets the same features as its simplified form."""
    assert hashed("我的提幣一直沒到賬") == hashed("我的提币一直没到账")


def test_account_variants_share_one_form() -> None:
    """帳戶, 帐户 and 账户 are the same word to the model."""
    assert prepare("帳戶") == prepare("帐户") == prepare("账户")


def test_handles_links_and_digits_lose_identity() -> None:
    """Which brand, site or amount is named says nothing about a support need."""
    assert prepare("@OKX sent 250 to https://x.io/a") == prepare(
        "@binance sent 999 to www.scam.xyz"
    )


def test_grams_cover_words_chars_and_chinese() -> None:
    """Word, bigram, character and Chinese n-grams are all present."""
    out = grams(prepare("Withdrawl pending 提币"))
    assert {"w:withdrawl", "b:withdrawl pending", "c:<with", "z:提币"} <= set(out)


def test_hashed_is_stable_and_never_empty() -> None:
    """Ids are deterministic across runs (crc32, not hash()) and an empty text still has one."""
    assert hashed("") == [0]
    ids = hashed("withdrawal pending")
    assert ids == hashed("withdrawal pending") and all(0 <= i < DIM for i in ids)


@pytest.mark.parametrize(
    "text",
    [
        "Withdrawl pending 提币 for 3 days!! can't login",
        "看看 https://x.io/abc 這個 www.okx.com 繁體中文測試 and english words",
        "😀 emoji ѕeed phrase, ｆｕｌｌｗｉｄｔｈ @okx_help a.a.a.com",
        "",
        "   ",
    ],
)
def test_hashed_is_crc32_of_every_gram_in_order(text: str) -> None:
    """The ids are the grams' crc32 buckets, in the grams' order (the model sums them in it)."""
    expected = [zlib.crc32(g.encode("utf-8")) % DIM for g in grams(prepare(text))] or [0]
    assert hashed(text) == expected
