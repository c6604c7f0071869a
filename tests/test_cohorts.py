"""Cohort matrices and repeat-buying facts against hand-computed tiny shops, plus invariants."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltvlib import cohorts
from ltvlib.customers import customer_summary, repurchase_intervals

AS_OF = dt.date(2026, 4, 15)
TZ = "Asia/Tokyo"


@pytest.fixture
def orders() -> pd.DataFrame:
    return make_orders(
        [
            # a: first purchase day 31 Jan (Tokyo) with two orders; next day 1 Feb 00:10 Tokyo is still
            # 31 Jan in UTC, but a new day and a new month in the shop's zone
            ("a1", "a", "2026-01-31 23:30", 1000.0),
            ("a2", "a", "2026-01-31 23:50", 500.0),
            ("a3", "a", "2026-02-01 00:10", 2000.0),
            ("a4", "a", "2026-03-10 12:00", 3000.0),
            # b: partly refunded first order (net 600), comes back on 1 April
            ("b1", "b", "2026-01-05 10:00", 600.0, {"total": 800.0, "refunded_amount": 200.0,
                                                    "financial_status": "partially_refunded",
                                                    "discount_codes": ["WELCOME10"], "channel": "pos",
                                                    "source": "pos"}),
            ("b2", "b", "2026-04-01 09:00", 400.0),
            # c: first order 1 Feb 00:30 Tokyo (31 Jan in UTC): a February customer
            ("c1", "c", "2026-02-01 00:30", 700.0),
            ("c2", "c", "2026-02-20 18:00", 300.0),
            ("d1", "d", "2026-02-10 12:00", 999.0, {"cancelled_at": pd.Timestamp("2026-02-10 13:00", tz=TZ)}),
            ("g1", None, "2026-02-15 12:00", 250.0),  # guest
            ("e1", "e", "2026-03-31 23:59", 100.0),
            ("e2", "e", "2026-04-16 00:00", 5000.0),  # after as_of: invisible
        ]
    )


@pytest.fixture
def items() -> pd.DataFrame:
    return make_line_items(
        [
            ("a1", 1, "Sencha", "Tea", 1, 1000.0), ("a2", 1, "Yokan", "Sweets", 1, 500.0),
            ("a3", 1, "Yokan", "Sweets", 1, 2000.0), ("a4", 1, "Sencha", "Tea", 1, 3000.0),
            ("b1", 1, "Sencha", "Tea", 1, 800.0), ("b2", 1, "Kombu", "Umami", 1, 400.0),
            ("c1", 1, "Sampler", "Trial", 1, 700.0), ("c2", 1, "Sencha", "Tea", 1, 150.0),
            ("c2", 2, "Yokan", "Sweets", 1, 150.0), ("d1", 1, "Sencha", "Tea", 1, 999.0),
            ("g1", 1, "Sencha", "Tea", 1, 250.0), ("e1", 1, "Hojicha", "Tea", 1, 100.0),
            ("e2", 1, "Sencha", "Tea", 1, 5000.0),
        ]
    )


def _cell(m: pd.DataFrame, cohort: str, k: int, freq: str = "M") -> pd.Series:
    row = m.loc[(m["cohort"] == pd.Period(cohort, freq)) & (m["period"] == k)]
    assert len(row) == 1, (cohort, k)
    return row.iloc[0]


def test_month_matrix_hand_computed(orders: pd.DataFrame) -> None:
    m = cohorts.cohort_matrix(orders, AS_OF)
    assert [str(c) for c in m["cohort"].unique()] == ["2026-01", "2026-02", "2026-03"]
    # January cohort: a and b
    jan = [_cell(m, "2026-01", k) for k in range(4)]
    assert [c["customers"] for c in jan] == [2, 2, 2, 2]
    assert [c["active_customers"] for c in jan] == [2, 1, 1, 1]
    assert [c["orders"] for c in jan] == [3, 1, 1, 1]  # a's two same-day orders are two orders
    assert [c["net_revenue"] for c in jan] == [2100.0, 2000.0, 3000.0, 400.0]  # b's refund netted out
    assert [c["cum_net_revenue"] for c in jan] == [2100.0, 4100.0, 7100.0, 7500.0]
    assert [c["ltv"] for c in jan] == [1050.0, 2050.0, 3550.0, 3750.0]
    # the same-day second order is not a repeat; a's next-day order (1 Feb, Tokyo) is, in period 1
    assert [c["repeaters_2"] for c in jan] == [0, 1, 1, 2]
    assert [c["repeat_2"] for c in jan] == [0.0, 0.5, 0.5, 1.0]
    assert [c["repeaters_3"] for c in jan] == [0, 0, 1, 1]
    assert [c["repeaters_4"] for c in jan] == [0, 0, 0, 0]
    assert [c["retention"] for c in jan] == [1.0, 0.5, 0.5, 0.5]
    assert [c["complete"] for c in jan] == [True, True, True, False]  # April is still running on 15 April
    # February cohort: c only (its first order is 31 January in UTC)
    feb0 = _cell(m, "2026-02", 0)
    assert feb0["customers"] == 1 and feb0["orders"] == 2 and feb0["net_revenue"] == 1000.0
    assert feb0["repeaters_2"] == 1  # second purchase within the acquisition month
    assert _cell(m, "2026-02", 1)["active_customers"] == 0
    # March cohort: e (its April order is after as_of); d (cancelled only) and the guest are not customers
    assert _cell(m, "2026-03", 1)["orders"] == 0
    assert m.loc[m["period"] == 0, "customers"].sum() == 4
    assert len(m) == 4 + 3 + 2
    shuffled = orders.sample(frac=1.0, random_state=3)
    shuffled.index = [0] * len(shuffled)  # any order, any index
    pd.testing.assert_frame_equal(cohorts.cohort_matrix(shuffled, AS_OF), m)


def test_week_and_quarter_periods(orders: pd.DataFrame) -> None:
    w = cohorts.cohort_matrix(orders, AS_OF, period="week")
    # Sat 31 Jan and Sun 1 Feb are one Monday-to-Sunday week: a (31 Jan) and c (1 Feb) share a cohort,
    # and a's 1 Feb order is a repeat within week 0
    wk = w.loc[(w["cohort"] == pd.Period("2026-02-01", "W-SUN")) & (w["period"] == 0)].iloc[0]
    assert str(wk["cohort"]) == "2026-01-26/2026-02-01"
    assert wk["customers"] == 2 and wk["repeaters_2"] == 1 and wk["orders"] == 4
    c_again = w.loc[(w["cohort"] == pd.Period("2026-01-26", "W-SUN")) & (w["period"] == 3)].iloc[0]
    assert c_again["repeaters_2"] == 2 and c_again["net_revenue"] == 300.0  # c's 20 Feb order, week 3
    q = cohorts.cohort_matrix(orders, AS_OF, period="quarter")
    q0, q1 = _cell(q, "2026Q1", 0, "Q"), _cell(q, "2026Q1", 1, "Q")
    assert q0["customers"] == 4 and q0["repeaters_2"] == 2 and q1["repeaters_2"] == 3
    assert q0["net_revenue"] == 2100 + 2000 + 3000 + 1000 + 100 and q1["net_revenue"] == 400.0
    assert not q1["complete"]


def test_max_periods_and_split(orders: pd.DataFrame, items: pd.DataFrame) -> None:
    m = cohorts.cohort_matrix(orders, AS_OF, max_periods=1)
    assert m["period"].max() == 1
    s = cohorts.cohort_matrix(orders, AS_OF, split="first_product_line", line_items=items)
    jan = s.loc[(s["cohort"] == pd.Period("2026-01", "M")) & (s["period"] == 0)]
    assert jan.set_index("first_product_line")["customers"].to_dict() == {"Tea": 2}
    feb = s.loc[(s["cohort"] == pd.Period("2026-02", "M")) & (s["period"] == 0)]
    assert feb.set_index("first_product_line")["customers"].to_dict() == {"Trial": 1}
    d = cohorts.cohort_matrix(orders, AS_OF, split="first_discount_code")
    jan = d.loc[(d["cohort"] == pd.Period("2026-01", "M")) & (d["period"] == 3)].set_index("first_discount_code")
    assert jan["customers"].to_dict() == {"WELCOME10": 1, "none": 1}
    assert jan.loc["WELCOME10", "cum_net_revenue"] == 1000.0
    src = cohorts.acquisition(orders, AS_OF, items)
    assert src.loc["b", "first_source"] == "pos" and src.loc["a", "first_product"] == "Sencha"
    summary = customer_summary(orders, AS_OF, line_items=items)
    pd.testing.assert_series_equal(src["first_product_line"], summary["first_product_line"].loc[src.index],
                                   check_dtype=False)  # the summary's text is arrow-backed
    with pytest.raises(ValueError, match="needs line_items"):
        cohorts.cohort_matrix(orders, AS_OF, split="first_product")
    with pytest.raises(ValueError, match="split must be one of"):
        cohorts.cohort_matrix(orders, AS_OF, split="email")


def test_ltv_curves_use_complete_periods(orders: pd.DataFrame) -> None:
    c = cohorts.ltv_curves(cohorts.cohort_matrix(orders, AS_OF)).set_index("period")
    assert c.loc[0, "customers"] == 4 and c.loc[0, "repeat_2"] == 0.25 and c.loc[0, "ltv"] == 800.0
    assert c.loc[1, "cohorts"] == 2 and c.loc[1, "customers"] == 3  # March's April is not over yet
    assert c.loc[1, "repeat_2"] == pytest.approx(2 / 3) and c.loc[1, "ltv"] == pytest.approx(5100 / 3)
    assert c.loc[2, "customers"] == 2 and c.loc[2, "ltv"] == 3550.0
    assert 3 not in c.index


def test_repurchase_rates_eligibility(orders: pd.DataFrame) -> None:
    r = cohorts.repurchase_rates(orders, AS_OF, windows=(30, 90)).set_index("window_days")
    # tenure on 15 April: a 74 days, b 100, c 73, e 15; 2nd purchase after a 1 day, b 86, c 19
    assert r.loc[30, "eligible"] == 3 and r.loc[30, "repeaters"] == 2
    assert r.loc[90, "eligible"] == 1 and r.loc[90, "repeaters"] == 1 and r.loc[90, "rate"] == 1.0


def test_revenue_new_vs_repeat(orders: pd.DataFrame) -> None:
    r = cohorts.revenue_new_vs_repeat(orders, AS_OF).set_index(pd.Index(["jan", "feb", "mar", "apr"]))
    assert r["new_revenue"].tolist() == [2100.0, 700.0, 100.0, 0.0]
    assert r["repeat_revenue"].tolist() == [0.0, 2300.0, 3000.0, 400.0]
    assert r["unidentified_revenue"].tolist() == [0.0, 250.0, 0.0, 0.0]  # cancelled order left out
    assert r.loc["feb", "new_customers"] == 1 and r.loc["feb", "repeat_customers"] == 2
    assert r.loc["feb", "repeat_revenue_share"] == pytest.approx(2300 / 3000)
    assert str(r["period"].iloc[0]) == "2026-01"


def test_intervals_and_next_purchase(orders: pd.DataFrame, items: pd.DataFrame) -> None:
    iv = cohorts.interval_summary(repurchase_intervals(orders, AS_OF))
    assert iv.loc[2, "repurchases"] == 3 and iv.loc[2, "median"] == 19 and iv.loc[2, "mean"] == pytest.approx(106 / 3)
    assert iv.loc[3, "repurchases"] == 1 and iv.loc[3, "median"] == 37
    pr = cohorts.product_repeat(orders, items, AS_OF)
    # first orders: a1 Tea, b1 Tea, e1 Tea, c1 Trial (a's later order a2 the same day does not change it)
    assert pr.loc["Tea", "first_buyers"] == 3 and pr.loc["Tea", "repeaters"] == 2
    assert pr.loc["Tea", "median_days_to_second"] == 43.5  # a after 1 day, b after 86
    assert pr.loc["Trial", "first_buyers"] == 1 and pr.loc["Trial", "repeat_rate"] == 1.0
    assert "Sweets" not in pr.index and pr["share"].sum() == pytest.approx(1.0)
    assert pr["first_buyers"].sum() == 4  # every customer once
    mix = cohorts.next_purchase_mix(orders, items, AS_OF).set_index(["first_item", "next_item"])
    assert mix.loc[("Tea", "Sweets"), "customers"] == 1 and mix.loc[("Tea", "Sweets"), "share"] == 0.5
    assert mix.loc[("Tea", "Umami"), "share"] == 0.5
    assert mix.loc[("Trial", "Tea"), "share"] == 1.0 and mix.loc[("Trial", "Sweets"), "share"] == 1.0
    assert ("Umami", "Tea") not in mix.index
    # c's second purchase holds Tea and Sweets: Trial's shares add up to 200%, and the page says why
    assert cohorts.shares_exceed_one(mix.reset_index())


def test_narrative_reads_the_numbers(orders: pd.DataFrame, items: pd.DataFrame) -> None:
    m = cohorts.cohort_matrix(orders, AS_OF, split="first_product_line", line_items=items)
    curves = cohorts.ltv_curves(m, "first_product_line")
    rates = cohorts.repurchase_rates(orders, AS_OF, windows=(30, 90))
    rev = cohorts.revenue_new_vs_repeat(orders, AS_OF)
    iv = cohorts.interval_summary(repurchase_intervals(orders, AS_OF))
    en = cohorts.narrative({"first_product_line": curves}, rates, rev, iv, "en", k=0, min_customers=1)
    assert "**100.0%** of first-time buyers placed a second order within 90 days" in en
    assert "*Trial* reach a **100%** repeat rate by month 0, against **0%** for *Tea*" in en
    ja = cohorts.narrative({"first_product_line": curves}, rates, rev, iv, "ja", k=0, min_customers=1)
    assert "中央値は **19日**" in ja and "0か月目まで" in ja and "直近4か月の顧客売上" in ja
    # only Tea has two or more customers: no comparison is drawn from a single customer
    assert "By first product line" not in cohorts.narrative({"first_product_line": curves}, rates, rev, iv, "en",
                                                            k=0, min_customers=2)
    mix = cohorts.next_purchase_mix(orders, items, AS_OF)
    en = cohorts.narrative({}, rates, rev, iv, "en", mix=mix)
    assert "Repeat buyers who started with *Tea* most often bought *Sweets* on their second purchase (50%" in en


# -- invariants on random shops ---------------------------------------------------------------------

@st.composite
def _shops(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    start = pd.Timestamp("2025-01-01", tz=TZ)
    rows = []
    for i in range(n):
        minute = draw(st.integers(0, 500 * 24 * 60))
        key = f"k{draw(st.integers(0, 8))}"
        rows.append((str(i), key, (start + pd.Timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M"),
                     float(draw(st.integers(0, 5000))), {"channel": draw(st.sampled_from(["online_store", "pos"]))}))
    return make_orders(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shops(), st.sampled_from(["month", "week", "quarter"]))
def test_matrix_invariants(o: pd.DataFrame, period: str) -> None:
    as_of = dt.date(2026, 5, 20)
    both = cohorts.cohort_matrices(o, as_of, period=period, splits=[None, "first_channel"])
    m = both[None]
    pd.testing.assert_frame_equal(m, cohorts.cohort_matrix(o, as_of, period=period))
    summed = both["first_channel"].groupby(["cohort", "period"])[["customers", "orders", "cum_net_revenue",
                                                                  "repeaters_2", "active_customers"]].sum()
    np.testing.assert_allclose(summed.to_numpy(), m.set_index(["cohort", "period"])[summed.columns].to_numpy())
    s = customer_summary(o, as_of)
    assert m.loc[m["period"] == 0, "customers"].sum() == len(s)
    assert (m.loc[m["period"] == 0, "retention"] == 1.0).all()
    assert m["orders"].sum() == s["orders"].sum()
    last = m.groupby("cohort")["period"].transform("max") == m["period"]
    assert m.loc[last, "cum_net_revenue"].sum() == pytest.approx(s["net_revenue"].sum())
    assert m.loc[last, "repeaters_2"].sum() == (s["frequency"] >= 1).sum()
    assert m.loc[last, "repeaters_4"].sum() == (s["frequency"] >= 3).sum()
    for _, g in m.groupby("cohort"):
        for col in ("repeat_2", "repeat_3", "repeat_4", "cum_net_revenue"):
            assert (np.diff(g[col].to_numpy()) >= -1e-9).all()
    assert ((m["repeat_2"] >= m["repeat_3"]) & (m["repeat_3"] >= m["repeat_4"]) & (m["repeat_2"] <= 1)).all()
    assert (m["active_customers"] <= m["customers"]).all()
    r = cohorts.revenue_new_vs_repeat(o, as_of, period=period)
    assert r["new_revenue"].sum() + r["repeat_revenue"].sum() == pytest.approx(s["net_revenue"].sum())
    assert r["new_customers"].sum() == len(s)


# -- the report notebook, end to end ----------------------------------------------------------------

@pytest.mark.slow
def test_cohorts_notebook_on_demo_shop(tmp_path: Path) -> None:
    from ltvlib import demo
    from ltvlib.cli import main
    from ltvlib.params import load_shop_params
    from ltvlib.report import read_figures
    from ltvlib.store import Store

    shop = tmp_path / "nb.yaml"
    shop.write_text("shop: nb\nname: Test shop\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: ja\n"
                    "store: store.duckdb\nas_of: 2026-06-30\n", encoding="utf-8")
    demo.write_shopify_export(tmp_path / "export.csv", customers=600, seed=5)
    assert main(["import", str(shop), str(tmp_path / "export.csv")]) == 0
    assert main(["run", str(shop), "--notebooks", "cohorts", "--reports-dir", str(tmp_path / "r")]) == 0
    out = tmp_path / "r" / "nb" / "2026-06-30"
    html = (out / "cohorts.html").read_text(encoding="utf-8")
    assert "リピート率" in html and "cohort_matrix(" not in html  # Japanese prose, no code for clients
    assert html.count("data:image/png;base64") >= 8
    assert not [s for s in re.findall(r'src="([^"]+)"', html) if s.startswith("http")]
    figs = read_figures(out)["cohorts"]
    params = load_shop_params(shop)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders()
    rates = cohorts.repurchase_rates(orders, params.as_of).set_index("window_days")["rate"]
    assert figs["key_figures"]["repeat_rate_365d"]["value"] == pytest.approx(rates[365])
    assert figs["customers"] == customer_summary(orders, params.as_of).shape[0]
