"""Validation of input tables into domain objects, collecting every error at once."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, TypeVar

from ..errors import ImportValidationError, RowError
from ..messages import row_error, said
from ..model import (
    ALL_MONTHS,
    Company,
    Dataset,
    Flow,
    Park,
    Process,
    Reason,
    valid_org_number,
)
from ..ownership import Origins, ownership_errors
from ..places import default_register
from ..recognition import ASK_BELOW, Recognition, Recognizer, recognizer
from ..taxonomy import (
    CUSTOM_PREFIX,
    QUALITY_FIELDS,
    Taxonomy,
    default_taxonomy,
    normalise_ewc,
)
from ..units import UnitError, canonical_for_dimension, convert_amount
from .checks import DEFAULT_COUNTRY, amount_ceiling, country, place_note
from .columns import REQUIRED, stored_cells, unknown_columns
from .limits import Deadline
from .tables import Table, by_kind

__all__ = ["ImportResult", "Interpretation", "parse_tables", "parse_months", "REQUIRED"]

T = TypeVar("T")
_TRUE = {"true", "yes", "y", "1", "ja", "j", "x"}
_FALSE = {"false", "no", "n", "0", "nei", ""}
_RANGE = re.compile(r"^(-?\d+(?:[.,]\d+)?)(?:–|—|-|/|to)(-?\d+(?:[.,]\d+)?)$")
_NACE = re.compile(r"^\d{2}(\.\d{1,2})?(/\d{2}(\.\d{1,2})?)*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_QUALITY_RANGES = {"temperature_c": (-60.0, 1600.0), "purity_pct": (0.0, 100.0),
                   "dry_matter_pct": (0.0, 100.0), "moisture_pct": (0.0, 100.0)}
_MONTH_NAMES = {m: i for i, names in enumerate(
    [("jan",), ("feb",), ("mar",), ("apr",), ("may", "mai"), ("jun",), ("jul",), ("aug",),
     ("sep",), ("oct", "okt"), ("nov",), ("dec", "des")], start=1) for m in names}


@dataclass(frozen=True)
class Interpretation:
    """How one flow's resource cell was read: shown beside the original text."""

    file: str
    row: int
    flow_id: str
    recognition: Recognition


@dataclass(frozen=True)
class ImportResult:
    dataset: Dataset
    warnings: tuple[str, ...]
    interpretations: tuple[Interpretation, ...] = ()
    #: where each object came from: (kind, id) -> (file, row)
    origins: Origins = _field(default_factory=dict)
    #: how each CSV file was written, in words: (file, dialect)
    dialects: tuple[tuple[str, str], ...] = ()
    #: the warnings as message codes with their parameters, in the same order
    notes: tuple[Reason, ...] = ()
    #: how each CSV file was written, as codes: (file, dialect)
    dialect_notes: tuple[tuple[str, Reason], ...] = ()


