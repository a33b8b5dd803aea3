"""Dismissed look-alike links into the allow list: a reviewer's 'this host is legitimate' sticks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from monitor.classify import BrandRegistry, hosts, lookalike_hosts, on_list
from monitor.core.config import Settings, own_list
from monitor.core.hostlists import ListError, ListFile, add_domains, clean_domain
from monitor.core.hostlists import load as load_list
from monitor.core.models import Brand
from monitor.desk import review
from monitor.store import Store


@dataclass(slots=True)
class Allowed:
    """What allowing the links of some findings did."""

    added: list[str] = field(default_factory=list)  # hosts now on the allow list
    phishing: list[str] = field(default_factory=list)  # left out: the phishing list names them
    without_links: list[int] = field(default_factory=list)  # findings with no look-alike link
    # new impersonation findings linking to an added host
    others: list[int] = field(default_factory=list)
    total: int = 0  # hosts on the allow list afterwards


@dataclass(frozen=True, slots=True)
class AllowTarget:
    """Where dismissed look-alike links go: the brand they imitate, the phishing
    list that wins, the allow list."""

    brand: Brand
    phishing: ListFile
    allow_list: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> AllowTarget:
        """The target for these settings; ConfigError when they name no allow
        list of the operator's own."""
        return cls(settings.brand, ListFile(settings.phishing_list),
                   own_list(settings, "allow_list"))


def allow_links(store: Store, finding_ids: Sequence[int], target: AllowTarget) -> Allowed:
    """Add the hosts that made these impersonation findings' posts look-alike links to the allow
    list; a list that cannot be read or written is a ReviewError naming it."""
    reg = BrandRegistry.from_brand(target.brand)
    try:
        allowed, phishing = load_list(target.allow_list), target.phishing.domains()
    except ListError as exc:  # names the file and the bad line
        raise review.ReviewError(str(exc)) from None
    result = Allowed()
    linked: dict[str, None] = {}  # in order of first mention, once each
    for finding_id in finding_ids:
        row = review.show(store, finding_id)
        # Only an impersonation finding is a judgement on its links;
        # a dismissed leak says nothing of them.
        found = (lookalike_hosts(row["text"] or "", reg, allowed)
                 if row["kind"] == "impersonation" else [])
        linked.update(dict.fromkeys(found))
        if not found:
            result.without_links.append(finding_id)
    for host in linked:
        domain = clean_domain(host)
        if domain is None:
            continue  # hosts() only yields host names and addresses, so this is a guard, not a path
        # The phishing list wins over the allow list,
        # so allowing a listed host would change nothing.
        (result.phishing if on_list(domain, phishing) else result.added).append(domain)
    try:
        result.total = (add_domains(result.added, target.allow_list, "allowed") if result.added
                        else len(allowed))
    except OSError as exc:
        # a missing folder or no write permission: name the list, not a traceback
        raise review.ReviewError(
            f"{target.allow_list}: cannot write the allow list ({exc.strerror})") from None
    result.others = _others_linking(store, set(result.added), set(finding_ids))
    return result


def _others_linking(store: Store, added: set[str], done: set[int]) -> list[int]:
    """New impersonation findings whose posts link to a host just allowed: the
    reviewer decides them, not this."""
    if not added:
        return []
    rows, listed = store.flagged(statuses=("new",)), frozenset(added)
    return sorted(r["id"] for r in rows if r["kind"] == "impersonation" and r["id"] not in done
                  and any(on_list(h, listed) for h in hosts(r["text"] or "")))
