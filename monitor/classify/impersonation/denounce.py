"""Names written to warn about them: "beware of @0kx_help", "okx-help[.]com is
phishing", "@okx_kefu 是骗子"."""

from __future__ import annotations

import re

# A warning word right before the name: "beware of @0kx_help", "fake site okx-help.com",
# "小心okx-help.com", and the bot's own "@0kx_help is not an official OKX account". A warning word
# further off does not count: "your withdrawal is not processed, contact @okx_desk" is the scam, and
# so is "beware of fakes, the real support is okx-help.com".
_BEFORE = re.compile(
    r"(?:\bbeware|\breport\w{0,2}|\bblock\w{0,2}|\bavoid|\bignore|\bfake|\bscam\w{0,3}"
    r"|\bimpost[eo]rs?|\bphishing"
    r"|\bdo not (?:open|click|visit)|\bdon'?t (?:open|click|visit)"
    r"|小心|谨防|当心|警惕|别信|不要信|不要点|举报|拉黑|假冒的?|仿冒的?|假的?|钓鱼)[\s:：,，]{0,3}"
    r"(?:of |the |account |账号|(?:web ?)?sites? |links? |domains? |urls? |网站|链接)?$"
)
# Letters glued to the name that no handle or host may hold (@okx_help's, okx-help.com/login), and a
# dash or a comma, do not hide what follows.
_AFTER = re.compile(
    r"[^\s@]{0,16}?[\s,;:.\-–—]{0,4}(?:(?:is |are |was |=)?(?:an? |the )?(?:scam|fake|impost[eo]r"
    r"|phish|not (?:an? |the )?(?:official|real))"
    r"|(?:do not|don'?t|never) (?:click|open|visit|use)|(?:是|为|只是)?(?:骗子|假的|假冒|仿冒"
    r"|诈骗|钓鱼)|不是|不要点)"
)
_REACH = 30  # characters before the name a warning word may start in


def denounced(text: str, start: int, end: int) -> bool:
    """True when a normalised text names what stands at text[start:end] to warn about it, right
    before or right after the name."""
    return bool(_BEFORE.search(text[max(0, start - _REACH) : start]) or _AFTER.match(text, end))
