"""Regexes compiled on first use and kept: a rule whose regex runs only after a cheaper test
(its needles, its hints) costs a fresh process nothing until a post passes that test."""

from __future__ import annotations

import re
from functools import cache


@cache
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile(pattern, flags), once per process (re's own cache holds 512 and may drop it)."""
    return re.compile(pattern, flags)
