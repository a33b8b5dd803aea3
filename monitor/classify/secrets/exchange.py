"""Finder for exchange API credentials (key, secret, passphrase) and PEM
private keys, by shape and label."""

from __future__ import annotations

import re

from monitor.classify.regexes import compiled
from monitor.classify.secrets.match import SecretMatch
from monitor.classify.secrets.passwords import plausible_value
from monitor.classify.secrets.tokens import looks_placeholder

# Nothing in this module can match a text that has none of these words, so most posts stop here;
# the regexes below it are compiled on first use (regexes.compiled), by the first post it passes.
_HINT = re.compile(
    r"(?i)api|key|secret|pass\s?phrase|-----BEGIN|organizations/|口令|密钥|秘钥|密码短语"
)

_EXCHANGES = (
    r"(?i)(?<![a-z])(okx|okex|binance|bybit|kucoin|kraken|coinbase|gate\.io|gateio|mexc|bitget"
    r"|huobi|htx"
    r"|bitfinex|bitmex|bitstamp)(?![a-z])|(欧易|币安|火币|库币|芝麻开门)"
)
_DISPLAY = {
    "okx": "OKX",
    "okex": "OKX",
    "欧易": "OKX",
    "binance": "Binance",
    "币安": "Binance",
    "bybit": "Bybit",
    "kucoin": "KuCoin",
    "库币": "KuCoin",
    "kraken": "Kraken",
    "coinbase": "Coinbase",
    "gate.io": "Gate",
    "gateio": "Gate",
    "芝麻开门": "Gate",
    "mexc": "MEXC",
    "bitget": "Bitget",
    "huobi": "HTX",
    "htx": "HTX",
    "火币": "HTX",
    "bitfinex": "Bitfinex",
    "bitmex": "BitMEX",
    "bitstamp": "Bitstamp",
}

# Labels, longest first at each position. The nearest label before a value decides what it is;
# identifiers that only look like keys (order ids, signatures, hashes) are labelled "neg".
_A, _Z = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_LABELS = (
    _A + r"(?:(?P<neg>signature|signed|sign|hmac|hash|txid|tx[\s_-]?(?:id|hash)|tx|order[\s_-]?id"
    r"|order"
    r"|request[\s_-]?id|client[\s_-]?o(?:rd)?id|user[\s_-]?id|uid|id|address|addr|(?:private"
    r"|public)[\s_-]?key"
    r"|wallet|seed|mnemonic|memo)"
    r"|(?P<secret>api[\s_-]?secret(?:[\s_-]?key)?|secret[\s_-]?key|secret)"
    r"|(?P<key>ok-access-key|x-mbx-apikey|api[\s_-]?keys?|access[\s_-]?key|key))"
    + _Z
    + r"|(?P<zneg>签名|哈希|订单号?|地址|私钥|助记词|钱包)|(?P<zsecret>密钥|秘钥)"
    r"|(?P<zkey>api\s?密钥)"
)
_WINDOW = 100

# Runs of key characters; base64 padding only at the end so "key=value" splits at the "=".
_TOKEN = r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}+={0,2}"

# Known formats: shape name -> (pattern, exchanges that issue it, what it is).
_SHAPES: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (
        "coinbase_name",
        r"organizations/[0-9a-f-]{36}/apiKeys/[0-9a-f-]{36}",
        ("Coinbase",),
        "key name",
    ),
    (
        "uuid",
        r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}",
        ("OKX", "KuCoin"),
        None,
    ),
    ("bitget", r"bg_[0-9a-f]{32}", ("Bitget",), "key"),
    ("mexc", r"mx0[A-Za-z0-9]{30}", ("MEXC",), "key"),
    ("poloniex", r"[A-Z0-9]{8}(?:-[A-Z0-9]{8}){3}", ("Poloniex",), "key"),
    ("hex24", r"[0-9a-f]{24}", ("KuCoin",), "key"),
    ("hex32", r"[0-9a-fA-F]{32}", ("OKX", "Gate"), None),
    ("alnum64", r"[A-Za-z0-9]{64}", ("Binance", "Gate"), None),
    ("alnum18", r"[A-Za-z0-9]{18}", ("Bybit",), "key"),
    ("alnum36", r"[A-Za-z0-9]{36}", ("Bybit",), "secret"),
    ("b64_56", r"[A-Za-z0-9+/]{54,56}={0,2}", ("Kraken",), "key"),
    ("b64_88", r"[A-Za-z0-9+/]{86,87}={1,2}", ("Kraken",), "secret"),
)

