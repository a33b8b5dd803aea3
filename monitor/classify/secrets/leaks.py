"""SecretDetector: the Detector-protocol face of the secret finders."""

from __future__ import annotations

from monitor.classify.secrets.core import find_secrets, fingerprint
from monitor.classify.secrets.match import SecretMatch
from monitor.core.models import Finding, Post


class SecretDetector:
    """Reports each leaked secret in a post as a `secret_leak` finding with redacted evidence."""

    kind = "secret_leak"
    name = "secrets"

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def check(self, post: Post) -> list[Finding]:
        """Findings for the secrets in the post's text."""
        return self.findings(find_secrets(post.text))

    def findings(self, matches: list[SecretMatch]) -> list[Finding]:
        """Findings for matches already found (the pipeline finds them once to redact too)."""
        return [
            Finding(
                kind=self.kind,
                label=m.label,
                score=m.score,
                evidence=m.detail,
                detector=self.name,
                fingerprint=fingerprint(m, self._salt),
            )
            for m in matches
        ]
