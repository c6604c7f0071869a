"""A consultant's weekly batch: every page of N demo portfolio shops, one after another in this process
(variant ``sequential``, as ``ltv run`` shop by shop) against ``ltv run --all`` on a local Dask cluster of 2
worker processes (the default run). The shops (``ltv demo --portfolio``: different shapes and sizes) are made
once under ``bench/data/portfolio-<N>-<customers>/`` and reused; each run writes its reports to a new temporary
folder, so nothing is skipped. The benchmark shop given by ``bench/run.py`` is not used.

``LTV_BENCH_PORTFOLIO_SHOPS`` (default 12) and ``LTV_BENCH_PORTFOLIO_CUSTOMERS`` (default 20000, the size of
the first shape; the others are scaled from it) change the portfolio. Figures: ``batch_s`` (the runs only, not
the cluster's start), ``cluster_start_s``, ``shops_per_worker_hour``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def _shops() -> list[Path]:
    from ltvlib import demo
    from ltvlib.cli import main

    n = int(os.environ.get("LTV_BENCH_PORTFOLIO_SHOPS", "12"))
    customers = int(os.environ.get("LTV_BENCH_PORTFOLIO_CUSTOMERS", "20000"))
    folder = ROOT / "bench" / "data" / f"portfolio-{n}-{customers}"
    files = [folder / "shops" / f"pf-{i + 1}.yaml" for i in range(n)]
    if not (folder / "ready").exists():
        files = demo.write_portfolio(n, folder / "shops", folder / "data", customers=customers)
        for f in files:
            if main(["import", str(f)]) != 0:
                raise RuntimeError(f"import of {f} failed")
        (folder / "ready").write_text("imported\n", encoding="utf-8")
    return files


def run(params_path: str, variant: str | None) -> dict:
    from ltvlib.batch import ShopTask, dask_client, run_batch
    from ltvlib.params import load_shop_params
    from ltvlib.report import ensure_kernel, run_shop

    del params_path  # the portfolio's own shops
    files = _shops()
    params = [load_shop_params(f) for f in files]
    ensure_kernel()
    with tempfile.TemporaryDirectory() as tmp:
        if variant == "sequential":
            t0 = time.perf_counter()
            for p in params:
                r = run_shop(p, p.as_of, reports_root=Path(tmp))
                if not r.ok:
                    raise RuntimeError(f"{p.shop}: {r.error}")
            secs = time.perf_counter() - t0
            return {"figures": {"batch_s": secs, "shops": len(params),
                                "shops_per_worker_hour": len(params) * 3600 / secs}}
        t0 = time.perf_counter()
        with dask_client(workers=WORKERS, dashboard_address=":0") as client:
            start = time.perf_counter() - t0
            tasks = [ShopTask(p.shop, str(f), p.as_of, tmp, force=True) for p, f in zip(params, files)]
            t1 = time.perf_counter()
            outs = run_batch(tasks, client, echo=lambda m: None)
            secs = time.perf_counter() - t1
    bad = [f"{o.shop}: {o.status} {o.error}" for o in outs if o.status != "ok"]
    if bad:
        raise RuntimeError("; ".join(bad))
    return {"figures": {"batch_s": secs, "cluster_start_s": start, "shops": len(params), "workers": WORKERS,
                        "shops_per_worker_hour": len(params) * 3600 / secs / WORKERS},
            "variants": ["sequential"],
            "compare": [["", "sequential", f"portfolio: Dask {WORKERS} workers vs one shop after another"]]}