_BIP32_PREFIXES = ("xprv", "yprv", "zprv", "tprv", "xpub", "ypub", "zpub", "tpub")
_LONG_HEX = r"[0-9a-f]{32,128}|[0-9A-F]{32,128}"

_PASSPHRASE = (
    r"(?:(?i:pass\s?phrase)[\"']?\s{0,3}(?:is|was)?|口令|密码短语)\s{0,3}(?:是"
    r"|为)?\s{0,3}[:=：]?\s{0,3}"
    r"(?:\"([^\"\n]{4,64})\"|'([^'\n]{4,64})'|`?([!-~]{4,64}+))"
)
_PEM_BEGIN = r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----"
# Base64 lines (or, once a post has collapsed the newlines, space-separated chunks).
_PEM_BODY = r"(?:\s{0,4}(?:[A-Za-z0-9+/]{16,200}+={0,2}|[A-Za-z0-9+/]{1,15}={1,2})){0,400}+"
_PEM_END = r"-----END [A-Z ]{3,40}-----"
_PEM_REACH = 12000
_API_WORD = r"(?i)(?<![a-z])api"
_TRAILING = ".,;:!?)]}>\"'`。，！？；）"


def _named_exchanges(text: str) -> list[str]:
    """Exchanges named in the text, in order of first mention."""
    names: list[str] = []
    for m in compiled(_EXCHANGES).finditer(text):
        name = _DISPLAY[(m.group(1) or m.group(2)).lower()]
        if name not in names:
            names.append(name)
    return names


def _nearest_label(text: str, start: int) -> tuple[str, str] | None:
    """The (kind, label text) of the last label within the window before `start`."""
    last = None
    for last in compiled(_LABELS).finditer(text[max(0, start - _WINDOW) : start].lower()):
        pass
    if last is None or last.lastgroup is None:
        return None
    return last.lastgroup.removeprefix("z"), last.group(0)


def _shape(value: str) -> tuple[str, tuple[str, ...], str | None] | None:
    """The known format a value has (name, issuing exchanges, fixed
    role), or a generic one, or None."""
    for name, pattern, exchanges, role in _SHAPES:
        if compiled(pattern).fullmatch(value):
            return name, exchanges, role
    if len(value) < 20 or len(value) > 128 or looks_placeholder(value) or _path_like(value):
        return None
    if value.startswith(_BIP32_PREFIXES):
        return None  # extended keys belong to the key finder (xprv) or are public (xpub)
    digit, upper, lower = (
        any(f(c) for c in value) for f in (str.isdigit, str.isupper, str.islower)
    )
    # Generated secrets mix cases, or are long hex; words and slugs are neither.
    if digit and upper and lower or compiled(_LONG_HEX).fullmatch(value):
        return "generic", (), None
    return None


def _path_like(value: str) -> bool:
    """True for URL paths such as `v1/rest/stats`, whose slash-separated parts are plain words."""
    words = [
        part for part in value.split("/") if part.isalpha() and part.islower() and len(part) >= 3
    ]
    return value.count("/") >= 2 and len(words) >= 2


def _exchange_name(named: list[str], issuers: tuple[str, ...]) -> str:
    """The exchange to name in the detail: a mentioned issuer, else the
    first mentioned, else none."""
    for name in named:
        if name in issuers:
            return name
    return named[0] if named else "exchange"


def _score(shape: str, label_kind: str, api_context: bool) -> float:
    """How sure a labelled value is a live credential; 0 means do not flag."""
    if not api_context:
        # A bare "key:" is too common in ordinary text; a bare "secret:" is still telling.
        if label_kind != "secret":
            return 0.0
        return 0.6 if shape == "generic" else 0.7
    return 0.8 if shape == "generic" else 0.95


