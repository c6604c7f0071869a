"""The condition language of segments: a lark grammar, a syntax tree, and errors that point.

A condition reads like Shopify's segment editor::

    orders >= 5 AND net_revenue >= 100000
    product_lines_purchased CONTAINS 'Herbal Tea Bags' AND days_since_last_order BETWEEN 121 AND 360
    count(orders WHERE tags CONTAINS 'gift' WITHIN 60 DAYS) >= 3
    first_order.channel = 'pos' OR discount_codes CONTAINS ANY ('WELCOME10', 'SPRING2025')
    segment('loyal_active') AND NOT segment('vip')

Keywords are case-insensitive; strings take single or double quotes; numbers may use ``_`` as a
thousands separator. ``parse`` only checks the syntax: which fields exist and which operators apply
to them is checked against the field catalogue when a condition is compiled (``evaluate.compile``).
Nothing here evaluates user text as Python.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ltvlib.errors import LtvError

__all__ = [
    "MAX_DEPTH",
    "OPERATORS",
    "Aggregate",
    "And",
    "Compare",
    "ConditionTooDeep",
    "Field",
    "Node",
    "Not",
    "Or",
    "SegmentError",
    "SegmentRef",
    "nearest",
    "parse",
]

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> not_
         | atom
?atom: "(" or_expr ")"
     | comparison
     | segment_ref
segment_ref: _SEGMENT "(" STRING ")"
comparison: operand CMP value                    -> cmp
          | operand _BETWEEN value _AND value    -> between
          | operand _CONTAINS value              -> contains
          | operand _NOT _CONTAINS value         -> not_contains
          | operand _CONTAINS _ANY vlist         -> contains_any
          | operand _CONTAINS _ALL vlist         -> contains_all
          | operand _CONTAINS _ONLY vlist        -> contains_only
          | operand _IN vlist                    -> in_
          | operand _NOT _IN vlist               -> not_in
          | operand _IS _NULL                    -> is_null
          | operand _IS _NOT _NULL               -> is_not_null
vlist: "(" value ("," value)* ")"
?operand: field | aggregate
field: NAME window?
aggregate: aggname "(" NAME where? window? ")"
where: _WHERE or_expr
aggname: COUNT | SUM | AVG
window: _WITHIN NUMBER (_DAYS | _DAY)
?value: STRING | NUMBER
CMP: ">=" | "<=" | "!=" | "<>" | "=" | "<" | ">"
COUNT: "count"i
SUM: "sum"i
AVG: "avg"i
_ANY: "ANY"i
_ALL: "ALL"i
_ONLY: "ONLY"i
_DAYS: "DAYS"i
_DAY: "DAY"i
_OR: "OR"i
_AND: "AND"i
_NOT: "NOT"i
_BETWEEN: "BETWEEN"i
_CONTAINS: "CONTAINS"i
_IN: "IN"i
_IS: "IS"i
_NULL: "NULL"i
_WITHIN: "WITHIN"i
_WHERE: "WHERE"i
_SEGMENT: "segment"i
NAME: /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/
STRING: /'(?:[^'\\\n]|\\.)*'/ | /"(?:[^"\\\n]|\\.)*"/
NUMBER: /-?\d[\d_]*(\.\d+)?/
%ignore /\s+/
"""

# Operators as a marketer writes them (for "did you mean" hints and docs).
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "BETWEEN", "CONTAINS", "NOT CONTAINS", "CONTAINS ANY",
             "CONTAINS ALL", "CONTAINS ONLY", "IN", "NOT IN", "IS NULL", "IS NOT NULL")
_KEYWORDS = ("AND", "OR", "NOT", "WHERE", "WITHIN", "DAYS", "segment", "count", "sum", "avg")
_MISTAKES = {"==": "=", "=>": ">=", "=<": "<=", "&&": "AND", "&": "AND", "||": "OR", "|": "OR", "!": "NOT",
             "≧": ">=", "≦": "<=", "≠": "!=", "＝": "="}
_EXPECTED = {
    "CMP": "a comparison (=, !=, <, <=, >, >=)", "_BETWEEN": "BETWEEN", "_CONTAINS": "CONTAINS", "_IN": "IN",
    "_IS": "IS NULL", "_NOT": "NOT", "_WITHIN": "WITHIN n DAYS", "NAME": "a field name", "STRING": "a 'text' value",
    "NUMBER": "a number", "_SEGMENT": "segment('name')", "COUNT": "count(...)", "LPAR": "'('", "RPAR": "')'",
    "_AND": "AND", "_OR": "OR", "COMMA": "','", "_WHERE": "WHERE", "_DAYS": "DAYS", "_ANY": "ANY", "_ALL": "ALL",
    "_ONLY": "ONLY", "_NULL": "NULL", "SUM": "sum(...)", "AVG": "avg(...)", "_DAY": "DAYS",
}


