"""What a load returns: canonical tables plus a row accounting that explains every input record.

Each loader turns one file into a :class:`FileLoad` (loaded orders, their line items, and a ledger with
one entry per order found, loaded or not); :func:`combine` merges the loads of one import, keeps the copy
of an order that shows its latest state (:func:`state_key`), and counts rows per (file, reason) so that
every data record of every file is accounted for exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


@dataclass(frozen=True, eq=False)
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
    """

    orders: pd.DataFrame
    line_items: pd.DataFrame
    accounting: pd.DataFrame
    states: pd.DataFrame | None = None

    def summary_text(self) -> str:
        """A short table of rows and orders per file and reason, with a closing sentence of totals."""
        lines = [self.accounting.to_string(index=False)] if len(self.accounting) else []
        no_identity = int(self.orders["customer_key"].isna().sum())
        files = self.accounting["source_file"].nunique()
        lines.append(
            f"Loaded {len(self.orders):,} orders ({len(self.line_items):,} line items) from {files} "
            f"file{'s' if files != 1 else ''}; {no_identity:,} without a customer id or email count in "
            "revenue but not in customer analyses."
        )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class FileLoad:
    """One file's loaded orders and line items, its ledger and its count of blank rows.

    ``ledger`` holds one row per order found in the file, loaded or not: ``order_id``, ``reason``
    and ``rows`` (its data records). ``orders`` carries the ``STATE_COLUMNS`` after the canonical ones.
    """

    source_file: str
    orders: pd.DataFrame
    line_items: pd.DataFrame
    ledger: pd.DataFrame
    blank_rows: int


