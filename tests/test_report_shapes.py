"""Every shop shape gets every page: the full weekly report on small awkward shops (tests/shapes.py).

Each shape is imported from a real Shopify-format export and run through ``ltv run`` with every notebook,
in Japanese for clients and in English for analysts. A page must exist for every notebook and show no
missing-value word, error text, warning output or empty chart; every key figure must be a real number
(or null with a text); the store must be unchanged by the run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from ltvlib.cli import main
from ltvlib.params import load_shop_params
from ltvlib.report import read_figures

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402
from pagecheck import page_problems  # noqa: E402

pytestmark = pytest.mark.slow
SHAPES = shapes.shapes()
NOTEBOOKS = load_shop_params("demo").report["notebooks"]
RUNS = [("ja", "client"), ("en", "analyst")]


def _no_nan(text: str) -> None:
    def bad(token: str) -> None:
        raise AssertionError(f"figures JSON holds {token}")

    json.loads(text, parse_constant=bad)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shape's export and params written and imported once (one store per shape and language)."""
    root = tmp_path_factory.mktemp("shapes")
    out = {}
    for name, shape in SHAPES.items():
        for lang, _ in RUNS:
            p = shapes.write_shop(shape, root / lang, language=lang)
            assert main(["import", str(p)]) == 0, name
            out[f"{name}/{lang}"] = p
    return out


@pytest.mark.parametrize("lang,audience", RUNS)
@pytest.mark.parametrize("name", list(SHAPES))
def test_every_shape_gets_every_page(imported: dict[str, Path], name: str, lang: str, audience: str,
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params_path = imported[f"{name}/{lang}"]
    params = load_shop_params(params_path)
    store_before = hashlib.sha256(params.store.read_bytes()).hexdigest()
    code = main(["run", str(params_path), "--audience", audience, "--reports-dir", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    folder = tmp_path / params.shop / params.as_of.isoformat()
    pages = {nb: (folder / f"{nb}.html").read_text(encoding="utf-8") for nb in NOTEBOOKS}
    index = (folder / "index.html").read_text(encoding="utf-8")
    problems = {nb: page_problems(html) for nb, html in {**pages, "index": index}.items()}
    assert not any(problems.values()), {k: v[:3] for k, v in problems.items() if v}
    for nb in NOTEBOOKS:
        _no_nan((folder / f"{nb}.figures.json").read_text(encoding="utf-8"))
        assert f'href="{nb}.html"' in index
    figures = read_figures(folder)
    assert figures["rfm"]["customers"] == sum(figures["rfm"]["grid"].values())
    assert hashlib.sha256(params.store.read_bytes()).hexdigest() == store_before  # reports never write the store
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["complete"] is True
