"""The DuckDB shop store: upsert by order id (newest wins), atomic failure, tz round trip."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.store import Store


def _result(orders: pd.DataFrame, items: pd.DataFrame) -> SimpleNamespace:
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    return SimpleNamespace(orders=orders, line_items=items, accounting=acc)


def test_upsert_newest_wins_and_no_double_count(tmp_path: Path) -> None:
    o1 = make_orders([("1", "a", "2026-01-01 10:00", 100.0), ("2", "b", "2026-01-02 10:00", 200.0,
                                                              {"tags": ["gift"], "discount_codes": ["X"]})])
    i1 = make_line_items([("1", 1, "P", "L", 1, 100.0), ("2", 1, "P", "L", 2, 100.0)])
    o2 = make_orders([("2", "b", "2026-01-02 10:00", 150.0), ("3", "c", "2026-01-03 23:30", 300.0)])
    i2 = make_line_items([("2", 1, "P", "L", 1, 150.0), ("3", 1, "Q", "M", 1, 300.0)])
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as st:
        assert st.upsert(_result(o1, i1), files=["a.csv"])["orders_new"] == 2
        done = st.upsert(_result(o2, i2), files=["b.csv"])
        assert done == {"import_id": 2, "orders_new": 1, "orders_replaced": 1}
        again = st.upsert(_result(o2, i2), files=["b.csv"])  # re-import: nothing doubles
        assert again["orders_new"] == 0
        orders, items = st.orders(), st.line_items()
        assert len(st.imports()) == 3
    assert orders.set_index("order_id")["net_revenue"].to_dict() == {"1": 100.0, "2": 150.0, "3": 300.0}
    assert len(items) == 3 and items.loc[items.order_id == "2", "quantity"].tolist() == [1]
    assert str(orders["ordered_at"].dt.tz) == "Asia/Tokyo"
    assert orders.loc[orders.order_id == "3", "ordered_at"].iloc[0] == pd.Timestamp("2026-01-03 23:30", tz="Asia/Tokyo")
    assert orders.loc[orders.order_id == "1", "tags"].iloc[0] == []


def test_failed_upsert_leaves_store_as_it_was(tmp_path: Path) -> None:
    o1 = make_orders([("1", "a", "2026-01-01 10:00", 100.0)])
    i1 = make_line_items([("1", 1, "P", "L", 1, 100.0)])
    bad = make_orders([("9", "z", "2026-01-01 10:00", 1.0)])
    bad["ordered_at"] = pd.Series([pd.NaT], dtype="datetime64[ns, Asia/Tokyo]")  # violates NOT NULL
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(_result(o1, i1), files=["a.csv"])
        with pytest.raises(duckdb.ConstraintException):
            st.upsert(_result(bad, make_line_items([("9", 1, "P", "L", 1, 1.0)])), files=["bad.csv"])
        assert st.counts() == {"orders": 1, "line_items": 1}
        assert len(st.imports()) == 1


def test_read_only_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ltv import"):
        Store(tmp_path / "none.duckdb", timezone="Asia/Tokyo", read_only=True)
