"""Mapped loader: an Amazon-style TSV (fixture), a cp932 Rakuten-style CSV and a Parquet file (written here)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltvlib.io import LINE_ITEM_COLUMNS, ORDER_COLUMNS, InputError, detect_encoding, load_files, read_mapped

DATA = Path(__file__).parent / "data" / "io"
AMAZON = DATA / "amazon_all_orders.tsv"
LA = "America/Los_Angeles"
TOKYO = "Asia/Tokyo"
AMAZON_MAPPING = {
    "order_id": "amazon-order-id", "ordered_at": "purchase-date", "email": None, "customer_id": None,
    "product": "product-name", "sku": "sku", "quantity": "quantity", "line_total": "item-price",
    "taxes": "item-tax", "shipping": "shipping-price", "discount_amount": "item-promotion-discount",
    "currency": "currency", "status": "order-status", "cancelled_values": ["Cancelled"],
    "source": "sales-channel", "channel": "amazon", "amounts": "line", "datetime_format": None, "sep": None,
}
RAKUTEN_HEADER = ["注文番号", "ステータス", "注文日時", "合計金額", "送料合計", "消費税合計", "注文者メールアドレス",
                  "注文者名字", "商品ID", "商品名", "商品番号", "単価", "個数"]
RAKUTEN_ROWS = [
    ["274555-20170615-0823997264", "発送後", "2017-06-15 08:23:45", "5784", "600", "384", "Hanako@Example.JP",
     "髙橋", "10000001", "①番人気 はちみつ 300g", "HON-300", "1800", "2"],
    ["274555-20170615-0823997264", "発送後", "2017-06-15 08:23:45", "5784", "600", "384", "Hanako@Example.JP",
     "髙橋", "10000002", "有田焼 マグカップ", "MUG-AR", "1200", "1"],
    ["274555-20170616-0901234567", "キャンセル", "2017-06-16 09:01:00", "1296", "0", "96", "taro@example.jp",
     "山田", "10000002", "有田焼 マグカップ", "MUG-AR", "1200", "1"],
    ["274555-20170617-1100000001", "発送後", "2017-06-17 23:59:59", "2544", "600", "144", "",
     "佐藤", "10000001", "①番人気 はちみつ 300g", "HON-300", "1800", "1"],
]
RAKUTEN_MAPPING = {
    "order_id": "注文番号", "ordered_at": "注文日時", "email": "注文者メールアドレス", "product": "商品名",
    "sku": "商品番号", "unit_price": "単価", "quantity": "個数", "total": "合計金額", "shipping": "送料合計",
    "taxes": "消費税合計", "status": "ステータス", "cancelled_values": ["キャンセル"], "channel": "rakuten",
    "default_currency": "JPY",
}


def write_rakuten(path: Path, rows: list[list[str]] = RAKUTEN_ROWS) -> Path:
    """A Rakuten RMS-style order CSV: cp932, every cell quoted, CRLF line ends."""
    with path.open("w", encoding="cp932", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([RAKUTEN_HEADER, *rows])
    return path


@pytest.fixture(scope="module")
def amazon():
    return read_mapped(AMAZON, mapping=AMAZON_MAPPING, timezone=LA)


def test_amazon_orders(amazon):
    o = amazon.orders.set_index("order_id")
    assert list(amazon.orders.columns) == list(ORDER_COLUMNS)
    assert list(o.index) == ["111-1234567-1234567", "112-7654321-7654321", "113-0000000-0000001"]
    # 'line' amounts: summed over the order's rows; total defaults to sum(quantity x unit_price)
    assert o["total"].tolist() == pytest.approx([35.97, 26.50, 0.0])
    assert o["subtotal"].tolist() == pytest.approx([35.97, 26.50, 0.0])
    assert o["taxes"].tolist() == pytest.approx([2.88, 2.12, 0.0])
    assert o["shipping"].tolist() == pytest.approx([4.99, 2.00, 0.0])
    assert o["discount_amount"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert o["net_revenue"].tolist() == pytest.approx([35.97, 26.50, 0.0])
    assert o["customer_key"].isna().all() and o["email"].isna().all()
    assert (o["channel"] == "amazon").all() and (o["source"] == "Amazon.com").all()
    assert o["financial_status"].tolist() == ["Shipped", "Pending", "Cancelled"]
    assert o["source_row"].tolist() == [2, 4, 6]
    assert o.loc["111-1234567-1234567", "ordered_at"] == pd.Timestamp("2017-09-23 14:18:23", tz=LA)
    # 2017-11-05 01:30 happened twice in Los Angeles: -07:00 (PDT), then -08:00 (PST)
    assert o.loc["112-7654321-7654321", "ordered_at"].utcoffset() == pd.Timedelta(hours=-7)
    assert o.loc["113-0000000-0000001", "ordered_at"].utcoffset() == pd.Timedelta(hours=-8)
    # a cancelled status without a cancellation time: cancelled at the order time
    assert o.loc["113-0000000-0000001", "cancelled_at"] == o.loc["113-0000000-0000001", "ordered_at"]
    assert o["cancelled_at"].isna().tolist() == [True, True, False]


def test_amazon_line_items_grouped_by_order(amazon):
    li = amazon.line_items
    assert list(li.columns) == list(LINE_ITEM_COLUMNS)
    assert li["order_id"].tolist() == ["111-1234567-1234567"] * 2 + ["112-7654321-7654321"] * 2 + [
        "113-0000000-0000001"]
    assert li["line_no"].tolist() == [1, 2, 1, 2, 1]  # rows 4 and 7 of order 112 are one order
    assert li["quantity"].tolist() == [2, 1, 3, 1, 0]
    assert li["unit_price"].tolist() == pytest.approx([12.99, 9.99, 7.0, 5.5, 0.0])  # line total / quantity
    assert li["product"].tolist()[3] == 'Gift "Deluxe" Box'
    assert li["product_line"].tolist() == ["Unknown"] * 5  # no vendor column mapped


def test_amazon_accounting(amazon):
    got = {r.reason: (r.rows, r.orders) for r in amazon.accounting.itertuples()}
    assert got == {"loaded_cancelled": (1, 1), "loaded_no_identity": (4, 2), "blank_row": (1, 0)}
    with AMAZON.open(encoding="utf-8", newline="") as f:
        assert sum(got[k][0] for k in got) == len(list(csv.reader(f, delimiter="\t"))) - 1


def test_rakuten_cp932(tmp_path):
    path = write_rakuten(tmp_path / "rakuten_orders.csv")
    assert detect_encoding(path) == "cp932"
    r = read_mapped(path, mapping=RAKUTEN_MAPPING, timezone=TOKYO)
    o = r.orders.set_index("order_id")
    first = o.loc["274555-20170615-0823997264"]
    assert first["ordered_at"] == pd.Timestamp("2017-06-15 08:23:45", tz=TOKYO)
    assert first["customer_key"] == "hanako@example.jp"
    assert first["total"] == 5784.0 and first["subtotal"] == 4800.0  # order-level total; items 2x1800 + 1200
    assert first["shipping"] == 600.0 and first["taxes"] == 384.0 and first["currency"] == "JPY"
    assert first["channel"] == "rakuten" and first["source"] is None
    cancelled = o.loc["274555-20170616-0901234567"]
    assert cancelled["financial_status"] == "キャンセル" and cancelled["cancelled_at"] == cancelled["ordered_at"]
    assert o.loc["274555-20170617-1100000001", "customer_key"] is None
    assert r.line_items["product"].tolist()[0] == "①番人気 はちみつ 300g"  # a cp932-only character
    assert r.line_items["unit_price"].tolist() == [1800.0, 1200.0, 1200.0, 1800.0]
    got = {row.reason: (row.rows, row.orders) for row in r.accounting.itertuples()}
    assert got == {"loaded": (2, 1), "loaded_cancelled": (1, 1), "loaded_no_identity": (1, 1)}


def test_parquet_with_typed_columns(tmp_path):
    frame = pd.DataFrame({
        "order_no": np.array([1001, 1001, 1002, 1003], dtype=np.int64),
        "placed": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 10:00", "2024-03-02 23:30", "2024-03-03 00:15"]),
        "cust": ["'C1", "'C1", None, None],  # leading apostrophe as spreadsheets keep long ids
        "mail": ["a@x.com", "a@x.com", " B@X.com ", None],
        "item": pd.Categorical(["Tea", "Mug", "Tea", "Tea"]),
        "qty": np.array([2, 1, 1, 3], dtype=np.int64),
        "price": [500.0, 1500.0, 500.0, 500.0],
    })
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path)
    mapping = {"order_id": "order_no", "ordered_at": "placed", "customer_id": "cust", "email": "mail",
               "product": "item", "quantity": "qty", "unit_price": "price", "channel": "wholesale"}
    r = read_mapped(path, mapping=mapping, timezone=TOKYO)
    o = r.orders
    assert o["order_id"].tolist() == ["1001", "1002", "1003"]
    assert o["customer_key"].tolist() == ["C1", "b@x.com", None]  # customer id wins over email
    assert o["email"].tolist() == ["a@x.com", "b@x.com", None]
    assert o["total"].tolist() == [2500.0, 500.0, 1500.0]
    assert o["ordered_at"].tolist()[1] == pd.Timestamp("2024-03-02 23:30", tz=TOKYO)
    assert o["source_row"].tolist() == [2, 4, 5]
    assert r.line_items["line_no"].tolist() == [1, 2, 1, 1]
    assert r.line_items["product"].tolist() == ["Tea", "Mug", "Tea", "Tea"]


def test_load_files_mixes_shopify_and_mapped_files():
    r = load_files([DATA / "shopify_78.csv", AMAZON], timezone=LA, mapping=AMAZON_MAPPING)
    assert set(r.accounting["source_file"]) == {"shopify_78.csv", "amazon_all_orders.tsv"}
    assert len(r.orders) == 3 + 3
    assert r.orders["channel"].tolist() == ["online_store"] * 3 + ["amazon"] * 3


# ---- bad input ----

def test_mapping_naming_a_missing_column(tmp_path):
    with pytest.raises(InputError) as e:
        read_mapped(AMAZON, mapping={**AMAZON_MAPPING, "sku": "seller-sku"}, timezone=LA)
    err = e.value
    assert (err.file, err.row, err.column) == ("amazon_all_orders.tsv", None, "seller-sku")
    assert "'sku' names column 'seller-sku'" in str(err) and "amazon-order-id, merchant-order-id" in str(err)


@pytest.mark.parametrize(("mapping", "expect"), [
    ({**RAKUTEN_MAPPING, "unit_prize": "単価"}, "unknown key 'unit_prize'"),
    ({k: v for k, v in RAKUTEN_MAPPING.items() if k != "ordered_at"}, "'ordered_at'"),
    ({**RAKUTEN_MAPPING, "unit_price": None, "total": None}, "no amount column"),
    ({**RAKUTEN_MAPPING, "amounts": "item"}, "'order' or 'line'"),
])
def test_bad_mappings(tmp_path, mapping, expect):
    path = write_rakuten(tmp_path / "rakuten.csv")
    with pytest.raises(InputError, match=expect) as e:
        read_mapped(path, mapping=mapping, timezone=TOKYO)
    assert e.value.file == "rakuten.csv"


@pytest.mark.parametrize(("row", "column", "value", "expect"), [
    (4, "注文日時", "16/06/2017 09:01", "not a date and time"),
    (5, "単価", "", "price is empty"),
    (3, "個数", "1.5", "not a whole number"),
    (2, "合計金額", "5,784円", "not a number"),
    (5, "注文日時", "2017-06-17T23:59:59+09:00", "mixes times with and without a UTC offset"),
])
def test_bad_cells(tmp_path, row, column, value, expect):
    rows = [list(r) for r in RAKUTEN_ROWS]
    rows[row - 2][RAKUTEN_HEADER.index(column)] = value
    path = write_rakuten(tmp_path / "rakuten.csv", rows)
    with pytest.raises(InputError) as e:
        read_mapped(path, mapping=RAKUTEN_MAPPING, timezone=TOKYO)
    assert (e.value.file, e.value.row, e.value.column) == ("rakuten.csv", row, column)
    assert str(e.value).startswith(f"rakuten.csv, row {row}, column '{column}': ") and expect in str(e.value)


def test_cancelled_orders_may_leave_the_price_blank(tmp_path):
    rows = [list(r) for r in RAKUTEN_ROWS]
    rows[2][RAKUTEN_HEADER.index("単価")] = ""  # the cancelled order
    r = read_mapped(write_rakuten(tmp_path / "rakuten.csv", rows), mapping=RAKUTEN_MAPPING, timezone=TOKYO)
    assert r.line_items["unit_price"].tolist() == [1800.0, 1200.0, 0.0, 1800.0]


def test_datetime_format_option(tmp_path):
    rows = [list(r) for r in RAKUTEN_ROWS]
    for r in rows:
        r[2] = pd.Timestamp(r[2]).strftime("%d.%m.%Y %H:%M")
    path = write_rakuten(tmp_path / "rakuten.csv", rows)
    with pytest.raises(InputError, match="datetime_format"):
        read_mapped(path, mapping=RAKUTEN_MAPPING, timezone=TOKYO)
    r = read_mapped(path, mapping={**RAKUTEN_MAPPING, "datetime_format": "%d.%m.%Y %H:%M"}, timezone=TOKYO)
    assert r.orders["ordered_at"].iloc[0] == pd.Timestamp("2017-06-15 08:23", tz=TOKYO)


def test_sep_option(tmp_path):
    copy = tmp_path / "amazon.txt"
    copy.write_bytes(AMAZON.read_bytes())
    r = read_mapped(copy, mapping={**AMAZON_MAPPING, "sep": "tab"}, timezone=LA)
    assert len(r.orders) == 3
    with pytest.raises(InputError, match="'sep' must be one character"):
        read_mapped(copy, mapping={**AMAZON_MAPPING, "sep": "||"}, timezone=LA)
