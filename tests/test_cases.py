"""Takedown cases: opened by a confirmed impersonation through the real pipeline and store, one per
host or account; transitions with who and when; the abuse report; the report and the serve page."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from flagged_items import add, finding
from serving import TOKEN
from test_commands import _call, _desk

from monitor.core.config import Settings
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.desk import abuse, cases, report, review, serve
from monitor.desk import command_handlers as commands
from monitor.store import Store

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
HOST = "okx-verify-login.com"
PHISHING = (f"Hi, OKX support here. To unlock your account send your recovery phrase {SEED} "
            f"and verify at https://{HOST}/secure or message t.me/okx_helpdesk_team")
SECOND = f"OKX support: claim your refund at https://{HOST}/refund before it expires"
OTHER_HOST = "okx-airdrop-claim.xyz"


def _post(post_id: str, text: str, minute: int, platform: str = "telegram") -> Post:
    """A reply by a look-alike support account in someone's thread."""
    author = Author(platform, "u-imp", "okx_support_desk", "OKX Support")
    return Post(platform=platform, id=post_id, channel="group", author=author, text=text,
                created_at=datetime(2026, 12, 1, 10, minute, tzinfo=UTC), reply_to="100")


def _ingest(store: Store, settings: Settings, *posts: Post) -> dict[str, dict[str, int]]:
    """Run posts through the real pipeline into the store; finding ids by post id and kind."""
    pipeline = Pipeline.from_settings(settings, store.salt())
    for result in pipeline.process_many(posts):
        store.record(result.post, result.findings, result.actions,
                     ["held"] * len(result.actions), result.lang)
    return {p.id: {f["kind"]: f["id"] for f in store.post_findings(p.platform, p.id)}
            for p in posts}


def _confirm(store: Store, settings: Settings, finding_id: int, who: str = "alice") -> list[str]:
    return review.decide(store, finding_id, "confirm", who, brand=settings.brand)["cases"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "m.db")


