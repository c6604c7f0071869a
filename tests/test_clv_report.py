"""CLV report: penalized fits on compressed rows, the model choice, what P(alive) the page shows, and a
complete page (one sentence per missing section, no NaN) for every awkward shop shape."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltvlib import clv, rfm
from ltvlib.customers import customer_summary
from ltvlib.io.cdnow import read_cdnow

sys.path.insert(0, str(Path(__file__).parent))
from pagecheck import BAD_WORDS, page_problems  # noqa: E402
from shapes import shapes, write_shop  # noqa: E402

CAL_END = "1997-09-30"
OBS_END = "1998-06-30"
THRESHOLDS = {"active_days": 120, "at_risk_days": 180, "dormant_days": 360, "repeat_orders": 2, "loyal_orders": 5,
              "f_score_breaks": [2, 3, 5, 10]}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return read_cdnow("sample").orders


@pytest.fixture(scope="module")
def cal_summary(cdnow: pd.DataFrame) -> pd.DataFrame:
    return customer_summary(cdnow, CAL_END)


@pytest.fixture(scope="module")
def obs_summary(cdnow: pd.DataFrame) -> pd.DataFrame:
    return customer_summary(cdnow, OBS_END)


# -- penalizer and compression ----------------------------------------------------------------------

@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_penalized_compressed_fit_equals_uncompressed(cal_summary: pd.DataFrame, model: str) -> None:
    """With a penalizer, the fit on unique (frequency, recency, T) rows with weights equals the fit on one row per
    customer, ours and plain lifetimes', for the transaction model and Gamma-Gamma."""
    pen = 0.01
    a = clv.CLVModel(model=model, penalizer=pen).fit(cal_summary)
    b = clv.CLVModel(model=model, penalizer=pen, compressed=False).fit(cal_summary)
    assert a.n_rows_ < b.n_rows_ == len(cal_summary)
    np.testing.assert_allclose(a.params_.to_numpy(), b.params_.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.spend_params_.to_numpy(), b.spend_params_.to_numpy(), rtol=1e-6)
    lt = clv.import_lifetimes()
    f, r, T = cal_summary["frequency"], cal_summary["recency"] / 7.0, cal_summary["T"] / 7.0
    kw = {"initial_params": np.ones(4), "tol": 1e-7} if model == "pareto_nbd" else {}
    with clv._contained():
        ref = getattr(lt, clv.MODELS[model])(penalizer_coef=pen).fit(f, r, T, **kw)
    np.testing.assert_allclose(a.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)
    # Gamma-Gamma on every repeat buyer (spend in units of its mean, as ltvlib fits it)
    rep = cal_summary.loc[(cal_summary["frequency"] > 0) & (cal_summary["monetary_value"] > 0)]
    unit = float(rep["monetary_value"].mean())
    with clv._contained():
        gg = lt.GammaGammaFitter(penalizer_coef=pen).fit(rep["frequency"], rep["monetary_value"] / unit)
    np.testing.assert_allclose(a.spend_params_.to_numpy(), gg.params_.to_numpy() * [1, 1, unit], rtol=1e-6)


def test_pareto_penalizer_needs_scaling(cal_summary: pd.DataFrame) -> None:
    """lifetimes' Pareto/NBD divides by the mean weight: passing the penalizer unscaled to a compressed fit gives
    a different answer (what the scaling in ltvlib.clv prevents)."""
    lt = clv.import_lifetimes()
    rows, _ = clv.compress(cal_summary)
    with clv._contained():
        naive = lt.ParetoNBDFitter(penalizer_coef=0.1).fit(
            rows["frequency"], rows["recency"] / 7.0, rows["T"] / 7.0, weights=rows["weights"],
            initial_params=np.ones(4), tol=1e-7)
    ours = clv.CLVModel(model="pareto_nbd", penalizer=0.1, spend_model="aov").fit(cal_summary)
    assert np.max(np.abs(naive.params_.to_numpy() / ours.params_.to_numpy() - 1)) > 1e-3


# -- model choice and P(alive) -------------------------------------------------------------------------

def test_model_choice_by_holdout(cdnow: pd.DataFrame) -> None:
    auto = clv.choose_model(cdnow, OBS_END, {}, calibration_end=CAL_END)
    assert set(auto.validations) == set(clv.AUTO_CANDIDATES) and auto.reason == "holdout"
    mae = {m: v.metrics["mae"] for m, v in auto.validations.items()}
    assert auto.model == min(mae, key=mae.get) and auto.validation is auto.validations[auto.model]
    other = "mbgnbd" if auto.model == "bgnbd" else "bgnbd"
    text = auto.text("en")
    assert all(f"{x:.3f}" in text for x in mae.values()) and "clv.model: auto" in text
    table = auto.comparison()
    assert list(table.loc[table["chosen"] == "✓"].index) == [clv.MODEL_NAMES[auto.model]]
    assert "clv.model" in auto.text("ja")
    pinned = clv.choose_model(cdnow, OBS_END, {"model": other}, calibration_end=CAL_END)
    assert pinned.model == other and pinned.reason == "pinned" and set(pinned.validations) == {other}
    # no holdout possible (too few repeat buyers before the split): the fallback, said in one sentence
    early = clv.choose_model(cdnow, OBS_END, {"min_repeat_customers": 10_000}, calibration_end=CAL_END)
    assert early.model == clv.AUTO_FALLBACK and early.reason == "default" and early.validation is None
    assert "1997-09-30" in early.validation_error.text("en")


@pytest.mark.parametrize("model", ["auto", "bgnbd", "mbgnbd", "pareto_nbd"])
def test_churned_one_time_buyers_are_not_shown_alive(cdnow: pd.DataFrame, obs_summary: pd.DataFrame,
                                                     model: str) -> None:
    """No table of the page shows one-time buyers silent for more than dormant_days as nearly surely alive."""
    s = {"model": model, "calibration_end": CAL_END}
    page = clv.build_report(cdnow, obs_summary, OBS_END, s, THRESHOLDS, "en", currency="USD")
    assert page.model is not None
    one = obs_summary["frequency"] == 0
    churned_one = one & (obs_summary["recency_days"] > THRESHOLDS["dormant_days"])
    assert churned_one.sum() > 500
    groups = pd.Series(np.where(churned_one, "churned_one_time", np.where(one, "other_one_time", "repeat")),
                       index=obs_summary.index)
    seg = clv.segment_clv(page.predictions, groups, page.model.p_alive_shown(obs_summary))
    shown = seg.loc["churned_one_time", "p_alive_mean"]
    assert np.isnan(shown) or shown < 0.5, shown
    # the page's own tables: the churned stage and the top customers
    churned_name = page.stage_names[rfm.SCENARIO_STAGES[-1]]
    assert page.segment_table().loc[churned_name, "p_alive_mean"] < 0.5
    top = page.top_customers(2000)
    assert not (top.loc[top.index.isin(obs_summary.index[churned_one]), "p_alive"] > 0.9).any()
    if page.model.model == "bgnbd":
        assert np.isnan(shown) and "repeat buyers only" in page.narrative()
    else:
        assert "one-time buyers average" in page.narrative()


def test_stage_names_carry_their_ranges() -> None:
    en = clv.stage_names(THRESHOLDS, "en")
    assert list(en) == list(rfm.SCENARIO_STAGES)
    assert en[rfm.SCENARIO_STAGES[0]].endswith("(1 order, 0–120 days)")
    assert en[rfm.SCENARIO_STAGES[4]].endswith("(121–360 days)") and en[rfm.SCENARIO_STAGES[-1]].endswith("(361+ days)")
    ja = clv.stage_names({**THRESHOLDS, "active_days": 90}, "ja")
    assert ja[rfm.SCENARIO_STAGES[4]].endswith("（91〜360日）")


def test_json_safe() -> None:
    out = clv.json_safe({"a": float("nan"), "b": [np.float64(np.inf), 1.5], "c": np.int64(3), "d": "x"})
    assert out == {"a": None, "b": [None, 1.5], "c": 3, "d": "x"}
    json.dumps(out, allow_nan=False)


