"""Win-back: dormancy episodes on hand-made histories, no leakage, profile, backtest, scoring, target list."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltvlib import winback
from ltvlib.winback import (
    FEATURE_COLUMNS,
    AttributeEncoder,
    LookalikeModel,
    NotEnoughEpisodes,
    assign_groups,
    backtest,
    lapse_decay,
    lapse_episodes,
    return_timing,
    returners_profile,
    score_lapsed,
    select_targets,
    settings_from,
    wilson_interval,
)

D0 = dt.date(2024, 1, 1)


def day(n: int, hm: str = "12:00") -> str:
    """Local timestamp text of day ``n`` after 2024-01-01."""
    return f"{D0 + dt.timedelta(days=n)} {hm}"


def date(n: int) -> pd.Timestamp:
    return pd.Timestamp(D0 + dt.timedelta(days=n))


AS_OF = D0 + dt.timedelta(days=700)


@pytest.fixture
def history() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = make_orders([
        # a: two purchases on day 0 (gift, WELCOME10), back on day 200 (79 days after going dormant on 121),
        # again on 210, then silent: a second, current episode from day 331 (outcome known: not back by 511)
        ("a1", "a", day(0, "09:00"), 1000.0, {"discount_codes": ["WELCOME10"], "discount_amount": 100.0,
                                             "tags": ["Gift"]}),
        ("a2", "a", day(0, "18:00"), 3000.0, {"channel": "pos"}),
        ("a3", "a", day(200), 2000.0),
        ("a4", "a", day(210), 500.0),
        # b: return exactly horizon_days after going dormant (day 121 + 180): returned
        ("b1", "b", day(10), 800.0),
        ("b2", "b", day(10 + 121 + 180), 900.0),
        # c: return one day outside the horizon: not returned, but the return order is recorded
        ("c1", "c", day(10), 800.0),
        ("c2", "c", day(10 + 121 + 181), 700.0),
        # d: next order exactly on the day it would go dormant: no episode; then a gap of 122 days: an episode
        ("d1", "d", day(0), 100.0),
        ("d2", "d", day(121), 100.0),
        ("d3", "d", day(121 + 122), 100.0),
        # h: last order 120 days before as_of: not dormant
        ("h1", "h", day(700 - 120), 100.0),
        # e: dormant since as_of - 100 days: the horizon is still open, not labelled
        ("e1", "e", day(700 - 121 - 100), 5000.0),
        # f: reaches lapsed_days exactly on as_of: a current episode starting on as_of
        ("f1", "f", day(700 - 121), 400.0),
        # g: cancelled and future orders are invisible
        ("g1", "g", day(0), 100.0, {"cancelled_at": pd.Timestamp(day(0, "13:00"), tz="Asia/Tokyo")}),
        ("g2", "g", day(701), 100.0),
        ("z1", None, day(0), 100.0),  # guest: no identity
    ])
    items = make_line_items([("a1", 1, "Umami - Dashi", "Umami", 1, 1000.0), ("a1", 2, "Sweets", "Sweets", 1, 0.0),
                             ("a2", 1, "Herbal", "Herbal Tea Bags", 1, 3000.0),
                             ("a4", 1, "Crunchy", "Crunchy", 1, 500.0)])
    return orders, items


def test_episodes_hand_made(history) -> None:
    orders, items = history
    e = lapse_episodes(orders, AS_OF, lapsed_days=121, horizon_days=180, line_items=items)
    by = {(r.customer_key, r.episode_no): r for r in e.itertuples()}
    # b, c and d are dormant again at as_of after their comebacks: a second, current episode each
    assert sorted(by) == [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1), ("c", 2), ("d", 1), ("d", 2), ("e", 1),
                          ("f", 1)]

    a1, a2 = by["a", 1], by["a", 2]
    assert a1.start_date == date(121) and a1.last_order_date == date(0) and a1.horizon_end == date(301)
    assert a1.return_date == date(200) and a1.days_to_return == 79 and a1.return_value == 2000.0
    assert a1.returned and a1.outcome_known and not a1.current
    assert a1.orders == 2 and a1.purchase_days == 1 and a1.net_revenue == 4000.0 and a1.aov == 2000.0
    assert a1.tenure_days == 121 and np.isnan(a1.mean_interval_days) and np.isnan(a1.last_gap_days)
    assert a1.first_product_line == "Umami" and a1.last_product_line == "Herbal Tea Bags"
    assert a1.first_channel == "online_store" and a1.last_channel == "pos" and a1.multichannel
    assert a1.first_discount_code == "WELCOME10" and a1.discount_share == 0.5 and a1.gift_share == 0.5
    assert a1.repeat_discount_share == 0.0 and by["b", 1].orders == 1 and np.isnan(by["b", 1].repeat_discount_share)
    assert a1.prior_episodes == 0 and a1.start_month == 5 and a1.last_order_month == 1
    # the second episode knows the first comeback and the later orders, nothing after day 331
    assert a2.start_date == date(331) and a2.orders == 4 and a2.purchase_days == 3 and a2.prior_episodes == 1
    assert a2.net_revenue == 6500.0 and a2.mean_interval_days == 105.0 and a2.last_gap_days == 10
    assert a2.last_product_line == "Crunchy" and a2.first_product_line == "Umami" and a2.tenure_days == 331
    assert a2.current and not a2.returned and a2.outcome_known and pd.isna(a2.return_date)
    assert a2.followup_days == 700 - 331

    b, c = by["b", 1], by["c", 1]
    assert b.days_to_return == 180 and b.returned
    assert c.days_to_return == 181 and not c.returned and c.return_date == date(312) and c.return_value == 700

    d = by["d", 1]
    assert d.last_order_date == date(121) and d.days_to_return == 1 and d.returned and d.orders == 2
    assert by["d", 2].start_date == date(243 + 121) and by["d", 2].current and by["b", 2].start_date == date(311 + 121)

    e1, f = by["e", 1], by["f", 1]
    assert e1.current and not e1.outcome_known and pd.isna(e1.returned) and e1.followup_days == 100
    assert f.start_date == pd.Timestamp(AS_OF) and f.followup_days == 0 and pd.isna(f.returned)
    assert e["returned"].dtype == "boolean"


def test_counts_the_orders_customer_analyses_count(history) -> None:
    from ltvlib.customers import customer_orders
    from ltvlib.history import OrderHistory

    orders, _ = history
    for as_of in (AS_OF, D0 + dt.timedelta(days=200), D0 + dt.timedelta(days=701)):
        counted = OrderHistory(orders, as_of=as_of).column("order_id")  # the orders episodes are built from
        assert set(counted) == set(customer_orders(orders, as_of)["order_id"])


def test_lean_load_gives_the_same_episodes(history, tmp_path: Path) -> None:
    from ltvlib.io import ImportResult
    from ltvlib.store import Store

    orders, items = history
    b1 = orders["order_id"] == "b1"
    orders.loc[b1, "tags"] = pd.Series([[" GIFT ", "noshi"]], index=orders.index[b1])
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as store:
        store.upsert(ImportResult(orders, items, pd.DataFrame(columns=["source_file", "reason", "rows", "orders"])),
                     files=["x"])
        lean = winback.load_orders(store)
        full = store.orders()
    assert "tags" not in lean and lean["gift"].sum() == 2
    assert lean.set_index("order_id").loc["a1", "discount_code"] == "WELCOME10"
    a = lapse_episodes(lean, AS_OF, line_items=items)
    b = lapse_episodes(full, AS_OF, line_items=items)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[a["customer_key"] == "b", "gift_share"].iloc[0] == 1.0
    # the lean orders carry their first line item's product line: the same episodes without the line items
    assert a["first_product_line"].notna().any()
    pd.testing.assert_frame_equal(lapse_episodes(lean, AS_OF), a)


def test_horizon_edge_is_known_on_its_last_day(history) -> None:
    orders, _ = history
    # e went dormant on day 600: on day 780 its 180-day horizon has just ended without a return
    e = lapse_episodes(orders, D0 + dt.timedelta(days=780), lapsed_days=121, horizon_days=180)
    row = e.loc[e["customer_key"] == "e"].iloc[0]
    assert row["outcome_known"] and not row["returned"]
    e = lapse_episodes(orders, D0 + dt.timedelta(days=779), lapsed_days=121, horizon_days=180)
    row = e.loc[e["customer_key"] == "e"].iloc[0]
    assert not row["outcome_known"] and pd.isna(row["returned"])


def test_no_leakage_changes_after_start_do_not_move_features(history) -> None:
    """Changing, adding or removing orders after an episode's start leaves that episode's features as they were."""
    orders, items = history
    base = lapse_episodes(orders, AS_OF, line_items=items).set_index(["customer_key", "episode_no"])
    changed = orders.copy()
    later = changed["customer_key"].eq("a") & (changed["ordered_at"] > pd.Timestamp(day(121), tz="Asia/Tokyo"))
    changed.loc[later, "net_revenue"] = 99999.0
    changed.loc[later, "channel"] = "draft_order"
    changed.loc[later, "tags"] = pd.Series([["gift"]] * int(later.sum()), index=changed.index[later])
    extra = make_orders([("a9", "a", day(150), 12345.0, {"discount_codes": ["X"]})])
    after = lapse_episodes(pd.concat([changed, extra], ignore_index=True), AS_OF, line_items=items)
    after = after.set_index(["customer_key", "episode_no"])
    cols = list(FEATURE_COLUMNS)
    pd.testing.assert_series_equal(base.loc[("a", 1), cols], after.loc[("a", 1), cols])
    assert after.loc[("a", 1), "return_date"] == date(150)  # only the outcome moved


@st.composite
def _histories(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        cust = draw(st.sampled_from("xyz"))
        d = draw(st.integers(0, 900))
        extra = {"channel": draw(st.sampled_from(["online_store", "pos"])),
                 "tags": draw(st.sampled_from([[], ["gift"]])),
                 "discount_codes": draw(st.sampled_from([[], ["WELCOME10"], ["VIP15"]]))}
        rows.append((f"o{i}", cust, day(d, f"{draw(st.integers(0, 23)):02d}:{i % 60:02d}"),
                     float(draw(st.integers(0, 9000))), extra))
    return make_orders(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=_histories(), dormant=st.integers(30, 200), horizon=st.integers(1, 200))
def test_no_leakage_property(orders: pd.DataFrame, dormant: int, horizon: int) -> None:
    """Every episode's features equal those computed from only the orders known on its start day."""
    as_of = D0 + dt.timedelta(days=950)
    full = lapse_episodes(orders, as_of, lapsed_days=dormant, horizon_days=horizon)
    for r in full.itertuples():
        start = r.start_date.date()
        known = lapse_episodes(orders, start, lapsed_days=dormant, horizon_days=horizon)
        match = known.loc[(known["customer_key"] == r.customer_key) & (known["start_date"] == r.start_date)]
        assert len(match) == 1 and bool(match["current"].iloc[0])
        pd.testing.assert_series_equal(match.iloc[0][list(FEATURE_COLUMNS)],
                                       full.loc[r.Index, list(FEATURE_COLUMNS)], check_names=False)
        # an episode is labelled only once its horizon has ended, or by a return inside it
        if r.returned is pd.NA or pd.isna(r.returned):
            assert r.start_date + pd.Timedelta(days=horizon) > pd.Timestamp(as_of)
    # between two episodes of a customer there is always an order (the comeback)
    assert (full.groupby("customer_key")["episode_no"].diff().dropna() == 1).all()


