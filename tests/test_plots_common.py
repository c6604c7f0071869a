"""Figure helpers shared by the reports draw where they are told, like seaborn's."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ltvlib import plots


def test_figures_draw_into_a_given_ax() -> None:
    """A given ``ax`` is drawn on and returned; without one, a figure of its own is made, sized and closed."""
    fig, (left, right) = plt.subplots(1, 2)
    metrics = pd.DataFrame({"customers": [120, 45, 8]}, index=["new", "regular", "loyal"])
    assert plots.bar_metric(metrics, "customers", "en", ax=right) is right
    assert len(right.patches) == 3 and not left.has_data() and plt.fignum_exists(fig.number)
    table = pd.DataFrame([[10, 2], [3, 1]], index=["first", "repeat"], columns=["active", "at_risk"])
    own = plots.grid_heatmap(table, "en", title="Customers")
    assert own.collections and own.get_title() == "Customers" and own.figure is not fig
    assert tuple(own.figure.get_size_inches()) == (7, 3.2) and not plt.fignum_exists(own.figure.number)
    plt.close(fig)
