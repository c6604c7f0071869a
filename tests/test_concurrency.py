"""Several processes on one store: writers wait for each other, readers wait for writers, no lock traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ltvlib.demo import write_shopify_export
from ltvlib.errors import LtvError
from ltvlib.store import Store, StoreBusy

TZ = "Asia/Tokyo"


def ltv(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ltvlib.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def contents(store: Path) -> tuple[int, int, float]:
    """Orders, line items and a checksum of net revenue (rounded to the yen)."""
    with Store(store, timezone=TZ, read_only=True) as st:
        o, li = st.counts()["orders"], st.counts()["line_items"]
        revenue = st.con.execute("SELECT round(sum(net_revenue), 0) FROM orders").fetchone()[0]
    return o, li, revenue


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "orders_export.csv"
    write_shopify_export(path, customers=300, seed=3)
    return path


def shop(tmp_path: Path, name: str = "conc") -> Path:
    params = tmp_path / f"{name}.yaml"
    params.write_text(f"shop: {name}\nname: Concurrency\ncurrency: JPY\ntimezone: {TZ}\nlanguage: en\n"
                      f"store: store.duckdb\nas_of: 2026-06-30\n", encoding="utf-8")
    return params


def test_three_imports_at_once_equal_one(export: Path, tmp_path: Path) -> None:
    (tmp_path / "ref").mkdir()
    ref = shop(tmp_path / "ref")
    one = ltv("import", str(ref), str(export), "--loader", "shopify")
    assert one.wait(timeout=300) == 0, one.stderr.read()
    expected = contents(tmp_path / "ref" / "store.duckdb")
    assert expected[0] > 300

    params = shop(tmp_path)
    procs = [ltv("import", str(params), str(export), "--loader", "shopify") for _ in range(3)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "Could not set lock" not in err
    assert contents(tmp_path / "store.duckdb") == expected
    with Store(tmp_path / "store.duckdb", timezone=TZ, read_only=True) as st:
        assert len(st.imports()) == 3  # each import ran, one after the other


def hold(store: Path, read_only: bool, seconds: float) -> subprocess.Popen:
    """A process holding ``store`` open for ``seconds``; returns once it has the store."""
    code = (f"import time\nfrom ltvlib.store import Store\n"
            f"with Store({str(store)!r}, timezone={TZ!r}, read_only={read_only}):\n"
            f"    print('open', flush=True)\n    time.sleep({seconds})\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "open"
    return p


def test_a_reader_waits_for_a_writer_and_says_so(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    store = tmp_path / "store.duckdb"
    Store(store, timezone=TZ).close()
    writer = hold(store, read_only=False, seconds=2)
    t0 = time.monotonic()
    with Store(store, timezone=TZ, read_only=True, shop="conc", lock_timeout=60) as st:
        assert st.counts() == {"orders": 0, "line_items": 0}
    waited = time.monotonic() - t0
    writer.wait(timeout=30)
    err = capfd.readouterr().err
    assert 0.5 < waited < 30
    assert err.count("waiting for an import of shop conc") == 1 and str(store) in err


def test_readers_share_and_a_writer_gives_up_in_one_paragraph(tmp_path: Path, capfd: pytest.CaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store.duckdb"
    Store(store, timezone=TZ).close()
    reader = hold(store, read_only=True, seconds=20)
    try:
        t0 = time.monotonic()
        with Store(store, timezone=TZ, read_only=True, lock_timeout=0):  # readers do not wait for readers
            pass
        assert time.monotonic() - t0 < 5
        monkeypatch.setenv("LTV_LOCK_TIMEOUT", "1.5")
        t0 = time.monotonic()
        with pytest.raises(StoreBusy) as e:
            Store(store, timezone=TZ, shop="conc")
        assert 1.4 < time.monotonic() - t0 < 10
        assert isinstance(e.value, LtvError) and str(store) in str(e.value) and "\n" not in str(e.value)
        assert f"PID {reader.pid}" in str(e.value) and "LTV_LOCK_TIMEOUT" in str(e.value)
        assert "waiting for another import or report of shop conc" in capfd.readouterr().err
        monkeypatch.setenv("LTV_LOCK_TIMEOUT", "soon")
        with pytest.raises(LtvError, match="LTV_LOCK_TIMEOUT"):
            Store(store, timezone=TZ)
    finally:
        reader.kill()
        reader.wait()


def test_cli_gives_up_with_exit_2(export: Path, tmp_path: Path) -> None:
    params = shop(tmp_path)
    Store(tmp_path / "store.duckdb", timezone=TZ).close()
    writer = hold(tmp_path / "store.duckdb", read_only=False, seconds=30)
    try:
        for args in (["import", str(params), str(export)], ["summary", str(params)]):
            p = ltv(*args, env={"LTV_LOCK_TIMEOUT": "1"})
            code, err = p.wait(timeout=300), p.stderr.read()
            assert code == 2, err
            assert "Traceback" not in err and "still in use by another process" in err
            assert "waiting for" in err and "shop conc" in err
    finally:
        writer.kill()
        writer.wait()
