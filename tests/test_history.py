"""The order-history engine: the in-store summary equals the frame summary (and so lifetimes)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltvlib import demo
from ltvlib.cli import main
from ltvlib.customers import customer_summary
from ltvlib.history import OrderHistory, store_summary
from ltvlib.params import load_shop_params
from ltvlib.store import Store

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("history")
    out = {}
    for name in ("usd-dst", "gbp-refunds", "as-of-before-first-order"):
        p = shapes.write_shop(shapes.shapes()[name], root)
        assert main(["import", str(p)]) == 0
        out[name] = p
    demo.write_shopify_export(root / "demo.csv", customers=400, seed=3)
    p = root / "demo.yaml"
    p.write_text("shop: demo-h\nname: d\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: en\nstore: demo.duckdb\n"
                 "sources:\n  - path: demo.csv\n    loader: shopify\n", encoding="utf-8")
    assert main(["import", str(p)]) == 0
    out["demo"] = p
    return out


@pytest.mark.parametrize("name,as_of", [("demo", "2026-06-30"), ("demo", "2025-03-09"), ("usd-dst", "2025-12-31"),
                                        ("usd-dst", "2024-11-03"), ("gbp-refunds", "2025-12-31"),
                                        ("as-of-before-first-order", "2024-12-07")])
def test_store_summary_equals_the_frame_summary(stores: dict[str, Path], name: str, as_of: str) -> None:
    params = load_shop_params(stores[name])
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        ours = store_summary(store.con, as_of, params.timezone)
        orders = store.orders()
    assert all(str(ours[c].dtype) == "str" for c in ("email", "first_order_id", "first_channel", "last_channel"))
    ours.index = ours.index.astype(object)
    pd.testing.assert_frame_equal(ours, customer_summary(orders, as_of))  # text arrow-backed in both


def test_purchase_days_and_nth_day_by_hand() -> None:
    from conftest import make_orders

    orders = make_orders([
        ("1", "a", "2026-01-01 10:00", 10.0), ("2", "a", "2026-01-01 18:00", 5.0),  # one purchase day
        ("3", "b", "2026-01-02 09:00", 7.0), ("4", "a", "2026-01-05 09:00", 1.0), ("5", "b", "2026-02-01 09:00", 2.0),
        ("6", "a", "2026-03-01 09:00", 3.0),
    ])
    h = OrderHistory(orders, as_of=dt.date(2026, 2, 15))
    assert list(h.keys) == ["a", "b"]
    code, day, rank = h.purchase_days
    base = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days
    assert list(zip(code, day - base, rank)) == [(0, 0, 0), (0, 4, 1), (1, 1, 0), (1, 31, 1)]
    assert list(h.nth_day(2) - base) == [4, 31] and list(h.nth_day(3)) == [-1, -1]
    assert list(h.first("order_id")) == ["1", "3"]


def test_winback_and_clv_pages_show_the_same_model(stores: dict[str, Path]) -> None:
    """With clv.model auto, the win-back page's P(alive) and CLV come from the model the CLV page chose."""
    from ltvlib import clv
    from ltvlib.winback.episodes import load_orders

    params = load_shop_params(stores["usd-dst"])
    settings = {**params.clv, "min_repeat_customers": 10}
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders()
        lean = load_orders(store, extra_columns=["email", "discount_codes"])
    summary = customer_summary(orders, params.as_of)
    page = clv.build_report(orders, summary, params.as_of, settings, params.thresholds, "en")
    assert page.model is not None
    # the win-back page predicts with predict_customers(..., orders=the lean orders it loads)
    wb = clv.predict_customers(summary, settings, params.as_of, orders=lean)
    pd.testing.assert_frame_equal(wb, page.predictions)
    fallback = clv.predict_customers(summary, settings, params.as_of)  # without orders: AUTO_FALLBACK
    assert page.choice.model != clv.AUTO_FALLBACK or np.allclose(fallback["p_alive"], wb["p_alive"])


@pytest.mark.parametrize("name,window", [("channels", None), ("product_lines_purchased", None),
                                         ("discount_codes", 90), ("order_tags", 30), ("products_purchased", 365)])
def test_value_index_equals_a_scan_of_the_pairs(stores: dict[str, Path], name: str, window: int | None) -> None:
    from ltvlib.segments.evaluate import _eval_set, _having

    params = load_shop_params(stores["demo"])
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders, items = store.orders(), store.line_items(["order_id", "line_no", "product", "product_line"])
    h = OrderHistory(orders, items)
    for as_of in ("2024-01-31", "2025-06-30", "2026-06-30"):
        snap = h.snapshot(as_of, {})
        cust, vals, vocab = snap.pairs(name, window)
        values = tuple(str(v) for v in vocab[:3]) + ("no such value",)
        for op, vs in (("contains", values[:1]), ("contains", values[-1:]), ("contains_any", values),
                       ("contains_all", values[:2])):
            fast = _having(snap, name, window, op, vs)
            assert (fast == _eval_set(op, cust, vals, vocab, vs, len(snap))).all(), (as_of, op, vs)
            assert fast.dtype == bool and len(fast) == len(snap)


