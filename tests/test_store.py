"""Store: idempotent posts, at-most-once actions, cursors, reviews, migrations."""

from __future__ import annotations

import pytest

from monitor.core.models import Action, Author, Finding, Post
from monitor.store import MIGRATIONS, Store


def _post(post_id: str = "1", text: str = "hello") -> Post:
    return Post(platform="twitter", id=post_id, author=Author("twitter", "42", "alice"), text=text)


def test_post_stored_once_however_often_it_arrives(store_db: str) -> None:
    store = Store(store_db)
    assert store.add_post(_post()) is True
    assert store.add_post(_post()) is False
    assert store.add_post(_post(text="edited")) is False
    assert store.db["posts"].count == 1
    assert store.db["posts"].get(("twitter", "1"))["text"] == "hello"


def test_same_id_on_two_platforms_is_two_posts(store_db: str) -> None:
    store = Store(store_db)
    store.add_post(_post())
    other = Post(platform="reddit", id="1", author=Author("reddit", "9", "bob"), text="hi")
    assert store.add_post(other) is True
    assert store.db["posts"].count == 2


def test_record_is_all_or_nothing_and_ignores_a_seen_post(store_db: str) -> None:
    store = Store(store_db)
    finding = Finding("secret_leak", "password", 0.9, "password stated", "secrets", "ab12")
    action = Action("delete", "twitter", "1", "", "secret_leak: password")
    assert store.record(_post(), [finding], [action], ["planned"]) is True
    assert store.record(_post(), [finding], [action], ["planned"]) is False
    assert store.db["findings"].count == 1
    assert store.db["actions"].count == 1


def test_an_action_is_keyed_by_post_and_kind(store_db: str) -> None:
    store = Store(store_db)
    post = _post()
    store.add_post(post)
    first = store.plan_action(post, Action("reply", "twitter", "1", "a", "r"))
    again = store.plan_action(post, Action("reply", "twitter", "1", "b", "r"))
    dm = store.plan_action(post, Action("dm", "twitter", "42", "c", "r"))
    assert first is not None and dm is not None
    assert again is None
    assert [r["kind"] for r in store.actions("planned")] == ["reply", "dm"]


def test_cursor_survives_reopen(store_db: str) -> None:
    store = Store(store_db)
    store.set_cursor("twitter:mentions", "1005")
    store.close()
    assert Store(store_db).cursor("twitter:mentions") == "1005"


def test_migrations_apply_once_and_wal_is_on(store_db: str) -> None:
    store = Store(store_db)
    assert store.schema_version() == len(MIGRATIONS)
    store.close()
    again = Store(store_db)
    assert again.schema_version() == len(MIGRATIONS)
    if not store_db.startswith("postgresql://"):
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"posts", "findings", "actions", "cursors", "reviews", "audit"} <= set(
        again.db.table_names())


def test_salt_is_made_once_and_kept(store_db: str) -> None:
    store = Store(store_db)
    salt = store.salt()
    assert len(salt) == 32
    store.close()
    assert Store(store_db).salt() == salt


def test_review_moves_status_and_is_audited(store_db: str) -> None:
    store = Store(store_db)
    post = _post()
    store.add_post(post)
    [fid] = store.add_findings(post,
                               [Finding("impersonation", "lookalike_handle", 0.8, "x", "imp")])
    store.review(fid, "false_positive", who="carol")
    assert store.db["findings"].get(fid)["status"] == "false_positive"
    assert store.db["reviews"].count == 1
    assert next(store.db["audit"].rows)["who"] == "carol"
    with pytest.raises(ValueError, match="unknown decision"):
        store.review(fid, "maybe", who="carol")


def test_record_rolls_back_everything_when_a_step_fails(store_db: str) -> None:
    store = Store(store_db)
    action = Action("reply", "twitter", "1", "hi", "support_request: other")
    with pytest.raises(ValueError):
        store.record(_post(), [], [action], statuses=[])  # one status missing: refused mid-way
    assert store.db["posts"].count == 0  # so the post will be processed again, not lost
    assert store.record(_post(), [], [action], ["planned"]) is True


def test_a_nul_character_is_stored_on_either_backend(store_db: str) -> None:
    store = Store(store_db)
    post = _post("n\x001", text="a\x00b")  # SQLite keeps it; Postgres text cannot hold one
    assert store.add_post(post) is True and store.add_post(post) is False
    assert store.has_post("twitter", "n\x001") and store.db["posts"].count == 1
