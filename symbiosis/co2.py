"""CO2 factors as data: what a recovered resource replaces, chosen per resource, flow, park
or county, and named in every CO2 figure.

The files live in ``symbiosis/data/``:

- ``co2_factors.csv``: the factors (``key``, what they apply to: ``heat``, ``electricity``
  or ``fuel``, t CO2 per MWh, source, year), e.g. ``el_no_location`` (Norwegian
  electricity, location-based, 0.015 t/MWh in 2023) or ``heat_gas_boiler`` (0.222);
- ``co2_defaults.csv``: what each resource replaces by default in Norway (a factor key),
  with the reasoning in its notes.

A demand flow may say what it replaces (``replaces``: a factor key of the same kind as
its resource's default); otherwise a choice for its company's park, then for its county,
applies; otherwise the resource's default. Admins add factor sets (a factor with its
source and year) and choices; they are kept with the store (:mod:`symbiosis.services`).

>>> co2 = default_co2()
>>> co2.default_of("hot_water").key, co2.default_of("hot_water").factor
('heat_electric_boiler', 0.0152)
>>> co2.factors["heat_gas_boiler"].factor
0.222
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .errors import DataFileError, SymbiosisError
from .knowledge import data_path, number_cell, read_rows, sourced_row
from .messages import error
from .model import Company, Flow, Reason

__all__ = ["Co2Factor", "Co2Choice", "Co2FactorError", "Co2Factors",
           "load_co2", "default_co2", "check_factor", "APPLIES_TO", "UNITS", "SCOPES"]

APPLIES_TO = ("heat", "electricity", "fuel")
UNITS = ("t CO2e/MWh", "t CO2/MWh")
SCOPES = ("park", "county")
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


class Co2FactorError(SymbiosisError):
    """A factor set or a choice that cannot be used; ``field`` names the bad field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Co2Factor:
    """Emissions avoided per unit of what is replaced (t CO2 or CO2e per MWh)."""

    key: str
    label: str
    applies_to: str
    factor: float
    unit: str
    source: str
    year: int
    label_nb: str = ""
    notes: str = ""
    #: who added it (a factor set added by an admin); empty for the shipped ones
    added_by: str = ""


@dataclass(frozen=True)
class Co2Choice:
    """What the demand of one kind (``heat`` ...) replaces in a park or a county."""

    scope: str  # park | county
    name: str  # the park's id or the county's register name
    applies_to: str
    factor: str  # a factor key


@dataclass(frozen=True)
class Co2Factors:
    """The factors, each resource's default, and the choices per park and county."""

    factors: Mapping[str, Co2Factor]
    defaults: Mapping[str, str] = field(default_factory=dict)  # resource -> factor key
    choices: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    def default_of(self, resource: str) -> Co2Factor | None:
        key = self.defaults.get(resource)
        return self.factors[key] if key else None

    def kind_of(self, resource: str) -> str | None:
        """What a resource replaces, as a factor kind (``heat`` ...), if it has a default."""
        default = self.default_of(resource)
        return default.applies_to if default else None

    def replaced(self, flow: Flow, company: Company | None) -> Co2Factor | None:
        """What a demand flow's resource replaces where it is, when that is not its
        resource's default: the flow's own ``replaces``, else a choice for its park, else
        for its county."""
        kind = self.kind_of(flow.resource)
        if kind is None or flow.direction != "demand":
            return None
        key = flow.replaces or None
        if key is None and company is not None:
            key = (self.choices.get(("park", company.park_id or "", kind))
                   or self.choices.get(("county", company.county or "", kind)))
        return self.factors.get(key) if key else None

    def with_sets(self, factors: Iterable[Co2Factor], choices: Iterable[Co2Choice] = ()
                  ) -> Co2Factors:
        """These factors with ``factors`` added and ``choices`` made (checked)."""
        merged = dict(self.factors)
        for f in factors:
            merged.setdefault(f.key, f)
        picked = dict(self.choices)
        for c in choices:
            if c.factor in merged and merged[c.factor].applies_to == c.applies_to:
                picked[(c.scope, c.name, c.applies_to)] = c.factor
        return replace(self, factors=merged, choices=picked)

    def check_replaces(self, resource: str, key: str) -> Reason | None:
        """Why a demand flow of ``resource`` cannot replace factor ``key`` (None: it can),
        as a message code (``co2.*``) with its parameters."""
        kind = self.kind_of(resource)
        if kind is None:
            return Reason.of("co2.no_choice", resource=resource)
        found = self.factors.get(key)
        if found is None:
            known = sorted(k for k, f in self.factors.items() if f.applies_to == kind)
            return Reason.of("co2.unknown_for", key=key, demand_kind=kind, known=", ".join(known))
        if found.applies_to != kind:
            return Reason.of("co2.other_kind", key=key, applies_to=found.applies_to,
                             resource=resource, demand_kind=kind)
        return None

    def choice_problem(self, choice: Co2Choice) -> Co2FactorError | None:
        if choice.scope not in SCOPES:
            return error(Co2FactorError, "co2.one_of", "scope", choices=", ".join(SCOPES))
        if not choice.name.strip():
            return error(Co2FactorError, "co2.name", "name")
        found = self.factors.get(choice.factor)
        if found is None:
            return error(Co2FactorError, "co2.unknown", "factor", key=choice.factor)
        if found.applies_to != choice.applies_to:
            return error(Co2FactorError, "co2.not_for", "factor", key=choice.factor,
                         applies_to=found.applies_to, demand_kind=choice.applies_to)
        return None


