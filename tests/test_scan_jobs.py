"""`monitor scan` on worker processes: the same answers in the same order as one process, a
worker's death said plainly, and a forked worker never waits on its parent's MiniLM thread."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mnemonic import Mnemonic

from monitor.cli.scanning import (
    PARALLEL_FROM,
    WORKER_CHUNK,
    auto_jobs,
    head_and_rest,
    scan_in_workers,
    scan_lines,
)
from monitor.core import config
from monitor.core.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
MONITOR = [sys.executable, "-c", "import sys; from monitor.cli import main; sys.exit(main())"]
PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
TEXTS = [
    "my withdrawal is still pending after 2 days, please help",
    "gm all",
    "提币三天了还没到账，客服在吗",
    f"is this my backup? {PHRASE}",
    "DM me, I am OKX support, verify your wallet at okx-verify.com",
    "kyc keeps failing on the selfie step, what can I do?",
]


def mixed_lines(count: int) -> list[str]:
    """Posts of every kind, with blank and malformed lines among them."""
    lines = []
    for i in range(count):
        if i % 97 == 5:
            lines.append("")
        elif i % 89 == 7:
            lines.append('{"id": "broken"')
        else:
            post = {"id": str(i), "platform": "telegram", "text": f"{TEXTS[i % len(TEXTS)]} #{i}",
                    "author": {"handle": f"member{i % 13}"}}
            lines.append(json.dumps(post, ensure_ascii=False))
    return lines


def test_workers_answer_as_one_process_does_even_after_the_parent_used_minilm() -> None:
    settings = config.load(None)
    salt = b"one salt for the parent and its workers"
    lines = mixed_lines(WORKER_CHUNK * 2 + 40)
    alone = list(scan_lines(lines, Pipeline.from_settings(settings, salt, remember=False)))
    # The parent's MiniLM thread has answered above: forked workers must start their own.
    together = list(scan_in_workers(lines, settings, salt, 2))
    assert together == alone
    assert len(together) == len(lines)
    kinds = {f["kind"] for r in together for f in r.get("findings", [])}
    assert kinds == {"support_request", "secret_leak", "impersonation"}
    assert any("MiniLM" in f["evidence"] for r in together for f in r.get("findings", []))
    assert sum("error" in r for r in together) == sum('"broken"' in line for line in lines)
    assert PHRASE not in json.dumps(together)


@pytest.mark.parametrize("form", ["jsonl", "table"])
def test_the_cli_with_two_jobs_writes_the_same_bytes_as_with_one(tmp_path: Path, form: str) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(mixed_lines(WORKER_CHUNK * 3 + 11)) + "\n", encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run([*MONITOR, "scan", "--jobs", jobs, "--format", form, str(posts)],
                              cwd=tmp_path, capture_output=True, timeout=300, check=False)
        assert done.returncode == 1, done.stderr  # malformed lines: answered, then exit 1
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    header = 1 if form == "table" else 0
    assert outputs[0].count(b"\n") == WORKER_CHUNK * 3 + 11 + header


def test_a_killed_worker_stops_the_scan_with_a_clear_error(tmp_path: Path) -> None:
    scan = subprocess.Popen([*MONITOR, "scan", "--jobs", "2", "-"], cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert scan.stdin is not None
    scan.stdin.write(("\n".join(mixed_lines(WORKER_CHUNK * 2)) + "\n").encode())
    scan.stdin.flush()
    workers = _children(scan.pid, wanted=2, within=60)
    os.kill(workers[0], signal.SIGKILL)
    scan.stdin.write(("\n".join(mixed_lines(WORKER_CHUNK)) + "\n").encode())
    out, err = scan.communicate(timeout=120)  # closes stdin: the rest must be answered or refused
    assert scan.returncode == 2
    assert b"a scan worker process ended without answering" in err
    assert b"--jobs 1" in err
    assert b"Traceback" not in err
    for line in out.splitlines():  # what was written before the error is whole
        json.loads(line)


@pytest.mark.skipif(auto_jobs() < 2, reason="one usable CPU: a long input stays in one process")
def test_a_long_file_is_shared_among_workers_by_default(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(mixed_lines(PARALLEL_FROM + WORKER_CHUNK)) + "\n", encoding="utf-8")
    scan = subprocess.Popen([*MONITOR, "scan", str(posts)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert len(_children(scan.pid, wanted=auto_jobs(), within=60)) == auto_jobs()
    out, err = scan.communicate(timeout=300)
    assert scan.returncode == 1, err  # the malformed lines
    assert out.count(b"\n") == PARALLEL_FROM + WORKER_CHUNK


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_ends_the_scan_in_one_line(tmp_path: Path, jobs: str) -> None:
    scan = subprocess.Popen([*MONITOR, "scan", "--jobs", jobs, "-"], cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own group: Ctrl-C reaches every worker
    assert scan.stdin is not None
    scan.stdin.write(("\n".join(mixed_lines(WORKER_CHUNK * 2)) + "\n").encode())
    scan.stdin.flush()
    if jobs == "2":
        _children(scan.pid, wanted=2, within=60)
    else:
        time.sleep(1)
    os.killpg(scan.pid, signal.SIGINT)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == 130
    assert err == b"monitor: interrupted\n"


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_jobs_must_be_a_whole_number_of_at_least_one(tmp_path: Path, value: str) -> None:
    done = subprocess.run([*MONITOR, "scan", "--jobs", value, "-"], cwd=tmp_path, input=b"",
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 2
    assert f"argument --jobs: '{value}' is not a whole number of at least 1".encode() in done.stderr


def test_head_and_rest_tells_whether_more_lines_follow() -> None:
    head, rest, more = head_and_rest(iter(["a", "b", "c"]), 2)
    assert (head, list(rest), more) == (["a", "b"], ["c"], True)
    head, rest, more = head_and_rest(iter(["a", "b"]), 2)
    assert (head, list(rest), more) == (["a", "b"], [], False)


def _children(pid: int, wanted: int, within: float) -> list[int]:
    """The pids of a process's children once there are `wanted` of them (from /proc)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
            except (OSError, ValueError):
                continue
            if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        if len(found) >= wanted:
            return found
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not start {wanted} workers within {within} s")
