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

Each figure is shown to a reader as :func:`symbiosis.disclosure.disclose` decides: with
``hidden`` (which flows the reader may not see), a figure built from fewer than three
companies or dominated by one hidden contributor is withheld, and one with a hidden part is
banded. A withheld figure is ``None`` and listed in ``withheld`` with its band and reason;
sources, pairs and the unquantified list name only exchanges the reader sees in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .disclosure import Figure, Part, disclose, exchange_part
from .model import Company, Dataset, Exchange, ExchangeStatus, Flow, Park

__all__ = ["AreaIndicators", "CountyProgress", "ParkStatus", "ParkProgress",
           "area_indicators", "county_progress", "park_status", "park_progress",
           "parks_progress", "basis", "Basis", "counted",
           "SYMBIOSES_PER_COUNTY", "NET_ZERO_PARKS_TARGET", "TARGET_YEAR", "REALISED"]

SYMBIOSES_PER_COUNTY = 2
NET_ZERO_PARKS_TARGET = 100
TARGET_YEAR = 2030
REALISED = (ExchangeStatus.AGREED.value, ExchangeStatus.OPERATING.value)


def _nothing_hidden(flow: Flow) -> bool:
    return False


@dataclass(frozen=True)
class AreaIndicators:
    """An area's figures as one reader sees them: ``None`` where ``withheld`` says why."""

    area: str
    companies: int
    symbioses: int | None
    symbiosis_pairs: tuple[tuple[str, str], ...]
    proposals: int | None
    co2_avoided_t: float | None
    co2_proposed_t: float | None
    waste_diverted_t: float | None
    energy_recovered_mwh: float | None
    water_reused_m3: float | None
    participation: float | None
    trajectory_realised: tuple[tuple[int, float | None], ...]
    trajectory_with_proposals: tuple[tuple[int, float | None], ...]
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unquantified: tuple[str, ...] = ()
    #: figures not shown exactly, by name (``co2_avoided_t``, ``trajectory_realised/2027``)
    withheld: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class CountyProgress:
    county: str
    symbioses: int | None
    target: int
    met: bool | None  # None: the count is withheld


@dataclass(frozen=True)
class ParkStatus:
    """A park's exact status, for planning (:func:`optimizer.plan_park`)."""

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


@dataclass(frozen=True)
class ParkProgress:
    """A park's status as one reader sees it: ``None`` where ``withheld`` says why."""

    park_id: str
    baseline_t_co2e: float | None
    target_t_co2e: float | None
    avoided_t: float | None
    residual_t: float | None
    net_zero: bool | None  # None: baseline unknown, or the figures withheld
    withheld: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class Basis:
    """What every area's indicators of one data set start from, for one reader: made once
    with :func:`basis` when many areas are reported together (every county, every park),
    not again per area."""

    owners: dict[str, str]
    units: dict[str, str]
    secret: frozenset[str]
    counted: tuple[Exchange, ...]
    #: the companies of each ("county" | "municipality" | "park", name)
    areas: dict[tuple[str, str], set[str]]
    #: positions in ``counted`` of each company's exchanges
    by_company: dict[str, list[int]]

    def members(self, county: str | None, municipality: str | None,
                park_id: str | None) -> set[str] | None:
        given = [(k, v) for k, v in (("county", county), ("municipality", municipality),
                                     ("park", park_id)) if v is not None]
        return set(self.areas.get(given[0], ())) if len(given) == 1 else None

    def of(self, members: set[str]) -> list[Exchange]:
        """The counted exchanges with an end in ``members``, in their order."""
        at = sorted({n for c in members for n in self.by_company.get(c, ())})
        return [self.counted[n] for n in at]


