"""The CDNOW data sets that ship inside ``lifetimes``, read into canonical orders.

CDNOW is the reference data of the buy-till-you-die literature (Fader, Hardie & Lee 2005): every
customer who first bought at the CD retailer in Q1 1997, followed to 30 June 1998. Reading the raw
transactions through our own tables lets tests check the whole path (orders -> customer summary ->
model) against the published parameters, instead of starting from lifetimes' pre-computed summary.

Files (whitespace-separated, one row per transaction, dates ``YYYYMMDD``):

* ``CDNOW_sample.txt``: master id, sample id, date, number of CDs, dollar value (2,357 customers);
* ``CDNOW_master.txt``: header line, then customer id, date, number of CDs, dollar value (23,570).
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd

from ltvlib.io.result import LINE_ITEM_COLUMNS, LOADED, ORDER_COLUMNS, ImportResult

__all__ = ["CDNOW_FILES", "read_cdnow"]

CDNOW_FILES = {"sample": "CDNOW_sample.txt", "master": "CDNOW_master.txt"}


def read_cdnow(which: str = "sample", *, timezone: str = "UTC") -> ImportResult:
    """Canonical orders (one per transaction) and line items (one per order: ``quantity`` CDs) of CDNOW.

    ``customer_key`` is the sample id for ``which="sample"`` (1..2357, as in lifetimes' CDNOW summary)
    and the customer id for ``"master"``; ``ordered_at`` is local midnight of the transaction date in
    ``timezone``; ``net_revenue`` (and ``total``) is the dollar value.
    """
    if which not in CDNOW_FILES:
        raise ValueError(f"which must be one of {sorted(CDNOW_FILES)}, got {which!r}")
    name = CDNOW_FILES[which]
    from ltvlib.clv import import_lifetimes  # lifetimes' import side effects are contained there

    path = files(import_lifetimes()) / "datasets" / name
    with path.open("r", encoding="ascii") as fh:
        raw = pd.read_csv(fh, sep=r"\s+", header=None, skiprows=1 if which == "master" else 0, dtype=str)
    if which == "sample":
        raw.columns = ["master_id", "customer", "date", "cds", "value"]
    else:
        raw.columns = ["customer", "date", "cds", "value"]
    n = len(raw)
    value = raw["value"].astype(float).to_numpy()
    cds = raw["cds"].astype(np.int64).to_numpy()
    key = raw["customer"].astype(np.int64).astype(str).to_numpy(dtype=object)
    when = pd.to_datetime(raw["date"], format="%Y%m%d").dt.tz_localize(timezone)
    row = np.arange(1, n + 1) + (1 if which == "master" else 0)  # line number in the file
    order_id = np.array([f"cdnow-{which}-{r}" for r in row], dtype=object)
    zeros = np.zeros(n)
    orders = pd.DataFrame(
        {
            "order_id": order_id,
            "order_name": np.array([f"#{r}" for r in row], dtype=object),
            "customer_key": key,
            "email": None,
            "ordered_at": when,
            "currency": "USD",
            "subtotal": value,
            "discount_amount": zeros,
            "shipping": zeros,
            "taxes": zeros,
            "total": value,
            "refunded_amount": zeros,
            "net_revenue": value,
            "financial_status": "paid",
            "cancelled_at": pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[ns, {timezone}]"),
            "channel": "online_store",
            "source": "cdnow",
            "tags": [[] for _ in range(n)],
            "discount_codes": [[] for _ in range(n)],
            "location": None,
            "source_file": name,
            "source_row": row.astype(np.int64),
        }
    )[list(ORDER_COLUMNS)]
    items = pd.DataFrame(
        {
            "order_id": order_id,
            "line_no": np.ones(n, dtype=np.int64),
            "product": "CD",
            "product_line": "CD",
            "sku": None,
            "vendor": "CDNOW",
            "quantity": cds,
            "unit_price": np.divide(value, cds, out=np.zeros(n), where=cds > 0),
            "line_discount": zeros,
        }
    )[list(LINE_ITEM_COLUMNS)]
    accounting = pd.DataFrame([{"source_file": name, "reason": LOADED, "rows": n, "orders": n}])
    return ImportResult(orders=orders, line_items=items, accounting=accounting)
