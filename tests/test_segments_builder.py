"""The analyst's segment builder: preview of a typed condition, and the widget freezing a list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from conftest import make_line_items, make_orders

from ltvlib.segments import Segmenter, lists
from ltvlib.segments.builder import builder, preview
from ltvlib.store import Store

AS_OF = dt.date(2026, 6, 30)


def _seg(thresholds: dict) -> tuple[pd.DataFrame, Segmenter]:
    orders = make_orders([("1", "a@x.jp", "2026-01-01 10:00", 100.0), ("2", "a@x.jp", "2026-02-01 10:00", 300.0),
                          ("3", "b@x.jp", "2026-03-01 10:00", 50.0, {"channel": "pos"})])
    return orders, Segmenter(orders, None, {"pos": "channels CONTAINS 'pos'"}, thresholds)


def test_preview(thresholds: dict) -> None:
    _, seg = _seg(thresholds)
    p = preview(seg, "orders >= 2", AS_OF, secret=b"k" * 32, show_personal_data=False)
    assert p.error is None and p.customers == 1 and p.share == 0.5 and list(p.members) == ["a@x.jp"]
    assert p.metrics.loc["condition", "ltv"] == 400
    assert "a@x.jp" not in p.sample.to_string() and p.sample.index.name == "customer"  # pseudonymised
    shown = preview(seg, "orders >= 2", AS_OF, secret=b"k" * 32, show_personal_data=True)
    assert list(shown.sample.index) == ["a@x.jp"]
    bad = preview(seg, "orders >> 2", AS_OF, secret=b"k" * 32, show_personal_data=False)
    assert bad.error and "column 9" in bad.error
    warned = preview(seg, "segment('pos') AND first_order.channel = 'POS'", AS_OF, secret=b"k" * 32, show_personal_data=False)
    assert warned.customers == 0 and "did you mean 'pos'" in warned.warnings[0]


def test_builder_freezes_a_list(tmp_path: Path, thresholds: dict) -> None:
    orders, seg = _seg(thresholds)
    path = tmp_path / "s.duckdb"
    acc = pd.DataFrame({"source_file": ["x"], "reason": ["loaded"], "rows": [3], "orders": [3]})
    with Store(path, timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=make_line_items([]), accounting=acc), files=["x"])
    panel = builder(seg, AS_OF, store_path=path, timezone="Asia/Tokyo", show_personal_data=False,
                    language="ja", initial="orders >= 1")
    text, count = panel.children[1], panel.children[2]
    name, share = panel.children[4].children
    freeze = panel.children[5].children[2]
    text.value = "orders >= 2"
    count.click()
    name.value, share.value = "builder_list", 0.0
    freeze.click()
    with Store(path, timezone="Asia/Tokyo", read_only=True) as st:
        info = lists.info(st, "builder_list")
        assert info["members"] == 1 and info["source"] == {"condition": "orders >= 2"} and info["as_of"] == AS_OF