def _episode_frame(n: int, **cols) -> pd.DataFrame:
    """Episodes with neutral features; ``cols`` override columns."""
    base = {
        "customer_key": [f"k{i}" for i in range(n)], "orders": 1, "purchase_days": 1, "net_revenue": 3000.0,
        "aov": 3000.0, "tenure_days": 121, "mean_interval_days": np.nan, "last_gap_days": np.nan,
        "first_product_line": "Herbal", "last_product_line": "Herbal", "first_channel": "online_store",
        "last_channel": "online_store", "first_discount_code": "none", "discount_share": 0.0,
        "repeat_discount_share": np.nan, "gift_share": 0.0,
        "peak_season_share": 0.0, "multichannel": False, "prior_episodes": 0, "start_month": 5, "last_order_month": 1,
        "returned": False, "outcome_known": True, "current": False, "followup_days": 200,
    }
    df = pd.DataFrame({k: v for k, v in base.items()}, index=range(n))
    for k, v in cols.items():
        df[k] = v
    df["returned"] = df["returned"].astype("boolean")
    return df


def test_wilson_interval_known_value() -> None:
    lo, hi = wilson_interval(np.array([5]), np.array([10]))
    assert lo[0] == pytest.approx(0.2366, abs=1e-4) and hi[0] == pytest.approx(0.7634, abs=1e-4)


