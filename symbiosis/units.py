"""Unit conversion to the canonical annual units, done by pint (no hand-written table)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint

from .messages import said

__all__ = ["conversion_factor", "UnitError", "canonical_for_dimension", "convert_amount",
           "Converted"]

_CANONICAL = {"MWh": "MWh/year", "t": "tonne/year", "m3": "meter**3/year"}
# Spellings pint reads differently from everyday use ("kt" is a knot there, "m3" a name).
_REWRITES = (
    (re.compile(r"\bkt\b"), "kilotonne"),
    (re.compile(r"\bMt\b"), "megatonne"),
    (re.compile(r"\btonnes?\b|\btonn\b"), "tonne"),
    (re.compile(r"\bt\b"), "tonne"),
    (re.compile(r"\b(år|aar|annum|yr|y|a|v|vuosi|vuodessa|årligen)\b"), "year"),
    (re.compile(r"\bNm3\b"), "meter**3"),
    (re.compile(r"([a-zA-Z])([23])\b"), r"\1**\2"),
)


class UnitError(ValueError):
    """A unit that cannot be read or does not fit the resource: the catalogue's
    ``unit.<code>`` with its parameters (``reason``)."""

    def __init__(self, code: str, **params: object):
        message, self.reason = said(f"unit.{code}", **params)
        super().__init__(message)


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    import pint  # a second and a half of start-up saved for commands that convert nothing

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
        raise UnitError("no_canonical", canonical=canonical)
    ureg = _registry()
    try:
        qty = ureg.Quantity(1.0, _prepare(unit))
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise UnitError("unknown", unit=unit) from exc
    target = ureg.Quantity(1.0, _CANONICAL[canonical])
    per_year = ureg.Quantity(1.0, "1/year")
    for candidate in (qty, qty * per_year):
        if candidate.dimensionality == target.dimensionality:
            return float(candidate.to(target.units).magnitude)
    raise UnitError("not_measure", unit=unit, canonical=canonical)


def canonical_for_dimension(unit: str) -> str | None:
    """The canonical unit (``MWh``, ``t`` or ``m3``) whose dimension ``unit`` has, if any."""
    for canonical in _CANONICAL:
        try:
            conversion_factor(unit, canonical)
        except UnitError:
            continue
        return canonical
    return None


# -- trade units: loose and solid cubic metres, normal cubic metres, fuel mass ---------

_PER_YEAR = re.compile(r"\s*(?:/|per\s+|pr\.?\s*|i\s+)\s*(?:år|aar|yr|y|a|v|year|annum|vuosi|"
                       r"vuodessa)\b\.?\s*$|\s*(?:årlig|per annum|yearly|annually)\s*$",
                       re.IGNORECASE)
_FORMS = (
    # (form, pattern): loose (stacked / bulk) and solid cubic metres as the wood trade
    # writes them, normal cubic metres of gas, and plain volume
    ("loose", re.compile(r"^(?:lm3|lm³|m3\s*l[øo]s|m³\s*l[øo]s|l[øo]s\s*m3|l[øo]skubikk\w*|"
                         r"m3s|m³s|m3\s*stjälpt|stjälpt\s*m3|lös\s*m3|m3\s*lös|"
                         r"irtokuutio\w*|i-m3|i-m³|loose\s*m3|m3\s*loose|srm|lcm|"
                         r"bulk\s*m3|m3\s*bulk|rm)$", re.IGNORECASE)),
    ("solid", re.compile(r"^(?:fm3|fm³|m3f|m³f|m3fub|m3\s*fub|m3\s*fast|fast\s*m3|"
                         r"fastkubikk\w*|m3to|k-m3|kiintokuutio\w*|solid\s*m3|m3\s*solid|"
                         r"sm3)$", re.IGNORECASE)),
    ("normal", re.compile(r"^(?:nm3|nm³|normal\s*m3|normalkubikk\w*|normalkubik\w*|"
                          r"normikuutio\w*)$", re.IGNORECASE)),
)
_SCALE = re.compile(r"^(?P<k>[kKM]|mill\.?\s*|million\s*|tusen\s*|1000\s*)?(?P<u>.+)$")


_WORD_SCALES = {"mio": 1e6, "milj": 1e6, "mill": 1e6, "miljoner": 1e6, "millioner": 1e6,
                "million": 1e6, "millions": 1e6, "miljoonaa": 1e6, "milj.": 1e6,
                "tusen": 1e3, "tuhatta": 1e3, "tusind": 1e3, "thousand": 1e3, "mrd": 1e9}
_WORD_SCALE = re.compile(r"^\s*(mio|milj|mill|miljoner|millioner|million|millions|miljoonaa|"
                         r"tusen|tuhatta|tusind|thousand|mrd)\.?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Converted:
    """An amount in the canonical unit and, where the unit needed a physical factor, the
    conversion used (for the reasons): ``"1 lm3 = 0.30 t (ALAKANGAS2005, 2005)"``."""

    amount: float
    note: str = ""


def _trade_form(unit: str) -> tuple[str, float] | None:
    """(form, multiplier) for volume units of the trade (``"1000 lm3"``, ``"k Nm3"``)."""
    text = _PER_YEAR.sub("", unit.strip())
    m = _SCALE.match(text)
    mult, core = 1.0, text
    if m and m.group("k"):
        k = m.group("k").strip().lower().rstrip(".")
        mult = {"k": 1e3, "m": 1e6, "mill": 1e6, "million": 1e6, "tusen": 1e3,
                "1000": 1e3}.get(k, 1e6 if m.group("k").strip() == "M" else 1e3)
        core = m.group("u").strip()
    for form, pattern in _FORMS:
        if pattern.match(core):
            return form, mult
    return None


def convert_amount(amount: float, unit: str, canonical: str, *,
                   density: Callable[[str], tuple[float, str, int] | None],
                   heating_value: Callable[[str], tuple[float, str, int] | None]) -> Converted:
    """``amount`` in ``unit`` as ``canonical`` per year.

    Plain units go through pint. Units of the trade need a property of the resource:
    loose (``lm3``, ``m3 løs``, ``m3s``) or solid (``fm3``, ``m3f``) cubic metres and
    plain ``m3`` of a mass resource use its bulk density (``density(form)`` -> t/m3);
    normal cubic metres of gas (``Nm3``) use its heating value per Nm3 (``heating_value
    ("nm3")``) or its density; a mass of a fuel counted in MWh uses its heating value per
    tonne, and energy of a fuel counted in tonnes the inverse.
    """
    m = _WORD_SCALE.match(unit)
    if m:  # "milj. m3/år", "tusen tonn"
        amount *= _WORD_SCALES[m.group(1).lower().rstrip(".")]
        unit = unit[m.end():]
    form = _trade_form(unit)
    if form is not None:
        kind, mult = form
        if kind == "normal":
            if canonical == "MWh":
                hv = heating_value("nm3")
                if hv is None:
                    raise UnitError("no_heating_value", unit=unit)
                return Converted(amount * mult * hv[0],
                                 f"1 Nm3 = {hv[0]:g} MWh ({hv[1]}, {hv[2]})")
            if canonical == "t":
                d = density("bulk")
                if d is None:
                    raise UnitError("no_gas_density", unit=unit)
                return Converted(amount * mult * d[0], f"1 Nm3 = {d[0]:g} t ({d[1]}, {d[2]})")
            return Converted(amount * mult)  # m3 of gas as m3
        if canonical == "m3":
            return Converted(amount * mult)
        if canonical == "t":
            d = density(kind) or (density("bulk") if kind == "loose" else None)
            if d is None:
                raise UnitError(f"no_{kind}_density", unit=unit)
            label = {"loose": "lm3", "solid": "fm3"}[kind]
            return Converted(amount * mult * d[0], f"1 {label} = {d[0]:g} t ({d[1]}, {d[2]})")
        raise UnitError("not_measure", unit=unit, canonical=canonical)
    try:
        return Converted(amount * conversion_factor(unit, canonical))
    except UnitError:
        pass
    other = canonical_for_dimension(unit)
    if canonical == "t" and other == "m3":  # plain m3 of a solid or a sludge
        d = density("bulk") or density("loose")
        if d is not None:
            value = amount * conversion_factor(unit, "m3") * d[0]
            return Converted(value, f"1 m3 = {d[0]:g} t ({d[1]}, {d[2]})")
    if canonical == "MWh" and other == "t":
        hv = heating_value("t")
        if hv is not None:
            return Converted(amount * conversion_factor(unit, "t") * hv[0],
                             f"1 t = {hv[0]:g} MWh ({hv[1]}, {hv[2]})")
    if canonical == "t" and other == "MWh":
        hv = heating_value("t")
        if hv is not None:
            return Converted(amount * conversion_factor(unit, "MWh") / hv[0],
                             f"1 t = {hv[0]:g} MWh ({hv[1]}, {hv[2]})")
    if canonical == "MWh" and other == "m3":
        hv = heating_value("nm3")
        if hv is not None:
            return Converted(amount * conversion_factor(unit, "m3") * hv[0],
                             f"1 m3 = {hv[0]:g} MWh ({hv[1]}, {hv[2]})")
    raise UnitError("not_measure", unit=unit, canonical=canonical)
