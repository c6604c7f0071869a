"""CLV for planning: the three models compared on the CDNOW holdout (published figures where they exist), next-order
probabilities checked against lifetimes and against what CDNOW customers did, and bootstrap intervals whose coverage
is checked on simulated BG/NBD shops with known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ltvlib import clv
from ltvlib.customers import customer_summary
from ltvlib.io.cdnow import read_cdnow

CAL_END = "1997-09-30"  # week 39 of CDNOW: calibration weeks 1-39, holdout weeks 40-78 as in Fader, Hardie & Lee
OBS_END = "1998-06-30"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return read_cdnow("sample").orders


@pytest.fixture(scope="module")
def cal_summary(cdnow: pd.DataFrame) -> pd.DataFrame:
    return customer_summary(cdnow, CAL_END)


def test_cdnow_holdout_totals_per_model(cdnow: pd.DataFrame) -> None:
    """The 39-week holdout of CDNOW's 2,357 customers, each model fitted on weeks 1-39 (in weeks).

    Published (Fader, Hardie & Lee 2005, "Counting your customers the easy way", and Fader & Hardie's Pareto/NBD
    note on the same sample): BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, log-likelihood -9582.4;
    Pareto/NBD r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67, log-likelihood -9595.0. No MBG/NBD fit of CDNOW
    is published. The holdout totals below are our own reproducible figures (purchase days, several orders on one
    day counting once), printed next to the actual holdout repeat purchase days: BG/NBD 1,653.4, MBG/NBD 1,576.7,
    Pareto/NBD 1,665.5 against 1,882 actual.
    """
    choice = clv.choose_model(cdnow, OBS_END, {"time_unit": "W"}, calibration_end=CAL_END)
    table = choice.comparison()
    print("\n" + table.to_string())
    v = choice.validations
    assert set(v) == {"bgnbd", "mbgnbd", "pareto_nbd"} and (table["actual"] == 1882).all()
    assert v["bgnbd"].metrics["holdout_days"] == 39 * 7
    np.testing.assert_allclose(v["bgnbd"].model.params_[["r", "alpha", "a", "b"]], [0.243, 4.414, 0.793, 2.426],
                               atol=5e-4)
    np.testing.assert_allclose(v["pareto_nbd"].model.params_[["r", "alpha", "s", "beta"]],
                               [0.553, 10.58, 0.606, 11.67], rtol=2e-3)
    assert v["bgnbd"].metrics["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert v["pareto_nbd"].metrics["log_likelihood"] == pytest.approx(-9595.0, abs=0.05)
    # our own figures (reproducible: compressed fits, fixed start for Pareto/NBD)
    ours = {"bgnbd": 1653.41, "mbgnbd": 1576.73, "pareto_nbd": 1665.51}
    for m, total in ours.items():
        assert v[m].metrics["predicted"] == pytest.approx(total, abs=0.05), m
        assert abs(v[m].metrics["bias"]) < 0.2  # every model under-predicts CDNOW's holdout by 12-16%
    # the choice: lowest mean absolute error per customer, said in one sentence naming every candidate's error
    mae = {m: x.metrics["mae"] for m, x in v.items()}
    assert choice.model == min(mae, key=mae.get) == "pareto_nbd"
    assert all(f"{x:.3f}" in choice.text("en") for x in mae.values())
    # the per-frequency error is the calibration-vs-holdout gap weighted by customers
    bf = v["bgnbd"].by_frequency
    gap = (np.abs(bf["predicted"] - bf["actual"]) * bf["customers"]).sum() / bf["customers"].sum()
    assert v["bgnbd"].metrics["frequency_mae"] == pytest.approx(gap)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
def test_log_likelihood_equals_lifetimes(cal_summary: pd.DataFrame, model: str) -> None:
    """Our per-row log-likelihood, summed, is lifetimes' negative log-likelihood times the customer count."""
    m = clv.CLVModel(model=model, spend_model="aov").fit(cal_summary)
    rows, _ = clv.compress(cal_summary)
    f, r, T, w = (rows[c].to_numpy(float) for c in ("frequency", "recency", "T", "weights"))
    nll = m.fitter_._negative_log_likelihood(np.log(m.params_.to_numpy()), f, r / 7, T / 7, w, 0.0)
    assert clv.log_likelihood(m, cal_summary) == pytest.approx(-nll * w.sum(), rel=1e-10)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_order_probabilities(cdnow: pd.DataFrame, cal_summary: pd.DataFrame, model: str) -> None:
    m = clv.CLVModel(model=model, spend_model="aov").fit(cal_summary)
    p = clv.order_probabilities(m, cal_summary)
    assert list(p.columns) == ["p_order_30d", "p_order_60d", "p_order_90d"] and p.index.equals(cal_summary.index)
    assert ((p >= 0) & (p <= 1)).all().all() and (p["p_order_30d"] <= p["p_order_60d"]).all()
    assert (p["p_order_60d"] <= p["p_order_90d"]).all()
    rows, _ = clv.compress(cal_summary)
    f, r, T = rows["frequency"].to_numpy(), rows["recency"].to_numpy(float), rows["T"].to_numpy(float)
    if model == "pareto_nbd":  # our quadrature against lifetimes' closed form (hypergeometric function)
        ref = [m.fitter_.conditional_probability_of_n_purchases_up_to_time(0, 90 / 7, a, b / 7, c / 7)
               for a, b, c in zip(f[:200], r[:200], T[:200])]
        np.testing.assert_allclose(clv._p_no_order(m, 90.0, f[:200], r[:200], T[:200]), ref, atol=1e-9)
    else:  # a customer who has just made a first purchase: lifetimes' unconditional P(X(t) = 0)
        zero = np.zeros(1)
        with clv._contained():
            ref = m.fitter_.probability_of_n_purchases_up_to_time(90 / 7, 0)
        assert clv._p_no_order(m, 90.0, zero.astype(int), zero, zero)[0] == pytest.approx(float(ref), rel=1e-9)
    # what CDNOW customers did: the expected number with an order in the 39-week holdout against the actual one
    ch = clv.calibration_holdout(cdnow, CAL_END, OBS_END)
    expected = float(clv.order_probabilities(m, ch, (273,))["p_order_273d"].sum())
    actual = int((ch["frequency_holdout"] > 0).sum())
    # BG/NBD 599, MBG/NBD 566, Pareto/NBD 523 against 684: the models under-predict CDNOW's holdout (totals by
    # 12-16%), Pareto/NBD concentrating its purchases on fewer customers
    assert abs(expected / actual - 1) < 0.25, (expected, actual)
    # P(at least one order) never exceeds the expected number of orders (Markov's inequality)
    exp90 = m.predict(cal_summary, (90,))["expected_purchases_90d"]
    assert (p["p_order_90d"] <= exp90 + 1e-12).all()


