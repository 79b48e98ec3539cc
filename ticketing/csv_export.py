"""CSV downloads, streamed row by row, safe to open in a spreadsheet.

Shared by the reports' exports and the check-in list: a large event never
sits in memory, and text people typed never runs as a formula.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context


def safe_text(value) -> str:
    """Defuse spreadsheet formulas in text people typed (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row written by csv.writer into a small buffer and handed on as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def csv_download(rows: Iterable[Iterable], filename: str) -> Response:
    """A streamed text/csv attachment (rows are read lazily, inside the request)."""
    return Response(
        stream_with_context(csv_lines(rows)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