class _Row:
    """Cell access for one row that records errors instead of raising.

    ``stored`` is the stored object with the row's id, if any: the cells the row does not
    give (``given``) were completed from it."""

    def __init__(self, table: Table, number: int, cells: Mapping[str, str],
                 errors: list[RowError], *, stored: object = None,
                 given: Collection[str] = ()):
        self.table, self.row_no, self.cells, self.errors = table, number, cells, errors
        self.stored, self.given = stored, given

    def error(self, field: str, code: str, value: str = "", *,
              suggestions: tuple[tuple[str, float], ...] = (), kind: str = "",
              **params: object) -> None:
        """An error of ``field``: the catalogue's ``error.<code>`` with ``params``."""
        self.errors.append(row_error(self.table.label, self.row_no, field, code, value,
                                     suggestions=suggestions, kind=kind, **params))

    def text(self, field: str, *, required: bool = False) -> str:
        value = self.cells.get(field, "").strip()
        if required and not value:
            self.error(field, "required")
        return value

    def number(self, field: str, *, required: bool = False, low: float | None = None,
               high: float | None = None, pick: str | None = None) -> float | None:
        """A number; with ``pick`` (``low`` or ``high``) a range such as ``40-60`` gives
        its low or high end."""
        raw = self.text(field, required=required)
        if not raw:
            return None
        text = raw.replace(" ", "").replace("\u00a0", "")
        m = _RANGE.match(text) if pick else None
        try:
            if m:
                a, b = (float(x.replace(",", ".")) for x in m.groups())
                value = min(a, b) if pick == "low" else max(a, b)
            else:
                value = float(text.replace(",", "."))
        except ValueError:
            self.error(field, "not_number", raw)
            return None
        if not math.isfinite(value):
            self.error(field, "not_finite_number", raw)
            return None
        if low is not None and value < low:
            self.error(field, "at_least", raw, low_g=low)
            return None
        if high is not None and value > high:
            self.error(field, "at_most", raw, high_g=high)
            return None
        return value

    def flag(self, field: str, default: bool = False) -> bool:
        raw = self.text(field).lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return default if raw == "" else False
        self.error(field, "not_flag", raw)
        return default

    def optional(self, field: str) -> str | None:
        return self.text(field) or None


