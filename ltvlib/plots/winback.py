"""Figures of the win-back report. Each draws into the ``ax`` it is given (or a new figure) and returns it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from ltvlib.labels import label, say
from ltvlib.plots.common import _axes
from ltvlib.text import plot_text
from ltvlib.winback.narrative import attribute_text

__all__ = ["calibration_chart", "gains_chart", "lapsed_base_chart", "lift_chart", "return_timing_chart"]


def lapsed_base_chart(lapsed: pd.DataFrame, language: str, days: int, *, scored: bool = True,
                      ax: Axes | None = None) -> Axes:
    """Lapsed customers by days since becoming lapsed (``days``: the lapsed threshold), with the returns
    expected in each band without an offer when the score is trusted (``scored``)."""
    with _axes(ax, (7.5, 3.4)) as ax:
        x = np.arange(len(lapsed))
        customers = lapsed["customers"].to_numpy(dtype=float)
        ax.bar(x, customers, color="#9fb6cd", label=label("wb_customers", language))
        if scored:
            expected = np.nan_to_num(lapsed["expected_returns"].to_numpy(dtype=float))
            ax.bar(x, expected, color="#2a6f97", label=label("wb_expected_returns", language))
            texts = [f"{c:,.0f}\n({r:,.0f})" for c, r in zip(customers, expected)]
            ax.legend(fontsize=8)
        else:
            texts = [f"{c:,.0f}" for c in customers]
        for xi, (c, t) in enumerate(zip(customers, texts)):
            ax.text(xi, c, t, ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [f"{i}{label('wb_unit_days', language)}" for i in lapsed.index])
        ax.set_xlabel(say("wb_days_lapsed", language, days=days))
        ax.set_ylabel(label("wb_customers", language))
        ax.set_ylim(0, max(float(customers.max()) if len(customers) else 0.0, 1.0) * 1.25)
    return ax


def return_timing_chart(timing: pd.DataFrame, horizon_days: int, language: str, days: int, *,
                        max_days: int = 365, ax: Axes | None = None) -> Axes:
    """Share of lapsed customers who came back by days since becoming lapsed, horizon marked."""
    t = timing.loc[timing["days"] <= max_days]
    with _axes(ax, (7.5, 3.4)) as ax:
        ax.plot(t["days"], t["share_returned"], color="#2a6f97", linewidth=2)
        if (t["days"] == horizon_days).any():
            y = float(t.loc[t["days"] == horizon_days, "share_returned"].iloc[0])
            ax.axvline(horizon_days, color="#c44e52", linestyle="--", linewidth=1.2)
            ax.annotate(f"{horizon_days}{label('wb_unit_days', language)}: {y:.1%}", (horizon_days, y),
                        xytext=(8, -14), textcoords="offset points", fontsize=9, color="#c44e52")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(say("wb_days_lapsed", language, days=days))
        ax.set_ylabel(label("wb_share_returned", language))
        ax.set_title(say("wb_timing", language, days=days))
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    return ax


def lift_chart(rows: pd.DataFrame, language: str, days: int, *, column: str = "lift",
               ax: Axes | None = None) -> Axes:
    """Lift per attribute value with its 95% interval (``column`` 'lift' or 'adjusted_lift'); 1 = no difference.
    Rows without a finite lift are left out; ``ValueError`` if none is left (the page says why instead)."""
    low, high = ("lift_low", "lift_high") if column == "lift" else ("adjusted_low", "adjusted_high")
    rows = rows.loc[np.isfinite(rows[column].to_numpy(dtype=float))].iloc[::-1]
    if rows.empty:
        raise ValueError("lift_chart needs at least one row with a finite lift")
    names = [plot_text(attribute_text(a, v, language, days)) for a, v in zip(rows["attribute"], rows["value"])]
    with _axes(ax, (7.5, 0.32 * len(rows) + 1.2)) as ax:
        y = np.arange(len(rows))
        lift = rows[column].to_numpy(dtype=float)
        lo, hi = rows[low].to_numpy(dtype=float), rows[high].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([lift - lo, hi - lift]))
        colors = np.where(lift >= 1, "#2a6f97", "#c44e52")
        ax.errorbar(lift, y, xerr=err, fmt="none", ecolor="#888888", elinewidth=1, capsize=2)
        ax.scatter(lift, y, c=colors, zorder=3)
        ax.axvline(1.0, color="#444444", linewidth=0.8)
        ax.set_yticks(y, names)
        ax.set_xscale("log")
        span = np.concatenate([lift, lo[np.isfinite(lo)], hi[np.isfinite(hi)], [1.0]])
        ticks = [t for t in (0.25, 0.5, 0.67, 1, 1.5, 2, 3, 4, 6) if span.min() / 1.3 <= t <= span.max() * 1.3]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(label(f"wb_{column}", language))
        ax.set_title(label("wb_profile", language))
    return ax


def calibration_chart(calibration: pd.DataFrame, language: str, *, ax: Axes | None = None) -> Axes:
    """Mean predicted vs observed return rate per score decile; on the diagonal = well calibrated."""
    with _axes(ax, (4.8, 4.2)) as ax:
        top = float(max(calibration["mean_predicted"].max(), calibration["observed_rate"].max(), 0.01)) * 1.1
        ax.plot([0, top], [0, top], color="#888888", linestyle="--", linewidth=1)
        ax.plot(calibration["mean_predicted"], calibration["observed_rate"], marker="o", color="#2a6f97")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(label("wb_mean_predicted", language))
        ax.set_ylabel(label("wb_observed_rate", language))
        ax.set_title(label("wb_calibration", language), fontsize=10)
    return ax


def gains_chart(gains: pd.DataFrame, language: str, *, ax: Axes | None = None) -> Axes:
    """Share of all returners found when targeting the top x% of scores, against random targeting."""
    with _axes(ax, (4.8, 4.2)) as ax:
        x = np.concatenate([[0.0], gains["top_share"].to_numpy()])
        y = np.concatenate([[0.0], gains["returners_found"].to_numpy()])
        ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label=label("wb_random", language))
        ax.plot(x, y, color="#2a6f97", marker="o", markersize=3, label=label("wb_model", language))
        for share in (0.1, 0.2):
            row = gains.loc[np.isclose(gains["top_share"], share)]
            if len(row):
                ax.annotate(f"{row['lift'].iloc[0]:.1f}x", (share, row["returners_found"].iloc[0]), xytext=(6, -12),
                            textcoords="offset points", fontsize=9)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(label("wb_top_share", language))
        ax.set_ylabel(label("wb_returners_found", language))
        ax.set_title(label("wb_gains", language), fontsize=10)
        ax.legend(fontsize=8)
        sns.despine(ax=ax)
    return ax
