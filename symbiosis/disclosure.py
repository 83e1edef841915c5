"""Disclosure control: which figures built from confidential flows a reader may see.

A confidential flow is shown in full only to readers with rights to it (see
``web/access.py``); to everyone else its row is anonymised. A figure summed over many
exchanges (CO2 avoided in a municipality, a plan's totals, a park's residual) must not give
it away either, so every figure goes through :func:`disclose` with its *parts* (what each
exchange adds, the companies behind it, and the companies whose confidential flows the
reader may not see). The rule is the primary cell suppression statistics offices use for
business statistics (Eurostat / ESSnet *Handbook on Statistical Disclosure Control*,
Hundepool et al., ch. 4 "Magnitude tabular data", sensitivity rules; the same rules ship as
defaults in tau-Argus and sdcTable):

1. **minimum frequency**: a figure built from fewer than :data:`MIN_COMPANIES` (3)
   companies is suppressed;
2. **dominance**, the (n, k) rule with n = 1 and k = :data:`DOMINANCE_SHARE` (85 %): a
   figure of which one confidential contributor makes up 85 % or more (of the sum of the
   parts' magnitudes) is suppressed;
3. **differencing**: the reader sees every other part in full (the rows of the exchanges,
   the plan, the candidates), so an exact total less the visible rows would give the
   hidden part. A figure that passes 1 and 2 but has a hidden part is therefore shown as a
   band: the visible parts plus the order-of-magnitude band of the hidden sum
   (:func:`decade`). Whatever is subtracted, the reader learns no more than that band,
   the same band the anonymised row already shows; counts are shown exactly, since the
   anonymised rows already show how many there are.

Both rules apply only to readers who may not see a contributor: a figure without hidden
parts is shown as it is. Rows of a single hidden exchange or candidate are anonymised where
they are shown; their distance is shown as a band (:func:`distance_band`), which searches
filter on too.

Examples
--------
>>> p = [Part(4200.0, ("A", "B"), hidden=("A",))]
>>> disclose(p).status, disclose(p).reason
('suppressed', 'few_companies')
>>> p += [Part(300.0, ("C", "D")), Part(500.0, ("D", "E"))]
>>> f = disclose(p)
>>> f.status, f.value, f.low, f.high
('banded', None, 1800.0, 10800.0)
>>> disclose([Part(9000.0, ("A", "B"), hidden=("A",)), Part(100.0, ("C", "D"))]).reason
'dominance'
>>> disclose([Part(1.0, ("A", "B")), Part(2.0, ("C", "D"))]).value
3.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from .model import Plan

__all__ = ["MIN_COMPANIES", "DOMINANCE_SHARE", "DISTANCE_BANDS_KM", "Part", "Figure",
           "disclose", "decade", "distance_band", "exchange_part", "plan_figures",
           "park_plan_figures", "withheld_text"]

#: the minimum-frequency rule: fewer companies than this behind a figure hide it
MIN_COMPANIES = 3
#: the dominance rule: one confidential contributor with this share or more hides it
DOMINANCE_SHARE = 0.85
#: the edges of the distance bands a hidden row's distance is shown in (km)
DISTANCE_BANDS_KM = (0.0, 5.0, 20.0, 50.0, 100.0, 200.0, 500.0, math.inf)


@dataclass(frozen=True)
class Part:
    """What one contribution (an exchange, a process, a company) adds to a figure.

    ``companies`` are the companies behind it; ``hidden`` those of them whose
    confidential flow it carries and whom the reader may not see.
    """

    value: float
    companies: tuple[str, ...]
    hidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A figure as one reader may see it.

    ``status`` is ``shown`` (``value`` exact), ``banded`` (``value`` is None and the
    figure lies in ``[low, high)``) or ``suppressed`` (nothing); ``reason`` says which rule
    applied: ``few_companies``, ``dominance`` or ``confidential_part``.
    """

    value: float | None
    status: str = "shown"
    reason: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def shown(self) -> bool:
        return self.status == "shown"

    def affine(self, offset: float, scale: float = 1.0) -> Figure:
        """``offset + scale * figure``, keeping how it is withheld (a band stays a band).

        >>> Figure(None, "banded", "confidential_part", 10.0, 100.0).affine(500.0, -1.0).high
        490.0
        """
        if self.status == "shown":
            return Figure(offset + scale * (self.value or 0.0))
        if self.status == "suppressed":
            return self
        a, b = offset + scale * (self.low or 0.0), offset + scale * (self.high or 0.0)
        return Figure(None, self.status, self.reason, min(a, b), max(a, b))

    def plus(self, other: Figure) -> Figure:
        """The sum of two figures: exact when both are, else the wider withholding."""
        if self.shown and other.shown:
            return Figure((self.value or 0.0) + (other.value or 0.0))
        if "suppressed" in (self.status, other.status):
            return self if self.status == "suppressed" else other
        lo = [f.value if f.shown else f.low for f in (self, other)]
        hi = [f.value if f.shown else f.high for f in (self, other)]
        reason = self.reason or other.reason
        return Figure(None, "banded", reason, sum(x or 0.0 for x in lo),
                      sum(x or 0.0 for x in hi))

    def at_least(self, floor: float) -> Figure:
        """``max(floor, figure)``."""
        if self.status == "shown":
            return Figure(max(floor, self.value or 0.0))
        if self.status == "suppressed":
            return self
        return Figure(None, self.status, self.reason, max(floor, self.low or 0.0),
                      max(floor, self.high or 0.0))


