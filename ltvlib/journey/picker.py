"""The analyst's movers picker: a dropdown of every non-empty flow, showing the customers behind it."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ltvlib.journey.flows import JourneyWindow
from ltvlib.journey.movers import movers_table
from ltvlib.journey.spec import Journey
from ltvlib.journey.text import segment_label
from ltvlib.labels import label, labeller
from ltvlib.privacy import redact

__all__ = ["flow_options", "movers_picker"]


def flow_options(journeys: Mapping[str, Journey], windows: Mapping[str, JourneyWindow],
                 language: str) -> list[tuple[str, tuple[str, str, str]]]:
    """(display text, (journey, source, target)) for every non-empty move, entry and exit, largest first."""
    out = []
    for name, j in journeys.items():
        f = windows[name].flows
        f = f.loc[(f["kind"] != "stay") & (f["customers"] > 0)].sort_values("customers", ascending=False)
        for a, b, n in zip(f["source"], f["target"], f["customers"]):
            text = (f"{j.display_title(language)}: {segment_label(a, language, j)} → "
                    f"{segment_label(b, language, j)} ({n:,})")
            out.append((text, (name, a, b)))
    return out


def movers_picker(journeys: Mapping[str, Journey], windows: Mapping[str, JourneyWindow], summary: pd.DataFrame,
                  language: str, *, show_personal_data: bool, secret: bytes, rows: int = 200):
    """An ipywidgets box: pick a flow, see its movers (first ``rows``, personal data redacted unless allowed)."""
    import ipywidgets as widgets

    options = flow_options(journeys, windows, language)
    pick = widgets.Dropdown(options=options, description=label("journey_pick_flow", language),
                            layout=widgets.Layout(width="95%"))
    out = widgets.Output()

    def show(_change: object = None) -> None:
        out.outputs = ()  # set directly (not ``with out``) so it also works without a frontend
        if pick.value is None:
            return
        name, a, b = pick.value
        table = movers_table(windows[name], a, b, summary).head(rows)
        shown = redact(table, show_personal_data=show_personal_data, secret=secret)
        out.append_display_data(shown.rename(columns=labeller(language)).rename_axis(label("seg_customer", language)))

    pick.observe(show, names="value")
    show()
    return widgets.VBox([pick, out])
