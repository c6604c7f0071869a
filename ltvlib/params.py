"""Shop params: load ``params/shops/<shop>.yaml``, merge ``params/defaults.yaml``, validate.

One schema for every shop. Unknown keys are errors that name the key's path and the nearest
valid name, so a typo never silently falls back to a default. Relative paths in a params file
(``store``, ``sources[].path``) are resolved against the directory of that file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULTS_PATH", "ParamsError", "ShopParams", "load_shop_params", "resolve_shop"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_PATH = PROJECT_ROOT / "params" / "defaults.yaml"
SHOPS_DIR = PROJECT_ROOT / "params" / "shops"

_ANY = object()  # schema leaf: any value, checked by the typed accessors below
# The schema: a dict maps allowed keys to their sub-schema; ``_ANY`` accepts anything;
# a ("map", schema) tuple is a mapping of user-chosen names to ``schema``; ("list", schema) a list.
_SOURCE = {
    "path": _ANY,
    "loader": _ANY,
    "mapping": _ANY,
    "product_lines": {"from": _ANY, "map": _ANY},
}
_SCHEMA: dict[str, Any] = {
    "shop": _ANY,
    "name": _ANY,
    "currency": _ANY,
    "timezone": _ANY,
    "language": _ANY,
    "store": _ANY,
    "sources": ("list", _SOURCE),
    "as_of": _ANY,
    "thresholds": {
        "active_days": _ANY,
        "at_risk_days": _ANY,
        "dormant_days": _ANY,
        "repeat_orders": _ANY,
        "loyal_orders": _ANY,
        "f_score_breaks": _ANY,
    },
    # analysis sections: each analysis module owns and checks its own keys (see its docstring)
    "cohorts": {"period": _ANY, "split_by": _ANY, "max_periods": _ANY},
    "clv": {
        "model": _ANY, "time_unit": _ANY, "discount_rate": _ANY, "penalizer": _ANY,
        "calibration_end": _ANY, "horizons_days": _ANY, "spend_model": _ANY, "min_repeat_customers": _ANY,
        "max_fm_correlation": _ANY,
    },
    "winback": {
        "lapsed_days": _ANY, "horizon_days": _ANY, "top_n": _ANY, "min_score": _ANY,
        "control_share": _ANY, "seed": _ANY, "backtest_cutoff": _ANY, "peak_months": _ANY, "rank_by": _ANY,
    },
    # a segment is a condition text or a mapping (condition, en, ja, description, group, for_each), null to
    # switch a default off; ltvlib.segments.library checks each one (keys, fields, operators) with positions
    "segments": ("map", _ANY),
    "journeys": ("map", {
        "title": _ANY, "source": _ANY, "segments": _ANY, "arrows": _ANY, "trend": _ANY, "window_days": _ANY,
        "trend_weeks": _ANY, "options": _ANY, "enabled": _ANY,
    }),
    "report": {
        "audience": _ANY,
        "notebooks": _ANY,
        "show_personal_data": _ANY,
        "execution_timeout": _ANY,
        "branding": {"title": _ANY, "prepared_by": _ANY},
    },
}
_SHOP_ID = re.compile(r"^[a-z0-9_-]+$")


class ParamsError(ValueError):
    """A shop params file is missing, malformed or invalid; the message names file and key."""


@dataclass(frozen=True)
class ShopParams:
    """Validated params of one shop (defaults merged, paths resolved)."""

    path: Path
    shop: str
    name: str
    currency: str
    timezone: str
    language: str
    store: Path
    sources: list[dict[str, Any]]
    as_of: dt.date | None
    thresholds: dict[str, Any]
    segments: dict[str, Any] = field(default_factory=dict)
    journeys: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    cohorts: dict[str, Any] = field(default_factory=dict)
    clv: dict[str, Any] = field(default_factory=dict)
    winback: dict[str, Any] = field(default_factory=dict)

    @property
    def show_personal_data(self) -> bool:
        return bool(self.report.get("show_personal_data", False))

    def report_date(self, as_of: dt.date | str | None = None) -> dt.date:
        """The ``as_of`` of a run: the one given, else the params' ``as_of``, else the end of yesterday in
        the shop's zone. The one place that reads the wall clock (CLI and notebooks alike)."""
        if as_of:
            return as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        if self.as_of:
            return self.as_of
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.timezone)).date() - dt.timedelta(days=1)


