"""The customer features that conditions are written on: the catalog of the segment language.

The features are computed by the order-history engine (``ltvlib.history``: ``OrderHistory`` prepares a
shop's orders once, ``Snapshot`` aggregates them at any ``as_of``); this module names them: a field's
name, kind and meaning are listed in ``FIELDS`` (customer scope) and ``ORDER_FIELDS`` (inside
``count(orders WHERE ...)``), and ``prepare`` / ``field_values`` ready and list what a condition needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ltvlib.history import ORDER_COLUMNS as HISTORY_COLUMNS
from ltvlib.history import SET_SOURCES, OrderHistory, Snapshot
from ltvlib.rfm import GRID_CELLS, RECENCY_STATUSES, SCENARIO_STAGES, STAGES

__all__ = ["ALIASES", "FIELDS", "FIXED_VALUES", "ORDER_COLUMNS", "ORDER_FIELDS", "SET_SOURCES", "FieldSpec", "OrderHistory", "Snapshot",
           "field_values", "prepare"]


@dataclass(frozen=True)
class FieldSpec:
    """A field of the language: ``kind`` is number, text, date or set; ``window`` if WITHIN n DAYS applies."""

    kind: str
    doc: str
    window: bool = False


_ORDER_ATTRS = {
    "channel": ("text", "channel (online_store, pos, draft_order, app id)"),
    "location": ("text", "POS location"),
    "product_line": ("text", "product line of the first line item"),
    "product": ("text", "product of the first line item"),
    "discount_code": ("text", "first discount code (null if none)"),
    "net_revenue": ("number", "net revenue of the order"),
    "date": ("date", "order date ('YYYY-MM-DD')"),
    "products": ("set", "products in the order"),
    "product_lines": ("set", "product lines in the order"),
    "tags": ("set", "order tags"),
    "discount_codes": ("set", "discount codes of the order"),
}

FIELDS: dict[str, FieldSpec] = {
    "orders": FieldSpec("number", "orders placed (cancelled orders excluded)"),
    "purchase_days": FieldSpec("number", "distinct days with an order"),
    "frequency": FieldSpec("number", "repeat purchase days (purchase_days - 1)"),
    "net_revenue": FieldSpec("number", "cumulative net revenue (total - refunds)"),
    "aov": FieldSpec("number", "average order value"),
    "monetary_value": FieldSpec("number", "mean net revenue per repeat purchase day (lifetimes)"),
    "recency_days": FieldSpec("number", "days since the last order"),
    "tenure_days": FieldSpec("number", "days since the first order"),
    "mean_interval_days": FieldSpec("number", "mean days between purchase days (null with one purchase day)"),
    "r_score": FieldSpec("number", "RFM recency score 1-5"),
    "f_score": FieldSpec("number", "RFM frequency score 1-5 (thresholds.f_score_breaks)"),
    "m_score": FieldSpec("number", "RFM monetary score 1-5"),
    "rfm_score": FieldSpec("number", "r_score + f_score + m_score (3-15)"),
    "rfm_cell": FieldSpec("text", "RFM cell, e.g. '545'"),
    "stage": FieldSpec("text", "frequency stage: first / repeat / loyal"),
    "recency_status": FieldSpec("text", "active / at_risk / dormant / churned"),
    "grid_cell": FieldSpec("text", "status grid cell, e.g. 'repeat_at_risk'"),
    "scenario_stage": FieldSpec("text", "new / first_repeat / regular / loyal / lapsing / churned"),
    "first_order_date": FieldSpec("date", "date of the first order"),
    "last_order_date": FieldSpec("date", "date of the last order"),
    "products_purchased": FieldSpec("set", "products ever bought", window=True),
    "product_lines_purchased": FieldSpec("set", "product lines ever bought", window=True),
    "order_tags": FieldSpec("set", "tags of any order", window=True),
    "channels": FieldSpec("set", "channels ordered through", window=True),
    "discount_codes": FieldSpec("set", "discount codes ever used", window=True),
    "locations": FieldSpec("set", "POS locations ordered at", window=True),
    **{f"{which}_order.{attr}": FieldSpec(kind, f"{which} order: {doc}")
       for which in ("first", "last") for attr, (kind, doc) in _ORDER_ATTRS.items()},
}

ALIASES = {
    "number_of_orders": "orders",
    "amount_spent": "net_revenue",
    "days_since_last_order": "recency_days",
    "days_since_first_order": "tenure_days",
    "tags": "order_tags",
    "first_order.date": "first_order_date",
    "last_order.date": "last_order_date",
}

ORDER_FIELDS: dict[str, FieldSpec] = {
    "net_revenue": FieldSpec("number", "net revenue of the order"),
    "total": FieldSpec("number", "order total"),
    "subtotal": FieldSpec("number", "subtotal"),
    "discount_amount": FieldSpec("number", "discount amount"),
    "shipping": FieldSpec("number", "shipping charged"),
    "refunded_amount": FieldSpec("number", "refunded amount"),
    "order_number": FieldSpec("number", "the customer's n-th order (1 = first order)"),
    "days_ago": FieldSpec("number", "days from the order to as_of"),
    "date": FieldSpec("date", "order date ('YYYY-MM-DD')"),
    "channel": FieldSpec("text", "channel"),
    "location": FieldSpec("text", "POS location"),
    "financial_status": FieldSpec("text", "paid / refunded / partially_refunded ..."),
    "product_line": FieldSpec("text", "product line of the first line item"),
    "product": FieldSpec("text", "product of the first line item"),
    "discount_code": FieldSpec("text", "first discount code"),
    "tags": FieldSpec("set", "order tags"),
    "discount_codes": FieldSpec("set", "discount codes"),
    "products": FieldSpec("set", "products in the order"),
    "product_lines": FieldSpec("set", "product lines in the order"),
}

# the order columns the language can read (with the history's): load only these (Store.orders(columns))
ORDER_COLUMNS = [*HISTORY_COLUMNS, *(c for c in ("total", "subtotal", "discount_amount", "shipping", "refunded_amount",
                                                 "location", "financial_status", "tags") if c not in HISTORY_COLUMNS)]
FIXED_VALUES = {"stage": STAGES, "recency_status": RECENCY_STATUSES, "grid_cell": GRID_CELLS,
                 "scenario_stage": SCENARIO_STAGES}


def prepare(history: OrderHistory, name: str, scope: str = "customer") -> None:
    """Prepare now what field ``name`` (canonical name) needs, so that evaluation only aggregates."""
    if scope == "order":
        kind = ORDER_FIELDS[name].kind
        if kind == "text":
            history.order_text(name)
        elif kind == "set":
            history.order_pairs(name)
        elif kind == "number" and name != "days_ago":
            history.order_number(name)
    elif name in SET_SOURCES:
        history.order_pairs(SET_SOURCES[name])
    elif name.startswith(("first_order.", "last_order.")):
        attr, kind = name.split(".", 1)[1], FIELDS[name].kind
        if kind == "text":
            history.order_text(attr)
        elif kind == "set":
            history.order_pairs(attr)


def field_values(history: OrderHistory, field: str) -> list[str]:
    """Values a text or set field takes anywhere in the history, most customers first (for templates)."""
    name = ALIASES.get(field, field)
    spec = FIELDS.get(name)
    if spec is None or spec.kind not in ("text", "set"):
        raise KeyError(field)
    if name.startswith(("first_order.", "last_order.")):
        which, attr = name.split(".", 1)
        pos = history.first_pos if which == "first_order" else history.by_customer[history.starts + history.counts - 1]
        if spec.kind == "text":
            codes, vocab = history.order_text(attr)
            c = codes[pos]
            c = c[c >= 0]
        else:
            opos, vals, vocab = history.order_pairs(attr)
            c = vals[np.isin(opos, pos)]
    elif spec.kind == "set":
        opos, vals, vocab = history.order_pairs(SET_SOURCES[name])
        pairs = np.unique(history.code[opos].astype(np.int64) * max(len(vocab), 1) + vals)
        c = pairs % max(len(vocab), 1)
    else:  # statuses computed from thresholds: their fixed values
        return list(FIXED_VALUES.get(name, []))
    counts = np.bincount(c, minlength=len(vocab))
    order = sorted(range(len(vocab)), key=lambda i: (-counts[i], str(vocab[i])))
    return [str(vocab[i]) for i in order if counts[i] > 0]
