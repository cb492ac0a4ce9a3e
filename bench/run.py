#!/usr/bin/env python3
"""Benchmark albctl offline: 1,000 and 10,000 generated Ingresses, start-up, and the garbage collector.

Usage: python bench/run.py [--albctl PATH] [--count N] [--large N] [--repeat R] [--no-taskset] [--keep DIR]
                           [--metric wall|cpu] [--json]

For each command, best of R runs (wall clock: time.perf_counter around subprocess.run; CPU: the child's
user + system time), pinned to one CPU with `taskset` when available, with each run's peak RSS:
  validate N           albctl validate DIR
  render N             albctl render DIR --offline --format json   (stdout -> /dev/null: compact JSON)
for N = --count (default 1,000) and --large (default 10,000; 0 skips them), and
  help                 albctl --help against python -c pass, run alternately in the same loop (best of
                       max(R, 10) each): the ratio is the target, so a slow or busy machine cancels out
  gc share             one render of the large input in-process through the console-script entry, with
                       gc.callbacks timing every collection: the collector's share of the run

Peak RSS: ru_maxrss of getrusage(RUSAGE_CHILDREN) is a high-water mark over *all* children a process has
waited for, so each run happens inside a fresh, small Python helper process that times the command and
then reads its own getrusage(RUSAGE_CHILDREN) (taskset exec()s the command: the same child).

By default the albctl under test is this checkout: a console script written like pip's, for the entry
point in pyproject.toml, run by this Python with PYTHONPATH set to the checkout. --albctl PATH runs an
installed executable instead.

Exit status: 0 if every command succeeded and met its target, 1 if any missed or failed, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__

import gen_ingresses  # noqa: E402

# seconds (wall or CPU, see --metric) and MiB, by Ingress count; commands not listed have no target
TIME_TARGETS = {("validate", 1000): 2.0, ("render", 1000): 3.0, ("validate", 10000): 8.0, ("render", 10000): 10.0}
RSS_TARGETS = {("validate", 10000): 500.0, ("render", 10000): 500.0}
HELP_RATIO_TARGET = 3.0  # albctl --help / python -c pass
GC_SHARE_TARGET = 0.05  # of an offline render of the large input

# Runs one command, prints {"seconds", "cpu_seconds", "maxrss_kb", "rc", "stderr"} as JSON on its stdout.
HELPER = r"""
import json, os, resource, subprocess, sys, time
argv, env = json.loads(sys.argv[1]), json.loads(sys.argv[2])
t0 = time.perf_counter()
proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                      env={**os.environ, **env})
elapsed = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = usage.ru_maxrss
if sys.platform == "darwin":
    rss //= 1024  # bytes on macOS, KiB on Linux
print(json.dumps({"seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime, "maxrss_kb": rss,
                  "rc": proc.returncode, "stderr": proc.stderr.decode("utf-8", "replace")[-2000:]}))
"""

# Runs the console-script entry in-process with every collection timed; the atexit hook reports (the
# entry point exits with os._exit after running atexit functions).
GC_PROBE = r"""
import atexit, gc, json, sys, time
spent = [0.0, 0, None]
def timer(phase, info):
    if phase == "start":
        spent[2] = time.perf_counter()
    elif spent[2] is not None:
        spent[0] += time.perf_counter() - spent[2]
        spent[1] += 1
gc.callbacks.append(timer)
t0 = time.perf_counter()
atexit.register(lambda: sys.stderr.write("\nGCPROBE " + json.dumps(
    {"total": time.perf_counter() - t0, "gc": spent[0], "collections": spent[1]}) + "\n"))
module, _, func = sys.argv[1].partition(":")
sys.argv = ["albctl", *sys.argv[2:]]
entry = getattr(__import__(module, fromlist=[func]), func)
sys.exit(entry())
"""


def entry_point() -> str:
    """``module:function`` of the albctl console script in pyproject.toml."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as fh:
        match = re.search(r'^\[project\.scripts\][^\[]*?^albctl\s*=\s*"([^"]+)"', fh.read(), re.M | re.S)
    if not match:
        raise SystemExit("bench: no albctl entry in pyproject.toml [project.scripts]")
    return match.group(1)


