"""Shop params: load ``params/shops/<shop>.yaml``, merge ``params/defaults.yaml``, validate.

One schema (:class:`ShopSchema`, pydantic) gives every key its type, range or choices; the defaults live in
``params/defaults.yaml`` only (the schema has none of its own: a key left out stays out). Unknown keys are
errors that name the key's path and the nearest valid name, so a typo never silently falls back to a
default; a bad value names the file, the key's path, the value and what is allowed. Relative paths in a
params file (``store``, ``sources[].path``) are resolved against the directory of that file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo

from ltvlib.errors import LtvError

__all__ = ["DEFAULTS_PATH", "ParamsError", "ShopParams", "ShopSchema", "load_shop_params", "resolve_shop"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_PATH = PROJECT_ROOT / "params" / "defaults.yaml"
SHOPS_DIR = PROJECT_ROOT / "params" / "shops"
_SHOP_ID = re.compile(r"^[a-z0-9_-]+$")

# Choices owned by other modules, repeated here so loading params stays light (tests/test_params_schema.py
# holds each equal to its owner's list).
NOTEBOOKS = ("rfm", "segments", "journey", "cohorts", "clv", "winback")  # notebooks/*.ipynb
LOADERS = ("auto", "shopify", "mapped", "amazon_orders", "rakuten_rms")  # ltvlib.io.load.LOADERS
JOURNEY_SOURCES = ("status_grid", "stage_scenario", "channel", "product_line", "winback", "segments")
JOURNEY_OPTIONS = {"channel": ("within_days",), "product_line": ("fan_orders",),
                   "winback": ("dormant_days", "returned_days")}  # ltvlib.journey.spec._OPTIONS
SPLIT_BY = ("first_product_line", "first_product", "first_channel", "first_discount_code", "first_source")
MAPPING_COLUMNS = (  # ltvlib.io.generic.COLUMN_KEYS
    "order_id", "ordered_at", "order_name", "customer_id", "email", "currency", "status", "cancelled_at",
    "source", "location", "tags", "discount_codes", "product", "sku", "vendor", "quantity", "unit_price",
    "line_total", "line_discount", "total", "subtotal", "discount_amount", "shipping", "taxes", "refunded_amount",
)


class ParamsError(LtvError):
    """A shop params file is missing, malformed or invalid; the message names file and key."""


class _Invalid(ValueError):
    """A value fails a field check: the message is built from the field's description."""


# -- the schema --------------------------------------------------------------------------------------------
def _zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _Invalid() from None
    return value


