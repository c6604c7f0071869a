"""Acquisition payback (marketing-spend file, CAC, realised LTV:CAC, payback month) and the repurchase cycle per
product line, against tiny shops computed by hand."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders
from pagecheck import page_problems, visible_text

from ltvlib import cohorts
from ltvlib.history import OrderHistory

AS_OF = dt.date(2026, 5, 10)  # months Jan-Apr are over; May is the report month
SETTINGS = {"period": "month", "split_by": ["first_channel"], "max_periods": 24}
POS = {"channel": "pos", "source": "pos"}
SPEND_CSV = (
    "month,channel,spend,campaign\n"
    "2026-01,online_store,1200,search\n"
    "2026-01,online_store,800,social\n"  # one month and channel over two campaigns: 2,000 in all
    "2026-01,pos,1000,flyers\n"
    "\n"
    "2026-02,online_store,3000,search\n"
    "2026-03,pos,0,\n"
    "2026-06,online_store,500,search\n"  # after the report month: skipped
)


@pytest.fixture
def orders() -> pd.DataFrame:
    return make_orders([
        ("a1", "a", "2026-01-10 10:00", 1000.0), ("a2", "a", "2026-02-05 10:00", 2000.0),
        ("a3", "a", "2026-04-10 10:00", 1500.0),
        ("b1", "b", "2026-01-20 10:00", 500.0),
        ("c1", "c", "2026-01-15 10:00", 3000.0, POS),
        ("f1", "f", "2026-01-25 10:00", 100.0, {"channel": "draft_order", "source": "shopify_draft_order"}),
        ("d1", "d", "2026-02-03 10:00", 800.0), ("d2", "d", "2026-03-01 10:00", 1200.0),
        ("e1", "e", "2026-03-05 10:00", 400.0, POS),
        ("x1", "x", "2026-05-20 10:00", 9999.0),  # after as_of: invisible
    ])


@pytest.fixture
def spend_file(tmp_path: Path) -> Path:
    path = tmp_path / "spend.csv"
    path.write_text("\ufeff" + SPEND_CSV, encoding="utf-8")  # Excel's BOM is fine
    return path


def test_cac_ltv_cac_and_payback_by_hand(orders: pd.DataFrame, spend_file: Path) -> None:
    spend = cohorts.read_spend(spend_file, {"online_store", "pos", "draft_order"})
    assert spend.blank == 1 and list(spend.rows["row"]) == [2, 3, 4, 6, 7, 8]
    pb = cohorts.payback(orders, AS_OF, spend, months=(1, 3))
    assert pb.rows == {"used": 5, "blank": 1, "after_as_of": 1}
    c = pb.by_cohort.set_index(["month", "channel"])
    jan_web, jan_pos = c.loc[(pd.Period("2026-01", "M"), "online_store")], c.loc[(pd.Period("2026-01", "M"), "pos")]
    feb_web, mar_pos = c.loc[(pd.Period("2026-02", "M"), "online_store")], c.loc[(pd.Period("2026-03", "M"), "pos")]
    # January online: a and b, 2,000 spent -> CAC 1,000; revenue 1,500 in Jan, 3,500 by Feb, 5,000 by Apr
    assert (jan_web["spend"], jan_web["new_customers"], jan_web["cac"]) == (2000.0, 2, 1000.0)
    assert jan_web["ltv_cac_1"] == pytest.approx(3500 / 2000) and jan_web["ltv_cac_3"] == pytest.approx(5000 / 2000)
    assert jan_web["payback_month"] == 1 and jan_web["months_observed"] == 4  # 750 < 1,000 in Jan; 1,750 by Feb
    # January POS: c alone, CAC 1,000, 3,000 on the first day: paid back in the acquisition month
    assert jan_pos["cac"] == 1000.0 and jan_pos["payback_month"] == 0 and jan_pos["ltv_cac_3"] == pytest.approx(3.0)
    # February online: d, CAC 3,000; 2,000 by March and nothing since: not paid back; month 3 (May) not over
    assert feb_web["cac"] == 3000.0 and np.isnan(feb_web["payback_month"])
    assert feb_web["ltv_cac_1"] == pytest.approx(2000 / 3000) and np.isnan(feb_web["ltv_cac_3"])
    # March POS: nothing spent on e: CAC 0, paid back at once, no ratio
    assert mar_pos["cac"] == 0.0 and mar_pos["payback_month"] == 0 and np.isnan(mar_pos["ltv_cac_1"])
    # per month, all channels: January's 3,000 against a, b, c and the draft-order customer f
    m = pb.by_month.set_index("month")["cac"]
    assert m.to_dict() == {pd.Period("2026-01", "M"): 750.0, pd.Period("2026-02", "M"): 3000.0,
                           pd.Period("2026-03", "M"): 0.0}
    ch = pb.by_channel.set_index("channel")
    web, pos = ch.loc["online_store"], ch.loc["pos"]
    assert (web["months"], web["spend"], web["new_customers"]) == (2, 5000.0, 3)
    assert web["cac"] == pytest.approx(5000 / 3)
    assert web["ltv_cac_1"] == pytest.approx((3500 + 2000) / 5000)  # both cohorts have finished month 1
    assert web["ltv_cac_3"] == pytest.approx(5000 / 2000)  # only January has finished month 3
    assert web["payback_month"] == 1  # month 0: 2,300 < 5,000; month 1: 5,500 >= 5,000
    assert (pos["cac"], pos["payback_month"], pos["ltv_cac_3"]) == (500.0, 0, pytest.approx(3.0))


def test_page_sentences_and_notes(orders: pd.DataFrame, spend_file: Path) -> None:
    rep = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=spend_file)
    text = rep.payback_lines()
    assert ("- *Online store*: CAC **1,667 JPY** (3 new customers for 5,000 JPY over 2 months with spend); "
            "LTV:CAC 2.5 by month 3; acquisition pays back in **month 1** after the first order.") in text
    assert "*Store \\(POS\\)*: CAC **500 JPY**" in text and "nan" not in text.lower()
    assert rep.explain["payback"].startswith("Spend from spend\\.csv: 5 rows used; 2 skipped: 1 blank, 1 for months "
                                             "after the report month.")
    none = cohorts.analyse(orders, None, AS_OF, SETTINGS, "ja", "JPY")
    assert none.payback is None and none.note("payback").startswith("獲得コストの回収")
    gone = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=spend_file.with_name("gone.csv"))
    assert gone.note("payback").startswith("The marketing-spend file gone\\.csv named in the shop's settings was not")


@pytest.mark.parametrize(("text", "message"), [
    ("month,channel,spend\n2026/01,pos,100\n", "row 2, column month: '2026/01' is not a month like 2026-01"),
    ("month,channel,spend\n2026-01,pos,100\n2026-13,pos,1\n", "row 3, column month: '2026-13' is not a month"),
    ("month,channel,spend\n2026-01,pos,-5\n", "row 2, column spend: '-5' is not an amount of 0 or more"),
    ("month,channel,spend\n2026-01,pos,1 000\n", "row 2, column spend: '1 000' is not a number"),
    ("month,channel,spent\n2026-01,pos,1\n", "row 1, column 3: unknown column 'spent'. Did you mean 'spend'?"),
    ("month,channel\n2026-01,pos\n", "row 1: no 'spend' column"),
    ("month,channel,spend\n2026-01,web,1\n", "row 2, column channel: 'web' is not a channel of this shop's orders "
                                             "(online_store, pos)"),
    ("month,channel,spend\n2026-01,pos\n", "row 2 has 2 cells; the header has 3"),
    ("", "empty; the first row must name the columns month, channel, spend"),
])
def test_bad_rows_name_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "spend.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cohorts.SpendFileError) as e:
        cohorts.read_spend(path, ["pos", "online_store"])
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value), str(e.value)


def test_spend_path_is_relative_to_the_params_file(tmp_path: Path) -> None:
    from ltvlib.params import load_shop_params

    shop = tmp_path / "shops" / "s.yaml"
    shop.parent.mkdir()
    shop.write_text("shop: s\nstore: s.duckdb\ncohorts: {spend_file: ../data/spend.csv}\n", encoding="utf-8")
    assert cohorts.spend_path(load_shop_params(shop)) == tmp_path / "data" / "spend.csv"
    shop.write_text("shop: s\nstore: s.duckdb\n", encoding="utf-8")
    assert cohorts.spend_path(load_shop_params(shop)) is None


def test_repurchase_cycle_per_product_line_by_hand() -> None:
    orders = make_orders([
        ("a1", "a", "2026-01-01 10:00", 1.0), ("a2", "a", "2026-01-11 10:00", 1.0),
        ("a3", "a", "2026-01-11 12:00", 1.0), ("a4", "a", "2026-02-10 10:00", 1.0),
        ("b1", "b", "2026-01-05 10:00", 1.0), ("b2", "b", "2026-01-25 10:00", 1.0),
        ("b3", "b", "2026-03-06 10:00", 1.0),
    ])
    items = make_line_items([
        ("a1", 1, "x", "Tea", 1, 1.0), ("a2", 1, "x", "Tea", 1, 1.0), ("a2", 2, "y", "Sweets", 1, 1.0),
        ("a3", 1, "x", "Tea", 1, 1.0),  # Tea twice on 11 January: one purchase day
        ("a4", 1, "x", "Tea", 1, 1.0), ("a4", 2, "z", "Tea", 1, 1.0),
        ("b1", 1, "x", "Tea", 1, 1.0), ("b2", 1, "y", "Sweets", 1, 1.0), ("b3", 1, "x", "Tea", 1, 1.0),
    ])
    h = OrderHistory(orders, items, as_of="2026-04-15")
    cycle = cohorts.line_intervals(h, min_repurchases=2)
    # Tea: a 1 Jan -> 11 Jan -> 10 Feb (10, 30 days); b 5 Jan -> 6 Mar (60 days): median 30, IQR 20..45
    tea = cycle.loc["Tea"]
    assert (tea["repurchases"], tea["customers"], tea["p25"], tea["median"], tea["p75"], tea["iqr"]) == (
        3, 2, 20.0, 30.0, 45.0, 25.0)
    assert cycle.loc["Sweets", "repurchases"] == 0 and np.isnan(cycle.loc["Sweets", "median"])
    assert list(cycle.index) == ["Tea", "Sweets"]
    assert np.isnan(cohorts.line_intervals(h, min_repurchases=4).loc["Tea", "median"])  # 3 are too few
    rep = cohorts.analyse(orders, items, dt.date(2026, 4, 15), SETTINGS, "en", "JPY")
    assert rep.note("line_cycle").startswith("No product line has been bought again by the same customer at least 20")


@pytest.mark.slow
def test_demo_spend_file_and_the_page(tmp_path: Path) -> None:
    """``ltv demo``'s export comes with a sample spend file, the same for the same arguments, whose CAC is the planted
    one; a shop that names it gets payback sentences and tables on its cohorts page, without NaN."""
    from ltvlib import demo
    from ltvlib.cli import main

    demo.write_shopify_export(tmp_path / "orders_export.csv", customers=600, seed=5)
    spend_file = tmp_path / demo.SPEND_FILE
    first = spend_file.read_bytes()
    demo.write_shopify_export(tmp_path / "again.csv", customers=600, seed=5)
    assert spend_file.read_bytes() == first
    spend = cohorts.read_spend(spend_file, ["online_store", "pos", "draft_order"])
    assert spend.blank == 0 and set(spend.rows["channel"]) == {"online_store", "pos"}
    sample = demo.marketing_spend(600, seed=5)
    assert sample["spend"].sum() == spend.rows["spend"].sum() and len(sample) == len(spend.rows)
    shop = tmp_path / "pb.yaml"
    shop.write_text("shop: pb\nname: Payback shop\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: en\n"
                    "store: store.duckdb\nas_of: 2026-06-30\ncohorts: {spend_file: marketing_spend.csv}\n",
                    encoding="utf-8")
    assert main(["import", str(shop), str(tmp_path / "orders_export.csv")]) == 0
    # cohorts listed first: the run still starts it after the CLV page, whose shared fit gives the predicted ratio
    assert main(["run", str(shop), "--notebooks", "cohorts,clv", "--reports-dir", str(tmp_path / "r")]) == 0
    html = (tmp_path / "r" / "pb" / "2026-06-30" / "cohorts.html").read_text(encoding="utf-8")
    text = " ".join(visible_text(html).split())
    assert "Acquisition payback" in text and "LTV:CAC" in text and "Repurchase cycle by product line" in text
    assert "Spend from marketing_spend.csv: " in text and "acquisition pays back in month " in text
    assert re.search(r"predicted \d+\.\d \(80% interval \d+\.\d–\d+\.\d\) by month 24", text)
    assert "Predicted LTV:CAC by month 24: each cohort" in text and "Its 80% and 95% intervals come from" in text
    assert page_problems(html) == [] and " rows × " not in text  # no table cut short
    from ltvlib.params import load_shop_params
    from ltvlib.store import Store

    params = load_shop_params(shop)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        pb = cohorts.payback(store.orders(), params.as_of, spend)
    cac = pb.by_channel.set_index("channel")["cac"]
    for channel, planted in demo.SPEND_CAC.items():  # first orders of guests and cancellations move it a little
        assert 0.7 * planted < cac[channel] < 1.5 * planted, (channel, cac[channel])


def test_not_paid_back_and_too_early_say_so(orders: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("month,channel,spend\n2026-01,pos,99000\n2026-05,online_store,100\n", encoding="utf-8")
    rep = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=path)
    text = rep.payback_lines()
    # c alone for 99,000: 3,000 of revenue by month 3 (April, the last month over)
    assert "LTV:CAC 0.0 by month 3; not paid back yet by month 3." in text, text
    # May is the report month: nothing over yet, but nobody was acquired online in May either
    assert "*Online store*: 100 JPY spent over 1 month acquired no customer, so there is no CAC." in text
    ch = rep.payback.by_channel.set_index("channel")
    assert ch.loc["pos", "months_observed"] == 3 and ch.loc["online_store", "months_observed"] == -1


def _bgnbd_days(r: float, alpha: float, a: float, b: float):
    """A BG/NBD model in days with these parameters and spend per purchase = each customer's order value."""
    from ltvlib import clv

    return clv.CLVModel.from_dict({
        "config": {"model": "bgnbd", "time_unit": "D", "penalizer": 0.0, "discount_rate": 0.10, "spend_model": "aov",
                   "min_repeat_customers": 1, "max_fm_correlation": 0.3, "compressed": True},
        "params": [["r", r], ["alpha", alpha], ["a", a], ["b", b]], "standard_errors": None, "spend_params": None,
        "spend_standard_errors": None,
        "fit": {"n_customers": 1, "n_rows": 1, "n_repeat": 1, "tol": 1e-7, "fm_correlation": None, "notes": [],
                "warnings": 0}})


