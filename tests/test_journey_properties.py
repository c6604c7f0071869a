"""Property tests of journey flows on random small order sets.

- Built-in segments at any date agree with a from-scratch reference (``rfm`` on the customer
  summary for the status grid and stage scenario, plain loops for the others).
- Every mover of ``A -> B`` is in A at start, in B at end and not in B at start; every flow's count
  equals its movers list, and the movers are exactly the customers satisfying the definition.
- The generic source path (``as_of -> DataFrame``) gives the same flows as the fast path.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from conftest import make_line_items, make_orders
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ltvlib.customers import customer_orders, customer_summary
from ltvlib.journey import NEW, OUTSIDE, HistoryMembership, OrderHistory, window_flows
from ltvlib.journey.history import family_segments
from ltvlib.rfm import GRID_CELLS, SCENARIO_STAGES, stage_scenario, status_grid

AS_OF = dt.date(2026, 6, 30)
TH = {"active_days": 120, "at_risk_days": 180, "dormant_days": 360, "repeat_orders": 2, "loyal_orders": 5,
      "f_score_breaks": [2, 3, 5, 10]}
LINES = ["Herbal", "Umami", "Sweets"]

order_rows = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 520), st.integers(0, 23), st.sampled_from(["online_store", "pos"]),
              st.lists(st.sampled_from(LINES), min_size=1, max_size=2), st.booleans()),
    min_size=1, max_size=30,
)
windows = st.tuples(st.integers(0, 60), st.integers(0, 45))


def _data(rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders, items = [], []
    for i, (c, back, hour, channel, lines, cancelled) in enumerate(rows):
        day = AS_OF - dt.timedelta(days=back)
        extra = {"channel": channel}
        if cancelled and i % 3 == 0:
            extra["cancelled_at"] = pd.Timestamp(day, tz="Asia/Tokyo")
        orders.append((str(i), f"c{c}", f"{day:%Y-%m-%d} {hour:02d}:30", 1000.0 + i, extra))
        items += [(str(i), n + 1, f"{line} item", line, 1, 500.0) for n, line in enumerate(lines)]
    return make_orders(orders), make_line_items(items)


def _reference(family: str, orders: pd.DataFrame, items: pd.DataFrame, d: dt.date) -> pd.DataFrame:
    """Membership at ``d`` computed from scratch, one row per customer known at ``d``."""
    if customer_orders(orders, d).empty:  # customer_summary needs at least one order
        return pd.DataFrame(index=pd.Index([], dtype=object, name="customer_key"))
    s = customer_summary(orders, d, items)
    if family == "status_grid":
        return pd.get_dummies(status_grid(s, TH)["cell"]).reindex(columns=GRID_CELLS).astype(bool)
    if family == "stage_scenario":
        return pd.get_dummies(stage_scenario(s, TH)).reindex(columns=SCENARIO_STAGES).astype(bool)
    o = customer_orders(orders, d)
    o = o.assign(back=(pd.Timestamp(d) - o["ordered_at"].dt.tz_localize(None).dt.normalize()).dt.days)
    out = pd.DataFrame(index=s.index)
    if family == "channel":
        for ch in ("online_store", "pos"):
            recent = o.loc[(o["channel"] == ch) & (o["back"] <= TH["active_days"]), "customer_key"]
            out[ch] = out.index.isin(recent)
    elif family == "product_line":
        per = items.merge(o[["order_id", "customer_key"]], on="order_id").drop_duplicates(["order_id", "product_line"])
        counts = per.groupby(["customer_key", "product_line"]).size()
        for line in sorted(LINES):
            out[f"first_line:{line}"] = s["first_product_line"] == line
        for line in sorted(LINES):
            out[f"fan:{line}"] = [counts.get((k, line), 0) >= 2 for k in out.index]
    else:  # winback: lapsed = 121+ days since the last order; returned = within 120 days of a post-lapse order
        lapsed, returned = [], []
        for _, g in o.groupby("customer_key"):
            backs = sorted(set(g["back"]), reverse=True)  # oldest purchase day first
            lapsed.append(backs[-1] >= 121)
            returned.append(any(prev - b > 121 and b <= 120 for prev, b in zip(backs, backs[1:])))
        out = pd.DataFrame({"lapsed": lapsed, "returned": returned}, index=sorted(set(o["customer_key"])))
        out = out.reindex(s.index)
    return out


FAMILIES = ["status_grid", "stage_scenario", "channel", "product_line", "winback"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=order_rows, win=windows, family=st.sampled_from(FAMILIES))
@example(rows=[(0, 0, 0, "online_store", ["Herbal"], True)], win=(0, 0), family="product_line")  # nothing visible
def test_membership_matches_reference(rows, win, family) -> None:
    orders, items = _data(rows)
    h = OrderHistory(orders, items, as_of=AS_OF)
    segs = family_segments(family, h) if family != "channel" else ["online_store", "pos"]
    src = HistoryMembership(h, family, tuple(segs), TH, {})
    for d in (AS_OF - dt.timedelta(days=win[0] + win[1]), AS_OF - dt.timedelta(days=win[0])):
        got = src(d).sort_index()
        want = _reference(family, orders, items, d).reindex(columns=segs).fillna(False).astype(bool).sort_index()
        want.index.name = "customer_key"
        pd.testing.assert_frame_equal(got, want, check_names=False, check_column_type=False, check_index_type=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=order_rows, win=windows, family=st.sampled_from(FAMILIES))
def test_movers_satisfy_the_definition(rows, win, family) -> None:
    orders, items = _data(rows)
    h = OrderHistory(orders, items, as_of=AS_OF)
    segs = tuple(family_segments(family, h)) if family != "channel" else ("online_store", "pos")
    src = HistoryMembership(h, family, segs, TH, {})
    end = AS_OF - dt.timedelta(days=win[0])
    start = end - dt.timedelta(days=win[1])
    w = window_flows(src, start, end)
    ms, me = src(start), src(end)
    keys = me.index
    S = ms.reindex(keys, fill_value=False).to_numpy()
    E = me.to_numpy()
    known = keys.isin(ms.index)
    col = {s: i for i, s in enumerate(segs)}
    for row in w.flows.itertuples():
        movers = w.movers(row.source, row.target)
        assert len(movers) == row.customers
        if row.kind == "move":
            a, b = col[row.source], col[row.target]
            assert S[keys.get_indexer(movers), a].all() and E[keys.get_indexer(movers), b].all()
            assert not S[keys.get_indexer(movers), b].any()
            want = S[:, a] & E[:, b] & ~S[:, b]
        elif row.kind == "entry" and row.source == NEW:
            want = E[:, col[row.target]] & ~known
        elif row.kind == "entry":
            want = E[:, col[row.target]] & known & ~S.any(axis=1)
        elif row.kind == "exit":
            assert row.target == OUTSIDE
            want = S[:, col[row.source]] & ~E.any(axis=1)
        else:
            want = S[:, col[row.source]] & E[:, col[row.source]]
        assert set(movers) == set(keys[want])
    # the generic path (any as_of -> DataFrame function) counts the same flows
    generic = window_flows(lambda d: src(d), start, end, segments=segs)
    pd.testing.assert_frame_equal(generic.flows, w.flows)
    t = w.segment_table()
    assert (t["at_end"] == t["at_start"] + t["joined"] - t["left"]).all()
    assert np.all(t["entries_new"] + t["entries_outside"] <= t["joined"])
