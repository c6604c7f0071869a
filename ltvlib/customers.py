"""The customer summary as of a date: the base frame of every analysis.

Time semantics (DESIGN.md): ``as_of`` is a calendar date in the shop's time zone and every order
placed up to the end of that day is visible. Days are calendar days in the shop's zone. Several
orders on one day are one *purchase day* for frequency models (as ``lifetimes`` counts them) but
separate orders for order counts and revenue.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ltvlib.history import OrderHistory, _as_date, as_of_cutoff, day_number, local_days

__all__ = [
    "SUMMARY_COLUMNS",
    "as_of_cutoff",
    "customer_orders",
    "customer_summary",
    "day_number",
    "exclusions",
    "local_days",
    "repurchase_intervals",
    "visible_orders",
]

SUMMARY_COLUMNS = {
    "email": "last e-mail seen for the customer (null if none)",
    "orders": "orders placed (cancelled orders excluded)",
    "purchase_days": "distinct calendar days with an order",
    "first_order_at": "timestamp of the first order (shop zone)",
    "last_order_at": "timestamp of the last order (shop zone)",
    "recency_days": "days from the last order's date to as_of",
    "tenure_days": "days from the first order's date to as_of",
    "frequency": "lifetimes frequency: purchase days after the first",
    "recency": "lifetimes recency: days from first to last purchase day",
    "T": "lifetimes T: days from first purchase day to as_of (= tenure_days)",
    "net_revenue": "sum of net revenue (total - refunds) of all orders",
    "aov": "average order value: net_revenue / orders",
    "monetary_value": "lifetimes monetary value: mean net revenue per repeat purchase day (0 if none)",
    "mean_interval_days": "mean days between purchase days (recency / frequency; null for one-day buyers)",
    "first_order_id": "order_id of the first order",
    "first_channel": "channel of the first order",
    "last_channel": "channel of the last order",
    "first_discount_code": "first discount code of the first order (null if none)",
    "first_product_line": "product line of the first order's first line item (when line items are given)",
    "first_product": "product of the first order's first line item (when line items are given)",
}


def visible_orders(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """All orders placed up to the end of ``as_of`` (any identity, cancelled included)."""
    return orders.loc[_visible(orders, as_of)]


def _visible(orders: pd.DataFrame, as_of: dt.date | str) -> np.ndarray:
    """Which orders are placed up to the end of ``as_of`` (a boolean mask)."""
    tz = orders["ordered_at"].dt.tz
    if tz is None:
        raise ValueError("orders.ordered_at must be tz-aware (the shop's time zone); see ltvlib.store.Store.orders")
    return (orders["ordered_at"] < as_of_cutoff(as_of, str(tz))).to_numpy()


def customer_orders(orders: pd.DataFrame, as_of: dt.date | str, *, include_cancelled: bool = False) -> pd.DataFrame:
    """Orders that count for customer analyses at ``as_of``: visible, with a customer key, not cancelled.

    Adds ``order_day`` (int, calendar days since 1970-01-01 in the shop's zone).
    """
    o = visible_orders(orders, as_of)
    keep = o["customer_key"].notna()
    if not include_cancelled and "cancelled_at" in o:
        keep &= o["cancelled_at"].isna()
    o = o.loc[keep].copy()
    o["order_day"] = local_days(o["ordered_at"])
    return o


def exclusions(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """Orders visible at ``as_of`` that customer analyses leave out, by stated reason.

    Columns: reason ('cancelled', 'no_customer_identity'), orders, net_revenue. A cancelled order
    without identity counts as cancelled.
    """
    visible = _visible(orders, as_of)  # masks, not a copy of the orders (gigabytes on a large shop)
    cancelled = visible & orders["cancelled_at"].notna().to_numpy()
    anonymous = visible & orders["customer_key"].isna().to_numpy() & ~cancelled
    revenue = orders["net_revenue"].to_numpy(dtype=float)
    rows = [
        ("cancelled", int(cancelled.sum()), float(revenue[cancelled].sum())),
        ("no_customer_identity", int(anonymous.sum()), float(revenue[anonymous].sum())),
    ]
    return pd.DataFrame(rows, columns=["reason", "orders", "net_revenue"])


def customer_summary(
    orders: pd.DataFrame, as_of: dt.date | str, line_items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per customer (index ``customer_key``) as of ``as_of``; columns in ``SUMMARY_COLUMNS``.

    A view of the order-history engine (``ltvlib.history``). ``frequency``, ``recency`` and ``T`` follow
    ``lifetimes.utils.summary_data_from_transaction_data`` with ``freq='D'`` on local calendar days, so
    the frame feeds the BG/NBD fitters directly.
    """
    as_of_d = _as_date(as_of)
    return OrderHistory(orders, line_items, as_of=as_of_d).snapshot(as_of_d).summary()


def repurchase_intervals(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """Days between consecutive purchase days of each customer, up to ``as_of``.

    Columns: customer_key, purchase_no (2 = the interval from the 1st to the 2nd purchase day), days; rows
    in the order the repurchases happened.
    """
    as_of_d = _as_date(as_of)
    return OrderHistory(orders, as_of=as_of_d).snapshot(as_of_d).interval_frame()
