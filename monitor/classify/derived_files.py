"""Every derived file (monitor.classify.derived) and the function that derives what it holds: the
files tools/derive_data.py writes and the tests hold to the code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.classify.impersonation import content, needle_table
from monitor.classify.secrets import seeds

FILES: dict[str, Callable[[], Any]] = {
    seeds.INDEX_FILE: seeds.index_file,
    needle_table.FILE: content.needle_file,
}
