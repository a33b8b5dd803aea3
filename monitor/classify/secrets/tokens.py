"""Finder for service tokens whose format is distinctive enough to need no context words."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from monitor.classify.regexes import compiled
from monitor.classify.secrets.match import SecretMatch

# Characters that may continue a token; a match must not sit inside a longer run of them.
_B = r"(?<![A-Za-z0-9_-])"
_E = r"(?![A-Za-z0-9_-])"

_PLACEHOLDER_WORDS = ("xxxx", "example", "your", "token_here", "replace", "dummy", "redacted")
_SEQUENCES = ("abcdefgh", "01234567", "12345678", "qwertyui")


@dataclass(frozen=True, slots=True)
class _Rule:
    """One token format: its name for the detail text, pattern, score and optional check."""

    name: str
    hints: tuple[str, ...]  # lower-case literals, one of which any match must contain
    source: str
    score: float
    check: Callable[[str], bool] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled pattern: compiled when a text first holds one of the rule's hints."""
        return compiled(self.source)


def looks_placeholder(value: str) -> bool:
    """True for documentation stand-ins such as `ghp_xxxx…`, `AKIA…EXAMPLE` or `abcdefgh…`."""
    low = value.lower()
    if any(word in low for word in _PLACEHOLDER_WORDS + _SEQUENCES) or low.endswith("here"):
        return True
    # A random token of 16+ characters virtually never uses fewer than 6 distinct symbols.
    return len(set(low)) < min(6, max(2, len(low) // 3))


def _jwt_header_ok(value: str) -> bool:
    """True when the first dot-separated part decodes to a JSON object naming an `alg`."""
    head = value.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError):
        return False
    return isinstance(header, dict) and "alg" in header


def _discord_id_ok(value: str) -> bool:
    """True when the first part decodes to the numeric user id a real Discord token starts with."""
    head = value.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    except (binascii.Error, ValueError):
        return False
    return raw.isdigit()


def _mixed(value: str) -> bool:
    """True when a value mixes letters and digits, as generated tokens do and words do not."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _rule(
    name: str, hints: str, pattern: str, score: float, check: Callable[[str], bool] | None = None
) -> _Rule:
    """One rule; `hints` is "|"-separated; group 1, when present, is the secret part."""
    return _Rule(name, tuple(hints.split("|")), pattern, score, check)


_RULES: tuple[_Rule, ...] = (
    # A token inside a bot API URL (`/bot<token>/`) is still a leak, so only digits may not precede.
    _rule("Telegram bot token", ":", r"(?<!\d)\d{8,10}:[A-Za-z0-9_-]{35}" + _E, 0.97),
    _rule(
        "Discord bot token",
        ".",
        _B + r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}" + _E,
        0.9,
    ),
    _rule("GitHub token", "gh", _B + r"gh[pousr]_[A-Za-z0-9]{36,251}" + _E, 0.97),
    _rule(
        "GitHub token", "github_pat_", _B + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _E, 0.97
    ),
    _rule(
        "GitLab token",
        "gl|gr1348941",
        _B + r"(?:gl(?:pat|dt|soat|cbt|rt|ft|oas|imt|ptt"
        r"|agent)-[A-Za-z0-9_-]{20,80}(?:\.[A-Za-z0-9_.-]{2,20})?"
        r"|GR1348941[A-Za-z0-9_-]{20,50})" + _E,
        0.95,
    ),
    _rule(
        "Slack token", "xox", _B + r"xox[abposr]-(?:\d{1,13}-){1,4}[A-Za-z0-9]{10,64}" + _E, 0.95
    ),
    _rule("Slack token", "xoxe", _B + r"xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,300}" + _E, 0.95),
    _rule(
        "Slack app token",
        "xapp-",
        _B + r"xapp-\d-[A-Z0-9]{9,12}-\d{10,13}-[a-f0-9]{60,70}" + _E,
        0.95,
    ),
    _rule(
        "Slack webhook",
        "hooks.slack.com",
        r"hooks\.slack\.com/(?:services|workflows)/(T[A-Za-z0-9_]{6,20}/[AB][A-Za-z0-9_]{6,20}/"
        r"(?:\d{10,20}/)?[A-Za-z0-9_]{20,40})",
        0.95,
    ),
    _rule(
        "AWS access key ID",
        "akia|asia|abia|acca|a3t",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])",
        0.9,
    ),
    _rule("Google API key", "aiza", _B + r"AIza[A-Za-z0-9_-]{35}" + _E, 0.9),
    _rule(
        "Stripe secret key",
        "k_live_|k_prod_",
        _B + r"[sr]k_(?:live|prod)_[A-Za-z0-9]{20,247}" + _E,
        0.97,
    ),
    # Test-mode keys move no money but still open the account's test data.
    _rule("Stripe test key", "k_test_", _B + r"[sr]k_test_[A-Za-z0-9]{20,247}" + _E, 0.6),
    _rule(
        "OpenAI API key",
        "t3blbkfj",
        _B
        + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}"
        + _E,
        0.98,
    ),
    _rule(
        "Anthropic API key",
        "sk-ant-",
        _B + r"sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA" + _E,
        0.98,
    ),
    _rule("npm token", "npm_", _B + r"npm_[A-Za-z0-9]{36}" + _E, 0.95),
    _rule(
        "npm token",
        "_authtoken=",
        r"//[A-Za-z0-9.-]{1,100}/:_authToken=\s?([A-Za-z0-9_-]{20,80})" + _E,
        0.9,
    ),
    _rule("SendGrid API key", "sg.", _B + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E, 0.97),
    _rule("Twilio API key", "sk", _B + r"SK[0-9a-f]{32}" + _E, 0.8, _mixed),
    _rule("PyPI token", "pypi-", _B + r"pypi-AgE[A-Za-z0-9_-]{50,300}" + _E, 0.95),
    _rule(
        "JWT",
        "eyj",
        _B + r"eyJ[A-Za-z0-9_-]{8,2000}+\.eyJ[A-Za-z0-9_-]{4,4000}+(?:\.[A-Za-z0-9_-]{0,1000}+)?",
        0.95,
        _jwt_header_ok,
    ),
    _rule(
        "bearer token", "bearer", r"(?i:bearer)\s{1,3}([A-Za-z0-9._~+/-]{20,500}=*)", 0.8, _mixed
    ),
)

# Compiled on first use (regexes.compiled): only a text holding "secret" is searched.
_AWS_SECRET = (
    r"(?i:aws.{0,20}secret|secret.{0,3}access.{0,3}key|secret[_ -]?key)[^A-Za-z0-9/+]{1,6}"
    r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)


def _match(rule: _Rule, m: re.Match[str]) -> SecretMatch | None:
    """A SecretMatch for one regex hit, or None when it is a placeholder or fails its check."""
    group = 1 if m.re.groups else 0
    value = m.group(group)
    # Only the random part can be a placeholder: a Telegram bot id before the colon is public.
    if looks_placeholder(value.rsplit(":", 1)[-1]) or (
        rule.check is not None and not rule.check(value)
    ):
        return None
    score = rule.score
    if rule.name == "Discord bot token" and _discord_id_ok(value):
        score = 0.97
    return SecretMatch(
        start=m.start(group),
        end=m.end(group),
        label="token",
        score=score,
        detail=rule.name,
        placeholder=f"[token removed: {rule.name}]",
        value=value,
    )


def _aws_secrets(text: str) -> list[SecretMatch]:
    """AWS secret access keys: 40 base64 characters only count next to secret-key words."""
    found = []
    for m in compiled(_AWS_SECRET).finditer(text):
        value = m.group(1)
        if looks_placeholder(value) or not _mixed(value):
            continue
        found.append(
            SecretMatch(
                m.start(1),
                m.end(1),
                "token",
                0.9,
                "AWS secret access key",
                "[token removed: AWS secret access key]",
                value,
            )
        )
    return found


# Every rule's hints, each tested once per text (rules share hints: "gh", "xox", "sk").
_HINTS: tuple[str, ...] = tuple(dict.fromkeys(hint for rule in _RULES for hint in rule.hints))


@lru_cache(maxsize=256)
def _hinted(present: frozenset[str]) -> tuple[_Rule, ...]:
    """The rules, in order, that one of these hints allows (few sets of hints recur)."""
    return tuple(rule for rule in _RULES if not present.isdisjoint(rule.hints))


def find(text: str) -> list[SecretMatch]:
    """All fixed-format tokens in text (overlaps are left for the caller to resolve)."""
    found: list[SecretMatch] = []
    low = text.lower()
    # A substring test is far cheaper than a regex scan and rules out most rules per post.
    for rule in _hinted(frozenset(filter(low.__contains__, _HINTS))):
        for m in rule.pattern.finditer(text):
            hit = _match(rule, m)
            if hit is not None:
                found.append(hit)
    if "secret" in low:
        found.extend(_aws_secrets(text))
    return found
