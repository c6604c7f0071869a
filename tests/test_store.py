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
        assert done == {"import_id": 2, "orders_new": 1, "orders_replaced": 1, "orders_unchanged": 0,
                        "orders_kept": 0}
        again = st.upsert(_result(o2, i2), files=["b.csv"])  # re-import: nothing doubles, nothing rewritten
        assert again == {"import_id": 3, "orders_new": 0, "orders_replaced": 0, "orders_unchanged": 2,
                         "orders_kept": 0}
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


def _orders_and_items(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = make_orders([(str(i), f"c{i % 3}", f"2026-01-{i + 1:02d} 10:00", 100.0 + i,
                           {"tags": ["gift", "vip"][: i % 3], "cancelled_at": pd.NaT}) for i in range(n)])
    items = make_line_items([(str(i), k, "P", "L", 1, 50.0) for i in range(n) for k in (1, 2)])
    return orders, items


def test_upsert_in_small_chunks_stores_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    orders, items = _orders_and_items(7)
    with Store(tmp_path / "one.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(_result(orders, items), files=["a.csv"])
        want_orders, want_items = st.orders(), st.line_items()
    monkeypatch.setattr("ltvlib.store.INSERT_ROWS", 3)  # chunks of 3, 3 and 1 orders
    monkeypatch.setattr("ltvlib.store.COMPARE_ROWS", 3)
    with Store(tmp_path / "chunks.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(_result(orders, items), files=["a.csv"])
        pd.testing.assert_frame_equal(st.orders(), want_orders)
        pd.testing.assert_frame_equal(st.line_items(), want_items)
        changed = orders.assign(total=orders["total"].where(orders["order_id"] != "5", 1.0))
        again = st.upsert(_result(changed, items), files=["a.csv"])  # compared 3 orders at a time
        assert (again["orders_unchanged"], again["orders_replaced"]) == (6, 1)
        assert st.orders().set_index("order_id")["total"].to_dict()["5"] == 1.0
    assert len(want_orders) == 7 and len(want_items) == 14
    assert want_orders["tags"].tolist() == [[], ["gift"], ["gift", "vip"]] * 2 + [[]]


def test_failure_in_a_later_chunk_leaves_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ltvlib.store.INSERT_ROWS", 2)
    orders, items = _orders_and_items(5)
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(_result(orders.iloc[:1], items.iloc[:2]), files=["a.csv"])
        bad = orders.copy()
        bad.loc[4, "ordered_at"] = pd.NaT  # the third chunk violates NOT NULL
        with pytest.raises(duckdb.ConstraintException):
            st.upsert(_result(bad, items), files=["bad.csv"])
        assert st.counts() == {"orders": 1, "line_items": 2}
        assert len(st.imports()) == 1


def test_orders_reads_lists_times_and_nulls(tmp_path: Path) -> None:
    orders, items = _orders_and_items(3)
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as st:
        assert st.orders().empty and list(st.orders().columns) == list(orders.columns)
        st.upsert(_result(orders, items), files=["a.csv"])
        st.con.execute("UPDATE orders SET tags = NULL, discount_codes = ['X'] WHERE order_id = '2'")
        got = st.orders()
        some = st.orders(["tags", "order_id", "ordered_at"])
    assert list(got.columns) == list(orders.columns)
    assert got["tags"].tolist() == [[], ["gift"], []]  # NULL reads as an empty list
    assert got["discount_codes"].tolist() == [[], [], ["X"]]
    assert all(type(v) is list for v in got["tags"]) and got["tags"].iloc[0] is not got["tags"].iloc[2]
    assert str(got["ordered_at"].dtype) == "datetime64[us, Asia/Tokyo]"
    assert got["ordered_at"].tolist() == orders["ordered_at"].tolist()
    assert got["cancelled_at"].isna().all() and got["order_id"].tolist() == ["0", "1", "2"]
    assert list(some.columns) == ["tags", "order_id", "ordered_at"] and some["tags"].tolist() == [[], ["gift"], []]


def test_orders_first_item_columns_are_the_lowest_line_numbers(tmp_path: Path) -> None:
    orders = make_orders([(str(i), f"c{i}", f"2026-01-0{i + 1} 10:00", 100.0) for i in range(4)])
    items = make_line_items([
        ("0", 3, "late", "L3", 1, 10.0), ("0", 2, "first", "L2", 1, 10.0),  # lines 2 and 3: line 2 is first
        ("1", 1, None, "L1", 1, 10.0), ("1", 2, "second", "L9", 1, 10.0),  # the first line's product unknown
        ("3", 5, "only", None, 1, 10.0),                                    # order 2 has no line items
    ])
    with Store(tmp_path / "s.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(_result(orders, items), files=["a.csv"])
        got = st.orders(["order_id", "product", "net_revenue", "product_line"])
        with pytest.raises(KeyError, match="unknown order columns"):
            st.orders(["order_id", "sku"])
    assert list(got.columns) == ["order_id", "product", "net_revenue", "product_line"]
    assert got["order_id"].tolist() == ["0", "1", "2", "3"]
    assert got["product"].tolist()[0] == "first" and got["product_line"].tolist()[0] == "L2"
    assert pd.isna(got["product"].iloc[1]) and got["product_line"].iloc[1] == "L1"
    assert got[["product", "product_line"]].iloc[2].isna().all()
    assert got["product"].iloc[3] == "only" and pd.isna(got["product_line"].iloc[3])
