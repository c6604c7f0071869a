"""The per-shop store: one DuckDB file holding the canonical tables, import records and lists.

Timestamps are stored as UTC and handed back tz-aware in the shop's time zone. Every write runs
in one transaction, so a failed import leaves the store exactly as it was. Of two copies of an order
the one with the later state is kept, whatever the order of the imports (see :meth:`Store.upsert`).

One process may write a store at a time, or any number read it. Opening a store another process
holds waits for it (``lock_timeout`` seconds, default ``LTV_LOCK_TIMEOUT`` or 60), saying so once on
stderr, then raises ``StoreBusy``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib.errors import LtvError

if TYPE_CHECKING:
    from ltvlib.io import ImportResult

__all__ = ["FIRST_ITEM_COLUMNS", "LINE_ITEM_COLUMNS", "LOCK_TIMEOUT", "ORDER_COLUMNS", "Store", "StoreBusy"]

ORDER_COLUMNS = [
    "order_id", "order_name", "customer_key", "email", "ordered_at", "currency", "subtotal",
    "discount_amount", "shipping", "taxes", "total", "refunded_amount", "net_revenue",
    "financial_status", "cancelled_at", "channel", "source", "tags", "discount_codes", "location",
    "source_file", "source_row",
]  # fmt: skip
LINE_ITEM_COLUMNS = [
    "order_id", "line_no", "product", "product_line", "sku", "vendor", "quantity", "unit_price", "line_discount",
]  # fmt: skip

READ_MEMORY_LIMIT = "1GB"  # DuckDB's memory for a report's reads: it keeps what it used until the store closes,
# on top of the frames a page holds (3 GB more at 3 million orders without it); beyond, it spills to disk

FIRST_ITEM_COLUMNS = ["product", "product_line"]  # orders columns taken from the order's first line item

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # text read from the store: arrow-backed, NaN when missing


def _text_type(kind: pa.DataType) -> Any:
    """``to_pandas`` types_mapper: arrow text stays arrow (``TEXT``) instead of one Python object per value."""
    return TEXT if pa.types.is_string(kind) or pa.types.is_large_string(kind) else None


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
ALTER TABLE orders ADD COLUMN IF NOT EXISTS paid_at TIMESTAMP;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS fulfilled_at TIMESTAMP;
"""
STATE_COLUMNS = ["paid_at", "fulfilled_at"]  # kept for the latest-state rule, not canonical columns


_TIME_COLUMNS = ("ordered_at", "cancelled_at", "paid_at", "fulfilled_at")
_LIST_COLUMNS = ("tags", "discount_codes")
_TEXT_COLUMNS = frozenset({
    "order_id", "order_name", "customer_key", "email", "currency", "financial_status", "channel", "source",
    "location", "source_file", "product", "product_line", "sku", "vendor",
})
INSERT_ROWS = 122_880  # rows per arrow batch inserted by Store.upsert: one DuckDB row group
COMPARE_ROWS = 1 << 18  # imported orders compared with their stored copies at a time (each pass reads the table)
SPILL_ORDERS = 200_000  # a loader's result of this many orders is moved to a file for the database work


_STATE_KEY_SOURCE = ["cancelled_at", "refunded_amount", "financial_status", *STATE_COLUMNS]


def _import_source(result: ImportResult) -> ImportResult:
    """The import as a loader's result (arrow tables, orders with ``STATE_COLUMNS``).

    A result made of DataFrames (tests, small loaders) is converted: times to naive UTC, text given as
    strings (not inferred: faster), NaN and None as null, as when DuckDB scans a DataFrame.
    """
    if callable(getattr(result, "tables", None)) and result.tables() is not None:
        return result
    from ltvlib.io.result import ImportResult

    return ImportResult(_frame_table(result.orders, ORDER_COLUMNS, _states(result)),
                        _frame_table(result.line_items, LINE_ITEM_COLUMNS), result.accounting)


