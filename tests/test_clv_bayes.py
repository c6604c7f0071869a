"""The PyMC-Marketing CLV backend (ltvlib.clv_bayes) on CDNOW: MAP against the published parameters and the
lifetimes backend, compressed rows against one row per customer, a small MCMC fit's intervals, and the lazy
import of the optional dependency."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from ltvlib import clv, clv_bayes
from ltvlib.customers import customer_summary
from ltvlib.io.cdnow import read_cdnow

CAL_END = "1997-09-30"
HORIZONS = [90, 365]


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return customer_summary(read_cdnow("sample").orders, CAL_END)


@pytest.fixture(scope="module")
def map_model(cdnow_summary: pd.DataFrame) -> clv_bayes.BayesCLVModel:
    return clv_bayes.BayesCLVModel(method="map", time_unit="W").fit(cdnow_summary)


@pytest.fixture(scope="module")
def lifetimes_model(cdnow_summary: pd.DataFrame) -> clv.CLVModel:
    return clv.CLVModel(model="bgnbd", time_unit="W").fit(cdnow_summary)


@pytest.fixture(scope="module")
def mcmc_model(cdnow_summary: pd.DataFrame) -> clv_bayes.BayesCLVModel:
    return clv_bayes.BayesCLVModel(method="mcmc", draws=200, tune=200, chains=2, cores=1,
                                   random_seed=1).fit(cdnow_summary)


def test_map_matches_published_parameters(map_model: clv_bayes.BayesCLVModel) -> None:
    """Flat priors make MAP the maximum-likelihood fit: Fader, Hardie & Lee (2005) r=0.243, alpha=4.414,
    a=0.793, b=2.426 (weeks), Fader & Hardie (2013) p=6.25, q=3.74, v=15.44, each to half a unit of the
    published rounding (the tolerance of tests/test_clv.py)."""
    table = map_model.parameter_table().set_index("parameter")
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert abs(map_model.params_[name] - published) <= 0.0005 + 1e-9, (name, map_model.params_[name])
        assert table.loc[name, "estimate"] == map_model.params_[name]
    for name, published in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert abs(map_model.spend_params_[name] - published) <= 0.005 + 1e-9, (name, map_model.spend_params_[name])
    assert table["std_error"].isna().all() and list(table["model"].unique()) == ["BG/NBD", "Gamma-Gamma"]
    assert map_model.n_customers_ == 2357 and map_model.n_rows_ < 2357 / 2


def test_map_matches_lifetimes_backend(map_model: clv_bayes.BayesCLVModel, lifetimes_model: clv.CLVModel,
                                       cdnow_summary: pd.DataFrame) -> None:
    """Parameters within 0.1% and per-customer predictions within 0.1% of the lifetimes backend: the same
    likelihood maximised by two optimisers (pymc's L-BFGS-B and lifetimes' BFGS) that stop at slightly
    different points."""
    np.testing.assert_allclose(map_model.params_[["r", "alpha", "a", "b"]],
                               lifetimes_model.params_[["r", "alpha", "a", "b"]], rtol=1e-3)
    np.testing.assert_allclose(map_model.spend_params_[["p", "q", "v"]],
                               lifetimes_model.spend_params_[["p", "q", "v"]], rtol=1e-3)
    for horizons in (HORIZONS, [400, 30]):  # a horizon off the monthly steps, and in descending order
        ours = map_model.predict(cdnow_summary, horizons)
        theirs = lifetimes_model.predict(cdnow_summary, horizons)
        assert list(ours.columns) == list(theirs.columns) and ours.index.equals(theirs.index)
        assert (ours["value_source"] == theirs["value_source"]).all()
        for col in ours.columns.drop("value_source"):
            np.testing.assert_allclose(ours[col], theirs[col], rtol=1e-3, atol=1e-6, err_msg=col)
    ours, theirs = map_model.predict(cdnow_summary, HORIZONS), lifetimes_model.predict(cdnow_summary, HORIZONS)
    assert ours["expected_purchases_365d"].sum() == pytest.approx(theirs["expected_purchases_365d"].sum(), rel=2e-4)


@pytest.mark.parametrize("priors", ["flat", "pymc_marketing"])
def test_compressed_fit_equals_plain_beta_geo_model(cdnow_summary: pd.DataFrame, priors: str) -> None:
    """The weighted unique rows give the MAP of pymc-marketing's own BetaGeoModel on one row per customer, with
    our flat priors and with pymc-marketing's defaults (model_config={}: a and b through phi and kappa)."""
    config = None if priors == "flat" else {}
    fits = [clv_bayes.BayesCLVModel(compressed=c, spend_model="aov", model_config=config).fit(cdnow_summary)
            for c in (True, False)]
    assert fits[0].n_rows_ < fits[1].n_rows_ == 2357 and type(fits[1].bg_).__name__ == "BetaGeoModel"
    np.testing.assert_allclose(fits[0].params_.to_numpy(), fits[1].params_.to_numpy(), rtol=1e-4)
    assert fits[0].spend_params_ is None and (fits[0].predict(cdnow_summary)["value_source"] == "aov").all()


