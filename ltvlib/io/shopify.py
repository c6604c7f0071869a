"""Loader for Shopify's admin "Export orders" CSV (73-, 78- and 79-column headers, mapped by name).

The export has one row per line item. ``Name``, ``Email``, ``Created at``, the ``Lineitem ...`` fields,
``Vendor`` and ``Lineitem discount`` repeat on every row; the other order-level fields are filled on
the order's first row only, and an order's rows are contiguous. So a new order starts wherever
``Name`` changes, and order-level values are read from that first row. The same contiguity lets a
multi-GB export be read in blocks cut between orders, with the errors a whole-file pass would give.

Shopify orders exports carry no customer id, so ``customer_key`` is the normalised email: the first one
filled among the order's rows (rows that disagree are counted ``loaded_email_conflict``). Orders whose
payment method contains "Bogus Gateway" are Shopify test orders and are counted, not loaded. ``Paid at``
and ``Fulfilled at`` are read where present, for the store's latest-state rule.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib.io.encoding import BLOCK_SIZE, TextFile
from ltvlib.io.errors import InputError
from ltvlib.io.parse import Cells, as_array, check_timezone, first_filled, trim
from ltvlib.io.result import SHARED_STRINGS, FileLoad, ImportResult, combine, file_load

REQUIRED = (
    "Name", "Email", "Financial Status", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem sku", "Cancelled at", "Payment Method", "Refunded Amount", "Vendor",
    "Tags", "Source", "Lineitem discount",
)
OPTIONAL = ("Id", "Location", "Paid at", "Fulfilled at")
HEAD_COLUMNS = (
    "Paid at", "Fulfilled at", "Financial Status", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
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
UNIT_BLOCKS = 16  # blocks of text read that are converted together (fewer, larger steps)
CONVERTERS = 2  # threads converting blocks of orders side by side


def looks_like_shopify_orders(header: tuple[str, ...] | list[str]) -> bool:
    """Whether a header is a Shopify orders export's (it has Name, Created at and Lineitem name)."""
    return all(c in header for c in SIGNATURE)


def resembles_shopify_orders(header: tuple[str, ...] | list[str]) -> bool:
    """Whether a header is a Shopify orders export's, perhaps with columns deleted.

    True when it has ``Name`` and ``Lineitem name``, or at least half of the required columns.
    """
    present = set(header)
    return {"Name", "Lineitem name"} <= present or 2 * len(present.intersection(REQUIRED)) >= len(REQUIRED)


def read_shopify_orders(
    path: str | os.PathLike, *, timezone: str, source_name: str | None = None
) -> ImportResult:
    """Read one Shopify orders export into canonical orders and line items, with row accounting.

    ``timezone`` is the shop's IANA zone (timestamps are converted to it); ``source_name`` names the
    file in ``source_file`` and errors (default: the file name). Bad input raises InputError.
    """
    text = TextFile.open(path, label=source_name or Path(path).name)
    return combine([load_shopify(text, timezone=timezone)])


def load_shopify(text: TextFile, *, timezone: str, block_size: int | None = None) -> FileLoad:
    """Parse one opened export into a FileLoad (the per-file step of :func:`read_shopify_orders`).

    The file is read and converted in blocks that each hold whole orders (see :func:`_whole_orders`),
    so memory follows the loaded orders, not the file's size: by default ``UNIT_BLOCKS`` blocks of text
    read (``BLOCK_SIZE`` bytes each) are converted together; a ``block_size`` reads and converts blocks
    of about that many bytes one at a time.
    """
    check_timezone(timezone, text.label)
    _check_header(text)
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in text.header]
    unit = 1 if block_size else UNIT_BLOCKS
    return text.scan(columns, lambda tables: _load(_units(tables, unit), text.label, timezone, "Id" in columns),
                     block_size=block_size or BLOCK_SIZE)