def _frame_table(frame: pd.DataFrame, columns: list[str], extra: pd.DataFrame | None = None) -> pa.Table:
    types = {c: pa.list_(pa.string()) for c in _LIST_COLUMNS} | {c: pa.string() for c in _TEXT_COLUMNS}
    arrays = {}
    for part, names in [(frame, columns)] + ([(extra, list(extra.columns))] if extra is not None else []):
        for c in names:
            values = part[c].dt.tz_convert("UTC").dt.tz_localize(None) if c in _TIME_COLUMNS else part[c]
            arrays[c] = pa.array(values, types.get(c))
    return pa.table(arrays)


def _states(result: ImportResult) -> pd.DataFrame:
    """The result's ``paid_at``/``fulfilled_at`` in UTC, row for row with its orders (unknown: NaT)."""
    states = getattr(result, "states", None)
    columns = {}
    for c in STATE_COLUMNS:
        if states is not None and c in states:
            times = pd.DatetimeIndex(states[c]).as_unit("ns")
            columns[c] = times.tz_localize("UTC") if times.tz is None else times.tz_convert("UTC")
        else:
            columns[c] = pd.DatetimeIndex(np.full(len(result.orders), np.datetime64("NaT", "ns"))).tz_localize("UTC")
    return pd.DataFrame(columns)


def _store_array(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Values in the store's form: text decoded from dictionaries, zoned times as naive UTC, NaN as null."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        values = values.cast(kind.value_type)
    elif pa.types.is_timestamp(kind) and kind.tz is not None:
        values = values.cast(pa.timestamp(kind.unit))  # arrow times are UTC instants: the zone is dropped
    elif pa.types.is_floating(kind) and pc.any(pc.is_nan(values)).as_py():
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, kind), values)
    return values


def _store_table(rows: pa.Table, columns: list[str]) -> pa.Table:
    """``columns`` of ``rows`` in the store's form (see :func:`_store_array`)."""
    return pa.table({c: _store_array(rows.column(c)) for c in columns})


def _store_rows(table: pa.Table, at: np.ndarray, columns: list[str]) -> pa.Table:
    """:func:`_store_table` of the rows at increasing positions ``at``: the span they lie in is converted,
    then picked from (a take from dictionary columns of many chunks would merge their dictionaries)."""
    if not len(at):
        return _store_table(table.slice(0, 0), columns)
    span = _store_table(table.slice(int(at[0]), int(at[-1]) - int(at[0]) + 1), columns)
    return span if len(at) == span.num_rows else span.take(pa.array(at - at[0]))


LOCK_TIMEOUT = 60.0  # seconds to wait for a store another process holds (env LTV_LOCK_TIMEOUT overrides)


class StoreBusy(LtvError):
    """Another process still held the store when the wait for its lock ran out."""


def _lock_timeout(given: float | None) -> float:
    """``given``, else ``LTV_LOCK_TIMEOUT`` (seconds), else ``LOCK_TIMEOUT``."""
    if given is not None:
        return float(given)
    text = os.environ.get("LTV_LOCK_TIMEOUT", "").strip()
    if not text:
        return LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise LtvError(f"LTV_LOCK_TIMEOUT must be a number of seconds (0 or more), got {text!r}: "
                       "fix or unset the environment variable.")
    return value


