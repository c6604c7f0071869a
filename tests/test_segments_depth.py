"""Deeply nested conditions: a clear error before the parser recurses, through the library and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.cli import main
from ltvlib.errors import LtvError
from ltvlib.segments import Segmenter, SegmentError, compile_condition, library, parse
from ltvlib.segments.language import MAX_DEPTH, ConditionTooDeep
from ltvlib.store import Store

BASE = "orders >= 2"


def nots(n: int) -> str:
    return "NOT " * n + BASE


def nested_and(n: int) -> str:
    return "(orders >= 1 AND " * n + BASE + ")" * n


def parens(n: int) -> str:
    return "(" * n + BASE + ")" * n


def not_parens(n: int) -> str:
    return "NOT (" * n + BASE + ")" * n


DEEP = [nots, nested_and, parens, not_parens]


@pytest.mark.parametrize("levels", [1_000, 10_000])
@pytest.mark.parametrize("form", DEEP, ids=lambda f: f.__name__)
def test_deep_conditions_raise_a_clear_error(form, levels: int) -> None:
    with pytest.raises(ConditionTooDeep) as e:
        parse(form(levels))
    assert isinstance(e.value, SegmentError) and isinstance(e.value, LtvError)
    assert f"limit is {MAX_DEPTH} levels" in str(e.value)
    assert len(str(e.value)) < 600  # one paragraph, not the 10,000-level condition echoed back
    with pytest.raises(ConditionTooDeep):
        compile_condition(form(levels))


def test_library_names_the_segment() -> None:
    with pytest.raises(ConditionTooDeep) as e:
        library({"fine": BASE, "deep": nots(1_000)})
    assert "segment 'deep'" in str(e.value) and f"{MAX_DEPTH} levels" in str(e.value)


def _orders() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [(f"{i}{j}", f"c{i}", f"2026-0{1 + j}-1{i % 9} 10:00", 100.0 * (i + 1)) for i in range(12) for j in
            range(1 + i % 3)]
    orders = make_orders(rows)
    return orders, make_line_items([(o, 1, "Tea", "Tea", 1, 1.0) for o in orders["order_id"]])


@pytest.mark.parametrize("form", DEEP, ids=lambda f: f.__name__)
def test_nesting_at_the_limit_still_evaluates(form, thresholds: dict) -> None:
    orders, items = _orders()
    seg = Segmenter(orders, items, {}, thresholds)
    levels = MAX_DEPTH // 2 if form is not_parens else MAX_DEPTH  # NOT ( counts two levels
    deep = seg.evaluate(form(levels), "2026-06-30")
    flat = seg.evaluate(BASE, "2026-06-30")
    negated = form in (nots, not_parens) and levels % 2 == 1
    expected = ~flat.to_numpy() if negated else flat.to_numpy()
    assert 0 < flat.sum() < len(flat) and np.array_equal(deep.to_numpy(), expected)
    with pytest.raises(ConditionTooDeep):
        seg.evaluate(form(levels + 1), "2026-06-30")


def test_what_does_not_count_as_nesting() -> None:
    # long flat conditions, NOT in quoted text and NOT IN / IS NOT NULL are not nesting
    parse(" AND ".join(["NOT orders >= 1"] * 3_000))
    parse(" OR ".join(["(orders >= 1 AND tags NOT CONTAINS 'x')"] * 3_000))
    parse("tags CONTAINS '" + "NOT ( " * 500 + "'")
    parse("first_order.channel NOT IN ('a', 'b') AND first_order.channel IS NOT NULL")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    orders, items = _orders()
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    with Store(tmp_path / "store.duckdb", timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=items, accounting=acc), files=["x.csv"])
    params = tmp_path / "t.yaml"
    params.write_text("shop: t\nname: Test shop\nstore: store.duckdb\nlanguage: en\nas_of: 2026-06-30\n"
                      f"segments:\n  too_deep: \"{nots(1_000)}\"\n", encoding="utf-8")
    return params


def test_cli_segment_commands_exit_2(shop: Path, capsys: pytest.CaptureFixture) -> None:
    for args in (["list", str(shop)], ["show", str(shop), "too_deep"]):
        assert main(["segment", *args]) == 2
        err = capsys.readouterr().err
        assert "segment 'too_deep'" in err and f"limit is {MAX_DEPTH} levels" in err and "Traceback" not in err
    shop.write_text(shop.read_text(encoding="utf-8").split("segments:")[0], encoding="utf-8")
    assert main(["segment", "show", str(shop), "--condition", parens(10_000)]) == 2
    err = capsys.readouterr().err
    assert f"limit is {MAX_DEPTH} levels" in err and "Traceback" not in err


def test_cli_in_a_real_process(shop: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "ltvlib.cli", "segment", "show", str(shop), "too_deep"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "segment 'too_deep'" in p.stderr and "Traceback" not in p.stderr and "RecursionError" not in p.stderr
