"""`monitor serve`: token sign-in, API auth and CSRF guard, decisions and approvals, safe
binding."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from flagged_items import add, finding, sample
from serving import TOKEN, start_server

from monitor.cli.entry import main
from monitor.core import config
from monitor.core.hostlists import ListFile, load
from monitor.desk import people, serve
from monitor.desk.allowing import AllowTarget
from monitor.store import Store

BEARER = {"Authorization": f"Bearer {TOKEN}"}
COOKIE_POST = {"X-Monitor-Request": "1"}


def _with_client(store: Store, test: Callable[[TestClient], Awaitable[None]]) -> None:
    """Run `test` against the app on a loopback port."""
    async def run() -> None:
        async with TestClient(TestServer(serve.make_app(store, TOKEN, "server-default"))) as client:
            await test(client)
    asyncio.run(run())


def _person(store: Store, name: str, role: str = "reviewer") -> dict[str, str]:
    """A user's personal token as a Bearer header: decisions now carry the caller's name."""
    token = people.add_user(store, name, role, "correct horse 42", "test")
    return {"Authorization": f"Bearer {token}"}


async def _sign_in(client: TestClient) -> None:
    response = await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303


def test_page_needs_the_token_and_sets_a_strict_cookie(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")

    async def test(client: TestClient) -> None:
        first = await client.get("/")
        assert first.status == 200 and "name=token" in await first.text()
        assert "report-data" not in await first.text()
        wrong = await client.post("/login", data={"token": "nope"}, allow_redirects=False)
        assert wrong.status == 403 and "Wrong token" in await wrong.text()
        right = await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
        cookie = right.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
        page = await client.get("/")
        text = await page.text()
        assert "<th>Decide</th>" in text and '"live":true' in text and "server-default" in text
        assert "connect-src 'self'" in page.headers["Content-Security-Policy"]
        assert (
            page.headers["X-Frame-Options"] == "DENY"
            and page.headers["Cache-Control"] == "no-store"
        )

    _with_client(store, test)


def test_api_needs_a_token_and_cookie_posts_need_the_custom_header(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    url = f"/api/findings/{ids['leak'][0]}/confirm"

    async def test(client: TestClient) -> None:
        assert (await client.get("/api/items")).status == 401
        assert (
            await client.get("/api/items", headers={"Authorization": "Bearer wrong"})
        ).status == 401
        items = await (await client.get("/api/items?status=new", headers=BEARER)).json()
        assert len(items) == 6 and "held" not in items[0]
        await _sign_in(client)
        forged = await client.post(url, json={"who": "x"})  # what a cross-site form could send
        assert forged.status == 403
        assert (await client.post(url, json={"who": "x"}, headers=COOKIE_POST)).status == 200
        assert (await client.get("/api/items?since=soon", headers=BEARER)).status == 400

    _with_client(store, test)
    assert [r["decision"] for r in store.db["reviews"].rows] == ["confirmed"]


def test_decisions_from_the_page_record_who_and_skip_held_actions(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    erin = _person(store, "erin")

    async def test(client: TestClient) -> None:
        answer = await client.post(f"/api/findings/{ids['imp'][0]}/dismiss", json={"who": "erin"},
                                   headers=erin)
        body = await answer.json()
        assert body["message"] == f"finding {ids['imp'][0]} false_positive by erin"
        assert body["rows"][0]["status"] == "false_positive" and body["rows"][0]["held"] == []
        default = await client.post(f"/api/findings/{ids['leak'][0]}/resolve", headers=BEARER)
        assert (await default.json())["rows"][0]["status"] == "resolved"
        bad = await client.post(f"/api/findings/{ids['leak'][0]}/delete", headers=BEARER)
        assert bad.status == 400 and "unknown decision" in (await bad.json())["error"]
        assert (await client.post("/api/findings/999/confirm", headers=BEARER)).status == 404

    _with_client(store, test)
    assert [(r["who"], r["decision"]) for r in store.db["reviews"].rows] == [
        ("erin", "false_positive"), ("server-default", "resolved")]
    assert {a["kind"]: a["status"] for a in store.post_actions("twitter", "1")} == {
        "reply": "skipped", "alert": "sent", "report": "skipped"}


def test_approving_a_held_reply_plans_it_once(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    [held] = [a for a in store.post_actions("reddit", "3") if a["status"] == "held"]
    fay = _person(store, "fay")

    async def test(client: TestClient) -> None:
        answer = await client.post(f"/api/actions/{held['id']}/approve", json={"who": "fay"},
                                   headers=fay)
        body = await answer.json()
        assert body["message"] == f"reply {held['id']} approved by fay: the daemon will send it"
        assert body["rows"][0]["actions"] == "reply:planned" and body["rows"][0]["held"] == []
        again = await client.post(f"/api/actions/{held['id']}/approve", headers=BEARER)
        assert again.status == 409 and "not held" in (await again.json())["error"]
        assert (await client.post("/api/actions/999/approve", headers=BEARER)).status == 404

    _with_client(store, test)
    audit = list(store.db["audit"].rows)[-1]
    assert (audit["who"], audit["action"], json.loads(audit["detail"])) == (
        "fay", "approve:reply", {"action_id": held["id"]})
    assert [a["post_id"] for a in store.actions("planned")] == ["3"]


def test_token_and_address_checks() -> None:
    with pytest.raises(serve.ServeError, match=r"refusing to start without a token: set \$T"):
        serve.check_token(None, "T")
    with pytest.raises(serve.ServeError, match="too short"):
        serve.check_token("short", "T")
    assert (
        serve.check_host("127.0.0.1", False) == "127.0.0.1"
        and serve.check_host("::1", False) == "::1"
    )
    assert serve.check_host("localhost", False) == "localhost"
    with pytest.raises(
        serve.ServeError, match="refusing to listen on 0.0.0.0: not a loopback address"
    ):
        serve.check_host("0.0.0.0", False)
    assert serve.check_host("0.0.0.0", True) == "0.0.0.0"


def test_cli_serve_refuses_without_token_or_on_a_public_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "m.db")[0].close()
    monkeypatch.delenv("MONITOR_SERVE_TOKEN", raising=False)
    assert main(["serve", "--db", str(tmp_path / "m.db")]) == 2
    monkeypatch.setenv("MONITOR_SERVE_TOKEN", TOKEN)
    assert main(["serve", "--db", str(tmp_path / "m.db"), "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(
        "monitor: error: refusing to start without a token: set $MONITOR_SERVE_TOKEN"
    )
    assert err[1].startswith("monitor: error: refusing to listen on 0.0.0.0")


def test_cli_serve_binds_loopback_and_stops_on_sigterm(store_db: str) -> None:
    sample(store_db)[0].close()
    proc, url = start_server(store_db, {"MONITOR_SERVE_TOKEN": TOKEN}, "--who", "gus")
    try:
        assert url.startswith("http://127.0.0.1:")
        items = asyncio.run(_get_json(url + "api/items", BEARER))
        assert len(items) == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


async def _get_json(url: str, headers: dict[str, str]) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        assert response.status == 200
        return await response.json()


def test_dismissing_with_allow_links_puts_the_link_on_the_allow_list(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    [fan] = add(store, "10", [finding("impersonation", "phishing_link")], [("alert", "sent")],
                "fee table at https://okx-fans.example/fees")
    allowed = tmp_path / "allowed.txt"
    target = AllowTarget(config.load(None).brand, ListFile(None), allowed)
    erin = _person(store, "erin")

    async def test(client: TestClient) -> None:
        await _sign_in(client)
        assert '"allow":true' in await (await client.get("/")).text()
        wrong = await client.post(
            f"/api/findings/{fan}/confirm", json={"allow_links": True}, headers=BEARER
        )
        assert wrong.status == 400 and "needs a dismissal" in (await wrong.json())["error"]
        answer = await client.post(
            f"/api/findings/{fan}/dismiss", json={"who": "erin", "allow_links": True}, headers=erin
        )
        assert (await answer.json())["message"] == (
            f"finding {fan} false_positive by erin; on the allow list now: okx-fans.example")
        leak = await client.post(
            f"/api/findings/{ids['leak'][0]}/dismiss", json={"allow_links": True}, headers=BEARER
        )
        assert (await leak.json())["message"].endswith("; no look-alike link to allow")

    async def run() -> None:
        async with TestClient(TestServer(serve.make_app(store, TOKEN, "web", target))) as client:
            await test(client)
    asyncio.run(run())
    assert load(allowed) == {"okx-fans.example"}
    assert store.db["reviews"].count == 2  # the refused 'confirm' decided nothing


def test_allow_links_without_an_allow_list_is_refused_and_decides_nothing(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")

    async def test(client: TestClient) -> None:
        await _sign_in(client)
        assert '"allow":false' in await (await client.get("/")).text()
        answer = await client.post(
            f"/api/findings/{ids['imp'][0]}/dismiss", json={"allow_links": True}, headers=BEARER
        )
        assert answer.status == 400 and "allow_list" in (await answer.json())["error"]

    _with_client(store, test)
    assert store.db["reviews"].count == 0
