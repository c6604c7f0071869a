"""`make bench`: build an N-customer demo shop, then run every benchmark task and print figures and ratios.

Each task is a script ``bench/tasks/<name>.py`` defining ``run(params_path, variant) -> dict``; it
runs in its own process (bench/measure.py), so the wall time and peak memory reported are that whole
process's. The dict holds ``figures`` (name -> number, e.g. in-process seconds of the timed call) and,
on the default run (variant None), optionally ``variants`` (extra runs of the same script, e.g. the
standard tool doing the same work) and ``compare`` ([[ours, theirs, label], ...] pairs of variants,
"" being the default run) to print as ratios theirs / ours.
Results go to the terminal and to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "bench" / "tasks"


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, peak RSS in MiB of that process, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    # communicate() reaped the child: ru_maxrss of RUSAGE_CHILDREN is the max over children so far,
    # so every measured command runs in a fresh wrapper that reports its own peak
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    peak = json.loads(out.strip().splitlines()[-1]).get("_peak_rss_mib", float("nan"))
    return wall, peak, out


WRAP = ROOT / "bench" / "measure.py"


def measured(args: list[str]) -> tuple[float, float, dict]:
    wall, peak, out = run_measured([sys.executable, str(WRAP), *args])
    return wall, peak, json.loads(out.strip().splitlines()[-1])


def _peaks(node: object) -> list[float]:
    """Every peak_mib under ``node`` (each measured process of a run)."""
    if not isinstance(node, dict):
        return []
    return [float(v) for k, v in node.items() if k == "peak_mib" and isinstance(v, (int, float))] + [
        p for v in node.values() for p in _peaks(v)]


def _goals(tasks: dict, customers: int) -> list[dict]:
    """The targets of issue 10, each with what this run measured and whether it is met: for the 1M-customer
    run (``make bench``) the table of the issue; for 3M (``make bench-large``) that every step finished with
    every process under 8 GiB."""
    def get(*path: str) -> float | None:
        node: object = tasks
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return float(node) if isinstance(node, (int, float)) else None

    if customers == 3_000_000:
        peak = max(_peaks(tasks), default=None)
        return _judge([("every step finished, every process < 8 GiB", peak, lambda v: v < 8192, "peak {:,.0f} MiB")])
    ours, theirs = get("summary", "", "summary_s"), get("summary", "lifetimes", "summary_s")
    facts = [get("cohorts", "", "matrices_s"), get("cohorts", "", "facts_s")]
    specs = [
        ("customer summary >= 5x faster than lifetimes", None if not (ours and theirs) else theirs / ours,
         lambda v: v >= 5, "{:.2f}x"),
        ("ltv run end to end < 120 s", get("run_report", "", "seconds"), lambda v: v < 120, "{:.1f} s"),
        ("ltv run peak (any process) < 4 GiB", get("run_report", "", "peak_mib"), lambda v: v < 4096, "{:,.0f} MiB"),
        ("cohorts matrices + facts < 10 s", None if None in facts else sum(facts), lambda v: v < 10, "{:.1f} s"),
        ("segments task peak < 4 GiB", get("segments", "", "peak_mib"), lambda v: v < 4096, "{:,.0f} MiB"),
        ("ltv import < 15 s", get("import", "seconds"), lambda v: v < 15, "{:.1f} s"),
        ("ltv import peak < 2 GiB", get("import", "peak_mib"), lambda v: v < 2048, "{:,.0f} MiB"),
    ]
    return _judge(specs)


def _judge(specs: list) -> list[dict]:
    return [{"goal": name, "measured": None if v is None else fmt.format(v), "value": v,
             "met": None if v is None else bool(ok(v))} for name, v, ok, fmt in specs]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", help="comma-separated task names")
    a = ap.parse_args()

    data = ROOT / "bench" / "data" / f"demo-{a.customers}-{a.seed}"
    data.mkdir(parents=True, exist_ok=True)
    export = data / "orders_export.csv"
    params = data / "shop.yaml"
    params.write_text(
        (ROOT / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
        .replace("shop: demo", "shop: bench").replace("../../data/demo/store.duckdb", "store.duckdb")
        .replace("../../data/demo/orders_export.csv", "orders_export.csv"),
        encoding="utf-8",
    )
    rows: list[tuple[str, str]] = []
    results: dict[str, dict] = {"customers": a.customers, "date": dt.date.today().isoformat(), "tasks": {}}

    if not export.exists():
        wall, peak, _ = measured(["generate", str(export), str(a.customers), str(a.seed)])
        rows.append(("generate demo export", f"{wall:,.1f} s, peak {peak:,.0f} MiB"))
    store = data / "store.duckdb"
    store.unlink(missing_ok=True)
    wall, peak, info = measured(["import", str(params), str(export)])
    rows.append(("ltv import (whole process)", f"{wall:,.1f} s, peak {peak:,.0f} MiB, {info.get('orders', 0):,} orders"))
    results["tasks"]["import"] = {"seconds": wall, "peak_mib": peak, **info}

    only = set(a.only.split(",")) if a.only else None
    for task in sorted(TASKS.glob("*.py")):
        if only and task.stem not in only:
            continue
        wall, peak, out = measured(["task", str(task), str(params), ""])
        figures = {"seconds": wall, "peak_mib": peak, **out.get("figures", {})}
        variants = {"": figures}
        for v in out.get("variants", []):
            vw, vp, vout = measured(["task", str(task), str(params), v])
            variants[v] = {"seconds": vw, "peak_mib": vp, **vout.get("figures", {})}
        results["tasks"][task.stem] = variants
        for v, f in variants.items():
            name = f"{task.stem}{'/' + v if v else ''}"
            extra = ", ".join(f"{k} {val:,.0f}" if isinstance(val, float) and abs(val) >= 1000 else
                              f"{k} {val:,.3g}" if isinstance(val, float) else f"{k} {val}"
                              for k, val in f.items() if k not in ("seconds", "peak_mib"))
            rows.append((name, f"{f['seconds']:,.1f} s, peak {f['peak_mib']:,.0f} MiB" + (f"; {extra}" if extra else "")))
        for ours, theirs, lab in out.get("compare", []):
            fo, ft = variants[ours], variants[theirs]
            for key in sorted(set(fo) & set(ft)):
                if isinstance(fo[key], (int, float)) and fo[key] and (key.endswith("_s") or key in ("seconds", "peak_mib")):
                    rows.append((f"ratio {lab} ({key})", f"{ft[key] / fo[key]:,.2f}x (theirs / ours)"))

    goals = _goals(results["tasks"], a.customers)
    results["goals"] = goals
    for g in goals:
        rows.append((f"goal: {g['goal']}", f"{g['measured']}  {'MET' if g['met'] else 'NOT MET'}"
                     if g["met"] is not None else "not measured in this run"))
    width = max(len(r[0]) for r in rows)
    print(f"\nbenchmark: demo shop, {a.customers:,} customers, {os.cpu_count()} cores")
    for name, text in rows:
        print(f"  {name:<{width}}  {text}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "latest.json" if a.customers == 1_000_000 else f"latest-{a.customers}.json"  # make bench / others
    (out_dir / name).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