class SegmentError(ValueError):
    """A condition or segment definition is wrong; the message points at the place and suggests a fix."""

    def __init__(self, message: str, *, condition: str | None = None, position: int | None = None,
                 length: int = 1, segment: str | None = None, hint: str | None = None) -> None:
        self.message, self.condition, self.position = message, condition, position
        self.length, self.segment, self.hint = max(1, length), segment, hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"segment '{self.segment}': " if self.segment else ""
        text = where + self.message
        if self.condition is not None and self.position is not None:
            line_no = self.condition.count("\n", 0, self.position)
            start = self.condition.rfind("\n", 0, self.position) + 1
            end = self.condition.find("\n", self.position)
            line = self.condition[start: end if end >= 0 else len(self.condition)]
            col = self.position - start
            text += f" (line {line_no + 1}, column {col + 1})" if "\n" in self.condition else f" (column {col + 1})"
            text += f"\n  {line}\n  {' ' * col}{'^' * min(self.length, max(1, len(line) - col))}"
        if self.hint:
            text += f"\n  {self.hint}"
        return text

    def within(self, segment: str) -> SegmentError:
        """The same error (same class), naming the segment whose condition it is in."""
        return type(self)(self.message, condition=self.condition, position=self.position, length=self.length,
                            segment=segment, hint=self.hint)


MAX_DEPTH = 100  # levels of parentheses and NOT a condition may nest (parsing and evaluating recurse per level)


class ConditionTooDeep(SegmentError, LtvError):
    """A condition nests deeper than ``MAX_DEPTH`` levels; found before the parser runs."""


