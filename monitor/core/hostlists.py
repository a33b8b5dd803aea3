"""The operator's host list files (phishing, allowed look-alikes): read, merged from public lists,
edited, and watched for changes.

They live in core, not in classify: classify is a library that takes the lists as plain frozensets
(the impersonation detector, `verify`), while the files are read here for the pipeline's detectors
(`core.pipeline.build_detectors`), watched by the running daemon (`runtime.listwatch`) and edited
by the CLI (`monitor lists`) and the desk (review dismissals, /block, /allow).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("monitor.lists")

_DOMAIN = re.compile(
    r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,126}"
    r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
)
_IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")
_JSON_KEYS = {"phishing": ("blacklist", "deny"), "allowed": ("whitelist",)}
# Names a hosts file maps to the machine itself; its first lines, not phishing domains.
_LOCAL = frozenset({
    "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost",
    "ip6-loopback", "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
})
HEADERS = {
    "phishing": "# Phishing domains, one a line; update with `monitor lists update FILE`.",
    "allowed": "# Look-alike hosts checked and found legitimate, one a line; "
               "update with `monitor lists allow FILE`.",
}


class ListError(ValueError):
    """A bad line in a list file, worded to name the file and the line."""


class NotADomain(ListError):
    """An entry that is neither a domain nor an IPv4 address (a typo, or garbage in a public
    list)."""


def clean_domain(raw: str) -> str | None:
    """A list entry as a bare lower-case host or IPv4 address: scheme, user, port, path, query,
    'www.', a '*.' wildcard (an entry covers its subdomains anyway) and the hosts-file IP
    removed."""
    entry = raw.strip().casefold().split()[-1]  # hosts-file lines: '0.0.0.0 bad.example'
    entry = re.split(r"[/?#]", re.sub(r"^[a-z]{2,10}://", "", entry), maxsplit=1)[0]
    # user@ and :port are not the host
    entry = re.sub(r":\d{1,5}$", "", entry.rsplit("@", 1)[-1]).rstrip(".")
    entry = entry.removeprefix("*.").removeprefix("www.")
    if _IPV4.fullmatch(entry):  # public lists name phishing servers by address too
        return entry if all(int(part) < 256 for part in entry.split(".")) else None
    try:
        entry = entry.encode("idna").decode("ascii")  # Unicode domains are kept as xn-- forms
    except UnicodeError:
        return None
    return entry if _DOMAIN.fullmatch(entry) else None


def parse(path: Path, skipped: list[str] | None = None) -> list[str]:
    """Every domain in a list file; the first bad line raises ListError naming it (or, given
    `skipped`, goes there)."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if entry and not (len(entry.split()) > 1 and entry.split()[-1].casefold() in _LOCAL):
            entries.append((f"{path}:{number}", entry))
    return _domains(entries, skipped)


def _domains(entries: Sequence[tuple[str, object]], skipped: list[str] | None) -> list[str]:
    """Each (where, entry) as a domain; one that is not raises ListError naming where, or with
    `skipped`, is listed there."""
    domains = []
    for where, entry in entries:
        if isinstance(entry, str) and (domain := clean_domain(entry)) is not None:
            domains.append(domain)
        elif skipped is None:
            raise NotADomain(f"{where}: not a domain: {entry!r}")
        else:
            skipped.append(f"{where}: {entry!r}")
    return domains


def load(path: Path | None) -> frozenset[str]:
    """The domains in a list file; empty when no list is configured or the file does not exist
    yet."""
    return frozenset(parse(path)) if path and path.exists() else frozenset()


@dataclass(frozen=True, slots=True)
class HostLists:
    """The phishing and allow lists as read, and the files they were read from (None: no list
    configured), so that a running daemon can watch those files."""

    phishing_path: Path | None = None
    allowed_path: Path | None = None
    phishing: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()

    @classmethod
    def read(cls, phishing_path: Path | None, allowed_path: Path | None) -> HostLists:
        """Both lists as their files are now; a bad line is a ListError naming it."""
        return cls(phishing_path, allowed_path, load(phishing_path), load(allowed_path))


