"""CSV files for spreadsheets: UTF-8 with a byte-order mark (Excel then reads £ and accented
names correctly) and every cell safe to open -- a cell starting with = + - @ (or a tab or
carriage return) would be run as a formula by Excel or LibreOffice, so it is given a leading
quote and read as text ("CSV injection")."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell as text a spreadsheet will not run: None is empty, a formula-like start quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """The header and rows as a CSV file's bytes (UTF-8 with BOM, CRLF line ends, cells safe)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return (BYTE_ORDER_MARK + buffer.getvalue()).encode("utf-8")
