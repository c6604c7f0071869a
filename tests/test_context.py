"""report.context: one call gives a page its params, date and data (read-only, loaded once); within a run
the customer summary and the CLV fit are computed once and shared through the run's share folder, keyed by
the data, never trusted when the key differs; alone (out_dir ".") a page computes itself and writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from ltvlib import clv, customers, demo, report, winback
from ltvlib.cli import main
from ltvlib.context import SHARE_DIR, Context

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ctx")
    demo.write_shopify_export(root / "export.csv", customers=600, seed=11)
    p = root / "ctx.yaml"
    p.write_text("shop: ctx\nname: Ctx\ncurrency: JPY\ntimezone: Asia/Tokyo\nlanguage: en\nstore: store.duckdb\n"
                 "sources:\n  - path: export.csv\n    loader: shopify\n", encoding="utf-8")
    assert main(["import", str(p)]) == 0
    return p


def _run_dir(tmp_path: Path, name: str = "run") -> Path:
    d = tmp_path / name
    (d / SHARE_DIR).mkdir(parents=True)
    return d


def test_context_holds_params_date_and_data_read_once(shop: Path, tmp_path: Path) -> None:
    ctx = report.context(shop, AS_OF, audience="analyst")
    assert isinstance(ctx, Context) and ctx.as_of == dt.date(2026, 6, 30) and ctx.audience == "analyst"
    assert (ctx.language, ctx.currency, ctx.timezone) == ("en", "JPY", "Asia/Tokyo")
    assert ctx.thresholds == ctx.params.thresholds and ctx.label("customers") == "Customers"
    assert ctx.orders(["order_id", "customer_key"]) is ctx.orders(["order_id", "customer_key"])
    assert ctx.line_items() is ctx.line_items() and ctx.history() is ctx.history()
    held = ctx.orders(["order_id", "customer_key"])
    real_store, ctx.store = ctx.store, lambda: pytest.fail("columns already read are not read again")  # type: ignore
    assert ctx.orders(["customer_key"])["customer_key"].equals(held["customer_key"])
    ctx.store = real_store  # type: ignore[method-assign]
    only_summary = report.context(shop, AS_OF)
    assert len(only_summary.summary())  # and nothing else kept: no line items, orders or history
    assert not only_summary._items and not only_summary._orders and "history" not in only_summary._memo
    assert ctx.share_dir is None  # no run: nothing is shared or written
    # the params own the default date: none in the params -> the end of yesterday in the shop's zone
    assert report.context(shop).as_of == ctx.params.report_date(None)


def test_summary_equals_the_library_and_store_is_untouched(shop: Path, tmp_path: Path) -> None:
    store = Path(str(report.context(shop).params.store))
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    ctx = report.context(shop, AS_OF, out_dir=_run_dir(tmp_path))
    orders, items = ctx.orders(), ctx.line_items()
    expected = customers.customer_summary(orders, ctx.as_of, line_items=items)
    pd.testing.assert_frame_equal(ctx.summary(), expected, check_exact=True)
    # read back from the share file by another page: the same frame, dtypes included
    other = report.context(shop, AS_OF, out_dir=ctx.out_dir)
    other._new_history = lambda *_: pytest.fail("the shared summary must be read, not computed")  # type: ignore
    pd.testing.assert_frame_equal(other.summary(), expected, check_exact=True)
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before


def test_alone_a_page_writes_nothing(shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ctx = report.context(shop, AS_OF, out_dir=".")
    ctx.summary()
    assert ctx.share_json(clv.FITTED_SHARE, {"x": 1}) is None and ctx.shared_json(clv.FITTED_SHARE) is None
    assert list(tmp_path.iterdir()) == []


def test_a_stale_foreign_or_damaged_share_is_ignored(shop: Path, tmp_path: Path) -> None:
    run = _run_dir(tmp_path)
    first = report.context(shop, AS_OF, out_dir=run)
    first.summary()
    path = run / SHARE_DIR / "summary.parquet"
    assert path.is_file()
    # another date, other thresholds: the file's key differs -> computed again (and the file replaced)
    later = report.context(shop, "2026-07-15", out_dir=run)
    pd.testing.assert_frame_equal(later.summary(), later.history().snapshot(later.as_of).summary())
    other = report.context(shop, AS_OF, out_dir=run)
    other.params.thresholds["active_days"] = 99
    assert other.share_key() != first.share_key()
    called = []
    real = other._new_history
    other._new_history = lambda o: called.append(1) or real(o)  # type: ignore[method-assign]
    other.summary()
    assert called
    # an import since (a new data version) changes the key too
    version = dict(first.version)
    first._version = {**version, "last_import": [99, "later"]}
    assert first.share_key() != report.context(shop, AS_OF, out_dir=run).share_key()
    # a damaged file is recomputed, never trusted
    path.write_bytes(b"not parquet")
    again = report.context(shop, AS_OF, out_dir=run)
    pd.testing.assert_frame_equal(again.summary(), again.history().snapshot(again.as_of).summary())
    # a shared model of another settings or date is not reused
    ctx = report.context(shop, AS_OF, out_dir=run)
    ctx.share_json(clv.FITTED_SHARE, {"as_of": "2026-01-01", "settings": {}, "model": None, "error": None})
    assert clv.restore_fitted(ctx.shared_json(clv.FITTED_SHARE), ctx.params.clv, ctx.as_of) is None
    (run / SHARE_DIR / f"{clv.FITTED_SHARE}.json").write_text("{", encoding="utf-8")
    assert ctx.shared_json(clv.FITTED_SHARE) is None


def test_winback_reuses_the_clv_fit_of_the_run_with_equal_numbers(shop: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    alone = winback.build_page(shop, AS_OF)  # fits the model itself
    run = _run_dir(tmp_path)
    ctx = report.context(shop, AS_OF, out_dir=run)
    page = clv.build_report(ctx.orders(), ctx.summary(), ctx.as_of, ctx.params.clv, ctx.thresholds, "en")
    assert page.fitted
    ctx.share_json(clv.FITTED_SHARE, page.fitted_state(ctx.params.clv))
    report.write_figures(run, "clv", page.key_figures())

    def no_refit(*args, **kwargs):
        raise AssertionError("the win-back page must reuse the CLV page's fit")
    monkeypatch.setattr(clv, "predict_customers", no_refit)
    monkeypatch.setattr(clv.CLVModel, "fit", no_refit)
    reused = winback.build_page(report.context(shop, AS_OF, out_dir=run))
    pd.testing.assert_frame_equal(reused.result.scores, alone.result.scores, check_exact=True)
    assert reused.figures() == alone.figures() and reused.clv_problem is None
    assert reused.result.scores["predicted_clv"].notna().any()


def test_winback_reuses_the_clv_pages_reason_for_no_model(shop: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    run = _run_dir(tmp_path)
    ctx = report.context(shop, AS_OF, out_dir=run)
    ctx.params.clv["min_repeat_customers"] = 10**6  # no model: too few repeat buyers
    alone = winback.build_page(report.context(ctx.params, AS_OF))
    page = clv.build_report(ctx.orders(), ctx.summary(), ctx.as_of, ctx.params.clv, ctx.thresholds, "en")
    assert not page.fitted and page.model_error is not None
    ctx.share_json(clv.FITTED_SHARE, page.fitted_state(ctx.params.clv))
    monkeypatch.setattr(clv.CLVModel, "fit", lambda *a, **k: pytest.fail("no refit"))
    reused = winback.build_page(report.context(ctx.params, AS_OF, out_dir=run))
    assert reused.clv_problem == alone.clv_problem and reused.clv_problem
    assert reused.figures() == alone.figures()


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_a_saved_fit_predicts_what_a_refit_predicts(shop: Path, model: str) -> None:
    ctx = report.context(shop, AS_OF)
    s = {**ctx.params.clv, "model": model}
    fitted = clv.CLVModel.from_settings(s).fit(ctx.summary())
    state = json.loads(json.dumps(clv.fitted_state(fitted, None, s, ctx.as_of), allow_nan=False))
    back = clv.restore_fitted(state, s, ctx.as_of)
    pd.testing.assert_frame_equal(clv.predict_fitted(back, ctx.summary(), s, ctx.as_of),
                                  clv.predict_customers(ctx.summary(), s, ctx.as_of), check_exact=True)
    pd.testing.assert_frame_equal(back.parameter_table(), fitted.parameter_table(), check_exact=True)
