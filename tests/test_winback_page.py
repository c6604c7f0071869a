"""The win-back page on awkward shops: every section either shows its content or says in one sentence, in
the shop's language, what is missing; key figures are JSON without NaN / inf; nothing raises."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import make_orders
from pagecheck import BAD_WORDS

from ltvlib import winback

D0 = dt.date(2024, 1, 1)
THRESHOLDS = {"active_days": 120, "at_risk_days": 180, "dormant_days": 360}


def day(n: int) -> str:
    return f"{D0 + dt.timedelta(days=n)} 12:00"


def page(orders: pd.DataFrame, as_of_day: int, language: str = "en", audience: str = "client",
         **winback_params) -> winback.WinbackPage:
    return winback.compute_page(orders, None, D0 + dt.timedelta(days=as_of_day), shop="s", secret=b"k" * 32, name="S",
                                language=language, currency="JPY", winback=winback_params, thresholds=THRESHOLDS,
                                audience=audience)


def _clean(p: winback.WinbackPage) -> dict:
    """Render every text of the page; check no missing-value word shows and the figures are strict JSON."""
    texts = [p.title, p.definition(), p.summary()] + [p.heading(s) + " " + p.missing(s) for s in winback.SECTIONS]
    for t in texts:
        assert not BAD_WORDS.search(t), t
    figures = json.loads(json.dumps(p.figures(), allow_nan=False))
    return figures


CANCELLED = {"cancelled_at": pd.Timestamp("2024-01-02 10:00", tz="Asia/Tokyo")}
SHOPS = {
    "no-orders": (make_orders([("o1", "a", day(50), 100.0)]), 10),
    "all-guests": (make_orders([(f"o{i}", None, day(i * 9), 100.0) for i in range(5)]), 300),
    "all-cancelled": (make_orders([(f"o{i}", f"c{i}", day(i), 100.0, CANCELLED) for i in range(3)]), 300),
    "one-day": (make_orders([(f"o{i}", f"c{i % 3}", day(0), 100.0) for i in range(6)]), 0),
    "short": (make_orders([(f"o{i}", f"c{i}", day(i), 100.0) for i in range(20)]), 60),
    "one-customer": (make_orders([("o1", "a", day(0), 100.0), ("o2", "a", day(40), 50.0)]), 360),
    "not-followed": (make_orders([(f"o{i}", f"c{i}", day(i), 100.0) for i in range(20)]), 200),
    "no-returns": (make_orders([(f"o{i}", f"c{i}", day(i), 100.0) for i in range(20)]), 500),
    "none-lapsed-now": (make_orders([("o1", "a", day(0), 100.0), ("o2", "a", day(200), 100.0),
                                     ("o3", "b", day(240), 100.0)]), 250),
    "all-returned": (make_orders([(f"o{i}", f"c{i}", day(i), 100.0) for i in range(5)]
                                 + [(f"r{i}", f"c{i}", day(i + 130), 100.0) for i in range(5)]), 430),
}
EXPECTED = {  # section -> the sentence key that must replace it
    "no-orders": {s: "There is no order on or before" for s in winback.SECTIONS},
    "all-guests": {s: "5 without a customer e-mail or id" for s in winback.SECTIONS},
    "all-cancelled": {s: "3 cancelled" for s in winback.SECTIONS},
    "one-day": {"base": "only 0 days before", "timing": "No customer has gone 121 days without an order",
                "targets": "no customer is Lapsed (121+ days)"},
    "short": {"base": "only 60 days before", "profile": "No customer has gone 121 days without an order"},
    "one-customer": {"timing": "No customer has come back", "profile": "No customer has come back",
                     "backtest": "cannot be checked yet", "targets": "score could not be trained"},
    "not-followed": {"profile": "followed for the full 180 days", "timing": "No customer has come back"},
    "no-returns": {"profile": "this needs returners in the history"},
    "none-lapsed-now": {"base": "all 2 customers have ordered within the last 120 days", "summary": "No customer is",
                        "timing": "", "targets": "no customer is Lapsed (121+ days) on 2024-09-07"},
    "all-returned": {"profile": "Every one of the 5 customers", "timing": ""},
}


@pytest.mark.parametrize("shape", list(SHOPS))
def test_each_section_shows_or_says_why(shape: str) -> None:
    orders, as_of_day = SHOPS[shape]
    p = page(orders, as_of_day)
    figures = _clean(p)
    for section, words in EXPECTED[shape].items():
        if words:
            assert words in p.missing(section), (section, p.missing(section))
        else:
            assert p.missing(section) == ""
    for section in winback.SECTIONS:
        why = p.missing(section)
        assert why.count(". ") == 0 and (why == "" or why.endswith(".")), why  # one sentence
    assert set(figures["missing"]) == {s for s in winback.SECTIONS if p.missing(s)}
    ja = page(orders, as_of_day, "ja")
    _clean(ja)
    for section in winback.SECTIONS:
        assert bool(ja.missing(section)) == bool(p.missing(section))
        assert ja.missing(section).count("。") == (1 if ja.missing(section) else 0)  # one sentence
        assert not any("a" <= ch <= "z" for ch in ja.missing(section).replace("e-mail", "").replace("ID", "")
                       .replace("winback.min_score", "")), ja.missing(section)


def test_sections_with_content_render_without_missing_values() -> None:
    orders, as_of_day = SHOPS["all-returned"]
    p = page(orders, as_of_day)
    assert p.missing("base") == "" and p.n_lapsed == 5 and not p.scored
    table = p.base_table()
    assert "Lapsed (121+ days)" in table.index.name and "Mean return probability" not in table.columns  # no score
    assert not BAD_WORDS.search(table.to_string() + p.profile_by_orders().to_string())
    from ltvlib.plots import winback as wb_plots

    ax = wb_plots.lapsed_base_chart(p.lapsed, "en", p.days, scored=p.scored)
    assert "Lapsed (121+ days)" in ax.get_xlabel()
    with pytest.raises(ValueError):
        wb_plots.lift_chart(p.notable(), "en", p.days)  # nothing notable: the page says so instead of a blank chart


def test_freeze_hint_for_analysts_only() -> None:
    orders, as_of_day = SHOPS["one-customer"]
    assert page(orders, as_of_day, audience="analyst").freeze_hint() == ""  # no list, nothing to freeze
    with pytest.raises(ValueError, match="no target list"):
        winback.freeze_list(page(orders, as_of_day), "unused.duckdb", "Asia/Tokyo")


def test_lapsed_days_follow_the_active_threshold() -> None:
    orders, as_of_day = SHOPS["no-returns"]
    p = winback.compute_page(orders, None, D0 + dt.timedelta(days=as_of_day), shop="s", secret=b"k" * 32, name="S", language="en",
                             currency="JPY", winback={}, thresholds={**THRESHOLDS, "active_days": 90})
    assert p.days == 91 and p.title == "Win-back: Lapsed (91+ days) customers who come back"
    assert "Lapsed (91+ days)" in p.definition() and "Dormant* (181–360 days)" in p.definition()