def test_a_confirmed_phishing_reply_opens_one_case_per_host_and_account(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    assert set(ids["1"]) == {"secret_leak", "impersonation"}
    said = _confirm(store, settings, ids["1"]["impersonation"])
    assert said == ["takedown case #1 opened for host okx-verify-login[.]com",
                    "takedown case #2 opened for account telegram:@okx_helpdesk_team"]
    host, account = cases.cases(store, "all")
    assert (host["kind"], host["subject"], host["status"]) == ("host", HOST, "open")
    assert (account["kind"], account["subject"]) == ("account", "telegram:@okx_helpdesk_team")
    assert host["first_seen"] == "2026-12-01T10:01:00+00:00" and host["opened_by"] == "alice"
    assert [a["action"] for a in store.db["audit"].rows_where("action LIKE 'case:%'")] == [
        "case:open", "case:open"]


def test_a_second_post_naming_the_host_joins_its_case(store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", SECOND, 5), _post("2", PHISHING, 1))
    _confirm(store, settings, ids["1"]["impersonation"])
    said = _confirm(store, settings, ids["2"]["impersonation"], "bob")
    assert said[0] == "post added to takedown case #1 for host okx-verify-login[.]com"
    case = cases.show(store, 1)
    assert [p["post_id"] for p in case["post_rows"]] == ["2", "1"]  # earliest first
    assert case["first_seen"] == "2026-12-01T10:01:00+00:00"  # moved back to the earlier post
    assert len(cases.cases(store, "all")) == 2  # the host once, and the account
    again = _confirm(store, settings, ids["2"]["impersonation"])
    assert again[0] == "takedown case #1 for host okx-verify-login[.]com already holds this post"


def test_leaks_support_requests_dismissals_and_own_domains_open_nothing(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    assert _confirm(store, settings, ids["1"]["secret_leak"]) == []
    review.decide(store, ids["1"]["impersonation"], "dismiss", "alice", brand=settings.brand)
    support = add(store, "s1", [finding("support_request", "withdrawal")], [],
                  f"my withdrawal is stuck, see https://{OTHER_HOST}")
    assert _confirm(store, settings, support[0]) == []
    own = add(store, "o1", [finding("impersonation", "handle")], [],
              "go to https://www.okx.com/help or t.me/okx or write to help@gmail.com")
    assert _confirm(store, settings, own[0]) == []
    assert review.decide(store, ids["1"]["impersonation"], "confirm", "alice")["cases"] == []
    assert cases.cases(store, "all") == []


def test_resolving_an_impersonation_upholds_it_too(store: Store, settings: Settings) -> None:
    ids = add(store, "r1", [finding("impersonation", "content")], [], f"claim at {OTHER_HOST}")
    row = review.decide(store, ids[0], "resolve", "carol", brand=settings.brand)
    assert row["cases"] == ["takedown case #1 opened for host okx-airdrop-claim[.]xyz"]


def test_transitions_record_who_and_when_and_refuse_illegal_moves(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    _confirm(store, settings, ids["1"]["impersonation"])
    with pytest.raises(cases.CaseError, match="case #1 is open: it can move to reported or down"):
        cases.update(store, 1, "rejected", "alice")
    reported = cases.update(store, 1, "reported", "alice", "ticket NIC-42")
    assert reported["status"] == "reported" and reported["reported_at"]
    assert reported["note"] == "ticket NIC-42" and reported["closed_at"] is None
    down = cases.update(store, 1, "down", "bob")
    assert down["status"] == "down" and down["closed_at"] >= down["reported_at"]
    with pytest.raises(cases.CaseError, match="it can move to nothing"):
        cases.update(store, 1, "reported", "alice")
    with pytest.raises(cases.CaseError, match="no takedown case with id 99"):
        cases.update(store, 99, "down", "alice")
    with pytest.raises(cases.CaseError, match="unknown case status"):
        cases.update(store, 2, "gone", "alice")
    with pytest.raises(cases.CaseError, match="name"):
        cases.update(store, 2, "reported", "  ")
    rejected = cases.update(store, 2, "reported", "alice")
    assert cases.update(store, 2, "rejected", "alice")["status"] == "rejected"
    assert cases.update(store, 2, "reported", "carol")["closed_at"] is None  # sent again
    moves = store.db["audit"].rows_where("action LIKE 'case:%' AND action != 'case:open'")
    audit = [(r["who"], r["action"], json.loads(r["detail"])) for r in moves]
    assert audit[:2] == [("alice", "case:reported", {"case_id": 1, "from": "open",
                                                     "note": "ticket NIC-42"}),
                         ("bob", "case:down", {"case_id": 1, "from": "reported", "note": ""})]
    assert [a[1] for a in audit[2:]] == ["case:reported", "case:rejected", "case:reported"]
    assert rejected["status"] == "reported"


def test_the_abuse_report_defangs_the_host_and_holds_no_secret(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1), _post("2", SECOND, 7))
    for post_id in ("1", "2"):
        _confirm(store, settings, ids[post_id]["impersonation"])
    text = abuse.abuse_report(cases.show(store, 1), settings.brand)
    assert text.startswith("Subject: phishing site impersonating OKX: okx-verify-login[.]com\n")
    assert "official domains are okx.com, okex.com" in text
    assert "First seen: 2026-12-01 10:01 UTC (our case #1, 2 posts)." in text
    assert "https://okx-verify-login[.]com/secure" in text and "[seed phrase removed" in text
    assert HOST not in text and "Please suspend okx-verify-login[.]com" in text
    assert not any(word in text for word in ("abandon", "absorb", "abstract", "absurd", "accident"))
    stored = " ".join(str(v) for table in ("posts", "findings", "cases", "case_posts", "audit")
                      for row in store.db[table].rows for v in row.values())
    assert "absorb abstract" not in stored
    account = abuse.abuse_report(cases.show(store, 2), settings.brand)
    assert "The account @okx_helpdesk_team on telegram impersonates OKX" in account
    detail = "\n".join(abuse.format_detail(cases.show(store, 1), settings.brand))
    assert "case 1: host okx-verify-login[.]com, open" in detail and HOST not in detail


def test_age_and_time_to_takedown(store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    _confirm(store, settings, ids["1"]["impersonation"])
    case = cases.show(store, 1)
    later = datetime(2026, 12, 4, 13, 31, tzinfo=UTC)
    assert cases.format_span(cases.age(case, later)) == "3d 3h"
    assert cases.format_span(timedelta(minutes=75)) == "1h 15m"
    assert cases.time_to_takedown(store) is None
    for case_id, closed in ((1, "2026-12-02T10:01:00+00:00"), (2, "2026-12-01T16:01:00+00:00")):
        cases.update(store, case_id, "down", "alice")
        store.db["cases"].update(case_id, {"closed_at": closed})
    assert cases.time_to_takedown(store) == timedelta(hours=15)  # median of 24 h and 6 h


def test_the_report_shows_open_cases_and_time_to_takedown(store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    _confirm(store, settings, ids["1"]["impersonation"])
    cases.update(store, 2, "down", "alice")
    md = report.render(store, "md")
    assert "- **takedown cases**: 1 open, time to takedown (median) " in md
    assert "- #1 host okx-verify-login[.]com: open, age " in md.replace("\\", "")
    page = report.render(store, "html")
    assert "Takedown cases (1 open)" in page and "okx-verify-login[.]com" in page
    assert "<span>time to takedown</span>" in page
    doc = json.loads(report.render(store, "json"))
    assert [c["subject"] for c in doc["open_cases"]] == ["okx-verify-login[.]com"]
    assert doc["open_cases"][0]["age_seconds"] > 0 and doc["time_to_takedown"]


def test_the_serve_page_lists_open_cases_and_a_confirmation_opens_them(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    async def run() -> None:
        app = serve.make_app(store, TOKEN, "web", brand=settings.brand)
        async with TestClient(TestServer(app)) as client:
            answer = await client.post(f"/api/findings/{ids['1']['impersonation']}/confirm",
                                       headers=bearer, json={"who": "dana"})
            assert answer.status == 200
            message = (await answer.json())["message"]
            assert "takedown case #1 opened for host okx-verify-login[.]com" in message
            listed = await (await client.get("/api/cases", headers=bearer)).json()
            assert [(c["id"], c["subject"], c["status"]) for c in listed] == [
                (1, "okx-verify-login[.]com", "open"), (2, "telegram:@okx_helpdesk_team", "open")]
            assert all(c["age_seconds"] > 0 for c in listed)
            page = await (await client.get("/", headers=bearer)).text()
            assert "Takedown cases (2 open)" in page
            assert (await client.get("/api/cases")).status == 401

    asyncio.run(run())


def test_a_report_without_a_bot_api_opens_a_case_and_says_so(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", PHISHING, 1))
    assert ids["1"]
    line = cases.report_unsupported(store, "telegram", "OKX_Support_Desk", ("telegram", "1"), "bot")
    assert line == ("no report API for bots on telegram: takedown case #1 opened for account "
                    "telegram:@okx_support_desk")
    again = cases.report_unsupported(store, "telegram", "@okx_support_desk", ("telegram", "1"),
                                     "bot")
    assert again.endswith("takedown case #1 for account telegram:@okx_support_desk already holds "
                          "this post")


def test_resolving_on_telegram_opens_the_cases_and_says_so(
        store: Store, settings: Settings) -> None:
    ids = _ingest(store, settings, _post("1", SECOND, 5))
    call = _call("resolve", str(ids["1"]["impersonation"]))
    reply = commands.handle(_desk(settings, store), call)
    assert reply.text.splitlines()[1:] == [
        "takedown case #1 opened for host okx-verify-login[.]com"]
    assert reply.text.startswith(f"Flag #{ids['1']['impersonation']} is now resolved")