def test_mcmc_intervals(mcmc_model: clv_bayes.BayesCLVModel, map_model: clv_bayes.BayesCLVModel,
                        cdnow_summary: pd.DataFrame) -> None:
    """A short NUTS run (2 chains x 200 draws): r's 95% posterior interval holds the MAP value, and every
    prediction's intervals are ordered lo95 <= lo80 <= mean <= hi80 <= hi95 and not all empty."""
    table = mcmc_model.parameter_table().set_index("parameter")
    assert table.loc["r", "lo95"] <= map_model.params_["r"] <= table.loc["r", "hi95"]
    assert (table["std_error"] > 0).all() and (table["lo95"] < table["hi95"]).all()
    assert mcmc_model.bg_.fit_result.sizes["draw"] == 200 and mcmc_model.bg_.fit_result.sizes["chain"] == 2
    assert mcmc_model.diagnostics_["bgnbd_divergences"] == 0
    pred = mcmc_model.predict(cdnow_summary, HORIZONS)
    for col in ["p_alive", "expected_purchases_90d", "expected_purchases_365d", "expected_order_value",
                "predicted_clv"]:
        chain = [pred[f"{col}_lo95"], pred[f"{col}_lo80"], pred[col], pred[f"{col}_hi80"], pred[f"{col}_hi95"]]
        for lo, hi in zip(chain, chain[1:]):
            assert (lo <= hi).all(), col
        assert (pred[f"{col}_hi95"] > pred[f"{col}_lo95"]).any(), col
    repeat = cdnow_summary["frequency"] > 0
    assert (pred.loc[~repeat, "p_alive"] == 1).all() and (pred.loc[repeat, "p_alive_hi95"] < 1).all()
    # the posterior mean of total expected purchases is near the MAP one (within 2%)
    total_map = map_model.predict(cdnow_summary, HORIZONS)["expected_purchases_365d"].sum()
    assert pred["expected_purchases_365d"].sum() == pytest.approx(total_map, rel=0.02)


def test_from_settings() -> None:
    m = clv_bayes.BayesCLVModel.from_settings({"time_unit": "D", "discount_rate": 0.2}, method="mcmc", draws=50)
    assert (m.method, m.time_unit, m.discount_rate, m.draws) == ("mcmc", "D", 0.2, 50)
    with pytest.raises(ValueError, match="BG/NBD only"):
        clv_bayes.BayesCLVModel.from_settings({"model": "pareto_nbd"})
    with pytest.raises(ValueError, match="no penalizer"):
        clv_bayes.BayesCLVModel.from_settings({"penalizer": 0.01})
    with pytest.raises(ValueError, match="method must be"):
        clv_bayes.BayesCLVModel(method="advi")


def test_too_few_repeat_buyers(cdnow_summary: pd.DataFrame) -> None:
    with pytest.raises(clv.ModelError, match="have ever come back"):
        clv_bayes.BayesCLVModel(min_repeat_customers=10_000).fit(cdnow_summary)


def test_pymc_is_imported_lazily_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing ltvlib.clv_bayes loads no PyMC; loading it leaves the warning filters as they were."""
    code = textwrap.dedent("""
        import sys, warnings
        import ltvlib.clv_bayes
        print(sorted(m for m in ("pymc", "pymc_marketing", "pytensor") if m in sys.modules))
        before = list(warnings.filters)
        ltvlib.clv_bayes.import_pymc_marketing()
        print("pymc" in sys.modules, warnings.filters == before)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "True True"]
    monkeypatch.setitem(sys.modules, "pymc_marketing.clv", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install -e "\.\[bayes\]"'):
        clv_bayes.import_pymc_marketing()
