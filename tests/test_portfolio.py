"""``ltv run --all`` on a real ``distributed.LocalCluster`` (no mocks): the same pages as one shop after another,
a failing shop, skip-if-unchanged and force, a worker killed mid-run, a timeout, and the portfolio page.

Tiny demo shops with only the RFM page, so the whole file runs in about a minute and a half."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from ltvlib import demo, report
from ltvlib.batch import ShopTask, dask_client, run_batch
from ltvlib.cli import main
from ltvlib.params import load_shop_params
from ltvlib.portfolio import PortfolioShop, write_portfolio

pytestmark = pytest.mark.slow
AS_OF = demo.DEMO_END


@pytest.fixture(scope="module")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three tiny demo shops (yen/ja, dollars/en, yen) and one whose store does not exist; params in shops/."""
    root = tmp_path_factory.mktemp("portfolio")
    files = demo.write_portfolio(3, root / "shops", root / "data", customers=120, notebooks=["rfm"])
    for f in files:
        assert main(["import", str(f)]) == 0
    broken = (root / "shops" / "pf-1.yaml").read_text(encoding="utf-8").replace("shop: pf-1", "shop: broken")
    broken = broken.replace("pf-1/store.duckdb", "nowhere/store.duckdb")
    (root / "shops" / "broken.yaml").write_text(broken, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2, dashboard_address=":0") as c:
        yield c


def _tasks(folder: Path, reports: Path, **kw) -> list[ShopTask]:
    out = []
    for f in sorted(folder.glob("*.yaml")):
        p = load_shop_params(f)
        out.append(ShopTask(p.shop, str(f), AS_OF, str(reports), **kw))
    return out


@pytest.fixture(scope="module")
def batch(shops: Path, client) -> dict:
    """One parallel batch of the four shops, and the same shops run one after another in this process."""
    lines: list[str] = []
    outcomes = run_batch(_tasks(shops / "shops", shops / "par"), client, echo=lines.append)
    for f in sorted((shops / "shops").glob("pf-*.yaml")):
        r = report.run_shop(load_shop_params(f), AS_OF, reports_root=shops / "seq")
        assert r.ok, r.error
    return {"outcomes": {o.shop: o for o in outcomes}, "lines": lines}


def _pages(folder: Path, root: Path) -> dict[str, str]:
    return {p.name: re.sub(r"\s+", " ", p.read_text(encoding="utf-8").replace(str(root), "ROOT"))
            for p in sorted(folder.iterdir()) if p.suffix in (".html", ".json") and p.name != "run.json"}


def test_parallel_run_equals_sequential(shops: Path, batch: dict) -> None:
    for shop in ("pf-1", "pf-2", "pf-3"):
        out = batch["outcomes"][shop]
        assert out.status == "ok" and out.attempts == 1, out
        par = _pages(shops / "par" / shop / AS_OF.isoformat(), shops / "par")
        seq = _pages(shops / "seq" / shop / AS_OF.isoformat(), shops / "seq")
        assert sorted(par) == ["index.html", "rfm.figures.json", "rfm.html"]
        assert par == seq, shop
    assert any(re.match(r"\[pf-2\] rfm: done in", m) for m in batch["lines"])  # progress from the workers
    assert any(re.match(r"\[4/4\] ", m) for m in batch["lines"])


def test_a_failing_shop_does_not_stop_the_others(batch: dict) -> None:
    out = batch["outcomes"]["broken"]
    # as `ltv run broken` alone: its page failed, and with no earlier report the incomplete one is published
    assert out.status == "partial" and "store does not exist" in out.error, out
    assert all(batch["outcomes"][s].status == "ok" for s in ("pf-1", "pf-2", "pf-3"))


def test_portfolio_page_shows_each_shops_own_figures(shops: Path, batch: dict) -> None:
    group = []
    for f in sorted((shops / "shops").glob("*.yaml")):
        p = load_shop_params(f)
        group.append(PortfolioShop(p.shop, p.name, p.currency, p.language, AS_OF, batch["outcomes"][p.shop].status))
    # pf-1's previous report (a week earlier) had 10 customers fewer; an older incomplete one is not "previous"
    today = shops / "par" / "pf-1" / AS_OF.isoformat()
    for days, complete in ((7, True), (3, False)):
        earlier = today.with_name((AS_OF - dt.timedelta(days=days)).isoformat())
        shutil.copytree(today, earlier)
        figs = json.loads((earlier / "rfm.figures.json").read_text(encoding="utf-8"))
        figs["key_figures"]["customers"]["value"] -= 10
        (earlier / "rfm.figures.json").write_text(json.dumps(figs), encoding="utf-8")
        run = json.loads((earlier / "run.json").read_text(encoding="utf-8"))
        (earlier / "run.json").write_text(json.dumps({**run, "complete": complete}), encoding="utf-8")
    [page] = write_portfolio(group, shops / "par")
    assert page == (shops / "par" / "_portfolio" / AS_OF.isoformat() / "index.html").resolve()
    data = json.loads((page.parent / "portfolio.json").read_text(encoding="utf-8"))
    rows = {r["shop"]: r for r in data["shops"]}
    actives = []
    for shop in ("pf-1", "pf-2", "pf-3"):
        own = report.read_figures(shops / "par" / shop / AS_OF.isoformat())["rfm"]["key_figures"]
        assert rows[shop]["figures"]["customers"] == own["customers"]["value"]
        assert rows[shop]["figures"]["active_share"] == own["active_share"]["value"]
        assert rows[shop]["figures"]["ltv_12"] is None  # the cohorts page was not run
        actives.append(own["active_share"]["value"])
    assert rows["pf-1"]["previous_as_of"] == "2026-06-23" and rows["pf-1"]["change"]["customers"] == 10
    assert rows["pf-2"]["previous_as_of"] is None and rows["pf-2"]["change"]["customers"] is None
    assert rows["broken"]["report"] is None and rows["broken"]["figures"]["customers"] is None
    actives.sort()
    assert data["quartiles"]["active_share"][""]["median"] == pytest.approx(actives[1])
    assert data["quartiles"]["active_share"][""]["n"] == 3
    index = page.read_text(encoding="utf-8")
    client_page = (page.parent / "client.html").read_text(encoding="utf-8")
    for shop in ("pf-1", "pf-2", "pf-3"):
        own = report.read_figures(shops / "par" / shop / AS_OF.isoformat())["rfm"]["key_figures"]
        assert f"{own['active_share']['value']:.1%}" in index and f"{own['active_share']['value']:.1%}" in client_page
        assert f'href="../../{shop}/{AS_OF.isoformat()}/index.html"' in index
        name = load_shop_params(shops / "shops" / f"{shop}.yaml").name
        assert name in index and name not in client_page and shop not in client_page
    assert "<small>+10</small>" in index and "<small>+10</small>" in client_page
    assert "Shop A" in client_page and "Shop D" in client_page
    assert "http" not in index and "<script" not in index  # offline, nothing fetched