def _date(value: Any) -> Any:
    """YAML gives unquoted dates as dates; a quoted ISO date is accepted too."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Invalid() from None
    return value


def _increasing(values: list[int]) -> list[int]:
    if values != sorted(set(values)):
        raise _Invalid()
    return values


def _one_char(value: str) -> str:
    if len({"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}.get(value, value)) != 1:
        raise _Invalid()
    return value


def _text_or(model: type[BaseModel], what: str) -> Any:
    """A value that is either a text or a mapping checked by ``model`` (errors name which one was meant)."""
    return Annotated[
        Annotated[str, Tag("text")] | Annotated[model, Tag("mapping")],
        Discriminator(lambda v: "text" if isinstance(v, str) else "mapping" if isinstance(v, (dict, BaseModel)) else None),
        Field(description=what),
    ]


def _f(description: str, **kw: Any) -> Any:
    """A schema field: no default of its own (``params/defaults.yaml`` holds them), ``description`` says what
    is allowed ("it must be <description>")."""
    return Field(None, description=description, **kw)


Days = Annotated[int, Field(ge=1)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
DAYS = "a whole number of days, 1 or more"
COUNT = "a whole number, 1 or more"
SHARE = "a number between 0 and 1"
DATE = "a date like 2026-06-30"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


class Thresholds(_Section):
    active_days: Days = _f(DAYS)
    at_risk_days: Days = _f(DAYS)
    dormant_days: Days = _f(DAYS)
    repeat_orders: Annotated[int, Field(ge=2)] = _f("a whole number of orders, 2 or more")
    loyal_orders: Annotated[int, Field(ge=3)] = _f("a whole number of orders, 3 or more")
    f_score_breaks: Annotated[list[Days], Field(min_length=4, max_length=4), AfterValidator(_increasing)] = _f(
        "4 increasing order counts like [2, 3, 5, 10]")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        days = (self.active_days, self.at_risk_days, self.dormant_days)
        if None not in days and not days[0] < days[1] < days[2]:
            raise ValueError("must satisfy active_days < at_risk_days < dormant_days (they are "
                             f"{days[0]}, {days[1]} and {days[2]})")
        if None not in (self.repeat_orders, self.loyal_orders) and not self.repeat_orders < self.loyal_orders:
            raise ValueError(f"must satisfy repeat_orders < loyal_orders (they are {self.repeat_orders} and "
                             f"{self.loyal_orders})")
        return self


class SegmentDefinition(_Section):
    condition: str = Field(description="a condition text, e.g. orders >= 2")
    en: str = _f("a text")
    ja: str = _f("a text")
    description: str = _f("a text")
    group: str = _f("a name")
    for_each: str = _f("a field name, e.g. first_order.product_line")


class Title(_Section):
    en: str = _f("a text")
    ja: str = _f("a text")


class JourneyOptions(_Section):
    within_days: Days | None = _f(f"{DAYS}, or null (ever)")
    fan_orders: Days = _f(COUNT)
    dormant_days: Days = _f(DAYS)
    returned_days: Days = _f(DAYS)


Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class Journey(_Section):
    title: _text_or(Title, "a text or a mapping with en and ja") = None
    source: Literal[JOURNEY_SOURCES] = Field(description=f"one of {', '.join(JOURNEY_SOURCES)}")
    segments: list[str] = _f("a list of segment names")
    arrows: list[Pair] = _f("a list of [from, to] pairs")
    trend: list[Pair] = _f("a list of [from, to] pairs")
    window_days: Days = _f(DAYS)
    trend_weeks: Literal[26, 52] = _f("26 or 52")
    options: JourneyOptions = _f("a mapping of options")
    enabled: bool = _f("true or false")

    @model_validator(mode="after")
    def _fits_source(self) -> Journey:
        allowed = JOURNEY_OPTIONS.get(self.source, ())
        extra = [k for k in (self.options.model_fields_set if self.options else ()) if k not in allowed]
        if extra:
            raise ValueError(f"has options.{extra[0]}, which source '{self.source}' does not use (its options: "
                             f"{', '.join(allowed) or 'none'})")
        if self.source == "segments" and not self.segments:
            raise ValueError("needs 'segments': the names of the condition segments it follows")
        return self


class Branding(_Section):
    title: str | None = _f("a text or null")
    prepared_by: str | None = _f("a text or null")
    accent: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = _f(
        "a colour as #RRGGBB (e.g. '#2f5d8a', quoted), or null")
    logo: str | None = _f("the path of a PNG, JPEG or SVG file (relative to the params file), or null")


class Report(_Section):
    audience: Literal["client", "analyst"] = _f("'client' or 'analyst'")
    notebooks: Annotated[list[Literal[NOTEBOOKS]], Field(min_length=1)] = _f(
        f"a list of notebooks from {', '.join(NOTEBOOKS)}")
    show_personal_data: bool = _f("true or false")
    execution_timeout: Annotated[int, Field(ge=1)] = _f("a whole number of seconds, 1 or more")
    jobs: Annotated[int, Field(ge=1, le=64)] | None = _f("a whole number from 1 to 64, or null (one per core, at most 2)")
    branding: Branding = _f("a mapping with title, prepared_by, accent and logo")


class Cohorts(_Section):
    period: Literal["month", "week", "quarter"] = _f("'month', 'week' or 'quarter'")
    split_by: list[Literal[SPLIT_BY]] = _f(f"a list of attributes from {', '.join(SPLIT_BY)}")
    max_periods: Days = _f(COUNT)
    spend_file: str | None = _f("the path of a marketing-spend CSV (relative to the params file), or null")


class Clv(_Section):
    model: Literal["auto", "bgnbd", "pareto_nbd", "mbgnbd"] = _f("'auto', 'bgnbd', 'pareto_nbd' or 'mbgnbd'")
    time_unit: Literal["D", "W"] = _f("'D' (days) or 'W' (weeks)")
    discount_rate: Annotated[float, Field(ge=0, le=1)] = _f(f"an annual rate, {SHARE}")
    penalizer: Annotated[float, Field(ge=0)] = _f("a number, 0 or more")
    calibration_end: Date | None = _f(f"{DATE} or null")
    horizons_days: Annotated[list[Days], Field(min_length=1)] = _f("a list of whole numbers of days, e.g. [90, 365]")
    spend_model: Literal["gamma_gamma", "aov"] = _f("'gamma_gamma' or 'aov'")
    min_repeat_customers: Days = _f(COUNT)
    max_fm_correlation: Annotated[float, Field(ge=0, le=1)] = _f(SHARE)
    bootstrap_draws: Annotated[int, Field(ge=0)] = _f("a whole number, 0 (no intervals) or more")


class Winback(_Section):
    lapsed_days: Days | None = _f(f"{DAYS}, or null (thresholds.active_days + 1)")
    horizon_days: Days = _f(DAYS)
    top_n: Days | None = _f(f"{COUNT}, or null (no limit)")
    min_score: Annotated[float, Field(ge=0, le=1)] | None = _f(f"{SHARE}, or null")
    control_share: Annotated[float, Field(ge=0, lt=1)] = _f("a number from 0 up to (not including) 1")
    seed: Annotated[int, Field(ge=0)] = _f("a whole number, 0 or more")
    backtest_cutoff: Date | None = _f(f"{DATE} or null")
    peak_months: list[Annotated[int, Field(ge=1, le=12)]] = _f("a list of months, each 1 to 12")
    rank_by: Literal["expected_return_value", "p_return"] = _f("'expected_return_value' or 'p_return'")


class ColumnMapping(_Section):
    """A mapped loader's columns and options (see ``ltvlib.io.generic``)."""

    order_id: str | None = _f("a column name")
    ordered_at: str | None = _f("a column name")
    order_name: str | None = _f("a column name or null")
    customer_id: str | None = _f("a column name or null")
    email: str | None = _f("a column name or null")
    currency: str | None = _f("a column name or null")
    status: str | None = _f("a column name or null")
    cancelled_at: str | None = _f("a column name or null")
    source: str | None = _f("a column name or null")
    location: str | None = _f("a column name or null")
    tags: str | None = _f("a column name or null")
    discount_codes: str | None = _f("a column name or null")
    product: str | None = _f("a column name or null")
    sku: str | None = _f("a column name or null")
    vendor: str | None = _f("a column name or null")
    quantity: str | None = _f("a column name or null")
    unit_price: str | None = _f("a column name or null")
    line_total: str | None = _f("a column name or null")
    line_discount: str | None = _f("a column name or null")
    total: str | None = _f("a column name or null")
    subtotal: str | None = _f("a column name or null")
    discount_amount: str | None = _f("a column name or null")
    shipping: str | None = _f("a column name or null")
    taxes: str | None = _f("a column name or null")
    refunded_amount: str | None = _f("a column name or null")
    amounts: Literal["order", "line"] = _f("'order' or 'line'")
    cancelled_values: list[str] = _f("a list of status texts")
    channel: str | None = _f("a text or null")
    default_currency: Currency | None = _f("a 3-letter currency code like JPY, or null")
    datetime_format: str | None = _f("a strptime format like %Y/%m/%d %H:%M, or null")
    sep: Annotated[str, AfterValidator(_one_char)] | None = _f("one character, 'tab', or null")


