"""Reading ../shared/recorded/ (real platform traffic and API specs) beside the
repository, never copied in."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
# CI runs on a clean clone with ../shared beside it; MONITOR_RECORDED points elsewhere if needed.
RECORDED = Path(os.environ.get("MONITOR_RECORDED", ROOT.parent / "shared" / "recorded"))


def folder(name: str) -> Path | None:
    """One platform's recordings, or None when they are not beside the repository."""
    path = RECORDED / name
    return path if path.is_dir() else None


def reddit_cassette(path: Path) -> list[dict[str, Any]]:
    """An asyncpraw cassette's interactions: request (method, uri, body) and response (status,
    headers with one value each, parsed JSON body or None)."""
    out = []
    for item in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
        response = item["response"]
        text = (response.get("body") or {}).get("string") or ""
        out.append(
            {
                "method": item["request"]["method"],
                "uri": item["request"]["uri"],
                "request_body": item["request"].get("body"),
                "status": response["status"]["code"],
                "headers": {k: v[0] for k, v in response["headers"].items()},
                "body": json.loads(text) if text.strip() else None,
            }
        )
    return out


def vcr_cassette(path: Path) -> list[dict[str, Any]]:
    """A VCR.py (tweepy) cassette's interactions, bodies gunzipped and parsed where they are JSON;
    raw holds the body bytes as they came over the wire (still gzipped where they were)."""
    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
        response = item["response"]
        headers = {k.lower(): v[0] for k, v in response["headers"].items()}
        raw = response["body"]["string"]
        wire = raw = raw if isinstance(raw, bytes) else raw.encode()
        if headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        out.append(
            {
                "method": item["request"]["method"],
                "uri": item["request"]["uri"],
                "request_body": item["request"].get("body"),
                "status": response["status"]["code"],
                "headers": headers,
                "body": body,
                "raw": wire,
            }
        )
    return out
