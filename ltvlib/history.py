"""The one order-history engine: every fact about a shop's order history comes from here.

``OrderHistory`` prepares a shop's orders once: the orders that count for customer analyses
(identified, not cancelled) sorted by time, customers numbered by their first order (integer ids;
the customer keys are a dictionary used only at the edges), calendar day numbers in the shop's zone,
purchase days (several orders on one day are one purchase day, as ``lifetimes`` counts them) and the
gap in days since the previous purchase day, order-level columns (channels, codes, line items) as
integer code pairs prepared on first use. Because orders are sorted by time, the orders visible at any
``as_of`` are a prefix of the arrays and the customers known at it are a prefix of the customer ids; a
window ``WITHIN n DAYS`` is a contiguous slice.

``Snapshot`` re-aggregates that prefix for one ``as_of`` with ``np.bincount``: orders, revenue,
purchase days, first and last orders, recency and tenure, repurchase intervals, the status grid,
stages and RFM scores (with ``ltvlib.rfm``'s thresholds), and ``summary()``, the customer summary
(``frequency`` / ``recency`` / ``T`` / ``monetary_value`` equal to ``lifetimes``). Evaluating 52 weekly
dates costs 52 cheap passes, not 52 summaries. ``customers``, ``rfm``, ``segments``, ``journey``,
``cohorts``, ``clv`` and ``winback`` read order history through these two classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib import rfm
from ltvlib.rfm import GRID_CELLS, RECENCY_STATUSES, SCENARIO_STAGES, STAGES

__all__ = ["CORE_COLUMNS", "ORDER_COLUMNS", "SET_SOURCES", "OrderHistory", "Snapshot", "arrow_text", "as_of_cutoff", "day_number",
           "local_days", "text_values",
           "is_prepared", "local_day_sql", "prepare_store", "store_summary"]

ORDER_COLUMNS = ["order_id", "customer_key", "email", "ordered_at", "net_revenue", "cancelled_at", "channel", "source",
                 "discount_codes"]  # what summaries, cohorts and CLV read: load only these (Store.orders(columns))
CORE_COLUMNS = ["order_id", "customer_key", "ordered_at", "net_revenue", "cancelled_at"]  # what OrderHistory itself
# needs: purchase days and revenue (the CLV model choice's calibration and holdout), no text fields

SET_SOURCES = {  # customer set field -> order-level set it gathers
    "products_purchased": "products", "product_lines_purchased": "product_lines", "order_tags": "tags",
    "channels": "channel", "discount_codes": "discount_codes", "locations": "location",
}


def _as_date(as_of: dt.date | str | pd.Timestamp) -> dt.date:
    if isinstance(as_of, str):
        return dt.date.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def as_of_cutoff(as_of: dt.date | str, timezone: str) -> pd.Timestamp:
    """The first instant *after* ``as_of`` in ``timezone``: orders strictly before it are visible.

    Where daylight saving starts at midnight (America/Santiago, Asia/Beirut) the next day has no 00:00;
    it starts at 01:00, the first instant that exists (``nonexistent="shift_forward"``).
    """
    d = _as_date(as_of) + dt.timedelta(days=1)
    return pd.Timestamp(d).tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")


def local_days(ts: pd.Series) -> np.ndarray:
    """Calendar day numbers (days since 1970-01-01) of tz-aware timestamps, in their own zone."""
    return ts.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)


def day_number(day: dt.date | str) -> int:
    """Calendar day number (days since 1970-01-01) of a date: the scale of ``order_day``."""
    return (_as_date(day) - dt.date(1970, 1, 1)).days


def _encode(values: np.ndarray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for null or blank) and vocabulary of strings (arrow's hash encoding, C++ speed).

    Codes follow first appearance (customer numbers rely on that).
    """
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string(),
                                                                                   from_pandas=True)
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    blank = pc.equal(pc.utf8_trim_whitespace(enc.dictionary), "").to_numpy(zero_copy_only=False)
    vocab = enc.dictionary.to_numpy(zero_copy_only=False).astype(object)
    if blank.any():
        remap = np.where(blank, -1, np.cumsum(~blank) - 1).astype(np.int32)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
        vocab = vocab[~blank]
    return codes, vocab


def arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as arrow: zero-copy when arrow-backed (``Store.orders``), else converted."""
    if isinstance(values.array, pd.arrays.ArrowStringArray | pd.arrays.ArrowExtensionArray):
        return values.array.__arrow_array__()
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def text_values(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """``values`` (a text column) at ``positions`` as an object array: taken in arrow first, so only the values
    asked for become Python strings (an arrow-backed column's ``to_numpy()`` makes one per row)."""
    return arrow_text(values).take(pa.array(positions, type=pa.int64())).to_numpy(zero_copy_only=False).astype(object)


def _time_order(ns: np.ndarray, ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions sorting orders by (ordered_at, order_id); cheap when they already are (as Store.orders gives):
    only the ids of orders placed at the same instant are compared."""
    ties = np.flatnonzero(ns[1:] == ns[:-1])
    if np.all(ns[1:] >= ns[:-1]) and (not len(ties) or pc.all(pc.less(ids.take(ties), ids.take(ties + 1))).as_py()):
        return np.arange(len(ns))
    return pd.DataFrame({"t": ns, "id": ids.to_numpy(zero_copy_only=False)}).sort_values(
        ["t", "id"], kind="stable").index.to_numpy()


class OrderHistory:
    """A shop's countable orders prepared once for evaluation at any ``as_of`` (see module docstring).

    ``orders`` are canonical orders (``Store.orders()``); ``line_items`` canonical line items or None
    (product fields are then empty). Countable orders are those identified and not cancelled keeps:
    with a customer key and not cancelled. Columns a condition needs are prepared on first use.
    ``as_of`` (optional) keeps only the orders visible at it; snapshots after it are then errors.
    """

    def __init__(self, orders: pd.DataFrame, line_items: pd.DataFrame | None = None, *,
                 as_of: dt.date | str | None = None) -> None:
        ts = orders["ordered_at"]
        if ts.dt.tz is None:
            raise ValueError("orders.ordered_at must be tz-aware (the shop's time zone); see Store.orders")
        self.timezone = str(ts.dt.tz)
        self.as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        keep = orders["customer_key"].notna().to_numpy() & orders["cancelled_at"].isna().to_numpy()
        if self.as_of is not None:
            keep &= (ts < as_of_cutoff(self.as_of, self.timezone)).to_numpy()
        rows = np.flatnonzero(keep)
        ns = ts.array.asi8[rows]
        rows = rows[_time_order(ns, arrow_text(orders["order_id"]).take(rows))]
        self._orders, self._rows, self._line_items = orders, rows, line_items
        self._cache: dict[Any, Any] = {}
        self.day = local_days(ts)[rows]  # calendar day number in the shop's zone
        code, self.keys = _encode(arrow_text(orders["customer_key"]).take(rows))  # first-appearance order
        self.code = code.astype(np.int64)
        self.revenue = orders["net_revenue"].to_numpy(dtype=float)[rows]
        n, m = len(self.keys), len(rows)
        # orders grouped by customer, in time order within each customer
        self.by_customer = np.argsort(self.code, kind="stable")
        self.counts = np.bincount(self.code, minlength=n)
        self.starts = np.cumsum(self.counts) - self.counts
        self.first_pos = self.by_customer[self.starts] if n else np.zeros(0, np.int64)
        order_no = np.empty(m, dtype=np.int64)
        order_no[self.by_customer] = np.arange(m) - np.repeat(self.starts, self.counts) + 1
        self.order_no = order_no
        # the first order of a customer on a day opens a purchase day; gap = days since the previous one
        cs, ds = self.code[self.by_customer], self.day[self.by_customer]
        new_sorted = np.ones(m, dtype=bool)
        new_sorted[1:] = (cs[1:] != cs[:-1]) | (ds[1:] != ds[:-1])
        self.new_day = np.empty(m, dtype=bool)
        self.new_day[self.by_customer] = new_sorted
        gap_sorted = np.full(m, -1, dtype=np.int64)
        idx = np.flatnonzero(new_sorted)
        same = np.zeros(len(idx), dtype=bool)
        same[1:] = cs[idx[1:]] == cs[idx[:-1]]
        gap_sorted[idx[1:][same[1:]]] = ds[idx[1:][same[1:]]] - ds[idx[:-1][same[1:]]]
        self.gap = np.empty(m, dtype=np.int64)
        self.gap[self.by_customer] = gap_sorted
        self.first_day = self.day[self.first_pos]
        on_first = self.day == self.first_day[self.code]
        self.first_day_revenue = np.bincount(self.code[on_first], weights=self.revenue[on_first], minlength=n)

    def __len__(self) -> int:
        return len(self.keys)

    def memo(self, key: Any, compute: Any) -> Any:
        """``compute()`` once per ``key`` for this history: figures several analyses of one page share."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def frame(self) -> pd.DataFrame:
        """The orders frame the history was prepared from (every order, any identity)."""
        return self._orders

    @cached_property
    def purchase_days(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(customer ids, day numbers, rank) of every purchase day, sorted by customer then day; rank 0 is the
        customer's first purchase day."""
        pos = self.by_customer[self.new_day[self.by_customer]]
        code, day = self.code[pos], self.day[pos]
        rank = np.arange(len(code)) - np.searchsorted(code, np.arange(len(self.keys)))[code]
        return code, day, rank

    def nth_day(self, nth: int) -> np.ndarray:
        """Day number of each customer's ``nth`` purchase day (1 = the first; -1 where there is none)."""
        code, day, rank = self.purchase_days
        out = np.full(len(self.keys), -1, dtype=np.int64)
        sel = rank == nth - 1
        out[code[sel]] = day[sel]
        return out

    def first(self, name: str) -> np.ndarray:
        """``name`` of each customer's first order."""
        return self.at(name, self.first_pos)

    def at(self, name: str, positions: np.ndarray) -> np.ndarray:
        """An orders column at order ``positions`` (of the countable orders, in time order). Text is taken in
        arrow first, so only the values asked for become Python strings (not one per order)."""
        values = self._orders[name]
        if isinstance(values.array, pd.arrays.ArrowStringArray):
            return text_values(values, self._rows[positions])
        return values.to_numpy()[self._rows[positions]]

    def text_at(self, name: str, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """A text column of the orders at order ``positions``, as arrow-backed text (``store.TEXT``): no Python
        string per value (a summary of millions of customers holds several such columns)."""
        return _text(arrow_text(self._orders[name]).take(pa.array(self._rows[positions], type=pa.int64())))

    def item_orders(self, line_items: pd.DataFrame) -> np.ndarray:
        """Order position of each row of ``line_items`` (-1 where its order is not counted): hashed in arrow."""
        if line_items is self._line_items:
            pos, rows = self._item_positions()
            out = np.full(len(line_items), -1, dtype=np.int64)
            out[rows] = pos
            return out
        return pc.index_in(arrow_text(line_items["order_id"]), value_set=self._text_column("order_id")).fill_null(
            -1).to_numpy(zero_copy_only=False).astype(np.int64)

    @property
    def n_orders(self) -> int:
        return len(self.code)

    @cached_property
    def key_index(self) -> pd.Index:
        """``keys`` as an Index named customer_key (built once: snapshots slice it)."""
        return pd.Index(self.keys, name="customer_key")

    @property
    def has_line_items(self) -> bool:
        """Whether the orders' product fields are known: line items were given, or the orders carry their first
        line item's ``product`` and ``product_line`` (``winback.load_orders``; product sets then stay empty)."""
        return self._line_items is not None or {"product", "product_line"} <= set(self._orders.columns)

    def snapshot(self, as_of: dt.date | str, thresholds: Mapping[str, Any] | None = None) -> Snapshot:
        """Customer features as of the end of ``as_of`` (shop's calendar day); statuses need ``thresholds``."""
        return Snapshot(self, as_of, thresholds)

    @cached_property
    def stamps(self) -> pd.DatetimeIndex:
        """``ordered_at`` of the countable orders, in time order (tz-aware, the shop's zone)."""
        return pd.DatetimeIndex(self._orders["ordered_at"].array[self._rows])

    def column(self, name: str) -> np.ndarray:
        """An orders column restricted to the countable orders, in time order."""
        return self._orders[name].to_numpy()[self._rows]

    def _text_column(self, name: str) -> pa.Array | pa.ChunkedArray:
        """An orders text column restricted to the countable orders, in time order, as arrow (no Python objects)."""
        return arrow_text(self._orders[name]).take(self._rows)

    # -- order-level columns, prepared on first use -------------------------------------------------------
    def order_text(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes per order, vocabulary) of an order-level text field."""
        key = ("text", name)
        if key not in self._cache:
            if name in ("channel", "location", "financial_status"):
                self._cache[key] = _encode(self._text_column(name))
            elif name == "discount_code" and name in self._orders:  # the first code, computed in the store
                self._cache[key] = _encode(self._text_column(name))
            elif name == "discount_code":
                first = pc.list_slice(self._lists("discount_codes"), 0, 1)
                codes, vocab = _encode(pc.list_flatten(first))
                out = np.full(self.n_orders, -1, dtype=np.int32)
                out[pc.list_parent_indices(first).to_numpy()] = codes
                self._cache[key] = (out, vocab)
            elif name in ("product_line", "product") and self._line_items is None and name in self._orders:
                self._cache[key] = _encode(self._text_column(name))  # the first item's, computed in the store
            elif name in ("product_line", "product"):
                self._cache[key] = self._main_item(name)
            else:
                raise KeyError(name)
        return self._cache[key]

    def order_number(self, name: str) -> np.ndarray:
        """Values per order of an order-level number field (``days_ago`` excepted: it depends on as_of)."""
        key = ("number", name)
        if key not in self._cache:
            if name == "order_number":
                self._cache[key] = self.order_no.astype(float)
            else:
                self._cache[key] = self.column(name).astype(float)
        return self._cache[key]

    def order_pairs(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(order positions ascending, value codes, vocabulary): the values of an order-level set field.

        ``channel`` and ``location`` give one pair per order (their customer sets gather them).
        """
        key = ("pairs", name)
        if key not in self._cache:
            if name in ("tags", "discount_codes"):
                lists = self._lists(name)
                pos = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
                codes, vocab = _encode(pc.list_flatten(lists))
                keep = codes >= 0
                self._cache[key] = (pos[keep], codes[keep], vocab)
            elif name in ("products", "product_lines"):
                pos, _ = self._item_positions()
                codes, vocab = self._item_column(name[:-1])
                order = np.argsort(pos, kind="stable")
                pos, codes = pos[order], codes[order]
                keep = codes >= 0
                self._cache[key] = (pos[keep], codes[keep], vocab)
            elif name in ("channel", "location"):
                codes, vocab = self.order_text(name)
                pos = np.flatnonzero(codes >= 0)
                self._cache[key] = (pos, codes[pos], vocab)
            else:
                raise KeyError(name)
        return self._cache[key]

    def value_positions(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(offsets, positions) of an order-level set field by value: the orders holding value code ``c`` are
        ``positions[offsets[c]:offsets[c + 1]]``, ascending, so a date's or window's orders are a slice."""
        key = ("by_value", name)
        if key not in self._cache:
            pos, vals, vocab = self.order_pairs(name)
            order = np.argsort(vals, kind="stable")  # stable: positions stay ascending within a value
            offsets = np.searchsorted(vals[order], np.arange(len(vocab) + 1))
            self._cache[key] = (offsets, pos[order])
        return self._cache[key]

    def distinct_pairs(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``order_pairs`` with each (order, value) once: an order with two items of a line has it once."""
        key = ("distinct", name)
        if key not in self._cache:
            pos, codes, vocab = self.order_pairs(name)
            width = max(len(vocab), 1)
            pairs = np.unique(pos * width + codes)  # sorted: order positions stay ascending
            self._cache[key] = (pairs // width, pairs % width, vocab)
        return self._cache[key]

    def _lists(self, column: str) -> pa.ListArray:
        """A list column (tags, discount codes) of the countable orders as one arrow list array: taken
        straight from arrow when the frame holds it so (``Store.orders``), else built from Python lists."""
        key = ("lists", column)
        if key not in self._cache:
            values = self._orders[column].array
            if isinstance(values, pd.arrays.ArrowExtensionArray):
                taken = values.__arrow_array__().take(pa.array(self._rows)).combine_chunks()
                self._cache[key] = taken.cast(pa.list_(pa.string()))
            else:
                self._cache[key] = pa.array(self.column(column), type=pa.list_(pa.string()), from_pandas=True)
        return self._cache[key]

    def _item_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Order position of every line item of a countable order, and those items' rows in ``line_items``."""
        if "items" not in self._cache:
            li = self._line_items
            if li is None or not len(li):
                self._cache["items"] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
            else:
                ids = self._text_column("order_id")
                pos = pc.index_in(arrow_text(li["order_id"]), value_set=ids).fill_null(-1).to_numpy(zero_copy_only=False)
                rows = np.flatnonzero(pos >= 0)
                self._cache["items"] = (pos[rows].astype(np.int64), rows)
        return self._cache["items"]

    def _item_column(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, vocabulary) of a line item text column, for the items of ``_item_positions``."""
        key = ("item", column)
        if key not in self._cache:
            _, rows = self._item_positions()
            if not len(rows):
                self._cache[key] = (np.zeros(0, np.int32), np.zeros(0, object))
            else:
                self._cache[key] = _encode(arrow_text(self._line_items[column]).take(rows))
        return self._cache[key]

    def _main_item(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Per order, ``column`` of its first line item (lowest line_no)."""
        pos, rows = self._item_positions()
        codes, vocab = self._item_column(column)
        out = np.full(self.n_orders, -1, dtype=np.int32)
        if len(pos):
            line = self._line_items["line_no"].to_numpy(dtype=np.int64)[rows]
            lowest = np.full(self.n_orders, np.iinfo(np.int64).max)
            np.minimum.at(lowest, pos, line)
            first = line == lowest[pos]
            out[pos[first]] = codes[first]
        return out, vocab

class Snapshot:
    """Customer features at one ``as_of``: customers ``keys`` (first-order order), fields computed on demand.

    Arrays have one entry per customer known at ``as_of`` (``len(snapshot)``); text fields come as
    (codes, vocabulary) with -1 for null; set fields as (customer, value code, vocabulary) pairs.
    """

    def __init__(self, history: OrderHistory, as_of: dt.date | str,
                 thresholds: Mapping[str, Any] | None = None) -> None:
        self.history = history
        self.as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        if history.as_of is not None and self.as_of > history.as_of:
            raise ValueError(f"date {self.as_of} is after the history's as_of {history.as_of}; "
                             "build the OrderHistory with the latest date you need")
        self.thresholds = thresholds
        self.day = day_number(self.as_of)
        self.m = int(np.searchsorted(history.day, self.day, side="right"))
        self.n = int(np.searchsorted(history.first_pos, self.m))
        self._cache: dict[Any, Any] = {}

    def __len__(self) -> int:
        return self.n

    @property
    def keys(self) -> pd.Index:
        return self.history.key_index[: self.n]

    def window_start(self, days: int | None) -> int:
        """Position of the first order inside ``WITHIN days DAYS`` (order day >= as_of - days)."""
        return 0 if days is None else int(np.searchsorted(self.history.day, self.day - days, side="left"))

    def _memo(self, key: Any, compute) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- basic aggregates ----------------------------------------------------------------------------------
    def _bincount(self, weights: np.ndarray | None = None) -> np.ndarray:
        h, m = self.history, self.m
        return np.bincount(h.code[:m], weights=None if weights is None else weights[:m], minlength=self.n)

    @property
    def orders(self) -> np.ndarray:
        return self._memo("orders", lambda: self._bincount())

    @property
    def net_revenue(self) -> np.ndarray:
        return self._memo("net_revenue", lambda: self._bincount(self.history.revenue))

    @property
    def purchase_days(self) -> np.ndarray:
        return self._memo("purchase_days", lambda: np.rint(self._bincount(self.history.new_day.astype(float))
                                                           ).astype(np.int64))

    @property
    def last_pos(self) -> np.ndarray:
        h = self.history
        return self._memo("last_pos", lambda: h.by_customer[h.starts[: self.n] + self.orders - 1])

    @property
    def first_pos(self) -> np.ndarray:
        return self.history.first_pos[: self.n]

    @property
    def recency_days(self) -> np.ndarray:
        return self._memo("recency_days", lambda: self.day - self.history.day[self.last_pos])

    def summary(self, *, text: bool = True) -> pd.DataFrame:
        """The customer summary at ``as_of``: one row per customer (index ``customer_key``, first order first),
        columns ``customers.SUMMARY_COLUMNS`` (the product columns only when the history has line items).
        ``text=False`` leaves out the text columns (email, first order id, channels, codes, products): the
        figures only, from the orders' core columns (``CORE_COLUMNS``)."""
        h, n = self.history, self.n
        first, last = self.first_pos, self.last_pos
        orders, revenue, pdays = self.orders, self.net_revenue, self.purchase_days
        first_day, last_day = h.first_day[:n], h.day[last]
        frequency = pdays - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            monetary = np.where(frequency > 0, (revenue - h.first_day_revenue[:n]) / np.maximum(frequency, 1), 0.0)
            mean_interval = np.where(frequency > 0, (last_day - first_day) / np.maximum(frequency, 1), np.nan)
            aov = revenue / orders
        stamps = h.stamps
        out = {
            "orders": orders.astype(np.int64),
            "purchase_days": pdays.astype(np.int64),
            "first_order_at": stamps[first],
            "last_order_at": stamps[last],
            "recency_days": (self.day - last_day).astype(np.int64),
            "tenure_days": (self.day - first_day).astype(np.int64),
            "frequency": frequency.astype(np.int64),
            "recency": (last_day - first_day).astype(np.int64),
            "T": (self.day - first_day).astype(np.int64),
            "net_revenue": revenue.astype(float),
            "aov": aov.astype(float),
            "monetary_value": monetary.astype(float),
            "mean_interval_days": mean_interval.astype(float),
        }
        if not text:
            return pd.DataFrame(out, index=self.keys)
        out = {"email": h.text_at("email", last), **out, "first_order_id": h.text_at("order_id", first)}
        texts = [("first_channel", "channel", first), ("last_channel", "channel", last),
                 ("first_discount_code", "discount_code", first)]
        if h.has_line_items:
            texts += [("first_product_line", "product_line", first), ("first_product", "product", first)]
        for column, attr, pos in texts:  # from the encoded orders
            codes, vocab = h.order_text(attr)
            c = codes[pos]
            out[column] = _text(pa.array(vocab, type=pa.string()).take(pa.array(c, mask=c < 0)) if len(vocab)
                                else pa.nulls(len(c), pa.string()))
        return pd.DataFrame(out, index=self.keys)

    def intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """(customer, days) of every gap between consecutive purchase days visible at as_of."""
        def compute():
            h, m = self.history, self.m
            at = np.flatnonzero(h.gap[:m] >= 0)
            return h.code[at], h.gap[at]
        return self._memo("intervals", compute)

    def interval_frame(self) -> pd.DataFrame:
        """The repurchase intervals visible at as_of as a frame: customer_key, purchase_no (2 = from the 1st
        to the 2nd purchase day), days; rows in the order the repurchases happened."""
        h = self.history
        at = np.flatnonzero(h.gap[: self.m] >= 0)
        running = np.cumsum(h.new_day[h.by_customer])  # purchase days so far, customers one after another
        before = np.r_[0, running[h.starts[1:] - 1]] if len(h) else np.zeros(0, dtype=np.int64)
        number = np.empty(h.n_orders, dtype=np.int64)
        number[h.by_customer] = running - np.repeat(before, h.counts)
        keys = np.asarray(h.keys, dtype=object)
        return pd.DataFrame({"customer_key": keys[h.code[at]] if len(at) else np.zeros(0, dtype=object),
                             "purchase_no": number[at].astype(np.int64), "days": h.gap[at].astype(np.int64)})

    # -- fields --------------------------------------------------------------------------------------------
    def number(self, name: str) -> np.ndarray:
        """A number field (float array, NaN for null)."""
        return self._memo(("number", name), lambda: np.asarray(self._number(name), dtype=float))

    def _number(self, name: str) -> np.ndarray:
        h = self.history
        if name in ("orders", "net_revenue", "purchase_days", "recency_days"):
            return getattr(self, name)
        if name == "frequency":
            return self.purchase_days - 1
        if name == "aov":
            return self.net_revenue / np.maximum(self.orders, 1)
        if name == "tenure_days":
            return self.day - h.first_day[: self.n]
        if name in ("monetary_value", "mean_interval_days"):
            f = self.purchase_days - 1
            with np.errstate(divide="ignore", invalid="ignore"):
                if name == "monetary_value":
                    return np.where(f > 0, (self.net_revenue - h.first_day_revenue[: self.n]) / np.maximum(f, 1), 0.0)
                span = h.day[self.last_pos] - h.first_day[: self.n]
                return np.where(f > 0, span / np.maximum(f, 1), np.nan)
        if name in ("r_score", "f_score", "m_score", "rfm_score"):
            return self._scores()[name]
        if name in ("first_order.net_revenue", "last_order.net_revenue"):
            return h.revenue[self._order_pos(name)]
        raise KeyError(name)

    def date(self, name: str) -> np.ndarray:
        """A date field as calendar day numbers."""
        h = self.history
        if name == "first_order_date":
            return h.first_day[: self.n]
        if name == "last_order_date":
            return h.day[self.last_pos]
        raise KeyError(name)

    def text(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A text field: (codes, vocabulary), -1 for null."""
        return self._memo(("text", name), lambda: self._text(name))

    def _text(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        t = self.thresholds
        if name == "stage":
            return rfm.stage_codes(self.orders, t), np.array(STAGES, dtype=object)
        if name == "recency_status":
            return self._recency_code(), np.array(RECENCY_STATUSES, dtype=object)
        if name == "grid_cell":
            return (self.text("stage")[0] * len(RECENCY_STATUSES) + self._recency_code(),
                    np.array(GRID_CELLS, dtype=object))
        if name == "scenario_stage":
            return rfm.scenario_codes(self.recency_days, self.orders, t), np.array(SCENARIO_STAGES, dtype=object)
        if name == "rfm_cell":
            s = self._scores()
            code = ((s["r_score"] - 1) * 25 + (s["f_score"] - 1) * 5 + (s["m_score"] - 1)).astype(np.int64)
            vocab = np.array([f"{r}{f}{m}" for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)],
                             dtype=object)
            return code, vocab
        if name.startswith(("first_order.", "last_order.")):
            codes, vocab = self.history.order_text(name.split(".", 1)[1])
            return codes[self._order_pos(name)], vocab
        raise KeyError(name)

    def _recency_code(self) -> np.ndarray:
        return rfm.recency_codes(self.recency_days, self.thresholds)

    def _order_pos(self, name: str) -> np.ndarray:
        return self.first_pos if name.startswith("first_order.") else self.last_pos

    def _scores(self) -> dict[str, np.ndarray]:
        """RFM scores as ``rfm.rfm_scores`` computes them (quintiles of ranks with ties at the max)."""
        def compute():
            return rfm.score_arrays(self.recency_days, self.orders, self.net_revenue, self.thresholds)
        return self._memo("scores", compute)

    def pairs(self, name: str, window: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A set field: (customer codes, value codes, vocabulary), one pair per (order, value)."""
        return self._memo(("pairs", name, window), lambda: self._pairs(name, window))

    def having(self, name: str, codes: np.ndarray, window: int | None = None) -> np.ndarray:
        """Per customer, whether an order visible at as_of (within ``window`` days) holds one of the value
        ``codes`` of the customer set field ``name``: work in proportion to those orders, not to all pairs."""
        h = self.history
        offsets, positions = h.value_positions(SET_SOURCES[name])
        lo, hi = self.window_start(window), self.m
        out = np.zeros(self.n, dtype=bool)
        for c in np.asarray(codes, dtype=np.int64):
            if 0 <= c < len(offsets) - 1:
                run = positions[offsets[c]:offsets[c + 1]]
                a, b = np.searchsorted(run, [lo, hi])
                out[h.code[run[a:b]]] = True
        return out

    def _pairs(self, name: str, window: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h = self.history
        if name.startswith(("first_order.", "last_order.")):
            pos, vals, vocab = h.order_pairs(name.split(".", 1)[1])
            hi = np.searchsorted(pos, self.m)
            pos, vals = pos[:hi], vals[:hi]
            cust = h.code[pos]
            keep = pos == self._order_pos(name)[cust]
            return cust[keep], vals[keep], vocab
        pos, vals, vocab = h.order_pairs(SET_SOURCES[name])
        lo, hi = np.searchsorted(pos, [self.window_start(window), self.m])
        return h.code[pos[lo:hi]], vals[lo:hi], vocab


PREPARED_TABLES = ("history_customers", "history_orders")

_PREPARE_CUSTOMERS_SQL = """
CREATE OR REPLACE {kind} history_customers AS
WITH f AS (
    SELECT customer_key, arg_min({{'t': ordered_at, 'id': order_id, 'ch': channel, 'code': discount_codes[1]}},
                                 (ordered_at, order_id)) AS f
    FROM orders WHERE customer_key IS NOT NULL AND cancelled_at IS NULL GROUP BY customer_key
)
SELECT (row_number() OVER (ORDER BY f.t, f.id) - 1)::INTEGER AS cid, customer_key, f.t AS first_order_at,
       f.id AS first_order_id, f.ch AS first_channel, f.code AS first_discount_code
FROM f ORDER BY cid
"""

_PREPARE_ORDERS_SQL = """
CREATE OR REPLACE {kind} history_orders AS
SELECT c.cid, ({local_day} - DATE '1970-01-01')::INTEGER AS day, o.ordered_at, o.net_revenue AS revenue,
       o.channel, o.email
FROM orders o JOIN {schema}.history_customers c ON o.customer_key = c.customer_key
WHERE o.cancelled_at IS NULL
ORDER BY c.cid, o.ordered_at, o.order_id
"""


def local_day_sql(timezone: str, start: dt.datetime, end: dt.datetime, column: str = "ordered_at") -> str:
    """A DuckDB expression for the calendar date in ``timezone`` of ``column`` (a naive UTC TIMESTAMP) for
    instants between ``start`` and ``end``: the zone's UTC offsets and their change instants (daylight
    saving) written out as a CASE, several times faster than converting every row through ICU."""
    lo = pd.Timestamp(start).floor("D") - pd.Timedelta(days=2)
    hi = pd.Timestamp(end).ceil("D") + pd.Timedelta(days=2)
    utc = pd.date_range(lo, hi, freq="15min", tz="UTC")  # offsets change on quarter hours
    offset = (utc.tz_convert(timezone).tz_localize(None) - utc.tz_localize(None)).total_seconds().astype(np.int64)
    change = np.flatnonzero(offset[1:] != offset[:-1]) + 1
    def day(seconds: int) -> str:
        return f"CAST({column} + INTERVAL ({int(seconds)}) SECOND AS DATE)"
    if not len(change):
        return day(offset[0])
    whens = " ".join(f"WHEN {column} < TIMESTAMP '{utc[i].tz_localize(None)}' THEN {day(offset[i - 1])}"
                     for i in change)
    return f"CASE {whens} ELSE {day(offset[-1])} END"


def prepare_store(con: Any, timezone: str, *, temporary: bool = False) -> None:
    """Prepare the store's order history (``Store.upsert`` calls this in every import's transaction).

    ``history_customers``: one row per customer (``cid`` 0, 1, ... by first order, so the customers known
    at any date are a prefix) with the key and the first order's time, id, channel and discount code;
    ``history_orders``: the countable orders (identified, not cancelled) sorted by customer then time, with
    ``cid``, calendar ``day`` number in ``timezone``, time, revenue, channel and email. ``temporary``
    builds them as temp tables of this connection (a read-only store prepared by an older version).
    """
    lo, hi = con.sql("SELECT min(ordered_at), max(ordered_at) FROM orders").fetchall()[0]
    epoch = dt.datetime(1970, 1, 1)
    kind, schema = ("TEMP TABLE", "temp") if temporary else ("TABLE", "main")
    con.execute(_PREPARE_CUSTOMERS_SQL.format(kind=kind))
    con.execute(_PREPARE_ORDERS_SQL.format(kind=kind, schema=schema,
                                           local_day=local_day_sql(timezone, lo or epoch, hi or epoch, "o.ordered_at")))
    if not temporary:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('history_timezone', ?)", [timezone])


def is_prepared(con: Any, timezone: str) -> bool:
    """Whether the store holds a prepared history (``prepare_store``) for ``timezone``."""
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN ('meta', ?, ?)",
        list(PREPARED_TABLES)).fetchall()}
    return have == {"meta", *PREPARED_TABLES} and con.execute(
        "SELECT value FROM meta WHERE key = 'history_timezone'").fetchall() == [(timezone,)]


def _prepared_schema(con: Any, timezone: str) -> str:
    """Schema holding the prepared history for ``timezone``: the store's own, else temp tables built now."""
    if is_prepared(con, timezone):
        return "main"
    prepare_store(con, timezone, temporary=True)
    return "temp"


def _text(values: pa.ChunkedArray | pa.Array) -> pd.api.extensions.ExtensionArray:
    """Arrow text as the store's text dtype (``store.TEXT``: arrow-backed, NaN when missing)."""
    from ltvlib.store import TEXT

    return pd.array(values if len(values) else [], dtype=TEXT)


def store_summary(con: Any, as_of: dt.date | str, timezone: str) -> pd.DataFrame:
    """The customer summary at ``as_of`` from the store's prepared history (``prepare_store``): integer
    customer ids and day numbers aggregated with numpy, text taken as arrow. Same rows (first order first),
    columns and values as ``customers.customer_summary`` without line items (tests hold that); text columns
    and the index are arrow-backed strings (pandas' ``str`` dtype), missing values NaN."""
    as_of_day = day_number(as_of)
    schema = _prepared_schema(con, timezone)
    t = con.sql(f"SELECT cid, day, revenue FROM {schema}.history_orders").to_arrow_table()
    cid, day = t["cid"].to_numpy().astype(np.int64), t["day"].to_numpy()
    revenue = t["revenue"].to_numpy()
    visible = np.flatnonzero(day <= as_of_day)  # per customer, the orders seen at as_of are a prefix of its block
    cv, dv, rv = cid[visible], day[visible], revenue[visible]
    n = int(cv.max()) + 1 if len(cv) else 0  # customers are numbered by first order: the known are a prefix
    orders = np.bincount(cv, minlength=n)
    net = np.bincount(cv, weights=rv, minlength=n)
    new_day = np.ones(len(cv), dtype=bool)
    new_day[1:] = (cv[1:] != cv[:-1]) | (dv[1:] != dv[:-1])
    pdays = np.bincount(cv[new_day], minlength=n)
    first = np.cumsum(orders) - orders  # positions in the visible orders
    last = first + orders - 1
    first_day, last_day = dv[first], dv[last]
    on_first = dv == first_day[cv]
    first_day_revenue = np.bincount(cv[on_first], weights=rv[on_first], minlength=n)
    frequency = pdays - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, (net - first_day_revenue) / np.maximum(frequency, 1), 0.0)
        mean_interval = np.where(frequency > 0, (last_day - first_day) / np.maximum(frequency, 1), np.nan)
        aov = net / orders
    c = con.sql(f"SELECT customer_key, first_order_at, first_order_id, first_channel, first_discount_code "
                f"FROM {schema}.history_customers WHERE cid < $n", params={"n": n}).to_arrow_table()
    at_last = pa.array(visible[last])
    o = con.sql(f"SELECT ordered_at, channel, email FROM {schema}.history_orders").to_arrow_table()

    def stamps(values: pa.ChunkedArray) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(values.to_numpy()).tz_localize("UTC").tz_convert(timezone)

    out = {
        "email": _text(o["email"].take(at_last)),
        "orders": orders.astype(np.int64),
        "purchase_days": pdays.astype(np.int64),
        "first_order_at": stamps(c["first_order_at"]),
        "last_order_at": stamps(o["ordered_at"].take(at_last)),
        "recency_days": (as_of_day - last_day).astype(np.int64),
        "tenure_days": (as_of_day - first_day).astype(np.int64),
        "frequency": frequency.astype(np.int64),
        "recency": (last_day - first_day).astype(np.int64),
        "T": (as_of_day - first_day).astype(np.int64),
        "net_revenue": net.astype(float),
        "aov": aov.astype(float),
        "monetary_value": monetary.astype(float),
        "mean_interval_days": mean_interval.astype(float),
        "first_order_id": _text(c["first_order_id"]),
        "first_channel": _text(c["first_channel"]),
        "last_channel": _text(o["channel"].take(at_last)),
        "first_discount_code": _text(c["first_discount_code"]),
    }
    return pd.DataFrame(out, index=pd.Index(_text(c["customer_key"]), name="customer_key"), copy=False)  # no block copies
