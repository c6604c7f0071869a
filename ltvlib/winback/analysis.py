"""The whole win-back analysis of one shop as of a date, in one call (used by the report and the benchmark)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ltvlib.winback.episodes import (
    FEATURE_COLUMNS,
    WinbackSettings,
    dormancy_episodes,
    dormant_threshold,
    return_timing,
)
from ltvlib.winback.model import Backtest, LookalikeModel, NotEnoughEpisodes, backtest, score_dormant
from ltvlib.winback.profile import returners_profile

__all__ = ["WinbackResult", "analyse"]


@dataclass
class WinbackResult:
    """Everything the win-back report shows. ``model``/``backtest`` are None (and ``problem`` says why)
    when the shop has too few episodes to train or test a model; ``scores`` then has null scores."""

    as_of: dt.date
    dormant_days: int
    horizon_days: int
    episodes: pd.DataFrame
    timing: pd.DataFrame
    profile: pd.DataFrame
    scores: pd.DataFrame
    model: LookalikeModel | None
    backtest: Backtest | None
    problem: str | None


def _unscored(episodes: pd.DataFrame) -> pd.DataFrame:
    cur = episodes.loc[episodes["current"].to_numpy(dtype=bool)].set_index("customer_key")
    out = pd.DataFrame({"last_order_date": cur["last_order_date"], "days_dormant": cur["followup_days"],
                        "orders": cur["orders"], "net_revenue": cur["net_revenue"], "aov": cur["aov"],
                        "p_return": np.nan, "expected_return_value": np.nan}, index=cur.index)
    out = out.sort_values("net_revenue", ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def analyse(orders: pd.DataFrame, as_of: dt.date, settings: WinbackSettings, *,
            line_items: pd.DataFrame | None = None, clv: pd.DataFrame | None = None) -> WinbackResult:
    """Episodes, return timing, returners' profile, backtest, final model (all episodes with a known
    outcome) and the ranked scores of today's dormant customers."""
    dormant_days = dormant_threshold(orders, as_of, settings.dormant_days)
    h = settings.horizon_days
    episodes = dormancy_episodes(orders, as_of, dormant_days=dormant_days, horizon_days=h, line_items=line_items,
                                 peak_months=settings.peak_months)
    timing = return_timing(episodes)
    profile = returners_profile(episodes)
    try:
        bt = backtest(episodes, as_of, horizon_days=h, cutoff=settings.backtest_cutoff, seed=settings.seed)
        known = episodes.loc[episodes["outcome_known"].to_numpy(dtype=bool)]
        model = LookalikeModel(seed=settings.seed).fit(known[list(FEATURE_COLUMNS)],
                                                       known["returned"].to_numpy(dtype=bool))
    except NotEnoughEpisodes as e:
        return WinbackResult(as_of, dormant_days, h, episodes, timing, profile, _unscored(episodes), None, None, str(e))
    scores = score_dormant(model, episodes, horizon_days=h, rank_by=settings.rank_by, clv=clv)
    return WinbackResult(as_of, dormant_days, h, episodes, timing, profile, scores, model, bt, None)