def basis(data: Dataset, exchanges: Sequence[Exchange], *,
          hidden: Callable[[Flow], bool] = _nothing_hidden) -> Basis:
    owners = {f.id: f.company_id for f in data.flows}
    areas: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in data.companies:
        for kind, name in (("county", c.county), ("municipality", c.municipality),
                           ("park", c.park_id)):
            if name is not None:
                areas[(kind, name)].add(c.id)
    rows = tuple(counted(exchanges))
    by_company: dict[str, list[int]] = defaultdict(list)
    for n, e in enumerate(rows):
        for company in {owners.get(e.supply_flow), owners.get(e.demand_flow)}:
            if company is not None:
                by_company[company].append(n)
    return Basis(owners=owners, units={f.id: f.unit for f in data.flows},
                 secret=frozenset(f.id for f in data.flows if f.confidential and hidden(f)),
                 counted=rows, areas=dict(areas), by_company=dict(by_company))


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
                    year: int = 2026, target_year: int = TARGET_YEAR,
                    hidden: Callable[[Flow], bool] = _nothing_hidden,
                    base: Basis | None = None) -> AreaIndicators:
    """Indicators of one area (all filters ``None``: the whole data set), as a reader
    from whom the flows ``hidden`` says are hidden may see them.

    ``year`` is the reporting year: where the trajectory starts. ``base``, when given, is
    :func:`basis` of the same data, exchanges and reader.
    """
    base = base or basis(data, exchanges, hidden=hidden)
    owners, secret, units = base.owners, base.secret, base.units
    indexed = base.members(county, municipality, park_id)
    members = indexed if indexed is not None else _in_area(
        data.companies, county=county, municipality=municipality, park_id=park_id)
    mine = base.of(members) if indexed is not None else [
        e for e in base.counted
        if owners.get(e.supply_flow) in members or owners.get(e.demand_flow) in members]
    realised = [e for e in mine if e.status in REALISED]
    proposed = [e for e in mine if e.status == ExchangeStatus.PROPOSED.value]
    withheld: dict[str, Figure] = {}

    def part(e: Exchange, value: float) -> Part:
        return exchange_part(value, (e.supply_flow, owners.get(e.supply_flow, "")),
                             (e.demand_flow, owners.get(e.demand_flow, "")), secret)

    def seen(e: Exchange) -> bool:
        return e.supply_flow not in secret and e.demand_flow not in secret

    def figure(name: str, parts: Iterable[Part], *, count: bool = False) -> float | None:
        fig = disclose(parts, count=count)
        if not fig.shown:
            withheld[name] = fig
        return fig.value

    # symbioses: a pair is public when one of its realised exchanges is seen in full
    pair_parts: dict[tuple[str, str], Part] = {}
    for e in realised:
        a, b = sorted((owners.get(e.supply_flow, ""), owners.get(e.demand_flow, "")))
        p = part(e, 1.0)
        known = pair_parts.get((a, b))
        if known is None or not p.hidden:
            pair_parts[(a, b)] = Part(1.0, (a, b), p.hidden)
        elif known.hidden:
            pair_parts[(a, b)] = Part(1.0, (a, b), tuple(sorted({*known.hidden, *p.hidden})))
    symbioses = figure("symbioses", pair_parts.values(), count=True)
    pairs = tuple(sorted(k for k, p in pair_parts.items() if not p.hidden))
    proposals = figure("proposals", (part(e, 1.0) for e in proposed), count=True)
    # participation: a company takes part in the open when its own side of a realised
    # exchange is seen
    taking_part: dict[str, bool] = {}
    for e in realised:
        for flow in (e.supply_flow, e.demand_flow):
            company = owners.get(flow)
            if company in members:
                taking_part[company] = taking_part.get(company, False) or flow not in secret
    taking = figure("participation", (Part(1.0, (c,), () if open_ else (c,))
                                      for c, open_ in taking_part.items()), count=True)

    def total(name: str, rows: Sequence[Exchange], unit: str | None = None
              ) -> tuple[float | None, tuple[str, ...]]:
        picked = [e for e in rows if unit is None or units.get(e.supply_flow) == unit]
        if unit is None:
            parts = [(e, e.co2_avoided_t) for e in picked if e.co2_avoided_t is not None]
        else:
            parts = [(e, e.amount) for e in picked if e.amount is not None]
        return (figure(name, (part(e, v) for e, v in parts)),
                tuple(e.id for e, _ in parts if seen(e)))

    co2, co2_src = total("co2_avoided_t", realised)
    co2_p, co2_p_src = total("co2_proposed_t", proposed)
    waste, waste_src = total("waste_diverted_t", realised, "t")
    energy, energy_src = total("energy_recovered_mwh", realised, "MWh")
    water, water_src = total("water_reused_m3", realised, "m3")
    years = range(year, target_year + 1)
    # each exchange's CO2 part is made once, then counted in the years it runs
    co2_realised = [(e, part(e, e.co2_avoided_t)) for e in realised
                    if e.co2_avoided_t is not None]
    co2_proposed = [(e, part(e, e.co2_avoided_t)) for e in proposed
                    if e.co2_avoided_t is not None]
    realised_path = tuple(
        (y, figure(f"trajectory_realised/{y}",
                   [p for e, p in co2_realised if _running(e, y, year)]))
        for y in years)
    with_proposals = tuple(
        (y, figure(f"trajectory_with_proposals/{y}",
                   [p for e, p in co2_realised if _running(e, y, year)]
                   + [p for e, p in co2_proposed if _running(e, y, year + 1)]))
        for y in years)
    name = park_id or municipality or county or "all"
    return AreaIndicators(
        area=name, companies=len(members),
        symbioses=None if symbioses is None else round(symbioses),
        symbiosis_pairs=pairs, proposals=None if proposals is None else round(proposals),
        co2_avoided_t=co2, co2_proposed_t=co2_p, waste_diverted_t=waste,
        energy_recovered_mwh=energy, water_reused_m3=water,
        participation=(None if taking is None else
                       taking / len(members) if members else 0.0),
        trajectory_realised=realised_path, trajectory_with_proposals=with_proposals,
        sources={"symbioses": tuple(e.id for e in realised if seen(e)),
                 "proposals": tuple(e.id for e in proposed if seen(e)),
                 "co2_avoided_t": co2_src, "co2_proposed_t": co2_p_src,
                 "waste_diverted_t": waste_src, "energy_recovered_mwh": energy_src,
                 "water_reused_m3": water_src},
        unquantified=tuple(e.id for e in realised + proposed
                           if (e.amount is None or e.co2_avoided_t is None) and seen(e)),
        withheld=withheld)


