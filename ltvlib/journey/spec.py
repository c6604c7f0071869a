"""Journeys from the shop's params: the ``journeys:`` section, validated and bound to the shop's orders.

Each entry of ``journeys:`` (see params/defaults.yaml) names a journey::

    status_grid:
      title: {en: Status grid, ja: ステータスグリッド}
      source: status_grid       # status_grid | stage_scenario | channel | product_line | winback | segments
      segments: [...]           # which of the source's segments (default: all it offers)
      arrows: [[a, b], ...]     # names or patterns ("fan:*"); default: every ordered pair
      trend: [[a, b], ...]      # flows charted week by week (default: the largest arrows)
      window_days: 7            # the window up to as_of
      trend_weeks: 52           # 26 or 52
      options: {...}            # per source (channel: within_days; product_line: fan_orders;
                                #   winback: dormant_days, returned_days)
      enabled: true

``source: segments`` uses named segments of the params ``segments:`` section, evaluated by one
``ltvlib.segments.Segmenter`` at every date needed (both ends of the window, each week of a trend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.history import ORDER_COLUMNS as HISTORY_COLUMNS
from ltvlib.journey.flows import (
    NEW,
    OUTSIDE,
    JourneyWindow,
    Source,
    default_window,
    expand_arrows,
    flow_trend,
    window_flows,
)
from ltvlib.journey.history import FAMILIES, HistoryMembership, MembershipArrays, family_segments
from ltvlib.segments import OrderHistory, Segmenter
from ltvlib.segments import order_columns as segment_columns

__all__ = ["JOURNEY_KEYS", "SOURCES", "Journey", "SegmentsMembership", "build_journeys", "order_columns",
           "validate_journeys"]

SOURCES = (*FAMILIES, "segments")
JOURNEY_KEYS = ("title", "source", "segments", "arrows", "trend", "window_days", "trend_weeks", "options", "enabled")
_OPTIONS = {
    "status_grid": (), "stage_scenario": (), "segments": (),
    "channel": ("within_days",), "product_line": ("fan_orders",), "winback": ("dormant_days", "returned_days"),
}


@dataclass(frozen=True, eq=False)
class SegmentsMembership:
    """Condition segments of the params ``segments:`` section as a membership source (``as_of -> frame``),
    evaluated by an ``ltvlib.segments.Segmenter`` (built once, it prepares the order history once)."""

    segmenter: Segmenter
    segments: tuple[str, ...]

    def __call__(self, as_of: dt.date | str) -> pd.DataFrame:
        return self.segmenter.membership(as_of, list(self.segments))

    @property
    def keys(self) -> pd.Index:
        return self.segmenter.history.key_index

    def arrays(self, as_of: dt.date | str) -> MembershipArrays:
        """Membership aligned to ``keys`` (every customer of the history; those known at ``as_of`` come first),
        as ``HistoryMembership.arrays``: no per-date join on customer keys."""
        snap = self.segmenter.snapshot(as_of)
        masks = self.segmenter.masks(snap, list(self.segments))
        total = len(self.segmenter.history)
        matrix = np.zeros((total, len(self.segments)), dtype=bool, order="F")
        for i, name in enumerate(self.segments):
            matrix[: len(snap), i] = masks[name]
        return MembershipArrays(np.arange(total) < len(snap), matrix)


@dataclass(frozen=True, eq=False)
class Journey:
    """A named set of segments with arrows, bound to a membership source."""

    name: str
    title: Mapping[str, str]
    source: Source
    segments: tuple[str, ...]
    arrows: tuple[tuple[str, str], ...]
    trend: tuple[tuple[str, str], ...] = ()
    window_days: int = 7
    trend_weeks: int = 52
    segment_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    unavailable: str = ""  # label key of the sentence saying why the journey has no segments (else '')

    def display_title(self, language: str) -> str:
        return str(self.title.get(language) or self.title.get("en") or self.name)

    def window(self, as_of: dt.date | str, days: int | None = None) -> JourneyWindow:
        """Flows over the ``days`` (default ``window_days``) days up to ``as_of``."""
        start, end = default_window(as_of, days or self.window_days)
        return window_flows(self.source, start, end, self.segments, self.arrows)

    def trend_counts(self, as_of: dt.date | str, flows: Sequence[Sequence[str]] | None = None,
                     weeks: int | None = None, top: int = 4) -> pd.DataFrame:
        """Weekly counts (``flow_trend``) of ``flows``, else the journey's ``trend``, else its ``top``
        arrows with the most customers over the period, over ``trend_weeks`` weeks."""
        chosen = flows if flows is not None else (self.trend or None)
        t = flow_trend(self.source, as_of, weeks=weeks or self.trend_weeks, segments=self.segments,
                       arrows=self.arrows, flows=chosen)
        if chosen is None:
            t = t.loc[t["kind"] == "move"]
            totals = t.groupby(["source", "target"], sort=False)["customers"].sum()
            best = set(totals.loc[totals > 0].sort_values(ascending=False, kind="stable").head(top).index)
            t = t.loc[[(a, b) in best for a, b in zip(t["source"], t["target"])]].reset_index(drop=True)
        return t


def _err(name: str, key: str, msg: str) -> ValueError:
    return ValueError(f"journeys.{name}.{key}: {msg}")


def validate_journeys(spec: Mapping[str, Any]) -> None:
    """Check the ``journeys:`` section without data: keys, sources, arrow shapes, numbers."""
    for name, j in spec.items():
        if not isinstance(j, Mapping):
            raise ValueError(f"journeys.{name}: expected a mapping with at least 'source'")
        unknown = sorted(set(j) - set(JOURNEY_KEYS))
        if unknown:
            raise _err(name, unknown[0], f"unknown key; valid keys: {', '.join(JOURNEY_KEYS)}")
        src = j.get("source")
        if src not in SOURCES:
            raise _err(name, "source", f"must be one of {', '.join(SOURCES)}, got {src!r}")
        for key in ("arrows", "trend"):
            value = j.get(key)
            if value is not None and not (isinstance(value, list) and all(
                    isinstance(a, list) and len(a) == 2 for a in value)):
                raise _err(name, key, f"must be a list of [from, to] pairs, got {value!r}")
        if j.get("segments") is not None and not isinstance(j["segments"], list):
            raise _err(name, "segments", "must be a list of segment names")
        if src == "segments" and not j.get("segments"):
            raise _err(name, "segments", "a journey over condition segments must list them")
        if j.get("trend_weeks", 52) not in (26, 52):
            raise _err(name, "trend_weeks", f"must be 26 or 52, got {j.get('trend_weeks')!r}")
        wd = j.get("window_days", 7)
        if not isinstance(wd, int) or wd < 1:
            raise _err(name, "window_days", f"must be a positive whole number of days, got {wd!r}")
        opts = j.get("options") or {}
        bad = sorted(set(opts) - set(_OPTIONS[src]))
        if bad:
            raise _err(name, f"options.{bad[0]}",
                       f"not an option of source {src!r} (options: {', '.join(_OPTIONS[src]) or 'none'})")


def _trend_pairs(segments: Sequence[str], pairs: Sequence[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """Trend flows: arrows (patterns allowed) or entries/exits naming ``_new`` / ``_outside`` literally."""
    out: list[tuple[str, str]] = []
    for a, b in pairs:
        if a in (NEW, OUTSIDE) or b == OUTSIDE:
            seg = b if a in (NEW, OUTSIDE) else a
            if seg not in segments:
                raise ValueError(f"trend flow {[a, b]!r}: {seg!r} is not a segment of the journey")
            out.append((str(a), str(b)))
        else:
            out += [p for p in expand_arrows(segments, [[a, b]]) if p not in out]
    return tuple(out)


def order_columns(spec: Mapping[str, Any], segment_definitions: Mapping[str, Any] | None = None) -> list[str]:
    """The orders columns ``build_journeys`` reads for ``spec``: the order history's, plus what the segment
    conditions read (``segments.order_columns``) when an enabled journey's source is ``segments``."""
    if any(isinstance(j, Mapping) and j.get("enabled", True) and j.get("source") == "segments" for j in spec.values()):
        return segment_columns(segment_definitions or {})
    return list(HISTORY_COLUMNS)


