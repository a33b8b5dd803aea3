"""`monitor train`: its options and command. The training itself (train.py) loads torch, the
`train` extra, so it is imported only when the command runs: `monitor train --help` needs none."""

from __future__ import annotations

import argparse
from pathlib import Path

from monitor.cli.shared import CliError


def add_train(p: argparse.ArgumentParser) -> None:
    """--out, --seed and --eval-dir."""
    p.add_argument("--out", type=Path, help="model folder (default data/support/model)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--eval-dir",
        type=Path,
        help="also learn from the dev halves of banking77 and "
        "CLINC150 in this folder (e.g. ../shared/eval; their licences go in the model's meta)",
    )
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    """Train the support classifier and print its figures."""
    from monitor.cli.train import train  # torch loads only for this command

    if args.eval_dir is not None and not args.eval_dir.is_dir():
        raise CliError(f"{args.eval_dir}: no such folder")
    out = {"out_dir": args.out} if args.out else {}
    figures = train(**out, seed=args.seed, eval_dir=args.eval_dir)
    for key, value in figures.items():
        print(f"{key}: {value}")
    return 0