def test_bootstrap_point_totals_equal_the_page(cal_summary: pd.DataFrame) -> None:
    m = clv.CLVModel().fit(cal_summary)
    groups = pd.Series(np.where(cal_summary["frequency"] > 0, "repeat", "one_time"), index=cal_summary.index)
    b = clv.bootstrap(m, cal_summary, groups, draws=20, seed=1, horizons_days=(90, 365))
    seg = clv.segment_clv(m.predict(cal_summary, (90, 365)), groups)
    for g in ("repeat", "one_time"):
        assert b.point[(g, "predicted_clv")] == pytest.approx(seg.loc[g, "clv_total"], rel=1e-9)
        assert b.point[(g, "expected_purchases_90d")] == pytest.approx(seg.loc[g, "expected_purchases_90d"], rel=1e-9)
    assert b.point[(clv.SHOP, "predicted_clv")] == pytest.approx(seg["clv_total"].sum(), rel=1e-9)
    ci = b.intervals()
    assert len(b.totals) + b.failed == 20 and list(b.params.columns) == ["r", "alpha", "a", "b", "p", "q", "v"]
    assert (ci["lo_95"] <= ci["lo_80"]).all() and (ci["lo_80"] <= ci["hi_80"]).all()
    assert (ci["hi_80"] <= ci["hi_95"]).all()
    assert ((ci["lo_95"] < ci["estimate"]) & (ci["estimate"] < ci["hi_95"])).loc[(clv.SHOP, slice(None))].all()


