"""Reading input files into plain tables that remember each row's number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportValidationError, RowError
from ..messages import row_error
from ..model import Reason
from .limits import Deadline, ReadLimits
from .sheets import Sheet, TooBig, read_csv, read_xlsx

__all__ = ["KINDS", "Table", "read_tables", "detect_kind", "sheet_table"]

KINDS = ("companies", "parks", "flows", "processes")
_HINTS = {"compan": "companies", "park": "parks", "flow": "flows", "process": "processes",
          "bedrift": "companies", "strøm": "flows", "prosess": "processes"}


@dataclass(frozen=True)
class Table:
    """One sheet of input: ``label`` names it in error messages (file or file:sheet).

    A row's cells hold the columns given for that row: a column a row leaves out keeps
    the stored value of that field, an empty cell clears it."""

    kind: str
    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]  # (row number as a spreadsheet shows it, cells)
    #: how a CSV file was written (encoding, separator, decimal mark), in words
    dialect: str = ""
    #: the same as a message code with its parameters
    dialect_note: Reason | None = None


def detect_kind(name: str) -> str | None:
    low = name.lower()
    for hint, kind in _HINTS.items():
        if hint in low:
            return kind
    return None


def sheet_table(kind: str, label: str, sheet: Sheet, errors: list[RowError]) -> Table:
    """A :class:`Table` of a sheet; a row with more cells than the header has columns (an
    unquoted separator inside a value shifts every cell after it) or a repeated column
    name is an error."""
    names = [c.strip().lower() for c in sheet.header]
    while names and not names[-1]:
        names.pop()
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            errors.append(row_error(label, 1, name, "repeated_column", kind="repeated_column"))
        seen.add(name)
    columns = tuple(n for n in names if n)
    rows = []
    for number, values in sheet.rows:
        extra = [v for i, v in enumerate(values) if v and (i >= len(names) or not names[i])]
        if extra:
            sep = sheet.dialect.separator if sheet.dialect else ""
            errors.append(row_error(label, number, "cells",
                                    "extra_cells_separator" if sep else "extra_cells",
                                    extra[0], kind="extra_cells", cells=len(values),
                                    columns=len(names), separator=sep))
            continue
        cells = {n: v for n, v in zip(names, values, strict=False) if n}
        if any(cells.values()):
            rows.append((number, cells))
    dialect = sheet.dialect.describe() if sheet.dialect else ""
    return Table(kind=kind, label=label, columns=columns, rows=tuple(rows), dialect=dialect,
                 dialect_note=sheet.dialect.note() if sheet.dialect else None)


def read_tables(paths: Iterable[str | Path], *, kind: str | None = None,
                limits: ReadLimits | None = None,
                deadline: Deadline | None = None) -> list[Table]:
    """Read CSV files (kind from the file name, or ``kind``) and XLSX workbooks (kind from
    each sheet's name). Unreadable files, and files beyond ``limits`` (none: no limits),
    raise :class:`ImportValidationError`."""
    tables: list[Table] = []
    errors: list[RowError] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                for sheet in read_xlsx(path, limits=limits, deadline=deadline):
                    k = detect_kind(sheet.name)
                    if k is None:
                        errors.append(row_error(path.name, 1, "sheet", "sheet_kind",
                                                sheet=sheet.name, kinds=str(KINDS)))
                        continue
                    tables.append(sheet_table(k, f"{path.name}:{sheet.name}", sheet, errors))
            else:
                k = kind or detect_kind(path.stem)
                if k is None:
                    errors.append(row_error(path.name, 1, "file", "file_kind",
                                            kinds=str(KINDS)))
                    continue
                tables.append(sheet_table(k, path.name, read_csv(path, limits=limits,
                                                                 deadline=deadline), errors))
        except FileNotFoundError:
            errors.append(row_error(path.name, 0, "file", "no_file"))
        except TooBig as exc:
            errors.append(RowError(path.name, exc.row, exc.field, exc.message,
                                   code="too_big", reason=exc.reason))
        except (ValueError, UnicodeDecodeError) as exc:
            errors.append(row_error(path.name, 0, "file", "unreadable", detail=str(exc)))
    if errors:
        raise ImportValidationError(errors)
    return tables


def by_kind(tables: Sequence[Table]) -> dict[str, list[Table]]:
    out: dict[str, list[Table]] = {k: [] for k in KINDS}
    for t in tables:
        out[t.kind].append(t)
    return out
