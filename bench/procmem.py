"""Peak resident memory of a process and its descendants, read from /proc (Linux): MiniLM runs in
a child process, so a command's memory is that of its process tree."""

from __future__ import annotations

import os
from pathlib import Path


def descendants(root: int) -> set[int]:
    """root and every process below it, from each process's parent in /proc/PID/stat."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def own_peak_kib(pid: int) -> int:
    """One process's peak resident set size (VmHWM) in KiB, 0 if it has ended."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmHWM:")), 0)


def tree_peak_mib(root: int) -> float:
    """The peaks of root and its living descendants, summed, in MiB: an upper bound on what they
    held at one moment (they rarely peak together)."""
    return sum(own_peak_kib(pid) for pid in descendants(root)) / 1024


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) that root and its living descendants have used, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in descendants(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks
