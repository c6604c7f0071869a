"""Shop params: defaults merged, paths resolved, unknown keys and bad values rejected with the key's path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ltvlib.params import ParamsError, load_shop_params


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "shop.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_params_load() -> None:
    p = load_shop_params("demo")
    assert p.shop == "demo" and p.language == "ja" and p.as_of == dt.date(2026, 6, 30)
    assert p.thresholds["active_days"] == 120 and p.store.name == "store.duckdb"
    assert not p.show_personal_data


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    p = load_shop_params(_write(tmp_path, "shop: s1\nstore: data/s1.duckdb\nthresholds: {active_days: 90}\n"))
    assert p.store == (tmp_path / "data" / "s1.duckdb").resolve()
    assert p.thresholds["active_days"] == 90 and p.thresholds["dormant_days"] == 360  # merged with defaults
    assert p.language == "en" and p.as_of is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("shop: s\nstore: x\nthreshold: {}\n", "unknown key 'threshold'. Did you mean 'thresholds'?"),
        ("shop: s\nstore: x\nthresholds: {activ_days: 3}\n", "'thresholds.activ_days'. Did you mean 'active_days'?"),
        ("shop: s\nstore: x\nreport: {show_personal: true}\n", "Did you mean 'show_personal_data'?"),
        ("shop: S!\nstore: x\n", "shop is 'S!'; it must be a shop id of lower-case letters"),
        ("shop: s\nstore: x\ntimezone: Tokyo\n", "timezone is 'Tokyo'; it must be an IANA time zone"),
        ("shop: s\nstore: x\nlanguage: fr\n", "language is 'fr'; it must be 'ja' or 'en'."),
        ("shop: s\nstore: x\nthresholds: {active_days: 200}\n", "active_days < at_risk_days"),
        ("shop: s\nstore: x\nas_of: 30/06/2026\n", "as_of is '30/06/2026'; it must be a date like 2026-06-30"),
        ("shop: s\n", "required key 'store'"),
        ("shop: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_params_name_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ParamsError) as e:
        load_shop_params(path)
    assert needle in str(e.value) and str(path) in str(e.value)


def test_unknown_shop_id_suggests() -> None:
    with pytest.raises(ParamsError, match="Did you mean 'demo'"):
        load_shop_params("dmeo")
