"""Segments: condition segments in a small language, list segments, metrics, exports and campaigns.

* ``membership`` / ``Segmenter``: condition segments (params ``segments``) evaluated at any ``as_of``;
  build one ``Segmenter`` and call ``membership`` per date when evaluating many dates.
* ``parse`` / ``compile_condition`` / ``SegmentError``: the condition language (``language``), fields in
  ``FIELDS`` / ``ORDER_FIELDS`` (``fields``).
* ``lists``: frozen list segments persisted in the shop's store (freeze, combine, import, load).
* ``metrics`` (metrics and growth), ``exports`` (hand-off CSVs), ``campaign`` (target vs control),
  ``prose`` (report text), ``builder`` (the analyst's ipywidgets builder).
"""

from ltvlib.segments import campaign, exports, lists, metrics, prose
from ltvlib.segments.evaluate import (
    Definition,
    Segmenter,
    compile_condition,
    library,
    membership,
    order_columns,
)
from ltvlib.segments.fields import FIELDS, ORDER_FIELDS, OrderHistory, Snapshot
from ltvlib.segments.language import SegmentError, parse

__all__ = [
    "FIELDS",
    "ORDER_FIELDS",
    "Definition",
    "OrderHistory",
    "SegmentError",
    "Segmenter",
    "Snapshot",
    "campaign",
    "compile_condition",
    "exports",
    "library",
    "lists",
    "membership",
    "metrics",
    "order_columns",
    "parse",
    "prose",
]