def decade(x: float) -> tuple[float, float]:
    """The order-of-magnitude band ``[low, high)`` holding ``x`` (mirrored when negative).

    >>> decade(4200), decade(-35.0), decade(0.2)
    ((1000.0, 10000.0), (-100.0, -10.0), (0.0, 1.0))
    """
    m = abs(x)
    low, high = 0.0, 1.0
    while m >= high:
        low, high = high, high * 10.0
    return (low, high) if x >= 0 else (-high, -low)


def distance_band(km: float) -> tuple[float, float]:
    """The band of :data:`DISTANCE_BANDS_KM` a hidden row's distance is shown in.

    >>> distance_band(12.3), distance_band(700)
    ((5.0, 20.0), (500.0, inf))
    """
    for low, high in zip(DISTANCE_BANDS_KM, DISTANCE_BANDS_KM[1:], strict=False):
        if km < high:
            return low, high
    return DISTANCE_BANDS_KM[-2], DISTANCE_BANDS_KM[-1]


def disclose(parts: Iterable[Part], *, count: bool = False) -> Figure:
    """The figure summed from ``parts``, as a reader who may not see the hidden ones may
    see it (the rule in the module docstring). ``count``: the figure counts rows that are
    listed anonymised elsewhere, so one that passes rules 1 and 2 is shown exactly."""
    rows = list(parts)
    total = float(sum(p.value for p in rows))
    secret = [p for p in rows if p.hidden]
    if not secret:
        return Figure(total)
    if len({c for p in rows for c in p.companies}) < MIN_COMPANIES:
        return Figure(None, "suppressed", "few_companies")
    magnitude = sum(abs(p.value) for p in rows)
    share: dict[str, float] = {}
    for p in secret:
        for company in set(p.hidden):
            share[company] = share.get(company, 0.0) + abs(p.value)
    if magnitude > 0 and max(share.values()) >= DOMINANCE_SHARE * magnitude:
        return Figure(None, "suppressed", "dominance")
    if count:
        return Figure(total)
    visible = float(sum(p.value for p in rows if not p.hidden))
    low, high = decade(total - visible)
    return Figure(None, "banded", "confidential_part", visible + low, visible + high)


def exchange_part(value: float, supply: tuple[str, str], demand: tuple[str, str],
                  hidden_flows: Collection[str]) -> Part:
    """The part of one exchange between ``supply`` and ``demand``, each ``(flow id,
    company id)``, when the flows in ``hidden_flows`` are hidden from the reader."""
    return Part(value, (supply[1], demand[1]),
                tuple(company for flow, company in (supply, demand) if flow in hidden_flows))


