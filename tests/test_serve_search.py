"""`monitor serve`: the search over stored posts (redacted text only, bounded, paged), flagging a
post from it in the signed-in person's name, and an admin's Undo of a restriction or ban."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from flagged_items import add, finding, sample
from mnemonic import Mnemonic
from serving import TOKEN

from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from monitor.desk import people, serve
from monitor.runtime import daemon
from monitor.store import Store

BEARER = {"Authorization": f"Bearer {TOKEN}"}
COOKIE_POST = {"X-Monitor-Request": "1"}
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
SCAM = ("Honestly the best decision this year was joining the signals group run by Mr Daniel "
        "Harris, my portfolio grew four times in two weeks, write to him at harris-signals.net")


def _run(store: Store, test: Callable[[TestClient], Awaitable[None]]) -> None:
    """Run `test` against the app (with the example brand) on a loopback port."""
    async def run() -> None:
        app = serve.make_app(store, TOKEN, "server-default", brand=config.load(None).brand)
        async with TestClient(TestServer(app)) as client:
            await test(client)
    asyncio.run(run())


def _person(store: Store, name: str, role: str) -> dict[str, str]:
    """A user's personal token as a Bearer header."""
    token = people.add_user(store, name, role, "correct horse 42", "test")
    return {"Authorization": f"Bearer {token}"}


def _ingest(store: Store, *posts: Post) -> None:
    """Posts through the real pipeline into the store, as the daemon stores them."""
    settings = config.load(None)
    ingest = daemon.Ingest(Pipeline.from_settings(settings, store.salt()), store,
                           dict(config.DEFAULT_MODES), dry_run=True)

    async def go() -> None:
        for post in posts:
            await ingest(post)
    asyncio.run(go())


def _post(post_id: str, handle: str, text: str, platform: str = "telegram") -> Post:
    return Post(platform, post_id, Author(platform, f"u-{handle}", handle), text, channel="group")


