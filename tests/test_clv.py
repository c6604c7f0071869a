"""CLV: CDNOW through our own loader and summary against the published parameters, compressed fits,
monotone predictions, plain-words model errors and the calibration / holdout validation."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_orders
from hypothesis import given, settings
from hypothesis import strategies as st

from ltvlib import clv
from ltvlib.customers import customer_summary
from ltvlib.io.cdnow import read_cdnow

CAL_END = "1997-09-30"
OBS_END = "1998-06-30"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return read_cdnow("sample").orders


@pytest.fixture(scope="module")
def cdnow_summary(cdnow: pd.DataFrame) -> pd.DataFrame:
    return customer_summary(cdnow, CAL_END)


@pytest.fixture(scope="module")
def cdnow_model(cdnow_summary: pd.DataFrame) -> clv.CLVModel:
    return clv.CLVModel(model="bgnbd", time_unit="W").fit(cdnow_summary)


def _raw_sample() -> pd.DataFrame:
    """The raw CDNOW sample read independently of ltvlib.io.cdnow (for cross-checks)."""
    lt = clv.import_lifetimes()
    with (files(lt) / "datasets" / "CDNOW_sample.txt").open() as fh:
        raw = pd.read_csv(fh, sep=r"\s+", header=None, names=["master", "id", "date", "cds", "value"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    return raw


def test_cdnow_reader(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 6919 and cdnow["customer_key"].nunique() == 2357
    assert str(cdnow["ordered_at"].dt.tz) == "UTC" and cdnow["order_id"].is_unique
    first = cdnow.iloc[0]
    assert first["customer_key"] == "1" and first["net_revenue"] == 29.33
    assert first["ordered_at"] == pd.Timestamp("1997-01-01", tz="UTC")
    items = read_cdnow("sample").line_items
    assert items["quantity"].iloc[0] == 2 and len(items) == len(cdnow)


def test_cdnow_summary_matches_published_rfm(cdnow_summary: pd.DataFrame) -> None:
    """frequency / recency / T in weeks (days / 7) equal the summary shipped with lifetimes (2 decimals)."""
    lt = clv.import_lifetimes()
    with (files(lt) / "datasets" / "cdnow_customers_summary_with_transactions.csv").open() as fh:
        ref = pd.read_csv(fh, index_col="ID")
    ref.index = ref.index.astype(str)
    ours = clv.model_inputs(cdnow_summary, "W").loc[ref.index]
    assert len(ours) == 2357
    np.testing.assert_array_equal(ours["frequency"], ref["x"])
    np.testing.assert_allclose(ours["recency"], ref["t_x"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours["T"], ref["T"], atol=0.005 + 1e-9)
    assert ours["T"].min() == pytest.approx(27.0) and ours["T"].max() == pytest.approx(38.86, abs=0.005)
    rep = ref["x"] > 0
    np.testing.assert_allclose(ours.loc[rep, "monetary_value"], ref.loc[rep, "zbar"], atol=0.005 + 1e-9)


def test_cdnow_parameters_match_published(cdnow_model: clv.CLVModel) -> None:
    """Fader, Hardie & Lee (2005): r=0.243, alpha=4.414, a=0.793, b=2.426 (weeks); Fader & Hardie (2013)
    Gamma-Gamma: p=6.25, q=3.74, v=15.44. Tolerances: half a unit of the published rounding."""
    p = cdnow_model.params_
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert abs(p[name] - published) <= 0.0005 + 1e-9, (name, p[name])
    g = cdnow_model.spend_params_
    for name, published in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert abs(g[name] - published) <= 0.005 + 1e-9, (name, g[name])
    assert cdnow_model.n_customers_ == 2357 and cdnow_model.n_rows_ < 2357 / 2
    # conditional expectation from Hardie's spreadsheet: x=2, t_x=30.43, T=38.86, t=39 weeks -> 1.226
    e = cdnow_model._expected(39 * 7.0, np.array([2]), np.array([30.43 * 7]), np.array([38.86 * 7]))
    assert e[0] == pytest.approx(1.226, abs=0.001)


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
@pytest.mark.parametrize("unit", ["W", "D"])
def test_compressed_fit_equals_uncompressed(cdnow_summary: pd.DataFrame, model: str, unit: str) -> None:
    a = clv.CLVModel(model=model, time_unit=unit).fit(cdnow_summary)
    b = clv.CLVModel(model=model, time_unit=unit, compressed=False).fit(cdnow_summary)
    assert a.n_rows_ < b.n_rows_ == 2357
    np.testing.assert_allclose(a.params_.to_numpy(), b.params_.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.spend_params_.to_numpy(), b.spend_params_.to_numpy(), rtol=1e-6)
    # and against a plain, uncompressed lifetimes fit
    lt = clv.import_lifetimes()
    scale = 7.0 if unit == "W" else 1.0
    ref = getattr(lt, clv.MODELS[model])().fit(cdnow_summary["frequency"], cdnow_summary["recency"] / scale,
                                               cdnow_summary["T"] / scale)
    np.testing.assert_allclose(a.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)


def test_pareto_nbd_option_is_checked_for_a_minimum(cdnow_summary: pd.DataFrame) -> None:
    """lifetimes fits Pareto/NBD with Nelder-Mead and never reports failure: ltvlib checks the optimum itself."""
    m = clv.CLVModel(model="pareto_nbd").fit(cdnow_summary)
    rows, _ = clv.compress(cdnow_summary)
    assert clv._pareto_at_minimum(m.fitter_, rows, 7.0, 0.0)
    p = m.predict(cdnow_summary)
    assert p["p_alive"].between(0, 1).all() and (p["expected_purchases_365d"] >= p["expected_purchases_90d"]).all()
    m.fitter_.params_["s"] *= 1.2  # away from the optimum
    assert not clv._pareto_at_minimum(m.fitter_, rows, 7.0, 0.0)


def test_weeks_and_days_are_the_same_model(cdnow_summary: pd.DataFrame) -> None:
    w = clv.CLVModel(time_unit="W").fit(cdnow_summary)
    d = clv.CLVModel(time_unit="D").fit(cdnow_summary)
    assert d.params_["alpha"] == pytest.approx(7 * w.params_["alpha"], rel=1e-4)
    pw, pd_ = w.predict(cdnow_summary), d.predict(cdnow_summary)
    np.testing.assert_allclose(pw["expected_purchases_365d"], pd_["expected_purchases_365d"], rtol=1e-3, atol=1e-6)


def test_compress_round_trip() -> None:
    s = pd.DataFrame({"frequency": [0, 2, 2, 0, 2], "recency": [0, 10, 10, 0, 11], "T": [30, 40, 40, 30, 40]})
    rows, inv = clv.compress(s)
    assert rows["weights"].tolist() == [2, 2, 1] and rows["weights"].sum() == 5
    back = rows.iloc[inv][["frequency", "recency", "T"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, s, check_dtype=False)


def test_predict_customers_contract(cdnow_summary: pd.DataFrame) -> None:
    settings_ = {"model": "bgnbd", "time_unit": "W", "discount_rate": 0.1, "penalizer": 0.0,
                 "calibration_end": None, "horizons_days": [30, 90, 365]}
    p = clv.predict_customers(cdnow_summary, settings_, CAL_END)
    assert p.index.equals(cdnow_summary.index)
    for c in ("p_alive", "expected_purchases_30d", "expected_purchases_90d", "expected_purchases_365d",
              "expected_order_value", "predicted_clv"):
        assert c in p.columns and np.isfinite(p[c]).all()
    assert p["p_alive"].between(0, 1).all()
    one_timers = cdnow_summary["frequency"] == 0
    # Gamma-Gamma value for repeat buyers (eq. 5 by hand), the customer's aov for one-time buyers
    g = clv.CLVModel(time_unit="W").fit(cdnow_summary).spend_params_
    x, m = cdnow_summary["frequency"], cdnow_summary["monetary_value"]
    by_hand = (g["q"] - 1) / (g["p"] * x + g["q"] - 1) * g["v"] * g["p"] / (g["q"] - 1) + \
        g["p"] * x / (g["p"] * x + g["q"] - 1) * m
    rep = ~one_timers & (m > 0)
    np.testing.assert_allclose(p.loc[rep, "expected_order_value"], by_hand[rep], rtol=1e-9)
    np.testing.assert_allclose(p.loc[one_timers, "expected_order_value"], cdnow_summary.loc[one_timers, "aov"])
    assert set(p["value_source"]) == {"gamma_gamma", "aov"}
    # CLV: discounting lowers it below the undiscounted value, which is at most eov x purchases
    assert (p["predicted_clv"] <= p["expected_order_value"] * p["expected_purchases_365d"] + 1e-9).all()
    undiscounted = clv.predict_customers(cdnow_summary, {**settings_, "discount_rate": 0.0}, CAL_END)
    np.testing.assert_allclose(undiscounted["predicted_clv"],
                               undiscounted["expected_order_value"] * undiscounted["expected_purchases_365d"],
                               rtol=1e-9)
    with pytest.raises(ValueError, match="not built as of"):
        clv.predict_customers(cdnow_summary, settings_, "1997-10-31")


def test_spend_model_aov(cdnow_summary: pd.DataFrame) -> None:
    p = clv.predict_customers(cdnow_summary, {"spend_model": "aov"}, CAL_END)
    np.testing.assert_allclose(p["expected_order_value"], cdnow_summary["aov"])


@settings(max_examples=40, deadline=None)
@given(f=st.integers(1, 20), r=st.integers(0, 250), dt_=st.integers(1, 60), extra=st.integers(1, 100))
def test_predictions_monotone(cdnow_model: clv.CLVModel, f: int, r: int, dt_: int, extra: int) -> None:
    """BG/NBD: P(alive) rises with recency and falls with age; expectations grow with the horizon."""
    T = r + dt_
    fa, ra, Ta = np.array([f, f]), np.array([r, r + dt_ // 2]), np.array([T, T])
    pa = cdnow_model._p_alive(fa, ra.astype(float), Ta.astype(float))
    assert pa[1] >= pa[0] - 1e-12
    older = cdnow_model._p_alive(np.array([f, f]), np.array([r, r], float), np.array([T, T + extra], float))
    assert older[1] <= older[0] + 1e-12
    e = [cdnow_model._expected(float(h), np.array([f]), np.array([r], float), np.array([T], float))[0]
         for h in (30, 90, 365)]
    assert e[0] <= e[1] <= e[2]
    # a customer who just bought: more past purchases, more expected purchases
    just = cdnow_model._expected(90.0, np.array([f, f + 1]), np.array([T, T], float), np.array([T, T], float))
    assert just[1] >= just[0]


def test_rf_matrix(cdnow_model: clv.CLVModel) -> None:
    m = clv.rf_matrix(cdnow_model, kind="p_alive", max_frequency=5, max_recency_days=270, step_days=30)
    assert m.shape == (10, 6) and m.loc[0, 0] == 1.0 and m.loc[30:, 0].isna().all()
    assert (m.loc[:, 1:].diff().iloc[1:] >= 0).all().all()  # more recent last purchase, more alive
    e = clv.rf_matrix(cdnow_model, kind="expected", horizon_days=90, max_frequency=5, max_recency_days=270)
    assert e.loc[270, 5] > e.loc[270, 1]


def test_segment_clv_sums() -> None:
    p = pd.DataFrame({"predicted_clv": [10.0, 30.0, 60.0], "p_alive": [0.5, 1.0, 0.2],
                      "expected_purchases_90d": [0.1, 0.3, 0.2]}, index=["a", "b", "c"])
    labels = pd.Series(pd.Categorical(["x", "y", "y"], categories=["x", "y", "z"]), index=p.index)
    s = clv.segment_clv(p, labels)
    assert s.loc["y", "clv_total"] == 90.0 and s.loc["y", "clv_share"] == 0.9 and s.loc["y", "clv_mean"] == 45.0
    assert s.loc["z", "customers"] == 0 and s.loc["y", "expected_purchases_90d"] == pytest.approx(0.5)
    assert s.loc["x", "p_alive_mean"] == 0.5


# -- plain-words model errors ----------------------------------------------------------------------

def _summary_of(rows: list[tuple]) -> pd.DataFrame:
    return customer_summary(make_orders(rows), dt.date(2026, 6, 30))


def test_too_few_repeat_buyers() -> None:
    s = _summary_of([("1", "a", "2026-01-01 10:00", 100.0), ("2", "a", "2026-02-01 10:00", 100.0),
                     ("3", "b", "2026-03-01 10:00", 100.0)])
    with pytest.raises(clv.ModelError, match="Only 1 of 2 customers have ever come back") as err:
        clv.predict_customers(s, {}, "2026-06-30")
    assert "2回目の購入をした顧客は 2人中 1人だけです" in err.value.text("ja")


def test_frequency_spend_correlation_is_reported(cdnow_summary: pd.DataFrame) -> None:
    s = cdnow_summary.copy()
    rng = np.random.default_rng(1)
    s["monetary_value"] = np.where(s["frequency"] > 0, 10.0 * s["frequency"] * rng.gamma(5, 0.2, len(s)), 0.0)
    with pytest.raises(clv.ModelError, match=r"buy more often spend more per purchase.*spend_model: aov"):
        clv.CLVModel().fit(s)
    ok = clv.CLVModel(spend_model="aov").fit(s).predict(s)
    assert (ok["value_source"] == "aov").all()


def test_boundary_fit_is_flagged() -> None:
    """Customers who buy at random times: the BG/NBD optimum runs off to a boundary (a, b -> infinity, the
    same drop-out rate for everyone) and the model says so in plain words."""
    rng = np.random.default_rng(1)
    n = 3000
    T = rng.integers(100, 700, n)
    f = np.where(rng.random(n) < 0.4, rng.poisson(2.0, n) + 1, 0)
    r = np.where(f > 0, (rng.random(n) * T).astype(int), 0)
    s = pd.DataFrame({"frequency": f, "recency": r, "T": T, "monetary_value": np.where(f > 0, 3000.0, 0.0),
                      "aov": 3000.0}, index=[f"c{i}" for i in range(n)])
    m = clv.CLVModel(spend_model="aov").fit(s)
    assert "weakly_identified" in m.notes_ and m.params_["a"] > 1000
    assert any("hardly pins down" in t for t in clv.notes_text(m, "en"))
    with pytest.raises(clv.ModelError, match="Gamma-Gamma spend model did not converge"):  # spend never varies
        clv.CLVModel().fit(s)


def test_non_convergence_is_reported(monkeypatch: pytest.MonkeyPatch,
                                                          cdnow_summary: pd.DataFrame,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    lt = clv.import_lifetimes()

    def fail(*args: object, **kwargs: object) -> None:
        print("lifetimes prints its optimiser state here")
        raise lt.utils.ConvergenceError("The model did not converge.")

    monkeypatch.setattr(lt.ModifiedBetaGeoFitter, "_fit", fail)
    with pytest.raises(clv.ModelError, match="The MBG/NBD model did not converge"):
        clv.CLVModel(model="mbgnbd").fit(cdnow_summary)
    assert capsys.readouterr().out == ""


def test_lifetimes_side_effects_are_contained() -> None:
    """In a fresh interpreter: fitting and predicting leave pandas' options and warning filters as they were."""
    code = textwrap.dedent("""
        import warnings, pandas as pd
        before, opt = list(warnings.filters), pd.get_option("mode.chained_assignment")
        from ltvlib.io.cdnow import read_cdnow
        from ltvlib.customers import customer_summary
        from ltvlib import clv
        s = customer_summary(read_cdnow().orders, "1997-09-30")
        clv.CLVModel(model="pareto_nbd").fit(s).predict(s)
        clv.CLVModel().fit(s).predict(s)
        assert pd.get_option("mode.chained_assignment") == opt, pd.get_option("mode.chained_assignment")
        assert warnings.filters == before, [f for f in warnings.filters if f not in before]
        print("clean")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"  # nothing printed by lifetimes


# -- validation -----------------------------------------------------------------------------------

def test_calibration_holdout_hand_computed() -> None:
    o = make_orders([
        ("1", "a", "2026-01-05 10:00", 100.0), ("2", "a", "2026-02-05 10:00", 200.0),
        ("3", "a", "2026-04-10 10:00", 300.0), ("4", "a", "2026-04-10 18:00", 50.0),
        ("5", "a", "2026-05-01 10:00", 70.0),
        ("6", "b", "2026-03-31 23:59", 80.0), ("7", "b", "2026-04-01 00:01", 90.0),
        ("8", "c", "2026-04-02 10:00", 500.0),  # acquired in the holdout: not a calibration customer
    ])
    ch = clv.calibration_holdout(o, "2026-03-31", "2026-06-30")
    assert sorted(ch.index) == ["a", "b"]
    assert ch.loc["a", "frequency"] == 1 and ch.loc["a", "frequency_holdout"] == 2  # 10 Apr (two orders), 1 May
    assert ch.loc["a", "revenue_holdout"] == 420.0 and ch.loc["b", "frequency_holdout"] == 1
    assert ch.loc["b", "T"] == 0 and (ch["duration_holdout"] == 91).all()


def test_cdnow_validation(cdnow: pd.DataFrame) -> None:
    v = clv.validate(cdnow, OBS_END, {"time_unit": "W"}, calibration_end=CAL_END)
    np.testing.assert_allclose(v.model.params_[["r", "alpha", "a", "b"]], [0.243, 4.414, 0.793, 2.426], atol=5e-4)
    raw = _raw_sample()
    days = raw[["id", "date"]].drop_duplicates()
    holdout = int((days["date"] > pd.Timestamp(CAL_END)).sum())
    repeats = int(len(days) - days["id"].nunique())
    assert v.metrics["actual"] == holdout
    assert v.by_frequency["customers"].sum() == 2357 and list(v.by_frequency.index) == list(range(8))
    assert v.tracking["cum_actual"].iloc[-1] == repeats and v.tracking["week_end"].iloc[-1] == dt.date(1998, 6, 30)
    assert v.tracking["holdout"].sum() == 39  # 39 weeks of holdout, as in the paper
    assert v.tracking["actual"].sum() == repeats
    # the model tracks CDNOW's cumulative repeat transactions closely (the paper's Figure 3)
    assert abs(v.metrics["tracking_error_end"]) < 0.06 and v.metrics["mae"] < v.metrics["baseline_mae"]
    expected_mae = np.mean(np.abs(
        v.model._expected(273.0, *(clv.calibration_holdout(cdnow, CAL_END, OBS_END)[c].to_numpy(float)
                                   for c in ("frequency", "recency", "T")))
        - clv.calibration_holdout(cdnow, CAL_END, OBS_END)["frequency_holdout"].to_numpy()))
    assert v.metrics["mae"] == pytest.approx(expected_mae)


def test_default_calibration_end(cdnow: pd.DataFrame) -> None:
    # history 1997-01-01 .. 1998-06-30 (545 days): the last third (181 days) is the holdout
    assert clv.default_calibration_end(cdnow, OBS_END) == dt.date(1998, 6, 30) - dt.timedelta(days=181)


def test_narrative(cdnow: pd.DataFrame, cdnow_summary: pd.DataFrame, cdnow_model: clv.CLVModel) -> None:
    p = cdnow_model.predict(cdnow_summary)
    v = clv.validate(cdnow, OBS_END, {"time_unit": "W"}, calibration_end=CAL_END)
    seg = clv.segment_clv(p, pd.Series(np.where(cdnow_summary["frequency"] > 0, "repeat", "first"),
                                       index=p.index))
    en = clv.narrative(p, cdnow_summary, seg, v, cdnow_model, "en", currency="USD")
    total = p["predicted_clv"].sum()
    assert f"**{total:,.0f} USD**" in en and "Validation: fitted on the history up to 1997-09-30" in en
    assert f"{v.metrics['actual']:,.0f} actual" in en
    ja = clv.narrative(p, cdnow_summary, seg, v, cdnow_model, "ja", currency="USD")
    assert "予測売上（CLV）" in ja and "検証" in ja


# -- the report notebook, end to end ----------------------------------------------------------------

def _demo_shop(folder: Path, customers: int) -> Path:
    from ltvlib import demo
    from ltvlib.cli import main

    shop = folder / "nb.yaml"
    shop.write_text("shop: nb\nname: Test shop\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: ja\n"
                    "store: store.duckdb\nas_of: 2026-06-30\n", encoding="utf-8")
    demo.write_shopify_export(folder / "export.csv", customers=customers, seed=5)
    assert main(["import", str(shop), str(folder / "export.csv")]) == 0
    return shop


@pytest.mark.slow
def test_clv_notebook_on_demo_shop(tmp_path: Path) -> None:
    from ltvlib.cli import main
    from ltvlib.params import load_shop_params
    from ltvlib.report import read_figures
    from ltvlib.store import Store

    shop = _demo_shop(tmp_path, 600)
    assert main(["run", str(shop), "--notebooks", "clv", "--reports-dir", str(tmp_path / "r")]) == 0
    out = tmp_path / "r" / "nb" / "2026-06-30"
    html = (out / "clv.html").read_text(encoding="utf-8")
    assert "予測CLV" in html and "CLVModel" not in html and "@example.jp" not in html  # no code, no e-mails
    assert html.count("data:image/png;base64") >= 6
    figs = read_figures(out)["clv"]
    assert figs["error"] is None
    params = load_shop_params(shop)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders()
    summary = customer_summary(orders, params.as_of)
    # clv.model: auto: the page names the model it chose on the holdout; its figures are that model's
    assert figs["model"] in clv.AUTO_CANDIDATES and params.clv["model"] == "auto"
    model = clv.CLVModel.from_settings({**params.clv, "model": figs["model"]}).fit(summary)
    assert figs["params"] == pytest.approx(model.params_.to_dict(), rel=1e-9)
    assert figs["clv_total"] == pytest.approx(model.predict(summary)["predicted_clv"].sum(), rel=1e-9)
    assert figs["validation"]["calibration_end"] == str(clv.default_calibration_end(orders, params.as_of))


@pytest.mark.slow
def test_clv_notebook_explains_an_unusable_model(tmp_path: Path) -> None:
    from ltvlib.cli import main
    from ltvlib.report import read_figures

    shop = _demo_shop(tmp_path, 60)  # a handful of repeat buyers: the model must not be fitted
    assert main(["run", str(shop), "--notebooks", "clv", "--reports-dir", str(tmp_path / "r")]) == 0
    out = tmp_path / "r" / "nb" / "2026-06-30"
    figs = read_figures(out)["clv"]
    assert "2回目の購入をした顧客は" in figs["error"]
    html = (out / "clv.html").read_text(encoding="utf-8")
    assert "このショップではCLVモデルを使えません" in html and "Traceback" not in html

