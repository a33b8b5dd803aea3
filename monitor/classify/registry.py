"""The built-in detectors, listed explicitly in one place (no import scanning, no entry points)."""

from __future__ import annotations

from monitor.classify.base import Detector
from monitor.classify.impersonation import ImpersonationDetector
from monitor.classify.impersonation.lists import ListFile
from monitor.classify.support import SupportDetector
from monitor.core.config import Settings


def build_detectors(settings: Settings) -> list[Detector]:
    """Every detector besides the secret finder, which the pipeline runs first to redact."""
    support = settings.support
    return [
        ImpersonationDetector(settings.brand, ListFile(settings.phishing_list), ListFile(settings.allow_list)),
        SupportDetector(support.get("model_dir"), support.get("encoder_path"),
                        support.get("use_encoder", True)),
    ]