def _units(tables: Iterator[pa.Table], count: int) -> Iterator[pa.Table]:
    """The tables read, ``count`` at a time as one table of contiguous columns."""
    group: list[pa.Table] = []
    for table in tables:
        group.append(table)
        if len(group) == count:
            yield group[0] if count == 1 else pa.concat_tables(group).combine_chunks()
            group = []
    if group:
        yield pa.concat_tables(group).combine_chunks()


def _load(tables: Iterator[pa.Table], file: str, timezone: str, has_id: bool) -> FileLoad:
    """Convert the blocks of one export and join them into its FileLoad.

    The error raised is the one a single pass over the whole file would raise: a reader error (raised
    by ``tables``), else the first blank Name, else the first repeated order (checked over the whole
    file at the end), else the first failing cell check in the order the checks run, then by row. So a
    block's error is kept until the file has been read, and a later block's error replaces it only if
    converting both blocks together reports it.
    """
    parts: list[tuple[dict, dict]] = []
    names, ids, head_rows, sizes, test, blank = [], [], [], [], [], 0
    failed: tuple[pa.Table, np.ndarray, InputError] | None = None
    for table, rows, block, converted in _converted(_whole_orders(tables), file, timezone):
        names.append(block.names)
        ids.append(block.ids)
        head_rows.append(block.head_rows)
        sizes.append(block.sizes)
        test.append(block.test)
        blank += block.blank
        if isinstance(converted, InputError):
            failed = _first_failure(failed, (table, rows, converted), file, timezone)
            parts.clear()
            continue
        if failed is None:
            parts.append(converted)
    if failed and failed[2].column == "Name":  # a blank Name comes before a repeated order
        raise failed[2]
    head_rows = np.concatenate(head_rows)
    _check_unique(pa.chunked_array(names), head_rows, file, "Name")
    if has_id:
        _check_unique(pa.chunked_array(ids), head_rows, file, "Id")
    if failed:
        raise failed[2]
    order_id = as_array(pa.chunked_array(ids, pa.string()))
    sizes, test = np.concatenate(sizes), np.concatenate(test)
    keep = ~test
    loaded = 0
    for part in parts:  # each line's order: its position among the file's loaded orders
        part[1]["order_at"] += loaded
        loaded += len(part[0]["email_conflict"])
    orders, line_items = _join([p[0] for p in parts]), _join([p[1] for p in parts])
    email = orders.pop("email")
    loaded_id = order_id if keep.all() else order_id.filter(pa.array(keep))
    orders.update(order_id=loaded_id, customer_key=email, email=email, source_row=head_rows[keep])
    # each line's order_id refers to loaded_id: the text is held once per order
    line_items["order_id"] = pa.chunked_array([pa.DictionaryArray.from_arrays(at, loaded_id)
                                               for at in line_items.pop("order_at").chunks])
    conflict = orders.pop("email_conflict")
    return file_load(file, ledger_ids=order_id, ledger_rows=sizes, test=test, orders=orders,
                     line_items=line_items, blank_rows=blank, email_conflict=conflict)