class ProductLines(_Section):
    from_: Literal["vendor", "title"] = Field(alias="from", description="'vendor' or 'title'")
    map: dict[str, str] = _f("a mapping of title text -> product line")

    @model_validator(mode="after")
    def _title_needs_map(self) -> ProductLines:
        if self.from_ == "title" and not self.map:
            raise ValueError("has 'from: title' but no 'map' of title text -> product line")
        return self


class Source(_Section):
    path: str = Field(description="a file path")
    loader: Literal[LOADERS] = _f(f"one of {', '.join(LOADERS)}")
    mapping: ColumnMapping = _f("a mapping of columns")
    product_lines: ProductLines = _f("a mapping with 'from' (and 'map')")

    @model_validator(mode="after")
    def _mapping_fits_loader(self) -> Source:
        if self.loader == "shopify" and self.mapping is not None:
            raise ValueError("has a 'mapping', which loader 'shopify' does not use (remove it, or use loader: mapped)")
        if self.loader == "mapped":
            given = self.mapping.model_fields_set if self.mapping else set()
            missing = [k for k in ("order_id", "ordered_at") if k not in given]
            if missing:
                raise ValueError(f"uses loader 'mapped', whose mapping needs '{missing[0]}: <column name>'")
        return self


class ShopSchema(_Section):
    """Every key of a shop's params (defaults merged), with its type, range or choices."""

    shop: Annotated[str, Field(pattern=_SHOP_ID.pattern)] = Field(
        description="a shop id of lower-case letters, digits, '-' and '_'")
    name: str | None = _f("a text")
    currency: Currency = _f("a 3-letter currency code like JPY")
    timezone: Annotated[str, AfterValidator(_zone)] = _f("an IANA time zone like Asia/Tokyo")
    language: Literal["ja", "en"] = _f("'ja' or 'en'")
    store: str = Field(description="a file path")
    sources: list[Annotated[Source, Field(description="a mapping with 'path' (and loader, mapping, product_lines)")]] = (
        _f("a list of sources, each with 'path' (and loader, mapping, product_lines)"))
    as_of: Date | None = _f(f"{DATE} or null")
    thresholds: Thresholds = _f("a mapping of thresholds")
    segments: dict[str, _text_or(SegmentDefinition, "a condition text, a mapping with 'condition', " "or null (switched off)") | None] = _f("a mapping of segment names")
    journeys: dict[str, Annotated[Journey, Field(description="a mapping with 'source' (and title, segments, arrows, "
                                                             "trend, window_days, trend_weeks, options, enabled)")]] = _f(
        "a mapping of journey names")
    report: Report = _f("a mapping of report settings")
    cohorts: Cohorts = _f("a mapping of cohort settings")
    clv: Clv = _f("a mapping of CLV settings")
    winback: Winback = _f("a mapping of win-back settings")


