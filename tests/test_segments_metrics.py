"""Segment metrics and growth, and campaign measurement against a control group, computed by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import make_orders
from scipy import stats

from ltvlib.segments import Segmenter, campaign, metrics, prose

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def seg(thresholds: dict) -> Segmenter:
    orders = make_orders([
        ("1", "a", "2026-01-01 10:00", 1000.0), ("2", "a", "2026-01-11 10:00", 3000.0),
        ("3", "a", "2026-01-31 10:00", 2000.0),  # gaps 10 and 20 days
        ("4", "b", "2026-03-01 10:00", 500.0), ("5", "b", "2026-03-05 10:00", 500.0),  # gap 4
        ("6", "c", "2026-06-01 10:00", 4000.0),
        ("7", "d", "2026-06-29 10:00", 1000.0, {"channel": "pos"}),
    ])
    defs = {"repeaters": "orders >= 2", "nobody": "orders > 100", "pos": "channels CONTAINS 'pos'"}
    return Segmenter(orders, None, defs, thresholds)


def test_segment_metrics_by_hand(seg: Segmenter) -> None:
    snap = seg.snapshot(AS_OF)
    m = metrics.segment_metrics(snap, seg.membership(AS_OF))
    r = m.loc["repeaters"]  # a (3 orders, 6,000) and b (2 orders, 1,000) of 4 customers with 12,000 in all
    assert r["customers"] == 2 and r["share"] == 0.5
    assert r["net_revenue"] == 7000 and r["revenue_share"] == pytest.approx(7000 / 12000)
    assert r["orders_per_customer"] == 2.5 and r["aov"] == 1400 and r["ltv"] == 3500
    assert r["repeat_rate"] == 1.0
    assert r["median_days_between_orders"] == 10  # gaps 10, 20, 4
    empty = m.loc["nobody"]
    assert empty["customers"] == 0 and np.isnan(empty["ltv"]) and np.isnan(empty["median_days_between_orders"])
    assert m.loc["pos", "repeat_rate"] == 0 and np.isnan(m.loc["pos", "median_days_between_orders"])
    assert list(m.columns) == list(metrics.METRIC_COLUMNS)


def test_one_segment_metrics_for_masks_and_for_labels(seg: Segmenter, thresholds: dict) -> None:
    """The status grid's metrics over a summary and its cell labels equal the grid cells' metrics over the
    snapshot and their masks (every column both have), and the groupby the RFM page used to compute."""
    from ltvlib import rfm

    snap = seg.snapshot(AS_OF)
    summary = snap.summary()
    cells = rfm.status_grid(summary, thresholds)["cell"]
    by_label = metrics.segment_metrics(summary, cells)
    assert list(by_label.index) == rfm.GRID_CELLS  # every cell, empty ones too, in grid order
    assert list(by_label.columns) == [c for c in metrics.METRIC_COLUMNS if c != "median_days_between_orders"]
    by_mask = metrics.segment_metrics(snap, {c: (cells == c).to_numpy() for c in rfm.GRID_CELLS})
    pd.testing.assert_frame_equal(by_label, by_mask[by_label.columns])
    g = pd.DataFrame({"label": cells, "customers": 1, "net_revenue": summary["net_revenue"],
                      "orders": summary["orders"]}).groupby("label", observed=False).sum()
    assert by_label["customers"].tolist() == g["customers"].tolist()
    np.testing.assert_allclose(by_label["net_revenue"], g["net_revenue"], rtol=1e-12)
    np.testing.assert_allclose(by_label["aov"], g["net_revenue"] / g["orders"].replace(0, np.nan), rtol=1e-12)
    # plain labels: sorted, as a groupby would
    plain = metrics.segment_metrics(summary, pd.Series(["y", "x", "y", "x"], index=summary.index))
    assert list(plain.index) == ["x", "y"] and plain["customers"].tolist() == [2, 2]


def test_segments_report_holds_the_page_and_its_figures(seg: Segmenter) -> None:
    rep = metrics.analyse(seg, AS_OF, "en", "JPY", weeks=4)
    assert rep.customers == 4 and rep.overall_ltv == 3000.0 and len(rep.growth) == 5 * len(seg.names)
    pd.testing.assert_frame_equal(rep.metrics, metrics.segment_metrics(seg.snapshot(AS_OF), seg.membership(AS_OF)))
    figs = rep.figures("Segments")
    assert figs["customers"] == 4 and figs["lists"] == [] and figs["campaigns"] == {}
    assert figs["segments"]["repeaters"] == {"customers": 2, "ltv": 3500.0}
    assert figs["segments"]["nobody"] == {"customers": 0, "ltv": None}
    assert figs["key_figures"]["segments"]["value"] == len(seg.names) and figs["key_figures"]["lists"]["value"] == 0


def test_growth_recomputes_each_date(seg: Segmenter) -> None:
    dates = metrics.weekly_dates(AS_OF, 26)
    assert len(dates) == 27 and dates[-1] == AS_OF and dates[0] == AS_OF - dt.timedelta(weeks=26)
    g = metrics.growth(seg, dates, ["repeaters"])
    assert len(g) == 27
    row = g.set_index("date").loc[dt.date(2026, 2, 3)]  # only a: 3 orders by then; customers then: a
    assert row["customers"] == 1 and row["share"] == 1.0 and row["ltv"] == 6000
    for d in dates:  # equal to membership computed at that date
        m = seg.membership(d, ["repeaters"])
        assert g.set_index("date").loc[d, "customers"] == m["repeaters"].sum()
    summary = prose.growth_summary(metrics.growth(seg, dates), min_members=1)
    rep = summary.set_index("segment").loc["repeaters"]
    assert rep["start_customers"] == 0 and rep["end_customers"] == 2 and np.isnan(rep["change"])


def test_figures_draw_into_given_axes(seg: Segmenter) -> None:
    """Like seaborn: given axes (as many as the panels) are drawn on and returned; without them, a figure of its
    own is made and closed."""
    import matplotlib.pyplot as plt

    from ltvlib.plots import segments as seg_plots

    growth = metrics.growth(seg, metrics.weekly_dates(AS_OF, 4), ["repeaters"])
    fig, pair = plt.subplots(1, 2)
    drawn = seg_plots.growth_chart(growth, {"repeaters": "Repeaters"}, "en", axes=pair)
    assert list(drawn) == list(pair) and [len(ax.get_lines()) for ax in pair] == [1, 1]
    effects = pd.DataFrame({"target": [0.5, 0.75, 875.0], "control": [1 / 3, 1 / 3, 800 / 3],
                            "difference": [0.17, 0.42, 608.0], "ci_low": [-0.6, -0.9, -900.0],
                            "ci_high": [0.9, 1.7, 2100.0]},
                           index=["purchase_rate", "orders_per_member", "revenue_per_member"])
    with pytest.raises(ValueError, match="expected 3 axes, got 2"):
        seg_plots.campaign_chart(effects, "en", axes=pair)
    own = seg_plots.campaign_chart(effects, "en", title="spring")
    assert len(own) == 3 and {ax.figure for ax in own} == {own[0].figure} and own[0].figure is not fig
    assert [len(ax.patches) for ax in own] == [2, 2, 2] and not plt.fignum_exists(own[0].figure.number)
    assert plt.fignum_exists(fig.number)
    plt.close(fig)


def _welch(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    q = stats.t.ppf(0.975, df)
    d = x.mean() - y.mean()
    return d, d - q * np.sqrt(vx + vy), d + q * np.sqrt(vx + vy)


def test_campaign_against_control_by_hand() -> None:
    orders = make_orders([
        ("1", "t1", "2026-04-02 10:00", 1000.0), ("2", "t1", "2026-04-20 10:00", 500.0),
        ("3", "t2", "2026-04-10 10:00", 2000.0), ("4", "c1", "2026-04-15 10:00", 800.0),
        ("5", "t3", "2026-03-31 23:00", 9000.0),  # before the window
        ("6", "t3", "2026-05-01 00:00", 9000.0),  # after the window
        ("7", "c2", "2026-04-05 10:00", 700.0, {"cancelled_at": pd.Timestamp("2026-04-06", tz="Asia/Tokyo")}),
        ("8", "x", "2026-04-05 10:00", 700.0),  # not a member
    ])
    members = pd.DataFrame({"customer_key": ["t1", "t2", "t3", "t4", "c1", "c2", "c3"],
                            "group": ["target"] * 4 + ["control"] * 3})
    r = campaign.measure(orders, members, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    g = r.groups
    assert g.loc["target"].to_dict() == pytest.approx({"members": 4, "buyers": 2, "orders": 3, "net_revenue": 3500.0,
                                                        "purchase_rate": 0.5, "orders_per_member": 0.75,
                                                        "revenue_per_member": 875.0})
    assert g.loc["control", "buyers"] == 1 and g.loc["control", "net_revenue"] == 800.0
    t_rev, c_rev = np.array([1500.0, 2000, 0, 0]), np.array([800.0, 0, 0])
    d, lo, hi = _welch(t_rev, c_rev)
    e = r.effects.loc["revenue_per_member"]
    assert e["difference"] == pytest.approx(d) and e["ci_low"] == pytest.approx(lo) and e["ci_high"] == pytest.approx(hi)
    assert e["p_value"] == pytest.approx(stats.ttest_ind(t_rev, c_rev, equal_var=False).pvalue)
    d, lo, hi = _welch(np.array([1.0, 1, 0, 0]), np.array([1.0, 0, 0]))
    assert r.effects.loc["purchase_rate", "difference"] == pytest.approx(0.5 - 1 / 3)
    assert r.effects.loc["purchase_rate", "ci_low"] == pytest.approx(lo)
    assert r.effects.loc["purchase_rate", "lift"] == pytest.approx((0.5 - 1 / 3) / (1 / 3))
    text = campaign.narrative("spring", r, "en", "JPY")
    assert "50.0%" in text and "33.3%" in text and "within chance" in text
    assert "対照群" in campaign.narrative("spring", r, "ja", "JPY")


def test_campaign_without_control_and_windows() -> None:
    orders = make_orders([("1", "t1", "2026-04-02 10:00", 1000.0)])
    members = pd.DataFrame({"customer_key": ["t1", "t2"], "group": ["target", "target"]})
    r = campaign.measure(orders, members, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert r.effects["difference"].isna().all() and r.groups.loc["control", "members"] == 0
    assert "no control group" in campaign.narrative("x", r, "en")
    info = {"as_of": dt.date(2026, 3, 31)}
    assert campaign.window(info, AS_OF) == (dt.date(2026, 4, 1), AS_OF)
    assert campaign.window(info, AS_OF, 30) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    with pytest.raises(ValueError, match="nothing to measure"):
        campaign.window({"as_of": AS_OF}, AS_OF)


def test_measure_all_only_lists_with_control() -> None:
    orders = make_orders([("1", "t1", "2026-04-02 10:00", 1000.0)])
    catalog = pd.DataFrame({"name": ["a", "b", "c"], "control_members": [1, 0, 1],
                            "as_of": [dt.date(2026, 3, 31), dt.date(2026, 3, 31), AS_OF]})
    members = {n: pd.DataFrame({"customer_key": ["t1", "c1"], "group": ["target", "control"]}) for n in "abc"}
    out = campaign.measure_all(orders, catalog, members, AS_OF)
    assert list(out) == ["a"]  # b has no control group, c no days to measure yet
