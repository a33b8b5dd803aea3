"""Secret-leak detection: finders per secret type, overlap resolution,
redaction and fingerprints."""

from __future__ import annotations

from monitor.classify.secrets.core import SecretMatch, find_secrets, fingerprint, redact
from monitor.classify.secrets.leaks import SecretDetector

__all__ = ["SecretDetector", "SecretMatch", "find_secrets", "fingerprint", "redact"]
