"""Win-back lookalikes: lapse episodes + training (backtest and final model) + scoring of today's lapsed
customers, as the report runs them (``ltvlib.winback.analyse``'s steps), timed one by one.

``winback_s`` is the target figure (episodes + training + scoring, in-process; target < 90 s on the
1,000,000-customer demo shop); ``load_s`` is reading the store, outside it. The backtest figures are
the model's quality on lapses that started after the cutoff.
"""

from __future__ import annotations

import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store
from ltvlib.winback import (
    FEATURE_COLUMNS,
    LookalikeModel,
    backtest,
    lapse_episodes,
    load_orders,
    returners_profile,
    score_lapsed,
    settings_from,
)


def run(params_path: str, variant: str | None) -> dict:
    params = load_shop_params(params_path)
    s = settings_from(params.winback, params.thresholds)
    t0 = time.perf_counter()
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = load_orders(store)  # with each order's first product line: no line items, as the page
    load_s = time.perf_counter() - t0

    t = time.perf_counter()
    episodes = lapse_episodes(orders, params.as_of, lapsed_days=s.lapsed_days, horizon_days=s.horizon_days,
                              peak_months=s.peak_months)
    episodes_s = time.perf_counter() - t
    t = time.perf_counter()
    profile = returners_profile(episodes)
    profile_s = time.perf_counter() - t
    t = time.perf_counter()
    bt = backtest(episodes, params.as_of, horizon_days=s.horizon_days, cutoff=s.backtest_cutoff, seed=s.seed)
    backtest_s = time.perf_counter() - t
    t = time.perf_counter()
    known = episodes.loc[episodes["outcome_known"].to_numpy(dtype=bool)]
    model = LookalikeModel(seed=s.seed).fit(known[list(FEATURE_COLUMNS)], known["returned"].to_numpy(dtype=bool))
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    scores = score_lapsed(model, episodes, horizon_days=s.horizon_days, rank_by=s.rank_by)
    score_s = time.perf_counter() - t
    m = bt.metrics
    return {"figures": {
        "winback_s": episodes_s + profile_s + backtest_s + fit_s + score_s,
        "load_s": load_s, "episodes_s": episodes_s, "profile_s": profile_s, "backtest_s": backtest_s,
        "fit_s": fit_s, "score_s": score_s,
        "orders": int(len(orders)), "episodes": int(len(episodes)), "training_episodes": int(len(known)),
        "lapsed_customers": int(len(scores)), "profile_rows": int(len(profile)),
        "backtest_auc": m["auc"], "backtest_base_rate": m["base_rate"], "backtest_lift_top10": m["lift_top10"],
        "backtest_lift_top20": m["lift_top20"], "backtest_test_episodes": int(m["test_episodes"]),
    }}
