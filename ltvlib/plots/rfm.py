"""Figures of the RFM report."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ltvlib.labels import label
from ltvlib.plots.common import _axes, histogram_bins, label_tail

__all__ = ["interval_histogram", "rf_heatmap"]


def rf_heatmap(scores: pd.DataFrame, language: str, *, ax: Axes | None = None) -> Axes:
    """Customer counts by R score (columns) and F score (rows), best corner top right."""
    table = pd.crosstab(scores["f_score"], scores["r_score"]).reindex(index=range(5, 0, -1), columns=range(1, 6),
                                                                      fill_value=0)
    with _axes(ax, (6, 4)) as ax:
        sns.heatmap(table, annot=True, fmt=",d", cmap="rocket_r", cbar=False, ax=ax, linewidths=0.5)
        ax.set_xlabel(label("r_score", language))
        ax.set_ylabel(label("f_score", language))
        ax.set_title(label("rfm_heatmap", language))
    return ax


def interval_histogram(days: pd.Series, language: str, *, marks: Sequence[tuple[str, float]] = (),
                       max_days: int | None = None, ax: Axes | None = None) -> Axes:
    """Histogram of days between consecutive purchases, with vertical lines at ``marks`` (name, days).

    The longest 1% of gaps (or those over ``max_days``) are gathered in the last bar, labelled "N+"."""
    upper = max_days or (int(np.ceil(np.nanpercentile(days, 99))) if len(days) else 1)
    bins, limit = histogram_bins(days, upper, n_bins=60)
    with _axes(ax, (8, 3.6)) as ax:
        ax.hist(days if limit is None else days.clip(upper=limit), bins=bins, color="#4c72b0", alpha=0.85)
        colors = sns.color_palette("deep", max(len(marks), 1))
        for (name, x), c in zip(marks, colors):
            ax.axvline(x, color=c, linestyle="--", linewidth=1.4, label=f"{name}: {x:,.0f}")
        label_tail(ax, bins, limit)
        ax.set_xlabel(label("days_between_orders", language))
        ax.set_ylabel(label("purchases", language))
        if marks:
            ax.legend(fontsize=8)
    return ax
