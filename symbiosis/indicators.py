"""Indicators toward the 2030 targets, as pure functions over plain data.

Definitions (each figure lists the exchanges it comes from):

- *realised* exchanges are those ``agreed`` or ``operating``; ``proposed`` ones are
  proposals; ``ended`` ones count for nothing;
- every link counts once (:func:`counted`): a proposal on a pair of flows that already
  has an agreed or operating exchange is not counted, nor a second proposal on a pair;
- an exchange belongs to an area (county, municipality, park) when its supplying or its
  receiving company is in it;
- symbioses: distinct company pairs with at least one realised exchange;
- CO2 avoided (t/yr), waste diverted (t/yr: realised exchanges measured in tonnes), energy
  recovered (MWh/yr), water reused (m3/yr): sums over realised exchanges, with the
  proposals' sums beside them; an exchange without an amount or CO2 figure is listed under
  ``unquantified``, never counted as zero;
- participation: share of the area's companies that take part in a realised exchange;
- trajectory: for each year to the target year, the CO2 avoided by exchanges running that
  year (from ``start_year``, or the reporting year when unknown, to ``end_year``), for
  realised only and for realised plus proposed (proposals without a year start the year
  after the reporting year).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import Company, Dataset, Exchange, ExchangeStatus, Park

__all__ = ["AreaIndicators", "CountyProgress", "ParkStatus", "area_indicators",
           "county_progress", "park_status", "counted", "SYMBIOSES_PER_COUNTY",
           "NET_ZERO_PARKS_TARGET", "TARGET_YEAR", "REALISED"]

SYMBIOSES_PER_COUNTY = 2
NET_ZERO_PARKS_TARGET = 100
TARGET_YEAR = 2030
REALISED = (ExchangeStatus.AGREED.value, ExchangeStatus.OPERATING.value)


@dataclass(frozen=True)
class AreaIndicators:
    area: str
    companies: int
    symbioses: int
    symbiosis_pairs: tuple[tuple[str, str], ...]
    proposals: int
    co2_avoided_t: float
    co2_proposed_t: float
    waste_diverted_t: float
    energy_recovered_mwh: float
    water_reused_m3: float
    participation: float
    trajectory_realised: tuple[tuple[int, float], ...]
    trajectory_with_proposals: tuple[tuple[int, float], ...]
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unquantified: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountyProgress:
    county: str
    symbioses: int
    target: int
    met: bool


@dataclass(frozen=True)
class ParkStatus:
    park_id: str
    baseline_t_co2e: float | None
    target_t_co2e: float | None
    avoided_t: float
    residual_t: float | None
    net_zero: bool | None  # None: baseline unknown


def counted(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """The exchanges that count, each link once: every realised exchange, and the
    proposals on pairs of flows that have no realised exchange (one per pair: one put by
    hand before a plan's, else the last by id); ended exchanges count for nothing.

    >>> op = Exchange("a", "s", "d", 672.0, "t", "operating")
    >>> again = Exchange("b", "s", "d", 672.0, "t", "proposed")
    >>> [e.id for e in counted([op, again])]
    ['a']
    """
    rows = list(exchanges)
    realised = [e for e in rows if e.status in REALISED]
    taken = {(e.supply_flow, e.demand_flow) for e in realised}
    proposals: dict[tuple[str, str], Exchange] = {}
    for e in sorted(rows, key=lambda x: (x.plan_id is None, x.id)):
        key = (e.supply_flow, e.demand_flow)
        if e.status == ExchangeStatus.PROPOSED.value and key not in taken:
            proposals[key] = e
    return sorted([*realised, *proposals.values()], key=lambda e: e.id)


def _owners(data: Dataset) -> dict[str, str]:
    return {f.id: f.company_id for f in data.flows}


def _in_area(companies: Iterable[Company], *, county: str | None, municipality: str | None,
             park_id: str | None) -> set[str]:
    return {c.id for c in companies
            if (county is None or c.county == county)
            and (municipality is None or c.municipality == municipality)
            and (park_id is None or c.park_id == park_id)}


def _running(e: Exchange, year: int, default_start: int) -> bool:
    start = e.start_year if e.start_year is not None else default_start
    return start <= year and (e.end_year is None or e.end_year >= year)


def area_indicators(data: Dataset, exchanges: Sequence[Exchange], *, county: str | None = None,
                    municipality: str | None = None, park_id: str | None = None,
                    year: int = 2026, target_year: int = TARGET_YEAR) -> AreaIndicators:
    """Indicators of one area (all filters ``None``: the whole data set).

    ``year`` is the reporting year: where the trajectory starts.
    """
    owners = _owners(data)
    members = _in_area(data.companies, county=county, municipality=municipality,
                       park_id=park_id)
    units = {f.id: f.unit for f in data.flows}
    mine = [e for e in counted(exchanges)
            if owners.get(e.supply_flow) in members or owners.get(e.demand_flow) in members]
    realised = [e for e in mine if e.status in REALISED]
    proposed = [e for e in mine if e.status == ExchangeStatus.PROPOSED.value]
    pairs = sorted({tuple(sorted((owners[e.supply_flow], owners[e.demand_flow])))
                    for e in realised})
    taking_part = {owners[f] for e in realised for f in (e.supply_flow, e.demand_flow)
                   } & members

    def total(rows: Sequence[Exchange], unit: str | None = None) -> tuple[float, tuple[str, ...]]:
        picked = [e for e in rows if unit is None or units.get(e.supply_flow) == unit]
        if unit is None:
            return (sum(e.co2_avoided_t for e in picked if e.co2_avoided_t is not None),
                    tuple(e.id for e in picked if e.co2_avoided_t is not None))
        return (sum(e.amount for e in picked if e.amount is not None),
                tuple(e.id for e in picked if e.amount is not None))

    co2, co2_src = total(realised)
    co2_p, co2_p_src = total(proposed)
    waste, waste_src = total(realised, "t")
    energy, energy_src = total(realised, "MWh")
    water, water_src = total(realised, "m3")
    years = range(year, target_year + 1)
    realised_path = tuple(
        (y, sum(e.co2_avoided_t or 0.0 for e in realised if _running(e, y, year)))
        for y in years)
    with_proposals = tuple(
        (y, r + sum(e.co2_avoided_t or 0.0 for e in proposed if _running(e, y, year + 1)))
        for (y, r) in realised_path)
    name = park_id or municipality or county or "all"
    return AreaIndicators(
        area=name, companies=len(members), symbioses=len(pairs),
        symbiosis_pairs=tuple((a, b) for a, b in pairs), proposals=len(proposed),
        co2_avoided_t=co2, co2_proposed_t=co2_p, waste_diverted_t=waste,
        energy_recovered_mwh=energy, water_reused_m3=water,
        participation=len(taking_part) / len(members) if members else 0.0,
        trajectory_realised=realised_path, trajectory_with_proposals=with_proposals,
        sources={"symbioses": tuple(e.id for e in realised), "proposals":
                 tuple(e.id for e in proposed), "co2_avoided_t": co2_src,
                 "co2_proposed_t": co2_p_src, "waste_diverted_t": waste_src,
                 "energy_recovered_mwh": energy_src, "water_reused_m3": water_src},
        unquantified=tuple(e.id for e in realised + proposed
                           if e.amount is None or e.co2_avoided_t is None))


def county_progress(data: Dataset, exchanges: Sequence[Exchange]) -> list[CountyProgress]:
    """Every county against the target of at least two realised symbioses by 2030."""
    counties = sorted({c.county for c in data.companies if c.county})
    out = []
    for county in counties:
        n = area_indicators(data, exchanges, county=county).symbioses
        out.append(CountyProgress(county, n, SYMBIOSES_PER_COUNTY, n >= SYMBIOSES_PER_COUNTY))
    return out


def park_status(data: Dataset, exchanges: Sequence[Exchange], park: Park) -> ParkStatus:
    """A park's residual emissions after its realised exchanges, against its target."""
    ind = area_indicators(data, exchanges, park_id=park.id)
    if park.baseline_t_co2e is None:
        return ParkStatus(park.id, None, park.target_t_co2e, ind.co2_avoided_t, None, None)
    residual = park.baseline_t_co2e - ind.co2_avoided_t
    target = park.target_t_co2e if park.target_t_co2e is not None else 0.0
    return ParkStatus(park.id, park.baseline_t_co2e, target, ind.co2_avoided_t, residual,
                      residual <= target)
