"""The flow engine: membership at the two ends of a window, flows along arrows, movers, weekly trends.

Semantics (membership is taken at the *end* of the window's first and last day):

- **move** ``A -> B`` (an arrow): in A at ``start``, in B at ``end`` and *not* in B at ``start``
  ("moved (newly joined)"). A customer may sit in several segments: each arrow whose three
  conditions hold counts them, so with overlapping segments one customer can be on several arrows,
  and leaving A is not required (a customer who stays in A and also joins B moved A -> B).
- **stay** ``A -> A``: in A at both ends.
- **entry** ``_new -> B``: first order inside the window (not a customer at ``start``), in B at ``end``.
  **entry** ``_outside -> B``: a customer at ``start`` in none of the journey's segments, in B at ``end``.
- **exit** ``A -> _outside``: in A at ``start``, in none of the journey's segments at ``end``.
  Nobody leaves the customer base over time, but segments can be left.

Membership comes from a *source*: any callable ``as_of -> DataFrame`` (index customer_key of the
customers known at ``as_of``, one bool column per segment, as ``ltvlib.segments.membership``), or a
:class:`~ltvlib.journey.history.HistoryMembership`, whose aligned arrays make trends fast.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ltvlib.journey.history import MembershipArrays

__all__ = [
    "NEW",
    "OUTSIDE",
    "JourneyWindow",
    "default_window",
    "expand_arrows",
    "flow_trend",
    "window_flows",
]

NEW = "_new"  # source node of customers whose first order is inside the window
OUTSIDE = "_outside"  # customers in none of the journey's segments
FLOW_COLUMNS = ["source", "target", "kind", "customers"]
Source = Callable[[dt.date], pd.DataFrame]


def _date(d: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(d) if isinstance(d, str) else d


def default_window(as_of: dt.date | str, days: int = 7) -> tuple[dt.date, dt.date]:
    """The ``days`` days up to ``as_of``: membership at the end of ``as_of - days`` and of ``as_of``."""
    end = _date(as_of)
    return end - dt.timedelta(days=days), end


def expand_arrows(segments: Sequence[str], arrows: Iterable[Sequence[str]] | None) -> list[tuple[str, str]]:
    """Arrows as (source, target) pairs of segment names; ``None`` means every ordered pair.

    Names may be shell-style patterns (``first_line:*``); a pattern matching nothing is an error.
    """
    segs = list(segments)
    if arrows is None:
        return [(a, b) for a in segs for b in segs if a != b]
    out: list[tuple[str, str]] = []
    for arrow in arrows:
        if len(arrow) != 2:
            raise ValueError(f"an arrow is a pair [source, target], got {list(arrow)!r}")
        ends = []
        for pat in arrow:
            hits = [s for s in segs if fnmatch.fnmatchcase(s, str(pat))]
            if not hits:
                raise ValueError(f"arrow end {pat!r} matches no segment of the journey ({', '.join(segs)})")
            ends.append(hits)
        out += [(a, b) for a in ends[0] for b in ends[1] if a != b and (a, b) not in out]
    return out


def _memberships(source: Source, segments: Sequence[str], dates: Sequence[dt.date]
                 ) -> Iterable[tuple[pd.Index, MembershipArrays]]:
    """(index, membership arrays) per date, all aligned to one index of customer keys."""
    if hasattr(source, "arrays"):  # HistoryMembership, SegmentsMembership: already aligned to one history
        for d in dates:
            yield source.keys, source.arrays(d)
        return
    frames = [source(d) for d in dates]
    index = frames[-1].index
    for f in frames[:-1]:
        if not f.index.isin(index).all():
            index = index.union(f.index)
    for f in frames:
        missing = [s for s in segments if s not in f.columns]
        if missing:
            raise KeyError(f"membership has no column(s) {missing}; it has {list(f.columns)}")
        pos = index.get_indexer(f.index)
        known = np.zeros(len(index), dtype=bool)
        known[pos] = True
        m = np.zeros((len(index), len(segments)), dtype=bool)
        m[pos] = f[list(segments)].to_numpy(dtype=bool)
        yield index, MembershipArrays(known, m)


def _counts(s: MembershipArrays, e: MembershipArrays, segments: Sequence[str],
            arrows: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The flow table of one window from aligned membership arrays."""
    S, E = s.matrix, e.matrix
    joined = E & ~S
    k = len(segments)
    move = np.zeros((k, k), dtype=np.int64)
    for lo in range(0, len(S), 1 << 20):  # float32 is exact per chunk (< 2**24 rows)
        move += (S[lo:lo + (1 << 20)].T.astype(np.float32) @ joined[lo:lo + (1 << 20)].astype(np.float32)
                 ).astype(np.int64)
    any_start, any_end = S.any(axis=1), E.any(axis=1)
    stay = (S & E).sum(axis=0)
    new = (joined & ~s.known[:, None]).sum(axis=0)
    outside = (joined & (s.known & ~any_start)[:, None]).sum(axis=0)
    exits = (S & ~E & ~any_end[:, None]).sum(axis=0)
    pos = {name: i for i, name in enumerate(segments)}
    rows = [(a, b, "move", int(move[pos[a], pos[b]])) for a, b in arrows]
    rows += [(a, a, "stay", int(stay[i])) for i, a in enumerate(segments)]
    rows += [(NEW, b, "entry", int(new[i])) for i, b in enumerate(segments)]
    rows += [(OUTSIDE, b, "entry", int(outside[i])) for i, b in enumerate(segments)]
    rows += [(a, OUTSIDE, "exit", int(exits[i])) for i, a in enumerate(segments)]
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


