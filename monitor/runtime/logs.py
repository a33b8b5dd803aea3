"""Logging setup: one JSON object (or text line) per record, every line scrubbed of secrets."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from monitor.classify import find_secrets, redact
from monitor.core.config import loaded_secrets

FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


def scrub(text: str) -> str:
    """The text with every secret the finders see, and every credential read from env, replaced."""
    for value in loaded_secrets():
        if value in text:
            text = text.replace(value, "[credential removed]")
    matches = find_secrets(text)
    return redact(text, matches) if matches else text


class TextFormatter(logging.Formatter):
    """The plain-text line, scrubbed: the last line of defence for every logger, libraries
    included."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line (traceback included) with secrets replaced."""
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's extra fields, exc; all
    scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = (
                    value
                    if isinstance(value, (int, float, bool, type(None)))
                    else scrub(str(value))
                )
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


def setup(
    level: str = "INFO",
    fmt: str = "json",
    logfile: Path | None = None,
    stream: TextIO | None = None,
) -> None:
    """Log to stderr (and a file) in the chosen format; log lines never carry post text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; use {' or '.join(FORMATS)}")
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if logfile:
        handlers.append(logging.FileHandler(logfile, encoding="utf-8"))
    formatter = JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.captureWarnings(True)  # library warnings go through the same formatter
