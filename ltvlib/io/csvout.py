"""The one CSV writer for every file the workbench writes (list exports, movers, win-back targets, row reports).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return as a formula
(CSV injection). Following OWASP's guidance, such text cells (and header or index labels) are prefixed with
``'``; numbers stay numbers (``-5`` in a numeric column is written as ``-5``). Files are written atomically:
a temporary file in the same folder, then a rename, so a reader sees the whole file or none.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ENCODINGS", "FORMULA_PREFIXES", "neutralise", "write_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ENCODINGS = ("utf-8", "utf-8-sig", "cp932")


def _risky(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _safe_label(value: object) -> object:
    return "'" + value if _risky(value) else value


def neutralise(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A copy of ``df`` whose text cells starting like a formula are prefixed with ``'``; and how many.

    Only ``str`` values change (in object or string columns); numeric, date and missing cells are kept.
    """
    out = df.copy()
    count = 0
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        risky = np.fromiter((_risky(v) for v in s), dtype=bool, count=len(s))
        if risky.any():
            count += int(risky.sum())
            fixed = s.astype(object).to_numpy(copy=True)
            fixed[risky] = ["'" + v for v in fixed[risky]]
            out.isetitem(i, pd.Series(fixed, index=s.index, name=s.name).astype(s.dtype))
    return out, count


CHUNK_ROWS = 100_000  # rows neutralised, formatted and encoded at once: bounds the memory of a large export


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, encoding: str = "utf-8", index: bool = False) -> int:
    """Write ``frame`` to ``path`` as CSV with formula-like text neutralised, atomically; returns how many
    cells were neutralised. Rows end in CRLF (RFC 4180). ``index=True`` writes the index as the first column(s). ``utf-8-sig`` opens
    cleanly in Excel; ``cp932`` for Japanese spreadsheet tools. Written ``CHUNK_ROWS`` rows at a time, so a
    3-million-customer export never holds its whole text in memory."""
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be utf-8, utf-8-sig or cp932, not {encoding!r}")
    if index:
        frame = frame.reset_index()
    header = [_safe_label(c) for c in frame.columns]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    count = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for lo in range(0, max(len(frame), 1), CHUNK_ROWS):
                part, n = neutralise(frame.iloc[lo: lo + CHUNK_ROWS])
                count += n
                part.columns = header
                buf = io.StringIO()
                # CRLF rows (RFC 4180): the csv module then quotes any cell holding a bare CR or LF, which "\n" would not
                part.to_csv(buf, index=False, header=lo == 0, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
                try:  # utf-8-sig writes its mark once, at the start of the file
                    fh.write(buf.getvalue().encode(encoding if lo == 0 or encoding != "utf-8-sig" else "utf-8"))
                except UnicodeEncodeError as e:
                    raise ValueError(f"a cell cannot be written in {encoding} ({e.reason}); use utf-8 or utf-8-sig"
                                     ) from None
        os.chmod(tmp, 0o644)  # mkstemp makes files private; exports are meant to be opened by others
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
