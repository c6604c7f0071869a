"""Journey flows on hand-computed tiny order sets: status grid, overlapping segments, windows, exports."""

from __future__ import annotations

import datetime as dt

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
    export_movers,
    export_name,
    flow_trend,
    mover_profile,
    movers_table,
    narrative,
    segment_label,
    trend_narrative,
    validate_journeys,
    window_flows,
)
from ltvlib.journey.history import family_segments
from ltvlib.params import load_shop_params
from ltvlib.rfm import GRID_CELLS

AS_OF = dt.date(2026, 6, 30)
START = AS_OF - dt.timedelta(days=7)  # 2026-06-23: the default 7-day window


def _at(days_before_start: int, hm: str = "12:00") -> str:
    return f"{START - dt.timedelta(days=days_before_start):%Y-%m-%d} {hm}"


def _moves(window) -> dict[tuple[str, str], int]:
    f = window.flows
    f = f.loc[(f["customers"] > 0) & (f["kind"] == "move")]
    return {(a, b): n for a, b, n in zip(f["source"], f["target"], f["customers"])}


@pytest.fixture
def grid_orders() -> pd.DataFrame:
    return make_orders([
        ("1", "a", _at(120), 1000.0),  # recency 120 at start (active), 127 at end: first_active -> first_at_risk
        ("2", "b", _at(200), 1000.0),  # first_dormant at start ...
        ("3", "b", "2026-06-25 10:00", 2000.0),  # ... orders in the window: -> repeat_active
        ("4", "c", "2026-06-28 10:00", 1500.0),  # first order inside the window: entry from _new
        ("5", "d", _at(10), 1000.0),  # stays first_active
        ("6", "e", "2026-06-23 23:59", 1000.0),  # last minute of the start day: known at start
        ("7", "e", "2026-06-24 00:01", 1000.0),  # first minute of the window: first_active -> repeat_active
        ("8", "f", "2026-07-01 00:00", 1000.0),  # after as_of: invisible
        ("9", "g", _at(400), 500.0), ("10", "g", _at(300), 500.0), ("11", "g", _at(250), 500.0),
        ("12", "g", _at(180), 500.0),  # repeat_at_risk (180) -> repeat_dormant (187)
        ("13", "h", _at(30), 900.0, {"cancelled_at": pd.Timestamp("2026-06-01", tz="Asia/Tokyo")}),  # cancelled
    ])


def _grid(orders: pd.DataFrame, thresholds: dict, as_of: dt.date = AS_OF) -> HistoryMembership:
    return HistoryMembership(OrderHistory(orders, as_of=as_of), "status_grid", tuple(GRID_CELLS),
                             thresholds, {})


