"""Exports: GeoJSON (RFC 7946) of companies and exchanges, and flat tables; CSV and XLSX
that a spreadsheet opens without running anything written in a cell."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from .model import Dataset, Exchange, Flow

__all__ = ["geojson", "exchange_rows", "spreadsheet_cell", "spreadsheet_text",
           "SpreadsheetWriter", "finite", "json_text", "Sheet", "workbook_bytes",
           "NOK_FORMAT", "TONNE_FORMAT"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def finite(value: Any) -> Any:
    """``value`` with every float that is not finite (``inf``, ``nan``) made ``None``, so
    that it can be written as JSON: ``Infinity`` and ``NaN`` are not JSON.

    >>> finite({"a": [1.5, float("inf")], "b": (float("nan"),)})
    {'a': [1.5, None], 'b': [None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def json_text(value: Any, **options: Any) -> str:
    """``value`` as JSON text, numbers that are not finite written as ``null``.

    >>> json_text({"amount": float("inf")})
    '{"amount": null}'
    """
    try:  # the common case, every number finite: no second walk over the value
        return json.dumps(value, allow_nan=False, **options)
    except (ValueError, TypeError):
        return json.dumps(finite(value), allow_nan=False, **options)


def spreadsheet_cell(value: object) -> object:
    """A CSV cell as a spreadsheet should show it: text that it would run as a formula
    (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading
    apostrophe (CSV injection); numbers, and text that is just a number, stay as they are.

    Examples
    --------
    >>> spreadsheet_cell("@SUM(1+1)"), spreadsheet_cell(-12.5), spreadsheet_cell("-3")
    ("'@SUM(1+1)", -12.5, '-3')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_text(cell: str) -> str:
    """Undo :func:`spreadsheet_cell` for a cell read back from a CSV file.

    >>> spreadsheet_text("'=A1"), spreadsheet_text("'quoted")
    ('=A1', "'quoted")
    """
    if cell[:1] == "'" and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class SpreadsheetWriter:
    """A :func:`csv.writer` (lines ending in ``\\n``) whose cells all pass through
    :func:`spreadsheet_cell`: use it for every CSV the project writes."""

    def __init__(self, out: TextIO):
        self._out = out
        self._writer = csv.writer(out, lineterminator="\n")
        self._kept = _Kept()

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_cell(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)

    def writecolumns(self, columns: Sequence[Sequence[object]]) -> None:
        """Rows given column by column (all columns of one length), written as
        :meth:`writerows` writes them, only faster: each column is made text at once and
        the lines are joined, where the csv module looks at every character of every
        cell (about four times the time for long texts).

        >>> buffer = io.StringIO()
        >>> SpreadsheetWriter(buffer).writecolumns([["a", "=b"], [1.5, None],
        ...                                         ["x,y", 'a "b" c']])
        >>> print(buffer.getvalue(), end="")
        a,1.5,"x,y"
        '=b,,"a ""b"" c"
        """
        if not _OWN_CSV or len(columns) < 2:  # a lone empty cell is written ""
            self.writerows(zip(*columns, strict=True))
            return
        if len(self._kept.plain) + len(self._kept.changed) > 200_000:
            self._kept = _Kept()
        cells = [_column_text(c, self._kept) for c in columns]
        if cells[0]:
            self._out.write("\n".join(map(",".join, zip(*cells, strict=True))) + "\n")


def _csv_text(cell: object) -> str:
    """How :func:`csv.writer` writes ``cell`` between two others."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["a", cell, "b"])
    return buffer.getvalue()[2:-3]


#: the characters for which this Python's csv module quotes a cell
_QUOTED_FOR = {c for c in ',"\n\r\t ;\'' if _csv_text(f"x{c}y") != f"x{c}y"}
_QUOTE_CR = "\r" in _QUOTED_FOR
#: whether :meth:`SpreadsheetWriter.writecolumns` may write the text itself: the csv
#: module quotes a cell with a comma, a quote (doubled) or a line break and nothing else
#: (a carriage return, depending on the version), and writes a float as its repr
_OWN_CSV = (_QUOTED_FOR - {"\r"} == {",", '"', "\n"} and _csv_text('x"y') == '"x""y"'
            and _csv_text("x,y") == '"x,y"' and _csv_text("x\ny") == '"x\ny"'
            and _csv_text("x\ry") == ('"x\ry"' if _QUOTE_CR else "x\ry")
            and _csv_text(None) == ""
            and all(_csv_text(x) == repr(x) for x in (0.1, 1e22, -1 / 3, float("nan"))))


def _quoted(text: str) -> str:
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or (_QUOTE_CR and "\r" in text):
        return '"' + text + '"'
    return text


#: a column whose first text is this long is not kept for later cells (a text of words
#: is rarely met again; an id, a name or a unit is)
_KEPT_BELOW = 48


def _text_cell(text: str) -> str:
    """A text as :meth:`SpreadsheetWriter.writerow` writes it in a cell."""
    return _quoted(("'" + text) if text.startswith(FORMULA_STARTS)
                   and not _NUMBER.fullmatch(text) else text)


@dataclass
class _Kept:
    """The texts a writer has put in cells: those written as they are, and the others
    with their cells."""

    plain: set[str] = field(default_factory=set)
    changed: dict[str, str] = field(default_factory=dict)


def _column_text(values: Sequence[object], kept: _Kept) -> list[str]:
    """A column's cells as :meth:`SpreadsheetWriter.writerow` writes them. Of a column of
    short texts (ids, names, units) only the texts not seen before are looked at."""
    kinds = set(map(type, values))
    if kinds == {float}:
        return list(map(float.__repr__, values))  # as the csv module writes a float
    if kinds == {float, type(None)}:
        return ["" if v is None else repr(v) for v in values]
    if kinds != {str}:
        out = []
        for v in values:
            cell = spreadsheet_cell(v)
            out.append("" if cell is None else _quoted(
                cell if isinstance(cell, str) else
                repr(cell) if isinstance(cell, float) else str(cell)))
        return out
    texts = cast(list[str], list(values))
    if texts and len(texts[0]) >= _KEPT_BELOW:  # words: each made a cell as it comes
        return [_text_cell(v) for v in texts]
    seen = set(texts)
    for v in seen.difference(kept.plain, kept.changed):
        cell = _text_cell(v)
        if cell == v:
            kept.plain.add(v)
        else:
            kept.changed[v] = cell
    if seen.isdisjoint(kept.changed):
        return texts
    return [kept.changed.get(v, v) for v in texts]


def geojson(data: Dataset, exchanges: Sequence[Exchange], *,
            hidden: Callable[[Flow], bool] = lambda f: False) -> dict[str, Any]:
    """A FeatureCollection: companies as Points, exchanges as LineStrings.

    Positions are ``[longitude, latitude]`` in WGS 84 as RFC 7946 requires. Companies whose
    flows are all hidden are left out, and so are exchanges of hidden flows: a line ends at
    a company, so it would name it.
    """
    companies = {c.id: c for c in data.companies}
    flows = {f.id: f for f in data.flows}
    shown: dict[str, list[bool]] = {}
    for f in data.flows:  # grouped once: a scan per company would grow with the square
        shown.setdefault(f.company_id, []).append(not hidden(f))
    secret_companies = {cid for cid, seen in shown.items() if not any(seen)}
    features: list[dict[str, Any]] = []
    for c in data.companies:
        if c.id in secret_companies:
            continue
        features.append({"type": "Feature", "id": c.id,
                         "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                         "properties": {"kind": "company", "name": c.name, "county": c.county,
                                        "municipality": c.municipality, "park_id": c.park_id,
                                        "nace": c.nace}})
    for e in exchanges:
        s, d = flows.get(e.supply_flow), flows.get(e.demand_flow)
        if s is None or d is None:
            continue
        if hidden(s) or hidden(d):
            continue
        a, b = companies[s.company_id], companies[d.company_id]
        features.append({
            "type": "Feature", "id": e.id,
            "geometry": {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]},
            "properties": {"kind": "exchange", "status": e.status, "resource": s.resource,
                           "amount": e.amount, "unit": e.unit,
                           "co2_avoided_t": e.co2_avoided_t, "start_year": e.start_year,
                           "supply_company": a.name, "demand_company": b.name}})
    return {"type": "FeatureCollection", "features": features}


