"""Rule: one content pattern, the signal it gives, and whether a nearby warning cancels it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The words of the plain DM invitation, in English and Chinese: the detector weighs a reply that
# only asks to move to DMs apart from one that offers help.
ASKS_TO_DM = "asks to DM"


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern, the signal it gives, and whether a warning nearby
    ('never share...') cancels it."""

    label: str
    weight: float
    words: str
    pattern: re.Pattern[str]
    warnable: bool = False


def rx(pattern: str) -> re.Pattern[str]:
    """Compile a rule pattern (text is already NFKC and case-folded)."""
    return re.compile(pattern)
