"""Author signals: handles, display names and bios that look like the
brand's own, and thin profiles."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.fuzzy import distance, max_edits, near_substring, squeeze
from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.skeleton import skeleton, skeletons, substitutions
from monitor.classify.impersonation.wordlists import words
from monitor.classify.text import normalise, simplified
from monitor.core.models import Author

_SEPARATORS = str.maketrans("", "", "._- ")
_NEW_ACCOUNT_DAYS = 30
_FEW_FOLLOWERS = 50
_MIN_OFFICIAL = 6
# A bio's words: runs of letters or digits (a Chinese run, 欧易官方客服, is one word). Bios are
# short; the cap only bounds the work on a strange one.
_BIO_WORD = re.compile(r"[^\W_]+")
_BIO_WORDS = 80
# How a bio's claim is worded in evidence; the detector looks for it to
# weigh an answer to a help request.
BIO_CLAIM = "profile bio presents it as"
_BIO_REACH = 1  # words either side of the brand's name: "I love OKX and help newbies" is no claim
# Support words that mark a handle (okx_global) but not a bio: fans write "OKX Global ambassador",
# and the brand's P2P merchants "OKX verified merchant".
_NOT_IN_BIOS = frozenset({"global", "hq", "verified"})


def official_lookalike(handle: str, reg: BrandRegistry) -> Signal | None:
    """A handle whose skeleton equals, or is a typo of, an official handle."""
    skel = skeleton(handle)
    squeezed = squeeze(skel)
    for off_skel, off in reg.official_skeletons.items():
        if skel == off_skel or squeezed == squeeze(off_skel):
            how = ", ".join(substitutions(handle)) or (
                "same letters" if skel == off_skel else "doubled letter"
            )
            return Signal(
                "lookalike_handle", 0.9, f"handle {handle} looks like official {off} ({how})"
            )
        edits = distance(skel, off_skel)
        if 0 < edits <= max_edits(off_skel):
            typos = "1 typo" if edits == 1 else f"{edits} typos"
            return Signal(
                "lookalike_handle", 0.75, f"handle {handle} is {typos} from official {off}"
            )
        # A founder's or regional account plus "official" (vitalik_buterin_official); short handles
        # are brand tokens, which the brand + support word check covers.
        if (
            len(off_skel) >= _MIN_OFFICIAL
            and off_skel in skel
            and (word := support_word(skel.replace(off_skel, "", 1)))
        ):
            return Signal("lookalike_handle", 0.85, f"handle {handle} is official {off} + '{word}'")
    return None


def brand_token(text: str, reg: BrandRegistry) -> str | None:
    """The brand token a text's skeletons contain, allowing typos for long tokens."""
    for token in reg.tokens:
        if any(
            near_substring(token, skel, max_edits(token)) is not None for skel in skeletons(text)
        ):
            return token
    return None


def support_word(text: str) -> str | None:
    """The first support word (support, help, 客服, ...) found in a skeleton or normalised text."""
    return next((w for w in words("support_words") if skeleton(w) in text or w in text), None)


def scam_word(rest: str) -> str | None:
    """A scam account's word (airdrop, login, sync...) at either end of what a
    handle holds besides the brand."""
    rest = rest.strip("0123456789")  # binance_airdrop2024
    return next(
        (
            w
            for w in words("scam_handle_words")
            if rest.startswith(skeleton(w)) or rest.endswith(skeleton(w))
        ),
        None,
    )


def handle_signals(handle: str, reg: BrandRegistry) -> list[Signal]:
    """Signals from the handle: look-alike of an official one, or brand
    plus a support or scam word."""
    if found := official_lookalike(handle, reg):
        return [found]
    if not (token := brand_token(handle, reg)):
        return []
    rest = skeleton(handle).replace(token, "", 1)  # what the handle holds besides the brand
    name, plain = reg.tokens[token], handle.casefold().translate(_SEPARATORS)
    # okx_airdrop2026: a number, no 0→o
    swaps = ", ".join(substitutions(handle.rstrip("0123456789")))
    how = f"looks like brand '{name}' ({swaps})" if swaps else f"has brand '{name}'"
    if word := support_word(rest):
        return [Signal("lookalike_handle", 0.8, f"handle {handle} {how} + '{word}'")]
    if word := scam_word(rest):
        return [
            Signal(
                "lookalike_handle", 0.7, f"handle {handle} {how} + '{word}', a scam account's word"
            )
        ]
    if name not in plain:
        # A fan writes the brand as it is; a misspelt or disguised brand (Blnance, 0kx) hides it.
        return [Signal("lookalike_handle", 0.6, f"handle {handle} disguises brand '{name}'")]
    return [Signal("", 0.2, f"handle {handle} contains brand '{name}'")]


