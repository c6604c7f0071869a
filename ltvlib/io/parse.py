"""Vectorised cell parsers shared by the loaders, each reporting the first bad cell as an InputError.

A :class:`Cells` is one column of one file (text read by pyarrow, or typed values from Parquet)
together with the spreadsheet row of every value, so a parser that meets a bad value can name the
file, row, column and value without a per-row Python loop on the good path.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ltvlib.io.errors import InputError

_TZ_SUFFIX = r"(?:Z|[+-]\d\d:?\d\d)$"
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")  # no shop export holds older orders; year 0001 is a typo
FUTURE_SLACK = pd.Timedelta(days=2)  # a wrong shop zone or clock shifts a real time by at most ~26 hours
MAX_AMOUNT = 1e12  # no order is worth a trillion; sums of larger values lose their cents
MAX_QUANTITY = 1_000_000
DATE_HINT = (
    "Dates before 1990-01-01 or more than 2 days after the import are taken as errors (a spreadsheet may have "
    "changed the year); fix the cell or export the orders again."
)
AMOUNT_HINT = "Amounts must be finite numbers below 1,000,000,000,000; fix the cell or export the orders again."
_AUTO_FORMATS = ("ISO8601", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


class Cells:
    """One column's values and their spreadsheet rows, with parsers that fail on the first bad row."""

    def __init__(self, file: str, column: str, values: pa.Array | pa.ChunkedArray, rows: np.ndarray,
                 trimmed: pa.Array | pa.ChunkedArray | None = None):
        if pa.types.is_dictionary(values.type):  # e.g. a pandas categorical saved to Parquet
            values = values.cast(values.type.value_type)
        self.file = file
        self.column = column
        self.values = values
        self.rows = rows
        self.is_text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        if trimmed is not None:  # the caller trimmed these values already
            self.__dict__["trimmed"] = trimmed

    @cached_property
    def trimmed(self) -> pa.Array | pa.ChunkedArray:
        """Text with surrounding whitespace removed (other types unchanged)."""
        return trim(self.values) if self.is_text else self.values

    @cached_property
    def blank(self) -> np.ndarray:
        """True where the cell is empty (or only whitespace, or null)."""
        if self.is_text:
            return pc.fill_null(pc.equal(self.trimmed, ""), True).to_numpy(zero_copy_only=False)
        return pc.is_null(self.values).to_numpy(zero_copy_only=False)

    def fail_where(self, mask: np.ndarray, problem: str, hint: str) -> None:
        """Raise an InputError for the first True in ``mask``; ``{value}`` in ``problem`` is filled in."""
        if not mask.any():
            return
        i = int(np.argmax(mask))
        value = self.values[i].as_py()
        raise InputError(self.file, problem.format(value=repr(value)), hint,
                         row=int(self.rows[i]), column=self.column)

    def require(self, hint: str) -> None:
        """Fail on the first blank cell."""
        self.fail_where(self.blank, "the cell is empty", hint)

    def text(self) -> pa.Array:
        """Trimmed strings, blank cells as null."""
        values = self.trimmed if self.is_text else pc.cast(self.values, pa.string())
        return null_where(values, self.blank)

    def number(self, hint: str) -> np.ndarray:
        """Floats, NaN where blank; a value that is not a plain number fails with ``hint``."""
        if not self.is_text:
            return pc.cast(self.values, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        values = self.text()
        try:
            return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        except pa.ArrowInvalid:
            parsed = pd.to_numeric(pd.Series(values.to_numpy(zero_copy_only=False)), errors="coerce")
            self.fail_where(~self.blank & parsed.isna().to_numpy(), "{value} is not a number", hint)
            return parsed.to_numpy(dtype=np.float64)

    def amount(self, hint: str) -> np.ndarray:
        """:meth:`number`, failing on a filled cell that is NaN, infinite or at least ``MAX_AMOUNT`` in size."""
        values = self.number(hint)
        with np.errstate(invalid="ignore"):
            absurd = ~self.blank & ~(np.abs(values) < MAX_AMOUNT)
        self.fail_where(absurd, "{value} is not a plausible amount", AMOUNT_HINT)
        return values

    def quantity(self, hint: str) -> np.ndarray:
        """Item counts as int64: a blank, non-numeric, fractional, negative or huge cell fails with ``hint``."""
        self.require(hint)
        values = self.number(hint)
        with np.errstate(invalid="ignore"):
            self.fail_where(~(values == np.round(values)), "{value} is not a whole number", hint)
            self.fail_where((values < 0) | (values > MAX_QUANTITY),
                            f"{{value}} is not a plausible quantity (0 to {MAX_QUANTITY:,})", hint)
        return values.astype(np.int64)

    def check_dates(self, utc: pa.Array | pa.ChunkedArray | pd.DatetimeIndex) -> None:
        """Fail on the first parsed time before ``EARLIEST`` or more than ``FUTURE_SLACK`` after now.

        ``utc`` holds one parsed time per cell (null where blank): arrow timestamps in seconds or a
        DatetimeIndex. The upper bound is the one place a loader reads the clock: it only rejects.
        """
        latest = pd.Timestamp.now(tz="UTC") + FUTURE_SLACK
        if isinstance(utc, pd.DatetimeIndex):
            if utc.tz is None:
                utc = utc.tz_localize("UTC")
            bad = utc.notna() & ((utc < EARLIEST) | (utc > latest))
        else:
            low, high = (pa.scalar(t.to_pydatetime(), utc.type) for t in (EARLIEST, latest))
            bad = pc.fill_null(pc.or_(pc.less(utc, low), pc.greater(utc, high)), False).to_numpy(
                zero_copy_only=False)
        self.fail_where(np.asarray(bad), "{value} is not a plausible order date", DATE_HINT)

    def timestamp_strict(self, fmt: str, tz: str, hint: str) -> pa.Array:
        """Parse text with one strptime ``fmt`` that has ``%z`` into ``tz`` (ns), null where blank."""
        parsed = pc.strptime(self.text(), format=fmt, unit="s", error_is_null=True)
        self.fail_where(~self.blank & pc.is_null(parsed).to_numpy(zero_copy_only=False),
                        "{value} is not a date and time", hint)
        self.check_dates(parsed)
        return pc.cast(parsed, pa.timestamp("ns", tz=tz))

    def timestamp(self, fmt: str | None, tz: str, hint: str) -> pd.DatetimeIndex:
        """Parse dates in ``tz``, NaT where blank: typed timestamps, or text in ``fmt`` (None: detect).

        Text with a UTC offset is converted to ``tz``; text without one is taken as local time in
        ``tz``. A column must not mix the two. Detection tries ISO 8601, then ``YYYY/MM/DD[ HH:MM[:SS]]``.
        """
        if pa.types.is_timestamp(self.values.type) or pa.types.is_date(self.values.type):
            tz_of = getattr(self.values.type, "tz", None)
            self.check_dates(pc.cast(self.values, pa.timestamp("s", tz=tz_of or "UTC"), safe=False))
            index = pd.DatetimeIndex(self.values.to_pandas()).as_unit("ns")
            return index.tz_convert(tz) if index.tz is not None else _localize(index, tz)
        blank = self.blank
        text = pd.Series(self.text().to_numpy(zero_copy_only=False), dtype=object)
        if blank.all():
            return pd.DatetimeIndex(np.full(len(text), np.datetime64("NaT", "ns"))).tz_localize(tz)
        if fmt is None:
            fmt = self._detect_format(text[~blank])
        aware = text.str.contains(_TZ_SUFFIX, regex=True, na=False).to_numpy()
        first = int(np.argmax(~blank))
        self.fail_where(~blank & (aware != aware[first]),
                        "{value} mixes times with and without a UTC offset in one column",
                        "Give every time an offset (like +09:00) or none.")
        parsed = pd.DatetimeIndex(pd.to_datetime(text, format=fmt, errors="coerce", utc=bool(aware[first])))
        self.fail_where(~blank & parsed.isna(), "{value} is not a date and time", hint)
        parsed = parsed.as_unit("ns")
        parsed = parsed.tz_convert(tz) if aware[first] else _localize(parsed, tz)
        self.check_dates(parsed)
        return parsed

    def _detect_format(self, sample: pd.Series) -> str:
        """The first of the automatic formats that reads the column's first non-blank value."""
        if sample.empty:
            return "ISO8601"
        value = sample.iloc[0]
        for fmt in _AUTO_FORMATS:
            if not pd.isna(pd.to_datetime(pd.Series([value]), format=fmt, errors="coerce")).iloc[0]:
                return fmt
        raise InputError(self.file, f"{value!r} is not a date format the loader recognises",
                         "Set 'datetime_format' in the mapping (strptime codes, e.g. '%d.%m.%Y %H:%M').",
                         row=int(self.rows[int(sample.index[0])]), column=self.column)

    def tokens(self) -> list[list[str]]:
        """Comma-separated cells as lists of trimmed, non-empty strings (a new empty list when blank)."""
        with gc_paused():
            return self.token_lists().to_pylist()

    def token_lists(self) -> pa.ListArray:
        """:meth:`tokens` as an arrow list array (a few bytes per cell instead of a Python list)."""
        filled = np.flatnonzero(~self.blank)
        counts = np.zeros(len(self.values), dtype=np.int64)
        flat = pa.array([], pa.string())
        if len(filled):
            lists = as_array(pc.split_pattern(self.text().take(pa.array(filled)), ","))
            flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
            keep = pc.not_equal(flat, "")
            counts[filled] = np.bincount(pc.list_parent_indices(lists).filter(keep).to_numpy(),
                                         minlength=len(filled))
            flat = flat.filter(keep)
        offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
        return pa.ListArray.from_arrays(offsets, flat)



def null_where(values: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> pa.Array | pa.ChunkedArray:
    """``values`` with null where ``mask`` is True (``pc.if_else`` without copying the values, where it can)."""
    if not mask.any():
        return values
    if isinstance(values, pa.Array) and values.offset == 0 and values.null_count == 0 and values.buffers()[0] is None:
        validity = pa.array(~mask).buffers()[1]  # the mask as a bitmap, offset 0
        return pa.Array.from_buffers(values.type, len(values), [validity, *values.buffers()[1:]],
                                     null_count=int(mask.sum()))
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def first_filled(values: pa.Array | pa.ChunkedArray, group: np.ndarray, groups: int) -> tuple[pa.Array, np.ndarray]:
    """Per group the first non-null value in row order, and whether the group holds two different ones.

    ``group`` gives each row's group (0 .. ``groups`` - 1); a group without a value gets null.
    """
    encoded = as_array(pc.dictionary_encode(values))
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    filled = np.flatnonzero(codes >= 0)
    if len(filled) and np.all(group[filled][1:] >= group[filled][:-1]):  # rows in group order: no sort
        at = group[filled]
        first = np.flatnonzero(np.diff(at, prepend=-1))
        found = at[first]
    else:
        found, first = np.unique(group[filled], return_index=True)
    chosen = np.full(groups, -1, dtype=np.int64)
    chosen[found] = codes[filled[first]]
    conflict = np.zeros(groups, dtype=bool)
    conflict[group[filled][codes[filled] != chosen[group[filled]]]] = True
    return encoded.dictionary.take(pa.array(chosen, mask=chosen < 0)), conflict


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load builds millions of small lists.

    The lists hold only strings and cannot form cycles; collections triggered mid-way would only re-scan
    the growing heap, which triples the time. The previous state is restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def trim(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Strings without surrounding whitespace; pure-ASCII data takes arrow's much faster ASCII kernel."""
    return pc.ascii_trim_whitespace(values) if _is_ascii(values) else pc.utf8_trim_whitespace(values)


def as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array (chunked results of table columns are combined)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _is_ascii(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a string array's character data is pure ASCII (checked on the raw buffers, no copy)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).max() >= 0x80:
            return False
    return True


def _localize(index: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    """Naive local times -> ``tz``: ambiguous fall-back times take the earlier, gaps shift forward."""
    return index.tz_localize(tz, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward")


def check_timezone(tz: str, file: str) -> str:
    """Return ``tz`` if it is an IANA time-zone name, else raise InputError."""
    try:
        pd.Timestamp("2000-01-01", tz=tz)
    except Exception as e:  # pytz/zoneinfo raise several unrelated types for unknown names
        raise InputError(file, f"unknown time zone {tz!r}",
                         "Set the shop's 'timezone' to an IANA name such as 'Asia/Tokyo'.") from e
    return tz

