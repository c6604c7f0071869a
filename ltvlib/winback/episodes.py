"""Lapse episodes: every time a customer went ``lapsed_days`` without an order, what they looked like
then, and whether (and when, and for how much) they came back.

Time semantics (DESIGN.md: calendar days in the shop's zone). A customer whose last purchase day is
``L`` is lapsed from day ``S = L + lapsed_days`` if they placed no order on days ``L+1 .. S``: on ``S``
their ``recency_days`` reaches ``lapsed_days``. The episode's features use only orders up to ``L``
(the last order before ``S``), so nothing after the episode's start leaks into them. The outcome is the
first order after ``S``: *returned* if it falls within ``horizon_days`` (day ``S+1 .. S+horizon_days``);
an episode whose horizon has not ended by ``as_of`` and with no return yet is left unlabelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ltvlib.history import OrderHistory, day_number
from ltvlib.store import FIRST_ITEM_COLUMNS, TEXT

if TYPE_CHECKING:
    from ltvlib.store import Store

__all__ = [
    "EPISODE_COLUMNS",
    "FEATURE_COLUMNS",
    "GIFT_TAGS",
    "WinbackSettings",
    "lapse_episodes",
    "load_orders",
    "return_timing",
    "settings_from",
]

GIFT_TAGS = ("gift",)  # order tags (case-insensitive) that mark a gift order; pass others to lapse_episodes
_EPOCH = np.datetime64("1970-01-01", "D")

FEATURE_COLUMNS = {
    "orders": "orders placed up to the last order before the episode",
    "purchase_days": "distinct purchase days up to then",
    "net_revenue": "net revenue of those orders",
    "aov": "average order value: net_revenue / orders",
    "tenure_days": "days from the first order to the episode start",
    "mean_interval_days": "mean days between purchase days (null for one purchase day)",
    "last_gap_days": "days between the last two purchase days (null for one purchase day)",
    "first_product_line": "main product line (first line item) of the first order (null without line items)",
    "last_product_line": "main product line of the last order",
    "first_channel": "channel of the first order",
    "last_channel": "channel of the last order",
    "first_discount_code": "first discount code of the first order ('none' if none)",
    "discount_share": "share of orders with a discount (code or amount)",
    "repeat_discount_share": "share of the orders after the first with a discount (null for one order)",
    "gift_share": "share of orders tagged as gifts (GIFT_TAGS)",
    "peak_season_share": "share of orders placed in the peak months (params winback.peak_months)",
    "multichannel": "ordered through more than one channel",
    "prior_episodes": "earlier lapse episodes of the same customer (all ended with a return)",
    "start_month": "calendar month of the episode start (1-12)",
    "last_order_month": "calendar month of the last order (1-12)",
}
EPISODE_COLUMNS = {
    "customer_key": "the customer",
    "episode_no": "1 for the customer's first lapse, 2 for the second ...",
    "last_order_date": "date of the last order before the episode",
    "start_date": "the day the customer reached lapsed_days without an order",
    "horizon_end": "start_date + horizon_days: the outcome is known once as_of reaches it",
    **FEATURE_COLUMNS,
    "return_date": "date of the first order after start_date (NaT if none up to as_of)",
    "days_to_return": "days from start_date to return_date (null if none)",
    "return_value": "net revenue of the orders on return_date",
    "returned": "True: returned within horizon_days; False: no return by horizon_end <= as_of; NA: not known yet",
    "outcome_known": "horizon_end <= as_of (the episode can train and test models without bias)",
    "current": "no order since: the customer is lapsed at as_of (the population to score)",
    "followup_days": "days observed after start_date: days_to_return, else as_of - start_date",
}


@dataclass(frozen=True)
class WinbackSettings:
    """The shop's ``winback`` params, checked (see params/defaults.yaml for their meaning)."""

    lapsed_days: int = 121
    horizon_days: int = 180
    top_n: int | None = 500
    min_score: float | None = None
    control_share: float = 0.1
    seed: int = 42
    backtest_cutoff: dt.date | None = None
    peak_months: tuple[int, ...] = (6, 7, 12)
    rank_by: str = "expected_return_value"


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"winback.{key} must be a positive whole number of days, got {value!r}.")
    return value


