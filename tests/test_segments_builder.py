"""The analyst's segment builder: preview of a typed condition, counting as typed (debounced), errors marked in
place, and freezing a list (a short write, refused while another process holds the store)."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.segments import Segmenter, lists
from ltvlib.segments import builder as builder_module
from ltvlib.segments.builder import Debounce, SegmentBuilder, preview
from ltvlib.store import Store

AS_OF = dt.date(2026, 6, 30)
SECRET = b"k" * 32


def _seg(thresholds: dict) -> tuple[pd.DataFrame, Segmenter]:
    orders = make_orders([("1", "a@x.jp", "2026-01-01 10:00", 100.0), ("2", "a@x.jp", "2026-02-01 10:00", 300.0),
                          ("3", "b@x.jp", "2026-03-01 10:00", 50.0, {"channel": "pos"})])
    return orders, Segmenter(orders, None, {"pos": "channels CONTAINS 'pos'"}, thresholds)


def _builder(seg: Segmenter, **kw) -> SegmentBuilder:
    return SegmentBuilder(seg, AS_OF, language="en", secret=SECRET, show_personal_data=False, **kw)


def _count(b: SegmentBuilder) -> int | None:
    """The count the panel shows (None when it shows none)."""
    value = b.count.value
    return int(value.split('data-customers="')[1].split('"')[0]) if "data-customers" in value else None


def test_preview(thresholds: dict) -> None:
    _, seg = _seg(thresholds)
    p = preview(seg, "orders >= 2", AS_OF, secret=SECRET, show_personal_data=False)
    assert p.error is None and p.customers == 1 and p.share == 0.5 and list(p.members) == ["a@x.jp"]
    assert p.metrics.loc["condition", "ltv"] == 400
    assert "a@x.jp" not in p.sample.to_string() and p.sample.index.name == "customer"  # pseudonymised
    shown = preview(seg, "orders >= 2", AS_OF, secret=SECRET, show_personal_data=True)
    assert list(shown.sample.index) == ["a@x.jp"]
    bad = preview(seg, "orders >> 2", AS_OF, secret=SECRET, show_personal_data=False)
    assert bad.error is not None and bad.error.position == 8 and "column 9" in str(bad.error)
    warned = preview(seg, "segment('pos') AND first_order.channel = 'POS'", AS_OF, secret=SECRET,
                     show_personal_data=False)
    assert warned.customers == 0 and "did you mean 'pos'" in warned.warnings[0]


def test_counts_once_per_pause_in_typing(thresholds: dict) -> None:
    """Every keystroke changes the value; the count follows once the debounce fires (flushed here)."""
    _, seg = _seg(thresholds)
    b = _builder(seg, initial="orders >= 1")
    assert _count(b) == 2 and len(b.details.outputs) == 3  # counted at once when shown: metrics, sample
    calls = []
    b.debounce.fn = lambda: (calls.append(b.text.value), b.show())
    for typed in ["orders >= ", "orders >= 2"]:
        b.text.value = typed
    assert _count(b) == 2 and b.debounce.pending and calls == []  # not yet: the pause has not come
    b.debounce.flush()
    assert calls == ["orders >= 2"] and _count(b) == 1 and b.error.value == ""
    b.debounce.flush()
    assert calls == ["orders >= 2"]  # nothing pending: no second count


def test_debounce_fires_after_the_pause_on_the_event_loop() -> None:
    """On a running loop (the kernel's), a burst of triggers calls once, ``delay`` after the last one."""
    calls: list[float] = []

    async def burst() -> None:
        d = Debounce(lambda: calls.append(loop.time()), delay=0.2)
        loop = asyncio.get_running_loop()
        for _ in range(3):
            d.trigger()
            await asyncio.sleep(0.05)
        last = loop.time() - 0.05
        assert calls == [] and d.pending
        await asyncio.sleep(0.4)
        assert len(calls) == 1 and calls[0] - last >= 0.19 and not d.pending

    asyncio.run(burst())


def test_builder_counts_on_the_event_loop(thresholds: dict) -> None:
    _, seg = _seg(thresholds)

    async def typing() -> None:
        b = _builder(seg, initial="orders >= 1", delay=0.05)
        b.text.value = "orders >= 2"
        assert _count(b) == 2
        await asyncio.sleep(0.3)
        assert _count(b) == 1

    asyncio.run(typing())


def test_parse_error_marked_in_place(thresholds: dict) -> None:
    _, seg = _seg(thresholds)
    b = _builder(seg)
    b.text.value = "orders >= 2 AND <b>"
    b.debounce.flush()
    assert b.count.value == "" and b.details.outputs == ()
    shown = b.error.value
    assert 'data-line="1" data-column="17"' in shown and "unexpected &#x27;&lt;&#x27;" in shown
    assert "orders &gt;= 2 AND <mark>&lt;</mark>b&gt;\n" + " " * 16 + "^" in shown  # escaped, caret under it
    assert "<b>" not in shown.replace("<b>unexpected", "")  # the condition's text never becomes markup
    b.text.value = "orders >= 2\nAND 顧客 = 1"
    b.debounce.flush()
    assert 'data-line="2" data-column="5"' in b.error.value and "AND <mark>顧</mark>客 = 1" in b.error.value
    b.text.value = "ordrs >= 2"
    b.debounce.flush()
    assert "<mark>ordrs</mark>" in b.error.value and "Did you mean &#x27;orders&#x27;?" in b.error.value
    b.text.value = "orders >= 2"
    b.debounce.flush()
    assert b.error.value == "" and _count(b) == 1


def _store(tmp_path: Path, orders: pd.DataFrame) -> Path:
    path = tmp_path / "s.duckdb"
    acc = pd.DataFrame({"source_file": ["x"], "reason": ["loaded"], "rows": [3], "orders": [3]})
    with Store(path, timezone="Asia/Tokyo") as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=make_line_items([]), accounting=acc), files=["x"])
    return path


