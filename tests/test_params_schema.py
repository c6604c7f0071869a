"""The params schema: every key of params/defaults.yaml has a type, range or choices; a bad value is an
exit-2 error naming the file, the key's path, the value and what is allowed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from ltvlib.cli import main
from ltvlib.params import (
    DEFAULTS_PATH,
    JOURNEY_OPTIONS,
    JOURNEY_SOURCES,
    LOADERS,
    MAPPING_COLUMNS,
    NOTEBOOKS,
    PROJECT_ROOT,
    SPLIT_BY,
    ColumnMapping,
    Journey,
    JourneyOptions,
    ParamsError,
    SegmentDefinition,
    ShopSchema,
    load_shop_params,
)

BASE = {"shop": "s", "store": "s.duckdb"}
SOURCE = {"path": "orders.csv"}

# (key path, bad value): the message must name the path and show the value
BAD_VALUES: list[tuple[str, Any]] = [
    ("shop", "Shop 1"),
    ("name", 12),
    ("currency", "yen"),
    ("currency", "JPYX"),
    ("timezone", "Tokyo"),
    ("language", "fr"),
    ("store", 5),
    ("sources", "orders.csv"),
    ("sources[0].path", 3),
    ("sources[0].loader", "amazon"),
    ("sources[0].mapping", "order_id"),
    ("sources[0].mapping.order_id", 1),
    ("sources[0].mapping.amounts", "item"),
    ("sources[0].mapping.sep", "||"),
    ("sources[0].mapping.default_currency", "yen"),
    ("sources[0].mapping.cancelled_values", "Canceled"),
    ("sources[0].product_lines.from", "sku"),
    ("sources[0].product_lines.map", ["Tea"]),
    ("as_of", "30/06/2026"),
    ("as_of", "2026-02-30"),
    ("thresholds", 120),
    ("thresholds.active_days", 0),
    ("thresholds.active_days", 90.5),
    ("thresholds.at_risk_days", "180"),
    ("thresholds.dormant_days", -1),
    ("thresholds.repeat_orders", 1),
    ("thresholds.loyal_orders", 2),
    ("thresholds.f_score_breaks", [2, 3, 5]),
    ("thresholds.f_score_breaks", [2, 5, 3, 10]),
    ("segments", ["vip"]),
    ("segments.vip", 5),
    ("segments.vip.condition", 3),
    ("segments.vip.en", ["VIP"]),
    ("segments.vip.ja", 1),
    ("segments.vip.description", 2),
    ("segments.vip.group", 3),
    ("segments.vip.for_each", 4),
    ("journeys", []),
    ("journeys.status_grid", "status_grid"),
    ("journeys.status_grid.title", 5),
    ("journeys.status_grid.title.en", 5),
    ("journeys.status_grid.title.ja", [1]),
    ("journeys.status_grid.source", "grid"),
    ("journeys.status_grid.segments", "first_active"),
    ("journeys.status_grid.arrows", [["first_active"]]),
    ("journeys.status_grid.trend", [["a", "b", "c"]]),
    ("journeys.status_grid.window_days", 0),
    ("journeys.status_grid.trend_weeks", 30),
    ("journeys.status_grid.options", "none"),
    ("journeys.status_grid.enabled", "no"),
    ("journeys.channels.options.within_days", 0),
    ("journeys.product_lines.options.fan_orders", 0),
    ("journeys.winback.options.dormant_days", "120"),
    ("journeys.winback.options.returned_days", -5),
    ("report", "client"),
    ("report.audience", "public"),
    ("report.notebooks", ["rfm", "clvv"]),
    ("report.notebooks", []),
    ("report.show_personal_data", "yes"),
    ("report.execution_timeout", 0),
    ("report.jobs", 0),
    ("report.branding", "Acme"),
    ("report.branding.title", 7),
    ("report.branding.prepared_by", ["me"]),
    ("report.branding.accent", "blue"),
    ("report.branding.logo", 3),
    ("cohorts", ["month"]),
    ("cohorts.period", "year"),
    ("cohorts.split_by", ["first_chanel"]),
    ("cohorts.max_periods", 0),
    ("cohorts.spend_file", ["spend.csv"]),
    ("clv", "auto"),
    ("clv.model", "bgnb"),
    ("clv.time_unit", "M"),
    ("clv.discount_rate", 1.5),
    ("clv.penalizer", -0.1),
    ("clv.calibration_end", "soon"),
    ("clv.horizons_days", [90, 0]),
    ("clv.horizons_days", []),
    ("clv.spend_model", "mean"),
    ("clv.min_repeat_customers", 0),
    ("clv.max_fm_correlation", 2),
    ("clv.bootstrap_draws", -1),
    ("winback", None),
    ("winback.lapsed_days", 1.5),
    ("winback.lapsed_days", 0),
    ("winback.horizon_days", 0),
    ("winback.top_n", 0),
    ("winback.min_score", 1.5),
    ("winback.control_share", 2),
    ("winback.control_share", 1),
    ("winback.seed", -1),
    ("winback.seed", "42"),
    ("winback.backtest_cutoff", "last year"),
    ("winback.peak_months", [6, 13]),
    ("winback.rank_by", "clv"),
]


def _params(key: str, value: Any) -> dict[str, Any]:
    """BASE with ``value`` at ``key`` (``sources[0]`` starts from SOURCE)."""
    data: dict[str, Any] = {**BASE, "sources": [dict(SOURCE)]} if key.startswith("sources[") else dict(BASE)
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", key)]
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            node = node[part]
    node[parts[-1]] = value
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=[f"{k}={v!r}" for k, v in BAD_VALUES])
def test_bad_value_exits_2_naming_file_key_and_value(tmp_path: Path, key: str, value: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _params(key, value))
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and err.count("\n") == 1 and "Traceback" not in err
    shown = repr(value) if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True).strip()
    assert f"{key} is {shown.removesuffix('...').strip()}; it must be " in err, err


def test_the_table_covers_every_key_of_the_defaults() -> None:
    """Each key of params/defaults.yaml (and of a segment, journey and source) has a bad-value case."""
    defaults = yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))
    tested = {re.sub(r"\[\d+\]", "[]", k) for k, _ in BAD_VALUES}
    tested |= {re.sub(r"^(segments|journeys)\.[^.]+", r"\1.*", k) for k in tested}
    tested |= {re.sub(r"^journeys\.\*\.options\.[^.]+", "journeys.*.options.*", k) for k in tested}

    def leaves(node: Any, where: str) -> list[str]:
        if isinstance(node, dict) and where not in ("segments", "journeys"):
            return [where] * bool(where) + [p for k, v in node.items() for p in leaves(v, f"{where}.{k}".strip("."))]
        return [where]

    wanted = set(leaves(defaults, ""))
    wanted |= {f"segments.*.{k}" for k in SegmentDefinition.model_fields}
    wanted |= {f"journeys.*.{k}" for k in Journey.model_fields} | {f"journeys.*.options.{k}"
                                                                    for k in JourneyOptions.model_fields}
    wanted |= {f"sources[].{k}" for k in ("path", "loader", "mapping", "product_lines.from", "product_lines.map")}
    wanted |= {"shop", "name", "store", "sources", "as_of", "currency", "timezone", "language"}
    assert wanted - tested == set()


def test_every_schema_key_has_its_default_in_defaults_yaml() -> None:
    """Defaults live in one place: each setting of a section is in params/defaults.yaml."""
    defaults = yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))
    for section in ("thresholds", "report", "cohorts", "clv", "winback"):
        model = ShopSchema.model_fields[section].annotation
        assert set(model.model_fields) == set(defaults[section]), section
    assert set(ShopSchema.model_fields) - set(defaults) == {"shop", "name", "store", "sources", "as_of"}


def test_choices_agree_with_their_owners() -> None:
    from ltvlib import clv, cohorts
    from ltvlib.io import generic, load
    from ltvlib.journey import spec

    assert set(NOTEBOOKS) == {p.stem for p in (PROJECT_ROOT / "notebooks").glob("*.ipynb")}
    assert LOADERS == load.LOADERS
    assert JOURNEY_SOURCES == spec.SOURCES
    assert JOURNEY_OPTIONS == {k: v for k, v in spec._OPTIONS.items() if v}
    assert SPLIT_BY == tuple(cohorts.ACQUISITION_ATTRIBUTES)
    assert set(MAPPING_COLUMNS) == set(generic.COLUMN_KEYS)
    assert tuple(ColumnMapping.model_fields) == MAPPING_COLUMNS + generic.OPTION_KEYS
    assert set(get_args(ShopSchema.model_fields["clv"].annotation.model_fields["model"].annotation)) == {
        "auto", *clv.MODELS}


@pytest.mark.parametrize(("text", "needle"), [
    ("thresholds: {active_days: 200}", "thresholds must satisfy active_days < at_risk_days < dormant_days "
                                       "(they are 200, 180 and 360)."),
    ("thresholds: {dormant_days: 150}", "active_days < at_risk_days < dormant_days (they are 120, 180 and 150)"),
    ("thresholds: {repeat_orders: 5}", "thresholds must satisfy repeat_orders < loyal_orders (they are 5 and 5)."),
    ("journeys: {channels: {options: {fan_orders: 2}}}",
     "journeys.channels has options.fan_orders, which source 'channel' does not use (its options: within_days)."),
    ("journeys: {mine: {source: segments}}", "journeys.mine needs 'segments'"),
    ("sources: [{path: a.csv, loader: mapped}]", "sources[0] uses loader 'mapped', whose mapping needs 'order_id"),
    ("sources: [{path: a.csv, loader: shopify, mapping: {order_id: x}}]", "which loader 'shopify' does not use"),
    ("sources: [{path: a.csv, product_lines: {from: title}}]", "sources[0].product_lines has 'from: title' but no"),
    ("sources: [{loader: shopify}]", "required key 'sources[0].path' is missing."),
    ("segments: {mine: {en: Mine}}", "required key 'segments.mine.condition' is missing."),
    ("winback: {control_share: 2}", "winback.control_share is 2; it must be a number from 0 up to (not including) 1."),
    ("clv: {model: bgnb}", "clv.model is 'bgnb'; it must be 'auto', 'bgnbd', 'pareto_nbd' or 'mbgnbd'."),
])
def test_cross_key_rules(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(f"shop: s\nstore: s.duckdb\n{text}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_shop_params(path)
    assert str(e.value).startswith(f"{path}: ") and needle in str(e.value), str(e.value)


@pytest.mark.parametrize(("text", "needle"), [
    ("segments: {vip: {conditon: 'orders >= 2'}}", "unknown key 'segments.vip.conditon'. Did you mean 'condition'?"),
    ("journeys: {status_grid: {trend_week: 26}}", "unknown key 'journeys.status_grid.trend_week'. Did you mean "
                                                  "'trend_weeks'?"),
    ("journeys: {winback: {options: {dormant_day: 90}}}", "'journeys.winback.options.dormant_day'. Did you mean "
                                                          "'dormant_days'?"),
    ("sources: [{path: a.csv, loadr: mapped}]", "unknown key 'sources[0].loadr'. Did you mean 'loader'?"),
    ("sources: [{path: a.csv, mapping: {order_idd: Id}}]", "'sources[0].mapping.order_idd'. Did you mean 'order_id'?"),
    ("sources: [{path: a.csv, product_lines: {form: vendor}}]", "Did you mean 'from'?"),
    ("clv: {modle: auto}", "unknown key 'clv.modle'. Did you mean 'model'?"),
    ("winback: {controlshare: 0.2}", "unknown key 'winback.controlshare'. Did you mean 'control_share'?"),
    ("report: {branding: {prepared: me}}", "unknown key 'report.branding.prepared'. Did you mean 'prepared_by'?"),
    ("cohort: {period: week}", "unknown key 'cohort'. Did you mean 'cohorts'?"),
    ("zzz: 1", "unknown key 'zzz'. Valid keys here: shop, name, currency"),
])
def test_typos_suggest_the_nearest_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(f"shop: s\nstore: s.duckdb\n{text}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_shop_params(path)
    assert str(e.value) == f"{path}: {needle}" or needle in str(e.value), str(e.value)
    assert str(e.value).startswith(f"{path}: ")


def test_several_errors_in_one_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text("shop: s\nstore: s.duckdb\nclv: {model: bgnb, time_unit: M}\nwinback: {seed: -1}\n",
                    encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_shop_params(path)
    text = str(e.value)
    assert "\n" not in text and text.count(str(path)) == 1
    assert all(k in text for k in ("clv.model is 'bgnb'", "clv.time_unit is 'M'", "winback.seed is -1"))


def test_an_error_in_the_defaults_names_the_defaults_file(tmp_path: Path) -> None:
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text(DEFAULTS_PATH.read_text(encoding="utf-8").replace("control_share: 0.1", "control_share: 5"),
                        encoding="utf-8")
    shop = tmp_path / "shop.yaml"
    shop.write_text("shop: s\nstore: s.duckdb\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=re.escape(f"{defaults}: winback.control_share is 5;")):
        load_shop_params(shop, defaults_path=defaults)


def test_valid_values_load_as_plain_values(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(
        "shop: s\nstore: s.duckdb\nas_of: '2026-06-30'\nclv: {model: pareto_nbd, calibration_end: 2026-01-31}\n"
        "winback: {lapsed_days: 90, top_n: null, control_share: 0}\nsegments: {vip: null, big: 'orders >= 9'}\n"
        "sources: [{path: a.txt, loader: amazon_orders}, {path: b.csv, loader: rakuten_rms, "
        "mapping: {channel: rakuten_ichiba}}]\n", encoding="utf-8")
    p = load_shop_params(path)
    assert str(p.as_of) == "2026-06-30" and str(p.clv["calibration_end"]) == "2026-01-31"
    assert p.clv["model"] == "pareto_nbd" and p.winback["lapsed_days"] == 90 and p.winback["top_n"] is None
    assert p.winback["control_share"] == 0 and p.segments["vip"] is None and p.segments["big"] == "orders >= 9"
    assert p.segments["new"]["group"] == "stage_scenario" and "for_each" not in p.segments["new"]  # unset stays out
    assert [s["loader"] for s in p.sources] == ["amazon_orders", "rakuten_rms"]
    assert p.sources[1]["mapping"] == {"channel": "rakuten_ichiba"} and p.sources[0]["path"] == tmp_path / "a.txt"
