"""What a load returns: canonical tables plus a row accounting that explains every input record.

Each loader turns one file into a :class:`FileLoad` (loaded orders, their line items, and a ledger with
one entry per order found, loaded or not); :func:`combine` merges the loads of one import, keeps the copy
of an order that shows its latest state (:func:`state_key`), and counts rows per (file, reason) so that
every data record of every file is accounted for exactly once.

Loads are held as arrow tables (repeated texts dictionary-encoded, tags as list arrays): a few bytes per
value, where pandas objects would take tens. :class:`ImportResult` hands them to the store as they are
and builds its pandas frames only when they are asked for.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from ltvlib.io.parse import gc_paused
from ltvlib.io.product_lines import product_line_labels

ORDER_COLUMNS: tuple[str, ...] = (
    "order_id", "order_name", "customer_key", "email", "ordered_at", "currency", "subtotal",
    "discount_amount", "shipping", "taxes", "total", "refunded_amount", "net_revenue",
    "financial_status", "cancelled_at", "channel", "source", "tags", "discount_codes", "location",
    "source_file", "source_row",
)
LINE_ITEM_COLUMNS: tuple[str, ...] = (
    "order_id", "line_no", "product", "product_line", "sku", "vendor", "quantity", "unit_price",
    "line_discount",
)
MONEY_COLUMNS: tuple[str, ...] = (
    "subtotal", "discount_amount", "shipping", "taxes", "total", "refunded_amount", "net_revenue",
)
ARROW_TYPES: dict[str, pa.DataType] = {
    **{c: pa.string() for c in (
        "order_id", "order_name", "customer_key", "email", "currency", "financial_status", "channel",
        "source", "location", "product", "product_line", "sku", "vendor",
    )},
    **{c: pa.float64() for c in (*MONEY_COLUMNS, "unit_price", "line_discount")},
    **{c: pa.int64() for c in ("source_row", "line_no", "quantity")},
}
# held narrower in loads (spreadsheet rows, line numbers and checked quantities fit), int64 in frames
_NARROW_INTS = frozenset({"source_row", "line_no", "quantity"})
SHARED_STRINGS = frozenset({
    "currency", "financial_status", "channel", "source", "location", "product", "product_line", "sku",
    "vendor",
})
ACCOUNTING_COLUMNS: tuple[str, ...] = ("source_file", "reason", "rows", "orders")
STATE_COLUMNS: tuple[str, ...] = ("paid_at", "fulfilled_at")  # kept beside the canonical columns

LOADED = "loaded"
LOADED_CANCELLED = "loaded_cancelled"
LOADED_REFUND_OVER_TOTAL = "loaded_refund_over_total"
LOADED_EMAIL_CONFLICT = "loaded_email_conflict"
LOADED_NO_IDENTITY = "loaded_no_identity"
DUPLICATE_SUPERSEDED = "duplicate_superseded"
NEGATIVE_AMOUNT = "negative_amount"
TEST_ORDER = "test_order"
BLANK_ROW = "blank_row"
REASONS: tuple[str, ...] = (
    LOADED, LOADED_CANCELLED, LOADED_REFUND_OVER_TOTAL, LOADED_EMAIL_CONFLICT, LOADED_NO_IDENTITY,
    DUPLICATE_SUPERSEDED, NEGATIVE_AMOUNT, TEST_ORDER, BLANK_ROW,
)
# Shopify's financial statuses in the order an order moves through them (others rank 0)
STATUS_RANK: dict[str, int] = {
    "pending": 1, "authorized": 2, "partially_paid": 3, "paid": 4, "partially_refunded": 5, "refunded": 6,
    "voided": 6,
}
STATE_KEY_COLUMNS: tuple[str, ...] = ("cancelled", "refunded", "status", "paid", "fulfilled")


REASON_CODE: dict[str, int] = {r: i for i, r in enumerate(REASONS)}
_LOADED_CODES = np.array([REASON_CODE[r] for r in REASONS if r.startswith(LOADED)], dtype=np.int8)
_LIST_COLUMNS = frozenset({"tags", "discount_codes"})
_TEXT_LIST = pa.list_(pa.string())
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
SPILL_BATCH_ROWS = 122_880  # rows per record batch of a spilled table (one DuckDB row group)


class ImportResult:
    """Canonical ``orders`` and ``line_items`` (DESIGN.md columns, in order) and the row accounting.

    ``accounting`` has one row per (source_file, reason) with the number of data records (``rows``)
    and distinct orders (``orders``) given that reason; per file, ``rows`` sums to the file's records.
    Each record has one reason: ``blank_row``; else ``duplicate_superseded`` (another file of the import
    has a later state of the order); else ``test_order``; else ``negative_amount`` (a negative total or
    refund: not loaded); else ``loaded_cancelled``; else ``loaded_refund_over_total`` (net revenue 0);
    else ``loaded_email_conflict`` (its rows disagree on e-mail: the first is used); else
    ``loaded_no_identity``; else ``loaded``. ``states`` holds ``paid_at`` and ``fulfilled_at`` row for
    row with ``orders`` (None: unknown), for the store's latest-state rule.

    ``orders`` and ``line_items`` are pandas DataFrames or, as the loaders build them, arrow tables (the
    orders with the state columns after the canonical ones); the frames of arrow tables are made on first
    use. :meth:`tables`, :meth:`batches` and :meth:`counts` give the arrow data and its size, so a store
    import of millions of orders never builds a frame; :meth:`spill` moves the tables to a file for the
    time the result lives.
    """

    def __init__(self, orders: pd.DataFrame | pa.Table, line_items: pd.DataFrame | pa.Table,
                 accounting: pd.DataFrame, states: pd.DataFrame | None = None) -> None:
        self.accounting = accounting
        self._tables: tuple[pa.Table, pa.Table] | None = None
        self._spilled: tuple[list[Path], tuple[pa.Schema, pa.Schema]] | None = None
        self._frames: dict[str, Any] = {}
        if isinstance(orders, pa.Table):
            self._tables = (orders, line_items)
            self._counts = {"orders": orders.num_rows, "line_items": line_items.num_rows}
            self._no_identity = orders.column("customer_key").null_count
            self._order_ids = orders.column("order_id")
        else:
            self._frames = {"orders": orders, "line_items": line_items, "states": states}

    @property
    def orders(self) -> pd.DataFrame:
        if "orders" not in self._frames:
            self._frames["orders"] = table_frame(self.tables()[0], ORDER_COLUMNS)
        return self._frames["orders"]

    @property
    def line_items(self) -> pd.DataFrame:
        if "line_items" not in self._frames:
            self._frames["line_items"] = table_frame(self.tables()[1], LINE_ITEM_COLUMNS)
        return self._frames["line_items"]

    @property
    def states(self) -> pd.DataFrame | None:
        if "states" not in self._frames:
            self._frames["states"] = table_frame(self.tables()[0], STATE_COLUMNS)
        return self._frames["states"]

    def tables(self) -> tuple[pa.Table, pa.Table] | None:
        """The arrow tables (orders with ``STATE_COLUMNS``, line items) of a loader's result, else None.

        Spilled tables are read back (not kept): the whole import is then in memory again.
        """
        if self._spilled is not None:
            return tuple(pa.Table.from_batches(list(self.batches(i)), schema)  # type: ignore[return-value]
                         for i, schema in enumerate(self._spilled[1]))
        return self._tables

    def schemas(self) -> tuple[pa.Schema, pa.Schema]:
        """The schemas of :meth:`tables` (a loader's result)."""
        return self._spilled[1] if self._spilled is not None else (self._tables[0].schema, self._tables[1].schema)

    def batches(self, which: int) -> Iterator[pa.RecordBatch]:
        """The orders (``which`` 0) or line items (1) of a loader's result batch by batch, read from the
        file if spilled, so only one batch at a time is in memory."""
        if self._spilled is None:
            yield from self._tables[which].to_batches()
            return
        with pa.OSFile(str(self._spilled[0][which])) as source:
            yield from ipc.open_stream(source)

    def order_ids(self) -> pa.Array | pa.ChunkedArray:
        """The ``order_id`` of every order of a loader's result (kept in memory when spilled)."""
        return self._order_ids

    def counts(self) -> dict[str, int]:
        """Numbers of orders and line items, without building frames."""
        if self._tables is not None or self._spilled is not None:
            return dict(self._counts)
        return {"orders": len(self._frames["orders"]), "line_items": len(self._frames["line_items"])}

    def spill(self, folder: str | os.PathLike) -> None:
        """Move a loader's tables to a new temporary folder inside ``folder`` and free their memory.

        The result reads them from there when asked (frames, :meth:`tables`, :meth:`batches`); the folder
        is removed when the result is no longer used (or at exit). A store import calls this before its
        database work, which then has the memory the tables held.
        """
        if self._tables is None:
            return
        where = Path(tempfile.mkdtemp(prefix=".ltv-import-", dir=folder))
        weakref.finalize(self, shutil.rmtree, where, ignore_errors=True)
        paths = [where / "orders.arrows", where / "line_items.arrows"]
        for path, table in zip(paths, self._tables):
            with pa.OSFile(str(path), "wb") as sink, ipc.new_stream(
                    sink, table.schema, options=ipc.IpcWriteOptions(use_threads=False)) as writer:
                writer.write_table(table, max_chunksize=SPILL_BATCH_ROWS)
        self._spilled = (paths, self.schemas())
        self._tables = None
        release_free_memory()

    def summary_text(self) -> str:
        """A short table of rows and orders per file and reason, with a closing sentence of totals."""
        lines = [self.accounting.to_string(index=False)] if len(self.accounting) else []
        if self._tables is not None or self._spilled is not None:
            no_identity = self._no_identity
        else:
            no_identity = int(self.orders["customer_key"].isna().sum())
        counts = self.counts()
        files = self.accounting["source_file"].nunique()
        lines.append(
            f"Loaded {counts['orders']:,} orders ({counts['line_items']:,} line items) from {files} "
            f"file{'s' if files != 1 else ''}; {no_identity:,} without a customer id or email count in "
            "revenue but not in customer analyses."
        )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class FileLoad:
    """One file's loaded orders and line items, its ledger and its count of blank rows.

    ``orders`` (``ORDER_COLUMNS`` then ``STATE_COLUMNS``) and ``line_items`` are arrow tables of fixed
    types (see :func:`file_load`). ``ledger`` holds one row per order found in the file, loaded or not:
    ``order_id``, ``reason`` (a position in ``REASONS``) and ``rows`` (its data records).
    """

    source_file: str
    orders: pa.Table
    line_items: pa.Table
    ledger: pa.Table
    blank_rows: int


def file_load(
    source_file: str,
    *,
    ledger_ids: np.ndarray | pa.Array | pa.ChunkedArray,
    ledger_rows: np.ndarray,
    test: np.ndarray,
    orders: dict,
    line_items: dict,
    blank_rows: int,
    email_conflict: np.ndarray | None = None,
) -> FileLoad:
    """Assemble a FileLoad from column values; ``orders`` holds the non-test orders of the ledger, in order.

    Column values are arrow arrays, numpy arrays or DatetimeIndexes, Python lists or arrow list arrays
    (list columns), or one scalar for the whole column. ``orders`` may hold the ``STATE_COLUMNS``
    (missing: unknown). The ``orders`` and ``line_items`` dicts are emptied as they are converted. Each
    order's reason follows from ``test``, a negative total or refund (the order is then left out),
    ``cancelled_at``, a refund above the total, ``email_conflict`` (per non-test order), then a missing
    ``customer_key``.

    Column types: text in ``SHARED_STRINGS`` and the line items' ``order_id`` dictionary-encoded, other
    text plain strings, ``tags``/``discount_codes`` lists of strings, times as loaded (zoned, ns).
    """
    for column in STATE_COLUMNS:
        orders.setdefault(column, None)
    size = next(len(v) for c in ORDER_COLUMNS if not _is_scalar(v := orders[c]))
    frame = _table(ORDER_COLUMNS + STATE_COLUMNS, orders, size)
    for column in STATE_COLUMNS:
        if pa.types.is_null(frame.column(column).type):  # unknown: typed like ordered_at
            frame = frame.set_column(frame.schema.get_field_index(column), column,
                                     pa.nulls(size, frame.column("ordered_at").type))
    if pa.types.is_dictionary(frame.column("order_id").type):
        frame = frame.set_column(0, "order_id", _strings(frame.column("order_id")))
    item_size = next(len(v) for c in LINE_ITEM_COLUMNS if not _is_scalar(v := line_items[c]))
    items = _table(LINE_ITEM_COLUMNS, line_items, item_size)
    if not pa.types.is_dictionary(items.column("order_id").type):  # one string per order, not per line
        items = items.set_column(0, "order_id", pc.dictionary_encode(items.column("order_id")))
    total, refunded = _floats(frame.column("total")), _floats(frame.column("refunded_amount"))
    conflict = np.zeros(size, dtype=bool) if email_conflict is None else email_conflict
    loaded = np.select(
        [(total < 0) | (refunded < 0), _valid(frame.column("cancelled_at")), refunded > total, conflict,
         ~_valid(frame.column("customer_key"))], [1, 2, 3, 4, 5], 0)
    ids = _strings(ledger_ids)
    reasons = np.full(len(ids), REASON_CODE[TEST_ORDER], dtype=np.int8)
    reasons[~test] = np.array([REASON_CODE[r] for r in (
        LOADED, NEGATIVE_AMOUNT, LOADED_CANCELLED, LOADED_REFUND_OVER_TOTAL, LOADED_EMAIL_CONFLICT,
        LOADED_NO_IDENTITY)], dtype=np.int8)[loaded]
    ledger = pa.table({"order_id": ids, "reason": reasons, "rows": np.asarray(ledger_rows, dtype=np.int64)})
    negative = loaded == 1
    if negative.any():
        items = items.filter(pa.array(~is_in(items.column("order_id"), frame.column("order_id").filter(negative))))
        frame = frame.filter(pa.array(~negative))
    return FileLoad(source_file, frame, items, ledger, blank_rows)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str)


