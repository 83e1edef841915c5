"""Reading input files into plain tables that remember each row's number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import ImportValidationError, RowError

__all__ = ["KINDS", "Table", "read_tables", "detect_kind"]

KINDS = ("companies", "parks", "flows", "processes")
_HINTS = {"compan": "companies", "park": "parks", "flow": "flows", "process": "processes",
          "bedrift": "companies", "strøm": "flows", "prosess": "processes"}


@dataclass(frozen=True)
class Table:
    """One sheet of input: ``label`` names it in error messages (file or file:sheet)."""

    kind: str
    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]  # (row number as a spreadsheet shows it, cells)


def detect_kind(name: str) -> str | None:
    low = name.lower()
    for hint, kind in _HINTS.items():
        if hint in low:
            return kind
    return None


def _frame_to_table(kind: str, label: str, frame: pd.DataFrame) -> Table:
    frame = frame.fillna("")
    columns = tuple(str(c).strip().lower() for c in frame.columns)
    rows = []
    for offset, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = {c: _cell(v) for c, v in zip(columns, values, strict=True)}
        if any(cells.values()):
            rows.append((offset + 2, cells))
    return Table(kind=kind, label=label, columns=columns, rows=tuple(rows))


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_tables(paths: Iterable[str | Path], *, kind: str | None = None) -> list[Table]:
    """Read CSV files (kind from the file name, or ``kind``) and XLSX workbooks (kind from
    each sheet's name). Unreadable files raise :class:`ImportValidationError`."""
    tables: list[Table] = []
    errors: list[RowError] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
                for sheet, frame in sheets.items():
                    k = detect_kind(str(sheet))
                    if k is None:
                        errors.append(RowError(path.name, 1, "sheet",
                                               f"sheet {sheet!r} is not one of {KINDS}"))
                        continue
                    tables.append(_frame_to_table(k, f"{path.name}:{sheet}", frame))
            else:
                k = kind or detect_kind(path.stem)
                if k is None:
                    errors.append(RowError(path.name, 1, "file",
                                           f"cannot tell which of {KINDS} this file holds; "
                                           "name it after one of them or pass --kind"))
                    continue
                frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                                    encoding="utf-8-sig", skipinitialspace=True)
                tables.append(_frame_to_table(k, path.name, frame))
        except FileNotFoundError:
            errors.append(RowError(path.name, 0, "file", "no such file"))
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            errors.append(RowError(path.name, 0, "file", f"cannot be read: {exc}"))
    if errors:
        raise ImportValidationError(errors)
    return tables


def by_kind(tables: Sequence[Table]) -> dict[str, list[Table]]:
    out: dict[str, list[Table]] = {k: [] for k in KINDS}
    for t in tables:
        out[t.kind].append(t)
    return out
