"""Acquisition cohorts and repeat-buying facts: how repeat purchases and value build up after a first order.

Time semantics (DESIGN.md): every function takes ``as_of`` and sees only the orders that count for
customer analyses at that date (``customers.customer_orders``: visible, identified, not cancelled).
Periods (``month`` / ``week`` (Monday to Sunday) / ``quarter``) are calendar periods in the shop's time
zone. A customer's cohort is the period of their first order; "period k" of a cohort is the k-th
calendar period after it (period 0 = the acquisition period itself), so a customer who first bought on
31 January is in period 1 on 1 February, as in Lifetimely's cohort tables.

Several orders on one calendar day are one *purchase occasion*: the n-th purchase (repeat rates,
days between purchases) counts distinct purchase days, so a second order placed the same day is not a
repeat. Orders and net revenue count every order; refunds are already netted out in ``net_revenue``.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib.customers import day_number, visible_orders
from ltvlib.errors import LtvError
from ltvlib.history import OrderHistory, arrow_text, text_values
from ltvlib.io.product_lines import OTHER as OTHER_LINE
from ltvlib.text import md

__all__ = [
    "ACQUISITION_ATTRIBUTES",
    "PREDICTED_MONTH",
    "CohortReport",
    "analyse",
    "curve_horizon",
    "observed_cohorts",
    "shares_exceed_one",
    "MATRIX_COLUMNS",
    "NONE_LABEL",
    "PERIODS",
    "SEVERAL_LINES",
    "acquisition",
    "cohort_matrix",
    "cohort_matrices",
    "heatmap_table",
    "interval_summary",
    "ltv_curves",
    "narrative",
    "next_purchase_mix",
    "period_label",
    "predicted_revenue",
    "product_repeat",
    "repurchase_rates",
    "revenue_new_vs_repeat",
    "settings_period",
]

PERIODS = {"month": "M", "week": "W-SUN", "quarter": "Q-DEC"}
ACQUISITION_ATTRIBUTES = {
    "first_product_line": "product line of the first order (SEVERAL_LINES when it holds several lines)",
    "first_product": "product of the first order's first line item",
    "first_channel": "channel of the first order",
    "first_discount_code": "first discount code of the first order",
    "first_source": "raw source of the first order (e.g. web, pos, an app)",
}
NONE_LABEL = "none"  # split value of customers without the attribute (e.g. no discount code)
SEVERAL_LINES = "several_lines"  # first_product_line of a first order with several distinct product lines
REPEAT_NS = (2, 3, 4)
_UNIT_JA = {"month": "か月目", "week": "週目", "quarter": "四半期目"}


def period_label(period: str, k: int, language: str) -> str:
    """Name of period k after the first order: "month 6" / "6か月目"."""
    return f"{k}{_UNIT_JA[period]}" if language == "ja" else f"{period} {k}"
MATRIX_COLUMNS = {
    "cohort": "acquisition period (pandas Period)",
    "period": "k: calendar periods since the acquisition period (0 = acquisition period)",
    "customers": "customers acquired in the cohort (the cohort size)",
    "active_customers": "customers with an order in period k",
    "retention": "active_customers / customers",
    "repeaters_2": "customers whose 2nd purchase day fell in periods 0..k (also _3, _4)",
    "repeat_2": "repeaters_2 / customers: the repeat-rate curve (also repeat_3, repeat_4)",
    "orders": "orders placed in period k",
    "net_revenue": "net revenue of period k",
    "cum_net_revenue": "net revenue of periods 0..k",
    "ltv": "cum_net_revenue / customers: cumulative net revenue per customer (the LTV curve)",
    "complete": "period k has ended by as_of (the last period of a young cohort is partial)",
}


def _period_ordinal(days: np.ndarray, period: str) -> np.ndarray:
    """pandas Period ordinals (freq ``PERIODS[period]``) of calendar day numbers (days since 1970-01-01)."""
    if period == "week":
        return (days + 3) // 7 + 1  # 1970-01-01 is a Thursday; Period('1970-01-01', 'W-SUN').ordinal == 1
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if period == "month":
        return months
    if period == "quarter":
        return months // 3
    raise ValueError(f"period must be one of {sorted(PERIODS)}, got {period!r}")


def _periods(ordinals: np.ndarray, period: str) -> pd.PeriodIndex:
    return pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64), freq=PERIODS[period])


def _unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique without its hash path, which is many times slower on large int arrays)."""
    s = np.sort(values)
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = s[1:] != s[:-1]
    return s[keep]


def _attribute(h: OrderHistory, name: str, line_items: pd.DataFrame | None) -> np.ndarray:
    """Per customer of ``h``, the acquisition attribute ``name`` (``NONE_LABEL`` where missing); computed once
    per history and line-item frame."""
    return h.memo(("acquisition", name, id(line_items)), lambda: _compute_attribute(h, name, line_items))


def _compute_attribute(h: OrderHistory, name: str, line_items: pd.DataFrame | None) -> np.ndarray:
    if name not in ACQUISITION_ATTRIBUTES:
        raise ValueError(f"split must be one of {list(ACQUISITION_ATTRIBUTES)}, got {name!r}")
    if name in ("first_product_line", "first_product"):
        if line_items is None:
            raise ValueError(f"split {name!r} needs line_items (the products of the first order)")
        if name == "first_product_line":
            values = _first_order_lines(h.first("order_id"), line_items)
        else:
            values = _first_line_item(h.first("order_id"), line_items, "product")
    elif name == "first_discount_code":
        codes, vocab = h.order_text("discount_code")
        c = codes[h.first_pos]
        values = np.where(c >= 0, np.asarray(vocab, dtype=object)[np.maximum(c, 0)] if len(vocab) else None, None)
    else:
        values = h.first(name.removeprefix("first_"))
    missing = pd.isna(values) | (values == "")
    return np.where(missing, NONE_LABEL, values).astype(object)


def _first_order_lines(first_ids: np.ndarray, line_items: pd.DataFrame) -> np.ndarray:
    """The product line of each first order: its one line, ``SEVERAL_LINES`` when it holds several
    distinct lines, None when it has no line with a product line."""
    pos = _positions_in(first_ids, line_items)
    hit = np.flatnonzero(pos >= 0)
    values = text_values(line_items["product_line"], hit)
    pos = pos[hit]
    known = ~(pd.isna(values) | (values == ""))
    pairs = pd.DataFrame({"pos": pos[known], "line": values[known]}).drop_duplicates()
    counts = pairs.groupby("pos")["line"].agg(["first", "size"])
    out = np.full(len(first_ids), None, dtype=object)
    out[counts.index.to_numpy()] = np.where(counts["size"].to_numpy() > 1, SEVERAL_LINES,
                                            counts["first"].to_numpy(dtype=object))
    return out


def _positions_in(ids: np.ndarray, line_items: pd.DataFrame) -> np.ndarray:
    """Position in ``ids`` (order ids) of each line item's order, -1 where it is not among them (arrow's hash)."""
    value_set = pa.array(ids, type=pa.string(), from_pandas=True)
    return pc.index_in(arrow_text(line_items["order_id"]), value_set=value_set).fill_null(-1).to_numpy(
        zero_copy_only=False).astype(np.int64)


