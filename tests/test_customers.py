"""customer_summary and friends against hand-computed cases and against lifetimes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders
from hypothesis import given, settings
from hypothesis import strategies as st

from ltvlib.customers import (
    customer_orders,
    customer_summary,
    day_number,
    exclusions,
    repurchase_intervals,
    visible_orders,
)

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def orders() -> pd.DataFrame:
    return make_orders(
        [
            ("1", "a", "2026-01-10 10:00", 1000.0, {"channel": "pos", "discount_codes": ["WELCOME10"]}),
            ("2", "a", "2026-01-10 23:59", 500.0),  # same local day: one purchase day, two orders
            ("3", "a", "2026-03-01 09:00", 2000.0),
            ("4", "b", "2026-06-30 23:59", 3000.0),  # last minute of as_of: visible
            ("5", "b", "2026-07-01 00:00", 9999.0),  # first minute after as_of: invisible
            ("6", None, "2026-02-01 12:00", 700.0),  # guest: no identity
            ("7", "c", "2026-05-01 12:00", 800.0, {"cancelled_at": pd.Timestamp("2026-05-02", tz="Asia/Tokyo")}),
            ("8", "d", "2025-12-31 23:30", 100.0),  # Tokyo date 2025-12-31 (UTC date 2025-12-31 14:30)
            ("9", "d", "2026-01-01 00:30", 300.0),  # Tokyo 2026-01-01 (UTC still 2025-12-31): a new day
        ]
    )


def test_summary_hand_computed(orders: pd.DataFrame) -> None:
    items = make_line_items([("1", 1, "Umami - Dashi", "Umami", 1, 1000.0), ("1", 2, "Sweets - X", "Sweets", 1, 0.0)])
    s = customer_summary(orders, AS_OF, line_items=items)
    assert sorted(s.index) == ["a", "b", "d"]  # guest, cancelled-only and future orders left out
    a = s.loc["a"]
    assert a["orders"] == 3 and a["purchase_days"] == 2 and a["frequency"] == 1
    assert a["recency"] == (dt.date(2026, 3, 1) - dt.date(2026, 1, 10)).days == 50
    assert a["T"] == a["tenure_days"] == (AS_OF - dt.date(2026, 1, 10)).days == 171
    assert a["recency_days"] == (AS_OF - dt.date(2026, 3, 1)).days == 121
    assert a["net_revenue"] == 3500.0 and a["aov"] == pytest.approx(3500 / 3)
    assert a["monetary_value"] == 2000.0  # repeat purchase days only (lifetimes' definition)
    assert a["mean_interval_days"] == 50.0
    assert a["first_channel"] == "pos" and a["first_discount_code"] == "WELCOME10"
    assert a["first_product_line"] == "Umami"
    b = s.loc["b"]
    assert b["orders"] == 1 and b["recency_days"] == 0 and b["net_revenue"] == 3000.0
    assert b["monetary_value"] == 0.0 and np.isnan(b["mean_interval_days"])
    d = s.loc["d"]
    assert d["purchase_days"] == 2 and d["recency"] == 1  # calendar days in the shop's zone, not UTC


def test_as_of_is_explicit(orders: pd.DataFrame) -> None:
    earlier = customer_summary(orders, dt.date(2026, 1, 31))
    assert sorted(earlier.index) == ["a", "d"]
    assert earlier.loc["a", "orders"] == 2
    assert len(visible_orders(orders, "2026-06-30")) == 8


def test_day_number_is_the_order_day_scale(orders: pd.DataFrame) -> None:
    assert day_number("1970-01-02") == 1 and day_number(dt.date(1969, 12, 31)) == -1
    assert day_number(dt.datetime(2026, 6, 30, 23, 59)) == day_number("2026-06-30")
    o = customer_orders(orders, AS_OF).set_index("order_id")["order_day"]
    assert o["8"] == day_number("2025-12-31") and o["4"] == day_number(AS_OF)  # local (Tokyo) calendar days


def test_exclusions_counted(orders: pd.DataFrame) -> None:
    ex = exclusions(orders, AS_OF).set_index("reason")
    assert ex.loc["cancelled", "orders"] == 1
    assert ex.loc["no_customer_identity", "orders"] == 1
    assert ex.loc["no_customer_identity", "net_revenue"] == 700.0


def test_repurchase_intervals(orders: pd.DataFrame) -> None:
    iv = repurchase_intervals(orders, AS_OF)
    assert iv.set_index("customer_key")["days"].to_dict() == {"a": 50, "d": 1}
    assert set(iv["purchase_no"]) == {2}


def test_matches_lifetimes_summary() -> None:
    """frequency / recency / T / monetary_value equal lifetimes' own summary on the same orders."""
    from lifetimes.utils import summary_data_from_transaction_data

    rng = np.random.default_rng(3)
    n = 400
    keys = rng.integers(0, 120, n).astype(str)
    start = pd.Timestamp("2025-01-01", tz="Asia/Tokyo")
    when = start + pd.to_timedelta(rng.integers(0, 540 * 24 * 60, n), unit="min")
    rows = [(str(i), k, w.strftime("%Y-%m-%d %H:%M"), float(rng.integers(500, 9000))) for i, (k, w) in
            enumerate(zip(keys, when))]
    o = make_orders(rows)
    ours = customer_summary(o, AS_OF)
    tx = pd.DataFrame({"id": o["customer_key"], "date": o["ordered_at"].dt.tz_localize(None), "v": o["net_revenue"]})
    tx = tx[tx["date"] < pd.Timestamp(AS_OF + dt.timedelta(days=1))]
    ref = summary_data_from_transaction_data(tx, "id", "date", monetary_value_col="v",
                                             observation_period_end=pd.Timestamp(AS_OF), freq="D")
    ours = ours.loc[ref.index]
    for c in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(ours[c].to_numpy(), ref[c].to_numpy().astype(np.int64), err_msg=c)
    np.testing.assert_allclose(ours["monetary_value"].to_numpy(), ref["monetary_value"].to_numpy())


def test_no_visible_orders_gives_empty_summary(orders: pd.DataFrame) -> None:
    s = customer_summary(orders, dt.date(2020, 1, 1))
    assert s.empty and "frequency" in s.columns and s.index.name == "customer_key"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 400)), min_size=1, max_size=40))
def test_intervals_and_purchase_days_match_a_plain_groupby(rows: list[tuple[int, int]]) -> None:
    start = pd.Timestamp("2025-01-01 12:00", tz="Asia/Tokyo")
    o = make_orders([(str(i), f"k{k}", (start + pd.Timedelta(days=d)).strftime("%Y-%m-%d %H:%M"), 100.0)
                     for i, (k, d) in enumerate(rows)])
    as_of = dt.date(2026, 6, 30)
    got = repurchase_intervals(o, as_of).sort_values(["customer_key", "purchase_no"]).reset_index(drop=True)
    days = (o.assign(d=o["ordered_at"].dt.date)[["customer_key", "d"]].drop_duplicates()
            .sort_values(["customer_key", "d"]))
    days["gap"] = days.groupby("customer_key")["d"].diff().map(lambda x: x.days if x == x else None)
    days["no"] = days.groupby("customer_key").cumcount() + 1
    want = days.dropna(subset=["gap"])
    assert got["customer_key"].tolist() == want["customer_key"].tolist()
    assert got["days"].tolist() == want["gap"].astype(int).tolist()
    assert got["purchase_no"].tolist() == want["no"].tolist()
    s = customer_summary(o, as_of)
    assert s["purchase_days"].to_dict() == days.groupby("customer_key").size().to_dict()
