"""End-to-end ``ltv run`` of the benchmark shop: every notebook of its params, HTML and index."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ltvlib.params import load_shop_params
from ltvlib.report import run_shop


def run(params_path: str, variant: str | None) -> dict:
    params = load_shop_params(params_path)
    with tempfile.TemporaryDirectory() as tmp:
        r = run_shop(params, params.as_of, reports_root=Path(tmp))
        if not r.ok:
            raise RuntimeError(r.error)
    return {"figures": {"run_s": r.seconds, "notebooks": len(r.notebooks)}}
