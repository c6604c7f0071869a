"""The demo shop generator: determinism, the Shopify export format and its quirks, planted drivers."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ltvlib import demo

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,"
    "Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,"
    "Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,"
    "Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,"
    "Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,"
    "Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
)
EVERY_ROW = {"Name", "Email", "Created at", "Vendor", "Lineitem discount"}
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0900$")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("demo") / "orders_export.csv"
    return path, demo.write_shopify_export(path)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return demo.generate_orders()


@pytest.fixture(scope="module")
def orders(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per order, read from the export rows the way an analysis would."""
    first = rows["Name"] != rows["Name"].shift()
    line = rows["Lineitem name"].str.split(" - ").str[0]
    lines = line.groupby(rows["Name"], sort=False).agg(set)
    out = rows[first].set_index("Name")
    out = pd.DataFrame({
        "email": out["Email"],
        "at": pd.to_datetime(out["Created at"], format="%Y-%m-%d %H:%M:%S %z"),
        "source": out["Source"],
        "status": out["Financial Status"],
        "cancelled": out["Cancelled at"] != "",
        "code": out["Discount Code"],
        "tags": out["Tags"],
        "payment": out["Payment Method"],
        "main": line[first].to_numpy(),
        "lines": lines.reindex(out.index),
        **{c: out[c].astype(float) for c in ("Subtotal", "Shipping", "Taxes", "Total", "Discount Amount",
                                               "Refunded Amount")},
    })
    return out


@pytest.fixture(scope="module")
def bought(orders: pd.DataFrame) -> pd.DataFrame:
    """Customers' real orders (no cancelled, guest or test orders), in time order, numbered per customer."""
    real = orders[~orders["cancelled"] & (orders["email"] != "") & (orders["email"] != "test@example.jp")]
    real = real.sort_values(["email", "at"]).reset_index()
    real["n"] = real.groupby("email").cumcount()
    real["gap_days"] = real.groupby("email")["at"].diff().dt.total_seconds() / 86400
    return real


@pytest.fixture(scope="module")
def customers(bought: pd.DataFrame) -> pd.DataFrame:
    """Per customer: first order's line, source and code, order count, ever bought at POS later."""
    first = bought[bought["n"] == 0].set_index("email")
    later_pos = bought[(bought["n"] > 0) & (bought["source"] == "pos")]["email"].unique()
    return pd.DataFrame({
        "first_line": first["main"],
        "first_source": first["source"],
        "welcome": first["code"] == "WELCOME10",
        "orders": bought.groupby("email").size(),
        "later_pos": first.index.isin(later_pos),
        "median_gap": bought.groupby("email")["gap_days"].median(),
    })


def test_same_arguments_give_byte_identical_files(tmp_path: Path, export: tuple[Path, dict]) -> None:
    path, info = export
    again = demo.write_shopify_export(tmp_path / "again.csv")
    assert sha256(tmp_path / "again.csv") == sha256(path)
    assert again["orders"] == info["orders"] and again["rows"] == info["rows"]
    demo.write_shopify_export(tmp_path / "other.csv", seed=8)
    assert sha256(tmp_path / "other.csv") != sha256(path)


