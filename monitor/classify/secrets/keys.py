"""Finds private keys: WIF, BIP32 extended private keys, BIP38, and
hex/base58 keys named as keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from monitor.classify.secrets import base58
from monitor.classify.secrets.match import SecretMatch

# secp256k1 group order: a private key is an integer in 1..N-1.
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
PLACEHOLDER = "[private key removed]"
CONTEXT_CHARS = 40  # how far before a hex/base58 value its naming word may sit

# BIP32/SLIP-132 version bytes of extended *private* keys (xpub and friends are not listed).
_XPRV_VERSIONS = {
    bytes.fromhex("0488ade4"): "xprv",
    bytes.fromhex("04358394"): "tprv",
    bytes.fromhex("049d7878"): "yprv",
    bytes.fromhex("04b2430c"): "zprv",
    bytes.fromhex("044a4e28"): "uprv",
    bytes.fromhex("045f18bc"): "vprv",
    bytes.fromhex("0295b005"): "Yprv",
    bytes.fromhex("02aa7a99"): "Zprv",
    bytes.fromhex("024285b5"): "Uprv",
    bytes.fromhex("02575048"): "Vprv",
}
_XPRV_PREFIXES = tuple(_XPRV_VERSIONS.values())
_WIF_NETWORKS = {0x80: "mainnet", 0xEF: "testnet"}
_BIP38_PREFIXES = (b"\x01\x42", b"\x01\x43")

_BASE58_RE = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{50,112}(?![0-9A-Za-z])")
_HEX_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{64}(?:[0-9a-fA-F]{64})?(?![0-9A-Za-z])"
)

# Words that name what a nearby value is. Compound forms come first so "public key" and
# "publicKey" win over "key"; the nearest word before the value decides.
_NOT_KEY = (
    r"public[\s_-]?keys?|pub[\s_-]?keys?|api[\s_-]?(?:keys?|secrets?)|public|pub|tx[\s_-]?(?:id"
    r"|hash)?"
    r"|txns?|txids?|hash(?:es)?|transactions?|block(?:hash)?|signatures?|sigs?|signed"
    r"|address(?:es)?|addr|contract"
)
_KEY = r"private[\s_-]?keys?|priv[\s_-]?keys?|secret[\s_-]?keys?|secrets?|private|keys?|seed|wif|pk"
_CJK_NOT_KEY = r"公钥|公鑰|交易|哈希|地址|签名|簽名|区块|區塊|合约|合約"
_CJK_KEY = r"私钥|私鑰|密钥|密鑰|秘钥|秘鑰|种子|種子"
_CONTEXT_RE = re.compile(
    rf"(?<![a-z])(?:(?P<no>{_NOT_KEY})|(?P<yes>{_KEY}))(?![a-z])|(?P<cjk_no>{_CJK_NOT_KEY})"
    rf"|(?P<cjk_yes>{_CJK_KEY})",
    re.IGNORECASE,
)


# Pieces of a hex key typed in groups ("4c0883a6 9102937d …") or in parts ("part 1: … part 2: …").
_HEX_PIECE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?([0-9a-fA-F]{2,64})(?![0-9A-Za-z])")
_GROUP_GAP = re.compile(r"[ \t:_.\-]{1,2}")
_PART_MIN, _PART_GAP = 16, 40  # a part's hex digits at least; the words between two parts at most
_KEY_DIGITS = (64, 128)

Piece = tuple[int, int, str]  # (start, end, hex digits)


def find(text: str) -> list[SecretMatch]:
    """All private keys in text: checksum-proven ones anywhere, bare
    hex/base58 only in key context."""
    found: list[SecretMatch] = _pieced_hex(text)
    for m in _BASE58_RE.finditer(text):
        match = _judge_base58(text, m.start(), m.group())
        if match is not None:
            found.append(match)
    for m in _HEX_RE.finditer(text):
        match = _judge_hex(text, m.start(), m.group())
        if match is not None:
            found.append(match)
    return sorted(found, key=lambda m: m.start)


def key_context(text: str, start: int) -> str | None:
    """The naming word nearest before `start` if it calls the value a key, else None."""
    words = list(_CONTEXT_RE.finditer(text, max(0, start - CONTEXT_CHARS), start))
    last = words[-1] if words else None
    if last is None or not (last.group("yes") or last.group("cjk_yes")):
        return None
    return re.sub(r"[\s_-]+", " ", last.group().lower())


def _judge_base58(text: str, start: int, value: str) -> SecretMatch | None:
    """A match for a base58 value that is a WIF, xprv, BIP38 or (in context) a 64-byte key."""
    judges: dict[int, Callable[[str], tuple[str, float] | None]] = {
        51: _wif,
        52: _wif,
        58: _bip38,
        111: _xprv,
        112: _xprv,
    }
    judge = judges.get(len(value))
    verdict = judge(value) if judge else None
    if verdict is None and 86 <= len(value) <= 88:
        verdict = _base58_keypair(text, start, value)
    if verdict is None:
        return None
    detail, score = verdict
    return _match(start, start + len(value), detail, score, value)


def _wif(value: str) -> tuple[str, float] | None:
    """WIF: base58check of 0x80/0xef + 32-byte key (+ 0x01 when the public key is compressed)."""
    raw = base58.decode_check(value)
    if raw is None or raw[0] not in _WIF_NETWORKS or len(raw) not in (33, 34):
        return None
    if len(raw) == 34 and raw[33] != 1:
        return None
    if not _in_curve_range(raw[1:33]):
        return None
    form = "compressed" if len(raw) == 34 else "uncompressed"
    return f"WIF private key ({form}, {_WIF_NETWORKS[raw[0]]}), checksum valid", 0.98


def _xprv(value: str) -> tuple[str, float] | None:
    """BIP32 extended private key carrying a usable key; a prv-prefixed typo scores low."""
    raw = base58.decode_check(value)
    if raw is None:
        # A prv prefix at the exact length is itself strong evidence: a one-character typo of a
        # real key is still a leak. Placeholders ("xprvAAAA...") use few distinct characters.
        if value.startswith(_XPRV_PREFIXES) and len(set(value)) >= 20:
            return "extended private key, checksum fails (possibly mistyped)", 0.6
        return None
    kind = _XPRV_VERSIONS.get(raw[:4])
    # Byte 45 is 0x00 before a private key (a public key starts 02/03 there).
    if kind is None or len(raw) != 78 or raw[45] != 0 or not _in_curve_range(raw[46:]):
        return None
    return f"extended private key ({kind}), checksum valid", 0.99


def _bip38(value: str) -> tuple[str, float] | None:
    """BIP38 passphrase-encrypted key: not in clear, but weak passphrases fall, so flag it low."""
    raw = base58.decode_check(value)
    if raw is None or len(raw) != 39 or raw[:2] not in _BIP38_PREFIXES:
        return None
    return "BIP38 encrypted private key, checksum valid", 0.6


def _base58_keypair(text: str, start: int, value: str) -> tuple[str, float] | None:
    """A Solana-style 64-byte secret key in base58, reported only where the text calls it a key."""
    raw = base58.decode(value)
    context = key_context(text, start)
    if raw is None or len(raw) != 64 or context is None:
        return None
    return f"base58 64-byte private key (context: '{context}')", 0.9


def _judge_hex(text: str, start: int, value: str) -> SecretMatch | None:
    """A match for 64/128 hex digits the text calls a key; bare hex is usually a tx hash."""
    digits = value[2:] if value[:2] in ("0x", "0X") else value
    context = key_context(text, start)
    # Placeholders such as 000...0 or ffff...f are not keys; random keys use most hex digits.
    if context is None or len(set(digits.lower())) < 8:
        return None
    detail = f"{len(digits)}-hex private key (context: '{context}')"
    return _match(start, start + len(value), detail, 0.9, digits.lower())


def _pieced_hex(text: str) -> list[SecretMatch]:
    """64 or 128 hex digits written in two or more pieces that the text calls a key.

    A key starts where a run of groups starts (after its label), so only pieces not joined to
    the one before by a group gap are tried as starts: linear in the number of pieces.
    """
    pieces = [(m.start(1), m.end(1), m.group(1)) for m in _HEX_PIECE.finditer(text)]
    links = [_link(text, a, b) for a, b in pairwise(pieces)]
    found: list[SecretMatch] = []
    i = 0
    while i < len(pieces):
        j = _window(pieces, links, i)
        context = key_context(text, pieces[i][0]) if j is not None else None
        if j is not None and context is not None:
            found.extend(_pieced_match(pieces[i:j], links[i : j - 1], context))
            i = j
            continue
        i += 1
        while i < len(pieces) and links[i - 1] == "group":
            i += 1
    return found


def _window(pieces: list[Piece], links: list[str | None], i: int) -> int | None:
    """The end of the longest run of linked pieces from i whose digits make a key, or None."""
    digits, j, end = len(pieces[i][2]), i + 1, None
    while digits <= _KEY_DIGITS[-1] and j < len(pieces) and links[j - 1] is not None:
        digits += len(pieces[j][2])
        j += 1
        if digits in _KEY_DIGITS:
            end = j
    return end


def _link(text: str, a: Piece, b: Piece) -> str | None:
    """How two hex pieces continue one value: "group" (a gap of a space or dash), "part" (a short
    label between long pieces), or None."""
    gap = text[a[1] : b[0]]
    if _GROUP_GAP.fullmatch(gap):
        return "group"
    return "part" if len(gap) <= _PART_GAP and min(len(a[2]), len(b[2])) >= _PART_MIN else None


def _pieced_match(pieces: list[Piece], links: list[str | None], context: str) -> list[SecretMatch]:
    """One match over grouped digits; one per part where words stand between the parts."""
    digits = "".join(p[2] for p in pieces).lower()
    if len(set(digits)) < 8:
        return []  # 0000 0000 …: a placeholder
    detail = f"{len(digits)}-hex private key in {len(pieces)} pieces (context: '{context}')"
    if all(link == "group" for link in links):
        return [_match(pieces[0][0], pieces[-1][1], detail, 0.9, digits)]
    return [
        SecretMatch(
            start,
            end,
            "private_key",
            0.9,
            detail,
            f"[private key removed: part {n} of {len(pieces)}]",
            digits,
        )
        for n, (start, end, _) in enumerate(pieces, start=1)
    ]


def _in_curve_range(key: bytes) -> bool:
    """Whether 32 bytes are a valid secp256k1 private key (1..N-1)."""
    return 0 < int.from_bytes(key, "big") < CURVE_ORDER


def _match(start: int, end: int, detail: str, score: float, value: str) -> SecretMatch:
    """The SecretMatch for a private key span."""
    return SecretMatch(start, end, "private_key", score, detail, PLACEHOLDER, value)
