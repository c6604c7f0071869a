"""List segments in the shop store: freeze, load, combine, import from CSV, control groups, transactions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_line_items, make_orders

from ltvlib.io.csvout import write_csv
from ltvlib.segments import Segmenter, lists
from ltvlib.segments.exports import email_csv
from ltvlib.store import Store

TZ = "Asia/Tokyo"
AS_OF = dt.date(2026, 6, 30)


def _orders() -> pd.DataFrame:
    rows = [(str(i), f"c{i:02d}@example.jp", f"2026-0{1 + i % 6}-1{i % 9} 10:00", 1000.0 + i) for i in range(20)]
    rows.append(("90", "9001", "2026-03-01 10:00", 500.0, {"email": "id.keyed@example.jp"}))  # a Shopify id key
    return make_orders(rows)


@pytest.fixture
def store(tmp_path: Path):
    orders = _orders()
    items = make_line_items([(o, 1, "P", "L", 1, 1.0) for o in orders["order_id"]])
    acc = pd.DataFrame({"source_file": ["x.csv"], "reason": ["loaded"], "rows": [len(items)], "orders": [len(orders)]})
    with Store(tmp_path / "s.duckdb", timezone=TZ) as st:
        st.upsert(SimpleNamespace(orders=orders, line_items=items, accounting=acc), files=["x.csv"])
        yield st


CREATED = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone.utc)


def test_freeze_load_info_catalog_delete(store: Store) -> None:
    info = lists.freeze(store, "vip", pd.Index(["c03@example.jp", "c01@example.jp", "c01@example.jp"]),
                        description="VIPs", how="condition", source={"condition": "orders >= 5"}, created_at=CREATED)
    assert info["members"] == 2 and info["control_members"] == 0 and info["how"] == "condition"
    assert info["as_of"] == dt.date(2026, 7, 1) and info["created_at"] == dt.datetime(2026, 7, 1, 9, 0)
    assert info["source"] == {"condition": "orders >= 5"}
    m = lists.load(store, "vip")
    assert list(m.columns) == ["customer_key", "group"]
    assert m["customer_key"].tolist() == ["c01@example.jp", "c03@example.jp"] and set(m["group"]) == {"target"}
    assert lists.catalog(store)["name"].tolist() == ["vip"]
    assert lists.all_members(store)["vip"].tolist() == ["c01@example.jp", "c03@example.jp"]
    assert lists.delete(store, "vip") == 2
    assert not lists.exists(store, "vip") and lists.catalog(store).empty
    with pytest.raises(lists.ListError, match="no list named 'vip'"):
        lists.load(store, "vip")


def test_names_are_unique_and_overwrite_is_explicit(store: Store) -> None:
    lists.freeze(store, "a", ["c01@example.jp"], description="", how="t")
    with pytest.raises(lists.ListError, match="already exists.*overwrite"):
        lists.freeze(store, "a", ["c02@example.jp"], description="", how="t")
    assert lists.load(store, "a")["customer_key"].tolist() == ["c01@example.jp"]  # untouched
    lists.freeze(store, "a", ["c02@example.jp"], description="", how="t", overwrite=True)
    assert lists.load(store, "a")["customer_key"].tolist() == ["c02@example.jp"]
    with pytest.raises(lists.ListError, match="Did you mean 'a'"):
        lists.info(store, "A ")
    for bad in ["", " a", "a\n"]:
        with pytest.raises(lists.ListError, match="invalid list name"):
            lists.freeze(store, bad, ["x"], description="", how="t")
    with pytest.raises(lists.ListError, match="no customer key"):
        lists.freeze(store, "b", pd.Index(["x", None]), description="", how="t")


def test_read_only_store_cannot_freeze(store: Store, tmp_path: Path) -> None:
    lists.freeze(store, "a", ["c01@example.jp"], description="", how="t")
    store.close()
    with Store(tmp_path / "s.duckdb", timezone=TZ, read_only=True) as ro:
        assert lists.load(ro, "a")["customer_key"].tolist() == ["c01@example.jp"]
        with pytest.raises(lists.ListError, match="read_only=False"):
            lists.freeze(ro, "b", ["x"], description="", how="t")


def test_failed_write_rolls_back(store: Store) -> None:
    lists.freeze(store, "a", ["c01@example.jp"], description="old", how="t")

    class FailingInsert:  # the connection, but inserting members fails mid-transaction
        def __init__(self, con):
            self._con = con

        def __getattr__(self, name):
            return getattr(self._con, name)

        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO segment_list_members"):
                raise RuntimeError("disk full")
            return self._con.execute(sql, *args)

    real = store.con
    store.con = FailingInsert(real)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            lists.freeze(store, "a", ["c02@example.jp"], description="new", how="t", overwrite=True)
    finally:
        store.con = real
    assert lists.load(store, "a")["customer_key"].tolist() == ["c01@example.jp"]  # the old list is intact
    assert lists.info(store, "a")["description"] == "old"


def test_control_group_is_seeded_recorded_and_reproducible(store: Store) -> None:
    keys = [f"k{i:03d}" for i in range(200)]
    a = lists.freeze(store, "a", keys, description="", how="t", control_share=0.1, seed=11)
    assert a["control_members"] == 20 and a["seed"] == 11 and a["control_share"] == 0.1
    b = lists.freeze(store, "b", list(reversed(keys)), description="", how="t", control_share=0.1, seed=11)
    ga, gb = lists.load(store, "a"), lists.load(store, "b")
    pd.testing.assert_frame_equal(ga, gb)  # member order does not matter
    c = lists.freeze(store, "c", keys, description="", how="t", control_share=0.1, seed=12)
    gc = lists.load(store, "c")
    assert set(ga.loc[ga.group == "control", "customer_key"]) != set(gc.loc[gc.group == "control", "customer_key"])
    d = lists.freeze(store, "d", keys, description="", how="t", control_share=0.25)  # seed drawn and recorded
    assert d["seed"] is not None and d["control_members"] == 50
    lists.freeze(store, "e", keys, description="", how="t", control_share=0.25, seed=d["seed"])
    pd.testing.assert_frame_equal(lists.load(store, "d"), lists.load(store, "e"))
    assert b["members"] == c["members"] == 200
    for bad in (-0.1, 1.0):
        with pytest.raises(lists.ListError, match="control_share"):
            lists.freeze(store, "f", keys, description="", how="t", control_share=bad)


def test_combine(store: Store) -> None:
    lists.freeze(store, "camp", [f"c{i:02d}@example.jp" for i in range(10)], description="", how="t",
                 control_share=0.2, seed=1, as_of=dt.date(2026, 3, 31))
    lists.freeze(store, "unsub", ["c01@example.jp", "c02@example.jp", "zz"], description="", how="import",
                 as_of=dt.date(2026, 5, 1))
    lists.freeze(store, "more", ["c02@example.jp", "c15@example.jp"], description="", how="t")
    diff = lists.combine(store, "final", "difference", ["camp", "unsub"])
    assert diff["members"] == 8 and diff["how"] == "combine" and diff["source"] == {"op": "difference",
                                                                                     "inputs": ["camp", "unsub"]}
    assert diff["as_of"] == dt.date(2026, 3, 31) and diff["description"] == "camp − unsub"
    camp, final = lists.load(store, "camp").set_index("customer_key"), lists.load(store, "final")
    # the campaign's control group survives the subtraction
    assert (final.set_index("customer_key")["group"] == camp["group"].reindex(final["customer_key"])).all()
    assert diff["seed"] == 1
    inter = lists.combine(store, "both", "intersection", ["camp", "unsub", "more"])
    assert lists.load(store, "both")["customer_key"].tolist() == ["c02@example.jp"]
    assert inter["members"] == 1
    union = lists.combine(store, "all", "union", ["unsub", "more"], control_share=0.5, seed=3)
    assert union["members"] == 4 and union["control_members"] == 2 and union["as_of"] == max(
        lists.info(store, "unsub")["as_of"], lists.info(store, "more")["as_of"])
    with pytest.raises(lists.ListError, match="did you mean 'union'"):
        lists.combine(store, "x", "unon", ["camp", "unsub"])
    with pytest.raises(lists.ListError, match="two or more"):
        lists.combine(store, "x", "difference", ["camp"])


def test_freeze_condition_and_segment(store: Store, thresholds: dict) -> None:
    orders = store.orders()
    seg = Segmenter(orders, store.line_items(), {"big": {"condition": "net_revenue >= 1015", "en": "Big"}}, thresholds)
    a = lists.freeze_condition(store, "cond", seg, "net_revenue >= 1015", AS_OF, control_share=0.2, seed=5)
    assert a["members"] == 5 and a["how"] == "condition" and a["source"] == {"condition": "net_revenue >= 1015"}
    assert a["as_of"] == AS_OF and a["control_members"] == 1
    b = lists.freeze_segment(store, "seg", seg, "big", AS_OF)
    assert b["source"] == {"segment": "big", "condition": "net_revenue >= 1015"} and b["description"] == "Big"
    assert lists.load(store, "seg")["customer_key"].tolist() == lists.load(store, "cond")["customer_key"].tolist()


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_import_csv_reports_every_row(store: Store, tmp_path: Path, encoding: str) -> None:
    text = ("メールアドレス,名前\r\n C01@Example.JP ,太郎\r\nnobody@example.jp,花子\r\nc01@example.jp,重複\r\n"
            ",空\r\nc02@example.jp,次郎\r\nid.keyed@example.jp,ID\r\n")
    path = _write(tmp_path / "unsub.csv", text, encoding)
    rep = lists.import_csv(store, "unsub", path)
    assert rep.column == "メールアドレス" and rep.kind == "email"
    assert rep.encoding == encoding
    assert rep.rows["status"].tolist() == ["matched", "unmatched", "duplicate", "blank", "matched", "matched"]
    assert rep.rows["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert rep.counts() == {"matched": 3, "duplicate": 1, "unmatched": 1, "blank": 1}
    assert rep.list["members"] == 3 and rep.list["how"] == "import"
    assert sorted(lists.load(store, "unsub")["customer_key"]) == ["9001", "c01@example.jp", "c02@example.jp"]
    assert rep.list["source"]["unmatched"] == 1


def test_import_ids_headerless_and_errors(store: Store, tmp_path: Path) -> None:
    ids = _write(tmp_path / "ids.csv", "Customer ID,Email\n'9001,\n9002,\n", "utf-8")
    rep = lists.import_csv(store, "ids", ids)
    assert rep.kind == "id" and rep.rows["status"].tolist() == ["matched", "unmatched"]
    bare = _write(tmp_path / "bare.csv", "c05@example.jp\nc06@example.jp\n", "utf-8")
    rep = lists.import_csv(store, "bare", bare)
    assert rep.rows["row"].tolist() == [1, 2] and rep.counts()["matched"] == 2  # no header: first line is data
    dry = lists.import_csv(store, "dry", bare, dry_run=True)
    assert dry.list is None and not lists.exists(store, "dry")
    other = _write(tmp_path / "o.csv", "name,note\nx,y\n", "utf-8")
    with pytest.raises(lists.ListError, match="no e-mail or customer id column"):
        lists.import_csv(store, "o", other)
    with pytest.raises(lists.ListError, match="did you mean 'note'"):
        lists.import_csv(store, "o", other, column="notes")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_round_trip(store: Store, tmp_path: Path, encoding: str) -> None:
    keys = [f"c{i:02d}@example.jp" for i in range(0, 20, 3)]
    lists.freeze(store, "camp", keys, description="", how="t")
    out = email_csv(lists.load(store, "camp"), lists.customer_emails(store))
    path = tmp_path / "camp.csv"
    write_csv(out.frame.assign(メモ="春のDM"), path, encoding=encoding)  # non-ASCII, so the encoding shows
    rep = lists.import_csv(store, "back", path)
    assert rep.encoding == encoding and rep.counts()["matched"] == len(keys)
    assert lists.load(store, "back")["customer_key"].tolist() == keys
