"""The one exception every loader raises for bad input.

Loaders never let a parser traceback or a silently dropped row reach the user: whatever is wrong
with a file becomes an :class:`InputError` that says where (file, spreadsheet row, column), what,
and how to fix it, so ``ltv import`` can print it as one paragraph.
"""

from __future__ import annotations


class InputError(ValueError):
    """A problem with an input file, located as precisely as the loader can.

    ``row`` is the spreadsheet row number: the header is row 1 and the first data record row 2.
    Rows count CSV *records*, so a quoted cell spanning several lines does not shift later rows.
    """

    def __init__(
        self,
        file: str,
        problem: str,
        hint: str = "",
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = None if row is None else int(row)
        self.column = column
        self.problem = problem.rstrip(". ")
        self.hint = hint.strip()
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = f"{', '.join(where)}: {self.problem}."
        return f"{text} {self.hint}" if self.hint else text

    def __str__(self) -> str:
        return self._message()
