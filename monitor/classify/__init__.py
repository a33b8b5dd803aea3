"""Detectors, a library: pure functions from a post to findings; what other code uses is named here.

Code outside classify imports from `monitor.classify` only (tests/test_import_rules.py), so the
modules behind these names may move without touching their users. classify itself imports only
`monitor.core.models` and its own modules, each by its full path (never this package: a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.classify.base import Detector, FlagsEarlier, Pending, ReadsHostLists
from monitor.classify.builtin import builtin_detectors, memory_options
from monitor.classify.impersonation import ImpersonationDetector
from monitor.classify.impersonation.brand_registry import BrandRegistry
from monitor.classify.impersonation.domains import hosts, lookalike_hosts, on_list
from monitor.classify.impersonation.verify import Verdict, format_verdict, verify_text, worst
from monitor.classify.secrets import SecretDetector, SecretMatch, find_secrets, redact
from monitor.classify.secrets.fields import scrub
from monitor.classify.support import SupportDetector
from monitor.classify.support.classifier import DEFAULT_MODEL_DIR, META_FILE, model_problems
from monitor.classify.support.encoder import MODEL_FILE, TOKENIZER_FILE, MiniLM
from monitor.classify.support.linear import ByScript, from_logits
from monitor.classify.text import has_cjk, language, normalise, strip_invisible

if TYPE_CHECKING:
    from monitor.classify.memory import (
        Identifier,
        MemoryDetector,
        Remembered,
        WaveDetector,
        identifiers,
        informative,
    )
    from monitor.classify.memory.actors import named as named_identifiers
    from monitor.classify.support.export import attach_head, export_encoder, optimise
    from monitor.classify.support.fit import fit_head, fit_linear
    from monitor.classify.support.generate import DATA_DIR as SUPPORT_DATA_DIR
    from monitor.classify.support.generate import LABELS as SUPPORT_LABELS
    from monitor.classify.support.generate import write as write_training_data

# Training the support model (`monitor train`) needs torch and onnx, and its data generator; the
# campaign memory needs numpy and datasketch (which loads scipy, ~0.8 s): each loaded when first
# asked for, so that no other command (`monitor scan`) pays for them at start-up.
# Public name -> (module, name there).
_LAZY = {
    "Identifier": ("monitor.classify.memory", "Identifier"),
    "MemoryDetector": ("monitor.classify.memory", "MemoryDetector"),
    "Remembered": ("monitor.classify.memory", "Remembered"),
    "WaveDetector": ("monitor.classify.memory", "WaveDetector"),
    "identifiers": ("monitor.classify.memory", "identifiers"),
    "informative": ("monitor.classify.memory", "informative"),
    "named_identifiers": ("monitor.classify.memory.actors", "named"),
    "fit_linear": ("monitor.classify.support.fit", "fit_linear"),
    "fit_head": ("monitor.classify.support.fit", "fit_head"),
    "export_encoder": ("monitor.classify.support.export", "export_encoder"),
    "attach_head": ("monitor.classify.support.export", "attach_head"),
    "optimise": ("monitor.classify.support.export", "optimise"),
    "SUPPORT_DATA_DIR": ("monitor.classify.support.generate", "DATA_DIR"),
    "SUPPORT_LABELS": ("monitor.classify.support.generate", "LABELS"),
    "write_training_data": ("monitor.classify.support.generate", "write"),
}

__all__ = [
    "DEFAULT_MODEL_DIR", "META_FILE", "MODEL_FILE", "SUPPORT_DATA_DIR", "SUPPORT_LABELS",
    "TOKENIZER_FILE", "BrandRegistry", "ByScript", "Detector", "FlagsEarlier", "Identifier",
    "ImpersonationDetector", "MemoryDetector", "MiniLM", "Pending", "ReadsHostLists", "Remembered",
    "SecretDetector", "SecretMatch", "SupportDetector", "Verdict", "WaveDetector", "attach_head",
    "builtin_detectors", "export_encoder", "find_secrets", "fit_head", "fit_linear",
    "format_verdict", "from_logits", "has_cjk", "hosts", "identifiers", "informative", "language",
    "lookalike_hosts", "memory_options", "model_problems", "named_identifiers", "normalise",
    "on_list", "optimise", "redact", "scrub", "strip_invisible", "verify_text", "worst",
    "write_training_data",
]


def __getattr__(name: str) -> Any:
    """The training and memory names, imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)
