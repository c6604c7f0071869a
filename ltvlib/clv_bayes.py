"""Customer lifetime value with PyMC-Marketing: BG/NBD plus Gamma-Gamma, fitted by MAP or by posterior sampling.

A second backend next to :mod:`ltvlib.clv` (lifetimes): the same customer summary in, the same prediction
columns out. With ``method="mcmc"`` the parameters are sampled with PyMC's NUTS and every prediction also carries
its 80% and 95% posterior interval (``<column>_lo95``, ``_lo80``, ``_hi80``, ``_hi95``), the point value being the
posterior mean; ``method="map"`` gives the posterior mode only (no interval columns).

Priors are flat (HalfFlat) on r, alpha, a, b and on Gamma-Gamma's p, q, v unless ``model_config`` /
``spend_model_config`` say otherwise (pymc-marketing's keys and ``pymc_extras.prior.Prior`` values): MAP is then the
maximum-likelihood fit, the one lifetimes gives, so the two backends can be compared.

pymc-marketing's BetaGeoModel takes no weights, so with ``compressed=True`` (default) the fit runs on the unique
(frequency, recency, T) rows with a subclass whose likelihood is pymc-marketing's own BetaGeoNBD log-density times
the customer counts (the same posterior, from a fraction of the rows); its predictions are BetaGeoModel's.
Spend is fitted in units of the mean spend (v rescaled afterwards), as :mod:`ltvlib.clv` does.

pymc-marketing is an optional dependency (``pip install -e ".[bayes]"``), imported only when a model is fitted.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.clv import (
    _STEP_DAYS,
    MODEL_NAMES,
    TIME_UNITS,
    CLVModel,
    ModelError,
    _check_summary,
    _settings,
    compress,
)

__all__ = ["INTERVALS", "METHODS", "BayesCLVModel", "import_pymc_marketing"]

METHODS = ("map", "mcmc")
INTERVALS = {"lo95": 0.025, "lo80": 0.10, "hi80": 0.90, "hi95": 0.975}  # column suffix -> posterior quantile
_CHUNK_VALUES = 4_000_000  # draws x customers held at once when summarising per-customer posteriors


def import_pymc_marketing() -> Any:
    """``pymc_marketing.clv``, or an ImportError saying how to install the optional backend."""
    try:
        with warnings.catch_warnings():  # pytensor warns at import when it finds no optimised BLAS
            warnings.simplefilter("ignore")
            import pymc_marketing.clv as pmc
    except ImportError as e:
        raise ImportError('the Bayesian CLV backend needs pymc-marketing: pip install -e ".[bayes]"') from e
    return pmc


def _flat(*names: str) -> dict[str, Any]:
    from pymc_extras.prior import Prior

    return {n: Prior("HalfFlat") for n in names}


@functools.cache
def _weighted_beta_geo() -> type:
    """BetaGeoModel whose likelihood weighs each row by its ``weights`` column (customers sharing the row)."""
    pmc = import_pymc_marketing()
    import pymc as pm
    from pymc_marketing.clv.distributions import BetaGeoNBD

    class WeightedBetaGeoModel(pmc.BetaGeoModel):
        """pymc-marketing's BG/NBD (no covariates) on unique rows with customer counts as weights."""

        _model_type = "BG/NBD (weighted rows)"

        def build_model(self, data: pd.DataFrame | None = None) -> None:  # type: ignore[override]
            if data is not None:
                self._validate_cols(data, ["customer_id", "frequency", "recency", "T", "weights"],
                                    must_be_unique=["customer_id"])
                self.data = data
            if self.covariate_cols:
                raise ValueError("covariates need one row per customer: use compressed=False")
            cfg = self.model_config
            coords = {"customer_id": self.data["customer_id"], "obs_var": ["recency", "frequency"]}
            with pm.Model(coords=coords) as self.model:
                alpha = cfg["alpha"].create_variable("alpha")
                if "a" in cfg and "b" in cfg:
                    a, b = cfg["a"].create_variable("a"), cfg["b"].create_variable("b")
                else:  # pymc-marketing's default: a and b through phi_dropout and kappa_dropout
                    phi = cfg["phi_dropout"].create_variable("phi_dropout")
                    kappa = cfg["kappa_dropout"].create_variable("kappa_dropout")
                    a = pm.Deterministic("a", phi * kappa)
                    b = pm.Deterministic("b", (1.0 - phi) * kappa)
                r = cfg["r"].create_variable("r")
                obs = np.stack((self.data["recency"].to_numpy(float), self.data["frequency"].to_numpy(float)), axis=1)
                loglik = pm.logp(BetaGeoNBD.dist(a=a, b=b, r=r, alpha=alpha, T=self.data["T"].to_numpy(float)), obs)
                pm.Potential("recency_frequency", (self.data["weights"].to_numpy(float) * loglik).sum())

    return WeightedBetaGeoModel


