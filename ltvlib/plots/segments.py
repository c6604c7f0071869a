"""Figures of the segments report: growth lines and campaign results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ltvlib.labels import label
from ltvlib.plots.common import _axes
from ltvlib.text import plot_text

__all__ = ["campaign_chart", "growth_chart"]


def growth_chart(growth: pd.DataFrame, names: Mapping[str, str], language: str, *, title: str = "",
                 axes: Sequence[Axes] | None = None) -> np.ndarray:
    """Members (top) and average LTV (bottom) per week for each segment of ``growth`` (``metrics.growth``).

    ``names`` maps segment names to display names (and picks and orders the segments shown). Draws into ``axes``
    (two: members, then LTV) or a new figure whose panels share the date axis; returns the array of both Axes.
    """
    shown = growth.loc[growth["segment"].isin(list(names))]
    with _axes(axes, (9, 6.4), nrows=2, sharex=True) as axes:
        palette = sns.color_palette("tab10", max(len(names), 1))
        for (seg, display), color in zip(names.items(), palette):
            g = shown.loc[shown["segment"] == seg].sort_values("date")
            dates = pd.to_datetime(g["date"])
            axes[0].plot(dates, g["customers"], color=color, label=plot_text(display), linewidth=1.8)
            axes[1].plot(dates, g["ltv"], color=color, linewidth=1.8)
        axes[0].set_ylabel(label("seg_growth_customers", language))
        axes[1].set_ylabel(label("seg_growth_ltv", language), fontsize=8)
        for ax in axes:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        axes[0].set_title(plot_text(title))
        plt.setp(axes[1].get_xticklabels(), rotation=30, ha="right")  # dates; only this chart's axes, not its figure's
    return axes


def campaign_chart(effects: pd.DataFrame, language: str, *, title: str = "", confidence: float = 0.95,
                   currency: str = "", axes: Sequence[Axes] | None = None) -> np.ndarray:
    """Target vs control per outcome (``campaign.measure(...).effects``), the difference and its interval
    in each panel's title.

    Draws into ``axes`` (three: purchase rate, orders and revenue per member) or a new figure; ``title`` and the
    confidence level go to the figure's suptitle. Returns the array of the three Axes.
    """
    outcomes = ["purchase_rate", "orders_per_member", "revenue_per_member"]
    with _axes(axes, (10, 3.4), ncols=3) as axes:
        colors = [sns.color_palette("deep")[0], sns.color_palette("deep")[7]]
        for ax, k in zip(axes, outcomes):
            row = effects.loc[k]
            ax.bar([label("seg_target", language), label("seg_control", language)], [row["target"], row["control"]],
                   color=colors)
            if k == "purchase_rate":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                diff = f"{row['difference']:+.1%} [{row['ci_low']:+.1%}, {row['ci_high']:+.1%}]"
            else:
                spec = "+,.0f" if k == "revenue_per_member" else "+.2f"
                diff = (f"{format(row['difference'], spec)} [{format(row['ci_low'], spec)}, "
                        f"{format(row['ci_high'], spec)}]")
            unit = f" ({currency})" if k == "revenue_per_member" and currency else ""
            ax.set_title(f"{label(k, language)}{unit}\n{label('seg_difference', language)} {diff}", fontsize=9)
        axes[0].figure.suptitle(f"{plot_text(title)}  ({confidence:.0%} {label('seg_ci', language)})", fontsize=10)
    return axes
