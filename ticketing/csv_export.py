"""CSV downloads, streamed row by row, safe to open in a spreadsheet.

Shared by the reports' exports and the check-in list: a large event never
sits in memory, and text people typed never runs as a formula.

Excel opens a CSV in the list separator and decimal mark of the computer's
settings, and reads it as UTF-8 only when it starts with a byte-order mark.
So every download starts with one (Cyrillic and Turkish names survive), and
the separator is a choice: `?sep=semicolon` (Excel under Russian, Ukrainian,
Turkish and most European settings, where the decimal mark is a comma: amounts
are then written "12,50") or `?sep=comma` (the rest, and scripts). Without
`sep`, a browser asking for one of those languages first gets semicolons,
anything else commas.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from flask import Response, request, stream_with_context

BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";", ",": ",", ";": ";"}
# Languages whose Excel uses ";" between fields and "," in numbers.
SEMICOLON_LANGUAGES = ("ru", "uk", "tr", "de", "fr", "es", "it", "pl", "nl", "pt")


def safe_text(value) -> str:
    """Defuse spreadsheet formulas in text people typed (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def chosen_separator() -> str:
    """The request's `sep`, else by the browser's first language (see above)."""
    asked = SEPARATORS.get(request.args.get("sep", ""))
    if asked:
        return asked
    for language, _quality in request.accept_languages:
        return ";" if language.split("-")[0].lower() in SEMICOLON_LANGUAGES else ","
    return ","


def csv_lines(rows: Iterable[Iterable], separator: str = ",") -> Iterator[str]:
    """Each row written by csv.writer into a small buffer and handed on as text.

    Decimal cells (major-unit amounts) take the decimal mark that goes with
    the separator: "12.50" with commas, "12,50" with semicolons.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    comma_decimals = separator == ";"
    for row in rows:
        if comma_decimals:
            row = [_comma_decimal(value) for value in row]
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def _comma_decimal(value):
    return str(value).replace(".", ",") if isinstance(value, Decimal) else value


def csv_download(rows: Iterable[Iterable], filename: str, separator: str | None = None) -> Response:
    """A streamed text/csv attachment, UTF-8 with a BOM (rows are read lazily,
    inside the request); the separator as the request chose it unless given."""
    separator = separator or chosen_separator()

    def body() -> Iterator[str]:
        yield BOM
        yield from csv_lines(rows, separator)

    return Response(
        stream_with_context(body()),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
