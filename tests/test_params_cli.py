"""Every ``ltv`` command exits 2 with one paragraph (no traceback) when a shop's params are invalid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from ltvlib.cli import main

GOOD = "shop: {shop}\nstore: store.duckdb\nas_of: 2026-06-30\n"
BAD = GOOD + "winback: {{control_share: 2}}\n"


def _shop(folder: Path, shop: str, text: str) -> Path:
    path = folder / f"{shop}.yaml"
    path.write_text(text.format(shop=shop), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["run", "{p}"],
    ["import", "{p}"],
    ["import", "{p}", "orders.csv"],
    ["summary", "{p}"],
    ["segment", "list", "{p}"],
    ["segment", "show", "{p}", "vip"],
    ["winback", "freeze", "{p}"],
])
def test_bad_params_exit_2_everywhere(tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    path = _shop(tmp_path, "bad", BAD)
    code = main([c.format(p=path) for c in command])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "winback.control_share is 2" in err and str(path) in err
    assert "Traceback" not in err and err.count("\n") == 1  # one paragraph


def test_run_all_skips_a_bad_shop_and_runs_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import contextlib

    from ltvlib import batch

    ran = []

    def fake_run_batch(tasks, client, **kwargs):  # noqa: ANN001, ANN003, ANN202
        """The shops the batch would send to Dask workers (the workers' own runs are tested in test_portfolio)."""
        ran.extend((t.shop, t.as_of) for t in tasks)
        return [batch.ShopOutcome(t.shop, t.as_of, "ok", 0.1, str(tmp_path / t.shop))
                for t in tasks]

    client = SimpleNamespace(scheduler_info=lambda: {"workers": {"w": {}}})
    monkeypatch.setattr(batch, "dask_client", lambda *a, **k: contextlib.nullcontext(client))
    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    monkeypatch.setattr("ltvlib.report.ensure_kernel", lambda: "ltv-workbench")
    _shop(tmp_path, "good", GOOD)
    _shop(tmp_path, "bad", BAD)
    code = main(["run", "--all", str(tmp_path), "--reports-dir", str(tmp_path / "reports")])
    captured = capsys.readouterr()
    assert code == 2
    assert ran == [("good", dt.date(2026, 6, 30))]
    assert "[bad] skipped:" in captured.err and "winback.control_share is 2" in captured.err
    assert "good" in captured.out and "PARAMS" in captured.out
