"""Condition segments on a hand-made shop: every field family and operator, windows, references."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.segments import Segmenter, SegmentError, library, membership

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def orders() -> pd.DataFrame:
    return make_orders([
        ("1", "a", "2026-01-10 10:00", 1000.0, {"channel": "pos", "discount_codes": ["WELCOME10"], "location": "Ginza"}),
        ("2", "a", "2026-01-10 15:00", 500.0),  # same day: one purchase day, two orders
        ("3", "a", "2026-05-01 12:00", 2000.0, {"tags": ["gift"]}),  # exactly 60 days before as_of
        ("4", "b", "2026-06-30 23:59", 3000.0, {"tags": ["gift", "noshi"]}),
        ("5", "b", "2026-07-01 00:00", 9999.0, {"channel": "pos"}),  # after as_of: invisible
        ("6", "c", "2026-05-01 12:00", 800.0, {"cancelled_at": pd.Timestamp("2026-05-02", tz="Asia/Tokyo")}),
        ("7", "d", "2025-06-01 09:00", 100.0, {"channel": "pos"}),
        ("8", "d", "2026-05-01 18:00", 300.0, {"tags": ["gift"]}),
        ("9", None, "2026-02-01 12:00", 700.0),  # guest
        ("10", "e", "2024-01-01 08:00", 5000.0, {"channel": "draft_order", "discount_codes": ["VIP15", "X"]}),
    ])


@pytest.fixture
def items() -> pd.DataFrame:
    return make_line_items([
        ("1", 1, "Herbal Tea Bags - Chamomile", "Herbal Tea Bags", 1, 600.0),
        ("1", 2, "Crunchy - Granola", "Crunchy", 1, 400.0),
        ("2", 1, "Crunchy - Granola", "Crunchy", 1, 500.0),
        ("3", 1, "Herbal Tea Bags - Mint", "Herbal Tea Bags", 2, 1000.0),
        ("4", 1, "Umami - Dashi", "Umami", 1, 3000.0),
        ("5", 1, "Sweets - Yokan", "Sweets", 1, 9999.0),
        ("6", 1, "Sweets - Yokan", "Sweets", 1, 800.0),
        ("7", 2, "Trial Set - Green", "Trial Set", 1, 50.0),  # listed first but line 2
        ("7", 1, "Sweets - Yokan", "Sweets", 1, 50.0),
        ("8", 1, "Umami - Dashi", "Umami", 1, 300.0),
        ("10", 1, "Refreshing - Lemon", "Refreshing", 1, 5000.0),
    ])


@pytest.fixture
def seg(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> Segmenter:
    return Segmenter(orders, items, {}, thresholds)


def members(seg: Segmenter, condition: str, as_of: dt.date = AS_OF) -> set[str]:
    s = seg.evaluate(condition, as_of)
    return set(s.index[s.to_numpy()])


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # numbers (summary fields): a 3 orders / 3,500; b 1 / 3,000; d 2 / 400; e 1 / 5,000
        ("orders >= 2", {"a", "d"}),
        ("orders = 1", {"b", "e"}),
        ("orders != 1", {"a", "d"}),
        ("orders < 2", {"b", "e"}),
        ("orders <= 2", {"b", "d", "e"}),
        ("orders > 2", {"a"}),
        ("net_revenue BETWEEN 400 AND 3000", {"b", "d"}),
        ("amount_spent IN (400, 5000)", {"d", "e"}),
        ("number_of_orders NOT IN (1, 2)", {"a"}),
        ("purchase_days = 2", {"a", "d"}),
        ("frequency = 1", {"a", "d"}),
        ("aov > 1500", {"b", "e"}),
        ("days_since_last_order = 60", {"a", "d"}),
        ("recency_days <= 0", {"b"}),
        ("days_since_first_order >= 365", {"d", "e"}),
        ("mean_interval_days = 111", {"a"}),  # 2026-01-10 -> 2026-05-01
        ("mean_interval_days IS NULL", {"b", "e"}),
        ("mean_interval_days IS NOT NULL", {"a", "d"}),
        ("monetary_value = 2000", {"a"}),  # repeat purchase days only, as lifetimes
        ("first_order.net_revenue = 100", {"d"}),
        ("last_order.net_revenue >= 2000", {"a", "b", "e"}),
        # dates
        ("first_order_date < '2026-01-01'", {"d", "e"}),
        ("last_order_date BETWEEN '2026-05-01' AND '2026-05-01'", {"a", "d"}),
        ("first_order.date = '2026-06-30'", {"b"}),
        # texts: first and last order attributes, statuses
        ("first_order.channel = 'pos'", {"a", "d"}),
        ("first_order.channel != 'pos'", {"b", "e"}),
        ("last_order.channel = 'online_store'", {"a", "b", "d"}),
        ("first_order.channel IN ('draft_order', 'nope')", {"e"}),
        ("first_order.product_line = 'Sweets'", {"d"}),  # lowest line_no, not file order
        ("first_order.product_line = 'Herbal Tea Bags'", {"a"}),
        ("first_order.product CONTAINS 'Chamomile'", {"a"}),
        ("first_order.product NOT CONTAINS 'Chamomile'", {"b", "d", "e"}),
        ("first_order.discount_code = 'WELCOME10'", {"a"}),
        ("first_order.discount_code IS NULL", {"b", "d"}),
        ("first_order.discount_code != 'WELCOME10'", {"b", "d", "e"}),  # a missing value is not 'WELCOME10'
        ("first_order.location = 'Ginza'", {"a"}),
        ("last_order.product_line = 'Umami'", {"b", "d"}),
        ("stage = 'repeat'", {"a", "d"}),
        ("recency_status = 'churned'", {"e"}),
        ("grid_cell = 'repeat_active'", {"a", "d"}),
        ("grid_cell = 'first_active'", {"b"}),
        ("scenario_stage = 'new'", {"b"}),
        ("scenario_stage = 'first_repeat'", {"d"}),
        ("scenario_stage = 'regular'", {"a"}),
        ("scenario_stage = 'churned'", {"e"}),
        ("f_score = 3", {"a"}),  # breaks [2, 3, 5, 10]: 3 orders score 3
        ("f_score = 2", {"d"}),
        # sets
        ("products_purchased CONTAINS 'Umami - Dashi'", {"b", "d"}),
        ("products_purchased CONTAINS 'Sweets - Yokan'", {"d"}),  # b's Yokan comes after as_of, c's is cancelled
        ("product_lines_purchased NOT CONTAINS 'Umami'", {"a", "e"}),
        ("product_lines_purchased CONTAINS ANY ('Refreshing', 'Crunchy')", {"a", "e"}),
        ("product_lines_purchased CONTAINS ALL ('Sweets', 'Umami')", {"d"}),
        ("product_lines_purchased CONTAINS ONLY ('Herbal Tea Bags', 'Crunchy')", {"a"}),
        ("product_lines_purchased CONTAINS ONLY ('Umami', 'Sweets', 'Trial Set')", {"b", "d"}),
        ("channels CONTAINS 'pos' AND NOT channels CONTAINS ONLY ('pos')", {"a", "d"}),
        ("channels CONTAINS ONLY ('pos')", set()),
        ("NOT channels CONTAINS 'pos'", {"b", "e"}),
        ("tags CONTAINS 'noshi'", {"b"}),
        ("order_tags CONTAINS 'gift'", {"a", "b", "d"}),
        ("discount_codes IS NULL", {"b", "d"}),
        ("discount_codes CONTAINS 'X'", {"e"}),  # any code, not only the first
        ("locations CONTAINS 'Ginza'", {"a"}),
        ("first_order.product_lines CONTAINS ALL ('Sweets', 'Trial Set')", {"d"}),
        ("first_order.products CONTAINS 'Crunchy - Granola'", {"a"}),
        ("last_order.tags CONTAINS 'gift'", {"a", "b", "d"}),
        ("first_order.discount_codes CONTAINS 'X'", {"e"}),
        # windows: WITHIN n DAYS = ordered on as_of or one of the n days before (as recency thresholds count)
        ("product_lines_purchased WITHIN 60 DAYS CONTAINS 'Umami'", {"b", "d"}),
        ("product_lines_purchased WITHIN 59 DAYS CONTAINS 'Umami'", {"b"}),
        ("channels WITHIN 0 DAYS CONTAINS 'online_store'", {"b"}),
        ("count(orders WHERE tags CONTAINS 'gift' WITHIN 60 DAYS) >= 1", {"a", "b", "d"}),
        ("count(orders WHERE tags CONTAINS 'gift' WITHIN 59 DAYS) >= 1", {"b"}),
        ("count(orders WITHIN 200 DAYS) = 3", {"a"}),
        # aggregates
        ("count(orders) = 3", {"a"}),
        ("count(orders WHERE channel = 'pos') >= 1", {"a", "d"}),
        ("sum(net_revenue WHERE channel = 'pos') >= 100", {"a", "d"}),
        ("sum(net_revenue WHERE product_lines CONTAINS 'Crunchy') = 1500", {"a"}),
        ("avg(net_revenue) > 2000", {"b", "e"}),
        ("avg(net_revenue WHERE channel = 'pos') IS NULL", {"b", "e"}),
        ("count(orders WHERE order_number >= 2) >= 1", {"a", "d"}),
        ("count(orders WHERE days_ago <= 60 AND net_revenue > 1000) >= 1", {"a", "b"}),
        ("count(orders WHERE date >= '2026-05-01') = 1", {"a", "b", "d"}),
        ("count(orders WHERE discount_codes CONTAINS ANY ('VIP15') OR location = 'Ginza') = 1", {"a", "e"}),
        ("count(orders WHERE product = 'Umami - Dashi' AND NOT tags CONTAINS 'noshi') = 1", {"d"}),
        ("count(orders WHERE financial_status = 'paid') = 3", {"a"}),
        ("count(channels) >= 2", {"a", "d"}),
        ("count(product_lines_purchased WITHIN 60 DAYS) = 1", {"a", "b", "d"}),
        # logic
        ("orders >= 2 OR tags CONTAINS 'noshi'", {"a", "b", "d"}),
        ("NOT (orders >= 2 AND first_order.channel = 'pos')", {"b", "e"}),
    ],
)
def test_operators_and_fields(seg: Segmenter, condition: str, expected: set[str]) -> None:
    assert members(seg, condition) == expected


def test_as_of_is_a_prefix(seg: Segmenter) -> None:
    # at 2026-01-31 only a (2 orders on Jan 10), d and e exist; b's first order is later
    assert members(seg, "orders >= 1", dt.date(2026, 1, 31)) == {"a", "d", "e"}
    assert members(seg, "orders = 2", dt.date(2026, 1, 31)) == {"a"}
    assert members(seg, "days_since_last_order = 21", dt.date(2026, 1, 31)) == {"a"}
    # on 2026-07-01 b's POS order is visible
    assert members(seg, "channels CONTAINS 'pos'", dt.date(2026, 7, 1)) == {"a", "b", "d"}
    assert members(seg, "orders >= 1", dt.date(2023, 1, 1)) == set()


def test_membership_frame_and_references(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> None:
    defs = {
        "repeaters": "orders >= 2",
        "pos_first": {"condition": "first_order.channel = 'pos'", "en": "POS first", "ja": "店舗初回"},
        "repeat_not_pos": "segment('repeaters') AND NOT segment('pos_first')",
        "off": None,  # switched off
        "vips": "segment('vip_list')",
    }
    m = membership(orders, items, AS_OF, defs, thresholds, lists={"vip_list": pd.Index(["e", "zzz"])})
    assert list(m.columns) == ["repeaters", "pos_first", "repeat_not_pos", "vips"]
    assert m.index.name == "customer_key" and list(m.index) == ["e", "d", "a", "b"]  # by first order
    assert m.dtypes.eq(bool).all()
    assert set(m.index[m["repeat_not_pos"]]) == set()
    assert set(m.index[m["vips"]]) == {"e"}
    seg = Segmenter(orders, items, defs, thresholds, lists={"vip_list": pd.Index(["e"])})
    assert seg.definition("pos_first").label("ja") == "店舗初回" and seg.definition("repeaters").en == "repeaters"
    assert list(seg.membership(AS_OF, ["repeat_not_pos"]).columns) == ["repeat_not_pos"]


@pytest.mark.parametrize(
    "defs",
    [
        {"a": "segment('a')"},
        {"a": "segment('b')", "b": "orders > 1 AND segment('c')", "c": "NOT segment('a')"},
    ],
)
def test_reference_cycles_are_errors(defs: dict) -> None:
    with pytest.raises(SegmentError, match="cycle"):
        library(defs)


def test_definition_errors() -> None:
    with pytest.raises(SegmentError, match=r"segment 'x': unknown field 'order'.*\n.*\n.*\n.*'orders'"):
        library({"x": "order >= 2"})
    with pytest.raises(SegmentError, match="(?s)unknown key 'segments.x.conditon'.*'condition'"):
        library({"x": {"conditon": "orders >= 2"}})
    with pytest.raises(SegmentError, match="'condition' is missing"):
        library({"x": {"en": "X"}})
    with pytest.raises(SegmentError, match="for_each needs a text or set field"):
        library({"x": {"condition": "first_order.channel = {value}", "for_each": "orders"}})


def test_for_each_expands_per_value(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> None:
    defs = {"by_channel": {"condition": "first_order.channel = {value}", "for_each": "first_order.channel",
                           "en": "First via {value}", "ja": "初回 {value}"}}
    seg = Segmenter(orders, items, defs, thresholds)
    # most customers first: pos (a, d), then draft_order and online_store (1 each, by name)
    assert seg.names == ["by_channel:pos", "by_channel:draft_order", "by_channel:online_store"]
    assert seg.definition("by_channel:pos").en == "First via Store (POS)"  # channel codes get display names
    m = seg.membership(AS_OF)
    assert set(m.index[m["by_channel:pos"]]) == {"a", "d"}
    quoted = Segmenter(orders.assign(channel="it's"), items, defs, thresholds)  # quotes in values are escaped
    assert quoted.membership(AS_OF)["by_channel:it's"].all()


def test_warnings_for_values_nobody_has(seg: Segmenter) -> None:
    w = seg.warnings("products_purchased CONTAINS 'Umami' AND first_order.channel = 'POS' AND grid_cell = 'x'")
    assert len(w) == 3
    assert "'Umami' is one of the product lines" in w[0]
    assert "did you mean 'pos'" in w[1]
    assert seg.warnings("products_purchased CONTAINS 'Umami - Dashi'") == []


def test_no_line_items(orders: pd.DataFrame, thresholds: dict) -> None:
    seg = Segmenter(orders, None, {}, thresholds)
    assert members(seg, "product_lines_purchased IS NULL") == {"a", "b", "d", "e"}
    assert members(seg, "first_order.product_line IS NULL") == {"a", "b", "d", "e"}


def test_empty_shop(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> None:
    m = membership(orders.iloc[:0], items.iloc[:0], AS_OF, {"x": "orders >= 1", "y": "r_score = 5"}, thresholds)
    assert m.shape == (0, 2)


def test_unsorted_input_gives_same_result(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict) -> None:
    shuffled = orders.sample(frac=1.0, random_state=3)
    a = Segmenter(orders, items, {"x": "channels CONTAINS 'pos'"}, thresholds).membership(AS_OF)
    b = Segmenter(shuffled, items.sample(frac=1.0, random_state=4), {"x": "channels CONTAINS 'pos'"},
                  thresholds).membership(AS_OF)
    pd.testing.assert_frame_equal(a, b)



def _condition(name: str, kind: str) -> str:
    return {"number": f"{name} >= 0", "text": f"{name} = 'Ginza'", "set": f"{name} CONTAINS 'gift'",
            "date": f"{name} >= '2020-01-01'"}[kind]


@pytest.mark.parametrize("scope", ["customer", "order"])
def test_order_columns_are_all_a_condition_reads(orders: pd.DataFrame, items: pd.DataFrame, thresholds: dict,
                                                 scope: str) -> None:
    from ltvlib.segments import FIELDS, ORDER_FIELDS, order_columns
    from ltvlib.segments.fields import ORDER_COLUMNS

    catalog = FIELDS if scope == "customer" else ORDER_FIELDS
    for name, spec in catalog.items():
        condition = _condition(name, spec.kind)
        if scope == "order":
            condition = f"count(orders WHERE {condition}) >= 1"
        defs = {"s": condition}
        cols = order_columns(defs)
        assert set(cols) < set(ORDER_COLUMNS)  # never every column for one field
        lean = Segmenter(orders[cols], items, defs, thresholds).membership(AS_OF)  # a missing column: KeyError
        pd.testing.assert_frame_equal(lean, Segmenter(orders, items, defs, thresholds).membership(AS_OF))
    wide = order_columns({"a": "count(orders WHERE total > 0 AND financial_status = 'paid') >= 1",
                          "b": {"condition": "first_order.location = {value}", "for_each": "first_order.location"}})
    assert {"total", "financial_status", "location"} <= set(wide) and "shipping" not in wide
    assert order_columns({"bad": "orders >>> 2"}) == list(ORDER_COLUMNS)  # the Segmenter will say what is wrong
