"""The cohorts page's computations: one definition of first product line, curves over fully observed
cohorts, clipped histograms, and one sentence for each section a small shop cannot fill."""

from __future__ import annotations

import datetime as dt
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib import cohorts
from ltvlib.plots import cohorts as cohort_plots

AS_OF = dt.date(2026, 4, 15)
SETTINGS = {"period": "month", "split_by": ["first_product_line", "first_channel"], "max_periods": 24}


def test_first_order_with_several_lines_is_its_own_group() -> None:
    orders = make_orders([("x1", "x", "2026-01-05 10:00", 300.0), ("x2", "x", "2026-02-05 10:00", 100.0),
                          ("y1", "y", "2026-01-06 10:00", 100.0), ("z1", "z", "2026-01-07 10:00", 100.0)])
    items = make_line_items([("x1", 1, "Sencha", "Tea", 1, 100.0), ("x1", 2, "Yokan", "Sweets", 1, 200.0),
                             ("x1", 3, "Gyokuro", "Tea", 1, 0.0), ("x2", 1, "Yokan", "Sweets", 1, 100.0),
                             ("y1", 1, "Sencha", "Tea", 1, 100.0), ("z1", 1, "Mystery", None, 1, 100.0)])
    acq = cohorts.acquisition(orders, AS_OF, items)
    assert acq["first_product_line"].to_dict() == {"x": cohorts.SEVERAL_LINES, "y": "Tea", "z": cohorts.NONE_LABEL}
    pr = cohorts.product_repeat(orders, items, AS_OF)
    assert pr["first_buyers"].to_dict() == {cohorts.SEVERAL_LINES: 1, "Tea": 1, cohorts.NONE_LABEL: 1}
    assert pr["share"].sum() == pytest.approx(1.0)  # each customer once
    assert pr.loc[cohorts.SEVERAL_LINES, "repeaters"] == 1 and pr.loc["Tea", "repeaters"] == 0
    m = cohorts.cohort_matrix(orders, AS_OF, split="first_product_line", line_items=items)
    assert m.loc[m["period"] == 0, "customers"].sum() == 3
    mix = cohorts.next_purchase_mix(orders, items, AS_OF)
    assert mix[["first_item", "next_item", "customers", "share"]].values.tolist() == [
        [cohorts.SEVERAL_LINES, "Sweets", 1, 1.0]]
    assert not cohorts.shares_exceed_one(mix)
    rep = cohorts.analyse(orders, items, AS_OF, SETTINGS, "en", "JPY", min_customers=1)
    assert "own group, *Several lines*" in rep.explain["line_repeat"]


@pytest.fixture
def young_and_old() -> pd.DataFrame:
    # January cohort: p (100 on 5 Jan, 100 on 5 Mar) and q (100); March cohort: r (50); as of 15 April
    return make_orders([("p1", "p", "2026-01-05 10:00", 100.0), ("q1", "q", "2026-01-10 10:00", 100.0),
                        ("p2", "p", "2026-03-05 10:00", 100.0), ("r1", "r", "2026-03-03 10:00", 50.0)])


def test_curves_rest_on_cohorts_observed_for_the_whole_span(young_and_old: pd.DataFrame) -> None:
    m = cohorts.cohort_matrix(young_and_old, AS_OF)
    assert [str(c) for c in cohorts.observed_cohorts(m, 0)] == ["2026-01", "2026-03"]
    assert [str(c) for c in cohorts.observed_cohorts(m, 1)] == ["2026-01"]  # March's month 1 (April) is not over
    assert cohorts.curve_horizon(m, 12) == 2
    assert cohorts.curve_horizon(m, 12, min_customers=3) == 0 and cohorts.curve_horizon(m, 12, 4) is None
    c = cohorts.ltv_curves(m, horizon=2).set_index("period")
    assert c["cohorts"].tolist() == [1, 1, 1] and c["customers"].tolist() == [2, 2, 2]
    assert c["ltv"].tolist() == [100.0, 100.0, 150.0]  # the young March cohort (50) does not pull month 0 down
    assert c["repeat_2"].tolist() == [0.0, 0.0, 0.5]
    assert (np.diff(c["ltv"]) >= 0).all()
    old = cohorts.ltv_curves(m).set_index("period")  # without a horizon month 0 mixes in March
    assert old.loc[0, "ltv"] == pytest.approx(250 / 3)


def test_key_figure_needs_a_full_year(young_and_old: pd.DataFrame) -> None:
    rep = cohorts.analyse(young_and_old, None, AS_OF, SETTINGS, "en", "JPY", min_customers=1)
    assert rep.horizon == 2
    assert rep.key_figures()["ltv_12"] == {"label": "Cumulative net revenue per customer (month 12)", "value": None,
                                          "text": "–"}
    assert "observed through month 2" in rep.explain["curves"]
    json.dumps(rep.figures("t"), allow_nan=False)


