"""Segment metrics at a date, and segment growth over time recomputed from order history.

Segments overlap (a customer is in ``loyal_active`` and in ``omnichannel``), so metrics are computed
per segment mask; a one-label-per-customer split (the status grid's cells, the stage scenario) is the
special case where the masks do not overlap, computed the same way (``segment_metrics`` takes either). Shares are of all customers known at ``as_of``. Growth needs no stored snapshots: condition
segments are functions of order history, so membership at any past date is recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.segments.evaluate import Segmenter
from ltvlib.segments.fields import Snapshot

__all__ = ["METRIC_COLUMNS", "SegmentsReport", "analyse", "growth", "segment_metrics", "weekly_dates"]

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


def _masks(keys: pd.Index, membership: pd.DataFrame | pd.Series | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if isinstance(membership, pd.Series):  # one label per customer: every label (category) is a segment
        labels = membership if membership.index.equals(keys) else membership.reindex(keys)
        if isinstance(labels.dtype, pd.CategoricalDtype):
            names = list(labels.cat.categories)  # empty categories kept: a grid always shows all its cells
        else:
            names = sorted(labels.dropna().unique())
        values = labels.to_numpy(dtype=object)
        return {str(n): values == n for n in names}
    if isinstance(membership, pd.DataFrame):
        if not membership.index.equals(keys):
            membership = membership.reindex(keys, fill_value=False)
        return {str(c): membership[c].to_numpy(dtype=bool) for c in membership.columns}
    return {str(k): np.asarray(v, dtype=bool) for k, v in membership.items()}


def segment_metrics(customers: Snapshot | pd.DataFrame,
                    membership: pd.DataFrame | pd.Series | Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Metrics per segment (index ``segment``: segment names in order; columns ``METRIC_COLUMNS``).

    ``customers``: a ``Snapshot`` at the date, or a customer summary (``customers.customer_summary``; it has
    no repurchase intervals, so no ``median_days_between_orders`` column). ``membership``: a membership frame
    (``Segmenter.membership``), name -> bool array aligned with the customers (``Segmenter.masks``), or one
    label per customer (a Series such as ``rfm.status_grid(...)["cell"]``: each label a segment, in category
    order, empty categories kept). Empty segments get 0 customers and null averages; shares are null when
    there is no customer (or no revenue).
    """
    if isinstance(customers, pd.DataFrame):
        keys = customers.index
        revenue = customers["net_revenue"].to_numpy(dtype=float)
        orders = customers["orders"].to_numpy(dtype=float)
        iv_cust = iv_days = None
    else:
        keys, revenue, orders = customers.keys, customers.net_revenue, customers.orders.astype(float)
        iv_cust, iv_days = customers.intervals()
    masks = _masks(keys, membership)
    total_c, total_r = len(keys), float(revenue.sum())
    rows = []
    for mask in masks.values():
        c = int(mask.sum())
        rev, n_orders = float(revenue[mask].sum()), float(orders[mask].sum())
        row = {
            "customers": c,
            "share": c / total_c if total_c else np.nan,
            "net_revenue": rev,
            "revenue_share": rev / total_r if total_r else np.nan,
            "orders_per_customer": n_orders / c if c else np.nan,
            "aov": rev / n_orders if n_orders else np.nan,
            "ltv": rev / c if c else np.nan,
            "repeat_rate": float((orders[mask] >= 2).sum()) / c if c else np.nan,
        }
        if iv_cust is not None:
            gaps = iv_days[mask[iv_cust]] if len(iv_cust) else iv_days
            row["median_days_between_orders"] = float(np.median(gaps)) if len(gaps) else np.nan
        rows.append(row)
    columns = [c for c in METRIC_COLUMNS if iv_cust is not None or c != "median_days_between_orders"]
    out = pd.DataFrame(rows, index=pd.Index(list(masks), name="segment"), columns=columns)
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


@dataclass
class SegmentsReport:
    """Everything the segments page shows for one date: every segment's metrics and growth, the frozen lists
    and their campaign results; ``key_figures()`` / ``figures(title)`` give ``segments.figures.json``."""

    as_of: dt.date
    language: str
    currency: str
    customers: int  # customers known at as_of
    overall_ltv: float  # net revenue per customer, all customers
    metrics: pd.DataFrame  # segment_metrics at as_of
    growth: pd.DataFrame  # growth over the weekly dates
    definitions: list[Any]  # the segments' definitions (Segmenter.definitions)
    lists: pd.DataFrame = field(default_factory=pd.DataFrame)  # lists.catalog
    campaigns: dict[str, Any] = field(default_factory=dict)  # list name -> campaign.CampaignResult

    def key_figures(self) -> dict[str, dict[str, Any]]:
        """The index page's rows: how many segments and lists."""
        from ltvlib.labels import label

        n, n_lists = len(self.metrics), len(self.lists)
        return {"segments": {"label": label("seg_segments_count", self.language), "value": int(n), "text": f"{n:,}"},
                "lists": {"label": label("seg_lists", self.language), "value": int(n_lists), "text": f"{n_lists:,}"}}

    def figures(self, title: str) -> dict[str, Any]:
        """``segments.figures.json``: customers, each segment's size and LTV, lists, campaign effects."""
        return {
            "title": title,
            "as_of": str(self.as_of),
            "customers": int(self.customers),
            "segments": {n: {"customers": int(r.customers), "ltv": None if r.ltv != r.ltv else float(r.ltv)}
                         for n, r in self.metrics.iterrows()},
            "lists": self.lists["name"].tolist() if len(self.lists) else [],
            "campaigns": {n: r.effects.reset_index().to_dict(orient="records") for n, r in self.campaigns.items()},
            "key_figures": self.key_figures(),
        }


def analyse(segmenter: Segmenter, as_of: dt.date, language: str, currency: str = "", *,
            lists: pd.DataFrame | None = None, campaigns: Mapping[str, Any] | None = None,
            weeks: int = 52) -> SegmentsReport:
    """The segments page for ``as_of``: metrics of every segment, their growth over ``weeks`` weeks; ``lists``
    (``lists.catalog``) and ``campaigns`` (``campaign.measure_all``) are carried for the page and its figures."""
    snap = segmenter.snapshot(as_of)
    return SegmentsReport(
        as_of=as_of, language=language, currency=currency, customers=len(snap),
        overall_ltv=float(snap.net_revenue.mean()) if len(snap) else 0.0,
        metrics=segment_metrics(snap, segmenter.masks(snap)), growth=growth(segmenter, weekly_dates(as_of, weeks)),
        definitions=list(segmenter.definitions),
        lists=lists if lists is not None else pd.DataFrame({"name": []}), campaigns=dict(campaigns or {}))
