"""Campaign measurement: how a frozen list's target group bought against its control group.

For a window of days after the list was frozen, every member gets three outcomes: bought (0/1),
orders, and net revenue (cancelled orders excluded; anonymous orders cannot be attributed). The
effect of each is the difference of group means, target minus control, with a Welch t confidence
interval and p-value (unequal variances; for the 0/1 outcome this is the usual large-sample
interval for a difference of proportions). A list without a control group gets no effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.customers import customer_orders, day_number
from ltvlib.text import md

__all__ = ["OUTCOMES", "CampaignResult", "measure", "measure_all", "narrative", "window"]

OUTCOMES = {
    "purchase_rate": "share of members who ordered in the window",
    "orders_per_member": "orders per member in the window",
    "revenue_per_member": "net revenue per member in the window",
}


@dataclass
class CampaignResult:
    """``groups``: per group (target, control) members, buyers, orders, net_revenue and the three outcome
    means; ``effects``: per outcome target, control, difference, ci_low, ci_high, lift, p_value."""

    start: dt.date
    end: dt.date
    confidence: float
    groups: pd.DataFrame
    effects: pd.DataFrame


def window(list_info: Mapping[str, Any], as_of: dt.date, days: int | None = None, *,
           start: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The measurement window of a list: from ``start`` (default: the day after the list's ``as_of``)
    to ``as_of``, or ``days`` long if that ends earlier."""
    start = start or list_info["as_of"] + dt.timedelta(days=1)
    end = as_of if days is None else min(as_of, start + dt.timedelta(days=days - 1))
    if end < start:
        raise ValueError(f"nothing to measure: the window would start on {start} but the data ends on {as_of}; "
                         "measure once some days have passed")
    return start, end


def _welch(x: np.ndarray, y: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """(difference of means, ci low, ci high, p-value) of x - y."""
    from scipy import stats  # imported here: scipy.stats takes most of a second to import

    nx, ny = len(x), len(y)
    diff = float(x.mean() - y.mean())
    if nx < 2 or ny < 2:
        return diff, np.nan, np.nan, np.nan
    vx, vy = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    se = float(np.sqrt(vx + vy))
    if se == 0:
        return diff, diff, diff, (1.0 if diff == 0 else 0.0)
    df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return diff, diff - q * se, diff + q * se, p


def measure(orders: pd.DataFrame, members: pd.DataFrame, start: dt.date, end: dt.date, *,
            confidence: float = 0.95) -> CampaignResult:
    """Outcomes of a list's members (``lists.load``: customer_key, group) in ``[start, end]`` (shop days)."""
    o = customer_orders(orders, end)
    o = o.loc[o["order_day"] >= day_number(start)]
    keys = pd.Index(members["customer_key"])
    pos = keys.get_indexer(o["customer_key"])
    hit = pos >= 0
    n_orders = np.bincount(pos[hit], minlength=len(keys)).astype(float)
    revenue = np.bincount(pos[hit], weights=o["net_revenue"].to_numpy(dtype=float)[hit], minlength=len(keys))
    per = {"purchase_rate": (n_orders > 0).astype(float), "orders_per_member": n_orders,
           "revenue_per_member": revenue}
    group = members["group"].to_numpy()
    rows = {}
    for g in ("target", "control"):
        mask = group == g
        rows[g] = {"members": int(mask.sum()), "buyers": int((n_orders[mask] > 0).sum()),
                   "orders": int(n_orders[mask].sum()), "net_revenue": float(revenue[mask].sum()),
                   **{k: float(v[mask].mean()) if mask.any() else np.nan for k, v in per.items()}}
    groups = pd.DataFrame.from_dict(rows, orient="index")
    groups.index.name = "group"
    effects = []
    t_mask, c_mask = group == "target", group == "control"
    for k, v in per.items():
        t, c = v[t_mask], v[c_mask]
        if len(c) and len(t):
            diff, lo, hi, p = _welch(t, c, confidence)
            cm = float(c.mean())
            lift = diff / cm if cm else np.nan
        else:
            diff = lo = hi = p = lift = np.nan
        effects.append({"outcome": k, "target": float(t.mean()) if len(t) else np.nan,
                        "control": float(c.mean()) if len(c) else np.nan, "difference": diff, "ci_low": lo,
                        "ci_high": hi, "lift": lift, "p_value": p})
    return CampaignResult(start, end, confidence, groups, pd.DataFrame(effects).set_index("outcome"))


def measure_all(orders: pd.DataFrame, catalog: pd.DataFrame, members: Mapping[str, pd.DataFrame],
                as_of: dt.date, *, confidence: float = 0.95) -> dict[str, CampaignResult]:
    """Results of every list with a control group and days to measure after its ``as_of``.

    ``catalog`` is ``lists.catalog``, ``members`` maps list names to ``lists.load`` frames.
    """
    out = {}
    for row in catalog.itertuples(index=False):
        if row.control_members and row.as_of < as_of:
            start, end = window({"as_of": row.as_of}, as_of)
            out[row.name] = measure(orders, members[row.name], start, end, confidence=confidence)
    return out


def narrative(name: str, result: CampaignResult, language: str, currency: str = "") -> str:
    """One or two Markdown sentences reading a campaign result, in ``language`` ('en' or 'ja')."""
    g, e = result.groups, result.effects
    name = md(name)  # a list's name is the user's text
    ja = language == "ja"
    span = f"{result.start}〜{result.end}" if ja else f"{result.start} to {result.end}"
    if g.loc["control", "members"] == 0:
        return (f"- **{name}**（{span}）: 対照群がないため効果は測れません。購入率 {g.loc['target', 'purchase_rate']:.1%}。"
                if ja else f"- **{name}** ({span}): no control group, so no effect can be measured; "
                f"purchase rate {g.loc['target', 'purchase_rate']:.1%}.")
    pr, rv = e.loc["purchase_rate"], e.loc["revenue_per_member"]
    sig = pr["ci_low"] > 0 or pr["ci_high"] < 0
    conf = f"{result.confidence:.0%}"
    if ja:
        verdict = "差は統計的に有意です" if sig else "差は偶然の範囲内です"
        return (f"- **{name}**（{span}）: 購入率は対象群 **{pr['target']:.1%}**、対照群 {pr['control']:.1%}"
                f"（差 {pr['difference']:+.1%}、{conf}信頼区間 {pr['ci_low']:+.1%}〜{pr['ci_high']:+.1%}。{verdict}）。"
                f"1人あたり純売上の差は {rv['difference']:+,.0f} {currency}"
                f"（{rv['ci_low']:+,.0f}〜{rv['ci_high']:+,.0f}）。")
    verdict = "a statistically significant difference" if sig else "within chance"
    return (f"- **{name}** ({span}): purchase rate **{pr['target']:.1%}** in the target group against "
            f"{pr['control']:.1%} in the control group (difference {pr['difference']:+.1%}, {conf} CI "
            f"{pr['ci_low']:+.1%} to {pr['ci_high']:+.1%}: {verdict}). Net revenue per member differs by "
            f"{rv['difference']:+,.0f} {currency} ({rv['ci_low']:+,.0f} to {rv['ci_high']:+,.0f}).")