def resolve_shop(shop: str | Path, shops_dir: Path = SHOPS_DIR) -> Path:
    """Return the params file for ``shop``: a shop id (``params/shops/<id>.yaml``) or a path."""
    p = Path(shop)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.is_file():
            raise ParamsError(f"{p}: no such shop params file. Give a shop id or the path of a .yaml file.")
        return p.resolve()
    if not _SHOP_ID.match(str(shop)):
        raise ParamsError(f"'{shop}' is neither a shop id (lower-case letters, digits, '-', '_') nor a params file.")
    candidate = shops_dir / f"{shop}.yaml"
    if not candidate.is_file():
        known = sorted(f.stem for f in shops_dir.glob("*.yaml")) if shops_dir.is_dir() else []
        near = difflib.get_close_matches(str(shop), known, n=1)
        hint = f" Did you mean '{near[0]}'?" if near else (f" Known shops: {', '.join(known)}." if known else "")
        raise ParamsError(f"{candidate}: no params for shop '{shop}'.{hint}")
    return candidate.resolve()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as e:
        raise ParamsError(f"{path}: not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of keys at the top level.")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _check_keys(data: Any, schema: Any, where: str, path: Path) -> None:
    if schema is _ANY:
        return
    if isinstance(schema, tuple):
        kind, sub = schema
        if kind == "list":
            if not isinstance(data, list):
                raise ParamsError(f"{path}: '{where}' must be a list.")
            for i, item in enumerate(data):
                _check_keys(item, sub, f"{where}[{i}]", path)
        else:
            if not isinstance(data, dict):
                raise ParamsError(f"{path}: '{where}' must be a mapping of names.")
            for k, v in data.items():
                _check_keys(v, sub, f"{where}.{k}", path)
        return
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: '{where or 'top level'}' must be a mapping.")
    for key, value in data.items():
        key_path = f"{where}.{key}" if where else str(key)
        if key not in schema:
            near = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.5)
            hint = f" Did you mean '{near[0]}'?" if near else f" Valid keys here: {', '.join(schema)}."
            raise ParamsError(f"{path}: unknown key '{key_path}'.{hint}")
        _check_keys(value, schema[key], key_path, path)


def _as_date(value: Any, path: Path, key: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParamsError(f"{path}: '{key}' must be a date like 2026-06-30, got {value!r}.") from None


def _check_thresholds(t: dict[str, Any], path: Path) -> None:
    for k in ("active_days", "at_risk_days", "dormant_days", "repeat_orders", "loyal_orders"):
        if not isinstance(t.get(k), int) or t[k] < 1:
            raise ParamsError(f"{path}: 'thresholds.{k}' must be a positive whole number, got {t.get(k)!r}.")
    if not t["active_days"] < t["at_risk_days"] < t["dormant_days"]:
        raise ParamsError(f"{path}: thresholds must satisfy active_days < at_risk_days < dormant_days.")
    if not 2 <= t["repeat_orders"] < t["loyal_orders"]:
        raise ParamsError(f"{path}: thresholds must satisfy 2 <= repeat_orders < loyal_orders.")
    breaks = t.get("f_score_breaks")
    if not (isinstance(breaks, list) and len(breaks) == 4 and breaks == sorted(set(breaks))):
        raise ParamsError(f"{path}: 'thresholds.f_score_breaks' must be 4 increasing order counts, got {breaks!r}.")


def load_shop_params(shop: str | Path, defaults_path: Path = DEFAULTS_PATH) -> ShopParams:
    """Load, merge with defaults, and validate the params of ``shop`` (id or path)."""
    path = resolve_shop(shop)
    raw = _read_yaml(path)
    _check_keys(raw, _SCHEMA, "", path)
    defaults = _read_yaml(defaults_path)
    data = _merge(defaults, raw)
    for key in ("shop", "store"):
        if key not in raw:
            raise ParamsError(f"{path}: required key '{key}' is missing.")
    shop_id = str(data["shop"])
    if not _SHOP_ID.match(shop_id):
        raise ParamsError(f"{path}: 'shop' must use lower-case letters, digits, '-' and '_', got {shop_id!r}.")
    try:
        zoneinfo.ZoneInfo(str(data["timezone"]))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParamsError(f"{path}: 'timezone' {data['timezone']!r} is not an IANA zone like Asia/Tokyo.") from None
    if data["language"] not in ("ja", "en"):
        raise ParamsError(f"{path}: 'language' must be 'ja' or 'en', got {data['language']!r}.")
    if data["report"].get("audience") not in ("client", "analyst"):
        raise ParamsError(f"{path}: 'report.audience' must be 'client' or 'analyst'.")
    _check_thresholds(data["thresholds"], path)
    base = path.parent
    sources = []
    for i, src in enumerate(data.get("sources") or []):
        if "path" not in src:
            raise ParamsError(f"{path}: 'sources[{i}].path' is missing.")
        sources.append({**src, "path": (base / str(src["path"])).resolve()})
    return ShopParams(
        path=path,
        shop=shop_id,
        name=str(data.get("name") or shop_id),
        currency=str(data["currency"]),
        timezone=str(data["timezone"]),
        language=str(data["language"]),
        store=(base / str(data["store"])).resolve(),
        sources=sources,
        as_of=_as_date(data.get("as_of"), path, "as_of"),
        thresholds=dict(data["thresholds"]),
        segments=dict(data.get("segments") or {}),
        journeys=dict(data.get("journeys") or {}),
        report=dict(data["report"]),
        cohorts=dict(data.get("cohorts") or {}),
        clv=dict(data.get("clv") or {}),
        winback=dict(data.get("winback") or {}),
    )
