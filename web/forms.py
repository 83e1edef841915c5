"""Form input checked by the same rules as a spreadsheet import.

A form is one row of a one-row table, so a company or flow typed into a page gets exactly
the validation (units, codes, ranges, org numbers) and the messages of the file import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph import Store
from symbiosis import services
from symbiosis.errors import ImportValidationError
from symbiosis.io import DEFAULT_COUNTRY, Table
from symbiosis.io.checks import amount_ceiling
from symbiosis.model import Company, Dataset, Flow
from symbiosis.taxonomy import QUALITY_FIELDS, Taxonomy

from .words import row_error_text

__all__ = ["COMPANY_FIELDS", "FLOW_FIELDS", "parse_form", "company_cells", "flow_cells"]

COMPANY_FIELDS = ("id", "name", "lat", "lon", "org_number", "nace", "municipality", "county",
                  "park_id", "cluster", "source", "country")
FLOW_FIELDS = ("id", "company_id", "direction", "resource", "amount", "unit", "ewc", "months",
               "price_nok_per_unit", "confidential", "description", "source", "replaces",
               *QUALITY_FIELDS, "confirm_large")


def parse_form(store: Store, kind: str, fields: Sequence[str], form: Mapping[str, str], *,
               taxonomy: Taxonomy, owner: str | None = None,
               country: str = DEFAULT_COUNTRY) -> tuple[Dataset | None, dict[str, str]]:
    """The dataset for one submitted row, or the errors by field name; ``owner`` is the
    cluster the user writes for (``None``: an admin)."""
    cells = {f: str(form.get(f, "")).strip() for f in fields}
    table = Table(kind=kind, label="form", columns=tuple(fields), rows=((1, cells),))
    try:
        return services.parse_for_store(store, [table], taxonomy=taxonomy, owner=owner,
                                        country=country).dataset, {}
    except ImportValidationError as exc:
        return None, {e.field: row_error_text(e) for e in exc.errors}


def company_cells(c: Company) -> dict[str, str]:
    return {f: "" if getattr(c, f) is None else str(getattr(c, f)) for f in COMPANY_FIELDS}


def flow_cells(f: Flow) -> dict[str, str]:
    cells = {"id": f.id, "company_id": f.company_id, "direction": f.direction,
             "resource": f.resource, "amount": "" if f.amount is None else f"{f.amount:g}",
             "unit": f.unit, "ewc": f.ewc or "",
             "months": "" if len(f.months) == 12 else ";".join(map(str, sorted(f.months))),
             "price_nok_per_unit": ("" if f.price_nok_per_unit is None
                                    else f"{f.price_nok_per_unit:g}"),
             "confidential": "true" if f.confidential else "", "description": f.description,
             "source": f.source or "", "replaces": f.replaces}
    cells.update({q: f"{v:g}" for q, v in f.quality.items()})
    ceiling = amount_ceiling(f.unit)
    if f.amount is not None and ceiling is not None and f.amount > ceiling:
        cells["confirm_large"] = "true"  # it was confirmed when it was stored
    return cells
