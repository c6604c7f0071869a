"""Lookalike scoring: a calibrated classifier trained on past lapse episodes, its time-based backtest,
and the scores of today's lapsed customers.

The model is a logistic regression over the one-hot attributes of ``ltvlib.winback.profile`` (an
additive score, so each customer's score splits exactly into per-attribute contributions: the "why"),
wrapped in scikit-learn's ``CalibratedClassifierCV``. It is trained on episodes *at their start*:
its probability is "returns within ``horizon_days`` of lapsing". For a customer who has been
lapsed for a while already, ``score_lapsed`` scales that probability by how the shop's return curve
(``return_timing``) falls off with time spent lapsed, assuming attributes shift the level of the curve
and not its shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from ltvlib.winback.episodes import FEATURE_COLUMNS, return_timing
from ltvlib.winback.profile import AttributeEncoder

__all__ = [
    "Backtest",
    "LookalikeModel",
    "NotEnoughEpisodes",
    "SCORE_COLUMNS",
    "backtest",
    "default_cutoff",
    "lapse_decay",
    "return_value_ratio",
    "score_lapsed",
]

MIN_RETURNS = 20  # fewer returned (or non-returned) training episodes than this: no model
MIN_TEST_RETURNS = 10  # fewer returned (or non-returned) test episodes than this: no backtest
SCORE_CHUNK = 100_000  # rows scored (and their top drivers found) at once: bounds the memory of a large shop


class NotEnoughEpisodes(ValueError):
    """Too few lapse episodes with a known outcome to train or test a model; the message says which.

    ``key`` names its sentence in ``ltvlib.labels.winback`` (``wb_missing_model`` / ``wb_missing_backtest``)
    and ``facts`` fill it: ``str(error)`` is the English sentence, ``error.text(language)`` the shop's.
    The lapsed threshold (``days``) is filled in by the caller that knows it (``with_facts``).
    """

    def __init__(self, key: str, **facts: Any) -> None:
        self.key = key
        self.facts = {"days": "?", **facts}
        super().__init__(self.text("en"))

    def with_facts(self, **facts: Any) -> NotEnoughEpisodes:
        """The same problem with more facts (e.g. ``days``, ``horizon``)."""
        return NotEnoughEpisodes(self.key, **{**self.facts, **facts})

    def text(self, language: str) -> str:
        from ltvlib.labels import say

        return say(self.key, language, **self.facts)


def _unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, axis=0, return_counts=True)`` for a matrix of small non-negative-or-minus-one integer
    codes, by one int64 key per row (mixed radix) when the key fits: the same rows in the same order, without
    sorting millions of rows as records (gigabytes on a 3-million-customer shop)."""
    low, high = a.min(axis=0, initial=0), a.max(axis=0, initial=0)
    radix = (high - low + 1).astype(object)  # Python ints: the product must not overflow unnoticed
    if np.prod(radix) >= 2**62:
        return np.unique(a, axis=0, return_counts=True)
    key = np.zeros(len(a), dtype=np.int64)
    for j in range(a.shape[1]):  # the first column most significant: the order of np.unique's rows
        key = key * int(radix[j]) + (a[:, j] - low[j])
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return a[first], counts


