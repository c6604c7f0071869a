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


def visible_orders(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """All orders placed up to the end of ``as_of`` (any identity, cancelled included)."""
    tz = orders["ordered_at"].dt.tz
    if tz is None:
        raise ValueError("orders.ordered_at must be tz-aware (the shop's time zone); see ltvlib.store.Store.orders")
    return orders.loc[orders["ordered_at"] < as_of_cutoff(as_of, str(tz))]


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


_EMPTY_DTYPES = {"orders": "int64", "purchase_days": "int64", "recency_days": "int64", "tenure_days": "int64",
                 "frequency": "int64", "recency": "int64", "T": "int64", "net_revenue": "float64", "aov": "float64",
                 "monetary_value": "float64", "mean_interval_days": "float64"}


def exclusions(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """Orders visible at ``as_of`` that customer analyses leave out, by stated reason.

    Columns: reason ('cancelled', 'no_customer_identity'), orders, net_revenue. A cancelled order
    without identity counts as cancelled.
    """
    o = visible_orders(orders, as_of)
    cancelled = o["cancelled_at"].notna()
    anonymous = o["customer_key"].isna() & ~cancelled
    rows = [
        ("cancelled", int(cancelled.sum()), float(o.loc[cancelled, "net_revenue"].sum())),
        ("no_customer_identity", int(anonymous.sum()), float(o.loc[anonymous, "net_revenue"].sum())),
    ]
    return pd.DataFrame(rows, columns=["reason", "orders", "net_revenue"])


def customer_summary(
    orders: pd.DataFrame, as_of: dt.date | str, line_items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per customer (index ``customer_key``) as of ``as_of``; columns in ``SUMMARY_COLUMNS``.

    ``frequency``, ``recency`` and ``T`` follow ``lifetimes.utils.summary_data_from_transaction_data``
    with ``freq='D'`` on local calendar days, so the frame feeds the BG/NBD fitters directly.
    """
    as_of_d = _as_date(as_of)
    o = customer_orders(orders, as_of_d)
    if o.empty:
        cols = [c for c in SUMMARY_COLUMNS if line_items is not None or not c.startswith("first_product")]
        zone = orders["ordered_at"].dt.tz if "ordered_at" in orders and orders["ordered_at"].dt.tz else "UTC"
        out = pd.DataFrame(columns=cols, index=pd.Index([], name="customer_key", dtype=object))
        return out.astype({c: _EMPTY_DTYPES.get(c, object) if "_at" not in c else f"datetime64[ns, {zone}]"
                           for c in cols})
    o = o.sort_values(["ordered_at", "order_id"], kind="stable")
    codes, keys = pd.factorize(o["customer_key"], sort=False)
    day = o["order_day"].to_numpy()
    rev = o["net_revenue"].to_numpy(dtype=float)
    n = len(keys)

    n_orders = np.bincount(codes, minlength=n)
    revenue = np.bincount(codes, weights=rev, minlength=n)
    first_pos = np.full(n, -1, dtype=np.int64)
    # orders are sorted by time: the first occurrence of a code is the first order, the last the last
    rev_idx = np.arange(len(codes))[::-1]
    first_pos[codes[::-1]] = rev_idx
    last_pos = np.empty(n, dtype=np.int64)
    last_pos[codes] = np.arange(len(codes))
    first_day = day[first_pos]
    last_day = day[last_pos]

    # purchase days: distinct (customer, day) pairs; revenue of the first purchase day
    pair_codes, _ = _purchase_days(codes, day)
    purchase_days = np.bincount(pair_codes, minlength=n)
    on_first_day = day == first_day[codes]
    first_day_rev = np.bincount(codes[on_first_day], weights=rev[on_first_day], minlength=n)

    as_of_day = (np.datetime64(as_of_d, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    frequency = purchase_days - 1
    recency = last_day - first_day
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, (revenue - first_day_rev) / np.maximum(frequency, 1), 0.0)
        mean_interval = np.where(frequency > 0, recency / np.maximum(frequency, 1), np.nan)

    email = o["email"].to_numpy(dtype=object)
    first = o.iloc[first_pos]
    last = o.iloc[last_pos]
    codes_first = first["discount_codes"].map(lambda v: v[0] if len(v) else None).to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "email": email[last_pos],
            "orders": n_orders.astype(np.int64),
            "purchase_days": purchase_days.astype(np.int64),
            "first_order_at": first["ordered_at"].to_numpy(),
            "last_order_at": last["ordered_at"].to_numpy(),
            "recency_days": (as_of_day - last_day).astype(np.int64),
            "tenure_days": (as_of_day - first_day).astype(np.int64),
            "frequency": frequency.astype(np.int64),
            "recency": recency.astype(np.int64),
            "T": (as_of_day - first_day).astype(np.int64),
            "net_revenue": revenue,
            "aov": revenue / n_orders,
            "monetary_value": monetary,
            "mean_interval_days": mean_interval,
            "first_order_id": first["order_id"].to_numpy(dtype=object),
            "first_channel": first["channel"].to_numpy(dtype=object),
            "last_channel": last["channel"].to_numpy(dtype=object),
            "first_discount_code": codes_first,
        },
        index=pd.Index(keys, name="customer_key"),
    )
    tz = o["ordered_at"].dt.tz
    for c in ("first_order_at", "last_order_at"):
        out[c] = pd.to_datetime(out[c], utc=True).dt.tz_convert(tz)
    if line_items is not None:
        firsts = line_items.loc[line_items["line_no"] == line_items.groupby("order_id")["line_no"].transform("min")]
        firsts = firsts.drop_duplicates("order_id").set_index("order_id")
        out["first_product_line"] = firsts["product_line"].reindex(out["first_order_id"]).to_numpy(dtype=object)
        out["first_product"] = firsts["product"].reindex(out["first_order_id"]).to_numpy(dtype=object)
    return out


def _purchase_days(codes: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (customer code, day) pairs, sorted by customer then day.

    A sort of one packed integer key: much faster than ``np.unique`` or a groupby on millions of orders.
    """
    base = int(day.min())
    key = np.sort((codes.astype(np.int64) << 22) | (day - base))
    keep = np.ones(len(key), dtype=bool)
    keep[1:] = key[1:] != key[:-1]
    key = key[keep]
    return key >> 22, (key & ((1 << 22) - 1)) + base


def repurchase_intervals(orders: pd.DataFrame, as_of: dt.date | str) -> pd.DataFrame:
    """Days between consecutive purchase days of each customer, up to ``as_of``.

    Columns: customer_key, purchase_no (2 = the interval from the 1st to the 2nd purchase day), days.
    """
    o = customer_orders(orders, as_of)
    if o.empty:
        return pd.DataFrame({"customer_key": pd.Series(dtype=object), "purchase_no": pd.Series(dtype=np.int64),
                             "days": pd.Series(dtype=np.int64)})
    codes, keys = pd.factorize(o["customer_key"], sort=True)
    c, d = _purchase_days(codes, o["order_day"].to_numpy())
    same = c[1:] == c[:-1]
    starts = np.flatnonzero(np.r_[True, ~same])
    purchase_no = np.arange(len(c)) - np.repeat(starts, np.diff(np.r_[starts, len(c)])) + 1
    return pd.DataFrame(
        {
            "customer_key": keys.to_numpy(dtype=object)[c[1:][same]],
            "purchase_no": purchase_no[1:][same].astype(np.int64),
            "days": (d[1:] - d[:-1])[same].astype(np.int64),
        }
    )
