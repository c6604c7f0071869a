"""Order history in compact arrays, and built-in segment families evaluated on it at any date.

A segment defined by order history (status-grid cell, stage, recent channel, product-line fan,
lapsed or returned) is a function of each customer's orders up to a date. Keeping every
customer's orders sorted by day lets us evaluate such segments at any date with a handful of
vectorised passes, without rebuilding a customer summary: a 52-week trend on a million customers
needs 53 evaluations.

Each family returns a :class:`Snapshot` over *all* customers of the history (aligned to
``OrderHistory.keys``): ``known`` marks customers with an order up to that date, ``matrix`` is
bool (customers x segments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.customers import customer_orders
from ltvlib.rfm import GRID_CELLS, SCENARIO_STAGES

__all__ = [
    "FAMILIES",
    "HistoryMembership",
    "OrderHistory",
    "Snapshot",
    "day_number",
]

_EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date | str) -> int:
    """Calendar day number (days since 1970-01-01) of a date, as ``customer_orders``' ``order_day``."""
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    if isinstance(d, dt.datetime):
        d = d.date()
    return (d - _EPOCH).days


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Segment membership at one date, aligned to an index of customer keys."""

    known: np.ndarray  # bool (customers,): has an order up to the date
    matrix: np.ndarray  # bool (customers, segments)


@dataclass(frozen=True, eq=False)
class OrderHistory:
    """Customer orders (visible at ``as_of``, identified, not cancelled) as arrays sorted by customer, day.

    ``code`` indexes ``keys``; ``start[c]`` is the first row of customer ``c``. ``line_row`` /
    ``line_code`` list each (order row, product line) pair once; ``first_line`` is the product line
    of each customer's first order's first line item (-1 if unknown), as ``customer_summary``'s
    ``first_product_line``.
    """

    as_of: dt.date
    keys: pd.Index
    code: np.ndarray
    day: np.ndarray
    start: np.ndarray
    channel: np.ndarray
    channels: tuple[str, ...]
    lines: tuple[str, ...] = ()
    line_row: np.ndarray | None = None
    line_code: np.ndarray | None = None
    first_line: np.ndarray | None = None

    @classmethod
    def from_orders(cls, orders: pd.DataFrame, as_of: dt.date | str,
                    line_items: pd.DataFrame | None = None) -> OrderHistory:
        """Build the history from canonical orders (and line items for product-line segments)."""
        as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        cols = [c for c in ("order_id", "customer_key", "ordered_at", "cancelled_at", "channel") if c in orders]
        o = customer_orders(orders[cols], as_of)
        code, keys = pd.factorize(o["customer_key"].to_numpy(), sort=False)
        ts = o["ordered_at"].array.asi8
        order = np.lexsort((ts, code))  # by customer, then time (numeric keys: fast on millions of orders)
        code, ts = code[order].astype(np.int64), ts[order]
        day = o["order_day"].to_numpy()[order].astype(np.int64)
        ch_code, ch_names = pd.factorize(o["channel"].fillna("unknown").to_numpy(), sort=False)
        rank = np.argsort(np.argsort(np.asarray(ch_names, dtype=object)))  # channel codes in name order
        channels = tuple(sorted(str(c) for c in ch_names))
        ch_code = rank[ch_code[order]] if len(ch_names) else ch_code[order]
        start = np.searchsorted(code, np.arange(len(keys)))
        lines: tuple[str, ...] = ()
        line_row = line_code = first_line = None
        if line_items is not None:
            ids = pd.Index(o["order_id"].to_numpy()[order])
            li = line_items.loc[line_items["product_line"].notna(), ["order_id", "line_no", "product_line"]]
            row = ids.get_indexer(li["order_id"])
            li = li.loc[row >= 0].assign(_row=row[row >= 0])
            lc, line_names = pd.factorize(li["product_line"], sort=True)
            lines = tuple(str(x) for x in line_names)
            pairs = np.unique(li["_row"].to_numpy().astype(np.int64) * max(len(lines), 1) + lc)
            line_row, line_code = pairs // max(len(lines), 1), pairs % max(len(lines), 1)
            firsts = li.assign(_lc=lc).sort_values(["_row", "line_no"], kind="stable").drop_duplicates("_row")
            order_line = np.full(len(ids), -1, dtype=np.int64)
            order_line[firsts["_row"].to_numpy()] = firsts["_lc"].to_numpy()
            first_line = order_line[_first_rows(code, ts, start, ids)] if len(start) else np.empty(0, dtype=np.int64)
        return cls(as_of, pd.Index(keys, name="customer_key"), code, day, start, ch_code.astype(np.int64),
                   tuple(str(c) for c in channels), lines, line_row, line_code, first_line)

    @property
    def n_customers(self) -> int:
        return len(self.keys)

    def counts_at(self, day: int) -> np.ndarray:
        """Orders per customer placed up to the end of ``day``."""
        return np.bincount(self.code[self.day <= day], minlength=self.n_customers)

    def last_day_at(self, day: int, counts: np.ndarray) -> np.ndarray:
        """Day of each customer's last order up to ``day`` (meaningless where ``counts`` is 0)."""
        return self.day[self.start + np.maximum(counts, 1) - 1]

    def check_day(self, day: int) -> None:
        if day > day_number(self.as_of):
            raise ValueError(f"date {_EPOCH + dt.timedelta(days=day)} is after the history's as_of {self.as_of}; "
                             "build the OrderHistory with the latest date you need")


