"""Staff clones: an account copying the name or handle of the admins
and moderators where it posts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from monitor.classify.impersonation.fuzzy import distance, squeeze
from monitor.classify.impersonation.signals import Signal
from monitor.classify.impersonation.skeleton import skeleton, substitutions
from monitor.classify.text import simplified
from monitor.core.models import Author, among

LABEL = "staff_lookalike"
# A copied name this long is a copy, not a namesake: "Alice | OKX
# Team" is, "Mike" is not on its own.
_DISTINCT = 6
# Shorter handles and names are too common to read one as a copy of another.
_MIN = 4
# A typo of a shorter handle is as likely someone else's own name (james, jamesb). One typo only:
# two letters apart are other people's and projects' own names (lidofinance, ondofinance).
_TYPO_MIN = 8
# The other way to a free handle: the admin's with digits after it (amberbaldet30); under this
# length the result is as likely a namesake's own (mike_1990).
_NUMBERED = re.compile(r"[\d_.]+$")
_NUMBERED_MIN = 6


# each post is compared with every admin: the same names fold again and again
@lru_cache(maxsize=4096)
def fold_name(name: str) -> str:
    """A display name as a reader takes it in: look-alike letters folded, traditional Chinese as
    simplified, and no spaces, bars, dots or emoji (Alice | 0KX ✅ reads as aliceokx)."""
    # before '|' reads as l
    letters = "".join(c for c in unicodedata.normalize("NFKC", name) if c.isalnum())
    return simplified(skeleton(letters))


def staff_signals(author: Author, staff: Sequence[Author]) -> list[Signal]:
    """A signal when an account that is not staff copies a staff member's display name or handle."""
    if among(author, staff):
        return []
    for member in staff:
        if found := [s for s in (copied_name(author, member), copied_handle(author, member)) if s]:
            return found
    return []


def copied_name(author: Author, member: Author) -> Signal | None:
    """The author's display name is the member's, or the member's @handle, once folded."""
    mine = _names(author.name)
    if same := mine & _names(member.name):
        # a short name alone may be a namesake
        weight = 0.7 if max(map(len, same)) >= _DISTINCT else 0.45
        return Signal(LABEL, weight, f"display name '{author.name}' copies {_who(member)}'s")
    if member.handle and skeleton(member.handle) in mine:
        return Signal(LABEL, 0.7, f"display name '{author.name}' is {_who(member)}'s handle")
    return None


def _names(name: str) -> set[str]:
    """A display name folded, whole and (for Discord's "server
    nickname / global name") each part."""
    return {folded for part in {name, *name.split(" / ")} if len(folded := fold_name(part)) >= _MIN}


def copied_handle(author: Author, member: Author) -> Signal | None:
    """The author's handle looks like the member's: the same letters
    in disguise, or a typo of it."""
    if not member.handle or author.handle.casefold() == member.handle.casefold():
        return None
    mine, theirs = skeleton(author.handle), skeleton(member.handle)
    if len(theirs) < _MIN:
        return None
    if mine == theirs or squeeze(mine) == squeeze(theirs):
        how = ", ".join(substitutions(author.handle)) or (
            "other separators" if mine == theirs else "a doubled letter"
        )
        return Signal(LABEL, 0.85, f"handle {author.handle} looks like {_who(member)}'s ({how})")
    if len(theirs) >= _TYPO_MIN and distance(mine, theirs) == 1:
        return Signal(LABEL, 0.75, f"handle {author.handle} is a typo of {_who(member)}'s")
    plain = _NUMBERED.sub("", author.handle)
    if plain != author.handle and len(theirs) >= _NUMBERED_MIN and skeleton(plain) == theirs:
        return Signal(
            LABEL, 0.75, f"handle {author.handle} is {_who(member)}'s with a number added"
        )
    return None


def _who(member: Author) -> str:
    """How evidence names a staff member: 'admin Alice (@alice_okx)',
    'admin Mike', 'admin @mia_mod'."""
    if not member.name:
        return f"admin @{member.handle}"
    return f"admin {member.name}" + (f" (@{member.handle})" if member.handle else "")
