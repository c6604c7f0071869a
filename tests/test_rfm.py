"""RFM scores, status grid and stage scenario on hand-computed cases, plus partition properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ltvlib.rfm import (
    GRID_CELLS,
    SCENARIO_STAGES,
    rfm_scores,
    stage_scenario,
    status_grid,
    suggest_thresholds,
)
from ltvlib.segments.metrics import segment_metrics


def _summary(orders: list[int], recency: list[int], revenue: list[float] | None = None) -> pd.DataFrame:
    revenue = revenue or [1000.0 * o for o in orders]
    return pd.DataFrame({"orders": orders, "recency_days": recency, "net_revenue": revenue},
                        index=[f"c{i}" for i in range(len(orders))])


def test_status_grid_boundaries(thresholds: dict) -> None:
    s = _summary([1, 1, 2, 4, 5, 9, 1, 3], [0, 120, 121, 180, 181, 360, 361, 5000])
    got = status_grid(s, thresholds)["cell"].astype(str).tolist()
    assert got == ["first_active", "first_active", "repeat_at_risk", "repeat_at_risk", "loyal_dormant",
                   "loyal_dormant", "first_churned", "repeat_churned"]


def test_stage_scenario_boundaries(thresholds: dict) -> None:
    s = _summary([1, 2, 3, 4, 5, 1, 7, 2], [10, 120, 0, 30, 100, 121, 360, 361])
    got = stage_scenario(s, thresholds).astype(str).tolist()
    assert got == ["new", "first_repeat", "regular", "regular", "loyal", "lapsing", "lapsing", "churned"]


def test_rfm_scores_hand_computed(thresholds: dict) -> None:
    s = _summary([1, 2, 3, 5, 10], [400, 200, 100, 50, 10], [100.0, 200.0, 300.0, 400.0, 500.0])
    r = rfm_scores(s, thresholds)
    assert r["r_score"].tolist() == [1, 2, 3, 4, 5]
    assert r["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert r["m_score"].tolist() == [1, 2, 3, 4, 5]
    assert r["rfm_cell"].tolist() == ["111", "222", "333", "444", "555"]


def test_rfm_ties_share_a_score(thresholds: dict) -> None:
    s = _summary([1] * 6, [30, 30, 30, 30, 30, 900])
    r = rfm_scores(s, thresholds)
    assert r["r_score"].iloc[:5].nunique() == 1 and r["r_score"].iloc[5] < r["r_score"].iloc[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3000)), min_size=1, max_size=60))
def test_every_customer_in_exactly_one_cell(rows: list[tuple[int, int]]) -> None:
    th = {"active_days": 90, "at_risk_days": 150, "dormant_days": 300, "repeat_orders": 2, "loyal_orders": 4,
          "f_score_breaks": [2, 3, 5, 10]}
    s = _summary([r[0] for r in rows], [r[1] for r in rows])
    grid = status_grid(s, th)
    assert grid["cell"].notna().all() and set(grid["cell"].astype(str)) <= set(GRID_CELLS)
    scen = stage_scenario(s, th)
    assert scen.notna().all() and set(scen.astype(str)) <= set(SCENARIO_STAGES)
    m = segment_metrics(s, grid["cell"])
    assert m["customers"].sum() == len(s)
    assert np.isclose(m["net_revenue"].sum(), s["net_revenue"].sum())


def test_segment_metrics_hand_computed(thresholds: dict) -> None:
    s = _summary([1, 3, 1], [10, 10, 500], [1000.0, 6000.0, 500.0])
    labels = pd.Series(["x", "x", "y"], index=s.index)
    m = segment_metrics(s, labels)
    assert m.loc["x", "customers"] == 2 and m.loc["x", "ltv"] == 3500.0
    assert m.loc["x", "aov"] == 7000.0 / 4 and m.loc["x", "repeat_rate"] == 0.5
    assert m.loc["y", "revenue_share"] == 500.0 / 7500.0


def test_suggest_thresholds() -> None:
    iv = pd.DataFrame({"days": list(range(1, 101))})
    t = suggest_thresholds(iv).set_index("suggested_for")
    assert t.loc["active_days", "days"] == 81  # ceil of the 80% quantile of 1..100 (80.2)
    assert t.loc["dormant_days", "days"] == 96


def test_interval_histogram_labels_its_clipped_tail() -> None:
    from ltvlib.plots import rfm as rfm_plots

    days = pd.Series([*range(1, 100), 900])
    ax = rfm_plots.interval_histogram(days, "en", max_days=90)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[-1] == "90+" and not any(t.endswith("+") for t in ticks[:-1])
    ax = rfm_plots.interval_histogram(pd.Series([5, 10, 20]), "en", max_days=90)  # nothing clipped: no "+"
    assert not any(t.get_text().endswith("+") for t in ax.get_xticklabels())


def test_figures_draw_into_a_given_ax() -> None:
    """Like seaborn: a given ``ax`` is drawn on and returned; without one, a figure of its own is made and closed."""
    import matplotlib.pyplot as plt

    from ltvlib.plots import rfm as rfm_plots

    fig, (left, right) = plt.subplots(1, 2)
    scores = pd.DataFrame({"r_score": [1, 5, 5], "f_score": [1, 2, 5]})
    assert rfm_plots.rf_heatmap(scores, "en", ax=right) is right
    assert right.collections and not left.has_data() and plt.fignum_exists(fig.number)
    own = rfm_plots.interval_histogram(pd.Series([3, 5, 8]), "en")
    assert own.patches and own.figure is not fig and not plt.fignum_exists(own.figure.number)
    plt.close(fig)