def _first_rows(code: np.ndarray, ts: np.ndarray, start: np.ndarray, ids: pd.Index) -> np.ndarray:
    """Row of each customer's first order; orders placed at the same instant go by order_id, as in
    ``customer_summary``."""
    first = start.copy()
    tied = np.flatnonzero(ts == ts[start[code]])  # rows at their customer's first instant
    many = np.bincount(code[tied], minlength=len(start)) > 1
    if many.any():
        t = tied[many[code[tied]]]
        best = pd.DataFrame({"c": code[t], "id": ids[t], "r": t}).sort_values(["c", "id"]).drop_duplicates("c")
        first[best["c"].to_numpy()] = best["r"].to_numpy()
    return first


def _recency(h: OrderHistory, day: int) -> tuple[np.ndarray, np.ndarray]:
    n = h.counts_at(day)
    return n, day - h.last_day_at(day, n)


def _status(recency: np.ndarray, th: Mapping[str, Any]) -> np.ndarray:
    return np.searchsorted(np.array([th["active_days"], th["at_risk_days"], th["dormant_days"]]), recency,
                           side="left")


def _one_hot(idx: np.ndarray, known: np.ndarray, k: int) -> np.ndarray:
    m = np.zeros((len(idx), k), dtype=bool)
    rows = np.flatnonzero(known)
    m[rows, idx[rows]] = True
    return m


def status_grid_family(h: OrderHistory, day: int, th: Mapping[str, Any], options: Mapping[str, Any]) -> Snapshot:
    """Status-grid cells (``rfm.GRID_CELLS``), as ``rfm.status_grid`` of the summary at ``day``."""
    n, rec = _recency(h, day)
    stage = (n >= th["repeat_orders"]).astype(np.int64) + (n >= th["loyal_orders"])
    known = n > 0
    return Snapshot(known, _one_hot(stage * 4 + _status(rec, th), known, len(GRID_CELLS)))


def stage_scenario_family(h: OrderHistory, day: int, th: Mapping[str, Any],
                          options: Mapping[str, Any]) -> Snapshot:
    """Stage-scenario stages (``rfm.SCENARIO_STAGES``), as ``rfm.stage_scenario`` at ``day``."""
    n, rec = _recency(h, day)
    active = rec <= th["active_days"]
    stage = np.select([active & (n == 1), active & (n == 2), active & (n < th["loyal_orders"]), active,
                       rec <= th["dormant_days"]], [0, 1, 2, 3, 4], default=5)
    known = n > 0
    return Snapshot(known, _one_hot(stage, known, len(SCENARIO_STAGES)))


def channel_family(h: OrderHistory, day: int, th: Mapping[str, Any], options: Mapping[str, Any]) -> Snapshot:
    """One segment per channel: ordered in that channel within the last ``within_days`` days (null: ever)."""
    within = options.get("within_days", th["active_days"])
    names = list(options["segments"])
    seen = h.day <= day
    if within is not None:
        seen &= h.day >= day - int(within)
    n = h.n_customers
    m = np.zeros((n, len(names)), dtype=bool)
    for j, name in enumerate(names):
        if name in h.channels:
            m[:, j] = np.bincount(h.code[seen & (h.channel == h.channels.index(name))], minlength=n) > 0
    return Snapshot(h.counts_at(day) > 0, m)


