"""Customer lifetime value with ``lifetimes``: BG/NBD (or Pareto/NBD, MBG/NBD) plus Gamma-Gamma.

The transaction model is fitted on the customer summary compressed to its unique
(frequency, recency, T) rows with the counts as ``weights`` (Fader & Hardie's trick: the same
likelihood, so the same parameters, from a fraction of the rows); predictions are computed once per
unique row too. Time is counted in calendar days of the shop and fitted in ``time_unit`` (``D`` days or
``W`` weeks = days / 7, the unit of the published CDNOW figures).

When a model cannot be trusted (the optimiser did not converge, too few customers ever came back,
spend depends on purchase frequency, predictions are undefined) :class:`ModelError` says so in plain
words instead of returning numbers.

``lifetimes`` is imported here only. It changes pandas' ``mode.chained_assignment`` option and the
warning filters at import and on every fit, and prints from ``fit`` on failure: :func:`import_lifetimes` and
:func:`_contained` undo or capture all of that.

Settings (``clv`` section of the shop params): ``model`` (bgnbd | pareto_nbd | mbgnbd), ``time_unit``
(D | W), ``discount_rate`` (annual), ``penalizer``, ``calibration_end`` (validation split date; null =
the last third of the history is the holdout), ``horizons_days``, ``spend_model`` (gamma_gamma | aov),
``min_repeat_customers``, ``max_fm_correlation``, ``bootstrap_draws`` (parameter draws behind the intervals; 0 = none).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.customers import day_number
from ltvlib.history import OrderHistory

__all__ = [
    "AUTO_CANDIDATES",
    "INTERVAL_LEVELS",
    "ORDER_WINDOWS_DAYS",
    "SHOP",
    "Bootstrap",
    "DEFAULT_SETTINGS",
    "FITTED_SHARE",
    "MODELS",
    "NEXT_ORDER_REASONS",
    "PREDICTION_COLUMNS",
    "CLVModel",
    "RowDraws",
    "CLVReport",
    "ModelChoice",
    "ModelError",
    "Validation",
    "bootstrap",
    "build_report",
    "calibration_holdout",
    "choose_model",
    "compress",
    "customer_intervals",
    "default_calibration_end",
    "fitted_state",
    "import_lifetimes",
    "json_safe",
    "log_likelihood",
    "model_inputs",
    "next_order_dates",
    "narrative",
    "notes_text",
    "order_probabilities",
    "predict_customers",
    "predict_fitted",
    "restore_draws",
    "restore_fitted",
    "rf_matrix",
    "segment_clv",
    "stage_names",
    "validate",
    "validation_table",
]

MODELS = {"bgnbd": "BetaGeoFitter", "pareto_nbd": "ParetoNBDFitter", "mbgnbd": "ModifiedBetaGeoFitter"}
MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "mbgnbd": "MBG/NBD"}
TIME_UNITS = {"D": 1.0, "W": 7.0}
AUTO_CANDIDATES = ("bgnbd", "mbgnbd", "pareto_nbd")  # clv.model: auto compares these on the holdout, in this order on a tie
PARETO_WARM_START_ROWS = 20_000  # above this many unique rows, lifetimes' Nelder-Mead starts from a gradient fit
AUTO_FALLBACK = "bgnbd"  # what clv.model: auto fits when no holdout comparison was made (CLVModel.from_settings)
DEFAULT_SETTINGS: dict[str, Any] = {
    "model": "auto", "time_unit": "W", "discount_rate": 0.10, "penalizer": 0.0, "calibration_end": None,
    "horizons_days": [90, 365], "spend_model": "gamma_gamma", "min_repeat_customers": 50,
    "max_fm_correlation": 0.3, "bootstrap_draws": 200,
}
PREDICTION_COLUMNS = {
    "p_alive": "probability that the customer is still active (has not silently dropped out)",
    "expected_purchases_<h>d": "expected purchase days in the next h days, for each h in horizons_days",
    "expected_order_value": "Gamma-Gamma expected spend per future purchase (the customer's aov when they "
                            "have no positive repeat spend, or with spend_model: aov)",
    "predicted_clv": "expected net revenue over the longest horizon, discounted at discount_rate a year",
    "value_source": "gamma_gamma or aov: where expected_order_value comes from",
}
FITTED_SHARE = "clv_model"  # name under which a run's CLV page shares its fit (fitted_state; ltvlib.context)
_STEP_DAYS = 30  # CLV sums expected purchases in steps of about a month, each discounted at its end


class ModelError(ValueError):
    """The CLV model cannot be trusted for this shop; one plain sentence says what is missing and what would make
    it possible.

    ``key`` names the sentence's template in ``ltvlib/labels/clv.py`` and ``facts`` fill it (already formatted);
    ``str(error)`` is the English sentence, ``error.text("ja")`` the Japanese one.
    """

    def __init__(self, key: str, **facts: object) -> None:
        self.key = key
        self.facts = facts
        super().__init__(self.text("en"))

    def text(self, language: str, audience: str | None = None) -> str:
        """The sentence in ``language`` ('en' or 'ja'); for the ``client`` audience without params keys."""
        from ltvlib.labels import say

        return say(self.key, language, audience=audience, **self.facts)


def import_lifetimes() -> Any:
    """The ``lifetimes`` package, imported with what its import changes globally undone (a pandas option,
    warning filters). Every use of lifetimes in ltvlib goes through here."""
    chained = pd.get_option("mode.chained_assignment")
    try:
        with warnings.catch_warnings():  # restores the filters lifetimes' modules add at import
            import lifetimes
            import lifetimes.utils  # noqa: F401  (the module that sets the pandas option)
    finally:
        pd.set_option("mode.chained_assignment", chained)
    return lifetimes


@contextlib.contextmanager
def _contained() -> Iterator[list]:
    """Run lifetimes code: its warning-filter changes undone, warnings recorded, its prints captured."""
    chained = pd.get_option("mode.chained_assignment")
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        try:
            with np.errstate(all="ignore"):
                yield caught
        finally:
            pd.set_option("mode.chained_assignment", chained)


_TOLERANCES = (1e-7, 1e-6, 1e-5)


def _fit_lifetimes(lt: Any, fitter: Any, *args: np.ndarray, fit_options: Any = None,
                   **kwargs: Any) -> tuple[int, float]:
    """``fitter.fit(*args, **kwargs)`` inside :func:`_contained`, with a gradient tolerance of 1e-7 (lifetimes'
    default), then 1e-6 and 1e-5 if the optimiser stops on rounding ("precision loss") before reaching it.
    ``fit_options(tol)`` gives extra optimiser options for a tolerance (see :func:`_compression_scaling`).

    Returns (warnings raised, tolerance met); re-raises lifetimes' ConvergenceError if none is met.
    """
    def extra(tol: float) -> dict[str, Any]:
        return fit_options(tol) if fit_options is not None else {}

    for tol in _TOLERANCES[:-1]:
        try:
            with _contained() as caught:
                fitter.fit(*args, tol=tol, **kwargs, **extra(tol))
            return len(caught), tol
        except lt.utils.ConvergenceError:
            continue
    with _contained() as caught:
        fitter.fit(*args, tol=_TOLERANCES[-1], **kwargs, **extra(_TOLERANCES[-1]))
    return len(caught), _TOLERANCES[-1]


def _compression_scaling(model: str, weights: np.ndarray, penalizer: float) -> tuple[float, Any]:
    """The penalizer to give lifetimes' fitter for weighted (compressed) rows, and per-tolerance optimiser options,
    so that the fit equals the one on one row per customer.

    BetaGeoFitter, ModifiedBetaGeoFitter and GammaGammaFitter minimise ``-sum(w * ll) / sum(w) + pen * |θ|²``:
    ``sum(w)`` is the customer count with or without compression, so nothing changes. ParetoNBDFitter minimises
    ``-sum(w * ll) / mean(w) + pen * |θ|²``: uncompressed ``mean(w) = 1``; compressed ``mean(w) = m`` (customers /
    rows), so with ``pen / m`` its objective is exactly the uncompressed one divided by ``m``. Nelder-Mead's moves
    depend only on the order of objective values, but its stop test ``fatol`` is absolute: it is divided by ``m``
    too, so both runs take the same steps and stop at the same point.
    """
    if model != "pareto_nbd" or not len(weights):
        return penalizer, None
    m = float(np.mean(weights))
    return penalizer / m, lambda tol: {"fatol": tol / m, "xatol": tol}


def _pareto_start(rows: pd.DataFrame, scale: float, penalizer: float) -> np.ndarray:
    """Where lifetimes' Pareto/NBD fit (Nelder-Mead, no gradient) starts: at ones, as lifetimes' own examples, and
    above ``PARETO_WARM_START_ROWS`` unique rows at the minimum of the same objective (lifetimes'
    ``_negative_log_likelihood``) found by L-BFGS-B in log-parameters; lifetimes' fit then takes one Nelder-Mead
    step from it (to record the fit as its own) and :func:`_pareto_at_minimum` checks it: at 1,000,000 customers
    a fit takes about 13 s instead of a minute, and ends where the cold start ends (tested)."""
    if len(rows) <= PARETO_WARM_START_ROWS:
        return np.ones(4)
    import lifetimes as lt
    from scipy.optimize import minimize

    T = rows["T"].to_numpy() / scale
    sc = lt.utils._scale_time(T)  # lifetimes' own scaling of recency and T inside fit
    w = rows["weights"].to_numpy()
    args = (rows["frequency"].to_numpy(), rows["recency"].to_numpy() / scale * sc, T * sc, w, penalizer)
    nll = lt.ParetoNBDFitter._negative_log_likelihood
    norm = float(np.mean(w) / np.sum(w))  # the objective per customer: gradients of order one
    with _contained():
        out = minimize(lambda x: nll(np.exp(x), *args) * norm, np.zeros(4), method="L-BFGS-B",
                       options={"ftol": 1e-14, "gtol": 1e-9})
    start = np.exp(out.x)
    return start if np.all(np.isfinite(start)) else np.ones(4)


def _pareto_at_minimum(fitter: Any, rows: pd.DataFrame, scale: float, penalizer: float) -> bool:
    """Whether a Pareto/NBD fit sits at a minimum of its likelihood: lifetimes fits it with Nelder-Mead and
    never says when the optimiser gave up, so every parameter is nudged by 1% both ways and none may do better."""
    sc = fitter._scale
    r, alpha, s, beta = fitter.params_[["r", "alpha", "s", "beta"]].to_numpy(float)
    x0 = np.array([r, alpha * sc, s, beta * sc])
    args = (rows["frequency"].to_numpy(), rows["recency"].to_numpy() / scale * sc, rows["T"].to_numpy() / scale * sc,
            rows["weights"].to_numpy(), penalizer)
    with _contained():
        f0 = fitter._negative_log_likelihood(x0, *args)
        for i in range(4):
            for step in (1.01, 0.99):
                x = x0.copy()
                x[i] *= step
                if fitter._negative_log_likelihood(x, *args) < f0 - 1e-9 * abs(f0):
                    return False
    return bool(np.isfinite(f0))


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    s = {**DEFAULT_SETTINGS, **{k: v for k, v in (settings or {}).items() if v is not None or k == "calibration_end"}}
    if s["model"] not in MODELS and s["model"] != "auto":
        raise ValueError(f"clv.model must be auto or one of {sorted(MODELS)}, got {s['model']!r}")
    if s["time_unit"] not in TIME_UNITS:
        raise ValueError(f"clv.time_unit must be D (days) or W (weeks), got {s['time_unit']!r}")
    if s["spend_model"] not in ("gamma_gamma", "aov"):
        raise ValueError(f"clv.spend_model must be gamma_gamma or aov, got {s['spend_model']!r}")
    hz = s["horizons_days"]
    if not (isinstance(hz, (list, tuple)) and hz and all(isinstance(h, int) and h > 0 for h in hz)):
        raise ValueError(f"clv.horizons_days must be a list of positive whole days, got {hz!r}")
    bd = s["bootstrap_draws"]
    if isinstance(bd, bool) or not isinstance(bd, int) or bd < 0:
        raise ValueError(f"clv.bootstrap_draws must be a whole number, 0 (no intervals) or more, got {bd!r}")
    return s


def model_inputs(summary: pd.DataFrame, time_unit: str = "W") -> pd.DataFrame:
    """frequency, recency, T (in ``time_unit``) and monetary_value from a customer summary (days)."""
    scale = TIME_UNITS[time_unit]
    return pd.DataFrame({"frequency": summary["frequency"].to_numpy(np.int64),
                         "recency": summary["recency"].to_numpy(float) / scale,
                         "T": summary["T"].to_numpy(float) / scale,
                         "monetary_value": summary["monetary_value"].to_numpy(float)}, index=summary.index)


def compress(summary: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Unique (frequency, recency, T) rows of a summary (integer days) with their customer counts.

    Returns (frame with columns frequency, recency, T, weights; ``inverse`` such that
    ``frame.iloc[inverse]`` gives back one row per customer, in the summary's order).
    """
    f = summary["frequency"].to_numpy(np.int64)
    r = summary["recency"].to_numpy(np.int64)
    t = summary["T"].to_numpy(np.int64)
    if len(f) and (f.min() < 0 or r.min() < 0 or t.min() < 0 or max(r.max(), t.max()) >= 1 << 21
                   or f.max() >= 1 << 21):
        raise ValueError("frequency, recency and T must be whole numbers of days between 0 and 2,000,000")
    key = (f << 42) | (r << 21) | t
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    mask = (1 << 21) - 1
    frame = pd.DataFrame({"frequency": uniq >> 42, "recency": (uniq >> 21) & mask, "T": uniq & mask,
                          "weights": counts.astype(np.int64)})
    return frame, inverse.reshape(-1)


