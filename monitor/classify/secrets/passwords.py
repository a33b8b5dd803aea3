"""Finder for passwords and one-time codes stated next to a label ("my
password is …", "密码：…")."""

from __future__ import annotations

import re

from monitor.classify.regexes import compiled
from monitor.classify.secrets.match import SecretMatch

# A value is the next token: printable ASCII up to whitespace, a quote or CJK punctuation,
# or a quoted phrase. Bounded so adversarial input cannot make the scan slow.
_VALUE = r"""(?:"([^"\n]{4,64})"|'([^'\n]{4,64})'|`([^`\n]{4,64})`|([!-~]{4,64}+))"""
# Spaces, not newlines: in pasted config an empty "password=" line must not take the next line.
# After "is" or "is:" the value may start the next line; after a bare "=" it may not.
_SEP_EN = r"[ \t]{0,3}(?:(?:is|was)[ \t]{0,3}[:=]?(?:[ \t]{0,3}\n)?|:=|=>|[:=：])[ \t]{0,3}@?"
_SEP_ZH = r"[ \t]{0,3}(?:是|为|為)?[ \t]{0,3}[:：=]?[ \t]{0,3}"

# `db_pass`, `my_password_secure` count; `passport` and `bypass` do not.
_LABEL_EN = (
    r"(?<![A-Za-z0-9])(?:[A-Za-z0-9]{1,20}_)?(?:password|passwd|passwort|pwd|pass"
    r"|pw)(?:_[A-Za-z0-9_]{1,30})?(?![A-Za-z0-9])"
)
_LABEL_ZH = r"(登录|登陆|交易|资金|支付|提现|提币|账户|账号|帳號|邮箱|解锁)?(?:密码|密碼)"

# Each regex is run only on a text holding a word it needs (find): compiled on first use.
# A label may close its quotes before the separator: JSON ("password": "…") and Python dicts.
_PASSWORD_EN = r"(?i:" + _LABEL_EN + r")[\"']?" + _SEP_EN + _VALUE
_PASSWORD_ZH = _LABEL_ZH + _SEP_ZH + _VALUE
# A password in a URL's user-info: scheme://user:PASSWORD@host (the last @ before the host).
_USERINFO = r"(?i)(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{1,20}://[^\s/?#@:\"'<>`]{0,64}:([^\s/?#\"'<>`]{1,128})@[a-z0-9\[]"
# Authenticator (TOTP) setup keys: base32, often shown in groups of four.
_TOTP_LABEL = (
    r"(?i:authenticator|2fa|mfa|totp|otp|two[- ]factor|google\s?auth\w*|backup\s?(?:key|code)"
    r"|setup\s?key|recovery\s?key|secret\s?key|otp\s?secret|secret)|谷歌验证器?|身份验证器|验证器"
    r"|密钥"
)
# The value first (rare in ordinary text), then its label within _TOTP_REACH characters before it.
_TOTP_VALUE = (
    r"(?<![A-Za-z0-9])([A-Za-z2-7]{4}(?:[ -][A-Za-z2-7]{4}){3,15}"
    r"|[A-Za-z2-7]{16,64})(?![A-Za-z0-9])"
)
_TOTP_REACH = 40
_OTPAUTH = r"(?i)otpauth://[^\s?]{1,200}\?(?:[^\s#]{0,200}?[&?])?secret=([A-Za-z2-7]{16,128})"
_OTP = (
    r"(?i:(?<![A-Za-z])(?:2fa|mfa|otp|totp|one[- ]time(?: pass(?:word|code))?|(?:verification"
    r"|authenticator"
    r"|auth|security|sms|email|google|ga)\s?code)(?:\s{0,3}code)?|(?:谷歌|短信|邮箱|手机"
    r"|安全)?验证码|动态码)"
    # "the 2fa code for my account is ...": a short filler between the label and the code
    r"(?i:\s{1,3}(?:for|of|on|to)\s{1,3}[a-z ]{1,20}?(?=\s(?:is|was)\s))?"
    r"\s{0,3}(?:is|was|是|为|為)?\s{0,3}[:：=]?\s{0,3}(\d{3}[ -]?\d{3}|\d{4,8})(?!\d)"
)

# Words that follow "password is" in ordinary complaints, and stand-ins used in docs and code.
_NOT_VALUES = frozenset(
    [
        "wrong",
        "incorrect",
        "correct",
        "invalid",
        "valid",
        "working",
        "broken",
        "failing",
        "failed",
        "expired",
        "locked",
        "blocked",
        "changed",
        "reset",
        "required",
        "needed",
        "mandatory",
        "optional",
        "missing",
        "empty",
        "blank",
        "same",
        "different",
        "strong",
        "weak",
        "long",
        "short",
        "case",
        "sensitive",
        "saved",
        "stored",
        "encrypted",
        "hashed",
        "safe",
        "secure",
        "compromised",
        "leaked",
        "stolen",
        "fine",
        "okay",
        "good",
        "simple",
        "complex",
        "hard",
        "easy",
        "there",
        "here",
        "below",
        "above",
        "attached",
        "mine",
        "yours",
        "never",
        "always",
        "still",
        "just",
        "only",
        "also",
        "being",
        "been",
        "unknown",
        "forgotten",
        "lost",
        "gone",
        "disabled",
        "enabled",
        "active",
        "inactive",
        "hidden",
        "visible",
        "known",
        "shown",
        "useless",
        "updated",
        "accepted",
        "rejected",
        "denied",
        "sent",
        "protected",
        "correct",
        "right",
        "none",
        "null",
        "undefined",
        "true",
        "false",
        "password",
        "passwd",
        "passw0rd",
        "changeme",
        "secret",
        "example",
        "test",
        "dummy",
        "placeholder",
        "somefakekey",
        "fakepassword",
        "yourpassword",
        "mypassword",
        "your_password",
        "real_key",
        "xxxx",
        "xxxxxx",
        "xxxxxxxx",
        "asdf",
        "qwerty",
    ]
)
_OTP_HINTS = ("2fa", "mfa", "otp", "code", "one-time", "one time", "验证码", "动态码")
_TOTP_HINTS = ("auth", "2fa", "mfa", "otp", "factor", "backup", "setup", "recovery", "secret")
_TRAILING = ".,;:!?)]}>\"'`。，！？；）"