def _expected_by_hand(t: float, x: int, tx: float, T: float, r: float, alpha: float, a: float, b: float) -> float:
    """BG/NBD conditional expected purchases in the next t (Fader, Hardie & Lee 2005, eq. 10)."""
    from scipy.special import hyp2f1

    head = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                         * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))
    return head / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def test_predicted_ltv_cac_at_24_months_by_hand(orders: pd.DataFrame, spend_file: Path) -> None:
    """January online: a (orders 10 Jan, 5 Feb, 10 Apr: 4,500) and b (20 Jan: 500) for 2,000 of spend. By 10 May
    their month 24 (January 2028) is 631 days away: 5,000 realised plus each one's expected purchases in 631 days
    times their order value (1,500 and 500), over 2,000."""
    p = {"r": 0.5, "alpha": 30.0, "a": 0.7, "b": 2.5}
    model = _bgnbd_days(**p)
    spend = cohorts.read_spend(spend_file, {"online_store", "pos", "draft_order"})
    pb = cohorts.payback(orders, AS_OF, spend, clv_model=model)
    days = (dt.date(2028, 1, 31) - AS_OF).days
    assert days == 631
    e_a = _expected_by_hand(days, 2, 90, 120, **p)  # purchase days 10 Jan, 5 Feb, 10 Apr; age 120 days
    e_b = _expected_by_hand(days, 0, 0, 110, **p)
    c = pb.by_cohort.set_index(["month", "channel"])
    jan_web = c.loc[(pd.Period("2026-01", "M"), "online_store")]
    assert jan_web["predicted_ltv_cac_24"] == pytest.approx((5000 + e_a * 1500 + e_b * 500) / 2000, rel=1e-9)
    # above the realised ratio at month 3 (5,000 / 2,000), by the predicted revenue only
    assert jan_web["predicted_ltv_cac_24"] > jan_web["ltv_cac_3"] == pytest.approx(2.5)
    # March POS: nothing spent, no ratio (as the realised ones)
    assert np.isnan(c.loc[(pd.Period("2026-03", "M"), "pos"), "predicted_ltv_cac_24"])
    # per channel, the pooled cohorts: January's and February's online cohorts over their 5,000
    feb_d = _expected_by_hand((dt.date(2028, 2, 29) - AS_OF).days, 1, 26, 96, **p) * 1000  # d: 3 Feb, 1 Mar
    web = pb.by_channel.set_index("channel").loc["online_store"]
    assert web["predicted_ltv_cac_24"] == pytest.approx((5000 + e_a * 1500 + e_b * 500 + 2000 + feb_d) / 5000,
                                                        rel=1e-9)
    assert list(pb.by_channel.columns).index("predicted_ltv_cac_24") == list(pb.by_channel.columns).index(
        "payback_month") - 1  # beside the realised ratios
    assert cohorts.payback(orders, AS_OF, spend).by_channel.columns.difference(pb.by_channel.columns).empty