def test_journeys_give_the_customer_summary_of_their_history(stores: dict[str, Path]) -> None:
    from ltvlib import journey

    params = load_shop_params(stores["demo"])
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders, items = store.orders(), store.line_items(["order_id", "line_no", "product", "product_line"])
    js = journey.build_journeys(params.journeys, orders, "2026-06-30", params.thresholds, line_items=items,
                                segment_definitions=params.segments)
    pd.testing.assert_frame_equal(journey.customer_summary(js, orders, "2026-06-30", items),
                                  customer_summary(orders, "2026-06-30", line_items=items))


def test_winback_reuses_the_clv_pages_choice_of_the_same_run() -> None:
    from ltvlib import clv

    auto = {"model": "auto", "time_unit": "W"}
    figs = {"as_of": "2026-06-30", "model": "mbgnbd"}
    assert clv.settings_chosen(auto, "2026-06-30", figs)["model"] == "mbgnbd"
    assert clv.settings_chosen(auto, "2026-06-23", figs)["model"] == "auto"  # another date: choose afresh
    assert clv.settings_chosen(auto, "2026-06-30", None)["model"] == "auto"
    assert clv.settings_chosen({"model": "bgnbd"}, "2026-06-30", figs)["model"] == "bgnbd"  # pinned stays
    assert clv.settings_chosen(auto, "2026-06-30", {"as_of": "2026-06-30", "model": "x"})["model"] == "auto"


def test_segment_conditions_read_only_the_columns_notebooks_load() -> None:
    """Every order-level field of the condition language is in segments.fields.ORDER_COLUMNS (what the
    segments and journey pages load), so a condition never meets a missing column."""
    from ltvlib.segments.fields import ORDER_COLUMNS, ORDER_FIELDS
    from ltvlib.store import ORDER_COLUMNS as STORED

    derived = {"order_number", "days_ago", "date", "product_line", "product", "discount_code", "products",
               "product_lines"}  # computed from the history, line items or discount_codes
    assert set(ORDER_FIELDS) - derived <= set(ORDER_COLUMNS) <= set(STORED)


@pytest.mark.parametrize("name", ["usd-dst", "gbp-refunds"])
def test_prepared_history_gives_the_same_summary(stores: dict[str, Path], name: str, tmp_path: Path) -> None:
    """A store prepared by its import, one prepared for another zone (params changed since) and one from
    before prepared histories (temp tables) all give the frame summary."""
    import shutil

    from ltvlib.history import is_prepared, prepare_store

    params = load_shop_params(stores[name])
    copy = tmp_path / "store.duckdb"
    shutil.copy(params.store, copy)
    as_of = "2025-12-31"
    with Store(copy, timezone=params.timezone, read_only=True) as store:
        assert is_prepared(store.con, params.timezone)  # by its import
        assert not is_prepared(store.con, "UTC")
        orders = store.orders()
    expected = customer_summary(orders, as_of)
    results = []
    for zone in (params.timezone, "Pacific/Kiritimati"):  # the latter: day numbers of the wrong zone, not used
        with Store(copy, timezone=zone) as store:
            prepare_store(store.con, zone)
            tables = {r[0] for r in store.con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
            assert {"history_customers", "history_orders"} <= tables
        with Store(copy, timezone=params.timezone, read_only=True) as store:
            results.append(store_summary(store.con, as_of, params.timezone))
    for ours in results:
        assert len(ours) == len(expected) > 0
        assert ours.index.astype(object).equals(expected.index)
        for c in ("frequency", "recency", "T", "orders", "purchase_days"):
            assert (ours[c].to_numpy() == expected[c].to_numpy()).all(), c
        np.testing.assert_allclose(ours["monetary_value"], expected["monetary_value"])


def test_summary_without_text_needs_only_the_core_columns(stores: dict[str, Path]) -> None:
    from ltvlib.history import CORE_COLUMNS, OrderHistory

    params = load_shop_params(stores["demo"])
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders()
    full = OrderHistory(orders, as_of="2026-06-30").snapshot("2026-06-30").summary()
    figures = OrderHistory(orders[CORE_COLUMNS], as_of="2026-06-30").snapshot("2026-06-30").summary(text=False)
    assert not any(str(figures[c].dtype) == "str" for c in figures.columns) and "email" in full
    pd.testing.assert_frame_equal(figures, full[list(figures.columns)])
