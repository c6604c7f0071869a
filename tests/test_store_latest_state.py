"""The store keeps the latest state of each order whatever the order of imports, and does not grow on re-import.

Exports are generated from tests/data/io/shopify_79.csv (America/New_York): #1001 (Id 4501001001) on rows
2-3, paid, total 51.44; #1002 (Id 4501001002) on row 4.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ltvlib import demo
from ltvlib.io import load_files
from ltvlib.store import Store

F79 = Path(__file__).parent / "data" / "io" / "shopify_79.csv"
NY = "America/New_York"
A1001 = "4501001001"


def export(path: Path, edits: dict[tuple[int, str], str]) -> Path:
    """shopify_79.csv with cells set by (spreadsheet row, column)."""
    with F79.open(encoding="utf-8", newline="") as f:
        recs = list(csv.reader(f))
    for (row, column), value in edits.items():
        recs[row - 1][recs[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(recs)
    return path


def import_in_turn(store: Path, *paths: Path) -> list[dict]:
    done = []
    for path in paths:
        with Store(store, timezone=NY) as st:
            done.append(st.upsert(load_files([path], timezone=NY), files=[path.name]))
    return done


def stored(store: Path) -> pd.Series:
    with Store(store, timezone=NY) as st:
        return st.orders().set_index("order_id").loc[A1001]


LATER = {
    "refund grows": ({(2, "Financial Status"): "partially_refunded", (2, "Refunded Amount"): "10.00"},
                     {(2, "Financial Status"): "refunded", (2, "Refunded Amount"): "51.44"}),
    "cancellation is final": ({(2, "Financial Status"): "refunded", (2, "Refunded Amount"): "51.44"},
                              {(2, "Financial Status"): "refunded", (2, "Refunded Amount"): "51.44",
                               (2, "Cancelled at"): "2022-01-05 10:00:00 -0500"}),
    "status moves on": ({(2, "Financial Status"): "pending", (2, "Paid at"): ""},
                        {(2, "Financial Status"): "paid"}),
    "later Paid at": ({(2, "Financial Status"): "paid", (2, "Paid at"): "2022-01-04 01:08:36 -0500"},
                      {(2, "Financial Status"): "paid", (2, "Paid at"): "2022-01-06 09:00:00 -0500"}),
    "later Fulfilled at": ({(2, "Fulfilled at"): ""}, {(2, "Fulfilled at"): "2022-01-07 12:00:00 -0500"}),
}


@pytest.mark.parametrize("case", list(LATER))
def test_the_later_state_wins_in_either_import_order(tmp_path, case):
    early, late = LATER[case]
    old = export(tmp_path / "old.csv", {**early, (2, "Tags"): "from-old"})
    new = export(tmp_path / "new.csv", {**late, (2, "Tags"): "from-new"})
    forward = import_in_turn(tmp_path / "forward.duckdb", old, new)
    backward = import_in_turn(tmp_path / "backward.duckdb", new, old)
    assert stored(tmp_path / "forward.duckdb")["tags"] == ["from-new"]
    assert stored(tmp_path / "backward.duckdb")["tags"] == ["from-new"]  # the older export changed nothing
    # the 4 other orders tie (same state): the newer import's copy replaces them (their source_file differs)
    assert forward[1] == {"import_id": 2, "orders_new": 0, "orders_replaced": 5, "orders_unchanged": 0, "orders_kept": 0}
    assert backward[1] == {"import_id": 2, "orders_new": 0, "orders_replaced": 4, "orders_unchanged": 0, "orders_kept": 1}
    # the same rule picks the copy within one import of both files (ties: the later file)
    for paths, superseded in (([old, new], {"old.csv": 5}), ([new, old], {"old.csv": 1, "new.csv": 4})):
        r = load_files(paths, timezone=NY)
        assert r.orders.set_index("order_id").loc[A1001, "tags"] == ["from-new"]
        acc = r.accounting[r.accounting["reason"] == "duplicate_superseded"]
        assert dict(zip(acc["source_file"], acc["orders"])) == superseded


def test_refund_and_cancellation_survive_an_older_export(tmp_path):
    old = export(tmp_path / "old.csv", {})
    new = export(tmp_path / "new.csv", {(2, "Financial Status"): "refunded", (2, "Refunded Amount"): "51.44",
                                        (2, "Cancelled at"): "2022-01-05 10:00:00 -0500"})
    import_in_turn(tmp_path / "s.duckdb", old, new, old)
    got = stored(tmp_path / "s.duckdb")
    assert got["net_revenue"] == 0.0 and got["refunded_amount"] == 51.44
    assert got["cancelled_at"] == pd.Timestamp("2022-01-05 10:00:00-0500").tz_convert(NY)


def test_on_a_tie_the_newer_import_wins(tmp_path):
    first = export(tmp_path / "first.csv", {(2, "Email"): "alice@example.com", (3, "Email"): "alice@example.com"})
    fixed = export(tmp_path / "fixed.csv", {(2, "Email"): "alice@example.org", (3, "Email"): "alice@example.org"})
    import_in_turn(tmp_path / "a.duckdb", first, fixed)
    import_in_turn(tmp_path / "b.duckdb", fixed, first)
    assert stored(tmp_path / "a.duckdb")["email"] == "alice@example.org"
    assert stored(tmp_path / "b.duckdb")["email"] == "alice@example.com"


def test_replaced_order_takes_its_new_line_items(tmp_path):
    old = export(tmp_path / "old.csv", {})
    new = export(tmp_path / "new.csv", {(2, "Financial Status"): "partially_refunded", (2, "Refunded Amount"): "5",
                                        (3, "Lineitem quantity"): "3"})
    import_in_turn(tmp_path / "s.duckdb", old, new)
    with Store(tmp_path / "s.duckdb", timezone=NY) as st:
        items = st.line_items()
    mine = items[items["order_id"] == A1001]
    assert mine["quantity"].tolist() == [2, 3] and len(items) == 9  # the file's 9 loaded lines, none twice


def test_a_store_made_before_the_state_columns_gains_them(tmp_path):
    path = tmp_path / "s.duckdb"
    import_in_turn(path, export(tmp_path / "old.csv", {}))
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE orders DROP COLUMN paid_at")
    con.execute("ALTER TABLE orders DROP COLUMN fulfilled_at")
    con.close()
    new = export(tmp_path / "new.csv", {(2, "Financial Status"): "refunded", (2, "Refunded Amount"): "51.44"})
    assert import_in_turn(path, new)[0]["orders_replaced"] == 5
    assert stored(path)["financial_status"] == "refunded"
    with Store(path, timezone=NY) as st:
        paid = st.con.execute("SELECT paid_at FROM orders WHERE order_id = ?", [A1001]).fetchone()[0]
    assert pd.Timestamp(paid, tz="UTC") == pd.Timestamp("2022-01-04 01:08:36 -0500")


def test_reimporting_the_same_export_does_not_grow_the_store(tmp_path):
    path = tmp_path / "orders.csv"
    demo.write_shopify_export(path, customers=300, seed=3)
    store = tmp_path / "s.duckdb"
    result = load_files([path], timezone="Asia/Tokyo")
    sizes, done = [], []
    for _ in range(6):
        with Store(store, timezone="Asia/Tokyo") as st:
            done.append(st.upsert(result, files=[path.name]))
        sizes.append(os.path.getsize(store))
    orders = len(result.orders)
    assert done[0]["orders_new"] == orders
    assert all(d["orders_unchanged"] == orders and d["orders_replaced"] == 0 for d in done[1:])
    # after 1 import, then after each of 5 re-imports: only the import log grows (DuckDB blocks are 256 KiB)
    assert max(sizes[1:]) - sizes[0] <= 768 * 1024, sizes
    with Store(store, timezone="Asia/Tokyo") as st:
        assert st.counts()["orders"] == orders and len(st.imports()) == 6


def test_a_spilled_import_stores_the_same_and_reads_back(tmp_path, monkeypatch):
    """A loader's result above SPILL_ORDERS moves to a file beside the store for the database work: the store
    gets the same rows (new and re-imported), the result still gives its frames, the file goes with it."""
    path = tmp_path / "orders.csv"
    demo.write_shopify_export(path, customers=300, seed=3)
    want = load_files([path], timezone="Asia/Tokyo")
    frames = (want.orders, want.line_items, want.states)
    with Store(tmp_path / "plain.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(want, files=[path.name])
        plain = (st.orders(), st.line_items())
    monkeypatch.setattr("ltvlib.store.SPILL_ORDERS", 1)
    result = load_files([path], timezone="Asia/Tokyo")
    spilled = tmp_path / "spilled"
    spilled.mkdir()
    for _ in range(2):  # new, then an unchanged re-import read back from the file
        with Store(spilled / "s.duckdb", timezone="Asia/Tokyo") as st:
            st.upsert(result, files=[path.name])
            assert st.con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is True
    assert [p.name for p in spilled.glob(".ltv-import-*")]  # the result's tables live there now
    with Store(spilled / "s.duckdb", timezone="Asia/Tokyo") as st:
        pd.testing.assert_frame_equal(st.orders(), plain[0])
        pd.testing.assert_frame_equal(st.line_items(), plain[1])
        assert st.imports()["orders_new"].tolist() == [len(plain[0]), 0]
    for got, expected in zip((result.orders, result.line_items, result.states), frames):
        pd.testing.assert_frame_equal(got, expected)
    assert result.summary_text() == want.summary_text() and result.counts() == want.counts()
    del result
    assert not list(spilled.glob(".ltv-import-*"))
