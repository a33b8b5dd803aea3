"""No raw secret at rest, whatever its shape: mutation shapes per secret
type, tried as an attacker would.

The pipeline test draws many secrets per shape (hypothesis) and reads every field a post is stored
with. The replay test runs `monitor run --replay` on a file of every type in every shape, then
reads the database, its WAL, the log and every report format, and `review show` for each finding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.cli import entry as cli
from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from tests.mutations import KINDS, Case, Secret, leaked, make, shapes

ROOT = Path(__file__).resolve().parent.parent
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
FIELDS = ("text", "url", "reply_to", "handle", "name", "bio")


@cache
def _pipeline() -> Pipeline:
    """The pipeline with the n-gram support stage only: secrets do not depend on MiniLM."""
    settings = config.load(None)
    settings = dataclasses.replace(settings, support={**settings.support, "use_encoder": False})
    return Pipeline.from_settings(settings, b"m" * 32)


def _post(case: Case, post_id: str) -> Post:
    """A post with the case's fields."""
    f = case.fields
    author = Author(
        "telegram", "42", f.get("handle", "bob"), name=f.get("name", "Bob"), bio=f.get("bio", "")
    )
    return Post(
        "telegram",
        post_id,
        author,
        f.get("text", ""),
        channel="group",
        url=f.get("url", ""),
        reply_to=f.get("reply_to"),
    )


def _stored(post: Post) -> str:
    """Every field of a processed post that is stored, shown or sent."""
    return "\n".join(
        [
            post.text,
            post.url,
            post.reply_to or "",
            post.author.handle,
            post.author.name,
            post.author.bio,
        ]
    )


def test_every_type_has_at_least_twenty_shapes() -> None:
    assert all(len(shapes(kind)) >= 20 for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=SEEDS)
def test_no_shape_of_a_secret_survives_the_pipeline(kind: str, seed: int) -> None:
    secret = make(kind, seed)
    survivors = []
    for name, shape in shapes(kind).items():
        case = shape(secret)
        result = _pipeline().process(_post(case, "1"))
        if leaked(_stored(result.post), case, secret):
            survivors.append(name)
        elif not any(f.kind == "secret_leak" for f in result.findings):
            survivors.append(f"{name} (redacted but not reported)")
    assert not survivors, f"{kind} {seed}: {survivors}"


def _replay_file(path: Path, secrets: list[Secret]) -> list[tuple[Secret, Case]]:
    """A Post JSON file with every secret in every shape of its type."""
    cases = []
    with path.open("w", encoding="utf-8") as out:
        for i, secret in enumerate(secrets):
            for shape in shapes(secret.kind).values():
                case = shape(secret)
                f = case.fields
                obj = {
                    "id": f"{i}-{len(cases)}",
                    "platform": "telegram",
                    "channel": "group",
                    "text": f.get("text", ""),
                    "url": f.get("url", ""),
                    "reply_to": f.get("reply_to"),
                    "author": {
                        "id": "42",
                        "handle": f.get("handle", "bob"),
                        "name": f.get("name", "Bob"),
                        "bio": f.get("bio", ""),
                    },
                }
                out.write(json.dumps(obj, ensure_ascii=bool(i % 2)) + "\n")
                cases.append((secret, case))
    return cases


def _monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the monitor command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
        check=False,
    )


def _config(tmp: Path) -> Path:
    """The example config with the n-gram support stage only and DEBUG logging (the most logged)."""
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = text.replace('log_level = "INFO"', 'log_level = "DEBUG"')
    text = text.replace("use_encoder = true", "use_encoder = false")
    for name in ("phishing_example.txt", "allowed_example.txt"):
        text = text.replace(
            f'"impersonation/{name}"', f'"{config.DEFAULT_CONFIG.parent / "impersonation" / name}"'
        )
    path = tmp / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seeds=st.lists(SEEDS, min_size=2, max_size=2, unique=True))
def test_no_shape_of_a_secret_reaches_the_database_wal_log_or_reports(
    tmp_path_factory, seeds: list[int]
) -> None:
    tmp = tmp_path_factory.mktemp("replay")
    secrets = [make(kind, seed) for kind in KINDS for seed in seeds]
    cases = _replay_file(tmp / "posts.jsonl", secrets)
    db, cfg = tmp / "monitor.db", _config(tmp)
    run = _monitor(
        "run",
        "--config",
        str(cfg),
        "--replay",
        str(tmp / "posts.jsonl"),
        "--db",
        str(db),
        "--dry-run",
        "--outbox",
        str(tmp / "outbox.jsonl"),
        cwd=tmp,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    places = {"log": run.stdout + run.stderr, "outbox": _read(tmp / "outbox.jsonl")}
    for fmt in ("html", "csv", "json", "md"):
        report = _monitor(
            "report", "--db", str(db), "--format", fmt, "--output", str(tmp / f"r.{fmt}"), cwd=tmp
        )
        assert report.returncode == 0, report.stderr[-2000:]
        places[f"report.{fmt}"] = _read(tmp / f"r.{fmt}") + report.stdout + report.stderr
    places["review list"] = _monitor(
        "review", "list", "--db", str(db), "--limit", "0", cwd=tmp
    ).stdout
    places["review show"] = "".join(_review_show(i, db) for i in _finding_ids(tmp / "r.json"))
    # Read the files as bytes, so a secret kept in a page SQLite has
    # not yet overwritten is found too.
    places["database"] = _read(db, raw=True)
    places["WAL"] = _read(Path(f"{db}-wal"), raw=True)
    found = [
        (where, secret.kind, needle)
        for where, text in places.items()
        for secret, case in cases
        for needle in leaked(text, case, secret)
    ]
    assert not found, found[:10]
    assert len(_finding_ids(tmp / "r.json")) >= len(cases)  # each post was reported, not dropped


def _review_show(finding_id: int, db: Path) -> str:
    """What `monitor review show ID` prints (run in this process: hundreds of findings)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["review", "show", str(finding_id), "--db", str(db)]) == 0
    return out.getvalue()


def _read(path: Path, raw: bool = False) -> str:
    """A file's text ('' when absent); raw bytes are decoded leniently."""
    if not path.exists():
        return ""
    return path.read_bytes().decode("utf-8", "replace") if raw else path.read_text(encoding="utf-8")


def _finding_ids(report: Path) -> list[int]:
    """The finding ids a JSON report lists."""
    rows = json.loads(report.read_text(encoding="utf-8"))
    items = rows["items"] if isinstance(rows, dict) else rows
    return [int(item["id"]) for item in items]
