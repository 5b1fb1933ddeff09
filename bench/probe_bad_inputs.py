"""Feed bad values of each kind to every public entry point of lecture_nn and count outcomes.

For every entry of ``tests/public_api.py``'s registry, each parameter in turn is replaced by
the bad values of its kind (sizes 0, -1, 2.5, ...; booleans "False", 1.5, ...; a Figure
where Axes are expected; ...). Each call runs in a forked child with a wall-time limit and a
memory limit, and is classified:

clear    ValueError/TypeError whose message names the parameter
unclear  any other exception, or a ValueError/TypeError that does not name it
silent   returned normally
hang     still running at the time limit
memory   MemoryError, or killed (the memory limit)

Usage::

    python3 bench/probe_bad_inputs.py --json probe.json           # everything (~10 min)
    python3 bench/probe_bad_inputs.py --fast --json probe.json    # no Keras training, kernels
    PYTHONPATH=/path/to/other/checkout python3 bench/probe_bad_inputs.py ...

The package is imported from ``PYTHONPATH`` first, so the probe measures any checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LECTURE_NN_DATA", "/usr/share/datasets/fashion-mnist")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import public_api

OUTCOMES = ("clear", "unclear", "silent", "hang", "memory")
SKIPPED_WHEN_FAST = ("train", "kernel", "network")
SKIPPED_ALWAYS = ("slow",)  # a valid call alone takes longer than the time limit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write every case and the counts here")
    parser.add_argument("--jobs", type=int, default=2, help="children at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per call")
    parser.add_argument("--memory-gb", type=float, default=2.0, help="extra address space")
    parser.add_argument("--fast", action="store_true", help="skip Keras training and kernels")
    parser.add_argument("--only", default="", help="probe only names containing this text")
    parser.add_argument("--worst", type=int, default=40, help="faults listed at the end")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.memory_gb <= 0:
        parser.error("--jobs, --timeout and --memory-gb must be positive")

    import lecture_nn

    public_api.warm_up()

    os.environ.setdefault("LECTURE_NN_CACHE", str(public_api._tmp("cache")))
    print(f"lecture_nn from {Path(lecture_nn.__file__).parent}", flush=True)
    missing = public_api.missing_parameters()
    for problem in missing:
        print(f"not in the registry: {problem}")
    targets = [t for t in public_api.targets() if args.only in t.qualname]
    skipped = [t.qualname for t in targets if t.entry.heavy in SKIPPED_ALWAYS]
    targets = [t for t in targets if t.entry.heavy not in SKIPPED_ALWAYS]
    if args.fast:
        skipped += [t.qualname for t in targets if t.entry.heavy in SKIPPED_WHEN_FAST]
        targets = [t for t in targets if t.entry.heavy not in SKIPPED_WHEN_FAST]
    limits = {"timeout": args.timeout, "memory_bytes": int(args.memory_gb * 1024**3)}
    started = time.perf_counter()

    # Valid calls first: a bad-value case means nothing when the valid call fails.
    valid_limits = {**limits, "timeout": 3 * args.timeout}
    valid = run_all([(t, None, None) for t in targets], args.jobs, valid_limits)
    broken = {}
    for (t, _, _), outcome in valid:
        if outcome.outcome != "ok":
            broken[t.qualname] = f"{outcome.outcome}: {outcome.error}: {outcome.message}"
            print(f"valid call fails: {t.qualname}: {broken[t.qualname][:300]}")
    jobs = [
        (t, p, label)
        for t in targets
        if t.qualname not in broken
        for p, label in public_api.cases(t)
    ]
    print(f"{len(targets)} entry points, {len(jobs)} bad-value cases", flush=True)
    results = run_all(jobs, args.jobs, limits, progress=True)

    records = []
    for (t, parameter, label), outcome in results:
        reason = public_api.documented(t, parameter, label)
        ok = public_api.acceptable(outcome, label, reason)
        records.append(
            {
                "module": t.module,
                "name": t.name,
                "parameter": parameter,
                "kind": t.entry.kinds[parameter],
                "value": label,
                "outcome": outcome.outcome,
                "error": outcome.error,
                "message": outcome.message[:300],
                "seconds": round(outcome.seconds, 3),
                "documented": reason,
                "acceptable": ok,
            }
        )
    summary = summarise(records)
    print_summary(summary, records, args.worst)
    print(f"{time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "package": str(Path(lecture_nn.__file__).parent),
                    "entry_points": len(targets),
                    "cases": len(records),
                    "summary": summary,
                    "valid_call_fails": broken,
                    "skipped": skipped,
                    "not_in_registry": missing,
                    "cases_detail": records,
                },
                indent=1,
            )
        )
        print(f"wrote {args.json}")
    return 0


def run_all(jobs, n_parallel, limits, progress=False):
    """Run ``(target, parameter, label)`` jobs, ``n_parallel`` children at a time."""
    results = [None] * len(jobs)
    running = {}
    pending = list(enumerate(jobs))[::-1]
    done = 0
    while pending or running:
        while pending and len(running) < n_parallel:
            index, (t, parameter, label) = pending.pop()
            running[index] = public_api.Running(t, parameter, label, **limits)
        for index, child in list(running.items()):
            outcome = child.poll()
            if outcome is not None:
                results[index] = (jobs[index], outcome)
                del running[index]
                done += 1
                if progress and done % 200 == 0:
                    print(f"  {done}/{len(jobs)}", flush=True)
        time.sleep(0.005)
    return results


def summarise(records):
    overall = Counter(r["outcome"] for r in records)
    per_module = defaultdict(Counter)
    for r in records:
        per_module[r["module"]][r["outcome"]] += 1
    documented = Counter(r["outcome"] for r in records if r["documented"])
    accepted = Counter(r["outcome"] for r in records if r["acceptable"] and r["outcome"] != "clear")
    return {
        "overall": {k: overall.get(k, 0) for k in (*OUTCOMES, "setup")},
        "documented": dict(documented),
        "acceptable_other_than_clear": dict(accepted),
        "faults": sum(1 for r in records if not r["acceptable"]),
        "per_module": {
            m: {k: c.get(k, 0) for k in OUTCOMES} for m, c in sorted(per_module.items())
        },
    }


SEVERITY = {"hang": 0, "memory": 1, "silent": 2, "unclear": 3, "setup": 4}


def print_summary(summary, records, worst):
    total = sum(summary["overall"].values())
    print(f"\n{'':40s}" + "".join(f"{k:>9s}" for k in OUTCOMES))
    for module, counts in summary["per_module"].items():
        print(f"{module:40s}" + "".join(f"{counts[k]:9d}" for k in OUTCOMES))
    counts = summary["overall"]
    print(f"{'all (' + str(total) + ' cases)':40s}" + "".join(f"{counts[k]:9d}" for k in OUTCOMES))
    print(
        f"acceptable although not clear (stress values, documented): "
        f"{summary['acceptable_other_than_clear']}; faults: {summary['faults']}"
    )
    if counts.get("setup"):
        print(f"({counts['setup']} cases could not build their bad value)")
    faults = [r for r in records if not r["acceptable"]]
    faults.sort(key=lambda r: (SEVERITY[r["outcome"]], r["module"], r["name"]))
    print(f"\nworst faults ({min(worst, len(faults))} of {len(faults)}):")
    for r in faults[:worst]:
        what = f"{r['error']}: {r['message']}" if r["error"] else r["message"]
        print(
            f"  {r['outcome']:7s} {r['module']}.{r['name']}({r['parameter']}={r['value']})"
            f" {what[:120]!s}".replace("\n", " ")
        )


if __name__ == "__main__":
    sys.exit(main())
