"""JupyterLab in a real browser (Debian's chromium, driven by Playwright), as an analyst uses it with `make lab`.

A small generated shop is imported; ``segments.ipynb`` is copied into a folder of its own with its ``shop``
parameter pointing at that shop, and JupyterLab is started on the folder (a free port, a token, no browser,
offline: no news, update check or extension manager fetching). The test opens the notebook, runs all cells
from the Run menu, types conditions into the segment builder and sees the count follow (no button press),
freezes them as a list (the kernel writes to the store for that moment only), then sees a parse error marked
in place. The browser makes no request beyond the local server.
Needs ``chromium`` (``.ci/run`` installs Debian's package when it is missing).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ltvlib import demo, report
from ltvlib.cli import main
from ltvlib.params import PROJECT_ROOT
from ltvlib.segments import lists
from ltvlib.store import Store

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:  # only where no browser can be had: .ci/run installs it
    pytest.skip("no chromium on this machine (Debian: apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: make install")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # no calls home: this machine's network is closed
SHOTS = PROJECT_ROOT / "reports" / "_browser" / "lab"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """JupyterLab on a folder holding segments.ipynb for a small shop: (base URL, token, the shop's store)."""
    root = tmp_path_factory.mktemp("lab")
    demo.write_shopify_export(root / "orders_export.csv", customers=300, seed=7)
    text = (PROJECT_ROOT / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
    params = root / "labshop.yaml"
    params.write_text(text.replace("shop: demo", "shop: labshop")
                      .replace("../../data/demo/store.duckdb", "store.duckdb")
                      .replace("../../data/demo/orders_export.csv", "orders_export.csv")
                      + "\nlanguage: en\n", encoding="utf-8")
    assert main(["import", str(params)]) == 0
    nb = json.loads((report.NOTEBOOKS_DIR / "segments.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    assert 'shop = "demo"' in source
    cell["source"] = source.replace('shop = "demo"', f"shop = {str(params)!r}")
    folder = root / "notebooks"
    folder.mkdir()
    (folder / "segments.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    news = root / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}', encoding="utf-8")  # and no prompt asking to fetch it
    report.ensure_kernel()
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.root_dir={folder}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--ServerApp.terminals_enabled=False",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log = (root / "lab.log").open("wb")
    server = subprocess.Popen(cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (root / "lab.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
            time.sleep(0.5)
        yield base, token, root / "store.duckdb"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _shown_count(page) -> int:
    return int(page.locator(".ltv-seg-count").get_attribute("data-customers"))


def test_segment_builder_counts_as_typed(lab) -> None:
    base, token, store = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    foreign: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else foreign.append(r.url))
            page.goto(f"{base}/lab/tree/segments.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function("() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))"
                                   ".some(e => e.textContent.includes('ltv-workbench') && e.textContent.includes('Idle'))",
                                   timeout=60_000)  # the notebook's kernel started and connected
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            box = page.locator(".widget-textarea textarea")
            box.wait_for(timeout=90_000)
            page.wait_for_selector(".ltv-seg-count", timeout=30_000)
            first = _shown_count(page)  # the builder's initial condition, orders >= 2
            box.scroll_into_view_if_needed()
            box.click()
            box.press("Control+a")
            box.press_sequentially("orders >= 1", delay=40)  # key by key, as typed
            page.wait_for_function(f"() => document.querySelector('.ltv-seg-count')?.dataset.customers != '{first}'",
                                   timeout=15_000)
            everyone = _shown_count(page)
            assert everyone > first > 0, (first, everyone)
            page.locator(".widget-text input").first.fill("lab_list")  # the list name
            page.get_by_role("button", name="Freeze as list").click()
            page.wait_for_function("() => document.body.innerText.includes('✔ lab_list')", timeout=15_000)
            page.screenshot(path=str(SHOTS / "segments-builder.png"))
            box.press("Control+a")
            box.press_sequentially("orders >= 1 AND", delay=40)
            page.wait_for_selector(".ltv-seg-error mark", timeout=15_000)
            assert page.locator(".ltv-seg-where").get_attribute("data-column") == "15"
            assert page.locator(".ltv-seg-count").count() == 0
            page.screenshot(path=str(SHOTS / "segments-builder-error.png"))
        except Exception:
            page.screenshot(path=str(SHOTS / "failed.png"), full_page=True)  # for the person reading the failure
            raise
        finally:
            browser.close()
    assert not foreign, f"requests beyond the local JupyterLab: {foreign[:5]}"
    with Store(store, timezone="Asia/Tokyo", read_only=True) as st:  # frozen from the lab, with a short write
        assert lists.info(st, "lab_list")["members"] == everyone
