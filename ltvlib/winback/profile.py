"""Attributes of lapsed customers and what the ones who came back had in common.

An *attribute* is a readable value of an episode's state (``first_product_line = Umami``, ``orders_band
= 3-4``): numbers are put into fixed bands (AOV into quartiles learned from the data), rare categories
into ``other``. The same attributes feed the returners' profile and the lookalike model, so the model's
"why" for a customer reads in the same words as the profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = ["ATTRIBUTES", "AttributeEncoder", "returners_profile", "wilson_interval"]

ATTRIBUTES = {
    "first_product_line": "main product line of the first order",
    "last_product_line": "main product line of the last order",
    "first_channel": "channel of the first order",
    "first_discount_code": "discount code of the first order",
    "orders_band": "orders so far: 1, 2, 3-4, 5+",
    "aov_band": "average order value, in quartiles of the episodes the encoder was fitted on",
    "interval_band": "mean days between purchases: single (one purchase day), <30, 30-89, 90-179, 180+",
    "tenure_band": "days since the first order at the episode start: <365, 365-729, 730+",
    "gift_buyer": "has placed a gift order: yes / no",
    "discount_band": "discounted orders after the first: single (one order), none, some (< half), mostly",
    "peak_band": "share of orders in the peak months: none, some, mostly",
    "multichannel": "ordered through more than one channel: yes / no",
    "prior_band": "earlier lapses the customer came back from: 0, 1, 2+",
    "start_month": "month in which the customer lapsed: 1-12",
}
_CATEGORICAL = ("first_product_line", "last_product_line", "first_channel", "first_discount_code")
# banded numbers: (source column, right-open edges, value keys); NaN goes to the first key when it is "single"
_BANDS = {
    "orders_band": ("orders", [2, 3, 5], ["1", "2", "3-4", "5+"]),
    "interval_band": ("mean_interval_days", [30, 90, 180], ["<30", "30-89", "90-179", "180+"]),
    "tenure_band": ("tenure_days", [365, 730], ["<365", "365-729", "730+"]),
    "prior_band": ("prior_episodes", [1, 2], ["0", "1", "2+"]),
}
_SHARE_BANDS = {"discount_band": "repeat_discount_share", "peak_band": "peak_season_share"}
_YES_NO = {"gift_buyer": ("gift_share", lambda v: v > 0), "multichannel": ("multichannel", lambda v: v.astype(bool))}


def _nice(x: float) -> float:
    """``x`` rounded to two significant digits (readable band edges like 2,400)."""
    if x <= 0 or not np.isfinite(x):
        return 0.0
    digits = int(np.floor(np.log10(x))) - 1
    return float(round(x, -digits))


class AttributeEncoder(TransformerMixin, BaseEstimator):
    """Turn episodes (``FEATURE_COLUMNS``) into attribute values and a one-hot matrix.

    ``fit`` learns the AOV quartile edges and, per categorical attribute, the values seen at least
    ``min_count`` times (others become ``other``, nulls ``unknown``); it never looks at outcomes.
    """

    def __init__(self, min_count: int = 20) -> None:
        self.min_count = min_count

    def fit(self, X: pd.DataFrame, y: object = None) -> AttributeEncoder:
        aov = X["aov"].to_numpy(dtype=float)
        qs = np.quantile(aov, [0.25, 0.5, 0.75]) if len(aov) else np.array([])
        self.aov_edges_ = sorted({_nice(q) for q in qs if _nice(q) > 0})
        levels: dict[str, list[str]] = {}
        for col in _CATEGORICAL:
            counts = X[col].fillna("unknown").astype(str).value_counts()
            keep = sorted(counts.index[counts >= self.min_count])
            levels[col] = keep + [v for v in ("other",) if len(counts) > len(keep)]
        for name, (_, _, keys) in _BANDS.items():
            levels[name] = (["single"] if name == "interval_band" else []) + keys
        levels["aov_band"] = self._aov_keys()
        levels["discount_band"] = ["single", "none", "some", "mostly"]  # the first order has its own attribute
        levels["peak_band"] = ["none", "some", "mostly"]
        for name in _YES_NO:
            levels[name] = ["no", "yes"]
        levels["start_month"] = [str(m) for m in range(1, 13)]
        self.levels_ = {a: levels[a] for a in ATTRIBUTES}
        self.offsets_ = np.concatenate([[0], np.cumsum([len(v) for v in self.levels_.values()])])
        return self

    def _aov_keys(self) -> list[str]:
        e = self.aov_edges_
        if not e:
            return ["all"]
        return [f"<{e[0]:,.0f}"] + [f"{a:,.0f}-{b:,.0f}" for a, b in zip(e[:-1], e[1:])] + [f"{e[-1]:,.0f}+"]

    def codes(self, X: pd.DataFrame) -> pd.DataFrame:
        """Integer code of each attribute's value (index into ``levels_[attribute]``), one column per attribute."""
        out = {}
        for col in _CATEGORICAL:
            lv = self.levels_[col]
            v = X[col].fillna("unknown").astype(str)
            c = pd.Categorical(v, categories=lv).codes.astype(np.int64)
            if "other" in lv:
                c = np.where(c < 0, lv.index("other"), c)
            out[col] = c  # a value never seen in fit with no 'other' level stays -1 (no contribution)
        for name, (src, edges, _) in _BANDS.items():
            v = X[src].to_numpy(dtype=float)
            c = np.searchsorted(edges, v, side="right")
            out[name] = np.where(np.isnan(v), 0, c + 1) if name == "interval_band" else c
        if self.aov_edges_:
            out["aov_band"] = np.searchsorted(self.aov_edges_, X["aov"].to_numpy(dtype=float), side="right")
        else:
            out["aov_band"] = np.zeros(len(X), dtype=np.int64)
        for name, src in _SHARE_BANDS.items():
            v = X[src].to_numpy(dtype=float)
            band = np.where(v <= 0, 0, np.where(v < 0.5, 1, 2))
            out[name] = np.where(np.isnan(v), 0, band + 1) if name == "discount_band" else band
        for name, (src, test) in _YES_NO.items():
            out[name] = test(X[src].to_numpy()).astype(np.int64)
        out["start_month"] = X["start_month"].to_numpy(dtype=np.int64) - 1
        return pd.DataFrame({a: np.asarray(out[a], dtype=np.int64) for a in ATTRIBUTES}, index=X.index)

    def values(self, X: pd.DataFrame) -> pd.DataFrame:
        """Attribute values as categoricals (value keys like ``3-4``, ``yes``, ``Umami``)."""
        codes = self.codes(X)
        return pd.DataFrame({a: pd.Categorical.from_codes(codes[a], categories=self.levels_[a])
                             for a in ATTRIBUTES}, index=X.index)

    def transform(self, X: pd.DataFrame) -> sparse.csr_matrix:
        """One-hot matrix: one column per (attribute, value), in ``feature_names_out`` order."""
        return self.one_hot(self.codes(X).to_numpy())

    def one_hot(self, codes: np.ndarray) -> sparse.csr_matrix:
        """The one-hot matrix of an array of ``codes`` (rows x attributes)."""
        cols = codes + self.offsets_[:-1]
        ok = codes >= 0
        rows = np.broadcast_to(np.arange(len(codes))[:, None], codes.shape)
        return sparse.csr_matrix((np.ones(ok.sum()), (rows[ok], cols[ok])), shape=(len(codes), self.offsets_[-1]))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([f"{a}={v}" for a, lv in self.levels_.items() for v in lv], dtype=object)


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (95% by default); NaN where ``n`` is 0."""
    s, n = np.asarray(successes, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s / n
        den = 1 + z**2 / n
        mid = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return mid - half, mid + half


def _mantel_haenszel(exposed: np.ndarray, y: np.ndarray, stratum: np.ndarray, levels: int, strata: int,
                     z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mantel-Haenszel rate ratio of each level against the rest, within strata (Greenland-Robins interval).

    ``exposed`` holds each episode's level code (-1: none), ``stratum`` its stratum code.
    """
    ok = exposed >= 0
    cell = exposed[ok] * strata + stratum[ok]
    n1 = np.bincount(cell, minlength=levels * strata).reshape(levels, strata).astype(float)
    a = np.bincount(cell, weights=y[ok], minlength=levels * strata).reshape(levels, strata)
    N = np.bincount(stratum[ok], minlength=strata).astype(float)[None, :]
    R = np.bincount(stratum[ok], weights=y[ok], minlength=strata)[None, :]
    n0, c = N - n1, R - a
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.where(N > 0, a * n0 / N, 0.0).sum(axis=1)
        den = np.where(N > 0, c * n1 / N, 0.0).sum(axis=1)
        rr = num / den
        var = np.where(N > 0, (n1 * n0 * (a + c) - a * c * N) / N**2, 0.0).sum(axis=1) / (num * den)
        ok_ci = (num > 0) & (den > 0)
        lo = np.where(ok_ci, np.exp(np.log(rr) - z * np.sqrt(var)), np.nan)
        hi = np.where(ok_ci, np.exp(np.log(rr) + z * np.sqrt(var)), np.nan)
    return np.where(ok_ci, rr, np.nan), lo, hi


