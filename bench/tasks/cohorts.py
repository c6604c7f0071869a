"""Cohort matrices and repeat-buying facts of the benchmark shop as of its as_of (target: matrices < 10 s).

``matrices_s`` times the order history (prepared once, as ``cohorts.analyse`` does) and the cohort matrices the report builds (by ``cohorts.period``: all customers and one
split per ``cohorts.split_by`` attribute, from one pass over the orders) and their LTV curves; ``facts_s`` the repeat-buying facts (repurchase
rates, new vs repeat revenue, come-back rate and next purchase by first product line).
"""

from __future__ import annotations

import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store


def run(params_path: str, variant: str | None) -> dict:
    from ltvlib import cohorts
    from ltvlib.history import OrderHistory

    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders(["order_id", "customer_key", "ordered_at", "net_revenue", "cancelled_at", "channel",
                               "source", "discount_codes"])
        items = store.line_items(["order_id", "line_no", "product", "product_line"])
    as_of, s = params.as_of, params.cohorts
    period = cohorts.settings_period(s)
    t0 = time.perf_counter()
    h = OrderHistory(orders, as_of=as_of)  # prepared once for every figure, as cohorts.analyse does
    splits = [None, *(s.get("split_by") or [])]
    matrices = cohorts.cohort_matrices(h, as_of, period=period, splits=splits, line_items=items,
                                       max_periods=s.get("max_periods"))
    for split, m in matrices.items():
        cohorts.ltv_curves(m, split)
    m = matrices[None]
    t1 = time.perf_counter()
    cohorts.repurchase_rates(h, as_of)
    cohorts.revenue_new_vs_repeat(h, as_of, period=period)
    cohorts.interval_summary(h.snapshot(as_of).interval_frame())
    cohorts.product_repeat(h, items, as_of)
    cohorts.next_purchase_mix(h, items, as_of)
    t2 = time.perf_counter()
    return {"figures": {"matrices_s": t1 - t0, "facts_s": t2 - t1, "cells": int(len(m)),
                        "customers": int(m.loc[m["period"] == 0, "customers"].sum()), "orders": int(len(orders))}}
