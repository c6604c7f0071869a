"""Figures of the cohorts report. Like seaborn's (and ``plots.common``'s), each draws into the ``ax`` it is given
(``axes`` for the multi-panel one) or into a new figure of its own size, laid out and closed, and returns what it
drew on; a notebook displays ``ax.figure``. None shows or saves."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ltvlib.labels import label, labeller
from ltvlib.plots.common import _axes, histogram_bins, label_tail
from ltvlib.text import plot_text

__all__ = ["cohort_heatmap", "curves", "histogram_bins", "interval_histograms", "interval_panels", "new_vs_repeat",
           "next_purchase_heatmap", "repurchase_bars"]


def _value_labeller(language: str):
    """Display names of split values (product lines, channels, discount codes: data) for legends and ticks."""
    lab = labeller(language)
    return lambda v: plot_text(lab(v))


def _period_axis(period: str, language: str) -> str:
    return label(f"period_{period}", language)


def cohort_heatmap(table: pd.DataFrame, language: str, *, period: str = "month", percent: bool = True,
                   title: str = "", sizes: pd.Series | None = None, ax: Axes | None = None) -> Axes:
    """Heatmap of a cohort x period table (``cohorts.heatmap_table``): one row per cohort, newest at the bottom.

    ``percent`` formats values as shares; ``sizes`` (customers per cohort) are written in the row labels.
    """
    rows, cols = table.shape
    annotate = rows * cols <= 400
    with _axes(ax, (min(3 + 0.45 * cols, 16), min(1.5 + 0.28 * rows, 14))) as ax:
        shown = table.copy()
        shown.index = [f"{c} ({int(sizes.get(c, 0)):,})" if sizes is not None else str(c) for c in table.index]
        fmt = ".0%" if percent else ",.0f"
        cbar_fmt = FuncFormatter(lambda v, _: f"{v:.0%}" if percent else f"{v:,.0f}")
        sns.heatmap(shown, annot=annotate, fmt=fmt, cmap="YlGnBu", cbar=not annotate, ax=ax, linewidths=0.3,
                    annot_kws={"fontsize": 6.5}, mask=shown.isna(),
                    cbar_kws=None if annotate else {"format": cbar_fmt})
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlabel(_period_axis(period, language))
        ax.set_ylabel(label("cohort", language))
        ax.set_title(title)
    return ax


def curves(frame: pd.DataFrame, metric: str, language: str, *, split: str | None = None, period: str = "month",
           percent: bool = False, title: str = "", min_customers: int = 30, ax: Axes | None = None) -> Axes:
    """Lines of ``metric`` over periods since the first order (``cohorts.ltv_curves``), one per split value.

    Points resting on fewer than ``min_customers`` customers are left out (too noisy to read).
    """
    lab = _value_labeller(language)
    with _axes(ax, (8, 4.2)) as ax:
        f = frame.loc[frame["customers"] >= min_customers]
        groups = f.groupby(split, sort=True) if split else [(None, f)]
        for name, g in groups:
            ax.plot(g["period"], g[metric], marker="o", markersize=3, linewidth=1.6,
                    label=lab(name) if name is not None else None)
        if split and ax.get_legend_handles_labels()[0]:
            ax.legend(title=label(split, language), fontsize=8, title_fontsize=8, loc="upper left")
        ax.set_xlabel(_period_axis(period, language))
        ax.set_ylabel(label(metric, language))
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_title(title or label(metric, language))
    return ax


_STEPS = ((2, "days_1_to_2", "#4c72b0"), (3, "days_2_to_3", "#dd8452"))


def interval_panels(intervals: pd.DataFrame) -> int:
    """How many panels ``interval_histograms`` draws: one per step (1st to 2nd, 2nd to 3rd purchase) that has a
    repurchase, at least one."""
    return max(sum(bool((intervals["purchase_no"] == no).any()) for no, _, _ in _STEPS), 1)


def interval_histograms(intervals: pd.DataFrame, language: str, *, max_days: int | None = None,
                        axes: Sequence[Axes] | None = None) -> np.ndarray:
    """Histograms of days from the 1st to the 2nd and from the 2nd to the 3rd purchase (repurchase_intervals).

    Only steps with at least one repurchase get a panel: ``axes`` (one per panel, ``interval_panels``) or a new
    figure's. Returns the array of Axes. A long tail is gathered in the last bar, whose tick reads "350+"
    (``histogram_bins``).
    """
    steps = [step for step in _STEPS if (intervals["purchase_no"] == step[0]).any()]
    n = interval_panels(intervals)
    with _axes(axes, (5 * n, 3.6), ncols=n, sharex=True, squeeze=False) as given:
        panels = np.asarray(given, dtype=object).ravel()
        days = intervals.loc[intervals["purchase_no"].isin([no for no, _, _ in steps]), "days"]
        bins, limit = histogram_bins(days, max_days)
        for ax, (no, key, color) in zip(panels, steps):
            d = intervals.loc[intervals["purchase_no"] == no, "days"]
            shown = d if limit is None else d.clip(upper=limit)
            ax.hist(shown, bins=bins, color=color, alpha=0.85)
            med = float(d.median())
            ax.axvline(med, color="#333", linestyle="--", linewidth=1.2)
            ax.text(med, ax.get_ylim()[1] * 0.95, f" {label('median', language)} {med:,.0f}", fontsize=8, va="top")
            ax.set_title(f"{label(key, language)} (n={len(d):,})")
            ax.set_xlabel(label("time_to_repurchase", language))
            label_tail(ax, bins, limit)
        panels[0].set_ylabel(label("customers", language))
    return panels


def repurchase_bars(rates: pd.DataFrame, language: str, *, split: str | None = None, ax: Axes | None = None) -> Axes:
    """Bars of the repurchase rate within 30/90/180/365 days (``cohorts.repurchase_rates``), grouped by split."""
    lab = _value_labeller(language)
    with _axes(ax, (8, 3.8)) as ax:
        eligible = rates.groupby("window_days")["eligible"].sum()
        windows = sorted(eligible.index[eligible > 0])  # a window nobody is old enough for has no bar, not a 0% bar
        values = [None] if not split else list(dict.fromkeys(rates[split]))
        width = 0.8 / len(values)
        colors = sns.color_palette("deep", len(values))
        for i, v in enumerate(values):
            r = rates if v is None else rates.loc[rates[split] == v]
            r = r.set_index("window_days").reindex(windows)
            x = np.arange(len(windows)) + (i - (len(values) - 1) / 2) * width
            ax.bar(x, r["rate"].fillna(0), width=width, color=colors[i], label=lab(v) if v is not None else None)
            if v is None or len(values) <= 3:
                for xx, rr in zip(x, r["rate"]):
                    if rr == rr:
                        ax.text(xx, rr, f"{rr:.0%}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(np.arange(len(windows)))
        ax.set_xticklabels([f"{w}" for w in windows])
        ax.set_xlabel(label("window_days", language))
        ax.set_ylabel(label("repeat_rate", language))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if split:
            ax.legend(title=label(split, language), fontsize=7, title_fontsize=8, ncols=2)
        ax.set_title(label("repurchase_within", language))
    return ax


def new_vs_repeat(revenue: pd.DataFrame, language: str, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Stacked bars of net revenue per period: new customers, repeat customers, unidentified (guests); the repeat
    share on a second y axis. Returns the bars' Axes."""
    with _axes(ax, (10, 4)) as ax:
        x = np.arange(len(revenue))
        bottom = np.zeros(len(revenue))
        for col, color in (("new_revenue", "#8da0cb"), ("repeat_revenue", "#fc8d62"),
                           ("unidentified_revenue", "#bbbbbb")):
            ax.bar(x, revenue[col], bottom=bottom, color=color, label=label(col, language), width=0.85)
            bottom += revenue[col].to_numpy()
        step = max(1, len(revenue) // 12)
        ax.set_xticks(x[::step])
        ax.set_xticklabels([str(p) for p in revenue["period"].iloc[::step]], rotation=45, ha="right", fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylabel(f"{label('net_revenue', language)} ({currency})" if currency else label("net_revenue", language))
        ax2 = ax.twinx()
        ax2.plot(x, revenue["repeat_revenue_share"], color="#d62728", linewidth=1.4, marker="o", markersize=2.5,
                 label=label("repeat_revenue_share", language))
        ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax2.set_ylim(0, 1)
        ax2.grid(False)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
        ax.set_title(label("new_vs_repeat", language))
    return ax


def next_purchase_heatmap(mix: pd.DataFrame, language: str, *, ax: Axes | None = None) -> Axes:
    """Share of each first-purchase line's repeaters who bought each line on their 2nd purchase day."""
    lab = _value_labeller(language)
    table = mix.pivot(index="first_item", columns="next_item", values="share").fillna(0.0)
    table = table.rename(index=lab, columns=lab)
    with warnings.catch_warnings():  # long product-line names: tight_layout does its best, a warning adds nothing
        warnings.simplefilter("ignore", UserWarning)
        with _axes(ax, (1.6 + 1.05 * table.shape[1], 1.2 + 0.5 * table.shape[0])) as ax:
            sns.heatmap(table, annot=True, fmt=".0%", cmap="rocket_r", cbar=False, ax=ax, linewidths=0.5)
            ax.set_xlabel(label("next_item", language))
            ax.set_ylabel(label("first_item", language))
            ax.set_title(label("next_purchase", language))
            plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    return ax
