"""English and Japanese display names for segments, columns and chart text.

Reports choose a language per shop (``language: ja | en``); code keys never change. Each analysis
keeps its names in its own file here (``rfm.py``, ``cohorts.py``, ...); this module merges them.
Text from data (shop and product names, segment labels from params) goes into Markdown through
``md`` (``ltvlib.text.md``), so notebooks need no other import to show it safely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ltvlib.labels import clv, cohorts, common, journey, rfm, segments, winback
from ltvlib.text import md

__all__ = ["LABELS", "definitions", "label", "labeller", "md", "number_text", "present", "say", "span", "value_name",
           "with_range"]

LABELS: dict[str, dict[str, str]] = {}
for _part in (common, rfm, cohorts, clv, segments, winback, journey):
    LABELS.update(_part.LABELS)
del _part


def label(key: str, language: str) -> str:
    """Display name of ``key`` in ``language``; cells like ``repeat_at_risk`` are composed; unknown keys pass through."""
    entry = LABELS.get(key)
    if entry is not None:
        return entry.get(language, entry["en"])
    for stage in ("first", "repeat", "loyal"):
        if key.startswith(stage + "_") and key[len(stage) + 1 :] in LABELS:
            sep = "・" if language == "ja" else " · "
            return label(stage, language) + sep + label(key[len(stage) + 1 :], language)
    return key


CHANNEL_FIELDS = frozenset({"channel", "channels", "first_channel", "last_channel", "first_order.channel",
                            "last_order.channel"})


def value_name(field: str, value: str, language: str) -> str:
    """Display name of a coded value of ``field`` (channels: ``online_store`` is "Online store"); any other
    value (product lines, codes, names from the export) is shown as it is, never looked up as a label."""
    if field in CHANNEL_FIELDS and value in LABELS:
        return label(value, language)
    return value


def say(key: str, language: str, *, audience: str | None = None, **facts: object) -> str:
    """A sentence of the report in ``language``: the template ``key`` with its facts filled in.

    Templates are labels with ``{name}`` fields (e.g. ``"CLV needs at least {needed} repeat buyers;
    this shop has {have}."``); facts are formatted by the caller, so one sentence reads the same on every page.
    For the ``client`` audience a template ``<key>_client`` is used where there is one: the same fact without
    the params keys or commands an analyst would act on.
    """
    if audience == "client" and f"{key}_client" in LABELS:
        key = f"{key}_client"
    template = label(key, language)
    if language == "en":
        template = _agree(template, facts)
    return template.format(**facts)


# "{n} customers have", "{n} new customers", "{days} days": a counted English noun (and the verb after it)
_COUNTED = re.compile(r"\{(\w+)\}(\**) ((?:new |lapsed |repeat |returning |purchase |distinct |other )?)"
                      r"(customers|orders|purchases|days|episodes|buyers|items|lists|segments|weeks|months|lines)\b"
                      r"(\**)(?: (have|are|were)\b)?")
_SINGULAR_VERB = {"have": "has", "are": "is", "were": "was"}


def _agree(template: str, facts: Mapping[str, object]) -> str:
    """``template`` with each counted noun singular where its count is exactly 1 ("1 customer has", not
    "1 customers have"). Only the template's own words change, never the facts (text from data)."""
    def fix(m: re.Match[str]) -> str:
        if str(facts.get(m.group(1), "")) != "1":
            return m.group(0)
        verb = f" {_SINGULAR_VERB[m.group(6)]}" if m.group(6) else ""
        return f"{{{m.group(1)}}}{m.group(2)} {m.group(3)}{m.group(4)[:-1]}{m.group(5)}{verb}"

    return _COUNTED.sub(fix, template)


def _num(v: float) -> str:
    return f"{int(v):,}"


def span(kind: str, word: str, language: str, thresholds: Mapping[str, Any], *, short: bool = False) -> str:
    """The range a threshold-based word stands for, e.g. ``181–360 days since the last order`` /
    ``最終購入から181〜360日``, ``5+ orders``; ``short``: ``181–360 days``."""
    from ltvlib.rfm import threshold_ranges

    r = threshold_ranges(thresholds).loc[(kind, word)]
    parts = []
    for lo, hi, unit in ((r.min_orders, r.max_orders, "orders"), (r.min_days, r.max_days, "days")):
        if lo != lo:
            continue
        key = f"range_{unit}" + ("_short" if short else "")
        if unit == "days" and lo == 0 and hi == hi:
            key = "range_within_days" + ("_short" if short else "")
        elif hi != hi:
            key += "_plus"
        elif lo == hi:
            key = "range_one_order" if lo == 1 else key + "_one"
        text = say(key, language, lo=_num(lo), hi=_num(hi) if hi == hi else "")
        parts.append(text)
    return label("range_and", language).join(parts)


def with_range(word: str, language: str, thresholds: Mapping[str, Any], kind: str = "recency_status") -> str:
    """A threshold-based word with its range: ``Dormant (181–360 days)`` / ``休眠（181〜360日）``."""
    inner = span(kind, word, language, thresholds, short=True)
    return f"{label(word, language)}（{inner}）" if language == "ja" else f"{label(word, language)} ({inner})"


def definitions(thresholds: Mapping[str, Any], language: str,
                kinds: tuple[str, ...] = ("recency_status", "stage", "scenario_stage")) -> str:
    """A Markdown definitions box: every threshold-based word of ``kinds`` with the range it stands for."""
    from ltvlib.rfm import threshold_ranges

    table = threshold_ranges(thresholds)
    lines = [f"**{label('definitions', language)}**", ""]
    for kind in kinds:
        words = [w for k, w in table.index if k == kind]
        items = " · ".join(f"{label(w, language)}: {span(kind, w, language, thresholds)}" for w in words)
        lines.append(f"- {label('kind_' + kind, language)} — {items}")
    return "\n".join("> " + line if line else ">" for line in lines)


def labeller(language: str):
    """A one-argument function mapping keys to display names, for ``Index.map`` and chart axes."""
    return lambda key: label(str(key), language)


def number_text(value: float, spec: str) -> str:
    """``format(value, spec)`` without a negative zero: a tiny negative shown as ``-0.0%`` reads as a loss, so
    anything that rounds to zero is shown as zero (``+0.0%`` with a ``+`` spec)."""
    text = format(value, spec)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return format(0.0, spec)
    return text


def present(df, language: str, formats: dict[str, str] | None = None):
    """A display copy of a metrics table: labelled index and columns, numbers formatted as text.

    ``formats`` maps column names to format specs (default: ``,.0f``; shares ``.1%``).
    """
    formats = formats or {}
    out = df.copy()
    for col in out.columns:
        spec = formats.get(col) or (".1%" if col.endswith("share") or col.endswith("rate") else ",.1f"
                                    if col in ("orders_per_customer",) else ",.0f")
        out[col] = out[col].map(lambda v, s=spec: "–" if v is None or v != v else number_text(v, s))
    lab = labeller(language)
    out.index = [lab(i) for i in out.index]
    out.columns = [lab(c) for c in out.columns]
    return out
