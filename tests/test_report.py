"""End to end: demo export -> ltv import -> ltv run (Papermill) -> self-contained HTML reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ltvlib import demo
from ltvlib.cli import main
from ltvlib.params import PROJECT_ROOT
from ltvlib.report import read_figures

pytestmark = pytest.mark.slow
AS_OF = "2026-06-30"


def _shop(folder: Path, shop: str, *, language: str = "ja", store: str = "store.duckdb") -> Path:
    p = folder / f"{shop}.yaml"
    p.write_text(
        f"shop: {shop}\nname: Test {shop}\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: {language}\n"
        f"store: {store}\nas_of: {AS_OF}\nsources:\n  - path: export.csv\n    loader: shopify\n"
        "report:\n  notebooks: [rfm]\n",
        encoding="utf-8",
    )
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("shops")
    demo.write_shopify_export(root / "export.csv", customers=600, seed=11)
    ja, en = _shop(root, "shop-ja"), _shop(root, "shop-en", language="en", store="store-en.duckdb")
    for p in (ja, en):
        assert main(["import", str(p)]) == 0
    reports = root / "reports"
    return {"root": root, "ja": ja, "en": en, "reports": reports}


def _run(args: list[str], reports: Path) -> int:
    return main([*args, "--reports-dir", str(reports)])


def _external_resources(html: str) -> list[str]:
    found = re.findall(r'(?:src|href)\s*=\s*["\'](https?://[^"\']+)', html)
    found += re.findall(r'import\(\s*["\'](https?://[^"\']+)', html)
    found += re.findall(r'url\(\s*["\']?(https?://[^)"\']+)', html)
    return found


def test_client_report_is_self_contained_and_japanese(built: dict) -> None:
    assert _run(["run", str(built["ja"])], built["reports"]) == 0
    out = built["reports"] / "shop-ja" / AS_OF
    html = (out / "rfm.html").read_text(encoding="utf-8")
    assert "jp-InputArea jp-Cell-inputArea" not in html and "customer_summary(" not in html  # no code for clients
    assert "injected-parameters" not in html and "out_dir =" not in html
    assert _external_resources(html) == []
    assert "アクティブ" in html and "顧客" in html  # Japanese labels and prose
    assert html.count("data:image/png;base64") >= 4  # charts embedded
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="rfm.html"' in index and _external_resources(index) == []
    figs = read_figures(out)["rfm"]
    assert figs["customers"] == sum(figs["grid"].values()) == sum(figs["scenario"].values())
    assert 0 < figs["active_share"] < 1


def test_analyst_report_shows_code_english(built: dict) -> None:
    assert _run(["run", str(built["en"]), "--audience", "analyst"], built["reports"]) == 0
    html = (built["reports"] / "shop-en" / AS_OF / "rfm.html").read_text(encoding="utf-8")
    assert "jp-InputArea jp-Cell-inputArea" in html and "analyse" in html
    assert "Active" in html and "customers" in html


def test_failed_shop_keeps_earlier_report_and_others_run(built: dict,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = built["root"] / "all"
    folder.mkdir()
    good = folder / "good.yaml"
    good.write_text(built["ja"].read_text(encoding="utf-8").replace("shop: shop-ja", "shop: good")
                    .replace("store: store.duckdb", f"store: {built['root'] / 'store.duckdb'}"), encoding="utf-8")
    broken = folder / "broken.yaml"
    broken.write_text(good.read_text(encoding="utf-8").replace("shop: good", "shop: broken")
                      .replace(str(built["root"] / "store.duckdb"), str(built["root"] / "missing.duckdb")),
                      encoding="utf-8")
    # a good earlier report of `broken` must survive its failing run
    earlier = built["reports"] / "broken" / AS_OF
    earlier.mkdir(parents=True)
    (earlier / "index.html").write_text("earlier good report", encoding="utf-8")
    code = _run(["run", "--all", str(folder)], built["reports"])
    assert code == 1
    assert (earlier / "index.html").read_text(encoding="utf-8") == "earlier good report"
    assert (built["reports"] / "broken" / f"{AS_OF}.failed" / "rfm.ipynb").exists()
    assert (built["reports"] / "good" / AS_OF / "index.html").exists()
    out = capsys.readouterr().out
    assert re.search(r"good\s+2026-06-30\s+ok", out) and re.search(r"broken\s+2026-06-30\s+FAILED", out)
    assert not list((built["reports"] / "broken").glob(".*partial*"))


def test_notebooks_committed_without_outputs() -> None:
    import papermill as pm

    for nb in (PROJECT_ROOT / "notebooks").glob("*.ipynb"):
        params = pm.inspect_notebook(str(nb))  # Papermill must parse every parameter (a quote in a comment breaks it)
        assert {k: v["default"] for k, v in params.items()} == {
            "shop": '"demo"', "as_of": "None", "audience": '"analyst"', "out_dir": '"."'}, nb.name
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c["cell_type"] == "code")
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), nb.name


def test_figures_log_the_kernel_peak_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ltvlib.report import write_figures

    monkeypatch.delenv("LTV_PEAK_LOG", raising=False)
    write_figures(tmp_path, "rfm", {"customers": 1})
    assert read_figures(tmp_path) == {"rfm": {"customers": 1}} and not (tmp_path / "peaks.jsonl").exists()
    monkeypatch.setenv("LTV_PEAK_LOG", str(tmp_path / "peaks.jsonl"))
    write_figures(tmp_path, "rfm", {"customers": 1})
    write_figures(tmp_path, "clv", {"customers": 1})
    rows = [json.loads(line) for line in (tmp_path / "peaks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["page"] for r in rows] == ["rfm", "clv"] and all(r["peak_mib"] > 10 for r in rows)
    assert read_figures(tmp_path) == {"clv": {"customers": 1}, "rfm": {"customers": 1}}  # figures unchanged
