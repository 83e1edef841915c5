"""Plausibility of imported numbers: amounts under a ceiling per unit, places inside the
country.

Both are reference data with a source per row (``data/amount_ceilings.csv``,
``data/country_boxes.csv``), read and validated once. An amount above its ceiling is an
error unless the row confirms it (``confirm_large``); a place outside the country's boxes
is a warning, with a hint when latitude and longitude look swapped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import DataFileError
from ..knowledge import data_path, number_cell, read_rows
from ..messages import render
from ..model import Reason

__all__ = ["Box", "Country", "amount_ceiling", "country", "place_warning", "place_note",
           "DEFAULT_COUNTRY"]

DEFAULT_COUNTRY = "NO"


def _source_keys() -> set[str]:
    base = data_path("sources.csv")
    keys = {r["key"] for r in read_rows(base)}
    for extra in sorted(base.parent.glob("sources_*.csv")):
        keys |= {r["key"] for r in read_rows(extra)}
    return keys


def _check_source(name: str, row: int, rec: dict[str, str], keys: set[str]) -> None:
    cited = [k.strip() for k in (rec.get("source") or "").split(";") if k.strip()]
    if not cited or any(k not in keys for k in cited) or not rec.get("year", "").isdigit():
        raise DataFileError(f"{name}, row {row}: needs known source keys and a year")


@functools.cache
def _ceilings() -> dict[str, float]:
    path = data_path("amount_ceilings.csv")
    keys = _source_keys()
    out = {}
    for row, rec in enumerate(read_rows(path), start=2):
        _check_source(path.name, row, rec, keys)
        out[rec["unit"]] = number_cell(path, row, "ceiling_per_year", rec["ceiling_per_year"],
                                       required=True, positive=True) or 0.0
    return out


def amount_ceiling(unit: str) -> float | None:
    """The largest plausible annual amount of one flow in a canonical unit, if known.

    >>> amount_ceiling("MWh")
    1000000000.0
    """
    return _ceilings().get(unit)


@dataclass(frozen=True)
class Box:
    part: str
    south: float
    west: float
    north: float
    east: float

    def holds(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    boxes: tuple[Box, ...]

    def holds(self, lat: float, lon: float) -> bool:
        return any(b.holds(lat, lon) for b in self.boxes)


@functools.cache
def country(code: str = DEFAULT_COUNTRY) -> Country:
    """The bounding boxes of a country in ``data/country_boxes.csv`` (Norway: the mainland,
    Svalbard and Jan Mayen)."""
    path = data_path("country_boxes.csv")
    keys = _source_keys()
    boxes, name = [], code
    for row, rec in enumerate(read_rows(path), start=2):
        if rec["country"] != code:
            continue
        _check_source(path.name, row, rec, keys)
        south, west, north, east = (number_cell(path, row, f, rec[f], required=True) or 0.0
                                    for f in ("south", "west", "north", "east"))
        boxes.append(Box(rec["part"], south, west, north, east))
        name = rec["name"]
    if not boxes:
        raise DataFileError(f"{path.name}: no boxes for country {code!r}")
    return Country(code, name, tuple(boxes))


def place_warning(where: str, lat: float, lon: float, land: Country) -> str | None:
    """A warning when ``(lat, lon)`` lies outside ``land``, saying so when the swapped pair
    lies inside.

    >>> print(place_warning("companies.csv row 2: company A", 10.75, 59.91, country()))
    ... # doctest: +NORMALIZE_WHITESPACE
    companies.csv row 2: company A at lat 10.75, lon 59.91 is outside Norway;
    lat and lon look swapped (lat 59.91, lon 10.75 is in Norway)
    """
    note = place_note(lat, lon, land)
    return None if note is None else f"{where} {render(note)}"


def place_note(lat: float, lon: float, land: Country) -> Reason | None:
    """:func:`place_warning` as a message code: ``warning.outside`` or
    ``warning.outside_swapped``, with the place and the country's name."""
    if land.holds(lat, lon):
        return None
    code = "warning.outside_swapped" if land.holds(lon, lat) else "warning.outside"
    return Reason.of(code, lat_g=lat, lon_g=lon, country=land.name)