def file_load(
    source_file: str,
    *,
    ledger_ids: np.ndarray,
    ledger_rows: np.ndarray,
    test: np.ndarray,
    orders: dict,
    line_items: dict,
    blank_rows: int,
    email_conflict: np.ndarray | None = None,
) -> FileLoad:
    """Assemble a FileLoad from column values; ``orders`` holds the non-test orders of the ledger, in order.

    Column values are arrow arrays, numpy arrays or DatetimeIndexes, Python lists (list columns), or
    one scalar for the whole column; object arrays of ``str`` are used as they are, so columns built
    from one such array share its string objects. ``orders`` may hold the ``STATE_COLUMNS`` (missing:
    unknown). The ``orders`` and ``line_items`` dicts are emptied (see :func:`_frame`). Each order's
    reason follows from ``test``, a negative total or refund (the order is then left out), ``cancelled_at``,
    a refund above the total, ``email_conflict`` (per non-test order), then a missing ``customer_key``.
    """
    for column in STATE_COLUMNS:
        orders.setdefault(column, None)
    frame = _frame(ORDER_COLUMNS + STATE_COLUMNS, orders)
    for column in STATE_COLUMNS:
        if frame[column].dtype == object:  # unknown: typed NaT like ordered_at
            frame[column] = pd.Series(pd.NaT, index=frame.index, dtype=frame["ordered_at"].dtype)
    items = _frame(LINE_ITEM_COLUMNS, line_items)
    total, refunded = frame["total"].to_numpy(), frame["refunded_amount"].to_numpy()
    conflict = np.zeros(len(frame), dtype=bool) if email_conflict is None else email_conflict
    loaded = np.select(
        [(total < 0) | (refunded < 0), frame["cancelled_at"].notna().to_numpy(), refunded > total, conflict,
         frame["customer_key"].isna().to_numpy()], [1, 2, 3, 4, 5], 0)
    reasons = np.full(len(ledger_ids), TEST_ORDER, dtype=object)
    reasons[~test] = np.array([LOADED, NEGATIVE_AMOUNT, LOADED_CANCELLED, LOADED_REFUND_OVER_TOTAL,
                               LOADED_EMAIL_CONFLICT, LOADED_NO_IDENTITY], dtype=object)[loaded]  # shared str
    ledger = pd.DataFrame({"order_id": ledger_ids, "reason": reasons, "rows": ledger_rows})
    negative = loaded == 1
    if negative.any():
        items = items[~items["order_id"].isin(frame.loc[negative, "order_id"])]
        frame = frame[~negative]
    return FileLoad(source_file, frame, items, ledger, blank_rows)


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

    status = pd.Series(orders["financial_status"].to_numpy(), dtype=object).str.strip().str.lower()
    return pd.DataFrame({
        "cancelled": orders["cancelled_at"].notna().to_numpy().astype(np.int8),
        "refunded": np.nan_to_num(orders["refunded_amount"].to_numpy(dtype=np.float64)),
        "status": status.map(STATUS_RANK).fillna(0).to_numpy(dtype=np.int8),
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


def _frame(columns: tuple[str, ...], data: dict) -> pd.DataFrame:
    """A DataFrame in ``columns`` order, built without consolidating copies; empties ``data`` as it goes.

    Strings become Python ``str`` objects (object dtype). Columns with few distinct values share one
    object per value (a dictionary take), which saves memory; the others convert in pyarrow's fast path.
    Each column's source values are released once converted, so a large load holds them only once.
    """
    bulk = [c for c in columns if c not in SHARED_STRINGS and not _ready(data[c])]
    frame = pa.table({c: _arrow(c, data.pop(c)) for c in bulk}).to_pandas(
        split_blocks=True, deduplicate_objects=False)
    for position, column in enumerate(columns):
        if column in bulk:
            continue
        value = data.pop(column)
        if not _ready(value):
            value = shared_strings(_arrow(column, value))
        elif isinstance(value, list):
            value = pd.Series(value, dtype=object)
        frame.insert(position, column, value)
    return frame


def _ready(value: object) -> bool:
    """Whether a column value goes into the frame as it is (scalars, lists, object arrays)."""
    return value is None or isinstance(value, (str, list)) or (
        isinstance(value, np.ndarray) and value.dtype == object)


def _arrow(column: str, values: object) -> pa.Array | pa.ChunkedArray:
    """Column values as arrow data of the column's canonical type (timestamps keep their zone).

    Dictionary-encoded values of that type are kept encoded (:func:`shared_strings` takes them as such).
    """
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    wanted = ARROW_TYPES.get(column, array.type)
    if pa.types.is_dictionary(array.type) and array.type.value_type == wanted:
        return array
    return array if array.type == wanted else array.cast(wanted)


def shared_strings(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An object array of ``str``/None in which equal strings are one object."""
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None).astype(object)
    indices = pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return values[indices]


def combine(loads: Sequence[FileLoad], product_lines: dict | None = None) -> ImportResult:
    """Merge file loads in order and set product lines from ``product_lines`` rules.

    Of the loaded copies of one order_id in several files, the one with the latest state
    (:func:`state_key`) is kept, the later file's on a tie; the others count ``duplicate_superseded``.
    Copies that were not loaded (test orders, negative amounts) keep their own reason.
    """
    losers = _superseded(loads)
    kept: list[FileLoad] = []
    for position, load in enumerate(loads):
        ledger, orders, items = load.ledger, load.orders, load.line_items
        gone = losers.get(position)
        if gone is not None:
            superseded = ledger["order_id"].isin(gone).to_numpy() & ledger["reason"].str.startswith(LOADED).to_numpy()
            ledger = ledger.assign(reason=ledger["reason"].where(~superseded, DUPLICATE_SUPERSEDED))
            orders = orders[~orders["order_id"].isin(gone)]
            items = items[~items["order_id"].isin(gone)]
        kept.append(FileLoad(load.source_file, orders, items, ledger, load.blank_rows))
    line_items = _concat([k.line_items for k in kept])
    line_items["product_line"] = product_line_labels(line_items, product_lines)
    orders = _concat([k.orders for k in kept])
    states = pd.DataFrame({c: orders.pop(c) for c in STATE_COLUMNS})  # in place: no copy of the orders
    return ImportResult(orders=orders, line_items=line_items, accounting=_accounting(kept), states=states)


def _superseded(loads: Sequence[FileLoad]) -> dict[int, pd.Index]:
    """Per load position, the order_ids whose copy there loses to a later state in another file."""
    if len(loads) < 2:
        return {}
    ids = pd.concat([pd.Series(load.orders["order_id"].to_numpy(), dtype=object) for load in loads],
                    ignore_index=True)
    positions = np.repeat(np.arange(len(loads)), [len(load.orders) for load in loads])
    repeated = ids.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return {}
    bounds = np.cumsum([0, *(len(load.orders) for load in loads)])
    copies = pd.concat([load.orders[repeated[start:end]] for load, start, end in zip(loads, bounds, bounds[1:])],
                       ignore_index=True)
    keys = state_key(copies).assign(order_id=ids[repeated].to_numpy(), position=positions[repeated])
    keys = keys.sort_values([*STATE_KEY_COLUMNS, "position"], kind="stable")
    losing = keys.duplicated("order_id", keep="last").to_numpy()
    lost = keys.loc[losing]
    return {int(p): pd.Index(group["order_id"], dtype=object) for p, group in lost.groupby("position")}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) > 1:
        return pd.concat(frames, ignore_index=True)
    frame = frames[0]
    frame.index = pd.RangeIndex(len(frame))  # frames here are the loader's own; avoids a copy
    return frame


def _accounting(loads: Sequence[FileLoad]) -> pd.DataFrame:
    parts = []
    for position, load in enumerate(loads):
        per_reason = load.ledger.groupby("reason", sort=False)["rows"].agg(["sum", "size"])
        part = pd.DataFrame({
            "source_file": load.source_file, "reason": per_reason.index,
            "rows": per_reason["sum"].to_numpy(), "orders": per_reason["size"].to_numpy(),
        })
        if load.blank_rows:
            part.loc[len(part)] = [load.source_file, BLANK_ROW, load.blank_rows, 0]
        parts.append(part.assign(position=position))
    table = pd.concat(parts, ignore_index=True)
    table["rank"] = table["reason"].map({r: i for i, r in enumerate(REASONS)})
    table = table.sort_values(["position", "rank"], kind="stable")
    return table[list(ACCOUNTING_COLUMNS)].astype({"rows": "int64", "orders": "int64"}).reset_index(drop=True)