def _connect(path: Path, read_only: bool, timeout: float, shop: str) -> duckdb.DuckDBPyConnection:
    """Open ``path``; while another process holds its lock, retry with backoff for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay, told = 0.05, False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("SET enable_progress_bar = false")  # it would print into terminals and notebook pages
            if read_only:  # a report's reads: DuckDB's working memory bounded, spilling to a private folder
                con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
                con.execute("SET temp_directory = ?", [os.path.join(tempfile.gettempdir(), f"ltv-duckdb-{os.getpid()}")])
            return con
        except duckdb.IOException as e:
            if "Could not set lock" not in str(e):
                raise
            holder = re.search(r"\(PID (\d+)\)", str(e))
            by = f" (PID {holder.group(1)})" if holder else ""
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusy(
                    f"{path}: the store of shop {shop} is still in use by another process{by} after waiting "
                    f"{timeout:g} s. Another `ltv import`, `ltv run` or a notebook of this shop has it open: "
                    "let it finish (or close the notebook's store) and try again, or set LTV_LOCK_TIMEOUT to a "
                    "longer wait in seconds."
                ) from None
            if not told:
                what = "an import" if read_only else "another import or report"
                print(f"waiting for {what} of shop {shop} to finish{by}... ({path})", file=sys.stderr, flush=True)
                told = True
            time.sleep(min(left, delay * random.uniform(0.5, 1.0)))
            delay = min(delay * 2, 1.0)


class Store:
    """A shop's DuckDB store. Use as a context manager; ``read_only`` for analyses.

    A store another process holds (a writer, or readers while this one would write) is waited for up to
    ``lock_timeout`` seconds (default ``LTV_LOCK_TIMEOUT`` or 60; ``shop`` names it in the notice), then
    ``StoreBusy`` is raised.
    """

    def __init__(self, path: str | Path, *, timezone: str, read_only: bool = False, lock_timeout: float | None = None,
                 shop: str | None = None) -> None:
        self.path = Path(path)
        self.timezone = timezone
        if read_only and not self.path.exists():
            raise FileNotFoundError(
                f"{self.path}: the shop store does not exist yet. Run `ltv import SHOP FILE...` first."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(self.path, read_only, _lock_timeout(lock_timeout), shop or self.path.stem)
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
        """Insert new orders and replace stored ones whose imported copy is as late or later, atomically.

        Of a stored and an imported copy of an order, the one with the later state is kept
        (:func:`ltvlib.io.result.state_key`: a cancellation is final, refunds only grow, then the financial
        status, ``paid_at`` and ``fulfilled_at``); on a tie the imported one, so re-importing a corrected
        export updates the store, and an older export imported after a newer one changes nothing. A
        replaced order is replaced whole, line items included, so nothing double-counts. An imported copy
        identical to the stored one is not rewritten: re-importing the same export leaves the store's
        tables (and file size) as they were. Rows go in as arrow batches of ``INSERT_ROWS``, converted to
        the store's types one batch at a time, so a loader's compact tables are never copied whole; a
        loader's result of ``SPILL_ORDERS`` or more is first moved to a file beside the store
        (:meth:`ImportResult.spill <ltvlib.io.ImportResult.spill>`) and read back batch by batch.

        Returns ``import_id`` and the numbers of orders new, replaced, unchanged and ``kept`` (the stored
        copy is in a later state than the imported one).
        """
        from ltvlib.history import is_prepared, prepare_store

        source = _import_source(result)
        if source is result and source.counts()["orders"] >= SPILL_ORDERS:
            source.spill(self.path.parent)  # the database work below gets the memory the tables held
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        con = self.con
        ids = _store_array(source.order_ids())
        restore = self._bulk_settings()
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                con.register("_new_orders", pa.table({"order_id": ids, "position": pa.array(np.arange(len(ids)))}))
                import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
                stored = con.execute(
                    "SELECT n.position, o.cancelled_at, o.refunded_amount, o.financial_status, o.paid_at, o.fulfilled_at "
                    "FROM orders o JOIN _new_orders n USING (order_id) ORDER BY n.position"
                ).df()
                if len(stored):  # orders already stored: decide which copies to keep, replace or leave
                    orders, items, done = self._resolve(source, ids, stored)
                    order_batches, item_batches = orders.to_batches(), items.to_batches()
                else:  # all new: the rows go in as they are, batch by batch
                    order_batches, item_batches = source.batches(0), source.batches(1)
                    done = {"written": len(ids), "replaced": 0, "unchanged": 0, "kept": 0}
                self._insert("orders", order_batches, source.schemas()[0], [*ORDER_COLUMNS, *STATE_COLUMNS],
                             f"*, {int(import_id)}::BIGINT AS import_id")
                self._insert("line_items", item_batches, source.schemas()[1], LINE_ITEM_COLUMNS, "*")
                restore()  # the prepared history below is stored in its sorted order
                written, replaced = done["written"], done["replaced"]
                con.execute(
                    "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        import_id, now, json.dumps(files, ensure_ascii=False), written - replaced, replaced,
                        result.accounting.to_json(orient="records", force_ascii=False),
                    ],
                )
                con.execute("INSERT OR REPLACE INTO meta VALUES ('timezone', ?)", [self.timezone])
                if written or not is_prepared(con, self.timezone):  # orders written: prepare the history anew
                    prepare_store(con, self.timezone)  # (what analyses read; an unchanged re-import leaves it as it is)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("_new_orders")
        finally:
            restore()
        if replaced:
            con.execute("CHECKPOINT")  # frees the replaced rows' blocks for reuse by the next import
        return {"import_id": int(import_id), "orders_new": written - replaced, "orders_replaced": replaced,
                "orders_unchanged": done["unchanged"], "orders_kept": done["kept"]}

    def _resolve(self, source: ImportResult, ids: pa.Array, stored: pd.DataFrame) -> tuple[pa.Table, pa.Table, dict]:
        """The imported orders and line items to write when some orders (``stored``: their positions and
        state columns) are in the store already; stored copies replaced by them are deleted here.

        Returns the tables to insert and the counts ``written`` (orders), ``replaced``, ``unchanged``,
        ``kept`` (stored copy in a later state).
        """
        from ltvlib.io.result import later_state, positions, state_key

        orders, items = source.tables()
        at = stored["position"].to_numpy()
        imported = _store_rows(orders, at, _STATE_KEY_SOURCE).to_pandas()
        kept = later_state(state_key(stored), state_key(imported))
        candidates = at[~kept]
        order_of_item = positions(items.column("order_id"), ids)
        changed = self._changed(orders, items, order_of_item, candidates)
        write = np.ones(len(ids), dtype=bool)
        write[at] = False
        write[candidates[changed]] = True
        replaced = int(changed.sum())
        if replaced:
            self.con.register("_gone", pa.table({"order_id": ids.take(pa.array(candidates[changed]))}))
            self.con.execute("DELETE FROM line_items WHERE order_id IN (SELECT order_id FROM _gone)")
            self.con.execute("DELETE FROM orders WHERE order_id IN (SELECT order_id FROM _gone)")
            self.con.unregister("_gone")
        item_rows = np.flatnonzero((order_of_item >= 0) & write[np.maximum(order_of_item, 0)])
        if not write.all():
            orders = _store_rows(orders, np.flatnonzero(write), [*ORDER_COLUMNS, *STATE_COLUMNS])
            items = _store_rows(items, item_rows, LINE_ITEM_COLUMNS)
        return orders, items, {"written": int(write.sum()), "replaced": replaced,
                               "unchanged": int((~changed).sum()), "kept": int(kept.sum())}

    def _bulk_settings(self) -> Callable[[], None]:
        """Set DuckDB up for inserting millions of rows; return the function that sets it back.

        Both threads append rows (no merging of their row groups into import order) and each row group is
        written as soon as it is full: at 1M customers the inserts take 9 instead of 12 s of CPU and some
        hundred MB less. The rows of one import may then lie in any order in ``orders`` and ``line_items``,
        which no reader relies on (they sort, as :meth:`orders` and :meth:`line_items` do); the settings are
        back before the prepared history, which is stored sorted, is written.
        """
        settings = {"preserve_insertion_order": "false", "write_buffer_row_group_count": "1"}
        before = {name: self.con.execute("SELECT current_setting(?)", [name]).fetchone()[0] for name in settings}
        for name, value in settings.items():
            self.con.execute(f"SET {name} = {value}")

        def restore() -> None:  # not in a failed transaction: after its rollback
            for name, value in before.items():
                self.con.execute(f"SET {name} = {value}")
        return restore

    def _insert(self, table: str, batches: Iterable[pa.RecordBatch], schema: pa.Schema, columns: list[str],
                select: str) -> None:
        """Insert record ``batches`` (of ``schema``) into ``table`` by column name, converted to the store's
        form ``INSERT_ROWS`` rows at a time."""
        def converted() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                for start in range(0, batch.num_rows, INSERT_ROWS):
                    yield from _store_table(pa.Table.from_batches([batch.slice(start, INSERT_ROWS)]),
                                            columns).to_batches()

        reader = pa.RecordBatchReader.from_batches(_store_table(schema.empty_table(), columns).schema, converted())
        self.con.register("_chunk", reader)  # replaces the previous view (also one a failure left)
        self.con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM _chunk")
        self.con.unregister("_chunk")

    def _changed(self, orders: pa.Table, items: pa.Table, order_of_item: np.ndarray,
                 candidates: np.ndarray) -> np.ndarray:
        """Per order at ``candidates`` (all in the store), whether it or its line items differ from the stored copy.

        ``order_of_item`` is each line item's order position. Compared chunk by chunk with SQL ``EXCEPT``
        (nulls equal), so a large re-import is never held twice.
        """
        changed = np.zeros(len(candidates), dtype=bool)
        order_cols = ", ".join([*ORDER_COLUMNS, *STATE_COLUMNS])
        item_cols = ", ".join(LINE_ITEM_COLUMNS)
        query = f"""
            WITH ids AS (SELECT order_id FROM _cand_orders),
            stored_items AS (SELECT {item_cols} FROM line_items WHERE order_id IN (SELECT order_id FROM ids))
            SELECT order_id FROM (SELECT {order_cols} FROM _cand_orders
                                  EXCEPT SELECT {order_cols} FROM orders WHERE order_id IN (SELECT order_id FROM ids))
            UNION SELECT order_id FROM (SELECT {item_cols} FROM _cand_items EXCEPT SELECT * FROM stored_items)
            UNION SELECT order_id FROM (SELECT * FROM stored_items EXCEPT SELECT {item_cols} FROM _cand_items)
        """
        chunk_of = np.zeros(orders.num_rows + 1, dtype=bool)  # the last entry: items of no imported order
        for start in range(0, len(candidates), COMPARE_ROWS):
            at = candidates[start:start + COMPARE_ROWS]
            chunk = _store_rows(orders, at, [*ORDER_COLUMNS, *STATE_COLUMNS])
            chunk_of[at] = True
            cand_items = _store_rows(items, np.flatnonzero(chunk_of[order_of_item]), LINE_ITEM_COLUMNS)
            chunk_of[at] = False
            self.con.register("_cand_orders", chunk)
            self.con.register("_cand_items", cand_items)
            differ = pa.array([r[0] for r in self.con.execute(query).fetchall()], pa.string())
            self.con.unregister("_cand_orders")
            self.con.unregister("_cand_items")
            changed[start:start + len(at)] = pc.is_in(chunk.column("order_id"), value_set=differ).to_numpy(
                zero_copy_only=False)
        return changed

    # -- reads --------------------------------------------------------------------------------
    def orders(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The ``orders`` table (canonical columns, or ``columns``), timestamps in the shop's zone.

        Text columns are arrow-backed strings (``TEXT``: pandas 3's ``str``, NaN for missing) and list columns
        (``tags``, ``discount_codes``) arrow lists (``pd.ArrowDtype``, an empty list for NULL): a few bytes per
        value instead of a Python object each, which on a 3-million-order shop is seconds and gigabytes;
        ``series.tolist()`` gives Python values where one needs them.

        ``product`` and ``product_line`` (``FIRST_ITEM_COLUMNS``) are those of each order's first line item
        (lowest ``line_no``), computed in the store: what the order-level product fields of ``OrderHistory``
        need, without reading the line items (gigabytes on a 3-million-order shop).
        """
        cols = columns or ORDER_COLUMNS
        unknown = sorted(set(cols) - set(ORDER_COLUMNS) - set(FIRST_ITEM_COLUMNS))
        if unknown:
            raise KeyError(f"unknown order columns {unknown}; valid: {ORDER_COLUMNS + FIRST_ITEM_COLUMNS}")
        first = [c for c in FIRST_ITEM_COLUMNS if c in cols]
        select = ", ".join(f"coalesce(o.{c}, []::VARCHAR[]) AS {c}" if c in _LIST_COLUMNS else
                           f"f.{c}" if c in first else f"o.{c}"
                           for c in dict.fromkeys([*cols, "ordered_at", "order_id"]))
        source = "orders o"
        if first:  # the order's first line item (lowest line number); null when it has none
            picks = ", ".join(f"arg_min_null({c}, line_no) AS {c}" for c in first)
            source += f" LEFT JOIN (SELECT order_id, {picks} FROM line_items GROUP BY order_id) f USING (order_id)"
        return self._sorted_frame(f"SELECT {select} FROM {source}", [("ordered_at", "ascending"),
                                                                    ("order_id", "ascending")], cols)

    def line_items(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The ``line_items`` table (canonical columns, or ``columns``) by order and line, read through arrow;
        text columns stay arrow-backed strings (``TEXT``), as in :meth:`orders`."""
        cols = columns or LINE_ITEM_COLUMNS
        unknown = sorted(set(cols) - set(LINE_ITEM_COLUMNS))
        if unknown:
            raise KeyError(f"unknown line item columns {unknown}; valid: {LINE_ITEM_COLUMNS}")
        select = ", ".join(dict.fromkeys([*cols, "order_id", "line_no"]))
        return self._sorted_frame(f"SELECT {select} FROM line_items", [("order_id", "ascending"),
                                                                      ("line_no", "ascending")], cols)

    def _sorted_frame(self, query: str, keys: list[tuple[str, str]], columns: list[str]) -> pd.DataFrame:
        """The rows of ``query`` sorted by ``keys``, as a frame of ``columns``.

        Sorted in arrow, one column at a time: each column is taken in order, converted and its unsorted copy
        released, so the peak is the table plus one column. DuckDB's ORDER BY would hold its sort buffers and
        the result at once (about 1 GiB more per 3 million orders)."""
        table = self.con.sql(query).to_arrow_table()
        order = pc.sort_indices(table.select([k for k, _ in keys]), sort_keys=keys)
        out: dict[str, pd.Series] = {}
        for c in columns:
            values = table.column(c).take(order)
            table = table.drop_columns([c])
            if c in _LIST_COLUMNS:
                out[c] = pd.Series(pd.arrays.ArrowExtensionArray(values))
            elif c in ("ordered_at", "cancelled_at"):  # stored as UTC instants
                out[c] = pd.to_datetime(values.to_pandas()).dt.tz_localize("UTC").dt.tz_convert(self.timezone)
            else:
                out[c] = values.to_pandas(types_mapper=_text_type)
            del values
        return pd.DataFrame(out, copy=False)

    def imports(self) -> pd.DataFrame:
        """One row per import: when, which files, new and replaced orders, row accounting (JSON)."""
        return self.con.execute("SELECT * FROM imports ORDER BY import_id").df()

    def counts(self) -> dict[str, Any]:
        """Row counts of the canonical tables, for summaries and checks."""
        o = self.con.execute("SELECT count(*) FROM orders").fetchone()[0]
        li = self.con.execute("SELECT count(*) FROM line_items").fetchone()[0]
        return {"orders": int(o), "line_items": int(li)}
