"""A candidate model whose predictions overflow is never the one a report uses: the next candidate is."""

from __future__ import annotations

import numpy as np
import pytest

from ltvlib import clv, demo, report
from ltvlib.cli import main
from ltvlib.params import PROJECT_ROOT


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory):
    """The demo shop at 800 customers: BG/NBD's fit overflows for some long, frequent histories there."""
    root = tmp_path_factory.mktemp("fallback")
    demo.write_shopify_export(root / "orders_export.csv", customers=800, seed=7)
    text = (PROJECT_ROOT / "params" / "shops" / "demo.yaml").read_text(encoding="utf-8")
    p = root / "d.yaml"
    p.write_text(text.replace("shop: demo", "shop: d800").replace("../../data/demo/store.duckdb", "store.duckdb")
                 .replace("../../data/demo/orders_export.csv", "orders_export.csv"), encoding="utf-8")
    assert main(["import", str(p)]) == 0
    return report.context(p)


def test_a_model_with_undefined_holdout_predictions_is_not_chosen(ctx) -> None:
    choice = clv.choose_model(ctx.orders(), ctx.as_of, ctx.params.clv)
    assert all(np.isfinite(v.metrics["mae"]) for v in choice.validations.values())
    assert choice.errors["bgnbd"].key == "clv_holdout_undefined" and choice.model != "bgnbd"
    assert choice.model == min(choice.validations, key=lambda m: choice.validations[m].metrics["mae"])


def test_the_page_falls_back_when_the_chosen_model_fails_on_the_whole_history(ctx) -> None:
    choice = clv.choose_model(ctx.orders(), ctx.as_of, {**ctx.params.clv, "model": "bgnbd"})
    assert choice.fallbacks() == ["bgnbd"]  # pinned: nothing else is tried
    page = clv.build_report(ctx.orders(), ctx.summary(), ctx.as_of, {**ctx.params.clv, "model": "bgnbd"},
                            ctx.thresholds, "en")
    assert not page.fitted and page.model_error.key == "clv_undefined_predictions"
    auto = clv.build_report(ctx.orders(), ctx.summary(), ctx.as_of, {**ctx.params.clv, "bootstrap_draws": 0},
                            ctx.thresholds, "en", audience="client")
    assert auto.fitted and auto.error is None and auto.model.model == auto.choice.model != "bgnbd"
    assert np.isfinite(auto.predictions["predicted_clv"]).all()
    assert "clv." not in auto.choice.text("en", "client")


def test_a_validated_model_that_fails_on_the_whole_history_gives_way(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    """BG/NBD ranked first on the holdout (its holdout figures stood in for), yet undefined on the whole history:
    the page uses the next candidate and says why."""
    import dataclasses

    real = clv.choose_model(ctx.orders(), ctx.as_of, ctx.params.clv)
    second = real.model
    faked = dataclasses.replace(real.validations[second], metrics={**real.validations[second].metrics, "mae": 0.0})
    choice = clv.ModelChoice("bgnbd", "holdout", {"bgnbd": faked, **real.validations}, {})
    monkeypatch.setattr(clv, "choose_model", lambda *a, **k: choice)
    page = clv.build_report(ctx.orders(), ctx.summary(), ctx.as_of, {**ctx.params.clv, "bootstrap_draws": 0},
                            ctx.thresholds, "en")
    assert page.fitted and page.model.model == second == page.choice.model
    assert page.choice.unusable["bgnbd"].key == "clv_undefined_predictions"
    assert "BG/NBD had a lower holdout error but cannot be used on the whole history" in page.choice.text("en")


def test_pareto_warm_start_ends_where_the_cold_start_ends(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large shops start lifetimes' Nelder-Mead at a gradient fit's minimum: the same fit, in seconds."""
    summary = ctx.summary()
    monkeypatch.setattr(clv, "PARETO_WARM_START_ROWS", 10**9)
    cold = clv.CLVModel("pareto_nbd").fit(summary)
    monkeypatch.setattr(clv, "PARETO_WARM_START_ROWS", 0)
    warm = clv.CLVModel("pareto_nbd").fit(summary)
    rows, _ = clv.compress(summary)
    start = clv._pareto_start(rows, 7.0, 0.0)
    assert not np.allclose(start, 1.0)  # the gradient fit was used
    np.testing.assert_allclose(warm.params_.to_numpy(), cold.params_.to_numpy(), rtol=1e-3)
    assert clv.log_likelihood(warm, summary) >= clv.log_likelihood(cold, summary) - 1e-6 * abs(
        clv.log_likelihood(cold, summary))
    choice = clv.choose_model(ctx.orders(), ctx.as_of, ctx.params.clv)  # auto compares all three at any size
    assert set(choice.validations) | set(choice.errors) == set(clv.AUTO_CANDIDATES)