# what the nesting scan looks at: quoted text (skipped whole), words, parentheses
_SCAN = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|[()]""")


def _check_depth(condition: str, limit: int = MAX_DEPTH) -> None:
    """Raise ConditionTooDeep if ``condition`` nests more than ``limit`` levels, counted on tokens.

    A level is an open parenthesis or a ``NOT`` still applying (it applies up to the next AND/OR or the
    end of its parenthesis); iterative, so any depth is counted without recursion.
    """
    nots = [0]  # per open parenthesis: the NOTs applying at this point
    total = 0
    for m in _SCAN.finditer(condition):
        word = m.group().upper()
        if word == "(":
            nots.append(0)
        elif word == ")" and len(nots) > 1:
            total -= nots.pop()
            total, nots[-1] = total - nots[-1], 0
        elif word == "NOT":
            nots[-1] += 1
            total += 1
        elif word in ("AND", "OR"):
            total, nots[-1] = total - nots[-1], 0
        if len(nots) - 1 + total > limit:
            raise ConditionTooDeep(
                f"the condition nests more than {limit} levels deep (parentheses and NOT, at character "
                f"{m.start() + 1} of {len(condition)}); the nesting limit is {limit} levels",
                hint="Write it flatter: a AND b AND c needs no parentheses, NOT NOT x is x, and a long "
                     "condition can be split into segments combined with segment('name').")


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (case-insensitive), or None if nothing is close."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    hit = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    if hit:
        return lowered[hit[0]]
    prefix = [c for c in choices if c.lower().startswith(word.lower()) or word.lower().startswith(c.lower())]
    return max(prefix, key=len) if prefix and len(word) >= 3 else None


# -- syntax tree -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """Base of the syntax tree; ``start``/``end`` are character offsets into the condition."""


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class And(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    item: Node


@dataclass(frozen=True)
class SegmentRef(Node):
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Field(Node):
    """A field, optionally over a window (``products_purchased WITHIN 90 DAYS``)."""

    name: str
    window: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Aggregate(Node):
    """``count(orders WHERE ... WITHIN n DAYS)``, ``sum(net_revenue ...)``, ``count(channels)``."""

    func: str
    target: str
    where: Node | None
    window: int | None
    start: int
    end: int
    target_start: int


@dataclass(frozen=True)
class Compare(Node):
    """``operand op values``; ``op`` is one of: = != < <= > >= between contains contains_any contains_all
    contains_only in is_null (negated forms are wrapped in ``Not``)."""

    operand: Field | Aggregate
    op: str
    values: tuple[str | float, ...]
    start: int
    end: int
    op_start: int
    value_starts: tuple[int, ...]


def _literal(tok: Token) -> str | float:
    if tok.type == "STRING":
        body = tok.value[1:-1]
        out, i = [], 0
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body):
                i += 1
            out.append(body[i])
            i += 1
        return "".join(out)
    text = tok.value.replace("_", "")
    return float(text) if "." in text else int(text)


@v_args(meta=True)
class _ToAst(Transformer):
    def or_expr(self, meta, items):
        return Or(tuple(items))

    def and_expr(self, meta, items):
        return And(tuple(items))

    def not_(self, meta, items):
        return Not(items[0])

    def segment_ref(self, meta, items):
        return SegmentRef(_literal(items[0]), meta.start_pos, meta.end_pos)

    def window(self, meta, items):
        return int(_literal(items[0]))

    def field(self, meta, items):
        return Field(str(items[0]), items[1] if len(items) > 1 else None, meta.start_pos, meta.end_pos)

    def where(self, meta, items):
        return ("where", items[0])

    def aggname(self, meta, items):
        return str(items[0]).lower()

    def aggregate(self, meta, items):
        func, target = items[0], items[1]
        where = next((i[1] for i in items[2:] if isinstance(i, tuple)), None)
        window = next((i for i in items[2:] if isinstance(i, int)), None)
        return Aggregate(func, str(target), where, window, meta.start_pos, meta.end_pos, target.start_pos)

    def vlist(self, meta, items):
        return list(items)

    def _compare(self, meta, operand, op, values, op_start):
        starts = tuple(v.start_pos for v in values)
        return Compare(operand, op, tuple(_literal(v) for v in values), meta.start_pos, meta.end_pos, op_start,
                       starts)

    def _op_start(self, operand) -> int:
        return operand.end

    def cmp(self, meta, items):
        operand, op, value = items
        op_text = {"<>": "!="}.get(str(op), str(op))
        return self._compare(meta, operand, op_text, [value], op.start_pos)

    def between(self, meta, items):
        return self._compare(meta, items[0], "between", items[1:], self._op_start(items[0]))

    def contains(self, meta, items):
        return self._compare(meta, items[0], "contains", [items[1]], self._op_start(items[0]))

    def not_contains(self, meta, items):
        return Not(self.contains(meta, items))

    def contains_any(self, meta, items):
        return self._compare(meta, items[0], "contains_any", items[1], self._op_start(items[0]))

    def contains_all(self, meta, items):
        return self._compare(meta, items[0], "contains_all", items[1], self._op_start(items[0]))

    def contains_only(self, meta, items):
        return self._compare(meta, items[0], "contains_only", items[1], self._op_start(items[0]))

    def in_(self, meta, items):
        return self._compare(meta, items[0], "in", items[1], self._op_start(items[0]))

    def not_in(self, meta, items):
        return Not(self.in_(meta, items))

    def is_null(self, meta, items):
        return self._compare(meta, items[0], "is_null", [], self._op_start(items[0]))

    def is_not_null(self, meta, items):
        return Not(self.is_null(meta, items))


_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(condition: str) -> Node:
    """Parse a condition into its syntax tree; a syntax error raises SegmentError pointing at the place,
    nesting deeper than ``MAX_DEPTH`` levels raises ConditionTooDeep (before the parser, which recurses)."""
    if not isinstance(condition, str) or not condition.strip():
        raise SegmentError("the condition is empty", hint="Write a condition such as: orders >= 2")
    _check_depth(condition)
    try:
        tree = _PARSER.parse(condition)
    except UnexpectedInput as e:
        raise _syntax_error(condition, e) from None
    return _ToAst().transform(tree)


def _expected_text(expected: Iterable[str]) -> str:
    names = sorted({_EXPECTED.get(t, t) for t in expected if not t.startswith("__")})
    return ", ".join(names)


def _syntax_error(text: str, e: UnexpectedInput) -> SegmentError:
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream
        bad = text[pos: pos + 2] if text[pos: pos + 2] in _MISTAKES else text[pos]
        fix = _MISTAKES.get(bad)
        if text[pos] in "'\"":
            return SegmentError("this quote is never closed", condition=text, position=pos,
                                hint="Close the text with the same quote character.")
        hint = f"Did you mean '{fix}'?" if fix else "Allowed here: " + _expected_text(e.allowed or ())
        return SegmentError(f"unexpected character {bad!r}", condition=text, position=pos, length=len(bad), hint=hint)
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        expected = getattr(e, "expected", None) or getattr(e, "accepts", None) or ()
        return SegmentError("the condition ends too early", condition=text, position=max(0, len(text.rstrip()) - 1),
                            hint="Expected " + _expected_text(expected) + " after this.")
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    pos = tok.start_pos
    expected = set(e.accepts or e.expected or ())
    word = str(tok.value)
    # an operator split in two ('=>', '==') arrives as two tokens: look at the pair
    prev = text[max(0, pos - 1)] if pos else ""
    pair = prev + word
    if pair in _MISTAKES and pos and prev in "=!<>&|":
        return SegmentError(f"'{pair}' is not an operator", condition=text, position=pos - 1, length=2,
                            hint=f"Did you mean '{_MISTAKES[pair]}'?")
    if tok.type == "NAME" and expected & {"CMP", "_BETWEEN", "_CONTAINS", "_IN", "_IS"}:
        near = nearest(word, [*OPERATORS, "WITHIN"])
        hint = f"Did you mean '{near}'?" if near else "Expected an operator: " + ", ".join(OPERATORS) + "."
        return SegmentError(f"'{word}' is not an operator", condition=text, position=pos, length=len(word), hint=hint)
    if tok.type == "NAME" and expected & {"_AND", "_OR"}:
        near = nearest(word, ["AND", "OR"])
        hint = f"Did you mean '{near}'?" if near else "Join conditions with AND / OR."
        return SegmentError(f"unexpected '{word}'", condition=text, position=pos, length=len(word), hint=hint)
    return SegmentError(f"unexpected '{word}'", condition=text, position=pos, length=max(1, len(word)),
                        hint="Expected " + _expected_text(expected) + ".")
