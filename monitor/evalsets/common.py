"""Shared pieces of the eval-set converters: CSV reading, labelled Post JSON objects."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Post = dict[str, Any]  # a Post JSON object with an `expected` list

# Sentences the project wrote to carry a bare value (a key or a hash alone), one per kind of value.
WRAP = {
    "seed_phrase": "my seed phrase is {v}",
    "private_key": "my private key is {v}",
    "seed_hex": "my wallet seed (hex) is {v}",
    "password": "my wallet password is {v}",
    "api_key": "binance api key {v}",
    "api_secret": "binance secret key {v}",
    "okx_secret": "okx secret key {v}",
    "okx_api_key": "okx api key {v}",
    "okx_passphrase": "okx api passphrase {v}",
    "address": "my address {v}",
    "public_key": "my public key {v}",
    "xpub": "my xpub {v}",
    "hash": "tx hash {v}",
    "signature": "signature: {v}",
    "bip38_code": "bip38 code {v}",
}


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV file as dicts, keyed by its header."""
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def wrap(kind: str, value: str) -> str:
    """A bare value inside the project's short social-post sentence for its kind."""
    return WRAP[kind].format(v=value)


def expect(kind: str, label: str | None = None) -> list[dict[str, str | None]]:
    """A one-item `expected` list."""
    return [{"kind": kind, "label": label}]


def secret(label: str | None) -> list[dict[str, str | None]]:
    """Expected secret_leak of this label, or [] when the value is not a secret (label None)."""
    return expect("secret_leak", label) if label else []


def post(
    set_name: str,
    row: int | str,
    text: str,
    expected: list[dict[str, str | None]],
    platform: str = "twitter",
    handle: str = "",
    group: str = "",
) -> Post:
    """A labelled post whose id (set name + row) stays the same on every conversion.

    `group` names the upstream type of the row (e.g. wif_private_key) so benches can break figures
    down by it; the Post reader ignores it. Default handles are neutral, never a brand's name.
    """
    obj: Post = {
        "id": f"{set_name}-{row}",
        "platform": platform,
        "channel": "public",
        "text": text,
        "author": {"handle": handle or f"user{str(row).split('-')[0]}"},
        "expected": expected,
    }
    if group:
        obj["group"] = group
    return obj
