"""The win-back page on every awkward shop shape (tests/shapes.py), end to end: import, run the notebook,
check the page a reader sees (tests/pagecheck.py), the key figures and that the store was left untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pagecheck import page_problems
from shapes import shapes, write_shop

RUNS = [(name, "en", "analyst") for name in shapes()] + [
    (name, "ja", "client") for name in ("one-customer", "all-guests", "as-of-before-first-order", "usd-dst",
                                        "gbp-refunds", "short-history")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "language", "audience"), RUNS)
def test_winback_page_on_shape(tmp_path: Path, name: str, language: str, audience: str) -> None:
    from ltvlib.cli import main
    from ltvlib.params import load_shop_params
    from ltvlib.report import run_shop

    path = write_shop(shapes()[name], tmp_path / "shop", language=language, notebooks=["winback"])
    assert main(["import", str(path)]) == 0
    params = load_shop_params(path)
    before = hashlib.sha256(params.store.read_bytes()).hexdigest()
    run = run_shop(params, params.as_of, audience=audience, reports_root=tmp_path / "reports")
    assert run.ok, run.error
    assert hashlib.sha256(params.store.read_bytes()).hexdigest() == before  # the report wrote nothing to the store
    html = (run.report_dir / "winback.html").read_text(encoding="utf-8")
    assert page_problems(html) == []
    figures = json.loads((run.report_dir / "winback.figures.json").read_text(encoding="utf-8"),
                         parse_constant=pytest.fail)  # NaN / Infinity would fail here
    lapsed = "Lapsed (121+ days)" if language == "en" else "購入途絶（121日以上）"
    assert lapsed in figures["title"] and lapsed in html
    assert ("ltv winback freeze" in html) == (audience == "analyst" and figures["target_list"]["customers"] > 0)