def test_predicted_ltv_cac_of_a_cohort_past_month_24_is_realised(tmp_path: Path) -> None:
    """A cohort whose month 24 is over: its revenue through month 24 only, nothing predicted."""
    old = make_orders([("g1", "g", "2023-01-05 10:00", 1000.0), ("g2", "g", "2025-01-15 10:00", 700.0),
                       ("g3", "g", "2025-03-01 10:00", 5000.0)])  # January 2025 is month 24; March 2025 is not
    path = tmp_path / "spend.csv"
    path.write_text("month,channel,spend\n2023-01,online_store,400\n2025-01,pos,100\n2025-02,pos,50\n",
                    encoding="utf-8")  # and two cohorts of a channel nobody was acquired in: nothing to predict
    pb = cohorts.payback(old, AS_OF, cohorts.read_spend(path), clv_model=_bgnbd_days(0.5, 30.0, 0.7, 2.5))
    assert pb.by_cohort["predicted_ltv_cac_24"].tolist() == [pytest.approx(1700 / 400), 0.0, 0.0]


def test_predicted_ltv_cac_on_the_page(orders: pd.DataFrame, spend_file: Path) -> None:
    """With the run's CLV model the sentences and tables add the predicted ratio and say how it is made; with the
    model's error or without a model, one sentence says why it is missing."""
    from ltvlib import clv

    model = _bgnbd_days(0.5, 30.0, 0.7, 2.5)
    rep = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=spend_file, clv_model=model)
    web = rep.payback.by_channel.set_index("channel").loc["online_store", "predicted_ltv_cac_24"]
    assert f"LTV:CAC 2.5 by month 3, predicted {web:.1f} by month 24;" in rep.payback_lines()
    assert "Predicted LTV:CAC by month 24: each cohort's net revenue so far plus the revenue the BG/NBD model" in \
        rep.explain["payback"]
    by_channel, by_month = rep.payback.tables("ja")
    assert "LTV:CAC（24か月目・予測）" in by_channel.columns and f"{web:.2f}" in by_channel.to_string()
    assert any("LTV:CAC（24か月目・予測）" in c for c in by_month.columns)
    stopped = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=spend_file,
                              clv_model=clv.ModelError("clv_not_converged", model="BG/NBD"))
    assert "the CLV model cannot be used for this shop" in stopped.explain["payback"]
    assert "predicted_ltv_cac_24" not in stopped.payback.by_channel
    alone = cohorts.analyse(orders, None, AS_OF, SETTINGS, "ja", "JPY", spend_file=spend_file)
    assert "予測LTV:CACは、同じレポート作成でCLVページが推定したモデルから" in alone.explain["payback"]


