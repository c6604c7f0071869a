"""Condition segments on the benchmark shop (targets: starter library < 5 s, 52-week growth of 10 segments < 60 s).

``prepare_s`` times building the ``Segmenter`` from the loaded frames: the order history (customers
numbered, days, revenue), the library compiled with its ``for_each`` segments expanded, and the order
features the library reads (line items joined to orders, products, tags, channels encoded).
``library_s`` evaluates every segment of the starter library at the shop's as_of; ``library_again_s``
once more at another date (the per-date cost, e.g. for journeys); ``total_s`` = prepare + library.
``growth_s`` is the weekly size and LTV series of 10 segments over the last 52 weeks (53 dates).
Loading the store into frames is not timed.
"""

from __future__ import annotations

import datetime as dt
import time

from ltvlib.params import load_shop_params
from ltvlib.store import Store

GROWTH_SEGMENTS = ["new", "first_repeat", "regular", "loyal", "lapsing", "churned", "vip", "herbal_lapsed",
                   "gift_regulars", "omnichannel"]


def run(params_path: str, variant: str | None) -> dict:
    from ltvlib.segments import Segmenter, fields, metrics

    params = load_shop_params(params_path)
    with Store(params.store, timezone=params.timezone, read_only=True) as store:
        orders = store.orders(fields.ORDER_COLUMNS)  # what the segments page loads: the columns conditions read
        items = store.line_items(["order_id", "line_no", "product", "product_line"])
    as_of = params.as_of
    t0 = time.perf_counter()
    seg = Segmenter(orders, items, params.segments, params.thresholds)
    tp = time.perf_counter()
    members = seg.membership(as_of)
    t1 = time.perf_counter()
    seg.membership(as_of - dt.timedelta(days=7))
    t2 = time.perf_counter()
    g = metrics.growth(seg, metrics.weekly_dates(as_of, 52), GROWTH_SEGMENTS)
    t3 = time.perf_counter()
    return {"figures": {"prepare_s": tp - t0, "library_s": t1 - tp, "total_s": t1 - t0,
                        "library_again_s": t2 - t1, "growth_s": t3 - t2,
                        "segments": int(members.shape[1]), "customers": int(len(members)),
                        "orders": int(len(orders)), "growth_rows": int(len(g))}}
