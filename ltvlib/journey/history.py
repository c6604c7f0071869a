"""Built-in segment families (status grid, stage scenario, channel, product line, win-back) at any date.

A segment defined by order history is a function of each customer's orders up to a date, so the
families are thin functions of the segments engine's shared order history (``ltvlib.segments.fields``):
``OrderHistory`` prepares the orders once and its ``Snapshot`` gives customer features (orders,
recency, status-grid cell, first order's product line, ...) at any date in a few vectorised passes,
without rebuilding a customer summary: a 52-week trend on a million customers needs 53 snapshots.

A family maps a snapshot to a bool matrix (customers known at its date x segments);
:class:`HistoryMembership` aligns it to all customers of the history for the flow engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.rfm import GRID_CELLS, SCENARIO_STAGES
from ltvlib.segments.fields import OrderHistory, Snapshot

__all__ = ["FAMILIES", "HistoryMembership", "MembershipArrays", "family_segments"]

UNKNOWN_CHANNEL = "unknown"  # the channel segment of orders without a channel


@dataclass(frozen=True, eq=False)
class MembershipArrays:
    """Segment membership at one date, aligned to an index of customer keys."""

    known: np.ndarray  # bool (customers,): has an order up to the date
    matrix: np.ndarray  # bool (customers, segments)


def _codes_of(vocab: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Position of each name in ``vocab``; -2 (matching no code, not even null's -1) if absent."""
    index = {str(v): i for i, v in enumerate(vocab)}
    return np.array([index.get(str(s), -2) for s in names], dtype=np.int64)


def _one_of(codes: np.ndarray, vocab: np.ndarray, segments: Sequence[str]) -> np.ndarray:
    """(customers x segments), column-major: the customer's code is the segment's."""
    return (codes == _codes_of(vocab, segments)[:, None]).T


def status_grid_family(snap: Snapshot, segments: Sequence[str], options: Mapping[str, Any]) -> np.ndarray:
    """Status-grid cells (``rfm.GRID_CELLS``): the ``grid_cell`` field, as ``rfm.status_grid`` at the date."""
    return _one_of(*snap.text("grid_cell"), segments)


def stage_scenario_family(snap: Snapshot, segments: Sequence[str], options: Mapping[str, Any]) -> np.ndarray:
    """Stage-scenario stages (``rfm.SCENARIO_STAGES``): the ``scenario_stage`` field, as ``rfm.stage_scenario``."""
    return _one_of(*snap.text("scenario_stage"), segments)


def channel_family(snap: Snapshot, segments: Sequence[str], options: Mapping[str, Any]) -> np.ndarray:
    """One segment per channel: ordered in that channel within the last ``within_days`` days (null: ever).

    Orders without a channel count as channel ``unknown``.
    """
    within = options.get("within_days", snap.thresholds["active_days"])
    h = snap.history
    lo = snap.window_start(None if within is None else int(within))
    codes, vocab = h.order_text("channel")
    who, channel = h.code[lo:snap.m], codes[lo:snap.m]
    out = np.zeros((len(snap), len(segments)), dtype=bool, order="F")
    for j, (name, code) in enumerate(zip(segments, _codes_of(vocab, segments))):
        hit = (channel == code) | (channel < 0) if name == UNKNOWN_CHANNEL else channel == code
        out[who[hit], j] = True
    return out


