"""Loader for any orders file whose columns a shop's params map onto the canonical tables.

Marketplace reports (Amazon SP-API, Rakuten RMS, ...) and hand-made exports have one row per line item;
rows are grouped into orders by the ``order_id`` column (they need not be contiguous). Formats: CSV
(comma or tab, detected from the header line unless ``sep`` is set), ``.tsv``/``.tab`` (tab),
``.parquet``; text in UTF-8, UTF-8 with BOM or cp932.

Mapping keys. Column keys take a column name of the file, or null/absent for "not in this file":

* ``order_id`` (required), ``ordered_at`` (required), ``order_name`` (default: the order id).
* Identity: ``customer_id``, ``email``. ``customer_key`` is the customer id where filled (without a
  spreadsheet's leading ``'``), else the lower-cased email (the first filled among the order's rows; rows
  that disagree are counted ``loaded_email_conflict``); neither -> the order counts in revenue but not in
  customer analyses.
* Line items: ``product``, ``sku``, ``vendor``, ``quantity`` (default 1), ``unit_price``,
  ``line_total`` (price of the whole line; gives ``unit_price = line_total / quantity`` when
  ``unit_price`` is unmapped: Amazon's ``item-price`` is one), ``line_discount`` (default 0).
* Order amounts: ``total`` (default: sum of quantity x unit_price), ``subtotal`` (same default),
  ``discount_amount``, ``shipping``, ``taxes``, ``refunded_amount`` (default 0).
* Other order fields: ``currency``, ``status`` (kept as ``financial_status``), ``cancelled_at``,
  ``source`` (kept raw), ``location``, ``tags``, ``discount_codes`` (comma-separated cells).

Option keys:

* ``amounts``: ``"order"`` (default: order-level columns are read from the order's first row, as in a
  Rakuten export that repeats the order total on every item row) or ``"line"`` (summed over the
  order's rows, as in Amazon reports where shipping and tax are per item).
* ``cancelled_values``: status values that mean cancelled (compared trimmed, case-insensitive). A
  cancelled order's ``cancelled_at`` is the mapped ``cancelled_at`` cell, else its order time.
  With a ``cancelled_at`` column, a filled cell also marks the order cancelled.
* ``channel``: a constant for every order (e.g. ``"amazon"``); ``default_currency``: used where the
  currency is unmapped or blank; ``datetime_format``: a strptime format, or null to detect ISO 8601
  or ``YYYY/MM/DD HH:MM[:SS]`` (times without an offset are local times of the shop's time zone);
  ``sep``: the text delimiter (one character, or ``tab``), or null to detect comma or tab.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ltvlib.io.encoding import TextFile
from ltvlib.io.errors import InputError
from ltvlib.io.parse import Cells, as_array, check_timezone, first_filled
from ltvlib.io.result import FileLoad, ImportResult, combine, file_load

LINE_KEYS = ("product", "sku", "vendor", "quantity", "unit_price", "line_total", "line_discount")
AMOUNT_KEYS = ("total", "subtotal", "discount_amount", "shipping", "taxes", "refunded_amount")
ORDER_KEYS = (
    "order_id", "ordered_at", "order_name", "customer_id", "email", "currency", "status",
    "cancelled_at", "source", "location", "tags", "discount_codes",
)
COLUMN_KEYS = ORDER_KEYS + LINE_KEYS + AMOUNT_KEYS
OPTION_KEYS = ("amounts", "cancelled_values", "channel", "default_currency", "datetime_format", "sep")
TEXT_SUFFIXES_TAB = (".tsv", ".tab")
SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
MONEY_HINT = "Expected a plain number like 2499.00 (no currency sign or thousands separator)."
TIME_HINT = "Expected a date and time such as 2017-09-23T14:18:23-07:00, or set 'datetime_format'."


def read_mapped(
    path: str | os.PathLike, *, mapping: dict, timezone: str, source_name: str | None = None
) -> ImportResult:
    """Read one orders file through a column ``mapping`` (see the module docstring for its keys).

    ``timezone`` is the shop's IANA zone; ``source_name`` names the file in ``source_file`` and errors.
    Bad input, or a mapping naming a column the file lacks, raises InputError.
    """
    return combine([load_mapped(path, mapping=mapping, timezone=timezone, source_name=source_name)])


def _check_mapping(mapping: dict, file: str) -> None:
    unknown = [k for k in mapping if k not in COLUMN_KEYS + OPTION_KEYS]
    if unknown:
        raise InputError(file, f"the mapping has an unknown key {unknown[0]!r}",
                         f"Valid keys are: {', '.join(COLUMN_KEYS + OPTION_KEYS)}.")
    for key in ("order_id", "ordered_at"):
        if not mapping.get(key):
            raise InputError(file, f"the mapping does not say which column holds {key!r}",
                             f"Add '{key}: <column name>' to the source's mapping.")
    if not any(mapping.get(k) for k in ("unit_price", "line_total", "total")):
        raise InputError(file, "the mapping names no amount column",
                         "Map 'unit_price', 'line_total' or 'total' so orders have revenue.")
    sep = mapping.get("sep")
    if sep is not None and len(SEP_NAMES.get(sep, sep)) != 1:
        raise InputError(file, f"mapping 'sep' must be one character, not {sep!r}",
                         "Use ',', ';', '|' or 'tab' (or null to detect comma or tab).")
    if mapping.get("amounts", "order") not in ("order", "line"):
        raise InputError(file, f"mapping 'amounts' must be 'order' or 'line', not {mapping['amounts']!r}",
                         "Use 'line' when each row carries its own share of shipping, tax and total.")


def _read(path: Path, file: str, mapping: dict) -> pa.Table:
    """Read the mapped columns (renamed to their mapping keys) as strings, or typed from Parquet."""
    mapped = {k: mapping[k] for k in COLUMN_KEYS if mapping.get(k)}
    if path.suffix.lower() == ".parquet":
        try:
            header = tuple(pq.read_schema(path).names)
        except (OSError, pa.ArrowInvalid) as e:
            raise InputError(file, f"the file cannot be read as Parquet ({e})",
                             "Check that it is a complete .parquet file.") from e
    else:
        sep = mapping.get("sep") or ("\t" if path.suffix.lower() in TEXT_SUFFIXES_TAB else None)
        sep = SEP_NAMES.get(sep, sep)
        text = TextFile.open(path, label=file, sep=sep)
        header = text.header
    for key, column in mapped.items():
        if column not in header:
            raise InputError(
                file, f"the mapping's {key!r} names column {column!r}, which the file does not have",
                f"Fix the mapping in the shop's params. The file has the columns: {', '.join(header)}.",
                column=column,
            )
    columns = list(dict.fromkeys(mapped.values()))
    if path.suffix.lower() == ".parquet":
        table = pq.read_table(path, columns=columns)
        if table.num_rows == 0:
            raise InputError(file, "the file has no data rows", "Export again with data in it.")
    else:
        table = text.read(columns)
    return pa.table({key: table.column(column) for key, column in mapped.items()})


def load_mapped(
    path: str | os.PathLike, *, mapping: dict, timezone: str, source_name: str | None = None
) -> FileLoad:
    """Parse one mapped file into a FileLoad (the per-file step of :func:`read_mapped`)."""
    path = Path(path)
    file = source_name or path.name
    _check_mapping(mapping, file)
    check_timezone(timezone, file)
    table = _read(path, file, mapping)
    rows = np.arange(2, table.num_rows + 2)

    def cells(key: str, source: pa.Table, at: np.ndarray) -> Cells:
        return Cells(file, mapping[key], source.column(key), at)

    blank = np.ones(table.num_rows, dtype=bool)
    for key in table.column_names:
        blank &= cells(key, table, rows).blank
    table, rows = table.filter(pa.array(~blank)), rows[~blank]

    ids = cells("order_id", table, rows)
    ids.require("Every row needs its order id.")
    encoded = pc.dictionary_encode(as_array(ids.text()))
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    order_id = encoded.dictionary.to_numpy(zero_copy_only=False)  # in order of first appearance
    starts = np.unique(codes, return_index=True)[1]
    sizes = np.bincount(codes, minlength=len(starts))
    by_order = np.argsort(codes, kind="stable")
    line_no = np.empty(len(codes), dtype=np.int64)
    line_no[by_order] = np.arange(len(codes)) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    heads, head_rows = table.take(pa.array(starts)), rows[starts]

    def head(key: str) -> Cells:
        return cells(key, heads, head_rows)

    def line(key: str) -> Cells:
        return cells(key, table, rows)

    def head_text(key: str) -> pa.Array:
        return head(key).text() if key in heads.column_names else pa.nulls(len(starts), pa.string())

    def line_text(key: str) -> pa.Array:
        return line(key).text() if key in table.column_names else pa.nulls(len(rows), pa.string())

    ordered_at = head("ordered_at")
    ordered_at.require("Every order needs its order date and time.")
    ordered_at = ordered_at.timestamp(mapping.get("datetime_format"), timezone, TIME_HINT)
    cancelled_at = _cancelled_at(mapping, heads, head_rows, file, timezone, ordered_at)

    quantity = (line("quantity").quantity("Expected a whole number of items.")
                if "quantity" in table.column_names else np.ones(len(rows), dtype=np.int64))
    unit_price = np.full(len(rows), np.nan)
    price_key = next((k for k in ("unit_price", "line_total") if k in table.column_names), None)
    if price_key:
        price = line(price_key)
        price.fail_where(price.blank & ~cancelled_at.notna()[codes], "the price is empty",
                         f"{MONEY_HINT} Only cancelled orders may leave it blank.")
        unit_price = np.nan_to_num(price.amount(MONEY_HINT))
        if price_key == "line_total":
            unit_price = np.divide(unit_price, quantity, out=np.zeros(len(rows)), where=quantity != 0)
    items_value = np.bincount(codes, weights=np.nan_to_num(quantity * unit_price), minlength=len(starts))

    def amount(key: str, default: np.ndarray | float) -> np.ndarray:
        if key not in table.column_names:
            return np.broadcast_to(np.asarray(default, dtype=np.float64), len(starts)).copy()
        if mapping.get("amounts", "order") == "line":
            return np.bincount(codes, weights=np.nan_to_num(line(key).amount(MONEY_HINT)), minlength=len(starts))
        cells = head(key)
        if key == "total":
            cells.require(MONEY_HINT)
        return np.nan_to_num(cells.amount(MONEY_HINT))

    total = amount("total", items_value)
    refunded = amount("refunded_amount", 0.0)
    email, email_conflict = first_filled(pc.utf8_lower(line_text("email")), codes, len(starts))
    currency = head_text("currency")
    if mapping.get("default_currency"):
        currency = pc.fill_null(currency, mapping["default_currency"])
    orders = {
        "order_id": order_id,
        "order_name": head_text("order_name") if "order_name" in heads.column_names else order_id,
        "customer_key": pc.coalesce(_without_apostrophe(head_text("customer_id")), email),
        "email": email,
        "ordered_at": ordered_at,
        "currency": currency,
        "subtotal": amount("subtotal", items_value),
        "discount_amount": amount("discount_amount", 0.0),
        "shipping": amount("shipping", 0.0),
        "taxes": amount("taxes", 0.0),
        "total": total,
        "refunded_amount": refunded,
        "net_revenue": np.maximum(total - refunded, 0.0),
        "financial_status": head_text("status"),
        "cancelled_at": cancelled_at,
        "channel": mapping.get("channel"),
        "source": head_text("source"),
        "tags": head("tags").token_lists() if "tags" in heads.column_names else [[] for _ in starts],
        "discount_codes": head("discount_codes").token_lists() if "discount_codes" in heads.column_names
        else [[] for _ in starts],
        "location": head_text("location"),
        "source_file": file,
        "source_row": head_rows,
    }
    line_items = {
        "order_id": order_id[codes],
        "line_no": line_no,
        "product": line_text("product"),
        "product_line": None,
        "sku": line_text("sku"),
        "vendor": line_text("vendor"),
        "quantity": quantity,
        "unit_price": unit_price,
        "line_discount": np.nan_to_num(line("line_discount").amount(MONEY_HINT))
        if "line_discount" in table.column_names else np.zeros(len(rows)),
    }
    order = pa.array(by_order)
    line_items = {k: v.take(order) if isinstance(v, (pa.Array, pa.ChunkedArray))
                  else v[by_order] if isinstance(v, np.ndarray) else v for k, v in line_items.items()}
    return file_load(file, ledger_ids=order_id, ledger_rows=sizes, test=np.zeros(len(starts), dtype=bool),
                     orders=orders, line_items=line_items, blank_rows=int(blank.sum()), email_conflict=email_conflict)


def _without_apostrophe(ids: pa.Array) -> pa.Array:
    """Ids without the leading ``'`` spreadsheets add to keep long numbers as text."""
    return pc.utf8_ltrim(ids, characters="'")


def _cancelled_at(
    mapping: dict, heads: pa.Table, head_rows: np.ndarray, file: str, timezone: str,
    ordered_at: pd.DatetimeIndex,
) -> pd.DatetimeIndex:
    """Cancellation time per order: the mapped cell if filled, else the order time for cancelled statuses."""
    cancelled_at = ordered_at.where(np.zeros(len(ordered_at), dtype=bool))  # all NaT
    if "cancelled_at" in heads.column_names:
        cells = Cells(file, mapping["cancelled_at"], heads.column("cancelled_at"), head_rows)
        cancelled_at = cells.timestamp(mapping.get("datetime_format"), timezone, TIME_HINT)
    values = [str(v).strip().lower() for v in mapping.get("cancelled_values") or []]
    if values and "status" in heads.column_names:
        status = pc.utf8_lower(Cells(file, mapping["status"], heads.column("status"), head_rows).text())
        cancelled = pc.fill_null(pc.is_in(status, pa.array(values)), False).to_numpy(zero_copy_only=False)
        cancelled_at = cancelled_at.where(~(cancelled & cancelled_at.isna()), ordered_at)
    return cancelled_at