class ListFile:
    """A list file as a running process sees it: re-read when it changes, so `monitor lists` and
    review decisions take effect without a restart (its stamp is looked at most once every `every`
    s).

    Given `domains` (what someone else read from it a moment ago, as the pipeline's detectors were
    built), they are taken as the last good list and the file is re-read at the first look: an edit
    in between is not missed.
    """

    def __init__(
        self, path: Path | None, every: float = 1.0, domains: frozenset[str] | None = None
    ) -> None:
        self.path, self._every = path, every
        if domains is None:
            self._stamp = self._stat()
            self._domains = load(path)  # a bad file at start is an error the operator sees at once
        else:
            self._stamp, self._domains = None, domains
        self._checked = time.monotonic()

    def domains(self) -> frozenset[str]:
        """The domains in the file as it is now; the last good ones while a bad edit is in place
        (the same object until the file changes)."""
        if self.path is None or time.monotonic() - self._checked < self._every:
            return self._domains
        self._checked = time.monotonic()
        if (stamp := self._stat()) != self._stamp:
            self._stamp = stamp
            try:
                self._domains = load(self.path)
                log.info("%s: reloaded, %d domains", self.path, len(self._domains))
            except (ListError, OSError, UnicodeDecodeError) as exc:
                log.error("%s: not reloaded, the previous %d domains stay: %s",
                          self.path, len(self._domains), exc)
        return self._domains

    def _stat(self) -> tuple[int, int] | None:
        """The file's modification time and size; None when there is no file."""
        try:
            info = self.path.stat() if self.path else None
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size) if info else None


def update_list(
    src: Path, dest: Path, kind: str = "phishing", skipped: list[str] | None = None
) -> int:
    """Merge src's domains into dest (sorted, de-duplicated) and return how many dest now holds.

    src is checked in full before dest is touched, so a bad line never half-updates the list; given
    `skipped`, entries that are not domains (garbage in third-party lists) are listed there instead.
    """
    return add_domains(read_source(src, kind, skipped), dest, kind)


def read_source(src: Path, kind: str, skipped: list[str] | None = None) -> list[str]:
    """The domains of a list to merge: plain or hosts-file lines, or a JSON list as MetaMask's
    eth-phishing-detect config ('blacklist', 'whitelist') and polkadot-js's all.json ('deny')
    publish them."""
    text = src.read_text(encoding="utf-8")
    if not text.lstrip().startswith(("{", "[")):
        return parse(src, skipped)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListError(f"{src}: not valid JSON: {exc}") from None
    keys = _JSON_KEYS[kind]
    # polkadot-js's 'allow' is left out on purpose: it spares hosting roots (duckdns.org) from its
    # deny list, and on an allow list here it would hide every look-alike hosted there.
    entries = data if isinstance(data, list) else [e for k in keys for e in data.get(k) or ()]
    if not entries:
        raise ListError(f"{src}: no {' or '.join(repr(k) for k in keys)} list in it")
    numbered = [(f"{src}: entry {number}", entry) for number, entry in enumerate(entries, 1)]
    return _domains(numbered, skipped)


def add_domains(domains: list[str], dest: Path, kind: str = "phishing") -> int:
    """Merge checked domains into dest (sorted, de-duplicated, replaced at once) and return how
    many it holds."""
    merged = set(domains) | set(load(dest))
    _write(dest, merged, kind)
    return len(merged)


def remove_domains(
    entries: list[str], dest: Path, kind: str = "phishing"
) -> tuple[list[str], list[str]]:
    """Take entries off dest (each cleaned as a list entry is): (removed, the ones it did not
    hold)."""
    held = set(load(dest))
    wanted = {raw: clean_domain(raw) for raw in entries}
    removed = sorted({d for d in wanted.values() if d in held})
    if removed:
        _write(dest, held - set(removed), kind)
    return removed, [raw for raw, d in wanted.items() if d not in held]


def _write(dest: Path, domains: set[str], kind: str) -> None:
    """The list file with its header and the domains sorted, replaced at once (a reader never sees
    half)."""
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    tmp.write_text("\n".join([*_header(dest, kind), *sorted(domains)]) + "\n", encoding="utf-8")
    tmp.replace(dest)


def _header(dest: Path, kind: str) -> list[str]:
    """The comment lines to keep at the top of the list: dest's own, or the default for its kind."""
    if not dest.exists():
        return [HEADERS[kind]]
    return [line for line in dest.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