def _table(columns: tuple[str, ...], data: dict, size: int) -> pa.Table:
    """An arrow table of ``columns`` in their load types (see :func:`file_load`); empties ``data``."""
    return pa.table({c: _column(c, data.pop(c), size) for c in columns})


def _column(column: str, value: object, size: int) -> pa.Array | pa.ChunkedArray:
    """One column's values (any form :func:`file_load` takes) as arrow data of the column's load type."""
    if value is None:
        wanted = _TEXT_LIST if column in _LIST_COLUMNS else ARROW_TYPES.get(column, pa.null())
        return pa.nulls(size, _DICTIONARY if column in SHARED_STRINGS else wanted)
    if isinstance(value, str):  # the same text on every row: one dictionary entry (source_file: 1 byte a row)
        kind = np.int8 if column == "source_file" else np.int32
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(size, dtype=kind)), pa.array([value]))
    if column in _LIST_COLUMNS:
        if isinstance(value, (pa.Array, pa.ChunkedArray)):
            return value
        with gc_paused():
            return pa.array(value, _TEXT_LIST)
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        array = value
    elif isinstance(value, np.ndarray) and value.dtype == object:
        array = pa.array(value, pa.string())
    else:
        array = pa.array(value)
    wanted = pa.int32() if column in _NARROW_INTS else ARROW_TYPES.get(column)
    if wanted is None:
        return array
    if pa.types.is_dictionary(array.type):
        if array.type.value_type != wanted:
            array = array.cast(wanted)
    elif array.type != wanted:
        array = array.cast(wanted)
    if column in SHARED_STRINGS and not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    return array


