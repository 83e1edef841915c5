"""Figures, units, dates and the interface's names of keys, in the reader's language.

English writes ``1,200.5 t/yr`` and ``2026-11-24``; bokmål writes ``1 200,5 t/år`` (a
no-break space between thousands, a decimal comma) and ``24.11.2026``. Keys that the data
and the URLs keep (``distance_km``, ``temperature_c``, ``pipeline``, ``operating``) are
shown by their names here. Pages get these as Jinja filters and globals
(:func:`init_app`); machine-readable outputs (CSV, XLSX, JSON) keep plain numbers and keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from jinja2 import pass_context

from symbiosis.messages import format_date, format_number, word
from symbiosis.model import Reason

from .data import taxonomy
from .i18n import current_language, gettext, reason_words

__all__ = ["number", "significant", "percent", "date", "per_year", "amount", "km",
           "mode_label", "technology_label", "status_label", "objective_label", "role_label",
           "field_label",
           "sort_label", "family_label", "kind_label", "applies_to_label", "reason_text",
           "error_text", "row_error_text", "place_problem", "note_text", "conversion_text",
           "value_text", "evidence_text", "formatter", "init_app", "FIELD_LABELS",
           "SORT_LABELS", "ROLE_LABELS", "OBJECTIVE_LABELS", "FAMILY_LABELS", "KIND_LABELS",
           "NEEDS_REASONS", "LABEL_TABLES"]

#: form fields and columns by their names in the interface (English keys of ``NB``)
FIELD_LABELS = {
    "id": "ID", "name": "Name", "lat": "Latitude", "lon": "Longitude",
    "org_number": "Organisation number", "nace": "NACE code", "municipality": "Municipality",
    "county": "County", "country": "Country (outside Norway)", "park_id": "Park",
    "park": "Park", "cluster": "Cluster", "source": "Source", "company_id": "Company",
    "direction": "Direction", "resource": "Resource", "amount": "Amount", "unit": "Unit",
    "ewc": "EWC code", "months": "Months", "price_nok_per_unit": "Price (NOK per unit)",
    "confidential": "Confidential", "description": "Description",
    "replaces": "Replaces (CO2 factor, demand only)",
    "temperature_c": "Temperature (°C)", "purity_pct": "Purity (%)",
    "dry_matter_pct": "Dry matter (%)", "moisture_pct": "Moisture (%)",
    "confirm_large": "The amount is right even though it is very large",
    "objective": "Objective", "budget": "Budget (NOK/yr, optional)",
    "time_limit": "Time limit (s)", "frontier_points": "Frontier points",
    "scenario": "Save as a scenario named (optional)", "baseline": "Baseline (t CO2e/yr)",
    "key": "Key", "label": "Label", "label_nb": "Label (Norwegian)",
    "applies_to": "Applies to", "factor": "Factor", "year": "Year", "notes": "Notes",
    "scope": "Where", "inputs": "Inputs", "outputs": "Outputs", "capacity": "Capacity",
    "file": "File", "sheet": "Sheet", "cells": "Cells", "status": "Status",
    "start_year": "Start year", "end_year": "End year",
    # qualifiers read from a resource cell
    "temperature_min": "Lowest temperature (°C)", "temperature_max": "Highest temperature (°C)",
    "hazardous": "Hazardous waste",
}
#: the candidate search's sort keys
SORT_LABELS = {"score": "score", "distance_km": "Distance (km)",
               "value_nok": "Value (NOK/yr)", "co2_avoided_t": "CO2 avoided (t/yr)",
               "amount": "Amount"}
ROLE_LABELS = {"admin": "administrator", "cluster_manager": "cluster manager",
               "county_staff": "county staff", "viewer": "viewer"}
OBJECTIVE_LABELS = {"value": "net annual value", "co2": "CO2 avoided, then value"}
#: resource families (the network picture's legend)
FAMILY_LABELS = {"energy": "energy", "gases": "gases", "organics": "organics",
                 "minerals": "minerals", "water": "water", "chemicals": "chemicals",
                 "waste": "waste", "other": "other"}
#: what an upload's CSV holds
KIND_LABELS = {"companies": "companies", "parks": "parks", "flows": "flows",
               "processes": "processes"}
#: why the optimizer lists a missing figure (optimizer/problem.py)
NEEDS_REASONS = {
    "quantity unknown": "quantity unknown",
    "remaining quantity unknown: an existing exchange has no amount":
        "remaining quantity unknown: an existing exchange has no amount",
    "value unknown: no price for the demand resource":
        "value unknown: no price for the demand resource",
}
#: every table of English labels, for the test that each has its bokmål
LABEL_TABLES = (FIELD_LABELS, SORT_LABELS, ROLE_LABELS, OBJECTIVE_LABELS, FAMILY_LABELS,
                KIND_LABELS, NEEDS_REASONS)


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def _nb() -> bool:
    return current_language() == "nb"


def number(value: float | None, digits: int = 0) -> str:
    """``1,200.5`` or ``1 200,5``; ``–`` for no value."""
    if value is None:
        return "–"
    return format_number(float(value), current_language(), digits=digits, trim=False)


def significant(value: float | None, figures: int = 4) -> str:
    """A small factor to its significant figures: ``0.0152`` or ``0,0152``."""
    if value is None:
        return "–"
    text = f"{float(value):.{figures}g}"
    return text.replace(".", ",").replace("-", "\u2212") if _nb() else text


def percent(value: float | None, digits: int = 0) -> str:
    """``12%`` or ``12 %`` (bokmål puts a no-break space before the sign)."""
    if value is None:
        return "–"
    text = format_number(float(value) * 100, current_language(), digits=digits, trim=False)
    return f"{text}\u00a0%" if _nb() else f"{text}%"


def date(value: str | None) -> str:
    """An ISO date or time: ``2026-11-24`` or ``24.11.2026``."""
    return format_date(value or "", current_language())


def per_year(unit: str) -> str:
    """``t/yr`` or ``t/år``."""
    return f"{unit}/{gettext('yr')}"


def amount(value: float | None, unit: str, digits: int = 0) -> str:
    """An annual amount with its unit, or "unknown"."""
    if value is None:
        return gettext("unknown")
    return f"{number(value, digits)} {per_year(unit)}"


def km(value: float, digits: int = 1) -> str:
    return f"{number(value, digits)} km"


def mode_label(key: str | None) -> str:
    """A transport mode's name from the taxonomy (``pipeline``: rørledning)."""
    if not key:
        return ""
    return taxonomy().mode_labels("no" if _nb() else "en").get(key, key)


