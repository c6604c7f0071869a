"""Shared fixtures: small canonical order frames built by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from ltvlib.store import LINE_ITEM_COLUMNS, ORDER_COLUMNS

TZ = "Asia/Tokyo"


def make_orders(rows: list[tuple], tz: str = TZ) -> pd.DataFrame:
    """Canonical orders from (order_id, customer_key, local 'YYYY-mm-dd HH:MM', net_revenue[, extras]) tuples.

    ``extras`` is a dict overriding any canonical column (e.g. channel, cancelled_at, tags).
    """
    recs = []
    for r in rows:
        oid, key, when, rev = r[:4]
        extra = r[4] if len(r) > 4 else {}
        rec = {c: None for c in ORDER_COLUMNS}
        rec.update(
            order_id=oid, order_name=f"#{oid}", customer_key=key, email=key, ordered_at=pd.Timestamp(when, tz=tz),
            currency="JPY", subtotal=rev, discount_amount=0.0, shipping=0.0, taxes=0.0, total=rev,
            refunded_amount=0.0, net_revenue=rev, financial_status="paid", cancelled_at=pd.NaT,
            channel="online_store", source="web", tags=[], discount_codes=[], location=None,
            source_file="hand.csv", source_row=0,
        )
        rec.update(extra)
        recs.append(rec)
    df = pd.DataFrame(recs, columns=ORDER_COLUMNS)
    df["ordered_at"] = pd.to_datetime(df["ordered_at"]).dt.tz_convert(tz)
    df["cancelled_at"] = pd.to_datetime(df["cancelled_at"]).dt.tz_convert(tz) if df["cancelled_at"].notna().any() \
        else pd.Series(pd.NaT, index=df.index, dtype=f"datetime64[ns, {tz}]")
    return df


def make_line_items(rows: list[tuple]) -> pd.DataFrame:
    """Canonical line items from (order_id, line_no, product, product_line, quantity, unit_price) tuples."""
    recs = [
        dict(order_id=o, line_no=n, product=p, product_line=pl, sku=None, vendor="V", quantity=q, unit_price=u,
             line_discount=0.0)
        for o, n, p, pl, q, u in rows
    ]
    return pd.DataFrame(recs, columns=LINE_ITEM_COLUMNS)


@pytest.fixture
def thresholds() -> dict:
    return {"active_days": 120, "at_risk_days": 180, "dormant_days": 360, "repeat_orders": 2, "loyal_orders": 5,
            "f_score_breaks": [2, 3, 5, 10]}
