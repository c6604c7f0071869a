"""RFM scores, the status grid, the stage scenario and a data-driven "active" threshold.

All functions take the customer summary (``ltvlib.customers.customer_summary``) and the shop's
``thresholds`` (``params/defaults.yaml``), so a shop changes cut-offs in its params, not in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GRID_CELLS",
    "RECENCY_STATUSES",
    "SCENARIO_STAGES",
    "STAGES",
    "frequency_stage",
    "recency_status",
    "rfm_scores",
    "segment_metrics",
    "stage_scenario",
    "status_grid",
    "suggest_thresholds",
]

STAGES = ["first", "repeat", "loyal"]
RECENCY_STATUSES = ["active", "at_risk", "dormant", "churned"]
GRID_CELLS = [f"{s}_{r}" for s in STAGES for r in RECENCY_STATUSES]
SCENARIO_STAGES = ["new", "first_repeat", "repeat", "loyal", "dormant", "churned"]


def _quintile(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Scores 1-5 by rank: ties share a score; 5 is the best fifth."""
    v = values if higher_is_better else -values
    pct = v.rank(method="max", pct=True)
    return np.ceil(pct * 5).clip(1, 5).astype(np.int64)


def rfm_scores(summary: pd.DataFrame, thresholds: Mapping[str, Any]) -> pd.DataFrame:
    """R, F, M scores 1-5 per customer (index as ``summary``).

    R and M are quintiles of recency_days (lower is better) and net_revenue; F uses fixed order-count
    breakpoints ``thresholds['f_score_breaks']`` (e.g. [2, 3, 5, 10]: 1 order = 1 ... 10+ orders = 5),
    because most customers of a shop have one order and quintiles of a count collapse.
    Columns: r_score, f_score, m_score, rfm_cell (e.g. '545'), rfm_score (sum, 3-15).
    """
    breaks = np.asarray(thresholds["f_score_breaks"])
    r = _quintile(summary["recency_days"], higher_is_better=False)
    f = pd.Series(1 + np.searchsorted(breaks, summary["orders"].to_numpy(), side="right"), index=summary.index)
    m = _quintile(summary["net_revenue"], higher_is_better=True)
    out = pd.DataFrame({"r_score": r, "f_score": f.astype(np.int64), "m_score": m}, index=summary.index)
    out["rfm_cell"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    out["rfm_score"] = out[["r_score", "f_score", "m_score"]].sum(axis=1)
    return out


def recency_status(recency_days: pd.Series, thresholds: Mapping[str, Any]) -> pd.Series:
    """active (<= active_days) / at_risk (<= at_risk_days) / dormant (<= dormant_days) / churned."""
    bins = [-np.inf, thresholds["active_days"], thresholds["at_risk_days"], thresholds["dormant_days"], np.inf]
    return pd.cut(recency_days, bins=bins, labels=RECENCY_STATUSES, right=True).astype(
        pd.CategoricalDtype(RECENCY_STATUSES, ordered=True)
    )


def frequency_stage(orders: pd.Series, thresholds: Mapping[str, Any]) -> pd.Series:
    """first (1 order) / repeat (repeat_orders .. loyal_orders - 1) / loyal (loyal_orders+)."""
    bins = [0, thresholds["repeat_orders"] - 1, thresholds["loyal_orders"] - 1, np.inf]
    return pd.cut(orders, bins=bins, labels=STAGES, right=True).astype(pd.CategoricalDtype(STAGES, ordered=True))


def status_grid(summary: pd.DataFrame, thresholds: Mapping[str, Any]) -> pd.DataFrame:
    """The status grid: columns ``stage``, ``recency_status`` and ``cell`` (e.g. ``repeat_at_risk``).

    Every customer falls in exactly one of the 12 cells.
    """
    stage = frequency_stage(summary["orders"], thresholds)
    status = recency_status(summary["recency_days"], thresholds)
    cell = stage.astype(str) + "_" + status.astype(str)
    return pd.DataFrame(
        {"stage": stage, "recency_status": status, "cell": pd.Categorical(cell, categories=GRID_CELLS)},
        index=summary.index,
    )


def stage_scenario(summary: pd.DataFrame, thresholds: Mapping[str, Any]) -> pd.Series:
    """The stage scenario: new / first_repeat / repeat / loyal (last order within active_days),
    dormant (within dormant_days) or churned. Every customer gets exactly one stage."""
    rec = summary["recency_days"].to_numpy()
    n = summary["orders"].to_numpy()
    active = rec <= thresholds["active_days"]
    stage = np.select(
        [
            active & (n == 1),
            active & (n == 2),
            active & (n < thresholds["loyal_orders"]),
            active,
            rec <= thresholds["dormant_days"],
        ],
        SCENARIO_STAGES[:5],
        default="churned",
    )
    return pd.Series(pd.Categorical(stage, categories=SCENARIO_STAGES), index=summary.index, name="stage")


def segment_metrics(summary: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """Size, share, revenue and LTV per segment label.

    Columns: customers, share, net_revenue, revenue_share, ltv (net revenue per customer),
    orders_per_customer, aov, repeat_rate (share with 2+ orders). Index: the label categories
    (empty categories are kept with zeros, so a grid always shows all its cells).
    """
    df = pd.DataFrame(
        {
            "label": labels,
            "customers": 1,
            "net_revenue": summary["net_revenue"],
            "orders": summary["orders"],
            "repeaters": (summary["orders"] >= 2).astype(np.int64),
        }
    )
    out = df.groupby("label", observed=False)[["customers", "net_revenue", "orders", "repeaters"]].sum()
    total_c, total_r = out["customers"].sum(), out["net_revenue"].sum()
    out["share"] = out["customers"] / total_c if total_c else 0.0
    out["revenue_share"] = out["net_revenue"] / total_r if total_r else 0.0
    c = out["customers"].replace(0, np.nan)
    out["ltv"] = out["net_revenue"] / c
    out["orders_per_customer"] = out["orders"] / c
    out["aov"] = out["net_revenue"] / out["orders"].replace(0, np.nan)
    out["repeat_rate"] = out["repeaters"] / c
    cols = ["customers", "share", "net_revenue", "revenue_share", "ltv", "orders_per_customer", "aov", "repeat_rate"]
    return out[cols]


def suggest_thresholds(intervals: pd.DataFrame, quantiles: tuple[float, ...] = (0.8, 0.9, 0.95)) -> pd.DataFrame:
    """Suggest recency thresholds from the days between consecutive purchase days.

    The ``q`` quantile of the intervals is the number of days within which a share ``q`` of all
    repurchases happened: a customer silent for longer than the 80% quantile is unlikely to be
    "between orders" any more, which makes it a natural "active" limit (90% for at-risk, 95% for
    dormant). Columns: quantile, days, repurchases (count behind the figure), suggested_for.
    """
    days = intervals["days"]
    names = ["active_days", "at_risk_days", "dormant_days"]
    rows = []
    for i, q in enumerate(quantiles):
        value = int(np.ceil(days.quantile(q))) if len(days) else None
        rows.append({"quantile": q, "days": value, "repurchases": len(days),
                     "suggested_for": names[i] if i < len(names) else None})
    return pd.DataFrame(rows)


def narrative(
    grid: pd.DataFrame,
    metrics: pd.DataFrame,
    suggestion: pd.DataFrame,
    intervals: pd.DataFrame,
    thresholds: Mapping[str, Any],
    excluded: pd.DataFrame,
    language: str,
) -> str:
    """Short Markdown prose that reads the RFM numbers, in ``language`` ('en' or 'ja').

    ``grid`` is ``status_grid``'s frame, ``metrics`` ``segment_metrics`` over its cells,
    ``excluded`` ``customers.exclusions``.
    """
    n = int(metrics["customers"].sum())
    if n == 0:
        return "No customers with orders up to this date." if language == "en" else "この基準日までに購入した顧客はいません。"
    status_share = grid["recency_status"].value_counts(normalize=True)
    active_share = float(status_share.get("active", 0.0))
    at_risk = int((grid["recency_status"] == "at_risk").sum())
    loyal = metrics.loc[[c for c in metrics.index if str(c).startswith("loyal_")]]
    loyal_c, loyal_r = float(loyal["share"].sum()), float(loyal["revenue_share"].sum())
    top = metrics["customers"].idxmax()
    median_iv = float(intervals["days"].median()) if len(intervals) else float("nan")
    sug = suggestion.set_index("suggested_for")["days"].get("active_days")
    cur = thresholds["active_days"]
    ex = excluded.set_index("reason")
    anon, anon_rev = int(ex.loc["no_customer_identity", "orders"]), float(ex.loc["no_customer_identity", "net_revenue"])
    canc = int(ex.loc["cancelled", "orders"])
    from ltvlib.labels import label

    if language == "ja":
        lines = [
            f"- 購入実績のある顧客は **{n:,}人**。そのうち **{active_share:.0%}** が直近{cur}日以内に購入したアクティブ顧客です。",
            f"- 最も大きいセルは「{label(str(top), 'ja')}」（{int(metrics.loc[top, 'customers']):,}人）。",
            f"- ロイヤル顧客（{thresholds['loyal_orders']}回以上購入）は顧客の **{loyal_c:.1%}** ですが、"
            f"売上の **{loyal_r:.1%}** を占めます。",
            f"- 離脱予備（{cur + 1}〜{thresholds['at_risk_days']}日）の顧客は **{at_risk:,}人**。"
            "休眠する前に働きかけるべき層です。",
        ]
        if sug is not None and median_iv == median_iv:
            verdict = ("ほぼ妥当です" if abs(sug - cur) <= 0.15 * cur else
                       "長すぎる可能性があります" if sug < cur else "短すぎる可能性があります")
            lines.append(f"- リピート購入の間隔の中央値は **{median_iv:.0f}日**、80%が **{sug}日** 以内です。"
                         f"現在のアクティブ閾値（{cur}日）は{verdict}。")
        lines.append(f"- 分析対象外: 顧客を特定できない注文 {anon:,}件（売上 {anon_rev:,.0f}）、キャンセル {canc:,}件。")
    else:
        lines = [
            f"- **{n:,} customers** have ordered; **{active_share:.0%}** of them are active "
            f"(ordered within the last {cur} days).",
            f"- The largest cell is *{label(str(top), 'en')}* ({int(metrics.loc[top, 'customers']):,} customers).",
            f"- Loyal customers ({thresholds['loyal_orders']}+ orders) are **{loyal_c:.1%}** of customers but bring "
            f"**{loyal_r:.1%}** of net revenue.",
            f"- **{at_risk:,} customers** are at risk ({cur + 1}-{thresholds['at_risk_days']} days since their last "
            "order): the cheapest to bring back before they go dormant.",
        ]
        if sug is not None and median_iv == median_iv:
            verdict = ("fits the data" if abs(sug - cur) <= 0.15 * cur else
                       "may be longer than needed" if sug < cur else "may be too short")
            lines.append(f"- The median gap between purchases is **{median_iv:.0f} days** and 80% of repurchases "
                         f"happen within **{sug} days**: the current active threshold ({cur} days) {verdict}.")
        lines.append(f"- Left out of customer analyses: {anon:,} orders without customer identity "
                     f"(net revenue {anon_rev:,.0f}) and {canc:,} cancelled orders.")
    return "\n".join(lines)
