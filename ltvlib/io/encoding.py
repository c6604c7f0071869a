"""Reading delimited text exports whatever their encoding: detection and a fast all-string reader.

Shop exports arrive as UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), or cp932 (Shift_JIS
as written by Japanese Excel and Rakuten RMS). :func:`detect_encoding` tells them apart; :class:`TextFile`
reads the columns a loader needs as strings with pyarrow (fast, quoted line breaks allowed), whole or
block by block for exports too large to hold, and turns every reader failure into an
:class:`~ltvlib.io.errors.InputError`; :func:`read_text_table` is the pandas convenience for small files
such as segment lists.

Every data record keeps its spreadsheet row number: record ``i`` (0-based) of a table read here is
row ``i + 2``, because an empty line is kept as an all-blank record instead of being skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from ltvlib.io.errors import InputError

_SAMPLE = 1 << 22
BLOCK_SIZE = 1 << 21  # bytes of text per block read: far above any record; small blocks parse in the CPU cache
READ_AHEAD = 2  # blocks parsed ahead of the one being converted (see _read_ahead)
T = TypeVar("T")
_BOM = codecs.BOM_UTF8
_ZIP = b"PK\x03\x04"
ENCODING_HINT = (
    "Save the file as 'CSV UTF-8' (or Shift_JIS/cp932 from Japanese Excel) and import it again."
)


def detect_encoding(path: str | os.PathLike, *, label: str | None = None) -> str:
    """Return ``'utf-8-sig'``, ``'utf-8'`` or ``'cp932'`` for a text file.

    A UTF-8 byte-order mark decides at once; otherwise the first 4 MiB (cut at a line end) must decode
    strictly as UTF-8, else as cp932, else InputError. Sampling keeps multi-GB exports cheap:
    :meth:`TextFile.read` validates every cell it reads and falls back from UTF-8 to cp932 itself.
    """
    path = Path(path)
    label = label or path.name
    try:
        with path.open("rb") as f:
            sample = f.read(_SAMPLE + 1)
    except OSError as e:
        raise InputError(label, f"the file cannot be opened ({e.strerror or e})",
                         "Check the path in the shop's params and that the file exists.") from e
    if sample.startswith(_BOM):
        return "utf-8-sig"
    if sample.startswith(_ZIP):
        raise InputError(label, "the file is an Excel workbook or a zip archive, not CSV text",
                         "Open it in Excel and save it as 'CSV UTF-8', or export CSV from the shop admin.")
    complete = len(sample) <= _SAMPLE
    if not complete:  # cut at a line end so no character is split; a line longer than 4 MiB stays open
        cut = sample.rfind(b"\n") + 1
        sample, complete = (sample[:cut], True) if cut else (sample[:_SAMPLE], False)
    for encoding in ("utf-8", "cp932"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(label, "the file is neither UTF-8 nor Shift_JIS (cp932) text", ENCODING_HINT)


class _NotUtf8(Exception):
    """Raised by a UTF-8 read that meets invalid UTF-8 in a read column, so the file is read as cp932."""


def _sniff_sep(first_line: str) -> str:
    """Comma or tab, whichever the header line uses more."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


