"""Loader for Shopify's admin "Export orders" CSV (73-, 78- and 79-column headers, mapped by name).

The export has one row per line item. ``Name``, ``Email``, ``Created at``, the ``Lineitem ...`` fields,
``Vendor`` and ``Lineitem discount`` repeat on every row; the other order-level fields are filled on
the order's first row only, and an order's rows are contiguous. So a new order starts wherever
``Name`` changes, and order-level values are read from that first row.

Shopify orders exports carry no customer id, so ``customer_key`` is the normalised email. Orders whose
payment method contains "Bogus Gateway" are Shopify test orders and are counted, not loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib.io.encoding import TextFile
from ltvlib.io.errors import InputError
from ltvlib.io.parse import Cells, as_array, check_timezone, trim
from ltvlib.io.result import FileLoad, ImportResult, combine, file_load

REQUIRED = (
    "Name", "Email", "Financial Status", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem sku", "Cancelled at", "Payment Method", "Refunded Amount", "Vendor",
    "Tags", "Source", "Lineitem discount",
)
OPTIONAL = ("Id", "Location")
HEAD_COLUMNS = (
    "Email", "Financial Status", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Created at", "Cancelled at", "Refunded Amount", "Tags", "Source", "Location",
)
ITEM_COLUMNS = (
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Vendor", "Lineitem discount",
)
SIGNATURE = ("Name", "Created at", "Lineitem name")
CUSTOMER_EXPORT_SIGNS = ("Total Spent", "Accepts Email Marketing")
CHANNELS = {"web": "online_store", "pos": "pos", "shopify_draft_order": "draft_order"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
TIME_HINT = "Expected Shopify's format, like 2022-01-04 01:08:35 -0500."
MONEY_HINT = "Expected a plain number like 2499.00 (no currency sign or thousands separator)."
TEST_GATEWAY = "Bogus Gateway"


def looks_like_shopify_orders(header: tuple[str, ...] | list[str]) -> bool:
    """Whether a header is a Shopify orders export's (it has Name, Created at and Lineitem name)."""
    return all(c in header for c in SIGNATURE)


def read_shopify_orders(
    path: str | os.PathLike, *, timezone: str, source_name: str | None = None
) -> ImportResult:
    """Read one Shopify orders export into canonical orders and line items, with row accounting.

    ``timezone`` is the shop's IANA zone (timestamps are converted to it); ``source_name`` names the
    file in ``source_file`` and errors (default: the file name). Bad input raises InputError.
    """
    text = TextFile.open(path, label=source_name or Path(path).name)
    return combine([load_shopify(text, timezone=timezone)])


