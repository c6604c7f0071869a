"""Display names of journey segments and prose that reads the flows out, in ``en`` or ``ja``."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ltvlib.journey.flows import NEW, OUTSIDE, JourneyWindow
from ltvlib.journey.history import HistoryMembership
from ltvlib.journey.spec import Journey
from ltvlib.labels import label, say
from ltvlib.rfm import GRID_CELLS, RECENCY_STATUSES, SCENARIO_STAGES
from ltvlib.text import md

__all__ = [
    "flows_html", "intro", "narrative", "profile_narrative", "profile_table", "segment_label", "trend_narrative",
    "window_label",
]


def _span(kind: str, word: str, language: str, thresholds: Mapping[str, Any]) -> str:
    """The short range a threshold-based word stands for ("121–180 days"), from the shop's thresholds.

    Uses ``ltvlib.labels.span`` (over ``rfm.threshold_ranges``) where the library has it; otherwise the day
    ranges of the recency statuses and of the scenario's stages past "active", by their position in the
    ``rfm`` constants (the same cut-offs as ``rfm.recency_status`` and ``rfm.stage_scenario``).
    """
    try:
        from ltvlib.labels import span

        return span(kind, word, language, thresholds, short=True)
    except (ImportError, KeyError):
        pass
    a, r, d = thresholds["active_days"], thresholds["at_risk_days"], thresholds["dormant_days"]
    if kind == "recency_status":
        lo, hi = dict(zip(RECENCY_STATUSES, ((0, a), (a + 1, r), (r + 1, d), (d + 1, None))))[word]
    else:  # scenario stages: the first four are active, then one stage up to dormant_days, then the rest
        pos = SCENARIO_STAGES.index(word)
        lo, hi = ((0, a), (0, a), (0, a), (0, a), (a + 1, d), (d + 1, None))[pos]
    key = "journey_range_within" if lo == 0 else "journey_range_plus" if hi is None else "journey_range"
    return label(key, language).format(lo=f"{lo:,}", hi=f"{hi:,}" if hi is not None else "")


def _ranged(name: str, kind: str, word: str, language: str, thresholds: Mapping[str, Any]) -> str:
    """``name`` followed by the day range of ``word``: "Repeat · At risk (121–180 days)"."""
    inner = _span(kind, word, language, thresholds)
    return f"{name}（{inner}）" if language == "ja" else f"{name} ({inner})"


def segment_label(name: str, language: str, journey: Journey | None = None) -> str:
    """Display name of a journey segment or node (``first_active``, ``fan:Umami``, ``pos``, ``_new``).

    Threshold-based segments (status-grid cells, scenario stages, win-back) carry their day range, computed
    from the journey's thresholds: "Repeat · At risk (121–180 days)".
    """
    if name in (NEW, OUTSIDE):
        return label(f"journey_{name}", language)
    if journey is not None and journey.segment_names.get(name):
        names = journey.segment_names[name]
        return names.get(language) or names.get("en") or name
    family = journey.source.family if journey is not None and isinstance(journey.source, HistoryMembership) else None
    kind, sep, rest = name.partition(":")
    if sep and kind in ("first_line", "fan"):
        return label(f"journey_{kind}", language).format(x=rest)
    if family == "winback" and name in ("lapsed", "returned"):
        src = journey.source
        n = int(src.options.get("dormant_days", src.thresholds["active_days"] + 1))
        return label(f"journey_{name}", language).format(n=n)
    if family == "channel":
        key = f"journey_channel_{name}"
        shown = label(key, language)
        return label("journey_channel", language).format(x=name if shown == key else shown)
    thresholds = journey.thresholds if journey is not None else {}
    if family == "status_grid" and name in GRID_CELLS and thresholds:
        status = next(r for r in RECENCY_STATUSES if name.endswith("_" + r))
        return _ranged(label(name, language), "recency_status", status, language, thresholds)
    if family == "stage_scenario" and name in SCENARIO_STAGES and thresholds:
        return _ranged(label(name, language), "scenario_stage", name, language, thresholds)
    return label(name, language)


def window_label(window: JourneyWindow, language: str) -> str:
    """The days a window counts, first to last: "06/24–06/30" (2025-06-24 to 2025-06-30 for a 7-day window)."""
    return say("journey_window_days", language, first=f"{window.first_day:%Y-%m-%d}", last=f"{window.end:%Y-%m-%d}",
               n=window.days)


def _window_phrase(window: JourneyWindow, language: str) -> str:
    return say("journey_window_phrase", language, n=window.days, first=window.first_day, last=window.end)


def narrative(journey: Journey, window: JourneyWindow, language: str, *, top: int = 3) -> str:
    """Markdown bullets: the largest moves, the largest entry of new customers and the largest exit of the
    window. Every count is a row of the flows table (``flows_html``), so prose and table agree."""
    lab = lambda s: md(segment_label(s, language, journey))  # noqa: E731
    when = _window_phrase(window, language)
    moves = window.moves()
    moves = moves.loc[moves["customers"] > 0].head(top)
    f = window.flows
    lines = []
    if moves.empty:
        lines.append(say("journey_say_no_moves", language, when=when))
    for r in moves.itertuples():
        lines.append(say("journey_say_move", language, n=f"{r.customers:,}", source=lab(r.source),
                         target=lab(r.target), when=when))
    new = f.loc[(f["source"] == NEW) & (f["customers"] > 0)].sort_values("customers", ascending=False, kind="stable")
    if len(new):
        e = new.iloc[0]
        lines.append(say("journey_say_new", language, n=f"{int(e.customers):,}", target=lab(e.target))
                     + (" " + say("journey_say_overlap", language) if _overlaps(window) else ""))
    exits = f.loc[(f["kind"] == "exit") & (f["customers"] > 0)].sort_values("customers", ascending=False,
                                                                             kind="stable")
    if len(exits):
        e = exits.iloc[0]
        lines.append(say("journey_say_exit", language, n=f"{int(e.customers):,}", source=lab(e.source)))
    return "\n".join(f"- {line}" for line in lines)


def _overlaps(window: JourneyWindow) -> bool:
    return bool((window.at_end.matrix.sum(axis=1) > 1).any())


def trend_narrative(journey: Journey, trend: pd.DataFrame, language: str) -> str:
    """Markdown bullets: each trend flow's latest 4-week average against the whole period's average."""
    lab = lambda s: md(segment_label(s, language, journey))  # noqa: E731
    lines = []
    for (src, tgt), g in trend.groupby(["source", "target"], sort=False):
        g = g.sort_values("week_end")
        recent, overall = float(g["customers"].tail(4).mean()), float(g["customers"].mean())
        weeks = len(g)
        change = (recent / overall - 1) if overall else float("nan")
        moved = abs(recent - overall) >= 1 and abs(change) > 0.1  # a change of under one customer a week is noise
        if language == "ja":
            direction = ("ほぼ横ばいです" if not moved else "増えています" if change > 0 else "減っています")
            lines.append(f"- 「{lab(src)}」→「{lab(tgt)}」: 直近4週の平均は週 **{recent:,.0f}人**、{weeks}週平均"
                         f"（{overall:,.0f}人）と比べて{direction}" + (f"（{change:+.0%}）。" if moved else "。"))
        else:
            direction = "about flat" if not moved else "up" if change > 0 else "down"
            lines.append(f"- *{lab(src)}* → *{lab(tgt)}*: **{recent:,.0f}** customers a week over the last 4 weeks, "
                         f"{direction} against the {weeks}-week average of {overall:,.0f}"
                         + (f" ({change:+.0%})." if moved else "."))
    return "\n".join(lines)


def intro(language: str, window_days: int = 7) -> str:
    """How to read the flows (Markdown), for the top of the report."""
    if language == "ja":
        return (f"各ジャーニーについて、直近{window_days}日間の期初と期末のセグメント所属を比べ、"
                "期初にセグメントAにいて、期末までに**新たに**セグメントBに入った顧客を「A→Bへの移動」として数えます。"
                "期間中に初めて購入した顧客は「新規顧客」からの流入、どのセグメントにも属さなくなった顧客は"
                "「ジャーニー外」への離脱です。顧客は複数のセグメントに同時に属することがあり、その場合は該当する"
                "すべての矢印に数えられます。人数のリンクから、その顧客リスト（CSV）を開けます。")
    return (f"For each journey we compare segment membership at the start and the end of the last {window_days} "
            "days. A customer who was in segment A at the start and **newly joined** segment B by the end moved "
            "A → B. Customers whose first order falls in the window enter from *New customers*; customers who "
            "end up in none of the journey's segments leave to *Outside the journey*. A customer can sit in "
            "several segments and then counts on every arrow that applies. Each count links to the list of "
            "customers behind it (CSV).")


def flows_html(window: JourneyWindow, journey: Journey, language: str, links: Mapping[tuple[str, str], str],
               *, top: int = 15, group: str | None = None) -> str:
    """An HTML table of the window's flows (the ``top`` moves, then entries and exits), each count
    linking to its movers' CSV (``links`` from ``export_flows``). With ``group`` (the journey's movers panel,
    ``ltvlib.journey.panel``), a click on a row lists its movers in the page."""
    f = window.flows.loc[window.flows["customers"] > 0]
    moves = f.loc[f["kind"] == "move"].sort_values("customers", ascending=False, kind="stable").head(top)
    rest = f.loc[f["kind"].isin(["entry", "exit"])].sort_values(["kind", "customers"], ascending=[True, False])
    esc = html.escape
    head = "".join(f"<th>{esc(label(k, language))}</th>" for k in (
        "journey_kind", "journey_source", "journey_target", "journey_customers", "journey_list"))
    rows = []
    for r in pd.concat([moves, rest]).itertuples():
        link = links.get((r.source, r.target))
        count = f'<a href="{esc(link)}">{r.customers:,}</a>' if link else f"{r.customers:,}"
        csv = f'<a href="{esc(link)}" download>CSV</a>' if link else ""
        clickable = f' data-flow="{esc(link)}" style="cursor:pointer"' if link and group is not None else ""
        rows.append(f"<tr{clickable}><td>{esc(label('journey_' + r.kind, language))}</td>"
                    f"<td>{esc(segment_label(r.source, language, journey))}</td>"
                    f"<td>{esc(segment_label(r.target, language, journey))}</td>"
                    f'<td style="text-align:right">{count}</td><td>{csv}</td></tr>')
    table = f'<table class="ltv-flows" data-group="{esc(group)}">' if group is not None else "<table>"
    return f"{table}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_ATTRIBUTE_LABELS = {"first_product_line": "journey_col_first_product_line", "first_channel": "journey_col_first_channel",
                     "used_discount": "journey_used_discount", "first_product": "journey_col_first_product"}


def _value_label(attribute: str, value: str, language: str) -> str:
    key = {"used_discount": f"journey_{value}", "first_channel": f"journey_channel_{value}"}.get(attribute)
    shown = label(key, language) if key else value
    return value if shown == key else shown


def profile_table(profile: pd.DataFrame, language: str) -> pd.DataFrame:
    """A display copy of ``mover_profile``: labelled attributes and values, shares as percentages."""
    index = pd.MultiIndex.from_arrays(
        [[label(_ATTRIBUTE_LABELS.get(a, a), language) for a in profile["attribute"]],
         [_value_label(a, v, language) for a, v in zip(profile["attribute"], profile["value"])]],
        names=[label("journey_attribute", language), label("journey_value", language)])
    return pd.DataFrame({
        label("journey_customers", language): [f"{n:,}" for n in profile["movers"]],
        label("journey_movers_share", language): [f"{x:.0%}" for x in profile["movers_share"]],
        label("journey_base_share", language): [f"{x:.0%}" for x in profile["base_share"]],
        label("journey_lift", language): ["–" if x != x else f"{x:.2f}" for x in profile["lift"]],
    }, index=index)


def profile_narrative(profile: pd.DataFrame, language: str, *, min_share: float = 0.2, min_lift: float = 1.2,
                      top: int = 2, min_movers: int = 20) -> str:
    """One sentence on the attributes most over-represented among movers (share >= ``min_share``,
    lift >= ``min_lift``), that nothing stands out, or that fewer than ``min_movers`` moved to tell."""
    n = int(round(profile["movers"].iloc[0] / profile["movers_share"].iloc[0])) if len(profile) else 0
    if n < min_movers:
        return say("journey_say_profile_few", language, n=f"{n:,}")
    p = profile.loc[(profile["movers_share"] >= min_share) & (profile["lift"] >= min_lift)]
    p = p.sort_values("lift", ascending=False).head(top)
    if p.empty:
        return ("移動した顧客の初回購入の属性は、移動元セグメント全体とほぼ同じです。" if language == "ja" else
                "The movers look like their origin segment as a whole: no first-order attribute stands out.")
    parts = []
    for r in p.itertuples():
        what = f"{label(_ATTRIBUTE_LABELS.get(r.attribute, r.attribute), language)}: " \
               f"{md(_value_label(r.attribute, r.value, language))}"
        parts.append(f"「{what}」が **{r.movers_share:.0%}**（移動元全体では {r.base_share:.0%}）" if language == "ja"
                     else f"*{what}* for **{r.movers_share:.0%}** of them (vs {r.base_share:.0%} of the origin "
                          "segment)")
    if language == "ja":
        return "移動した顧客の特徴: " + "、".join(parts) + "。"
    return "What the movers have in common: " + "; ".join(parts) + "."
