"""A stranger claiming in words to be the brand's staff: "I'm from OKX support", "我是欧易客服"."""

from __future__ import annotations

import re

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.handles import brand_token
from monitor.classify.impersonation.signals import Signal
from monitor.classify.text import has_cjk, simplified

# "who" is the few words between the claim and the staff word; the brand must be among them, so
# "I contacted OKX support" (no claim) and "I'm from the support team" (no brand) do not count.
# "this is" introduces a speaker only at the start of a sentence or after a greeting ("I think this
# is OKX support being slow" is a complaint); a possessive ("OKX support's fault") is never a claim.
_EN = re.compile(
    r"(?:\b(?:i am|i'm|im|we are|we're)|(?:^|[.!?,:;]\s*|\b(?:hi|hello|hey"
    r"|dear \w+)[,!]?\s+)this is)"
    r"\s+(?:from\s+|with\s+)?(?:the\s+|an?\s+)?(?P<who>(?:[\w$@.-]{1,30}\s+){1,3}?)"
    r"(?:support|customer (?:service|care|support)|help ?desk|staff|team|admin|moderator|agent"
    r"|representative)\b(?!['’]s)"
)
_ZH = re.compile(
    r"(?:我是|我们是|这里是|本人是)(?P<who>[^，。！？；,.!?;\n]{1,15}?)"
    r"(?:客服|客户服务|工作人员|专员|客户经理|官方人员|技术支持|审核员|风控|代表)"
)
# Words that make the speaker a user of the brand: "I am an OKX user and support ignores me".
_USER = re.compile(
    r"\b(?:user|customer|client|fan|trader|member|holder|investor|and|but)\b|用户|客户|会员|粉丝"
    r"|新手|玩家"
)


def claim_signals(text: str, reg: BrandRegistry) -> list[Signal]:
    """One signal when a normalised (NFKC, case-folded) text claims to be the brand's customer
    service or staff; the Chinese pattern reads Chinese text only, folded to simplified."""
    subjects = [(_EN, text), *([(_ZH, simplified(text))] if has_cjk(text) else [])]
    for pattern, subject in subjects:
        for match in pattern.finditer(subject):
            who = match.group("who")
            if not _USER.search(who) and _names_brand(who, reg):
                return [
                    Signal(
                        "fake_support_reply",
                        0.7,
                        f"claims to be {reg.name} customer service or staff",
                    )
                ]
    return []


def _names_brand(words: str, reg: BrandRegistry) -> bool:
    """True when the words name the brand, by a Latin name (typos allowed
    as in handles) or a CJK one."""
    return brand_token(words, reg) is not None or any(name in words for name in reg.cjk_names)
