"""A run that loses one page keeps the others; complete runs replace reports; the same data, the same pages."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from ltvlib import report
from ltvlib.cli import main
from ltvlib.params import load_shop_params

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    p = shapes.write_shop(shapes.shapes()["usd-dst"], root, language="en")
    assert main(["import", str(p)]) == 0
    return p


@pytest.fixture
def notebooks_with_a_failing_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real rfm notebook plus ``boom``, whose second cell raises."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(report.NOTEBOOKS_DIR / "rfm.ipynb", folder / "rfm.ipynb")
    nb = nbformat.read(report.NOTEBOOKS_DIR / "rfm.ipynb", as_version=4)
    nb.cells = [nb.cells[0], nbformat.v4.new_code_cell('raise RuntimeError("the boom page broke")')]
    nbformat.write(nb, folder / "boom.ipynb")
    monkeypatch.setattr(report, "NOTEBOOKS_DIR", folder)
    return folder


def test_a_failing_page_leaves_the_others_and_says_why(shop: Path, tmp_path: Path,
                                                        notebooks_with_a_failing_page: Path) -> None:
    params = load_shop_params(shop)
    reports = tmp_path / "reports"
    run = report.run_shop(params, params.as_of, notebooks=["rfm", "boom"], reports_root=reports)
    assert not run.ok and run.published and set(run.failed) == {"boom"}
    final = reports / params.shop / params.as_of.isoformat()
    assert run.report_dir == final
    assert (final / "rfm.html").is_file() and not (final / "boom.html").exists()
    assert (final / "boom.ipynb").is_file()  # the failed notebook is kept for diagnosis
    index = (final / "index.html").read_text(encoding="utf-8")
    assert 'href="rfm.html"' in index and 'href="boom.html"' not in index
    assert "could not be produced" in index and "the boom page broke" in index
    assert json.loads((final / "run.json").read_text(encoding="utf-8"))["complete"] is False

    # a complete run replaces the incomplete report ...
    done = report.run_shop(params, params.as_of, notebooks=["rfm"], reports_root=reports)
    assert done.ok and done.report_dir == final and "could not be produced" not in (final / "index.html").read_text()
    # ... and a later incomplete run keeps that complete report, putting its pages beside it
    again = report.run_shop(params, params.as_of, notebooks=["rfm", "boom"], reports_root=reports)
    assert not again.ok and not again.published
    assert again.report_dir == final.with_name(final.name + ".failed")
    assert json.loads((final / "run.json").read_text(encoding="utf-8"))["complete"] is True
    assert (again.report_dir / "rfm.html").is_file()
    assert not list(final.parent.glob(".*partial*"))


def test_cli_reports_a_partial_run(shop: Path, tmp_path: Path, notebooks_with_a_failing_page: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(shop), "--notebooks", "rfm,boom", "--reports-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "incomplete" in err and "boom" in err and "the boom page broke" in err


def _page(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_same_data_same_pages_and_store_untouched(shop: Path, tmp_path: Path) -> None:
    params = load_shop_params(shop)
    before = hashlib.sha256(params.store.read_bytes()).hexdigest()
    pages = []
    for i in (1, 2):
        assert main(["run", str(shop), "--reports-dir", str(tmp_path / f"r{i}")]) == 0
        folder = tmp_path / f"r{i}" / params.shop / params.as_of.isoformat()
        pages.append({p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))
                      } | {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.figures.json"))})
    assert sorted(pages[0]) == sorted(pages[1]) and len(pages[0]) >= 7
    for i in (1, 2):  # what the run's pages shared (summary, CLV fit) is not left in the report
        assert not list((tmp_path / f"r{i}" / params.shop).rglob(".*")), i
    for name in pages[0]:
        a = pages[0][name].replace(str(tmp_path / "r1"), "R")
        b = pages[1][name].replace(str(tmp_path / "r2"), "R")
        assert _page(a) == _page(b), name
    assert hashlib.sha256(params.store.read_bytes()).hexdigest() == before


def test_schedule_runs_heavy_pages_first_and_winback_after_clv() -> None:
    order = report._schedule(["rfm", "segments", "journey", "cohorts", "clv", "winback"])
    assert order[0] == "journey" and order[-1] == "rfm" and order.index("clv") < order.index("winback")
    assert report._schedule(["winback", "rfm"]) == ["winback", "rfm"]  # nothing to wait for
    assert report._schedule(["winback", "clv"]) == ["clv", "winback"]


def test_parallel_run_equals_sequential(shop: Path, tmp_path: Path) -> None:
    params = load_shop_params(shop)
    pages = []
    for jobs in (1, 2):
        run = report.run_shop(params, params.as_of, reports_root=tmp_path / f"j{jobs}", jobs=jobs)
        assert run.ok, run.error
        pages.append({p.name: _page(p.read_text(encoding="utf-8").replace(str(tmp_path / f"j{jobs}"), "R"))
                      for p in sorted(run.report_dir.glob("*.html"))})
    assert pages[0] == pages[1] and len(pages[0]) == 7
