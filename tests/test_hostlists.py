"""The operator's host lists: merge, clean, reject bad lines by number, and re-read when they
change (the running daemon hands the detector the new lists)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest

from monitor.classify import ImpersonationDetector, SecretDetector
from monitor.classify.impersonation.wordlists import DATA_DIR
from monitor.core.config import Settings
from monitor.core.hostlists import (
    HostLists,
    ListError,
    ListFile,
    clean_domain,
    load,
    update_list,
)
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.replies.templates import Templates
from monitor.runtime import daemon
from monitor.runtime.listwatch import ListWatch
from monitor.store import Store


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("bad-example.invalid", "bad-example.invalid"),
        ("HTTPS://www.Bad-Example.invalid/login?x=1", "bad-example.invalid"),
        ("0.0.0.0 bad-example.invalid", "bad-example.invalid"),
        # a wildcard: entries cover subdomains anyway
        ("*.bad-example.invalid", "bad-example.invalid"),
        ("http://94.100.18.96/login", "94.100.18.96"),  # public lists name servers by address too
        ("captcha-lookup.example?path=verification", "captcha-lookup.example"),
        ("https://user%40x@zk-bridge.example:8443/claim", "zk-bridge.example"),
        ("999.1.1.1", None),
        ("оkх.com", "оkх.com".encode("idna").decode()),  # Unicode domains are kept as xn-- forms
        ("not a domain!", None),
        ("localhost", None),
    ],
)
def test_clean_domain(raw: str, expected: str | None) -> None:
    assert clean_domain(raw) == expected


def test_update_merges_and_counts(tmp_path: Path) -> None:
    dest = tmp_path / "phishing.txt"
    dest.write_text("# my list\nold-example.invalid\n")
    src = tmp_path / "new.txt"
    src.write_text("# new ones\nnew-example.invalid\nOLD-example.invalid\n\n")
    assert update_list(src, dest) == 2
    assert dest.read_text() == "# my list\nnew-example.invalid\nold-example.invalid\n"
    assert load(dest) == {"new-example.invalid", "old-example.invalid"}


def test_bad_line_is_named_and_nothing_changes(tmp_path: Path) -> None:
    dest = tmp_path / "phishing.txt"
    dest.write_text("old-example.invalid\n")
    src = tmp_path / "new.txt"
    src.write_text("good-example.invalid\nthis is not ok\n")
    with pytest.raises(ListError, match=r"new.txt:2: not a domain: 'this is not ok'"):
        update_list(src, dest)
    assert dest.read_text() == "old-example.invalid\n"


def test_missing_list_is_empty(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.txt") == frozenset()


def test_shipped_example_list_is_valid_and_made_up() -> None:
    domains = load(DATA_DIR / "phishing_example.txt")
    assert domains and all(d.endswith((".invalid", ".test")) for d in domains)


def _flagged(detector: ImpersonationDetector, text: str) -> bool:
    post = Post("telegram", "1", Author("telegram", "9", "amy"), text)
    return any(f.score >= 0.5 for f in detector.check(post))


def _watched(
    settings: Settings, lists: HostLists
) -> tuple[ImpersonationDetector, Pipeline, ListWatch]:
    """A detector in a pipeline built with these lists, and the daemon's watch over their files
    (looking at every batch rather than at most once a second)."""
    detector = ImpersonationDetector(settings.brand, lists.phishing, lists.allowed)
    templates = Templates.load(settings.brand)
    pipeline = Pipeline(SecretDetector(b"salt" * 8), [detector], templates, {}, lists)
    return detector, pipeline, ListWatch(every=0)


def test_a_running_detector_sees_list_changes_and_keeps_the_last_good_list(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    allowed = tmp_path / "allowed.txt"
    detector, pipeline, watch = _watched(settings, HostLists.read(None, allowed))
    text = "fee table on https://okx-fans.example/fees"
    watch.refresh(pipeline)  # as the daemon does before each batch
    assert _flagged(detector, text)  # no file yet: nothing allowed
    allowed.write_text("okx-fans.example\n", encoding="utf-8")
    watch.refresh(pipeline)
    assert not _flagged(detector, text)
    allowed.write_text("okx-fans.example\nthis is not ok\n", encoding="utf-8")  # a bad edit
    with caplog.at_level(logging.ERROR):
        watch.refresh(pipeline)
        assert not _flagged(detector, text)  # the last good list stays
    assert "allowed.txt: not reloaded, the previous 1 domains stay" in caplog.text
    allowed.write_text("other.example\n", encoding="utf-8")
    watch.refresh(pipeline)
    assert _flagged(detector, text)


def test_the_watch_rereads_a_list_edited_since_the_pipeline_read_it(
    tmp_path: Path, settings: Settings
) -> None:
    phishing = tmp_path / "phishing.txt"
    phishing.write_text("old-example.invalid\n", encoding="utf-8")
    detector, pipeline, watch = _watched(settings, HostLists.read(phishing, None))
    text = "log in at https://quick-portal.example/get"
    assert not _flagged(detector, text)
    phishing.write_text("quick-portal.example\n", encoding="utf-8")  # before the first batch
    watch.refresh(pipeline)
    assert _flagged(detector, text)
    assert pipeline.lists.phishing == {"quick-portal.example"}
    assert pipeline.lists.phishing_path == phishing
    # A config reload builds a new pipeline, which read its files itself: the watch follows it.
    detector, reloaded, _ = _watched(settings, HostLists.read(phishing, None))
    watch.refresh(reloaded)
    phishing.write_text("# none\n", encoding="utf-8")
    watch.refresh(reloaded)
    assert not _flagged(detector, text)


def test_a_bad_list_at_start_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "phishing.txt"
    bad.write_text("this is not ok\n", encoding="utf-8")
    with pytest.raises(ListError, match="phishing.txt:1"):
        ListFile(bad)


def test_the_daemon_hands_a_changed_list_to_the_next_batch(
    tmp_path: Path, settings: Settings
) -> None:
    phishing = tmp_path / "phishing.txt"
    settings = dataclasses.replace(settings, phishing_list=phishing)
    store = Store(":memory:")
    ingest = daemon.Ingest(Pipeline.from_settings(settings, b"salt" * 8), store, {}, dry_run=True)
    ingest.lists.every = 0  # looked at every batch, not at most once a second
    author = Author("telegram", "9", "mallory")

    async def scenario() -> None:
        await ingest(Post("telegram", "1", author, "log in at https://quick-portal.example/get"))
        phishing.write_text("quick-portal.example\n", encoding="utf-8")  # `monitor lists add`
        await ingest(Post("telegram", "2", author, "log in at https://quick-portal.example/get"))

    asyncio.run(scenario())
    flagged = [r["post_id"] for r in store.db["findings"].rows_where("kind = 'impersonation'")]
    assert flagged == ["2"]