# -- every shop shape -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shape_shops(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from ltvlib.cli import main

    folder = tmp_path_factory.mktemp("shapes")
    out = {}
    for name, shape in shapes().items():
        path = write_shop(shape, folder)
        assert main(["import", str(path)]) == 0
        out[name] = path
    return out


def _page_text(page: clv.CLVReport) -> str:
    from ltvlib.labels import present

    parts = [page.error or "", page.repeat_buying().to_string()]
    if page.model is not None:
        parts += [page.choice.text(page.language), page.validation_text or "", page.narrative(),
                  present(page.segment_table(), page.language).to_string()]
        if page.validation is not None:
            parts.append(clv.validation_table(page.validation, page.language).to_string())
    return "\n".join(parts)


@pytest.mark.parametrize("min_repeat", [50, 3])
def test_every_shape_gets_a_page(shape_shops: dict[str, Path], min_repeat: int) -> None:
    from ltvlib.params import load_shop_params
    from ltvlib.store import Store

    for name, path in shape_shops.items():
        params = load_shop_params(path)
        with Store(params.store, timezone=params.timezone, read_only=True) as store:
            orders = store.orders()
        summary = customer_summary(orders, params.as_of)
        for lang in ("en", "ja"):
            page = clv.build_report(orders, summary, params.as_of, {**params.clv, "min_repeat_customers": min_repeat},
                                    params.thresholds, lang, currency=params.currency)
            text = _page_text(page)
            assert not BAD_WORDS.search(text), (name, lang, BAD_WORDS.search(text).group(0), text)
            json.dumps(page.key_figures(), allow_nan=False)
            if page.model is None:
                assert page.error and page.error.count("。" if lang == "ja" else ". ") <= 1, (name, page.error)
            if len(summary) == 0:
                assert ("customers with orders" if lang == "en" else "顧客") in page.error


@pytest.mark.slow
@pytest.mark.parametrize("name,language,audience", [("fifty-orders", "ja", "client"),
                                                     ("as-of-before-first-order", "en", "analyst"),
                                                     ("usd-dst", "en", "client")])
def test_clv_page_of_awkward_shops_is_clean(shape_shops: dict[str, Path], tmp_path: Path, name: str,
                                            language: str, audience: str) -> None:
    import yaml

    from ltvlib.cli import main
    from ltvlib.report import read_figures

    raw = yaml.safe_load(shape_shops[name].read_text(encoding="utf-8"))
    raw["language"] = language
    if name == "usd-dst":
        raw["clv"] = {"min_repeat_customers": 10}  # 36 repeat buyers: fit the model on a very small shop
    path = shape_shops[name].with_name(f"{name}-{language}.yaml")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "--notebooks", "clv", "--audience", audience,
                 "--reports-dir", str(tmp_path)]) == 0
    out = next(tmp_path.glob(f"{name}/*"))
    html = (out / "clv.html").read_text(encoding="utf-8")
    assert page_problems(html) == []
    json.dumps(read_figures(out)["clv"], allow_nan=False)


def test_calibration_end_after_as_of_is_one_sentence(cdnow: pd.DataFrame, obs_summary: pd.DataFrame) -> None:
    page = clv.build_report(cdnow, obs_summary, OBS_END, {"calibration_end": "1998-07-31"}, THRESHOLDS, "ja")
    assert page.fitted and page.validation is None and page.choice.reason == "default"
    assert "clv.calibration_end の1998-07-31" in page.validation_text
    assert page.key_figures()["key_figures"]["holdout_bias"]["text"] == page.validation_text


def test_model_choice_needs_only_the_core_order_columns(cdnow: pd.DataFrame) -> None:
    from ltvlib.history import CORE_COLUMNS

    full = clv.choose_model(cdnow, OBS_END, {}, calibration_end=CAL_END)
    lean = clv.choose_model(cdnow[CORE_COLUMNS], OBS_END, {}, calibration_end=CAL_END)  # what the CLV page loads
    assert set(cdnow.columns) > set(CORE_COLUMNS)
    assert lean.model == full.model and set(lean.validations) == set(full.validations)
    for name, v in full.validations.items():
        assert lean.validations[name].metrics == v.metrics