def _simulate_bgnbd(rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float) -> pd.DataFrame:
    """A BG/NBD shop in days: purchase rate lambda ~ Gamma(r, alpha), drop-out p ~ Beta(a, b) after each repeat
    purchase, customers acquired 180-540 days before the end; recency rounded down to whole days."""
    T = rng.choice([180, 270, 365, 450, 540], n)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    t, x, tx, alive = np.zeros(n), np.zeros(n, np.int64), np.zeros(n), np.ones(n, bool)
    while alive.any():
        t = t + rng.exponential(1 / np.maximum(lam, 1e-300))
        alive &= t <= T
        x[alive] += 1
        tx[alive] = t[alive]
        alive &= rng.random(n) >= p
    return pd.DataFrame({"frequency": x, "recency": np.floor(tx).astype(np.int64), "T": T,
                         "monetary_value": np.where(x > 0, 50.0, 0.0), "aov": 50.0},
                        index=[f"c{i}" for i in range(n)])


def test_bootstrap_interval_coverage_on_simulated_shops() -> None:
    """40 shops of 1,200 customers simulated from known BG/NBD parameters, 29 bootstrap draws each: the 80% and
    95% intervals cover each true parameter and each shop's true expected 90-day purchases (its customers' expected
    total under the true parameters) about as often as they say. Binomial tolerance: at the nominal level a 95%
    interval gives 34 or more hits of 40 with probability 0.997, an 80% interval 25 to 38 with probability 0.996."""
    true = {"r": 0.25, "alpha": 40.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(7)
    hits = {lv: {k: 0 for k in [*true, "total"]} for lv in ("80", "95")}
    reps = 40
    for _ in range(reps):
        s = _simulate_bgnbd(rng, 1200, **true)
        m = clv.CLVModel(time_unit="D", spend_model="aov").fit(s)
        b = clv.bootstrap(m, s, draws=29, seed=int(rng.integers(1 << 31)), horizons_days=(90,))
        truth = clv.CLVModel(time_unit="D", spend_model="aov").fit(s)
        truth.params_ = truth.fitter_.params_ = pd.Series(true)
        true_total = float(truth.predict(s, (90,))["expected_purchases_90d"].sum())
        ci = b.intervals().loc[(clv.SHOP, "expected_purchases_90d")]
        for lv, tail in (("80", 0.10), ("95", 0.025)):
            lo, hi = b.params.quantile(tail), b.params.quantile(1 - tail)
            for k, v in true.items():
                hits[lv][k] += int(lo[k] <= v <= hi[k])
            hits[lv]["total"] += int(ci[f"lo_{lv}"] <= true_total <= ci[f"hi_{lv}"])
    print("\ncoverage of", reps, "shops:", hits)
    for k in hits["95"]:
        assert hits["95"][k] >= 34, hits
        assert 25 <= hits["80"][k] <= 38, hits


def test_linearised_draws_give_the_exact_intervals_on_a_large_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above EXACT_BOOTSTRAP_ROWS a draw's totals are linearised; on 20,000 simulated customers (parameters known
    to about 2%) both ways give the same intervals to within 1% of the estimate."""
    rng = np.random.default_rng(11)
    s = _simulate_bgnbd(rng, 20_000, r=0.25, alpha=40.0, a=0.8, b=2.5)
    m = clv.CLVModel(time_unit="D", spend_model="aov").fit(s)
    monkeypatch.setattr(clv, "EXACT_BOOTSTRAP_ROWS", 10**9)
    exact = clv.bootstrap(m, s, draws=60, seed=3, horizons_days=(90,)).intervals()
    monkeypatch.setattr(clv, "EXACT_BOOTSTRAP_ROWS", 0)
    linear = clv.bootstrap(m, s, draws=60, seed=3, horizons_days=(90,)).intervals()
    assert (exact["estimate"] == linear["estimate"]).all()
    for col in ("lo_95", "lo_80", "hi_80", "hi_95"):
        assert np.allclose(linear[col], exact[col], rtol=0.01), (col, linear[col], exact[col])
    assert (linear["lo_95"] < linear["estimate"]).all() and (linear["estimate"] < linear["hi_95"]).all()
