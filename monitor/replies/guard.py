"""The outbound guard: every outgoing text is checked right before it is sent;
a failing text is not sent."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict

from monitor.classify import (
    BrandRegistry,
    ImpersonationDetector,
    find_secrets,
    hosts,
    normalise,
    redact,
)
from monitor.core.models import Action, Author, Brand, Post

# Message length limits per platform (X: a post; Telegram: a message;
# Discord: a message; Reddit: a comment).
LENGTH_LIMITS = {"twitter": 280, "telegram": 4096, "discord": 2000, "reddit": 10000}
DM_LIMITS = {"twitter": 10000}  # an X direct message may be longer than a post
X_URL_LENGTH = 23  # X counts every link as 23 characters, whatever its length
# Texts read only by the managers may link to the post on its platform; users' texts may not.
PLATFORM_HOSTS = (
    "x.com",
    "twitter.com",
    "t.me",
    "telegram.org",
    "discord.com",
    "discordapp.com",
    "reddit.com",
    "redd.it",
)
STAFF_KINDS = ("alert", "report")
# A restriction, ban or unban carries at most a note for the platform's moderation log: none is
# fine, and one is checked like the managers' texts (no secret, no foreign link).
MODERATION = ("restrict", "ban", "unban")
SECRET_REASON = "contains a secret"
# an impersonation signal this strong (a lure, a phishing link, a secret request) blocks
BLOCK_WEIGHT = 0.5
# Texts that passed, the least recently used forgotten first: replies come from templates, so the
# same texts go out again and again, and a check costs about 1 ms. Only passed texts are kept, so
# no text holding a secret stays in memory.
PASSED_CACHE = 2048

# A request for credentials: an asking verb, then within a short span the thing asked for.
_ASK = (
    r"\b(?:send|share|provide|enter|give|tell|type|paste|post|submit|confirm|verify|dm|reply with|"
    r"need|require|input|fill in|upload)\b|提供|发送|發送|发给|發給|告诉|告訴|输入|輸入|回复|回覆"
    r"|私信|私訊"
)
_CREDENTIAL = (
    r"password|passcode|pass phrase|seed|recovery phrase|mnemonic|secret (?:key|phrase)"
    r"|private key|"
    r"api secret|secret key|2fa|otp|one[- ]time code|verification code|authenticator code|"
    r"密码|密碼|助记词|助記詞|私钥|私鑰|密钥|金鑰|验证码|驗證碼|谷歌验证|二次验证|二次驗證"
)
_REQUEST = re.compile(rf"(?:{_ASK}).{{0,40}}?(?:{_CREDENTIAL})")
# "never share your password": a negation before the verb or
# between verb and noun cancels the match.
_NEGATION = re.compile(
    r"\b(?:never|don'?t|do not|not|no one|nobody|won'?t|will not)\b"
    r"|不要|切勿|绝不|絕不|请勿|請勿|不会|不會|永远不|永遠不"
)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://([^/\s?#]+)", re.IGNORECASE)
_X_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,24}(?:/[\w\-.~:/?#@!$&'()*+,;=%]*[\w/=#-])?",
    re.IGNORECASE | re.ASCII,
)
# Hosts as written (any case) in texts for the managers, to be made unclickable.
# An IPv4 address too, now that a linked address is a host the detector names.
_HOSTLIKE = re.compile(r"(?:[\w-]+\.)+(?:xn--[\w-]+|[^\W\d_]{2,24})\b|\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Chinese punctuation NFKC would turn into ASCII (，→,): kept as written, since none of it can stand
# for the dot of a host (the full-width dot ． is still folded, so ｅｖｉｌ．ｃｏｍ is caught).
_CJK_PUNCT = re.compile("([\uff0c\uff1a\uff1b\uff01\uff1f\uff08\uff09])")


class Guard:
    """Checks outgoing texts for one brand: no secret, no credential
    request, brand links only, fits."""

    def __init__(self, brand: Brand) -> None:
        self.registry = BrandRegistry.from_brand(brand)
        self.detector = ImpersonationDetector(brand)
        self._passed: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def check_action(self, action: Action, platform: str) -> str | None:
        """None when the action may be sent on `platform`, else the reason; a delete has no text."""
        if action.kind == "delete" or (action.kind in MODERATION and not action.text.strip()):
            return None
        kind = "report" if action.kind in MODERATION else action.kind
        return self.check(action.text, platform, kind)

    def check(self, text: str, platform: str, kind: str = "reply") -> str | None:
        """None when the text may be sent as `kind`, else why not in plain
        words (never quoting the text)."""
        key = (text, platform, kind)
        with self._lock:
            if key in self._passed:
                self._passed.move_to_end(key)
                return None
        reason = self._check(text, platform, kind)
        if reason is None:
            with self._lock:
                self._passed[key] = None
                if len(self._passed) > PASSED_CACHE:
                    self._passed.popitem(last=False)
        return reason

    def _check(self, text: str, platform: str, kind: str) -> str | None:
        """check() without the memory of passed texts."""
        if not text.strip():
            return "empty text"
        staff = kind in STAFF_KINDS
        checks = (
            (self._secret, self._links)
            if staff
            else (self._secret, self._links, self._request, self._scam)
        )
        for check in checks:
            if reason := check(text, staff):
                return reason
        # managers' texts are messages, never posts
        return too_long(text, platform, kind == "dm" or staff)

    def _secret(self, text: str, staff: bool) -> str | None:
        """A secret in the text as written or once invisible characters are removed."""
        found = find_secrets(text) or find_secrets(strip_invisible(text))
        if found:
            return (
                f"{SECRET_REASON} ("
                + ", ".join(sorted({m.label.replace("_", " ") for m in found}))
                + ")"
            )
        return None

    def _links(self, text: str, staff: bool) -> str | None:
        """Links only to the brand's own domains (and, for the managers, to the platforms)."""
        # [.]: defanged
        netlocs = [m.group(1) for m in _URL.finditer(normalise(text)) if "[.]" not in m.group(1)]
        # Written defanged (evil[.]com), as alerts and /verify answers write
        # foreign links, a host is no link.
        linked = set(hosts(text, hidden_dots=False)) | {_host_of(n) for n in netlocs}
        foreign = [h for h in linked if not self.allowed(h, staff)]
        if foreign:
            return f"links to {len(foreign)} domain(s) the brand does not own"
        return None

    def allowed(self, host: str, staff: bool = False) -> bool:
        """A brand host, or for the managers' texts a platform host."""
        host = host.casefold().rstrip(".")
        if self.registry.is_official_host(host):
            return True
        return staff and any(host == d or host.endswith("." + d) for d in PLATFORM_HOSTS)

    def _request(self, text: str, staff: bool) -> str | None:
        """A request for a password, seed phrase, private key, API secret or 2FA code."""
        flat = normalise(text)
        for match in _REQUEST.finditer(flat):
            if not _NEGATION.search(flat, max(0, match.start() - 40), match.end()):
                return "asks for a password, seed phrase, private key, API secret or 2FA code"
        return None

    def _scam(self, text: str, staff: bool) -> str | None:
        """The impersonation detector's strong signals, as if a neutral
        account had posted the text."""
        post = Post(platform="guard", id="outbound", author=Author("guard", "", ""), text=text)
        strong = [s for s in self.detector.signals(post) if s.label and s.weight >= BLOCK_WEIGHT]
        if strong:
            return "reads like a scam: " + "; ".join(dict.fromkeys(s.words for s in strong))
        return None


