"""Figures of the journey report: Sankey of a window's flows (plotly), flow matrix heatmap, trend lines."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import seaborn as sns
from matplotlib.figure import Figure

from ltvlib.journey import NEW, OUTSIDE, Journey, JourneyWindow, segment_label, window_label
from ltvlib.labels import label
from ltvlib.text import plot_text, plotly_text

__all__ = ["figure_html", "flow_heatmap", "sankey", "trend_lines"]

_GREY = "rgba(160,160,160,0.35)"


def _rgba(color: tuple[float, float, float], alpha: float) -> str:
    r, g, b = (int(255 * c) for c in color)
    return f"rgba({r},{g},{b},{alpha})"


def sankey(window: JourneyWindow, journey: Journey, language: str, *, include_stays: bool = False,
           include_entries: bool = True) -> go.Figure:
    """Sankey of the window's flows: segments at start on the left, at end on the right.

    Moves along arrows are coloured by their origin; entries (new customers, customers from outside
    the journey) and exits are grey; stays (large, usually) only with ``include_stays``.
    """
    kinds = ["move"] + (["stay"] if include_stays else []) + (["entry", "exit"] if include_entries else [])
    f = window.flows.loc[window.flows["kind"].isin(kinds) & (window.flows["customers"] > 0)]
    palette = sns.color_palette("tab20", max(len(window.segments), 1))
    color = {s: palette[i % len(palette)] for i, s in enumerate(window.segments)}
    left = [s for s in (NEW, OUTSIDE, *window.segments) if s in set(f["source"])]
    right = [s for s in (*window.segments, OUTSIDE) if s in set(f["target"])]
    start_tag, end_tag = label("journey_at_start", language), label("journey_at_end", language)
    shown = lambda s: plotly_text(segment_label(s, language, journey))  # noqa: E731  (labels from data: no markup)
    names = ([shown(s) + ("" if s in (NEW, OUTSIDE) else f" ({start_tag})") for s in left]
             + [shown(s) + ("" if s == OUTSIDE else f" ({end_tag})") for s in right])
    node_colors = [_rgba(color[s], 0.9) if s in color else _GREY for s in left + right]
    li, ri = {s: i for i, s in enumerate(left)}, {s: len(left) + i for i, s in enumerate(right)}
    link_colors = [_rgba(color[a], 0.45) if k in ("move", "stay") else _GREY
                   for a, k in zip(f["source"], f["kind"])]
    unit = label("journey_customers", language)
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": names, "color": node_colors, "pad": 12, "thickness": 14,
              "x": [0.01] * len(left) + [0.99] * len(right),
              "y": list(np.linspace(0.05, 0.95, len(left))) + list(np.linspace(0.05, 0.95, len(right)))},
        link={"source": [li[s] for s in f["source"]], "target": [ri[t] for t in f["target"]],
              "value": f["customers"].tolist(), "color": link_colors,
              "hovertemplate": "%{source.label} → %{target.label}<br>%{value:,} " + unit + "<extra></extra>"},
    ))
    when = window_label(window, language)
    fig.update_layout(title={"text": f"{plotly_text(journey.display_title(language))}: {label('journey_sankey', language)} "
                                     f"({when})", "font": {"size": 15}},
                      height=max(360, 34 * max(len(left), len(right)) + 120), margin={"l": 10, "r": 10, "t": 50,
                                                                                       "b": 10},
                      font={"family": "Hiragino Sans, Noto Sans JP, Yu Gothic, Meiryo, sans-serif", "size": 11})
    return fig


def figure_html(fig: go.Figure, *, include_plotlyjs: bool) -> str:
    """An HTML snippet of a plotly figure that works offline: plotly.js inline (pass True once per page)."""
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs, config={"displaylogo": False})


def flow_heatmap(window: JourneyWindow, journey: Journey, language: str) -> Figure:
    """Moves as a heatmap: segment at start (rows) x segment newly joined (columns); empty rows/columns dropped."""
    m = window.matrix()
    m = m.loc[m.sum(axis=1) > 0, m.sum(axis=0) > 0]
    lab = lambda s: plot_text(segment_label(s, language, journey))  # noqa: E731
    fig, ax = plt.subplots(figsize=(max(5.5, 0.75 * m.shape[1] + 4), max(3.4, 0.45 * m.shape[0] + 2.8)))
    if m.empty:
        ax.text(0.5, 0.5, "–", ha="center", va="center")
        ax.set_axis_off()
    else:
        sns.heatmap(m.rename(index=lab, columns=lab), annot=True, fmt=",d", cmap="rocket_r", cbar=False, ax=ax,
                    linewidths=0.5)
        ax.set_xlabel(label("journey_target", language))
        ax.set_ylabel(label("journey_source", language))
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    ax.set_title(plot_text(f"{journey.display_title(language)}: {window_label(window, language)}"), fontsize=11)
    with warnings.catch_warnings():  # long segment names: tight_layout does its best, a warning adds nothing
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    plt.close(fig)
    return fig


def trend_lines(trend: pd.DataFrame, journey: Journey, language: str) -> Figure:
    """Weekly counts of the trend flows (one line per flow), x = the week's last day."""
    fig, ax = plt.subplots(figsize=(9, 3.8))
    lab = lambda s: plot_text(segment_label(s, language, journey))  # noqa: E731
    for (src, tgt), g in trend.groupby(["source", "target"], sort=False):
        g = g.sort_values("week_end")
        ax.plot(pd.to_datetime(g["week_end"]), g["customers"], marker="o", markersize=3, linewidth=1.5,
                label=f"{lab(src)} → {lab(tgt)}")
    ax.set_xlabel(label("journey_week", language))
    ax.set_ylabel(label("journey_per_week", language))
    ax.set_title(plot_text(f"{journey.display_title(language)}: {label('journey_trend', language)}"), fontsize=11)
    ax.set_ylim(bottom=0)
    if len(trend):
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    plt.close(fig)
    return fig
