"""Figures of the journey report: Sankey of a window's flows (plotly), flow matrix heatmap, trend lines."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import plotly.graph_objects as go
import seaborn as sns
from matplotlib.axes import Axes

from ltvlib.journey import NEW, OUTSIDE, Journey, JourneyWindow, segment_label, window_label
from ltvlib.labels import label
from ltvlib.plots import web
from ltvlib.plots.common import _axes
from ltvlib.text import plot_text, plotly_text

__all__ = ["customers_text", "figure_html", "flow_heatmap", "sankey", "trend_lines"]

_GREY = "rgba(160,160,160,0.35)"


def _rgba(color: tuple[float, float, float], alpha: float) -> str:
    r, g, b = (int(255 * c) for c in color)
    return f"rgba({r},{g},{b},{alpha})"


def customers_text(language: str, value: str = "%{value:,}") -> str:
    """A count of customers with its unit, for hover texts: "33人" / "33 customers" (``value`` may be a template)."""
    return f"{value}人" if language == "ja" else f"{value} customers"


def sankey(window: JourneyWindow, journey: Journey, language: str, *, include_stays: bool = False,
           include_entries: bool = True, links: Mapping[tuple[str, str], str] | None = None) -> go.Figure:
    """Sankey of the window's flows: segments at start on the left, at end on the right.

    Moves along arrows are coloured by their origin; entries (new customers, customers from outside
    the journey) and exits are grey; stays (large, usually) only with ``include_stays``. Each link's
    ``customdata`` is its movers' CSV path from ``links`` (``export_flows``; "" when none), which the page's
    movers panel is keyed by. Plotly places the nodes (no fixed positions, so none is pushed out of the plot)
    and the height grows with the node count.
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
    links = links or {}
    count = customers_text(language)
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": names, "color": node_colors, "pad": 12, "thickness": 14,
              "hovertemplate": "%{label}<br>" + count + "<extra></extra>"},
        link={"source": [li[s] for s in f["source"]], "target": [ri[t] for t in f["target"]],
              "value": f["customers"].tolist(), "color": link_colors,
              "customdata": [links.get((a, b), "") for a, b in zip(f["source"], f["target"])],
              "hovertemplate": "%{source.label} → %{target.label}<br>" + count + "<extra></extra>"},
    ))
    when = window_label(window, language)
    font = "Hiragino Sans, Noto Sans JP, Noto Sans CJK JP, Yu Gothic, Meiryo, sans-serif"
    fig.update_layout(title={"text": f"{plotly_text(journey.display_title(language))}: {label('journey_sankey', language)} "
                                     f"({when})", "font": {"size": 15}},
                      height=max(380, 44 * max(len(left), len(right)) + 140),
                      margin={"l": 10, "r": 10, "t": 50, "b": 20},
                      font={"family": font, "size": 11}, hoverlabel={"font": {"family": font}})
    return fig


def figure_html(fig: go.Figure, language: str, *, include_plotlyjs: bool, clicks: str | None = None) -> str:
    """An HTML snippet of a plotly figure that works offline (``ltvlib.plots.web``; plotly.js once per page)."""
    return web.figure_html(fig, language, include_plotlyjs=include_plotlyjs, clicks=clicks)


def _wrap(text: str, language: str, width: int) -> str:
    """``text`` on lines of about ``width`` characters (half that for Japanese, whose characters are wide)."""
    return "\n".join(textwrap.wrap(text, width // 2 if language == "ja" else width)) or text


def flow_heatmap(window: JourneyWindow, journey: Journey, language: str, *, ax: Axes | None = None) -> Axes:
    """Moves as a heatmap: segment at start (rows) x segment newly joined (columns); empty rows/columns dropped.

    Labels are wrapped and horizontal, and a new figure is sized from its rows, columns and label lines, so a
    single row keeps its height and long segment names do not squeeze the cells.
    """
    m = window.matrix()
    m = m.loc[m.sum(axis=1) > 0, m.sum(axis=0) > 0]
    lab = lambda s: plot_text(segment_label(s, language, journey))  # noqa: E731
    rows = {s: _wrap(lab(s), language, 34) for s in m.index}
    cols = {s: _wrap(lab(s), language, 16) for s in m.columns}
    row_lines = max((t.count("\n") + 1 for t in rows.values()), default=1)
    col_lines = max((t.count("\n") + 1 for t in cols.values()), default=1)
    width = max(6.0, 1.35 * m.shape[1] + 2.6)
    height = 1.6 + 0.2 * col_lines + max(0.5, 0.16 * row_lines) * max(m.shape[0], 1)
    with _axes(ax, (width, height), layout="constrained") as ax:
        if m.empty:
            ax.text(0.5, 0.5, "–", ha="center", va="center")
            ax.set_axis_off()
        else:
            sns.heatmap(m.rename(index=rows, columns=cols), annot=True, fmt=",d", cmap="rocket_r", cbar=False, ax=ax,
                        linewidths=0.5)
            ax.set_xlabel(label("journey_target", language))
            ax.set_ylabel(label("journey_source", language))
            plt.setp(ax.get_xticklabels(), rotation=0, fontsize=8)
            plt.setp(ax.get_yticklabels(), rotation=0, fontsize=8)
        title = plot_text(f"{journey.display_title(language)}: {window_label(window, language)}")
        ax.set_title(_wrap(title, language, int(width * 13)), fontsize=11)
    return ax


_DATE_FORMATS = {"ja": {"formats": ["%Y年", "%-m月", "%-d日", "%H:%M", "%H:%M", "%S.%f"],
                        "zero_formats": ["", "%Y年", "%-m月", "%-m/%-d", "%H:%M", "%H:%M"],
                        "offset_formats": ["", "%Y年", "%Y年%-m月", "%Y/%-m/%-d", "%Y/%-m/%-d", "%Y/%-m/%-d %H:%M"]}}


def trend_lines(trend: pd.DataFrame, journey: Journey, language: str, *, ax: Axes | None = None) -> Axes:
    """Weekly counts of the trend flows (one line per flow), x = the week's last day."""
    with _axes(ax, (9, 3.8)) as ax:
        lab = lambda s: plot_text(segment_label(s, language, journey))  # noqa: E731
        for (src, tgt), g in trend.groupby(["source", "target"], sort=False):
            g = g.sort_values("week_end")
            ax.plot(pd.to_datetime(g["week_end"]), g["customers"], marker="o", markersize=3, linewidth=1.5,
                    label=f"{lab(src)} → {lab(tgt)}")
        ax.set_xlabel(label("journey_week", language))
        ax.set_ylabel(label("journey_per_week", language))
        ax.set_title(plot_text(f"{journey.display_title(language)}: {label('journey_trend', language)}"), fontsize=11)
        ax.set_ylim(bottom=0)
        dates = mdates.AutoDateLocator(minticks=3, maxticks=8)  # a year of weeks: month ticks that don't collide
        ax.xaxis.set_major_locator(dates)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(dates, **_DATE_FORMATS.get(language, {})))
        if len(trend):  # below the chart: long segment names beside it would squeeze the axes
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.34), frameon=False)
    return ax
