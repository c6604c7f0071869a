"""English and Japanese display names for segments, columns and chart text.

Reports choose a language per shop (``language: ja | en``); code keys never change. Each analysis
keeps its names in its own file here (``rfm.py``, ``cohorts.py``, ...); this module merges them.
"""

from __future__ import annotations

from ltvlib.labels import clv, cohorts, common, journey, rfm, segments, winback

__all__ = ["LABELS", "label", "labeller", "present", "say"]

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


def say(key: str, language: str, **facts: object) -> str:
    """A sentence of the report in ``language``: the template ``key`` with its facts filled in.

    Templates are labels with ``{name}`` fields (e.g. ``"CLV needs at least {needed} repeat buyers;
    this shop has {have}."``); facts are formatted by the caller, so one sentence reads the same on every page.
    """
    return label(key, language).format(**facts)


def labeller(language: str):
    """A one-argument function mapping keys to display names, for ``Index.map`` and chart axes."""
    return lambda key: label(str(key), language)


def present(df, language: str, formats: dict[str, str] | None = None):
    """A display copy of a metrics table: labelled index and columns, numbers formatted as text.

    ``formats`` maps column names to format specs (default: ``,.0f``; shares ``.1%``).
    """
    formats = formats or {}
    out = df.copy()
    for col in out.columns:
        spec = formats.get(col) or (".1%" if col.endswith("share") or col.endswith("rate") else ",.1f"
                                    if col in ("orders_per_customer",) else ",.0f")
        out[col] = out[col].map(lambda v, s=spec: "–" if v != v else format(v, s))
    lab = labeller(language)
    out.index = [lab(i) for i in out.index]
    out.columns = [lab(c) for c in out.columns]
    return out
