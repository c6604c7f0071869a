"""Segment metrics at a date, and segment growth over time recomputed from order history.

Segments overlap (a customer is in ``loyal_active`` and in ``omnichannel``), so metrics are computed
per segment column of a membership frame, not by grouping on one label as ``rfm.segment_metrics``
does. Shares are of all customers known at ``as_of``. Growth needs no stored snapshots: condition
segments are functions of order history, so membership at any past date is recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ltvlib.segments.evaluate import Segmenter
from ltvlib.segments.fields import Snapshot

__all__ = ["METRIC_COLUMNS", "growth", "segment_metrics", "weekly_dates"]

METRIC_COLUMNS = {
    "customers": "members at as_of",
    "share": "members / all customers",
    "net_revenue": "members' cumulative net revenue",
    "revenue_share": "members' net revenue / all customers' net revenue",
    "orders_per_customer": "orders per member",
    "aov": "average order value (net revenue / orders)",
    "ltv": "average LTV: cumulative net revenue per member",
    "repeat_rate": "share of members with 2+ orders",
    "median_days_between_orders": "median days between consecutive purchase days of members",
}


def _masks(snap: Snapshot, membership: pd.DataFrame | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if isinstance(membership, pd.DataFrame):
        if not membership.index.equals(snap.keys):
            membership = membership.reindex(snap.keys, fill_value=False)
        return {str(c): membership[c].to_numpy(dtype=bool) for c in membership.columns}
    return {str(k): np.asarray(v, dtype=bool) for k, v in membership.items()}


def segment_metrics(snap: Snapshot, membership: pd.DataFrame | Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Metrics per segment (index: segment names in order; columns ``METRIC_COLUMNS``).

    ``membership`` is a membership frame (``Segmenter.membership``) or name -> bool array aligned with
    ``snap.keys``. Empty segments get 0 customers and null averages.
    """
    masks = _masks(snap, membership)
    revenue, orders = snap.net_revenue, snap.orders.astype(float)
    total_c, total_r = len(snap), float(revenue.sum())
    iv_cust, iv_days = snap.intervals()
    rows = []
    for mask in masks.values():
        c = int(mask.sum())
        rev, n_orders = float(revenue[mask].sum()), float(orders[mask].sum())
        gaps = iv_days[mask[iv_cust]] if len(iv_cust) else iv_days
        rows.append({
            "customers": c,
            "share": c / total_c if total_c else np.nan,
            "net_revenue": rev,
            "revenue_share": rev / total_r if total_r else np.nan,
            "orders_per_customer": n_orders / c if c else np.nan,
            "aov": rev / n_orders if n_orders else np.nan,
            "ltv": rev / c if c else np.nan,
            "repeat_rate": float((orders[mask] >= 2).sum()) / c if c else np.nan,
            "median_days_between_orders": float(np.median(gaps)) if len(gaps) else np.nan,
        })
    out = pd.DataFrame(rows, index=pd.Index(list(masks), name="segment"), columns=list(METRIC_COLUMNS))
    return out.astype({"customers": np.int64})


def weekly_dates(as_of: dt.date, weeks: int = 52) -> list[dt.date]:
    """``weeks + 1`` dates a week apart, ending on ``as_of`` (oldest first)."""
    return [as_of - dt.timedelta(weeks=w) for w in range(weeks, -1, -1)]


def growth(segmenter: Segmenter, dates: Sequence[dt.date], names: Sequence[str] | None = None) -> pd.DataFrame:
    """Size and LTV of segments at each date, from order history (long frame).

    Columns: date, segment, customers, share (of all customers then), net_revenue (members'
    cumulative), ltv (net_revenue per member; null when empty).
    """
    names = segmenter.names if names is None else list(names)
    rows = []
    for d in dates:
        snap = segmenter.snapshot(d)
        masks = segmenter.masks(snap, names)
        revenue, total = snap.net_revenue, len(snap)
        for name in names:
            mask = masks[name]
            c = int(mask.sum())
            rev = float(revenue[mask].sum())
            rows.append((d, name, c, c / total if total else np.nan, rev, rev / c if c else np.nan))
    return pd.DataFrame(rows, columns=["date", "segment", "customers", "share", "net_revenue", "ltv"])
