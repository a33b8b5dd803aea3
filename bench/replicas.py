"""Replicas on Postgres beside SQLite: throughput and p99 ingest latency of the daemon replaying
the same streams, for SQLite (one process), Postgres with one replica and Postgres with two
replicas sharing the streams (one lease each), all in one run.

Usage: python bench/replicas.py [--posts 300] [--streams 2] [--pg postgresql://...]

Each stream is the demo stream copied under fresh ids. Each process loads the models, then
replays every stream it holds a lease on (`--dry-run`: actions planned, none sent). Latency is a
post's time from its emit to its batch being stored; throughput counts posts stored over the wall
time from the first emit to the last store of any process. Without --pg a throwaway cluster is
started (tests/pg.py: /usr/lib/postgresql/*/bin, as the postgres user when run as root).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEMO_STREAM = ROOT / "data" / "demo" / "stream.jsonl"


def make_streams(folder: Path, streams: int, posts: int) -> list[Path]:
    """`streams` files of `posts` posts each: the demo stream again and again under fresh ids."""
    demo = [json.loads(line) for line in DEMO_STREAM.read_text("utf-8").splitlines() if line]
    paths = []
    for s in range(streams):
        path = folder / f"stream{s}.jsonl"
        lines = []
        for n in range(posts):
            obj = dict(demo[n % len(demo)])
            round_ = f"-s{s}r{n // len(demo)}"
            obj["id"] = f"{obj['id']}{round_}"
            if obj.get("reply_to"):
                obj["reply_to"] = f"{obj['reply_to']}{round_}"
            lines.append(json.dumps(obj, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def worker(db: str, streams: list[str], out: str) -> None:
    """One `monitor run` as the cli builds it, replaying the streams; its timings to `out`."""
    from monitor.connectors.replay import ReplayConnector
    from monitor.core import config
    from monitor.core.pipeline import Pipeline
    from monitor.runtime import daemon
    from monitor.store import Store
    from monitor.store.postgres import is_url

    class Timed(daemon.Ingest):
        lat: list[float]
        first: float | None = None
        last = 0.0

        async def __call__(self, post: Any) -> None:
            start = time.time()
            self.first = self.first or start
            await super().__call__(post)
            self.last = time.time()
            self.lat.append(self.last - start)

    settings = config.load(None)
    store = Store(db)
    replica = None
    if is_url(db):  # seen by the other replicas before the models load, as `monitor run` does
        from monitor.runtime.replicas import Replica

        replica = Replica(store)
    ingest = Timed(Pipeline.from_settings(settings, store.salt()), store, settings.modes, True,
                   settings.policy)
    ingest.lat = []
    if replica is not None:
        replica.metrics = ingest.metrics
        ingest.replica = replica
    connectors = [ReplayConnector(Path(s), store) for s in streams]
    asyncio.run(daemon.run(connectors, ingest))  # type: ignore[arg-type]
    Path(out).write_text(json.dumps({"lat": ingest.lat, "first": ingest.first,
                                     "last": ingest.last}), encoding="utf-8")
    store.close()


def measure(db: str, streams: list[Path], processes: int, folder: Path) -> dict[str, Any]:
    """Start `processes` workers on one database together; posts/s and p99 ms over all."""
    outs = [folder / f"out{n}-{time.monotonic_ns()}.json" for n in range(processes)]
    log = folder / "workers.log"
    with log.open("ab") as err:
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", db, str(out),
                                   *map(str, streams)], cwd=ROOT, stderr=err) for out in outs]
        for p in procs:
            if p.wait(timeout=1800) != 0:
                sys.stderr.write(log.read_text("utf-8")[-3000:])
                raise SystemExit(f"a worker failed ({p.returncode})")
    runs = [json.loads(o.read_text("utf-8")) for o in outs]
    lat = sorted(x for r in runs for x in r["lat"])
    first = min(r["first"] for r in runs if r["first"])
    last = max(r["last"] for r in runs)
    from monitor.store import Store

    store = Store(db)
    stored = int(store.db.execute("SELECT count(*) FROM posts").fetchone()[0])
    dupes = int(store.db.execute(
        "SELECT count(*) FROM (SELECT platform, post_id, kind FROM actions GROUP BY platform, "
        "post_id, kind HAVING count(*) > 1) d").fetchone()[0])
    store.close()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0.0
    split = "/".join(str(len(r["lat"])) for r in runs)  # posts each process stored
    return {"split": split, "stored": stored, "dupes": dupes, "seconds": last - first,
            "per_s": stored / (last - first), "p99_ms": p99 * 1000}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[4:], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300, help="posts per stream")
    parser.add_argument("--streams", type=int, default=2)
    parser.add_argument("--pg", help="an empty Postgres server's URL (database 'postgres')")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    cluster = None
    if args.pg is None:
        from tests import pg

        found = pg.start()
        if isinstance(found, str):
            raise SystemExit(found)
        cluster = found
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            streams = make_streams(folder, args.streams, args.posts)
            total = args.streams * args.posts

            def fresh() -> str:
                if cluster is not None:
                    return cluster.fresh()
                import psycopg

                name = f"bench_{time.monotonic_ns()}"
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                return str(args.pg).rsplit("/", 1)[0] + f"/{name}"

            rows = [("SQLite, 1 process", measure(str(folder / "m.db"), streams, 1, folder)),
                    ("Postgres, 1 replica", measure(fresh(), streams, 1, folder)),
                    ("Postgres, 2 replicas", measure(fresh(), streams, 2, folder))]
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"{args.streams} streams x {args.posts} posts ({total} posts), dry run")
    print(f"{'store':<22} {'posts/s':>8} {'p99 ms':>8} {'seconds':>8} {'stored':>7} "
          f"{'dup actions':>11}  posts per process")
    for name, r in rows:
        print(f"{name:<22} {r['per_s']:>8.0f} {r['p99_ms']:>8.0f} {r['seconds']:>8.1f} "
              f"{r['stored']:>7} {r['dupes']:>11}  {r['split']}")


if __name__ == "__main__":
    main()
