"""The condition language: parsing, and errors that point at the place and name the nearest fix."""

from __future__ import annotations

import pytest

from ltvlib.segments import SegmentError, compile_condition, parse
from ltvlib.segments.language import Aggregate, And, Compare, Field, Not, Or, SegmentRef


def test_issue_examples_parse() -> None:
    node = parse("orders >= 5 AND net_revenue >= 100_000")
    assert isinstance(node, And)
    assert [c.operand.name for c in node.items] == ["orders", "net_revenue"]
    assert node.items[1].values == (100000,)
    between = parse("products_purchased CONTAINS 'Herbal Tea Bags' AND days_since_last_order BETWEEN 121 AND 360")
    assert between.items[0].op == "contains" and between.items[0].values == ("Herbal Tea Bags",)
    assert between.items[1].op == "between" and between.items[1].values == (121, 360)
    agg = parse("count(orders WHERE tags CONTAINS 'gift' WITHIN 60 DAYS) >= 3")
    assert isinstance(agg, Compare) and isinstance(agg.operand, Aggregate)
    assert agg.operand.func == "count" and agg.operand.window == 60 and agg.operand.where.values == ("gift",)
    refs = parse("segment('loyal_active') AND NOT segment('vip_list')")
    assert refs.items[0] == SegmentRef("loyal_active", 0, 23) and isinstance(refs.items[1], Not)


def test_keywords_case_insensitive_and_precedence() -> None:
    node = parse("orders > 1 or orders < 0 and NOT channels contains 'pos'")
    assert isinstance(node, Or) and isinstance(node.items[1], And)  # AND binds tighter than OR
    assert isinstance(node.items[1].items[1], Not)
    windowed = parse('channels within 30 day contains only ("pos", "x")')
    assert windowed.operand == Field("channels", 30, 0, 22) and windowed.op == "contains_only"
    assert windowed.values == ("pos", "x")
    assert parse(r"first_order.product = 'O\'Neil'").values == ("O'Neil",)
    negated = parse("x NOT IN (1, 2.5) AND y IS NOT NULL AND z NOT CONTAINS 'a' AND w != 3 AND v <> 4")
    assert [type(i).__name__ for i in negated.items] == ["Not", "Not", "Not", "Compare", "Compare"]
    assert negated.items[0].item.values == (1, 2.5) and negated.items[4].op == "!="


@pytest.mark.parametrize(
    ("text", "column", "hint"),
    [
        ("orders => 5", 8, "'>='"),
        ("orders == 5", 8, "'='"),
        ("orders BETWEN 1 AND 2", 8, "'BETWEEN'"),
        ("orders >= 5 && net_revenue > 1", 13, "'AND'"),
        ("orders >= 5 ANd x = 1 adn y = 2", 23, "'AND'"),
        ("orders greater 5", 8, "Expected an operator"),
        ("first_order.channel = 'pos", 23, "Close the text"),
        ("orders >= 5 AND", 15, "Expected"),
        ("orders 5", 8, "BETWEEN"),
    ],
)
def test_syntax_errors_point_and_suggest(text: str, column: int, hint: str) -> None:
    with pytest.raises(SegmentError) as e:
        parse(text)
    msg = str(e.value)
    assert f"column {column})" in msg and hint in msg
    caret_line = msg.splitlines()[2]
    assert caret_line.index("^") - 2 == column - 1  # the caret sits under the reported column


def test_python_is_not_evaluated() -> None:
    for text in ["__import__('os').system('true')", "orders >= 1; import os", "lambda: 1", "orders >= 1 or 1"]:
        with pytest.raises(SegmentError):
            compile_condition(text)


def test_multiline_conditions_report_line() -> None:
    with pytest.raises(SegmentError) as e:
        parse("orders >= 2\nAND net_revenue >> 5")
    assert "line 2, column 18" in str(e.value)  # the second ">"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("order >= 5", "unknown field 'order'", "Did you mean 'orders'?"),
        ("orders >= 5 AND net_revnue > 1", "unknown field 'net_revnue'", "'net_revenue'"),
        ("Orders >= 5", "unknown field 'Orders'", "'orders'"),
        ("channel = 'pos'", "unknown field 'channel'", "count(orders WHERE channel"),
        ("channels >= 2", ">= does not apply to set field 'channels'", "CONTAINS"),
        ("orders CONTAINS 'x'", "CONTAINS does not apply to number field", "BETWEEN"),
        ("first_order.channel > 'a'", "> does not apply to text field", "IN ("),
        ("orders >= 'five'", "'five' is text, but this field is a number", "without quotes"),
        ("first_order_date >= 2026", "2026 is not a date", "YYYY-MM-DD"),
        ("first_order_date >= '2026-02-30'", "'2026-02-30' is not a date", "YYYY-MM-DD"),
        ("orders WITHIN 30 DAYS >= 1", "WITHIN n DAYS does not apply to 'orders'", "count(orders WITHIN"),
        ("count(net_revenue) > 1", "count() counts orders", "count("),
        ("sum(channel) > 1", "sum() needs a number field of orders", "sum(net_revenue)"),
        ("count(orders WHERE segment('a')) > 1", "segment(...) cannot be used inside", None),
        ("count(orders WHERE count(orders) > 1) > 1", "cannot be nested", None),
        ("count(orders WHERE chanel = 'pos') > 1", "unknown field 'chanel'", "'channel'"),
        ("orders BETWEEN 5 AND 2", "smaller value first", "BETWEEN 2 AND 5"),
        ("count(channels WHERE channel = 'pos') > 1", "WHERE applies to count(orders", None),
    ],
)
def test_semantic_errors_name_the_fix(text: str, message: str, hint: str | None) -> None:
    with pytest.raises(SegmentError) as e:
        compile_condition(text)
    assert message in str(e.value)
    if hint:
        assert hint in str(e.value)
    assert e.value.position is not None


def test_unknown_segment_reference_suggests_nearest() -> None:
    with pytest.raises(SegmentError, match=r"Did you mean segment\('loyal_active'\)"):
        compile_condition("segment('loyal_activ')", ["loyal_active", "vip"])
    node, refs = compile_condition("segment('vip') OR segment('vip')", ["vip"])
    assert refs == ["vip"]


def test_aliases_and_dates_are_normalised() -> None:
    node, _ = compile_condition("days_since_last_order <= 30 AND first_order.date >= '1970-01-11' AND tags CONTAINS 'x'")
    assert [i.operand.name for i in node.items] == ["recency_days", "first_order_date", "order_tags"]
    assert node.items[1].values == (10,)  # dates become calendar day numbers


def test_empty_condition() -> None:
    with pytest.raises(SegmentError, match="empty"):
        parse("   ")