def _floats(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.to_numpy(), dtype=np.float64) if isinstance(values, pa.ChunkedArray) \
        else values.to_numpy(zero_copy_only=False)


def _valid(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return pc.is_valid(values).to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) \
        else np.asarray(pc.is_valid(values).to_numpy(), dtype=bool)


def _strings(values: np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Text values as one plain arrow string array (dictionaries decoded)."""
    if isinstance(values, np.ndarray):
        return pa.array(values, pa.string())
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def is_in(values: pa.Array | pa.ChunkedArray, value_set: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Whether each value is one of ``value_set`` (null: False); dictionaries are looked up once per entry."""
    value_set = _strings(value_set)
    return _per_entry(values, lambda v: pc.fill_null(pc.is_in(v, value_set=value_set), False), False)


def positions(values: pa.Array | pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    """Position in ``ids`` of each value (-1 where absent or null); dictionaries are looked up once per entry."""
    return _per_entry(values, lambda v: pc.fill_null(pc.index_in(v, value_set=ids), -1), -1).astype(np.int64)


def _per_entry(values: pa.Array | pa.ChunkedArray, look_up: Any, missing: object) -> np.ndarray:
    """``look_up`` (array -> array of answers) applied to each value as a numpy array, ``missing`` for nulls.

    Dictionary-encoded chunks are answered per dictionary entry, once per distinct dictionary: the line
    items' order ids of a file share one dictionary of millions of ids across all their chunks.
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    answers: dict[tuple[int, int, int], np.ndarray] = {}
    out = []
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            dictionary = chunk.dictionary
            key = (dictionary.buffers()[-1].address if dictionary.buffers()[-1] is not None else 0,
                   dictionary.offset, len(dictionary))
            if key not in answers:
                answers[key] = np.append(look_up(dictionary).to_numpy(zero_copy_only=False), missing)
            at = pc.fill_null(chunk.indices, len(dictionary)).to_numpy(zero_copy_only=False)
            out.append(answers[key][at])
        else:
            out.append(look_up(chunk).to_numpy(zero_copy_only=False))
    return np.concatenate(out) if out else np.zeros(0, dtype=type(missing))


def table_frame(table: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """The pandas frame of arrow ``columns``: text as ``str`` objects (dictionary-encoded text sharing one
    object per value, see :func:`shared_strings`), lists as Python lists, zoned times as datetime64[ns, tz]."""
    special = [c for c in columns if pa.types.is_dictionary(table.column(c).type)
               or pa.types.is_list(table.column(c).type)]
    bulk = [c for c in columns if c not in special]
    frame = table.select(bulk).to_pandas(split_blocks=True, deduplicate_objects=False)
    for column in _NARROW_INTS.intersection(bulk):
        frame[column] = frame[column].astype(np.int64)
    for position, column in enumerate(columns):
        if column not in special:
            continue
        values = table.column(column)
        if pa.types.is_list(values.type):
            with gc_paused():
                value = pd.Series(values.to_pylist(), dtype=object, index=frame.index)
        else:
            value = shared_strings(values.cast(values.type.value_type))
        frame.insert(position, column, value)
    return frame


def state_key(orders: pd.DataFrame, states: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comparable columns (``STATE_KEY_COLUMNS``) that order copies of one order from earliest to latest state.

    Lexicographic: cancelled (final) > larger refunded amount > later financial status (``STATUS_RANK``) >
    later ``paid_at`` > later ``fulfilled_at`` (unknown times rank lowest). ``states`` defaults to
    ``orders``' own ``STATE_COLUMNS`` (or unknown); times may be tz-aware or naive UTC.
    """
    states = orders if states is None else states

    def ns(column: str) -> np.ndarray:
        if column not in states:
            return np.full(len(orders), np.iinfo(np.int64).min)
        return pd.DatetimeIndex(states[column]).as_unit("ns").asi8  # NaT is the smallest int64

    codes, statuses = pd.factorize(pd.Series(orders["financial_status"].to_numpy(), dtype=object))
    ranks = pd.Series(statuses, dtype=object).str.strip().str.lower().map(STATUS_RANK).fillna(0).to_numpy(np.int8)
    return pd.DataFrame({
        "cancelled": orders["cancelled_at"].notna().to_numpy().astype(np.int8),
        "refunded": np.nan_to_num(orders["refunded_amount"].to_numpy(dtype=np.float64)),
        "status": np.append(ranks, np.int8(0))[codes],  # once per distinct status; missing (-1) ranks 0
        "paid": ns("paid_at"),
        "fulfilled": ns("fulfilled_at"),
    })


def later_state(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Row by row, whether state key ``a`` (see :func:`state_key`) is strictly later than ``b``."""
    later = np.zeros(len(a), dtype=bool)
    for column in reversed(STATE_KEY_COLUMNS):  # least significant first; each more significant one overrides
        x, y = a[column].to_numpy(), b[column].to_numpy()
        later = np.where(x != y, x > y, later)
    return later


def shared_strings(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An object array of ``str``/None in which equal strings are one object."""
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None).astype(object)
    indices = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return values[indices]


def combine(loads: Sequence[FileLoad], product_lines: dict | None = None,
            rules_per_load: Sequence[dict | None] | None = None) -> ImportResult:
    """Merge file loads in order and set product lines from ``product_lines`` rules.

    Of the loaded copies of one order_id in several files, the one with the latest state
    (:func:`state_key`) is kept, the later file's on a tie; the others count ``duplicate_superseded``.
    Copies that were not loaded (test orders, negative amounts) keep their own reason. With
    ``rules_per_load`` (one entry per load) that differ, each load's line items take its own rules.
    """
    losers = _superseded(loads)
    kept: list[FileLoad] = []
    for position, load in enumerate(loads):
        ledger, orders, items = load.ledger, load.orders, load.line_items
        gone = losers.get(position)
        if gone is not None:
            reasons = ledger.column("reason").to_numpy()
            superseded = is_in(ledger.column("order_id"), gone) & np.isin(reasons, _LOADED_CODES)
            reasons = np.where(superseded, np.int8(REASON_CODE[DUPLICATE_SUPERSEDED]), reasons)
            ledger = ledger.set_column(1, "reason", pa.array(reasons.astype(np.int8)))
            orders = orders.filter(pa.array(~is_in(orders.column("order_id"), gone)))
            items = items.filter(pa.array(~is_in(items.column("order_id"), gone)))
        kept.append(FileLoad(load.source_file, orders, items, ledger, load.blank_rows))
    labelled = [_with_product_lines(k.line_items, product_lines) for k in kept]
    if rules_per_load is not None and any(r != rules_per_load[0] for r in rules_per_load[1:]):
        labelled = [_with_product_lines(items, rules) if items.num_rows else items
                    for items, rules in zip(labelled, rules_per_load)]
    line_items = _concat(labelled)
    orders = _concat([k.orders for k in kept])
    result = ImportResult(orders=orders, line_items=line_items, accounting=_accounting(kept))
    release_free_memory()
    return result


def release_free_memory() -> None:
    """Hand memory freed by a large load back to the system (arrow's pool and the C heap keep it for reuse
    otherwise), so the store import that follows starts from what the tables hold."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc only; elsewhere there is nothing to call
    except (AttributeError, OSError):
        pass


def _with_product_lines(items: pa.Table, rules: dict | None) -> pa.Table:
    """``items`` with ``product_line`` set from ``rules``, worked out once per distinct vendor or product."""
    source = "vendor" if rules is None or rules.get("from") == "vendor" else "product"
    values = items.column(source)
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries() if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    dictionary = values.chunk(0).dictionary if values.num_chunks else pa.array([], pa.string())
    distinct = pd.Series([*dictionary.to_pylist(), None], dtype=object)  # None: a blank cell
    labels = product_line_labels(pd.DataFrame({"vendor": distinct, "product": distinct}), rules)
    labels = pa.array(labels, pa.string())
    codes = [pc.fill_null(chunk.indices, len(dictionary)) for chunk in values.chunks]
    column = pa.chunked_array([pa.DictionaryArray.from_arrays(c, labels) for c in codes], _DICTIONARY)
    return items.set_column(items.schema.get_field_index("product_line"), "product_line", column)


def _superseded(loads: Sequence[FileLoad]) -> dict[int, pa.Array]:
    """Per load position, the order_ids whose copy there loses to a later state in another file."""
    if len(loads) < 2:
        return {}
    ids = pa.chunked_array([_strings(load.orders.column("order_id")) for load in loads], pa.string())
    codes = pc.dictionary_encode(ids).combine_chunks().indices.to_numpy(zero_copy_only=False)
    repeated = np.bincount(codes)[codes] > 1 if len(codes) else np.zeros(0, dtype=bool)
    if not repeated.any():
        return {}
    positions_ = np.repeat(np.arange(len(loads)), [load.orders.num_rows for load in loads])
    bounds = np.cumsum([0, *(load.orders.num_rows for load in loads)])
    state = ["cancelled_at", "refunded_amount", "financial_status", *STATE_COLUMNS]
    copies = pd.concat([table_frame(load.orders.filter(pa.array(repeated[start:end])), state)
                        for load, start, end in zip(loads, bounds, bounds[1:])], ignore_index=True)
    keys = state_key(copies).assign(order_id=ids.filter(pa.array(repeated)).to_numpy(),
                                    position=positions_[repeated])
    keys = keys.sort_values([*STATE_KEY_COLUMNS, "position"], kind="stable")
    losing = keys.duplicated("order_id", keep="last").to_numpy()
    lost = keys.loc[losing]
    return {int(p): pa.array(group["order_id"].to_numpy(), pa.string()) for p, group in lost.groupby("position")}


def _concat(tables: list[pa.Table]) -> pa.Table:
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def _accounting(loads: Sequence[FileLoad]) -> pd.DataFrame:
    """Rows and orders per (file, reason), files in load order, reasons in ``REASONS`` order."""
    records = []
    for load in loads:
        reasons = load.ledger.column("reason").to_numpy().astype(np.int64)
        rows = load.ledger.column("rows").to_numpy()
        orders = np.bincount(reasons, minlength=len(REASONS))
        sums = np.zeros(len(REASONS), dtype=np.int64)
        np.add.at(sums, reasons, rows)
        records += [(load.source_file, REASONS[r], int(sums[r]), int(orders[r]))
                    for r in range(len(REASONS)) if orders[r] and REASONS[r] != BLANK_ROW]
        if load.blank_rows:
            records.append((load.source_file, BLANK_ROW, int(load.blank_rows), 0))
    table = pd.DataFrame(records, columns=list(ACCOUNTING_COLUMNS))
    return table.astype({"rows": "int64", "orders": "int64"})
