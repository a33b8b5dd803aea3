"""The daemon's metrics: a tiny registry of counters and histograms written in Prometheus text
format."""

from __future__ import annotations

import bisect
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence

# Seconds from a post's arrival to an action's platform answer.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_CODE_IN_TEXT = re.compile(r"\b([45]\d\d)\b")
Labels = tuple[str, ...]


def _escape(value: str) -> str:
    """A label value as the text format wants it."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _label_text(names: Sequence[str], values: Labels, extra: str = "") -> str:
    """`{a="x",b="y"}`, or nothing when there are no labels."""
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    """A sample value: integers without a decimal point, infinity as +Inf."""
    if math.isinf(value):
        return "+Inf"
    return str(int(value)) if float(value).is_integer() else repr(value)


class Counter:
    """A monotonically increasing count per label set."""

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name, self.help, self.labels = name, help_text, tuple(labels)
        self.values: dict[Labels, float] = {}

    def inc(self, *values: str, amount: float = 1.0) -> None:
        """Add to the count of one label set."""
        key = tuple(str(v) for v in values)
        self.values[key] = self.values.get(key, 0.0) + amount

    def get(self, *values: str) -> float:
        """The count of one label set (0 when never counted)."""
        return self.values.get(tuple(values), 0.0)

    def render(self) -> Iterable[str]:
        """The metric's lines in text format."""
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        for key, value in sorted(self.values.items()):
            yield f"{self.name}{_label_text(self.labels, key)} {_number(value)}"


class Histogram:
    """Observations counted into cumulative buckets, with their sum and count."""

    def __init__(
        self, name: str, help_text: str, buckets: Sequence[float] = LATENCY_BUCKETS
    ) -> None:
        self.name, self.help = name, help_text
        self.buckets = tuple(sorted(buckets))
        self.counts = [0] * (len(self.buckets) + 1)  # the last slot is +Inf
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        """Count one observation."""
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value
        self.count += 1

    def render(self) -> Iterable[str]:
        """The metric's lines in text format; bucket counts are cumulative."""
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        running = 0
        for bound, count in zip((*self.buckets, math.inf), self.counts, strict=True):
            running += count
            yield f'{self.name}_bucket{{le="{_number(bound)}"}} {running}'
        yield f"{self.name}_sum {_number(self.sum)}"
        yield f"{self.name}_count {self.count}"


class Metrics:
    """Every metric the daemon keeps, and when each post arrived (for ingest-to-action latency)."""

    def __init__(self, remember: int = 10_000) -> None:
        self.posts = Counter("monitor_posts_total", "Posts stored, by platform.", ["platform"])
        self.findings = Counter("monitor_findings_total", "Findings flagged, by kind.", ["kind"])
        self.actions = Counter(
            "monitor_actions_total", "Actions by kind and result.", ["kind", "result"]
        )
        self.errors = Counter(
            "monitor_platform_errors_total",
            "Platform and connector errors, by platform and code.",
            ["platform", "code"],
        )
        self.restarts = Counter(
            "monitor_connector_restarts_total", "Connector restarts after a crash.", ["connector"]
        )
        self.store_errors = Counter(
            "monitor_store_errors_total", "Database writes retried (locked, full disk).", ["error"]
        )
        self.latency = Histogram(
            "monitor_ingest_to_action_seconds",
            "Seconds from a post's arrival to the platform's answer to an action on it.",
        )
        self.leases = Counter(
            "monitor_stream_leases_total",
            "Stream leases taken, lost (fenced) and given back, by replica and stream.",
            ["replica", "stream", "event"],
        )
        self.replica = ""  # this replica's id when several share one Postgres
        self._arrived: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._remember = remember  # posts whose arrival time is kept; older ones are forgotten

    def arrived(self, platform: str, post_id: str) -> None:
        """Note when a post came in."""
        self._arrived[(platform, post_id)] = time.monotonic()
        while len(self._arrived) > self._remember:
            self._arrived.popitem(last=False)

    def acted(self, platform: str, post_id: str) -> None:
        """Observe the latency of an action on a post that arrived in this run."""
        start = self._arrived.get((platform, post_id))
        if start is not None:
            self.latency.observe(time.monotonic() - start)

    def render(self) -> str:
        """Every metric in Prometheus text format (version 0.0.4)."""
        metrics: tuple[Counter | Histogram, ...] = (
            self.posts,
            self.findings,
            self.actions,
            self.errors,
            self.restarts,
            self.store_errors,
            self.latency,
        )
        if self.replica:  # which replica these numbers are from, and its leases
            info = f'monitor_replica_info{{replica="{_escape(self.replica)}"}} 1'
            metrics = (*metrics, self.leases)
            return ("\n".join(line for m in metrics for line in m.render())
                    + f"\n# HELP monitor_replica_info This replica.\n"
                    f"# TYPE monitor_replica_info gauge\n{info}\n")
        return "\n".join(line for m in metrics for line in m.render()) + "\n"


def error_code(exc: BaseException) -> str:
    """The platform's code behind an exception (HTTP status or API code), else the exception's
    type."""
    for attr in ("status", "status_code", "code", "error_code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    response = getattr(exc, "response", None)
    status = getattr(response, "status", None) or getattr(response, "status_code", None)
    if isinstance(status, int):
        return str(status)
    found = _CODE_IN_TEXT.search(str(exc)[:200])
    return found.group(1) if found else type(exc).__name__
