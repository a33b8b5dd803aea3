"""People on `monitor serve` (issue 28): sign-in per person, roles, sessions that expire, personal
tokens, throttled and audited failures, the `monitor users` verbs; real argon2, real aiohttp on
127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from flagged_items import add, finding, sample
from serving import TOKEN, start_server

from monitor.cli.entry import main
from monitor.core.config import DEFAULT_CONFIG
from monitor.desk import people, serve
from monitor.store import Store

PASSWORD = "correct horse 42"
CSRF = {"X-Monitor-Request": "1"}


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _staff(store: Store) -> dict[str, str]:
    """ann (viewer), ben (reviewer) and cat (admin); their personal tokens by name."""
    return {name: people.add_user(store, name, role, PASSWORD, "test")
            for name, role in (("ann", "viewer"), ("ben", "reviewer"), ("cat", "admin"))}


def _run(store: Store, test: Callable[[TestClient], Awaitable[None]], clock: Clock | None = None,
         token: str | None = TOKEN, ttl: timedelta = people.SESSION_TTL) -> None:
    """Run `test` against the app on a loopback port."""
    async def run() -> None:
        app = serve.make_app(store, token, "scripts", ttl=ttl, clock=clock or people.now_utc)
        async with TestClient(TestServer(app)) as client:
            await test(client)
    asyncio.run(run())


async def _sign_in(client: TestClient, name: str,
                   password: str = PASSWORD) -> aiohttp.ClientResponse:
    return await client.post("/login", data={"name": name, "password": password},
                             allow_redirects=False)


def _audit(store: Store, action: str) -> list[tuple[str, dict[str, Any]]]:
    return [(r["who"], json.loads(r["detail"])) for r in store.db["audit"].rows_where(
        "action = ?", [action], order_by="id")]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_each_person_signs_in_and_decides_in_their_own_name(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    _staff(store)
    url = f"/api/findings/{ids['leak'][0]}/confirm"

    async def test(client: TestClient) -> None:
        form = await (await client.get("/")).text()
        assert "name=name" in form and "name=password" in form and "name=token" in form
        signed = await _sign_in(client, "ben")
        assert signed.status == 303
        cookie = signed.cookies[serve.COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert cookie["max-age"] == "43200"  # 12 hours
        text = await (await client.get("/")).text()
        assert "signed in as ben" in text and "<th>Decide</th>" in text
        # The body names someone else: the decision is still ben's.
        answer = await client.post(url, json={"who": "mallory"}, headers=CSRF)
        assert (await answer.json())["message"] == f"finding {ids['leak'][0]} confirmed by ben"
        # The session id never reaches the store, only its hash.
        [session] = list(store.db["sessions"].rows)
        assert session["id_hash"] == people.digest(cookie.value)
        assert cookie.value not in str(session)

    _run(store, test)
    assert [(r["who"], r["decision"]) for r in store.db["reviews"].rows] == [("ben", "confirmed")]
    assert _audit(store, "review:confirmed") == [("ben", {"finding_id": ids["leak"][0]})]
    assert _audit(store, "signin") == [("ben", {"address": "127.0.0.1"})]
    assert [u["last_sign_in"] is not None for u in people.users(store)] == [False, True, False]


def test_shared_token_decisions_carry_the_servers_name_not_the_body(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")

    async def test(client: TestClient) -> None:
        answer = await client.post(f"/api/findings/{ids['imp'][0]}/dismiss", json={"who": "eve"},
                                   headers=_bearer(TOKEN))
        assert (await answer.json())["message"].endswith("false_positive by scripts")

    _run(store, test)
    assert [r["who"] for r in store.db["reviews"].rows] == ["scripts"]


def test_wrong_password_unknown_name_and_disabled_user_get_one_answer(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    _staff(store)
    people.set_active(store, "cat", False, "test")

    async def test(client: TestClient) -> None:
        answers = []
        tries = (("ben", "wrong password 1"), ("nobody", PASSWORD), ("cat", PASSWORD))
        for name, password in tries:
            response = await _sign_in(client, name, password)
            cookie = serve.COOKIE in response.cookies
            answers.append((response.status, await response.text(), cookie))
        assert answers[0] == answers[1] == answers[2]
        assert answers[0][0] == 403 and "Wrong name or password." in answers[0][1]

    _run(store, test)
    failed = _audit(store, "signin:failed")
    assert [who for who, _ in failed] == ["ben", "nobody", "cat"]
    assert failed[0][1] == {"address": "127.0.0.1", "with": "password"}
    everything = json.dumps([list(store.db[t].rows) for t in store.db.table_names()])
    assert "wrong password 1" not in everything and PASSWORD not in everything


def test_failed_sign_ins_are_throttled_per_name_then_per_address(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    _staff(store)
    clock = Clock()

    async def test(client: TestClient) -> None:
        for _ in range(people.MAX_FAILURES_PER_NAME):
            assert (await _sign_in(client, "ben", "not his password")).status == 403
        held = await _sign_in(client, "ben")  # the right password, too late
        assert held.status == 429 and "Too many failed sign-ins" in await held.text()
        assert serve.COOKIE not in held.cookies
        assert (await _sign_in(client, "cat")).status == 303  # another name is not held
        clock.now += people.THROTTLE_WINDOW + timedelta(seconds=1)
        assert (await _sign_in(client, "ben")).status == 303
        # Per address: many names tried from one place hold every name there.
        for i in range(people.MAX_FAILURES_PER_ADDRESS):
            assert (await _sign_in(client, f"guess{i}", "whatever it is")).status == 403
        assert (await _sign_in(client, "cat")).status == 429
        assert (await client.post("/login", data={"token": TOKEN})).status == 429

    _run(store, test, clock)
    failed = _audit(store, "signin:failed")
    assert len(failed) == people.MAX_FAILURES_PER_NAME + people.MAX_FAILURES_PER_ADDRESS
    assert [who for who, _ in _audit(store, "signin:throttled")] == ["ben", "cat", "-"]
    assert [who for who, _ in _audit(store, "signin")] == ["cat", "ben"]


def test_sessions_expire_and_end_on_reset(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    _staff(store)
    clock = Clock()

    async def test(client: TestClient) -> None:
        assert (await _sign_in(client, "ben")).status == 303
        clock.now += timedelta(minutes=29)
        assert (await client.get("/api/items")).status == 200
        clock.now += timedelta(minutes=2)  # 31 minutes: past the 30-minute session
        assert (await client.get("/api/items")).status == 401
        assert "name=password" in await (await client.get("/")).text()
        assert (await _sign_in(client, "ben")).status == 303
        people.reset(store, "ben", "a brand new password", "test")
        confirm = f"/api/findings/{ids['leak'][0]}/confirm"
        assert (await client.post(confirm, headers=CSRF)).status == 401
        assert (await _sign_in(client, "ben")).status == 403  # the old password is gone
        assert (await _sign_in(client, "ben", "a brand new password")).status == 303
        out = await client.post("/logout", allow_redirects=False)
        assert out.status == 303 and (await client.get("/api/items")).status == 401

    _run(store, test, clock, ttl=timedelta(minutes=30))
    assert store.db["reviews"].count == 0 and store.db["sessions"].count == 0


def test_a_viewer_cannot_decide_and_only_an_admin_approves_enforcement(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    tokens = _staff(store)
    add(store, "9", [finding("impersonation", "handle")], [("ban", "held"), ("reply", "held")])
    ban, reply = (a["id"] for a in store.post_actions("twitter", "9"))

    async def test(client: TestClient) -> None:
        assert (await _sign_in(client, "ann")).status == 303
        page = await (await client.get("/")).text()
        assert "report-data" in page and "<th>Decide</th>" not in page  # the report, read-only
        assert (await client.get("/api/items")).status == 200
        no = await client.post(f"/api/findings/{ids['leak'][0]}/confirm", headers=CSRF)
        assert no.status == 403 and "a viewer cannot decide" in (await no.json())["error"]
        assert (await client.post(f"/api/actions/{reply}/approve", headers=CSRF)).status == 403
        viewer = _bearer(tokens["ann"])
        dismiss = f"/api/findings/{ids['leak'][0]}/dismiss"
        assert (await client.post(dismiss, headers=viewer)).status == 403
        reviewer, admin = _bearer(tokens["ben"]), _bearer(tokens["cat"])
        refused = await client.post(f"/api/actions/{ban}/approve", headers=reviewer)
        assert refused.status == 403
        assert "only an admin may approve a held ban" in (await refused.json())["error"]
        assert (await client.post(f"/api/actions/{reply}/approve", headers=reviewer)).status == 200
        approved = await client.post(f"/api/actions/{ban}/approve", headers=admin)
        message = (await approved.json())["message"]
        assert message == f"ban {ban} approved by cat: the daemon will send it"

    _run(store, test)
    assert store.db["reviews"].count == 0
    approvals = store.db["audit"].rows_where("action LIKE 'approve:%'")
    assert [(r["who"], r["action"]) for r in approvals] == [
        ("ben", "approve:reply"), ("cat", "approve:ban")]


def test_personal_tokens_are_bearers_and_no_other_header_skips_csrf(tmp_path: Path) -> None:
    store, ids = sample(tmp_path / "m.db")
    tokens = _staff(store)
    url = f"/api/findings/{ids['leak'][0]}/resolve"

    async def test(client: TestClient) -> None:
        answer = await client.post(url, json={"who": "cat"}, headers=_bearer(tokens["ben"]))
        assert answer.status == 200 and (await answer.json())["message"].endswith("by ben")
        assert (await client.get("/api/items", headers=_bearer(tokens["ben"] + "x"))).status == 401
        assert (await _sign_in(client, "ben")).status == 303
        for header in ({"Authorization": "Basic YmVuOng="}, {"Authorization": "Token x"}):
            assert (await client.post(url, headers=header)).status == 403  # the cookie needs CSRF
        assert (await client.post(url, headers={"Authorization": "Bearer wrong"})).status == 401
        assert (await client.post(url, headers={"Authorization": "Basic x", **CSRF})).status == 200
        people.set_active(store, "ben", False, "test")
        assert (await client.get("/api/items", headers=_bearer(tokens["ben"]))).status == 401
        assert (await client.get("/api/items")).status == 401  # and the session ended

    async def shared(client: TestClient) -> None:  # the shared token's cookie, the same rule
        signed = await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
        assert signed.status == 303
        assert (await client.post(url, headers={"Authorization": "Basic x"})).status == 403

    _run(store, test)
    _run(store, shared)
    assert [r["who"] for r in store.db["reviews"].rows] == ["ben", "ben"]


def _users(args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *args])


def test_users_cli_adds_lists_resets_and_disables(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "m.db")
    assert _users(["add", "dora", "--role", "reviewer", "--db", db, "--password-stdin"],
                  PASSWORD + "\n", monkeypatch) == 0
    out = capsys.readouterr().out
    token = out.split()[-1]
    assert "user dora added (reviewer)" in out and token.startswith(people.TOKEN_PREFIX)
    store = Store(db)
    [row] = list(store.db["users"].rows)
    assert token not in json.dumps(row) and PASSWORD not in json.dumps(row)
    assert row["password_hash"].startswith("$argon2id$") and people.token_person(store, token)
    assert main(["users", "list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["dora", "reviewer", "yes", "never"]

    assert _users(["reset", "dora", "--token", "--db", db, "--password-stdin"],
                  "another long password\n", monkeypatch) == 0
    fresh = capsys.readouterr().out.split()[-1]
    assert people.token_person(store, token) is None and people.token_person(store, fresh)
    assert main(["users", "disable", "dora", "--db", db]) == 0
    assert people.token_person(store, fresh) is None
    assert main(["users", "enable", "dora", "--db", db]) == 0
    assert people.token_person(store, fresh) == people.Person("dora", "reviewer", row["id"])
    assert [a for _, a in _audit_actions(store)] == [
        "users:add", "users:reset", "users:disable", "users:enable"]


def _audit_actions(store: Store) -> list[tuple[str, str]]:
    return [(r["who"], r["action"]) for r in store.db["audit"].rows]


@pytest.mark.parametrize(("args", "stdin", "error"), [
    (["add", "eli", "--role", "boss", "--password-stdin"], PASSWORD, "unknown role 'boss'"),
    (["add", "eli", "--role", "viewer", "--password-stdin"], "short", "password is too short"),
    (["add", "eli", "--role", "viewer", "--password-stdin"], "\n", "empty password"),
    (["add", "eli", "--role", "viewer", "--password-stdin"], "aaaaaaaaaaaaaaaa", "too easy"),
    (["add", "eli", "--role", "viewer"], "", "no terminal"),
    (["add", "e li", "--role", "viewer", "--password-stdin"], PASSWORD, "without spaces"),
    (["add", "dora", "--role", "viewer", "--password-stdin"], PASSWORD, "user dora exists"),
    (["reset", "nobody", "--password-stdin"], PASSWORD, "no user named 'nobody'"),
    (["disable", "nobody"], "", "no user named 'nobody'"),
])
def test_users_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str,
                          error: str) -> None:
    db = str(tmp_path / "m.db")
    people.add_user(Store(db), "dora", "admin", PASSWORD, "test")
    assert _users([*args, "--db", db], stdin, monkeypatch) == 2
    assert error in capsys.readouterr().err
    assert [u["name"] for u in people.users(Store(db))] == ["dora"]


def test_users_cli_needs_an_existing_database_except_to_add(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "list", "--db", str(tmp_path / "none.db")]) == 2
    assert "database not found" in capsys.readouterr().err


def test_serve_with_people_needs_no_shared_token(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store, ids = sample(tmp_path / "m.db")
    people.add_user(store, "ben", "reviewer", PASSWORD, "test")
    store.close()
    monkeypatch.delenv("MONITOR_SERVE_TOKEN", raising=False)
    proc, url = start_server(tmp_path / "m.db", {}, "--who", "scripts")
    try:
        assert asyncio.run(_sign_in_and_decide(url, ids["leak"][0])) == (
            f"finding {ids['leak'][0]} confirmed by ben")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


async def _sign_in_and_decide(url: str, finding_id: int) -> str:
    # unsafe: keep cookies from an IP address (127.0.0.1), as a browser does
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(url) as page:
            assert "name=token" not in await page.text()  # no shared token: no token form
        form = {"name": "ben", "password": PASSWORD}
        async with session.post(url + "login", data=form) as signed:
            assert signed.status == 200 and "signed in as ben" in await signed.text()
        async with session.post(f"{url}api/findings/{finding_id}/confirm", json={"who": "x"},
                                headers=CSRF) as answer:
            return str((await answer.json())["message"])


def test_serve_refuses_a_session_of_no_length(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sample(tmp_path / "m.db")[0].close()
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8") + "\n[serve]\nsession_hours = 0\n",
                   encoding="utf-8")
    monkeypatch.setenv("MONITOR_SERVE_TOKEN", TOKEN)
    assert main(["serve", "--db", str(tmp_path / "m.db"), "--config", str(cfg)]) == 2
    assert "session_hours must be more than 0" in capsys.readouterr().err