def plan_figures(plan: Plan, hidden_flows: Collection[str]) -> dict[str, Figure]:
    """A plan's money and CO2 figures (``value_nok``, ``co2_avoided_t``, and the
    objective's ``objective_value`` and ``bound``) for a reader from whom ``hidden_flows``
    are hidden. The processes' money counts as one visible part at the facilities."""
    value = [exchange_part(e.value_nok, (e.supply_flow, e.supply_company),
                           (e.demand_flow, e.demand_company), hidden_flows)
             for e in plan.exchanges]
    co2 = [exchange_part(e.co2_avoided_t, (e.supply_flow, e.supply_company),
                         (e.demand_flow, e.demand_company), hidden_flows)
           for e in plan.exchanges]
    processes = plan.totals.get("value_nok", 0.0) - sum(p.value for p in value)
    if plan.facilities_built or abs(processes) > 1e-9:
        value.append(Part(processes, tuple(f.company_id for f in plan.facilities_built)))
    out = {"value_nok": disclose(value), "co2_avoided_t": disclose(co2)}
    objective = out["value_nok" if plan.objective == "value" else "co2_avoided_t"]
    # the objective and its bound are the chosen total (give or take the gap): shown with it
    for key, number in (("objective_value", plan.objective_value), ("bound", plan.bound)):
        out[key] = Figure(number) if objective.shown else Figure(
            None, "suppressed", objective.reason)
    return out


def park_plan_figures(plan: Plan, hidden_flows: Collection[str], *, baseline_t_co2e: float,
                      target_t_co2e: float, already: Figure, years: Sequence[int]
                      ) -> tuple[dict[str, Figure], tuple[tuple[int, Figure], ...]]:
    """A net-zero park plan's figures for a reader: ``already`` avoided (the park's CO2
    figure as the reader sees it), ``required``, ``reduction``, ``residual`` and
    ``cost_nok``, and the residual for each of ``years`` (the plan's exchanges start after
    the first). Each is derived from the withheld figures it rests on, so a figure built
    on a hidden part is withheld too; ``reachable`` is shown only when all are.

    >>> plan = Plan("p", "optimal", "value", 0.0, 0.0, 0.0, 0.0)
    >>> f, path = park_plan_figures(plan, (), baseline_t_co2e=100.0, target_t_co2e=10.0,
    ...                             already=Figure(30.0), years=(2026, 2027))
    >>> f["required"].value, f["residual"].value, [p.value for _, p in path]
    (60.0, 70.0, [70.0, 70.0])
    """
    figures = plan_figures(plan, hidden_flows)
    reduction = figures["co2_avoided_t"]
    now = already.affine(baseline_t_co2e, -1.0)
    residual = now.plus(reduction.affine(0.0, -1.0))
    out = {"already": already,
           "required": already.affine(baseline_t_co2e - target_t_co2e, -1.0).at_least(0.0),
           "reduction": reduction, "residual": residual,
           "cost_nok": figures["value_nok"].affine(0.0, -1.0)}
    path = tuple((y, now if k == 0 else residual) for k, y in enumerate(years))
    return out, path


def withheld_text(figure: Figure, fmt: str | Callable[[float], str] = "{:,.0f}", *,
                  confidential: str = "confidential") -> str:
    """A withheld figure in words: its band, or ``confidential``. ``fmt`` is a format
    string or a function of the value.

    >>> withheld_text(Figure(None, "banded", "confidential_part", 1800.0, 10800.0))
    '1,800–10,800'
    """
    write = fmt.format if isinstance(fmt, str) else fmt
    if figure.status == "banded" and figure.low is not None and figure.high is not None:
        return f"{write(figure.low)}–{write(figure.high)}"
    if figure.status == "shown" and figure.value is not None:
        return write(figure.value)
    return confidential
