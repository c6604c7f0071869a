"""The whole win-back analysis of one shop as of a date, in one call (used by the report and the benchmark)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ltvlib.history import OrderHistory
from ltvlib.winback.episodes import (
    FEATURE_COLUMNS,
    WinbackSettings,
    lapse_episodes,
    return_timing,
)
from ltvlib.winback.model import Backtest, LookalikeModel, NotEnoughEpisodes, backtest, score_lapsed
from ltvlib.winback.profile import returners_profile

__all__ = ["WinbackResult", "analyse"]


@dataclass
class WinbackResult:
    """Everything the win-back report shows. ``model``/``backtest`` are None (and ``problem`` says why, in
    either language: ``problem.text(language)``) when the shop has too few episodes to train or test a
    model; ``scores`` then has null scores."""

    as_of: dt.date
    lapsed_days: int
    horizon_days: int
    episodes: pd.DataFrame
    timing: pd.DataFrame
    profile: pd.DataFrame
    scores: pd.DataFrame
    model: LookalikeModel | None
    backtest: Backtest | None
    problem: NotEnoughEpisodes | None


def _unscored(episodes: pd.DataFrame) -> pd.DataFrame:
    cur = episodes.loc[episodes["current"].to_numpy(dtype=bool)].set_index("customer_key")
    out = pd.DataFrame({"last_order_date": cur["last_order_date"], "days_lapsed": cur["followup_days"],
                        "orders": cur["orders"], "net_revenue": cur["net_revenue"], "aov": cur["aov"],
                        "p_return": np.nan, "expected_return_value": np.nan}, index=cur.index)
    out = out.sort_values("net_revenue", ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def analyse(orders: pd.DataFrame | OrderHistory, as_of: dt.date, settings: WinbackSettings, *,
            line_items: pd.DataFrame | None = None, clv: pd.DataFrame | None = None) -> WinbackResult:
    """Episodes, return timing, returners' profile, backtest, final model (all episodes with a known
    outcome) and the ranked scores of today's lapsed customers. ``orders``: a frame or its ``OrderHistory``
    at ``as_of`` (``lapse_episodes``)."""
    lapsed_days = settings.lapsed_days
    h = settings.horizon_days
    episodes = lapse_episodes(orders, as_of, lapsed_days=lapsed_days, horizon_days=h, line_items=line_items,
                             peak_months=settings.peak_months)
    timing = return_timing(episodes)
    profile = returners_profile(episodes)
    try:
        bt = backtest(episodes, as_of, horizon_days=h, cutoff=settings.backtest_cutoff, seed=settings.seed)
        known = episodes["outcome_known"].to_numpy(dtype=bool)  # the features only: not a copy of every column
        model = LookalikeModel(seed=settings.seed).fit(episodes.loc[known, list(FEATURE_COLUMNS)],
                                                       episodes["returned"].to_numpy()[known].astype(bool))
    except NotEnoughEpisodes as e:
        problem = e.with_facts(days=lapsed_days, horizon=h)
        return WinbackResult(as_of, lapsed_days, h, episodes, timing, profile, _unscored(episodes), None, None, problem)
    scores = score_lapsed(model, episodes, horizon_days=h, rank_by=settings.rank_by, clv=clv)
    return WinbackResult(as_of, lapsed_days, h, episodes, timing, profile, scores, model, bt, None)
