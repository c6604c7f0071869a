"""Figures of the CLV report. Each draws into the ``ax`` given (or a new figure) and returns the Axes it drew on
(``tracking``: its two Axes); none shows or saves: a notebook displays ``ax.figure``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ltvlib.labels import label
from ltvlib.plots.common import _axes, histogram_bins, label_tail

__all__ = ["calibration_vs_holdout", "clv_histogram", "rf_heatmap", "segment_bars", "tracking"]


def calibration_vs_holdout(by_frequency: pd.DataFrame, language: str, *, ax: Axes | None = None) -> Axes:
    """The classic check: mean holdout purchases by calibration frequency, actual against predicted."""
    with _axes(ax, (7, 3.8)) as ax:
        x = by_frequency.index.to_numpy()
        ax.plot(x, by_frequency["actual"], marker="o", color="#4c72b0", label=label("actual", language))
        ax.plot(x, by_frequency["predicted"], marker="s", linestyle="--", color="#dd8452", label=label("predicted", language))
        ticks = [f"{v}{'+' if i == len(x) - 1 else ''}\n(n={n:,})" for i, (v, n) in enumerate(zip(x, by_frequency["customers"]))]
        ax.set_xticks(x)
        ax.set_xticklabels(ticks, fontsize=8)
        ax.set_xlabel(label("frequency_cal", language))
        ax.set_ylabel(label("holdout_purchases", language))
        ax.set_title(label("calibration_vs_holdout", language))
        ax.legend(fontsize=8)
    return ax


def tracking(frame: pd.DataFrame, calibration_end: dt.date, language: str, *, axes: Sequence[Axes] | None = None
             ) -> np.ndarray:
    """Cumulative (top) and weekly (bottom) repeat purchases, actual against the model, split date marked; draws
    into the two ``axes`` given (or a new figure) and returns them."""
    with _axes(axes, (9, 6), nrows=2, ncols=1, sharex=True) as axes:
        a1, a2 = axes
        x = pd.to_datetime(frame["week_end"])
        a1.plot(x, frame["cum_actual"], color="#4c72b0", label=label("actual", language))
        a1.plot(x, frame["cum_predicted"], color="#dd8452", linestyle="--", label=label("predicted", language))
        a2.plot(x, frame["actual"], color="#4c72b0", linewidth=1)
        a2.plot(x, frame["predicted"], color="#dd8452", linestyle="--", linewidth=1.2)
        for ax in (a1, a2):
            ax.axvline(pd.Timestamp(calibration_end), color="#555", linestyle=":", linewidth=1.2)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        a1.text(pd.Timestamp(calibration_end), a1.get_ylim()[1] * 0.97, " " + label("calibration_end", language),
                fontsize=8, va="top")
        a1.set_title(label("tracking", language))
        a1.legend(fontsize=8)
        a2.set_ylabel(label("weekly_repeat", language))
    return axes


def rf_heatmap(matrix: pd.DataFrame, language: str, *, title: str = "", percent: bool = True,
               ax: Axes | None = None) -> Axes:
    """Heatmap of ``clv.rf_matrix``: frequency across, recency down (most recent buyers at the bottom)."""
    with _axes(ax, (8, 5.5)) as ax:
        cmap = "RdYlGn" if percent else "viridis"
        sns.heatmap(matrix, cmap=cmap, ax=ax, vmin=0, vmax=1 if percent else None, mask=matrix.isna(),
                    cbar_kws={"format": FuncFormatter(lambda v, _: f"{v:.0%}" if percent else f"{v:.1f}")})
        step = max(1, len(matrix) // 10)
        ax.set_yticks(np.arange(0, len(matrix), step) + 0.5)
        ax.set_yticklabels([str(v) for v in matrix.index[::step]], rotation=0)
        ax.set_xlabel(label("frequency", language))
        ax.set_ylabel(label("recency_days_fr", language))
        ax.set_title(title)
    return ax


def clv_histogram(predictions: pd.DataFrame, language: str, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Distribution of predicted CLV (upper 1% gathered in the last bin, labelled "N+"), mean and median marked."""
    with _axes(ax, (8, 3.6)) as ax:
        v = predictions["predicted_clv"]
        bins, limit = histogram_bins(v, int(np.ceil(np.nanpercentile(v, 99))) if len(v) else 1, n_bins=50)
        ax.hist(v if limit is None else v.clip(upper=limit), bins=bins, color="#55a868", alpha=0.9)
        for name, x, style in (("mean", float(v.mean()), "--"), ("median", float(v.median()), ":")):
            ax.axvline(x, color="#333", linestyle=style, linewidth=1.2, label=f"{label(name, language)}: {x:,.0f}")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        label_tail(ax, bins, limit)
        ax.set_xlabel(f"{label('predicted_clv', language)} ({currency})" if currency else label("predicted_clv", language))
        ax.set_ylabel(label("customers", language))
        ax.set_title(label("clv_distribution", language))
        ax.legend(fontsize=8)
    return ax


def segment_bars(segments: pd.DataFrame, language: str, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Horizontal bars of total predicted CLV per segment (``clv.segment_clv``), with its share written."""
    with _axes(ax, (8, 0.4 * len(segments) + 1.3)) as ax:
        names = [label(str(i), language) for i in segments.index][::-1]
        values = segments["clv_total"].fillna(0).to_numpy()[::-1]
        shares = segments["clv_share"].fillna(0).to_numpy()[::-1]
        ax.barh(names, values, color=sns.color_palette("crest", len(values)))
        for y, (v, sh) in enumerate(zip(values, shares)):
            ax.text(v, y, f" {v:,.0f} ({sh:.0%})", va="center", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_xlabel(f"{label('clv_total', language)} ({currency})" if currency else label("clv_total", language))
        ax.set_title(label("clv_by_segment", language))
        ax.margins(x=0.2)
    return ax
