"""Rule: one content pattern, the signal it gives, and whether a nearby warning cancels it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.classify.regexes import compiled

# The words of the plain DM invitation, in English and Chinese: the detector weighs a reply that
# only asks to move to DMs apart from one that offers help.
ASKS_TO_DM = "asks to DM"


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern (for text already NFKC and case-folded), the signal it gives, and whether a
    warning nearby ('never share...') cancels it."""

    label: str
    weight: float
    words: str
    source: str
    warnable: bool = False

    @property
    def pattern(self) -> re.Pattern[str]:
        """The regex, compiled on first use: when a post first passes the rule's needle gate."""
        return compiled(self.source)