def _converted(blocks: Iterator[tuple[pa.Table, np.ndarray, pa.Array]], file: str, timezone: str
               ) -> Iterator[tuple[pa.Table, np.ndarray, _Orders, tuple[dict, dict] | InputError]]:
    """Each block of whole orders with its :class:`_Orders` and its conversion (or the InputError that
    converting it raised), in order; ``CONVERTERS`` threads convert blocks side by side (the arrow and
    numpy work runs without the GIL) while the next blocks are read."""
    def convert(block: tuple[pa.Table, np.ndarray, pa.Array]) -> tuple:
        table, rows, names = block
        found = _Orders(table, rows, file, names)
        try:
            return table, rows, found, _convert(found, timezone)
        except InputError as e:
            return table, rows, found, e

    pool = ThreadPoolExecutor(max_workers=CONVERTERS, thread_name_prefix="ltv-convert")
    pending: deque[Future] = deque()
    try:
        for block in blocks:
            pending.append(pool.submit(convert, block))
            if len(pending) > CONVERTERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _whole_orders(tables: Iterator[pa.Table]) -> Iterator[tuple[pa.Table, np.ndarray, pa.Array]]:
    """Regroup blocks of records so that each holds whole orders; yield each with its records' rows and
    trimmed names.

    An order's rows are contiguous, so a block is cut where its last order starts and the rest is put
    before the next block (a block holding at most one order waits whole).
    """
    row, carry, carry_names = 2, None, None
    for table in tables:
        names = as_array(trim(table.column("Name")))
        if carry is not None:
            table = pa.concat_tables([carry, table])
            names = pa.concat_arrays([carry_names, names])
        cut = _last_order_start(names)
        if cut:
            yield table.slice(0, cut), np.arange(row, row + cut), names.slice(0, cut)
            row += cut
        carry, carry_names = table.slice(cut), names.slice(cut)
    if carry is not None:
        yield carry, np.arange(row, row + carry.num_rows), carry_names


def _last_order_start(names: pa.Array) -> int:
    """Position of the first record of the last order, or 0 if the (trimmed) names hold fewer than two orders.

    Records without a Name (blank rows) are skipped: they may sit between an order's rows.
    """
    named = np.flatnonzero(pc.not_equal(names, "").to_numpy(zero_copy_only=False))
    if not len(named):
        return 0
    last = names[int(named[-1])]
    other = np.flatnonzero(pc.not_equal(names.take(pa.array(named)), last).to_numpy(zero_copy_only=False))
    return int(named[other[-1] + 1]) if len(other) else 0


class _Orders:
    """One block's records grouped into orders, found before any check so every block's names are known.

    ``kept`` are the positions of the records that are not blank, ``rows`` their spreadsheet rows; per
    order: ``starts`` (position in ``kept`` of its first record), ``sizes``, ``head_rows``, ``names``,
    ``ids`` (the Id, else the Name) and ``test`` (a Shopify test order); ``group`` is each kept record's order.
    """

    def __init__(self, table: pa.Table, rows: np.ndarray, file: str, names: pa.Array | None = None):
        names = as_array(trim(table.column("Name"))) if names is None else names
        blank = _blank_rows(table, names)
        self.table, self.file, self.blank = table, file, int(blank.sum())
        self.kept = np.flatnonzero(~blank)
        self.rows = rows[self.kept]
        kept_names = names if len(self.kept) == table.num_rows else names.take(pa.array(self.kept))
        self.name = Cells(file, "Name", _pick(table, ("Name",), self.kept).column(0), self.rows, trimmed=kept_names)
        name_text = self.name.text()
        first = np.ones(len(self.rows), dtype=bool)
        if len(self.rows) > 1:
            first[1:] = pc.not_equal(name_text.slice(1), name_text.slice(0, len(self.rows) - 1)).to_numpy(
                zero_copy_only=False)
        self.starts = np.flatnonzero(first)
        self.group = np.cumsum(first) - 1
        self.sizes = np.diff(np.append(self.starts, len(self.rows)))
        self.head_rows = self.rows[self.starts]
        self.names = as_array(name_text.take(pa.array(self.starts)))
        marks = _pick(table, ("Id", "Payment Method"), self.kept[self.starts])
        self.ids = self.names
        if "Id" in marks.column_names:
            self.ids = as_array(pc.coalesce(Cells(file, "Id", marks.column("Id"), self.head_rows).text(),
                                            self.names))
        self.test = pc.match_substring(marks.column("Payment Method"), TEST_GATEWAY).to_numpy(
            zero_copy_only=False)
        emails = Cells(file, "Email", _pick(table, ("Email",), self.kept).column(0), self.rows).text()
        self.emails, self.email_conflict = first_filled(pc.utf8_lower(emails), self.group, len(self.starts))