# -- error messages ----------------------------------------------------------------------------------------
_UNIONS = (Union, types.UnionType)


def _unwrap(ann: Any) -> tuple[Any, str | None]:
    """``ann`` without Optional/Annotated layers, and the description found on the way."""
    description = None
    while True:
        if get_origin(ann) is Annotated:
            args = get_args(ann)
            description = next((m.description for m in args[1:] if isinstance(m, FieldInfo) and m.description),
                               description)
            ann = args[0]
        elif get_origin(ann) in _UNIONS and len(get_args(ann)) == 2 and type(None) in get_args(ann):
            ann = next(a for a in get_args(ann) if a is not type(None))
        else:
            return ann, description


def _walk(loc: tuple[Any, ...]) -> tuple[list[Any], list[Any], str | None, Any]:
    """Follow an error location through the schema: (key path, key path of the described part, its
    description, the type reached)."""
    ann: Any = ShopSchema
    path: list[Any] = []
    described: list[Any] = []
    description = None
    for part in loc:
        ann, found = _unwrap(ann)
        if found:
            described, description = list(path), found
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            info = next((f for n, f in ann.model_fields.items() if (f.alias or n) == part), None)
            if info is None:
                break
            path.append(part)
            if info.description:
                described, description = list(path), info.description
            ann = info.annotation
        elif get_origin(ann) in (dict, list):
            path.append(part)
            ann = get_args(ann)[-1]
        elif get_origin(ann) in _UNIONS:  # a tagged union: ``part`` is the tag
            ann = next(a for a in get_args(ann) if any(getattr(m, "tag", None) == part for m in get_args(a)[1:]))
        else:
            break
    ann, found = _unwrap(ann)
    if found and len(path) >= len(described):
        described, description = list(path), found
    return path, described, description, ann


