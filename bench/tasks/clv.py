"""CLV of the benchmark shop: our compressed BG/NBD + Gamma-Gamma fit and per-customer predictions
against plain, uncompressed ``lifetimes`` doing the same in the same run (target: fit >= 2.5x faster,
parameters equal to 1e-6 relative).

Default run: ``fit_s`` (ltvlib.clv.CLVModel.fit: unique (frequency, recency, T) rows with weights),
``predict_s`` (CLVModel.predict: P(alive), expected purchases in 90 and 365 days, discounted CLV) and
``choose_s`` (clv.choose_model with clv.model: auto: BG/NBD, MBG/NBD and Pareto/NBD each fitted on the calibration
period and scored on the holdout; ``chosen_model`` 0 = BG/NBD, 1 = MBG/NBD, 2 = Pareto/NBD; ``holdout_mae_<model>``
their errors), ``bootstrap_s`` (clv.bootstrap: 200 refits of the BG/NBD fit on resampled customers and the
predicted totals per stage; ``bootstrap_failed`` refits that did not converge) and ``select_and_bootstrap_s``
(choose_s + bootstrap_s: target under 60 s at 1,000,000 customers); ``customer_intervals_s`` (each customer's 80% /
95% intervals from the same draws) and ``next_order_s`` (each customer's expected next-order date).
Variant ``lifetimes``: ``fit_s`` of BetaGeoFitter.fit on every customer plus GammaGammaFitter.fit on every
repeat buyer (spend in units of its mean, as ltvlib.clv does), ``predict_s`` of lifetimes' own per-customer
calls (P(alive), expectations, customer_lifetime_value over 12 months); then our compressed fit in the same
process gives
``bgnbd_max_rel_diff`` (over r, alpha, a, b) and ``gg_max_rel_diff`` (over p, q, v): the largest relative
differences between the two fits.
Variant ``pymc``: the same summary through the optional PyMC-Marketing backend (ltvlib.clv_bayes.BayesCLVModel,
``method="map"``, flat priors, the same compressed rows with weights): ``import_s`` (pymc-marketing), ``fit_s``
(building and compiling both models included), ``predict_s`` (the same prediction columns as CLVModel.predict)
and ``bgnbd_max_rel_diff`` / ``gg_max_rel_diff`` against our lifetimes fit in the same process.
"""

from __future__ import annotations

import time

import numpy as np

from ltvlib.params import load_shop_params
from ltvlib.store import Store


def run(params_path: str, variant: str | None) -> dict:
    from ltvlib import clv, rfm
    from ltvlib.customers import customer_summary

    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders(["order_id", "customer_key", "email", "ordered_at", "net_revenue", "cancelled_at",
                               "channel", "discount_codes"])
    t0 = time.perf_counter()
    summary = customer_summary(orders, params.as_of)
    summary_s = time.perf_counter() - t0
    settings = {**params.clv, "model": "bgnbd", "penalizer": 0.0}
    scale = clv.TIME_UNITS[clv.CLVModel.from_settings(settings).time_unit]
    lt = clv.import_lifetimes()
    figures: dict = {"customers": int(len(summary))}
    if variant == "lifetimes":
        rep = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        f, r, T = summary["frequency"], summary["recency"] / scale, summary["T"] / scale
        with clv._contained():
            t0 = time.perf_counter()
            bgf = lt.BetaGeoFitter().fit(f, r, T)
            # spend in units of its mean, as ltvlib.clv fits it: in yen the q-v ridge of the likelihood is so
            # flat that lifetimes stops wherever rounding stalls it (or reports non-convergence)
            unit = float(rep["monetary_value"].mean())
            ggf = lt.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"] / unit)
            ggf.params_["v"] *= unit
            t1 = time.perf_counter()
            bgf.conditional_probability_alive(f, r, T)
            for h in params.clv.get("horizons_days", [90, 365]):
                bgf.conditional_expected_number_of_purchases_up_to_time(h / scale, f, r, T)
            monthly = (1 + float(params.clv.get("discount_rate", 0.1))) ** (1 / 12) - 1
            ggf.customer_lifetime_value(bgf, f, r, T, summary["monetary_value"], time=12, discount_rate=monthly,
                                        freq="W" if scale == 7 else "D")
            t2 = time.perf_counter()
        ours = clv.CLVModel.from_settings(settings).fit(summary)
        theirs = np.concatenate([bgf.params_.to_numpy(), ggf.params_.to_numpy()])
        mine = np.concatenate([ours.params_.to_numpy(), ours.spend_params_.to_numpy()])
        rel = np.abs(mine / theirs - 1)
        figures.update(fit_s=t1 - t0, predict_s=t2 - t1, rows_fitted=int(len(summary)),
                       bgnbd_max_rel_diff=float(rel[:4].max()), gg_max_rel_diff=float(rel[4:].max()))
        return {"figures": figures}
    if variant == "pymc":
        from ltvlib.clv_bayes import BayesCLVModel, import_pymc_marketing

        t0 = time.perf_counter()
        import_pymc_marketing()
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        bayes = BayesCLVModel.from_settings(settings, method="map").fit(summary)
        t1 = time.perf_counter()
        bayes.predict(summary, params.clv.get("horizons_days", [90, 365]))
        t2 = time.perf_counter()
        ours = clv.CLVModel.from_settings(settings).fit(summary)
        rel_bg = np.abs(bayes.params_ / ours.params_ - 1).to_numpy()
        rel_gg = np.abs(bayes.spend_params_ / ours.spend_params_ - 1).to_numpy()
        figures.update(import_s=import_s, fit_s=t1 - t0, predict_s=t2 - t1, rows_fitted=bayes.n_rows_,
                       bgnbd_max_rel_diff=float(rel_bg.max()), gg_max_rel_diff=float(rel_gg.max()))
        return {"figures": figures}
    t0 = time.perf_counter()
    model = clv.CLVModel.from_settings(settings).fit(summary)
    t1 = time.perf_counter()
    pred = model.predict(summary, params.clv.get("horizons_days", [90, 365]))
    t2 = time.perf_counter()
    choice = clv.choose_model(orders, params.as_of, {**params.clv, "model": "auto"})
    t3 = time.perf_counter()
    stages = rfm.stage_scenario(summary, params.thresholds)
    boot = clv.bootstrap(model, summary, stages, draws=200, horizons_days=params.clv.get("horizons_days", [90, 365]))
    t4 = time.perf_counter()
    clv.customer_intervals(model, summary, boot)
    t5 = time.perf_counter()
    clv.next_order_dates(model, summary, params.as_of)
    t6 = time.perf_counter()
    figures.update(choose_s=t3 - t2, chosen_model=clv.AUTO_CANDIDATES.index(choice.model),
                   bootstrap_s=t4 - t3, bootstrap_failed=boot.failed, select_and_bootstrap_s=t4 - t2,
                   customer_intervals_s=t5 - t4, next_order_s=t6 - t5,
                   **{f"holdout_mae_{m}": v.metrics["mae"] for m, v in choice.validations.items()})
    figures.update(summary_s=summary_s, fit_s=t1 - t0, predict_s=t2 - t1, rows_fitted=model.n_rows_,
                   clv_total=float(pred["predicted_clv"].sum()),
                   **{k: float(v) for k, v in model.params_.items()})
    return {"figures": figures, "variants": ["lifetimes", "pymc"],
            "compare": [["", "lifetimes", "CLV compressed fit vs uncompressed lifetimes"],
                        ["", "pymc", "CLV lifetimes backend vs PyMC MAP backend"]]}
