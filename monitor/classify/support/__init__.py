"""Support-request classifier: a hashed n-gram model for every post,
MiniLM where English is unsure."""

from monitor.classify.support.classifier import SupportDetector

__all__ = ["SupportDetector"]