def test_predicted_ltv_cac_intervals_by_hand(orders: pd.DataFrame, spend_file: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Three parameter draws (r at 0.8, 1 and 1.25 times the fit): each draw's January online ratio by hand, the
    interval their percentiles; above EXACT_BOOTSTRAP_ROWS the draws' expected purchases are linearised, nearly the
    same here."""
    from ltvlib import clv

    p = {"r": 0.5, "alpha": 30.0, "a": 0.7, "b": 2.5}
    model = _bgnbd_days(**p)
    draws = pd.DataFrame([{**p, "r": p["r"] * k} for k in (0.8, 1.0, 1.25)])
    spend = cohorts.read_spend(spend_file, {"online_store", "pos", "draft_order"})
    pb = cohorts.payback(orders, AS_OF, spend, clv_model=model, clv_draws=draws)
    ratio = [(5000 + _expected_by_hand(631, 2, 90, 120, **d) * 1500 + _expected_by_hand(631, 0, 0, 110, **d) * 500)
             / 2000 for d in draws.to_dict("records")]
    jan = pb.by_cohort.set_index(["month", "channel"]).loc[(pd.Period("2026-01", "M"), "online_store")]
    assert jan["predicted_ltv_cac_24"] == pytest.approx(ratio[1], rel=1e-9)
    for col, q in (("lo_80", 0.1), ("hi_80", 0.9), ("lo_95", 0.025), ("hi_95", 0.975)):
        assert jan[f"predicted_ltv_cac_24_{col}"] == pytest.approx(np.quantile(ratio, q), rel=1e-9), col
    assert jan["predicted_ltv_cac_24_lo_95"] < jan["predicted_ltv_cac_24"] < jan["predicted_ltv_cac_24_hi_95"]
    assert pb.draws == 3 and np.isnan(pb.by_cohort["predicted_ltv_cac_24_lo_80"].iloc[-1])  # March POS: no spend
    monkeypatch.setattr(clv, "EXACT_BOOTSTRAP_ROWS", 0)
    linear = cohorts.payback(orders, AS_OF, spend, clv_model=model, clv_draws=draws).by_channel
    np.testing.assert_allclose(linear.filter(like="predicted").to_numpy(float),
                               pb.by_channel.filter(like="predicted").to_numpy(float), rtol=0.02)
    # on the page: the interval in the channel's sentence, the table's text column, the sentence on where it comes from
    rep = cohorts.analyse(orders, None, AS_OF, SETTINGS, "en", "JPY", spend_file=spend_file, clv_model=model,
                          clv_draws=draws)
    web = rep.payback.by_channel.set_index("channel").loc["online_store"]
    assert (f"predicted {web['predicted_ltv_cac_24']:.1f} (80% interval {web['predicted_ltv_cac_24_lo_80']:.1f}–"
            f"{web['predicted_ltv_cac_24_hi_80']:.1f}) by month 24") in rep.payback_lines()
    assert "come from the same 3 parameter draws as the CLV page's intervals" in rep.explain["payback"]
    table = rep.payback.tables("en")[0]
    assert table.loc["Online store", "Month 24, 80% interval"] == (
        f"{web['predicted_ltv_cac_24_lo_80']:.2f}–{web['predicted_ltv_cac_24_hi_80']:.2f}")


def test_clv_page_shares_its_draws() -> None:
    """The CLV page's shared state carries its bootstrap draws; they come back only for the same settings and date."""
    from ltvlib import clv

    model = _bgnbd_days(0.5, 30.0, 0.7, 2.5)
    draws = pd.DataFrame({"r": [0.4, 0.5], "alpha": [29.0, 31.0], "a": [0.7, 0.7], "b": [2.5, 2.6]})
    state = clv.fitted_state(model, None, {"model": "bgnbd"}, AS_OF, draws)
    pd.testing.assert_frame_equal(clv.restore_draws(state, {"model": "bgnbd"}, AS_OF), draws)
    assert clv.restore_draws(state, {"model": "bgnbd"}, "2026-05-11") is None
    assert clv.restore_draws(state, {"model": "pareto_nbd"}, AS_OF) is None
    assert clv.restore_draws(clv.fitted_state(model, None, {"model": "bgnbd"}, AS_OF), {"model": "bgnbd"}, AS_OF) is None
    # a draw that overflowed (a weakly identified fit) goes through JSON as null and comes back as NaN
    draws.loc[1, "b"] = np.inf
    state = json.loads(json.dumps(clv.fitted_state(model, None, {"model": "bgnbd"}, AS_OF, draws), allow_nan=False))
    assert np.isnan(clv.restore_draws(state, {"model": "bgnbd"}, AS_OF).loc[1, "b"])


def test_predicted_ltv_cac_leaves_out_draws_that_overflow(orders: pd.DataFrame, spend_file: Path) -> None:
    model = _bgnbd_days(0.5, 30.0, 0.7, 2.5)
    draws = pd.DataFrame([{"r": 0.5 * k, "alpha": 30.0, "a": 0.7, "b": 2.5} for k in (0.8, 1.0, 1.25)]
                         + [{"r": np.nan, "alpha": 30.0, "a": 0.7, "b": np.inf}])
    spend = cohorts.read_spend(spend_file, {"online_store", "pos", "draft_order"})
    with_bad = cohorts.payback(orders, AS_OF, spend, clv_model=model, clv_draws=draws).by_channel
    without = cohorts.payback(orders, AS_OF, spend, clv_model=model, clv_draws=draws.iloc[:3]).by_channel
    pd.testing.assert_frame_equal(with_bad, without)
