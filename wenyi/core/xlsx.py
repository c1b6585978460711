"""Spreadsheets we write: every cell that holds text someone typed stays text.

openpyxl stores a string that starts with "=" as a formula, so a unit named
`=HYPERLINK("http://…","兰山区")` would become a live link in the office's download
(formula injection). Every export goes through `save()` (or, for write-only sheets,
`cell()`): such strings are written as text with Excel's quote prefix, which keeps
them text even when someone edits the cell later. The same goes for text starting with
"+", "-", "@", a tab or a carriage return, which Excel and WPS also read as formulas.
"""

import io
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> None:
    """Keep a cell holding typed text as text (in place)."""
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def cell(ws, value: Any, number_format: str | None = None):
    """A cell for a write-only sheet, neutralised."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=value)
    neutralise(c)
    if number_format:
        c.number_format = number_format
    return c


def save(wb) -> bytes:
    """The workbook as .xlsx bytes, with every cell of a normal (not write-only) workbook
    neutralised first: no export of ours carries a formula made from data."""
    if not getattr(wb, "write_only", False):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    neutralise(c)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