def test_export_reads_back_as_generate_orders(export: tuple[Path, dict], rows: pd.DataFrame) -> None:
    path, info = export
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, rows)
    assert info == {"orders": rows["Name"].nunique(), "rows": len(rows), "customers": 3000, "path": str(path)}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_cp932_file_holds_the_same_table(tmp_path: Path, rows: pd.DataFrame) -> None:
    path = tmp_path / "sjis.csv"
    demo.write_shopify_export(path, encoding="cp932")
    pd.testing.assert_frame_equal(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp932"), rows)
    with pytest.raises(ValueError, match="encoding"):
        demo.write_shopify_export(tmp_path / "bad.csv", encoding="latin-1")
    assert not (tmp_path / "bad.csv").exists()


def test_header_is_shopifys_79_columns(export: tuple[Path, dict], rows: pd.DataFrame) -> None:
    path, _ = export
    assert path.read_text(encoding="utf-8").split("\n", 1)[0] == HEADER
    assert list(rows.columns) == HEADER.split(",") and len(rows.columns) == 79
    assert all(rows[c].map(type).eq(str).all() for c in rows.columns)


def test_order_level_fields_on_first_row_only(rows: pd.DataFrame) -> None:
    first = rows["Name"] != rows["Name"].shift()
    assert rows.loc[first, "Name"].is_unique  # an order's rows are contiguous
    order_level = [c for c in rows.columns if c not in EVERY_ROW and not c.startswith("Lineitem ")]
    assert (rows.loc[~first, order_level] == "").all().all()
    for col in ("Financial Status", "Currency", "Subtotal", "Total", "Id", "Source", "Paid at"):
        assert (rows.loc[first, col] != "").all(), col
    for col in ("Email", "Created at"):
        assert rows.groupby("Name", sort=False)[col].nunique().eq(1).all(), col
    assert (rows["Lineitem name"] != "").all() and (rows["Vendor"] == demo.BRAND).all()


def test_names_ids_and_times(rows: pd.DataFrame, orders: pd.DataFrame) -> None:
    first = rows[rows["Name"] != rows["Name"].shift()]
    assert list(first["Name"]) == [f"#{1001 + i}" for i in range(len(first))]
    ids = first["Id"].astype(np.int64)
    assert ids.is_unique and ids.is_monotonic_increasing
    assert orders["at"].is_monotonic_increasing
    for col in ("Created at", "Paid at", "Fulfilled at", "Cancelled at"):
        filled = rows[col][rows[col] != ""]
        assert filled.str.match(TIME).all(), col
    assert orders["at"].max().date() == demo.DEMO_END
    assert orders["at"].min().date() >= date(2023, 6, 30)
    assert (rows["Currency"][rows["Currency"] != ""] == "JPY").all()
    money = rows[["Subtotal", "Total", "Lineitem price"]].stack()
    assert money[money != ""].str.fullmatch(r"\d+\.00").all()


def test_totals_are_consistent(rows: pd.DataFrame, orders: pd.DataFrame) -> None:
    o = orders
    assert np.array_equal(o["Total"], o["Subtotal"] - o["Discount Amount"] + o["Shipping"])
    assert np.array_equal(o["Taxes"], (o["Subtotal"] - o["Discount Amount"]) * 8 // 108)
    online = o["source"] != "pos"
    paid_in_full = o["Subtotal"] > 0
    assert (o.loc[online & paid_in_full, "Shipping"] == np.where(o.loc[online & paid_in_full, "Subtotal"] >= 5000,
                                                                  0, 500)).all()
    assert (o.loc[~online, "Shipping"] == 0).all()
    lines = rows.assign(gross=rows["Lineitem quantity"].astype(int) * rows["Lineitem price"].astype(float),
                        disc=rows["Lineitem discount"].astype(float)).groupby("Name", sort=False)
    assert np.array_equal(lines["gross"].sum()[paid_in_full].to_numpy(), o.loc[paid_in_full, "Subtotal"].to_numpy())
    assert np.array_equal(lines["disc"].sum().to_numpy(), o["Discount Amount"].to_numpy())
    prices = rows["Lineitem price"].astype(float)
    assert prices.between(980, 5400).all()


def test_export_quirks_are_present(rows: pd.DataFrame, orders: pd.DataFrame) -> None:
    o = orders
    cancelled = o[o["cancelled"]]
    full = cancelled[cancelled["status"] == "refunded"]
    assert len(full) and (full["Refunded Amount"] == full["Total"]).all()
    zero = cancelled[cancelled["status"] == "paid"]
    assert len(zero) and (zero["Total"] == 0).all()
    refunded = o[~o["cancelled"] & (o["status"] == "refunded")]
    assert len(refunded) and (refunded["Refunded Amount"] == refunded["Total"]).all()
    partial = o[o["status"] == "partially_refunded"]
    assert len(partial) and ((partial["Refunded Amount"] > 0) & (partial["Refunded Amount"] < partial["Total"])).all()
    guests = o[o["email"] == ""]
    assert len(guests) and (guests["source"] == "pos").mean() > 0.6
    assert {"gift", "gift, noshi"} <= set(o["tags"])
    tests = o[o["payment"] == "(for testing) Bogus Gateway"]
    assert len(tests) == 5 and (tests["email"] == "test@example.jp").all()
    assert rows["Notes"].str.contains("\n").any() and rows["Notes"].str.contains('"').any()
    assert {"WELCOME10", "SPRING2025", "VIP15"} <= set(o["code"])
    assert set(o["source"]) == {"web", "pos", "shopify_draft_order"}
    first = rows[rows["Name"] != rows["Name"].shift()]
    assert set(first.loc[first["Source"] == "pos", "Location"]) == {"Tokyo Ginza Store", "Kyoto Sanjo Store"}
    phones = rows["Billing Phone"][rows["Billing Phone"] != ""]
    assert len(phones) and phones.str.match(r"^'\+81 \d0-\d{4}-\d{4}$").all()
    zips = rows["Billing Zip"][rows["Billing Zip"] != ""]
    assert len(zips) and zips.str.match(r"^'\d{3}-\d{4}$").all()
    assert rows["Billing Name"].str.contains("[\u4e00-\u9fff]").any()
    assert rows["Email"][~rows["Email"].isin(["", "test@example.jp"])].str.fullmatch(r"c\d{7}@example\.jp").all()


def test_product_titles_name_exactly_one_line(rows: pd.DataFrame) -> None:
    titles = rows["Lineitem name"].unique()
    for title in titles:
        assert sum(line in title for line in demo.LINES) == 1, title
        assert title.split(" - ")[0] in demo.LINES
    per_line = pd.Series(titles).str.split(" - ").str[0].value_counts()
    assert set(per_line.index) == set(demo.LINES) and per_line.between(3, 6).all()
    trial = rows[rows["Lineitem name"].str.startswith("Trial Set")]
    assert (trial["Lineitem compare at price"] != "").all()


def test_repeat_share_and_timing_are_realistic(customers: pd.DataFrame, bought: pd.DataFrame) -> None:
    repeat = customers["orders"] >= 2
    assert 0.25 <= repeat.mean() <= 0.35
    assert 40 <= bought.loc[bought["n"] == 1, "gap_days"].median() <= 80
    assert (customers["orders"] >= 5).mean() > 0.05 and (customers["orders"] >= 20).sum() >= 10
    assert len(customers) == 3000


def test_first_product_line_and_welcome_drivers(customers: pd.DataFrame) -> None:
    repeat = customers["orders"] >= 2
    trial = customers["first_line"] == "Trial Set"
    sweets = customers["first_line"] == "Sweets"
    assert repeat[trial].mean() > repeat[~trial].mean() + 0.06
    assert repeat[sweets].mean() < repeat[~trial & ~sweets].mean() - 0.03
    online = customers["first_source"] == "web"
    welcome = customers["welcome"]
    assert welcome[online].mean() > 0.2 and not welcome[~online].any()
    assert repeat[online & welcome].mean() < repeat[online & ~welcome].mean() - 0.05


def test_omnichannel_customers_buy_more_often(customers: pd.DataFrame) -> None:
    repeaters = customers[(customers["first_source"] == "web") & (customers["orders"] >= 2)]
    omni, online_only = repeaters[repeaters["later_pos"]], repeaters[~repeaters["later_pos"]]
    assert omni["median_gap"].median() < 0.85 * online_only["median_gap"].median()
    assert omni["orders"].mean() > 1.3 * online_only["orders"].mean()


def test_umami_first_buyers_return_from_dormancy_more(bought: pd.DataFrame, customers: pd.DataFrame) -> None:
    end = pd.Timestamp(demo.DEMO_END, tz=demo.TIMEZONE)
    nxt = bought.groupby("email")["at"].shift(-1)
    silent = (nxt - bought["at"]).dt.days.gt(180) | (nxt.isna() & (end - bought["at"]).dt.days.gt(180))
    episodes = bought[silent].assign(returned=nxt[silent].notna())
    umami = customers["first_line"].reindex(episodes["email"]).eq("Umami").to_numpy()
    rate_umami, rate_other = episodes["returned"][umami].mean(), episodes["returned"][~umami].mean()
    assert rate_umami > 1.4 * rate_other


def test_product_affinity(bought: pd.DataFrame, orders: pd.DataFrame) -> None:
    prev_main = bought.groupby("email")["main"].shift()
    later = bought[prev_main.notna()]
    after_herbal = prev_main[prev_main.notna()] == "Herbal Tea Bags"
    rebuy = later["main"] == "Herbal Tea Bags"
    assert rebuy[after_herbal].mean() > rebuy[~after_herbal].mean() + 0.3
    herbal_main = orders["main"] == "Herbal Tea Bags"
    adds_crunchy = orders["lines"].map(lambda s: "Crunchy" in s)
    assert adds_crunchy[herbal_main].mean() > 2 * adds_crunchy[~herbal_main & (orders["main"] != "Crunchy")].mean()


def test_truth_matches_the_orders(customers: pd.DataFrame) -> None:
    truth = demo.truth().set_index("email")
    assert len(truth) == 3000 and truth.index.is_unique
    got = customers.reindex(truth.index)
    assert np.array_equal(got["orders"].to_numpy(), truth["orders"].to_numpy())
    assert (got["first_line"] == truth["first_product_line"]).all()
    assert (got["first_source"] == truth["first_channel"]).all()
    assert (got["welcome"] == truth["used_welcome_discount"]).all()
    assert (truth["dropped_out_at"].isna() == truth["alive_at_end"]).all()
    assert (truth.loc[~truth["alive_at_end"], "dropped_out_at"] == truth.loc[~truth["alive_at_end"], "last_order_at"]).all()
    assert (truth["lapses_returned"] <= truth["lapses"]).all() and truth["returned_from_lapse"].any()
    assert (truth.loc[truth["first_product_line"] == "Trial Set", "rate_multiplier"] >= 1.5 * 0.7 - 1e-9).all()
    assert truth["first_order_at"].dt.tz is not None


def test_drivers_are_documented() -> None:
    for key in ("first_product_line", "welcome_discount", "omnichannel", "lapse", "product_affinity", "gift"):
        assert key in demo.DRIVERS and f"``{key}``" in (demo.__doc__ or "")
    json.dumps(demo.DRIVERS)  # machine-readable


def test_other_sizes_and_dates(tmp_path: Path) -> None:
    small = demo.generate_orders(40, seed=3, end=date(2024, 12, 31), years=1.0)
    at = pd.to_datetime(small["Created at"], format="%Y-%m-%d %H:%M:%S %z")
    assert at.max().date() == date(2024, 12, 31) and at.min().date() >= date(2024, 1, 1)
    assert (small["Payment Method"] == "(for testing) Bogus Gateway").sum() == 5
    with pytest.raises(ValueError):
        demo.generate_orders(0)


def test_cli_writes_the_export(tmp_path: Path, capsys: pytest.CaptureFixture[str], export: tuple[Path, dict]) -> None:
    out = tmp_path / "sub" / "cli.csv"
    assert demo.main([str(out), "--customers", "3000", "--seed", "7"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == export[1]["rows"]
    assert sha256(out) == sha256(export[0])
    with pytest.raises(SystemExit) as exc:
        demo.main(["--help"])
    assert exc.value.code == 0