def _convert(found: _Orders, timezone: str) -> tuple[dict, dict]:
    """Check and convert one block's orders and line items into column values for ``file_load``.

    The columns that follow from the orders' ids and sizes (ids, ``line_no``, ``source_row``) and the
    shared ``customer_key`` are left to the caller, which sets them once for the whole file.
    """
    file, table, group = found.file, found.table, found.group
    found.name.require("Every row of a Shopify orders export carries its order's Name; was the row edited?")
    keep = ~found.test
    heads, head_rows = _pick(table, HEAD_COLUMNS, found.kept[found.starts][keep]), found.head_rows[keep]

    def head(column: str) -> Cells:
        return Cells(file, column, heads.column(column), head_rows)

    created = head("Created at")
    created.require("Shopify fills 'Created at' on every row; export the orders again.")
    total = head("Total")
    total.require("The order's first row must hold its Total.")
    total = total.amount(MONEY_HINT)
    refunded = np.nan_to_num(head("Refunded Amount").amount(MONEY_HINT))
    source = as_array(pc.dictionary_encode(head("Source").text()))
    channel = pa.DictionaryArray.from_arrays(source.indices, pa.array(
        [CHANNELS.get(v, v) for v in source.dictionary.to_pylist()], pa.string()))  # mapped once per value
    orders = {
        "order_name": found.names.filter(keep),
        "email": found.emails.filter(keep),
        "ordered_at": created.timestamp_strict(TIME_FORMAT, timezone, TIME_HINT),
        "currency": head("Currency").text(),
        "subtotal": np.nan_to_num(head("Subtotal").amount(MONEY_HINT)),
        "discount_amount": np.nan_to_num(head("Discount Amount").amount(MONEY_HINT)),
        "shipping": np.nan_to_num(head("Shipping").amount(MONEY_HINT)),
        "taxes": np.nan_to_num(head("Taxes").amount(MONEY_HINT)),
        "total": total,
        "refunded_amount": refunded,
        "net_revenue": np.maximum(total - refunded, 0.0),
        "financial_status": head("Financial Status").text(),
        "cancelled_at": head("Cancelled at").timestamp_strict(TIME_FORMAT, timezone, TIME_HINT),
        "channel": channel,
        "source": source,
        "tags": head("Tags").token_lists(),
        "discount_codes": head("Discount Code").token_lists(),
        "location": head("Location").text() if "Location" in heads.column_names else None,
        "source_file": file,
        "email_conflict": found.email_conflict[keep],
        **{c.lower().replace(" ", "_"): head(c).timestamp_strict(TIME_FORMAT, timezone, TIME_HINT)
           for c in ("Paid at", "Fulfilled at") if c in heads.column_names},
    }

    line_keep = keep[group]
    items = _pick(table, ITEM_COLUMNS, found.kept[line_keep])
    item_rows = found.rows[line_keep]
    line_no = (np.arange(len(group)) - found.starts[group] + 1)[line_keep]
    order_at = (np.cumsum(keep, dtype=np.int32) - 1)[group][line_keep]  # among this block's loaded orders

    def item(column: str) -> Cells:
        return Cells(file, column, items.column(column), item_rows)

    price = item("Lineitem price")
    price.require(MONEY_HINT)
    line_items = {
        "product": item("Lineitem name").text(),
        "product_line": None,
        "sku": item("Lineitem sku").text(),
        "vendor": item("Vendor").text(),
        "quantity": item("Lineitem quantity").quantity("Expected a whole number of items, like 2."),
        "unit_price": price.amount(MONEY_HINT),
        "line_discount": np.nan_to_num(item("Lineitem discount").amount(MONEY_HINT)),
        "line_no": line_no,
        "order_at": order_at,
    }
    return _compact(orders), _compact(line_items)


def _compact(columns: dict) -> dict:
    """Dictionary-encode the repetitive text columns, which wait for the end of the file at ~4 bytes a row."""
    return {c: pc.dictionary_encode(v) if c in SHARED_STRINGS and isinstance(v, (pa.Array, pa.ChunkedArray))
            and not pa.types.is_dictionary(v.type) else v for c, v in columns.items()}


