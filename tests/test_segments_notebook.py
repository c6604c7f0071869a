"""notebooks/segments.ipynb runs end to end on a small shop and writes its key figures (slow: a kernel)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.params import load_shop_params
from ltvlib.report import read_figures, run_shop
from ltvlib.segments import Segmenter, lists
from ltvlib.store import Store


@pytest.mark.slow
def test_segments_notebook_runs(tmp_path: Path) -> None:
    rows = []
    for i in range(60):
        key = f"c{i:02d}@example.jp"
        rows.append((f"{i}a", key, f"2025-{1 + i % 12:02d}-10 10:00", 1000.0 + 10 * i,
                     {"channel": "pos" if i % 4 == 0 else "online_store", "tags": ["gift"] if i % 3 == 0 else []}))
        if i % 2:
            rows.append((f"{i}b", key, f"2026-0{1 + i % 6}-20 10:00", 2000.0))
    orders = make_orders(rows)
    items = make_line_items([(o, 1, "Umami - Dashi", "Umami", 1, 1.0) for o in orders["order_id"]])
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    params_path = tmp_path / "nb.yaml"
    params_path.write_text("shop: nbtest\nname: Notebook shop\nstore: store.duckdb\nlanguage: ja\n"
                           "as_of: 2026-06-30\n", encoding="utf-8")
    params = load_shop_params(params_path)
    with Store(tmp_path / "store.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=items, accounting=acc), files=["x.csv"])
        seg = Segmenter(st.orders(), st.line_items(), params.segments, params.thresholds)
        lists.freeze_segment(st, "春のDM", seg, "repeat_active", dt.date(2026, 3, 31), control_share=0.3, seed=1)
    run = run_shop(params, dt.date(2026, 6, 30), audience="analyst", notebooks=["segments"],
                   reports_root=tmp_path / "reports")
    assert run.ok, run.error
    figures = read_figures(run.report_dir)["segments"]
    assert figures["customers"] == 60 and figures["lists"] == ["春のDM"]
    assert figures["segments"]["omnichannel"]["customers"] >= 0 and "春のDM" in figures["campaigns"]
    html = (run.report_dir / "segments.html").read_text(encoding="utf-8")
    assert "セグメント分析" in html and "施策の効果" in html and "JupyterLab" in html
    assert not re.search(r'<script[^>]+src="https?://', html)
