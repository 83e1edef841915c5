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
from typing import Any, TextIO

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
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_cell(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


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