def build_journeys(spec: Mapping[str, Any], orders: pd.DataFrame, as_of: dt.date | str,
                   thresholds: Mapping[str, Any], *, line_items: pd.DataFrame | None = None,
                   segment_definitions: Mapping[str, Any] | None = None) -> dict[str, Journey]:
    """The enabled journeys of ``spec`` (the params ``journeys:`` section) bound to the shop's orders.

    Built-in sources share one :class:`~ltvlib.segments.OrderHistory` of the orders up to ``as_of`` (line
    items are needed by ``product_line`` journeys only); ``segments`` sources one ``Segmenter``.
    """
    validate_journeys(spec)
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    definitions = segment_definitions or {}
    history: OrderHistory | None = None
    segmenter: Segmenter | None = None
    out: dict[str, Journey] = {}
    for name, j in spec.items():
        if not j.get("enabled", True):
            continue
        src = j["source"]
        title = j.get("title") or {}
        title = dict(title) if isinstance(title, Mapping) else {"en": str(title)}
        names: dict[str, dict[str, str]] = {}
        if history is None:
            history = OrderHistory(orders, line_items, as_of=as_of)
        if src == "segments":
            if segmenter is None:  # the same history as the built-in families: prepared once
                segmenter = Segmenter(orders, line_items, definitions, thresholds, history=history)
            segs = tuple(str(s) for s in j["segments"])
            missing = [s for s in segs if s not in segmenter.names]
            if missing:
                raise _err(name, "segments", f"{missing} not defined in the params 'segments:' section")
            source: Source = SegmentsMembership(segmenter, segs)
            names = {s: {"en": segmenter.definition(s).en, "ja": segmenter.definition(s).ja} for s in segs}
        else:
            offered = family_segments(src, history)
            if not offered:  # e.g. product lines of a shop without line items or customers
                out[name] = Journey(name, title, HistoryMembership(history, src, (), thresholds, {}), (), (),
                                    thresholds=thresholds, unavailable=f"journey_say_no_segments_{src}")
                continue
            segs = tuple(str(s) for s in (j.get("segments") or offered))
            unknown = [s for s in segs if s not in offered and src != "channel"]
            if unknown:
                raise _err(name, "segments", f"{unknown} not offered by source {src!r} (offers: {', '.join(offered)})")
            source = HistoryMembership(history, src, segs, thresholds, dict(j.get("options") or {}))
        try:
            arrows = tuple(expand_arrows(segs, j.get("arrows")))
            trend = _trend_pairs(segs, j.get("trend") or [])
        except ValueError as e:
            raise _err(name, "arrows", str(e)) from None
        out[name] = Journey(name, title, source, segs, arrows, trend, int(j.get("window_days", 7)),
                            int(j.get("trend_weeks", 52)), names, thresholds)
    return out


def order_history(journeys: Mapping[str, Journey], orders: pd.DataFrame, as_of: dt.date | str,
                  line_items: pd.DataFrame | None = None) -> OrderHistory:
    """The order history the journeys already prepared (with line items when ``line_items`` is given), else
    one built from the orders up to ``as_of``."""
    for j in journeys.values():
        src = j.source
        history = getattr(src, "history", None) or getattr(getattr(src, "segmenter", None), "history", None)
        if history is not None and history.has_line_items == (line_items is not None):
            return history
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return OrderHistory(orders, line_items, as_of=as_of)


def customer_summary(journeys: Mapping[str, Journey], orders: pd.DataFrame, as_of: dt.date | str,
                     line_items: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customer summary at ``as_of`` from the order history the journeys already prepared (the same
    frame as ``customers.customer_summary``; built from the orders when no journey holds a history)."""
    return order_history(journeys, orders, as_of, line_items).snapshot(as_of).summary()
