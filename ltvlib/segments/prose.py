"""Words and tables for the segments report, generated from the numbers in the shop's language."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ltvlib.labels import LABELS, label, present
from ltvlib.segments.evaluate import Definition
from ltvlib.text import md

__all__ = ["GROUP_ORDER", "chart_segments", "group_title", "groups", "growth_summary", "lists_table", "metrics_table",
           "narrative"]

GROUP_ORDER = ("examples", "stage_scenario", "status_grid", "new_customers", "channel_mix")


def metrics_table(metrics: pd.DataFrame, definitions: Sequence[Definition], language: str,
                  group: str | None = None) -> pd.DataFrame:
    """A display copy of ``metrics.segment_metrics``: display names, labelled columns, formatted numbers.

    ``group`` keeps only the segments of that group (``''`` = those without a group).
    """
    by_name = {d.name: d for d in definitions}
    names = [n for n in metrics.index if group is None or (by_name[n].group if n in by_name else "") == group]
    m = metrics.loc[names]
    formats = {"customers": ",.0f", "orders_per_customer": ",.2f", "median_days_between_orders": ",.0f"}
    out = present(m, language, formats)
    out.index = [by_name[n].label(language) if n in by_name else n for n in names]
    return out


def growth_summary(growth: pd.DataFrame, min_members: int = 30) -> pd.DataFrame:
    """First and last size and LTV of each segment over ``growth``'s dates; change in members (relative).

    Columns: segment, start_customers, end_customers, change (relative; null from 0), start_ltv, end_ltv.
    Segments smaller than ``min_members`` at both ends are left out (their changes are noise).
    """
    if growth.empty:
        return pd.DataFrame(columns=["segment", "start_customers", "end_customers", "change", "start_ltv", "end_ltv"])
    first, last = growth["date"].min(), growth["date"].max()
    a = growth.loc[growth["date"] == first].set_index("segment")
    b = growth.loc[growth["date"] == last].set_index("segment")
    out = pd.DataFrame({"start_customers": a["customers"], "end_customers": b["customers"],
                        "start_ltv": a["ltv"], "end_ltv": b["ltv"]})
    out["change"] = (out["end_customers"] / out["start_customers"].replace(0, np.nan)) - 1
    out = out.loc[(out["start_customers"] >= min_members) | (out["end_customers"] >= min_members)]
    return out.reset_index()[["segment", "start_customers", "end_customers", "change", "start_ltv", "end_ltv"]]


def narrative(metrics: pd.DataFrame, definitions: Sequence[Definition], growth: pd.DataFrame, customers: int,
              total_ltv: float, language: str, currency: str = "") -> str:
    """Markdown bullets reading the segments' numbers: sizes, the highest-LTV segment, growth, channel mix."""
    ja = language == "ja"
    by_name = {d.name: d for d in definitions}

    def name(n: str) -> str:  # labels come from params: Markdown-escaped
        return md(by_name[n].label(language) if n in by_name else n)

    if customers == 0:
        return "この基準日までに購入した顧客はいません。" if ja else "No customers with orders up to this date."
    lines = [f"- 顧客 **{customers:,}人** を **{len(metrics)}個** の条件セグメントで集計しました"
             f"（全体の平均LTV {total_ltv:,.0f} {currency}）。" if ja else
             f"- **{customers:,} customers** counted in **{len(metrics)} condition segments** "
             f"(average LTV {total_ltv:,.0f} {currency} overall)."]
    marketing = metrics.loc[[n for n in metrics.index if by_name.get(n) and by_name[n].group not in
                             ("status_grid", "stage_scenario")]]
    sizable = marketing.loc[marketing["share"] >= 0.01]
    if len(sizable) and total_ltv:
        top = sizable["ltv"].idxmax()
        ratio = sizable.loc[top, "ltv"] / total_ltv
        lines.append(
            f"- 平均LTVが最も高いのは「{name(top)}」（{int(sizable.loc[top, 'customers']):,}人、"
            f"{sizable.loc[top, 'ltv']:,.0f} {currency}、全体の **{ratio:.1f}倍**、売上の {sizable.loc[top, 'revenue_share']:.1%}）。"
            if ja else
            f"- The highest average LTV is in *{name(top)}* ({int(sizable.loc[top, 'customers']):,} customers, "
            f"{sizable.loc[top, 'ltv']:,.0f} {currency}, **{ratio:.1f}x** the overall average, "
            f"{sizable.loc[top, 'revenue_share']:.1%} of revenue).")
    g = growth_summary(growth)
    g = g.loc[g["change"].notna() & g["segment"].isin(marketing.index)]
    weeks = (growth["date"].max() - growth["date"].min()).days // 7 if len(growth) else 0
    if len(g) and g["change"].max() > 0:
        up = g.loc[g["change"].idxmax()]
        lines.append(f"- 過去{weeks}週で最も伸びたのは「{name(up.segment)}」（{int(up.start_customers):,}人 → "
                     f"{int(up.end_customers):,}人、{up.change:+.0%}）。" if ja else
                     f"- Over the last {weeks} weeks *{name(up.segment)}* grew most ({int(up.start_customers):,} → "
                     f"{int(up.end_customers):,}, {up.change:+.0%}).")
    if len(g) and g["change"].min() < 0:
        down = g.loc[g["change"].idxmin()]
        lines.append(f"- 最も減ったのは「{name(down.segment)}」（{int(down.start_customers):,}人 → "
                     f"{int(down.end_customers):,}人、{down.change:+.0%}）。" if ja else
                     f"- *{name(down.segment)}* shrank most ({int(down.start_customers):,} → "
                     f"{int(down.end_customers):,}, {down.change:+.0%}).")
    if {"omnichannel", "online_only"} <= set(metrics.index):
        omni, online = metrics.loc["omnichannel"], metrics.loc["online_only"]
        if omni["customers"] and online["customers"] and online["ltv"]:
            r = omni["ltv"] / online["ltv"]
            lines.append(f"- オンラインと店舗の両方で買う顧客（{int(omni['customers']):,}人）の平均LTVは、オンラインのみの顧客の "
                         f"**{r:.1f}倍** です。" if ja else
                         f"- Customers who buy both online and in stores ({int(omni['customers']):,}) have **{r:.1f}x** "
                         "the average LTV of online-only customers.")
    empty = [name(n) for n in metrics.index if metrics.loc[n, "customers"] == 0]
    if empty:
        shown = "、".join(empty[:6]) if ja else ", ".join(empty[:6])
        more = (f" ほか{len(empty) - 6}個" if ja else f" and {len(empty) - 6} more") if len(empty) > 6 else ""
        lines.append(f"- 該当者のいないセグメント: {shown}{more}（条件やしきい値がこのショップに合っているか確認してください）。"
                     if ja else f"- Segments with no members: {shown}{more} (check that their conditions fit this shop).")
    return "\n".join(lines)


