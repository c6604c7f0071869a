"""One vocabulary: every threshold-based word means the range the shop's params define, on every page."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ltvlib import labels, rfm
from ltvlib.cli import main
from ltvlib.params import load_shop_params

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402
from pagecheck import visible_text  # noqa: E402

ODD = {"active_days": 45, "at_risk_days": 75, "dormant_days": 250, "repeat_orders": 2, "loyal_orders": 4,
       "f_score_breaks": [2, 3, 5, 10]}


def test_ranges_partition_recency_and_match_the_classifiers(thresholds: dict) -> None:
    ranges = rfm.threshold_ranges(thresholds)
    status = ranges.loc["recency_status"]
    assert status["min_days"].tolist() == [0, 121, 181, 361]
    assert status["max_days"].iloc[:3].tolist() == [120, 180, 360] and np.isnan(status["max_days"].iloc[3])
    # every recency from 0 to 800 days falls in exactly the range of the status recency_status gives it
    days = pd.Series(range(0, 800))
    got = rfm.recency_status(days, thresholds).astype(str)
    for word, r in status.iterrows():
        inside = (days >= r.min_days) & (days <= (r.max_days if r.max_days == r.max_days else np.inf))
        assert (got[inside] == word).all() and not (got[~inside] == word).any(), word
    # scenario stages: lapsing is the grid's at_risk + dormant; churned is the same range in both
    sc = ranges.loc["scenario_stage"]
    assert (sc.loc["lapsing", "min_days"], sc.loc["lapsing", "max_days"]) == (121, 360)
    assert sc.loc["churned", "min_days"] == status.loc["churned", "min_days"]
    assert ranges.loc[("lapsed", "lapsed"), "min_days"] == 121


def test_stage_scenario_uses_the_words_and_ranges_of_the_table() -> None:
    summary = pd.DataFrame({"recency_days": [10, 10, 10, 10, 60, 100, 300], "orders": [1, 2, 3, 4, 9, 1, 7]})
    got = rfm.stage_scenario(summary, ODD).astype(str).tolist()
    assert got == ["new", "first_repeat", "regular", "loyal", "lapsing", "lapsing", "churned"]
    assert set(rfm.SCENARIO_STAGES) == {w for k, w in rfm.threshold_ranges(ODD).index if k == "scenario_stage"}


def test_labels_carry_the_ranges_of_the_params() -> None:
    assert labels.with_range("dormant", "en", ODD) == "Dormant (76–250 days)"
    assert labels.with_range("dormant", "ja", ODD) == "休眠（76〜250日）"
    assert labels.with_range("lapsing", "en", ODD, kind="scenario_stage") == "Lapsing (46–250 days)"
    assert labels.with_range("lapsed", "ja", ODD, kind="lapsed") == "購入途絶（46日以上）"
    box = labels.definitions(ODD, "en")
    for text in ("Active: last order within 45 days", "At risk: 46–75 days", "Dormant: 76–250 days",
                 "Churned: 251+ days", "Loyal: 4+ orders", "Lapsing: 46–250 days"):
        assert text in box, text


@pytest.mark.slow
def test_every_page_shows_the_params_ranges(tmp_path: Path) -> None:
    """Run every page of a shop with unusual thresholds: the ranges shown are the params', never the defaults."""
    p = shapes.write_shop(shapes.shapes()["usd-dst"], tmp_path, language="en")
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["thresholds"] = ODD
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert main(["import", str(p)]) == 0
    assert main(["run", str(p), "--reports-dir", str(tmp_path / "r")]) == 0
    params = load_shop_params(p)
    folder = tmp_path / "r" / params.shop / params.as_of.isoformat()
    pages = {nb: visible_text((folder / f"{nb}.html").read_text(encoding="utf-8")) for nb in params.report["notebooks"]}
    for nb in ("rfm", "segments"):
        assert "Dormant: 76–250 days" in pages[nb] and "Lapsing: 46–250 days" in pages[nb], nb
    assert "Lapsed (46+ days)" in pages["winback"]
    assert "(46–75 days)" in pages["journey"]
    for nb, text in pages.items():
        for default in ("121–180", "181–360", "121+ days", "361+ days", "121–360"):
            assert default not in text, (nb, default)


def test_english_counts_agree_but_data_text_is_left_as_it_is() -> None:
    key = [k for k, v in labels.LABELS.items() if "{new} new customers for {spend}" in v["en"]][0]
    facts = {"cac": "100 JPY", "spend": "100 JPY", "ratios": "2.0", "paid": "paid back"}
    one = labels.say(key, "en", channel="1 customers", new="1", months="1", **facts)
    assert "(1 new customer for 100 JPY over 1 month with spend)" in one
    assert one.startswith("*1 customers*")  # a channel named so in the export is data: never rewritten
    many = labels.say(key, "en", channel="POS", new="1,000", months="12", **facts)
    assert "(1,000 new customers for 100 JPY over 12 months with spend)" in many
    assert "新規顧客 1人" in labels.say(key, "ja", channel="POS", new="1", months="1", **facts)
    assert labels._agree("{n} customers have, {n} for months", {"n": 1}) == "{n} customer has, {n} for months"


def test_numbers_never_show_a_negative_zero() -> None:
    assert labels.number_text(-0.0002, "+.1%") == "+0.0%" and labels.number_text(-0.3, ",.0f") == "0"
    assert labels.number_text(-0.002, "+.1%") == "-0.2%" and labels.number_text(-1234.5, ",.0f") == "-1,234"
    shown = labels.present(pd.DataFrame({"bias": [-0.0001, 0.25]}, index=["a", "b"]), "en", {"bias": "+.1%"})
    assert shown.iloc[:, 0].tolist() == ["+0.0%", "+25.0%"]
