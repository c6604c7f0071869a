"""RFM scores, the status grid, the stage scenario and a data-driven "active" threshold.

All functions take the customer summary (``ltvlib.customers.customer_summary``) and the shop's
``thresholds`` (``params/defaults.yaml``), so a shop changes cut-offs in its params, not in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GRID_CELLS",
    "RFMReport",
    "analyse",
    "quintile_scores",
    "recency_codes",
    "scenario_codes",
    "score_arrays",
    "stage_codes",
    "RECENCY_STATUSES",
    "SCENARIO_STAGES",
    "STAGES",
    "frequency_stage",
    "recency_status",
    "rfm_scores",
    "stage_scenario",
    "status_grid",
    "suggest_thresholds",
    "threshold_ranges",
]

STAGES = ["first", "repeat", "loyal"]
RECENCY_STATUSES = ["active", "at_risk", "dormant", "churned"]
GRID_CELLS = [f"{s}_{r}" for s in STAGES for r in RECENCY_STATUSES]
PAGE_METRICS = ["customers", "share", "net_revenue", "revenue_share", "ltv", "orders_per_customer", "aov",
                "repeat_rate"]  # the columns of ``segments.metrics.segment_metrics`` the RFM page shows, in its order
SCENARIO_STAGES = ["new", "first_repeat", "regular", "loyal", "lapsing", "churned"]


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """Scores 1-5 by the share of values <= each value (pandas ``rank(method='max', pct=True)``): ties share a
    score; 5 is the best fifth."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    rank_max = np.searchsorted(np.sort(values), values, side="right")
    return np.clip(np.ceil(rank_max / len(values) * 5), 1, 5).astype(np.int64)


def score_arrays(recency_days: np.ndarray, orders: np.ndarray, net_revenue: np.ndarray,
                 thresholds: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """R, F, M scores and their sum per customer: the one implementation behind ``rfm_scores`` and the
    segment fields (``ltvlib.history.Snapshot``)."""
    r = quintile_scores(-np.asarray(recency_days, dtype=float))
    f = (1 + np.searchsorted(np.asarray(thresholds["f_score_breaks"]), np.asarray(orders), side="right")
         ).astype(np.int64)
    m = quintile_scores(net_revenue)
    return {"r_score": r, "f_score": f, "m_score": m, "rfm_score": r + f + m}


def recency_codes(recency_days: np.ndarray, thresholds: Mapping[str, Any]) -> np.ndarray:
    """Index into ``RECENCY_STATUSES`` per customer: active (<= active_days) ... churned (> dormant_days)."""
    cuts = np.array([thresholds["active_days"], thresholds["at_risk_days"], thresholds["dormant_days"]])
    return np.searchsorted(cuts, np.asarray(recency_days), side="left").astype(np.int64)


def stage_codes(orders: np.ndarray, thresholds: Mapping[str, Any]) -> np.ndarray:
    """Index into ``STAGES``: first (< repeat_orders orders), repeat (< loyal_orders), loyal."""
    n = np.asarray(orders)
    return np.where(n < thresholds["repeat_orders"], 0, np.where(n < thresholds["loyal_orders"], 1, 2)).astype(np.int64)


def scenario_codes(recency_days: np.ndarray, orders: np.ndarray, thresholds: Mapping[str, Any]) -> np.ndarray:
    """Index into ``SCENARIO_STAGES``: new / first_repeat / regular / loyal (last order within active_days),
    lapsing (within dormant_days) or churned."""
    rec, n = np.asarray(recency_days), np.asarray(orders)
    active = rec <= thresholds["active_days"]
    return np.select([active & (n == 1), active & (n == 2), active & (n < thresholds["loyal_orders"]), active,
                      rec <= thresholds["dormant_days"]], [0, 1, 2, 3, 4], default=5).astype(np.int64)


def _categorical(codes: np.ndarray, categories: list[str], index: pd.Index, name: str | None = None) -> pd.Series:
    dtype = pd.CategoricalDtype(categories, ordered=True)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=index, name=name)