def group_title(group: str, language: str) -> str:
    """Display title of a segment group (a group the labels do not know is shown by its own name)."""
    key = f"seg_group_{group or 'other'}"
    text = label(key, language)
    return group if text == key else text


def groups(definitions: Sequence[Definition]) -> list[str]:
    """The groups of a library in report order: the known ones first, then others as they appear."""
    present_groups = list(dict.fromkeys(d.group for d in definitions))
    return [g for g in GROUP_ORDER if g in present_groups] + [g for g in present_groups if g not in GROUP_ORDER]


def lists_table(catalog: pd.DataFrame, language: str) -> pd.DataFrame:
    """A display copy of ``lists.catalog``: name, as_of, members, control group, how, description."""
    out = pd.DataFrame({
        label("seg_list_name", language): catalog["name"],
        label("as_of", language): catalog["as_of"].astype(str),
        label("seg_members", language): catalog["members"].map("{:,}".format),
        label("seg_control_members", language): catalog["control_members"].map("{:,}".format),
        label("seg_how", language): catalog["how"].map(lambda h: label(f"seg_how_{h}", language)
                                                       if f"seg_how_{h}" in LABELS else h),
        label("seg_description", language): catalog["description"],
    })
    return out.set_index(label("seg_list_name", language))


def chart_segments(definitions: Sequence[Definition], growth: pd.DataFrame, group: str, language: str
                   ) -> dict[str, str]:
    """Segment name -> display name of a group's segments that had members at some date of ``growth``."""
    seen = set(growth.loc[growth["customers"] > 0, "segment"])
    return {d.name: d.label(language) for d in definitions if d.group == group and d.name in seen}
