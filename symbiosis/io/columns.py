"""The columns an import reads, per kind of table, and stored objects as cells.

A column that is neither read nor a known note column is an error with the nearest
known name ("did you mean `amount`?"): a misspelt column must not turn a value into
"unknown" without a word. A re-import changes only the columns it gives: a row about a
stored id is completed from the stored object (:func:`stored_cells`) before it is read,
so an absent column keeps the stored value and an empty cell clears it.
"""

from __future__ import annotations

from ..errors import RowError
from ..messages import row_error
from ..model import ALL_MONTHS, Company, Flow, Park, Process
from ..taxonomy import QUALITY_FIELDS

__all__ = ["COLUMNS", "REQUIRED", "NOTE_COLUMNS", "unknown_columns", "stored_cells"]

REQUIRED = {
    "companies": ("id", "name", "lat", "lon"),
    "parks": ("id", "name"),
    "flows": ("id", "company_id", "direction", "resource"),
    "processes": ("id", "company_id", "inputs", "outputs"),
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("id", "name", "lat", "lon", "org_number", "nace", "municipality", "county",
                  "country", "park_id", "cluster", "source"),
    "parks": ("id", "name", "county", "municipality", "country", "lat", "lon", "radius_km",
              "baseline_t_co2e", "target_year", "target_t_co2e", "source", "cluster"),
    "flows": ("id", "company_id", "direction", "resource", "amount", "unit", "ewc", "months",
              "price_nok_per_unit", "confidential", "description", "source", "replaces",
              *QUALITY_FIELDS,
              # not stored: says that an amount above the plausible ceiling is meant
              "confirm_large"),
    "processes": ("id", "company_id", "name", "inputs", "outputs", "capacity",
                  "fixed_cost_nok_per_year", "variable_cost_nok_per_unit", "planned",
                  "source"),
}

#: columns for people reading the file, accepted and not stored
NOTE_COLUMNS = frozenset({"description", "notes", "note", "comment", "comments", "case"})


def unknown_columns(kind: str, label: str, columns: tuple[str, ...]) -> list[RowError]:
    """An error for each column of a ``kind`` table that is not read, with the nearest
    known name when one is close.

    >>> [e.message for e in unknown_columns("flows", "flows.csv", ("id", "amout"))]
    ['unknown column: did you mean `amount`?']
    """
    from rapidfuzz import fuzz, process

    known = COLUMNS[kind]
    errors = []
    for c in columns:
        if c in known or c in NOTE_COLUMNS:
            continue
        best = process.extractOne(c, known, scorer=fuzz.ratio, score_cutoff=60)
        if best:
            errors.append(row_error(label, 1, c, "unknown_column_near", c,
                                    kind="unknown_column", near=best[0]))
        else:
            errors.append(row_error(label, 1, c, "unknown_column", c, kind="unknown_column",
                                    columns=", ".join(known)))
    return errors


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # exact: the completed row reads back the stored number
    return str(value)


def _pairs(pairs: tuple[tuple[str, float], ...]) -> str:
    return ";".join(f"{fid}:{coef!r}" for fid, coef in pairs)


def stored_cells(obj: Company | Flow | Process | Park) -> dict[str, str]:
    """A stored object as the cells of an import row that would give it again.

    >>> stored_cells(Company("A", "Mill", 60.7, 11.8, county="Innlandet"))["county"]
    'Innlandet'
    """
    if isinstance(obj, Flow):
        cells = {c: _text(getattr(obj, c)) for c in
                 ("id", "company_id", "direction", "resource", "amount", "unit", "ewc",
                  "price_nok_per_unit", "confidential", "description", "source")}
        cells["months"] = "" if obj.months == ALL_MONTHS else ";".join(
            str(m) for m in sorted(obj.months))
        cells.update({q: _text(obj.quality.get(q)) for q in QUALITY_FIELDS})
        return cells
    if isinstance(obj, Process):
        cells = {c: _text(getattr(obj, c)) for c in COLUMNS["processes"]
                 if c not in ("inputs", "outputs")}
        cells.update(inputs=_pairs(obj.inputs), outputs=_pairs(obj.outputs))
        return cells
    kind = "companies" if isinstance(obj, Company) else "parks"
    return {c: _text(getattr(obj, c)) for c in COLUMNS[kind]}

