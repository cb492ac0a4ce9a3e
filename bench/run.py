#!/usr/bin/env python3
"""Benchmark albctl on a generated set of 1,000 Ingresses.

Usage: python bench/run.py [--albctl PATH] [--count N] [--repeat R] [--no-taskset] [--keep DIR] [--json]

Times (wall clock, best of R runs, time.perf_counter around subprocess.run):
  albctl validate DIR
  albctl render DIR --offline --format json   (stdout -> /dev/null)
  albctl --help
pinned to CPU 0 with `taskset -c 0` when taskset is available, and reports each command's peak RSS.

Peak RSS: ru_maxrss of getrusage(RUSAGE_CHILDREN) is a high-water mark over *all* children a process has
waited for, so deltas in one long-lived process cannot show a command whose peak is lower than an earlier
one. Each run therefore happens inside a fresh, small Python helper process that does the timing and then
reads its own getrusage(RUSAGE_CHILDREN).ru_maxrss, which then covers exactly that one command
(taskset exec()s the command, so it is the same child process). The helper's start-up is outside the timed
region.

Exit status: 0 if every command succeeded and met its target, 1 if any missed or failed, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__

import gen_ingresses  # noqa: E402

TARGETS = {"validate": 2.0, "render": 3.0, "help": 0.3}

# Runs one command, prints {"seconds", "maxrss_kb", "rc", "stderr"} as JSON on its stdout.
HELPER = r"""
import json, resource, subprocess, sys, time
argv = json.loads(sys.argv[1])
t0 = time.perf_counter()
proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
elapsed = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    rss //= 1024  # bytes on macOS, KiB on Linux
print(json.dumps({"seconds": elapsed, "maxrss_kb": rss, "rc": proc.returncode,
                  "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def find_albctl(explicit: str | None) -> str | None:
    if explicit:
        return explicit if os.path.exists(explicit) or shutil.which(explicit) else None
    found = shutil.which("albctl")
    if found:
        return found
    # Fall back to the albctl next to the running interpreter (e.g. an un-activated venv).
    candidate = os.path.join(os.path.dirname(sys.executable), "albctl")
    return candidate if os.path.exists(candidate) else None


def pin_prefix(disabled: bool) -> tuple[list[str], str]:
    if disabled:
        return [], "not pinned (--no-taskset)"
    taskset = shutil.which("taskset")
    if not taskset:
        return [], "not pinned (taskset not found)"
    cpu = 0
    if hasattr(os, "sched_getaffinity"):
        allowed = os.sched_getaffinity(0)
        if allowed and 0 not in allowed:
            cpu = min(allowed)
    return [taskset, "-c", str(cpu)], f"pinned to CPU {cpu} (taskset -c {cpu})"


def measure(argv: list[str], repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", HELPER, json.dumps(argv)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    ok = [r for r in runs if r["rc"] == 0]
    return {
        "argv": argv,
        "best_seconds": round(min(r["seconds"] for r in runs), 4),
        "all_seconds": [round(r["seconds"], 4) for r in runs],
        "peak_rss_mb": round(max(r["maxrss_kb"] for r in runs) / 1024, 1),
        "rc": 0 if len(ok) == len(runs) else next(r["rc"] for r in runs if r["rc"] != 0),
        "stderr_tail": "" if len(ok) == len(runs) else next(r["stderr"] for r in runs if r["rc"] != 0),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--albctl", help="albctl executable (default: albctl on PATH)")
    ap.add_argument("--count", type=int, default=1000, help="number of Ingresses to generate (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command, best is reported (default 3)")
    ap.add_argument("--no-taskset", action="store_true", help="do not pin to one CPU")
    ap.add_argument(
        "--keep",
        metavar="DIR",
        help="generate into DIR and keep it (default: a temp dir, removed afterwards)",
    )
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    args = ap.parse_args()

    albctl = find_albctl(args.albctl)
    if not albctl:
        print("bench: albctl not found (put it on PATH or pass --albctl PATH)", file=sys.stderr)
        return 2
    prefix, pin_note = pin_prefix(args.no_taskset)

    tmp = None
    if args.keep:
        workdir = args.keep
    else:
        tmp = tempfile.mkdtemp(prefix="albctl-bench-")
        workdir = tmp
    try:
        gen_ingresses.generate(args.count, workdir)
        commands = {
            "validate": [albctl, "validate", workdir],
            "render": [albctl, "render", workdir, "--offline", "--format", "json"],
            "help": [albctl, "--help"],
        }
        results = {}
        for name, argv in commands.items():
            r = measure(prefix + argv, args.repeat)
            r["target_seconds"] = TARGETS[name]
            r["passed"] = r["rc"] == 0 and r["best_seconds"] < TARGETS[name]
            results[name] = r
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    all_passed = all(r["passed"] for r in results.values())
    if args.json:
        print(
            json.dumps(
                {
                    "albctl": albctl,
                    "count": args.count,
                    "repeat": args.repeat,
                    "pinning": pin_note,
                    "passed": all_passed,
                    "results": results,
                },
                indent=2,
            )
        )
    else:
        print(f"albctl: {albctl}")
        print(f"{args.count} Ingresses, best of {args.repeat}, {pin_note}")
        print()
        print(f"{'command':<10} {'best (s)':>9} {'target (s)':>11} {'peak RSS (MiB)':>15}  result")
        print(f"{'-' * 10} {'-' * 9} {'-' * 11} {'-' * 15}  ------")
        for name, r in results.items():
            verdict = "ok" if r["passed"] else (f"FAIL (exit {r['rc']})" if r["rc"] else "MISS")
            print(
                f"{name:<10} {r['best_seconds']:>9.3f} {r['target_seconds']:>11.1f} "
                f"{r['peak_rss_mb']:>15.1f}  {verdict}"
            )
        for name, r in results.items():
            if r["rc"]:
                print(f"\n{name} exited {r['rc']}; stderr tail:\n{r['stderr_tail']}", file=sys.stderr)
        print()
        print("all targets met" if all_passed else "some targets missed")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
