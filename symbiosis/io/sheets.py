"""Reading CSV and XLSX files into rows of text cells, within :class:`ReadLimits`.

CSV files are read as spreadsheet programs write them: UTF-8 with or without a byte order
mark, UTF-16 with one, or Windows-1252 (what Excel on a Norwegian Windows saves as
"CSV"); separated by ``,``, ``;`` or tabs, whichever the header line uses; numbers with a
decimal point or a decimal comma. What was detected is kept as the sheet's
:class:`Dialect`, to be shown beside the preview.

XLSX workbooks are measured before they are opened: the sum of their parts unpacked and
each large part's packing ratio (a zip bomb packs hundreds of times), then each sheet's
``<dimension>``; rows are read one at a time in openpyxl's read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..messages import render, said
from ..model import Reason
from .limits import Deadline, ReadLimits

__all__ = ["Dialect", "Sheet", "TooBig", "read_csv", "read_xlsx", "sniff"]

_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[-+]?\d[\d \u00a0]*,\d+$")
_DECIMAL_POINT = re.compile(r"^[-+]?\d*\.\d+$")


@dataclass(frozen=True)
class Dialect:
    """How a CSV file was written.

    >>> Dialect("Windows-1252", ";", ",").describe()
    'Windows-1252, semicolon-separated, decimal comma'
    """

    encoding: str
    separator: str
    decimal: str = "."

    def describe(self) -> str:
        return render(self.note())

    def note(self) -> Reason:
        """:meth:`describe` as a message code with its parameters."""
        name = _SEPARATORS.get(self.separator)
        return Reason.of("dialect", encoding=self.encoding,
                         sep_code=f"dialect.{name or 'other'}",
                         separator=repr(self.separator),
                         decimal_code="dialect.decimal_comma" if self.decimal == ","
                         else "dialect.decimal_point")


@dataclass(frozen=True)
class Sheet:
    """One sheet of cells: the header row and the rows below it with their numbers as a
    spreadsheet shows them (the header is row 1)."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    dialect: Dialect | None = None


class TooBig(Exception):
    """A file beyond a limit: one error for the whole file, raised before it is read whole."""

    def __init__(self, field: str, code: str, row: int = 0, **params: object):
        """``code``: the catalogue's ``error.<code>`` with ``params``."""
        message, self.reason = said(f"error.{code}", **params)
        super().__init__(message)
        self.field, self.message, self.row = field, message, row


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise TooBig("file", "encoding") from None


def _separator(header_line: str) -> str:
    """The separator the header line uses most, outside quotes (``,`` when none)."""
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def sniff(data: bytes) -> tuple[str, Dialect]:
    """The text of a CSV file and the encoding and separator it was written with (the
    decimal mark is decided from the cells, see :func:`read_csv`).

    >>> sniff("id;navn\\r\\nA;Sør\\r\\n".encode("cp1252"))[1]
    Dialect(encoding='Windows-1252', separator=';', decimal='.')
    """
    text, encoding = _decode(data)
    first = text.split("\n", 1)[0]
    return text, Dialect(encoding, _separator(first))


def _check_cell(value: str, limits: ReadLimits | None, row: int) -> None:
    if limits is not None and len(value) > limits.max_cell_chars:
        raise TooBig("cell", "cell_chars", row, chars=len(value),
                     limit=limits.max_cell_chars)


def _check_size(path: Path, limits: ReadLimits | None) -> None:
    if limits is not None and path.stat().st_size > limits.max_file_bytes:
        raise TooBig("file", "file_bytes", bytes=path.stat().st_size,
                     limit=limits.max_file_bytes)