def exchange_rows(data: Dataset, exchanges: Sequence[Exchange]) -> list[dict[str, Any]]:
    flows = {f.id: f for f in data.flows}
    out = []
    for e in exchanges:
        s, d = flows.get(e.supply_flow), flows.get(e.demand_flow)
        out.append({"id": e.id, "status": e.status, "supply_flow": e.supply_flow,
                    "demand_flow": e.demand_flow,
                    "supply_company": s.company_id if s else None,
                    "demand_company": d.company_id if d else None,
                    "resource": s.resource if s else None, "amount": e.amount,
                    "unit": e.unit, "value_nok": e.value_nok, "co2_avoided_t": e.co2_avoided_t,
                    "start_year": e.start_year, "end_year": e.end_year, "plan_id": e.plan_id})
    return out


#: number formats of the workbooks: whole kroner, tonnes to one decimal
NOK_FORMAT = "#,##0"
TONNE_FORMAT = "#,##0.0"
#: characters XML 1.0, and so XLSX, cannot hold (control characters but tab and newlines)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a title, a header row and rows of plain values (text,
    numbers, ``None`` for an empty cell); ``formats`` gives a column (0-based) its number
    format, ``cell_formats`` a single cell; ``bold_last`` sets the last row in bold (a
    sum)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    formats: Mapping[int, str] = field(default_factory=dict)
    bold_last: bool = False
    #: number formats of single cells, by (row, column) of ``rows``, 0-based
    cell_formats: Mapping[tuple[int, int], str] = field(default_factory=dict)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of ``sheets``, as bytes.

    Text is always stored as text, never as a formula: a cell that a spreadsheet would
    run (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, as
    :func:`spreadsheet_cell` guards CSV) is written as a text cell with Excel's quote
    prefix, so it shows as written and stays text when edited; the apostrophe the CSV
    writer adds is not needed, and not added, so the cell keeps its exact value. Numbers
    stay numbers; characters XML cannot hold are dropped.

    >>> import openpyxl
    >>> data = workbook_bytes([Sheet("Lines", ["what", "NOK/yr"], [["=1+1", 5.0]])])
    >>> cell = openpyxl.load_workbook(io.BytesIO(data))["Lines"]["A2"]
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for sheet in sheets:
        # a sheet title holds at most 31 characters and none of []:*?/\
        ws = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", sheet.title)[:31])
        for row_no, row in enumerate([sheet.header, *sheet.rows], start=1):
            for col_no, value in enumerate(row, start=1):
                cell = ws.cell(row=row_no, column=col_no)
                if isinstance(value, str):
                    text = _XML_ILLEGAL.sub("", value)
                    cell.value = text
                    cell.data_type = "s"  # openpyxl reads a leading '=' as a formula
                    if text.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True
                elif isinstance(value, float) and not math.isfinite(value):
                    cell.value = None
                else:
                    cell.value = value  # type: ignore[assignment]
                if row_no > 1:
                    fmt = sheet.cell_formats.get((row_no - 2, col_no - 1),
                                                 sheet.formats.get(col_no - 1))
                    if fmt:
                        cell.number_format = fmt
                if row_no == 1 or (sheet.bold_last and row_no == len(sheet.rows) + 1):
                    cell.font = bold
        for col_no, title in enumerate(sheet.header, start=1):
            longest = max([len(str(title))] + [len(f"{r[col_no - 1]:,.1f}")
                                               if isinstance(r[col_no - 1], float)
                                               else len(str(r[col_no - 1] or ""))
                                               for r in sheet.rows if len(r) >= col_no])
            ws.column_dimensions[ws.cell(row=1, column=col_no).column_letter].width = \
                min(max(10, longest + 2), 60)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