def test_search_finds_stored_posts_by_words_or_handle_newest_first_a_page_at_a_time(
        tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    _ingest(store, *[_post(f"-1005:{n}", f"member{n}", f"gm frens, the market moves {n}")
                     for n in range(5)], _post("-1005:9", "daniel_harris_fx", SCAM))

    async def test(client: TestClient) -> None:
        assert (await client.get("/api/posts?q=market")).status == 401
        page = await (await client.get("/api/posts?q=MARKET&limit=2", headers=BEARER)).json()
        assert [p["post_id"] for p in page["posts"]] == ["-1005:4", "-1005:3"]
        assert page["more"] is True and (page["offset"], page["limit"]) == (0, 2)
        last = await (await client.get("/api/posts?q=market&limit=2&offset=4",
                                       headers=BEARER)).json()
        assert [p["post_id"] for p in last["posts"]] == ["-1005:0"] and last["more"] is False
        [scam] = (await (await client.get("/api/posts?q=daniel_harris",
                                          headers=BEARER)).json())["posts"]
        assert scam == {**scam, "platform": "telegram", "post_id": "-1005:9", "text": SCAM,
                        "author_handle": "daniel_harris_fx", "findings": None}
        withdrawal = await (await client.get("/api/posts?q=withdrawal&platform=reddit",
                                             headers=BEARER)).json()
        assert [(p["post_id"], p["findings"]) for p in withdrawal["posts"]] == [
            ("3", "support_request:new")]
        assert (await (await client.get("/api/posts?q=withdrawal&platform=discord",
                                        headers=BEARER)).json())["posts"] == []
        # LIKE's wildcards are taken literally
        assert (await (await client.get("/api/posts?q=%25%25", headers=BEARER)).json())[
            "posts"] == []
        for bad in ("q=m", "q=" + "x" * 201, "q=market&limit=51", "q=market&limit=two",
                    "q=market&offset=-1", "q=market&platform=myspace"):
            answer = await client.get(f"/api/posts?{bad}", headers=BEARER)
            assert answer.status == 400 and (await answer.json())["error"]

    _run(store, test)


def test_search_shows_only_the_stored_redacted_text_never_a_secret(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    _ingest(store, _post("-1005:1", "carol", f"help, my wallet words are {PHRASE} what now"))
    viewer = _person(store, "vic", "viewer")  # reading is allowed to a viewer

    async def test(client: TestClient) -> None:
        body = await (await client.get("/api/posts?q=wallet+words", headers=viewer)).text()
        assert "seed phrase removed" in body and PHRASE.split()[4] not in body
        words = " ".join(PHRASE.split()[:4])
        found = await (await client.get(f"/api/posts?q={words}", headers=viewer)).json()
        assert found["posts"] == []

    _run(store, test)


def test_flag_from_the_page_confirms_in_the_callers_name_and_remembers(tmp_path: Path) -> None:
    store, _ = sample(tmp_path / "m.db")
    _ingest(store, _post("-1005:9", "daniel_harris_fx", SCAM))
    rita, vic = _person(store, "rita", "reviewer"), _person(store, "vic", "viewer")
    body = {"platform": "telegram", "post_id": "-1005:9", "kind": "impersonation",
            "label": "signals_scam", "note": f"seed was {PHRASE}", "who": "mallory"}

    async def test(client: TestClient) -> None:
        refused = await client.post("/api/flag", json=body, headers=vic)
        assert refused.status == 403 and "viewer" in (await refused.json())["error"]
        await client.post("/login", data={"token": TOKEN}, allow_redirects=False)
        assert (await client.post("/api/flag", json=body)).status == 403  # no CSRF header
        answer = await client.post("/api/flag", json=body, headers=rita)
        out = await answer.json()
        [row] = out["rows"]
        assert out["message"] == (
            f"finding {row['id']} impersonation/signals_scam confirmed by rita (flagged); "
            "takedown case #1 opened for host harris-signals[.]net")
        assert (row["status"], row["detector"], row["held"], row["undo"]) == (
            "confirmed", "manager", [], [])
        again = await client.post("/api/flag", json=body, headers=rita)
        assert again.status == 409 and "already has impersonation finding" in (
            await again.json())["error"]
        for wrong, status in (({"post_id": "-1005:404"}, 404), ({"kind": "scam"}, 400),
                              ({"label": ["x"]}, 400), ({"platform": ""}, 400)):
            answer = await client.post("/api/flag", json={**body, **wrong}, headers=COOKIE_POST)
            assert answer.status == status, wrong
        queue = await (await client.get("/api/items?status=confirmed", headers=BEARER)).json()
        assert [(r["id"], r["text"]) for r in queue] == [(row["id"], SCAM)]

    _run(store, test)
    [decision] = store.db["reviews"].rows
    assert (decision["who"], decision["decision"]) == ("rita", "confirmed")
    assert PHRASE.split()[4] not in decision["note"] and "seed phrase removed" in decision["note"]
    assert [m["text"] for m in store.db["memory_texts"].rows] == [SCAM]
    audit = [(a["who"], a["action"]) for a in store.db["audit"].rows]
    assert ("rita", "flag") in audit and ("mallory", "flag") not in audit


def _enforced(store: Store) -> tuple[int, int]:
    """A sent restriction and a held ban on two impostors' posts; their action ids."""
    add(store, "21", [finding("impersonation", "handle")], [("restrict", "sent")],
        "DM me for support", platform="telegram", handle="okx_helpdesk")
    add(store, "22", [finding("impersonation", "handle")], [("delete", "held"), ("ban", "held")],
        "DM me for support too", platform="telegram", handle="okx_helpdesk2")
    restrict = next(a["id"] for a in store.post_actions("telegram", "21"))
    ban = next(a["id"] for a in store.post_actions("telegram", "22") if a["kind"] == "ban")
    return restrict, ban


def test_an_admin_undoes_a_sent_restriction_and_skips_a_held_ban(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    restrict, ban = _enforced(store)
    ada, rita = _person(store, "ada", "admin"), _person(store, "rita", "reviewer")

    async def test(client: TestClient) -> None:
        for who in (rita, _person(store, "vic", "viewer")):
            refused = await client.post(f"/api/actions/{restrict}/undo", headers=who)
            assert refused.status == 403 and "only an admin" in (await refused.json())["error"]
        admin_page = await (await client.get("/", headers=ada)).text()
        assert f'[[{restrict},"restrict","sent"]]' in admin_page
        assert f'[[{ban},"ban","held"]]' in admin_page
        assert '"restrict","sent"' not in await (await client.get("/", headers=rita)).text()
        undone = await (await client.post(f"/api/actions/{restrict}/undo", headers=ada)).json()
        unban = next(a for a in store.post_actions("telegram", "21") if a["kind"] == "unban")
        assert undone["message"] == (f"action {restrict} undone by ada: unban {unban['id']} "
                                     "planned, the daemon will send it")
        assert undone["rows"][0]["undo"] == [] and unban["status"] == "planned"
        again = await client.post(f"/api/actions/{restrict}/undo", headers=ada)
        assert again.status == 409 and "undone already" in (await again.json())["error"]
        skipped = await (await client.post(f"/api/actions/{ban}/undo", headers=ada)).json()
        assert skipped["message"] == f"ban {ban} skipped by ada: it will not go out"
        assert "ban:skipped" in skipped["rows"][0]["actions"]
        assert (await client.post("/api/actions/999/undo", headers=ada)).status == 404
        delete = next(a["id"] for a in store.post_actions("telegram", "22")
                      if a["kind"] == "delete")
        wrong = await client.post(f"/api/actions/{delete}/undo", headers=ada)
        assert wrong.status == 409 and "only a restrict or ban" in (await wrong.json())["error"]

    _run(store, test)
    audit = [(a["who"], a["action"], json.loads(a["detail"])) for a in store.db["audit"].rows
             if a["action"].startswith("undo:")]
    assert [a[:2] for a in audit] == [("ada", "undo:restrict"), ("ada", "undo:ban")]