def product_line_family(h: OrderHistory, day: int, th: Mapping[str, Any],
                        options: Mapping[str, Any]) -> Snapshot:
    """``first_line:<line>`` (first order's product line) and ``fan:<line>`` (``fan_orders``+ orders with it)."""
    if h.line_row is None:
        raise ValueError("product-line journeys need line items: build OrderHistory with line_items")
    fan_orders = int(options.get("fan_orders", 2))
    n = h.n_customers
    known = h.counts_at(day) > 0
    nl = max(len(h.lines), 1)
    upto = h.day[h.line_row] <= day
    per_line = np.bincount(h.code[h.line_row[upto]] * nl + h.line_code[upto], minlength=n * nl).reshape(n, nl)
    names = list(options["segments"])
    m = np.zeros((n, len(names)), dtype=bool)
    for j, name in enumerate(names):
        kind, _, line = name.partition(":")
        if line not in h.lines:
            continue
        li = h.lines.index(line)
        m[:, j] = known & (h.first_line == li) if kind == "first_line" else per_line[:, li] >= fan_orders
    return Snapshot(known, m)


def winback_family(h: OrderHistory, day: int, th: Mapping[str, Any], options: Mapping[str, Any]) -> Snapshot:
    """``lapsed``: no order for ``dormant_days``+ days; ``returned``: within ``returned_days`` of an order
    that followed ``dormant_days``+ days without one (a win-back)."""
    dormant = int(options.get("dormant_days", th["active_days"] + 1))
    within = int(options.get("returned_days", th["active_days"]))
    n, rec = _recency(h, day)
    known = n > 0
    same = np.zeros(len(h.code), dtype=bool)
    same[1:] = h.code[1:] == h.code[:-1]
    gap = np.zeros(len(h.day), dtype=np.int64)
    gap[1:] = np.diff(h.day)
    is_return = same & (gap > dormant)  # the customer was lapsed the day before this order
    rows = np.flatnonzero(is_return & (h.day <= day))
    last_return = np.full(h.n_customers, np.iinfo(np.int64).min // 2, dtype=np.int64)
    if len(rows):  # rows are sorted by customer, then day: the last row of each customer is its latest return
        last = rows[np.r_[h.code[rows][1:] != h.code[rows][:-1], True]]
        last_return[h.code[last]] = h.day[last]
    out = {"lapsed": known & (rec >= dormant), "returned": known & (day - last_return <= within)}
    names = list(options["segments"])
    return Snapshot(known, np.column_stack([out[s] for s in names]) if names else np.zeros((len(n), 0), dtype=bool))


# family name -> function (history, day, thresholds, options) -> Snapshot
FAMILIES: dict[str, Any] = {
    "status_grid": status_grid_family,
    "stage_scenario": stage_scenario_family,
    "channel": channel_family,
    "product_line": product_line_family,
    "winback": winback_family,
}


def family_segments(family: str, h: OrderHistory) -> list[str]:
    """Every segment a built-in family offers on this history (in display order)."""
    if family == "status_grid":
        return list(GRID_CELLS)
    if family == "stage_scenario":
        return list(SCENARIO_STAGES)
    if family == "channel":
        return list(h.channels)
    if family == "product_line":
        return [f"first_line:{x}" for x in h.lines] + [f"fan:{x}" for x in h.lines]
    if family == "winback":
        return ["lapsed", "returned"]
    raise ValueError(f"unknown segment family {family!r}; known: {', '.join(FAMILIES)}")


@dataclass(frozen=True, eq=False)
class HistoryMembership:
    """Membership of built-in segments at any date: ``source(as_of)`` gives the contract's DataFrame
    (index customer_key of customers known at ``as_of``, one bool column per segment);
    ``snapshot(day)`` the aligned arrays the flow engine uses."""

    history: OrderHistory
    family: str
    segments: tuple[str, ...]
    thresholds: Mapping[str, Any]
    options: Mapping[str, Any]

    @property
    def keys(self) -> pd.Index:
        return self.history.keys

    def snapshot(self, day: int) -> Snapshot:
        self.history.check_day(day)
        fn = FAMILIES[self.family]
        if self.family in ("status_grid", "stage_scenario"):
            snap = fn(self.history, day, self.thresholds, self.options)
            every = family_segments(self.family, self.history)
            return Snapshot(snap.known, snap.matrix[:, [every.index(s) for s in self.segments]])
        return fn(self.history, day, self.thresholds, {**self.options, "segments": self.segments})

    def __call__(self, as_of: dt.date | str) -> pd.DataFrame:
        snap = self.snapshot(day_number(as_of))
        return pd.DataFrame(snap.matrix[snap.known], index=self.keys[snap.known], columns=list(self.segments))