def _draws(x: Any) -> np.ndarray:
    """A (chain, draw, customer_id) DataArray as a (draws, customers) array."""
    return np.asarray(x.transpose("chain", "draw", "customer_id").values, dtype=float).reshape(-1, x.sizes["customer_id"])


class BayesCLVModel:
    """BG/NBD + Gamma-Gamma through pymc-marketing, with :class:`ltvlib.clv.CLVModel`'s interface.

    ``fit(summary)`` sets ``params_`` (r, alpha, a, b: MAP or posterior mean), ``spend_params_`` (p, q, v or None),
    ``fm_correlation_``, ``n_customers_``, ``n_rows_``, ``n_repeat_``, ``bg_`` / ``gg_`` (the fitted pymc-marketing
    models), ``warnings_`` (warnings pymc raised while fitting, recorded rather than shown) and, with mcmc,
    ``diagnostics_`` (divergences, largest r-hat, smallest bulk ESS per model). ``draws``, ``tune``,
    ``chains``, ``cores`` and ``random_seed`` go to ``pymc.sample`` (mcmc only).
    """

    model = "bgnbd"  # the only transaction model of this backend (CLVReport and friends read ``model.model``)

    def __init__(self, method: str = "map", time_unit: str = "W", discount_rate: float = 0.10,
                 spend_model: str = "gamma_gamma", min_repeat_customers: int = 50, max_fm_correlation: float = 0.3,
                 compressed: bool = True, draws: int = 500, tune: int = 500, chains: int = 2, cores: int = 1,
                 random_seed: int = 0, model_config: Mapping[str, Any] | None = None,
                 spend_model_config: Mapping[str, Any] | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.method = method
        self.time_unit = time_unit
        self.discount_rate = discount_rate
        self.spend_model = spend_model
        self.min_repeat_customers = min_repeat_customers
        self.max_fm_correlation = max_fm_correlation
        self.compressed = compressed
        self.draws, self.tune, self.chains, self.cores, self.random_seed = draws, tune, chains, cores, random_seed
        self.model_config = model_config
        self.spend_model_config = spend_model_config

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None, method: str = "map", **sampling: Any) -> BayesCLVModel:
        """A model configured from the ``clv`` params section; ``sampling``: draws, tune, chains, cores, random_seed.

        Only BG/NBD is offered (``model`` auto or bgnbd); priors take the place of ``penalizer``, which must be 0.
        """
        s = _settings(settings)
        if s["model"] not in ("auto", "bgnbd"):
            raise ValueError(f"the PyMC backend fits BG/NBD only, not clv.model {s['model']!r}")
        if s["penalizer"]:
            raise ValueError("the PyMC backend has no penalizer: give priors (model_config) instead")
        return cls(method=method, time_unit=s["time_unit"], discount_rate=float(s["discount_rate"]),
                   spend_model=s["spend_model"], min_repeat_customers=int(s["min_repeat_customers"]),
                   max_fm_correlation=float(s["max_fm_correlation"]), **sampling)

    # -- fitting ----------------------------------------------------------------------------------
    def _fit_pymc(self, model: Any, data: pd.DataFrame) -> None:
        """MAP or NUTS on a pymc-marketing model; pymc's warnings about the run are recorded, not shown."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if self.method == "map":
                model.fit(data, method="map", progressbar=False)
            else:
                model.fit(data, method="mcmc", draws=self.draws, tune=self.tune, chains=self.chains,
                          cores=self.cores, random_seed=self.random_seed, progressbar=False)
        self.warnings_ += len(caught)

    def _point(self, model: Any, names: Sequence[str]) -> pd.Series:
        post = model.fit_result
        return pd.Series({n: float(post[n].mean()) for n in names}, dtype=float)

    def fit(self, summary: pd.DataFrame) -> BayesCLVModel:
        """Fit BG/NBD (and Gamma-Gamma) on a customer summary (days, as ``customer_summary`` builds it); returns
        ``self``. Raises :class:`ModelError` when the fit cannot be trusted, as the lifetimes backend does."""
        _settings({"time_unit": self.time_unit, "spend_model": self.spend_model})
        _check_summary(summary, None)
        pmc = import_pymc_marketing()
        self.warnings_ = 0
        self.n_customers_ = int(len(summary))
        self.n_repeat_ = CLVModel(min_repeat_customers=self.min_repeat_customers)._check_repeaters(summary)
        if self.compressed:
            rows, _ = compress(summary)
        else:
            rows = summary[["frequency", "recency", "T"]].reset_index(drop=True).assign(weights=1)
        self.n_rows_ = int(len(rows))
        config = dict(self.model_config) if self.model_config is not None else _flat("r", "alpha", "a", "b")
        bg_class = _weighted_beta_geo() if self.compressed else pmc.BetaGeoModel
        self.bg_ = bg_class(model_config=config)
        self._fit_pymc(self.bg_, self._inputs(rows))
        params = self._point(self.bg_, ["r", "alpha", "a", "b"])
        if not np.all(np.isfinite(params.to_numpy())) or np.any(params.to_numpy() <= 0):
            raise ModelError("clv_invalid_params", model=MODEL_NAMES["bgnbd"],
                             params=", ".join(f"{k} = {v:.4g}" for k, v in params.items()))
        self.params_ = params
        self._fit_spend(summary, pmc)
        if self.method == "mcmc":
            self.diagnostics_ = self._diagnostics()
        return self

    def _inputs(self, rows: pd.DataFrame) -> pd.DataFrame:
        """pymc-marketing's columns for unique rows (days): customer_id = row number, times in ``time_unit``."""
        scale = TIME_UNITS[self.time_unit]
        out = pd.DataFrame({"customer_id": np.arange(len(rows)), "frequency": rows["frequency"].to_numpy(np.int64),
                            "recency": rows["recency"].to_numpy(float) / scale, "T": rows["T"].to_numpy(float) / scale})
        if "weights" in rows:
            out["weights"] = rows["weights"].to_numpy(np.int64)
        return out

    def _fit_spend(self, summary: pd.DataFrame, pmc: Any) -> None:
        self.spend_params_ = self.gg_ = None
        rep = summary.loc[(summary["frequency"] > 0) & (summary["monetary_value"] > 0), ["frequency", "monetary_value"]]
        varies = len(rep) > 2 and rep["frequency"].nunique() > 1 and rep["monetary_value"].nunique() > 1
        self.fm_correlation_ = float(rep["frequency"].corr(rep["monetary_value"])) if varies else float("nan")
        if self.spend_model == "aov":
            return
        if len(rep) < self.min_repeat_customers:
            raise ModelError("clv_too_few_spend", have=f"{len(rep):,}", needed=f"{self.min_repeat_customers:,}")
        if abs(self.fm_correlation_) > self.max_fm_correlation:
            up = self.fm_correlation_ > 0
            raise ModelError("clv_fm_correlation", direction="more" if up else "less",
                             direction_ja="高い" if up else "低い", corr=f"{self.fm_correlation_:+.2f}",
                             limit=f"{self.max_fm_correlation:.2f}")
        self.spend_unit_ = float(rep["monetary_value"].mean())
        config = dict(self.spend_model_config) if self.spend_model_config is not None else _flat("p", "q", "v")
        self.gg_ = pmc.GammaGammaModel(model_config=config)
        self._fit_pymc(self.gg_, pd.DataFrame({"customer_id": np.arange(len(rep)),
                                               "frequency": rep["frequency"].to_numpy(np.int64),
                                               "monetary_value": rep["monetary_value"].to_numpy(float) / self.spend_unit_}))
        p = self._point(self.gg_, ["p", "q", "v"])
        p["v"] *= self.spend_unit_
        q_min = float(self.gg_.fit_result["q"].min())
        if not np.all(np.isfinite(p.to_numpy())) or q_min <= 1:
            raise ModelError("clv_spend_infinite", q=f"{q_min:.3g}")
        self.spend_params_ = p

    def _diagnostics(self) -> dict[str, float]:
        import arviz as az

        out = {}
        for name, m in (("bgnbd", self.bg_), ("gamma_gamma", self.gg_)):
            if m is None:
                continue
            post = m.fit_result[["r", "alpha", "a", "b"] if name == "bgnbd" else ["p", "q", "v"]]
            out[f"{name}_divergences"] = int(m.idata.sample_stats["diverging"].sum())
            out[f"{name}_max_rhat"] = float(az.rhat(post).to_array().max())
            out[f"{name}_min_ess_bulk"] = float(az.ess(post).to_array().min())
        return out

    # -- predictions ------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise ValueError("the model is not fitted yet: call fit(summary) first")

    def predict(self, summary: pd.DataFrame, horizons_days: Sequence[int] = (90, 365)) -> pd.DataFrame:
        """Per customer (index as ``summary``): the columns of ``ltvlib.clv.PREDICTION_COLUMNS`` (posterior means
        with mcmc), then with mcmc each numeric one's ``_lo95``, ``_lo80``, ``_hi80``, ``_hi95`` posterior quantiles."""
        self._check_fitted()
        _check_summary(summary, None)
        rows, inverse = compress(summary)
        data = self._inputs(rows)
        scale = TIME_UNITS[self.time_unit]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            row_draws = {"p_alive": _draws(self.bg_.expected_probability_alive(data))}
            # CLV as in ltvlib.clv: expected purchases summed in steps of about a month, each discounted at its end
            horizon = max(horizons_days)
            steps = max(1, int(np.ceil(horizon / _STEP_DAYS)))
            edges = set(horizon * np.arange(1, steps + 1) / steps)
            disc, cum, at = 0.0, 0.0, {}
            for t in sorted(edges | set(map(float, horizons_days))):  # one (draws, rows) array at a time
                now = _draws(self.bg_.expected_purchases(data, future_t=t / scale))
                if t in horizons_days:
                    at[t] = now
                if t in edges:
                    disc = disc + (now - cum) / (1.0 + self.discount_rate) ** (t / 365.0)
                    cum = now
        for h in horizons_days:
            row_draws[f"expected_purchases_{h}d"] = at[float(h)]
        out = pd.DataFrame(index=summary.index)
        bounds: dict[str, dict[str, np.ndarray]] = {}
        for col, d in row_draws.items():
            mean, b = self._summarise(d)
            out[col], bounds[col] = mean[inverse], {k: v[inverse] for k, v in b.items()}
        for col, (mean, b) in self._customer_values(summary, disc, inverse).items():
            out[col], bounds[col] = mean, b
        bad = ~np.isfinite(out.to_numpy(dtype=float)).all(axis=1)
        bad |= (out["p_alive"] < 0).to_numpy() | (out["p_alive"] > 1 + 1e-9).to_numpy()
        if bad.any():
            raise ModelError("clv_undefined_predictions", model=MODEL_NAMES["bgnbd"], count=f"{int(bad.sum()):,}")
        if self.method == "mcmc":
            out = pd.concat([out, pd.DataFrame({f"{col}_{k}": v for col, b in bounds.items() for k, v in b.items()},
                                               index=summary.index)], axis=1)
        out["value_source"] = self._value_source(summary)
        return out

    @staticmethod
    def _summarise(draws: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Posterior mean and the ``INTERVALS`` quantiles of (draws, items) values."""
        q = np.quantile(draws, list(INTERVALS.values()), axis=0)
        return draws.mean(axis=0), dict(zip(INTERVALS, q))

    def _spend_use(self, summary: pd.DataFrame) -> np.ndarray:
        x, m = summary["frequency"].to_numpy(float), summary["monetary_value"].to_numpy(float)
        return (x > 0) & (m > 0) & (self.spend_params_ is not None)

    def _value_source(self, summary: pd.DataFrame) -> np.ndarray:
        return np.where(self._spend_use(summary), "gamma_gamma", "aov").astype(object)

    def _customer_values(self, summary: pd.DataFrame, disc: np.ndarray, inverse: np.ndarray
                         ) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
        """expected_order_value and predicted_clv per customer: mean and quantiles over the draws, customers taken
        in chunks so that draws x customers stays small. Draw i of Gamma-Gamma goes with draw i of BG/NBD."""
        n, n_draws = len(summary), disc.shape[0]
        use = self._spend_use(summary)
        aov = summary["aov"].to_numpy(float)
        money = summary["monetary_value"].to_numpy(float)
        freq = summary["frequency"].to_numpy(np.int64)
        names = ("expected_order_value", "predicted_clv")
        mean = {c: np.empty(n) for c in names}
        bounds = {c: {k: np.empty(n) for k in INTERVALS} for c in names}
        step = max(1, _CHUNK_VALUES // n_draws)
        for lo in range(0, n, step):
            sl = slice(lo, min(n, lo + step))
            value = np.broadcast_to(aov[sl], (n_draws, sl.stop - sl.start)).copy()
            u = np.flatnonzero(use[sl])
            if len(u):
                idx = u + lo
                spend = self.gg_.expected_customer_spend(pd.DataFrame(
                    {"customer_id": np.arange(len(idx)), "frequency": freq[idx],
                     "monetary_value": money[idx] / self.spend_unit_}))
                value[:, u] = _draws(spend) * self.spend_unit_
            for col, d in (("expected_order_value", value), ("predicted_clv", value * disc[:, inverse[sl]])):
                m, b = self._summarise(d)
                mean[col][sl] = m
                for k in INTERVALS:
                    bounds[col][k][sl] = b[k]
        fixed = ~use  # the customer's own aov in every draw: exact, not a mean of copies that may round
        mean["expected_order_value"][fixed] = aov[fixed]
        for k in INTERVALS:
            bounds["expected_order_value"][k][fixed] = aov[fixed]
        return {c: (mean[c], bounds[c]) for c in names}

    @property
    def p_alive_for_one_time_buyers(self) -> bool:
        """BG/NBD sets P(alive) to 1 for every customer with frequency 0: it says nothing about them."""
        return False

    def p_alive_shown(self, summary: pd.DataFrame) -> np.ndarray:
        """Customers whose P(alive) a report shows: the repeat buyers (frequency > 0)."""
        return summary["frequency"].to_numpy() > 0

    def parameter_table(self) -> pd.DataFrame:
        """Fitted parameters: columns model, parameter, estimate (MAP or posterior mean), std_error (posterior sd;
        NaN with MAP), lo95 and hi95 (posterior 2.5% and 97.5% quantiles; NaN with MAP)."""
        self._check_fitted()
        parts = [(MODEL_NAMES["bgnbd"], self.bg_, self.params_, 1.0)]
        if self.spend_params_ is not None:
            parts.append(("Gamma-Gamma", self.gg_, self.spend_params_, self.spend_unit_))
        rows = []
        sampled = self.method == "mcmc"
        for model, fitted, params, unit in parts:
            post = fitted.fit_result
            for k, v in params.items():
                d = post[k].values.ravel() * (unit if k == "v" else 1.0)
                rows.append((model, k, float(v), float(d.std(ddof=1)) if sampled else np.nan,
                             float(np.quantile(d, 0.025)) if sampled else np.nan,
                             float(np.quantile(d, 0.975)) if sampled else np.nan))
        return pd.DataFrame(rows, columns=["model", "parameter", "estimate", "std_error", "lo95", "hi95"])

    def population_order_value(self) -> float | None:
        """Gamma-Gamma mean spend per purchase of the population (None without a spend model)."""
        if self.spend_params_ is None:
            return None
        p, q, v = self.spend_params_[["p", "q", "v"]]
        return float(p * v / (q - 1))