def test_cli_skips_unchanged_shops_and_force_runs_them(shops: Path, batch: dict, client,
                                                       capsys: pytest.CaptureFixture) -> None:
    del batch  # the reports of the batch are there
    rc = main(["run", "--all", str(shops / "shops"), "--workers", "2", "--reports-dir", str(shops / "par")])
    out = capsys.readouterr().out
    assert rc == 1  # the broken shop
    for shop in ("pf-1", "pf-2", "pf-3"):
        assert re.search(rf"^{shop} +2026-06-30  skipped .* skipped \(unchanged\): ", out, re.M), out
    assert re.search(r"^broken +2026-06-30  partial ", out, re.M)
    assert "portfolio: " in out
    # a changed params file runs its shop again; --force runs an unchanged one
    p2 = shops / "shops" / "pf-2.yaml"
    p2.write_text(p2.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    tasks = [t for t in _tasks(shops / "shops", shops / "par") if t.shop in ("pf-2", "pf-3")]
    outs = {o.shop: o.status for o in run_batch(tasks, client, echo=lambda m: None)}
    assert outs == {"pf-2": "ok", "pf-3": "skipped"}
    tasks = [t for t in _tasks(shops / "shops", shops / "par", force=True) if t.shop == "pf-3"]
    assert [o.status for o in run_batch(tasks, client, echo=lambda m: None)] == ["ok"]


def test_a_worker_killed_mid_run_gets_its_shop_retried(shops: Path, client) -> None:
    reports = shops / "killed"
    tasks = [t for t in _tasks(shops / "shops", reports) if t.shop == "pf-1"]
    result: list = []
    runner = threading.Thread(target=lambda: result.extend(run_batch(tasks, client, echo=lambda m: None)))
    runner.start()
    shop_dir = reports / "pf-1"
    deadline = time.monotonic() + 60
    pid, kernels = None, []
    while time.monotonic() < deadline and not kernels:  # the run's hidden folder names its worker's pid
        found = [p for p in shop_dir.glob(".*.partial-*")] if shop_dir.is_dir() else []
        if found:
            pid = int(found[0].name.split("partial-")[1].split("-")[0])
            kernels = [k for k in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]
        time.sleep(0.1)
    assert pid and kernels, "the run never started a kernel"
    os.kill(pid, signal.SIGKILL)
    runner.join(180)
    [out] = result
    assert out.status == "ok" and out.attempts == 2, out
    assert json.loads((shop_dir / AS_OF.isoformat() / "run.json").read_text(encoding="utf-8"))["complete"]
    assert not list(shop_dir.glob(".*")), "the retried run removes what the killed one left"
    gone = psutil.wait_procs(kernels, timeout=20)[1]
    assert not gone, f"kernels of the killed worker still running: {gone}"


def test_a_shop_past_its_timeout_is_stopped_and_the_others_go_on(shops: Path, client) -> None:
    tasks = [t for t in _tasks(shops / "shops", shops / "timeout") if t.shop in ("pf-1", "pf-3")]
    before = set(client.scheduler_info()["workers"])
    outs = run_batch(tasks, client, timeout=1.5, echo=lambda m: None)
    assert [o.status for o in outs] == ["TIMEOUT", "TIMEOUT"]
    assert "--timeout 1.5 s" in outs[0].error
    assert not (shops / "timeout" / "pf-1" / AS_OF.isoformat()).exists()  # stopped, not left to finish
    deadline = time.monotonic() + 60  # the restarted workers come back and take the next shops
    while time.monotonic() < deadline:  # both ended (each ran one shop): wait for two new ones, not a dying one
        workers = set(client.scheduler_info()["workers"])
        if len(workers) >= 2 and workers.isdisjoint(before):
            break
        time.sleep(0.5)
    again = run_batch(tasks[:1], client, echo=lambda m: None)
    assert [o.status for o in again] == ["ok"]
