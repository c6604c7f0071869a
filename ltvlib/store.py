"""The per-shop store: one DuckDB file holding the canonical tables, import records and lists.

Timestamps are stored as UTC and handed back tz-aware in the shop's time zone. Every write runs
in one transaction, so a failed import leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from ltvlib.io import ImportResult

__all__ = ["LINE_ITEM_COLUMNS", "ORDER_COLUMNS", "Store"]

ORDER_COLUMNS = [
    "order_id", "order_name", "customer_key", "email", "ordered_at", "currency", "subtotal",
    "discount_amount", "shipping", "taxes", "total", "refunded_amount", "net_revenue",
    "financial_status", "cancelled_at", "channel", "source", "tags", "discount_codes", "location",
    "source_file", "source_row",
]  # fmt: skip
LINE_ITEM_COLUMNS = [
    "order_id", "line_no", "product", "product_line", "sku", "vendor", "quantity", "unit_price", "line_discount",
]  # fmt: skip

_DDL = """
CREATE TABLE IF NOT EXISTS orders (
    order_id VARCHAR PRIMARY KEY, order_name VARCHAR, customer_key VARCHAR, email VARCHAR,
    ordered_at TIMESTAMP NOT NULL, currency VARCHAR, subtotal DOUBLE, discount_amount DOUBLE,
    shipping DOUBLE, taxes DOUBLE, total DOUBLE, refunded_amount DOUBLE, net_revenue DOUBLE,
    financial_status VARCHAR, cancelled_at TIMESTAMP, channel VARCHAR, source VARCHAR,
    tags VARCHAR[], discount_codes VARCHAR[], location VARCHAR, source_file VARCHAR, source_row BIGINT,
    import_id BIGINT
);
CREATE TABLE IF NOT EXISTS line_items (
    order_id VARCHAR, line_no INTEGER, product VARCHAR, product_line VARCHAR, sku VARCHAR,
    vendor VARCHAR, quantity BIGINT, unit_price DOUBLE, line_discount DOUBLE
);
CREATE TABLE IF NOT EXISTS imports (
    import_id BIGINT PRIMARY KEY, imported_at TIMESTAMP, files VARCHAR, orders_new BIGINT,
    orders_replaced BIGINT, accounting VARCHAR
);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
"""


_TIME_COLUMNS = ("ordered_at", "cancelled_at")
_LIST_COLUMNS = ("tags", "discount_codes")
_TEXT_COLUMNS = frozenset({
    "order_id", "order_name", "customer_key", "email", "currency", "financial_status", "channel", "source",
    "location", "source_file", "product", "product_line", "sku", "vendor",
})
INSERT_ROWS = 1 << 18  # rows per arrow chunk inserted by Store.upsert


def _arrow_chunks(frame: pd.DataFrame, columns: list[str]) -> Iterator[pa.Table]:
    """``frame[columns]`` as arrow tables of ``INSERT_ROWS`` rows, for inserting into the store.

    Times become naive UTC (the store's convention), text columns strings (given, not inferred: faster),
    list columns lists of strings; NaN and None are null, as when DuckDB scans a DataFrame.
    """
    types = {c: pa.list_(pa.string()) for c in _LIST_COLUMNS} | {c: pa.string() for c in _TEXT_COLUMNS}
    for start in range(0, len(frame), INSERT_ROWS):
        chunk = frame.iloc[start:start + INSERT_ROWS]
        arrays = {}
        for c in columns:
            values = chunk[c].dt.tz_convert("UTC").dt.tz_localize(None) if c in _TIME_COLUMNS else chunk[c]
            arrays[c] = pa.array(values, types.get(c))
        yield pa.table(arrays)


class Store:
    """A shop's DuckDB store. Use as a context manager; ``read_only`` for analyses."""

    def __init__(self, path: str | Path, *, timezone: str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.timezone = timezone
        if read_only and not self.path.exists():
            raise FileNotFoundError(
                f"{self.path}: the shop store does not exist yet. Run `ltv import SHOP FILE...` first."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self.con.execute(_DDL)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- writes -------------------------------------------------------------------------------
    def upsert(self, result: ImportResult, *, files: list[str], now: dt.datetime | None = None) -> dict[str, int]:
        """Insert or replace ``result``'s orders (by ``order_id``) with their line items, atomically.

        An order already in the store is replaced whole, line items included: the newest export wins,
        so re-importing an overlapping export never double-counts. Rows go in as arrow chunks of
        ``INSERT_ROWS``, so a large import is never copied whole.
        """
        orders, items = result.orders, result.line_items
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("_new_orders", pa.table({"order_id": pa.array(orders["order_id"], pa.string())}))
            import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
            replaced = con.execute(
                "SELECT count(*) FROM orders WHERE order_id IN (SELECT order_id FROM _new_orders)"
            ).fetchone()[0]
            con.execute("DELETE FROM line_items WHERE order_id IN (SELECT order_id FROM _new_orders)")
            con.execute("DELETE FROM orders WHERE order_id IN (SELECT order_id FROM _new_orders)")
            # insert_into fills the table's columns in order: the canonical ones, then import_id
            for chunk in _arrow_chunks(orders, ORDER_COLUMNS):
                con.from_arrow(chunk).project(f"*, {int(import_id)}::BIGINT").insert_into("orders")
            for chunk in _arrow_chunks(items, LINE_ITEM_COLUMNS):
                con.from_arrow(chunk).insert_into("line_items")
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)",
                [
                    import_id, now, json.dumps(files, ensure_ascii=False), len(orders) - replaced, replaced,
                    result.accounting.to_json(orient="records", force_ascii=False),
                ],
            )
            con.execute("INSERT OR REPLACE INTO meta VALUES ('timezone', ?)", [self.timezone])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_new_orders")
        return {"import_id": int(import_id), "orders_new": len(orders) - replaced, "orders_replaced": replaced}

    # -- reads --------------------------------------------------------------------------------
    def orders(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The ``orders`` table (canonical columns, or ``columns``), timestamps in the shop's zone.

        Read through arrow: list columns become Python lists straight from arrow (an empty list for
        NULL), far cheaper than converting millions of per-row numpy arrays.
        """
        cols = columns or ORDER_COLUMNS
        unknown = sorted(set(cols) - set(ORDER_COLUMNS))
        if unknown:
            raise KeyError(f"unknown order columns {unknown}; valid: {ORDER_COLUMNS}")
        select = ", ".join(f"coalesce({c}, []::VARCHAR[]) AS {c}" if c in _LIST_COLUMNS else c for c in cols)
        table = self.con.sql(f"SELECT {select} FROM orders ORDER BY ordered_at, order_id").to_arrow_table()
        lists = {c: table.column(c).to_pylist() for c in cols if c in _LIST_COLUMNS}
        df = table.drop_columns(list(lists)).to_pandas()
        del table  # the arrow copy goes before the time zones are converted
        for c in ("ordered_at", "cancelled_at"):
            if c in df:
                df[c] = pd.to_datetime(df[c]).dt.tz_localize("UTC").dt.tz_convert(self.timezone)
        for c, values in lists.items():
            df.insert(cols.index(c), c, pd.Series(values, dtype=object))
        return df

    def line_items(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The ``line_items`` table (canonical columns, or ``columns``)."""
        cols = columns or LINE_ITEM_COLUMNS
        unknown = sorted(set(cols) - set(LINE_ITEM_COLUMNS))
        if unknown:
            raise KeyError(f"unknown line item columns {unknown}; valid: {LINE_ITEM_COLUMNS}")
        return self.con.execute(f"SELECT {', '.join(cols)} FROM line_items ORDER BY order_id, line_no").df()

    def imports(self) -> pd.DataFrame:
        """One row per import: when, which files, new and replaced orders, row accounting (JSON)."""
        return self.con.execute("SELECT * FROM imports ORDER BY import_id").df()

    def counts(self) -> dict[str, Any]:
        """Row counts of the canonical tables, for summaries and checks."""
        o = self.con.execute("SELECT count(*) FROM orders").fetchone()[0]
        li = self.con.execute("SELECT count(*) FROM line_items").fetchone()[0]
        return {"orders": int(o), "line_items": int(li)}