def rfm_scores(summary: pd.DataFrame, thresholds: Mapping[str, Any]) -> pd.DataFrame:
    """R, F, M scores 1-5 per customer (index as ``summary``).

    R and M are quintiles of recency_days (lower is better) and net_revenue; F uses fixed order-count
    breakpoints ``thresholds['f_score_breaks']`` (e.g. [2, 3, 5, 10]: 1 order = 1 ... 10+ orders = 5),
    because most customers of a shop have one order and quintiles of a count collapse.
    Columns: r_score, f_score, m_score, rfm_cell (e.g. '545'), rfm_score (sum, 3-15).
    """
    s = score_arrays(summary["recency_days"].to_numpy(), summary["orders"].to_numpy(),
                     summary["net_revenue"].to_numpy(), thresholds)
    out = pd.DataFrame({k: s[k] for k in ("r_score", "f_score", "m_score")}, index=summary.index)
    out["rfm_cell"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    out["rfm_score"] = s["rfm_score"]
    return out


def recency_status(recency_days: pd.Series, thresholds: Mapping[str, Any]) -> pd.Series:
    """active (<= active_days) / at_risk (<= at_risk_days) / dormant (<= dormant_days) / churned."""
    return _categorical(recency_codes(recency_days.to_numpy(), thresholds), RECENCY_STATUSES, recency_days.index,
                        recency_days.name)


def frequency_stage(orders: pd.Series, thresholds: Mapping[str, Any]) -> pd.Series:
    """first (1 order) / repeat (repeat_orders .. loyal_orders - 1) / loyal (loyal_orders+)."""
    return _categorical(stage_codes(orders.to_numpy(), thresholds), STAGES, orders.index, orders.name)


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
    """The stage scenario: new / first_repeat / regular / loyal (last order within active_days),
    lapsing (active_days+1 .. dormant_days: the grid's at_risk and dormant together) or churned.
    Every customer gets exactly one stage."""
    codes = scenario_codes(summary["recency_days"].to_numpy(), summary["orders"].to_numpy(), thresholds)
    out = pd.Series(pd.Categorical.from_codes(codes, categories=SCENARIO_STAGES), index=summary.index, name="stage")
    return out


def threshold_ranges(thresholds: Mapping[str, Any]) -> pd.DataFrame:
    """What every threshold-based word means under ``thresholds``: the one vocabulary of all pages.

    One row per (``kind``, ``word``) (kinds: recency_status / stage / scenario_stage / lapsed): ``min_days`` and
    ``max_days`` since the last order (``max_days`` NaN = no upper limit), ``min_orders`` and ``max_orders``
    (NaN = no limit). The recency statuses split 0+ days; ``lapsing`` (a scenario stage) is the grid's
    at_risk and dormant together; ``lapsed`` (win-back, journeys) is every customer who is not active.
    A word shared by two kinds means the same there (``churned``: 361+ days; ``loyal``: 5+ orders, which
    the scenario's first four stages combine with "active").
    """
    a, r, d = thresholds["active_days"], thresholds["at_risk_days"], thresholds["dormant_days"]
    rep, loy = thresholds["repeat_orders"], thresholds["loyal_orders"]
    nan = np.nan
    rows = [
        ("recency_status", "active", 0, a, nan, nan),
        ("recency_status", "at_risk", a + 1, r, nan, nan),
        ("recency_status", "dormant", r + 1, d, nan, nan),
        ("recency_status", "churned", d + 1, nan, nan, nan),
        ("stage", "first", nan, nan, 1, rep - 1),
        ("stage", "repeat", nan, nan, rep, loy - 1),
        ("stage", "loyal", nan, nan, loy, nan),
        ("scenario_stage", "new", 0, a, 1, 1),
        ("scenario_stage", "first_repeat", 0, a, 2, 2),
        ("scenario_stage", "regular", 0, a, 3, loy - 1),
        ("scenario_stage", "loyal", 0, a, loy, nan),
        ("scenario_stage", "lapsing", a + 1, d, nan, nan),
        ("scenario_stage", "churned", d + 1, nan, nan, nan),
        ("lapsed", "lapsed", a + 1, nan, nan, nan),
    ]
    cols = ["kind", "word", "min_days", "max_days", "min_orders", "max_orders"]
    return pd.DataFrame(rows, columns=cols).set_index(["kind", "word"])


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
        value = int(np.ceil(days.quantile(q))) if len(days) >= MIN_REPURCHASES else None
        rows.append({"quantile": q, "days": value, "repurchases": len(days),
                     "suggested_for": names[i] if i < len(names) else None})
    return pd.DataFrame(rows)


MIN_REPURCHASES = 20  # fewer repurchases than this: no threshold suggestion (quantiles of a handful mislead)


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
    ``excluded`` ``customers.exclusions``. Every sentence comes from the label catalog (``rfm_say_*``).
    """
    from ltvlib.labels import label, say

    ex = excluded.set_index("reason")
    anon, anon_rev = int(ex.loc["no_customer_identity", "orders"]), float(ex.loc["no_customer_identity", "net_revenue"])
    canc = int(ex.loc["cancelled", "orders"])
    left_out = say("rfm_say_left_out", language, anon=f"{anon:,}", anon_rev=f"{anon_rev:,.0f}", canc=f"{canc:,}")
    n = int(metrics["customers"].sum())
    if n == 0:
        return "\n".join([say("rfm_say_no_customers", language), f"- {left_out}"])
    status_share = grid["recency_status"].value_counts(normalize=True)
    cur = thresholds["active_days"]
    lines = [say("rfm_say_customers", language, n=f"{n:,}", share=f"{float(status_share.get('active', 0.0)):.0%}",
                 days=cur)]
    top = metrics["customers"].idxmax()
    lines.append(say("rfm_say_top_cell", language, cell=label(str(top), language),
                     n=f"{int(metrics.loc[top, 'customers']):,}"))
    loyal = metrics.loc[[c for c in metrics.index if str(c).startswith("loyal_")]]
    if loyal["customers"].sum() > 0:
        lines.append(say("rfm_say_loyal", language, orders=thresholds["loyal_orders"],
                         share=f"{float(loyal['share'].sum()):.1%}", revenue=f"{float(loyal['revenue_share'].sum()):.1%}"))
    at_risk = int((grid["recency_status"] == "at_risk").sum())
    lines.append(say("rfm_say_at_risk", language, n=f"{at_risk:,}", lo=cur + 1, hi=thresholds["at_risk_days"]))
    sug = suggestion.set_index("suggested_for")["days"].get("active_days")
    if sug is not None and sug == sug:
        key = ("rfm_say_fits" if abs(sug - cur) <= 0.15 * cur else
               "rfm_say_too_long" if sug < cur else "rfm_say_too_short")
        lines.append(say("rfm_say_intervals", language, median=f"{float(intervals['days'].median()):.0f}", sug=int(sug),
                         cur=cur, verdict=label(key, language)))
    else:
        lines.append(say("rfm_say_few_intervals", language, n=f"{len(intervals):,}", need=MIN_REPURCHASES))
    lines.append(left_out)
    return "\n".join(f"- {line}" for line in lines)


@dataclass
class RFMReport:
    """Everything the RFM page shows, computed once from the customer summary."""

    as_of: dt.date
    thresholds: Mapping[str, Any]
    summary: pd.DataFrame
    grid: pd.DataFrame
    scenario: pd.Series
    scores: pd.DataFrame
    grid_metrics: pd.DataFrame
    scenario_metrics: pd.DataFrame
    intervals: pd.DataFrame
    suggestion: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def customers(self) -> int:
        return int(len(self.summary))

    def by_grid(self, column: str | None = None) -> pd.DataFrame:
        """Stage x recency status: customer counts, or the mean of ``column`` (NaN where a cell is empty)."""
        g = self.grid
        if column is None:
            return g.groupby(["stage", "recency_status"], observed=False).size().unstack()
        return self.summary[column].groupby([g["stage"], g["recency_status"]], observed=False).mean().unstack()

    def key_figures(self, language: str, currency: str) -> dict[str, dict[str, Any]]:
        """The page's headline numbers: value (None when not computable) and display text."""
        from ltvlib.labels import label, with_range

        n = self.customers
        active = float((self.grid["recency_status"] == "active").mean()) if n else None
        ltv = float(self.summary["net_revenue"].mean()) if n else None
        return {
            "customers": {"label": label("customers", language), "value": n, "text": f"{n:,}"},
            "active_share": {"label": with_range("active", language, self.thresholds), "value": active,
                             "text": "–" if active is None else f"{active:.1%}"},
            "ltv": {"label": label("ltv", language), "value": ltv,
                    "text": "–" if ltv is None else f"{ltv:,.0f} {currency}"},
        }


    def figures(self, title: str, language: str, currency: str) -> dict[str, Any]:
        """``rfm.figures.json``: customers, net revenue, active share, customers per grid cell and scenario stage,
        the suggested active limit, and the key figures (``key_figures``)."""
        key = self.key_figures(language, currency)
        return {
            "title": title,
            "as_of": str(self.as_of),
            "customers": self.customers,
            "net_revenue": float(self.summary["net_revenue"].sum()),
            "active_share": key["active_share"]["value"],
            "grid": self.grid_metrics["customers"].astype(int).to_dict(),
            "scenario": self.scenario_metrics["customers"].astype(int).to_dict(),
            "suggested_active_days": self.suggestion.set_index("suggested_for")["days"].get("active_days"),
            "key_figures": key,
        }


def analyse(orders: Any, as_of: dt.date, thresholds: Mapping[str, Any],
            line_items: pd.DataFrame | None = None, *, summary: pd.DataFrame | None = None) -> RFMReport:
    """The RFM page's figures for ``as_of``: summary, grid, scenario, scores, metrics, intervals.

    ``orders``: the orders frame, or an ``OrderHistory`` of it already prepared (``report.context``'s
    ``history()``); ``summary``: the customer summary at ``as_of`` when the caller has it (else computed)."""
    from ltvlib import customers
    from ltvlib.history import OrderHistory
    from ltvlib.segments.metrics import segment_metrics

    history = orders if isinstance(orders, OrderHistory) else OrderHistory(orders, line_items, as_of=as_of)
    snap = history.snapshot(as_of)
    summary = snap.summary() if summary is None else summary
    intervals = snap.interval_frame()
    grid = status_grid(summary, thresholds)
    scenario = stage_scenario(summary, thresholds)
    return RFMReport(
        as_of=as_of, thresholds=thresholds, summary=summary, grid=grid, scenario=scenario,
        scores=rfm_scores(summary, thresholds), grid_metrics=segment_metrics(summary, grid["cell"])[PAGE_METRICS],
        scenario_metrics=segment_metrics(summary, scenario)[PAGE_METRICS], intervals=intervals,
        suggestion=suggest_thresholds(intervals), excluded=customers.exclusions(history.frame, as_of),
    )