def _not_a_value(text: str, start: int) -> bool:
    """True when the token is a template variable or sits inside a URL, domain or path."""
    word_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    word = text[word_start:start]
    if start > 0 and text[start - 1] in "$%{<":
        return True  # a template variable such as $API_KEY, not a value
    if start > 0 and text[start - 1] == "=" and "?" in word:
        return False  # a URL query's value (?apiKey=...): its name is the label
    return (
        "://" in word or "www." in word or (start > 0 and text[start - 1] in ".@:" and "." in word)
    )


def _credential(text: str, m: re.Match[str], named: list[str], has_api: bool) -> SecretMatch | None:
    """An api_key match for one candidate token, or None when its shape or label rule it out."""
    value = m.group(0)
    shape = _shape(value)
    if shape is None or value.lower().startswith("0x") or _not_a_value(text, m.start()):
        return None
    name, issuers, fixed_role = shape
    label = _nearest_label(text, m.start())
    if name == "coinbase_name":
        label = label or ("key", "")
    if label is None or label[0] == "neg":
        return None
    api_context = has_api or bool(named) or label[1] not in ("key", "secret", "密钥", "秘钥")
    score = _score(name, label[0], api_context)
    if score == 0.0:
        return None
    role = fixed_role or label[0]
    detail = f"{_exchange_name(named, issuers)} API {role}"
    placeholder = "[API secret removed]" if role == "secret" else "[API key removed]"
    return SecretMatch(m.start(), m.end(), "api_key", score, detail, placeholder, value)


def _passphrases(text: str, named: list[str], has_api: bool) -> list[SecretMatch]:
    """Passphrases stated after a "passphrase"/"口令" label; API ones are labelled api_key."""
    found = []
    for m in compiled(_PASSPHRASE).finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        value = m.group(group) if group < 3 else m.group(group).rstrip(_TRAILING)
        if len(value) < 4 or not plausible_value(value):
            continue
        api = has_api or bool(named)
        label, detail = (
            ("api_key", f"{_exchange_name(named, ())} API passphrase")
            if api
            else ("password", "passphrase")
        )
        start = m.start(group)
        found.append(
            SecretMatch(
                start, start + len(value), label, 0.9, detail, "[passphrase removed]", value
            )
        )
    return found


def _pem_span(text: str, begin: re.Match[str]) -> tuple[int, float] | None:
    """Where a PEM block that starts at `begin` ends, and how sure it holds a key; None if empty."""
    closing = compiled(_PEM_END).search(text, begin.end(), begin.end() + _PEM_REACH)
    if closing is None:
        body = compiled(_PEM_BODY).match(text, begin.end())
        end = body.end() if body else begin.end()
        inner = text[begin.end() : end]
    else:
        end, inner = closing.end(), text[begin.end() : closing.start()]
        if not inner.strip():
            return None  # an empty BEGIN/END pair holds nothing to leak
    b64 = sum(c.isalnum() or c in "+/" for c in inner)
    # A bare header still warns that the rest of the key is being pasted.
    return end, 0.97 if b64 >= 40 else 0.55 if inner.strip() else 0.5


def _pem_blocks(text: str, named: list[str], has_api: bool) -> list[SecretMatch]:
    """PEM private key blocks; under api_key when the post is about an exchange or API."""
    api = has_api or bool(named)
    label = "api_key" if api else "private_key"
    detail = (
        f"{_exchange_name(named, ('Coinbase',))} API private key (PEM)"
        if api
        else "PEM private key"
    )
    found = []
    for m in compiled(_PEM_BEGIN).finditer(text):
        span = _pem_span(text, m)
        if span is not None:
            end, score = span
            value = text[m.start() : end]
            found.append(
                SecretMatch(m.start(), end, label, score, detail, "[private key removed]", value)
            )
    return found


def find(text: str) -> list[SecretMatch]:
    """All exchange API keys, secrets, passphrases and PEM private keys in text."""
    if not _HINT.search(text):
        return []
    named = _named_exchanges(text)
    has_api = bool(compiled(_API_WORD).search(text))
    found = [
        hit
        for m in compiled(_TOKEN).finditer(text)
        if (hit := _credential(text, m, named, has_api))
    ]
    found.extend(_passphrases(text, named, has_api))
    found.extend(_pem_blocks(text, named, has_api))
    return found