def returners_profile(episodes: pd.DataFrame, encoder: AttributeEncoder | None = None, *,
                      z: float = 1.96) -> pd.DataFrame:
    """Return rate and lift per attribute value over the episodes with a known outcome.

    Only episodes whose horizon has ended by as_of (``outcome_known``) count: an episode still open that
    has already returned is left out too, or quick returners would be over-represented among recent
    episodes (and the base rate inflated).

    ``lift`` compares the value's return rate with the rate of all *other* episodes (``first bought
    Umami: returned 2.1x as often as the rest``), with a 95% interval (log rate ratio); ``significant``
    when that interval excludes 1. ``adjusted_lift`` is the same comparison among customers with the
    same number of orders (Mantel-Haenszel over ``orders_band``; null for the order-history attributes
    it cannot separate from), so it shows what an attribute adds beyond "has bought more often".
    Columns: attribute, value, episodes, returned, return_rate, rate_low, rate_high, rest_rate, lift,
    lift_low, lift_high, significant, adjusted_lift, adjusted_low, adjusted_high, adjusted_significant,
    share_of_returners. One customer can have several episodes; intervals treat episodes as independent.
    """
    known = episodes.loc[episodes["outcome_known"].to_numpy(dtype=bool)]
    enc = encoder if encoder is not None else AttributeEncoder().fit(known)
    codes = enc.codes(known)
    y = known["returned"].to_numpy(dtype=bool).astype(float)
    stratum = codes["orders_band"].to_numpy()
    n_strata = len(enc.levels_["orders_band"])
    total_n, total_r = len(known), int(y.sum())
    frames = []
    for attr, levels in enc.levels_.items():
        c = codes[attr].to_numpy()
        ok = c >= 0
        n = np.bincount(c[ok], minlength=len(levels)).astype(float)
        r = np.bincount(c[ok], weights=y[ok], minlength=len(levels))
        adj = _mantel_haenszel(c, y, stratum, len(levels), n_strata, z)
        frames.append(pd.DataFrame({"attribute": attr, "value": levels, "episodes": n, "returned": r,
                                    "adjusted_lift": adj[0], "adjusted_low": adj[1], "adjusted_high": adj[2]}))
    out = pd.concat(frames, ignore_index=True)
    out = out.loc[out["episodes"] > 0].reset_index(drop=True)
    n, r = out["episodes"].to_numpy(), out["returned"].to_numpy()
    rest_n, rest_r = total_n - n, total_r - r
    lo, hi = wilson_interval(r, n, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate, rest = r / n, rest_r / rest_n
        lift = rate / rest
        se = np.sqrt(1 / r - 1 / n + 1 / rest_r - 1 / rest_n)
        ok = (r > 0) & (rest_r > 0)
        lift_lo = np.where(ok, np.exp(np.log(lift) - z * se), np.nan)
        lift_hi = np.where(ok, np.exp(np.log(lift) + z * se), np.nan)
        share = r / total_r if total_r else np.full(len(r), np.nan)
    out = out.assign(return_rate=rate, rate_low=lo, rate_high=hi, rest_rate=rest, lift=lift, lift_low=lift_lo,
                     lift_high=lift_hi, significant=(lift_lo > 1) | (lift_hi < 1),
                     adjusted_significant=(out["adjusted_low"] > 1) | (out["adjusted_high"] < 1),
                     share_of_returners=share)
    out.loc[out["attribute"] == "orders_band", ["adjusted_lift", "adjusted_low", "adjusted_high"]] = np.nan
    out.loc[out["attribute"] == "orders_band", "adjusted_significant"] = False
    cols = ["attribute", "value", "episodes", "returned", "return_rate", "rate_low", "rate_high", "rest_rate", "lift",
            "lift_low", "lift_high", "significant", "adjusted_lift", "adjusted_low", "adjusted_high",
            "adjusted_significant", "share_of_returners"]
    out["episodes"] = out["episodes"].astype(np.int64)
    out["returned"] = out["returned"].astype(np.int64)
    return out[cols]
