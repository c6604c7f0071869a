"""Customer summary (frequency / recency / T / monetary) as of the shop's as_of: ours vs lifetimes.

``lifetimes`` gets the orders already in memory (read from the store before the clock starts, which
favours it); ours (the default run) computes the summary inside the store with ``history.store_summary``,
reading nothing beforehand; the ``frame`` variant is ``customers.customer_summary`` on the same in-memory
orders as lifetimes. ``summary_s`` times only the summary call (the store query included for ours).
"""

from __future__ import annotations

import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store

COLUMNS = ["order_id", "customer_key", "email", "ordered_at", "net_revenue", "cancelled_at", "channel",
           "discount_codes"]


def run(params_path: str, variant: str | None) -> dict:
    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        if variant is None:
            from ltvlib.history import store_summary

            t0 = time.perf_counter()
            s = store_summary(store.con, params.as_of, params.timezone)
            secs = time.perf_counter() - t0
            out = {"figures": {"summary_s": secs, "customers": int(len(s))},
                   "variants": ["lifetimes", "frame"],
                   "compare": [["", "lifetimes", "summary (in store) vs lifetimes.utils.summary_data_from_transaction_data"],
                               ["frame", "lifetimes", "summary (orders frame) vs lifetimes"]]}
            return out
        orders = store.orders(COLUMNS)
    t0 = time.perf_counter()
    if variant == "lifetimes":
        import pandas as pd
        from lifetimes.utils import summary_data_from_transaction_data

        from ltvlib.customers import customer_orders

        o = customer_orders(orders, params.as_of)
        tx = pd.DataFrame({"id": o["customer_key"], "date": o["ordered_at"].dt.tz_localize(None),
                           "v": o["net_revenue"]})
        s = summary_data_from_transaction_data(tx, "id", "date", monetary_value_col="v",
                                               observation_period_end=pd.Timestamp(params.as_of), freq="D")
    else:
        from ltvlib.customers import customer_summary

        s = customer_summary(orders, params.as_of)
    return {"figures": {"summary_s": time.perf_counter() - t0, "customers": int(len(s)), "orders": int(len(orders))}}
