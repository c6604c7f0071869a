"""Small shops of awkward shapes, written as real Shopify order exports with their params.

Each shape is what a real small shop looks like to the importer (one customer, no repeat buyer, only
guests, a USD shop across daylight-saving changes, a GBP shop with heavy refunds, ...). Tests import
them with ``ltv import`` and run the full report on them; ``python tests/shapes.py FOLDER`` writes all
of them for a person to try (``ltv import FOLDER/<shape>.yaml && ltv run FOLDER/<shape>.yaml``).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price",
    "Lineitem sku", "Cancelled at", "Payment Method", "Refunded Amount", "Vendor", "Id", "Tags", "Source",
    "Lineitem discount",
)
PRODUCTS = (("Morning Blend 200g", "Coffee", 18.0), ("Decaf Beans 250g", "Coffee", 21.0),
            ("Ceramic Mug", "Homeware", 29.0), ("Drip Kettle", "Homeware", 64.0))
PRODUCT_LINES = {"Blend": "Blends", "Decaf": "Decaf", "Mug": "Cups", "Kettle": "Brewing"}


@dataclass
class Order:
    email: str
    at: dt.datetime  # local wall time in the shop's zone
    lines: list[tuple[int, int]]  # (product index, quantity)
    refund_share: float = 0.0
    cancelled: bool = False
    source: str = "web"
    code: str = ""
    tags: str = ""


@dataclass
class Shape:
    name: str
    what: str
    orders: list[Order]
    as_of: dt.date
    currency: str = "USD"
    timezone: str = "America/New_York"
    product_lines: dict = field(default_factory=lambda: {"from": "title", "map": PRODUCT_LINES})
    products: tuple = PRODUCTS
    order_prefix: str = "#"


def _day(start: dt.date, days: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(start + dt.timedelta(days=days), dt.time(hour, 15))


def _buyers(rng: np.random.Generator, start: dt.date, span_days: int, one_timers: int,
            repeaters: dict[int, int], prefix: str = "c") -> list[Order]:
    """``one_timers`` customers with one order and ``repeaters[k]`` customers with ``k`` orders each."""
    out, n = [], 0
    for k, count in [(1, one_timers), *sorted(repeaters.items())]:
        for _ in range(count):
            n += 1
            days = np.sort(rng.choice(span_days, size=k, replace=False))
            for d in days:
                lines = [(int(rng.integers(len(PRODUCTS))), int(rng.integers(1, 3)))]
                if rng.random() < 0.3:
                    lines.append((int(rng.integers(len(PRODUCTS))), 1))
                out.append(Order(f"{prefix}{n:03d}@example.com", _day(start, int(d), int(rng.integers(8, 22))),
                                 lines, code="WELCOME" if rng.random() < 0.2 else ""))
    return out


def shapes() -> dict[str, Shape]:
    """Every awkward shape, by name."""
    rng = np.random.default_rng(7)
    start = dt.date(2025, 1, 6)
    out = [
        Shape("one-customer", "one customer with two orders",
              [Order("solo@example.com", _day(start, 0), [(0, 1)]), Order("solo@example.com", _day(start, 40), [(2, 1)])],
              dt.date(2025, 12, 31)),
        Shape("one-order", "a single order", [Order("first@example.com", _day(start, 3), [(1, 2)])],
              dt.date(2025, 12, 31)),
        Shape("no-repeat", "40 customers, nobody bought twice", _buyers(rng, start, 330, 40, {}),
              dt.date(2025, 12, 31)),
        Shape("all-guests", "every order without a customer e-mail",
              [Order("", _day(start, 9 * i), [(i % 4, 1)], source="pos") for i in range(25)], dt.date(2025, 12, 31)),
        Shape("all-cancelled", "every order cancelled and refunded",
              [Order(f"x{i}@example.com", _day(start, 11 * i), [(i % 4, 1)], refund_share=1.0, cancelled=True)
               for i in range(12)], dt.date(2025, 12, 31)),
        Shape("one-day", "the whole history is one day",
              [Order(f"d{i % 9}@example.com", _day(start, 0, 9 + i % 12), [(i % 4, 1)]) for i in range(14)],
              start),
        Shape("short-history", "60 days of history, shorter than the dormancy threshold",
              _buyers(rng, start, 60, 30, {2: 6, 3: 2}), start + dt.timedelta(days=60)),
        Shape("as-of-before-first-order", "as_of falls before the first order",
              _buyers(rng, start, 200, 20, {2: 5}), start - dt.timedelta(days=30)),
        Shape("fifty-orders", "50 orders, 3 repeat buyers", _buyers(rng, start, 360, 44, {2: 3}),
              dt.date(2026, 1, 31)),
        Shape("usd-dst", "a US shop across daylight-saving changes, 36 repeat buyers",
              _buyers(rng, dt.date(2024, 3, 1), 640, 120, {2: 24, 3: 8, 5: 4}), dt.date(2025, 12, 31)),
        Shape("gbp-refunds", "a GBP shop whose refunds exceed half its revenue",
              [dataclass_replace(o, refund_share=(1.0 if i % 3 else 0.5)) for i, o in
               enumerate(_buyers(rng, start, 300, 30, {2: 8, 4: 3}, prefix="uk"))],
              dt.date(2025, 12, 31), currency="GBP", timezone="Europe/London"),
        Shape("unmapped-lines", "no product title matches the shop's product-line map",
              _buyers(rng, start, 300, 40, {2: 10, 3: 4}), dt.date(2025, 12, 31),
              product_lines={"from": "title", "map": {"Nothing like this": "Never"}}),
    ]
    return {s.name: s for s in out}


def dataclass_replace(order: Order, **changes: object) -> Order:
    from dataclasses import replace

    return replace(order, **changes)


def _money(x: float) -> str:
    return f"{x:.2f}"


def write_export(shape: Shape, path: Path) -> int:
    """Write the shape's orders as a Shopify export (one row per line item); returns the order count."""
    zone = ZoneInfo(shape.timezone)
    orders = sorted(shape.orders, key=lambda o: o.at)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, o in enumerate(orders):
            local = o.at.replace(tzinfo=zone)
            stamp = local.strftime("%Y-%m-%d %H:%M:%S %z")
            subtotal = sum(shape.products[p][2] * q for p, q in o.lines)
            discount = round(subtotal * 0.1, 2) if o.code else 0.0
            shipping, total = 5.0, round(subtotal - discount + 5.0, 2)
            refund = round(total * o.refund_share, 2)
            status = "refunded" if refund >= total else "partially_refunded" if refund else "paid"
            for j, (p, q) in enumerate(o.lines):
                title, vendor, price = shape.products[p]
                head = j == 0
                w.writerow([
                    f"{shape.order_prefix}{1001 + i}", o.email, status if head else "", stamp if head else "",
                    shape.currency if head else "", _money(subtotal) if head else "",
                    _money(shipping) if head else "", "0.00" if head else "", _money(total) if head else "",
                    o.code if head else "", _money(discount) if head else "", stamp, q, title, _money(price),
                    f"SKU-{p}", (stamp if o.cancelled else "") if head else "", "Shopify Payments" if head else "",
                    _money(refund) if head else "", vendor, str(500000 + i) if head else "", o.tags if head else "",
                    o.source if head else "", "0.00",
                ])
    return len(orders)