@dataclass(frozen=True, eq=False)
class JourneyWindow:
    """Flows of one journey over ``[start, end]``; see the module docstring for the semantics.

    ``flows``: one row per arrow (kind ``move``), per segment (``stay``), per segment and origin
    (``entry`` from ``_new`` / ``_outside``) and per segment (``exit`` to ``_outside``); columns
    source, target, kind, customers.
    """

    start: dt.date
    end: dt.date
    segments: tuple[str, ...]
    arrows: tuple[tuple[str, str], ...]
    keys: pd.Index
    at_start: MembershipArrays
    at_end: MembershipArrays
    flows: pd.DataFrame

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def first_day(self) -> dt.date:
        """The first day counted: membership is taken at the *end* of ``start``, so changes on the days
        ``start + 1`` .. ``end`` are counted (a 7-day window ending 30 June counts 24-30 June)."""
        return self.start + dt.timedelta(days=1)

    def membership(self, when: str = "end") -> pd.DataFrame:
        """Membership at ``'start'`` or ``'end'``: index customer_key (customers known then), bool columns."""
        at = self.at_start if when == "start" else self.at_end
        return pd.DataFrame(at.matrix[at.known], index=self.keys[at.known], columns=list(self.segments))

    def segment_table(self) -> pd.DataFrame:
        """Per segment: members at start and end, joined, left, stayed, entries (new / outside), exits."""
        S, E = self.at_start.matrix, self.at_end.matrix
        f = self.flows.set_index(["source", "target"])["customers"]
        out = pd.DataFrame({
            "at_start": S.sum(axis=0), "at_end": E.sum(axis=0), "joined": (E & ~S).sum(axis=0),
            "left": (S & ~E).sum(axis=0), "stayed": (S & E).sum(axis=0),
            "entries_new": [f[(NEW, b)] for b in self.segments],
            "entries_outside": [f[(OUTSIDE, b)] for b in self.segments],
            "exits": [f[(a, OUTSIDE)] for a in self.segments],
        }, index=pd.Index(self.segments, name="segment"))
        return out.astype(np.int64)

    def moves(self) -> pd.DataFrame:
        """The ``move`` rows, largest first."""
        m = self.flows.loc[self.flows["kind"] == "move"]
        return m.sort_values("customers", ascending=False, kind="stable").reset_index(drop=True)

    def matrix(self, include_stays: bool = False) -> pd.DataFrame:
        """Moves as a source x target table (rows: segment at start; columns: segment newly joined)."""
        f = self.flows.loc[self.flows["kind"].isin(["move", "stay"] if include_stays else ["move"])]
        t = f.pivot_table(index="source", columns="target", values="customers", aggfunc="sum", fill_value=0)
        return t.reindex(index=list(self.segments), columns=list(self.segments), fill_value=0).astype(np.int64)

    def movers(self, source: str, target: str) -> pd.Index:
        """Customer keys behind one flow row (any kind); their count equals that row's ``customers``."""
        S, E, known_s = self.at_start.matrix, self.at_end.matrix, self.at_start.known
        col = {name: i for i, name in enumerate(self.segments)}
        if source == NEW:
            mask = E[:, col[target]] & ~known_s
        elif source == OUTSIDE:
            mask = E[:, col[target]] & known_s & ~S.any(axis=1)
        elif target == OUTSIDE:
            mask = S[:, col[source]] & ~E.any(axis=1)
        elif source == target:
            mask = S[:, col[source]] & E[:, col[source]]
        else:
            if (source, target) not in self.arrows:
                raise KeyError(f"{source} -> {target} is not an arrow of this journey")
            mask = S[:, col[source]] & E[:, col[target]] & ~S[:, col[target]]
        return self.keys[mask]