class LookalikeModel(ClassifierMixin, BaseEstimator):
    """Calibrated logistic regression over episode attributes (scikit-learn estimator).

    ``fit(X, y)`` takes episodes (``FEATURE_COLUMNS``) and ``returned``; ``predict_proba`` the chance of
    a return within the horizon; ``contributions`` each attribute's push on a customer's score. The
    default ``C`` is a strong L2 penalty: it shrinks rarely seen attribute values toward the average, so
    small shops get steadier scores and no customer's "why" rests on a handful of episodes (on large
    shops it changes nothing: the data outweighs it).
    """

    def __init__(self, C: float = 0.03, calibration: str = "sigmoid", cv: int = 3, min_count: int = 20,
                 seed: int = 42) -> None:
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.min_count = min_count
        self.seed = seed

    def fit(self, X: pd.DataFrame, y: Any) -> LookalikeModel:
        y = np.asarray(y, dtype=bool)
        pos = int(y.sum())
        if min(pos, len(y) - pos) < max(MIN_RETURNS, self.cv):
            raise NotEnoughEpisodes("wb_missing_model", needed=max(MIN_RETURNS, self.cv), returned=f"{pos:,}",
                                    not_returned=f"{len(y) - pos:,}", horizon="?")
        self.encoder_ = AttributeEncoder(self.min_count).fit(X)
        codes = self.encoder_.codes(X).to_numpy()
        fold = np.empty(len(y), dtype=np.int64)
        for f, (_, test) in enumerate(StratifiedKFold(self.cv, shuffle=True, random_state=self.seed).split(codes, y)):
            fold[test] = f
        # episodes with the same attributes, outcome and fold are one weighted row: the same likelihood and the
        # same episode-level cross-validation, on far fewer rows
        rows, weight = _unique_rows(np.column_stack([fold, y, codes]))
        splits = [(np.flatnonzero(rows[:, 0] != f), np.flatnonzero(rows[:, 0] == f)) for f in range(self.cv)]
        logit = LogisticRegression(C=self.C, max_iter=2000)
        # ~60 coefficients: multi-threaded BLAS only adds synchronisation cost (2-3x slower on a busy machine)
        with threadpool_limits(1, user_api="blas"):
            self.calibrated_ = CalibratedClassifierCV(logit, method=self.calibration, cv=splits).fit(
                self.encoder_.one_hot(rows[:, 2:]), rows[:, 1].astype(bool), sample_weight=weight.astype(float))
        self.classes_ = self.calibrated_.classes_
        # one coefficient per (attribute, value), averaged over the cross-validated fits
        self.coef_ = np.mean([c.estimator.coef_[0] for c in self.calibrated_.calibrated_classifiers_], axis=0)
        self.center_ = np.array([self._coef_of(codes[:, j], j).mean() for j in range(codes.shape[1])])
        self.base_rate_ = float(y.mean())
        return self

    def _coef_of(self, codes: np.ndarray, j: int) -> np.ndarray:
        w = self.coef_[self.encoder_.offsets_[j]: self.encoder_.offsets_[j + 1]]
        return np.where(codes >= 0, w[np.maximum(codes, 0)], 0.0)

    def _contrib(self, codes: np.ndarray) -> np.ndarray:
        return np.column_stack([self._coef_of(codes[:, j], j) - self.center_[j] for j in range(codes.shape[1])])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, ``SCORE_CHUNK`` rows at a time (the encoded rows of two million lapsed customers
        are gigabytes)."""
        parts = [self.calibrated_.predict_proba(self.encoder_.transform(X.iloc[lo: lo + SCORE_CHUNK]))
                 for lo in range(0, len(X), SCORE_CHUNK)]
        return np.vstack(parts) if parts else self.calibrated_.predict_proba(self.encoder_.transform(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X)[:, 1] >= 0.5

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each attribute's push on the score (log-odds, relative to the average training episode)."""
        return pd.DataFrame(self._contrib(self.encoder_.codes(X).to_numpy()), index=X.index,
                            columns=list(self.encoder_.levels_))

    def top_drivers(self, X: pd.DataFrame, k: int = 3, chunk: int = SCORE_CHUNK) -> pd.DataFrame:
        """The ``k`` attribute values that raise each score most (``attribute=value``; null if none raises it).

        Worked out ``chunk`` rows at a time: the per-attribute contributions and their ranking are several
        copies of rows x attributes, gigabytes for the two million lapsed customers of a large shop."""
        names = self.encoder_.get_feature_names_out()
        cols = [f"driver_{i + 1}" for i in range(min(k, len(self.encoder_.levels_)))]
        out = {c: np.empty(len(X), dtype=object) for c in cols}
        for lo in range(0, len(X), chunk):
            codes = self.encoder_.codes(X.iloc[lo: lo + chunk]).to_numpy()
            c = self._contrib(codes)
            order = np.argsort(-c, axis=1, kind="stable")[:, :k]
            rows = np.arange(len(c))
            for i, col in enumerate(cols):
                j = order[:, i]
                code = codes[rows, j]
                text = names[self.encoder_.offsets_[j] + np.maximum(code, 0)]
                out[col][lo: lo + len(c)] = np.where((c[rows, j] > 0) & (code >= 0), text, None)
        return pd.DataFrame(out, index=X.index)

    def coefficients(self) -> pd.DataFrame:
        """Columns attribute, value, coef (log-odds vs the attribute's average): the model's view of the drivers."""
        rows = []
        for j, (a, levels) in enumerate(self.encoder_.levels_.items()):
            w = self.coef_[self.encoder_.offsets_[j]: self.encoder_.offsets_[j + 1]]
            rows += [(a, v, float(wi - self.center_[j])) for v, wi in zip(levels, w)]
        return pd.DataFrame(rows, columns=["attribute", "value", "coef"])