def test_histogram_bins_gather_the_tail_in_a_labelled_last_bin() -> None:
    bins, limit = cohort_plots.histogram_bins(pd.Series([10, 20, 400]), max_days=360)
    assert limit == 360 and bins[-2] == 360 and bins[-1] == 369 and bins[1] - bins[0] == 9
    bins, limit = cohort_plots.histogram_bins(pd.Series([1, 2, 3]), max_days=350)
    assert limit is None and bins.max() >= 3
    iv = pd.DataFrame({"purchase_no": [2, 2, 2], "days": [10, 20, 400]})
    panels = cohort_plots.interval_histograms(iv, "en", max_days=360)
    assert len(panels) == 1 and panels[0].figure.axes == [panels[0]]  # no 2nd-to-3rd panel without a 3rd purchase
    assert panels[0].get_xticklabels()[-1].get_text() == "360+"


def test_cohort_figures_draw_into_a_given_ax() -> None:
    """Each figure draws on the ``ax`` (or ``axes``) it is given and returns it; without one it makes, sizes and
    closes a figure of its own."""
    fig, (left, right) = plt.subplots(1, 2)
    rates = pd.DataFrame({"window_days": [30, 90], "eligible": [10, 4], "repeaters": [2, 1], "rate": [0.2, 0.25]})
    assert cohort_plots.repurchase_bars(rates, "en", ax=right) is right
    assert len(right.patches) == 2 and not left.has_data() and plt.fignum_exists(fig.number)
    iv = pd.DataFrame({"purchase_no": [2, 2, 3], "days": [10, 20, 30]})
    assert cohort_plots.interval_panels(iv) == 2
    drawn = cohort_plots.interval_histograms(iv, "en", axes=[left, right])
    assert list(drawn) == [left, right] and right.get_title() == "2nd to 3rd purchase (n=1)"
    with pytest.raises(ValueError, match="expected 2 axes, got 1"):
        cohort_plots.interval_histograms(iv, "en", axes=[left])
    curve = pd.DataFrame({"period": [0, 1], "customers": [40, 40], "repeat_2": [0.1, 0.2]})
    own = cohort_plots.curves(curve, "repeat_2", "en", percent=True)
    assert own.figure is not fig and tuple(own.figure.get_size_inches()) == (8, 4.2)
    assert len(own.get_lines()) == 1 and not plt.fignum_exists(own.figure.number)
    plt.close(fig)


def _report(rows: list[tuple], lang: str = "en", as_of: dt.date = AS_OF) -> cohorts.CohortReport:
    orders = make_orders(rows)
    items = make_line_items([(r[0], 1, "Sencha", "Tea", 1, r[3]) for r in rows])
    return cohorts.analyse(orders, items, as_of, SETTINGS, lang, "JPY")


def test_no_customers_says_why_once() -> None:
    guests = _report([("g1", None, "2026-01-05 10:00", 100.0), ("g2", None, "2026-02-05 10:00", 50.0),
                      ("c1", "c", "2026-02-06 10:00", 50.0, {"cancelled_at": pd.Timestamp("2026-02-07", tz="Asia/Tokyo")})])
    assert guests.narrative() == ("The 3 orders up to 2026-04-15 cannot be tied to a customer (2 without a customer "
                                  "e-mail or id, 1 cancelled), so there are no cohorts; orders that carry a customer "
                                  "e-mail or id make them possible.")
    assert guests.skipped("curves") and guests.skipped("split:first_channel") and not guests.skipped("revenue")
    assert guests.revenue["unidentified_revenue"].sum() == 150.0
    early = _report([("a1", "a", "2026-05-01 10:00", 100.0)], "ja")
    assert early.narrative() == ("2026-04-15までの注文がありません（最初の注文は2026-05-01）。そのためコホートはまだ"
                                 "ありません。基準日を2026-05-01以降にすると表示されます。")
    assert early.skipped("revenue")
    for rep in (guests, early):
        figs = rep.figures("t")
        json.dumps(figs, allow_nan=False)
        assert all(v["value"] is None and v["text"] == "–" for v in figs["key_figures"].values())


def test_small_shop_sections_say_what_is_missing() -> None:
    rep = _report([("a1", "a", "2026-04-10 10:00", 100.0), ("b1", "b", "2026-04-11 10:00", 100.0)])
    assert rep.note("curves") == ("Repeat and LTV curves need at least 30 customers whose first month is over; "
                                  "this shop has 0, so the curves appear as more customers are acquired.")
    assert rep.note("intervals").startswith("No customer has bought on two different days up to 2026-04-15")
    assert rep.note("rates") == ("Repurchase rates need customers whose first purchase is at least 30 days old; "
                                 "the oldest here is 5 days old, so the rates appear as customers age.")
    assert rep.note("mix").startswith("No customer has made a second purchase")
    assert rep.note("split:first_product_line").startswith("Every customer falls in one group by first product line")
    assert rep.narrative() == "- Over the last 1 month, **0%** of customer revenue came from repeat customers."
    json.dumps(rep.figures("t"), allow_nan=False)


def test_unmapped_product_lines_are_named_as_the_cause() -> None:
    orders = make_orders([("a1", "a", "2026-01-05 10:00", 100.0), ("b1", "b", "2026-01-06 10:00", 100.0)])
    items = make_line_items([("a1", 1, "Sencha", "Other", 1, 100.0), ("b1", 1, "Kombu", None, 1, 100.0)])
    rep = cohorts.analyse(orders, items, AS_OF, SETTINGS, "en", "JPY")
    for key in ("split:first_product_line", "line_repeat", "mix", "rates_by_line"):
        assert rep.note(key).startswith("No product title matched the shop's product-line map"), key
