"""Impersonation and scam detection: look-alike accounts and links,
fake support, credential lures."""

from monitor.classify.impersonation.impostors import ImpersonationDetector

__all__ = ["ImpersonationDetector"]
