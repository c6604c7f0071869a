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


def test_clv_figures_draw_into_given_axes() -> None:
    """The CLV page's helpers: one ``ax`` (or the tracking chart's two) drawn on and returned."""
    import datetime as dt

    import numpy as np

    from ltvlib.plots import clv as clv_plots

    fig, (left, right) = plt.subplots(1, 2)
    pred = pd.DataFrame({"predicted_clv": np.linspace(0, 100, 50)})
    assert clv_plots.clv_histogram(pred, "en", currency="JPY", ax=right) is right
    assert right.patches and not left.has_data()
    by_f = pd.DataFrame({"actual": [0.1, 0.5], "predicted": [0.12, 0.45], "customers": [30, 10]}, index=[0, 1])
    assert clv_plots.calibration_vs_holdout(by_f, "ja", ax=left) is left and len(left.lines) == 2
    plt.close(fig)
    frame = pd.DataFrame({"week_end": pd.date_range("2026-01-04", periods=6, freq="W"), "actual": [1, 2, 3, 2, 1, 2],
                          "predicted": [1.5, 2, 2.5, 2, 1.5, 2], "cum_actual": [1, 3, 6, 8, 9, 11],
                          "cum_predicted": [1.5, 3.5, 6, 8, 9.5, 11.5]})
    fig, pair = plt.subplots(2, 1)
    got = clv_plots.tracking(frame, dt.date(2026, 1, 20), "en", axes=pair)
    assert list(got) == list(pair) and all(len(a.lines) == 3 for a in pair)
    plt.close(fig)
    own = clv_plots.tracking(frame, dt.date(2026, 1, 20), "en")
    assert len(own) == 2 and not plt.fignum_exists(own[0].figure.number)