def test_profile_rates_lifts_and_adjustment() -> None:
    """Umami returns 2x as often as the rest within each order band, though the bands differ in mix."""
    # one-order band: 200 Umami (20% back), 800 other (10%); five-order band: 100 Umami (60%), 100 other (30%)
    n = 1200
    umami = np.r_[np.ones(200), np.zeros(800), np.ones(100), np.zeros(100)].astype(bool)
    orders = np.r_[np.ones(1000), np.full(200, 5)]
    back = np.zeros(n, bool)
    back[:40] = True
    back[200:280] = True
    back[1000:1060] = True
    back[1100:1130] = True
    eps = _episode_frame(n, first_product_line=np.where(umami, "Umami", "Herbal"), orders=orders, returned=back)
    p = returners_profile(eps, AttributeEncoder(min_count=1).fit(eps)).set_index(["attribute", "value"])
    u = p.loc[("first_product_line", "Umami")]
    assert u["episodes"] == 300 and u["returned"] == 100
    assert u["return_rate"] == pytest.approx(100 / 300) and u["rest_rate"] == pytest.approx(110 / 900)
    assert u["lift"] == pytest.approx((100 / 300) / (110 / 900))
    assert u["adjusted_lift"] == pytest.approx(2.0) and u["adjusted_low"] > 1 and u["adjusted_significant"]
    assert p.loc[("orders_band", "5+"), "lift"] == pytest.approx((90 / 200) / (120 / 1000))
    assert np.isnan(p.loc[("orders_band", "5+"), "adjusted_lift"])
    assert u["share_of_returners"] == pytest.approx(100 / 210)


