"""The journey page's results for one date: every journey's window and weekly trend, the movers' CSV links,
and the key figures of ``journey.figures.json`` (``JourneyReport``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ltvlib.journey.flows import NEW, JourneyWindow
from ltvlib.journey.movers import export_flows
from ltvlib.journey.spec import Journey
from ltvlib.journey.text import segment_label

__all__ = ["JourneyReport", "analyse"]


@dataclass
class JourneyReport:
    """The journeys of a shop as of a date. ``live``: the journeys that can be shown (segments available and
    customers known); ``windows`` / ``trends``: each live journey's window (``Journey.window``) and weekly
    counts; ``links``: (source, target) -> CSV path of the movers, per journey, once ``export`` has run."""

    as_of: dt.date
    language: str
    journeys: dict[str, Journey]
    summary: pd.DataFrame
    live: dict[str, Journey]
    windows: dict[str, JourneyWindow]
    trends: dict[str, pd.DataFrame]
    links: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)

    def export(self, out_dir: str | Path, *, show_personal_data: bool, secret: bytes
               ) -> dict[str, dict[tuple[str, str], str]]:
        """Write the movers of every flow of every live journey to ``out_dir/exports/`` (``export_flows``);
        returns (and keeps) the links."""
        self.links = {name: export_flows(self.windows[name], name, self.summary, out_dir,
                                         show_personal_data=show_personal_data, secret=secret) for name in self.live}
        return self.links

    def top_move(self, name: str) -> Any:
        """The journey's largest move (a row of ``JourneyWindow.moves``), None when nobody moved."""
        m = self.windows[name].moves()
        return m.iloc[0] if len(m) and m["customers"].iloc[0] > 0 else None

    def key_figures(self) -> dict[str, dict[str, Any]]:
        """The index page's rows: each live journey's largest move in its window."""
        from ltvlib.labels import label

        lang, out = self.language, {}
        for name, j in self.live.items():
            top = self.top_move(name)
            if top is None:
                continue
            text = f"{segment_label(top.source, lang, j)} → {segment_label(top.target, lang, j)}: {top.customers:,}"
            days = label("journey_last_days", lang).format(n=self.windows[name].days)
            out[f"journey_{name}"] = {"label": f"{j.display_title(lang)} ({days})", "value": int(top.customers),
                                      "text": text}
        return out

    def figures(self, title: str) -> dict[str, Any]:
        """``journey.figures.json``: per journey its window, moves, new entries and exports; the key figures."""
        def one(name: str, w: JourneyWindow) -> dict[str, Any]:
            moves = w.moves()
            return {"start": str(w.start), "first_day": str(w.first_day), "end": str(w.end),
                    "moves": {f"{a} -> {b}": int(n) for a, b, n in zip(moves["source"], moves["target"],
                                                                      moves["customers"]) if n},
                    "entries_new": int(w.flows.loc[w.flows["source"] == NEW, "customers"].sum()),
                    "exports": {f"{a} -> {b}": path for (a, b), path in self.links.get(name, {}).items()}}

        return {"title": title, "as_of": str(self.as_of),
                "journeys": {name: one(name, w) for name, w in self.windows.items()},
                "key_figures": self.key_figures()}


def analyse(journeys: Mapping[str, Journey], summary: pd.DataFrame, as_of: dt.date, language: str) -> JourneyReport:
    """Each journey's window ending at ``as_of`` and weekly trend (``summary``: the customer summary at
    ``as_of``; no journey is live without customers)."""
    live = {name: j for name, j in journeys.items() if not j.unavailable and len(summary)}
    windows = {name: j.window(as_of) for name, j in live.items()}
    trends = {name: j.trend_counts(as_of) for name, j in live.items()}
    return JourneyReport(as_of, language, dict(journeys), summary, live, windows, trends)