def checkout_script(directory: str) -> str:
    """A console script for this checkout's entry point, as pip writes one."""
    module, _, func = entry_point().partition(":")
    path = os.path.join(directory, "albctl")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"#!{sys.executable}\nimport re\nimport sys\nfrom {module} import {func}\n"
                 "if __name__ == '__main__':\n"
                 "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                 f"    sys.exit({func}())\n")
    os.chmod(path, 0o755)
    return path


def find_albctl(explicit: str) -> str | None:
    if os.path.exists(explicit):
        return os.path.abspath(explicit)
    return shutil.which(explicit)


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


def run_once(argv: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", HELPER, json.dumps(argv), json.dumps(env)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def summarize(argv: list[str], runs: list[dict]) -> dict:
    failed = [r for r in runs if r["rc"] != 0]
    return {
        "argv": argv,
        "best_seconds": round(min(r["seconds"] for r in runs), 4),
        "all_seconds": [round(r["seconds"], 4) for r in runs],
        "best_cpu_seconds": round(min(r["cpu_seconds"] for r in runs), 4),
        "peak_rss_mb": round(max(r["maxrss_kb"] for r in runs) / 1024, 1),
        "rc": failed[0]["rc"] if failed else 0,
        "stderr_tail": failed[0]["stderr"] if failed else "",
    }


def measure(argv: list[str], repeat: int, env: dict[str, str]) -> dict:
    return summarize(argv, [run_once(argv, env) for _ in range(repeat)])


def measure_help(albctl: list[str], prefix: list[str], repeat: int, env: dict[str, str]) -> dict:
    """albctl --help and python -c pass, alternately, so that both see the same machine."""
    helps, passes = [], []
    for _ in range(max(repeat, 10)):
        passes.append(run_once(prefix + [sys.executable, "-c", "pass"], env))
        helps.append(run_once(prefix + albctl + ["--help"], env))
    result = summarize(prefix + albctl + ["--help"], helps)
    baseline = summarize(prefix + [sys.executable, "-c", "pass"], passes)
    result["baseline_seconds"] = baseline["best_seconds"]
    result["ratio"] = round(result["best_seconds"] / baseline["best_seconds"], 2)
    result["target_ratio"] = HELP_RATIO_TARGET
    result["passed"] = result["rc"] == 0 and result["ratio"] <= HELP_RATIO_TARGET
    return result


def measure_gc(workdir: str, prefix: list[str], env: dict[str, str], python_env: dict[str, str]) -> dict:
    argv = prefix + [sys.executable, "-c", GC_PROBE, entry_point(), "render", workdir, "--offline",
                     "--format", "json", "--cluster", "bench"]
    run = run_once(argv, {**env, **python_env})
    line = next((ln for ln in run["stderr"].splitlines() if ln.startswith("GCPROBE ")), None)
    if run["rc"] != 0 or line is None:
        return {"argv": argv, "rc": run["rc"] or 1, "stderr_tail": run["stderr"], "passed": False}
    probe = json.loads(line[len("GCPROBE "):])
    share = probe["gc"] / probe["total"]
    return {"argv": argv, "rc": 0, "gc_seconds": round(probe["gc"], 3), "total_seconds": round(probe["total"], 3),
            "collections": probe["collections"], "share": round(share, 4), "target_share": GC_SHARE_TARGET,
            "passed": share <= GC_SHARE_TARGET}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--albctl", help="an installed albctl executable (default: this checkout's entry point)")
    ap.add_argument("--count", type=int, default=1000, help="Ingresses in the small input (default 1000)")
    ap.add_argument("--large", type=int, default=10000, help="Ingresses in the large input (default 10000, 0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command, best is reported (default 3)")
    ap.add_argument("--no-taskset", action="store_true", help="do not pin to one CPU")
    ap.add_argument("--metric", choices=("wall", "cpu"), default="wall",
                    help="what the time targets are checked against (default wall; cpu: the child's CPU time, "
                         "for a machine busy with other work)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    args = ap.parse_args()

    prefix, pin_note = pin_prefix(args.no_taskset)
    tmp = tempfile.mkdtemp(prefix="albctl-bench-")
    python_env = {"PYTHONPATH": ROOT, "PYTHONDONTWRITEBYTECODE": "1"}
    if args.albctl:
        found = find_albctl(args.albctl)
        if not found:
            print(f"bench: {args.albctl} not found", file=sys.stderr)
            return 2
        albctl, env, under_test = [found], {}, found
    else:
        albctl, env = [checkout_script(tmp)], dict(python_env)
        under_test = f"this checkout ({entry_point()}, {sys.executable})"
    env["COLUMNS"] = "100"  # --help: the same text whatever terminal the benchmark runs in

    workdir = args.keep or os.path.join(tmp, "inputs")
    results: dict[str, dict] = {}
    try:
        sizes = [n for n in (args.count, args.large) if n > 0]
        for n in sizes:
            directory = os.path.join(workdir, str(n))
            gen_ingresses.generate(n, directory)
            commands = {"validate": [*albctl, "validate", directory],
                        "render": [*albctl, "render", directory, "--offline", "--format", "json", "--cluster", "bench"]}
            for name, argv in commands.items():
                r = measure(prefix + argv, args.repeat, env)
                seconds = r["best_cpu_seconds"] if args.metric == "cpu" else r["best_seconds"]
                r["target_seconds"] = TIME_TARGETS.get((name, n))
                r["target_rss_mb"] = RSS_TARGETS.get((name, n))
                r["passed"] = (r["rc"] == 0
                               and (r["target_seconds"] is None or seconds <= r["target_seconds"])
                               and (r["target_rss_mb"] is None or r["peak_rss_mb"] <= r["target_rss_mb"]))
                results[f"{name} {n}"] = r
        results["help"] = measure_help(albctl, prefix, args.repeat, env)
        if args.large > 0 and not args.albctl:
            results["gc share"] = measure_gc(os.path.join(workdir, str(args.large)), prefix, env, python_env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    all_passed = all(r["passed"] for r in results.values())
    if args.json:
        print(json.dumps({"albctl": under_test, "count": args.count, "large": args.large, "repeat": args.repeat,
                          "pinning": pin_note, "metric": args.metric, "passed": all_passed, "results": results},
                         indent=2))
        return 0 if all_passed else 1
    print(f"albctl: {under_test}")
    print(f"best of {args.repeat}, {pin_note}, time targets on {args.metric} time")
    print()
    print(f"{'command':<15} {'wall (s)':>9} {'cpu (s)':>8} {'target (s)':>11} {'peak RSS (MiB)':>15} "
          f"{'target (MiB)':>13}  result")
    print(f"{'-' * 15} {'-' * 9} {'-' * 8} {'-' * 11} {'-' * 15} {'-' * 13}  ------")
    for name, r in results.items():
        verdict = "ok" if r["passed"] else (f"FAIL (exit {r['rc']})" if r["rc"] else "MISS")
        if name == "help":
            print(f"{name:<15} {r['best_seconds']:>9.3f} {r['best_cpu_seconds']:>8.3f} "
                  f"{'ratio ' + format(r['ratio'], '.2f'):>11} {r['peak_rss_mb']:>15.1f} {'':>13}  {verdict} "
                  f"(python -c pass: {r['baseline_seconds']:.3f} s; target ratio <= {r['target_ratio']:g})")
        elif name == "gc share":
            if r["rc"] == 0:
                print(f"{name:<15} {r['total_seconds']:>9.3f} {'':>8} {'':>11} {'':>15} {'':>13}  {verdict} "
                      f"(collector {r['gc_seconds']:.3f} s in {r['collections']} collections = "
                      f"{100 * r['share']:.1f} %; target <= {100 * r['target_share']:g} %)")
            else:
                print(f"{name:<15} {'':>9} {'':>8} {'':>11} {'':>15} {'':>13}  {verdict}")
        else:
            target = "-" if r["target_seconds"] is None else f"{r['target_seconds']:.1f}"
            rss_target = "-" if r["target_rss_mb"] is None else f"{r['target_rss_mb']:.0f}"
            print(f"{name:<15} {r['best_seconds']:>9.3f} {r['best_cpu_seconds']:>8.3f} {target:>11} "
                  f"{r['peak_rss_mb']:>15.1f} {rss_target:>13}  {verdict}")
    for name, r in results.items():
        if r["rc"]:
            print(f"\n{name} exited {r['rc']}; stderr tail:\n{r['stderr_tail']}", file=sys.stderr)
    print()
    print("all targets met" if all_passed else "some targets missed")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
