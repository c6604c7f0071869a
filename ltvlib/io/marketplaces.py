"""Built-in column mappings for the marketplace exports Japanese shops use, read by the generic mapped loader.

A source with ``loader: amazon_orders`` or ``loader: rakuten_rms`` needs no hand-written mapping; a
``mapping`` given with it changes single keys of the built-in one (e.g. ``shipping: 送料合計`` to read a
column the built-in leaves out, ``sku: null`` to ignore one). The columns:

* ``amazon_orders``: the Amazon SP-API "All Orders" report (tab-separated, one row per item, ISO 8601
  dates with offset such as ``2017-09-23T14:18:23-07:00``). ``item-price`` is the line's price (all its
  units); shipping, tax and promotion discounts are per item and summed per order. The report has no buyer
  email, so its orders have no customer identity: they count in revenue, not in customer analyses, and
  the import says how many (``loaded_no_identity``).
* ``rakuten_rms``: the Rakuten RMS order CSV (cp932, fully quoted, CRLF, one row per item that repeats
  the order's total). The customer is the orderer's email (注文者メールアドレス).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN_MAPPINGS", "mapping_for"]

BUILTIN_MAPPINGS: dict[str, dict[str, Any]] = {
    "amazon_orders": {
        "order_id": "amazon-order-id",
        "ordered_at": "purchase-date",
        "status": "order-status",
        "cancelled_values": ["Cancelled"],
        "source": "sales-channel",
        "channel": "amazon",
        "product": "product-name",
        "sku": "sku",
        "quantity": "quantity",
        "line_total": "item-price",
        "currency": "currency",
        "taxes": "item-tax",
        "shipping": "shipping-price",
        "discount_amount": "item-promotion-discount",
        "amounts": "line",
        "sep": "tab",
    },
    "rakuten_rms": {
        "order_id": "注文番号",
        "ordered_at": "注文日時",
        "status": "ステータス",
        "cancelled_values": ["キャンセル", "キャンセル確定"],
        "channel": "rakuten",
        "email": "注文者メールアドレス",
        "product": "商品名",
        "sku": "商品番号",
        "quantity": "個数",
        "unit_price": "単価",
        "total": "合計金額",
        "amounts": "order",
        "default_currency": "JPY",
    },
}


def mapping_for(loader: str, mapping: dict[str, Any] | None) -> dict[str, Any] | None:
    """The column mapping a file of ``loader`` is read with: the built-in one updated by ``mapping``
    (for ``mapped`` and ``auto``: ``mapping`` as given)."""
    if loader not in BUILTIN_MAPPINGS:
        return mapping
    return {**BUILTIN_MAPPINGS[loader], **(mapping or {})}
