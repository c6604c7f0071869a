"""Run one benchmark step in this process and print its JSON result with this process's peak RSS.

Used by bench/run.py: ``measure.py generate OUT N SEED`` | ``measure.py import PARAMS FILE`` |
``measure.py task SCRIPT PARAMS VARIANT``.
"""

from __future__ import annotations

import json
import resource
import runpy
import sys


def _peak_mib() -> float:
    """Peak RSS of this process or of its largest child (notebook kernels run as children)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main() -> None:
    kind, *args = sys.argv[1:]
    result: dict = {}
    if kind == "generate":
        from ltvlib import demo

        result = demo.write_shopify_export(args[0], customers=int(args[1]), seed=int(args[2]))
    elif kind == "import":
        from ltvlib.io import load_files
        from ltvlib.params import load_shop_params
        from ltvlib.store import Store

        params = load_shop_params(args[0])
        src = params.sources[0]
        res = load_files([args[1]], timezone=params.timezone, loader="shopify",
                         product_lines=src.get("product_lines"))
        with Store(params.store, timezone=params.timezone) as store:
            store.upsert(res, files=[args[1]])
        result = {k: int(v) for k, v in res.counts().items()}  # as `ltv import`: no DataFrame of the orders
    elif kind == "task":
        script, params, variant = args
        sys.argv = [script, "--params", params] + (["--variant", variant] if variant else [])
        ns = runpy.run_path(script, run_name="__bench__")
        result = ns["run"](params, variant or None)
    result["_peak_rss_mib"] = _peak_mib()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