def write_shop(shape: Shape, folder: Path, *, language: str = "en", notebooks: list[str] | None = None) -> Path:
    """Write the shape's export and params into ``folder``; returns the params path (import not done)."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    export = folder / f"{shape.name}.csv"
    write_export(shape, export)
    params = {
        "shop": shape.name, "name": f"{shape.name} ({shape.what})", "currency": shape.currency,
        "timezone": shape.timezone, "language": language, "store": f"{shape.name}.duckdb",
        "as_of": shape.as_of.isoformat(),
        "sources": [{"path": export.name, "loader": "shopify", "product_lines": shape.product_lines}],
    }
    if notebooks:
        params["report"] = {"notebooks": notebooks}
    path = folder / f"{shape.name}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# Markup in every text field a shop's data or params can carry; each payload would run ``alert(N)`` if live.
MARKUP = {
    "product": "<img src=x onerror=alert(1)> Blend",
    "vendor": "<b onmouseover=alert(2)>V</b>",
    "code": "<script>alert(3)</script>",
    "tag": "<u onclick=alert(4)>gift</u>",
    "line": "<svg onload=alert(5)>Blends",
    "order_prefix": "<svg onload=alert(6)>#",
    "source": "<iframe src=javascript:alert(7)>",
    "product_md": "[Decaf](javascript:alert(8)) $\\bogus{x}$ *beans*",
    "line_md": "<a href=javascript:alert(9)>Decaf</a> $x$",
    "shop": "<i>Shop</i> <img src=x onerror=alert(10)>",
    "title": "<img src=x onerror=alert(11)> Weekly",
    "prepared_by": "<b onmouseover=alert(12)>Me</b>",
    "segment_en": "<img src=x onerror=alert(13)> coded",
    "segment_ja": "<img src=x onerror=alert(14)> コード",
    "journey": "<img src=x onerror=alert(15)> journey",
    "list": "<img src=x onerror=alert(16)>",
    "group": "<img src=x onerror=alert(18)> group",
}


def hostile_shape() -> Shape:
    """A US shop of 180 customers (63 repeat buyers) whose products, vendors, product lines, discount codes,
    tags, order names and sources all hold markup (``MARKUP``)."""
    rng = np.random.default_rng(11)
    products = ((MARKUP["product"], MARKUP["vendor"], 18.0), (MARKUP["product_md"], "Plain & \"Co\"", 21.0),
                ("Ceramic Mug", MARKUP["vendor"], 29.0), ("Drip Kettle", "Homeware", 64.0))
    orders = [dataclass_replace(o, code=MARKUP["code"] if i % 4 == 0 else "", tags=MARKUP["tag"] if i % 3 == 0 else "",
                                source=MARKUP["source"] if i % 5 == 0 else "pos" if i % 7 == 0 else "web")
              for i, o in enumerate(_buyers(rng, dt.date(2024, 3, 1), 640, 117, {2: 40, 3: 15, 5: 8}, prefix="h"))]
    lines = {"Blend": MARKUP["line"], "Decaf": MARKUP["line_md"], "Mug": "Cups", "Kettle": "Brewing"}
    return Shape("hostile", "markup in every text field", orders, dt.date(2025, 12, 31),
                 product_lines={"from": "title", "map": lines}, products=products, order_prefix=MARKUP["order_prefix"])


def write_hostile_shop(folder: Path, *, language: str = "en") -> Path:
    """Write ``hostile_shape`` with params whose shop name, branding, a segment's labels and group and a journey's
    title hold markup; returns the params path (import not done)."""
    import yaml

    path = write_shop(hostile_shape(), folder, language=language)
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["name"] = MARKUP["shop"]
    params["report"] = {"branding": {"title": MARKUP["title"], "prepared_by": MARKUP["prepared_by"]}}
    params["segments"] = {"coded": {"condition": f"discount_codes CONTAINS '{MARKUP['code']}'",
                                    "en": MARKUP["segment_en"], "ja": MARKUP["segment_ja"],
                                    "group": MARKUP["group"]}}
    params["journeys"] = {"hostile": {"title": {"en": MARKUP["journey"], "ja": MARKUP["journey"]},
                                      "source": "segments", "segments": ["coded", "new", "lapsing"]}}
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "shapes")
    for s in shapes().values():
        print(write_shop(s, target))
