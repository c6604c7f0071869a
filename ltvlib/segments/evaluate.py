"""Compiling conditions against the field catalogue and evaluating segment libraries vectorised.

``compile_condition`` resolves field aliases, checks every field, operator and value (an error points
at the place and names the nearest valid field), and turns dates into day numbers. ``Segmenter``
holds a shop's prepared order history and its segment library (``params`` ``segments``), and gives
membership at any ``as_of``; ``membership`` is the one-call form.

Semantics: conditions are two-valued. A comparison with a missing value (a customer's first order had
no discount code; ``mean_interval_days`` of a one-day buyer) is false, and ``NOT`` / ``!=`` / ``NOT IN``
/ ``NOT CONTAINS`` are its exact complements, so ``A AND NOT A`` is always empty and ``A OR NOT A``
always everyone. Text values match exactly (case-sensitive); ``CONTAINS`` on a text field matches a
substring, on a set field an element. ``WITHIN n DAYS`` means ordered on one of the last n days before
``as_of`` or on it (``days_since_last_order <= n``, as the recency thresholds count).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.customers import day_number
from ltvlib.labels import value_name
from ltvlib.segments.fields import (
    ALIASES,
    FIELDS,
    FIXED_VALUES,
    HISTORY_COLUMNS,
    ORDER_COLUMNS,
    ORDER_FIELDS,
    SET_SOURCES,
    OrderHistory,
    Snapshot,
    field_values,
    prepare,
)
from ltvlib.segments.language import (
    Aggregate,
    And,
    Compare,
    Field,
    Node,
    Not,
    Or,
    SegmentError,
    SegmentRef,
    nearest,
    parse,
)

__all__ = ["DEFINITION_KEYS", "Definition", "Segmenter", "compile_condition", "library", "membership",
           "order_columns"]

DEFINITION_KEYS = ("condition", "en", "ja", "description", "group", "for_each")
_OPS = {
    "number": {"=", "!=", "<", "<=", ">", ">=", "between", "in", "is_null"},
    "date": {"=", "!=", "<", "<=", ">", ">=", "between", "in", "is_null"},
    "text": {"=", "!=", "in", "contains", "is_null"},
    "set": {"contains", "contains_any", "contains_all", "contains_only", "is_null"},
}
_OP_TEXT = {"between": "BETWEEN", "in": "IN", "contains": "CONTAINS", "contains_any": "CONTAINS ANY",
            "contains_all": "CONTAINS ALL", "contains_only": "CONTAINS ONLY", "is_null": "IS NULL"}
_HINT = {
    "number": "Numbers compare with =, !=, <, <=, >, >=, BETWEEN a AND b, IN (...), IS NULL.",
    "date": "Dates compare with =, <, <=, >, >=, BETWEEN '2026-01-01' AND '2026-03-31'.",
    "text": "Text fields use = 'x', != 'x', IN ('x', 'y'), CONTAINS 'part', IS NULL.",
    "set": "Set fields use CONTAINS 'x', NOT CONTAINS 'x', CONTAINS ANY/ALL/ONLY ('x', 'y'), IS NULL.",
}


# -- compiling ---------------------------------------------------------------------------------------------
def _first_non_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


class _Compiler:
    def __init__(self, text: str, segment_names: Iterable[str] | None) -> None:
        self.text = text
        self.segment_names = None if segment_names is None else list(segment_names)
        self.refs: list[str] = []

    def error(self, message: str, pos: int, length: int = 1, hint: str | None = None) -> SegmentError:
        return SegmentError(message, condition=self.text, position=pos, length=length, hint=hint)

    def node(self, node: Node, scope: str) -> Node:
        if isinstance(node, (Or, And)):
            return type(node)(tuple(self.node(i, scope) for i in node.items))
        if isinstance(node, Not):
            return Not(self.node(node.item, scope))
        if isinstance(node, SegmentRef):
            if scope == "order":
                raise self.error("segment(...) cannot be used inside count(orders WHERE ...)", node.start,
                                 node.end - node.start)
            if self.segment_names is not None and node.name not in self.segment_names:
                near = nearest(node.name, self.segment_names)
                raise self.error(f"unknown segment '{node.name}'", node.start, node.end - node.start,
                                 f"Did you mean segment('{near}')?" if near else
                                 "Name a segment defined in the params or a frozen list.")
            self.refs.append(node.name)
            return node
        assert isinstance(node, Compare)
        operand, kind = self.operand(node.operand, scope)
        if node.op not in _OPS[kind]:
            pos = _first_non_space(self.text, node.operand.end)
            op = _OP_TEXT.get(node.op, node.op)
            raise self.error(f"{op} does not apply to {kind} field '{self.label(node.operand)}'", pos,
                             len(op), _HINT[kind])
        values = tuple(self.value(v, kind, p) for v, p in zip(node.values, node.value_starts))
        if node.op == "between" and values[0] > values[1]:
            raise self.error("BETWEEN needs the smaller value first", node.value_starts[0],
                             hint=f"Write BETWEEN {node.values[1]} AND {node.values[0]}.")
        return dataclasses.replace(node, operand=operand, values=values)

    @staticmethod
    def label(operand: Field | Aggregate) -> str:
        return operand.name if isinstance(operand, Field) else f"{operand.func}({operand.target})"

    def operand(self, operand: Field | Aggregate, scope: str) -> tuple[Field | Aggregate, str]:
        if isinstance(operand, Aggregate):
            if scope == "order":
                raise self.error("count/sum/avg cannot be nested", operand.start, operand.end - operand.start)
            return self.aggregate(operand), "number"
        catalogue = FIELDS if scope == "customer" else ORDER_FIELDS
        name = ALIASES.get(operand.name, operand.name) if scope == "customer" else operand.name
        spec = catalogue.get(name)
        if spec is None:
            raise self.unknown_field(operand.name, operand.start, scope)
        if operand.window is not None and not spec.window:
            windowed = ", ".join(n for n, s in FIELDS.items() if s.window)
            raise self.error(f"WITHIN n DAYS does not apply to '{operand.name}'", operand.start,
                             operand.end - operand.start,
                             f"It applies to {windowed}; for orders write count(orders WITHIN n DAYS).")
        if operand.window is not None and operand.window < 0:
            raise self.error("WITHIN needs a positive number of days", operand.start)
        return dataclasses.replace(operand, name=name), spec.kind

    def unknown_field(self, name: str, pos: int, scope: str) -> SegmentError:
        if scope == "customer":
            choices = [*FIELDS, *ALIASES]
            if name in ORDER_FIELDS:
                hint = (f"'{name}' is a field of single orders: use it inside count(orders WHERE {name} ...), or "
                        f"a customer field such as {nearest(name, choices) or 'first_order.' + name}.")
                return self.error(f"unknown field '{name}'", pos, len(name), hint)
        else:
            choices = list(ORDER_FIELDS)
        near = nearest(name, choices)
        hint = f"Did you mean '{near}'?" if near else "Valid fields: " + ", ".join(choices) + "."
        return self.error(f"unknown field '{name}'", pos, len(name), hint)

    def aggregate(self, agg: Aggregate) -> Aggregate:
        if agg.window is not None and agg.window < 0:
            raise self.error("WITHIN needs a positive number of days", agg.start)
        if agg.func == "count":
            if agg.target == "orders":
                where = None if agg.where is None else self.node(agg.where, "order")
                return dataclasses.replace(agg, where=where)
            name = ALIASES.get(agg.target, agg.target)
            if FIELDS.get(name) is not None and FIELDS[name].kind == "set" and FIELDS[name].window:
                if agg.where is not None:
                    raise self.error("WHERE applies to count(orders ...) only", agg.target_start, len(agg.target))
                return dataclasses.replace(agg, target=name)
            near = nearest(agg.target, ["orders", *(n for n, s in FIELDS.items() if s.window)])
            raise self.error(f"count() counts orders or the distinct values of a set field, not '{agg.target}'",
                             agg.target_start, len(agg.target), f"Did you mean count({near or 'orders'})?")
        spec = ORDER_FIELDS.get(agg.target)
        if spec is None or spec.kind != "number":
            numbers = [n for n, s in ORDER_FIELDS.items() if s.kind == "number"]
            near = nearest(agg.target, numbers)
            raise self.error(f"{agg.func}() needs a number field of orders, not '{agg.target}'", agg.target_start,
                             len(agg.target), f"Did you mean {agg.func}({near or 'net_revenue'})?")
        where = None if agg.where is None else self.node(agg.where, "order")
        return dataclasses.replace(agg, where=where)

    def value(self, value: str | float, kind: str, pos: int) -> Any:
        if kind == "number":
            if isinstance(value, str):
                raise self.error(f"'{value}' is text, but this field is a number", pos, len(value) + 2,
                                 "Write numbers without quotes, e.g. 100000 or 100_000.")
            return float(value)
        if kind == "date":
            try:
                return day_number(dt.date.fromisoformat(str(value)))
            except ValueError:
                raise self.error(f"{value!r} is not a date", pos, len(str(value)) + 2,
                                 "Write dates as 'YYYY-MM-DD'; for days before as_of use days_since_last_order "
                                 "or days_since_first_order.") from None
        return value if isinstance(value, str) else (str(int(value)) if float(value).is_integer() else str(value))


def compile_condition(condition: str, segment_names: Iterable[str] | None = None) -> tuple[Node, list[str]]:
    """Parse and check ``condition``; return its tree (canonical names, dates as day numbers) and the
    segments it references. ``segment_names`` (None = don't check) are the names ``segment()`` may use."""
    c = _Compiler(condition, segment_names)
    node = c.node(parse(condition), "customer")
    return node, list(dict.fromkeys(c.refs))


# -- the segment library -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Definition:
    """A condition segment: name, condition text, display names and the compiled tree."""

    name: str
    condition: str
    en: str
    ja: str
    description: str
    group: str
    node: Node = dataclasses.field(repr=False, compare=False)
    refs: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        return self.ja if language == "ja" else self.en


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _entries(definitions: Mapping[str, Any], history: OrderHistory | None) -> list[dict[str, str]]:
    out = []
    for name, spec in definitions.items():
        if spec is None:  # a shop switches a default segment off with `name: null`
            continue
        if isinstance(spec, str):
            spec = {"condition": spec}
        if not isinstance(spec, Mapping):
            raise SegmentError(f"expected a condition text or a mapping with 'condition', got {spec!r}",
                               segment=str(name))
        for key in spec:
            if key not in DEFINITION_KEYS:
                near = nearest(str(key), DEFINITION_KEYS)
                raise SegmentError(f"unknown key 'segments.{name}.{key}'", segment=str(name),
                                   hint=f"Did you mean '{near}'?" if near else
                                   f"Valid keys: {', '.join(DEFINITION_KEYS)}.")
        if not isinstance(spec.get("condition"), str):
            raise SegmentError("'condition' is missing", segment=str(name), hint="e.g. condition: orders >= 2")
        base = {"name": str(name), "condition": spec["condition"], "en": str(spec.get("en") or name),
                "ja": str(spec.get("ja") or spec.get("en") or name), "description": str(spec.get("description") or ""),
                "group": str(spec.get("group") or "")}
        field = spec.get("for_each")
        if field is None:
            out.append(base)
            continue
        if "{value}" not in base["condition"]:
            raise SegmentError("a for_each segment needs {value} in its condition", segment=str(name))
        spec_of = FIELDS.get(ALIASES.get(str(field), str(field)))
        if spec_of is None or spec_of.kind not in ("text", "set"):
            choices = [n for n, s in FIELDS.items() if s.kind in ("text", "set")]
            near = nearest(str(field), choices)
            raise SegmentError(f"for_each needs a text or set field, not '{field}'", segment=str(name),
                               hint=f"Did you mean '{near}'?" if near else None)
        values = [] if history is None else field_values(history, str(field))
        for v in values:
            out.append({**base, "name": f"{name}:{v}", "condition": base["condition"].replace("{value}", _quote(v)),
                        "en": base["en"].replace("{value}", value_name(str(field), v, "en")),
                        "ja": base["ja"].replace("{value}", value_name(str(field), v, "ja")),
                        "description": base["description"].replace("{value}", v)})
    return out


def library(definitions: Mapping[str, Any], history: OrderHistory | None = None,
            lists: Iterable[str] = ()) -> list[Definition]:
    """The segment library of a shop's params, compiled and checked, in definition order.

    ``for_each`` segments expand to one segment per value of the field in ``history`` (none without it).
    ``lists`` are frozen list names that ``segment('name')`` may also reference. Reference cycles are errors.
    """
    entries = _entries(definitions, history)
    names = [e["name"] for e in entries]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SegmentError(f"segment names must be unique; repeated: {', '.join(sorted(dupes))}")
    known = [*names, *(n for n in lists if n not in names)]
    out = []
    for e in entries:
        try:
            node, refs = compile_condition(e["condition"], known)
        except SegmentError as err:
            raise err.within(e["name"]) from None
        out.append(Definition(**e, node=node, refs=tuple(refs)))
    _check_cycles({d.name: d.refs for d in out})
    return out


def _check_cycles(graph: Mapping[str, Sequence[str]]) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for ref in graph.get(name, ()):
            if state.get(ref) == 1:
                cycle = path[path.index(ref):] + [name, ref] if ref in path else [name, ref]
                raise SegmentError("segments reference each other in a cycle: " + " -> ".join(cycle),
                                   segment=name, hint="A segment cannot depend on itself; break the cycle.")
            if ref in graph and state.get(ref) != 2:
                visit(ref, [*path, name])
        state[name] = 2

    for name in graph:
        if state.get(name) != 2:
            visit(name, [])


# -- evaluation --------------------------------------------------------------------------------------------
def _lookup(vocab: np.ndarray, values: Sequence[str]) -> np.ndarray:
    index = {v: i for i, v in enumerate(vocab)}
    return np.array([index.get(v, -2) for v in values], dtype=np.int64)


def _eval_number(op: str, x: np.ndarray, values: tuple) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if op == "=":
            return x == values[0]
        if op == "!=":
            return ~(x == values[0])
        if op == "<":
            return x < values[0]
        if op == "<=":
            return x <= values[0]
        if op == ">":
            return x > values[0]
        if op == ">=":
            return x >= values[0]
        if op == "between":
            return (x >= values[0]) & (x <= values[1])
        if op == "in":
            return np.isin(x, np.asarray(values, dtype=float))
    return np.isnan(x)  # is_null


def _eval_text(op: str, codes: np.ndarray, vocab: np.ndarray, values: tuple) -> np.ndarray:
    if op == "is_null":
        return codes < 0
    if op == "contains":
        table = np.array([values[0] in v for v in vocab] + [False], dtype=bool)
        return table[codes]  # -1 (null) reads the trailing False
    table = np.zeros(len(vocab) + 1, dtype=bool)  # a lookup table: codes are small integers, -1 reads the end
    wanted = _lookup(vocab, values)
    table[wanted[wanted >= 0]] = True
    hit = table[codes]
    return ~hit if op == "!=" else hit


def _eval_set(op: str, owner: np.ndarray, vals: np.ndarray, vocab: np.ndarray, values: tuple, size: int
              ) -> np.ndarray:
    def having(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(size, dtype=bool)
        out[owner[mask]] = True
        return out

    if op == "is_null":
        return ~having(np.ones(len(owner), dtype=bool))
    codes = _lookup(vocab, values)
    if op == "contains" or len(codes) == 1:
        return having(vals == codes[0]) if op != "contains_only" else (
            having(np.ones(len(owner), dtype=bool)) & ~having(vals != codes[0]))
    if op == "contains_any":
        return having(np.isin(vals, codes))
    if op == "contains_all":
        out = np.ones(size, dtype=bool)
        for c in codes:
            out &= having(vals == c)
        return out
    # contains_only: some value, and none outside the list
    return having(np.ones(len(owner), dtype=bool)) & ~having(~np.isin(vals, codes))


def _having(snap: Snapshot, name: str, window: int | None, op: str, values: tuple) -> np.ndarray:
    """``contains`` / ``contains_any`` / ``contains_all`` of a customer set field through the history's value
    index (``Snapshot.having``): the same answer as ``_eval_set`` on the pairs, without scanning them all."""
    _, _, vocab = snap.history.order_pairs(SET_SOURCES[name])
    codes = _lookup(vocab, values)
    if op == "contains_all":
        out = np.ones(len(snap), dtype=bool)
        for c in codes:
            out &= snap.having(name, [c], window)
        return out
    return snap.having(name, codes[:1] if op == "contains" else codes, window)


class _Evaluator:
    def __init__(self, snap: Snapshot, refs: Mapping[str, np.ndarray]) -> None:
        self.snap, self.refs, self.h = snap, refs, snap.history

    def customer(self, node: Node) -> np.ndarray:
        return self.bool(node, None)

    def bool(self, node: Node, lo: int | None) -> np.ndarray:
        """Evaluate ``node`` over customers (``lo`` None) or over orders ``lo:m`` (inside aggregates)."""
        if isinstance(node, Or):
            out = self.bool(node.items[0], lo)
            for item in node.items[1:]:
                out = out | self.bool(item, lo)
            return out
        if isinstance(node, And):
            out = self.bool(node.items[0], lo)
            for item in node.items[1:]:
                out = out & self.bool(item, lo)
            return out
        if isinstance(node, Not):
            return ~self.bool(node.item, lo)
        if isinstance(node, SegmentRef):
            return self.refs[node.name]
        assert isinstance(node, Compare)
        return self.compare(node, lo)

    def compare(self, node: Compare, lo: int | None) -> np.ndarray:
        operand, op, values = node.operand, node.op, node.values
        if isinstance(operand, Aggregate):
            return _eval_number(op, self.aggregate(operand), values)
        snap, h = self.snap, self.h
        if lo is None:
            kind = FIELDS[operand.name].kind
            if kind == "number":
                return _eval_number(op, snap.number(operand.name), values)
            if kind == "date":
                return _eval_number(op, snap.date(operand.name).astype(float), values)
            if kind == "text":
                return _eval_text(op, *snap.text(operand.name), values)
            if op in ("contains", "contains_any", "contains_all") and not operand.name.startswith(
                    ("first_order.", "last_order.")):
                return _having(snap, operand.name, operand.window, op, values)
            cust, vals, vocab = snap.pairs(operand.name, operand.window)
            return _eval_set(op, cust, vals, vocab, values, len(snap))
        m, name = snap.m, operand.name
        kind = ORDER_FIELDS[name].kind
        if kind == "number":
            x = (snap.day - h.day[lo:m]).astype(float) if name == "days_ago" else h.order_number(name)[lo:m]
            return _eval_number(op, x, values)
        if kind == "date":
            return _eval_number(op, h.day[lo:m].astype(float), values)
        if kind == "text":
            codes, vocab = h.order_text(name)
            return _eval_text(op, codes[lo:m], vocab, values)
        pos, vals, vocab = h.order_pairs(name)
        a, b = np.searchsorted(pos, [lo, m])
        return _eval_set(op, pos[a:b] - lo, vals[a:b], vocab, values, m - lo)

    def aggregate(self, agg: Aggregate) -> np.ndarray:
        snap, h = self.snap, self.h
        lo, m, n = snap.window_start(agg.window), snap.m, len(snap)
        if agg.func == "count" and agg.target != "orders":
            cust, vals, vocab = snap.pairs(agg.target, agg.window)
            width = max(len(vocab), 1)
            distinct = np.unique(cust.astype(np.int64) * width + vals) // width
            return np.bincount(distinct, minlength=n).astype(float)
        code = h.code[lo:m]
        mask = None if agg.where is None else self.bool(agg.where, lo)
        if mask is not None:
            code = code[mask]
        count = np.bincount(code, minlength=n).astype(float)
        if agg.func == "count":
            return count
        x = h.order_number(agg.target)[lo:m] if agg.target != "days_ago" else (snap.day - h.day[lo:m]).astype(float)
        total = np.bincount(code, weights=x if mask is None else x[mask], minlength=n)
        if agg.func == "sum":
            return total
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.nan)




def _vocab(history: OrderHistory, name: str, scope: str) -> list[str] | None:
    """Values a text or set field can take in ``history`` (None: not checked)."""
    if scope == "customer":
        if name in FIXED_VALUES:
            return list(FIXED_VALUES[name])
        if name in SET_SOURCES:
            return list(history.order_pairs(SET_SOURCES[name])[2])
        if name.startswith(("first_order.", "last_order.")):
            attr = name.split(".", 1)[1]
            if attr in ("products", "product_lines", "tags", "discount_codes"):
                return list(history.order_pairs(attr)[2])
            return list(history.order_text(attr)[1])
        return None
    if name in ("products", "product_lines", "tags", "discount_codes"):
        return list(history.order_pairs(name)[2])
    return list(history.order_text(name)[1])


def _lint(node: Node, history: OrderHistory, scope: str, out: list[str]) -> None:
    if isinstance(node, (Or, And)):
        for item in node.items:
            _lint(item, history, scope, out)
    elif isinstance(node, Not):
        _lint(node.item, history, scope, out)
    elif isinstance(node, Compare):
        operand = node.operand
        if isinstance(operand, Aggregate):
            if operand.where is not None:
                _lint(operand.where, history, "order", out)
            return
        kind = (FIELDS if scope == "customer" else ORDER_FIELDS)[operand.name].kind
        if kind not in ("text", "set") or node.op in ("is_null",) or (kind == "text" and node.op == "contains"):
            return
        vocab = _vocab(history, operand.name, scope)
        if vocab is None:
            return
        for v in node.values:
            if v in vocab:
                continue
            near = nearest(str(v), [str(x) for x in vocab])
            msg = f"{operand.name} is never '{v}' in this shop's orders" + (f"; did you mean '{near}'?" if near else "")
            if "product" in operand.name:
                other = "product_lines" if "lines" not in operand.name else "products"
                if v in history.order_pairs(other)[2]:
                    msg += f" ('{v}' is one of the {other.replace('_', ' ')}.)"
            out.append(msg)


def _fields(node: Node, scope: str = "customer") -> Iterator[tuple[str, str]]:
    """(field name, scope) of every field a compiled condition reads."""
    if isinstance(node, (Or, And)):
        for item in node.items:
            yield from _fields(item, scope)
    elif isinstance(node, Not):
        yield from _fields(node.item, scope)
    elif isinstance(node, Compare):
        operand = node.operand
        if isinstance(operand, Field):
            yield operand.name, scope
        elif operand.func == "count" and operand.target != "orders":
            yield operand.target, "customer"
        else:
            if operand.func != "count":
                yield operand.target, "order"
            if operand.where is not None:
                yield from _fields(operand.where, "order")


def order_columns(definitions: Mapping[str, Any]) -> list[str]:
    """The orders columns (``fields.ORDER_COLUMNS``) a ``Segmenter`` of ``definitions`` reads: the order history's
    own (``history.ORDER_COLUMNS``) plus those the definitions' fields (and ``for_each`` fields) are made of, so a
    page loads no column no condition reads (each is tens of megabytes per million orders). All of them when a
    definition does not compile: the ``Segmenter`` then says why."""
    read: list[tuple[str, str]] = []
    try:
        for spec in definitions.values():
            if spec is None:
                continue
            spec = {"condition": spec} if isinstance(spec, str) else dict(spec)
            node, _ = compile_condition(str(spec["condition"]).replace("{value}", "'x'"))
            read.extend(_fields(node))
            if spec.get("for_each") is not None:
                read.append((ALIASES.get(str(spec["for_each"]), str(spec["for_each"])), "customer"))
    except (SegmentError, KeyError, TypeError, ValueError):
        return list(ORDER_COLUMNS)
    need = set(HISTORY_COLUMNS)
    for name, scope in read:
        if scope == "customer":  # sets gather an order attribute; first_order.x / last_order.x read x
            name = SET_SOURCES.get(name, name.split(".", 1)[1] if name.startswith(("first_order.", "last_order."))
                                   else name)
        need.add(name)
    return [c for c in ORDER_COLUMNS if c in need]


class Segmenter:
    """A shop's condition segments, evaluated at any ``as_of`` from its order history.

    ``definitions`` is the params ``segments`` mapping; ``lists`` maps frozen list names to their
    members (for ``segment('list name')``). Build it once and call ``membership`` per date: the order
    history is prepared once (see ``fields.OrderHistory``).
    """

    def __init__(self, orders: pd.DataFrame, line_items: pd.DataFrame | None, definitions: Mapping[str, Any],
                 thresholds: Mapping[str, Any], *, lists: Mapping[str, pd.Index] | None = None,
                 history: OrderHistory | None = None) -> None:
        self.history = history if history is not None else OrderHistory(orders, line_items)
        self.thresholds = dict(thresholds)
        self.lists = {k: pd.Index(v) for k, v in (lists or {}).items()}
        self.definitions = library(definitions, self.history, self.lists)
        self._by_name = {d.name: d for d in self.definitions}
        for d in self.definitions:  # prepare up front what the library reads: evaluation then only aggregates
            for name, scope in _fields(d.node):
                prepare(self.history, name, scope)

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.definitions]

    def definition(self, name: str) -> Definition:
        """The definition of segment ``name``; an unknown name is a SegmentError naming the nearest."""
        if name not in self._by_name:
            near = nearest(name, self._by_name)
            raise SegmentError(f"unknown segment '{name}'", hint=f"Did you mean '{near}'?" if near else None)
        return self._by_name[name]

    def snapshot(self, as_of: dt.date | str) -> Snapshot:
        return self.history.snapshot(as_of, self.thresholds)

    def warnings(self, condition: str) -> list[str]:
        """Text values in ``condition`` that no order in the history has (a typo matches nobody silently)."""
        node, _ = compile_condition(condition, [*self.names, *self.lists])
        out: list[str] = []
        _lint(node, self.history, "customer", out)
        return out

    def _needed(self, names: Iterable[str]) -> list[str]:
        """``names`` and everything they reference, dependencies first."""
        order: list[str] = []

        def add(name: str) -> None:
            if name in order:
                return
            for ref in self._by_name[name].refs if name in self._by_name else ():
                add(ref)
            order.append(name)

        for name in names:
            if name not in self._by_name and name not in self.lists:
                self.definition(name)  # raises, naming the nearest segment
            add(name)
        return order

    def masks(self, snap: Snapshot, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Boolean member arrays (aligned with ``snap.keys``) of ``names`` (default: all) and their references."""
        wanted = self.names if names is None else list(names)
        out: dict[str, np.ndarray] = {}
        ev = _Evaluator(snap, out)
        for name in self._needed(wanted):
            if name in self._by_name:
                out[name] = ev.customer(self._by_name[name].node)
            else:
                out[name] = snap.keys.isin(self.lists[name])
        return out

    def membership(self, as_of: dt.date | str, names: Sequence[str] | None = None) -> pd.DataFrame:
        """One bool column per segment (definition order), index customer_key of every customer at as_of."""
        snap = self.snapshot(as_of)
        wanted = self.names if names is None else list(names)
        masks = self.masks(snap, wanted)
        return pd.DataFrame({n: masks[n] for n in wanted}, index=snap.keys)

    def evaluate(self, condition: str, as_of: dt.date | str) -> pd.Series:
        """Members of an ad-hoc condition at ``as_of`` (bool Series indexed by customer_key)."""
        node, refs = compile_condition(condition, [*self.names, *self.lists])
        snap = self.snapshot(as_of)
        masks = self.masks(snap, refs)
        return pd.Series(_Evaluator(snap, masks).customer(node), index=snap.keys, name="member")


def membership(orders: pd.DataFrame, line_items: pd.DataFrame | None, as_of: dt.date | str,
               definitions: Mapping[str, Any], thresholds: Mapping[str, Any], *,
               lists: Mapping[str, pd.Index] | None = None) -> pd.DataFrame:
    """Segment membership at ``as_of``: index customer_key (every customer with an order visible at
    ``as_of``, in order of first order), one bool column per segment in definition order.

    For many dates build a ``Segmenter`` once and call its ``membership`` per date.
    """
    return Segmenter(orders, line_items, definitions, thresholds, lists=lists).membership(as_of)