def defang(text: str, domains: tuple[str, ...]) -> str:
    """A managers' text with every host outside `domains` and the
    platforms written as example[.]com."""
    safe = (*domains, *PLATFORM_HOSTS)

    def write(m: re.Match[str]) -> str:
        host = m.group(0).casefold()
        return (
            m.group(0)
            if any(host == d or host.endswith("." + d) for d in safe)
            else m.group(0).replace(".", "[.]")
        )

    folded = "".join(
        part if _CJK_PUNCT.fullmatch(part) else unicodedata.normalize("NFKC", part)
        for part in _CJK_PUNCT.split(text)
    )
    return _HOSTLIKE.sub(write, strip_invisible(folded))


def too_long(text: str, platform: str, dm: bool = False) -> str | None:
    """The length problem on a platform, or None; an X post is counted
    as X counts (see x_length)."""
    limit = (dm and DM_LIMITS.get(platform)) or LENGTH_LIMITS.get(platform)
    if limit is None:
        return None
    size = x_length(text) if platform == "twitter" and not dm else len(text)
    if size > limit:
        how = ", links counted as 23, CJK as 2" if platform == "twitter" and not dm else ""
        return f"too long for {platform} ({size} of {limit} characters{how})"
    return None


def x_length(text: str) -> int:
    """X's weighted length, approximated: a link counts 23, Latin and
    common punctuation 1, else 2."""
    size = 0
    pos = 0
    for m in _X_URL.finditer(text):
        size += _weighted(text[pos : m.start()]) + X_URL_LENGTH
        pos = m.end()
    return size + _weighted(text[pos:])


def _weighted(text: str) -> int:
    """twitter-text v3 weights: U+0000-10FF, U+2000-200D, U+2010-201F,
    U+2032-2037 count 1, others 2."""
    light = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
    return sum(1 if any(a <= ord(ch) <= b for a, b in light) else 2 for ch in text)


def scrub(text: str) -> str:
    """The text with every secret replaced by its placeholder
    (invisible characters removed first)."""
    clean = strip_invisible(text)
    return redact(clean, find_secrets(clean))


def strip_invisible(text: str) -> str:
    """The text without zero-width and bidi-control characters (which can hide or split words)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _host_of(netloc: str) -> str:
    """The host part of a URL's authority: no user info, no port."""
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.split(":")[0].rstrip(".")