def product_line_family(snap: Snapshot, segments: Sequence[str], options: Mapping[str, Any]) -> np.ndarray:
    """``first_line:<line>`` (the ``first_order.product_line`` field) and ``fan:<line>`` (``fan_orders``+
    orders with an item of the line)."""
    h = snap.history
    if not h.has_line_items:
        raise ValueError("product-line journeys need line items: build OrderHistory with line_items")
    fan_orders = int(options.get("fan_orders", 2))
    first, vocab = snap.text("first_order.product_line")
    pos, line, _ = h.distinct_pairs("product_lines")
    upto = np.searchsorted(pos, snap.m)
    customer, line = h.code[pos[:upto]], line[:upto]
    n = len(snap)
    out = np.zeros((n, len(segments)), dtype=bool, order="F")
    for j, (name, code) in enumerate(zip(segments, _codes_of(vocab, [s.partition(":")[2] for s in segments]))):
        if code < 0:
            continue
        if name.startswith("first_line:"):
            out[:, j] = first == code
        else:  # orders with the line per customer, counted for this line only (not customers x lines at once)
            out[:, j] = np.bincount(customer[line == code], minlength=n)[:n] >= fan_orders
    return out


def winback_family(snap: Snapshot, segments: Sequence[str], options: Mapping[str, Any]) -> np.ndarray:
    """``lapsed``: no order for ``dormant_days``+ days; ``returned``: within ``returned_days`` of an order
    that followed ``dormant_days``+ days without one (a win-back)."""
    th = snap.thresholds
    dormant = int(options.get("dormant_days", th["active_days"] + 1))
    within = int(options.get("returned_days", th["active_days"]))
    h, n = snap.history, len(snap)
    # gap: days since the customer's previous purchase day (-1 on first orders and on a day's later orders)
    returns = np.flatnonzero(h.gap[:snap.m] > dormant)  # the customer was lapsed the day before this order
    last_return = np.full(n, np.iinfo(np.int64).min // 2, dtype=np.int64)
    np.maximum.at(last_return, h.code[returns], h.day[returns])
    columns = {"lapsed": snap.recency_days >= dormant, "returned": snap.day - last_return <= within}
    out = np.zeros((n, len(segments)), dtype=bool, order="F")
    for j, name in enumerate(segments):
        out[:, j] = columns[name]
    return out


# family name -> function (snapshot, segments, options) -> bool (customers known at the date x segments),
# column-major (the flow engine works by segment)
FAMILIES: dict[str, Callable[[Snapshot, Sequence[str], Mapping[str, Any]], np.ndarray]] = {
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
        codes, vocab = h.order_text("channel")
        return sorted({str(v) for v in vocab} | ({UNKNOWN_CHANNEL} if (codes < 0).any() else set()))
    if family == "product_line":
        lines = sorted(str(v) for v in h.order_text("product_line")[1])
        return [f"first_line:{x}" for x in lines] + [f"fan:{x}" for x in lines]
    if family == "winback":
        return ["lapsed", "returned"]
    raise ValueError(f"unknown segment family {family!r}; known: {', '.join(FAMILIES)}")


@dataclass(frozen=True, eq=False)
class HistoryMembership:
    """Membership of built-in segments at any date: ``source(as_of)`` gives the contract's DataFrame
    (index customer_key of customers known at ``as_of``, one bool column per segment);
    ``arrays(as_of)`` the same aligned to ``keys`` (every customer of the history) for the flow engine."""

    history: OrderHistory
    family: str
    segments: tuple[str, ...]
    thresholds: Mapping[str, Any]
    options: Mapping[str, Any]

    @property
    def keys(self) -> pd.Index:
        return self.history.key_index

    def _members(self, as_of: dt.date | str) -> tuple[Snapshot, np.ndarray]:
        snap = self.history.snapshot(as_of, self.thresholds)
        return snap, FAMILIES[self.family](snap, self.segments, self.options)

    def arrays(self, as_of: dt.date | str) -> MembershipArrays:
        snap, members = self._members(as_of)
        total = len(self.history)
        matrix = np.zeros((total, len(self.segments)), dtype=bool, order="F")  # the flow engine works by column
        matrix[: len(snap)] = members  # customers known at as_of are the first ones of the history
        return MembershipArrays(np.arange(total) < len(snap), matrix)

    def __call__(self, as_of: dt.date | str) -> pd.DataFrame:
        snap, members = self._members(as_of)
        return pd.DataFrame(members, index=snap.keys, columns=list(self.segments))
