"""SIGINT / SIGTERM / SIGKILL during `ltv import` and `ltv run`: clean exits, intact store and reports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ltvlib.demo import write_shopify_export
from ltvlib.report import remove_stale
from ltvlib.store import Store

TZ = "Asia/Tokyo"
AS_OF = "2026-06-30"
EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


def ltv(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ltvlib.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def counts(store: Path) -> dict[str, int]:
    with Store(store, timezone=TZ, read_only=True) as st:
        return st.counts()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    write_shopify_export(folder / "small.csv", customers=300, seed=3)
    write_shopify_export(folder / "big.csv", customers=6000, seed=5)
    return {"small": folder / "small.csv", "big": folder / "big.csv"}


@pytest.fixture(scope="module")
def base(exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A shop with the small export imported, and the counts the big export on top would give."""
    folder = tmp_path_factory.mktemp("base")
    params = write_params(folder)
    for export in ("small", "big"):
        p = ltv("import", str(params), str(exports[export]), "--loader", "shopify")
        assert p.wait(timeout=600) == 0, p.stderr.read()
        if export == "small":
            before = counts(folder / "store.duckdb")
            shutil.copy(folder / "store.duckdb", folder / "small.duckdb")
    return {"small": folder / "small.duckdb", "before": before, "after": counts(folder / "store.duckdb")}


def write_params(folder: Path) -> Path:
    params = folder / "intr.yaml"
    params.write_text(f"shop: intr\nname: Interrupts\ncurrency: JPY\ntimezone: {TZ}\nlanguage: en\n"
                      f"store: store.duckdb\nas_of: {AS_OF}\nreport:\n  notebooks: [rfm, cohorts]\n  jobs: 1\n",
                      encoding="utf-8")  # two pages one after the other: a run still going when it is hit
    return params


def has_open(p: subprocess.Popen, path: Path) -> bool:
    """Wait until process ``p`` has ``path`` open (True) or has ended (False); Linux /proc."""
    while p.poll() is None:
        try:
            fds = [os.readlink(f) for f in Path(f"/proc/{p.pid}/fd").iterdir()]
        except OSError:  # an fd closed while listing
            continue
        if str(path) in fds:
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
@pytest.mark.parametrize("point", ["reading the export", "writing the store"])
def test_import_interrupted_leaves_the_store_whole(point: str, sig, exports, base, tmp_path: Path) -> None:
    params = write_params(tmp_path)
    store = tmp_path / "store.duckdb"
    for _attempt in range(5):  # the store is open for a moment only: try again if the import was quicker
        shutil.copy(base["small"], store)
        p = ltv("import", str(params), str(exports["big"]), "--loader", "shopify")
        hit = has_open(p, exports["big"] if point == "reading the export" else store)
        p.send_signal(sig)
        out, err = p.communicate(timeout=300)
        if hit:
            break
    assert hit, f"the import never had {point} open"
    assert p.returncode == EXIT[sig], err
    assert "Traceback" not in err and f"interrupted ({sig.name})" in err and "now " not in out
    # all or nothing: the store holds the earlier import, or (signal after the commit) both
    expected = [base["before"]] if point == "reading the export" else [base["before"], base["after"]]
    assert counts(store) in expected


def earlier_report(reports: Path) -> Path:
    folder = reports / "intr" / AS_OF
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<html>earlier report</html>", encoding="utf-8")
    (folder / "run.json").write_text(json.dumps({"complete": True}), encoding="utf-8")
    return folder


def start_run(params: Path, reports: Path) -> subprocess.Popen:
    """`ltv run` of two pages; returns once its first notebook is running (kernel started for a while)."""
    p = ltv("run", str(params), "--reports-dir", str(reports))
    assert ": running" in p.stdout.readline()
    time.sleep(3)
    assert p.poll() is None
    return p


def leftovers(reports: Path) -> list[str]:
    return sorted(p.name for p in (reports / "intr").iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_run_interrupted_during_a_notebook(sig, base, tmp_path: Path) -> None:
    params = write_params(tmp_path)
    shutil.copy(base["small"], tmp_path / "store.duckdb")
    reports = tmp_path / "reports"
    earlier = earlier_report(reports)
    p = start_run(params, reports)
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    assert p.returncode == EXIT[sig], err
    assert "Traceback" not in err and f"interrupted ({sig.name})" in err
    assert (earlier / "index.html").read_text(encoding="utf-8") == "<html>earlier report</html>"
    assert leftovers(reports) == []  # the run's partial folder went with it
    assert counts(tmp_path / "store.duckdb") == base["before"]


def test_next_run_removes_what_a_killed_run_left(base, tmp_path: Path) -> None:
    params = write_params(tmp_path)
    shutil.copy(base["small"], tmp_path / "store.duckdb")
    reports = tmp_path / "reports"
    earlier = earlier_report(reports)
    p = start_run(params, reports)
    p.kill()  # no chance to clean up
    p.communicate(timeout=60)
    stale = leftovers(reports)
    assert len(stale) == 1 and stale[0].startswith(f".{AS_OF}.partial-{p.pid}-")
    assert (earlier / "index.html").read_text(encoding="utf-8") == "<html>earlier report</html>"
    again = ltv("run", str(params), "--reports-dir", str(reports))
    out, err = again.communicate(timeout=900)
    assert again.returncode == 0, err
    assert f"removed what an interrupted run left: {stale[0]}" in out
    assert leftovers(reports) == [] and "earlier report" not in (earlier / "index.html").read_text(encoding="utf-8")
    assert counts(tmp_path / "store.duckdb") == base["before"]


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_remove_stale_keeps_live_runs_and_puts_back_a_report(tmp_path: Path) -> None:
    dead, live = dead_pid(), os.getppid()
    for name in (f".{AS_OF}.partial-{dead}-ab12", f".{AS_OF}.partial-{live}-cd34", f".{AS_OF}.partial-{os.getpid()}-x",
                 f".2026-05-31.old-{dead}", f".2026-04-30.old-{dead}", "2026-04-30", ".2026-03-31.partial-legacy1"):
        (tmp_path / name).mkdir()
    (tmp_path / f".2026-05-31.old-{dead}" / "index.html").write_text("may", encoding="utf-8")
    done = remove_stale(tmp_path)
    assert sorted(p.name for p in done) == sorted([f".{AS_OF}.partial-{dead}-ab12", f".2026-05-31.old-{dead}",
                                                   f".2026-04-30.old-{dead}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([
        f".{AS_OF}.partial-{live}-cd34", f".{AS_OF}.partial-{os.getpid()}-x", ".2026-03-31.partial-legacy1",
        "2026-04-30", "2026-05-31"])
    assert (tmp_path / "2026-05-31" / "index.html").read_text(encoding="utf-8") == "may"  # put back
    old = time.time() - 2 * 24 * 3600
    os.utime(tmp_path / ".2026-03-31.partial-legacy1", (old, old))  # from before run folders carried a pid
    assert [p.name for p in remove_stale(tmp_path)] == [".2026-03-31.partial-legacy1"]