def _key(path: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    text = text.removesuffix("...").strip()
    return text if len(text) <= 80 else text[:77] + "..."


def _lookup(data: Any, path: list[Any]) -> tuple[bool, Any]:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, data


def _message(error: dict[str, Any], data: dict[str, Any], raw: dict[str, Any], path: Path,
             defaults_path: Path) -> tuple[Path, str]:
    """The file that holds the key of one validation error, and one sentence about it."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent, _, _, model = _walk(loc[:-1])
        keys = [*parent, loc[-1]]
        valid = [f.alias or n for n, f in model.model_fields.items()] if isinstance(model, type) else []
        near = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.5)
        hint = f" Did you mean '{near[0]}'?" if near else f" Valid keys here: {', '.join(valid)}."
        file = path if _lookup(raw, keys)[0] else defaults_path
        return file, f"unknown key '{_key(keys)}'.{hint}"
    keys, described, description, _ = _walk(loc)
    if kind == "missing":
        file = path if len(keys) == 1 or _lookup(raw, keys[:-1])[0] else defaults_path
        return file, f"required key '{_key(keys)}' is missing."
    problem = error.get("ctx", {}).get("error")
    if kind == "value_error" and problem is not None and not isinstance(problem, _Invalid):
        file = path if _lookup(raw, keys)[0] else defaults_path
        return file, f"{_key(keys)} {problem}."
    where = described if description else keys
    file = path if _lookup(raw, where)[0] else defaults_path
    value = _show(_lookup(data, where)[1])
    allowed = description or error["msg"].removeprefix("Input should be ").removeprefix("input should be ")
    return file, f"{_key(where)} is {value}; it must be {allowed}."


def _validate(data: dict[str, Any], raw: dict[str, Any], path: Path, defaults_path: Path) -> dict[str, Any]:
    """``data`` checked against :class:`ShopSchema`, as plain dicts of the keys given."""
    try:
        return ShopSchema.model_validate(data).model_dump(exclude_unset=True, by_alias=True)
    except ValidationError as e:
        errors = e.errors()
        unknown = [err for err in errors if err["type"] == "extra_forbidden"]
        chosen = unknown or errors  # a misspelt key also makes its right name "missing": report the typo
        by_file: dict[Path, list[str]] = {}
        for err in chosen:
            file, sentence = _message(err, data, raw, path, defaults_path)
            if sentence not in by_file.setdefault(file, []):
                by_file[file].append(sentence)
        text = " ".join(f"{file}: {' '.join(sentences[:5])}" + (f" ({len(sentences) - 5} more)" if len(sentences) > 5
                        else "") for file, sentences in by_file.items())
        raise ParamsError(text) from None


# -- loading -----------------------------------------------------------------------------------------------
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


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that an impossible date (2026-02-30) stays text for the schema to report."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as e:
        raise ParamsError(f"{path}: not valid YAML: {' '.join(str(e).split())}") from None
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


def load_shop_params(shop: str | Path, defaults_path: Path = DEFAULTS_PATH) -> ShopParams:
    """Load, merge with defaults, and validate the params of ``shop`` (id or path)."""
    path = resolve_shop(shop)
    raw = _read_yaml(path)
    for key in ("shop", "store"):
        if key not in raw:
            raise ParamsError(f"{path}: required key '{key}' is missing.")
    data = _validate(_merge(_read_yaml(defaults_path), raw), raw, path, defaults_path)
    base = path.parent
    return ShopParams(
        path=path,
        shop=data["shop"],
        name=str(data.get("name") or data["shop"]),
        currency=data["currency"],
        timezone=data["timezone"],
        language=data["language"],
        store=(base / data["store"]).resolve(),
        sources=[{**src, "path": (base / src["path"]).resolve()} for src in data.get("sources") or []],
        as_of=data.get("as_of"),
        thresholds=data["thresholds"],
        segments=data.get("segments") or {},
        journeys=data.get("journeys") or {},
        report=data["report"],
        cohorts=data.get("cohorts") or {},
        clv=data.get("clv") or {},
        winback=data.get("winback") or {},
    )
