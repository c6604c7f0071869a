"""Shopify orders export loader: hand-written exports with every known quirk, hand-computed answers.

Fixtures (tests/data/io/):
- shopify_79.csv (79 columns, America/New_York): #1001 two lines, multi-line note, apostrophe phones,
  tags; #1002 partially refunded POS order in DST (-0400), two discount codes; #1003 cancelled and
  refunded draft order; #1004 guest without email, app-id source, 3-line note; #1005 Bogus Gateway test
  order; one blank row; J-939719 three lines without Id. Data records: 12, rows 2..13.
- shopify_78.csv (78 columns, CRLF): a newer copy of #1001 (partially refunded), #1006 cancelled with
  total 0 and #1007, both at 01:30 local on the DST fall-back night (-0400, then -0500).
- shopify_73_ja.csv (73 columns, Asia/Tokyo): Japanese titles, tags, notes; #2002 without email.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltvlib.io import (
    LINE_ITEM_COLUMNS,
    ORDER_COLUMNS,
    InputError,
    assign_product_lines,
    load_files,
    read_shopify_orders,
)
from ltvlib.io.encoding import TextFile
from ltvlib.io.result import combine
from ltvlib.io.shopify import load_shopify

DATA = Path(__file__).parent / "data" / "io"
F79, F78, F73 = DATA / "shopify_79.csv", DATA / "shopify_78.csv", DATA / "shopify_73_ja.csv"
NY = "America/New_York"


def records(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def rewrite(src: Path, dst: Path, edits: dict[tuple[int, str], str] | None = None,
            drop: str | None = None, order: list[int] | None = None) -> Path:
    """Copy an export, setting cells by (spreadsheet row, column), dropping a column, reordering rows."""
    recs = records(src)
    header = recs[0]
    for (row, column), value in (edits or {}).items():
        recs[row - 1][header.index(column)] = value
    if order is not None:
        recs = [header] + [recs[r - 1] for r in order]
    if drop is not None:
        i = header.index(drop)
        recs = [r[:i] + r[i + 1:] for r in recs]
    with dst.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(recs)
    return dst


@pytest.fixture(scope="module")
def r79():
    return read_shopify_orders(F79, timezone=NY)


def test_tables_have_the_canonical_columns_in_order(r79):
    assert list(r79.orders.columns) == list(ORDER_COLUMNS)
    assert list(r79.line_items.columns) == list(LINE_ITEM_COLUMNS)
    assert str(r79.orders["ordered_at"].dtype) == f"datetime64[ns, {NY}]"
    assert str(r79.orders["cancelled_at"].dtype) == f"datetime64[ns, {NY}]"
    for c in ("subtotal", "total", "refunded_amount", "net_revenue"):
        assert r79.orders[c].dtype == np.float64
    assert r79.orders["source_row"].dtype == np.int64
    assert r79.line_items["quantity"].dtype == np.int64
    assert r79.line_items["unit_price"].dtype == np.float64


def test_order_fields_79(r79):
    o = r79.orders.set_index("order_name")
    assert list(o.index) == ["#1001", "#1002", "#1003", "#1004", "J-939719"]  # test order #1005 not loaded
    assert list(o["order_id"]) == ["4501001001", "4501001002", "4501001003", "4501001004", "J-939719"]
    # net = max(total - refunded, 0); blank Refunded Amount is 0
    assert list(o["total"]) == [51.44, 30.0, 25.0, 15.0, 100.0]
    assert list(o["refunded_amount"]) == [0.0, 10.0, 25.0, 0.0, 0.0]
    assert list(o["net_revenue"]) == pytest.approx([51.44, 20.0, 0.0, 15.0, 100.0])
    assert list(o["customer_key"]) == ["alice@example.com", "bob@example.com", "alice@example.com", None,
                                       "carol@example.com"]
    assert o.loc["#1001", "email"] == "alice@example.com"  # 'Alice@Example.com ' normalised
    assert list(o["financial_status"]) == ["paid", "partially_refunded", "refunded", "paid", "paid"]
    assert list(o["channel"]) == ["online_store", "pos", "draft_order", "580111", "online_store"]
    assert list(o["source"]) == ["web", "pos", "shopify_draft_order", "580111", "web"]
    assert o.loc["#1001", "tags"] == ["VIP", "wholesale"]
    assert o.loc["#1002", "tags"] == []
    assert o.loc["#1002", "discount_codes"] == ["SUMMER10", "FREESHIP"]
    assert o.loc["#1001", "discount_codes"] == []
    assert o.loc["#1002", "location"] == "Main Street Store"
    assert o.loc["#1001", "location"] is None
    assert (o["source_file"] == "shopify_79.csv").all()
    # first-row spreadsheet numbers: multi-line notes at rows 2 and 7 do not shift later rows
    assert list(o["source_row"]) == [2, 4, 5, 7, 11]
    assert list(o["subtotal"]) == [43.0, 27.0, 25.0, 15.0, 82.5]
    assert list(o["shipping"]) == [5.0, 0.0, 0.0, 0.0, 7.5]
    assert list(o["taxes"]) == [3.44, 3.0, 0.0, 0.0, 10.0]
    assert list(o["discount_amount"]) == [0.0, 3.0, 0.0, 0.0, 0.0]
    assert list(o["currency"]) == ["USD"] * 5


def test_timestamps_follow_the_offset_into_the_shop_zone(r79):
    o = r79.orders.set_index("order_name")
    assert o.loc["#1001", "ordered_at"] == pd.Timestamp("2022-01-04 01:08:35", tz=NY)  # -0500, EST
    assert o.loc["#1002", "ordered_at"] == pd.Timestamp("2022-07-04 13:00:00", tz=NY)  # -0400, EDT
    assert o.loc["#1002", "ordered_at"].utcoffset() == pd.Timedelta(hours=-4)
    assert o.loc["#1003", "ordered_at"] == pd.Timestamp("2022-03-12 22:30:00", tz=NY)
    assert o.loc["#1003", "cancelled_at"] == pd.Timestamp("2022-03-14 09:00:00", tz=NY)
    assert o["cancelled_at"].isna().sum() == 4
    tokyo = read_shopify_orders(F79, timezone="Asia/Tokyo").orders.set_index("order_name")
    assert tokyo.loc["#1001", "ordered_at"] == pd.Timestamp("2022-01-04 15:08:35", tz="Asia/Tokyo")


def test_line_items_79(r79):
    li = r79.line_items
    assert len(li) == 9  # 12 records - 2 test-order rows - 1 blank row
    assert "4501001005" not in set(li["order_id"])
    j = li[li["order_id"] == "J-939719"]
    assert list(j["line_no"]) == [1, 2, 3]
    assert list(j["product"]) == ["Herbal Tea Bags - Chamomile", "Herbal Tea Bags - Mint", "Gift Card"]
    assert list(j["quantity"]) == [1, 2, 1]
    assert list(j["unit_price"]) == [12.5, 10.0, 50.0]  # a unit price: 2 x 10.00 for the Mint line
    assert j["sku"].iloc[2] is None
    first = li[li["order_id"] == "4501001001"]
    assert list(first["line_no"]) == [1, 2]
    assert list(first["vendor"]) == ["Leaf & Co", "Potter's Wheel"]
    assert list(first["product_line"]) == ["Leaf & Co", "Potter's Wheel"]
    assert li.loc[li["order_id"] == "4501001002", "line_discount"].tolist() == [3.0]
    guest = li[li["order_id"] == "4501001004"]
    assert guest["vendor"].iloc[0] is None and guest["product_line"].iloc[0] == "Unknown"
    assert guest["line_discount"].iloc[0] == 0.0  # blank -> 0


def test_accounting_79(r79):
    acc = r79.accounting
    assert list(acc.columns) == ["source_file", "reason", "rows", "orders"]
    got = {r.reason: (r.rows, r.orders) for r in acc.itertuples()}
    assert got == {
        "loaded": (6, 3),  # #1001 (2 rows), #1002 (1), J-939719 (3)
        "loaded_cancelled": (2, 1),  # #1003
        "loaded_no_identity": (1, 1),  # #1004
        "test_order": (2, 1),  # #1005
        "blank_row": (1, 0),
    }
    text = r79.summary_text()
    assert "shopify_79.csv" in text and "test_order" in text and "Loaded 5 orders" in text


@pytest.mark.parametrize("paths", [[F79], [F78], [F73], [F79, F78], [F78, F79], [F79, F78, F73, F79]])
def test_accounting_explains_every_record(paths):
    result = load_files(paths, timezone=NY)
    for path in dict.fromkeys(paths):
        name = result.accounting["source_file"].str.endswith(path.name)
        assert result.accounting.loc[name, "rows"].sum() == len(records(path)) - 1
    assert not result.accounting.duplicated(["source_file", "reason"]).any()
    assert result.orders["order_id"].is_unique


def test_78_columns_and_dst_fall_back():
    r = read_shopify_orders(F78, timezone=NY)
    o = r.orders.set_index("order_name")
    assert list(o.index) == ["#1001", "#1006", "#1007"]
    # both at 01:30 local on 2022-11-06: first in EDT (-0400), then an hour later in EST (-0500)
    assert o.loc["#1006", "ordered_at"].utcoffset() == pd.Timedelta(hours=-4)
    assert o.loc["#1007", "ordered_at"].utcoffset() == pd.Timedelta(hours=-5)
    assert o.loc["#1007", "ordered_at"] - o.loc["#1006", "ordered_at"] == pd.Timedelta(hours=1)
    assert o.loc["#1006", "ordered_at"].strftime("%H:%M") == o.loc["#1007", "ordered_at"].strftime("%H:%M")
    # cancelled with status paid and a total of 0
    assert o.loc["#1006", "net_revenue"] == 0.0 and pd.notna(o.loc["#1006", "cancelled_at"])
    assert o.loc["#1007", "net_revenue"] == 31.0
    assert o.loc["#1001", "net_revenue"] == pytest.approx(40.0)
    assert o["location"].isna().all()
    got = {r.reason: (r.rows, r.orders) for r in r.accounting.itertuples()}
    assert got == {"loaded": (3, 2), "loaded_cancelled": (1, 1)}


def test_73_columns_japanese_in_tokyo():
    r = read_shopify_orders(F73, timezone="Asia/Tokyo")
    o = r.orders.set_index("order_name")
    assert o.loc["#2001", "ordered_at"] == pd.Timestamp("2023-04-01 09:30:00", tz="Asia/Tokyo")
    assert o.loc["#2001", "tags"] == ["リピーター", "ギフト"]
    assert o.loc["#2001", "total"] == 7090.0 and o.loc["#2001", "currency"] == "JPY"
    assert o.loc["#2002", "customer_key"] is None and o.loc["#2002", "channel"] == "pos"
    assert o["location"].isna().all()  # 73-column exports have no Location
    assert r.line_items["product"].tolist()[:2] == ["ハーブティー ティーバッグ（カモミール）", "有田焼マグカップ"]
    assert r.line_items["product_line"].tolist() == ["葉っぱ堂", "窯元さくら", "ミツバチ農園"]
    got = {r.reason: (r.rows, r.orders) for r in r.accounting.itertuples()}
    assert got == {"loaded": (2, 1), "loaded_no_identity": (1, 1)}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_bom_and_cp932_copies_read_the_same(tmp_path, encoding):
    text = F73.read_text(encoding="utf-8")
    copy = tmp_path / f"shopify_73_{encoding}.csv"
    copy.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    want = read_shopify_orders(F73, timezone="Asia/Tokyo", source_name="x.csv")
    got = read_shopify_orders(copy, timezone="Asia/Tokyo", source_name="x.csv")
    pd.testing.assert_frame_equal(got.orders, want.orders)
    pd.testing.assert_frame_equal(got.line_items, want.line_items)
    pd.testing.assert_frame_equal(got.accounting, want.accounting)


def test_copy_with_the_later_state_supersedes_the_other_in_either_order():
    r = load_files([F79, F78], timezone=NY)
    o = r.orders.set_index("order_id")
    assert o.loc["4501001001", "source_file"] == "shopify_78.csv"
    assert o.loc["4501001001", "net_revenue"] == pytest.approx(40.0)
    assert len(r.line_items[r.line_items["order_id"] == "4501001001"]) == 2
    acc = r.accounting.set_index(["source_file", "reason"])
    assert tuple(acc.loc[("shopify_79.csv", "duplicate_superseded")]) == (2, 1)
    assert tuple(acc.loc[("shopify_79.csv", "loaded")]) == (4, 2)
    assert len(r.orders) == 4 + 3
    # shopify_78.csv's copy is partially refunded (a later state), so it wins from the first file too
    back = load_files([F78, F79], timezone=NY)
    assert back.orders.set_index("order_id").loc["4501001001", "net_revenue"] == pytest.approx(40.0)
    acc = back.accounting.set_index(["source_file", "reason"])
    assert tuple(acc.loc[("shopify_79.csv", "duplicate_superseded")]) == (2, 1)
    assert ("shopify_78.csv", "duplicate_superseded") not in acc.index


def test_load_files_applies_product_line_rules():
    rules = {"from": "title", "map": {"herbal tea": "Herbal Tea Bags", "mug": "Mugs"}}
    r = load_files([F79], timezone=NY, product_lines=rules)
    lines = dict(zip(r.line_items["product"], r.line_items["product_line"]))
    assert lines == {"Herbal Tea Bags - Chamomile": "Herbal Tea Bags", "Herbal Tea Bags - Mint": "Herbal Tea Bags",
                     "Ceramic Mug": "Mugs", "Honey Jar": "Other", "Gift Card": "Other"}


def test_assign_product_lines_returns_a_copy():
    items = pd.DataFrame({"product": ["Tea Mug", "tea bags", None], "vendor": ["A", " ", None],
                          "product_line": [None, None, None]})
    by_vendor = assign_product_lines(items, None)
    assert by_vendor["product_line"].tolist() == ["A", "Unknown", "Unknown"]
    assert assign_product_lines(items, {"from": "vendor"})["product_line"].tolist() == ["A", "Unknown", "Unknown"]
    by_title = assign_product_lines(items, {"from": "title", "map": {"TEA": "Tea", "mug": "Mugs"}})
    assert by_title["product_line"].tolist() == ["Tea", "Tea", "Other"]  # first matching key wins
    assert items["product_line"].isna().all()
    with pytest.raises(ValueError, match="'from'"):
        assign_product_lines(items, {"from": "type"})


# ---- bad input: one InputError naming file, row and column ----

def test_missing_column_names_it_and_lists_the_file_columns(tmp_path):
    bad = rewrite(F79, tmp_path / "no_total.csv", drop="Total")
    with pytest.raises(InputError) as e:
        read_shopify_orders(bad, timezone=NY)
    assert e.value.file == "no_total.csv" and e.value.column == "Total" and e.value.row is None
    msg = str(e.value)
    assert msg.startswith("no_total.csv, column 'Total': required column 'Total' is missing.")
    assert "Shopify orders export with columns deleted" in msg and "Name, Email, Financial Status" in msg


def test_customers_export_is_recognised(tmp_path):
    path = tmp_path / "customers_export.csv"
    path.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders,Tags\n"
                    "Ann,Lee,ann@example.com,yes,10.00,1,\n", encoding="utf-8")
    for call in (lambda: load_files([path], timezone=NY), lambda: read_shopify_orders(path, timezone=NY)):
        with pytest.raises(InputError, match="customers export") as e:
            call()
        assert e.value.file == "customers_export.csv"


@pytest.mark.parametrize(("row", "column", "value", "expect"), [
    (4, "Created at", "07/04/2022 13:00", "Expected Shopify's format, like 2022-01-04 01:08:35 -0500"),
    (5, "Total", "25,00", "not a number"),
    (11, "Cancelled at", "yesterday", "not a date"),
    (12, "Lineitem quantity", "two", "whole number"),  # a continuation row after multi-line cells
    (13, "Lineitem price", "", "the cell is empty"),
    (4, "Refunded Amount", "$10", "not a number"),
])
def test_bad_cell_names_file_row_column_and_value(tmp_path, row, column, value, expect):
    bad = rewrite(F79, tmp_path / "bad.csv", {(row, column): value})
    with pytest.raises(InputError) as e:
        read_shopify_orders(bad, timezone=NY)
    err = e.value
    assert (err.file, err.row, err.column) == ("bad.csv", row, column)
    assert str(err).startswith(f"bad.csv, row {row}, column '{column}': ")
    assert expect in str(err)
    if value:
        assert repr(value) in str(err)


def test_whitespace_only_row_is_blank(tmp_path):
    path = rewrite(F79, tmp_path / "spaces.csv", {(10, "Name"): " ", (10, "Email"): "  ", (10, "Notes"): " "})
    got = {r.reason: (r.rows, r.orders) for r in read_shopify_orders(path, timezone=NY).accounting.itertuples()}
    assert got["blank_row"] == (1, 0)


def test_first_bad_row_is_reported(tmp_path):
    bad = rewrite(F79, tmp_path / "bad.csv", {(11, "Total"): "x", (4, "Total"): "y"})
    with pytest.raises(InputError) as e:
        read_shopify_orders(bad, timezone=NY)
    assert e.value.row == 4


def test_order_split_across_the_file_is_an_error(tmp_path):
    bad = rewrite(F79, tmp_path / "sorted.csv", order=[2, 4, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13])
    with pytest.raises(InputError) as e:
        read_shopify_orders(bad, timezone=NY)
    assert (e.value.row, e.value.column) == (4, "Name")
    assert "'#1001' appears again" in str(e.value) and "row 2" in str(e.value)


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty") as e:
        read_shopify_orders(empty, timezone=NY)
    assert e.value.file == "empty.csv" and e.value.row is None
    header_only = tmp_path / "header.csv"
    header_only.write_text(F79.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        read_shopify_orders(header_only, timezone=NY)


def test_ragged_row_and_unclosed_quote(tmp_path):
    lines = F78.read_text(encoding="utf-8").split("\n")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join([lines[0], lines[1], "#1008,x@example.com,paid", *lines[2:]]), encoding="utf-8")
    with pytest.raises(InputError, match="3 cells but the header has 78 columns") as e:
        read_shopify_orders(ragged, timezone=NY)
    assert e.value.row == 3
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text(F78.read_text(encoding="utf-8").rstrip("\r\n") + '"\r\nmore\r\n', encoding="utf-8")
    with pytest.raises(InputError, match="never closed"):
        read_shopify_orders(unclosed, timezone=NY)


def test_undecodable_file_and_unknown_time_zone(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(F78.read_bytes().replace(b"Leaf & Co", b"Caf\xe9 \x81\x20"))
    with pytest.raises(InputError, match="neither UTF-8 nor Shift_JIS") as e:
        read_shopify_orders(latin, timezone=NY)
    assert "CSV UTF-8" in e.value.hint
    with pytest.raises(InputError, match="unknown time zone 'Mars/Base'"):
        read_shopify_orders(F79, timezone="Mars/Base")


def test_loader_choice_errors(tmp_path):
    with pytest.raises(InputError, match="needs a column mapping"):
        load_files([F79], timezone=NY, loader="mapped")
    other = tmp_path / "other.csv"
    other.write_text("id,date,amount\n1,2022-01-01,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a Shopify orders export, and no column mapping") as e:
        load_files([other], timezone=NY)
    assert "id, date, amount" in str(e.value)
    with pytest.raises(ValueError, match="loader must be one of"):
        load_files([F79], timezone=NY, loader="magic")


# ---- block-wise reading: a large export is read in blocks cut inside orders and quoted cells ----

COPIES = 4  # shopify_79.csv stacked: its row r is row r + 12 * k in copy k


def stacked(tmp_path: Path, edits: dict[tuple[int, str], str] | None = None) -> Path:
    """shopify_79.csv four times over, with distinct Names and Ids, then ``edits`` by (row, column)."""
    recs = records(F79)
    header = recs[0]
    name, oid = header.index("Name"), header.index("Id")
    out = [header]
    for k in range(COPIES):
        for rec in recs[1:]:
            rec = list(rec)
            rec[name] = f"{rec[name]}-{k}" if rec[name].strip() else rec[name]
            rec[oid] = f"{rec[oid]}{k}" if rec[oid].strip() else rec[oid]
            out.append(rec)
    path = tmp_path / "stacked.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    return rewrite(path, path, edits) if edits else path


def read_in_blocks(path: Path, block_size: int, timezone: str = NY):
    return combine([load_shopify(TextFile.open(path), timezone=timezone, block_size=block_size)])


BLOCK_SIZES = range(1250, 3000, 50)  # the header needs ~1.2 kB; records are 0.1-0.6 kB


def test_blocks_cut_anywhere_read_the_same(tmp_path):
    path = stacked(tmp_path)
    want = read_shopify_orders(path, timezone=NY)
    names = [r[0] for r in records(path)[1:]]
    multi_line = {i for i, r in enumerate(records(path)[1:]) if any("\n" in c for c in r)}
    cuts: set[int] = set()
    for block_size in BLOCK_SIZES:
        got = read_in_blocks(path, block_size)
        pd.testing.assert_frame_equal(got.orders, want.orders)
        pd.testing.assert_frame_equal(got.line_items, want.line_items)
        pd.testing.assert_frame_equal(got.accounting, want.accounting)
        sizes = TextFile.open(path).scan(["Name"], lambda tables: [t.num_rows for t in tables],
                                         block_size=block_size)
        cuts |= {int(c) for c in np.cumsum(sizes)[:-1]}  # index of the first record of a later block
    # the sizes tried cut inside orders, next to the blank row, and on both sides of multi-line records
    assert any(names[c - 1] == names[c] != "" for c in cuts)
    assert any("" in (names[c - 1], names[c]) for c in cuts)
    assert cuts & multi_line and {c - 1 for c in cuts} & multi_line


@pytest.mark.parametrize(("edits", "row", "column", "expect"), [
    ({(40, "Refunded Amount"): "$10"}, 40, "Refunded Amount", "not a number"),
    # a check that runs earlier wins over an earlier row, wherever the blocks fall
    ({(4, "Refunded Amount"): "$10", (47, "Created at"): ""}, 47, "Created at", "the cell is empty"),
    ({(5, "Total"): "x", (37, "Lineitem price"): ""}, 5, "Total", "not a number"),
    ({(5, "Total"): "x", (48, "Name"): ""}, 48, "Name", "the cell is empty"),
    ({(40, "Name"): "#1001-0", (48, "Name"): ""}, 48, "Name", "the cell is empty"),
    # a repeated order is found across blocks, before cell checks
    ({(5, "Total"): "x", (40, "Name"): "#1001-0"}, 40, "Name", "'#1001-0' appears again"),
    ({(40, "Id"): "45010010010"}, 40, "Id", "(it starts at row 2)"),
])
def test_blocks_report_the_error_of_a_whole_file_pass(tmp_path, edits, row, column, expect):
    path = stacked(tmp_path, edits)
    for read in [lambda: read_shopify_orders(path, timezone=NY),
                 *[lambda b=b: read_in_blocks(path, b) for b in BLOCK_SIZES[::5]]]:
        with pytest.raises(InputError) as e:
            read()
        assert (e.value.file, e.value.row, e.value.column) == ("stacked.csv", row, column)
        assert expect in str(e.value)


def test_blocks_report_reader_errors_after_cell_errors(tmp_path):
    lines = stacked(tmp_path, {(5, "Total"): "x"}).read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("#1003-3,"))  # a record's first line
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join([*lines[:at], "#9,x@example.com,paid", *lines[at:]]), encoding="utf-8")
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text("\n".join(lines).rstrip("\n") + '"\nmore\n', encoding="utf-8")
    for block_size in BLOCK_SIZES[::5]:
        with pytest.raises(InputError, match="3 cells but the header has 79 columns") as e:
            read_in_blocks(ragged, block_size)
        assert e.value.row == 41
        with pytest.raises(InputError, match="never closed"):
            read_in_blocks(unclosed, block_size)



def test_one_converter_thread_reads_the_same(monkeypatch):
    want = read_shopify_orders(F79, timezone=NY)
    monkeypatch.setattr("ltvlib.io.shopify.CONVERTERS", 1)
    got = read_shopify_orders(F79, timezone=NY)
    pd.testing.assert_frame_equal(got.orders, want.orders)
    pd.testing.assert_frame_equal(got.line_items, want.line_items)
    pd.testing.assert_frame_equal(got.accounting, want.accounting)


def test_frames_of_a_result_keep_their_types(r79):
    """The loaders hold arrow tables; the frames built from them have the documented types and Python values."""
    assert r79.counts() == {"orders": len(r79.orders), "line_items": len(r79.line_items)}
    assert all(type(v) is list for v in r79.orders["tags"]) and r79.orders["tags"].iloc[0] is not r79.orders["tags"].iloc[1]
    assert r79.line_items["line_no"].dtype == np.int64 and r79.orders["source_row"].dtype == np.int64
    assert all(isinstance(v, str) for v in r79.line_items["order_id"])
    assert set(r79.states.columns) == {"paid_at", "fulfilled_at"} and len(r79.states) == len(r79.orders)
