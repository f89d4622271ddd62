"""The memory of a whole `kg build` process tree (the build, its extraction workers, its forked RDF
writer) over time: the sum of their PSS (proportional set size: pages shared after a fork count once
in all), sampled from /proc/PID/smaps_rollup, and the RSS of the largest process.

    python bench/memory.py CORPUS [--every 0.5] [-- KG_BUILD_ARGS such as --jobs 2]

Prints one line per sample (seconds, processes, sum of PSS, largest RSS, then the PSS of each process,
the build's first) and the peaks. Linux only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    """The process and all its descendants."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo += parents.get(current, [])
    return tree


def _rollup(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in kB; (0, 0) once it is gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0])
    except (OSError, ValueError):
        return 0, 0
    return values.get("Pss", 0), values.get("Rss", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    argv = sys.argv[1:]
    ours, build_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    args = parser.parse_args(ours)
    out = Path(tempfile.mkdtemp(prefix="kg-memory-"))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "kg", "build", str(args.corpus), "-o", str(out), "--quiet",
                              *build_args], stdout=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    print(f"{'s':>6} {'procs':>5} {'sum PSS':>8} {'max RSS':>8}")
    while child.poll() is None:
        rollups = [_rollup(pid) for pid in _children(child.pid)]
        pss, rss = sum(p for p, _ in rollups) // 1024, max((r for _, r in rollups), default=0) // 1024
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        each = " ".join(f"{p // 1024}" for p, _ in rollups if p)
        print(f"{time.perf_counter() - start:6.1f} {sum(p > 0 for p, _ in rollups):5d} {pss:6d}MB {rss:6d}MB  {each}",
              flush=True)
        time.sleep(args.every)
    shutil.rmtree(out, ignore_errors=True)
    print(f"exit {child.returncode} after {time.perf_counter() - start:.1f} s; peak sum of PSS {peak_pss} MB, "
          f"peak RSS of one process {peak_rss} MB")


if __name__ == "__main__":
    main()