@dataclass(frozen=True)
class TextFile:
    """A delimited text file whose encoding, delimiter and header are known; see :meth:`open`."""

    path: Path
    label: str
    encoding: str
    sep: str
    header: tuple[str, ...]

    @classmethod
    def open(cls, path: str | os.PathLike, *, label: str | None = None, sep: str | None = None) -> TextFile:
        """Detect encoding and delimiter (comma or tab unless ``sep`` is given) and read the header.

        ``label`` names the file in errors (default: the file name). An empty file is an InputError.
        """
        path = Path(path)
        label = label or path.name
        encoding = detect_encoding(path, label=label)
        with path.open(encoding=encoding, newline="") as f:
            first = f.readline()
        if not first.strip():
            raise InputError(label, "the file is empty (no header row)",
                             "Export the data again; the first row must hold the column names.")
        sep = sep or _sniff_sep(first)
        header = tuple(next(csv.reader(io.StringIO(first), delimiter=sep)))
        return cls(path, label, encoding, sep, header)

    def missing(self, columns: Sequence[str]) -> list[str]:
        """The names in ``columns`` that the header lacks, in the order asked."""
        present = set(self.header)
        return [c for c in columns if c not in present]

    def read(self, columns: Sequence[str]) -> pa.Table:
        """Read ``columns`` (all present in the header) as non-null strings, blank cells as ``""``.

        Raises InputError for a header-only file, a record with the wrong number of cells, a quoted
        cell that is never closed, and a column name the header holds twice.
        """
        return self.scan(columns, lambda tables: pa.concat_tables(list(tables)))

    def scan(self, columns: Sequence[str], consume: Callable[[Iterator[pa.Table]], T], *,
             block_size: int = BLOCK_SIZE) -> T:
        """Return ``consume(tables)``: ``columns`` as :meth:`read` gives them, one block of text at a time.

        Each table holds whole records, about ``block_size`` bytes of text (a record must fit in one
        block), so a large file is never held whole. Record ``i`` counted over all tables is row ``i + 2``.
        Reader errors are raised by the iteration: at once for text that cannot be parsed, after the last
        table for the checks that need the whole file (wrong cell count, no data rows, unclosed quote),
        so a consumer that keeps its own errors until the end reports them only for a cleanly read file.
        A file sampled as UTF-8 that holds cp932 further on is passed to ``consume`` again, read as cp932.
        """
        columns = list(dict.fromkeys(columns))
        for name in columns:
            if self.header.count(name) > 1:
                raise InputError(self.label, f"the header has two columns named '{name}'",
                                 "Rename or delete one of them and import again.", column=name)
        encoding = self.encoding
        if encoding == "utf-8":
            try:
                return consume(_read_ahead(self._tables(columns, encoding, block_size)))
            except _NotUtf8:
                encoding = "cp932"  # a UTF-8 sample, but cp932 further on: read again as cp932
        return consume(_read_ahead(self._tables(columns, encoding, block_size)))

    def _tables(self, columns: list[str], encoding: str, block_size: int) -> Iterator[pa.Table]:
        """The blocks of :meth:`scan` in one encoding (the last column is read too, for the quote check)."""
        last = self.header[-1]
        wanted = columns if last in columns else [*columns, last]
        ragged: list[object] = []

        def on_invalid(row: object) -> str:
            ragged.append(row)
            return "skip"

        records, tail = 0, ""
        try:
            reader = pv.open_csv(
                self.path,
                read_options=pv.ReadOptions(
                    encoding="cp932" if encoding == "cp932" else "utf8", block_size=block_size
                ),
                parse_options=pv.ParseOptions(
                    delimiter=self.sep, newlines_in_values=True, ignore_empty_lines=False,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pv.ConvertOptions(
                    column_types={c: pa.string() for c in wanted}, include_columns=wanted,
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
            for batch in reader:
                if batch.num_rows:
                    records += batch.num_rows
                    tail = batch.column(last)[-1].as_py()
                    yield pa.Table.from_batches([batch]).select(columns)
        except pa.ArrowInvalid as e:
            if "UTF8" in str(e) and encoding == "utf-8":
                raise _NotUtf8 from e
            if "straddl" in str(e):  # one record longer than a block
                self._raise_oversized(encoding, block_size)
            raise InputError(self.label, f"the file cannot be read as delimited text ({e})",
                             ENCODING_HINT) from e
        except UnicodeDecodeError as e:
            raise InputError(self.label, "the file is neither UTF-8 nor Shift_JIS (cp932) text",
                             ENCODING_HINT) from e
        if ragged:
            self._raise_ragged(encoding)
        if records == 0:
            raise InputError(self.label, "the file has a header but no data rows",
                             "Export again with a date range or filter that includes data.")
        if tail.endswith(("\n", "\r")):
            raise InputError(
                self.label, "a quoted cell is never closed (a '\"' is missing), so the rest of the file "
                "was read as one cell", "Fix the quoting near this row, or export the file again.",
                row=records + 1, column=last,
            )

    def _raise_oversized(self, encoding: str, block_size: int) -> None:
        """Locate the record too long for the reader and its largest cell (error path only).

        pyarrow reads a record that spans two blocks but not three: the first record over two blocks is
        reported, else the first over one.
        """
        limit = csv.field_size_limit()
        csv.field_size_limit((1 << 31) - 1)
        try:
            with self.path.open(encoding=encoding, newline="") as f:
                reader = csv.reader(f, delimiter=self.sep)
                next(reader)
                long = [(row, sizes) for row, sizes in (
                    (row, [len(cell.encode(encoding)) for cell in record]) for row, record in enumerate(reader, start=2))
                    if sum(sizes) + len(sizes) > block_size]
        finally:
            csv.field_size_limit(limit)
        row, sizes = next((r for r in long if sum(r[1]) + len(r[1]) > 2 * block_size), long[0] if long else (None, []))
        column = self.header[sizes.index(max(sizes))] if sizes and len(sizes) <= len(self.header) else None
        size = f" ({max(sizes):,} bytes)" if sizes else ""
        raise InputError(
            self.label, f"a cell is too long to read{size}: the reader takes records of up to about "
            f"{block_size:,} bytes", "A cell this long is not a real order field: an unclosed quote, or text "
            "pasted into the cell. Fix or empty the cell, or export the file again.", row=row, column=column,
        )

    def _raise_ragged(self, encoding: str) -> None:
        """Locate the first record whose cell count differs from the header's (error path only)."""
        with self.path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(f, delimiter=self.sep)
            next(reader)
            found = next(
                ((row, len(record)) for row, record in enumerate(reader, start=2)
                 if record and len(record) != len(self.header)),
                (None, 0),
            )
        raise InputError(
            self.label,
            f"this row has {found[1]} cells but the header has {len(self.header)} columns",
            "A cell probably holds an unquoted separator or an unclosed quote; fix it or export again.",
            row=found[0],
        )


def _read_ahead(tables: Iterator[T], depth: int = READ_AHEAD) -> Iterator[T]:
    """The items of ``tables``, produced by a background thread up to ``depth`` items ahead.

    The CSV parser runs without the GIL, so the next block is parsed while the caller converts this
    one. Whatever the iteration raises is raised here, at the same point of the sequence. When the
    caller stops early (an error, an interrupt), the thread is told to stop and waited for; it never
    parses more than ``depth`` blocks beyond what was taken.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in tables:
                while not stop.is_set():
                    try:
                        items.put((True, item), timeout=0.05)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            outcome: tuple[bool, object] = (False, None)
        except BaseException as e:  # handed to the consumer, raised there
            outcome = (False, e)
        finally:
            if stop.is_set():
                tables.close()  # type: ignore[attr-defined]
        while not stop.is_set():
            try:
                items.put(outcome, timeout=0.05)
                return
            except queue.Full:
                continue

    thread = threading.Thread(target=produce, name="ltv-csv-reader", daemon=True)
    thread.start()
    try:
        while True:
            more, item = items.get()
            if more:
                yield item  # type: ignore[misc]
                continue
            if item is not None:
                raise item  # type: ignore[misc]
            return
    finally:
        stop.set()
        thread.join()


def read_text_table(
    path: str | os.PathLike,
    *,
    columns: Sequence[str] | None = None,
    sep: str | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Read a delimited text file (any supported encoding) as a DataFrame of ``str``, blanks as ``""``.

    ``columns`` restricts and orders the result; a missing one is an InputError naming the columns the
    file has. Index ``i`` is spreadsheet row ``i + 2``, for error messages about individual rows.
    """
    text = TextFile.open(path, label=label, sep=sep)
    wanted = list(text.header) if columns is None else list(columns)
    missing = text.missing(wanted)
    if missing:
        raise InputError(text.label, f"required column '{missing[0]}' is missing",
                         f"The file has the columns: {', '.join(text.header)}.", column=missing[0])
    return text.read(wanted).to_pandas()
