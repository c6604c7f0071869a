"""The deterministic demo shop: "Chanoma Tea" (茶の間ティー), a Japanese tea brand selling online and in two stores.

Everything is a pure function of ``(customers, seed, end, years)``: one ``np.random.default_rng(seed)``
spawns the streams, nothing reads the clock, and the same arguments give a byte-identical CSV.

The shop: JPY (written ``1980.00``), time zone Asia/Tokyo (``2025-03-04 21:15:09 +0900``), about three
years of history ending on :data:`DEMO_END`. Six product lines, named in the title prefix
(``Herbal Tea Bags - Chamomile 20p``; Vendor is the brand): Herbal Tea Bags, Crunchy, Refreshing,
Umami, Sweets and Trial Set (a discounted first-order set). Orders come from the Online Store
(``Source`` ``web``), the Ginza and Kyoto stores (``pos``, with ``Location``) and a few draft orders.
Prices include 8% consumption tax (``Taxes`` shows the included amount); shipping is free from a
subtotal of 5,000 JPY, else 500 (online and draft orders only); ``Total = Subtotal - Discount Amount
+ Shipping``.

Customers follow a buy-till-you-die (BG/NBD) process: each has a purchase rate
``lambda ~ Gamma(r=2, alpha=95 days)`` (orders per day, capped at 0.1) and, after every order, drops out
with ``p ~ Beta(a=0.25, b=0.09)`` (U-shaped: many one-time buyers, a long tail of loyal ones). About
31% of customers order a second time (about 3 orders per customer on average), the median
1st->2nd gap is about 50 days, about 13% reach 5 orders and 2.5% reach 20. Acquisition grows over
the years with seasonal peaks (December gifting, the June-July ochugen season). On top of that the following effects are planted (numbers in
:data:`DRIVERS`, which the simulation reads, so the two cannot disagree):

1. ``first_product_line``: Trial Set first buyers buy 1.5x as often and stay more (Beta ``b`` x2):
   repeat rate about 42% against 28%; Sweets first buyers buy 0.7x as often and stay less (``b``
   x0.6): about 21%.
2. ``welcome_discount``: a first order with ``WELCOME10`` (30% of online first orders) marks a deal
   seeker: 0.7x purchase rate, ``b`` x0.6 (repeat about 22% against 34% for other online starters).
3. ``omnichannel``: 18% of online-first customers also shop in a store: half of their later orders
   are POS orders and they buy 1.6x as often (median gap between orders about 36 days against 62).
4. ``lapse``: every drop-out is a lapse: the customer goes quiet and, with a probability set by what
   is known at that moment, orders again 130-400 days later; otherwise never. Base 0.12, multiplied by
   3 if the first order was Umami, 1.6 if they have placed a gift order, 1.5 with 3+ orders, 0.5 if
   the first order used WELCOME10 (capped at 0.9). In the orders, customers silent for 180+ days come
   back about 2.1x as often when they first bought Umami (30% against 14%); Umami first buyers also
   repeat more overall (about 40%) through these returns.
5. ``product_affinity``: an order's main line follows the previous order's main line (Markov matrix:
   Herbal buyers rebuy Herbal, Umami buyers stay Umami; a Trial Set leads mostly to Herbal); add-on
   lines depend on the main line (Herbal orders often add Crunchy, Sweets add Crunchy, Crunchy adds
   Sweets).
6. ``gift``: 12% of customers are gift givers (45% of their orders are gifts, others 4%), more in
   December and June-July; gift orders (online and draft only) carry ``Tags`` ``gift`` or
   ``gift, noshi`` and ship to someone else.

Export quirks reproduced (see ``/work/shared/FORMATS.md``): one row per line item with order-level
fields on the first row only; cancelled orders (a cancelled attempt minutes before the real order,
either ``refunded`` with ``Refunded Amount = Total`` or ``paid`` with all amounts 0); ``refunded`` and
``partially_refunded`` orders; guest orders with a blank Email (mostly walk-in POS); five test orders
paid with ``(for testing) Bogus Gateway`` (email ``test@example.jp``); notes with line breaks, commas
and double quotes; phones and zips with a leading apostrophe; Japanese names and addresses; discount
codes ``WELCOME10``, ``SPRING2025`` (March-April 2025, online) and ``VIP15`` (6th order on).

:func:`truth` gives the planted per-customer ground truth for tests of later analyses. Customers are
numbered in order of acquisition; customer ``i`` (1-based) has email ``c{i:07d}@example.jp``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DEMO_END = date(2026, 6, 30)
BRAND = "Chanoma Tea"
TIMEZONE = "Asia/Tokyo"
_OFFSET = " +0900"

COLUMNS: tuple[str, ...] = tuple(
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,"
    "Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,"
    "Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,"
    "Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,"
    "Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,"
    "Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,"
    "Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,"
    "Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,"
    "Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,"
    "Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References".split(",")
)
_EVERY_ROW = frozenset(
    {"Name", "Email", "Created at", "Vendor", "Lineitem discount"}
    | {c for c in COLUMNS if c.startswith("Lineitem ")}
)

LINES: tuple[str, ...] = ("Herbal Tea Bags", "Crunchy", "Refreshing", "Umami", "Sweets", "Trial Set")
_L = {name: i for i, name in enumerate(LINES)}
_UMAMI, _TRIAL = _L["Umami"], _L["Trial Set"]
SOURCES: tuple[str, ...] = ("web", "pos", "shopify_draft_order")
_WEB, _POS, _DRAFT = 0, 1, 2
_CODES = ("", "WELCOME10", "SPRING2025", "VIP15")
_WELCOME, _SPRING, _VIP = 1, 2, 3

# (line, variant, sku, price, compare-at price, popularity)
_CATALOG = (
    ("Herbal Tea Bags", "Chamomile 20p", "HTB-CHA-20", 1480, 0, 5),
    ("Herbal Tea Bags", "Rooibos 20p", "HTB-ROO-20", 1480, 0, 4),
    ("Herbal Tea Bags", "Peppermint 20p", "HTB-PEP-20", 1280, 0, 3),
    ("Herbal Tea Bags", "Lemongrass & Ginger 20p", "HTB-LEG-20", 1680, 0, 3),
    ("Herbal Tea Bags", "Herbal Assortment 40p", "HTB-AST-40", 2980, 0, 2),
    ("Crunchy", "Matcha Almonds 80g", "CRN-MAL-80", 1280, 0, 5),
    ("Crunchy", "Hojicha Rice Crackers", "CRN-HRC-01", 1080, 0, 4),
    ("Crunchy", "Black Soybean Crunch", "CRN-BSC-01", 980, 0, 3),
    ("Crunchy", "Snack Assortment Box", "CRN-AST-01", 2480, 0, 2),
    ("Refreshing", "Cold Brew Sencha 10p", "RFR-SEN-10", 1580, 0, 5),
    ("Refreshing", "Cold Brew Hojicha 10p", "RFR-HOJ-10", 1580, 0, 4),
    ("Refreshing", "Cold Brew Mugicha 30p", "RFR-MUG-30", 980, 0, 4),
    ("Refreshing", "Cold Brew Bottle Set", "RFR-BTL-01", 3480, 0, 1),
    ("Umami", "Kombu Tea 60g", "UMA-KOB-60", 1280, 0, 5),
    ("Umami", "Umeboshi Dashi Tea", "UMA-UME-01", 1480, 0, 3),
    ("Umami", "Kombu & Shiitake Dashi Pack", "UMA-KSD-01", 1980, 0, 3),
    ("Umami", "Dashi Gift Box", "UMA-GFT-01", 5400, 0, 1),
    ("Sweets", "Matcha Yokan", "SWT-YOK-01", 1980, 0, 4),
    ("Sweets", "Hojicha Financier 6p", "SWT-FIN-06", 2160, 0, 4),
    ("Sweets", "Warabi Mochi", "SWT-WAR-01", 1580, 0, 3),
    ("Sweets", "Seasonal Wagashi Box", "SWT-WAG-01", 3240, 0, 2),
    ("Sweets", "Matcha Confection Gift", "SWT-GFT-01", 4860, 0, 1),
    ("Trial Set", "Tea Sampler 5 Kinds", "TRL-SMP-05", 1480, 2980, 5),
    ("Trial Set", "Tea & Snack Set", "TRL-SNK-01", 1980, 3960, 3),
    ("Trial Set", "Cold Brew Starter", "TRL-CBS-01", 1280, 2480, 2),
)
_P_LINE = np.array([_L[c[0]] for c in _CATALOG])
_P_PRICE = np.array([c[3] for c in _CATALOG], dtype=np.int64)
_P_COMPARE = np.array([c[4] for c in _CATALOG], dtype=np.int64)
_P_WEIGHT = np.array([c[5] for c in _CATALOG], dtype=float)

_FAMILY = "山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 林 清水 山口 森 池田".split()
_GIVEN = "太郎 花子 健 美咲 翔太 陽菜 大輔 結衣 直樹 彩 拓海 さくら 誠 真由美 蓮 葵 浩二 恵子 悠斗 千尋".split()
_NAMES = tuple(f"{f} {g}" for f in _FAMILY for g in _GIVEN)
# (province code, province name, city, zip, street, weight)
_ADDRESSES = (
    ("JP-13", "Tokyo", "渋谷区", "150-0001", "神宮前", 4),
    ("JP-13", "Tokyo", "世田谷区", "154-0004", "太子堂", 4),
    ("JP-13", "Tokyo", "中央区", "104-0061", "銀座", 3),
    ("JP-14", "Kanagawa", "横浜市中区", "231-0023", "山下町", 3),
    ("JP-11", "Saitama", "さいたま市浦和区", "330-0063", "高砂", 2),
    ("JP-12", "Chiba", "千葉市中央区", "260-0013", "中央", 2),
    ("JP-27", "Osaka", "大阪市北区", "530-0001", "梅田", 3),
    ("JP-26", "Kyoto", "京都市中京区", "604-8005", "恵比須町", 2),
    ("JP-23", "Aichi", "名古屋市中区", "460-0008", "栄", 2),
    ("JP-22", "Shizuoka", "静岡市葵区", "420-0852", "紺屋町", 1),
    ("JP-40", "Fukuoka", "福岡市中央区", "810-0001", "天神", 2),
    ("JP-01", "Hokkaido", "札幌市中央区", "060-0001", "北一条西", 1),
)
_ADDRESS_P = np.array([a[5] for a in _ADDRESSES]) / sum(a[5] for a in _ADDRESSES)
_ADDRESS2 = ("", "", "", "グリーンハイツ 203", "メゾン茶屋 101", "サクラビル 5F")
_LOCATIONS = ("", "Tokyo Ginza Store", "Kyoto Sanjo Store")
_DEVICES = ("", "30215649", "30217781")
_STAFF = ("", "佐藤 美咲", "高橋 健", "中村 葵")
_PAYMENTS = ("", "Shopify Payments", "PayPal Express Checkout", "Amazon Pay", "Cash", "Bank Deposit",
             "(for testing) Bogus Gateway")
_BOGUS = len(_PAYMENTS) - 1
_NOTES = (
    "",
    "午前中の配達を希望します。",
    "Please leave the parcel at the door.",
    "領収書を同封してください。\n宛名: 株式会社サンプル",
    "ギフト包装をお願いします。\nメッセージカード: いつもありがとうございます。",
    "Gift for my mother, please do not include the price.",
    'のしの表書きは"御礼"でお願いします。',
)
_PLAIN_NOTES, _GIFT_NOTES, _MULTILINE_NOTE = (1, 2, 3), (4, 5, 6), 4
_NOTE_ATTRIBUTES = ("", "noshi: 御礼", "noshi: 御中元", "noshi: 御歳暮")
_TAGS = ("", "gift", "gift, noshi")
_STATUSES = ("paid", "refunded", "partially_refunded")
_PAID, _REFUNDED, _PARTIAL = 0, 1, 2
_TEST_EMAIL = "test@example.jp"
_HOURS = np.array([  # relative order volume by hour of day: web, pos, draft
    [2, 1, .5, .3, .3, .5, 1, 2, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3, 4, 5, 6, 7, 6, 4],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 5, 5, 5, 5, 5, 5, 4, 3, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
], dtype=float)

DRIVERS: dict = {
    "bgnbd": {
        "about": "purchase rate lambda ~ Gamma(r, scale 1/alpha) orders/day, capped; after each order the "
                 "customer drops out with p ~ Beta(a, b); rate multipliers scale lambda, retention "
                 "multipliers scale b (the staying side of the Beta)",
        "r": 2.0, "alpha_days": 95.0, "max_rate_per_day": 0.1, "a": 0.25, "b": 0.09,
    },
    "acquisition": {
        "about": "first orders spread over the history, growing, with seasonal month weights",
        "growth_over_history": 0.8,
        "month_weight": {"1": 0.8, "2": 0.8, "3": 1.0, "4": 1.0, "5": 1.1, "6": 1.3, "7": 1.3, "8": 0.9,
                         "9": 0.9, "10": 1.0, "11": 1.1, "12": 1.8},
        "first_channel_share": {"web": 0.74, "pos": 0.22, "shopify_draft_order": 0.04},
        "first_product_line_share": {"Herbal Tea Bags": 0.22, "Crunchy": 0.12, "Refreshing": 0.14,
                                     "Umami": 0.12, "Sweets": 0.18, "Trial Set": 0.22},
    },
    "first_product_line": {
        "about": "main line of the first order",
        "rate_multiplier": {"Trial Set": 1.5, "Sweets": 0.7},
        "retention_multiplier": {"Trial Set": 2.0, "Sweets": 0.6},
    },
    "welcome_discount": {
        "about": "first order used WELCOME10 (online first orders only): deal seekers",
        "code": "WELCOME10", "percent": 10, "share_of_online_first_orders": 0.3,
        "rate_multiplier": 0.7, "retention_multiplier": 0.6,
    },
    "omnichannel": {
        "about": "online-first customers who also shop in a store; channel shares of later orders by type",
        "share_of_online_first": 0.18, "rate_multiplier": 1.6,
        "later_channel_share": {"web_first": {"web": 0.97, "pos": 0.0, "shopify_draft_order": 0.03},
                                "omnichannel": {"web": 0.5, "pos": 0.5, "shopify_draft_order": 0.0},
                                "pos_first": {"web": 0.2, "pos": 0.8, "shopify_draft_order": 0.0},
                                "draft_first": {"web": 0.6, "pos": 0.0, "shopify_draft_order": 0.4}},
    },
    "lapse": {
        "about": "every BG/NBD drop-out is a lapse: the customer goes quiet; with base_return_probability x "
                 "the multipliers (all known at the lapse) they order again after quiet_days, else never",
        "quiet_days": [130, 400], "base_return_probability": 0.12, "max_return_probability": 0.9,
        "return_multiplier": {"first_product_line_umami": 3.0, "gift_buyer_so_far": 1.6,
                              "orders_so_far_at_least_3": 1.5, "welcome_discount": 0.5},
    },
    "product_affinity": {
        "about": "next order's main line given the previous main line (rows), and add-on lines given "
                 "the main line, and the number of add-on lines (0-3); the Trial Set is only ever a first "
                 "order's main line",
        "next_main_line": {
            "Herbal Tea Bags": {"Herbal Tea Bags": 0.6, "Crunchy": 0.15, "Refreshing": 0.1, "Umami": 0.07,
                                "Sweets": 0.08},
            "Crunchy": {"Herbal Tea Bags": 0.15, "Crunchy": 0.5, "Refreshing": 0.1, "Umami": 0.05,
                        "Sweets": 0.2},
            "Refreshing": {"Herbal Tea Bags": 0.15, "Crunchy": 0.1, "Refreshing": 0.55, "Umami": 0.1,
                           "Sweets": 0.1},
            "Umami": {"Herbal Tea Bags": 0.1, "Crunchy": 0.05, "Refreshing": 0.1, "Umami": 0.7, "Sweets": 0.05},
            "Sweets": {"Herbal Tea Bags": 0.1, "Crunchy": 0.25, "Refreshing": 0.1, "Umami": 0.05,
                       "Sweets": 0.5},
            "Trial Set": {"Herbal Tea Bags": 0.35, "Crunchy": 0.15, "Refreshing": 0.2, "Umami": 0.2,
                          "Sweets": 0.1},
        },
        "add_on_line": {
            "Herbal Tea Bags": {"Herbal Tea Bags": 0.2, "Crunchy": 0.55, "Refreshing": 0.1, "Umami": 0.05,
                                "Sweets": 0.1},
            "Crunchy": {"Herbal Tea Bags": 0.25, "Crunchy": 0.2, "Refreshing": 0.15, "Umami": 0.05,
                        "Sweets": 0.35},
            "Refreshing": {"Herbal Tea Bags": 0.2, "Crunchy": 0.3, "Refreshing": 0.3, "Umami": 0.1,
                           "Sweets": 0.1},
            "Umami": {"Herbal Tea Bags": 0.15, "Crunchy": 0.15, "Refreshing": 0.1, "Umami": 0.5, "Sweets": 0.1},
            "Sweets": {"Herbal Tea Bags": 0.2, "Crunchy": 0.45, "Refreshing": 0.1, "Umami": 0.05,
                       "Sweets": 0.2},
            "Trial Set": {"Herbal Tea Bags": 0.3, "Crunchy": 0.3, "Refreshing": 0.2, "Umami": 0.1,
                          "Sweets": 0.1},
        },
        "add_on_count_share": {"Herbal Tea Bags": [0.4, 0.4, 0.15, 0.05], "other": [0.6, 0.28, 0.09, 0.03],
                               "Trial Set": [0.8, 0.17, 0.03, 0.0]},
    },
    "gift": {
        "about": "gift orders are tagged gift (noshi_share of them 'gift, noshi') and ship elsewhere",
        "gift_giver_share": 0.12, "gift_giver_order_share": 0.45, "other_order_share": 0.04,
        "month_multiplier": {"6": 1.5, "7": 1.5, "12": 2.0}, "noshi_share": 0.4,
    },
    "discounts": {
        "about": "code percentages; SPRING2025 on online orders in its window, VIP15 from the 6th order",
        "percent": {"WELCOME10": 10, "SPRING2025": 15, "VIP15": 15},
        "spring_window": ["2025-03-01", "2025-04-30"], "spring_share": 0.25, "vip_from_order": 6,
        "vip_share": 0.3,
    },
    "quirks": {
        "about": "shares of orders; cancelled orders are extra attempts minutes before a real order",
        "guest_orders_per_customer_order": 0.04, "guest_pos_share": 0.85, "test_orders": 5,
        "cancelled": 0.015, "refunded": 0.01, "partially_refunded": 0.02,
    },
}


def _shares(mapping: dict[str, float], names: Sequence[str]) -> np.ndarray:
    """Probability vector over ``names`` from a name -> share mapping (missing names get 0)."""
    p = np.array([mapping.get(name, 0.0) for name in names], dtype=float)
    return p / p.sum()


def _multipliers(mapping: dict[str, float]) -> np.ndarray:
    """Per-product-line multiplier vector (1 where the mapping has no entry)."""
    return np.array([mapping.get(name, 1.0) for name in LINES])


def _draw(rng: np.random.Generator, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One categorical draw per element of ``rows`` from the probability matrix row ``p[rows]``."""
    cum = np.cumsum(p, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(rows))
    out = np.zeros(len(rows), np.int64)
    for r in range(len(p)):
        hit = rows == r
        out[hit] = np.searchsorted(cum[r], u[hit], side="right")
    return np.minimum(out, p.shape[1] - 1)