def _first_failure(
    failed: tuple[pa.Table, np.ndarray, InputError] | None,
    new: tuple[pa.Table, np.ndarray, InputError],
    file: str,
    timezone: str,
) -> tuple[pa.Table, np.ndarray, InputError]:
    """Of two failed blocks (records, rows, error), the one whose error a whole-file pass reports first.

    Each check runs over all rows before the next, so a later block's error wins if it comes from an
    earlier check; converting both blocks as one says which error comes first.
    """
    if failed is None:
        return new
    table = pa.concat_tables([failed[0], new[0]])
    error = failed[2]
    try:
        _convert(_Orders(table, np.concatenate([failed[1], new[1]]), file), timezone)
    except InputError as e:
        error = e
    first = new if error.row >= new[1][0] else failed
    return first[0], first[1], error


def _pick(table: pa.Table, columns: tuple[str, ...], at: np.ndarray) -> pa.Table:
    """The table's existing ``columns`` at positions ``at`` (sorted, unique)."""
    selected = table.select([c for c in columns if c in table.column_names])
    return selected if len(at) == table.num_rows else selected.take(pa.array(at))


def _join(parts: list[dict]) -> dict:
    """Column values of consecutive blocks as one: arrays joined, lists chained, a shared scalar kept.

    The parts are emptied column by column, so each block's values are released once joined.
    """
    joined = {}
    for column, value in list(parts[0].items()):
        values = [part.pop(column) for part in parts]
        if isinstance(value, (pa.Array, pa.ChunkedArray)):
            joined[column] = pa.chunked_array(
                [c for v in values for c in (v.chunks if isinstance(v, pa.ChunkedArray) else [v])], value.type)
        elif isinstance(value, np.ndarray) and value.dtype != bool:
            joined[column] = pa.chunked_array([pa.array(v) for v in values])  # no copy of the blocks' numbers
        elif isinstance(value, np.ndarray):
            joined[column] = np.concatenate(values)
        elif isinstance(value, list):
            joined[column] = list(chain.from_iterable(values))
        else:
            joined[column] = value
    return joined


def _blank_rows(table: pa.Table, names: pa.Array) -> np.ndarray:
    """True for records whose read cells are all empty (or whitespace); ``names``: the trimmed names.

    Only rows without a Name can be blank, so the other columns are checked on those rows alone.
    """
    blank = pc.equal(names, "").to_numpy(zero_copy_only=False)
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
    elif resembles_shopify_orders(text.header):
        hint = ("This looks like a Shopify orders export with columns deleted (was it edited in a spreadsheet?). "
                "Export the orders again (Orders > Export) and import that file unchanged.")
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
    if _all_distinct(as_array(values)):
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


def _all_distinct(values: pa.Array) -> bool:
    """Whether no value repeats: at once for values in strictly increasing or decreasing order, by text
    (an export's ids) or by length then text (its names, #999 before #1000), else by sorting, which is
    quicker than hashing millions of strings."""
    n = len(values)
    if n < 2:
        return True
    first, rest = values.slice(0, n - 1), values.slice(1)
    if pc.all(pc.less(first, rest)).as_py() or pc.all(pc.greater(first, rest)).as_py():
        return True
    lengths = pc.utf8_length(values)
    shorter, longer = lengths.slice(0, n - 1), lengths.slice(1)
    for before, text_before in ((pc.less, pc.less), (pc.greater, pc.greater)):
        if pc.all(pc.or_(before(shorter, longer), pc.and_(pc.equal(shorter, longer), text_before(first, rest)))).as_py():
            return True
    ordered = values.take(pc.sort_indices(values))
    return not pc.any(pc.equal(ordered.slice(0, n - 1), ordered.slice(1))).as_py()
