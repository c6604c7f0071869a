"""The one CSV writer (``ltvlib.io.csvout``): formula-like text neutralised on every export path, numbers kept."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib import winback
from ltvlib.cli import main
from ltvlib.io.csvout import neutralise, write_csv
from ltvlib.journey.movers import export_movers
from ltvlib.segments.exports import email_csv, shopify_customer_csv
from ltvlib.store import Store

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ['=HYPERLINK("http://x")', "@SUM(A1)", "-1+1", "+1", "\t=1", "\r=1"]


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def _cells(path: Path, encoding: str = "utf-8") -> set[str]:
    return {cell for row in _rows(path, encoding) for cell in row}


def _assert_neutralised(path: Path, encoding: str = "utf-8") -> None:
    cells = _cells(path, encoding)
    for value in HOSTILE:
        assert value not in cells, f"{value!r} written as is to {path.name}"
        assert "'" + value in cells, f"{value!r} missing from {path.name}"


def test_neutralise_text_not_numbers() -> None:
    df = pd.DataFrame({"text": [*HOSTILE, "safe", None], "number": [-5, -1, 2, 3, 4, 5, 6, 7],
                       "mixed": [-5, "-5", -1.5, "x", None, 0, "@a", 1],
                       "string": pd.array([*HOSTILE, None, "ok"], dtype="string")})
    out, n = neutralise(df)
    assert n == 2 * len(HOSTILE) + 2
    assert out["text"].tolist() == ["'" + v for v in HOSTILE] + ["safe", None]
    assert out["number"].tolist() == df["number"].tolist() and out["number"].dtype == df["number"].dtype
    assert out["mixed"].tolist()[:4] == [-5, "'-5", -1.5, "x"] and out["mixed"].iloc[6] == "'@a"
    assert out["string"].dtype == df["string"].dtype and out["string"].iloc[0] == "'" + HOSTILE[0]
    assert df["text"].iloc[0] == HOSTILE[0]  # the input is not changed


def test_write_csv_numbers_stay_numbers_index_and_header(tmp_path: Path) -> None:
    df = pd.DataFrame({"=name": HOSTILE, "amount": [-5, -1.5, 0, 2, -3, 4]},
                      index=pd.Index(["@k", "k2", "k3", "k4", "k5", "k6"], name="customer_key"))
    path = tmp_path / "x.csv"
    assert write_csv(df, path, index=True) == len(HOSTILE) + 1
    rows = _rows(path)
    assert rows[0] == ["customer_key", "'=name", "amount"]
    assert [r[0] for r in rows[1:3]] == ["'@k", "k2"]
    assert [r[1] for r in rows[1:]] == ["'" + v for v in HOSTILE]
    assert [r[2] for r in rows[1:]] == ["-5.0", "-1.5", "0.0", "2.0", "-3.0", "4.0"]  # numbers, not text
    assert oct(path.stat().st_mode & 0o777) == "0o644" and not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_write_csv_in_chunks_is_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    import ltvlib.io.csvout as csvout

    frame = pd.DataFrame({"name": ["=1+1", "安全", "-x", "plain", "@a", "b\nc", "+9"], "n": range(-3, 4)})
    whole = tmp_path / "whole.csv"
    assert write_csv(frame, whole, encoding=encoding) == 4
    monkeypatch.setattr(csvout, "CHUNK_ROWS", 3)
    parts = tmp_path / "parts.csv"
    assert write_csv(frame, parts, encoding=encoding) == 4
    assert parts.read_bytes() == whole.read_bytes()
    assert parts.read_bytes().count("\ufeff".encode("utf-8")) == (encoding == "utf-8-sig")
    empty = tmp_path / "empty.csv"
    write_csv(frame.iloc[:0], empty, encoding=encoding)
    assert empty.read_bytes().decode(encoding).splitlines() == ["name,n"]


def test_segment_exports_neutralised(tmp_path: Path) -> None:
    members = pd.DataFrame({"customer_key": [f"k{i}" for i in range(len(HOSTILE))], "group": "target"})
    emails = pd.Series({f"k{i}": v for i, v in enumerate(HOSTILE)})
    out = email_csv(members, emails)
    write_csv(out.frame, tmp_path / "email.csv", encoding="utf-8-sig")
    _assert_neutralised(tmp_path / "email.csv", "utf-8-sig")
    existing = pd.DataFrame({"Customer ID": members["customer_key"], "Email": [f"e{i}@x.jp" for i in range(len(HOSTILE))],
                             "First Name": HOSTILE, "Tags": "", "Note": "-2"})
    shop = shopify_customer_csv(members, emails, "spring", existing=existing)
    write_csv(shop.frame, tmp_path / "shopify.csv", encoding="cp932")
    _assert_neutralised(tmp_path / "shopify.csv", "cp932")
    assert "'-2" in _cells(tmp_path / "shopify.csv", "cp932")


def test_movers_export_neutralised(tmp_path: Path) -> None:
    n = len(HOSTILE)
    table = pd.DataFrame({"email": [f"c{i}@x.jp" for i in range(n)], "first_product": HOSTILE,
                          "first_discount_code": list(reversed(HOSTILE)), "orders": range(1, n + 1),
                          "net_revenue": [-5.0] * n},
                         index=pd.Index([f"c{i}@x.jp" for i in range(n)], name="customer_key"))
    path = export_movers(table, tmp_path, "movers.csv", show_personal_data=True, secret=b"k" * 32)
    _assert_neutralised(path, "utf-8-sig")
    rows = _rows(path, "utf-8-sig")
    assert rows[0][-1] == "net_revenue" and {r[-1] for r in rows[1:]} == {"-5.0"}


def test_winback_targets_neutralised(tmp_path: Path) -> None:
    n = len(HOSTILE)
    table = pd.DataFrame({"customer": [f"C-{i}" for i in range(n)], "rank": range(1, n + 1), "group": "target",
                          "net_revenue": [-5.0] * n, "reason_1": HOSTILE})
    paths = winback.write_target_exports(table, tmp_path)
    _assert_neutralised(paths["target"])
    assert {r[3] for r in _rows(paths["target"])[1:]} == {"-5.0"}


@pytest.fixture
def shop(tmp_path: Path) -> str:
    orders = make_orders([(f"{i}", f"c{i}@example.jp", f"2025-0{1 + i}-10 10:00", 1000.0) for i in range(6)])
    items = make_line_items([(o, 1, "Umami - Dashi", "Umami", 1, 1.0) for o in orders["order_id"]])
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    with Store(tmp_path / "store.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=items, accounting=acc), files=["x.csv"])
    params = tmp_path / "t.yaml"
    params.write_text("shop: t\nname: Test shop\nstore: store.duckdb\nlanguage: en\nas_of: 2026-06-30\n"
                      "report:\n  show_personal_data: true\n", encoding="utf-8")
    return str(params)


def test_cli_row_report_and_list_export_neutralised(shop: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "list.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:  # CRLF rows, so the bare CR in "\r=1" is quoted
        csv.writer(fh).writerows([["email"], ["c0@example.jp"], ["c1@example.jp"], *([v] for v in HOSTILE)])
    report = tmp_path / "rep.csv"
    assert main(["segment", "import", shop, "imported", str(src), "--report", str(report)]) == 0
    _assert_neutralised(report)
    dest = tmp_path / "out.csv"
    assert main(["segment", "export", shop, "imported", "--format", "shopify", "--tag", "t", "--out", str(dest)]) == 0
    assert {"c0@example.jp", "c1@example.jp"} <= _cells(dest)
    capsys.readouterr()


def test_one_module_writes_csv() -> None:
    writes = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(")
    found = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "ltvlib").rglob("*.py"))
             if writes.search(p.read_text(encoding="utf-8"))]
    assert found == ["ltvlib/io/csvout.py"]
