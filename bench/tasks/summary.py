"""Customer summary (frequency / recency / T / monetary) as of the shop's as_of: ours vs lifetimes.

Both variants load the same orders from the store; ``summary_s`` times only the summary call.
"""

from __future__ import annotations

import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store


def run(params_path: str, variant: str | None) -> dict:
    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders(["order_id", "customer_key", "email", "ordered_at", "net_revenue", "cancelled_at",
                               "channel", "discount_codes"])
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
    secs = time.perf_counter() - t0
    out = {"figures": {"summary_s": secs, "customers": int(len(s)), "orders": int(len(orders))}}
    if variant is None:
        out["variants"] = ["lifetimes"]
        out["compare"] = [["", "lifetimes", "summary vs lifetimes.utils.summary_data_from_transaction_data"]]
    return out
