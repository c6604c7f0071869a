"""Journey report pieces: prose, HTML flow table, figures, the movers picker, condition-segment wiring,
and the notebook end to end (slow)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.customers import customer_summary
from ltvlib.journey import (
    NEW,
    OUTSIDE,
    HistoryMembership,
    OrderHistory,
    build_journeys,
    export_flows,
    flow_options,
    flow_profile,
    flows_html,
    intro,
    mover_profile,
    movers_picker,
    movers_table,
    profile_narrative,
    profile_table,
    segment_label,
    trend_narrative,
    window_flows,
)
from ltvlib.plots import journey as journey_plots
from ltvlib.rfm import GRID_CELLS

AS_OF = dt.date(2026, 6, 30)
START = AS_OF - dt.timedelta(days=7)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def shop(thresholds: dict):
    orders = make_orders([
        ("1", "a", "2026-02-23 12:00", 1000.0),  # first_active -> first_at_risk in the last 7 days
        ("2", "b", "2025-12-05 12:00", 1000.0, {"discount_codes": ["WELCOME10"]}),
        ("3", "b", "2026-06-25 10:00", 2000.0, {"channel": "pos"}),  # first_dormant -> repeat_active
        ("4", "c", "2026-06-28 10:00", 1500.0),  # new
        ("5", "d", "2026-06-13 12:00", 1000.0),
    ])
    items = make_line_items([(o, 1, "Umami A", "Umami", 1, 1000.0) for o in "12345"])
    spec = {"grid": {"title": {"en": "Grid", "ja": "グリッド"}, "source": "status_grid",
                     "trend": [["first_active", "first_at_risk"], ["_new", "first_active"]]}}
    j = build_journeys(spec, orders, AS_OF, thresholds, line_items=items)["grid"]
    return orders, items, j, j.window(AS_OF)


def test_flows_html_links_every_exported_flow(shop, tmp_path: Path) -> None:
    orders, items, j, w = shop
    summary = customer_summary(orders, AS_OF, items)
    links = export_flows(w, "grid", summary, tmp_path, show_personal_data=False, secret=b"k" * 32)
    assert set(links) == {("first_active", "first_at_risk"), ("first_dormant", "repeat_active"),
                          (NEW, "first_active")}
    for path in links.values():
        assert (tmp_path / path).is_file()
    page = flows_html(w, j, "en", links)
    assert page.count("<tr>") == 4  # header + 2 moves + 1 entry
    assert '<a href="exports/journey-grid-first_dormant-to-repeat_active.csv">1</a>' in page
    assert "First · Dormant" in page and "New customers (first order)" in page
    assert "新規顧客（初回購入）" in flows_html(w, j, "ja", links)


def test_profile_and_prose(shop) -> None:
    orders, items, j, w = shop
    summary = customer_summary(orders, AS_OF, items)
    movers = movers_table(w, "first_dormant", "repeat_active", summary)
    prof = mover_profile(movers, summary)  # base: everyone
    shown = profile_table(prof, "ja")
    assert ("初回購入で割引を利用", "あり") in shown.index
    assert shown.loc[("初回購入で割引を利用", "あり"), "移動顧客に占める割合"] == "100%"
    assert "Only 1 customer moved" in profile_narrative(prof, "en")
    text = profile_narrative(prof, "en", min_movers=1)
    assert "*First order used a discount: yes* for **100%** of them (vs 25% of the origin segment)" in text
    assert "同じ" in profile_narrative(prof.assign(lift=1.0), "ja", min_movers=1)
    start = w.membership("start")
    origin = summary.reindex(start.index[start["first_dormant"].to_numpy()])
    expected = mover_profile(movers, origin)  # the page's profile: against the origin segment at the start
    pd.testing.assert_frame_equal(flow_profile(w, "first_dormant", "repeat_active", summary), expected)
    assert expected["base_share"].gt(0).all() and len(origin) < len(summary)
    assert "newly joined" in intro("en") and "新たに" in intro("ja", 7)
    trend = j.trend_counts(AS_OF, weeks=26)
    assert set(trend["source"]) == {"first_active", NEW}
    assert re.search(r"\*First · Active \\\([^)]*120 days\\\)\* → \*First · At risk \\\(121–180 days\\\)\*",
                     trend_narrative(j, trend, "en"))


def test_trend_defaults_to_the_largest_arrows(shop) -> None:
    _, _, j, _ = shop
    bare = type(j)(j.name, j.title, j.source, j.segments, j.arrows)  # no trend flows configured
    t = bare.trend_counts(AS_OF, weeks=52, top=2)
    assert set(t["kind"]) == {"move"} and t.groupby(["source", "target"]).ngroups == 2
    assert ("first_active", "first_at_risk") in set(zip(t["source"], t["target"]))


def test_figures(shop) -> None:
    orders, items, j, w = shop
    fig = journey_plots.sankey(w, j, "ja")
    link = fig.data[0].link
    assert sorted(link.value) == [1, 1, 1]  # two moves and one entry (stays left out)
    labels = list(fig.data[0].node.label)
    assert "新規顧客（初回購入）" in labels and "初回・アクティブ（120日以内） (期初)" in labels
    with_stays = journey_plots.sankey(w, j, "en", include_stays=True)
    assert sum(with_stays.data[0].link.value) == 3 + 1  # + d stays first_active
    html = journey_plots.figure_html(fig, "ja", include_plotlyjs=True)
    assert 'src="http' not in html and 300_000 < len(html) < 800_000  # plotly.js compressed inline, no network
    alone = journey_plots.figure_html(fig, "ja", include_plotlyjs=False)
    assert len(alone) < 100_000 and "ltv-plotly-js" not in alone
    assert '"locale":"ja"' in alone and '"lasso2d"' in alone and '"displaylogo":false' in alone
    assert "Plotly.newPlot" in alone and alone.index("ltvCharts") < alone.index("Plotly.newPlot")  # waits for plotly
    assert "人" in fig.data[0].link.hovertemplate and "人" in fig.data[0].node.hovertemplate
    assert "customers" in with_stays.data[0].node.hovertemplate
    assert fig.data[0].node.x is None and fig.data[0].node.y is None  # plotly places nodes inside the plot
    ax = journey_plots.flow_heatmap(w, j, "en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["First · Active (within 120 days)",
                                                           "First · Dormant (181–360 days)"]
    assert [t.get_rotation() for t in ax.get_yticklabels()] == [0, 0]
    trend = j.trend_counts(AS_OF, weeks=26)
    lines = journey_plots.trend_lines(trend, j, "en").get_lines()
    assert len(lines) == 2 and max(lines[0].get_ydata()) == 1


def test_figures_draw_into_a_given_ax(shop) -> None:
    """Like seaborn: a given ``ax`` is drawn on and returned; without one, a figure of its own is made and closed."""
    _, _, j, w = shop
    fig, (left, right) = plt.subplots(1, 2)
    assert journey_plots.flow_heatmap(w, j, "en", ax=right) is right
    assert right.collections and not left.has_data() and plt.fignum_exists(fig.number)
    own = journey_plots.trend_lines(j.trend_counts(AS_OF, weeks=26), j, "en")
    assert own.get_lines() and own.figure is not fig and not plt.fignum_exists(own.figure.number)
    plt.close(fig)


def test_movers_picker(shop) -> None:
    orders, items, j, w = shop
    summary = customer_summary(orders, AS_OF, items)
    options = flow_options({"grid": j}, {"grid": w}, "en")
    assert [o[1] for o in options] == [("grid", "first_active", "first_at_risk"),
                                       ("grid", "first_dormant", "repeat_active"), ("grid", NEW, "first_active")]
    box = movers_picker({"grid": j}, {"grid": w}, summary, "en", show_personal_data=False, secret=b"k" * 32)
    pick, out = box.children
    pick.value = ("grid", "first_dormant", "repeat_active")
    shown = out.outputs[-1]["data"]["text/plain"]
    assert "C-" in shown and " b " not in shown  # pseudonymised


def test_condition_segments_source(thresholds: dict) -> None:
    """Journeys over params segments are evaluated by ltvlib.segments at both ends of the window."""
    orders = make_orders([("1", "a", "2026-01-10 12:00", 1500.0), ("2", "a", "2026-06-27 12:00", 1500.0),
                          ("3", "b", "2026-06-01 12:00", 500.0), ("4", "c", "2026-06-29 12:00", 2500.0)])
    definitions = {"big": {"condition": "net_revenue >= 2000", "en": "Big spenders", "ja": "高額顧客"},
                   "returning": "orders >= 2"}
    js = build_journeys({"vip": {"source": "segments", "segments": ["returning", "big"],
                                 "arrows": [["returning", "big"]]}},
                        orders, AS_OF, thresholds, segment_definitions=definitions)
    w = js["vip"].window(AS_OF)
    f = w.flows.set_index(["source", "target"])["customers"]
    assert list(w.movers(OUTSIDE, "big")) == ["a"] and list(w.movers(OUTSIDE, "returning")) == ["a"]
    assert list(w.movers(NEW, "big")) == ["c"] and f[("returning", "big")] == 0
    assert w.membership("start").index.tolist() == ["a", "b"]
    assert segment_label("big", "ja", js["vip"]) == "高額顧客"
    with pytest.raises(ValueError, match=r"journeys\.x\.segments"):
        build_journeys({"x": {"source": "segments", "segments": ["nope"]}}, orders, AS_OF, thresholds,
                       segment_definitions=definitions)


def test_generic_source_trend_matches_fast_path(shop, thresholds: dict) -> None:
    orders, items, j, _ = shop
    h = OrderHistory(orders, as_of=AS_OF)
    fast = HistoryMembership(h, "status_grid", tuple(GRID_CELLS), thresholds, {})
    a = window_flows(fast, START, AS_OF)
    b = window_flows(lambda d: fast(d), START, AS_OF, segments=GRID_CELLS)
    pd.testing.assert_frame_equal(a.flows, b.flows)


@pytest.mark.slow
def test_notebook_runs_end_to_end(tmp_path: Path) -> None:
    """The journey notebook on a small demo shop: HTML offline with one inline plotly.js, figures, exports."""
    from ltvlib import demo
    from ltvlib.io import load_files
    from ltvlib.params import load_shop_params
    from ltvlib.report import run_shop
    from ltvlib.store import Store

    export = tmp_path / "orders_export.csv"
    demo.write_shopify_export(export, customers=600, seed=3)
    text = (ROOT / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
    params_path = tmp_path / "shop.yaml"
    params_path.write_text(text.replace("shop: demo", "shop: jtest")
                           .replace("../../data/demo/store.duckdb", str(tmp_path / "store.duckdb"))
                           .replace("../../data/demo/orders_export.csv", str(export)), encoding="utf-8")
    params = load_shop_params(params_path)
    res = load_files([export], timezone=params.timezone, loader="shopify",
                     product_lines=params.sources[0].get("product_lines"))
    with Store(params.store, timezone=params.timezone) as store:
        store.upsert(res, files=[str(export)])
    run = run_shop(params, AS_OF, audience="client", notebooks=["journey"], reports_root=tmp_path / "reports")
    assert run.ok, run.error
    page = (run.report_dir / "journey.html").read_text(encoding="utf-8")
    assert 'src="http' not in page and page.count('id="ltv-plotly-js"') == 1 and "window.PlotlyConfig" not in page
    assert page.count('class="plotly-graph-div ltv-chart"') == 6  # one Sankey per default journey
    assert page.count('class="ltv-movers"') == 6 and len(page.encode()) < 2_500_000
    figures = json.loads((run.report_dir / "journey.figures.json").read_text(encoding="utf-8"))
    assert set(figures["journeys"]) == {"status_grid", "stage_scenario", "product_lines", "channels", "channel_mix",
                                        "winback"}
    for info in figures["journeys"].values():
        for path in info["exports"].values():
            assert (run.report_dir / path).is_file()
    assert "@example.jp" not in "".join(p.read_text(encoding="utf-8-sig")
                                         for p in (run.report_dir / "exports").glob("*.csv"))
    shutil.rmtree(tmp_path / "reports")
