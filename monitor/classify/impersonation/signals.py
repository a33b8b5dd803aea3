"""Signal: one named reason in plain words, and how signals add up to a score and a label."""

from __future__ import annotations

from dataclasses import dataclass

# Amplifiers (account age, followers, shortened links) only count next to a real signal this strong.
_PRIMARY = 0.3


@dataclass(frozen=True, slots=True)
class Signal:
    """A reason a post looks like impersonation or a scam; label '' marks an amplifier."""

    label: str
    weight: float
    words: str
    # Weighed down on purpose (a link named in a warning, a DM asked for under a friend's message):
    # the post's context says it is likely no scam, so no stricter threshold may lift it.
    weighed_down: bool = False


def combine(signals: list[Signal]) -> tuple[float, str]:
    """Noisy-or of the weights and the label of the strongest labelled signal; (0, '') if none."""
    primary = [s for s in signals if s.label and s.weight >= _PRIMARY]
    if not primary:
        return 0.0, ""
    miss = 1.0
    for s in signals:
        miss *= 1.0 - s.weight
    return round(1.0 - miss, 3), max(primary, key=lambda s: s.weight).label


def weighed_down(signals: list[Signal]) -> bool:
    """Whether any signal was weighed down on purpose for the post's context."""
    return any(s.weighed_down for s in signals)


def evidence(signals: list[Signal]) -> str:
    """The signals' words joined, strongest first, without repeats."""
    ordered = sorted(signals, key=lambda s: -s.weight)
    return "; ".join(dict.fromkeys(s.words for s in ordered))
