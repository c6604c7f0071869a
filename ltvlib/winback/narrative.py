"""Readable text for the win-back report: attribute values in words, display tables, and the prose
(findings and recommendations) generated from the numbers, in English or Japanese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.labels import LABELS, label, say, value_name
from ltvlib.text import md

__all__ = ["attribute_text", "driver_text", "notable_attributes", "narrative", "present_profile", "value_text"]

_UNITS = {"orders_band": "wb_unit_orders", "interval_band": "wb_unit_days", "tenure_band": "wb_unit_days",
          "prior_band": "wb_unit_times"}


def value_text(attribute: str, value: str, language: str) -> str:
    """An attribute value in words (``3-4`` orders -> '3-4 orders' / '3〜4回')."""
    value = str(value)
    if f"wb_value_{attribute}_{value}" in LABELS:  # e.g. '1 order' (singular)
        return label(f"wb_value_{attribute}_{value}", language)
    if f"wb_value_{value}" in LABELS:
        return label(f"wb_value_{value}", language)
    if attribute == "start_month":
        return f"{value}月" if language == "ja" else label("wb_unit_month", language) + value
    if attribute in _UNITS:
        shown = value.replace("-", "〜") if language == "ja" else value
        return shown + label(_UNITS[attribute], language)
    return value_name(attribute, value, language)  # channel codes by their display names


def attribute_text(attribute: str, value: str, language: str, days: int) -> str:
    """'First product line: Umami' / '初回購入の商品ライン：Umami' (``days``: the lapsed threshold, which
    names like 'Month of becoming Lapsed (121+ days)' show)."""
    sep = "：" if language == "ja" else ": "
    return say(f"wb_attr_{attribute}", language, days=days) + sep + value_text(attribute, value, language)


def driver_text(driver: Any, language: str, days: int) -> str:
    """A score driver (``attribute=value``) in words; '' for none."""
    if not isinstance(driver, str):
        return ""
    attribute, _, value = driver.partition("=")
    return attribute_text(attribute, value, language, days)


def notable_attributes(profile: pd.DataFrame, *, adjusted: bool = True, min_episodes: int = 100,
                       top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The attribute values with the clearest lift up and down: significant, at least ``min_episodes``,
    one value per attribute; by ``adjusted_lift`` (same number of orders compared) unless ``adjusted`` is False."""
    col, sig = ("adjusted_lift", "adjusted_significant") if adjusted else ("lift", "significant")
    p = profile.loc[profile[sig] & (profile["episodes"] >= min_episodes)]
    up = p.loc[p[col] > 1].sort_values(col, ascending=False).drop_duplicates("attribute").head(top)
    down = p.loc[p[col] < 1].sort_values(col).drop_duplicates("attribute").head(top)
    return up, down


def _pct(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:.1%}"


def _ratio(v: float, lo: float, hi: float) -> str:
    if not np.isfinite(v):
        return "–"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{v:.2f}x"
    return f"{v:.2f}x ({lo:.2f}–{hi:.2f})"


def present_profile(profile: pd.DataFrame, language: str, days: int) -> pd.DataFrame:
    """A display copy of ``returners_profile`` rows: attribute in words, rates, lift and adjusted lift
    (text; '–' where a figure is undefined, e.g. a lift against a group with no returns)."""
    rate_ci = [("–" if not (np.isfinite(a) and np.isfinite(b)) else f"{a:.1%}–{b:.1%}")
               for a, b in zip(profile["rate_low"], profile["rate_high"])]
    out = pd.DataFrame({
        label("wb_attribute", language): [attribute_text(a, v, language, days)
                                          for a, v in zip(profile["attribute"], profile["value"])],
        say("wb_episodes", language, days=days): profile["episodes"].map("{:,}".format),
        label("wb_returned", language): profile["returned"].map("{:,}".format),
        label("wb_return_rate", language): profile["return_rate"].map(_pct),
        label("wb_rate_ci", language): rate_ci,
        label("wb_lift", language): [_ratio(*t) for t in zip(profile["lift"], profile["lift_low"],
                                                             profile["lift_high"])],
        label("wb_adjusted_lift", language): [_ratio(*t) for t in zip(profile["adjusted_lift"], profile["adjusted_low"],
                                                                      profile["adjusted_high"])],
    })
    return out.set_index(label("wb_attribute", language))


def _median_return_day(timing: pd.DataFrame, horizon_days: int) -> int | None:
    t = timing.loc[timing["days"] <= horizon_days]
    if t.empty or t["share_returned"].iloc[-1] <= 0:
        return None
    return int(t.loc[t["share_returned"] >= t["share_returned"].iloc[-1] / 2, "days"].iloc[0])


def _times(v: float) -> str:
    return f"{v:.1f}"


