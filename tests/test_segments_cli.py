"""`ltv segment ...` end to end on a small shop: output and exit codes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.cli import main
from ltvlib.store import Store


@pytest.fixture
def shop(tmp_path: Path) -> str:
    rows = []
    for i in range(40):
        key = f"c{i:02d}@example.jp"
        rows.append((f"{i}a", key, f"2025-{1 + i % 12:02d}-10 10:00", 1000.0 + 10 * i,
                     {"channel": "pos" if i % 4 == 0 else "online_store"}))
        if i % 2:
            rows.append((f"{i}b", key, f"2026-0{1 + i % 6}-20 10:00", 2000.0, {"tags": ["gift"] if i % 3 else []}))
        if i % 5 == 0:
            rows.append((f"{i}c", key, "2026-05-15 10:00", 500.0))
    orders = make_orders(rows)
    items = make_line_items([(o, 1, "Umami - Dashi", "Umami", 1, 1.0) for o in orders["order_id"]])
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    with Store(tmp_path / "store.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=items, accounting=acc), files=["x.csv"])
    params = tmp_path / "t.yaml"
    params.write_text("shop: t\nname: Test shop\nstore: store.duckdb\nlanguage: en\nas_of: 2026-06-30\n"
                      "segments:\n  gifters: count(orders WHERE tags CONTAINS 'gift') >= 1\n", encoding="utf-8")
    return str(params)


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["segment", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_show_and_fields(shop: str, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "list", shop)
    assert code == 0 and "40 customers" in out and "gifters" in out and "loyal_active" in out
    code, out, _ = run(capsys, "show", shop, "gifters", "--sample", "3")
    assert code == 0 and "count(orders WHERE tags CONTAINS 'gift') >= 1" in out
    assert "@example.jp" not in out and "C-" in out  # members pseudonymised: the params do not allow e-mails
    code, out, err = run(capsys, "show", shop, "--condition", "first_order.channel = 'POS'")
    assert code == 0 and "did you mean 'pos'" in err
    code, out, _ = run(capsys, "fields")
    assert code == 0 and "products_purchased" in out and "CONTAINS ONLY" in out


def test_bad_input_exits_2(shop: str, capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "show", shop, "--condition", "order >= 2")
    assert code == 2 and "unknown field 'order'" in err and "'orders'" in err and "^" in err
    code, _, err = run(capsys, "show", shop, "gifter")
    assert code == 2 and "Did you mean 'gifters'" in err
    code, _, err = run(capsys, "freeze", shop, "x")
    assert code == 2 and "exactly one of --condition" in err
    code, _, err = run(capsys, "export", shop, "nope")
    assert code == 2 and "no list named 'nope'" in err


def test_freeze_import_combine_export_measure_delete(shop: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "freeze", shop, "camp", "--segment", "gifters", "--as-of", "2026-03-31",
                       "--control-share", "0.25", "--seed", "7")
    assert code == 0 and "held out as control" in out and "seed 7" in out
    code, _, err = run(capsys, "freeze", shop, "camp", "--condition", "orders >= 1")
    assert code == 2 and "already exists" in err
    unsub = tmp_path / "unsub.csv"
    unsub.write_bytes("メール\r\nc01@example.jp\r\nnobody@example.jp\r\n".encode("cp932"))
    code, out, err = run(capsys, "import", shop, "unsub", str(unsub), "--report", str(tmp_path / "rep.csv"))
    assert code == 0 and "1 matched" in out and "1 unmatched" in out and "nobody@example.jp" in err
    assert (tmp_path / "rep.csv").exists()
    code, out, _ = run(capsys, "combine", shop, "final", "difference", "camp", "unsub")
    assert code == 0 and "list 'final'" in out
    dest = tmp_path / "final.csv"
    code, out, err = run(capsys, "export", shop, "final", "--format", "shopify", "--tag", "spring_dm", "--out",
                         str(dest))
    assert code == 0 and dest.exists() and "replaces their tags" in err
    exported = pd.read_csv(dest, dtype=str).fillna("")
    assert set(exported["Tags"]) == {"spring_dm"} and "c01@example.jp" not in set(exported["Email"])
    code, out, _ = run(capsys, "measure", shop, "camp")
    assert code == 0 and "2026-04-01 to 2026-06-30" in out and "purchase_rate" in out
    code, out, _ = run(capsys, "list", shop)
    assert "camp" in out and "final" in out
    code, out, _ = run(capsys, "delete", shop, "unsub")
    assert code == 0 and "deleted list 'unsub'" in out