def technology_label(key: str | None) -> str:
    """A technology's name from the knowledge base (``anaerobic_digestion``: anaerobic
    digestion, biogassanlegg)."""
    if not key:
        return ""
    t = taxonomy().knowledge.technologies.get(key)
    return key if t is None else (t.label_no if _nb() else t.label_en)


def status_label(key: str | None) -> str:
    """An exchange's or a plan's status (``operating``: i drift; ``optimal``)."""
    return word(f"status.{key}", current_language(), str(key or ""))


def objective_label(key: str) -> str:
    return gettext(OBJECTIVE_LABELS.get(key, key))


def role_label(key: str | None) -> str:
    return gettext(ROLE_LABELS.get(key or "", key or ""))


def field_label(key: str) -> str:
    """A form field or import column by its name (``temperature_c``: Temperatur (°C))."""
    return gettext(FIELD_LABELS.get(key, key))


def sort_label(key: str) -> str:
    return gettext(SORT_LABELS.get(key, key))


def family_label(key: str) -> str:
    return gettext(FAMILY_LABELS.get(key, key))


def kind_label(key: str) -> str:
    return gettext(KIND_LABELS.get(key, key))


def applies_to_label(key: str) -> str:
    return word(f"applies_to.{key}", current_language(), key)


def reason_text(reason: Reason) -> str:
    """A message code with its parameters in words, resources named by the taxonomy."""
    return reason_words()(reason)


def error_text(exc: BaseException) -> str:
    """An error for the reader: its message code in words when it has one (the English
    text of the exception otherwise)."""
    reason = getattr(exc, "reason", None)
    return reason_text(reason) if isinstance(reason, Reason) else str(exc)


def row_error_text(error: Any) -> str:
    """A :class:`~symbiosis.errors.RowError`'s message in the reader's language."""
    reason = getattr(error, "reason", None)
    return reason_text(reason) if isinstance(reason, Reason) else str(error.message)


def place_problem(note: Any) -> str:
    """A :class:`~symbiosis.places.PlaceNote` in the reader's language."""
    reason = getattr(note, "reason", None)
    return reason_text(reason) if isinstance(reason, Reason) else str(note.message)


def note_text(note: Reason | None, english: str) -> str:
    """A note (a warning, a plan's or the park planner's message) in words: its code, or
    the English stored before notes had codes."""
    return english if note is None else reason_text(note)


def value_text(value: object) -> str:
    """A cell's value: yes or no, a number in the reader's language, or the text."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        return format_number(float(value), current_language())
    return str(value)


def evidence_text(item: str) -> str:
    """One deciding word of a reading: the words as written, or ``EWC <code>``."""
    return f"{gettext('EWC')} {item[4:]}" if item.startswith("EWC ") else item


def formatter(spec: str | Callable[[float], str]) -> Callable[[float], str]:
    """A page's format (``{:,.0f}``, ``{:,.1f}``, ``{:.0%}``) as a function writing the
    number in the reader's language."""
    if not isinstance(spec, str):
        return spec
    digits = 0
    if "." in spec:
        tail = spec.split(".", 1)[1]
        digits = int("".join(ch for ch in tail if ch.isdigit()) or 0)
    if spec.rstrip("}").endswith("%"):
        return lambda v: percent(v, digits)
    return lambda v: number(v, digits)


def conversion_text(note: str) -> str:
    """A unit conversion note (``1 lm3 = 0.3 t (source, year)``) with the reader's
    decimal mark."""
    return _DECIMAL_POINT.sub(",", note) if _nb() else note


def _per_request(write: Callable[..., str]) -> Callable[..., str]:
    """``write`` as a filter Jinja never runs while it compiles a template: it folds a
    filter of a constant (``{{ 3000|num }}``) into the template once, in the language of
    no request, unless the filter takes the context."""
    @pass_context
    def filtered(_context: Any, *args: Any, **kwargs: Any) -> str:
        return write(*args, **kwargs)

    return filtered


def init_app(app: Flask) -> None:
    """The filters and globals the templates use."""
    filters: dict[str, Callable[..., str]] = dict(
        num=number, sig=significant, pct=percent, date=date, per_year=per_year,
        mode=mode_label, technology=technology_label, status=status_label,
        objective=objective_label, role=role_label,
        field=field_label, sort_label=sort_label, family=family_label, kind=kind_label,
        applies_to=applies_to_label, said=reason_text, conversion=conversion_text,
        value=value_text, evidence=evidence_text)
    app.jinja_env.filters.update({k: _per_request(f) for k, f in filters.items()})
    app.jinja_env.globals.update(amount_words=amount, km=km, row_error=row_error_text,
                                 note_text=note_text)