def narrative(
    *,
    n_customers: int,
    lapsed: pd.DataFrame,
    scores: pd.DataFrame,
    timing: pd.DataFrame,
    profile: pd.DataFrame,
    metrics: Mapping[str, Any] | None,
    targets: pd.DataFrame,
    groups: pd.Series,
    lapsed_days: int,
    horizon_days: int,
    currency: str,
    language: str,
    audience: str | None = None,
) -> str:
    """Markdown findings and recommendations that read the numbers of the win-back report ('' if nothing
    can be said: the page then shows why, section by section).

    ``lapsed`` is ``lapsed_summary``, ``scores`` ``score_lapsed``, ``metrics`` the backtest's (None when
    no model could be trusted), ``targets`` the selected list and ``groups`` its 'target'/'control' split;
    ``audience`` 'client' words it without params keys.
    The forecast counts the target group only, and is what is expected *without* an offer: the offer's
    effect is what the control group will measure.
    """
    lang, days = language, lapsed_days
    n_lapsed = int(lapsed["customers"].sum())
    lines: list[str] = []
    if n_lapsed:
        lines.append(say("wb_say_base", lang, days=days, lapsed=f"{n_lapsed:,}", customers=f"{n_customers:,}",
                         share=f"{n_lapsed / max(n_customers, 1):.0%}",
                         revenue=f"{float(lapsed['net_revenue'].sum()):,.0f} {currency}",
                         recent=f"{int(lapsed['customers'].iloc[:2].sum()):,}"))  # lapsed for under 180 days
    at = timing.loc[timing["days"] == horizon_days, "share_returned"]
    half_day = _median_return_day(timing, horizon_days)
    if len(at) and float(at.iloc[0]) > 0:
        key = "wb_say_timing_half" if half_day else "wb_say_timing"
        lines.append(say(key, lang, days=days, rate=f"{float(at.iloc[0]):.1%}", horizon=horizon_days, half=half_day))
    up, down = notable_attributes(profile, top=3)
    ob = profile.loc[(profile["attribute"] == "orders_band") & profile["significant"] & (profile["lift"] > 1)]
    orders_up = ob.sort_values("lift", ascending=False).head(2)
    if len(orders_up):
        lines.append(say("wb_say_orders", lang, items=("; " if lang == "en" else "、").join(
            say("wb_say_orders_item", lang, value=md(value_text(r.attribute, r.value, lang)), lift=_times(r.lift),
                rate=f"{r.return_rate:.0%}") for r in orders_up.itertuples())))
    for key, rows in (("wb_say_up", up), ("wb_say_down", down)):
        if len(rows):
            lines.append(say(key, lang, items=("; " if lang == "en" else "、").join(
                say("wb_say_lift_item", lang, attribute=md(attribute_text(r.attribute, r.value, lang, days)),
                    lift=_times(r.adjusted_lift)) for r in rows.itertuples())))

    rec: list[str] = []
    if metrics is not None:
        base, mean_p = metrics["base_rate"], metrics["mean_predicted"]
        text = say("wb_say_backtest", lang, days=days, cutoff=metrics["cutoff"], auc=f"{metrics['auc']:.2f}",
                   rate10=f"{metrics['rate_top10']:.0%}", base=f"{base:.0%}", lift10=_times(metrics["lift_top10"]),
                   lift20=_times(metrics["lift_top20"]))
        if abs(mean_p - base) > 0.15 * base:
            text += " " + say("wb_say_backtest_off", lang, predicted=f"{mean_p:.0%}", base=f"{base:.0%}")
        lines.append(text)
        if len(targets):
            to_contact = targets.loc[groups.reindex(targets.index).to_numpy() == "target"]
            n_control = int((groups == "control").sum())
            quality = say("wb_say_good" if metrics["lift_top10"] >= 1.5 else "wb_say_modest", lang)
            rec.append(quality + " " + say(
                "wb_say_forecast", lang, targets=f"{len(to_contact):,}", horizon=horizon_days,
                returns=f"{float(to_contact['p_return'].sum()):,.0f}",
                value=f"{float(to_contact['expected_return_value'].sum()):,.0f} {currency}"))
            rec.append(say("wb_say_control", lang, control=f"{n_control:,}", horizon=horizon_days) if n_control
                       else say("wb_say_no_control", lang, audience=audience))
        low = scores["p_return"] < base / 2
        if len(scores) and low.any():
            rec.append(say("wb_say_low", lang, days=days, low=f"{int(low.sum()):,}", share=f"{low.mean():.0%}",
                           half=f"{base / 2:.0%}"))
        if half_day and len(targets):
            rec.append(say("wb_say_half", lang, days=days, half=half_day))
    out = "\n".join(f"- {t}" for t in lines)
    if rec:
        out += "\n\n**" + label("wb_recommendations", lang) + "**\n\n" + "\n".join(f"- {t}" for t in rec)
    return out