@dataclass
class Backtest:
    """A time-based backtest: metrics, calibration by decile, gains by top share, test predictions."""

    metrics: dict[str, Any]
    calibration: pd.DataFrame
    gains: pd.DataFrame
    predictions: pd.DataFrame = field(repr=False)


def default_cutoff(as_of: dt.date, horizon_days: int, test_days: int | None = None) -> dt.date:
    """The latest day whose episodes all have a known outcome (as_of - horizon) minus a test window
    (``test_days``, default ``horizon_days``): train on outcomes known by then, test on what came after."""
    return as_of - dt.timedelta(days=horizon_days + (test_days if test_days is not None else horizon_days))


def _rate_in_top(y: np.ndarray, p: np.ndarray, share: float) -> float:
    k = max(1, int(round(share * len(p))))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean())


def backtest(episodes: pd.DataFrame, as_of: dt.date, *, horizon_days: int, cutoff: dt.date | None = None,
             test_days: int | None = None, seed: int = 42, model: LookalikeModel | None = None) -> Backtest:
    """Train on episodes whose outcome was known by ``cutoff`` (horizon_end <= cutoff), test on episodes
    that started after it and whose outcome is known by ``as_of``.

    Metrics: auc, brier, log_loss, base_rate (test), mean_predicted, rate_top10/20, lift_top10/20 (return
    rate in the top 10% / 20% of scores over the test base rate), train/test sizes and date ranges.
    """
    cutoff = cutoff or default_cutoff(as_of, horizon_days, test_days)
    cut = pd.Timestamp(cutoff)
    train = episodes.loc[episodes["horizon_end"] <= cut]
    test = episodes.loc[(episodes["start_date"] > cut) & episodes["outcome_known"]]
    y_test = test["returned"].to_numpy(dtype=bool)
    if len(test) == 0 or min(int(y_test.sum()), int((~y_test).sum())) < MIN_TEST_RETURNS:
        raise NotEnoughEpisodes("wb_missing_backtest", needed=MIN_TEST_RETURNS, cutoff=cutoff, horizon=horizon_days,
                                returned=f"{int(y_test.sum()):,}", not_returned=f"{int((~y_test).sum()):,}")
    m = model if model is not None else LookalikeModel(seed=seed)
    m.fit(train[list(FEATURE_COLUMNS)], train["returned"].to_numpy(dtype=bool))
    p = m.predict_proba(test[list(FEATURE_COLUMNS)])[:, 1]
    base = float(y_test.mean())
    metrics = {
        "cutoff": cutoff,
        "train_episodes": len(train), "train_returned": int(train["returned"].sum()),
        "train_start": train["start_date"].min().date(), "train_end": train["start_date"].max().date(),
        "test_episodes": len(test), "test_returned": int(y_test.sum()),
        "test_start": test["start_date"].min().date(), "test_end": test["start_date"].max().date(),
        "auc": float(roc_auc_score(y_test, p)),
        "brier": float(brier_score_loss(y_test, p)),
        "log_loss": float(log_loss(y_test, p, labels=[False, True])),
        "base_rate": base, "train_base_rate": m.base_rate_, "mean_predicted": float(p.mean()),
    }
    for share in (0.1, 0.2):
        rate = _rate_in_top(y_test, p, share)
        metrics[f"rate_top{int(share * 100)}"] = rate
        metrics[f"lift_top{int(share * 100)}"] = rate / base
    preds = pd.DataFrame({"customer_key": test["customer_key"].to_numpy(), "start_date": test["start_date"].to_numpy(),
                          "p_return": p, "returned": y_test})
    return Backtest(metrics, _calibration(y_test, p), _gains(y_test, p), preds)