def _check_summary(summary: pd.DataFrame, as_of: dt.date | str | None) -> None:
    need = {"frequency", "recency", "T", "monetary_value", "aov"}
    missing = sorted(need - set(summary.columns))
    if missing:
        raise ValueError(f"summary lacks columns {missing}; build it with ltvlib.customers.customer_summary")
    if as_of is not None and "first_order_at" in summary and len(summary):
        first = summary["first_order_at"].iloc[0]
        days = (pd.Timestamp(as_of).date() - first.date()).days
        if days != int(summary["T"].iloc[0]):
            raise ValueError(f"the summary was not built as of {as_of}: T of its first customer is "
                             f"{int(summary['T'].iloc[0])} days, not {days}")


class CLVModel:
    """Transaction model (BG/NBD, Pareto/NBD or MBG/NBD) plus spend model, in the scikit-learn shape.

    ``fit(summary)`` sets ``params_`` (transaction model), ``spend_params_`` (Gamma-Gamma p, q, v or None),
    ``fm_correlation_``, ``n_customers_``, ``n_rows_`` (unique rows fitted), ``n_repeat_``, ``tol_`` (gradient
    tolerance the optimiser met), ``warnings_`` (numerical warnings lifetimes raised) and ``notes_`` (codes of remarks, read out by :func:`notes_text`); it raises
    :class:`ModelError` when the fit cannot be trusted. ``penalizer`` applies to both models (to the spend
    model's parameters in units of the mean spend).
    """

    def __init__(self, model: str = "bgnbd", time_unit: str = "W", penalizer: float = 0.0,
                 discount_rate: float = 0.10, spend_model: str = "gamma_gamma", min_repeat_customers: int = 50,
                 max_fm_correlation: float = 0.3, compressed: bool = True) -> None:
        self.model = model
        self.time_unit = time_unit
        self.penalizer = penalizer
        self.discount_rate = discount_rate
        self.spend_model = spend_model
        self.min_repeat_customers = min_repeat_customers
        self.max_fm_correlation = max_fm_correlation
        self.compressed = compressed

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> CLVModel:
        """A model configured from the ``clv`` params section (defaults for missing keys)."""
        s = _settings(settings)
        return cls(model=AUTO_FALLBACK if s["model"] == "auto" else s["model"], time_unit=s["time_unit"], penalizer=float(s["penalizer"]),
                   discount_rate=float(s["discount_rate"]), spend_model=s["spend_model"],
                   min_repeat_customers=int(s["min_repeat_customers"]),
                   max_fm_correlation=float(s["max_fm_correlation"]))

    # -- fitting ----------------------------------------------------------------------------------
    def fit(self, summary: pd.DataFrame) -> CLVModel:
        """Fit the transaction model (and Gamma-Gamma) on a customer summary; returns ``self``."""
        _settings({"model": self.model, "time_unit": self.time_unit, "spend_model": self.spend_model})
        _check_summary(summary, None)
        lt = import_lifetimes()
        scale = TIME_UNITS[self.time_unit]
        self.notes_: list[str] = []
        self.n_customers_ = int(len(summary))
        self.n_repeat_ = self._check_repeaters(summary)
        if self.compressed:
            rows, _ = compress(summary)
        else:
            rows = pd.DataFrame({"frequency": summary["frequency"].to_numpy(np.int64),
                                 "recency": summary["recency"].to_numpy(np.int64),
                                 "T": summary["T"].to_numpy(np.int64), "weights": np.ones(len(summary), np.int64)})
        self.n_rows_ = int(len(rows))
        # The penalizer must mean the same with and without compression. lifetimes' BG/NBD, MBG/NBD and Gamma-Gamma
        # divide the weighted log-likelihood by the SUM of the weights (the customer count either way), so their
        # objective is unchanged; its Pareto/NBD divides by the MEAN weight (1 uncompressed, customers / rows
        # compressed), so there the penalizer (and Nelder-Mead's absolute tolerance on the objective) is divided by
        # that mean too: the compressed objective is then the uncompressed one / mean weight, the same minimum.
        penalizer, fit_options = _compression_scaling(self.model, rows["weights"].to_numpy(), self.penalizer)
        fitter = getattr(lt, MODELS[self.model])(penalizer_coef=penalizer)
        kwargs: dict[str, Any] = {}
        if self.model == "pareto_nbd":  # lifetimes would draw random starting values
            kwargs["initial_params"] = _pareto_start(rows, scale, penalizer)
            if len(rows) > PARETO_WARM_START_ROWS:  # started at the minimum: lifetimes' fit records it (one step)
                kwargs["maxiter"] = 1
        name = MODEL_NAMES[self.model]
        try:
            self.warnings_, self.tol_ = _fit_lifetimes(
                lt, fitter, rows["frequency"].to_numpy(), rows["recency"].to_numpy() / scale,
                rows["T"].to_numpy() / scale, weights=rows["weights"].to_numpy(), fit_options=fit_options, **kwargs)
            if self.model == "pareto_nbd" and not _pareto_at_minimum(fitter, rows, scale, penalizer):
                raise lt.utils.ConvergenceError("Nelder-Mead stopped away from a minimum")
        except lt.utils.ConvergenceError:
            raise ModelError("clv_not_converged", model=name) from None
        params = fitter.params_.astype(float)
        if not np.all(np.isfinite(params.to_numpy())) or np.any(params.to_numpy() <= 0):
            raise ModelError("clv_invalid_params", model=name, params=_fmt_params(params))
        self.fitter_ = fitter
        self.params_ = params
        if self.tol_ > _TOLERANCES[0]:
            self.notes_.append("loose_tolerance")
        se = getattr(fitter, "standard_errors_", None)
        if se is not None and not (np.all(np.isfinite(se.to_numpy())) and np.all(se.to_numpy() < 5 * params.to_numpy())):
            self.notes_.append("weakly_identified")
        self._fit_spend(summary, lt)
        return self

    def _check_repeaters(self, summary: pd.DataFrame) -> int:
        """The number of repeat buyers; :class:`ModelError` when fewer than ``min_repeat_customers``."""
        n_repeat = int((summary["frequency"] > 0).sum())
        if n_repeat < self.min_repeat_customers:
            raise ModelError("clv_too_few_repeat", have=f"{n_repeat:,}", total=f"{len(summary):,}",
                             needed=f"{self.min_repeat_customers:,}")
        return n_repeat

    def _fit_spend(self, summary: pd.DataFrame, lt: Any) -> None:
        self.spend_params_ = None
        rep = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0), ["frequency", "monetary_value"]]
        varies = len(rep) > 2 and rep["frequency"].nunique() > 1 and rep["monetary_value"].nunique() > 1
        self.fm_correlation_ = float(rep["frequency"].corr(rep["monetary_value"])) if varies else float("nan")
        if self.spend_model == "aov":
            self.notes_.append("aov")
            return
        if len(rep) < self.min_repeat_customers:
            raise ModelError("clv_too_few_spend", have=f"{len(rep):,}", needed=f"{self.min_repeat_customers:,}")
        if abs(self.fm_correlation_) > self.max_fm_correlation:
            up = self.fm_correlation_ > 0
            raise ModelError("clv_fm_correlation", direction="more" if up else "less",
                             direction_ja="高い" if up else "低い", corr=f"{self.fm_correlation_:+.2f}",
                             limit=f"{self.max_fm_correlation:.2f}")
        # compress (frequency, monetary value) pairs: identical pairs share one likelihood term. Spend is
        # fitted in units of its mean (p and q are unchanged, v scales): in yen, v runs into the hundreds of
        # thousands and the optimiser stalls on rounding ("precision loss") long before the optimum.
        pairs = rep.groupby(["frequency", "monetary_value"], sort=False).size().rename("weights").reset_index()
        unit = float(rep["monetary_value"].mean())
        gg = lt.GammaGammaFitter(penalizer_coef=self.penalizer)
        try:
            _, self.spend_tol_ = _fit_lifetimes(lt, gg, pairs["frequency"].to_numpy(),
                                                pairs["monetary_value"].to_numpy() / unit,
                                                weights=pairs["weights"].to_numpy())
        except lt.utils.ConvergenceError:
            raise ModelError("clv_spend_not_converged") from None
        p = gg.params_.astype(float)
        p["v"] *= unit
        self.spend_se_ = gg.standard_errors_.astype(float) * pd.Series({"p": 1.0, "q": 1.0, "v": unit})
        if not np.all(np.isfinite(p.to_numpy())) or p["q"] <= 1:
            raise ModelError("clv_spend_infinite", q=f"{p['q']:.3g}")
        self.spend_params_ = p

    # -- predictions ------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise ValueError("the model is not fitted yet: call fit(summary) first")

    def _expected(self, t_days: float | np.ndarray, f: np.ndarray, r: np.ndarray, T: np.ndarray) -> np.ndarray:
        scale = TIME_UNITS[self.time_unit]
        with _contained():
            out = self.fitter_.conditional_expected_number_of_purchases_up_to_time(
                np.asarray(t_days, dtype=float) / scale, f, r / scale, T / scale)
        return np.asarray(out, dtype=float)

    def _p_alive(self, f: np.ndarray, r: np.ndarray, T: np.ndarray) -> np.ndarray:
        scale = TIME_UNITS[self.time_unit]
        with _contained():
            out = self.fitter_.conditional_probability_alive(f, r / scale, T / scale)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(f)).copy()

    def unconditional_expected(self, t_days: np.ndarray) -> np.ndarray:
        """Expected repeat purchases in ``t_days`` days after a first purchase, for a new customer."""
        self._check_fitted()
        scale = TIME_UNITS[self.time_unit]
        t = np.asarray(t_days, dtype=float) / scale
        out = np.zeros_like(t)
        pos = t > 0
        with _contained():
            out[pos] = self.fitter_.expected_number_of_purchases_up_to_time(t[pos])
        return out

    def predict(self, summary: pd.DataFrame, horizons_days: Sequence[int] = (90, 365)) -> pd.DataFrame:
        """Per customer (index as ``summary``): the columns of ``PREDICTION_COLUMNS``."""
        self._check_fitted()
        _check_summary(summary, None)
        rows, inverse = compress(summary)
        f = rows["frequency"].to_numpy()
        r = rows["recency"].to_numpy(float)
        T = rows["T"].to_numpy(float)
        out = pd.DataFrame(index=summary.index)
        out["p_alive"] = self._p_alive(f, r, T)[inverse]
        expected, disc = self._row_values(f, r, T, horizons_days)
        for h in horizons_days:
            out[f"expected_purchases_{h}d"] = expected[h][inverse]
        out["expected_order_value"], out["value_source"] = self._order_value(summary)
        out["predicted_clv"] = out["expected_order_value"].to_numpy() * disc[inverse]
        bad = ~np.isfinite(out.drop(columns="value_source").to_numpy(dtype=float)).all(axis=1)
        bad |= (out["p_alive"] < 0).to_numpy() | (out["p_alive"] > 1 + 1e-9).to_numpy()
        if bad.any():
            raise ModelError("clv_undefined_predictions", model=MODEL_NAMES[self.model], count=f"{int(bad.sum()):,}")
        return out[[c for c in out.columns if c != "value_source"] + ["value_source"]]

    def _row_values(self, f: np.ndarray, r: np.ndarray, T: np.ndarray, horizons_days: Sequence[int]
                    ) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """Per (frequency, recency, T) row in days: expected purchases per horizon, and the discounted expected
        purchases over the longest horizon (summed in steps of about a month, each discounted at its end)."""
        expected = {h: self._expected(float(h), f, r, T) for h in horizons_days}
        horizon = max(horizons_days)
        steps = max(1, math.ceil(horizon / _STEP_DAYS))
        edges = horizon * np.arange(steps + 1) / steps
        cum = np.zeros(len(f))
        disc = np.zeros(len(f))
        for t in edges[1:]:
            now = expected[horizon] if t == horizon else self._expected(float(t), f, r, T)
            disc += (now - cum) / (1.0 + self.discount_rate) ** (t / 365.0)
            cum = now
        return expected, disc

    def _order_value(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        aov = summary["aov"].to_numpy(float)
        if self.spend_params_ is None:
            return aov, np.full(len(aov), "aov", dtype=object)
        p, q, v = self.spend_params_[["p", "q", "v"]]
        x = summary["frequency"].to_numpy(float)
        m = summary["monetary_value"].to_numpy(float)
        use = (x > 0) & (m > 0)
        w = p * x / (p * x + q - 1)
        gg = (1 - w) * (v * p / (q - 1)) + w * m  # Fader & Hardie (2013), eq. 5
        return np.where(use, gg, aov), np.where(use, "gamma_gamma", "aov").astype(object)

    def with_params(self, params: pd.Series, spend: pd.Series | None = None) -> CLVModel:
        """A copy predicting with other transaction-model parameters (and Gamma-Gamma ones, when given): a bootstrap
        draw's model; the fit's facts stay as they are."""
        self._check_fitted()
        m = copy.copy(self)
        m.fitter_ = copy.copy(self.fitter_)
        m.fitter_.params_ = m.params_ = params
        if spend is not None:
            m.spend_params_ = spend
        return m

    @property
    def p_alive_for_one_time_buyers(self) -> bool:
        """Whether the model's P(alive) says anything about one-time buyers: BG/NBD sets it to 1 for every
        customer with frequency 0, however long ago they bought; MBG/NBD and Pareto/NBD let them drop out too."""
        return self.model != "bgnbd"

    def p_alive_shown(self, summary: pd.DataFrame) -> np.ndarray:
        """Customers whose P(alive) a report shows: everyone, or with BG/NBD the repeat buyers (frequency > 0)."""
        f = summary["frequency"].to_numpy()
        return np.ones(len(f), bool) if self.p_alive_for_one_time_buyers else f > 0

    def parameter_table(self) -> pd.DataFrame:
        """Fitted parameters of both models: columns model, parameter, estimate, std_error (NaN if unknown)."""
        self._check_fitted()
        se = getattr(self.fitter_, "standard_errors_", None)
        rows = [(MODEL_NAMES[self.model], k, float(v), float(se[k]) if se is not None else np.nan)
                for k, v in self.params_.items()]
        if self.spend_params_ is not None:
            rows += [("Gamma-Gamma", k, float(v), float(self.spend_se_[k])) for k, v in self.spend_params_.items()]
        return pd.DataFrame(rows, columns=["model", "parameter", "estimate", "std_error"])

    def population_order_value(self) -> float | None:
        """Gamma-Gamma mean spend per purchase of the population (None without a spend model)."""
        if self.spend_params_ is None:
            return None
        p, q, v = self.spend_params_[["p", "q", "v"]]
        return float(p * v / (q - 1))


    # -- saving and loading a fitted model -------------------------------------------------------------
    _CONFIG = ("model", "time_unit", "penalizer", "discount_rate", "spend_model", "min_repeat_customers",
               "max_fm_correlation", "compressed")

    def to_dict(self) -> dict[str, Any]:
        """The fitted model as JSON-ready values (configuration, parameters, fit facts); :meth:`from_dict`
        gives back a model whose predictions are equal to this one's (floats round-trip exactly)."""
        self._check_fitted()
        se = getattr(self.fitter_, "standard_errors_", None)
        spend_se = getattr(self, "spend_se_", None)

        def series(x: pd.Series | None) -> list[list[Any]] | None:
            return None if x is None else [[str(k), _json_float(v)] for k, v in x.items()]

        return {"config": {k: getattr(self, k) for k in self._CONFIG},
                "params": series(self.params_), "standard_errors": series(se),
                "spend_params": series(self.spend_params_), "spend_standard_errors":
                    series(spend_se) if self.spend_params_ is not None else None,
                "fit": {"n_customers": self.n_customers_, "n_rows": self.n_rows_, "n_repeat": self.n_repeat_,
                        "tol": _json_float(self.tol_), "fm_correlation": _json_float(self.fm_correlation_),
                        "notes": list(self.notes_), "warnings": int(self.warnings_)}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CLVModel:
        """A fitted model from :meth:`to_dict` (no fitting: lifetimes' fitter gets the saved parameters)."""
        def series(rows: Any) -> pd.Series | None:
            if rows is None:
                return None
            return pd.Series({k: np.nan if v is None else float(v) for k, v in rows}, dtype=float)

        model = cls(**data["config"])
        lt = import_lifetimes()
        model.fitter_ = getattr(lt, MODELS[model.model])(penalizer_coef=model.penalizer)
        model.params_ = series(data["params"])
        model.fitter_.params_ = model.params_.copy()
        if data.get("standard_errors") is not None:
            model.fitter_.standard_errors_ = series(data["standard_errors"])
        model.spend_params_ = series(data.get("spend_params"))
        if data.get("spend_standard_errors") is not None:
            model.spend_se_ = series(data["spend_standard_errors"])
        fit = data["fit"]
        model.n_customers_, model.n_rows_, model.n_repeat_ = fit["n_customers"], fit["n_rows"], fit["n_repeat"]
        model.tol_ = np.nan if fit["tol"] is None else float(fit["tol"])
        model.fm_correlation_ = np.nan if fit["fm_correlation"] is None else float(fit["fm_correlation"])
        model.notes_, model.warnings_ = list(fit["notes"]), int(fit["warnings"])
        return model


def _json_float(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _settings_json(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings as they read back from JSON (dates as ISO text), for comparing a saved fit's settings."""
    import json

    return json.loads(json.dumps(json_safe(_settings(settings)), default=str))


def fitted_state(model: CLVModel | None, error: ModelError | None, settings: Mapping[str, Any],
                 as_of: dt.date | str, draws: pd.DataFrame | None = None) -> dict[str, Any]:
    """What a page fitted, for another page of the same run (:func:`restore_fitted`, :func:`restore_draws`): the
    model (or the :class:`ModelError` that stopped it), the bootstrap's kept parameter draws (``Bootstrap.params``)
    if any, the settings and ``as_of`` it was fitted with."""
    return {"as_of": str(pd.Timestamp(as_of).date()), "settings": _settings_json(settings),
            "model": None if model is None else model.to_dict(),
            "error": None if error is None else {"key": error.key, "facts": {k: str(v) for k, v in error.facts.items()}},
            "draws": None if draws is None else {"columns": [str(c) for c in draws.columns],  # null: not finite
                                                 "rows": [[_json_float(v) for v in row] for row in draws.to_numpy()]}}


def restore_draws(state: Mapping[str, Any] | None, settings: Mapping[str, Any], as_of: dt.date | str
                  ) -> pd.DataFrame | None:
    """The parameter draws of :func:`fitted_state` (one row per draw, as ``Bootstrap.params``; NaN where a draw's
    parameter overflowed) when the model was fitted with these ``settings`` as of ``as_of``; None when there are
    none."""
    if not isinstance(restore_fitted(state, settings, as_of), CLVModel) or not state.get("draws"):
        return None
    return pd.DataFrame(state["draws"]["rows"], columns=state["draws"]["columns"], dtype=float)


def restore_fitted(state: Mapping[str, Any] | None, settings: Mapping[str, Any], as_of: dt.date | str
                   ) -> CLVModel | ModelError | None:
    """The model (or the error) of :func:`fitted_state` when it was fitted with these ``settings`` (the params'
    ``clv`` section) as of ``as_of``; None when there is none to reuse (fit it then)."""
    if not state or state.get("as_of") != str(pd.Timestamp(as_of).date()) \
            or state.get("settings") != _settings_json(settings):
        return None
    if state.get("model") is not None:
        return CLVModel.from_dict(state["model"])
    if state.get("error") is not None:
        return ModelError(state["error"]["key"], **state["error"]["facts"])
    return None


def predict_fitted(model: CLVModel, summary: pd.DataFrame, settings: Mapping[str, Any], as_of: dt.date | str
                   ) -> pd.DataFrame:
    """:func:`predict_customers` with a model already fitted on this summary (one fit per run)."""
    _check_summary(summary, as_of)
    return model.predict(summary, _settings(settings)["horizons_days"])


def _fmt_params(params: pd.Series) -> str:
    return ", ".join(f"{k} = {v:.4g}" for k, v in params.items())


def settings_chosen(settings: Mapping[str, Any], as_of: dt.date | str, figures: Mapping[str, Any] | None
                    ) -> dict[str, Any]:
    """``settings`` with ``model`` set to the one the CLV page of the same run chose (its ``clv.figures.json``,
    read as ``figures``) when the settings leave the choice to ``auto`` and the page is of the same date: a
    run chooses and validates once, and every page uses the same model."""
    s = dict(settings)
    if s.get("model", "auto") == "auto" and figures and figures.get("as_of") == str(pd.Timestamp(as_of).date()) \
            and figures.get("model") in MODELS:
        s["model"] = figures["model"]
    return s


def predict_customers(summary: pd.DataFrame, settings: Mapping[str, Any], as_of: dt.date | str,
                      orders: pd.DataFrame | OrderHistory | None = None) -> pd.DataFrame:
    """Fit the shop's CLV model on ``summary`` (built as of ``as_of``) and predict every customer.

    With ``clv.model: auto`` and the ``orders`` given, the model is the one the CLV page chooses
    (:func:`choose_model`), so every page shows the same P(alive) and CLV; without orders, ``AUTO_FALLBACK``.

    Index customer_key; columns ``p_alive``, ``expected_purchases_<h>d`` per h in
    ``settings['horizons_days']``, ``expected_order_value``, ``predicted_clv`` (discounted, longest
    horizon) and ``value_source``. ``settings`` is ``ShopParams.clv``. Raises :class:`ModelError` when the
    model cannot be trusted.
    """
    s = _settings(settings)
    _check_summary(summary, as_of)
    if s["model"] == "auto" and orders is not None:
        CLVModel.from_settings(s)._check_repeaters(summary)  # too few repeat buyers: no choice to make
        s = {**s, "model": choose_model(orders, as_of, s).model}
    model = CLVModel.from_settings(s).fit(summary)
    return model.predict(summary, s["horizons_days"])


def segment_clv(predictions: pd.DataFrame, labels: pd.Series, p_alive_shown: np.ndarray | None = None) -> pd.DataFrame:
    """Sums and means of the predictions per segment label (empty categories kept).

    Columns: customers, clv_total, clv_share, clv_mean, p_alive_mean, and for each horizon
    ``expected_purchases_<h>d`` (sum) and ``expected_purchases_<h>d_mean``. ``p_alive_shown``
    (:meth:`CLVModel.p_alive_shown`) limits the P(alive) mean to those customers (NaN where a segment has none).
    """
    exp_cols = [c for c in predictions.columns if c.startswith("expected_purchases_")]
    df = predictions[["predicted_clv", "p_alive", *exp_cols]].assign(label=labels, customers=1)
    if p_alive_shown is not None:
        df["p_alive"] = df["p_alive"].where(np.asarray(p_alive_shown, bool))
    g = df.groupby("label", observed=False)
    out = pd.DataFrame({"customers": g["customers"].sum(), "clv_total": g["predicted_clv"].sum()})
    total = out["clv_total"].sum()
    out["clv_share"] = out["clv_total"] / total if total else np.nan
    out["clv_mean"] = g["predicted_clv"].mean()
    out["p_alive_mean"] = g["p_alive"].mean()
    for c in exp_cols:
        out[c] = g[c].sum()
        out[f"{c}_mean"] = g[c].mean()
    out.index.name = None
    return out


def rf_matrix(model: CLVModel, *, kind: str = "p_alive", horizon_days: int = 90, max_frequency: int | None = None,
              max_recency_days: int | None = None, step_days: int | None = None,
              only_shown: bool = False) -> pd.DataFrame:
    """The classic frequency / recency matrix for a customer whose age is the longest recency shown.

    Rows: recency (days from first to last purchase, ascending); columns: frequency 0..max. Values:
    ``p_alive`` or ``expected`` purchases in the next ``horizon_days``. Cells with frequency 0 and
    recency > 0 are impossible and left empty; with ``only_shown`` P(alive) of one-time buyers is left empty
    too where the model does not define it (BG/NBD, see :meth:`CLVModel.p_alive_shown`).
    """
    model._check_fitted()
    fit_data = model.fitter_.data
    scale = TIME_UNITS[model.time_unit]
    max_f = max_frequency if max_frequency is not None else int(np.quantile(fit_data["frequency"], 0.99)) + 1
    max_t = max_recency_days if max_recency_days is not None else int(round(fit_data["T"].max() * scale))
    step = step_days or max(1, int(round(max_t / 40)))
    rec = np.arange(0, max_t + 1, step, dtype=float)
    if rec[-1] != max_t:
        rec = np.append(rec, float(max_t))
    f, r = np.meshgrid(np.arange(max_f + 1), rec)
    T = np.full(f.shape, float(max_t))
    if kind == "p_alive":
        z = model._p_alive(f.ravel(), r.ravel(), T.ravel())
    elif kind == "expected":
        z = model._expected(float(horizon_days), f.ravel(), r.ravel(), T.ravel())
    else:
        raise ValueError("kind must be p_alive or expected")
    z = z.reshape(f.shape)
    z[(f == 0) & (r > 0)] = np.nan
    if only_shown and kind == "p_alive" and not model.p_alive_for_one_time_buyers:
        z[f == 0] = np.nan
    return pd.DataFrame(z, index=pd.Index(rec.astype(np.int64), name="recency_days"),
                        columns=pd.Index(np.arange(max_f + 1), name="frequency"))


# -- validation -------------------------------------------------------------------------------------

def default_calibration_end(orders: pd.DataFrame | OrderHistory, as_of: dt.date | str) -> dt.date:
    """``as_of`` minus a third of the history (first identified order to ``as_of``): the holdout start.
    ``orders``: the orders frame, or their ``OrderHistory`` at ``as_of``."""
    h = _history_at(orders, as_of)
    if not h.n_orders:
        raise ModelError("clv_no_validation_orders")
    first = dt.date(1970, 1, 1) + dt.timedelta(days=int(h.first_day.min()))
    end = pd.Timestamp(as_of).date()
    return end - dt.timedelta(days=(end - first).days // 3)


def calibration_holdout(orders: pd.DataFrame, calibration_end: dt.date | str,
                        observation_end: dt.date | str) -> pd.DataFrame:
    """Customers acquired by ``calibration_end``: their summary then, and what they did afterwards.

    Index customer_key; the columns of ``customer_summary`` at ``calibration_end`` plus
    ``frequency_holdout`` (purchase days after calibration_end up to observation_end),
    ``revenue_holdout`` and ``duration_holdout`` (days).
    """
    cal_end = pd.Timestamp(calibration_end).date()
    obs_end = pd.Timestamp(observation_end).date()
    if obs_end <= cal_end:
        raise ValueError(f"observation_end {obs_end} must be after calibration_end {cal_end}")
    return _calibration_holdout(OrderHistory(orders, as_of=obs_end), cal_end, obs_end)


def _calibration_holdout(h: OrderHistory, cal_end: dt.date, obs_end: dt.date, *, text: bool = True) -> pd.DataFrame:
    cal = h.snapshot(cal_end).summary(text=text)
    n = len(cal)
    later = (h.day > day_number(cal_end)) & (h.code < n)  # the calibration customers are the first n ids
    cal["frequency_holdout"] = np.bincount(h.code[later & h.new_day], minlength=n).astype(np.int64)
    cal["revenue_holdout"] = np.bincount(h.code[later], weights=h.revenue[later], minlength=n)
    cal["duration_holdout"] = (obs_end - cal_end).days
    return cal


@dataclass
class Validation:
    """A calibration / holdout check of the CLV transaction model.

    ``by_frequency``: per calibration frequency (last bin open-ended): customers, actual and predicted
    mean holdout purchases. ``tracking``: per week, actual and expected repeat purchases (incremental and
    cumulative) of the customers acquired in calibration, with ``holdout`` marking weeks after the split.
    ``metrics``: customers, holdout_days, actual, predicted, bias (relative), mae, baseline_mae (naive:
    each customer repeats their calibration rate), tracking_error_end and tracking_mape (cumulative,
    relative, over the holdout weeks), frequency_mae (the gap between predicted and actual mean holdout purchases
    per calibration frequency, averaged over customers: the calibration-vs-holdout chart in one number) and
    log_likelihood (of the calibration fit, in the model's time unit: comparable across the three models).
    """

    calibration_end: dt.date
    observation_end: dt.date
    model: CLVModel
    by_frequency: pd.DataFrame
    tracking: pd.DataFrame
    metrics: dict[str, float]


def _history_at(orders: pd.DataFrame | OrderHistory, as_of: dt.date | str) -> OrderHistory:
    """``orders`` itself when it is an ``OrderHistory`` built at ``as_of``, else the history of the frame."""
    day = pd.Timestamp(as_of).date()
    if isinstance(orders, OrderHistory):
        if orders.as_of != day:
            raise ValueError(f"the OrderHistory was built at {orders.as_of}, not at {day}")
        return orders
    return OrderHistory(orders, as_of=day)


def validate(orders: pd.DataFrame | OrderHistory, as_of: dt.date | str, settings: Mapping[str, Any] | None = None,
             *, calibration_end: dt.date | str | None = None, max_frequency: int = 7) -> Validation:
    """Fit the model on the history up to ``calibration_end`` and compare its holdout predictions with
    what customers actually did up to ``as_of``. Raises :class:`ModelError` when the fit fails. ``orders``: the
    orders frame, or their ``OrderHistory`` at ``as_of`` (``choose_model`` builds it once for all candidates)."""
    s = _settings(settings)
    obs_end = pd.Timestamp(as_of).date()
    history = _history_at(orders, obs_end)
    given = calibration_end or s["calibration_end"]
    cal_end = pd.Timestamp(given or default_calibration_end(history, as_of)).date()
    if not cal_end < obs_end:
        if given:
            raise ModelError("clv_bad_calibration_end", cal_end=str(cal_end), as_of=str(obs_end))
        first = dt.date(1970, 1, 1) + dt.timedelta(days=int(history.first_day.min()))
        raise ModelError("clv_history_too_short", needed=3, have=f"{(obs_end - first).days:,}")
    ch = _calibration_holdout(history, cal_end, obs_end, text=False)  # the model reads figures only
    try:
        model = CLVModel.from_settings({**s, "spend_model": "aov"}).fit(ch)
    except ModelError as e:
        if e.key != "clv_too_few_repeat":
            raise
        raise ModelError("clv_too_few_repeat_cal", cal_end=str(cal_end), **e.facts) from None
    duration = float((obs_end - cal_end).days)
    rows, inverse = compress(ch)
    pred = model._expected(duration, rows["frequency"].to_numpy(), rows["recency"].to_numpy(float),
                           rows["T"].to_numpy(float))[inverse]
    actual = ch["frequency_holdout"].to_numpy(float)
    freq_bin = np.minimum(ch["frequency"].to_numpy(), max_frequency)
    bf = pd.DataFrame({"frequency_cal": freq_bin, "actual": actual, "predicted": pred}).groupby("frequency_cal")
    by_frequency = pd.DataFrame({"customers": bf.size(), "actual": bf["actual"].mean(),
                                 "predicted": bf["predicted"].mean()})
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = np.where(ch["T"] > 0, ch["frequency"] / ch["T"].replace(0, 1) * duration, 0.0)
    tracking = _tracking(history, len(ch), model, cal_end, obs_end)
    hold = tracking.loc[tracking["holdout"]]
    gap = np.abs(by_frequency["predicted"] - by_frequency["actual"])
    act_tot, pred_tot = float(actual.sum()), float(pred.sum())
    end = tracking.iloc[-1]
    metrics = {
        "customers": float(len(ch)),
        "holdout_days": duration,
        "actual": act_tot,
        "predicted": pred_tot,
        "bias": (pred_tot - act_tot) / act_tot if act_tot else float("nan"),
        "mae": float(np.mean(np.abs(pred - actual))),
        "frequency_mae": float((gap * by_frequency["customers"]).sum() / by_frequency["customers"].sum()),
        "log_likelihood": log_likelihood(model, ch),
        "baseline_mae": float(np.mean(np.abs(naive - actual))),
        "tracking_error_end": float((end["cum_predicted"] - end["cum_actual"]) / end["cum_actual"])
        if end["cum_actual"] else float("nan"),
        "tracking_mape": float(np.mean(np.abs(hold["cum_predicted"] - hold["cum_actual"])
                                       / hold["cum_actual"].replace(0, np.nan))) if len(hold) else float("nan"),
    }
    return Validation(cal_end, obs_end, model, by_frequency, tracking, metrics)


def _tracking(h: OrderHistory, n: int, model: CLVModel, cal_end: dt.date, obs_end: dt.date) -> pd.DataFrame:
    """Weekly actual vs expected repeat purchase days of the calibration customers (the first ``n`` ids of
    ``h``): the tracking plot."""
    epoch = dt.date(1970, 1, 1)
    code, day, rank = h.purchase_days
    repeat_days = day[(code < n) & (rank > 0)]
    first_days = h.first_day[:n]
    start = int(first_days.min())
    end = (obs_end - epoch).days
    cuts = np.arange(end, start - 7, -7)[::-1]  # whole weeks ending on observation_end (the first may start early)
    u, n = np.unique(first_days, return_counts=True)
    elapsed = cuts[None, :] - u[:, None]  # days since each acquisition day at the end of each week
    expected = (model.unconditional_expected(elapsed.ravel().astype(float)).reshape(elapsed.shape) * n[:, None]).sum(0)
    actual = np.searchsorted(np.sort(repeat_days), cuts, side="right").astype(float)
    out = pd.DataFrame({
        "week_end": [epoch + dt.timedelta(days=int(c)) for c in cuts],
        "actual": np.diff(actual, prepend=0.0), "predicted": np.diff(expected, prepend=0.0),
        "cum_actual": actual, "cum_predicted": expected,
    })
    out["holdout"] = cuts > (cal_end - epoch).days
    return out


def _pct(x: float) -> str:
    return f"{x:.0%}"


def narrative(predictions: pd.DataFrame, summary: pd.DataFrame, segments: pd.DataFrame | None,
              validation: Validation | None, model: CLVModel, language: str, *, currency: str = "",
              horizon_days: int = 365, names: Mapping[str, str] | None = None) -> str:
    """Markdown prose reading the CLV numbers in ``language`` ('en' or 'ja').

    ``summary`` is the customer summary the predictions came from; ``segments`` ``segment_clv``; ``names`` the
    display names of the segments (default ``ltvlib.labels.label``). Undefined figures (no repeat buyer, no
    holdout purchase) leave their sentence out or say so; no number is ever NaN.
    """
    from ltvlib.labels import label, say

    ja = language == "ja"
    n = len(predictions)
    if not n:
        return ""
    summary = summary.loc[predictions.index]
    total = float(predictions["predicted_clv"].sum())
    freq = summary["frequency"].to_numpy()
    col = f"expected_purchases_{horizon_days}d"
    exp_cols = [c for c in predictions.columns if c.startswith("expected_purchases_")]
    purchases = float(predictions[col if col in predictions else exp_cols[-1]].sum())
    name = MODEL_NAMES[model.model]
    lines = [
        f"- {name}モデルによると、{n:,}人の顧客は今後{horizon_days}日で合計 **{purchases:,.0f}回** 購入し、"
        f"割引後の予測売上（CLV）は **{total:,.0f} {currency}**（1人あたり {total / n:,.0f} {currency}）です。" if ja else
        f"- The {name} model expects the {n:,} customers to make **{purchases:,.0f} purchases** in the next "
        f"{horizon_days} days, worth **{total:,.0f} {currency}** discounted (predicted CLV; "
        f"{total / n:,.0f} {currency} per customer).",
    ]
    rep = freq > 0
    if rep.any() and total > 0:
        alive = float((predictions["p_alive"].to_numpy()[rep] >= 0.5).mean())
        top = predictions["predicted_clv"].sort_values(ascending=False)
        top_share = float(top.head(max(1, n // 10)).sum() / total)
        lines.append(
            f"- リピート購入のある顧客のうち、まだ購入を続けている確率（P(alive)）が50%以上なのは **{_pct(alive)}**。"
            f"予測CLV上位10%の顧客が予測売上の **{_pct(top_share)}** を占めます。" if ja else
            f"- Of the customers who have bought again, **{_pct(alive)}** are more likely alive than not (P(alive) of "
            f"50% or more); the top 10% by predicted CLV hold **{_pct(top_share)}** of it.")
    one = ~rep
    if one.any():
        if model.p_alive_for_one_time_buyers:
            mean = _pct(float(predictions["p_alive"].to_numpy()[one].mean()))
            lines.append("- " + say("clv_p_alive_all", language, model=name, count=f"{int(one.sum()):,}", mean=mean))
        else:
            lines.append("- " + say("clv_p_alive_repeat_only", language, model=name, count=f"{int(one.sum()):,}"))
    if segments is not None and len(segments) and float(segments["clv_total"].max()) > 0:
        best = segments["clv_total"].idxmax()
        shown = (names or {}).get(best) or label(str(best), language)
        share = _pct(float(segments.loc[best, "clv_share"]))
        lines.append(f"- 予測CLVが最も大きいのは「{shown}」（全体の {share}）。" if ja else
                     f"- The largest share of predicted CLV sits with *{shown}* ({share}).")
    if validation is not None:
        m = validation.metrics
        has_bias = bool(np.isfinite(m["bias"]))
        good = (abs(m["bias"]) <= 0.15 if has_bias else True) and m["mae"] <= m["baseline_mae"]
        bias_ja = f"（誤差 {m['bias']:+.0%}）" if has_bias else ""
        bias_en = f" ({m['bias']:+.0%})" if has_bias else ""
        lines.append(
            f"- 検証: {validation.calibration_end}までのデータで学習し、その後{m['holdout_days']:.0f}日間の"
            f"リピート購入を予測すると {m['predicted']:,.0f}回、実績は {m['actual']:,.0f}回{bias_ja}。"
            f"顧客ごとの平均絶対誤差は {m['mae']:.2f}回（単純な延長予測では {m['baseline_mae']:.2f}回）で、"
            f"{'信頼できる水準です' if good else '注意して使ってください'}。"
            if ja else
            f"- Validation: fitted on the history up to {validation.calibration_end}, the model predicts "
            f"{m['predicted']:,.0f} repeat purchases over the next {m['holdout_days']:.0f} days against "
            f"{m['actual']:,.0f} actual{bias_en}; its mean absolute error per customer is "
            f"{m['mae']:.2f} purchases against {m['baseline_mae']:.2f} for a naive run-rate forecast, so "
            f"{'the model can be trusted for planning' if good else 'treat its numbers with care'}.")
    lines += [f"- {t}" for t in notes_text(model, language)]
    if model.spend_params_ is not None:
        if np.isfinite(model.fm_correlation_):
            lines.append(
                f"- 購入回数と購入単価の相関は {model.fm_correlation_:+.2f} と小さく、Gamma-Gammaモデルの前提を満たしています。"
                if ja else
                f"- Purchase frequency and spend per purchase are nearly independent (correlation "
                f"{model.fm_correlation_:+.2f}), as the Gamma-Gamma spend model assumes.")
        if one.any():
            own = float(summary["aov"].to_numpy()[one].mean())
            lines.append("- " + say("clv_one_timer_value", language, own=f"{own:,.0f} {currency}".strip(),
                                    population=f"{model.population_order_value():,.0f} {currency}".strip()))
    return "\n".join(lines)


_NOTES = {
    "aov": ("Spend per purchase is each customer's average order value (clv.spend_model: aov).",
            "購入単価は各顧客の平均注文単価を使っています（clv.spend_model: aov）。"),
    "loose_tolerance": ("The optimiser stopped on rounding just short of its strictest tolerance; the parameters are "
                        "accurate to about five digits, which is far more than the predictions need.",
                        "最適化は丸め誤差のため最も厳しい許容誤差の手前で止まりましたが、パラメータは約5桁の精度があり、"
                        "予測には十分です。"),
    "weakly_identified": ("The history hardly pins down some parameters (standard errors several times the "
                          "estimates): the model sits near a boundary, e.g. every customer dropping out at the same "
                          "rate. Predictions can still be usable; judge them by the validation section.",
                          "一部のパラメータは履歴からほとんど決まりません（標準誤差が推定値の数倍）。モデルが境界付近にあり、"
                          "例えば全顧客の離脱率が同じ状態です。予測は使える場合もあるので、検証結果で判断してください。"),
}


def notes_text(model: CLVModel, language: str) -> list[str]:
    """The fitted model's remarks (``notes_``) in plain words, in ``language``."""
    return [_NOTES[n][1 if language == "ja" else 0] for n in getattr(model, "notes_", [])]


# -- model choice -----------------------------------------------------------------------------------

@dataclass
class ModelChoice:
    """Which transaction model the report uses, and why.

    ``model``: the model key; ``reason``: ``pinned`` (clv.model set in the params), ``holdout`` (clv.model: auto,
    the lowest mean absolute holdout error per customer among ``AUTO_CANDIDATES``), ``only`` (the one candidate
    that could be validated) or ``default`` (no candidate could be validated: ``AUTO_FALLBACK``).
    ``validations`` and ``errors``: each candidate's :class:`Validation` or the :class:`ModelError` that stopped it.
    """

    model: str
    reason: str
    validations: dict[str, Validation]
    errors: dict[str, ModelError]
    unusable: dict[str, ModelError] = field(default_factory=dict)  # validated, but failed on the whole history

    def fallbacks(self) -> list[str]:
        """The models to try on the whole history, in order: the chosen one, then (unless pinned) the other
        validated candidates from the lowest holdout error up."""
        if self.reason == "pinned":
            return [self.model]
        others = sorted((m for m in self.validations if m != self.model), key=lambda m: self.validations[m].metrics["mae"])
        return [self.model, *others]

    @property
    def validation(self) -> Validation | None:
        """The validation of the chosen model (None when it could not be validated)."""
        return self.validations.get(self.model)

    @property
    def validation_error(self) -> ModelError | None:
        """Why the chosen model could not be validated (None when it was)."""
        if self.validation is not None:
            return None
        return self.errors.get(self.model) or next(iter(self.errors.values()), None)

    def text(self, language: str, audience: str | None = None) -> str:
        """One sentence: the model used and why (for the ``client`` audience without params keys)."""
        from ltvlib.labels import say

        name = MODEL_NAMES[self.model]
        if self.reason == "pinned":
            return say("clv_choice_pinned", language, audience=audience, model=name)
        failed = [say("clv_choice_failed", language, model=MODEL_NAMES[m],
                      why=e.text(language, audience).rstrip("。.")) for m, e in self.errors.items()]
        failed += [say("clv_choice_unusable", language, model=MODEL_NAMES[m],
                       why=e.text(language, audience).rstrip("。.")) for m, e in self.unusable.items()]
        if self.reason == "holdout":
            sep = "、" if language == "ja" else ", "
            others = sep.join(say("clv_choice_other", language, model=MODEL_NAMES[m], mae=f"{v.metrics['mae']:.3f}")
                              for m, v in self.validations.items() if m != self.model)
            head = say("clv_choice_holdout", language, audience=audience, model=name, others=others,
                       cal_end=str(self.validation.calibration_end), mae=f"{self.validation.metrics['mae']:.3f}")
        elif self.reason == "only":
            head = say("clv_choice_only", language, model=name)
        else:
            return say("clv_choice_default", language, model=name)
        return " ".join([head, *failed]) if language != "ja" else "".join([head, *failed])

    def comparison(self) -> pd.DataFrame:
        """The candidates side by side on the holdout: one row per validated model, columns predicted and actual
        holdout purchases, bias, mae, frequency_mae, log_likelihood; ``chosen`` marks the model used."""
        rows = {MODEL_NAMES[m]: {k: v.metrics[k] for k in ("predicted", "actual", "bias", "mae", "frequency_mae",
                                                            "log_likelihood")} | {"chosen": "✓" if m == self.model else ""}
                for m, v in self.validations.items()}
        return pd.DataFrame.from_dict(rows, orient="index")


def choose_model(orders: pd.DataFrame | OrderHistory, as_of: dt.date | str, settings: Mapping[str, Any] | None = None, *,
                 calibration_end: dt.date | str | None = None) -> ModelChoice:
    """Validate the candidate models on the shop's calibration / holdout split (:func:`validate`) and choose one.

    With ``clv.model`` set to a model, that model is used (and validated); with ``auto`` (the default) BG/NBD,
    MBG/NBD and Pareto/NBD are each validated and the one with the lowest mean absolute error of holdout purchases
    per customer is used (the first of ``AUTO_CANDIDATES`` on a tie); when none can be validated, ``AUTO_FALLBACK``.
    """
    s = _settings(settings)
    pinned = s["model"] != "auto"
    candidates = (s["model"],) if pinned else AUTO_CANDIDATES
    validations: dict[str, Validation] = {}
    errors: dict[str, ModelError] = {}
    history = _history_at(orders, as_of)  # one for every candidate
    for m in candidates:
        if m in errors:
            continue
        try:
            v = validate(history, as_of, {**s, "model": m}, calibration_end=calibration_end)
        except ModelError as e:
            errors[m] = e
            continue
        if np.isfinite(v.metrics["mae"]):
            validations[m] = v
        else:  # its holdout predictions overflow for some customers: not a candidate
            errors[m] = ModelError("clv_holdout_undefined", model=MODEL_NAMES[m])
    if pinned:
        return ModelChoice(s["model"], "pinned", validations, errors)
    if not validations:
        return ModelChoice(AUTO_FALLBACK, "default", validations, errors)
    best = min(validations, key=lambda m: (validations[m].metrics["mae"], candidates.index(m)))
    return ModelChoice(best, "holdout" if len(validations) > 1 else "only", validations, errors)


# -- log-likelihood (model comparison) ------------------------------------------------------------------

def _row_log_likelihood(model: str, params: pd.Series, f: np.ndarray, r: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Log-likelihood of each (frequency, recency, T) row (recency and T in the model's time unit): BG/NBD and
    MBG/NBD as in Fader, Hardie & Lee (2005) eq. 6 and Batislam et al. (2007); Pareto/NBD from lifetimes."""
    from scipy.special import betaln, gammaln

    if model == "pareto_nbd":
        lt = import_lifetimes()
        with _contained():
            return np.asarray(lt.ParetoNBDFitter._conditional_log_likelihood(
                params[["r", "alpha", "s", "beta"]].to_numpy(float), f, r, T), dtype=float)
    rr, alpha, a, b = params[["r", "alpha", "a", "b"]].to_numpy(float)
    x = np.asarray(f, dtype=float)
    shift = 0.0 if model == "mbgnbd" else 1.0  # MBG/NBD: drop-out possible after the first purchase too
    head = gammaln(rr + x) - gammaln(rr) + rr * np.log(alpha) - (rr + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.log(a) - np.log(b + x - shift) + (rr + x) * (np.log(alpha + T) - np.log(alpha + r))
    if model == "bgnbd":
        tail = np.where(x > 0, tail, -np.inf)
    return head + betaln(a, b + x + 1 - shift) - betaln(a, b) + np.logaddexp(tail, 0.0)


def log_likelihood(model: CLVModel, summary: pd.DataFrame) -> float:
    """The fitted transaction model's log-likelihood of ``summary`` (times in the model's time unit, as the
    published CDNOW figures): larger is better, comparable across BG/NBD, MBG/NBD and Pareto/NBD."""
    model._check_fitted()
    rows, _ = compress(summary)
    scale = TIME_UNITS[model.time_unit]
    ll = _row_log_likelihood(model.model, model.params_, rows["frequency"].to_numpy(),
                             rows["recency"].to_numpy(float) / scale, rows["T"].to_numpy(float) / scale)
    return float(np.sum(rows["weights"].to_numpy() * ll))


# -- next-order timing ----------------------------------------------------------------------------------

ORDER_WINDOWS_DAYS = (30, 60, 90)  # windows of the order probabilities exported for CRM timing
_GAUSS_NODES = 32


def _p_no_order(model: CLVModel, t_days: float | np.ndarray, f: np.ndarray, r: np.ndarray, T: np.ndarray
                ) -> np.ndarray:
    """P(no purchase in the next ``t_days`` (one number, or one per row) | history) per row (days).

    Alive at T, a customer's purchase rate is Gamma(r + x, alpha + T) a posteriori. BG/NBD and MBG/NBD drop out only
    right after a purchase, so no purchase in t means staying alive with no purchase: P = 1 - P(alive) +
    P(alive) * ((alpha + T) / (alpha + T + t))^(r + x). Pareto/NBD customers can drop out at any moment (rate
    mu ~ Gamma(s, beta + T) a posteriori): the survival part adds the chance of dropping out at u < t before any
    purchase, the integral over u of E[mu e^(-mu u)] E[e^(-lambda u)], taken by Gauss-Legendre quadrature.
    """
    scale = TIME_UNITS[model.time_unit]
    t, Tu, x = t_days / scale, np.asarray(T, float) / scale, np.asarray(f, float)
    p = model.params_
    alive = model._p_alive(f, r, T)
    rx, at = p["r"] + x, p["alpha"] + Tu
    if model.model != "pareto_nbd":
        return 1.0 - alive + alive * (at / (at + t)) ** rx
    s, bt = p["s"], p["beta"] + Tu
    nodes, wts = np.polynomial.legendre.leggauss(_GAUSS_NODES)
    u = (nodes[:, None] + 1.0) * t / 2.0  # nodes on [0, t], one column per row
    dropout = (s / bt) * (bt / (bt + u)) ** (s + 1) * (at / (at + u)) ** rx
    survive = (at / (at + t)) ** rx * (bt / (bt + t)) ** s + (wts[:, None] * dropout).sum(0) * t / 2.0
    return 1.0 - alive + alive * survive


def order_probabilities(model: CLVModel, summary: pd.DataFrame,
                        windows_days: Sequence[int] = ORDER_WINDOWS_DAYS) -> pd.DataFrame:
    """Per customer (index as ``summary``): ``p_order_<d>d``, the probability of at least one order in the next d
    days, for each d of ``windows_days`` (for timing CRM mails: send when the probability is high enough)."""
    model._check_fitted()
    rows, inverse = compress(summary)
    f, r, T = rows["frequency"].to_numpy(), rows["recency"].to_numpy(float), rows["T"].to_numpy(float)
    with np.errstate(all="ignore"):
        out = {f"p_order_{d}d": np.clip(1.0 - _p_no_order(model, float(d), f, r, T), 0.0, 1.0)[inverse]
               for d in windows_days}
    return pd.DataFrame(out, index=summary.index)


NEXT_ORDER_SHARE = 0.5  # the expected next-order date: when P(at least one order) reaches this (the median)
NEXT_ORDER_REASONS = {
    "probably_inactive": "P(alive) below 50%: the customer has probably stopped buying",
    "beyond_horizon": "likely still a customer, but under 50% chance of an order within the horizon",
}


def next_order_dates(model: CLVModel, summary: pd.DataFrame, as_of: dt.date | str,
                     horizon_days: int = 365) -> pd.DataFrame:
    """Per customer (index as ``summary``): the expected date of the next order, for CRM timing.

    ``next_order_days`` is the first whole day d (1 to ``horizon_days``) after ``as_of`` with P(at least one order
    within d days) >= 50% (the median time to the next order, from the same function as
    :func:`order_probabilities`, so the figures agree), ``next_order_by`` that date (ISO text). Where 50% is not
    reached within the horizon both are empty and ``next_order_reason`` says why (``NEXT_ORDER_REASONS``):
    ``probably_inactive`` where the model's P(alive) is below 50% (the chance of ever ordering again is no higher),
    else ``beyond_horizon``. Found by bisection on whole days, per unique (frequency, recency, T) row.
    """
    model._check_fitted()
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be 1 or more, got {horizon_days}")
    rows, inverse = compress(summary)
    f, r, T = rows["frequency"].to_numpy(), rows["recency"].to_numpy(float), rows["T"].to_numpy(float)

    def reached(days: np.ndarray, idx: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return 1.0 - _p_no_order(model, days.astype(float), f[idx], r[idx], T[idx]) >= NEXT_ORDER_SHARE

    days = np.full(len(rows), -1, dtype=np.int64)
    ok = np.flatnonzero(reached(np.full(len(rows), horizon_days), np.arange(len(rows))))
    lo, hi = np.zeros(len(ok), np.int64), np.full(len(ok), horizon_days, np.int64)  # P(lo) < 50% <= P(hi)
    while len(ok) and (hi - lo > 1).any():
        mid = (lo + hi) // 2
        yes = reached(mid, ok)
        hi, lo = np.where(yes, mid, hi), np.where(yes, lo, mid)
    days[ok] = hi
    days = days[inverse]
    dated = days > 0
    start = pd.Timestamp(pd.Timestamp(as_of).date())
    by = np.full(len(days), "", dtype=object)
    by[dated] = (start + pd.to_timedelta(days[dated], unit="D")).strftime("%Y-%m-%d").to_numpy(dtype=object)
    alive = model._p_alive(f, r, T)[inverse]
    reason = np.where(dated, "", np.where(alive < NEXT_ORDER_SHARE, "probably_inactive", "beyond_horizon"))
    return pd.DataFrame({"next_order_days": pd.Series(days, index=summary.index, dtype="Int64").mask(~dated),
                         "next_order_by": by, "next_order_reason": reason.astype(object)}, index=summary.index)


# -- intervals: bootstrap of the fit over customers -----------------------------------------------------

INTERVAL_LEVELS = (0.80, 0.95)
SHOP = "_shop"  # the group name of the whole shop in Bootstrap totals


@dataclass
class Bootstrap:
    """Predicted totals under parameter uncertainty: ``draws`` parameter sets drawn from the fit's distribution.

    ``params``: one row per successful draw (transaction model and Gamma-Gamma parameters). ``totals``: one row per
    successful draw, columns (group, quantity) with group :data:`SHOP` for the whole shop and quantities
    ``expected_purchases_<h>d`` and ``predicted_clv``, always for the same customers (only the parameters vary).
    ``point``: the same totals at the fitted parameters. ``failed``: draws left out (a Gamma-Gamma q <= 1, or all
    of them when the likelihood's Hessian is not positive definite at the fit).
    """

    draws: int
    params: pd.DataFrame
    totals: pd.DataFrame
    point: pd.Series
    failed: int
    rows: RowDraws | None = field(default=None, repr=False)  # per-row values under each kept draw (customer_intervals)

    def intervals(self, levels: Sequence[float] = INTERVAL_LEVELS) -> pd.DataFrame:
        """Percentile intervals: index (group, quantity), columns ``estimate`` and ``lo_<pct>`` / ``hi_<pct>``."""
        out = pd.DataFrame({"estimate": self.point})
        for lv in levels:
            tail = (1.0 - lv) / 2.0
            out[f"lo_{lv:.0%}".rstrip("%")] = self.totals.quantile(tail)
            out[f"hi_{lv:.0%}".rstrip("%")] = self.totals.quantile(1.0 - tail)
        return out


def _hessian(objective: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Hessian of ``objective`` at ``x``: autograd where the objective allows it, else central differences."""
    from autograd import hessian

    try:
        h = np.asarray(hessian(objective)(x), dtype=float)
        if np.all(np.isfinite(h)):
            return h
    except Exception:  # an objective autograd cannot trace (Pareto/NBD's special functions)
        pass
    k = len(x)
    h = np.empty((k, k))
    e = np.eye(k) * step
    for i in range(k):
        for j in range(i, k):
            h[i, j] = h[j, i] = (objective(x + e[i] + e[j]) - objective(x + e[i] - e[j])
                                 - objective(x - e[i] + e[j]) + objective(x - e[i] - e[j])) / (4 * step * step)
    return h


def _log_normal_draws(objective: Callable[[np.ndarray], float], x: np.ndarray, total_weight: float, draws: int,
                      rng: np.random.Generator) -> np.ndarray | None:
    """``draws`` rows of log-parameters from the fit's asymptotic normal distribution: mean ``x`` (the fitted
    log-parameters), covariance the inverse Hessian of the total negative log-likelihood (``objective`` is the
    per-customer mean, hence ``total_weight``). None when the Hessian is not positive definite."""
    cov = np.linalg.inv(_hessian(objective, x)) / total_weight
    cov = (cov + cov.T) / 2
    if not np.all(np.isfinite(cov)) or np.any(np.linalg.eigvalsh(cov) <= 0):
        return None
    return rng.multivariate_normal(x, cov, size=draws)


def _transaction_draws(model: CLVModel, f: np.ndarray, r: np.ndarray, T: np.ndarray, w: np.ndarray, draws: int,
                       rng: np.random.Generator) -> pd.DataFrame | None:
    """Transaction-model parameters drawn from their asymptotic distribution (rows in the model's time unit with
    weights ``w``), in lifetimes' scaled time as it fits them."""
    sc = 1.0 / T.max()
    p = model.params_
    nll = model.fitter_._negative_log_likelihood
    w = w.astype(float)
    if model.model == "pareto_nbd":  # lifetimes' Pareto/NBD objective takes the parameters, normalised by mean weight
        x0 = np.log([p["r"], p["alpha"] * sc, p["s"], p["beta"] * sc])
        draws_x = _log_normal_draws(lambda x: nll(np.exp(x), f, r * sc, T * sc, w, model.penalizer / w.mean()),
                                    x0, w.mean(), draws, rng)
    else:  # log-parameters, normalised by the total weight
        x0 = np.log([p["r"], p["alpha"] * sc, p["a"], p["b"]])
        draws_x = _log_normal_draws(lambda x: nll(x, f, r * sc, T * sc, w, model.penalizer), x0, w.sum(), draws, rng)
    if draws_x is None:
        return None
    est = np.exp(draws_x)
    est[:, 1] /= sc
    if model.model == "pareto_nbd":
        est[:, 3] /= sc
    return pd.DataFrame(est, columns=p.index)


def _spend_draws(model: CLVModel, x: np.ndarray, m: np.ndarray, w: np.ndarray, unit: float, draws: int,
                 rng: np.random.Generator) -> pd.DataFrame | None:
    """Gamma-Gamma parameters drawn from their asymptotic distribution (spend in units of ``unit``)."""
    p = model.spend_params_
    nll = import_lifetimes().GammaGammaFitter._negative_log_likelihood
    w = w.astype(float)
    x0 = np.log([p["p"], p["q"], p["v"] / unit])
    draws_x = _log_normal_draws(lambda v: nll(v, x, m, w, model.penalizer), x0, w.sum(), draws, rng)
    return None if draws_x is None else pd.DataFrame(np.exp(draws_x) * [1.0, 1.0, unit], columns=p.index)


EXACT_BOOTSTRAP_ROWS = 20_000  # above this many unique rows a draw's totals are linearised (see bootstrap)


@dataclass
class RowDraws:
    """Per unique (frequency, recency, T) row of a :func:`bootstrap`: expected purchases over the longest horizon and
    discounted expected purchases (the CLV factor), under each kept parameter draw. Up to ``EXACT_BOOTSTRAP_ROWS``
    rows the exact values (``exact``: draws x 2 x rows); above, the values at the fit (``point``: 2 x rows), their
    slopes in the transaction model's log-parameters (``slopes``: k x 2 x rows) and each draw's log-parameter shift
    from the fit (``shift``: draws x k): linear, as the bootstrap's totals there."""

    horizon_days: int
    exact: np.ndarray | None = None
    point: np.ndarray | None = None
    slopes: np.ndarray | None = None
    shift: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return (self.exact if self.exact is not None else self.point).shape[-1]

    def take(self, idx: np.ndarray, quantity: int) -> np.ndarray:
        """Quantity ``quantity`` (0: expected purchases, 1: discounted) of rows ``idx`` under every draw:
        len(idx) x draws (each row's draws contiguous, for fast percentiles)."""
        if self.exact is not None:
            return np.ascontiguousarray(self.exact[:, quantity, idx].T)
        return self.point[quantity, idx, None] + self.slopes[:, quantity, idx].T @ self.shift.T


def _row_slopes(values: Callable[[pd.Series], np.ndarray], params: pd.Series, step: float = 1e-3) -> np.ndarray:
    """Slopes of the per-row ``values(params)`` (quantities x rows) in each log-parameter: central differences, two
    evaluations per parameter (k x quantities x rows)."""
    def shifted(k: int, h: float) -> np.ndarray:
        p = params.copy()
        p.iloc[k] *= np.exp(h)
        return values(p)

    return np.stack([(shifted(k, step) - shifted(k, -step)) / (2 * step) for k in range(len(params))])


def bootstrap(model: CLVModel, summary: pd.DataFrame, groups: pd.Series | None = None, *, draws: int = 200,
              seed: int = 0, horizons_days: Sequence[int] = (90, 365)) -> Bootstrap:
    """Intervals from parameter uncertainty (a parametric bootstrap): ``draws`` parameter sets of ``model`` (fitted
    on ``summary``) drawn from the fit's asymptotic normal distribution in log-parameters (covariance: the inverse
    Hessian of the likelihood over the compressed rows, computed once; Gamma-Gamma's drawn independently, as the
    model assumes spend independent of transactions), and the predicted totals of the same customers under each,
    for the shop and per ``groups`` label. No refit per draw; totals per (row, group) are sums of a few per-row
    numbers. Above ``EXACT_BOOTSTRAP_ROWS`` unique rows (large shops, whose parameter uncertainty is small) each
    draw's per-row predictions are linearised in the transaction model's log-parameters (2 predictions per parameter
    instead of one per draw); the spend part stays exact. ``rows`` keeps the per-row values for
    :func:`customer_intervals`.
    """
    model._check_fitted()
    scale = TIME_UNITS[model.time_unit]
    rows, inverse = compress(summary)
    f, r, T = rows["frequency"].to_numpy(), rows["recency"].to_numpy(float), rows["T"].to_numpy(float)
    w = rows["weights"].to_numpy()
    labels = pd.Categorical(groups if groups is not None else np.zeros(len(summary), dtype=np.int64))
    names, n_rows, n_groups = list(labels.categories), len(rows), len(labels.categories)
    key = inverse * n_groups + labels.codes
    x = summary["frequency"].to_numpy(float)
    mv = summary["monetary_value"].to_numpy(float)
    aov = summary["aov"].to_numpy(float)
    use = (x > 0) & (mv > 0) if model.spend_params_ is not None else np.zeros(len(x), bool)

    def cell(values: np.ndarray | None) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=n_rows * n_groups).reshape(n_rows, n_groups)

    count, n_use, m_use, a_rest = cell(None), cell(use.astype(float)), cell(mv * use), cell(aov * ~use)
    row_x = f.astype(float)[:, None]
    longest = list(horizons_days).index(max(horizons_days))

    def row_values(params: pd.Series) -> np.ndarray:
        """Per row: expected purchases for each horizon, then the discounted expected purchases."""
        expected, disc = model.with_params(params)._row_values(f, r, T, horizons_days)
        return np.stack([*(expected[h] for h in horizons_days), disc])

    def totals(values: np.ndarray, spend: pd.Series | None) -> np.ndarray:
        out = [values[i] @ count for i in range(len(horizons_days))]
        value = a_rest
        if spend is not None:
            p, q, v = spend[["p", "q", "v"]]
            wx = p * row_x / (p * row_x + q - 1)
            value = value + n_use * (1 - wx) * (v * p / (q - 1)) + wx * m_use
        out.append((values[-1][:, None] * value).sum(0))
        return np.concatenate([np.append(o, o.sum()) for o in out])

    quantities = [f"expected_purchases_{h}d" for h in horizons_days] + ["predicted_clv"]
    columns = pd.MultiIndex.from_tuples([(g, q) for q in quantities for g in [*names, SHOP]],
                                        names=["group", "quantity"])
    rng = np.random.default_rng(seed)
    kept_params, kept_totals, kept_rows, failed = [], [], [], 0
    with _contained():
        trans = _transaction_draws(model, f, r / scale, T / scale, w, draws, rng)
        spend = None
        if trans is not None and model.spend_params_ is not None:
            rep = summary.loc[use, ["frequency", "monetary_value"]]
            pairs = rep.groupby(["frequency", "monetary_value"], sort=False).size().rename("weights").reset_index()
            unit = float(rep["monetary_value"].mean())
            spend = _spend_draws(model, pairs["frequency"].to_numpy(float),
                                 pairs["monetary_value"].to_numpy(float) / unit, pairs["weights"].to_numpy(), unit,
                                 draws, rng)
            if spend is None:
                trans = None
        at_fit = row_values(model.params_)
        point = totals(at_fit, model.spend_params_)
        exact = n_rows <= EXACT_BOOTSTRAP_ROWS
        slopes = None if exact else _row_slopes(row_values, model.params_)
        base = np.log(model.params_.to_numpy(float))
        for b in range(draws if trans is not None else 0):
            params = trans.iloc[b]
            sp = None if spend is None else spend.iloc[b]
            if sp is not None and sp["q"] <= 1:  # Gamma-Gamma's mean spend needs q > 1
                failed += 1
                continue
            kept_params.append(pd.concat([params, sp]) if sp is not None else params)
            if exact:
                values = row_values(params)
                kept_rows.append(values[[longest, -1]])
            else:
                shift = np.log(params.to_numpy(float)) - base
                values = at_fit + np.tensordot(shift, slopes, axes=1)
                kept_rows.append(shift)
            kept_totals.append(totals(values, sp))
        failed += draws if trans is None else 0
    if not kept_rows:
        row_draws = None
    elif exact:
        row_draws = RowDraws(max(horizons_days), exact=np.stack(kept_rows))
    else:
        row_draws = RowDraws(max(horizons_days), point=at_fit[[longest, -1]], slopes=slopes[:, [longest, -1]],
                             shift=np.stack(kept_rows))
    return Bootstrap(draws, pd.DataFrame(kept_params).reset_index(drop=True),
                     pd.DataFrame(np.array(kept_totals).reshape(-1, len(columns)), columns=columns),
                     pd.Series(point, index=columns), failed, row_draws)


def _percentiles(values: np.ndarray, tails: Sequence[float]) -> np.ndarray:
    """Percentiles of each row of ``values`` (rows x draws) at ``tails``, as ``np.quantile``'s default (linear
    between order statistics) gives them, from one sort per row (several times faster than its partitions). Draws
    whose prediction is not finite are left out, as ``DataFrame.quantile`` leaves them out of the totals' intervals;
    a row with no finite draw gets NaN."""
    values = np.where(np.isfinite(values), values, np.nan)
    ordered = np.sort(values, axis=1)  # NaN last
    valid = np.isfinite(ordered).sum(axis=1)
    pos = np.asarray(tails, float)[None, :] * np.maximum(valid - 1, 0)[:, None]
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(valid - 1, 0)[:, None])
    frac = pos - lo
    out = (np.take_along_axis(ordered, lo, axis=1) * (1 - frac)
           + np.where(frac > 0, np.take_along_axis(ordered, hi, axis=1), 0.0) * frac)
    return np.where(valid[:, None] > 0, out, np.nan).T


CUSTOMER_INTERVAL_CHUNK = 20_000  # rows whose draws are held at once (draws x chunk values each)


def customer_intervals(model: CLVModel, summary: pd.DataFrame, boot: Bootstrap,
                       levels: Sequence[float] = INTERVAL_LEVELS) -> pd.DataFrame:
    """Per customer (index as ``summary``): 80% and 95% intervals of the expected purchases over the longest horizon
    of ``boot`` and of the predicted CLV, from the bootstrap's own parameter draws (``boot`` made by
    :func:`bootstrap` on this model and summary). Columns ``expected_purchases_<h>d_lo_<pct>`` / ``_hi_<pct>`` and
    ``predicted_clv_lo_<pct>`` / ``_hi_<pct>``.

    Computed per unique (frequency, recency, T) row, and per unique (row, monetary value) for customers valued by
    Gamma-Gamma, then mapped back to customers, in chunks of ``CUSTOMER_INTERVAL_CHUNK``; a customer valued at their
    own order value gets it times the row's interval of discounted purchases. Like the totals, the intervals are
    percentiles of the draws: the point prediction (at the fitted parameters) is not a percentile and can fall just
    outside a narrow interval where the prediction bends sharply in the parameters.
    """
    if boot.rows is None:
        raise ValueError("the bootstrap kept no parameter draw: there are no intervals to give")
    rows, inverse = compress(summary)
    n_rows = len(rows)
    if boot.rows.n_rows != n_rows:
        raise ValueError("the bootstrap was made on another summary: make it with bootstrap(model, summary)")
    tails = [t for lv in levels for t in ((1 - lv) / 2, 1 - (1 - lv) / 2)]
    q_exp, q_disc = np.empty((len(tails), n_rows)), np.empty((len(tails), n_rows))
    for start in range(0, n_rows, CUSTOMER_INTERVAL_CHUNK):
        idx = np.arange(start, min(n_rows, start + CUSTOMER_INTERVAL_CHUNK))
        q_exp[:, idx] = _percentiles(boot.rows.take(idx, 0), tails)
        q_disc[:, idx] = _percentiles(boot.rows.take(idx, 1), tails)
    q_clv = q_disc[:, inverse] * summary["aov"].to_numpy(float)[None, :]
    x, mv = summary["frequency"].to_numpy(float), summary["monetary_value"].to_numpy(float)
    use = np.flatnonzero((x > 0) & (mv > 0)) if model.spend_params_ is not None else np.zeros(0, np.int64)
    if len(use):
        spend = boot.params[["p", "q", "v"]].to_numpy(float)
        p, q, vv = (spend[:, i] for i in range(3))
        pairs = pd.DataFrame({"row": inverse[use], "m": mv[use]})
        combos, back = np.unique(pairs.to_numpy(), axis=0, return_inverse=True)
        q_gg = np.empty((len(tails), len(combos)))
        for start in range(0, len(combos), CUSTOMER_INTERVAL_CHUNK):
            c = combos[start:start + CUSTOMER_INTERVAL_CHUNK]
            row = c[:, 0].astype(np.int64)
            xr = rows["frequency"].to_numpy(float)[row][:, None]
            wx = p * xr / (p * xr + q - 1)
            value = (1 - wx) * (vv * p / (q - 1)) + wx * c[:, 1, None]
            q_gg[:, start:start + len(c)] = _percentiles(boot.rows.take(row, 1) * value, tails)
        q_clv[:, use] = q_gg[:, back.reshape(-1)]
    out = {}
    exp_name = f"expected_purchases_{boot.rows.horizon_days}d"
    for name, qs, pick in ((exp_name, q_exp, inverse), ("predicted_clv", q_clv, slice(None))):
        for i, lv in enumerate(levels):
            pct = f"{lv:.0%}".rstrip("%")
            out[f"{name}_lo_{pct}"] = qs[2 * i][pick]
            out[f"{name}_hi_{pct}"] = qs[2 * i + 1][pick]
    return pd.DataFrame(out, index=summary.index)


# -- threshold-based names ----------------------------------------------------------------------------

def _scenario_ranges(thresholds: Mapping[str, Any]) -> dict[str, tuple[float, float, float, float]]:
    """Per stage of ``rfm.SCENARIO_STAGES``: (min_days, max_days, min_orders, max_orders), NaN = no limit.

    Read from ``rfm.threshold_ranges`` (the one vocabulary); without it, from the thresholds in the stage
    scenario's order (four active stages by order count, then the one up to dormant_days, then the rest).
    """
    from ltvlib import rfm

    if hasattr(rfm, "threshold_ranges"):
        t = rfm.threshold_ranges(thresholds).loc["scenario_stage"]
        return {w: tuple(float(v) for v in t.loc[w, ["min_days", "max_days", "min_orders", "max_orders"]])
                for w in rfm.SCENARIO_STAGES}
    a, d, loy, nan = thresholds["active_days"], thresholds["dormant_days"], thresholds["loyal_orders"], np.nan
    rows = [(0, a, 1, 1), (0, a, 2, 2), (0, a, 3, loy - 1), (0, a, loy, nan), (a + 1, d, nan, nan), (d + 1, nan, nan, nan)]
    return {w: tuple(float(v) for v in r) for w, r in zip(rfm.SCENARIO_STAGES, rows)}


def stage_names(thresholds: Mapping[str, Any], language: str) -> dict[str, str]:
    """Display names of the stage scenario's stages with their ranges, e.g. "Lapsing (121–360 days)"."""
    from ltvlib.labels import label, say

    out = {}
    for word, (d0, d1, o0, o1) in _scenario_ranges(thresholds).items():
        parts = []
        if np.isfinite(o0):
            if not np.isfinite(o1):
                parts.append(say("clv_orders_plus", language, lo=int(o0)))
            elif o0 == o1:
                parts.append(say("clv_orders_one" if o0 == 1 else "clv_orders_same", language, lo=int(o0)))
            else:
                parts.append(say("clv_orders_range", language, lo=int(o0), hi=int(o1)))
        if np.isfinite(d0):
            parts.append(say("clv_days_range", language, lo=int(d0), hi=int(d1)) if np.isfinite(d1)
                         else say("clv_days_plus", language, lo=int(d0)))
        rng = say("clv_range_orders_days", language, orders=parts[0], days=parts[1]) if len(parts) == 2 else parts[0]
        out[word] = say("clv_stage_name", language, name=label(word, language), range=rng)
    return out


# -- the report page ----------------------------------------------------------------------------------

def json_safe(value: Any) -> Any:
    """``value`` with every NaN / inf float replaced by None (for key-figure JSON), recursively."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass
class CLVReport:
    """Everything the CLV page shows, computed once; sections that cannot be computed carry one sentence.

    ``error`` (sentence) is set when no model could be fitted (``model``/``predictions``/``segments`` are None);
    ``choice`` holds the model choice and the validation (or the sentence why there is none).
    """

    as_of: dt.date
    language: str
    currency: str
    horizon_days: int
    summary: pd.DataFrame
    stage_names: dict[str, str]
    choice: ModelChoice | None = None
    model: CLVModel | None = None
    predictions: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None
    error: str | None = None
    model_error: ModelError | None = None  # what stopped the model, when ``error`` comes from one
    intervals: Bootstrap | None = None  # bootstrap of the fit behind the totals' intervals (None: not computed)
    interval_error: str | None = None  # why there are no intervals although bootstrap_draws asked for them
    order_timing: pd.DataFrame | None = None  # order_probabilities and next_order_dates per customer
    customer_intervals: pd.DataFrame | None = None  # customer_intervals (None without bootstrap intervals)
    audience: str = "analyst"  # "client": sentences without params keys

    @property
    def fitted(self) -> bool:
        """Whether a model was fitted (the sections after the repeat-buying facts can be shown)."""
        return self.model is not None

    @property
    def validation(self) -> Validation | None:
        return self.choice.validation if self.choice is not None and self.model is not None else None

    @property
    def validation_text(self) -> str | None:
        """Why there is no validation, in one sentence (None when there is one)."""
        if self.model is None or self.validation is not None or self.choice is None:
            return None
        err = self.choice.validation_error
        return err.text(self.language, self.audience) if err is not None else None

    def repeat_buying(self) -> pd.DataFrame:
        """Facts that need no model: customers, repeat and one-time buyers, revenue per customer, order value."""
        s = self.summary
        n = len(s)
        rep = int((s["frequency"] > 0).sum())
        revenue = float(s["net_revenue"].sum()) if "net_revenue" in s else float("nan")
        orders = float(s["orders"].sum()) if "orders" in s else float("nan")
        cur = f" {self.currency}" if self.currency else ""
        rows = {
            "customers": f"{n:,}", "repeat_buyers": f"{rep:,}", "one_time_buyers": f"{n - rep:,}",
            "repeat_share": f"{rep / n:.1%}" if n else "–",
            "revenue_per_customer": f"{revenue / n:,.0f}{cur}" if n and np.isfinite(revenue) else "–",
            "aov": f"{revenue / orders:,.0f}{cur}" if orders and np.isfinite(revenue) else "–",
        }
        return pd.DataFrame({"value": rows})

    def segment_table(self) -> pd.DataFrame:
        """Predicted CLV per stage (``segment_clv`` with P(alive) only where the model defines it), named with ranges."""
        h = self.horizon_days
        out = self.segments[["customers", "clv_total", "clv_share", "clv_mean", "p_alive_mean",
                             f"expected_purchases_{h}d_mean"]].copy()
        out.index = [self.stage_names.get(str(i), str(i)) for i in out.index]
        return out

    def interval_table(self) -> pd.DataFrame:
        """The page's predicted totals (expected purchases over the longest horizon, predicted CLV) for the shop and
        per stage, each as text with its 80% and 95% bootstrap intervals ("–" where a stage has no customer)."""
        from ltvlib.labels import label

        ci = self.intervals.intervals()
        lang = self.language
        out = {}
        for q in (f"expected_purchases_{self.horizon_days}d", "predicted_clv"):
            for col in ("estimate", "80", "95"):
                cells = {}
                for g in [SHOP, *self.segments.index]:
                    row = ci.loc[(g, q)]
                    if g != SHOP and not self.segments.loc[g, "customers"]:
                        cells[g] = "–"
                    elif col == "estimate":
                        cells[g] = f"{row['estimate']:,.0f}"
                    else:
                        cells[g] = f"{row['lo_' + col]:,.0f}–{row['hi_' + col]:,.0f}"
                out[(label(q + "_total", lang), label(f"interval_{col}", lang))] = cells
        table = pd.DataFrame(out)
        table.index = [label("whole_shop", lang) if g == SHOP else self.stage_names.get(str(g), str(g))
                       for g in table.index]
        return table

    def interval_text(self) -> str:
        """The sentence saying where the intervals come from (and how many draws were left out, if any)."""
        from ltvlib.labels import say

        b = self.intervals
        text = say("clv_interval_note", self.language, draws=f"{len(b.totals):,}")
        if b.failed:
            text += " " + say("clv_interval_failed", self.language, failed=f"{b.failed:,}", draws=f"{b.draws:,}")
        if self.customer_intervals is not None:
            ci = self.customer_intervals
            point = self.predictions["predicted_clv"].to_numpy()
            width = (ci["predicted_clv_hi_80"] - ci["predicted_clv_lo_80"]).to_numpy()
            shown = (point > 0) & np.isfinite(width)
            facts = {"file": self.EXPORT_FILE, "h": f"{self.horizon_days:,}",
                     "median": _pct(float(np.median(width[shown] / point[shown]))) if shown.any() else "–"}
            text += " " + say("clv_customer_interval_note", self.language, **facts)
        return text

    EXPORT_FILE = "clv_customers.csv"

    def customer_export(self, *, show_personal_data: bool, secret: bytes) -> pd.DataFrame:
        """One row per customer for CRM: history, P(alive) (blank where the model does not define it), expected
        purchases, P(order in 30 / 60 / 90 days), the expected next-order date (or why there is none), expected spend
        and predicted CLV with their 80% / 95% intervals (where the bootstrap ran); keys pseudonymised and e-mails
        dropped unless ``show_personal_data``."""
        from ltvlib.privacy import redact

        cols = [c for c in ("email", "orders", "net_revenue", "last_order_at", "recency_days") if c in self.summary]
        p = self.predictions.drop(columns="value_source").copy()
        p["p_alive"] = p["p_alive"].where(self.model.p_alive_shown(self.summary.loc[p.index]))
        table = self.summary[cols].join(p.round(4)).join(self.order_timing.round(4))
        if self.customer_intervals is not None:
            table = table.join(self.customer_intervals.round(4))
        if "last_order_at" in table:
            table["last_order_at"] = table["last_order_at"].dt.strftime("%Y-%m-%d")
        table.index.name = "customer_key"
        return redact(table, show_personal_data=show_personal_data, secret=secret).reset_index()

    def write_exports(self, out_dir: str | Path, *, show_personal_data: bool, secret: bytes) -> str:
        """Write :meth:`customer_export` to ``out_dir/exports/clv_customers.csv`` (``ltvlib.io.csvout``); the sentence
        saying so ('' without a fitted model)."""
        from ltvlib.io.csvout import write_csv
        from ltvlib.labels import say

        if self.model is None:
            return ""
        folder = Path(out_dir) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        table = self.customer_export(show_personal_data=show_personal_data, secret=secret)
        write_csv(table, folder / self.EXPORT_FILE)
        return say("clv_export", self.language, file=self.EXPORT_FILE, count=f"{len(table):,}")

    def top_customers(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` customers with the highest predicted CLV, their history and predictions (P(alive) NaN where
        not shown)."""
        cols = [c for c in ("email", "orders", "net_revenue", "recency_days") if c in self.summary]
        p = self.predictions.copy()
        p["p_alive"] = p["p_alive"].where(self.model.p_alive_shown(self.summary.loc[p.index]))
        return p.nlargest(n, "predicted_clv").join(self.summary[cols])

    def fitted_state(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The page's fitted model (or what stopped it) and its parameter draws, for the win-back and cohorts pages
        of the same run (``fitted_state``); ``settings``: the params' ``clv`` section the page was built with."""
        return fitted_state(self.model, self.model_error, settings, self.as_of,
                            None if self.intervals is None else self.intervals.params)

    def narrative(self) -> str:
        text = narrative(self.predictions, self.summary, self.segments, self.validation, self.model, self.language,
                         currency=self.currency, horizon_days=self.horizon_days, names=self.stage_names)
        return text + ("\n- " + self.next_order_text() if self.order_timing is not None else "")

    def next_order_text(self) -> str:
        """One sentence on the expected next-order dates: how many customers have one, the median, and why the
        others have none (for the client audience without params keys)."""
        from ltvlib.labels import say

        t = self.order_timing
        days = t["next_order_days"].dropna()
        reasons = t["next_order_reason"].value_counts()
        facts = {"horizon": f"{self.horizon_days:,}", "file": self.EXPORT_FILE,
                 "inactive": f"{int(reasons.get('probably_inactive', 0)):,}",
                 "later": f"{int(reasons.get('beyond_horizon', 0)):,}"}
        if not len(days):
            return say("clv_next_order_none", self.language, audience=self.audience, **facts)
        return say("clv_next_order", self.language, audience=self.audience, dated=f"{len(days):,}",
                   median=f"{float(days.median()):,.0f}", **facts)

    def key_figures(self) -> dict[str, Any]:
        """The page's figures for ``clv.figures.json`` (no NaN or inf: missing values are null with a text)."""
        from ltvlib.labels import label

        lang, cur = self.language, self.currency
        fig: dict[str, Any] = {"as_of": str(self.as_of), "error": self.error, "customers": int(len(self.summary)),
                               "repeat_buyers": int((self.summary["frequency"] > 0).sum())}
        if self.model is None:
            fig["key_figures"] = {"clv_status": {"label": label("model_error", lang), "value": None,
                                                 "text": self.error}}
            return json_safe(fig)
        total = float(self.predictions["predicted_clv"].sum())
        n = len(self.predictions)
        v = self.validation
        bias = v.metrics["bias"] if v is not None else float("nan")
        fig.update({
            "model": self.model.model, "model_choice": self.choice.reason, "time_unit": self.model.time_unit,
            "params": {k: float(x) for k, x in self.model.params_.items()},
            "spend_params": None if self.model.spend_params_ is None else
            {k: float(x) for k, x in self.model.spend_params_.items()},
            "clv_total": total, "clv_mean": total / n,
            f"expected_purchases_{self.horizon_days}d":
                float(self.predictions[f"expected_purchases_{self.horizon_days}d"].sum()),
            "holdout_mae": {m: x.metrics["mae"] for m, x in self.choice.validations.items()},
            "validation": None if v is None else {"calibration_end": str(v.calibration_end), **v.metrics},
            "validation_text": self.validation_text,
            "segments": self.segments["clv_total"].to_dict(),
            "model_comparison": {m: {k: x.metrics[k] for k in ("predicted", "actual", "mae", "frequency_mae",
                                                                 "log_likelihood")}
                                 for m, x in self.choice.validations.items()},
            "intervals": None if self.intervals is None else {
                q: {str(g): {k: float(v) for k, v in row.items()}
                    for (g, qq), row in self.intervals.intervals().iterrows() if qq == q}
                for q in (f"expected_purchases_{self.horizon_days}d", "predicted_clv")},
            "key_figures": {
                "clv_total": {"label": label("clv_total", lang), "value": total, "text": f"{total:,.0f} {cur}".strip()},
                "clv_mean": {"label": label("clv_mean", lang), "value": total / n,
                             "text": f"{total / n:,.0f} {cur}".strip()},
                "holdout_bias": {"label": label("bias", lang), "value": bias,
                                 "text": f"{bias:+.1%}" if np.isfinite(bias) else (self.validation_text or "–")},
            },
        })
        return json_safe(fig)


def build_report(orders: pd.DataFrame, summary: pd.DataFrame, as_of: dt.date | str,
                 settings: Mapping[str, Any] | None, thresholds: Mapping[str, Any], language: str, *,
                 currency: str = "", audience: str = "analyst") -> CLVReport:
    """Compute the CLV page for a shop: model choice and validation, fit, predictions, stage table; its sentences
    for ``audience`` (a client's without params keys).

    Never raises :class:`ModelError`: what cannot be computed is left None with its sentence in the report.
    """
    from ltvlib import rfm
    from ltvlib.labels import say

    s = _settings(settings)
    as_of_d = pd.Timestamp(as_of).date()
    rep = CLVReport(as_of_d, language, currency, max(s["horizons_days"]), summary, stage_names(thresholds, language),
                    audience=audience)
    if not len(summary):
        rep.error = say("clv_no_customers", language, as_of=str(as_of_d))
        return rep
    try:
        CLVModel.from_settings(s)._check_repeaters(summary)
    except ModelError as e:
        rep.error, rep.model_error = e.text(language, audience), e
        return rep
    rep.choice = choose_model(orders, as_of_d, s)
    candidates = rep.choice.fallbacks()
    for i, name in enumerate(candidates):  # a chosen model that fails on the whole history gives way to the next
        try:
            rep.model = CLVModel.from_settings({**s, "model": name}).fit(summary)
            rep.predictions = rep.model.predict(summary, s["horizons_days"])
            rep.choice.model = name
            break
        except ModelError as e:
            rep.model = rep.predictions = None
            if i == len(candidates) - 1:
                rep.error, rep.model_error = e.text(language, audience), e
                return rep
            rep.choice.unusable[name] = e
    stages = rfm.stage_scenario(summary, thresholds)
    rep.segments = segment_clv(rep.predictions, stages, rep.model.p_alive_shown(summary))
    if s["bootstrap_draws"]:
        b = bootstrap(rep.model, summary, stages, draws=s["bootstrap_draws"], horizons_days=s["horizons_days"])
        rep.intervals = b if len(b.totals) else None
        if rep.intervals is None:
            rep.interval_error = say("clv_interval_none", language, draws=f"{b.draws:,}")
        else:
            rep.customer_intervals = customer_intervals(rep.model, summary, b)
    rep.order_timing = order_probabilities(rep.model, summary).join(
        next_order_dates(rep.model, summary, as_of_d, rep.horizon_days))
    return rep


def validation_table(validation: Validation, language: str) -> pd.DataFrame:
    """The validation metrics as display text ("–" where a metric is undefined, e.g. no holdout purchase)."""
    from ltvlib.labels import label, number_text

    fmt = {"customers": ",.0f", "holdout_days": ",.0f", "actual": ",.0f", "predicted": ",.0f", "bias": "+.1%",
           "mae": ".3f", "frequency_mae": ".3f", "log_likelihood": ",.1f", "baseline_mae": ".3f",
           "tracking_error_end": "+.1%", "tracking_mape": ".1%"}
    names = {"customers": "customers_calibration", "actual": "actual_holdout", "predicted": "predicted_holdout"}
    m = validation.metrics
    rows = {label(names.get(k, k), language): number_text(m[k], f) if np.isfinite(m[k]) else "–" for k, f in fmt.items()}
    out = pd.DataFrame({label("value", language): rows})
    out.index.name = label("metric", language)
    return out
