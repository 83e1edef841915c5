"""Unit conversion to the canonical annual units, done by pint (no hand-written table)."""

from __future__ import annotations

import re
from functools import lru_cache

import pint

__all__ = ["conversion_factor", "UnitError", "canonical_for_dimension"]

_CANONICAL = {"MWh": "MWh/year", "t": "tonne/year", "m3": "meter**3/year"}
# Spellings pint reads differently from everyday use ("kt" is a knot there, "m3" a name).
_REWRITES = (
    (re.compile(r"\bkt\b"), "kilotonne"),
    (re.compile(r"\bMt\b"), "megatonne"),
    (re.compile(r"\btonnes?\b|\btonn\b"), "tonne"),
    (re.compile(r"\bt\b"), "tonne"),
    (re.compile(r"\b(år|aar|annum|yr|y)\b"), "year"),
    (re.compile(r"\bNm3\b"), "meter**3"),
    (re.compile(r"([a-zA-Z])([23])\b"), r"\1**\2"),
)


class UnitError(ValueError):
    """A unit that cannot be read or does not fit the resource."""


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def _prepare(text: str) -> str:
    out = text.strip().replace("per ", "/").replace(" / ", "/")
    for pattern, repl in _REWRITES:
        out = pattern.sub(repl, out)
    return out


@lru_cache(maxsize=1024)
def conversion_factor(unit: str, canonical: str) -> float:
    """Factor turning an amount in ``unit`` into ``canonical`` units per year.

    A unit without a time dimension is read as per year (``t`` means ``t/yr``); a power
    (``MW``) is read as a year-round average.

    >>> conversion_factor("GWh/yr", "MWh")
    1000.0
    >>> conversion_factor("kt", "t")
    1000.0
    """
    if canonical not in _CANONICAL:
        raise UnitError(f"no canonical unit {canonical!r}")
    ureg = _registry()
    try:
        qty = ureg.Quantity(1.0, _prepare(unit))
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise UnitError(f"unknown unit {unit!r}") from exc
    target = ureg.Quantity(1.0, _CANONICAL[canonical])
    per_year = ureg.Quantity(1.0, "1/year")
    for candidate in (qty, qty * per_year):
        if candidate.dimensionality == target.dimensionality:
            return float(candidate.to(target.units).magnitude)
    raise UnitError(f"unit {unit!r} does not measure {canonical} per year")


def canonical_for_dimension(unit: str) -> str | None:
    """The canonical unit (``MWh``, ``t`` or ``m3``) whose dimension ``unit`` has, if any."""
    for canonical in _CANONICAL:
        try:
            conversion_factor(unit, canonical)
        except UnitError:
            continue
        return canonical
    return None