def _calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted vs observed return rate per score decile (ties may merge deciles)."""
    rank = np.argsort(np.argsort(p, kind="stable"), kind="stable")
    decile = rank * bins // max(len(p), 1) + 1
    df = pd.DataFrame({"decile": decile, "p": p, "y": y.astype(float)})
    out = df.groupby("decile").agg(episodes=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    return out.reset_index()


def _gains(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Share of all returners found in the top x% of scores, and the lift there."""
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order])
    shares = np.arange(5, 101, 5) / 100
    k = np.maximum(1, np.round(shares * len(p)).astype(np.int64))
    total, base = max(int(y.sum()), 1), y.mean()
    rate = hits[k - 1] / k
    return pd.DataFrame({"top_share": shares, "episodes": k, "returners_found": hits[k - 1] / total,
                         "return_rate": rate, "lift": rate / base if base else np.nan})


def lapse_decay(timing: pd.DataFrame, days_lapsed: np.ndarray, horizon_days: int) -> np.ndarray:
    """How a return within ``horizon_days`` gets more (or less) likely after ``days_lapsed`` days already
    spent lapsed, relative to the day of lapsing: ``P(return in (d, d+H] | none by d) / P(return in
    (0, H])`` from the Kaplan-Meier curve (``return_timing``). Beyond the curve's reach the last estimable
    day is used; without a curve as long as the horizon the factor is 1.
    """
    d = np.asarray(days_lapsed, dtype=np.int64)
    top = len(timing)
    if top < horizon_days:
        return np.ones(len(d))
    stay = np.concatenate([[1.0], 1 - timing["share_returned"].to_numpy(dtype=float)])  # stay[t] = S(t)
    d = np.clip(d, 0, top - horizon_days)
    base = 1 - stay[horizon_days]
    if base <= 0:
        return np.ones(len(d))
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = np.where(stay[d] > 0, 1 - stay[d + horizon_days] / stay[d], 0.0)
    return cond / base


def return_value_ratio(episodes: pd.DataFrame) -> float:
    """Net revenue of return orders over the returners' average order value before lapsing (1 if no data);
    episodes with a known outcome only, as the profile and the model."""
    known = episodes["outcome_known"].to_numpy(dtype=bool)
    r = episodes.loc[known & episodes["returned"].fillna(False).to_numpy(dtype=bool)]
    total_aov = float(r["aov"].sum())
    return float(r["return_value"].sum()) / total_aov if total_aov > 0 else 1.0


SCORE_COLUMNS = {
    "rank": "1 = best, by settings rank_by",
    "last_order_date": "date of the last order",
    "days_lapsed": "days since the customer lapsed (as_of - start_date)",
    "orders": "orders so far", "net_revenue": "net revenue so far", "aov": "average order value",
    "p_return_at_start": "model's probability of a return within the horizon, on the day they lapsed",
    "p_return": "probability of a return within the horizon from as_of (decay by time spent lapsed applied)",
    "expected_order_value": "aov x the shop's return-order value ratio",
    "expected_return_value": "p_return x expected_order_value",
    "driver_1": "attribute=value that raises the score most (then driver_2, driver_3)",
}


def score_lapsed(model: LookalikeModel, episodes: pd.DataFrame, *, horizon_days: int,
                  rank_by: str = "expected_return_value", clv: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every currently lapsed customer (episodes with ``current``); index customer_key, ranked.

    Columns ``SCORE_COLUMNS``, plus ``p_alive`` and ``predicted_clv`` joined from ``clv`` (the frame of
    ``ltvlib.clv.predict_customers``) when given.
    """
    timing = return_timing(episodes)
    cur = episodes.loc[episodes["current"].to_numpy(dtype=bool)].set_index("customer_key")
    p0 = model.predict_proba(cur[list(FEATURE_COLUMNS)])[:, 1] if len(cur) else np.zeros(0)
    days = cur["followup_days"].to_numpy(dtype=np.int64)
    p = np.clip(p0 * lapse_decay(timing, days, horizon_days), 0.0, 1.0)
    eov = cur["aov"].to_numpy(dtype=float) * return_value_ratio(episodes)
    out = pd.DataFrame({
        "last_order_date": cur["last_order_date"], "days_lapsed": days,
        "orders": cur["orders"], "net_revenue": cur["net_revenue"], "aov": cur["aov"],
        "p_return_at_start": p0, "p_return": p, "expected_order_value": eov, "expected_return_value": p * eov,
    }, index=cur.index)
    if len(cur):
        out = out.join(model.top_drivers(cur[list(FEATURE_COLUMNS)]))
    if clv is not None:
        out = out.join(clv[["p_alive", "predicted_clv"]])
    out = out.sort_values([rank_by, "p_return"], ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