def check_factor(cells: Mapping[str, object], *, taken: Iterable[str] = (),
                 added_by: str = "") -> Co2Factor:
    """A factor set from a form or a stored setting, or :class:`Co2FactorError` naming
    the first bad field: a new lower-case key, a label, what it applies to, a finite factor
    of at least 0, a unit, a source and a year.

    >>> check_factor({"key": "tromso_dh", "label": "Tromsø district heating",
    ...               "applies_to": "heat", "factor": "0,031", "unit": "t CO2e/MWh",
    ...               "source": "Kvitebjørn Varme klimaregnskap", "year": "2024"}).factor
    0.031
    >>> check_factor({"key": "x1", "factor": "nan"})
    Traceback (most recent call last):
    ...
    symbiosis.co2.Co2FactorError: factor: must be a finite number of at least 0
    """
    def text(name: str) -> str:
        value = cells.get(name)
        return "" if value is None else str(value).strip()

    key = text("key")
    if not _KEY.match(key):
        raise error(Co2FactorError, "co2.key", "key")
    if key in set(taken):
        raise error(Co2FactorError, "co2.taken", "key", key=key)
    try:
        value = float(text("factor").replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise error(Co2FactorError, "co2.factor", "factor")
    label = text("label")
    if not label:
        raise error(Co2FactorError, "error.required", "label")
    if text("applies_to") not in APPLIES_TO:
        raise error(Co2FactorError, "co2.one_of", "applies_to", choices=", ".join(APPLIES_TO))
    unit = text("unit") or UNITS[0]
    if unit not in UNITS:
        raise error(Co2FactorError, "co2.one_of", "unit", choices=", ".join(UNITS))
    source = text("source")
    if not source:
        raise error(Co2FactorError, "co2.source", "source")
    year = text("year")
    if not year.isdigit() or not 1990 <= int(year) <= datetime.date.today().year + 1:
        raise error(Co2FactorError, "co2.year", "year")
    return Co2Factor(key=key, label=label, applies_to=text("applies_to"), factor=value,
                     unit=unit, source=source, year=int(year), label_nb=text("label_nb"),
                     notes=text("notes"), added_by=added_by or text("added_by"))


def load_co2(sources: Iterable[str], resources: Iterable[str], *,
             data_dir: str | Path | None = None) -> Co2Factors:
    """Load and validate ``co2_factors.csv`` and ``co2_defaults.csv``: every row with a
    known source key and a year, factors finite and at least 0, defaults naming a known
    resource and factor."""
    def p(name: str) -> Path:
        return Path(data_dir) / name if data_dir else data_path(name)

    known = set(sources)
    factors: dict[str, Co2Factor] = {}
    path = p("co2_factors.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        key = (rec.get("key") or "").strip()
        if not _KEY.match(key) or key in factors:
            raise DataFileError(f"{path.name}, row {i}, field 'key': empty, malformed or "
                                f"duplicate ({key!r})")
        src, year = sourced_row(path, i, rec, known)
        applies_to = (rec.get("applies_to") or "").strip()
        if applies_to not in APPLIES_TO:
            raise DataFileError(f"{path.name}, row {i}, field 'applies_to': one of "
                                f"{APPLIES_TO}")
        unit = (rec.get("unit") or "").strip()
        if unit not in UNITS:
            raise DataFileError(f"{path.name}, row {i}, field 'unit': one of {UNITS}")
        value = number_cell(path, i, "factor", rec.get("factor"), required=True)
        if value is None or value < 0:
            raise DataFileError(f"{path.name}, row {i}, field 'factor': must be at least 0")
        factors[key] = Co2Factor(key=key, label=(rec.get("label") or key).strip(),
                                 applies_to=applies_to, factor=value, unit=unit, source=src,
                                 year=year, label_nb=(rec.get("label_nb") or "").strip(),
                                 notes=(rec.get("notes") or "").strip())
    res = set(resources)
    defaults: dict[str, str] = {}
    path = p("co2_defaults.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        resource = (rec.get("resource") or "").strip()
        if resource not in res or resource in defaults:
            raise DataFileError(f"{path.name}, row {i}, field 'resource': unknown or "
                                f"duplicate {resource!r}")
        key = (rec.get("replaces") or "").strip()
        if key not in factors:
            raise DataFileError(f"{path.name}, row {i}, field 'replaces': unknown factor "
                                f"{key!r}")
        sourced_row(path, i, rec, known)
        defaults[resource] = key
    return Co2Factors(factors, defaults)


@lru_cache(maxsize=1)
def default_co2() -> Co2Factors:
    """The shipped factors and defaults (those of :func:`default_taxonomy`)."""
    from .taxonomy import default_taxonomy

    return default_taxonomy().co2
