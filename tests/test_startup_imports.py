"""`monitor scan` starts with what a scan needs only: a one-post scan in a fresh process imports
none of the modules the other commands need (issue 26: a cold one-post scan within 2x of
detect-secrets' time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli.entry import COMMANDS, build_parser

# A request the n-gram stage is unsure of the topic of, so MiniLM loads too: the whole scan path.
POST = {"id": "1", "platform": "twitter", "author": {"handle": "someone"},
        "text": "hi, the transfer I made to my account yesterday is not there, can you check?"}
# The scan, then every module loaded by its end, written to a file (its stdout is the result).
SCAN = (
    "import sys\n"
    "from monitor.cli import main\n"
    "code = main(['scan', sys.argv[1]])\n"
    "open(sys.argv[2], 'w', encoding='utf-8').write('\\n'.join(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)
# Each module (and its submodules) a scan must not load, and who needs it instead. Each was
# loaded by every scan when the command's module imported all the subcommands' code, together
# ~0.1 s of a one-post scan's start-up (about a sixth of it).
NOT_FOR_A_SCAN = {
    "asyncio": "the daemon, `serve` and the digest's sending (it loads ssl and socket too)",
    "ssl": "the daemon's and the alerts' connections",
    "importlib.metadata": "`--version` alone (it loads email, zipfile and csv)",
    "sqlite3": "the store: a scan stores nothing",
    "monitor.store": "run, report, review and the other commands over a database",
    "monitor.desk": "the review desk: report, review, cases, people",
    "argon2": "people's passwords (`serve`, `users`)",
    "monitor.runtime": "the daemon's runtime: sender, alerting, metrics, logs",
    "monitor.connectors": "the platforms `run` watches",
    "monitor.evalsets": "`eval-convert`",
    "tqdm": "a progress bar, shown only on a terminal (not here: the output is a pipe)",
    "multiprocessing": "scan workers, for a long file only",
}


def test_a_one_post_scan_loads_none_of_the_other_commands_modules(tmp_path: Path) -> None:
    (tmp_path / "one.jsonl").write_text(json.dumps(POST) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCAN, "one.jsonl", "modules.txt"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "1"  # it did scan the post
    loaded = (tmp_path / "modules.txt").read_text(encoding="utf-8").splitlines()
    assert "monitor.core.pipeline" in loaded  # the reader sees what a scan does load
    found = {name: why for name, why in NOT_FOR_A_SCAN.items()
             if any(m == name or m.startswith(name + ".") for m in loaded)}
    assert found == {}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_subcommand_module_adds_its_options(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table names a module that defines add_<name>: the subcommand's -h shows its usage."""
    with pytest.raises(SystemExit) as done:
        build_parser(name).parse_args([name, "-h"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: monitor {name} [-h]")