def test_status_grid_window_hand_computed(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    w = window_flows(_grid(grid_orders, thresholds), START, AS_OF)
    assert _moves(w) == {("first_active", "first_at_risk"): 1, ("first_dormant", "repeat_active"): 1,
                         ("first_active", "repeat_active"): 1, ("repeat_at_risk", "repeat_dormant"): 1}
    assert list(w.movers("first_dormant", "repeat_active")) == ["b"]
    assert list(w.movers("first_active", "repeat_active")) == ["e"]
    assert list(w.movers(NEW, "first_active")) == ["c"]
    assert list(w.movers("first_active", "first_active")) == ["d"]
    t = w.segment_table()
    assert t.loc["first_active"].to_dict() == {"at_start": 3, "at_end": 2, "joined": 1, "left": 2, "stayed": 1,
                                               "entries_new": 1, "entries_outside": 0, "exits": 0}
    assert t.loc["repeat_active", "at_end"] == 2
    # a partition: nobody exits, every customer known at end is in exactly one cell
    assert t["exits"].sum() == 0 and t["at_end"].sum() == 6 and t["at_start"].sum() == 5
    assert sorted(w.membership("start").index) == ["a", "b", "d", "e", "g"]
    assert w.matrix().loc["first_dormant", "repeat_active"] == 1


def test_windows_of_different_lengths(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    src = _grid(grid_orders, thresholds)
    one = window_flows(src, AS_OF - dt.timedelta(days=1), AS_OF)  # 06-29 -> 06-30: nobody changes
    assert _moves(one) == {} and one.flows.loc[one.flows["kind"] == "entry", "customers"].sum() == 0
    two = window_flows(src, dt.date(2026, 6, 24), dt.date(2026, 6, 25))  # a is at risk since 06-24; b orders 06-25
    assert _moves(two) == {("first_dormant", "repeat_active"): 1}
    # 30 days from 05-31: b was still at risk (177 days) then; d's and e's first orders are inside
    month = window_flows(src, AS_OF - dt.timedelta(days=30), AS_OF)
    assert _moves(month) == {("first_active", "first_at_risk"): 1, ("first_at_risk", "repeat_active"): 1,
                             ("repeat_at_risk", "repeat_dormant"): 1}
    assert set(month.movers(NEW, "first_active")) == {"c", "d"}
    assert list(month.movers(NEW, "repeat_active")) == ["e"]
    with pytest.raises(ValueError, match="before its start"):
        window_flows(src, AS_OF, START)


def test_arrows_restrict_moves(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    w = window_flows(_grid(grid_orders, thresholds), START, AS_OF, arrows=[["first_*", "repeat_active"]])
    assert _moves(w) == {("first_dormant", "repeat_active"): 1, ("first_active", "repeat_active"): 1}
    with pytest.raises(KeyError):
        w.movers("first_active", "first_at_risk")
    with pytest.raises(ValueError, match="matches no segment"):
        window_flows(_grid(grid_orders, thresholds), START, AS_OF, arrows=[["nope", "first_active"]])


@pytest.fixture
def line_orders() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = make_orders([
        ("p1", "p", _at(50), 1000.0), ("p2", "p", "2026-06-26 09:00", 1000.0),
        ("q1", "q", _at(90), 1000.0, {"discount_codes": ["WELCOME10"]}), ("q2", "q", _at(20), 1000.0),
        ("q3", "q", "2026-06-27 09:00", 1000.0),
        ("r1", "r", "2026-06-25 09:00", 800.0, {"channel": "pos"}), ("r2", "r", "2026-06-29 09:00", 800.0),
        ("s1", "s", _at(5), 500.0),
    ])
    items = make_line_items([
        ("p1", 1, "Umami A", "Umami", 1, 1000.0), ("p2", 1, "Umami B", "Umami", 1, 1000.0),
        ("q1", 1, "Sweets A", "Sweets", 1, 500.0), ("q1", 2, "Umami A", "Umami", 1, 500.0),
        ("q2", 1, "Umami A", "Umami", 1, 1000.0), ("q3", 1, "Sweets B", "Sweets", 1, 1000.0),
        ("r1", 1, "Umami A", "Umami", 1, 800.0), ("r2", 1, "Umami C", "Umami", 2, 400.0),
        ("s1", 1, "Sweets A", "Sweets", 1, 500.0),
    ])
    return orders, items


def _lines(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> HistoryMembership:
    h = OrderHistory(orders, items, as_of=AS_OF)
    segs = ("first_line:Sweets", "first_line:Umami", "fan:Sweets", "fan:Umami")
    return HistoryMembership(h, "product_line", segs, thresholds, {"fan_orders": 2})


def test_customers_in_two_segments(line_orders, thresholds: dict) -> None:
    orders, items = line_orders
    w = window_flows(_lines(orders, items, thresholds), START, AS_OF)
    start, end = w.membership("start"), w.membership("end")
    assert start.loc["q"].to_dict() == {"first_line:Sweets": True, "first_line:Umami": False, "fan:Sweets": False,
                                        "fan:Umami": True}
    assert end.loc["q", "fan:Sweets"] and end.loc["q", "fan:Umami"]
    # q was in two segments at start and joined one: one move from each
    assert _moves(w) == {("first_line:Umami", "fan:Umami"): 1, ("first_line:Sweets", "fan:Sweets"): 1,
                         ("fan:Umami", "fan:Sweets"): 1}
    assert list(w.movers("first_line:Umami", "fan:Umami")) == ["p"]  # p stays in first_line:Umami too
    assert list(w.movers("first_line:Umami", "first_line:Umami")) == ["p"]
    # r's first and second orders are inside the window: enters two segments from _new
    assert list(w.movers(NEW, "first_line:Umami")) == ["r"] and list(w.movers(NEW, "fan:Umami")) == ["r"]
    with_arrows = window_flows(w_src := _lines(orders, items, thresholds), START, AS_OF,
                               arrows=[["first_line:*", "fan:*"]])
    assert _moves(with_arrows) == {("first_line:Umami", "fan:Umami"): 1, ("first_line:Sweets", "fan:Sweets"): 1}
    assert family_segments("product_line", w_src.history)[:2] == ["first_line:Sweets", "first_line:Umami"]


def test_entries_from_outside_and_exits(thresholds: dict) -> None:
    orders = make_orders([
        ("1", "k", _at(10), 1000.0),  # online at start, POS in window: online -> pos (stays online)
        ("2", "k", "2026-06-26 10:00", 1000.0, {"channel": "pos"}),
        ("3", "m", _at(118), 1000.0),  # online within 120 days at start, not at end: exits the journey
        ("4", "n", _at(300), 1000.0),  # known but in no segment at start, orders online: entry from _outside
        ("5", "n", "2026-06-29 10:00", 1000.0),
    ])
    h = OrderHistory(orders, as_of=AS_OF)
    src = HistoryMembership(h, "channel", ("online_store", "pos"), thresholds, {})
    w = window_flows(src, START, AS_OF, arrows=[["online_store", "pos"], ["pos", "online_store"]])
    assert _moves(w) == {("online_store", "pos"): 1}
    assert list(w.movers("online_store", OUTSIDE)) == ["m"]
    assert list(w.movers(OUTSIDE, "online_store")) == ["n"]
    ever = window_flows(HistoryMembership(h, "channel", ("online_store", "pos"), thresholds,
                                          {"within_days": None}), START, AS_OF)
    assert list(ever.movers("online_store", OUTSIDE)) == []  # "ever ordered there" is never left


def test_winback_lapsed_to_returned(thresholds: dict) -> None:
    orders = make_orders([
        ("1", "w", _at(200), 1000.0), ("2", "w", "2026-06-27 10:00", 1000.0),  # lapsed at start, returns
        ("3", "x", _at(115), 1000.0),  # active at start (115), lapsed at end (122)
        ("4", "y", _at(300), 1000.0), ("5", "y", _at(117), 1000.0),  # returned at start, lapses again
        ("6", "z", _at(125), 1000.0), ("7", "z", _at(5), 1000.0),  # gap 120 days: never lapsed
    ])
    h = OrderHistory(orders, as_of=AS_OF)
    src = HistoryMembership(h, "winback", ("lapsed", "returned"), thresholds, {})
    w = window_flows(src, START, AS_OF)
    assert _moves(w) == {("lapsed", "returned"): 1, ("returned", "lapsed"): 1}
    assert list(w.movers("lapsed", "returned")) == ["w"] and list(w.movers("returned", "lapsed")) == ["y"]
    assert list(w.movers(OUTSIDE, "lapsed")) == ["x"]
    assert not w.membership("end").loc["z"].any()


def test_generic_membership_source_matches_history(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    from ltvlib.rfm import status_grid

    def by_summary(as_of: dt.date) -> pd.DataFrame:
        cells = status_grid(customer_summary(grid_orders, as_of), thresholds)["cell"]
        return pd.get_dummies(cells).astype(bool)

    fast = window_flows(_grid(grid_orders, thresholds), START, AS_OF)
    slow = window_flows(by_summary, START, AS_OF, segments=GRID_CELLS)
    pd.testing.assert_frame_equal(fast.flows, slow.flows)


def test_trend_weeks_equal_windows(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    src = _grid(grid_orders, thresholds)
    t = flow_trend(src, AS_OF, weeks=26, flows=[("first_active", "first_at_risk"), (NEW, "first_active")])
    assert len(t) == 52 and t["week_end"].max() == AS_OF and t["week_start"].min() == AS_OF - dt.timedelta(weeks=26)
    last = t.loc[t["week_end"] == AS_OF].set_index(["source", "target"])["customers"]
    assert last[("first_active", "first_at_risk")] == 1 and last[(NEW, "first_active")] == 1
    w = window_flows(src, AS_OF - dt.timedelta(weeks=5), AS_OF - dt.timedelta(weeks=4))
    week = t.loc[t["week_end"] == AS_OF - dt.timedelta(weeks=4)].set_index(["source", "target"])["customers"]
    full = w.flows.set_index(["source", "target"])["customers"]
    assert week.to_dict() == {k: full[k] for k in week.index}
    # over 26 weeks b (first order 2025-12-05) also aged into at-risk on 2026-04-05; a, c, d and e's
    # first orders fall inside (b's does not)
    totals = t.groupby(["source", "target"])["customers"].sum()
    assert totals[("first_active", "first_at_risk")] == 2 and totals[(NEW, "first_active")] == 4
    with pytest.raises(ValueError, match="neither arrows"):
        flow_trend(src, AS_OF, weeks=2, arrows=[["first_active", "first_at_risk"]],
                   flows=[("first_active", "repeat_active")])


def test_movers_table_profile_and_export(line_orders, tmp_path, thresholds: dict) -> None:
    orders, items = line_orders
    w = window_flows(_lines(orders, items, thresholds), START, AS_OF)
    summary = customer_summary(orders, AS_OF, items)
    t = movers_table(w, "first_line:Sweets", "fan:Sweets", summary)
    assert list(t.index) == ["q"]
    assert t.loc["q", "orders"] == 3 and t.loc["q", "net_revenue"] == 3000.0
    assert t.loc["q", "first_product_line"] == "Sweets" and t.loc["q", "first_discount_code"] == "WELCOME10"
    base = summary.loc[w.membership("start").index[w.membership("start")["first_line:Sweets"]]]
    prof = mover_profile(t, base)
    row = prof.set_index(["attribute", "value"]).loc[("used_discount", "yes")]
    assert row["movers"] == 1 and row["movers_share"] == 1.0 and row["base_share"] == 0.5 and row["lift"] == 2.0
    name = export_name("product_lines", "first_line:Sweets", "fan:Sweets")
    assert name == "journey-product_lines-first_line-Sweets-to-fan-Sweets.csv"
    path = export_movers(t, tmp_path, name, show_personal_data=False, secret=b"k" * 32)
    assert path == tmp_path / "exports" / name
    text = path.read_text(encoding="utf-8-sig")
    assert "q" not in text.split("\n")[1].split(",")[0] and "C-" in text and "email" not in text
    assert not list((tmp_path / "exports").glob(".*"))  # no temporary file left
    shown = export_movers(t, tmp_path, name, show_personal_data=True, secret=b"k" * 32).read_text(encoding="utf-8-sig")
    assert shown.splitlines()[1].startswith("q,q,")  # customer_key, then email


def test_params_journeys_build_and_read_out(line_orders, thresholds: dict) -> None:
    orders, items = line_orders
    spec = load_shop_params("demo").journeys
    assert set(spec) >= {"status_grid", "stage_scenario", "product_lines", "channels", "channel_mix", "winback"}
    js = build_journeys(spec, orders, AS_OF, thresholds, line_items=items,
                        segment_definitions=load_shop_params("demo").segments)
    pl = js["product_lines"]
    assert set(pl.arrows) == {(f"first_line:{a}", f"fan:{b}") for a in ("Sweets", "Umami") for b in ("Sweets",
                                                                                                       "Umami")}
    w = pl.window(AS_OF)
    assert w.start == START and w.days == 7
    en, ja = narrative(pl, w, "en"), narrative(pl, w, "ja")
    assert "**1** customer went from *First bought Umami* to *Umami fan*" in en
    assert "「初回購入: Umami」から「Umamiファン」に移った顧客は **1人**" in ja
    assert segment_label("lapsed", "ja", js["winback"]) == "購入途絶（121日以上購入なし）"
    assert segment_label("pos", "en", js["channels"]) == "Buys in store (POS)"
    assert segment_label("repeat_at_risk", "ja", js["status_grid"]) == "リピート・離脱予備（121〜180日）"
    trend = js["channels"].trend_counts(AS_OF, weeks=26)
    assert set(zip(trend["source"], trend["target"])) == {("online_store", "pos"), ("pos", "online_store")}
    assert "online_store" not in trend_narrative(js["channels"], trend, "en")
    assert "winback" not in build_journeys({"winback": {**spec["winback"], "enabled": False}}, orders, AS_OF,
                                           thresholds)


@pytest.mark.parametrize("spec, message", [
    ({"x": {"source": "grid"}}, r"journeys\.x\.source"),
    ({"x": {"source": "status_grid", "arows": []}}, r"journeys\.x\.arows: unknown key"),
    ({"x": {"source": "status_grid", "arrows": [["a"]]}}, r"journeys\.x\.arrows"),
    ({"x": {"source": "status_grid", "trend_weeks": 10}}, r"journeys\.x\.trend_weeks"),
    ({"x": {"source": "channel", "options": {"fan_orders": 2}}}, r"journeys\.x\.options\.fan_orders"),
    ({"x": {"source": "segments"}}, r"journeys\.x\.segments"),
])
def test_validate_journeys_errors(spec: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_journeys(spec)


def test_build_journeys_data_errors(grid_orders: pd.DataFrame, thresholds: dict) -> None:
    with pytest.raises(ValueError, match=r"journeys\.x\.segments.*not offered"):
        build_journeys({"x": {"source": "status_grid", "segments": ["first_actve"]}}, grid_orders, AS_OF, thresholds)
    with pytest.raises(ValueError, match=r"journeys\.x\.arrows"):
        build_journeys({"x": {"source": "winback", "arrows": [["lapsed", "gone"]]}}, grid_orders, AS_OF, thresholds)
    with pytest.raises(ValueError, match=r"journeys\.x\.segments.*not defined"):
        build_journeys({"x": {"source": "segments", "segments": ["vip"]}}, grid_orders, AS_OF, thresholds)
    h = OrderHistory(grid_orders, as_of=START)
    with pytest.raises(ValueError, match="after the history's as_of"):
        window_flows(HistoryMembership(h, "status_grid", tuple(GRID_CELLS), thresholds, {}), START, AS_OF)


def test_first_line_ties_go_by_order_id_as_in_the_summary(thresholds: dict) -> None:
    orders = make_orders([("9", "t", "2026-06-01 10:00", 1000.0), ("10", "t", "2026-06-01 10:00", 1000.0),
                          ("8", "u", "2026-06-02 10:00", 1000.0)])
    items = make_line_items([("9", 1, "Umami A", "Umami", 1, 1000.0), ("10", 1, "Sweets A", "Sweets", 1, 1000.0),
                             ("8", 1, "Umami A", "Umami", 1, 1000.0)])
    summary = customer_summary(orders, AS_OF, items)
    assert summary.loc["t", "first_product_line"] == "Sweets"  # order "10" sorts before "9"
    for frame in (orders, orders.iloc[::-1]):
        h = OrderHistory(frame, items, as_of=AS_OF)
        src = HistoryMembership(h, "product_line", ("first_line:Sweets", "first_line:Umami"), thresholds, {})
        m = src(AS_OF)
        assert m.loc["t"].tolist() == [True, False] and m.loc["u"].tolist() == [False, True]


def test_order_columns_follow_the_journeys() -> None:
    from ltvlib.history import ORDER_COLUMNS as HISTORY_COLUMNS
    from ltvlib.journey import order_columns

    params = load_shop_params("demo")
    assert "tags" in order_columns(params.journeys, params.segments)  # channel_mix reads segments; one reads tags
    assert "total" not in order_columns(params.journeys, params.segments)
    built_in = {k: v for k, v in params.journeys.items() if v.get("source") != "segments"}
    assert order_columns(built_in, params.segments) == HISTORY_COLUMNS
    off = {**params.journeys, "channel_mix": {**params.journeys["channel_mix"], "enabled": False}}
    assert order_columns(off, params.segments) == HISTORY_COLUMNS
