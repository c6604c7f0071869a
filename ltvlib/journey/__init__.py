"""Customer journeys: who moved between segments over a window, exactly who, and weekly trends.

A journey is a named set of segments plus arrows (params ``journeys:``; every ordered pair when no
arrows are given). Because history-based segments are functions of the order history, flows can be
computed for any past window, not only from the day a board was saved.

- ``history``: built-in segment families (status grid, stage scenario, channel, product line,
  win-back) evaluated at any date on the segments engine's ``OrderHistory`` (re-exported here).
- ``flows``: the engine (semantics in its docstring): ``window_flows``, ``flow_trend``, ``JourneyWindow``.
- ``spec``: journeys from params, bound to a shop's orders (``build_journeys``).
- ``movers``: the customers behind a flow, what they have in common, CSV exports.
- ``page``: the page's results for one date and its key figures (``analyse`` -> ``JourneyReport``).
- ``text``: display names and prose; ``picker``: the analyst's movers picker (ipywidgets); ``panel``: the
  page's movers panel (click a Sankey link or a table row, see who moved).
"""

from ltvlib.journey.flows import (
    NEW,
    OUTSIDE,
    JourneyWindow,
    default_window,
    expand_arrows,
    flow_trend,
    window_flows,
)
from ltvlib.journey.history import HistoryMembership, MembershipArrays
from ltvlib.journey.movers import (
    MOVER_COLUMNS,
    export_flows,
    export_movers,
    export_name,
    flow_profile,
    mover_profile,
    movers_table,
)
from ltvlib.journey.page import JourneyReport, analyse
from ltvlib.journey.panel import movers_data, movers_panel
from ltvlib.journey.picker import flow_options, movers_picker
from ltvlib.journey.spec import (
    SOURCES,
    Journey,
    SegmentsMembership,
    build_journeys,
    customer_summary,
    order_columns,
    order_history,
    validate_journeys,
)
from ltvlib.journey.text import (
    flows_html,
    intro,
    narrative,
    profile_narrative,
    profile_table,
    segment_label,
    trend_narrative,
    window_label,
)
from ltvlib.segments import OrderHistory

__all__ = [
    "MOVER_COLUMNS",
    "NEW",
    "OUTSIDE",
    "SOURCES",
    "HistoryMembership",
    "Journey",
    "JourneyReport",
    "JourneyWindow",
    "MembershipArrays",
    "OrderHistory",
    "SegmentsMembership",
    "analyse",
    "build_journeys",
    "order_columns",
    "customer_summary",
    "default_window",
    "expand_arrows",
    "export_flows",
    "export_movers",
    "export_name",
    "flow_options",
    "flow_trend",
    "flows_html",
    "intro",
    "movers_data",
    "movers_panel",
    "movers_picker",
    "movers_table",
    "flow_profile",
    "mover_profile",
    "narrative",
    "order_history",
    "profile_narrative",
    "profile_table",
    "segment_label",
    "trend_narrative",
    "validate_journeys",
    "window_flows",
    "window_label",
]