def _first_line_item(first_ids: np.ndarray, line_items: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` of the lowest-numbered line item of each first order (None without line items)."""
    pos = _positions_in(first_ids, line_items)
    rows = np.flatnonzero(pos >= 0)
    pos = pos[rows]
    order = np.lexsort((line_items["line_no"].to_numpy()[rows], pos))
    rows, pos = rows[order], pos[order]
    lowest = np.ones(len(pos), dtype=bool)
    lowest[1:] = pos[1:] != pos[:-1]
    out = np.full(len(first_ids), None, dtype=object)
    out[pos[lowest]] = text_values(line_items[column], rows[lowest])
    return out


Orders = pd.DataFrame | OrderHistory  # canonical orders, or their OrderHistory built at the same as_of


def _history(orders: Orders, as_of: dt.date | str) -> OrderHistory:
    """The order history at ``as_of``: ``orders`` itself when it already is one (prepared once by ``analyse``
    for all the page's figures), else prepared from the orders frame."""
    if isinstance(orders, OrderHistory):
        if orders.as_of != pd.Timestamp(as_of).date():
            raise ValueError(f"the OrderHistory was built at {orders.as_of}, not at {as_of}")
        return orders
    return OrderHistory(orders, as_of=as_of)


def _frame(orders: Orders) -> pd.DataFrame:
    return orders.frame if isinstance(orders, OrderHistory) else orders


def acquisition(orders: Orders, as_of: dt.date | str, line_items: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer (index ``customer_key``): ``first_order_at``, ``cohort_day`` (day number of the
    first order), ``first_order_id`` and the attributes in ``ACQUISITION_ATTRIBUTES`` (product ones only when
    ``line_items`` are given). Missing attributes (no discount code) are ``NONE_LABEL``."""
    h = _history(orders, as_of)
    out = pd.DataFrame({"first_order_at": h.stamps[h.first_pos], "cohort_day": h.first_day,
                        "first_order_id": h.first("order_id")}, index=pd.Index(h.keys, name="customer_key"))
    for name in ACQUISITION_ATTRIBUTES:
        if line_items is not None or name not in ("first_product_line", "first_product"):
            out[name] = _attribute(h, name, line_items)
    return out


def _split_codes(p: OrderHistory, split: str | None, line_items: pd.DataFrame | None) -> tuple[np.ndarray, pd.Index]:
    if split is None:
        return np.zeros(len(p.keys), dtype=np.int64), pd.Index([None])
    codes, values = pd.factorize(_attribute(p, split, line_items), sort=True)
    return codes.astype(np.int64), pd.Index(values)


def cohort_matrix(
    orders: Orders,
    as_of: dt.date | str,
    *,
    period: str = "month",
    split: str | None = None,
    line_items: pd.DataFrame | None = None,
    max_periods: int | None = None,
) -> pd.DataFrame:
    """The tidy cohort table: one row per (cohort[, split value], period k) observed by ``as_of``.

    Columns: ``MATRIX_COLUMNS`` (plus the ``split`` attribute, e.g. ``first_product_line``). Cells run
    from k = 0 to the period containing ``as_of`` (at most ``max_periods``); ``complete`` marks the ones
    that have fully elapsed. Rates are shares of the cohort's customers.
    """
    return cohort_matrices(orders, as_of, period=period, splits=[split], line_items=line_items,
                           max_periods=max_periods)[split]


def cohort_matrices(
    orders: Orders,
    as_of: dt.date | str,
    *,
    period: str = "month",
    splits: Sequence[str | None] = (None,),
    line_items: pd.DataFrame | None = None,
    max_periods: int | None = None,
) -> dict[str | None, pd.DataFrame]:
    """``cohort_matrix`` for several splits (None = no split) from one pass over the orders, by split."""
    p = _history(orders, as_of)
    as_of_day = day_number(as_of)
    last = int(_period_ordinal(np.array([as_of_day]), period)[0])
    complete_before = int(_period_ordinal(np.array([as_of_day + 1]), period)[0])  # periods < this have ended
    if len(p.keys) == 0:
        return {s: pd.DataFrame(columns=["cohort", *([s] if s else []), *list(MATRIX_COLUMNS)[1:]]) for s in splits}
    c_ord = _period_ordinal(p.first_day, period)
    c0 = int(c_ord.min())
    n_k = last - c0 + 1 if max_periods is None else min(last - c0, max_periods) + 1
    n_c = last - c0 + 1
    k_order = _period_ordinal(p.day, period) - c_ord[p.code]
    rev = p.column("net_revenue").astype(float)
    # active: distinct (customer, k) among purchase days, sorted by customer then day
    pair_code, pair_day, _ = p.purchase_days
    k_pair = _period_ordinal(pair_day, period) - c_ord[pair_code]
    new = np.ones(len(k_pair), dtype=bool)
    new[1:] = (pair_code[1:] != pair_code[:-1]) | (k_pair[1:] != k_pair[:-1])
    active_code, active_k = pair_code[new], k_pair[new]
    nth = {}
    for n in REPEAT_NS:
        d = p.nth_day(n)
        has = d >= 0
        nth[n] = (has, _period_ordinal(d[has], period) - c_ord[has])
    out = {}
    for split in splits:
        s_code, s_values = _split_codes(p, split, line_items)
        n_s = len(s_values)
        group = (c_ord - c0) * n_s + s_code  # per customer
        n_rows = n_c * n_s
        size = np.bincount(group, minlength=n_rows)
        revenue = _cells(group[p.code], k_order, n_rows, n_k, rev)
        n_orders = _cells(group[p.code], k_order, n_rows, n_k)
        active = _cells(group[active_code], active_k, n_rows, n_k)
        repeaters = {n: np.cumsum(_cells(group[has], kn, n_rows, n_k), axis=1) for n, (has, kn) in nth.items()}
        out[split] = _matrix_frame(split, s_values, size, active, repeaters, n_orders, revenue, c0, last,
                                   complete_before, period)
    return out


def _cells(g: np.ndarray, k: np.ndarray, n_rows: int, n_k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Counts (or sums of ``weights``) per (row g, period k), k < n_k, as an n_rows x n_k array."""
    keep = k < n_k
    w = None if weights is None else weights[keep]
    return np.bincount(g[keep] * n_k + k[keep], weights=w, minlength=n_rows * n_k).reshape(n_rows, n_k)


def _matrix_frame(split: str | None, s_values: pd.Index, size: np.ndarray, active: np.ndarray,
                  repeaters: dict[int, np.ndarray], n_orders: np.ndarray, revenue: np.ndarray, c0: int, last: int,
                  complete_before: int, period: str) -> pd.DataFrame:
    """The tidy frame of one split from its (cohort x split value) by k count arrays."""
    n_s, n_k = len(s_values), revenue.shape[1]
    g_idx, k_idx = np.divmod(np.arange(revenue.size), n_k)
    cohort_ord = c0 + g_idx // n_s
    valid = (size[g_idx] > 0) & (cohort_ord + k_idx <= last)
    g_idx, k_idx, cohort_ord = g_idx[valid], k_idx[valid], cohort_ord[valid]
    cust = size[g_idx].astype(np.int64)
    out = pd.DataFrame({"cohort": _periods(cohort_ord, period)})
    if split:
        out[split] = s_values.to_numpy(dtype=object)[g_idx % n_s]
    out["period"] = k_idx.astype(np.int64)
    out["customers"] = cust
    out["active_customers"] = active[g_idx, k_idx].astype(np.int64)
    out["retention"] = out["active_customers"] / cust
    for nth in REPEAT_NS:
        out[f"repeaters_{nth}"] = repeaters[nth][g_idx, k_idx].astype(np.int64)
        out[f"repeat_{nth}"] = out[f"repeaters_{nth}"] / cust
    out["orders"] = n_orders[g_idx, k_idx].astype(np.int64)
    out["net_revenue"] = revenue[g_idx, k_idx]
    out["cum_net_revenue"] = np.cumsum(revenue, axis=1)[g_idx, k_idx]
    out["ltv"] = out["cum_net_revenue"] / cust
    out["complete"] = cohort_ord + k_idx < complete_before
    return out.reset_index(drop=True)


def heatmap_table(matrix: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Wide view of one metric of a (not split) cohort matrix: cohorts as rows, periods k as columns."""
    return matrix.pivot(index="cohort", columns="period", values=metric)


def observed_cohorts(matrix: pd.DataFrame, k: int) -> pd.Index:
    """Cohorts whose period ``k`` has fully elapsed (observed for k+1 whole periods)."""
    done = matrix.loc[(matrix["period"] == k) & matrix["complete"], "cohort"]
    return pd.Index(done.unique())


def curve_horizon(matrix: pd.DataFrame, longest: int, min_customers: int = 1) -> int | None:
    """The longest k <= ``longest`` whose fully observed cohorts (``observed_cohorts``) hold at least
    ``min_customers`` customers; None when no cohort has completed even its acquisition period."""
    if matrix.empty:
        return None
    sizes = matrix.loc[matrix["period"] == 0].groupby("cohort")["customers"].sum()
    for k in range(longest, -1, -1):
        if sizes.reindex(observed_cohorts(matrix, k)).sum() >= min_customers:
            return k
    return None


def ltv_curves(matrix: pd.DataFrame, split: str | None = None, *, complete_only: bool = True,
               horizon: int | None = None) -> pd.DataFrame:
    """Curves over cohorts: per (split value,) period k, customer-weighted rates of the cohorts that reached k.

    Columns: [split], period, cohorts, customers, retention, repeat_2, repeat_3, repeat_4, ltv. With
    ``complete_only`` a cohort counts at k only once period k has ended, so partial periods never pull a
    curve down. With ``horizon`` every point k = 0..horizon rests on the same cohorts, those observed for
    the whole horizon (``observed_cohorts``): a young cohort cannot pull the later points of a cumulative
    curve down, and the curve never falls. Without it later points rest on older cohorts only.
    """
    m = matrix.loc[matrix["complete"]] if complete_only else matrix
    if horizon is not None:
        m = m.loc[m["cohort"].isin(observed_cohorts(matrix, horizon)) & (m["period"] <= horizon)]
    keys = [split, "period"] if split else ["period"]
    sums = ["customers", "active_customers", *[f"repeaters_{n}" for n in REPEAT_NS], "cum_net_revenue"]
    cols = ["cohorts", "customers", "retention", *[f"repeat_{n}" for n in REPEAT_NS], "ltv"]
    if m.empty:
        return pd.DataFrame(columns=[*keys, *cols])
    g = m.groupby(keys, sort=True)
    out = g[sums].sum()
    out.insert(0, "cohorts", g.size())
    c = out["customers"].replace(0, np.nan)
    out["retention"] = out["active_customers"] / c
    for n in REPEAT_NS:
        out[f"repeat_{n}"] = out[f"repeaters_{n}"] / c
    out["ltv"] = out["cum_net_revenue"] / c
    return out[cols].reset_index()


def interval_summary(intervals: pd.DataFrame, purchase_nos: Sequence[int] = (2, 3)) -> pd.DataFrame:
    """Days between purchases, from ``customers.repurchase_intervals``: count, mean and quantiles per step.

    Index purchase_no (2 = from the 1st to the 2nd purchase day); columns repurchases, mean, p25,
    median, p75, p90.
    """
    iv = intervals.loc[intervals["purchase_no"].isin(list(purchase_nos))]
    g = iv.groupby("purchase_no")["days"]
    out = pd.DataFrame({"repurchases": g.size(), "mean": g.mean(), "p25": g.quantile(0.25),
                        "median": g.median(), "p75": g.quantile(0.75), "p90": g.quantile(0.9)})
    return out.reindex(list(purchase_nos)).fillna({"repurchases": 0}).astype({"repurchases": np.int64})


def repurchase_rates(
    orders: Orders,
    as_of: dt.date | str,
    windows: Sequence[int] = (30, 90, 180, 365),
    *,
    split: str | None = None,
    line_items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of first-time buyers who made a 2nd purchase within d days of their first, per window d.

    Only customers whose first purchase is at least d days before ``as_of`` are eligible for window d, so
    young customers never dilute a rate. Columns: [split], window_days, eligible, repeaters, rate.
    """
    p = _history(orders, as_of)
    s_code, s_values = _split_codes(p, split, line_items)
    tenure = day_number(as_of) - p.first_day
    second = p.nth_day(2)
    gap = np.where(second >= 0, second - p.first_day, np.iinfo(np.int64).max)
    rows = []
    for w in windows:
        eligible = tenure >= w
        rep = eligible & (gap <= w)
        el = np.bincount(s_code[eligible], minlength=len(s_values))
        rp = np.bincount(s_code[rep], minlength=len(s_values))
        for i, v in enumerate(s_values):
            row = {split: v} if split else {}
            row.update(window_days=int(w), eligible=int(el[i]), repeaters=int(rp[i]),
                       rate=rp[i] / el[i] if el[i] else np.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def revenue_new_vs_repeat(orders: Orders, as_of: dt.date | str, *, period: str = "month") -> pd.DataFrame:
    """Net revenue per calendar period split into new- and repeat-customer revenue.

    New = orders on the customer's first purchase day; repeat = later orders; ``unidentified`` = orders
    without a customer identity (they count in the shop's revenue, not in customer analyses). Columns:
    period, new_revenue, repeat_revenue, unidentified_revenue, net_revenue, new_customers,
    repeat_customers, repeat_revenue_share (of identified revenue).
    """
    p = _history(orders, as_of)
    vis = visible_orders(_frame(orders), as_of)
    anon = vis.loc[vis["customer_key"].isna() & vis["cancelled_at"].isna()]
    anon_day = anon["ordered_at"].dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    per = _period_ordinal(p.day, period)
    is_new = p.day == p.first_day[p.code]
    rev = p.column("net_revenue").astype(float)
    a_per = _period_ordinal(anon_day, period)
    lo_hi = np.concatenate([per, a_per])
    if len(lo_hi) == 0:
        return pd.DataFrame(columns=["period", "new_revenue", "repeat_revenue", "unidentified_revenue",
                                     "net_revenue", "new_customers", "repeat_customers", "repeat_revenue_share"])
    lo, hi = int(lo_hi.min()), int(lo_hi.max())
    n = hi - lo + 1
    new_rev = np.bincount(per[is_new] - lo, weights=rev[is_new], minlength=n)
    rep_rev = np.bincount(per[~is_new] - lo, weights=rev[~is_new], minlength=n)
    anon_rev = np.bincount(a_per - lo, weights=anon["net_revenue"].to_numpy(dtype=float), minlength=n)
    # customers: distinct per period and kind (a customer new and repeat in one period counts in both)
    kinds = _unique_sorted((p.code.astype(np.int64) << 22) | ((per - lo).astype(np.int64) << 1) | is_new)
    kind_per, kind_new = (kinds >> 1) & ((1 << 21) - 1), (kinds & 1).astype(bool)
    new_c = np.bincount(kind_per[kind_new], minlength=n)
    rep_c = np.bincount(kind_per[~kind_new], minlength=n)
    out = pd.DataFrame({
        "period": _periods(np.arange(lo, hi + 1), period),
        "new_revenue": new_rev, "repeat_revenue": rep_rev, "unidentified_revenue": anon_rev,
        "net_revenue": new_rev + rep_rev + anon_rev,
        "new_customers": new_c.astype(np.int64), "repeat_customers": rep_c.astype(np.int64),
    })
    ident = (new_rev + rep_rev)
    out["repeat_revenue_share"] = np.divide(rep_rev, ident, out=np.full(n, np.nan), where=ident > 0)
    return out


def _purchase_lines(p: OrderHistory, line_items: pd.DataFrame, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct (customer code, ``level`` value) pairs bought on each customer's 1st and on their 2nd
    purchase day, as two frames with columns ``code`` and ``item`` (computed once per history and level)."""
    return p.memo(("purchase_lines", id(line_items), level), lambda: _compute_purchase_lines(p, line_items, level))


def _compute_purchase_lines(p: OrderHistory, line_items: pd.DataFrame, level: str
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    pos = p.memo(("item_orders", id(line_items)),  # each line item's order in the history (-1: not counted)
                 lambda: p.item_orders(line_items))
    hit = np.flatnonzero(pos >= 0)
    pos = pos[hit]
    code, day = p.code[pos], p.day[pos]
    nth = np.where(day == p.first_day[code], 1, np.where(day == p.nth_day(2)[code], 2, 0))
    keep = nth > 0
    values = text_values(line_items[level], hit[keep])
    item_code, items = pd.factorize(np.where(pd.isna(values), NONE_LABEL, values))
    packed = _unique_sorted((code[keep].astype(np.int64) << 22) | (item_code.astype(np.int64) << 1) | (nth[keep] == 2))
    frame = pd.DataFrame({"code": packed >> 22, "item": np.asarray(items, dtype=object)[(packed >> 1) & ((1 << 21) - 1)]})
    second = (packed & 1).astype(bool)
    return frame.loc[~second].reset_index(drop=True), frame.loc[second].reset_index(drop=True)


def product_repeat(orders: Orders, line_items: pd.DataFrame, as_of: dt.date | str, *,
                   level: str = "product_line") -> pd.DataFrame:
    """Per product line (or product, ``level``) of the first order, the acquisition attribute ``first_<level>``
    (a first order with several lines is its own group, ``SEVERAL_LINES``): how many of its first-time buyers
    came back. Every customer counts once, so ``share`` adds up to 1.

    Index: the level's values; columns first_buyers, share, repeaters, repeat_rate, median_days_to_second
    (NaN where nobody came back).
    """
    p = _history(orders, as_of)
    value = _attribute(p, f"first_{level}", line_items)
    second = p.nth_day(2)
    has2 = second >= 0
    gap = np.where(has2, second - p.first_day, np.nan)
    df = pd.DataFrame({level: value, "rep": has2, "gap": gap})
    g = df.groupby(level)
    out = pd.DataFrame({"first_buyers": g.size(), "repeaters": g["rep"].sum().astype(np.int64),
                        "median_days_to_second": g["gap"].median()})
    out.insert(1, "share", out["first_buyers"] / max(len(df), 1))
    out.insert(3, "repeat_rate", out["repeaters"] / out["first_buyers"])
    return out.sort_values("first_buyers", ascending=False, kind="stable")


def next_purchase_mix(orders: Orders, line_items: pd.DataFrame, as_of: dt.date | str, *,
                      level: str = "product_line") -> pd.DataFrame:
    """What first-time buyers of each line (``first_<level>``, as in ``product_repeat``) bought on their 2nd
    purchase day.

    Tidy: first_item, next_item, customers (repeaters who bought ``next_item`` on their 2nd purchase day),
    share (of the repeaters of ``first_item``; a 2nd purchase with several lines counts under each, so shares
    can sum above 1).
    """
    p = _history(orders, as_of)
    _, second = _purchase_lines(p, line_items, level)
    first_item = _attribute(p, f"first_{level}", line_items)
    second = second.rename(columns={"item": "next_item"})
    second["first_item"] = first_item[second["code"].to_numpy()] if len(second) else []
    base = second.drop_duplicates("code").groupby("first_item").size()
    out = second.groupby(["first_item", "next_item"]).size().rename("customers").reset_index()
    out["share"] = out["customers"] / base.reindex(out["first_item"]).to_numpy() if len(out) else []
    return out.sort_values(["first_item", "customers"], ascending=[True, False]).reset_index(drop=True)


def shares_exceed_one(mix: pd.DataFrame) -> bool:
    """Whether some first item's shares in ``next_purchase_mix`` add up to more than 100%."""
    return bool(len(mix)) and bool((mix.groupby("first_item")["share"].sum() > 1 + 1e-9).any())


def _compare_at(curves: pd.DataFrame, split: str, k: int, min_customers: int) -> tuple[int, pd.DataFrame] | None:
    """The latest period <= k where at least two split values rest on ``min_customers`` customers each."""
    for kk in range(k, -1, -1):
        at = curves.loc[(curves["period"] == kk) & (curves["customers"] >= min_customers)].set_index(split)
        if at["repeat_2"].notna().sum() >= 2:
            return kk, at
    return None


def _money(v: float, currency: str) -> str:
    return f"{v:,.0f} {currency}".strip()


def narrative(
    curves_by: Mapping[str, pd.DataFrame],
    rates: pd.DataFrame,
    revenue: pd.DataFrame,
    intervals: pd.DataFrame,
    language: str,
    *,
    mix: pd.DataFrame | None = None,
    period: str = "month",
    k: int = 6,
    currency: str = "",
    min_customers: int = 30,
) -> str:
    """Markdown prose reading the cohort numbers, in ``language`` ('en' or 'ja'), from the label catalog.

    ``curves_by`` maps split attributes to ``ltv_curves`` frames; ``rates`` is ``repurchase_rates`` without
    a split; ``revenue`` ``revenue_new_vs_repeat``; ``intervals`` ``interval_summary``; ``mix``
    ``next_purchase_mix``. Split values are compared at period ``k`` of ``period`` among the values with at
    least ``min_customers`` customers there (or at the latest earlier period with two such values).
    """
    from ltvlib.labels import label, say

    lines: list[str] = []
    r = rates.set_index("window_days")
    for w in (90, 365):
        if w in r.index and r.loc[w, "eligible"] > 0:
            lines.append(say("cohorts_say_rate", language, rate=f"{float(r.loc[w, 'rate']):.1%}", days=w,
                             eligible=f"{int(r.loc[w, 'eligible']):,}"))
    if 2 in intervals.index and intervals.loc[2, "repurchases"] > 0:
        lines.append(say("cohorts_say_median", language, median=f"{float(intervals.loc[2, 'median']):.0f}",
                         p75=f"{float(intervals.loc[2, 'p75']):.0f}"))
    for split, curves in curves_by.items():
        found = _compare_at(curves, split, k, min_customers) if len(curves) else None
        if found is None:
            continue
        kk, at = found
        best, worst = at["repeat_2"].idxmax(), at["repeat_2"].idxmin()
        name = label(split, language)
        lines.append(say("cohorts_say_compare", language, split=name.lower() if language == "en" else name,
                         best=md(label(str(best), language)), worst=md(label(str(worst), language)),
                         rb=f"{at.loc[best, 'repeat_2']:.0%}", rw=f"{at.loc[worst, 'repeat_2']:.0%}",
                         when=period_label(period, kk, language), vb=_money(at.loc[best, "ltv"], currency),
                         vw=_money(at.loc[worst, "ltv"], currency)))
    if mix is not None and len(mix):
        top = mix.loc[mix.groupby("first_item")["customers"].transform("sum").idxmax(), "first_item"]
        nxt = mix.loc[mix["first_item"] == top].iloc[0]
        lines.append(say("cohorts_say_mix", language, first=md(label(str(top), language)),
                         next=md(label(str(nxt["next_item"]), language)), share=f"{nxt['share']:.0%}"))
    recent = revenue.loc[(revenue["new_revenue"] + revenue["repeat_revenue"]) > 0].tail(12)
    if len(recent):
        share = float(recent["repeat_revenue"].sum() / (recent["new_revenue"] + recent["repeat_revenue"]).sum())
        lines.append(say("cohorts_say_repeat_share", language, n=len(recent), share=f"{share:.0%}",
                         unit=label(f"cohorts_unit{'s' if len(recent) > 1 else ''}_{period}", language)))
    if not lines:
        return say("cohorts_say_nothing", language)
    return "\n".join(f"- {line}" for line in lines)


MIN_CURVE_CUSTOMERS = 30  # a curve point resting on fewer customers is too noisy to draw
YEAR = {"month": 12, "week": 52, "quarter": 4}  # periods in the first year: the longest curve shown
SECTIONS = ("overview", "heatmap", "curves", "intervals", "rates", "rates_by_line", "revenue", "line_repeat", "mix",
            "line_cycle", "payback")


@dataclass(eq=False)
class CohortReport:
    """Everything the cohorts page shows, computed once (``analyse``).

    ``notes`` maps a section (``SECTIONS``, or ``split:<attribute>``) that cannot be computed to one
    sentence in the shop's language saying what is missing; a page shows the sentence instead of the
    section. ``explain`` holds sentences that go with a section that *is* shown (e.g. why shares can
    add up to more than 100%).
    """

    as_of: dt.date
    language: str
    currency: str
    period: str
    splits: tuple[str, ...]
    customers: int
    matrix: pd.DataFrame
    horizon: int | None
    overall: pd.DataFrame
    curves: dict[str, pd.DataFrame]
    rates: pd.DataFrame
    rates_by_line: pd.DataFrame | None
    intervals: pd.DataFrame
    interval_stats: pd.DataFrame
    revenue: pd.DataFrame
    line_repeat: pd.DataFrame | None
    mix: pd.DataFrame | None
    line_cycle: pd.DataFrame | None = None
    payback: Payback | None = None
    notes: dict[str, str] = field(default_factory=dict)
    explain: dict[str, str] = field(default_factory=dict)
    min_customers: int = MIN_CURVE_CUSTOMERS

    def note(self, section: str) -> str:
        """The sentence that replaces ``section``, or '' when the section can be shown."""
        return self.notes.get(section, "")

    def skipped(self, section: str) -> bool:
        """Whether ``section`` is left out altogether: the page's opening sentence already says why."""
        return bool(self.note("overview")) and section != "overview" and section in self.notes

    def line_cycle_table(self) -> pd.DataFrame:
        """The product lines whose repurchase cycle can be stated (enough repurchases), for the page."""
        c = self.line_cycle
        return c.loc[c["median"].notna() & ~c.index.isin(list(_UNMAPPED))] if c is not None else pd.DataFrame()

    def payback_lines(self) -> str:
        """One Markdown sentence per channel with spend: CAC, realised LTV:CAC and the payback month."""
        return payback_sentences(self.payback, self.language, self.currency) if self.payback is not None else ""

    def cohort_sizes(self) -> pd.Series:
        return self.matrix.loc[self.matrix["period"] == 0].set_index("cohort")["customers"]

    def split_table(self, split: str) -> pd.DataFrame:
        """Repeat rate, LTV and customers per split value at months 3 / 6 / 12 (those within the horizon)."""
        c = self.curves[split]
        at = [k for k in (3, 6, 12) if self.horizon is not None and k <= self.horizon and k in set(c["period"])]
        c = c.loc[c["period"].isin(at) & (c["customers"] >= self.min_customers)]
        return c.pivot(index=split, columns="period", values=["repeat_2", "ltv", "customers"])

    def narrative(self) -> str:
        if self.note("overview"):
            return self.note("overview")
        return narrative(self.curves, self.rates, self.revenue, self.interval_stats, self.language,
                         mix=self.mix, period=self.period, currency=self.currency, min_customers=self.min_customers)

    def key_figures(self) -> dict[str, dict[str, Any]]:
        """Key figures for the index (value None where not computable; text '–' then)."""
        from ltvlib.labels import label

        lang, year = self.language, YEAR[self.period]
        r = self.rates.set_index("window_days")
        rate = float(r.loc[365, "rate"]) if 365 in r.index and r.loc[365, "eligible"] > 0 else None
        st = self.interval_stats
        median = float(st.loc[2, "median"]) if 2 in st.index and st.loc[2, "repurchases"] > 0 else None
        ltv = None
        if self.horizon == year:
            ltv = float(self.overall.set_index("period").loc[year, "ltv"])
        rev = self.revenue.tail(12)
        ident = float((rev["new_revenue"] + rev["repeat_revenue"]).sum()) if len(rev) else 0.0
        share = float(rev["repeat_revenue"].sum()) / ident if ident > 0 else None

        def fig(lab: str, value: float | None, text: str) -> dict[str, Any]:
            return {"label": lab, "value": value, "text": "–" if value is None else text}

        return {
            "repeat_rate_365d": fig(label("repeat_rate_365d", lang), rate, f"{rate or 0:.1%}"),
            "median_days_to_second": fig(label("median_days_to_second", lang), median, f"{median or 0:,.0f}"),
            "ltv_12": fig(f"{label('cum_ltv', lang)} ({period_label(self.period, year, lang)})", ltv,
                          _money(ltv or 0, self.currency)),
            "repeat_revenue_share": fig(label("repeat_revenue_share", lang), share, f"{share or 0:.1%}"),
        }

    def figures(self, title: str) -> dict[str, Any]:
        """The page's side file (``report.write_figures``): finite numbers only (None where missing)."""
        def clean(v: Any) -> Any:
            return None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v

        r = self.rates.set_index("window_days")["rate"]
        by_split = {}
        for s, c in self.curves.items():
            at = c.loc[(c["period"] == 6) & (c["customers"] >= self.min_customers)]
            by_split[s] = {str(k): clean(float(v)) for k, v in zip(at[s], at["repeat_2"])}
        return {
            "title": title, "as_of": str(self.as_of), "period": self.period, "customers": self.customers,
            "cohorts": int(self.matrix["cohort"].nunique()) if len(self.matrix) else 0,
            "curve_periods": self.horizon,
            "repurchase_rates": {int(k): clean(float(v)) for k, v in r.items()},
            "repeat_2_by_split": by_split,
            "key_figures": self.key_figures(),
        }


_UNMAPPED = {NONE_LABEL, OTHER_LINE}  # product lines that say the shop's map matched nothing


def _no_customers_note(orders: pd.DataFrame, as_of: dt.date, language: str) -> str:
    from ltvlib.labels import say

    vis = visible_orders(orders, as_of)
    if len(vis) == 0:
        later = orders["ordered_at"]
        if len(later):
            return say("cohorts_say_no_orders_yet", language, as_of=as_of, first=later.min().date())
        return say("cohorts_say_no_orders", language, as_of=as_of)
    cancelled = vis["cancelled_at"].notna()
    guests = vis["customer_key"].isna() & ~cancelled
    return say("cohorts_say_no_customers", language, as_of=as_of, orders=f"{len(vis):,}",
               guests=f"{int(guests.sum()):,}", cancelled=f"{int(cancelled.sum()):,}")


def analyse(orders: pd.DataFrame, line_items: pd.DataFrame | None, as_of: dt.date | str,
            settings: Mapping[str, Any], language: str, currency: str = "", *,
            min_customers: int = MIN_CURVE_CUSTOMERS, spend_file: str | Path | None = None,
            clv_model: Any = None, clv_draws: pd.DataFrame | None = None) -> CohortReport:
    """The cohorts page of one shop: every table and curve, and a sentence for each part that cannot be shown.

    ``settings`` is the params ``cohorts`` section (period, split_by, max_periods). Cumulative curves run
    over the longest span up to one year whose fully observed cohorts hold ``min_customers`` customers
    (``curve_horizon``), the same cohorts at every point. ``spend_file`` (``spend_path``) is the marketing-spend
    CSV behind acquisition payback (``read_spend``: a bad row is an error); without it, or when it does not exist,
    the payback section is one sentence saying so. ``clv_model``: the run's shared CLV fit (``clv.restore_fitted``: a
    fitted ``clv.CLVModel``, the ``clv.ModelError`` that stopped it, or None outside a run), never fitted here; with
    a model the payback tables add the predicted LTV:CAC at month ``PREDICTED_MONTH`` (with its intervals from
    ``clv_draws``, the CLV page's parameter draws: ``clv.restore_draws``), otherwise a sentence says why not.
    """
    from ltvlib.labels import label, say

    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    period = settings_period(settings)
    splits = tuple(s for s in settings.get("split_by", ()) if line_items is not None or
                   s not in ("first_product_line", "first_product"))
    history = OrderHistory(orders, line_items, as_of=as_of)  # prepared once for every figure of the page
    matrices = cohort_matrices(history, as_of, period=period, splits=[None, *splits], line_items=line_items,
                               max_periods=settings.get("max_periods"))
    matrix = matrices[None]
    customers = int(matrix.loc[matrix["period"] == 0, "customers"].sum()) if len(matrix) else 0
    year = YEAR[period]
    longest = min(year, settings.get("max_periods") or year)
    horizon = curve_horizon(matrix, longest, min_customers)
    overall = ltv_curves(matrix, horizon=horizon) if horizon is not None else ltv_curves(matrix.iloc[:0])
    curves = {s: ltv_curves(matrices[s], s, horizon=horizon) if horizon is not None else
              ltv_curves(matrices[s].iloc[:0], s) for s in splits}
    intervals = history.snapshot(as_of).interval_frame()
    has_lines = line_items is not None
    line_rates = repurchase_rates(history, as_of, split="first_product_line", line_items=line_items) \
        if has_lines else None
    rep = CohortReport(
        as_of=as_of, language=language, currency=currency, period=period, splits=splits, customers=customers,
        matrix=matrix, horizon=horizon, overall=overall, curves=curves,
        rates=repurchase_rates(history, as_of), rates_by_line=line_rates, intervals=intervals,
        interval_stats=interval_summary(intervals), revenue=revenue_new_vs_repeat(history, as_of, period=period),
        line_repeat=product_repeat(history, line_items, as_of) if has_lines else None,
        mix=next_purchase_mix(history, line_items, as_of) if has_lines else None, min_customers=min_customers,
        line_cycle=line_intervals(history) if has_lines else None)
    if spend_file is not None and Path(spend_file).is_file():
        channels = set(orders["channel"].dropna().astype(str)) | set(_attribute(history, "first_channel", None))
        model = None if clv_model is None or isinstance(clv_model, Exception) else clv_model
        rep.payback = payback(history, as_of, read_spend(spend_file, channels), clv_model=model,
                              clv_draws=clv_draws if model is not None else None)
    notes, explain = rep.notes, rep.explain
    unit = label(f"cohorts_unit_{period}", language)
    if spend_file is None:
        rep.notes["payback"] = say("cohorts_say_no_spend", language)
    elif rep.payback is None:
        rep.notes["payback"] = say("cohorts_say_spend_missing", language, name=md(Path(spend_file).name))
    else:
        rep.explain["payback"] = _spend_rows_sentence(rep.payback, language) + " " + (
            say("cohorts_say_predicted_basis", language, model=rep.payback.model, when=period_label(
                "month", PREDICTED_MONTH, language)) + _interval_sentence(rep.payback, language)
            if rep.payback.model else
            say("cohorts_say_predicted_no_model" if clv_model is not None else "cohorts_say_predicted_no_fit",
                language, when=period_label("month", PREDICTED_MONTH, language)))
    if customers == 0:
        note = _no_customers_note(orders, as_of, language)
        for section in SECTIONS:
            notes[section] = note
        for s in splits:
            notes[f"split:{s}"] = note
        if len(rep.revenue):
            del notes["revenue"]  # guests' revenue is still revenue
        return rep
    if horizon is None:
        have = int(matrix.loc[(matrix["period"] == 0) & matrix["complete"], "customers"].sum())
        notes["curves"] = say("cohorts_say_no_curves", language, need=min_customers, have=f"{have:,}", unit=unit)
    else:
        basis = overall.set_index("period").loc[0]
        explain["curves"] = say("cohorts_say_curve_basis", language, cohorts=f"{int(basis['cohorts']):,}",
                                customers=f"{int(basis['customers']):,}",
                                when=period_label(period, horizon, language))
    for s in splits:
        values = set(matrices[s][s]) if len(matrices[s]) else set()
        if s == "first_product_line" and values <= _UNMAPPED:
            notes[f"split:{s}"] = say("cohorts_say_no_lines", language)
        elif len(values) < 2:
            notes[f"split:{s}"] = say("cohorts_say_split_one_group", language, split=label(s, language).lower(),
                                      value=md(label(str(next(iter(values), NONE_LABEL)), language)))
        elif notes.get("curves") or _compare_at(curves[s], s, horizon, min_customers) is None:
            notes[f"split:{s}"] = say("cohorts_say_split_few", language, split=label(s, language).lower(),
                                      need=min_customers)
    if rep.interval_stats["repurchases"].sum() == 0:
        notes["intervals"] = say("cohorts_say_no_intervals", language, as_of=as_of)
    if rep.rates["eligible"].sum() == 0:
        oldest = _oldest_days(history, as_of)
        notes["rates"] = say("cohorts_say_no_rates", language, days=int(rep.rates["window_days"].min()),
                             have=f"{oldest:,}")
    if has_lines:
        line_values = set(rep.line_repeat.index)
        few = rep.line_cycle.loc[rep.line_cycle["median"].isna() & ~rep.line_cycle.index.isin(list(_UNMAPPED))]
        if not rep.line_cycle_table().size:
            notes["line_cycle"] = say("cohorts_say_no_line_cycle", language, need=MIN_LINE_REPURCHASES)
        elif len(few):
            explain["line_cycle"] = say("cohorts_say_line_cycle_few", language, need=MIN_LINE_REPURCHASES,
                                        lines=", ".join(f"{md(label(str(n), language))} ({int(r):,})"
                                                        for n, r in few["repurchases"].items()))
        if line_values <= _UNMAPPED:
            for section in ("rates_by_line", "line_repeat", "mix", "line_cycle"):
                notes[section] = say("cohorts_say_no_lines", language)
        else:
            if "rates" in notes:
                notes["rates_by_line"] = notes["rates"]
            if SEVERAL_LINES in line_values:
                explain["line_repeat"] = say("cohorts_say_several_lines", language,
                                             name=label(SEVERAL_LINES, language))
            if not len(rep.mix):
                notes["mix"] = say("cohorts_say_no_repeaters", language, as_of=as_of)
            elif shares_exceed_one(rep.mix):
                explain["mix"] = say("cohorts_say_mix_over_100", language)
    else:
        for section in ("rates_by_line", "line_repeat", "mix", "line_cycle"):
            notes[section] = say("cohorts_say_no_lines", language)
    if not len(rep.revenue):
        notes["revenue"] = say("cohorts_say_no_revenue", language, as_of=as_of)
    return rep


def _oldest_days(orders: Orders, as_of: dt.date) -> int:
    """Days from the first customer purchase day to ``as_of``."""
    p = _history(orders, as_of)
    return int(day_number(as_of) - p.first_day.min()) if len(p.first_day) else 0


def settings_period(settings: Mapping[str, Any]) -> str:
    """The ``cohorts.period`` setting, checked."""
    period = str(settings.get("period", "month"))
    if period not in PERIODS:
        raise ValueError(f"cohorts.period must be one of {sorted(PERIODS)}, got {period!r}")
    return period


# -- repurchase cycle per product line (replenishment reminders) ------------------------------------------------
MIN_LINE_REPURCHASES = 20  # fewer repurchases of a line: its typical interval is not stated


def line_intervals(history: OrderHistory, *, min_repurchases: int = MIN_LINE_REPURCHASES) -> pd.DataFrame:
    """Per product line, the days between consecutive purchase days on which one customer bought that line: the
    repurchase cycle a replenishment reminder follows. Several orders with the line on one day are one purchase.

    ``history`` must carry line items. Index product_line (every line bought, most repurchased first); columns
    repurchases, customers (with at least one), p25, median, p75, iqr (p75 - p25). The quantiles are NaN for lines
    with fewer than ``min_repurchases`` repurchases: too few to state a cycle.
    """
    pos, codes, vocab = history.distinct_pairs("product_lines")
    cust, day = history.code[pos], history.day[pos]
    order = np.lexsort((day, codes, cust))
    cust, line, day = cust[order], codes[order], day[order]
    new = np.ones(len(day), dtype=bool)
    new[1:] = (cust[1:] != cust[:-1]) | (line[1:] != line[:-1]) | (day[1:] != day[:-1])
    cust, line, day = cust[new], line[new], day[new]
    again = np.zeros(len(day), dtype=bool)  # a later purchase day of the same line by the same customer
    again[1:] = (cust[1:] == cust[:-1]) & (line[1:] == line[:-1])
    names = np.asarray(vocab, dtype=object)
    gaps = pd.DataFrame({"product_line": names[line[again]], "cust": cust[again],
                         "days": (day[1:] - day[:-1])[again[1:]]})
    g = gaps.groupby("product_line")
    out = pd.DataFrame({"repurchases": g.size(), "customers": g["cust"].nunique(), "p25": g["days"].quantile(0.25),
                        "median": g["days"].median(), "p75": g["days"].quantile(0.75)})
    out = out.reindex(pd.Index(names[np.unique(line)], name="product_line"))
    out[["repurchases", "customers"]] = out[["repurchases", "customers"]].fillna(0).astype(np.int64)
    out.loc[out["repurchases"] < min_repurchases, ["p25", "median", "p75"]] = np.nan
    out["iqr"] = out["p75"] - out["p25"]
    out = out.astype({c: float for c in ("p25", "median", "p75", "iqr")})
    return out.sort_values("repurchases", ascending=False, kind="stable")


# -- acquisition payback: marketing spend against what the acquired customers bring in --------------------------
SPEND_COLUMNS = {
    "month": "the month the money was spent, YYYY-MM (e.g. 2026-01)",
    "channel": "the channel it acquired customers in, as the orders name it (online_store, pos, ...)",
    "spend": "the amount spent, in the shop's currency (a plain number, 0 or more)",
    "campaign": "optional: a campaign name; the rows of one month and channel are added up",
}
REQUIRED_SPEND_COLUMNS = ("month", "channel", "spend")
PAYBACK_MONTHS = (3, 6, 12)  # realised LTV:CAC at these months after the acquisition month
PREDICTED_MONTH = 24  # predicted LTV:CAC at this month after the acquisition month (realised + the CLV model's)
PREDICTED_COLUMN = f"predicted_ltv_cac_{PREDICTED_MONTH}"
PREDICTED_LEVELS = (0.80, 0.95)  # intervals of the predicted LTV:CAC (from the CLV page's parameter draws)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class SpendFileError(LtvError):
    """A marketing-spend file cannot be read; the message names the file, row and column."""


@dataclass(frozen=True)
class Spend:
    """A marketing-spend file (``read_spend``): its data rows with their row numbers in the file (the header is
    row 1), and how many rows were blank."""

    name: str
    rows: pd.DataFrame  # row, month (pandas Period, monthly), channel, spend
    blank: int = 0


def spend_path(params: Any) -> Path | None:
    """The ``cohorts.spend_file`` of shop ``params`` resolved against the params file's folder (None if unset)."""
    given = (params.cohorts or {}).get("spend_file")
    return None if not given else (Path(params.path).parent / given).resolve()


def read_spend(path: str | Path, channels: Collection[str] | None = None) -> Spend:
    """Read a marketing-spend CSV (columns ``SPEND_COLUMNS``; UTF-8, with or without a BOM).

    Every row is checked: a month not like 2026-01, a blank or (when ``channels`` are given) unknown channel, a
    spend that is not a number of 0 or more, or an unknown column is an error naming the file, the row and the
    column. Blank rows are counted, not kept.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpendFileError(f"{path}: no such marketing-spend file.") from None
    except UnicodeDecodeError:
        raise SpendFileError(f"{path}: not UTF-8 text; save the spend file as UTF-8 CSV.") from None
    records = list(csv.reader(io.StringIO(text)))
    if not records or not any(c.strip() for c in records[0]):
        raise SpendFileError(f"{path}: empty; the first row must name the columns {', '.join(REQUIRED_SPEND_COLUMNS)}.")
    header = [c.strip().lower() for c in records[0]]
    for i, col in enumerate(header):
        if col not in SPEND_COLUMNS:
            near = difflib.get_close_matches(col, list(SPEND_COLUMNS), n=1)
            hint = f" Did you mean '{near[0]}'?" if near else f" The columns are {', '.join(SPEND_COLUMNS)}."
            raise SpendFileError(f"{path}: row 1, column {i + 1}: unknown column '{col}'.{hint}")
        if col in header[:i]:
            raise SpendFileError(f"{path}: row 1: column '{col}' appears twice.")
    missing = [c for c in REQUIRED_SPEND_COLUMNS if c not in header]
    if missing:
        raise SpendFileError(f"{path}: row 1: no '{missing[0]}' column; the file needs the columns "
                             f"{', '.join(REQUIRED_SPEND_COLUMNS)}.")
    known = None if channels is None else sorted({str(c) for c in channels})
    out, blank = [], 0
    for row_no, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        if len(cells) != len(header):
            raise SpendFileError(f"{path}: row {row_no} has {len(cells)} cells; the header has {len(header)}.")
        rec = {col: cell.strip() for col, cell in zip(header, cells)}

        def bad(col: str, what: str, row_no: int = row_no, rec: dict = rec) -> SpendFileError:
            return SpendFileError(f"{path}: row {row_no}, column {col}: {rec[col]!r} {what}.")

        if not _MONTH.match(rec["month"]):
            raise bad("month", "is not a month like 2026-01 (YYYY-MM)")
        if not rec["channel"]:
            raise bad("channel", "is blank; name the channel as the orders do (e.g. online_store)")
        if known is not None and rec["channel"] not in known:
            raise bad("channel", f"is not a channel of this shop's orders ({', '.join(known) or 'none'})")
        try:
            spend = float(rec["spend"])
        except ValueError:
            raise bad("spend", "is not a number (write 120000 or 120000.50, without separators)") from None
        if not np.isfinite(spend) or spend < 0:
            raise bad("spend", "is not an amount of 0 or more")
        out.append((row_no, pd.Period(rec["month"], "M"), rec["channel"], spend))
    rows = pd.DataFrame(out, columns=["row", "month", "channel", "spend"])
    return Spend(name=path.name, rows=rows, blank=blank)


@dataclass(eq=False)
class Payback:
    """CAC, realised LTV:CAC and payback month of the customers acquired with a marketing spend (``payback``).

    ``by_cohort``: one row per (month, channel) with spend: spend, new_customers, cac, ltv_cac_3 / _6 / _12 (NaN
    until the cohort's month 3 / 6 / 12 is over), payback_month (first month after acquisition, 0 = the acquisition
    month itself, where cumulative net revenue per customer reached the CAC; NaN: not yet), months_observed.
    With a CLV model, ``by_cohort`` and ``by_channel`` also have ``predicted_ltv_cac_24``: ``predicted_revenue`` over
    the spend (pooled per channel over its cohorts with spend).
    ``by_month``: per month with spend, all channels: spend, new_customers (every new customer, the blended CAC),
    cac. ``by_channel``: per channel, over its months with spend: months, spend, new_customers, cac, ltv_cac_* and
    payback_month of the pooled cohorts (at month k, the cohorts whose month k is over), months_observed (the last
    such k; -1 while no month with spend is over). ``rows``: the file's rows
    used and skipped (blank; after the report month). ``model``: the name of the CLV model behind the prediction,
    ``draws`` the number of its parameter draws behind the ``_lo_80`` ... ``_hi_95`` intervals.
    """

    name: str
    by_cohort: pd.DataFrame
    by_month: pd.DataFrame
    by_channel: pd.DataFrame
    rows: dict[str, int]
    model: str | None = None
    draws: int = 0  # parameter draws behind the predicted ratio's intervals (0: no interval)

    def tables(self, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The page's two tables as display text (``labels.present``; '–' where a figure does not exist yet): per
        channel; per month, the blended CAC and each channel's CAC, LTV:CAC at the last of ``PAYBACK_MONTHS`` and
        payback month."""
        from ltvlib.labels import label, present, value_name

        ratio = {f"ltv_cac_{k}": ".2f" for k in PAYBACK_MONTHS} | {PREDICTED_COLUMN: ".2f"}
        by_channel = self.by_channel.drop(columns="months_observed").set_index("channel")
        for level in PREDICTED_LEVELS:  # an interval as one column of text: "2.10–2.60"
            pct = f"{level * 100:.0f}"
            if f"{PREDICTED_COLUMN}_lo_{pct}" not in by_channel:
                continue
            lo, hi = by_channel.pop(f"{PREDICTED_COLUMN}_lo_{pct}"), by_channel.pop(f"{PREDICTED_COLUMN}_hi_{pct}")
            by_channel.insert(by_channel.columns.get_loc("payback_month"), f"{PREDICTED_COLUMN}_{pct}",
                              [f"{a:.2f}–{b:.2f}" if a == a and b == b else "–" for a, b in zip(lo, hi)])
            ratio[f"{PREDICTED_COLUMN}_{pct}"] = "s"
        by_channel = by_channel.rename(index=lambda c: value_name("channel", str(c), language))
        by_month = self.by_month.set_index("month").rename(index=str)
        at = [c for c in self.by_cohort.columns if c.startswith("ltv_cac_")][-1:]
        formats = {}
        for channel, rows in self.by_cohort.groupby("channel", sort=True):
            rows = rows.set_index("month").rename(index=str)
            name = value_name("channel", str(channel), language)
            for col in ("cac", *at, *([PREDICTED_COLUMN] if PREDICTED_COLUMN in rows else []),
                        "payback_month"):
                shown = f"{label(col, language)} · {name}"
                by_month[shown] = rows[col].reindex(by_month.index)
                formats[shown] = ratio.get(col, ",.0f")
        return present(by_channel, language, ratio), present(by_month, language, formats)


def payback(orders: Orders, as_of: dt.date | str, spend: Spend, months: Sequence[int] = PAYBACK_MONTHS,
            clv_model: Any = None, clv_draws: pd.DataFrame | None = None) -> Payback:
    """Acquisition payback of ``spend`` against the customers its months and channels acquired (first order's
    month and channel) and their cumulative net revenue in calendar months after the acquisition month (month k =
    the acquisition month and the k months after it, as on the cohort curves). Rows of months after the report
    month are skipped: their customers are not visible yet. With ``clv_model`` (a ``clv.CLVModel`` fitted on the
    customer summary at ``as_of``: the run's shared fit), also the predicted LTV:CAC at month ``PREDICTED_MONTH``
    (``predicted_revenue`` over the spend), with ``clv_draws`` (the CLV page's parameter draws) its intervals."""
    h = _history(orders, as_of)
    as_of = h.as_of or pd.Timestamp(as_of).date()
    last = pd.Period(as_of, "M")
    over = pd.Period(as_of + dt.timedelta(days=1), "M")  # months before this one are over
    rows = spend.rows
    late = rows["month"] > last
    used = rows.loc[~late]
    s = used.groupby(["month", "channel"], sort=True)["spend"].sum()
    m = cohort_matrix(h, as_of, period="month", split="first_channel")
    m = m.rename(columns={"cohort": "month", "first_channel": "channel"}).set_index(["month", "channel", "period"])
    size = m.xs(0, level="period")["customers"] if len(m) else pd.Series(dtype=np.int64)
    cohort = pd.DataFrame({"spend": s})
    cohort["new_customers"] = size.reindex(cohort.index).fillna(0).astype(np.int64).to_numpy()
    cohort["cac"] = cohort["spend"] / cohort["new_customers"].replace(0, np.nan)
    mo, ch = cohort.index.get_level_values(0), cohort.index.get_level_values(1)
    age = np.array([(over - p).n for p in mo], dtype=np.int64) if len(mo) else np.zeros(0, np.int64)  # months over
    cum = m["cum_net_revenue"] if len(m) else pd.Series(dtype=float)

    def revenue_at(k: int) -> np.ndarray:
        """Cumulative net revenue of each (month, channel) cohort through month k (0 without customers)."""
        idx = pd.MultiIndex.from_arrays([mo, ch, np.full(len(mo), k)])
        return cum.reindex(idx).fillna(0.0).to_numpy() if len(cum) else np.zeros(len(mo))

    with np.errstate(divide="ignore", invalid="ignore"):
        for k in months:
            ratio = revenue_at(k) / cohort["spend"].to_numpy()
            cohort[f"ltv_cac_{k}"] = np.where((age > k) & (cohort["spend"].to_numpy() > 0), ratio, np.nan)
    observed = np.array([(last - p).n for p in mo], dtype=np.int64) if len(mo) else np.zeros(0, np.int64)
    paid = np.full(len(mo), np.nan)
    for k in range(int(observed.max()) + 1 if len(observed) else 0):
        reached = np.isnan(paid) & (observed >= k) & (cohort["new_customers"].to_numpy() > 0) & (
            revenue_at(k) >= cohort["spend"].to_numpy())
        paid[reached] = k
    cohort["payback_month"] = paid
    cohort["months_observed"] = observed
    by_cohort = cohort.reset_index()
    by_month = _spend_by_month(by_cohort, size)
    by_channel = _spend_by_channel(by_cohort, age, observed, revenue_at, months)
    if clv_model is not None:
        value, per_draw = predicted_revenue(h, as_of, by_cohort, clv_model, revenue_at(PREDICTED_MONTH), age,
                                            clv_draws)
        _add_predicted(by_cohort, by_channel, value, per_draw)
    counts = {"used": int((~late).sum()), "blank": spend.blank, "after_as_of": int(late.sum())}
    return Payback(name=spend.name, by_cohort=by_cohort, by_month=by_month, by_channel=by_channel, rows=counts,
                   model=None if clv_model is None else _model_name(clv_model),
                   draws=0 if clv_model is None or clv_draws is None else len(clv_draws))


def _model_name(model: Any) -> str:
    from ltvlib.clv import MODEL_NAMES

    return MODEL_NAMES[model.model]


def _add_predicted(by_cohort: pd.DataFrame, by_channel: pd.DataFrame, value: np.ndarray,
                   per_draw: np.ndarray | None) -> None:
    """The predicted LTV:CAC columns: ``value`` (predicted revenue per cohort) over the spend per cohort (NaN where
    nothing was spent, as the realised ratios) and pooled per channel over its cohorts with spend, placed before the
    payback month; with ``per_draw`` (draws x cohorts) their 80% and 95% intervals (``_lo_80`` ... ``_hi_95``)."""
    spend = by_cohort["spend"].to_numpy(float)
    paid = spend > 0
    channels = by_channel["channel"].to_numpy(dtype=object)
    member = (by_cohort["channel"].to_numpy(dtype=object)[None, :] == channels[:, None]) & paid[None, :]

    def ratios(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cohort and per channel, for revenue ``v`` (... x cohorts)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(paid, v / np.where(paid, spend, 1.0), np.nan),
                    (v @ member.T.astype(float)) / np.where(member.any(1), member @ spend, np.nan))

    columns = {PREDICTED_COLUMN: ratios(value)}
    if per_draw is not None:  # a draw whose prediction is not finite is left out, as on the CLV page
        draws = ratios(np.where(np.isfinite(per_draw), per_draw, np.nan))
        with warnings.catch_warnings():  # a cohort without spend has no ratio in any draw: NaN, said as "–"
            warnings.simplefilter("ignore", RuntimeWarning)
            for level in PREDICTED_LEVELS:
                tail, pct = (1 - level) / 2, f"{level * 100:.0f}"
                columns[f"{PREDICTED_COLUMN}_lo_{pct}"] = tuple(np.nanquantile(d, tail, axis=0) for d in draws)
                columns[f"{PREDICTED_COLUMN}_hi_{pct}"] = tuple(np.nanquantile(d, 1 - tail, axis=0) for d in draws)
    at = by_channel.columns.get_loc("payback_month")
    for i, (name, (per_cohort, per_channel)) in enumerate(columns.items()):
        by_cohort[name] = per_cohort
        by_channel.insert(at + i, name, per_channel)


def predicted_revenue(h: OrderHistory, as_of: dt.date, by_cohort: pd.DataFrame, model: Any,
                      revenue_at_end: np.ndarray, age: np.ndarray, draws: pd.DataFrame | None = None
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """Per (month, channel) cohort of ``by_cohort``: the net revenue its customers are expected to bring by the end
    of month ``PREDICTED_MONTH`` after acquisition, in the shop's currency: realised revenue to ``as_of`` plus the
    CLV ``model``'s expected revenue from then to the end of that month (expected purchases in those days times the
    expected spend per purchase; not discounted, as the realised ratios). A cohort whose month ``PREDICTED_MONTH`` is
    over (``age`` months over > it) has its realised revenue through that month (``revenue_at_end``) and nothing
    predicted. Divided by the spend it is the predicted LTV:CAC.

    Returns (the revenue per cohort; with ``draws``, the CLV page's bootstrap parameter draws ``clv.restore_draws``,
    the same under each draw: draws x cohorts, else None). Expected purchases are computed once per unique
    (frequency, recency, T, days left) and, above ``clv.EXACT_BOOTSTRAP_ROWS`` of them, linearised in the
    log-parameters for the draws, as the CLV page's bootstrap does.
    """
    from ltvlib.clv import EXACT_BOOTSTRAP_ROWS, compress

    summary = h.snapshot(as_of).summary()
    month = h.first_day[: len(summary)].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    channel, names = pd.factorize(summary["first_channel"].to_numpy(dtype=object))  # -1: no channel
    ordinal = np.array([p.ordinal for p in by_cohort["month"]], dtype=np.int64)
    cohort_channel = pd.Index(names).get_indexer(by_cohort["channel"])
    # one key per cohort; a cohort whose channel no customer was acquired in gets a negative key of its own
    keys = pd.Index(np.where(cohort_channel >= 0, ordinal * len(names) + cohort_channel, -3 - np.arange(len(ordinal))))
    cohort_of = keys.get_indexer(np.where(channel >= 0, month * len(names) + channel, -2))  # -1: no cohort
    still = age <= PREDICTED_MONTH
    cohort_of[cohort_of >= 0] = np.where(still[cohort_of[cohort_of >= 0]], cohort_of[cohort_of >= 0], -1)
    end = (ordinal + PREDICTED_MONTH + 1).astype("datetime64[M]").astype("datetime64[D]") - 1  # month's last day
    days = (end - np.datetime64(as_of, "D")).astype(np.int64).astype(float)
    members = np.flatnonzero(cohort_of >= 0)
    sub, c = summary.iloc[members], cohort_of[members]
    rows, inverse = compress(sub)
    pairs, back = np.unique(inverse * len(by_cohort) + c, return_inverse=True)  # unique (row, cohort)
    row, t = pairs // len(by_cohort), days[pairs % len(by_cohort)]
    freq = rows["frequency"].to_numpy()[row]
    f, r, T = freq.astype(float), rows["recency"].to_numpy(float)[row], rows["T"].to_numpy(float)[row]
    back = back.reshape(-1)
    fixed = np.where(still, np.bincount(c, sub["net_revenue"].to_numpy(float), len(by_cohort)), revenue_at_end)
    # spend per purchase as CLVModel._order_value gives it, summed per (row, cohort) pair: Gamma-Gamma's
    # (1 - w) * population mean + w * own mean spend (w = p x / (p x + q - 1)) for repeat buyers with spend, the own
    # order value for the others; so a draw costs one pass over the pairs, not over the customers
    x, mv = sub["frequency"].to_numpy(float), sub["monetary_value"].to_numpy(float)
    gg = (x > 0) & (mv > 0) & (model.spend_params_ is not None)
    n_gg = np.bincount(back, gg.astype(float), len(pairs))
    m_gg = np.bincount(back, np.where(gg, mv, 0.0), len(pairs))
    own = np.bincount(back, np.where(gg, 0.0, sub["aov"].to_numpy(float)), len(pairs))
    pair_cohort = pairs % len(by_cohort)

    def total(spend: pd.Series | None, expected: np.ndarray) -> np.ndarray:
        value = own
        if spend is not None:
            p, q, v = spend[["p", "q", "v"]]
            w = p * f / (p * f + q - 1)
            value = own + n_gg * (1 - w) * (v * p / (q - 1)) + w * m_gg
        return fixed + np.bincount(pair_cohort, expected * value, len(by_cohort))

    point = model._expected(t, freq, r, T)
    out = total(model.spend_params_, point)
    if draws is None or not len(draws):
        return out, None
    names = list(model.params_.index)
    spend = draws[["p", "q", "v"]] if model.spend_params_ is not None else None
    base = np.log(model.params_.to_numpy(float))
    slopes = None
    if len(pairs) > EXACT_BOOTSTRAP_ROWS:
        steps = []
        for k in range(len(names)):
            up, down = model.params_.copy(), model.params_.copy()
            up.iloc[k] *= np.exp(1e-3)
            down.iloc[k] *= np.exp(-1e-3)
            steps.append((model.with_params(up)._expected(t, freq, r, T)
                          - model.with_params(down)._expected(t, freq, r, T)) / 2e-3)
        slopes = np.stack(steps)
    per_draw = np.empty((len(draws), len(by_cohort)))
    for b in range(len(draws)):
        params = draws.iloc[b][names]
        expected = (model.with_params(params)._expected(t, freq, r, T) if slopes is None else
                    point + (np.log(params.to_numpy(float)) - base) @ slopes)
        per_draw[b] = total(None if spend is None else spend.iloc[b], expected)
    return out, per_draw


def _spend_by_month(by_cohort: pd.DataFrame, size: pd.Series) -> pd.DataFrame:
    """Spend of each month over all channels against every customer acquired that month (the blended CAC)."""
    out = by_cohort.groupby("month", sort=True)["spend"].sum().to_frame()
    new = size.groupby(level="month").sum() if len(size) else pd.Series(dtype=np.int64)
    out["new_customers"] = new.reindex(out.index).fillna(0).astype(np.int64).to_numpy()
    out["cac"] = out["spend"] / out["new_customers"].replace(0, np.nan)
    return out.reset_index()


def _spend_by_channel(by_cohort: pd.DataFrame, age: np.ndarray, observed: np.ndarray, revenue_at: Any,
                      months: Sequence[int]) -> pd.DataFrame:
    """Per channel, the pooled cohorts of its months with spend: at month k, the cohorts whose month k is over."""
    rows = []
    spend = by_cohort["spend"].to_numpy()
    revenue = {k: revenue_at(k) for k in range(int(observed.max()) + 1 if len(observed) else 0)}
    for channel, idx in by_cohort.groupby("channel", sort=True).indices.items():
        total, new = float(spend[idx].sum()), int(by_cohort["new_customers"].to_numpy()[idx].sum())
        row = {"channel": channel, "months": len(idx), "spend": total, "new_customers": new,
               "cac": total / new if new else np.nan}
        for k in months:
            done = idx[age[idx] > k]
            paid = float(spend[done].sum())
            row[f"ltv_cac_{k}"] = float(revenue[k][done].sum()) / paid if len(done) and paid > 0 else np.nan
        row["payback_month"] = np.nan
        for k in sorted(revenue):
            done = idx[age[idx] > k]
            paid = float(spend[done].sum())
            if len(done) and new and float(revenue[k][done].sum()) >= paid:
                row["payback_month"] = k
                break
        row["months_observed"] = int(age[idx].max()) - 1  # the last month k over for some cohort (-1: none yet)
        rows.append(row)
    cols = ["channel", "months", "spend", "new_customers", "cac", *[f"ltv_cac_{k}" for k in months],
            "payback_month", "months_observed"]
    return pd.DataFrame(rows, columns=cols)


def _ratio(v: float) -> str:
    return f"{v:.1f}"


def payback_sentences(pb: Payback, language: str, currency: str = "") -> str:
    """One Markdown sentence per channel with spend (in ``language``): CAC, realised LTV:CAC at the months that
    are over for some cohort, and the month the pooled cohorts paid back (or that they have not yet)."""
    from ltvlib.labels import say, value_name

    horizons = [int(c.rsplit("_", 1)[1]) for c in pb.by_channel.columns if c.startswith("ltv_cac_")]
    lines = []
    for _, r in pb.by_channel.iterrows():
        name = md(value_name("channel", str(r["channel"]), language))
        spend, months = _money(r["spend"], currency), f"{int(r['months']):,}"
        if not r["new_customers"]:
            lines.append(say("cohorts_say_payback_nobody", language, channel=name, spend=spend, months=months))
            continue
        ratios = [say("cohorts_say_ratio_at", language, ratio=_ratio(r[f"ltv_cac_{k}"]),
                      when=period_label("month", k, language)) for k in horizons if r[f"ltv_cac_{k}"] == r[f"ltv_cac_{k}"]]
        ratio_text = (_join(ratios, language) if ratios else
                      say("cohorts_say_ratio_none", language, when=period_label("month", horizons[0], language)))
        if np.isfinite(r.get(PREDICTED_COLUMN, np.nan)):
            lo, hi = r.get(f"{PREDICTED_COLUMN}_lo_80", np.nan), r.get(f"{PREDICTED_COLUMN}_hi_80", np.nan)
            ratio = _ratio(r[PREDICTED_COLUMN]) + (say("cohorts_say_interval_80", language, lo=_ratio(lo), hi=_ratio(hi))
                                                   if np.isfinite(lo) and np.isfinite(hi) else "")
            ratio_text = _join([ratio_text, say("cohorts_say_ratio_predicted", language, ratio=ratio,
                                                when=period_label("month", PREDICTED_MONTH, language))], language)
        if r["payback_month"] == r["payback_month"]:
            paid = say("cohorts_say_paid_back", language, when=period_label("month", int(r["payback_month"]), language))
        elif r["months_observed"] >= 0:
            paid = say("cohorts_say_not_paid_back", language, when=period_label("month", int(r["months_observed"]),
                                                                               language))
        else:
            paid = say("cohorts_say_payback_too_early", language)
        lines.append(say("cohorts_say_payback", language, channel=name, cac=_money(r["cac"], currency),
                         new=f"{int(r['new_customers']):,}", spend=spend, months=months, ratios=ratio_text, paid=paid))
    return "\n".join(f"- {line}" for line in lines)


def _interval_sentence(pb: Payback, language: str) -> str:
    """' ' and the sentence saying where the predicted ratio's intervals come from ('' without intervals)."""
    from ltvlib.labels import say

    return " " + say("cohorts_say_predicted_interval", language, draws=f"{pb.draws:,}") if pb.draws else ""


def _join(parts: Sequence[str], language: str) -> str:
    """Parts of a sentence joined as a list: "a, b" / "a、b"."""
    return ("、" if language == "ja" else ", ").join(parts)


def _spend_rows_sentence(pb: Payback, language: str) -> str:
    """How many rows of the spend file were used and how many skipped, and why."""
    from ltvlib.labels import say

    reasons = [say(f"cohorts_spend_skip_{k}", language, n=f"{pb.rows[k]:,}") for k in ("blank", "after_as_of")
               if pb.rows[k]]
    skipped = say("cohorts_say_spend_skipped", language, n=f"{pb.rows['blank'] + pb.rows['after_as_of']:,}",
                  reasons=_join(reasons, language)) if reasons else ""
    return say("cohorts_say_spend_rows", language, name=md(pb.name), used=f"{pb.rows['used']:,}", skipped=skipped)