def read_csv(path: Path, *, limits: ReadLimits | None = None,
             deadline: Deadline | None = None) -> Sheet:
    """One CSV file as a :class:`Sheet`; :class:`TooBig` when beyond ``limits``."""
    _check_size(path, limits)
    text, dialect = sniff(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.separator)
    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[str, ...]]] = []
    commas = points = 0
    for number, record in enumerate(reader, start=1):
        if number % 1000 == 0 and deadline is not None:
            deadline.check(path.name)
        cells = tuple(c.strip() for c in record)
        for c in cells:
            _check_cell(c, limits, number)
        if number == 1:
            header = cells
            if limits is not None and len(header) > limits.max_columns:
                raise TooBig("file", "columns", 1, columns=len(header),
                             limit=limits.max_columns)
            continue
        if limits is not None and number - 1 > limits.max_rows:
            raise TooBig("file", "rows", number, limit=limits.max_rows)
        for c in cells:
            if _DECIMAL_COMMA.match(c):
                commas += 1
            elif _DECIMAL_POINT.match(c):
                points += 1
        rows.append((number, cells))
    decimal = "," if commas > points else "."
    return Sheet(path.name, header, tuple(rows),
                 Dialect(dialect.encoding, dialect.separator, decimal))


def _text(value: object) -> str:
    """A cell value as the text an import reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _check_zip(path: Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise TooBig("file", "not_xlsx") from None
    total = sum(p.file_size for p in parts)
    if total > limits.max_unzipped_bytes:
        raise TooBig("file", "unzipped_bytes", bytes=total, limit=limits.max_unzipped_bytes)
    for p in parts:
        ratio = p.file_size / max(p.compress_size, 1)
        if p.file_size > limits.ratio_from_bytes and ratio > limits.max_zip_ratio:
            raise TooBig("file", "zip_ratio", part=p.filename, ratio=round(ratio),
                         limit_g=limits.max_zip_ratio)


def _sheet_rows(ws: object, label: str, limits: ReadLimits | None,
                deadline: Deadline | None) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Rows of a read-only worksheet as text, checked against ``limits`` as they come."""
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if number % 1000 == 0 and deadline is not None:
            deadline.check(label)
        if limits is not None:
            if number - 1 > limits.max_rows:
                raise TooBig("sheet", "rows", number, limit=limits.max_rows)
            if len(values) > limits.max_columns and \
                    any(v not in (None, "") for v in values[limits.max_columns:]):
                raise TooBig("sheet", "beyond_column", number, limit=limits.max_columns)
            values = values[:limits.max_columns]
        cells = tuple(_text(v) for v in values)
        for c in cells:
            _check_cell(c, limits, number)
        yield number, cells


def read_xlsx(path: Path, *, limits: ReadLimits | None = None,
              deadline: Deadline | None = None) -> list[Sheet]:
    """The sheets of an XLSX workbook; :class:`TooBig` when beyond ``limits`` (a sheet's
    own :class:`TooBig` names it in ``field``)."""
    import openpyxl

    _check_size(path, limits)
    if limits is not None:
        _check_zip(path, limits)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not read; cells are unaffected
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True,
                                          keep_links=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise TooBig("file", "unreadable_xlsx", detail=str(exc)) from None
        try:
            if limits is not None and len(book.worksheets) > limits.max_sheets:
                raise TooBig("file", "sheets", sheets=len(book.worksheets),
                             limit=limits.max_sheets)
            sheets = []
            for ws in book.worksheets:
                label = f"{path.name}:{ws.title}"
                if limits is not None:
                    rows, cols = ws.max_row or 0, ws.max_column or 0
                    if rows - 1 > limits.max_rows or cols > limits.max_columns:
                        raise TooBig(f"sheet {ws.title}", "dimension", rows=rows,
                                     columns=cols, max_rows=limits.max_rows,
                                     max_columns=limits.max_columns)
                # the rows are read as they are, whatever the dimension says
                ws.reset_dimensions()  # type: ignore[union-attr]
                found = list(_sheet_rows(ws, label, limits, deadline))
                header = found[0][1] if found else ()
                sheets.append(Sheet(ws.title, header, tuple(found[1:])))
            return sheets
        finally:
            book.close()

