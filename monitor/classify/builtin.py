"""The built-in detectors, listed explicitly in one place (no import scanning, no entry points)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.classify.base import Detector
from monitor.classify.impersonation import ImpersonationDetector
from monitor.classify.support import SupportDetector
from monitor.core.models import Brand


def builtin_detectors(
    brand: Brand,
    phishing: frozenset[str] = frozenset(),
    allowed: frozenset[str] = frozenset(),
    model_dir: Path | None = None,
    encoder_path: Path | None = None,
    use_encoder: bool = True,
    memory: dict[str, Any] | None = None,
    waves: dict[str, Any] | None = None,
) -> list[Detector]:
    """Every detector besides the secret finder, which the pipeline runs first to redact, built from
    plain values: the brand, the operator's phishing and allow lists (the domains, read from their
    files outside classify), the support model's folders (None: the bundled model), the campaign
    memory's options (None: no memory; the runtime feeds it the store's rows,
    monitor.runtime.memory_feed), the wave tracker's (None: no waves; rebuilt by the runtime
    from the store's recent posts). The settings and the list files are read in
    `monitor.core.pipeline.build_detectors`."""
    remembers: list[Detector] = []
    if memory is not None:  # numpy and datasketch (with scipy) load only for a memory
        from monitor.classify.memory import MemoryDetector

        remembers.append(MemoryDetector(brand, **memory_options(memory)))
    if waves is not None:
        from monitor.classify.memory import WaveDetector

        remembers.append(WaveDetector(brand, **memory_options(waves)))
    return [
        ImpersonationDetector(brand, phishing, allowed),
        SupportDetector(model_dir, encoder_path, use_encoder),
        *remembers,
    ]


def memory_options(memory: dict[str, Any]) -> dict[str, Any]:
    """A memory detector's keyword arguments from its table ([memory], [waves]): enabled is not
    one."""
    return {k: v for k, v in memory.items() if k != "enabled"}