def window_flows(source: Source, start: dt.date | str, end: dt.date | str, segments: Sequence[str] | None = None,
                 arrows: Iterable[Sequence[str]] | None = None) -> JourneyWindow:
    """Flows of a journey between the end of day ``start`` and the end of day ``end``.

    ``segments`` default to the source's (``HistoryMembership.segments``); ``arrows`` to every pair.
    """
    start, end = _date(start), _date(end)
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    segs = tuple(segments if segments is not None else source.segments)
    arrow_list = tuple(expand_arrows(segs, arrows))
    (keys, s), (_, e) = _memberships(source, segs, [start, end])
    return JourneyWindow(start, end, segs, arrow_list, keys, s, e, _counts(s, e, segs, arrow_list))


def flow_trend(source: Source, as_of: dt.date | str, *, weeks: int = 52, segments: Sequence[str] | None = None,
               arrows: Iterable[Sequence[str]] | None = None,
               flows: Iterable[Sequence[str]] | None = None) -> pd.DataFrame:
    """Weekly flow counts for the ``weeks`` 7-day windows ending on ``as_of``, oldest first.

    Columns: week_start, week_end (dates; membership at the end of each), source, target, kind,
    customers. ``flows`` keeps only those (source, target) pairs (any kind, e.g. ``['_new', 'first_active']``).
    """
    end = _date(as_of)
    segs = tuple(segments if segments is not None else source.segments)
    arrow_list = expand_arrows(segs, arrows)
    dates = [end - dt.timedelta(days=7 * i) for i in range(weeks, -1, -1)]
    keep = {(str(a), str(b)) for a, b in flows} if flows is not None else None
    valid = set(arrow_list) | {(a, a) for a in segs} | {(x, b) for x in (NEW, OUTSIDE) for b in segs} | {
        (a, OUTSIDE) for a in segs}
    if keep is not None and not keep <= valid:
        raise ValueError(f"flows {sorted(keep - valid)} are neither arrows, stays, entries nor exits of the journey")
    parts, prev = [], None
    for d, (_, members) in zip(dates, _memberships(source, segs, dates)):
        if prev is not None:
            t = _counts(prev, members, segs, arrow_list)
            if keep is not None:
                t = t.loc[[(a, b) in keep for a, b in zip(t["source"], t["target"])]]
            parts.append(t.assign(week_start=d - dt.timedelta(days=7), week_end=d))
        prev = members
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FLOW_COLUMNS)
    return out[["week_start", "week_end", *FLOW_COLUMNS]]