def settings_from(section: Mapping[str, Any], thresholds: Mapping[str, Any] | None = None) -> WinbackSettings:
    """Validate a ``winback`` params section (``ShopParams.winback``) into ``WinbackSettings``.

    ``lapsed_days`` null (the default) means ``thresholds.active_days + 1``: a customer is *lapsed* once
    they are no longer active in the status grid's terms (``thresholds``: ``ShopParams.thresholds``;
    without it, the default 120 active days).
    """
    s = dict(section)
    lapsed = s.get("lapsed_days")
    if lapsed is None:
        active = (thresholds or {}).get("active_days", 120)
        lapsed = _positive_int(active, "lapsed_days (from thresholds.active_days)") + 1
    else:
        lapsed = _positive_int(lapsed, "lapsed_days")
    horizon = _positive_int(s.get("horizon_days", 180), "horizon_days")
    top_n = s.get("top_n", 500)
    if top_n is not None:
        top_n = _positive_int(top_n, "top_n")
    min_score = s.get("min_score")
    if min_score is not None and not (isinstance(min_score, (int, float)) and 0 <= min_score <= 1):
        raise ValueError(f"winback.min_score must be a probability between 0 and 1 or null, got {min_score!r}.")
    share = s.get("control_share", 0.1)
    if not (isinstance(share, (int, float)) and 0 <= share < 1):
        raise ValueError(f"winback.control_share must be at least 0 and below 1, got {share!r}.")
    seed = s.get("seed", 42)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"winback.seed must be a whole number, got {seed!r}.")
    cutoff = s.get("backtest_cutoff")
    if cutoff is not None and not isinstance(cutoff, dt.date):
        try:
            cutoff = dt.date.fromisoformat(str(cutoff))
        except ValueError:
            raise ValueError(f"winback.backtest_cutoff must be a date like 2025-06-30 or null, got {cutoff!r}.") from None
    months = s.get("peak_months", [6, 7, 12])
    if not (isinstance(months, list) and all(isinstance(m, int) and 1 <= m <= 12 for m in months)):
        raise ValueError(f"winback.peak_months must be a list of months 1-12, got {months!r}.")
    rank_by = s.get("rank_by", "expected_return_value")
    if rank_by not in ("expected_return_value", "p_return"):
        raise ValueError(f"winback.rank_by must be 'expected_return_value' or 'p_return', got {rank_by!r}.")
    return WinbackSettings(lapsed, horizon, top_n, None if min_score is None else float(min_score), float(share),
                           seed, cutoff, tuple(months), rank_by)


ORDER_COLUMNS = ["order_id", "customer_key", "ordered_at", "net_revenue", "discount_amount", "cancelled_at", "channel"]


def load_orders(store: Store, *, extra_columns: Iterable[str] = (), gift_tags: Iterable[str] = GIFT_TAGS) -> pd.DataFrame:
    """The orders ``lapse_episodes`` needs, read lean: the canonical columns it uses (plus ``extra_columns``)
    from ``store.orders``, and instead of the ``tags`` / ``discount_codes`` lists and the line items (costly:
    on a 3-million-order shop the line items alone are gigabytes) columns computed in the store: ``gift`` (a
    tag in ``gift_tags``, any case), ``discount_code`` (the first code, null if none), and the ``product`` and
    ``product_line`` of the order's first line item (lowest line number), which ``OrderHistory`` reads as the
    order's product fields.
    """
    cols = ORDER_COLUMNS + [c for c in extra_columns if c not in ORDER_COLUMNS]
    orders = store.orders(cols + [c for c in FIRST_ITEM_COLUMNS if c not in cols])
    flags = store.con.sql(
        "SELECT order_id, coalesce(list_has_any(list_transform(tags, lambda t: lower(trim(t))), ?), false) AS gift, "
        "discount_codes[1] AS discount_code FROM orders",
        params=[[t.lower() for t in gift_tags]],
    ).to_arrow_table()
    ids = orders["order_id"].array.__arrow_array__()
    at = pc.index_in(ids, value_set=flags.column("order_id").cast(ids.type))  # the flags' row of each order
    if at.null_count:
        raise RuntimeError("orders changed while they were read (an import?); run again")
    flags = flags.take(at)
    orders["gift"] = flags.column("gift").to_numpy()
    orders["discount_code"] = pd.array(flags.column("discount_code"), dtype=TEXT)
    return orders


