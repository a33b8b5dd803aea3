"""A flagged item's time is its post's own: --since, sorting, chart and exports after a replay of
old posts, with the flag time kept beside it and used only where a platform gave no time."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from flagged_items import add, finding
from serving import TOKEN

from monitor.cli.entry import main
from monitor.cli.running import DEMO_STREAM
from monitor.core.models import Author, Post
from monitor.desk import report, serve
from monitor.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)
OLD = NOW - timedelta(days=14)  # a replay of posts two weeks old: flagged today all the same
RECENT = NOW - timedelta(hours=3)
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _replay(tmp_path: Path) -> tuple[Path, dict[str, str | None]]:
    """Six support requests from the demo stream: two posted two weeks ago, two three hours ago,
    two with no time at all (a platform that gave none); returns the file and each post's time."""
    picked = [json.loads(line) for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines()]
    picked = [p for p in picked
              if [e["kind"] for e in p.get("expected", [])] == ["support_request"]]
    times: dict[str, str | None] = {}
    for post, when in zip(picked, (OLD, OLD, RECENT, RECENT, None, None), strict=False):
        post["created_at"] = _iso(when) if when else None
        post["reply_to"] = None
        times[post["id"]] = when.isoformat() if when else None
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in picked[:6]), encoding="utf-8")
    return path, times


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    """The replay run through the real pipeline (dry run) into a database."""
    tmp_path = tmp_path_factory.mktemp("times")
    replay, times = _replay(tmp_path)
    db = tmp_path / "m.db"
    assert main(["run", "--replay", str(replay), "--db", str(db), "--dry-run"]) == 0
    store = Store(db)
    assert {r["post_id"] for r in store.flagged()} == set(times)  # every post was flagged
    store.close()
    return db, times


def _report(db: Path, tmp_path: Path, fmt: str, *args: str) -> str:
    out = tmp_path / f"r.{fmt}"
    assert main(["report", "--db", str(db), "--format", fmt, "--output", str(out), *args]) == 0
    return out.read_text(encoding="utf-8")


def test_since_keeps_only_recent_posts_of_a_replay(replayed: tuple[Path, dict[str, str | None]],
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db, times = replayed
    recent = {pid for pid, when in times.items() if when is None or when >= RECENT.isoformat()}
    old = set(times) - recent
    assert len(old) == 2 and len(recent) == 4  # the two without a time count from their flag
    items = json.loads(_report(db, tmp_path, "json", "--since", "2d"))["items"]
    assert sorted((i["posted_at"] for i in items), key=str) == sorted(
        (times[p] for p in recent), key=str)  # the two posted three hours ago, the two untimed
    assert main(["review", "list", "--db", str(db), "--since", "2d", "--limit", "0"]) == 0
    listed = capsys.readouterr().out
    assert not any(f" {OLD:%Y-%m-%d %H:%M} " in line for line in listed.splitlines())
    assert sum(f" {RECENT:%Y-%m-%d %H:%M} " in line for line in listed.splitlines()) == 2
    everything = json.loads(_report(db, tmp_path, "json"))["items"]
    assert len(everything) == 6


def test_serve_query_filters_by_the_posts_time(
        replayed: tuple[Path, dict[str, str | None]]) -> None:
    db, _ = replayed
    store = Store(db)

    async def run() -> list[dict[str, object]]:
        async with TestClient(TestServer(serve.make_app(store, TOKEN, "web"))) as client:
            answer = await client.get("/api/items?since=2d", headers=BEARER)
            assert answer.status == 200
            return list(await answer.json())

    items = asyncio.run(run())
    store.close()
    assert len(items) == 4 and OLD.isoformat() not in {i["posted_at"] for i in items}


def test_json_and_csv_carry_the_posts_time_and_the_flag_time(
        replayed: tuple[Path, dict[str, str | None]], tmp_path: Path) -> None:
    db, times = replayed
    items = json.loads(_report(db, tmp_path, "json"))["items"]
    rows = list(csv.DictReader(io.StringIO(_report(db, tmp_path, "csv"))))
    assert [r["id"] for r in rows] == [str(i["id"]) for i in items]
    for item, row in zip(items, rows, strict=True):
        flagged = datetime.fromisoformat(item["flagged_at"])
        assert abs(flagged - NOW) < timedelta(minutes=10)  # by this run, however old the post
        assert item["created_at"] == item["flagged_at"] == row["flagged_at"] == row["created_at"]
        assert row["posted_at"] == (item["posted_at"] or "")
    assert sorted((i["posted_at"] for i in items), key=str) == sorted(times.values(), key=str)
    # Newest post first; the items without a post time sit at their flag time (now), on top.
    posted = [i["posted_at"] or i["flagged_at"] for i in items]
    assert posted == sorted(posted, reverse=True)


def test_the_chart_counts_flags_on_the_day_they_were_posted(
        replayed: tuple[Path, dict[str, str | None]]) -> None:
    db, _ = replayed
    store = Store(db)
    rep = report.build(store)
    store.close()
    days = {day: sum(c.values()) for day, c in rep.timeline if c}
    assert days[OLD.date().isoformat()] == 2
    assert sum(days.values()) == 6 and len(rep.timeline) >= 14  # one bar per day, not one in all


def test_a_post_time_with_an_offset_is_stored_in_utc(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    east = datetime(2026, 11, 21, 15, 30, tzinfo=timezone(timedelta(hours=8)))
    post = Post(platform="telegram", id="9", author=Author("telegram", "1", "amy"), text="hi",
                created_at=east)
    store.add_post(post)
    assert store.post("telegram", "9")["created_at"] == "2026-11-21T07:30:00+00:00"  # type: ignore[index]
    add(store, "10", [finding("support_request", "login")], [], posted=datetime(2026, 11, 21, 9, 0))
    [row] = store.flagged(since="2026-11-21T08:00:00+00:00")  # a naive time is read as UTC
    assert row["posted_at"] == "2026-11-21T09:00:00+00:00"
    assert store.flagged(since="2026-11-21T10:00:00+00:00") == []