def county_progress(data: Dataset, exchanges: Sequence[Exchange], *,
                    hidden: Callable[[Flow], bool] = _nothing_hidden,
                    base: Basis | None = None) -> list[CountyProgress]:
    """Every county against the target of at least two realised symbioses by 2030."""
    counties = sorted({c.county for c in data.companies if c.county})
    base = base or basis(data, exchanges, hidden=hidden)
    out = []
    for county in counties:
        n = area_indicators(data, exchanges, county=county, hidden=hidden,
                            base=base).symbioses
        out.append(CountyProgress(county, n, SYMBIOSES_PER_COUNTY,
                                  None if n is None else n >= SYMBIOSES_PER_COUNTY))
    return out


def park_status(data: Dataset, exchanges: Sequence[Exchange], park: Park) -> ParkStatus:
    """A park's residual emissions after its realised exchanges, against its target
    (exact: for planning; readers get :func:`park_progress`)."""
    ind = area_indicators(data, exchanges, park_id=park.id)
    avoided = ind.co2_avoided_t or 0.0  # nothing is hidden, so nothing is withheld
    if park.baseline_t_co2e is None:
        return ParkStatus(park.id, None, park.target_t_co2e, avoided, None, None)
    residual = park.baseline_t_co2e - avoided
    target = park.target_t_co2e if park.target_t_co2e is not None else 0.0
    return ParkStatus(park.id, park.baseline_t_co2e, target, avoided, residual,
                      residual <= target)


def parks_progress(data: Dataset, exchanges: Sequence[Exchange], parks: Iterable[Park], *,
                   hidden: Callable[[Flow], bool] = _nothing_hidden,
                   base: Basis | None = None) -> list[ParkProgress]:
    """:func:`park_progress` of each park, from one :func:`basis`."""
    base = base or basis(data, exchanges, hidden=hidden)
    return [park_progress(data, exchanges, p, hidden=hidden, base=base) for p in parks]


def park_progress(data: Dataset, exchanges: Sequence[Exchange], park: Park, *,
                  hidden: Callable[[Flow], bool] = _nothing_hidden,
                  base: Basis | None = None) -> ParkProgress:
    """:func:`park_status` as a reader sees it: a withheld CO2 figure withholds the
    residual, and whether the park is at net zero unless the band decides it."""
    ind = area_indicators(data, exchanges, park_id=park.id, hidden=hidden, base=base)
    avoided = ind.withheld.get("co2_avoided_t", Figure(ind.co2_avoided_t))
    withheld = {} if avoided.shown else {"avoided_t": avoided}
    if park.baseline_t_co2e is None:
        return ParkProgress(park.id, None, park.target_t_co2e, avoided.value, None, None,
                            withheld)
    residual = avoided.affine(park.baseline_t_co2e, -1.0)
    target = park.target_t_co2e if park.target_t_co2e is not None else 0.0
    if not residual.shown:
        withheld["residual_t"] = residual
    net_zero = (None if residual.status == "suppressed" else
                (residual.value or 0.0) <= target if residual.shown else
                True if (residual.high or 0.0) <= target else
                False if (residual.low or 0.0) > target else None)
    return ParkProgress(park.id, park.baseline_t_co2e, target, avoided.value, residual.value,
                        net_zero, withheld)
