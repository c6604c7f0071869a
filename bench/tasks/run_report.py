"""End-to-end ``ltv run`` of the benchmark shop: every notebook of its params, HTML and index; with each
page's kernel peak memory (``LTV_PEAK_LOG``, written by ``report.write_figures``) to name the largest."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ltvlib.params import load_shop_params
from ltvlib.report import run_shop


def run(params_path: str, variant: str | None) -> dict:
    params = load_shop_params(params_path)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "peaks.jsonl"
        os.environ["LTV_PEAK_LOG"] = str(log)  # the kernels inherit it
        try:
            r = run_shop(params, params.as_of, reports_root=Path(tmp) / "reports")
        finally:
            del os.environ["LTV_PEAK_LOG"]
        if not r.ok:
            raise RuntimeError(r.error)
        peaks = {}
        for line in log.read_text(encoding="utf-8").splitlines() if log.is_file() else []:
            row = json.loads(line)
            peaks[row["page"]] = max(peaks.get(row["page"], 0.0), row["peak_mib"])
    return {"figures": {"run_s": r.seconds, "notebooks": len(r.notebooks),
                        **{f"kernel_peak_mib.{page}": mib for page, mib in sorted(peaks.items())}}}
