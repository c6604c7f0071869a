"""The demo report opened in a real browser (Debian's chromium, driven by Playwright), as a client would.

For each page of the report, in Japanese for the client audience and in English for the analyst audience:
no console error, no network request (reports are self-contained and open offline), the page's language
and title, every navigation link resolving to a page of the report, every chart drawn at a sane size, every
page under 2.5 MB; plotly's toolbar without cloud, lasso or select buttons, the Sankey's nodes inside its plot
and a click on a Sankey link listing its movers in the page.
Screenshots go to ``reports/_browser/<language>-<audience>/`` of the project for a person to look at.
Needs ``chromium`` (``.ci/run`` installs Debian's package when it is missing).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ltvlib import demo, report
from ltvlib.cli import main
from ltvlib.params import PROJECT_ROOT, load_shop_params

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:  # only where no browser can be had: .ci/run installs it
    pytest.skip("no chromium on this machine (Debian: apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: make install")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # no calls home: this machine's network is closed
SHOTS = PROJECT_ROOT / "reports" / "_browser"
MAX_PAGE_BYTES = 2_500_000
CASES = [("ja", "client"), ("en", "analyst")]
IDENTIFIERS = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:clv|winback|thresholds|report|cohorts)\.[a-z_]+|\bltv [a-z]+")
FILE_NAMES = re.compile(r"[\w./-]+\.csv\b")  # exported files are named as they are on disk


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The demo shop (smaller) reported in both cases: (language, audience) -> report folder."""
    root = tmp_path_factory.mktemp("browser")
    demo.write_shopify_export(root / "orders_export.csv", customers=800, seed=7)
    text = (PROJECT_ROOT / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
    out = {}
    for lang, audience in CASES:
        p = root / f"demo-{lang}.yaml"
        p.write_text(text.replace("shop: demo", f"shop: demo-{lang}")
                     .replace("../../data/demo/store.duckdb", f"store-{lang}.duckdb")
                     .replace("../../data/demo/orders_export.csv", "orders_export.csv")
                     + f"\nlanguage: {lang}\n", encoding="utf-8")
        assert main(["import", str(p)]) == 0
        params = load_shop_params(p)
        run = report.run_shop(params, params.report_date(), audience=audience, reports_root=root / "reports")
        assert run.ok, run.failed
        out[(lang, audience)] = run.report_dir
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


CHARTS = """() => {
  const sizes = [];
  for (const div of document.querySelectorAll('.plotly-graph-div')) {
    const svg = div.querySelector('svg.main-svg');
    const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    sizes.push(['plotly', r.width, r.height]);
  }
  for (const img of document.querySelectorAll('.jp-OutputArea-output img, .output img')) {
    sizes.push(['image', img.complete ? img.naturalWidth : 0, img.complete ? img.naturalHeight : 0]);
  }
  return sizes;
}"""


PLOTLY = """() => {
  const out = [];
  for (const div of document.querySelectorAll('.plotly-graph-div')) {
    const plot = div.querySelector('svg.main-svg').getBoundingClientRect();
    const nodes = Array.from(div.querySelectorAll('.sankey-node rect')).map(r => {
      const b = r.getBoundingClientRect(); return [b.top - plot.top, b.bottom - plot.top, b.left - plot.left,
                                                   b.right - plot.left]; });
    out.push({titles: Array.from(div.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title')),
              height: plot.height, width: plot.width, nodes: nodes, links: div.querySelectorAll('.sankey-link').length});
  }
  return out;
}"""


def _plotly_checks(page, name: str) -> None:
    """Toolbar fit for clients, Sankey nodes inside the plot, a click on a link listing its movers."""
    page.wait_for_function("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                           ".every(d => d.querySelector('svg.main-svg'))", timeout=20_000)  # all drawn
    charts = page.evaluate(PLOTLY)
    banned = {"Lasso Select", "Box Select", "Edit in Chart Studio", "投げ縄選択", "矩形選択", "Chart Studioで編集"}
    for chart in charts:
        assert not banned & set(chart["titles"]), f"{name}: plotly toolbar offers {chart['titles']}"
        for top, bottom, left, right in chart["nodes"]:
            assert top >= -1 and bottom <= chart["height"] + 1 and left >= -1 and right <= chart["width"] + 1, \
                f"{name}: a Sankey node at {top:.0f}-{bottom:.0f} px outside its plot of {chart['height']:.0f} px"
    sankeys = [c for c in charts if c["links"]]
    if not sankeys:
        return
    assert page.locator(".ltv-movers-table").count() == 0
    page.locator(".sankey-link").first.click(force=True)
    page.wait_for_selector(".ltv-movers-table tbody tr", timeout=5_000)
    assert page.locator(".ltv-movers-table tbody tr").count() >= 1, f"{name}: a click on a link shows no movers"
    assert page.locator(".ltv-movers-out a[download]").first.get_attribute("href").startswith("exports/")
    page.locator("table.ltv-flows tr[data-flow]").nth(1).click()  # a row of the flows table
    page.wait_for_timeout(200)
    row = page.locator("table.ltv-flows tr[data-flow]").nth(1).get_attribute("data-flow")
    assert page.locator(f'.ltv-movers-out a[href="{row}"]').count() == 1, f"{name}: a click on a row shows nothing"


@pytest.mark.parametrize("lang,audience", CASES)
def test_every_page_opens_offline_and_draws(reports, browser, lang: str, audience: str) -> None:
    folder = reports[(lang, audience)]
    pages = ["index.html"] + [f"{nb}.html" for nb in load_shop_params(PROJECT_ROOT / "params" / "shops" / "demo.yaml")
                              .report["notebooks"]]
    shots = SHOTS / f"{lang}-{audience}"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    sizes = {name: (folder / name).stat().st_size for name in pages}
    (shots / "sizes.txt").write_text("".join(f"{n}\t{b:,}\n" for n, b in sizes.items()), encoding="utf-8")
    assert max(sizes.values()) < MAX_PAGE_BYTES, f"pages over {MAX_PAGE_BYTES:,} bytes: {sizes}"
    for name in pages:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        fetched: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("request", lambda r, fetched=fetched: fetched.append(r.url)
                if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
        page.goto((folder / name).as_uri(), wait_until="load")
        page.wait_for_timeout(500)  # plotly draws after load
        _plotly_checks(page, name)
        page.screenshot(path=str(shots / f"{Path(name).stem}.png"), full_page=True)
        assert errors == [], f"{name}: console errors {errors[:3]}"
        assert fetched == [], f"{name}: fetched {fetched[:3]} (a report must open offline)"
        assert page.evaluate("document.documentElement.lang") == lang, name
        title = page.title()
        assert title and title != "Notebook", name
        links = page.eval_on_selector_all(".ltv-header nav a", "as => as.map(a => a.getAttribute('href'))")
        assert links[0] == "index.html" and set(links) == set(pages), (name, links)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))"):
            if not href.startswith(("#", "http:", "https:", "mailto:", "data:")):
                assert (folder / href.split("#")[0]).is_file(), f"{name}: link to {href} leads nowhere"
        for kind, width, height in page.evaluate(CHARTS):
            assert width >= 200 and height >= 120, f"{name}: a {kind} chart drawn at {width}x{height}"
        if audience == "client":  # what a client reads: no identifiers, params keys or commands
            text = FILE_NAMES.sub("", page.evaluate("document.body.innerText"))
            assert not IDENTIFIERS.findall(text), f"{name}: {sorted(set(IDENTIFIERS.findall(text)))[:8]}"
        page.close()