def _dates(days: np.ndarray) -> np.ndarray:
    """Calendar day numbers as naive datetime64[ns] dates (NaT where the float day is NaN)."""
    f = np.asarray(days, dtype=float)
    out = np.full(len(f), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(f)
    out[ok] = (f[ok].astype(np.int64).astype("datetime64[D]")).astype("datetime64[ns]")
    return out


def _month(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int64)


def _group_cumsum(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each group (``start[i]`` = first position of row i's group)."""
    c = np.cumsum(values, dtype=float)
    return c - (c[start] - values[start])


def _decode(codes: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """Values of integer codes (-1 -> None) as an object array."""
    values = np.asarray(vocab, dtype=object)
    return np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else None, None).astype(object)


def _list_lengths(values: np.ndarray) -> np.ndarray:
    """Lengths of an array of lists (the store's tags and discount codes are lists, empty when none)."""
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def lapse_episodes(
    orders: pd.DataFrame | OrderHistory,
    as_of: dt.date | str,
    *,
    lapsed_days: int = 121,
    horizon_days: int = 180,
    line_items: pd.DataFrame | None = None,
    peak_months: Iterable[int] = (6, 7, 12),
    gift_tags: Iterable[str] = GIFT_TAGS,
) -> pd.DataFrame:
    """One row per lapse episode up to ``as_of`` (columns ``EPISODE_COLUMNS``), vectorised.

    ``orders``: the orders frame, or its ``OrderHistory`` built at ``as_of`` (shared with the page's summary).
    Orders are those customer analyses count (``customers.customer_orders``: visible at ``as_of``,
    identified, not cancelled), with the canonical ``tags`` and ``discount_codes`` lists or the ``gift``
    and ``discount_code`` columns of ``load_orders``. Features come from orders up to the episode's last
    order only.
    """
    if lapsed_days < 1 or horizon_days < 1:
        raise ValueError("lapsed_days and horizon_days must be positive")
    as_of_day = day_number(as_of)
    h = orders if isinstance(orders, OrderHistory) else OrderHistory(orders, line_items, as_of=as_of)
    if h.as_of is None or day_number(h.as_of) != as_of_day:
        raise ValueError(f"the OrderHistory was built at {h.as_of}, not at {as_of}")
    orders = h.frame
    srt = h.by_customer  # by customer, then time (the engine's order: ordered_at, order_id)
    n = len(srt)
    cust, day = h.code[srt], h.day[srt]
    start = np.repeat(h.starts, h.counts)  # first row of each row's customer

    # purchase days: the last order of each (customer, day) carries the state at the end of that day
    last_of_day = np.ones(n, dtype=bool)
    last_of_day[:-1] = (cust[1:] != cust[:-1]) | (day[1:] != day[:-1])
    p = np.flatnonzero(last_of_day)
    del last_of_day
    pday, pcust = day[p], cust[p]
    first_p = np.ones(len(p), dtype=bool)
    first_p[1:] = pcust[1:] != pcust[:-1]
    last_p = np.ones(len(p), dtype=bool)
    last_p[:-1] = first_p[1:]
    pstart_p = np.maximum.accumulate(np.where(first_p, np.arange(len(p)), 0))
    purchase_no = np.arange(len(p)) - pstart_p + 1
    nxt = np.where(last_p, -1, np.arange(len(p)) + 1)
    gap = np.where(last_p, as_of_day - pday, pday[np.minimum(nxt, len(p) - 1)] - pday)
    is_ep = np.where(last_p, gap >= lapsed_days, gap > lapsed_days)
    prior = _group_cumsum(is_ep.astype(float), pstart_p) - is_ep

    e = np.flatnonzero(is_ep)
    rows = p[e]  # order rows carrying each episode's state
    first_rows = start[rows]  # the customer's first order
    L = pday[e]
    S = L + lapsed_days
    first_day = day[first_rows]
    has_next = ~last_p[e]
    nx = np.where(has_next, nxt[e], 0)
    next_rows = p[nx]
    ret_day = np.where(has_next, pday[nx], np.nan)
    pn, prior_e = purchase_no[e], prior[e]
    prev = np.where(pn > 1, pday[np.maximum(e - 1, 0)], np.nan)
    del p, pday, pcust, first_p, last_p, pstart_p, purchase_no, nxt, gap, is_ep, prior

    def upto(values: np.ndarray) -> np.ndarray:
        """Per episode, the sum of ``values`` over the customer's orders up to the episode's last order
        (one pass over the orders, then only the episodes are kept)."""
        c = np.cumsum(values, dtype=float)
        return c[rows] - (c[first_rows] - values[first_rows])

    def text(name: str) -> tuple[np.ndarray, np.ndarray]:  # codes by order row (-1: none) and vocabulary
        codes, vocab = h.order_text(name)
        return codes[srt], vocab

    cum_rev = np.cumsum(h.revenue[srt], dtype=float)
    net_revenue = cum_rev[rows] - cum_rev[first_rows] + h.revenue[srt[first_rows]]
    ret_value = np.where(has_next, cum_rev[next_rows] - cum_rev[rows], np.nan)
    del cum_rev
    if "gift" in orders:  # computed by load_orders
        gift = h.column("gift")[srt].astype(bool)
    else:
        tags = h.column("tags")[srt]
        gift_set = {t.lower() for t in gift_tags}
        gift = np.zeros(n, dtype=bool)
        tagged = np.flatnonzero(_list_lengths(tags) > 0)
        gift[tagged] = [any(str(t).strip().lower() in gift_set for t in v) for v in tags[tagged]]
        del tags
    cum_gift = upto(gift)
    del gift
    code, code_vocab = text("discount_code")  # load_orders' column, else the first of the lists
    disc = (code >= 0) | (np.nan_to_num(h.column("discount_amount")[srt].astype(float)) > 0)
    first_code = code[first_rows]
    del code
    cum_disc, first_disc = upto(disc), disc[first_rows]
    del disc
    cum_peak = upto(np.isin(_month(day), list(peak_months)))
    channel, channel_vocab = text("channel")
    cum_other_channel = upto(channel != channel[start])
    first_channel, last_channel = channel[first_rows], channel[rows]
    del channel, start, cust, day
    if h.has_line_items:
        line, line_vocab = h.order_text("product_line")
        first_line, last_line = _decode(line[srt[first_rows]], line_vocab), _decode(line[srt[rows]], line_vocab)
    else:
        first_line = last_line = np.full(len(rows), None, dtype=object)

    days_to_return = ret_day - S
    known = S + horizon_days <= as_of_day
    within = has_next & (days_to_return <= horizon_days)
    returned = pd.array(within, dtype="boolean")
    returned[~within & ~known] = pd.NA
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_iv = np.where(pn > 1, (L - first_day) / np.maximum(pn - 1, 1), np.nan)
    n_orders = rows - first_rows + 1

    out = pd.DataFrame({
        "customer_key": np.asarray(h.keys, dtype=object)[h.code[srt[rows]]],
        "episode_no": (prior_e + 1).astype(np.int64),
        "last_order_date": _dates(L),
        "start_date": _dates(S),
        "horizon_end": _dates(S + horizon_days),
        "orders": n_orders.astype(np.int64),
        "purchase_days": pn.astype(np.int64),
        "net_revenue": net_revenue,
        "aov": net_revenue / n_orders,
        "tenure_days": (S - first_day).astype(np.int64),
        "mean_interval_days": mean_iv,
        "last_gap_days": L - prev,
        "first_product_line": first_line,
        "last_product_line": last_line,
        "first_channel": _decode(first_channel, channel_vocab),
        "last_channel": _decode(last_channel, channel_vocab),
        "first_discount_code": np.where(first_code >= 0, _decode(first_code, code_vocab), "none"),
        "discount_share": cum_disc / n_orders,
        "repeat_discount_share": np.where(n_orders > 1, (cum_disc - first_disc) / np.maximum(n_orders - 1, 1), np.nan),
        "gift_share": cum_gift / n_orders,
        "peak_season_share": cum_peak / n_orders,
        "multichannel": cum_other_channel > 0,
        "prior_episodes": prior_e.astype(np.int64),
        "start_month": _month(S),
        "last_order_month": _month(L),
        "return_date": _dates(ret_day),
        "days_to_return": pd.array(np.where(has_next, days_to_return, np.nan), dtype="Int64"),
        "return_value": ret_value,
        "returned": returned,
        "outcome_known": known,
        "current": ~has_next,
        "followup_days": np.where(has_next, days_to_return, as_of_day - S).astype(np.int64),
    })
    return out


def return_timing(episodes: pd.DataFrame, max_days: int | None = None) -> pd.DataFrame:
    """Share of lapsed customers who have come back, by days since lapsing (Kaplan-Meier).

    Every episode counts while it is observed (``followup_days``), so recent episodes whose horizon is
    still open add what they show without biasing the curve. Columns: days (1..max_days), at_risk
    (episodes still lapsed and observed that day), returned (returns on that day), share_returned.
    """
    follow = episodes["followup_days"].to_numpy(dtype=np.int64)
    event = ~episodes["current"].to_numpy(dtype=bool)
    top = int(max_days if max_days is not None else (follow.max() if len(follow) else 0))
    if top < 1:
        return pd.DataFrame({"days": [], "at_risk": [], "returned": [], "share_returned": []})
    ev = np.bincount(np.minimum(follow[event], top + 1), minlength=top + 2)[: top + 1]
    leave = np.bincount(np.minimum(follow, top + 1), minlength=top + 2)
    at_risk = len(follow) - np.concatenate([[0], np.cumsum(leave)[:-1]])  # observed on day d: follow >= d
    d = np.arange(1, top + 1)
    r, n = ev[d].astype(float), at_risk[d].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        stay = np.cumprod(np.where(n > 0, 1 - r / np.where(n > 0, n, 1), 1.0))
    return pd.DataFrame({"days": d, "at_risk": n.astype(np.int64), "returned": r.astype(np.int64),
                         "share_returned": 1 - stay})
