"""The summary page's findings: one sentence each, with its number and action, from the pages' figures."""

from __future__ import annotations

import datetime as dt
import re

from ltvlib.findings import LIMIT, findings
from ltvlib.params import load_shop_params
from ltvlib.report import _index_html

TH = load_shop_params("demo").thresholds  # active 120, at risk 121-180 days
FIGURES = {
    "rfm": {"customers": 200, "grid": {"first_at_risk": 30, "repeat_at_risk": 8, "loyal_at_risk": 2, "first_active": 160},
            "suggested_active_days": 71},
    "cohorts": {"key_figures": {"repeat_rate_365d": {"value": 0.292}, "median_days_to_second": {"value": 50.4}}},
    "winback": {"target_list": {"targets": 450, "expected_returns_without_offer": 21.4},
                "key_figures": {"backtest_auc": {"label": "AUC", "value": 0.78, "text": "0.780"}}},
    "journey": {"key_figures": {"journey_a": {"label": "A <b>", "value": 3, "text": "x → y: 3"},
                                "journey_b": {"label": "B", "value": 9, "text": "p → q: 9"}}},
    "clv": {"key_figures": {"clv_total": {"value": 1234567.0}, "clv_mean": {"value": 6172.8},
                            "holdout_bias": {"label": "Holdout bias", "value": 0.02, "text": "+2.0%"}}},
}


def test_findings_by_hand() -> None:
    got = findings(FIGURES, "en", "JPY", TH)
    assert len(got) == LIMIT == 5
    assert [f.page for f in got] == ["rfm", "winback", "cohorts", "journey", "clv"]
    assert got[0].text.startswith("40 customers (20.0%) are At risk (121–180 days)")
    assert "450 lapsed customers" in got[1].text and "about 21 of them" in got[1].text
    assert "29.2% of new customers" in got[2].text and "around day 50" in got[2].text
    assert got[3].text.startswith("B: p → q: 9")  # the largest move of the week
    assert "1,234,567 JPY in total, 6,173 JPY per customer" in got[4].text
    ja = findings(FIGURES, "ja", "JPY", TH)
    assert ja[0].text.startswith("離脱予備（121〜180日）の顧客が 40人（20.0%）")


def test_missing_pages_give_fewer_findings_and_the_threshold_one_comes_when_room() -> None:
    got = findings({"rfm": FIGURES["rfm"]}, "en", "JPY", TH)
    assert [f.page for f in got] == ["rfm", "rfm"]
    assert "within 71 days" in got[1].text and "within 120 days" in got[1].text
    assert findings({"rfm": FIGURES["rfm"]}, "en", "JPY", {**TH, "active_days": 75})[1:] == []  # close enough
    assert findings({}, "en", "JPY", TH) == []


def test_index_leads_with_findings_and_keeps_model_diagnostics_from_clients(tmp_path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("shop: s\nname: S\nstore: s.duckdb\nlanguage: en\nreport:\n  notebooks: [rfm, cohorts, journey, "
                 "clv, winback]\n", encoding="utf-8")
    params = load_shop_params(p)
    page = _index_html(params, dt.date(2026, 6, 30), "client", params.report["notebooks"], FIGURES)
    body = page[page.index("</header>"):]
    assert body.index("This week&#x27;s findings") < body.index("Reports") < body.index("Key figures")
    assert len(re.findall(r'<ol class="ltv-findings">.*?</ol>', page, re.S)[0].split("<li>")) - 1 == 5
    models = re.search(r'<details class="ltv-models">.*?</details>', page, re.S).group(0)
    assert "AUC" in models and "Holdout bias" in models and "AUC" not in page.replace(models, "")
    analyst = _index_html(params, dt.date(2026, 6, 30), "analyst", params.report["notebooks"], FIGURES)
    assert "<details" not in analyst and "AUC" in analyst
