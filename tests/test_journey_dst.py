"""Journeys in zones where daylight saving starts at midnight, the window's label, and prose that matches the table."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from conftest import make_orders

from ltvlib import cohorts
from ltvlib.customers import as_of_cutoff, customer_orders
from ltvlib.journey import OrderHistory, build_journeys, flow_trend, narrative, window_label
from ltvlib.journey.history import HistoryMembership

THRESHOLDS = {"active_days": 120, "at_risk_days": 180, "dormant_days": 360, "repeat_orders": 2, "loyal_orders": 5,
              "f_score_breaks": [2, 3, 5, 10]}
# (zone, the day whose midnight does not exist): as_of the day before (2025-09-06, 2025-03-29) cuts there
ZONES = [("America/Santiago", dt.date(2025, 9, 7)), ("Asia/Beirut", dt.date(2025, 3, 30))]


@pytest.mark.parametrize(("zone", "gap_day"), ZONES)
def test_as_of_cutoff_where_midnight_does_not_exist(zone: str, gap_day: dt.date) -> None:
    with pytest.raises(Exception, match="2025"):  # the old way: NonExistentTimeError
        pd.Timestamp(gap_day).tz_localize(zone)
    cut = as_of_cutoff(gap_day - dt.timedelta(days=1), zone)
    assert cut.date() == gap_day and cut.hour == 1  # the day starts at 01:00
    orders = make_orders([("a1", "a", f"{gap_day - dt.timedelta(days=1)} 23:30", 10.0),
                          ("a2", "a", f"{gap_day} 01:30", 20.0)], tz=zone)
    seen = customer_orders(orders, gap_day - dt.timedelta(days=1))
    assert seen["order_id"].tolist() == ["a1"]
    m = cohorts.cohort_matrix(orders, gap_day - dt.timedelta(days=1))
    assert m["orders"].sum() == 1


@pytest.mark.parametrize(("zone", "gap_day"), ZONES)
def test_weekly_trend_across_a_midnight_gap(zone: str, gap_day: dt.date) -> None:
    before = gap_day - dt.timedelta(days=1)
    orders = make_orders([
        ("a1", "a", f"{before - dt.timedelta(days=20)} 10:00", 10.0),
        ("a2", "a", f"{before - dt.timedelta(days=3)} 10:00", 10.0),  # a: first -> repeat in the week to `before`
        ("b1", "b", f"{before} 23:30", 10.0),  # new on the last evening before the gap
        ("c1", "c", f"{gap_day} 01:30", 10.0),  # the first hour that exists on the gap day: after as_of
    ], tz=zone)
    as_of = before + dt.timedelta(days=14)  # weekly dates as_of - 7k include `before`
    h = OrderHistory(orders, as_of=as_of)
    src = HistoryMembership(h, "status_grid", ("first_active", "repeat_active"), THRESHOLDS, {})
    t = flow_trend(src, as_of, weeks=26)
    week = t.loc[t["week_end"] == before].set_index(["source", "target"])["customers"]
    assert week[("first_active", "repeat_active")] == 1 and week[("_new", "first_active")] == 1
    nxt = t.loc[t["week_end"] == before + dt.timedelta(days=7)].set_index(["source", "target"])["customers"]
    assert nxt[("_new", "first_active")] == 1  # c, on the gap day, counts in the next week
    assert len(t["week_end"].unique()) == 26


@pytest.fixture
def shop() -> pd.DataFrame:
    return make_orders([
        ("a1", "a", "2025-06-20 10:00", 10.0), ("a2", "a", "2025-06-24 10:00", 10.0),  # first -> repeat on 24 June
        ("b1", "b", "2025-06-23 10:00", 10.0),  # new on 23 June: before the window's first counted day
        ("c1", "c", "2025-06-24 09:00", 10.0), ("d1", "d", "2025-06-30 09:00", 10.0),  # new on 24 and 30 June
    ])


def test_window_label_names_the_days_counted(shop: pd.DataFrame) -> None:
    js = build_journeys({"grid": {"source": "status_grid", "segments": ["first_active", "repeat_active"]}},
                        shop, "2025-06-30", THRESHOLDS)
    w = js["grid"].window("2025-06-30")
    assert (w.start, w.first_day, w.end) == (dt.date(2025, 6, 23), dt.date(2025, 6, 24), dt.date(2025, 6, 30))
    assert window_label(w, "en") == "2025-06-24 – 2025-06-30 (7 days)"
    assert window_label(w, "ja") == "2025-06-24〜2025-06-30（7日間）"
    f = w.flows.set_index(["source", "target"])["customers"]
    assert f[("_new", "first_active")] == 2  # c and d; b's 23 June order is before the first counted day
    assert f[("first_active", "repeat_active")] == 1
    text = narrative(js["grid"], w, "en")
    assert "in the 7 days Jun 24 – Jun 30" in text


def test_prose_counts_are_table_rows(shop: pd.DataFrame) -> None:
    js = build_journeys({"grid": {"source": "status_grid", "segments": ["first_active", "repeat_active"]}},
                        shop, "2025-06-30", THRESHOLDS)
    w = js["grid"].window("2025-06-30")
    text = narrative(js["grid"], w, "en")
    rows = set(w.flows.loc[w.flows["customers"] > 0, "customers"])
    counts = {int(n.replace(",", "")) for n in re.findall(r"\*\*([\d,]+)\*\*", text)}
    assert counts and counts <= rows
    assert "**2**" in text and "into *First · Active \\(" in text  # data text is Markdown-escaped
