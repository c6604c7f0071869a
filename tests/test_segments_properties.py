"""Invariants of condition segments on random shops (hypothesis): agreement with the customer summary and
RFM, complements, partitions, windows, and time consistency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from conftest import make_line_items, make_orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltvlib import rfm
from ltvlib.customers import customer_summary
from ltvlib.segments import Segmenter

THRESHOLDS = {"active_days": 120, "at_risk_days": 180, "dormant_days": 360, "repeat_orders": 2, "loyal_orders": 5,
              "f_score_breaks": [2, 3, 5, 10]}
START = dt.date(2024, 1, 1)
STARTER = yaml.safe_load((Path(__file__).resolve().parent.parent / "params" / "defaults.yaml").read_text("utf-8"))
CONDITIONS = [
    "orders >= 2", "net_revenue BETWEEN 1000 AND 5000", "channels CONTAINS 'pos'",
    "count(orders WHERE tags CONTAINS 'gift' WITHIN 90 DAYS) >= 1", "first_order.product_line = 'Umami'",
    "product_lines_purchased CONTAINS ONLY ('Umami', 'Sweets')", "mean_interval_days > 30",
    "first_order.discount_code = 'WELCOME10'", "r_score >= 4", "recency_status = 'at_risk'",
]


@st.composite
def shops(draw) -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    n_orders = draw(st.integers(0, 40))
    rows, items = [], []
    for i in range(n_orders):
        day = draw(st.integers(0, 900))
        minute = draw(st.integers(0, 24 * 60 - 1))
        when = pd.Timestamp(START) + pd.Timedelta(days=day, minutes=minute)
        key = draw(st.sampled_from(["a", "b", "c", "d", "e", "f", None]))
        extra = {
            "channel": draw(st.sampled_from(["online_store", "pos", "draft_order"])),
            "tags": draw(st.sampled_from([[], ["gift"], ["gift", "noshi"]])),
            "discount_codes": draw(st.sampled_from([[], ["WELCOME10"], ["VIP15"]])),
        }
        if draw(st.integers(0, 9)) == 0:
            extra["cancelled_at"] = pd.Timestamp(when, tz="Asia/Tokyo")
        rows.append((str(i), key, when.strftime("%Y-%m-%d %H:%M"), float(draw(st.integers(0, 5000))), extra))
        for line in range(1, draw(st.integers(1, 3)) + 1):
            pl = draw(st.sampled_from(["Umami", "Sweets", "Crunchy"]))
            items.append((str(i), line, f"{pl} - x", pl, 1, 100.0))
    orders = make_orders(rows) if rows else make_orders([("0", "a", "2024-01-01 00:00", 1.0)]).iloc[:0]
    as_of = START + dt.timedelta(days=draw(st.integers(0, 950)))
    return orders, make_line_items(items), as_of


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(shops())
def test_fields_agree_with_customer_summary_and_rfm(shop) -> None:
    orders, items, as_of = shop
    seg = Segmenter(orders, items, {}, THRESHOLDS)
    snap = seg.snapshot(as_of)
    if len(snap) == 0:  # customer_summary needs at least one order
        assert seg.evaluate("orders >= 0", as_of).empty
        return
    s = customer_summary(orders, as_of, line_items=items)
    assert list(snap.keys) == list(s.index)  # same customers, same order (first order first)
    for col in ["orders", "purchase_days", "net_revenue", "recency_days", "tenure_days", "frequency", "aov",
                "monetary_value", "mean_interval_days"]:
        np.testing.assert_allclose(snap.number(col), s[col].to_numpy(float), equal_nan=True, err_msg=col)
    scores = rfm.rfm_scores(s, THRESHOLDS)
    for col in ["r_score", "f_score", "m_score", "rfm_score"]:
        np.testing.assert_array_equal(snap.number(col), scores[col].to_numpy(float), err_msg=col)
    codes, vocab = snap.text("rfm_cell")
    assert list(vocab[codes]) == list(scores["rfm_cell"])
    codes, vocab = snap.text("grid_cell")
    assert list(vocab[codes]) == list(rfm.status_grid(s, THRESHOLDS)["cell"].astype(str))
    codes, vocab = snap.text("scenario_stage")
    assert list(vocab[codes]) == list(rfm.stage_scenario(s, THRESHOLDS).astype(str))
    codes, vocab = snap.text("first_order.product_line")
    got = [None if c < 0 else vocab[c] for c in codes]
    assert got == [None if v != v else v for v in s["first_product_line"]]
    codes, vocab = snap.text("first_order.discount_code")
    assert [None if c < 0 else vocab[c] for c in codes] == [None if v != v else v for v in s["first_discount_code"]]


@SETTINGS
@given(shops(), st.sampled_from(CONDITIONS), st.sampled_from(CONDITIONS))
def test_complements_and_de_morgan(shop, a: str, b: str) -> None:
    orders, items, as_of = shop
    seg = Segmenter(orders, items, {}, THRESHOLDS)
    assert not seg.evaluate(f"({a}) AND NOT ({a})", as_of).any()
    assert seg.evaluate(f"({a}) OR NOT ({a})", as_of).all()
    left = seg.evaluate(f"NOT (({a}) AND ({b}))", as_of)
    right = seg.evaluate(f"NOT ({a}) OR NOT ({b})", as_of)
    pd.testing.assert_series_equal(left, right)


@SETTINGS
@given(shops())
def test_starter_library_partitions(shop) -> None:
    orders, items, as_of = shop
    m = Segmenter(orders, items, STARTER["segments"], THRESHOLDS).membership(as_of)
    for group in ("status_grid", "stage_scenario", "channel_mix"):
        cols = [n for n, d in STARTER["segments"].items() if isinstance(d, dict) and d.get("group") == group]
        assert len(cols) == {"status_grid": 12, "stage_scenario": 6, "channel_mix": 3}[group]
        assert (m[cols].sum(axis=1) == 1).all(), group
    new_by = [c for c in m.columns if c.startswith("new_by_first_line:")]
    assert (m[new_by].sum(axis=1) == m["new"]).all()  # every new customer has exactly one first line (or none)


@SETTINGS
@given(shops(), st.integers(0, 400))
def test_within_matches_recency(shop, n: int) -> None:
    orders, items, as_of = shop
    seg = Segmenter(orders, items, {}, THRESHOLDS)
    a = seg.evaluate(f"count(orders WITHIN {n} DAYS) >= 1", as_of)
    b = seg.evaluate(f"days_since_last_order <= {n}", as_of)
    pd.testing.assert_series_equal(a, b)
    c = seg.evaluate(f"channels WITHIN {n} DAYS IS NOT NULL", as_of)
    pd.testing.assert_series_equal(a, c)


@SETTINGS
@given(shops(), st.integers(0, 950))
def test_membership_at_a_past_date_ignores_later_orders(shop, back: int) -> None:
    orders, items, as_of = shop
    past = START + dt.timedelta(days=back)
    defs = {f"c{i}": c for i, c in enumerate(CONDITIONS)}
    full = Segmenter(orders, items, defs, THRESHOLDS).membership(past)
    cut = orders.loc[orders["ordered_at"] < pd.Timestamp(past + dt.timedelta(days=1), tz="Asia/Tokyo")]
    alone = Segmenter(cut, items, defs, THRESHOLDS).membership(past)
    pd.testing.assert_frame_equal(full, alone)
