"""`monitor serve` in a child process, for the serve tests and the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TOKEN = "test-token-0123456789abcdef"


def start_server(db: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    """`monitor serve` in a child process on a free loopback port; returns it and its URL."""
    cmd = [sys.executable, "-m", "monitor.cli", "serve", "--db", str(db), "--port", "0", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("review queue on "):
        proc.kill()
        raise AssertionError(
            f"serve did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc, line.split()[3]
