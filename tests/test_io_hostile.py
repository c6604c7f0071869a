"""Hostile exports, generated here from the hand-written fixtures: absurd dates, amounts and quantities,
negative amounts, refunds above the total, e-mails that disagree, deleted columns, giant cells.

Rows of tests/data/io/shopify_79.csv used (America/New_York): #1001 rows 2-3 (two lines, total 51.44),
#1002 row 4, #1003 rows 5-6 (cancelled), #1004 row 7 (guest), #1005 rows 8-9 (test order), blank row
10, J-939719 rows 11-13.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ltvlib.cli import main
from ltvlib.io import InputError, load_files, read_mapped, read_shopify_orders
from ltvlib.io.encoding import BLOCK_SIZE, TextFile
from ltvlib.io.result import combine
from ltvlib.io.shopify import load_shopify
from ltvlib.store import Store

DATA = Path(__file__).parent / "data" / "io"
F79 = DATA / "shopify_79.csv"
NY = "America/New_York"


def rewrite(dst: Path, edits: dict[tuple[int, str], str] | None = None, drop: str | None = None) -> Path:
    """shopify_79.csv with cells set by (spreadsheet row, column) and optionally one column deleted."""
    with F79.open(encoding="utf-8", newline="") as f:
        recs = list(csv.reader(f))
    header = recs[0]
    for (row, column), value in (edits or {}).items():
        recs[row - 1][header.index(column)] = value
    if drop is not None:
        i = header.index(drop)
        recs = [r[:i] + r[i + 1:] for r in recs]
    with dst.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(recs)
    return dst


def reasons(result) -> dict[str, tuple[int, int]]:
    return {r.reason: (r.rows, r.orders) for r in result.accounting.itertuples()}


def shopify_time(ts: pd.Timestamp) -> str:
    return ts.tz_convert(NY).strftime("%Y-%m-%d %H:%M:%S %z")


# ---- values that cannot be real: exit 2 naming file, row and column ----

FUTURE = shopify_time(pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=10))


@pytest.mark.parametrize(("row", "column", "value", "expect"), [
    (2, "Created at", "0001-01-01 00:00:00 -0500", "not a plausible order date"),
    (4, "Created at", "9999-12-31 23:59:59 -0500", "not a plausible order date"),
    (4, "Created at", "1989-12-31 12:00:00 -0500", "not a plausible order date"),
    (4, "Created at", FUTURE, "not a plausible order date"),
    (5, "Cancelled at", "0001-01-01 00:00:00 -0500", "not a plausible order date"),
    (2, "Paid at", "9999-12-31 23:59:59 -0500", "not a plausible order date"),
    (4, "Total", "NaN", "not a plausible amount"),
    (4, "Total", "inf", "not a plausible amount"),
    (4, "Total", "-inf", "not a plausible amount"),
    (4, "Total", "1e308", "not a plausible amount"),
    (4, "Total", "1000000000000", "not a plausible amount"),
    (4, "Refunded Amount", "nan", "not a plausible amount"),
    (4, "Shipping", "Infinity", "not a plausible amount"),
    (3, "Lineitem price", "1e300", "not a plausible amount"),
    (3, "Lineitem discount", "NaN", "not a plausible amount"),
    (2, "Lineitem quantity", "1e20", "not a plausible quantity"),
    (2, "Lineitem quantity", "-1", "not a plausible quantity"),
    (2, "Lineitem quantity", "1000001", "not a plausible quantity"),
    (2, "Lineitem quantity", "inf", "not a plausible quantity"),
    (2, "Lineitem quantity", "NaN", "not a whole number"),
    (2, "Lineitem quantity", "1.5", "not a whole number"),
])
def test_absurd_value_is_an_error_naming_file_row_and_column(tmp_path, row, column, value, expect):
    bad = rewrite(tmp_path / "bad.csv", {(row, column): value})
    with pytest.raises(InputError) as e:
        load_files([bad], timezone=NY)
    err = e.value
    assert (err.file, err.row, err.column) == ("bad.csv", row, column)
    assert str(err).startswith(f"bad.csv, row {row}, column '{column}': {value!r} ")
    assert expect in str(err) and err.hint  # says what to do


def test_values_at_the_edges_of_the_sane_ranges_load(tmp_path):
    soon = shopify_time(pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=30))  # a shop zone ahead of ours
    ok = rewrite(tmp_path / "ok.csv", {
        (4, "Created at"): soon, (2, "Created at"): "1990-01-02 00:00:00 -0500",
        (3, "Created at"): "1990-01-02 00:00:00 -0500", (4, "Total"): "999999999999.99",
        (2, "Lineitem quantity"): "1000000", (11, "Lineitem quantity"): "0",
    })
    r = load_files([ok], timezone=NY)
    o = r.orders.set_index("order_name")
    assert o.loc["#1001", "ordered_at"] == pd.Timestamp("1990-01-02", tz=NY)
    assert o.loc["#1002", "total"] == 999999999999.99
    assert o.loc["#1002", "ordered_at"] > pd.Timestamp.now(tz="UTC")
    assert r.line_items.set_index(["order_id", "line_no"]).loc[("4501001001", 1), "quantity"] == 1_000_000


def test_absurd_value_leaves_the_store_unchanged_and_the_cli_exits_2(tmp_path, capsys):
    shop = tmp_path / "shop.yaml"
    shop.write_text("shop: hostile\nname: Hostile\ncurrency: USD\ntimezone: America/New_York\nlanguage: en\n"
                    "store: store.duckdb\n", encoding="utf-8")
    assert main(["import", str(shop), str(F79)]) == 0
    with Store(tmp_path / "store.duckdb", timezone=NY) as st:
        before = (st.orders(), st.line_items(), len(st.imports()))
    for name, edits in [("year1.csv", {(2, "Created at"): "0001-01-01 00:00:00 -0500"}),
                        ("nan.csv", {(4, "Total"): "NaN"}), ("qty.csv", {(2, "Lineitem quantity"): "1e20"})]:
        capsys.readouterr()
        assert main(["import", str(shop), str(rewrite(tmp_path / name, edits))]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {name}, row ") and "Traceback" not in err
    with Store(tmp_path / "store.duckdb", timezone=NY) as st:
        pd.testing.assert_frame_equal(st.orders(), before[0])
        pd.testing.assert_frame_equal(st.line_items(), before[1])
        assert len(st.imports()) == before[2]


# ---- amounts that are possible but not plain: counted under their own reason, never silently clipped ----

def test_negative_total_or_refund_is_counted_and_not_loaded(tmp_path):
    path = rewrite(tmp_path / "neg.csv", {(4, "Total"): "-10.00", (11, "Refunded Amount"): "-1.00"})
    r = read_shopify_orders(path, timezone=NY)
    got = reasons(r)
    assert got["negative_amount"] == (4, 2)  # #1002 (1 row) and J-939719 (3 rows)
    assert got["loaded"] == (2, 1)  # only #1001 left
    assert "#1002" not in set(r.orders["order_name"]) and "J-939719" not in set(r.orders["order_name"])
    assert set(r.line_items["order_id"]) == set(r.orders["order_id"])
    assert sum(rows for rows, _ in got.values()) == 12  # every record still accounted for
    assert "negative_amount" in r.summary_text()


def test_refund_above_the_total_is_counted_with_net_revenue_zero(tmp_path):
    path = rewrite(tmp_path / "over.csv", {(4, "Refunded Amount"): "500.00"})
    r = read_shopify_orders(path, timezone=NY)
    o = r.orders.set_index("order_name")
    assert o.loc["#1002", "refunded_amount"] == 500.0  # kept as exported
    assert o.loc["#1002", "net_revenue"] == 0.0
    assert reasons(r)["loaded_refund_over_total"] == (1, 1)
    assert reasons(r)["loaded"] == (5, 2)  # #1001 and J-939719 are untouched


# ---- e-mails of one order's rows ----

def test_rows_of_one_order_that_disagree_on_email_are_flagged(tmp_path):
    path = rewrite(tmp_path / "emails.csv", {(3, "Email"): "mallory@example.com"})
    r = read_shopify_orders(path, timezone=NY)
    o = r.orders.set_index("order_name")
    assert o.loc["#1001", "email"] == "alice@example.com"  # the first row's
    assert reasons(r)["loaded_email_conflict"] == (2, 1)
    assert reasons(r)["loaded"] == (4, 2)


def test_blank_email_on_the_first_row_takes_the_later_rows_email(tmp_path):
    path = rewrite(tmp_path / "blank_first.csv", {(2, "Email"): "", (12, "Email"): "", (13, "Email"): " "})
    r = read_shopify_orders(path, timezone=NY)
    o = r.orders.set_index("order_name")
    assert o.loc["#1001", "email"] == "alice@example.com" == o.loc["#1001", "customer_key"]
    assert o.loc["J-939719", "email"] is not None and "loaded_email_conflict" not in reasons(r)
    assert reasons(r)["loaded"] == (6, 3)


def test_generic_loader_checks_values_and_emails_the_same_way(tmp_path):
    mapping = {"order_id": "id", "ordered_at": "date", "email": "mail", "unit_price": "price", "quantity": "qty",
               "total": "total"}
    base = [["id", "date", "mail", "price", "qty", "total"],
            ["A1", "2024-05-01T10:00:00+09:00", "", "10", "1", "30"],
            ["A1", "2024-05-01T10:00:00+09:00", "x@example.com", "20", "1", ""],
            ["B2", "2024-05-02T10:00:00+09:00", "y@example.com", "5", "2", "10"],
            ["B2", "2024-05-02T10:00:00+09:00", "z@example.com", "5", "2", ""]]

    def write(edits: dict[tuple[int, int], str]) -> Path:
        rows = [list(r) for r in base]
        for (row, col), value in edits.items():
            rows[row - 1][col] = value
        path = tmp_path / "m.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        return path

    r = read_mapped(write({}), mapping=mapping, timezone="Asia/Tokyo")
    o = r.orders.set_index("order_id")
    assert o.loc["A1", "customer_key"] == "x@example.com" and o.loc["B2", "email"] == "y@example.com"
    assert reasons(r) == {"loaded": (2, 1), "loaded_email_conflict": (2, 1)}
    for edits, row, column in [({(2, 5): "NaN"}, 2, "total"), ({(3, 4): "1e20"}, 3, "qty"),
                               ({(4, 1): "0001-01-01T00:00:00+09:00"}, 4, "date"), ({(4, 3): "inf"}, 4, "price")]:
        with pytest.raises(InputError) as e:
            read_mapped(write(edits), mapping=mapping, timezone="Asia/Tokyo")
        assert (e.value.file, e.value.row, e.value.column) == ("m.csv", row, column)
    neg = read_mapped(write({(4, 5): "-10"}), mapping=mapping, timezone="Asia/Tokyo")
    assert reasons(neg)["negative_amount"] == (2, 1) and list(neg.orders["order_id"]) == ["A1"]


def test_parquet_timestamp_in_year_one_is_an_error(tmp_path):
    path = tmp_path / "orders.parquet"
    import datetime as dt
    when = pa.array([dt.datetime(2024, 5, 1, 10), dt.datetime(1, 1, 1)], pa.timestamp("us"))
    pq.write_table(pa.table({"id": ["A", "B"], "at": when, "price": [1.0, 2.0]}), path)
    with pytest.raises(InputError, match="not a plausible order date") as e:
        read_mapped(path, mapping={"order_id": "id", "ordered_at": "at", "unit_price": "price"}, timezone="UTC")
    assert (e.value.row, e.value.column) == (3, "at")


# ---- a Shopify export with a column deleted ----

@pytest.mark.parametrize("column", ["Created at", "Name", "Lineitem name", "Total"])
def test_shopify_export_missing_a_required_column_names_it(tmp_path, column):
    path = rewrite(tmp_path / "edited.csv", drop=column)
    with pytest.raises(InputError) as e:
        load_files([path], timezone=NY)
    assert e.value.column == column
    msg = str(e.value)
    assert f"required column '{column}' is missing" in msg and "columns deleted" in msg
    assert "not a Shopify orders export" not in msg


def test_partial_shopify_header_with_a_mapping_uses_the_mapping(tmp_path):
    path = rewrite(tmp_path / "edited.csv", drop="Created at")
    mapping = {"order_id": "Name", "ordered_at": "Paid at", "total": "Total"}
    with pytest.raises(InputError) as e:  # the mapped loader ran: Paid at is blank on continuation rows
        load_files([path], timezone=NY, mapping=mapping)
    assert e.value.column == "Paid at"


def test_unrelated_file_is_still_not_a_shopify_export(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Name,Email,Tags,amount\nx,a@example.com,,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a Shopify orders export, and no column mapping"):
        load_files([path], timezone=NY)


# ---- a cell longer than the reader's block ----

def test_cell_longer_than_a_block_names_row_and_column(tmp_path):
    path = rewrite(tmp_path / "long.csv", {(7, "Notes"): "pasted " * 2000})
    with pytest.raises(InputError) as e:
        combine([load_shopify(TextFile.open(path), timezone=NY, block_size=4096)])
    assert (e.value.file, e.value.row, e.value.column) == ("long.csv", 7, "Notes")
    assert "too long" in str(e.value) and "CSV UTF-8" not in str(e.value)


def test_cell_longer_than_the_default_block_names_row_and_column(tmp_path):
    size = 2 * BLOCK_SIZE + 10  # pyarrow reads a record spanning two blocks, not three
    path = rewrite(tmp_path / "huge.csv", {(7, "Notes"): "y" * (BLOCK_SIZE + 10), (11, "Note Attributes"): "x" * size})
    with pytest.raises(InputError) as e:
        read_shopify_orders(path, timezone=NY)
    assert (e.value.row, e.value.column) == (11, "Note Attributes")
    assert f"{size:,} bytes" in str(e.value) and "CSV UTF-8" not in str(e.value)