def plausible_value(value: str) -> bool:
    """True when a stated value looks like a real secret rather than a word, mask or template."""
    low = value.lower()
    if low in _NOT_VALUES or not any(c.isalnum() for c in value):
        return False
    if value[0] in "$<{%[(" or "***" in value or "…" in value or len(set(low)) < 3:
        return False
    if low.isalpha() and low.endswith(("ed", "ing", "ly", "ble", "ful")):
        return False
    return not re.fullmatch(r"x+|\*+|\.+|_+", low)


def _value_span(m: re.Match[str]) -> tuple[int, int, str] | None:
    """The (start, end, value) of the matched value, trailing punctuation trimmed."""
    group = next(g for g in range(m.re.groups, 0, -1) if m.group(g) is not None)
    start, end = m.span(group)
    value = m.group(group)
    if group == m.re.groups:  # unquoted: trim sentence punctuation
        stripped = value.rstrip(_TRAILING)
        end -= len(value) - len(stripped)
        value = stripped
    if len(value) < 4 or not plausible_value(value):
        return None
    return start, end, value


def _password(m: re.Match[str], detail: str) -> SecretMatch | None:
    """A password match for one labelled value, or None when the value is not plausible."""
    span = _value_span(m)
    if span is None:
        return None
    start, end, value = span
    # A value that mixes character kinds is almost surely a real password; a plain word less so.
    score = 0.9 if not value.isalpha() else 0.7
    return SecretMatch(start, end, "password", score, detail, "[password removed]", value)


def _zh_detail(kind: str | None) -> str:
    """Plain-words detail for a Chinese password label such as 交易密码."""
    if kind in ("交易", "资金", "支付", "提现", "提币"):
        return "trading or fund password"
    if kind in ("登录", "登陆"):
        return "login password"
    return "password"


def _otps(text: str) -> list[SecretMatch]:
    """One-time codes (2FA, SMS, email, 验证码) given out in a thread."""
    found = []
    for m in compiled(_OTP).finditer(text):
        value = re.sub(r"[ -]", "", m.group(1))
        # English labels mostly precede 6-8 digit codes; shorter numbers there are years or counts.
        if len(value) < 6 and m.group(0).isascii():
            continue
        found.append(
            SecretMatch(
                m.start(1), m.end(1), "password", 0.85, "2FA code", "[2FA code removed]", value
            )
        )
    return found


def _userinfo(text: str) -> list[SecretMatch]:
    """Passwords written into a URL (https://alice:PASSWORD@host/)."""
    found = []
    for m in compiled(_USERINFO).finditer(text):
        value = m.group(1)
        if plausible_value(value):
            found.append(
                SecretMatch(
                    m.start(1),
                    m.end(1),
                    "password",
                    0.9,
                    "password in a URL",
                    "[password removed]",
                    value,
                )
            )
    return found


def _totp_keys(text: str) -> list[SecretMatch]:
    """Authenticator setup keys: whoever has one makes the user's 2FA codes."""
    found = []
    labelled = [
        m
        for m in compiled(_TOTP_VALUE).finditer(text)
        if compiled(_TOTP_LABEL).search(text, max(0, m.start() - _TOTP_REACH), m.start())
    ]
    for m in [*labelled, *compiled(_OTPAUTH).finditer(text)]:
        value = re.sub(r"[ -]", "", m.group(1)).upper()
        # Random base32 nearly always has a digit; a word run together ("AUTHENTICATORAPPS") not.
        if not any(c in "234567" for c in value) or looks_like_words(value):
            continue
        found.append(
            SecretMatch(
                m.start(1),
                m.end(1),
                "password",
                0.9,
                "authenticator setup key",
                "[2FA setup key removed]",
                value,
            )
        )
    return found


def looks_like_words(value: str) -> bool:
    """Whether a base32-looking value is mostly one letter kind, as words are (few distinct)."""
    return len(set(value)) < min(10, len(value) // 2)


def find(text: str) -> list[SecretMatch]:
    """All labelled passwords, URL passwords, authenticator keys and one-time codes in text."""
    found: list[SecretMatch | None] = []
    low = text.lower()
    if "://" in text:
        found.extend(_userinfo(text))
    if "pass" in low or "pw" in low:
        found.extend(_password(m, "password") for m in compiled(_PASSWORD_EN).finditer(text))
    if "密码" in text or "密碼" in text:
        found.extend(
            _password(m, _zh_detail(m.group(1))) for m in compiled(_PASSWORD_ZH).finditer(text)
        )
    if any(hint in low for hint in _OTP_HINTS):
        found.extend(_otps(text))
    if any(hint in low for hint in _TOTP_HINTS) or "验证器" in text or "密钥" in text:
        found.extend(_totp_keys(text))
    return [m for m in found if m is not None]