def parse_months(text: str) -> frozenset[int]:
    """Months from ``'1-4;10-12'``, ``'jan-mar'``, ``'all'`` or empty (all year).

    >>> sorted(parse_months("nov-feb"))
    [1, 2, 11, 12]
    """
    text = text.strip().lower()
    if text in ("", "all", "alle", "1-12"):
        return ALL_MONTHS
    out: set[int] = set()

    def month(tok: str) -> int:
        tok = tok.strip()
        value = int(tok) if tok.isdigit() else _MONTH_NAMES.get(tok[:3], 0)
        if not 1 <= value <= 12:
            raise ValueError(tok)
        return value

    for part in re.split(r"[;,\s]+", text):
        if not part:
            continue
        if "-" in part:
            a, b = (month(x) for x in part.split("-", 1))
            out.update(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
        else:
            out.add(month(part))
    return frozenset(out)


def _unique(rows: list[_Row], parsed: list[T | None], key: Callable[[T], str],
            seen: dict[str, tuple[str, str]]) -> list[T]:
    out = []
    for row, item in zip(rows, parsed, strict=True):
        if item is None:
            continue
        k = key(item)
        if k in seen:
            row.error("id", "duplicate_id", k, first_file=seen[k][0], first_row=seen[k][1])
            continue
        seen[k] = (row.table.label, str(row.row_no))
        out.append(item)
    return out


def _rows(tables: Sequence[Table], errors: list[RowError],
          stored: Mapping[str, Company | Flow | Process | Park]) -> list[_Row]:
    """The rows of ``tables``; a row about a stored id is completed from the stored object
    (a required column may then be left out)."""
    rows: list[_Row] = []
    for table in tables:
        errors.extend(unknown_columns(table.kind, table.label, table.columns))
        missing = [c for c in REQUIRED[table.kind] if c not in table.columns]
        if missing and ("id" in missing or any(
                cells.get("id", "").strip() not in stored for _, cells in table.rows)):
            for c in missing:
                errors.append(row_error(table.label, 1, c, "required_column"))
            continue
        for n, cells in table.rows:
            before = stored.get(cells.get("id", "").strip())
            full = {**stored_cells(before), **cells} if before is not None else cells
            rows.append(_Row(table, n, full, errors, stored=before, given=frozenset(cells)))
    return rows


def _each(rows: Sequence[_Row], read: Callable[[_Row], T | None],
          deadline: Deadline | None) -> list[T | None]:
    out = []
    for n, r in enumerate(rows):
        if deadline is not None and n % 200 == 0:
            deadline.check(r.table.label)
        out.append(read(r))
    return out


def _place(r: _Row, warnings: list[str], notes: list[Reason]
           ) -> tuple[str | None, str | None, str | None]:
    """Country, county and municipality of a company or park row. In Norway (no country,
    or ``NO``) county and municipality are read against the register: register names come
    back, a municipality fills its county, and what the register refuses is an error of
    its field (with the nearest names); elsewhere they are kept as written."""
    country = r.text("country").upper()
    if country and not _COUNTRY.match(country):
        r.error("country", "country_code", r.text("country"))
    if country not in ("", "NO"):
        return country, r.optional("county"), r.optional("municipality")
    got = default_register().read(r.text("county"), r.text("municipality"))
    for p in got.problems:
        abroad = p.code == "unknown" and not p.suggestions and not p.value.isdigit()
        r.error(p.field, "place_abroad" if abroad else "place", p.value,
                kind=f"place_{p.code}", **_note(p.reason))
    for w in got.warnings:
        text, note = said("warning.field", file=r.table.label, row=str(r.row_no),
                          field=w.field, **_note(w.reason))
        warnings.append(text)
        notes.append(note)
    return None, got.county, got.municipality


def _note(reason: Reason | None) -> dict[str, Any]:
    """Parameters that put ``reason`` inside another message (as its ``note``)."""
    return {} if reason is None else {**reason.mapping, "note_code": reason.code}


def _company(r: _Row, warnings: list[str], notes: list[Reason]) -> Company | None:
    n0 = len(r.errors)
    cid, name = r.text("id", required=True), r.text("name", required=True)
    lat = r.number("lat", required=True, low=-90, high=90)
    lon = r.number("lon", required=True, low=-180, high=180)
    org = r.optional("org_number")
    if org and not valid_org_number(org):
        r.error("org_number", "org_number", org)
    nace = r.optional("nace")
    if nace and not _NACE.match(nace):
        r.error("nace", "nace", nace)
    country, county, municipality = _place(r, warnings, notes)
    if len(r.errors) > n0 or lat is None or lon is None:
        return None
    return Company(id=cid, name=name, lat=lat, lon=lon,
                   org_number=org.replace(" ", "") if org else None, nace=nace,
                   municipality=municipality, county=county,
                   park_id=r.optional("park_id"), cluster=r.optional("cluster"),
                   source=r.optional("source"), country=country)


def _park(r: _Row, warnings: list[str], notes: list[Reason]) -> Park | None:
    n0 = len(r.errors)
    year = r.number("target_year", low=2000, high=2100)
    country, county, municipality = _place(r, warnings, notes)
    park = Park(id=r.text("id", required=True), name=r.text("name", required=True),
                county=county, municipality=municipality, country=country,
                lat=r.number("lat", low=-90, high=90), lon=r.number("lon", low=-180, high=180),
                radius_km=r.number("radius_km", low=0),
                baseline_t_co2e=r.number("baseline_t_co2e", low=0),
                target_year=int(year) if year is not None else None,
                target_t_co2e=r.number("target_t_co2e", low=0),
                source=r.optional("source"), cluster=r.optional("cluster"))
    return None if len(r.errors) > n0 else park


def _resource(r: _Row, text: str, taxonomy: Taxonomy, rec: Recognizer,
              seen: list[Interpretation]) -> tuple[str, Recognition | None]:
    """The resource key of a cell: a key or an explicit ``custom:`` name as it is, else
    what recognition reads; below the confidence threshold the row is refused with the
    best three suggestions (nothing becomes a silent custom resource)."""
    if text in taxonomy.resources:
        return text, None
    if text.startswith(CUSTOM_PREFIX) and len(text) > len(CUSTOM_PREFIX):
        return text, None
    got = rec.recognise(text)
    seen.append(Interpretation(r.table.label, r.row_no, r.text("id"), got))
    if got.resource is None or got.confidence < ASK_BELOW:
        hint = "|".join(f"{k}:{c}" for k, c in got.suggestions)
        r.error("resource", "unrecognised", text, suggestions=got.suggestions,
                kind="unrecognised", confidence=got.confidence, suggested=hint)
        return "", got
    return got.resource, got


def _flow(r: _Row, taxonomy: Taxonomy, companies: Collection[str],
          warnings: list[str], rec: Recognizer, seen: list[Interpretation]) -> Flow | None:
    n0 = len(r.errors)
    fid = r.text("id", required=True)
    company = r.text("company_id", required=True)
    if company and company not in companies:
        r.error("company_id", "unknown_company", company)
    direction = r.text("direction", required=True).lower()
    if direction and direction not in ("supply", "demand"):
        r.error("direction", "direction", direction)
    resource_text = r.text("resource", required=True)
    key, got = ("", None)
    if resource_text:
        key, got = _resource(r, resource_text, taxonomy, rec, seen)
    parsed = dict(got.qualifiers) if got is not None else {}
    ewc_text = r.text("ewc")
    ewc = None
    if ewc_text:
        ewc = normalise_ewc(ewc_text)
        if ewc is None or ewc not in taxonomy.ewc_codes:
            r.error("ewc", "ewc", ewc_text)
    elif isinstance(parsed.get("ewc"), str):
        ewc = str(parsed["ewc"])
    amount = r.number("amount", low=0)
    unit_text = r.text("unit")
    canonical = taxonomy.resource(key).unit if key else ""
    if key and taxonomy.resource(key).custom and unit_text:
        canonical = canonical_for_dimension(unit_text) or canonical
    conversion = ""
    if key and (amount is not None or unit_text):
        know = taxonomy.knowledge
        try:
            converted = convert_amount(
                1.0 if amount is None else amount, unit_text or canonical, canonical,
                density=lambda form: know.density(key, form),
                heating_value=lambda basis: know.heating_value(key, basis))
            if amount is not None:
                amount, conversion = converted.amount, converted.note
        except UnitError as exc:
            r.error("unit", "unit", unit_text, **_note(exc.reason))
    confirmed = r.flag("confirm_large")
    was = r.stored
    if isinstance(was, Flow) and "unit" in r.given and "amount" not in r.given \
            and unit_text != was.unit:
        r.error("amount", "unit_without_amount", unit_text)
    if amount is not None:
        # a stored amount the row does not give was confirmed when it was stored
        kept = isinstance(was, Flow) and "amount" not in r.given
        _check_amount(r, amount, canonical, confirmed or kept)
    quality = {}
    for q in QUALITY_FIELDS:
        v = r.number(q, low=_QUALITY_RANGES[q][0], high=_QUALITY_RANGES[q][1],
                     pick="low" if direction == "supply" else "high")
        if v is not None:
            quality[q] = v
    # qualifiers written in the resource cell fill the columns left empty; of a range, a
    # supply is held to its coolest and a demand to its warmest temperature
    temp = parsed.get("temperature_min" if direction == "supply" else "temperature_max")
    if "temperature_c" not in quality and isinstance(temp, float | int):
        quality["temperature_c"] = float(temp)
    for q in ("purity_pct", "dry_matter_pct", "moisture_pct"):
        if q not in quality and isinstance(parsed.get(q), float | int):
            quality[q] = float(parsed[q])  # type: ignore[arg-type]
    months = ALL_MONTHS
    try:
        months = parse_months(r.text("months"))
    except ValueError:
        r.error("months", "months", r.text("months"))
    price = r.number("price_nok_per_unit")
    confidential = r.flag("confidential")
    replaces = r.text("replaces")
    if replaces and direction == "supply":
        r.error("replaces", "replaces_supply", replaces)
    elif replaces and key:
        problem = taxonomy.co2.check_replaces(key, replaces)
        if problem:
            r.error("replaces", "replaces", replaces, **_note(problem))
    if len(r.errors) > n0:
        return None
    amount_text = f"{r.text('amount')} {unit_text}".strip() if conversion else ""
    resource_text = "" if resource_text == key else resource_text
    if isinstance(was, Flow):  # what the stored flow was read from stays with it
        if "resource" not in r.given:
            resource_text = was.resource_text
        if "amount" not in r.given and "unit" not in r.given:
            amount_text, conversion = was.amount_text, was.conversion
    return Flow(id=fid, company_id=company, direction=direction, resource=key, amount=amount,
                unit=canonical, quality=quality, ewc=ewc, months=months,
                price_nok_per_unit=price, confidential=confidential,
                description=r.text("description"), source=r.optional("source"),
                resource_text="" if resource_text == key else resource_text,
                amount_text=amount_text, conversion=conversion, replaces=replaces)


def _check_amount(r: _Row, amount: float, unit: str, confirmed: bool) -> None:
    """An amount must be a finite number, and under the plausible ceiling of its unit
    unless the row confirms it (``confirm_large``)."""
    raw = f"{r.text('amount')} {r.text('unit')}".strip()
    if not math.isfinite(amount):
        r.error("amount", "not_finite", raw, kind="not_finite", unit=unit)
        return
    ceiling = amount_ceiling(unit)
    if ceiling is not None and amount > ceiling and not confirmed:
        r.error("amount", "too_large", raw, kind="too_large", amount_g=float(f"{amount:.3g}"),
                ceiling=f"{ceiling:.0e}", unit=unit)


def _pairs(r: _Row, field: str) -> tuple[tuple[str, float], ...]:
    out = []
    for part in r.text(field, required=True).split(";"):
        part = part.strip()
        if not part:
            continue
        fid, _, coef = part.partition(":")
        try:
            value = float(coef.strip().replace(",", ".")) if coef.strip() else 1.0
        except ValueError:
            r.error(field, "pair_format", part)
            continue
        if value <= 0 or not math.isfinite(value):
            r.error(field, "coefficient", part)
            continue
        out.append((fid.strip(), value))
    return tuple(out)


def _process(r: _Row, companies: Collection[str], flows: Mapping[str, tuple[str, str]]
             ) -> Process | None:
    n0 = len(r.errors)
    pid, company = r.text("id", required=True), r.text("company_id", required=True)
    if company and company not in companies:
        r.error("company_id", "unknown_company", company)
    inputs, outputs = _pairs(r, "inputs"), _pairs(r, "outputs")
    for field, pairs, direction in (("inputs", inputs, "demand"), ("outputs", outputs, "supply")):
        for fid, _ in pairs:
            owner = flows.get(fid)
            if owner is None:
                r.error(field, "unknown_flow", fid)
            elif owner != (company, direction):
                r.error(field, f"flow_owner_{direction}", fid, company=company)
    capacity = r.number("capacity", low=0)
    fixed = r.number("fixed_cost_nok_per_year", low=0) or 0.0
    variable = r.number("variable_cost_nok_per_unit") or 0.0
    planned = r.flag("planned")
    if len(r.errors) > n0:
        return None
    return Process(id=pid, company_id=company, inputs=inputs, outputs=outputs,
                   capacity=capacity, fixed_cost_nok_per_year=fixed,
                   variable_cost_nok_per_unit=variable, planned=planned,
                   name=r.text("name"), source=r.optional("source"))


def parse_tables(tables: Sequence[Table], *, taxonomy: Taxonomy | None = None,
                 known_companies: Collection[str] = (),
                 known_flows: Mapping[str, tuple[str, str]] | None = None,
                 mapping: Mapping[str, str] | None = None, stored: Dataset | None = None,
                 owner: str | None = None, country_code: str | None = None,
                 deadline: Deadline | None = None) -> ImportResult:
    """Validate tables into a :class:`Dataset`.

    ``stored`` is what the target store already holds: rows may refer to its companies
    and flows, and a row about a stored id changes only the columns it gives.
    ``known_companies`` and ``known_flows`` (flow id -> (company id, direction)) add ids
    to refer to. ``mapping`` holds confirmed readings of resource cells (normalised text
    -> key). With ``owner`` (a cluster), every row that touches an id of another cluster
    is an error (:mod:`symbiosis.ownership`). Places outside ``country_code``'s boxes are
    warnings. Raises :class:`ImportValidationError` listing every bad row; returns
    warnings, how each resource cell was read and where each object came from otherwise.
    """
    tax = taxonomy or default_taxonomy()
    rec = recognizer(tax, mapping=mapping)
    have = stored or Dataset()
    seen: list[Interpretation] = []
    errors: list[RowError] = []
    warnings: list[str] = []
    notes: list[Reason] = []
    groups = by_kind(tables)
    old_parks = {p.id: p for p in have.parks}
    old_companies = {c.id: c for c in have.companies}
    old_flows = {f.id: f for f in have.flows}
    old_processes = {p.id: p for p in have.processes}

    park_rows = _rows(groups["parks"], errors, old_parks)
    parks = _unique(park_rows, _each(park_rows, lambda r: _park(r, warnings, notes), deadline),
                    lambda p: p.id, {})
    company_rows = _rows(groups["companies"], errors, old_companies)
    companies = _unique(company_rows,
                        _each(company_rows, lambda r: _company(r, warnings, notes), deadline),
                        lambda c: c.id, {})
    company_ids = set(known_companies) | set(old_companies) | {c.id for c in companies}
    # a company row that failed still has an id: do not report its flows twice
    company_ids |= {r.text("id") for r in company_rows if r.text("id")}
    flow_rows = _rows(groups["flows"], errors, old_flows)
    flows = _unique(flow_rows,
                    _each(flow_rows, lambda r: _flow(r, tax, company_ids, warnings, rec, seen),
                          deadline),
                    lambda f: f.id, {})
    owners = {f.id: (f.company_id, f.direction) for f in have.flows}
    owners.update(known_flows or {})
    owners.update({f.id: (f.company_id, f.direction) for f in flows})
    for r in flow_rows:  # failed rows: keep ids so processes are not reported twice
        if r.text("id") and r.text("id") not in owners:
            owners[r.text("id")] = (r.text("company_id"), r.text("direction").lower())
    process_rows = _rows(groups["processes"], errors, old_processes)
    processes = _unique(process_rows,
                        _each(process_rows, lambda r: _process(r, company_ids, owners),
                              deadline),
                        lambda p: p.id, {})
    origins = {(kind, r.text("id")): (r.table.label, r.row_no)
               for kind, rows in (("parks", park_rows), ("companies", company_rows),
                                  ("flows", flow_rows), ("processes", process_rows))
               for r in rows}
    data = Dataset(companies=tuple(companies), flows=tuple(flows),
                   processes=tuple(processes), parks=tuple(parks))
    if owner is not None:
        errors += ownership_errors(data, owner, companies=old_companies, flows=old_flows,
                                   processes=old_processes, parks=old_parks, origins=origins)
    if errors:
        raise ImportValidationError(errors)
    missing = [f.id for f in flows if f.amount is None]
    if missing:
        text, note = said("warning.no_amount", flows=len(missing))
        warnings.append(text)
        notes.append(note)
    land = country(country_code or DEFAULT_COUNTRY)
    for kind, items in (("companies", companies), ("parks", parks)):
        for item in items:
            if item.lat is None or item.lon is None:
                continue
            file, row = origins[(kind, item.id)]
            found = place_note(item.lat, item.lon, land)
            if found:
                text, note = said("warning.place", file=file, row=str(row), id=item.id,
                                  noun_code=f"word.{kind}.one", note_code=found.code,
                                  **found.mapping)
                warnings.append(text)
                notes.append(note)
    return ImportResult(data, tuple(warnings), tuple(seen), origins,
                        tuple((t.label, t.dialect) for t in tables if t.dialect),
                        tuple(notes),
                        tuple((t.label, t.dialect_note) for t in tables
                              if t.dialect_note is not None))
