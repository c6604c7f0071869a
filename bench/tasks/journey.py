"""Journey flows: the status-grid journey over the last 7 days and its 52-week trend (issue 5).

Targets on the 1,000,000-customer demo shop: one window under 3 s, the 52-week trend under 60 s,
peak memory under 4 GiB. ``history_s`` is building the per-customer order arrays (once per report),
``window_s`` one 7-day window on them, ``trend_s`` all flows of 52 weekly windows. The ``summary``
variant computes the same window the plain way (customer summary + ``rfm.status_grid`` at both
ends), to show what the order-history arrays save.
"""

from __future__ import annotations

import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store


def run(params_path: str, variant: str | None) -> dict:
    from ltvlib.journey import build_journeys, default_window, window_flows

    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders(["order_id", "customer_key", "email", "ordered_at", "net_revenue", "cancelled_at",
                               "channel", "discount_codes"])
    spec = {"status_grid": params.journeys["status_grid"]}
    figures: dict = {"orders": int(len(orders))}
    if variant == "summary":
        import pandas as pd

        from ltvlib.customers import customer_summary
        from ltvlib.rfm import GRID_CELLS, status_grid

        def by_summary(as_of):
            return pd.get_dummies(status_grid(customer_summary(orders, as_of), params.thresholds)["cell"]).astype(bool)

        t0 = time.perf_counter()
        start, end = default_window(params.as_of, 7)
        w = window_flows(by_summary, start, end, segments=GRID_CELLS)
        figures["window_s"] = time.perf_counter() - t0
        figures["moves_7d"] = int(w.moves()["customers"].sum())
        return {"figures": figures}

    t0 = time.perf_counter()
    journey = build_journeys(spec, orders, params.as_of, params.thresholds)["status_grid"]
    figures["history_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    w = journey.window(params.as_of)
    figures["window_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    trend = journey.trend_counts(params.as_of, flows=None, weeks=52, top=len(journey.arrows))
    figures["trend_s"] = time.perf_counter() - t0
    figures.update(customers=int(len(journey.source.keys)), moves_7d=int(w.moves()["customers"].sum()),
                   trend_weeks=int(trend["week_end"].nunique()))
    return {"figures": figures, "variants": ["summary"],
            "compare": [["", "summary", "7-day window vs customer summary at both ends"]]}