def test_return_timing_kaplan_meier() -> None:
    eps = _episode_frame(4, followup_days=[10, 20, 15, 30], current=[False, False, True, True])
    t = return_timing(eps).set_index("days")
    assert t.loc[9, "share_returned"] == 0 and t.loc[10, "share_returned"] == pytest.approx(0.25)
    assert t.loc[20, "at_risk"] == 2 and t.loc[20, "share_returned"] == pytest.approx(1 - 0.75 * 0.5)
    assert t.loc[30, "share_returned"] == pytest.approx(0.625)


def test_lapse_decay() -> None:
    # constant hazard: the chance of a return in the next H days does not depend on the time already dormant
    days = np.arange(1, 401)
    timing = pd.DataFrame({"days": days, "share_returned": 1 - 0.99**days})
    f = lapse_decay(timing, np.array([0, 50, 150, 1000]), 100)
    assert f == pytest.approx(np.ones(4))
    # returns only in the first 30 days: after 60 days dormant there is nothing left to expect
    timing = pd.DataFrame({"days": days, "share_returned": np.where(days <= 30, days / 100, 0.3)})
    f = lapse_decay(timing, np.array([0, 10, 60]), 100)
    assert f[0] == 1 and 0 < f[1] < 1 and f[2] == 0


def test_assign_groups_stratified_and_reproducible() -> None:
    t = pd.DataFrame({"rank": np.arange(1, 101)}, index=[f"k{i}" for i in range(100)])
    g = assign_groups(t, 0.1, seed=3)
    assert (g == "control").sum() == 10
    ranks = t.loc[g == "control", "rank"].to_numpy()
    assert sorted((ranks - 1) // 10) == list(range(10))  # one control in every block of 10 ranks
    assert g.equals(assign_groups(t, 0.1, seed=3))
    assert (assign_groups(t, 0.0, seed=3) == "target").all()


def test_select_targets() -> None:
    s = pd.DataFrame({"rank": [1, 2, 3, 4], "p_return": [0.5, 0.1, 0.4, 0.3]}, index=list("abcd"))
    assert list(select_targets(s, top_n=2).index) == ["a", "b"]
    assert list(select_targets(s, min_score=0.3).index) == ["a", "c", "d"]
    assert list(select_targets(s, top_n=2, min_score=0.3).index) == ["a", "c"]


def test_targets_export_is_pseudonymised_split_and_neutralised(tmp_path: Path) -> None:
    t = pd.DataFrame({"rank": [1, 2, 3], "p_return": [0.5, 0.2, 0.1], "expected_return_value": [10.0, 5.0, 1.0],
                      "days_lapsed": [3, 40, 400], "last_order_date": pd.to_datetime(["2024-01-01"] * 3),
                      "orders": [5, 1, 2], "net_revenue": [100.0, 20.0, 30.0],
                      "driver_1": ["orders_band=5+", "first_product_line==cmd|' /C calc'!A0", None],
                      "driver_2": ["start_month=4", None, None], "driver_3": [None, None, None]},
                     index=pd.Index(["x@example.jp", "y@example.jp", "z@example.jp"], name="customer_key"))
    g = pd.Series(["target", "control", "target"], index=t.index, name="group")
    table = winback.export_table(t, g, language="en", lapsed_days=121, show_personal_data=False, secret=b"k" * 32)
    paths = winback.write_target_exports(table, tmp_path / "exports")
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["winback_control.csv", "winback_targets.csv"]
    targets, control = (pd.read_csv(paths[k], keep_default_na=False) for k in ("target", "control"))
    assert list(targets.columns[:3]) == ["customer", "rank", "group"] and set(targets["group"]) == {"target"}
    assert list(targets["rank"]) == [1, 3] and list(control["rank"]) == [2] and set(control["group"]) == {"control"}
    text = paths["target"].read_text(encoding="utf-8") + paths["control"].read_text(encoding="utf-8")
    assert "example.jp" not in text
    # reasons are words in the shop's language, never attribute=value codes
    assert targets.loc[0, "reason_1"] == "Orders: 5+ orders"
    assert targets.loc[0, "reason_2"] == "Month of becoming Lapsed (121+ days): month 4"
    assert targets.loc[1, "reason_1"] == "" and "=" not in "".join(targets["reason_1"])
    ja = winback.export_table(t, g, language="ja", lapsed_days=121, show_personal_data=True, secret=b"k" * 32)
    assert ja.loc[0, "reason_1"] == "購入回数：5+回" and ja.loc[0, "customer_key"] == "x@example.jp"
    # the export goes through the project's CSV path: a cell a spreadsheet would run as a formula is neutralised
    evil = table.assign(reason_3=["=HYPERLINK(\"http://x\")", "", ""])
    again = winback.write_target_exports(evil, tmp_path / "evil")
    assert pd.read_csv(again["target"], keep_default_na=False).loc[0, "reason_3"].startswith("'=")


def test_settings_validation() -> None:
    s = settings_from({"lapsed_days": 90, "backtest_cutoff": "2025-01-31", "top_n": None})
    assert s.lapsed_days == 90 and s.backtest_cutoff == dt.date(2025, 1, 31) and s.top_n is None
    # null (the default): lapsed = no longer active in the status grid's terms
    assert settings_from({"lapsed_days": None}, {"active_days": 90}).lapsed_days == 91
    assert settings_from({}).lapsed_days == 121
    for bad in ({"lapsed_days": 0}, {"lapsed_days": "auto"}, {"horizon_days": "x"}, {"control_share": 1.0}, {"min_score": 2},
                {"rank_by": "clv"}, {"peak_months": [13]}, {"backtest_cutoff": "soon"}):
        with pytest.raises(ValueError, match="winback"):
            settings_from(bad)


def test_model_needs_both_outcomes() -> None:
    eps = _episode_frame(100, returned=np.r_[np.ones(5, bool), np.zeros(95, bool)])
    with pytest.raises(NotEnoughEpisodes, match="at least 20"):
        LookalikeModel().fit(eps[list(FEATURE_COLUMNS)], eps["returned"].to_numpy(dtype=bool))


# -- the demo shop: its generator plants real drivers of returning ---------------------------------------------


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    from ltvlib import demo
    from ltvlib.io import load_files

    path = tmp_path_factory.mktemp("demo") / "orders_export.csv"
    demo.write_shopify_export(path, 20000, seed=7)
    lines = ["Herbal Tea Bags", "Crunchy", "Refreshing", "Umami", "Sweets", "Trial Set"]
    r = load_files([path], timezone="Asia/Tokyo", loader="shopify",
                   product_lines={"from": "title", "map": {k: k for k in lines}})
    return r.orders, r.line_items


@pytest.fixture(scope="module")
def demo_episodes(demo_shop) -> pd.DataFrame:
    orders, items = demo_shop
    return lapse_episodes(orders, dt.date(2026, 6, 30), line_items=items)


def test_model_beats_base_rate_on_demo(demo_episodes) -> None:
    bt = backtest(demo_episodes, dt.date(2026, 6, 30), horizon_days=180, seed=42)
    m = bt.metrics
    assert m["cutoff"] == dt.date(2025, 7, 5) and m["test_start"] > m["cutoff"]
    assert m["train_end"] <= dt.date(2025, 7, 5) - dt.timedelta(days=180)  # every training outcome known by cutoff
    assert m["auc"] > 0.62
    assert m["lift_top10"] > 1.8 and m["lift_top20"] > 1.5
    assert m["rate_top10"] == pytest.approx(m["lift_top10"] * m["base_rate"])
    assert bt.gains["returners_found"].is_monotonic_increasing and bt.gains["returners_found"].iloc[-1] == 1


def test_backtest_reproducible_with_seed(demo_episodes) -> None:
    a = backtest(demo_episodes, dt.date(2026, 6, 30), horizon_days=180, seed=7)
    b = backtest(demo_episodes, dt.date(2026, 6, 30), horizon_days=180, seed=7)
    assert a.metrics == b.metrics
    np.testing.assert_array_equal(a.predictions["p_return"], b.predictions["p_return"])


def test_profile_recovers_planted_drivers(demo_episodes) -> None:
    p = returners_profile(demo_episodes).set_index(["attribute", "value"])
    assert p.loc[("first_discount_code", "WELCOME10"), "adjusted_high"] < 1  # deal seekers come back less
    assert p.loc[("orders_band", "3-4"), "lift_low"] > 1.5 and p.loc[("orders_band", "5+"), "lift_low"] > 2
    assert p.loc[("gift_buyer", "yes"), "lift_low"] > 1
    assert p.loc[("first_product_line", "Umami"), "adjusted_lift"] > 1


def test_scores_of_dormant_customers(demo_episodes, monkeypatch) -> None:
    known = demo_episodes.loc[demo_episodes["outcome_known"]]
    m = LookalikeModel(seed=1).fit(known[list(FEATURE_COLUMNS)], known["returned"].to_numpy(dtype=bool))
    s = score_lapsed(m, demo_episodes, horizon_days=180)
    current = demo_episodes.loc[demo_episodes["current"], "customer_key"]
    assert s.index.is_unique and set(s.index) == set(current)
    assert s["rank"].tolist() == list(range(1, len(s) + 1))
    assert s["expected_return_value"].is_monotonic_decreasing
    assert s["p_return"].between(0, 1).all()
    fresh = s["days_lapsed"] == 0
    assert fresh.any() and np.allclose(s.loc[fresh, "p_return"], s.loc[fresh, "p_return_at_start"])
    names = set(m.encoder_.get_feature_names_out())
    drivers = s[["driver_1", "driver_2", "driver_3"]].stack().dropna()
    assert set(drivers) <= names and len(drivers) > 0
    # the top driver is the attribute value that pushes the score up most
    contrib = m.contributions(demo_episodes.loc[demo_episodes["current"]].set_index("customer_key").head(50))
    top = contrib.idxmax(axis=1)[contrib.max(axis=1) > 0]
    assert len(top) and (s.loc[top.index, "driver_1"].str.split("=").str[0] == top).all()
    # worked out in chunks (to bound memory on large shops) it is the same as all at once
    X = demo_episodes.loc[demo_episodes["current"]].set_index("customer_key")[list(FEATURE_COLUMNS)]
    pd.testing.assert_frame_equal(m.top_drivers(X, chunk=37), m.top_drivers(X, chunk=len(X) + 1))
    import ltvlib.winback.model as model_module

    whole = m.predict_proba(X)
    monkeypatch.setattr(model_module, "SCORE_CHUNK", 37)
    assert len(X) > 37 and np.array_equal(m.predict_proba(X), whole)


# -- the report notebook, end to end -------------------------------------------------------------------------


@pytest.mark.slow
def test_notebook_runs_on_demo_store_and_leaves_it_untouched(tmp_path: Path, demo_shop) -> None:
    import hashlib

    import papermill as pm

    from ltvlib.io import ImportResult
    from ltvlib.report import NOTEBOOKS_DIR, ensure_kernel, notebook_html
    from ltvlib.store import Store

    orders, items = demo_shop
    shop = tmp_path / "shop"
    shop.mkdir()
    with Store(shop / "store.duckdb", timezone="Asia/Tokyo") as store:
        store.upsert(ImportResult(orders, items, pd.DataFrame(columns=["source_file", "reason", "rows", "orders"])),
                     files=["demo"])
    demo_yaml = (NOTEBOOKS_DIR.parent / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
    (shop / "shop.yaml").write_text(demo_yaml.replace("../../data/demo/store.duckdb", "store.duckdb")
                                    .replace("shop: demo", "shop: wbtest"), encoding="utf-8")
    before = hashlib.sha256((shop / "store.duckdb").read_bytes()).hexdigest()
    out = tmp_path / "report"
    out.mkdir()
    pm.execute_notebook(str(NOTEBOOKS_DIR / "winback.ipynb"), str(out / "winback.ipynb"),
                        parameters={"shop": str(shop / "shop.yaml"), "as_of": "2026-06-30", "audience": "client",
                                    "out_dir": str(out)},
                        kernel_name=ensure_kernel(), cwd=str(NOTEBOOKS_DIR), progress_bar=False)
    # producing the report never writes to the store (freezing is `ltv winback freeze`)
    assert hashlib.sha256((shop / "store.duckdb").read_bytes()).hexdigest() == before
    figures = json.loads((out / "winback.figures.json").read_text(encoding="utf-8"), parse_constant=pytest.fail)
    t = figures["target_list"]
    assert figures["backtest"]["lift_top10"] > 1.5 and t["customers"] == 500 and t["control"] == 50
    assert t["targets"] == 450 and t["list_to_freeze"] == "winback-2026-06-30"
    assert figures["lapsed_days"] == 121 and figures["title"].startswith("ウィンバック：購入途絶（121日以上）")
    targets = pd.read_csv(out / "exports" / "winback_targets.csv")
    control = pd.read_csv(out / "exports" / "winback_control.csv")
    assert len(targets) == 450 and len(control) == 50 and set(targets["group"]) == {"target"}
    assert not targets["customer"].str.contains("@").any() and targets["reason_1"].str.contains("：").all()
    assert 0 < figures["key_figures"]["expected_returns_without_offer"]["value"] == pytest.approx(
        targets["p_return"].sum(), rel=1e-3)
    html = notebook_html(out / "winback.ipynb", "client")
    assert "購入途絶（121日以上）" in html and 'src="http' not in html and "@example.jp" not in html
    assert "ltv winback freeze" not in html  # clients see no command lines
    # pseudonyms are keyed by the shop's secret, which the read-only report run made beside the store (it had
    # none); the secret itself reaches neither the page nor the executed notebook
    import base64
    import re

    secret = (shop / "store.duckdb.secret").read_bytes()
    assert targets["customer"].str.fullmatch(r"C-[0-9a-f]{16}").all() and re.search(r"C-[0-9a-f]{16}", html)
    for text in (html, (out / "winback.ipynb").read_text(encoding="utf-8")):
        assert secret.hex() not in text and base64.b64encode(secret).decode() not in text and str(secret) not in text
    from pagecheck import page_problems

    assert page_problems(html) == []

    # the explicit freeze step freezes exactly the exported list, control group included
    from ltvlib.cli import main
    from ltvlib.segments import lists

    assert main(["winback", "freeze", str(shop / "shop.yaml"), "--as-of", "2026-06-30"]) == 0
    assert main(["winback", "freeze", str(shop / "shop.yaml"), "--as-of", "2026-06-30"]) == 2  # taken name
    with Store(shop / "store.duckdb", timezone="Asia/Tokyo", read_only=True) as store:
        members = lists.load(store, "winback-2026-06-30")
        assert lists.info(store, "winback-2026-06-30")["how"] == "winback"
    from ltvlib.privacy import pseudonym, shop_secret

    secret = shop_secret(shop / "store.duckdb")
    frozen = pd.Series(members["group"].to_numpy(), index=pseudonym(members["customer_key"], secret)).sort_index()
    exported = pd.concat([targets, control]).set_index("customer")["group"].sort_index()
    assert frozen.to_dict() == exported.to_dict()


def test_analyse_without_enough_episodes_says_why(history) -> None:
    orders, items = history
    r = winback.analyse(orders, AS_OF, settings_from({}), line_items=items)
    assert r.model is None and r.backtest is None and "at least 10 customers who came back" in str(r.problem)
    assert "10人以上" in r.problem.text("ja") and "121日以上" in r.problem.text("ja")
    assert set(r.scores.index) == {"a", "b", "c", "d", "e", "f"} and r.scores["p_return"].isna().all()
    lapsed = winback.lapsed_summary(r.scores)
    assert lapsed["customers"].sum() == 6 and lapsed.loc["0-89", "customers"] == 1  # f: lapsed since today
    empty = r.scores.iloc[:0]
    for lang in ("en", "ja"):
        text = winback.narrative(n_customers=7, lapsed=lapsed, scores=r.scores, timing=r.timing, profile=r.profile,
                                 metrics=None, targets=empty, groups=assign_groups(empty, 0.1, 1), lapsed_days=121,
                                 horizon_days=180, currency="JPY", language=lang)
        assert "6" in text and ("Lapsed (121+ days)" in text if lang == "en" else "購入途絶（121日以上）" in text)
        assert "nan" not in text.lower()


def test_demo_params_section_is_valid() -> None:
    from ltvlib.params import load_shop_params

    p = load_shop_params("demo")
    s = settings_from(p.winback, p.thresholds)
    assert s.lapsed_days == p.thresholds["active_days"] + 1 == 121 and s.horizon_days == 180
    assert s.peak_months == (6, 7, 12)


def test_report_text_reads_the_numbers(demo_shop) -> None:
    orders, items = demo_shop
    r = winback.analyse(orders, dt.date(2026, 6, 30), settings_from({}), line_items=items)
    lapsed = winback.lapsed_summary(r.scores)
    targets = select_targets(r.scores, top_n=100)
    groups = assign_groups(targets, 0.1, 42)
    m = r.backtest.metrics
    text = {lang: winback.narrative(n_customers=20000, lapsed=lapsed, scores=r.scores, timing=r.timing,
                                    profile=r.profile, metrics=m, targets=targets, groups=groups, lapsed_days=121,
                                    horizon_days=180, currency="JPY", language=lang) for lang in ("en", "ja")}
    n = f"{int(lapsed['customers'].sum()):,}"
    assert n in text["en"] and n in text["ja"] and f"{m['auc']:.2f}" in text["en"] and "提言" in text["ja"]
    assert f"{m['lift_top10']:.1f}x" in text["en"] and f"{m['lift_top10']:.1f}倍" in text["ja"]
    # the forecast counts the target group only, and is what happens without an offer
    to_contact = targets.loc[groups == "target"]
    assert len(to_contact) == 90
    assert f"**{float(to_contact['p_return'].sum()):,.0f}**" in text["en"] and "without an offer" in text["en"]
    assert "**90 customers**" in text["en"] and "**10** customers" in text["en"] and "オファーがなくても" in text["ja"]
    assert "dormant" not in text["en"].lower() and "休眠" not in text["ja"].replace("「休眠」", "")
    shown = winback.present_profile(r.profile.head(3), "ja", 121)
    assert len(shown) == 3 and shown.index[0].startswith("初回購入の商品ライン：")
    assert winback.driver_text("orders_band=3-4", "en", 121) == "Orders: 3-4 orders"
    assert winback.driver_text("orders_band=1", "en", 121) == "Orders: 1 order"
    assert winback.driver_text("start_month=2", "ja", 121) == "購入途絶（121日以上）になった月：2月"
    from matplotlib.axes import Axes

    from ltvlib.plots import winback as wb_plots

    axes = [wb_plots.lapsed_base_chart(lapsed, "en", 121), wb_plots.return_timing_chart(r.timing, 180, "en", 121),
            wb_plots.lift_chart(r.profile.head(6), "en", 121, column="adjusted_lift"),
            wb_plots.calibration_chart(r.backtest.calibration, "en"), wb_plots.gains_chart(r.backtest.gains, "en")]
    assert all(isinstance(ax, Axes) for ax in axes)
    assert axes[1].get_title() == "When Lapsed (121+ days) customers come back"


def test_figures_draw_into_a_given_ax() -> None:
    """Like seaborn: a given ``ax`` is drawn on and returned; without one, a figure of its own is made and closed."""
    import matplotlib.pyplot as plt

    from ltvlib.plots import winback as wb_plots

    calibration = pd.DataFrame({"mean_predicted": [0.1, 0.3], "observed_rate": [0.12, 0.28]})
    gains = pd.DataFrame({"top_share": [0.1, 0.2, 1.0], "returners_found": [0.3, 0.5, 1.0], "lift": [3.0, 2.5, 1.0]})
    fig, (left, right) = plt.subplots(1, 2)
    assert wb_plots.calibration_chart(calibration, "en", ax=right) is right
    assert len(right.get_lines()) == 2 and not left.has_data() and plt.fignum_exists(fig.number)
    own = wb_plots.gains_chart(gains, "en")
    assert len(own.get_lines()) == 2 and own.figure is not fig and not plt.fignum_exists(own.figure.number)
    plt.close(fig)


def test_profile_counts_only_episodes_whose_outcome_is_known(history) -> None:
    """An episode still open at as_of that has already returned must not count: early returners would
    otherwise inflate the base rate (the demo's went from 19.0% to 22.3%)."""
    orders, items = history
    # q lapses on day 600 and comes back on day 650: returned, but its horizon (day 780) is after as_of (700)
    extra = make_orders([("q1", "q", day(600 - 121), 700.0), ("q2", "q", day(650), 700.0)])
    e = lapse_episodes(pd.concat([orders, extra], ignore_index=True), AS_OF, lapsed_days=121, horizon_days=180,
                       line_items=items)
    q = e.loc[e["customer_key"] == "q"].iloc[0]
    assert q["returned"] and not q["outcome_known"]  # it did return, but its outcome is not settled
    known = e.loc[e["outcome_known"]]
    p = returners_profile(e, AttributeEncoder(min_count=1).fit(known)).set_index(["attribute", "value"])
    everyone = p.loc["multichannel"]  # every episode has one value of each attribute
    assert everyone["episodes"].sum() == len(known) == 8  # a1, a2, b1, b2, c1, c2, d1, d2 (not e, f or q)
    assert everyone["returned"].sum() == int(known["returned"].sum()) == 3  # a1, b1, d1; q is not counted
    assert winback.return_value_ratio(e) == winback.return_value_ratio(e.loc[e["customer_key"] != "q"])


def test_unique_rows_equals_numpy_unique_on_code_matrices() -> None:
    from ltvlib.winback.model import _unique_rows

    rng = np.random.default_rng(7)
    cases = [rng.integers(-1, rng.integers(1, 8), size=(rng.integers(0, 400), rng.integers(1, 7))) for _ in range(100)]
    cases.append(rng.integers(0, 2**40, size=(60, 4)))  # keys too wide for one int64: numpy's own way
    for a in cases:
        want_rows, want_counts = np.unique(a, axis=0, return_counts=True)
        rows, counts = _unique_rows(a)
        assert rows.shape == want_rows.shape and (rows == want_rows).all() and (counts == want_counts).all()


def test_no_control_group_sentence_fits_the_audience(demo_shop) -> None:
    orders, items = demo_shop
    said = {}
    for audience in ("client", "analyst"):
        p = winback.compute_page(orders, items, dt.date(2026, 6, 30), shop="s", secret=b"k" * 32, name="S",
                                 language="en", currency="JPY", winback={"control_share": 0}, audience=audience,
                                 thresholds={"active_days": 120, "at_risk_days": 180, "dormant_days": 360})
        assert len(p.targets) and not (p.groups == "control").any()
        said[audience] = p.summary()
    assert "No control group is held out" in said["client"] and "control_share" not in said["client"]
    assert "(winback.control_share is 0)" in said["analyst"]