def test_builder_freezes_a_list(tmp_path: Path, thresholds: dict) -> None:
    orders, seg = _seg(thresholds)
    assert not hasattr(_builder(seg), "freeze")  # without a store to write to: no freeze form
    path = _store(tmp_path, orders)
    b = SegmentBuilder(seg, AS_OF, language="ja", secret=SECRET, show_personal_data=False, store_path=path,
                       timezone="Asia/Tokyo", initial="orders >= 1")
    b.text.value = "orders >= 2"  # typed, not yet counted: the freeze takes the text as it is now
    b.name.value, b.share.value = "builder_list", 0.0
    b.freeze.click()
    assert "builder_list" in b.frozen.value and _count(b) == 1
    with Store(path, timezone="Asia/Tokyo", read_only=True) as st:
        info = lists.info(st, "builder_list")
        assert info["members"] == 1 and info["source"] == {"condition": "orders >= 2"} and info["as_of"] == AS_OF
    b.text.value = "segment('builder_list')"  # the new list is usable at once
    b.debounce.flush()
    assert _count(b) == 1
    b.freeze.click()  # the same name again, without overwrite: refused, said in the panel
    assert "ltv-seg-error" in b.frozen.value and "builder_list" in b.frozen.value


def test_freeze_while_another_process_holds_the_store(tmp_path: Path, thresholds: dict,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    orders, seg = _seg(thresholds)
    path = _store(tmp_path, orders)
    monkeypatch.setattr(builder_module, "FREEZE_WAIT", 0.3)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ok', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        b = SegmentBuilder(seg, AS_OF, language="en", secret=SECRET, show_personal_data=False, store_path=path,
                           timezone="Asia/Tokyo")
        b.name.value = "busy"
        b.freeze.click()
        assert "still in use by another process" in b.frozen.value
    finally:
        holder.kill()
        holder.wait()
    with Store(path, timezone="Asia/Tokyo", read_only=True) as st:
        assert not lists.exists(st, "busy")
