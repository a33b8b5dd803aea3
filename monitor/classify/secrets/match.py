"""The SecretMatch value every secret finder returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """A secret found in a text: its span, type and a redaction-safe description.

    `value` is the raw secret (normalised) so a salted fingerprint can be taken; it is kept
    out of repr so it never reaches a log line by accident, and nothing outside this package
    should read it.
    """

    start: int
    end: int
    label: str  # seed_phrase | private_key | api_key | token | password
    score: float  # 0..1; e.g. a seed phrase that fails its checksum scores lower
    detail: str  # plain words with no secret content, e.g. "12 words, English, checksum valid"
    placeholder: str  # replacement text, e.g. "[seed phrase removed: 12 words]"
    value: str = field(default="", repr=False)