def name_signals(name: str, reg: BrandRegistry) -> list[Signal]:
    """Signals from the display name: the brand's own name, or brand plus a support word (or,
    weaker, a scam account's word)."""
    if not name:
        return []
    # Folded to simplified (歐易客服 is the same claim as 欧易客服) and without the spaces, dots and
    # emoji that split a name to dodge filters (欧·易 客服).
    skel, norm = skeleton(name), "".join(c for c in simplified(normalise(name)) if c.isalnum())
    token = brand_token(name, reg) or next((n for n in reg.cjk_names if n in norm), None)
    if not token:
        return []
    latin_rest = skel.replace(token, "", 1)
    if word := support_word(latin_rest + norm.replace(token, "", 1)):
        brand = reg.tokens.get(token, token)
        return [
            Signal(
                "lookalike_handle", 0.6, f"display name '{name}' claims brand '{brand}' + '{word}'"
            )
        ]
    if skel in reg.tokens or skel in reg.official_skeletons or norm in reg.cjk_names:
        # Alone this stays under the flag line: a display name is free text anyone may type.
        return [Signal("lookalike_handle", 0.45, f"display name '{name}' is the brand's name")]
    if token in reg.tokens and (word := scam_word(latin_rest)):
        # "OKX Airdrop 🎁": under the line too (an airdrop hunter may
        # write it), a lure beside it flags.
        return [
            Signal(
                "lookalike_handle",
                0.45,
                f"display name '{name}' pairs brand '{reg.tokens[token]}' with '{word}'",
            )
        ]
    return []


def bio_signals(bio: str, reg: BrandRegistry) -> list[Signal]:
    """A bio that presents the account as the brand's support ("OKX Customer Support | DM for help",
    "欧易官方客服"): the brand's name with a support word beside it. Under the flag line
    alone, since real staff write "Support @OKX" too; beside an offer of help, or in an answer
    to a help request, it flags."""
    found = _BIO_WORD.findall(simplified(normalise(bio)))[:_BIO_WORDS]
    support = _bio_support_words()
    for i, word in enumerate(found):
        cjk = next((n for n in reg.cjk_names if n in word), None)
        brand = cjk or reg.tokens.get(skeleton(word))
        if not brand:
            continue
        near = found[max(0, i - _BIO_REACH) : i] + found[i + 1 : i + 1 + _BIO_REACH]
        claim = next((w for w in near if w in support), None)
        if cjk and not claim:  # a Chinese run holds its own words: 欧易官方客服
            claim = next((w for w in support if w in word.replace(cjk, "", 1)), None)
        if claim:
            return [Signal("lookalike_handle", 0.45, f"{BIO_CLAIM} '{brand}' + '{claim}'")]
    return []


@cache
def _bio_support_words() -> tuple[str, ...]:
    """The support words that make a claim in a bio, read once: bio_signals runs for every post."""
    return tuple(w for w in words("support_words") if w not in _NOT_IN_BIOS)


def profile_signals(
    author: Author, posted: datetime | None, lookalike: bool = False
) -> list[Signal]:
    """Amplifiers from the profile: a new account, few followers, a Reddit account without a
    verified e-mail; and, on a look-alike, a note that its X verified mark proves nothing."""
    found: list[Signal] = []
    if (
        author.created_at
        and posted
        and (days := (posted - author.created_at).days) < _NEW_ACCOUNT_DAYS
    ):
        found.append(Signal("", 0.2, f"account {max(days, 0)} days old"))
    if author.followers is not None and author.followers < _FEW_FOLLOWERS:
        found.append(Signal("", 0.1, f"{author.followers} followers"))
    if author.platform == "reddit" and author.verified is False:
        # Reddit's 'verified': the throwaway's mark
        found.append(Signal("", 0.1, "no verified e-mail"))
    if author.platform == "twitter" and lookalike and (author.verified or _marked(author)):
        # X sells its check mark, and impostors buy it to look like the
        # brand: said, never a reason to trust.
        found.append(
            Signal(
                "",
                0.0,
                _MARKS.get(
                    author.verified_type or "",
                    "has a verified mark, which X sells: no proof it is the brand's",
                ),
            )
        )
    return found


# X's verified_type: which check mark an account has, as the evidence
# names it (weight 0 all the same).
_MARKS = {
    "blue": "has a blue mark (verified_type blue), which X sells: no proof it is the brand's",
    "business": "has a gold organisation mark (verified_type business): check which organisation",
    "government": "has a grey government mark (verified_type government)",
}


def _marked(author: Author) -> bool:
    """Whether X says the account has any check mark."""
    return author.verified_type not in (None, "", "none")


def author_signals(author: Author, reg: BrandRegistry, posted: datetime | None) -> list[Signal]:
    """Every author signal for a post's author."""
    found = (
        handle_signals(author.handle, reg)
        + name_signals(author.name, reg)
        + bio_signals(author.bio, reg)
    )
    return found + profile_signals(author, posted, any(s.label and s.weight >= 0.5 for s in found))
