"""Plotly in report pages (``ltvlib.plots.web``) and the journey's movers panel: bundle, config, escaping."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import types

import pandas as pd
import plotly.offline

from ltvlib import plots
from ltvlib.journey import movers_panel
from ltvlib.plots import journey as journey_plots
from ltvlib.plots import web


def test_bundle_matches_plotly_python_and_has_sankey_and_ja() -> None:
    assert web.bundle_version() == plotly.offline.get_plotlyjs_version()
    js = gzip.decompress(web._bundle()).decode("utf-8")
    assert "sankey" in js and "\\u81EA\\u52D5" in js and len(js) < 2_000_000  # "自動" (Autoscale) of the ja locale
    loader = web.loader_html()
    assert "DecompressionStream" in loader and "blob" in loader and len(loader) < 700_000


def test_json_script_escapes_markup() -> None:
    text = web.json_script({"a": "</script><img src=x onerror=alert(1)> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><img src=x onerror=alert(1)> & \u2028"}


def test_config_for_clients() -> None:
    c = web.config("ja")
    assert c["locale"] == "ja" and not c["displaylogo"]
    assert {"sendDataToCloud", "lasso2d", "select2d", "editInChartStudio"} <= set(c["modeBarButtonsToRemove"])
    assert "locale" not in web.config("en")


def _window(matrix: pd.DataFrame) -> types.SimpleNamespace:
    return types.SimpleNamespace(matrix=lambda: matrix, first_day=dt.date(2026, 6, 24), end=dt.date(2026, 6, 30),
                                 days=7)


def test_heatmap_with_one_row_keeps_its_cells() -> None:
    plots.use_report_style()
    m = pd.DataFrame([[12, 3]], index=["a"], columns=["a", "b"])
    names = {"a": {"ja": "オンラインストアで購入（とても長いセグメント名の例です）"}, "b": {"ja": "店舗（POS）で購入"}}
    j = types.SimpleNamespace(display_title=lambda lang: "チャネルミックス", segment_names=names, source=None,
                              thresholds={})
    ax = journey_plots.flow_heatmap(_window(m), j, "ja")
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert box.height >= 0.35 * fig.bbox.height  # the single row is not squeezed under title and labels
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels())
    assert "\n" in ax.get_yticklabels()[0].get_text()  # long names wrap


def test_movers_panel_embeds_escaped_pseudonymised_rows() -> None:
    payload = "<img src=x onerror=alert(1)>"
    summary = pd.DataFrame({"email": ["a@example.jp", "b@example.jp", "c@example.jp"],
                            "first_product_line": [payload, "Tea", "Tea"], "first_channel": ["pos"] * 3,
                            "orders": [1, 2, 3], "net_revenue": [100.0, 300.0, 200.0],
                            "first_order_at": pd.to_datetime(["2026-01-01"] * 3),
                            "last_order_at": pd.to_datetime(["2026-06-01"] * 3)},
                           index=pd.Index(["k1", "k2", "k3"], name="customer_key"))
    window = types.SimpleNamespace(movers=lambda a, b: pd.Index(["k1", "k2", "k3"], name="customer_key"))
    j = types.SimpleNamespace(segment_names={"x": {"en": "X"}, "y": {"en": "Y"}}, source=None, thresholds={})
    page = movers_panel(window, j, summary, {("x", "y"): "exports/x-to-y.csv"}, "en", group="grid",
                        show_personal_data=False, secret=b"k" * 32, rows=2)
    data = re.search(r'<script type="application/json" class="ltv-movers-data">(.*?)</script>', page, re.S).group(1)
    assert "<img" not in data and "example.jp" not in data and "k1" not in data
    flow = json.loads(data)["flows"]["exports/x-to-y.csv"]
    assert flow["n"] == 3 and len(flow["rows"]) == 2 and flow["title"] == "X → Y"
    assert [r[4] for r in flow["rows"]] == [300.0, 200.0]  # largest revenue first
    assert "in store (POS)" in flow["rows"][0]
    assert "innerHTML" not in page