def load_shopify(text: TextFile, *, timezone: str) -> FileLoad:
    """Parse one opened export into a FileLoad (the per-file step of :func:`read_shopify_orders`)."""
    file = text.label
    check_timezone(timezone, file)
    _check_header(text)
    table = text.read([c for c in (*REQUIRED, *OPTIONAL) if c in text.header])
    blank = _blank_rows(table)
    kept = np.flatnonzero(~blank)
    rows = kept + 2

    def pick(columns: tuple[str, ...], at: np.ndarray) -> pa.Table:
        """The existing ``columns`` at table positions ``at`` (sorted, unique)."""
        selected = table.select([c for c in columns if c in table.column_names])
        return selected if len(at) == table.num_rows else selected.take(pa.array(at))

    names = Cells(file, "Name", pick(("Name",), kept).column(0), rows)
    names.require("Every row of a Shopify orders export carries its order's Name; was the row edited?")
    name_text = names.text()
    first = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        first[1:] = pc.not_equal(name_text.slice(1), name_text.slice(0, len(rows) - 1)).to_numpy(
            zero_copy_only=False)
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    sizes = np.diff(np.append(starts, len(rows)))
    head_rows = rows[starts]

    order_name = name_text.take(pa.array(starts))
    _check_unique(order_name, head_rows, file, "Name")
    order_id = order_name
    marks = pick(("Id", "Payment Method"), kept[starts])
    if "Id" in marks.column_names:
        order_id = pc.coalesce(Cells(file, "Id", marks.column("Id"), head_rows).text(), order_name)
        _check_unique(order_id, head_rows, file, "Id")
    order_id = as_array(order_id).to_numpy(zero_copy_only=False)  # one str per order, shared below
    test = pc.match_substring(marks.column("Payment Method"), TEST_GATEWAY).to_numpy(zero_copy_only=False)
    keep = ~test
    heads, head_rows = pick(HEAD_COLUMNS, kept[starts][keep]), head_rows[keep]

    def head(column: str) -> Cells:
        return Cells(file, column, heads.column(column), head_rows)

    created = head("Created at")
    created.require("Shopify fills 'Created at' on every row; export the orders again.")
    total = head("Total")
    total.require("The order's first row must hold its Total.")
    total = total.number(MONEY_HINT)
    refunded = np.nan_to_num(head("Refunded Amount").number(MONEY_HINT))
    email = as_array(pc.utf8_lower(head("Email").text())).to_numpy(zero_copy_only=False)
    source = head("Source").text()
    channel = source
    for raw, name in CHANNELS.items():
        channel = pc.if_else(pc.equal(source, raw), name, channel)
    orders = {
        "order_id": order_id[keep],
        "order_name": order_name.filter(keep),
        "customer_key": email,
        "email": email,
        "ordered_at": created.timestamp_strict(TIME_FORMAT, timezone, TIME_HINT),
        "currency": head("Currency").text(),
        "subtotal": np.nan_to_num(head("Subtotal").number(MONEY_HINT)),
        "discount_amount": np.nan_to_num(head("Discount Amount").number(MONEY_HINT)),
        "shipping": np.nan_to_num(head("Shipping").number(MONEY_HINT)),
        "taxes": np.nan_to_num(head("Taxes").number(MONEY_HINT)),
        "total": total,
        "refunded_amount": refunded,
        "net_revenue": np.maximum(total - refunded, 0.0),
        "financial_status": head("Financial Status").text(),
        "cancelled_at": head("Cancelled at").timestamp_strict(TIME_FORMAT, timezone, TIME_HINT),
        "channel": channel,
        "source": source,
        "tags": head("Tags").tokens(),
        "discount_codes": head("Discount Code").tokens(),
        "location": head("Location").text() if "Location" in heads.column_names else None,
        "source_file": file,
        "source_row": head_rows,
    }

    line_keep = keep[group]
    items = pick(ITEM_COLUMNS, kept[line_keep])
    item_rows = rows[line_keep]

    def item(column: str) -> Cells:
        return Cells(file, column, items.column(column), item_rows)

    price = item("Lineitem price")
    price.require(MONEY_HINT)
    line_items = {
        "order_id": order_id[group[line_keep]],
        "line_no": (np.arange(len(rows)) - starts[group] + 1)[line_keep],
        "product": item("Lineitem name").text(),
        "product_line": None,
        "sku": item("Lineitem sku").text(),
        "vendor": item("Vendor").text(),
        "quantity": item("Lineitem quantity").integer("Expected a whole number of items, like 2."),
        "unit_price": price.number(MONEY_HINT),
        "line_discount": np.nan_to_num(item("Lineitem discount").number(MONEY_HINT)),
    }
    return file_load(file, ledger_ids=order_id, ledger_rows=sizes, test=test, orders=orders,
                     line_items=line_items, blank_rows=int(blank.sum()))


def _blank_rows(table: pa.Table) -> np.ndarray:
    """True for records whose read cells are all empty (or whitespace).

    Only rows without a Name can be blank, so the other columns are checked on those rows alone.
    """
    blank = pc.equal(trim(table.column("Name")), "").to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(blank)
    if len(candidates):
        subset = table.take(pa.array(candidates))
        for column in subset.column_names:
            blank[candidates] &= pc.equal(trim(subset.column(column)), "").to_numpy(zero_copy_only=False)
    return blank


def _check_header(text: TextFile) -> None:
    """Fail with the missing columns and the file's own columns unless the header is an orders export."""
    missing = text.missing(REQUIRED)
    if not missing:
        return
    if all(sign in text.header for sign in CUSTOMER_EXPORT_SIGNS):
        hint = "This looks like a Shopify customers export; import the orders export (Orders > Export)."
    else:
        hint = "Is this a Shopify 'Export orders' CSV?"
    listed = ", ".join(f"'{c}'" for c in missing)
    raise InputError(
        text.label,
        f"required column{'s' if len(missing) > 1 else ''} {listed} {'are' if len(missing) > 1 else 'is'} missing",
        f"{hint} The file has the columns: {', '.join(text.header)}.",
        column=missing[0],
    )


def _check_unique(values: pa.Array, head_rows: np.ndarray, file: str, column: str) -> None:
    """An order must appear once, its rows together; report the first repeat and where it began."""
    if len(pc.unique(values)) == len(values):
        return
    ids = values.to_numpy(zero_copy_only=False)
    i = int(np.argmax(pd.Series(ids, dtype=object).duplicated().to_numpy()))
    first_row = int(head_rows[int(np.argmax(ids == ids[i]))])
    raise InputError(
        file,
        f"order {ids[i]!r} appears again here after other orders (it starts at row {first_row})",
        "An order's rows must be next to each other and appear once per file; was the file sorted or "
        "pasted together? If it was saved from Excel, check that long Ids were not rounded.",
        row=int(head_rows[i]), column=column,
    )
