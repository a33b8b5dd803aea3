"""`monitor review dismiss --allow-links`: a dismissed look-alike link goes on the
allow list and stays quiet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli.entry import main
from monitor.core.config import DEFAULT_CONFIG
from monitor.store import Store

FAN_SITE = "the okx fan wiki has the fee table: https://okx-fans.example/fees"


def _config(tmp_path: Path, allow_list: bool = True) -> Path:
    """The bundled config with its own phishing list (naming
    okx-claim.example) and, if asked, allow list."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'phishing_list = "impersonation/phishing_example.txt"', 'phishing_list = "phish.txt"'
    ).replace('allow_list = "impersonation/allowed_example.txt"',
              'allow_list = "allowed.txt"' if allow_list else "")
    (tmp_path / "phish.txt").write_text("okx-claim.example\n", encoding="utf-8")
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, cfg: Path, posts: dict[str, str]) -> dict[str, list[tuple[int, str]]]:
    """Add posts to the replayed stream and run `monitor run` over it; each new
    post's findings as (id, kind)."""
    replay = tmp_path / "posts.jsonl"
    # the stream grows; the cursor skips what was read
    with replay.open("a", encoding="utf-8") as stream:
        for post_id, text in posts.items():
            post = {"id": post_id, "platform": "telegram", "text": text, "channel": "group",
                    "author": {"handle": "amy"}}
            stream.write(json.dumps(post) + "\n")
    assert main(["run", "--config", str(cfg), "--replay", str(replay),
                 "--db", str(tmp_path / "m.db"), "--dry-run"]) == 0
    store = Store(tmp_path / "m.db")
    try:
        # every new post was read
        assert all(store.db["posts"].count_where("id = ?", [i]) for i in posts)
        return {i: [(f["id"], f["kind"]) for f in store.post_findings("telegram", i)]
                for i in posts}
    finally:
        store.close()


def test_dismissing_with_allow_links_silences_the_host_for_later_posts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    found = _run(tmp_path, cfg, {"fan": FAN_SITE, "listed": "claim your bonus at https://okx-claim.example/x",
                                 "leak": "my okx password is Gr33n-Apple-2024!",
                                 "wiki": "limits: https://wiki.okx-fans.example/limits"})
    [(wiki, _)] = found["wiki"]
    assert [kind for _, kind in found["fan"]] == [kind for _, kind in found["listed"]] == [
        "impersonation"]
    [(fan, _)], [(listed, _)] = found["fan"], found["listed"]
    leak = next(i for i, kind in found["leak"] if kind == "secret_leak")
    capsys.readouterr()
    db = str(tmp_path / "m.db")
    assert main(["review", "dismiss", str(fan), str(listed), str(leak), "--allow-links",
                 "--who", "ann", "--db", db, "--config", str(cfg)]) == 0
    out, err = capsys.readouterr()
    assert f"finding {fan}: false_positive by ann" in out
    assert "allowed: okx-fans.example (1 hosts in" in out
    # the reviewer decides those, not the tool
    assert f"still new and linking to them: #{wiki}" in out
    assert "not allowed, on the phishing list: okx-claim.example" in err
    assert f"no look-alike link to allow in finding {leak}" in err
    assert (tmp_path / "allowed.txt").read_text(encoding="utf-8").splitlines()[1:] == [
        "okx-fans.example"]
    # A later post with the same link is no longer an impersonation finding;
    # other look-alikes still are.
    again = _run(tmp_path, cfg, {"fan2": FAN_SITE.replace("/fees", "/limits"),
                                 "other": "fees at https://okx-fees.example/x"})
    assert again["fan2"] == []
    assert [kind for _, kind in again["other"]] == ["impersonation"]


def test_allow_links_without_an_allow_list_decides_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path, allow_list=False)
    [(fan, _)] = _run(tmp_path, cfg, {"fan": FAN_SITE})["fan"]
    capsys.readouterr()
    assert main(["review", "dismiss", str(fan), "--allow-links", "--who", "ann",
                 "--db", str(tmp_path / "m.db"), "--config", str(cfg)]) == 2
    assert "set [monitor] allow_list to the list's path first" in capsys.readouterr().err
    store = Store(tmp_path / "m.db")
    assert store.db["reviews"].count == 0
    store.close()


def test_an_allow_list_that_cannot_be_written_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "monitor.toml"
    cfg.write_text(_config(tmp_path).read_text(encoding="utf-8").replace(
        'allow_list = "allowed.txt"', 'allow_list = "no/such/folder/allowed.txt"'),
        encoding="utf-8")
    [(fan, _)] = _run(tmp_path, cfg, {"fan": FAN_SITE})["fan"]
    capsys.readouterr()
    assert main(["review", "dismiss", str(fan), "--allow-links", "--who", "ann",
                 "--db", str(tmp_path / "m.db"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert ("no/such/folder/allowed.txt: cannot write the allow list" in err
            and "Traceback" not in err)


def test_allow_links_never_writes_the_bundled_example_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [(fan, _)] = _run(tmp_path, _config(tmp_path), {"fan": FAN_SITE})["fan"]
    example = DEFAULT_CONFIG.parent / "impersonation" / "allowed_example.txt"
    before = example.read_bytes()
    capsys.readouterr()
    assert main(["review", "dismiss", str(fan), "--allow-links", "--who", "ann",
                 "--db", str(tmp_path / "m.db")]) == 2
    assert "pass --config with your own monitor.toml" in capsys.readouterr().err
    assert example.read_bytes() == before
    store = Store(tmp_path / "m.db")
    assert store.db["reviews"].count == 0
    store.close()
