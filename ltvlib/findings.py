"""The week's findings: the few sentences the summary page opens with, read off the pages' key figures.

Each finding is one sentence with its number and the action it suggests, linked to the page that shows
it. They come from the figures files the pages write (``report.read_figures``), in a fixed order of
importance; a finding whose page or figure is missing is left out, so a shop gets as many as its data
supports (at most ``LIMIT``). Model diagnostics (``DIAGNOSTICS``) are for analysts: the client summary
shows them only under "about the models".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ltvlib.labels import say, with_range

__all__ = ["DIAGNOSTICS", "LIMIT", "Finding", "findings"]

LIMIT = 5
DIAGNOSTICS = frozenset({"holdout_bias", "backtest_auc", "backtest_lift_top10"})  # key figures about models


@dataclass(frozen=True)
class Finding:
    """One sentence (plain text, escaped where shown) and the page it links to."""

    text: str
    page: str


Figures = Mapping[str, Mapping[str, Any]]


def _value(figures: Figures, page: str, key: str) -> Any:
    item = figures.get(page, {}).get("key_figures", {}).get(key)
    return item.get("value") if isinstance(item, dict) else None


def _at_risk(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    grid = figures.get("rfm", {}).get("grid") or {}
    n = sum(v for k, v in grid.items() if k.endswith("_at_risk"))
    total = figures.get("rfm", {}).get("customers") or 0
    if not n or not total:
        return None
    return Finding(say("finding_at_risk", lang, n=f"{n:,}", share=f"{n / total:.1%}",
                       status=with_range("at_risk", lang, th)), "rfm")


def _second_purchase(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    rate, days = _value(figures, "cohorts", "repeat_rate_365d"), _value(figures, "cohorts", "median_days_to_second")
    if rate is None or days is None:
        return None
    return Finding(say("finding_second_purchase", lang, rate=f"{rate:.1%}", days=f"{days:,.0f}"), "cohorts")


def _winback(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    target = figures.get("winback", {}).get("target_list") or {}
    if not target.get("targets"):
        return None
    return Finding(say("finding_winback", lang, targets=f"{target['targets']:,}",
                       returns=f"{target.get('expected_returns_without_offer') or 0:,.0f}"), "winback")


def _clv(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    total, mean = _value(figures, "clv", "clv_total"), _value(figures, "clv", "clv_mean")
    if total is None or mean is None:
        return None
    return Finding(say("finding_clv", lang, total=f"{total:,.0f} {currency}", mean=f"{mean:,.0f} {currency}"), "clv")


def _journey(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    flows = [v for k, v in figures.get("journey", {}).get("key_figures", {}).items()
             if k.startswith("journey_") and isinstance(v, dict) and v.get("value")]
    if not flows:
        return None
    top = max(flows, key=lambda v: v["value"])
    return Finding(say("finding_journey", lang, flow=top["text"], journey=top["label"]), "journey")


def _active_days(figures: Figures, lang: str, currency: str, th: Mapping[str, Any]) -> Finding | None:
    suggested, current = figures.get("rfm", {}).get("suggested_active_days"), th.get("active_days")
    try:
        suggested = int(float(suggested))  # older figures files hold it as text
    except (TypeError, ValueError):
        return None
    if not current or abs(suggested - current) < 0.2 * current:
        return None  # close enough to the threshold in use
    return Finding(say("finding_active_days", lang, suggested=f"{suggested:,}", current=f"{current:,}"), "rfm")


RULES: list[Callable[[Figures, str, str, Mapping[str, Any]], Finding | None]] = [
    _at_risk, _winback, _second_purchase, _journey, _clv, _active_days]  # most important first


def findings(figures: Figures, language: str, currency: str, thresholds: Mapping[str, Any]) -> list[Finding]:
    """The week's findings (at most ``LIMIT``) from a report's figures (notebook -> figures JSON), in
    ``language``, amounts in ``currency``, statuses with the day ranges of ``thresholds``."""
    out = [f for rule in RULES if (f := rule(figures, language, currency, thresholds)) is not None]
    return out[:LIMIT]
