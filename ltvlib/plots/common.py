"""Figure helpers shared by the notebooks. Like seaborn's, each draws into the ``ax`` it is given, or into a new
figure of its own size (laid out, then closed so a notebook shows it only when displayed: ``ax.figure``), and
returns the Axes it drew on; none shows or saves.

Japanese labels need a Japanese font: ``use_report_style`` registers the IPAex Gothic font that the
``matplotlib-fontja`` package ships (no network, no system font needed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes

from ltvlib.labels import label, labeller

__all__ = ["bar_metric", "grid_heatmap", "histogram_bins", "japanese_font_path", "label_tail", "use_report_style"]


def japanese_font_path() -> str:
    """Path of the IPAex Gothic TrueType file shipped by ``matplotlib-fontja``."""
    return str(files("matplotlib_fontja") / "fonts" / "ipaexg.ttf")


def use_report_style() -> None:
    """Set the report look for this process: seaborn theme and a font that renders Japanese.

    Called explicitly by notebooks (importing ltvlib changes nothing).
    """
    path = japanese_font_path()
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    sns.set_theme(style="whitegrid", context="notebook", font=name)
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.dpi"] = 110


@contextmanager
def _axes(given: Axes | Sequence[Axes] | None, figsize: tuple[float, float], *, layout: str | None = None,
          **subplots_kw: Any) -> Iterator[Any]:
    """Where a helper draws: ``given`` (one Axes, or as many as ``subplots_kw`` asks for, as an array), else the
    axes of a new ``figsize`` figure, laid out after drawing (tight unless ``layout``) and closed so that a notebook
    shows it only where it is displayed. A given figure is left as it is: its owner lays it out."""
    if given is not None:
        n = subplots_kw.get("nrows", 1) * subplots_kw.get("ncols", 1)
        if n == 1:
            yield given
            return
        axes = np.asarray(given, dtype=object).ravel()
        if axes.size != n:
            raise ValueError(f"expected {n} axes, got {axes.size}")
        yield axes
        return
    fig, new = plt.subplots(figsize=figsize, layout=layout, **subplots_kw)
    try:
        yield new
        if layout is None:
            fig.tight_layout()
    finally:
        plt.close(fig)


def bar_metric(metrics: pd.DataFrame, column: str, language: str, *, fmt: str = "{:,.0f}",
               title: str | None = None, ax: Axes | None = None) -> Axes:
    """Horizontal bars of one metric per segment, values written at the bar ends."""
    lab = labeller(language)
    with _axes(ax, (7, 0.35 * len(metrics) + 1.2)) as ax:
        names = [lab(i) for i in metrics.index]
        values = metrics[column].fillna(0).to_numpy()
        ax.barh(names[::-1], values[::-1], color=sns.color_palette("crest", len(values))[::-1])
        for y, v in enumerate(values[::-1]):
            ax.text(v, y, " " + fmt.format(v), va="center", fontsize=8)
        ax.set_xlabel(label(column, language))
        ax.set_title(title or label(column, language))
        ax.margins(x=0.15)
    return ax


def grid_heatmap(table: pd.DataFrame, language: str, *, fmt: str = ",.0f", title: str = "",
                 cmap: str = "YlGnBu", ax: Axes | None = None) -> Axes:
    """Heatmap of a stage x recency-status table (rows stages, columns statuses)."""
    lab = labeller(language)
    with _axes(ax, (7, 3.2)) as ax:
        shown = table.rename(index=lab, columns=lab)
        sns.heatmap(shown, annot=True, fmt=fmt, cmap=cmap, cbar=False, ax=ax, linewidths=0.5)
        ax.set_xlabel(label("recency_status", language))
        ax.set_ylabel(label("stage", language))
        ax.set_title(title)
    return ax


def histogram_bins(days: pd.Series, max_days: int | None = None, n_bins: int = 40) -> tuple[np.ndarray, int | None]:
    """Whole-day bin edges for ``days`` and the tail limit: values at or above ``limit`` go to the last bin
    ``[limit, limit + width)``, labelled "limit+" (``limit`` is None when nothing is clipped)."""
    d = pd.Series(days, dtype=float).dropna()
    top = int(d.max()) if len(d) else 1
    upper = max_days or (int(np.ceil(np.nanpercentile(d, 97))) if len(d) else 1)
    upper = max(min(upper, top), 1)
    width = max(1, int(np.ceil(upper / n_bins)))
    if top <= upper:  # nothing to clip: bins cover the data
        return np.arange(0, top + width + 1, width, dtype=float), None
    upper = int(np.ceil(upper / width) * width)
    return np.arange(0, upper + 2 * width, width, dtype=float), upper


def label_tail(ax, bins: np.ndarray, limit: int | None) -> None:
    """Mark the last bar of a histogram from ``histogram_bins`` as the tail: its tick reads "350+"."""
    if limit is None:
        return
    width = bins[1] - bins[0]
    ticks = [t for t in ax.get_xticks() if 0 <= t < limit - 0.6 * width * 3]
    ax.set_xticks([*ticks, limit + width / 2])
    ax.set_xticklabels([f"{t:,.0f}" for t in ticks] + [f"{limit:,}+"])
    marked = [float(np.asarray(line.get_xdata())[0]) for line in ax.get_lines()]  # axvline marks stay in view
    ax.set_xlim(0, max([bins[-1], *(x * 1.03 for x in marked)]))