def _compact(arrays: dict[str, np.ndarray]) -> None:
    """Store each integer array in the smallest integer type that holds its values, in place."""
    for key, val in arrays.items():
        if val.dtype.kind == "i" and val.size:
            lo, hi = val.min(), val.max()
            arrays[key] = val.astype(next(t for t in (np.int8, np.int16, np.int32, np.int64)
                                          if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max))


def _product_in_line(rng: np.random.Generator, line: np.ndarray) -> np.ndarray:
    """A catalogue product of each given line, by popularity."""
    p = np.array([np.where(_P_LINE == i, _P_WEIGHT, 0.0) for i in range(len(LINES))])
    return _draw(rng, p / p.sum(axis=1, keepdims=True), line)


def _time_of_day(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    """Seconds after midnight, with the hour profile of each order's channel."""
    hour = _draw(rng, _HOURS / _HOURS.sum(axis=1, keepdims=True), channel)
    return hour * 3600 + rng.integers(0, 3600, len(channel))


class _Calendar:
    """Day ``0`` is the first day of the history, day ``days - 1`` is ``end``; times are local seconds."""

    def __init__(self, end: date, years: float):
        self.days = max(int(round(years * 365.25)), 30)
        self.start = np.datetime64(end, "D") - (self.days - 1)
        dates = self.start + np.arange(self.days)
        self.month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        self.epoch = int((self.start - np.datetime64("1970-01-01", "D")).astype(np.int64)) * 86400

    def day_of(self, day: str) -> int:
        """Day index of an ISO date (may fall outside the history)."""
        return int((np.datetime64(day, "D") - self.start).astype(np.int64))

    def acquisition_weights(self) -> np.ndarray:
        """Relative chance of a first order on each day: growth times month weight."""
        acq = DRIVERS["acquisition"]
        month_w = np.array([acq["month_weight"][str(m)] for m in range(1, 13)])
        w = (1 + acq["growth_over_history"] * np.arange(self.days) / (self.days - 1)) * month_w[self.month - 1]
        return w / w.sum()


def _gift_probability(gift_giver: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Chance that an order is a gift, from the customer's gift habit and the month."""
    g = DRIVERS["gift"]
    season = np.array([g["month_multiplier"].get(str(m), 1.0) for m in range(13)])
    base = np.where(gift_giver, g["gift_giver_order_share"], g["other_order_share"])
    return np.minimum(base * season[month], 0.95)


def _customers(rng: np.random.Generator, n: int, cal: _Calendar) -> dict[str, np.ndarray]:
    """Acquisition time and fixed attributes of ``n`` customers, numbered in order of acquisition."""
    acq, bg = DRIVERS["acquisition"], DRIVERS["bgnbd"]
    day = np.sort(rng.choice(cal.days, n, p=cal.acquisition_weights()))
    day[-1] = cal.days - 1  # the history ends on `end`
    channel = rng.choice(3, n, p=_shares(acq["first_channel_share"], SOURCES))
    line = rng.choice(len(LINES), n, p=_shares(acq["first_product_line_share"], LINES))
    web = channel == _WEB
    welcome = web & (rng.random(n) < DRIVERS["welcome_discount"]["share_of_online_first_orders"])
    omni = web & (rng.random(n) < DRIVERS["omnichannel"]["share_of_online_first"])
    fpl, wd = DRIVERS["first_product_line"], DRIVERS["welcome_discount"]
    rate_mult = (_multipliers(fpl["rate_multiplier"])[line] * np.where(welcome, wd["rate_multiplier"], 1.0)
                 * np.where(omni, DRIVERS["omnichannel"]["rate_multiplier"], 1.0))
    keep_mult = _multipliers(fpl["retention_multiplier"])[line] * np.where(welcome, wd["retention_multiplier"], 1.0)
    base_rate = rng.gamma(bg["r"], 1.0 / bg["alpha_days"], n)
    ctype = np.where(omni, 1, np.where(channel == _POS, 2, np.where(channel == _DRAFT, 3, 0)))
    return {
        "first_time": day * 86400 + _time_of_day(rng, channel),
        "channel": channel,
        "line": line,
        "welcome": welcome,
        "omni": omni,
        "ctype": ctype,
        "gift_giver": rng.random(n) < DRIVERS["gift"]["gift_giver_share"],
        "base_rate": base_rate,
        "rate_mult": rate_mult,
        "rate": np.minimum(base_rate * rate_mult, bg["max_rate_per_day"]),
        "keep_mult": keep_mult,
        "p": rng.beta(bg["a"], bg["b"] * keep_mult),
        "marketing": rng.random(n) < 0.55,
        "home": rng.choice([1, 2], n, p=[0.65, 0.35]),
        "name": rng.integers(0, len(_NAMES), n),
        "address": rng.choice(len(_ADDRESSES), n, p=_ADDRESS_P),
        "block": rng.integers(1, 6, n) * 10000 + rng.integers(1, 31, n) * 100 + rng.integers(1, 21, n),
        "address2": rng.integers(0, len(_ADDRESS2), n),
        "phone": rng.choice([90, 80, 70], n) * 100_000_000 + rng.integers(0, 100_000_000, n),
    }


def _purchases(rng: np.random.Generator, cust: dict[str, np.ndarray], cal: _Calendar) -> dict[str, np.ndarray]:
    """Run the purchase process round by round (round k = every customer's (k+1)-th order).

    Adds the per-customer outcomes to ``cust`` and returns the customers' orders (time in local seconds).
    """
    n = len(cust["first_time"])
    lapse_d, omni_d = DRIVERS["lapse"], DRIVERS["omnichannel"]
    ret_mult = lapse_d["return_multiplier"]
    static_ret = (np.where(cust["line"] == _UMAMI, ret_mult["first_product_line_umami"], 1.0)
                  * np.where(cust["welcome"], ret_mult["welcome_discount"], 1.0))
    later = omni_d["later_channel_share"]
    chan_p = np.array([_shares(later[k], SOURCES) for k in ("web_first", "omnichannel", "pos_first", "draft_first")])
    aff = DRIVERS["product_affinity"]["next_main_line"]
    next_p = np.array([_shares(aff[name], LINES) for name in LINES])
    horizon = cal.days * 86400
    quiet_lo, quiet_hi = lapse_d["quiet_days"]
    for key, dtype in (("orders", np.int32), ("lapses", np.int16), ("lapses_returned", np.int16)):
        cust[key] = np.zeros(n, dtype)
    for key in ("in_lapse_at_end", "ever_pos", "dead"):
        cust[key] = np.zeros(n, bool)
    cust["last_time"] = cust["first_time"].copy()

    idx = np.arange(n)
    t = cust["first_time"].astype(np.int64)
    chan, line = cust["channel"].copy(), cust["line"].copy()
    gift = (rng.random(n) < _gift_probability(cust["gift_giver"], cal.month[t // 86400])) & (chan != _POS)
    gifted = gift.copy()
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("cust", "time", "k", "channel", "line", "gift")}
    k = 0
    while idx.size:
        for key, val in (("cust", idx), ("time", t), ("channel", chan), ("line", line), ("gift", gift),
                         ("k", np.full(idx.size, k, np.int32))):
            out[key].append(val)
        cust["orders"][idx] += 1
        cust["last_time"][idx] = t
        cust["ever_pos"][idx[chan == _POS]] = True
        k += 1
        m = idx.size
        quiet = rng.random(m) < cust["p"][idx]
        p_ret = np.minimum(lapse_d["base_return_probability"] * static_ret[idx]
                           * np.where(gifted, ret_mult["gift_buyer_so_far"], 1.0)
                           * (ret_mult["orders_so_far_at_least_3"] if k >= 3 else 1.0),
                           lapse_d["max_return_probability"])
        back = quiet & (rng.random(m) < p_ret)
        gap_days = np.where(quiet, rng.uniform(quiet_lo, quiet_hi, m), rng.exponential(1.0, m) / cust["rate"][idx])
        cust["lapses"][idx[quiet]] += 1
        gone = quiet & ~back
        cust["dead"][idx[gone]] = True
        nxt_chan = _draw(rng, chan_p, cust["ctype"][idx])
        nxt_time = (t + gap_days * 86400).astype(np.int64)
        nxt_time = np.maximum(nxt_time // 86400 * 86400 + _time_of_day(rng, nxt_chan), t + 600)
        inside = nxt_time < horizon
        cust["in_lapse_at_end"][idx[back & ~inside]] = True
        cust["lapses_returned"][idx[back & inside]] += 1
        keep = ~gone & inside
        idx, t, chan = idx[keep], nxt_time[keep], nxt_chan[keep]
        line = _draw(rng, next_p, line[keep])
        gift = (rng.random(idx.size) < _gift_probability(cust["gift_giver"][idx], cal.month[t // 86400])) & (chan != _POS)
        gifted = gifted[keep] | gift
    return {key: np.concatenate(val) for key, val in out.items()}


def _line_items(rng: np.random.Generator, main: np.ndarray) -> dict[str, np.ndarray]:
    """Line items of orders with the given main lines: the main product first, then add-ons, no repeats."""
    aff = DRIVERS["product_affinity"]
    counts = aff["add_on_count_share"]
    count_p = np.array([counts.get(name, counts["other"]) for name in LINES])
    n_add = _draw(rng, count_p / count_p.sum(axis=1, keepdims=True), main)
    addon_p = np.array([_shares(aff["add_on_line"][name], LINES) for name in LINES])
    n_lines = 1 + n_add
    order = np.repeat(np.arange(len(main)), n_lines)
    first = np.zeros(len(order), bool)
    first[np.cumsum(n_lines) - n_lines] = True
    line = np.where(first, main[order], _draw(rng, addon_p, main[order]))
    product = _product_in_line(rng, line)
    _, keep_at = np.unique(order.astype(np.int64) * len(_CATALOG) + product, return_index=True)
    keep = np.zeros(len(order), bool)
    keep[keep_at] = True
    order, product = order[keep], product[keep]
    qty = rng.choice([1, 2, 3], len(order), p=[0.82, 0.13, 0.05])
    n_lines = np.bincount(order, minlength=len(main))
    return {"product": product, "qty": qty, "n_lines": n_lines, "start": np.cumsum(n_lines) - n_lines}


def _pick(rng: np.random.Generator, pool: np.ndarray, share: float) -> np.ndarray:
    """A random subset of ``pool`` of about ``share`` of its size, at least one when the pool is not empty."""
    size = min(len(pool), max(1, int(round(share * len(pool))))) if len(pool) else 0
    return np.sort(rng.choice(pool, size, replace=False)) if size else pool[:0]


def _both(mask: np.ndarray) -> np.ndarray:
    """``mask`` with its first element True and its second False, so that small shops show both kinds."""
    mask[:1] = True
    mask[1:2] = False
    return mask


def _base_orders(rng: np.random.Generator, buy: dict[str, np.ndarray], cal: _Calendar) -> dict[str, np.ndarray]:
    """The customers' orders followed by guest orders (no email; mostly walk-in POS) and test orders."""
    quirks = DRIVERS["quirks"]
    n_guest = max(1, int(round(quirks["guest_orders_per_customer_order"] * len(buy["cust"]))))
    n_test = quirks["test_orders"]
    g_chan = np.where(rng.random(n_guest) < quirks["guest_pos_share"], _POS, _WEB)
    g_day = rng.choice(cal.days, n_guest, p=cal.acquisition_weights())
    t_day = np.concatenate([np.sort(rng.integers(0, min(3, cal.days), 3)), rng.integers(0, cal.days, n_test - 3)])
    extra_chan = np.concatenate([g_chan, np.full(n_test, _WEB)])
    extra_time = np.concatenate([g_day, t_day]) * 86400 + _time_of_day(rng, extra_chan)
    guest_p = _shares({k: v for k, v in DRIVERS["acquisition"]["first_product_line_share"].items()
                       if k != "Trial Set"}, LINES)
    return {
        "cust": np.concatenate([buy["cust"], np.full(n_guest, -1), np.full(n_test, -2)]).astype(np.int32),
        "time": np.concatenate([buy["time"], extra_time]).astype(np.int64),
        "k": np.concatenate([buy["k"], np.zeros(n_guest + n_test, np.int32)]),
        "channel": np.concatenate([buy["channel"], extra_chan]).astype(np.int8),
        "line": np.concatenate([buy["line"], rng.choice(len(LINES), n_guest, p=guest_p),
                                np.full(n_test, _TRIAL)]).astype(np.int8),
        "gift": np.concatenate([buy["gift"], rng.random(n_guest) < 0.02, np.zeros(n_test, bool)]),
    }


def _amounts(rng: np.random.Generator, o: dict[str, np.ndarray], items: dict[str, np.ndarray],
             cust: dict[str, np.ndarray], cal: _Calendar) -> None:
    """Discount codes, line discounts, subtotal, shipping and total, in place."""
    disc = DRIVERS["discounts"]
    n = len(o["time"])
    is_cust = o["cust"] >= 0
    web = o["channel"] != _POS
    day = o["time"] // 86400
    code = np.zeros(n, np.int8)
    spring = (web & is_cust & (day >= cal.day_of(disc["spring_window"][0]))
              & (day <= cal.day_of(disc["spring_window"][1])) & (rng.random(n) < disc["spring_share"]))
    code[spring] = _SPRING
    code[web & is_cust & (o["k"] >= disc["vip_from_order"] - 1) & (rng.random(n) < disc["vip_share"])] = _VIP
    code[is_cust & (o["k"] == 0) & cust["welcome"][np.maximum(o["cust"], 0)]] = _WELCOME
    pct = np.array([0] + [disc["percent"][c] for c in _CODES[1:]])[code]
    gross = items["qty"] * _P_PRICE[items["product"]]
    items["discount"] = gross * np.repeat(pct, items["n_lines"]) // 100
    o["code"] = code
    o["subtotal"] = np.add.reduceat(gross, items["start"])
    o["discount"] = np.add.reduceat(items["discount"], items["start"])
    o["shipping"] = np.where(web & (o["subtotal"] < 5000), 500, 0)
    o["total"] = o["subtotal"] - o["discount"] + o["shipping"]


def _refunds_and_cancellations(rng: np.random.Generator, o: dict[str, np.ndarray]) -> None:
    """Refunded and partially refunded orders, then cancelled attempts appended, in place.

    A cancelled attempt copies a real online order a few minutes earlier; half are ``refunded`` with
    ``Refunded Amount = Total``, half ``paid`` with every amount 0.
    """
    quirks = DRIVERS["quirks"]
    n = len(o["time"])
    refund_share = quirks["refunded"] + quirks["partially_refunded"]
    chosen = _pick(rng, np.flatnonzero(o["cust"] != -2), refund_share)
    partial = _both(rng.random(len(chosen)) < quirks["partially_refunded"] / refund_share)
    o["status"] = np.zeros(n, np.int8)
    o["status"][chosen] = np.where(partial, _PARTIAL, _REFUNDED)
    o["refunded"] = np.where(o["status"] == _REFUNDED, o["total"], 0)
    part = chosen[partial]
    o["refunded"][part] = np.maximum(10, o["total"][part] * rng.uniform(0.1, 0.6, len(part)) // 10 * 10)
    o["base"] = np.arange(n)

    twins = _pick(rng, np.flatnonzero((o["cust"] >= 0) & (o["channel"] != _POS)), quirks["cancelled"])
    for key in o:  # one array at a time keeps the peak memory low
        o[key] = np.concatenate([o[key], o[key][twins]])
    m = len(twins)
    o["time"][n:] = np.maximum(o["time"][n:] - rng.integers(5 * 60, 180 * 60, m), 0)
    o["cancel_time"] = np.full(n + m, -1, np.int64)
    o["cancel_time"][n:] = o["time"][n:] + rng.integers(60, 5 * 60, m)
    o["zero"] = np.zeros(n + m, bool)
    o["zero"][n:] = _both(rng.random(m) < 0.5)
    o["status"][n:] = np.where(o["zero"][n:], _PAID, _REFUNDED)
    for key in ("subtotal", "discount", "shipping", "total"):
        o[key] = np.where(o["zero"], 0, o[key])
    o["refunded"][n:] = o["total"][n:]
    o["taxes"] = (o["subtotal"] - o["discount"]) * 8 // 108


def _simulate(customers: int, seed: int, end: date, years: float) -> tuple[dict, dict, dict, _Calendar]:
    """Customers, orders (sorted by time: names and ids ascend with time) and line items of the demo shop."""
    if customers < 1:
        raise ValueError("customers must be at least 1")
    cal = _Calendar(end, years)
    r_cust, r_buy, r_lines, r_extra = np.random.default_rng(seed).spawn(4)
    cust = _customers(r_cust, customers, cal)
    o = _base_orders(r_extra, _purchases(r_buy, cust, cal), cal)
    _compact(cust)
    items = _line_items(r_lines, o["line"])
    _amounts(r_extra, o, items, cust, cal)
    _refunds_and_cancellations(r_extra, o)
    _compact(o)
    _compact(items)
    order = np.argsort(o["time"], kind="stable")
    for key in o:
        o[key] = o[key][order]
    o["id"] = 5_830_000_000_000 + np.cumsum(r_extra.integers(1, 4000, len(order)))
    _order_details(r_extra, o, cust, cal)
    _compact(o)
    return cust, o, items, cal


def _order_details(rng: np.random.Generator, o: dict[str, np.ndarray], cust: dict[str, np.ndarray],
                   cal: _Calendar) -> None:
    """Addresses, payment, fulfilment, tags and notes of the (sorted) orders, in place."""
    n = len(o["time"])
    c = np.maximum(o["cust"], 0)
    known, guest, test = o["cust"] >= 0, o["cust"] == -1, o["cust"] == -2
    pos, draft = o["channel"] == _POS, o["channel"] == _DRAFT
    ship = ~pos
    horizon = cal.days * 86400
    o["name"] = np.where(known, cust["name"][c], rng.integers(0, len(_NAMES), n))
    o["name"][guest & pos] = -1
    o["address"] = np.where(known, cust["address"][c], rng.integers(0, len(_ADDRESSES), n))
    o["address"][pos] = -1
    o["block"] = np.where(known, cust["block"][c], 10101)
    o["address2"] = np.where(known, cust["address2"][c], 0)
    o["phone"] = np.where(known & ~pos, cust["phone"][c], -1)
    gift = o["gift"] & ship
    if not gift.any() and ship.any():  # tiny shops still show a gift order
        gift[np.flatnonzero(ship)[0]] = True
    recipient = rng.integers(0, len(_NAMES), n)
    o["ship_name"] = np.where(gift, recipient, o["name"])
    o["ship_name"][pos] = -1
    o["ship_address"] = np.where(gift, rng.integers(0, len(_ADDRESSES), n), o["address"])
    o["ship_block"] = np.where(gift, rng.integers(1, 6, n) * 10000 + rng.integers(1, 31, n) * 100 + 1, o["block"])
    o["ship_address2"] = np.where(gift, 0, o["address2"])
    o["ship_phone"] = np.where(gift, -1, o["phone"])
    noshi = gift & (rng.random(n) < DRIVERS["gift"]["noshi_share"])
    o["tags"] = np.where(noshi, 2, np.where(gift, 1, 0)).astype(np.int8)
    month = cal.month[np.clip(o["time"] // 86400, 0, cal.days - 1)]
    o["note_attr"] = np.where(noshi, np.where(month == 12, 3, np.where((month == 6) | (month == 7), 2, 1)), 0)
    note = np.where(gift, rng.choice(_GIFT_NOTES, n), rng.choice(_PLAIN_NOTES, n))
    o["note"] = np.where(ship & (rng.random(n) < np.where(gift, 0.25, 0.03)), note, 0).astype(np.int8)
    if not (o["note"] == _MULTILINE_NOTE).any() and ship.any():
        o["note"][np.flatnonzero(ship)[-1]] = _MULTILINE_NOTE
    o["location"] = np.where(pos, np.where(known, cust["home"][c], rng.choice([1, 2], n)), 0).astype(np.int8)
    o["employee"] = np.where(pos, rng.integers(1, len(_STAFF), n), 0).astype(np.int8)
    o["payment"] = np.select(
        [test, pos, draft],
        [_BOGUS, rng.choice([1, 4], n, p=[0.6, 0.4]), 5],
        rng.choice([1, 2, 3], n, p=[0.75, 0.15, 0.1]),
    ).astype(np.int8)
    paid_delay = np.select([pos, draft], [0, rng.integers(3600, 2 * 86400, n)], rng.integers(2, 40, n))
    o["paid_time"] = np.minimum(o["time"] + paid_delay, horizon - 1)
    fulfil = np.where(pos, o["time"], o["time"] + rng.integers(12 * 3600, 3 * 86400, n))
    fulfilled = (fulfil < horizon) & (o["cancel_time"] < 0) & ~test
    o["fulfil_time"] = np.where(fulfilled, fulfil, -1)
    o["marketing"] = np.where(known, cust["marketing"][c], False)


def _text(values: Sequence[str], quote: bool) -> pa.Array:
    """A small dictionary of strings, CSV-quoted where needed if ``quote``."""
    if quote:
        values = ['"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n\r') else v for v in values]
    return pa.array(list(values), pa.string())


def _take(values: Sequence[str], idx: np.ndarray, quote: bool) -> pa.Array:
    """``values[idx]`` as a string array (index -1 gives a blank)."""
    return pc.take(_text([*values, ""], quote), pa.array(np.where(idx < 0, len(values), idx).astype(np.int32)))


def _num(values: np.ndarray) -> pa.Array:
    """Integers as strings."""
    return pc.cast(pa.array(np.asarray(values, np.int64)), pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and scalars."""
    return pc.binary_join_element_wise(*parts, "")


def _blank_where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` with a blank where ``mask``."""
    return pc.if_else(pa.array(mask), "", values)


def _money(values: np.ndarray) -> pa.Array:
    """Yen amounts as Shopify writes them (``1980.00``)."""
    return _join(_num(values), ".00")


def _stamp(seconds: np.ndarray, cal: _Calendar) -> pa.Array:
    """Local times (seconds since the first day) as ``2025-03-04 21:15:09 +0900``; negative -> blank."""
    ts = pa.array(cal.epoch + np.maximum(seconds, 0).astype(np.int64), pa.timestamp("s"))
    return _blank_where(seconds < 0, _join(pc.cast(ts, pa.string()), _OFFSET))


def _lpad(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers zero-padded to ``width`` digits."""
    return pc.utf8_lpad(_num(values), width=width, padding="0")


def _address_columns(o: dict[str, np.ndarray], prefix: str, q: bool) -> dict[str, pa.Array]:
    """Name, street, city, zip, province, country and phone of the billing or shipping address."""
    key = "" if prefix == "Billing" else "ship_"
    addr = o[f"{key}address"]
    block = np.maximum(o[f"{key}block"], 0)
    parts = [_num(block // 10000), "-", _num(block // 100 % 100), "-", _num(block % 100)]
    street = _blank_where(addr < 0, _join(_take([a[4] for a in _ADDRESSES], addr, q), *parts))
    phone = o[f"{key}phone"]
    phone_text = _join("'+81 ", _num(np.maximum(phone, 0) // 100_000_000), "-",
                       _lpad(np.maximum(phone, 0) // 10_000 % 10_000, 4), "-", _lpad(np.maximum(phone, 0) % 10_000, 4))
    out = {
        "Name": _take(_NAMES, o[f"{key}name"], q),
        "Street": street,
        "Address1": street,
        "Address2": _take(_ADDRESS2, np.where(addr < 0, -1, o[f"{key}address2"]), q),
        "Company": _take([], np.full(len(addr), -1), q),
        "City": _take([a[2] for a in _ADDRESSES], addr, q),
        "Zip": _take([f"'{a[3]}" for a in _ADDRESSES], addr, q),
        "Province": _take([a[0] for a in _ADDRESSES], addr, q),
        "Country": _take(["JP"], np.where(addr < 0, -1, 0), q),
        "Phone": _blank_where(phone < 0, phone_text),
    }
    return {f"{prefix} {k}": v for k, v in out.items()} | {
        f"{prefix} Province Name": _take([a[1] for a in _ADDRESSES], addr, q)}


def _order_columns(o: dict[str, np.ndarray], cal: _Calendar, q: bool) -> dict[str, pa.Array]:
    """The order-level columns (one value per order)."""
    n = len(o["time"])
    blank = _take([], np.full(n, -1), q)
    cancelled = o["cancel_time"] >= 0
    pos = o["channel"] == _POS
    ship_method = np.where(pos, -1, np.where(o["shipping"] > 0, 0, 1))
    ref = _join("c", _num(o["id"]), ".1")
    cols = {
        "Financial Status": _take(_STATUSES, o["status"], q),
        "Paid at": _stamp(o["paid_time"], cal),
        "Fulfillment Status": _take(["unfulfilled", "fulfilled"], (o["fulfil_time"] >= 0).astype(int), q),
        "Fulfilled at": _stamp(o["fulfil_time"], cal),
        "Accepts Marketing": _take(["no", "yes"], o["marketing"].astype(int), q),
        "Currency": _take(["JPY"], np.zeros(n, int), q),
        "Subtotal": _money(o["subtotal"]),
        "Shipping": _money(o["shipping"]),
        "Taxes": _money(o["taxes"]),
        "Total": _money(o["total"]),
        "Discount Code": _take(_CODES, np.where(o["zero"], 0, o["code"]), q),
        "Discount Amount": _money(o["discount"]),
        "Shipping Method": _take(["Standard Shipping", "Free Shipping (over 5,000 JPY)"], ship_method, q),
        **_address_columns(o, "Billing", q),
        **_address_columns(o, "Shipping", q),
        "Notes": _take(_NOTES, o["note"], q),
        "Note Attributes": _take(_NOTE_ATTRIBUTES, o["note_attr"], q),
        "Cancelled at": _stamp(np.where(cancelled, o["cancel_time"], -1), cal),
        "Payment Method": _take(_PAYMENTS, o["payment"], q),
        "Payment Reference": ref,
        "Refunded Amount": _money(o["refunded"]),
        "Outstanding Balance": _money(np.zeros(n, np.int64)),
        "Employee": _take(_STAFF, o["employee"], q),
        "Location": _take(_LOCATIONS, o["location"], q),
        "Device ID": _take(_DEVICES, o["location"], q),
        "Id": _num(o["id"]),
        "Tags": _take(_TAGS, o["tags"], q),
        "Risk Level": _take(["Low"], np.zeros(n, int), q),
        "Source": _take(SOURCES, o["channel"], q),
        "Tax 1 Name": _take(["消費税 8%"], np.zeros(n, int), q),
        "Tax 1 Value": _money(o["taxes"]),
        "Payment ID": ref,
        "Payment References": ref,
    }
    return {name: cols.get(name, blank) for name in COLUMNS if name not in _EVERY_ROW}


def _columns(o: dict[str, np.ndarray], items: dict[str, np.ndarray], cal: _Calendar,
             quote: bool) -> tuple[list[pa.Array], int]:
    """All 79 columns, one value per line item, for the orders ``o`` (a slice of the sorted orders)."""
    n_lines = items["n_lines"][o["base"]]
    rows = int(n_lines.sum())
    row_order = np.repeat(np.arange(len(n_lines)), n_lines)
    within = np.arange(rows) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    line = items["start"][o["base"]][row_order] + within
    first_only = pa.array(np.where(within == 0, row_order, len(n_lines)).astype(np.int32))
    every_row = pa.array(row_order.astype(np.int32))
    product = items["product"][line]
    fulfilled = (o["fulfil_time"] >= 0)[row_order]
    email = _join("c", _lpad(np.maximum(o["cust"], 0) + 1, 7), "@example.jp")
    email = pc.if_else(pa.array(o["cust"] == -2), _TEST_EMAIL, _blank_where(o["cust"] < 0, email))
    per_order = {
        "Name": _join("#", _num(1001 + o["pos"])),
        "Email": email,
        "Created at": _stamp(o["time"], cal),
    }
    per_row = {
        "Lineitem quantity": _num(items["qty"][line]),
        "Lineitem name": _take([f"{c[0]} - {c[1]}" for c in _CATALOG], product, quote),
        "Lineitem price": _take([f"{p}.00" for p in _P_PRICE], product, quote),
        "Lineitem compare at price": _take([f"{p}.00" if p else "" for p in _P_COMPARE], product, quote),
        "Lineitem sku": _take([c[2] for c in _CATALOG], product, quote),
        "Lineitem requires shipping": _take(["true"], np.zeros(rows, int), quote),
        "Lineitem taxable": _take(["true"], np.zeros(rows, int), quote),
        "Lineitem fulfillment status": _take(["pending", "fulfilled"], fulfilled.astype(int), quote),
        "Vendor": _take([BRAND], np.zeros(rows, int), quote),
        "Lineitem discount": _money(np.where(o["zero"][row_order], 0, items["discount"][line])),
    }
    order_level = _order_columns(o, cal, quote)
    empty = pa.array([""], pa.string())
    out = []
    for name in COLUMNS:
        if name in per_row:
            out.append(per_row[name])
        elif name in per_order:
            out.append(pc.take(per_order[name], every_row))
        else:
            out.append(pc.take(pa.concat_arrays([order_level[name], empty]), first_only))
    return out, rows


def _slice(o: dict[str, np.ndarray], lo: int, hi: int) -> dict[str, np.ndarray]:
    """Orders ``lo:hi`` with their position in the whole export."""
    return {key: val[lo:hi] for key, val in o.items()} | {"pos": np.arange(lo, hi)}


def generate_orders(customers: int = 3000, *, seed: int = 7, end: date = DEMO_END, years: float = 3.0) -> pd.DataFrame:
    """The demo shop's Shopify "Export orders" table: one row per line item, 79 string columns.

    Blank cells are empty strings; order-level fields are set on each order's first row only.
    Meant for small shops: :func:`write_shopify_export` streams large ones to disk.
    """
    _, o, items, cal = _simulate(customers, seed, end, years)
    cols, _ = _columns(_slice(o, 0, len(o["time"])), items, cal, quote=False)
    return pa.table(cols, names=list(COLUMNS)).to_pandas()


def write_shopify_export(path: str | os.PathLike, customers: int = 3000, *, seed: int = 7, end: date = DEMO_END,
                         encoding: str = "utf-8", years: float = 3.0, chunk_orders: int = 50_000,
                         marketing_spend: bool = True) -> dict:
    """Write the demo shop as a Shopify orders export CSV and return its counts.

    The file is written to a temporary name next to ``path`` in chunks of ``chunk_orders`` orders,
    then renamed over ``path``; ``encoding`` is ``utf-8`` or ``cp932``. With ``marketing_spend`` the sample
    marketing-spend file (:data:`SPEND_FILE`, :func:`marketing_spend`) is written beside it.
    """
    path = Path(path)
    codec = {"utf-8": "utf-8", "utf8": "utf-8", "cp932": "cp932", "shift_jis": "cp932"}.get(encoding.lower())
    if codec is None:
        raise ValueError(f"encoding must be utf-8 or cp932, not {encoding!r}")
    cust, o, items, cal = _simulate(customers, seed, end, years)
    n_orders, n_rows = len(o["time"]), 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write((",".join(COLUMNS) + "\n").encode(codec))
            for lo in range(0, n_orders, chunk_orders):
                cols, rows = _columns(_slice(o, lo, min(lo + chunk_orders, n_orders)), items, cal, quote=True)
                cols[-1] = _join(cols[-1], "\n")
                lines = pc.binary_join_element_wise(*cols, ",")
                del cols
                n_rows += rows
                offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset: lines.offset + len(lines) + 1]
                data = memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]]
                f.write(data if codec == "utf-8" else bytes(data).decode("utf-8").encode(codec))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if marketing_spend:
        _write_spend(path.parent / SPEND_FILE, _spend_rows(cust, cal, seed))
    return {"orders": n_orders, "rows": n_rows, "customers": customers, "path": str(path)}


# -- the sample marketing-spend file (cohorts.spend_file; format: ltvlib.cohorts.SPEND_COLUMNS) ----------------
SPEND_FILE = "marketing_spend.csv"
SPEND_CAC = {"online_store": 7500.0, "pos": 2500.0}  # JPY per new customer; draft orders are not marketed
_SPEND_CAMPAIGNS = {"online_store": (("search", 0.6), ("social", 0.4)), "pos": (("in_store", 1.0),)}
_SPEND_CHANNELS = {"online_store": _WEB, "pos": _POS}


def _spend_rows(cust: dict[str, np.ndarray], cal: _Calendar, seed: int) -> list[tuple[str, str, str, int]]:
    """(month, channel, campaign, spend) of every month and marketed channel with new customers: the planted new
    customers times :data:`SPEND_CAC`, dearer in December (gifting competition) and varying month to month
    (a stream of its own, so the export itself does not change), rounded to 100 yen."""
    rng = np.random.default_rng([seed, 9])
    month = (cal.start + cust["first_time"] // 86400).astype("datetime64[M]")
    months = np.unique(month)
    rows = []
    for m in months:
        noise = rng.lognormal(0.0, 0.2, len(SPEND_CAC))
        december = str(m).endswith("-12")
        for (channel, cac), f in zip(SPEND_CAC.items(), noise):
            new = int(((month == m) & (cust["channel"] == _SPEND_CHANNELS[channel])).sum())
            if not new:
                continue
            total = int(round(new * cac * f * (1.3 if december else 1.0), -2))
            left = total
            for i, (campaign, share) in enumerate(_SPEND_CAMPAIGNS[channel]):
                part = left if i == len(_SPEND_CAMPAIGNS[channel]) - 1 else int(round(total * share, -2))
                rows.append((str(m), channel, campaign, part))
                left -= part
    return rows


def _write_spend(path: Path, rows: list[tuple[str, str, str, int]]) -> None:
    """The spend rows as CSV (month, channel, spend, campaign), written to a temporary name then renamed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    lines = ["month,channel,spend,campaign", *(f"{m},{c},{v},{k}" for m, c, k, v in rows)]
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def marketing_spend(customers: int = 3000, *, seed: int = 7, end: date = DEMO_END, years: float = 3.0) -> pd.DataFrame:
    """The demo shop's sample marketing spend (as written to :data:`SPEND_FILE`): month, channel, spend, campaign."""
    cust, _, _, cal = _simulate(customers, seed, end, years)
    return pd.DataFrame(_spend_rows(cust, cal, seed), columns=["month", "channel", "campaign", "spend"])[
        ["month", "channel", "spend", "campaign"]]


def truth(customers: int = 3000, *, seed: int = 7, end: date = DEMO_END, years: float = 3.0) -> pd.DataFrame:
    """Planted per-customer ground truth, one row per customer in ``customer_no`` (= email) order.

    Counts (``orders``, ``lapses``...) exclude cancelled attempts; times are tz-aware (Asia/Tokyo);
    ``dropped_out_at`` is the last order of a customer who dropped out (NaT while still alive).
    """
    cust, _, _, cal = _simulate(customers, seed, end, years)

    def stamp(seconds: np.ndarray) -> pd.Series:
        return pd.Series(pd.to_datetime(cal.epoch + seconds.astype(np.int64), unit="s")).dt.tz_localize(TIMEZONE)

    n = len(cust["orders"])
    dead = cust["dead"]
    return pd.DataFrame({
        "customer_no": np.arange(1, n + 1),
        "email": [f"c{i:07d}@example.jp" for i in range(1, n + 1)],
        "first_order_at": stamp(cust["first_time"]),
        "first_product_line": np.array(LINES, dtype=object)[cust["line"]],
        "first_channel": np.array(SOURCES, dtype=object)[cust["channel"]],
        "used_welcome_discount": cust["welcome"],
        "omnichannel": cust["omni"],
        "ever_pos": cust["ever_pos"],
        "gift_giver": cust["gift_giver"],
        "base_rate_per_day": cust["base_rate"],
        "rate_multiplier": cust["rate_mult"],
        "rate_per_day": cust["rate"],
        "retention_multiplier": cust["keep_mult"],
        "dropout_p": cust["p"],
        "orders": cust["orders"],
        "repeat": cust["orders"] >= 2,
        "last_order_at": stamp(cust["last_time"]),
        "alive_at_end": ~dead,
        "dropped_out_at": stamp(cust["last_time"]).where(dead),
        "lapses": cust["lapses"],
        "lapses_returned": cust["lapses_returned"],
        "returned_from_lapse": cust["lapses_returned"] > 0,
        "in_lapse_at_end": cust["in_lapse_at_end"],
    })


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ltvlib.demo OUT.csv [--customers N] [--seed S] [--encoding utf-8|cp932]``."""
    parser = argparse.ArgumentParser(prog="python -m ltvlib.demo", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="CSV file to write (Shopify orders export format)")
    parser.add_argument("--customers", type=int, default=3000, help="number of customers (default 3000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--encoding", choices=["utf-8", "cp932"], default="utf-8", help="file encoding")
    parser.add_argument("--years", type=float, default=3.0, help="years of history ending on DEMO_END")
    args = parser.parse_args(argv)
    result = write_shopify_export(args.out, args.customers, seed=args.seed, encoding=args.encoding, years=args.years)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- a demo portfolio: several shops of different shapes (``ltv demo --portfolio N``) ------------------------
# Each shape changes some DRIVERS for its simulation (and, for a dollar shop, writes amounts in cents of the
# yen figures: 1980 -> 19.80, so every total still adds up exactly). Shapes repeat with other seeds past six.
PORTFOLIO_SHAPES: tuple[dict, ...] = (
    {"what": "tea shop as the demo, mid-sized", "customers": 1.0, "drivers": {}},
    {"what": "online-only US shop in dollars, few repeat buyers (English)", "customers": 0.7, "currency": "USD",
     "language": "en", "timezone": "America/New_York",
     "drivers": {"acquisition": {"first_channel_share": {"web": 0.96, "pos": 0.0, "shopify_draft_order": 0.04}},
                 "bgnbd": {"b": 0.05}, "omnichannel": {"share_of_online_first": 0.0}}},
    {"what": "small shop of loyal regulars (subscription-like)", "customers": 0.4,
     "drivers": {"bgnbd": {"r": 3.0, "a": 0.15, "b": 0.25}}},
    {"what": "store-first shop: most first orders in its stores", "customers": 0.8,
     "drivers": {"acquisition": {"first_channel_share": {"web": 0.35, "pos": 0.6, "shopify_draft_order": 0.05}}}},
    {"what": "gift and sweets shop: many gift givers, seasonal", "customers": 1.3,
     "drivers": {"acquisition": {"first_product_line_share": {"Herbal Tea Bags": 0.1, "Crunchy": 0.1,
                                                               "Refreshing": 0.1, "Umami": 0.05, "Sweets": 0.5,
                                                               "Trial Set": 0.15}},
                 "gift": {"gift_giver_share": 0.35}}},
    {"what": "young shop: one year of history, fast growth", "customers": 0.6, "years": 1.0,
     "drivers": {"acquisition": {"growth_over_history": 3.0}}},
)
_USD_COLUMNS = frozenset({"Subtotal", "Shipping", "Taxes", "Total", "Discount Amount", "Lineitem price",
                          "Lineitem compare at price", "Refunded Amount", "Outstanding Balance", "Lineitem discount",
                          "Tax 1 Value", "Tax 2 Value", "Tax 3 Value", "Tax 4 Value", "Tax 5 Value", "Duties"})


def _merge(base: dict, changes: dict) -> dict:
    out = dict(base)
    for k, v in changes.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def _with_drivers(changes: dict, run: Callable[[], Any]) -> Any:
    """``run()`` with DRIVERS changed by ``changes`` (nested keys), restored afterwards (not thread-safe)."""
    saved = dict(DRIVERS)
    DRIVERS.update(_merge(saved, changes))
    try:
        return run()
    finally:
        DRIVERS.clear()
        DRIVERS.update(saved)


def _to_cents(path: Path, currency: str) -> None:
    """Rewrite an export's amounts from yen to ``currency`` in hundredths (1980.00 -> 19.8), in place (through the
    one CSV writer: atomic)."""
    from ltvlib.io.csvout import write_csv

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for c in frame.columns.intersection(sorted(_USD_COLUMNS)):
        amounts = pd.to_numeric(frame[c].replace("", None))
        frame[c] = (amounts / 100).round(2)  # numbers stay numbers; blanks stay blank
    frame["Currency"] = frame["Currency"].where(frame["Currency"] == "", currency)
    write_csv(frame, path)


def write_portfolio(n: int, params_dir: str | os.PathLike, data_dir: str | os.PathLike, *, customers: int = 3000,
                    seed: int = 101, notebooks: Sequence[str] | None = None, end: date = DEMO_END) -> list[Path]:
    """Write ``n`` demo shops ``pf-1`` ... ``pf-n`` of different shapes (:data:`PORTFOLIO_SHAPES`: size,
    channels, repeat behaviour, product mix, history, currency and language; ``customers`` scales the sizes):
    each shop's export under ``data_dir/pf-<i>/`` and its params ``params_dir/pf-<i>.yaml`` (store beside the
    export, ``as_of`` = ``end``). Returns the params files; importing them is the caller's."""
    import yaml

    params_dir, data_dir = Path(params_dir).resolve(), Path(data_dir).resolve()
    params_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        shape = PORTFOLIO_SHAPES[i % len(PORTFOLIO_SHAPES)]
        shop = f"pf-{i + 1}"
        folder = data_dir / shop
        export = folder / "orders_export.csv"
        size = max(50, int(round(customers * shape["customers"])))
        _with_drivers(shape["drivers"], lambda export=export, size=size, i=i, shape=shape: write_shopify_export(
            export, size, seed=seed + i, end=end, years=shape.get("years", 3.0), marketing_spend=False))
        currency = shape.get("currency", "JPY")
        if currency != "JPY":
            _to_cents(export, currency)
        params = {
            "shop": shop, "name": f"Demo portfolio {i + 1}: {shape['what']}", "currency": currency,
            "timezone": shape.get("timezone", TIMEZONE), "language": shape.get("language", "ja"),
            "store": os.path.relpath(folder / "store.duckdb", params_dir),
            "sources": [{"path": os.path.relpath(export, params_dir), "loader": "shopify",
                         "product_lines": {"from": "title", "map": {line: line for line in LINES}}}],
            "as_of": end,
            "report": {"audience": "client", "notebooks": list(notebooks) if notebooks else
                       ["rfm", "segments", "journey", "cohorts", "clv", "winback"]},
        }
        path = params_dir / f"{shop}.yaml"
        text = (f"# Demo portfolio shop {i + 1} of {n} (ltv demo --portfolio): {shape['what']}.\n"
                + yaml.safe_dump(params, allow_unicode=True, sort_keys=False))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        out.append(path)
    return out
