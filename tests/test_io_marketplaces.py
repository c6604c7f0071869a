"""Built-in marketplace loaders (Amazon All Orders report, Rakuten RMS order CSV) on small generated files,
and a shop whose sources each import with their own loader, mapping and product lines."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from ltvlib import demo
from ltvlib.cli import main
from ltvlib.io import InputError, load_files, load_sources
from ltvlib.io.marketplaces import BUILTIN_MAPPINGS
from ltvlib.store import Store

LA, TOKYO = "America/Los_Angeles", "Asia/Tokyo"
AMAZON_HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku",
    "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
    "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
    "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
]


def _amazon_row(order: str, when: str, status: str, product: str, sku: str, qty: str, price: str, tax: str,
                ship: str, promo: str, currency: str = "JPY") -> list[str]:
    values = {"amazon-order-id": order, "purchase-date": when, "last-updated-date": when, "order-status": status,
              "fulfillment-channel": "Amazon", "sales-channel": "Amazon.co.jp", "product-name": product, "sku": sku,
              "asin": "B0" + sku.replace("-", ""), "item-status": status, "quantity": qty, "currency": currency,
              "item-price": price, "item-tax": tax, "shipping-price": ship, "item-promotion-discount": promo,
              "ship-country": "JP", "is-business-order": "false"}
    return [values.get(c, "") for c in AMAZON_HEADER]


AMAZON_ROWS = [
    _amazon_row("503-1111111-1111111", "2017-09-23T14:18:23-07:00", "Shipped", "Herbal Tea Bags 20p", "TEA-20",
                "2", "2400", "178", "350", "100"),
    _amazon_row("503-1111111-1111111", "2017-09-23T14:18:23-07:00", "Shipped", "Ceramic Mug", "MUG-01",
                "1", "1500", "111", "0", "0"),
    _amazon_row("503-2222222-2222222", "2017-11-05T01:30:00-08:00", "Pending", "Crunchy Granola", "GRA-1",
                "3", "2970", "220", "0", "0"),
    _amazon_row("503-3333333-3333333", "2017-11-06T09:00:00+09:00", "Cancelled", "Ceramic Mug", "MUG-01",
                "0", "", "", "", ""),
]
RAKUTEN_HEADER = ["注文番号", "ステータス", "サブステータス", "注文日時", "合計金額", "送料合計", "消費税合計",
                  "注文者名字", "注文者名前", "注文者メールアドレス", "商品ID", "商品名", "商品番号", "単価", "個数"]
RAKUTEN_ROWS = [
    ["274555-20170615-0823997264", "発送完了", "", "2017-06-15 08:23:45", "5784", "600", "384", "髙橋", "花子",
     " Hanako@Example.JP ", "10000001", "①番人気 はちみつ 300g", "HON-300", "1800", "2"],
    ["274555-20170615-0823997264", "発送完了", "", "2017-06-15 08:23:45", "5784", "600", "384", "髙橋", "花子",
     " Hanako@Example.JP ", "10000002", "有田焼 マグカップ", "MUG-AR", "1200", "1"],
    ["274555-20170616-0901234567", "キャンセル確定", "", "2017/06/16 09:01", "1296", "0", "96", "山田", "太郎",
     "taro@example.jp", "10000002", "有田焼 マグカップ", "MUG-AR", "1200", "1"],
    ["274555-20170617-1100000001", "発送待ち", "", "2017-06-17 23:59:59", "2544", "600", "144", "佐藤", "一郎",
     "hanako@example.jp", "10000001", "①番人気 はちみつ 300g", "HON-300", "1800", "1"],
]


def write_amazon(path: Path, rows: list[list[str]] = AMAZON_ROWS) -> Path:
    """An Amazon SP-API All Orders report: tab-separated, one row per item."""
    path.write_text("\n".join("\t".join(r) for r in [AMAZON_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def write_rakuten(path: Path, rows: list[list[str]] = RAKUTEN_ROWS) -> Path:
    """A Rakuten RMS order CSV: cp932, every cell quoted, CRLF line ends."""
    with path.open("w", encoding="cp932", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([RAKUTEN_HEADER, *rows])
    return path


def test_amazon_all_orders_report(tmp_path: Path) -> None:
    r = load_files([write_amazon(tmp_path / "all_orders.txt")], timezone=LA, loader="amazon_orders")
    o = r.orders.set_index("order_id")
    assert list(o.index) == ["503-1111111-1111111", "503-2222222-2222222", "503-3333333-3333333"]
    assert o["total"].tolist() == pytest.approx([3900.0, 2970.0, 0.0])  # item-price is the price of the line
    assert o["taxes"].tolist() == pytest.approx([289.0, 220.0, 0.0])  # per item, summed per order
    assert o["shipping"].tolist() == pytest.approx([350.0, 0.0, 0.0])
    assert o["discount_amount"].tolist() == pytest.approx([100.0, 0.0, 0.0])
    assert (o["currency"] == "JPY").all() and (o["channel"] == "amazon").all()
    assert (o["source"] == "Amazon.co.jp").all()
    assert o.loc["503-1111111-1111111", "ordered_at"] == pd.Timestamp("2017-09-23 14:18:23", tz=LA)
    assert o.loc["503-2222222-2222222", "ordered_at"].utcoffset() == pd.Timedelta(hours=-8)
    assert o["cancelled_at"].notna().tolist() == [False, False, True]
    # no buyer email in the report: no customer identity, counted as such
    assert o["customer_key"].isna().all()
    acc = r.accounting.set_index("reason")
    assert acc.loc["loaded_no_identity", "orders"] == 2 and acc.loc["loaded_cancelled", "orders"] == 1
    assert acc["rows"].sum() == len(AMAZON_ROWS)
    assert "3 without a customer id or email count in revenue" in r.summary_text()  # the cancelled one too
    items = r.line_items.set_index(["order_id", "line_no"])
    assert items.loc[("503-1111111-1111111", 1), "unit_price"] == pytest.approx(1200.0)
    assert items.loc[("503-1111111-1111111", 2), "sku"] == "MUG-01"


def test_rakuten_rms_order_csv(tmp_path: Path) -> None:
    r = load_files([write_rakuten(tmp_path / "rakuten.csv")], timezone=TOKYO, loader="rakuten_rms")
    o = r.orders.set_index("order_id")
    assert list(o.index) == ["274555-20170615-0823997264", "274555-20170616-0901234567",
                             "274555-20170617-1100000001"]
    assert o["total"].tolist() == pytest.approx([5784.0, 1296.0, 2544.0])  # the order's total, not summed per row
    assert o["subtotal"].tolist() == pytest.approx([4800.0, 1200.0, 1800.0])
    assert o["customer_key"].tolist() == ["hanako@example.jp", "taro@example.jp", "hanako@example.jp"]
    assert (o["currency"] == "JPY").all() and (o["channel"] == "rakuten").all()
    assert o["cancelled_at"].notna().tolist() == [False, True, False]
    assert o.loc["274555-20170616-0901234567", "ordered_at"] == pd.Timestamp("2017-06-16 09:01", tz=TOKYO)
    items = r.line_items
    assert items["product"].tolist() == ["①番人気 はちみつ 300g", "有田焼 マグカップ", "有田焼 マグカップ",
                                         "①番人気 はちみつ 300g"]
    assert items["quantity"].tolist() == [2, 1, 1, 1] and items["unit_price"].tolist() == [1800, 1200, 1200, 1800]


def test_a_mapping_with_a_builtin_loader_changes_single_keys(tmp_path: Path) -> None:
    path = write_rakuten(tmp_path / "rakuten.csv")
    r = load_sources([(path, {"loader": "rakuten_rms", "mapping": {"shipping": "送料合計", "sku": None}})],
                     timezone=TOKYO)
    assert r.orders["shipping"].tolist() == pytest.approx([600.0, 0.0, 600.0])
    assert r.line_items["sku"].isna().all()
    assert BUILTIN_MAPPINGS["rakuten_rms"]["sku"] == "商品番号"  # the built-in itself is unchanged


def test_a_file_of_another_format_names_the_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'amazon-order-id'"):
        load_files([write_rakuten(tmp_path / "rakuten.csv")], timezone=TOKYO, loader="amazon_orders")


@pytest.fixture
def two_source_shop(tmp_path: Path) -> Path:
    demo.write_shopify_export(tmp_path / "exports" / "shopify.csv", customers=40, seed=3)
    write_amazon(tmp_path / "exports" / "amazon_2017-11.txt")
    params = tmp_path / "two.yaml"
    params.write_text(
        "shop: two\ntimezone: Asia/Tokyo\nstore: two.duckdb\nsources:\n"
        "  - path: exports/shopify.csv\n    loader: shopify\n"
        "    product_lines: {from: title, map: {Herbal: Tea, Granola: Cereal}}\n"
        "  - path: exports/amazon_*.txt\n    loader: amazon_orders\n    product_lines: {from: vendor}\n",
        encoding="utf-8")
    return params


def _store(params: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store(params.with_name("two.duckdb"), timezone=TOKYO, read_only=True) as store:
        return store.orders(), store.line_items()


def test_each_source_imports_with_its_own_loader_and_product_lines(two_source_shop: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(two_source_shop)]) == 0
    orders, items = _store(two_source_shop)
    amazon = orders["channel"] == "amazon"
    assert amazon.sum() == 3 and set(orders.loc[amazon, "source_file"]) == {"amazon_2017-11.txt"}
    assert set(orders.loc[~amazon, "source_file"]) == {"shopify.csv"} and (~amazon).sum() > 10
    line = items.set_index("order_id")["product_line"]
    # the Amazon items have no vendor: 'Unknown' under their source's rule, although their titles match Shopify's map
    assert set(line.loc[orders.loc[amazon, "order_id"]]) == {"Unknown"}
    assert set(line.loc[orders.loc[~amazon, "order_id"]]) <= {"Tea", "Cereal", "Other"}
    assert "Tea" in set(line.loc[orders.loc[~amazon, "order_id"]])
    assert re.search(r"amazon_2017-11.txt\s+loaded_no_identity\s+3\s+2\n", capsys.readouterr().out)


def test_explicit_files_use_the_source_they_match(two_source_shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exports = two_source_shop.parent / "exports"
    assert main(["import", str(two_source_shop), str(exports / "amazon_2017-11.txt")]) == 0  # by the glob
    orders, items = _store(two_source_shop)
    assert (orders["channel"] == "amazon").all() and set(items["product_line"]) == {"Unknown"}
    # a file of no source: --loader (else auto), no mapping, no product lines of any source
    other = write_amazon(two_source_shop.parent / "elsewhere.txt", AMAZON_ROWS[2:3])
    assert main(["import", str(two_source_shop), str(other)]) == 2  # auto: not a Shopify export, no mapping
    assert "not a Shopify orders export" in capsys.readouterr().err
    assert main(["import", str(two_source_shop), str(other), "--loader", "amazon_orders"]) == 0
    assert "no source of two.yaml has this path; read with loader amazon_orders" in capsys.readouterr().out


def test_a_source_glob_matching_nothing_exits_2(two_source_shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (two_source_shop.parent / "exports" / "amazon_2017-11.txt").unlink()
    assert main(["import", str(two_source_shop)]) == 2
    assert "no file matches this source's path" in capsys.readouterr().err
