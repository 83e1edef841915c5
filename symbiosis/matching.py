"""Matching: which supply flow can feed which demand flow, how far, how much, and why.

The engine never loops over all pairs. Flows are grouped by resource; for each supply
resource and each demand resource it can meet (taxonomy rules), a KD-tree over points on
the unit sphere returns only the pairs within the resource's longest economic transport
reach. Quality, season and quantity rules then run as array operations over those pairs,
and plain-language reasons are written only for the candidates that are kept.

Distances are great-circle distances times the circuity factor of the transport mode
(``symbiosis/data/modes.csv``). Modes are tried in the order the data file lists them for
the resource; the first whose distance limit covers the routed distance is chosen.

Economics, per unit of resource moved:
    value = demand-side value + supply-side value - transport cost
where the demand-side value is the demand flow's price (or else the substitute price of
the demand resource) and the supply-side value is the avoided disposal cost: minus the
supply flow's price when given (a negative price is a gate fee the supplier pays), or else
the resource's disposal cost. A link by pipeline or cable also carries an annual fixed cost
(per km, annualised). CO2 avoided per unit is the emission factor of the substitute (the
demand resource's, or else the supply resource's) less transport emissions.

Each flow's partners are sought among its ``nearest`` closest compatible flows (per
supply resource and demand resource, within reach, ties broken by input order): the KD-tree
answers that with a k-nearest query from both sides, so the work grows with the number of
flows, not with their density. The shortlist then keeps, for every flow, its best
``max_per_flow`` candidates by score.

Score (0-100) ranks candidates: the link's certainty (1 for the same resource, 0.9 for a
substitution or a kind of a demanded concept, half for a generic description, 0.6 or less
for a conversion through a facility still to build) times 40 % proximity (a smooth decay,
1 / (1 + (d / d_half)^2), that halves at the resource's typical distance and ends at its
outer limit), 35 % economics (net unit value over the gross unit value, clipped to 0-1;
0.5 when unknown) and 25 % data (half for both quantities known, half for the quality rule
checked on known values).
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

from .co2 import Co2Factor
from .geo import EARTH_RADIUS_KM, chord_for_km, haversine_km, haversine_km_scalar, unit_vectors
from .knowledge import Link, Technology
from .model import Candidate, Company, Dataset, Flow, FlowPoint, Process, Reason
from .taxonomy import Resource, Taxonomy, TransportOption, default_taxonomy

__all__ = ["CandidateList", "find_candidates", "shortlists", "SHORTLIST_WITHIN",
           "Partners", "best_partners",
           "find_candidates_all_pairs", "value_chains", "DEFAULT_MAX_PER_FLOW", "DEFAULT_NEAREST",
           "chain_steps", "partner_searches", "nearest_partners", "place_changes",
           "match_dataset", "RECORD_FIELDS", "candidate_record",
           "explain", "ReasonWords"]

DEFAULT_MAX_PER_FLOW = 10
DEFAULT_NEAREST = 20
_POPCOUNT = np.array([bin(m).count("1") for m in range(4096)], dtype=np.int64)
F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741


@dataclass(frozen=True)
class _Columns:
    """Column arrays over all flows whose company is known (index = position in ``flows``)."""

    flows: tuple[Flow, ...]
    company: tuple[Company, ...]
    company_code: I
    lat: F
    lon: F
    amount: F
    months: I
    n_months: I
    temperature: F
    purity: F
    dry_matter: F
    moisture: F
    price: F
    #: of a demand flow whose park, county or own ``replaces`` chose a CO2 factor other
    #: than its resource's default: that factor (NaN: the default) and its key
    co2_ef: F
    co2_chosen: tuple[Co2Factor | None, ...]
    #: each flow's place in the order of flow ids: ties in distance and score are broken
    #: by it, so a flow's partners do not depend on the order flows are given in
    id_rank: I


def _columns(companies: Iterable[Company], flows: Iterable[Flow],
             tax: Taxonomy | None = None) -> _Columns:
    by_id = {c.id: c for c in companies}
    kept = tuple(f for f in flows if f.company_id in by_id)
    owners = tuple(by_id[f.company_id] for f in kept)
    codes = {cid: k for k, cid in enumerate(by_id)}
    nan = float("nan")

    def q(name: str) -> F:
        return np.array([f.quality.get(name, nan) if f.quality else nan for f in kept],
                        dtype=float)

    mask_of: dict[frozenset[int], int] = {}
    for f in kept:
        if f.months not in mask_of:
            mask_of[f.months] = sum(1 << (m - 1) for m in f.months)
    masks = np.array([mask_of[f.months] for f in kept], dtype=np.int64)
    chosen = [None if tax is None else tax.co2.replaced(f, c) for f, c in zip(kept, owners,
                                                                             strict=True)]
    return _Columns(
        flows=kept, company=owners,
        company_code=np.array([codes[f.company_id] for f in kept], dtype=np.int64),
        lat=np.array([c.lat for c in owners], dtype=float),
        lon=np.array([c.lon for c in owners], dtype=float),
        amount=np.array([nan if f.amount is None else f.amount for f in kept], dtype=float),
        months=masks, n_months=_POPCOUNT[masks] if len(kept) else np.zeros(0, dtype=np.int64),
        temperature=q("temperature_c"), purity=q("purity_pct"), dry_matter=q("dry_matter_pct"),
        moisture=q("moisture_pct"),
        price=np.array([nan if f.price_nok_per_unit is None else f.price_nok_per_unit
                        for f in kept], dtype=float),
        co2_ef=np.array([nan if x is None else x.factor for x in chosen], dtype=float),
        co2_chosen=tuple(chosen), id_rank=_id_rank([f.id for f in kept]))


def _id_rank(ids: Sequence[str]) -> I:
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.array(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    return rank


def _groups(cols: _Columns) -> tuple[dict[str, I], dict[str, I]]:
    sup: dict[str, list[int]] = defaultdict(list)
    dem: dict[str, list[int]] = defaultdict(list)
    for k, f in enumerate(cols.flows):
        (sup if f.direction == "supply" else dem)[f.resource].append(k)
    return ({r: np.array(v, dtype=np.int64) for r, v in sup.items()},
            {r: np.array(v, dtype=np.int64) for r, v in dem.items()})


@dataclass
class _Group:
    """One (supply resource, demand resource, link) combination."""

    supply: Resource
    demand: Resource
    link: Link
    modes: tuple[TransportOption, ...]
    technology: Technology | None = None
    #: the CO2 factor the group's substitute factor comes from, when from the catalogue
    co2_default: Co2Factor | None = None


def _group(tax: Taxonomy, link: Link) -> _Group:
    """The transport of a link: the supply's own modes, or, for a facility built next
    to the supply, the modes of what the facility makes."""
    supply, demand = tax.resource(link.supply), tax.resource(link.demand)
    tech = tax.knowledge.technologies.get(link.technology) if link.technology else None
    modes = supply.transport
    if tech is not None and tech.site == "supply" and link.via_resource:
        modes = tax.resource(link.via_resource).transport or modes
    substitute = demand if demand.substitute_ef_t_per_unit is not None else supply
    default = tax.co2.factors.get(substitute.co2_factor) if substitute.co2_factor else None
    return _Group(supply, demand, link, modes, tech, default)


def _group_reach(group: _Group, max_distance_km: float | None) -> float:
    reach = 0.0
    for m in group.modes:
        limit = m.max_distance_km if max_distance_km is None else min(m.max_distance_km,
                                                                       max_distance_km)
        reach = max(reach, limit / m.circuity)
    return reach


_SEARCHES: dict[int, tuple[Taxonomy, dict[tuple[str, str], dict[str, tuple[float, ...]]]]] = {}


def partner_searches(tax: Taxonomy, resource: str, direction: str
                     ) -> dict[str, tuple[float, ...]]:
    """The resources a ``direction`` flow of ``resource`` is matched with, each with the
    straight-line reach (km) of every search that pairs the two: matching ranks a flow's
    nearest partners search by search (:func:`find_candidates`, ``nearest``)."""
    cached = _SEARCHES.get(id(tax))
    if cached is None or cached[0] is not tax:
        table: dict[tuple[str, str], dict[str, set[float]]] = defaultdict(dict)
        for rs in tax.resources:
            for link in tax.links(rs):
                reach = _group_reach(_group(tax, link), None)
                if reach <= 0:
                    continue
                for key, other in (((rs, "supply"), link.demand),
                                   ((link.demand, "demand"), rs)):
                    table[key].setdefault(other, set()).add(reach)
        cached = _SEARCHES[id(tax)] = (tax, {key: {o: tuple(sorted(r)) for o, r in v.items()}
                                             for key, v in table.items()})
    found = cached[1].get((resource, direction))
    if found is not None:
        return found
    if resource not in tax.resources:  # a custom resource meets only itself
        (link,) = tax.links(resource)
        reach = _group_reach(_group(tax, link), None)
        return {resource: (reach,)} if reach > 0 else {}
    return {}


class _Places:
    """Flows by place, grouped by kind (resource, direction), with a KD-tree per kind made
    when first asked. Company codes come from ``codes``, shared between the places of one
    store before and after a write."""

    def __init__(self, points: Sequence[FlowPoint], codes: dict[str, int]):
        ids, owners, resources, directions, lats, lons = (
            zip(*points, strict=True) if points else ((),) * 6)
        self.ids: Sequence[str] = ids
        self.owners: Sequence[str] = owners
        self.codes = codes
        self.company = np.array([codes.setdefault(c, len(codes)) for c in owners],
                                dtype=np.int64)
        self.lat = np.array(lats, dtype=float)
        self.lon = np.array(lons, dtype=float)
        self.xyz = unit_vectors(self.lat, self.lon)
        self.id_arr = np.array(ids, dtype=str)
        kinds: dict[tuple[str, str], list[int]] = defaultdict(list)
        for n, kind in enumerate(zip(resources, directions, strict=True)):
            kinds[kind].append(n)
        self.members = {kind: np.array(v, dtype=np.int64) for kind, v in kinds.items()}
        self._trees: dict[tuple[str, str], cKDTree] = {}

    def tree(self, kind: tuple[str, str]) -> cKDTree:
        from scipy.spatial import cKDTree  # imported when matching runs, not with the package

        if kind not in self._trees:
            self._trees[kind] = cKDTree(self.xyz[self.members[kind]])
        return self._trees[kind]

    def within(self, kind: tuple[str, str], point: FlowPoint, reach: float) -> I:
        """The flows of ``kind`` within ``reach`` km of ``point``, of other companies."""
        if kind not in self.members:
            return np.zeros(0, dtype=np.int64)
        at = unit_vectors([point[4]], [point[5]])[0]
        local = self.tree(kind).query_ball_point(at, chord_for_km(reach) * (1 + 1e-9))
        near = self.members[kind][np.asarray(local, dtype=np.int64)]
        return near[self.company[near] != self.codes.get(point[1], -1)]

    def keep_rival(self, partners: I, dist: F, focus: str, kind: tuple[str, str],
                   nearest: int) -> I:
        """The ``partners`` that hold the flow ``focus`` of ``kind``, at ``dist`` from
        each, among their ``nearest`` flows of that kind (their rivals) of other
        companies, closest first and then by flow id as matching ranks them. Only each
        partner's closest rivals are looked at: ``nearest``, as many more as its own
        company has, and four more for ties."""
        if kind not in self.members or len(partners) == 0:
            return partners
        ahead = self._ahead(partners, dist, focus, kind, nearest)
        return partners[ahead < nearest]

    def nearest_rivals(self, point: FlowPoint, kind: tuple[str, str], reach: float,
                       nearest: int) -> set[str]:
        """The ``nearest`` flows of ``kind`` closest to ``point`` within ``reach`` km, of
        other companies, closest first and then by flow id."""
        if kind not in self.members:
            return set()
        rivals = self.members[kind]
        own = self.codes.get(point[1], -1)
        k = int(min(nearest + 4 + int(np.count_nonzero(self.company[rivals] == own)),
                    len(rivals)))
        _, idx = self.tree(kind).query(unit_vectors([point[4]], [point[5]])[0], k=k)
        near = rivals[np.atleast_1d(idx).astype(np.int64)]
        dist = haversine_km(point[4], point[5], self.lat[near], self.lon[near])
        ok = (dist <= reach * (1 + 1e-9)) & (self.company[near] != own)
        return {self.ids[n] for n in self.nearest_of(near[ok], dist[ok], nearest)}

    def nearest_of(self, near: I, dist: F, nearest: int) -> I:
        """The ``nearest`` of ``near`` (at ``dist``), closest first and then by flow id."""
        if len(near) <= nearest:
            return near
        return near[np.lexsort((self.id_arr[near], dist))[:nearest]]

    def _ahead(self, partners: I, dist: F, focus: str, kind: tuple[str, str],
               nearest: int) -> I:
        """For each partner, how many rivals of other companies rank before ``focus``
        (closer, or as close with a smaller id). The KD-tree's chord lengths decide all
        but the near ties, which are measured again as matching measures them."""
        rivals = self.members[kind]
        own = np.bincount(self.company[rivals], minlength=int(self.company.max()) + 1
                          )[self.company[partners]]
        k = int(min(nearest + 4 + int(own.max()), len(rivals)))
        gap, idx = self.tree(kind).query(self.xyz[partners], k=k)
        gap = np.reshape(gap, (len(partners), k))
        near = rivals[np.reshape(idx, (len(partners), k)).astype(np.int64)]
        chord = 2 * np.sin(np.minimum(dist / EARTH_RADIUS_KM, np.pi) / 2)[:, None]
        other = self.company[near] != self.company[partners][:, None]
        sure = other & (gap < chord * (1 - 1e-9))
        maybe = other & ~sure & (gap <= chord * (1 + 1e-9))
        ahead = np.count_nonzero(sure, axis=1)
        rows, cols = np.nonzero(maybe)
        if len(rows):
            n = near[rows, cols]
            exact = haversine_km(self.lat[partners[rows]], self.lon[partners[rows]],
                                 self.lat[n], self.lon[n])
            first = (exact < dist[rows]) | ((exact == dist[rows]) & (self.id_arr[n] < focus))
            np.add.at(ahead, rows[first], 1)
        return ahead


def _other_side(direction: str) -> str:
    return "demand" if direction == "supply" else "supply"


def nearest_partners(tax: Taxonomy, focus: Sequence[FlowPoint], points: Sequence[FlowPoint],
                     *, nearest: int | None = DEFAULT_NEAREST) -> dict[str, set[str]]:
    """Per ``focus`` flow, the flows of ``points`` that matching pairs it with by place:
    of another company, within a search's reach, and among the focus flow's ``nearest``
    closest partners of that search, or with the focus flow among their own ``nearest``
    closest flows of its resource and direction (its rivals). A tie at the cut is kept,
    so the answer holds every partner :func:`find_candidates` can pair a focus flow with.

    ``points`` must hold the flows as they are (the focus flows where they are now):
    every flow within a search's reach of a focus flow, and every rival within twice that
    reach. Only places are read, so the flows themselves need to be read only for the
    partners found.
    """
    places = _Places(points, {})
    out: dict[str, set[str]] = {}
    for f in focus:
        found = out.setdefault(f[0], set())
        rivals = (f[2], f[3])
        for other, reaches in partner_searches(tax, f[2], f[3]).items():
            for reach in reaches:
                near = places.within((other, _other_side(f[3])), f, reach)
                if nearest is None or len(near) <= nearest:
                    found.update(places.ids[n] for n in near)
                    continue
                dist = haversine_km(f[4], f[5], places.lat[near], places.lon[near])
                mine = np.isin(near, places.nearest_of(near, dist, nearest))
                found.update(places.ids[n] for n in near[mine])
                found.update(places.ids[n] for n in places.keep_rival(
                    near[~mine], dist[~mine], f[0], rivals, nearest))
    return out


def place_changes(tax: Taxonomy, before: Sequence[FlowPoint], after: Sequence[FlowPoint],
                  moved: Sequence[tuple[FlowPoint | None, FlowPoint | None]], *,
                  nearest: int = DEFAULT_NEAREST
                  ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The pairs of flows that did not move whose standing under the ``nearest`` rule a
    write can change, each as (supply flow, demand flow). A flow added, removed, moved or
    of another kind (``moved``: each as it was and as it is, ``None`` where it was or is
    not) enters or leaves the nearest rivals (flows of its kind) of each partner that
    holds it among them, and so pushes a rival out of that partner's nearest or lets one
    in. Returns the pairs whose rival left the partner's nearest, and those whose rival
    entered them.

    ``before`` and ``after`` are the places of the store around the moved flows before
    and after the write, as :func:`nearest_partners` needs them.
    """
    codes: dict[str, int] = {}
    then, now = _Places(before, codes), _Places(after, codes)
    moved_ids = {m[0] for pair in moved for m in pair if m is not None}
    left: set[tuple[str, str]] = set()
    entered: set[tuple[str, str]] = set()
    for places, m in ((p, m) for pair in moved for p, m in zip((then, now), pair, strict=True)
                      if m is not None):
        rivals = (m[2], m[3])
        for other, reaches in partner_searches(tax, m[2], m[3]).items():
            kind = (other, _other_side(m[3]))
            for reach in reaches:
                near = places.within(kind, m, reach)
                dist = haversine_km(m[4], m[5], places.lat[near], places.lon[near])
                for n in places.keep_rival(near, dist, m[0], rivals, nearest):
                    partner = places.ids[n]
                    if partner in moved_ids:
                        continue
                    at = (partner, places.owners[n], other, kind[1], places.lat[n],
                          places.lon[n])
                    was = then.nearest_rivals(at, rivals, reach, nearest) - moved_ids
                    is_ = now.nearest_rivals(at, rivals, reach, nearest) - moved_ids
                    supplies = m[3] == "supply"
                    for found, rivals_now in ((left, was - is_), (entered, is_ - was)):
                        found.update((r, partner) if supplies else (partner, r)
                                     for r in rivals_now)
    return left, entered


#: the six-tenths rule: a facility's cost grows with its scale to the power 0.6
#: (Williams 1947, "Six-tenths factor aids in approximating costs", Chemical Engineering)
SCALE_EXPONENT = 0.6


def _quality(rule: Link, cols: _Columns, i: I, j: I) -> tuple[NDArray[np.bool_],
                                                              NDArray[np.bool_]]:
    """(fails, unknown) per pair for the link's quality rule."""
    th = rule.threshold or 0.0
    n = len(i)
    if rule.rule == "temperature_approach":
        s, d = cols.temperature[i], cols.temperature[j]
        return s < d + th, np.isnan(s) | np.isnan(d)
    if rule.rule == "cold_approach":
        s, d = cols.temperature[i], cols.temperature[j]
        return s > d - th, np.isnan(s) | np.isnan(d)
    if rule.rule == "min_purity":
        s, d = cols.purity[i], cols.purity[j]
        need = np.where(np.isnan(d), th, np.maximum(d, th))
        return s < need, np.isnan(s) & (need > 0)
    if rule.rule == "max_moisture":
        s, d = cols.moisture[i], cols.moisture[j]
        allowed = np.where(np.isnan(d), th if rule.threshold is not None else 100.0, d)
        return s > allowed, np.isnan(s) & ~np.isnan(d)
    if rule.rule == "min_dry_matter":
        s, d = cols.dry_matter[i], cols.dry_matter[j]
        need = np.where(np.isnan(d), th, np.maximum(d, th))
        return s < need, np.isnan(s) & (need > 0)
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)


def _evaluate(cols: _Columns, group: _Group, i: I, j: I, dist: F, *,
              max_distance_km: float | None, same_company: bool
              ) -> dict[str, NDArray[np.generic]]:
    """Apply distance, quality, season and quantity rules and the economics to pairs
    (``dist``: their great-circle distances).

    Amounts are in the supply's unit; a link through a technology delivers
    ``yield`` units of the demand resource per unit of supply, pays the technology's
    variable cost per unit and its annual fixed cost (scaled from its typical size by the
    six-tenths rule), and earns the demand's value on what it delivers."""
    keep = np.ones(len(i), dtype=bool) if same_company else cols.company_code[i] != \
        cols.company_code[j]
    modes = group.modes
    link = group.link
    mode = np.full(len(i), -1, dtype=np.int64)
    routed = np.full(len(i), np.nan)
    for k, m in enumerate(modes):
        limit = m.max_distance_km if max_distance_km is None else min(m.max_distance_km,
                                                                      max_distance_km)
        r = dist * m.circuity
        sel = (mode < 0) & (r <= limit)
        mode[sel] = k
        routed[sel] = r[sel]
    keep &= mode >= 0
    fails, q_unknown = _quality(link, cols, i, j)
    keep &= ~fails
    overlap = _POPCOUNT[cols.months[i] & cols.months[j]]
    keep &= overlap > 0
    i, j, dist, mode, routed, q_unknown, overlap = (a[keep] for a in (i, j, dist, mode, routed,
                                                                       q_unknown, overlap))
    yld = link.yield_
    amount = np.minimum(cols.amount[i] * overlap / cols.n_months[i],
                        cols.amount[j] * overlap / cols.n_months[j] / yld)
    limit = np.array([m.max_distance_km for m in modes])[mode]
    half = np.array([m.half_distance_km for m in modes])[mode]
    if max_distance_km is not None:
        limit = np.minimum(limit, max_distance_km)
    var_cost = np.array([m.var_cost_nok_per_unit_km for m in modes])[mode]
    fixed_km = np.array([m.fixed_cost_nok_per_km_year for m in modes])[mode]
    co2_km = np.array([m.co2_t_per_unit_km for m in modes])[mode]
    nan = np.nan
    subst = group.demand.substitute_price_nok_per_unit
    demand_value = np.where(np.isnan(cols.price[j]), nan if subst is None else subst,
                            cols.price[j]) * yld
    disposal = group.supply.disposal_cost_nok_per_unit
    supply_value = np.where(np.isnan(cols.price[i]), 0.0 if disposal is None else disposal,
                            -cols.price[i])
    transport = var_cost * routed
    if group.technology is not None and group.technology.site == "supply":
        transport = transport * yld  # the facility's output is what travels
    tech = group.technology
    tech_var = 0.0 if tech is None or tech.var_cost_nok_per_unit is None else \
        tech.var_cost_nok_per_unit
    unit_value = demand_value + supply_value - transport - tech_var
    ef = group.demand.substitute_ef_t_per_unit
    if ef is None:
        ef = group.supply.substitute_ef_t_per_unit
    # what the demand replaces where it is (its flow, park or county), else the default
    chosen = cols.co2_ef[j]
    ef_pair = np.where(np.isnan(chosen), nan if ef is None else ef, chosen)
    unit_co2 = ef_pair * yld - co2_km * routed
    fixed = fixed_km * routed
    if tech is not None and tech.annual_fixed_cost_nok:
        scale = tech.typical_scale or 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isnan(amount) | (scale <= 0), 1.0,
                             np.maximum(amount, 1e-9) / max(scale, 1e-9))
        fixed = fixed + tech.annual_fixed_cost_nok * np.minimum(ratio, 1.0) ** SCALE_EXPONENT
    value = unit_value * amount - fixed
    co2 = unit_co2 * amount
    gross = np.abs(demand_value) + np.abs(supply_value)
    with np.errstate(divide="ignore", invalid="ignore"):
        net_unit = np.where(np.isnan(amount) | (amount <= 0), unit_value,
                            unit_value - fixed / amount)
        econ = np.where(np.isnan(net_unit), 0.5,
                        np.clip(net_unit / np.maximum(gross, 1.0), 0.0, 1.0))
    # smooth decay: the score halves at the typical distance, reaches 0 at the outer limit
    proximity = np.clip(1.0 / (1.0 + (routed / np.maximum(half, 1e-9)) ** 2), 0.0, 1.0)
    known = 0.5 * ~np.isnan(amount) + 0.5 * ~q_unknown
    # how sure the link is (same resource, a kind, a generic description, a facility to
    # build) scales the whole score: a direct link ranks before a conversion nearby
    score = np.round(100.0 * link.certainty * (0.4 * proximity + 0.35 * econ + 0.25 * known),
                     1)
    return {"i": i, "j": j, "dist": dist, "mode": mode, "routed": routed, "limit": limit,
            "half": half, "amount": amount, "transport": transport, "unit_value": unit_value,
            "unit_co2": unit_co2, "fixed": fixed, "value": value, "co2": co2, "score": score,
            "q_unknown": q_unknown, "overlap": overlap}


def _grouped_order(owner: I, primary: I, distance: F, other: I) -> I:
    """Order by owner, then ``primary`` (small non-negative ints), then distance, then
    ``other``. One unstable sort on a folded key (distance resolution about 1e-7 of its
    range); only runs of equal keys are then sorted again by ``other``."""
    span = float(distance.max()) + 1.0 if len(distance) else 1.0
    key = (owner * 2048 + primary).astype(np.float64) + distance / span
    order = np.argsort(key)
    ks = key[order]
    tie = np.zeros(len(order), dtype=bool)
    same = ks[1:] == ks[:-1]
    tie[1:] |= same
    tie[:-1] |= same
    if tie.any():
        pos = np.flatnonzero(tie)
        sub = order[pos]
        order[pos] = sub[np.lexsort((other[sub], key[sub]))]
    return order


def _nearest_pairs(cols: _Columns, i: I, j: I, nearest: int | None, same_company: bool
                   ) -> tuple[I, I, F]:
    """Keep a pair when j is among the ``nearest`` closest of i, or i among those of j
    (pairs inside one company are dropped first unless ``same_company``).

    Ties in distance are broken by flow id, so the KD-tree path and the all-pairs path
    agree and the order flows come in does not matter."""
    if not same_company:
        other = cols.company_code[i] != cols.company_code[j]
        i, j = i[other], j[other]
    dist = haversine_km(cols.lat[i], cols.lon[i], cols.lat[j], cols.lon[j])
    if nearest is None or len(i) == 0:
        return i, j, dist
    if (np.bincount(i).max() <= nearest and np.bincount(j).max() <= nearest):
        return i, j, dist  # no flow has more partners than the limit: nothing to cut
    keep = np.zeros(len(i), dtype=bool)
    zero = np.zeros(len(i), dtype=np.int64)
    for own, other in ((i, j), (j, i)):
        order = _grouped_order(own, zero, dist, cols.id_rank[other])
        keep[order[_rank_in_groups(own[order]) < nearest]] = True
    return i[keep], j[keep], dist[keep]


def _rank_in_groups(sorted_owner: I) -> I:
    """Position of each element inside its run of equal values (input sorted by owner)."""
    n = len(sorted_owner)
    start = np.r_[0, np.flatnonzero(sorted_owner[1:] != sorted_owner[:-1]) + 1]
    return np.arange(n) - np.repeat(start, np.diff(np.r_[start, n]))


def _top_of_part(part: dict[str, NDArray[np.generic]], k: int | None, id_rank: I
                 ) -> dict[str, NDArray[np.generic]]:
    """The pairs of one group that are among the best ``k`` of their supply or demand
    flow inside the group: a superset of those that are among the best ``k`` overall
    (a flow's best ``k`` overall are among its best ``k`` in every group), so cutting
    each group first keeps :func:`_select_top` exact and small."""
    n = len(part["i"])
    if k is None or n == 0:
        return part
    i = np.asarray(part["i"], dtype=np.int64)
    j = np.asarray(part["j"], dtype=np.int64)
    if np.bincount(i).max() <= k and np.bincount(j).max() <= k:
        return part
    score_key = 1000 - np.rint(np.asarray(part["score"], dtype=np.float64) * 10
                               ).astype(np.int64)
    routed = np.asarray(np.round(np.asarray(part["routed"], dtype=np.float64), 3),
                        dtype=np.float64)
    keep = np.zeros(n, dtype=bool)
    for own, other in ((i, j), (j, i)):
        order = _grouped_order(own, score_key, routed, id_rank[other])
        keep[order[_rank_in_groups(own[order]) < k]] = True
    return {name: v[keep] for name, v in part.items()}


def _select_top(parts: list[dict[str, NDArray[np.generic]]], k: int | None,
                classes: Sequence[object] | None = None, id_rank: I | None = None
                ) -> dict[str, NDArray[np.generic]]:
    """One candidate per flow pair, then keep a pair if it is among the best ``k`` of its
    supply or of its demand flow: by score to a tenth, then distance to a metre, then the
    other flow's id (its place in ``id_rank``).

    A flow pair can come from several groups only when they join the same supply and
    demand resources (a direct link and a conversion): ``classes`` names that per group,
    and only such groups are compared (the better score wins, then the earlier group:
    direct links come first). The columns are gathered once, at the end."""
    if not parts:
        return {}
    sizes = np.array([len(p["i"]) for p in parts], dtype=np.int64)
    part = np.repeat(np.arange(len(parts), dtype=np.int64), sizes)
    i = np.concatenate([p["i"] for p in parts])
    j = np.concatenate([p["j"] for p in parts])
    sc = np.concatenate([p["score"] for p in parts])
    routed = np.concatenate([p["routed"] for p in parts])
    idx = np.arange(len(part), dtype=np.int64)
    if len(part):
        cls: list[object] = list(range(len(parts))) if classes is None else list(classes)
        shared = {c for c in cls if cls.count(c) > 1}
        if shared:
            multi = np.isin(part, [g for g, c in enumerate(cls) if c in shared])
            sub = idx[multi]
        if shared and len(sub):
            pair = i[sub] * (int(j.max()) + 1) + j[sub]
            order = np.lexsort((part[sub], -sc[sub], pair))
            first = np.r_[True, pair[order][1:] != pair[order][:-1]]
            idx = np.sort(np.concatenate([idx[~multi], sub[order[first]]]))
    if k is not None and len(idx):
        ii, jj = i[idx], j[idx]
        # scores have one decimal: best first as a small non-negative integer
        score_key = 1000 - np.rint(sc[idx] * 10).astype(np.int64)
        keep = np.zeros(len(idx), dtype=bool)
        rr = np.round(routed[idx], 3)

        def best_of(sides: tuple[I, I]) -> I:
            own, other = sides
            order = _grouped_order(own, score_key, rr, other if id_rank is None
                                   else id_rank[other])
            return order[_rank_in_groups(own[order]) < k]

        with ThreadPoolExecutor(max_workers=2) as pool:  # the two sides in parallel
            for picked in pool.map(best_of, ((ii, jj), (jj, ii))):
                keep[picked] = True
        idx = idx[keep]
    idx = idx[np.argsort(part[idx], kind="stable")]
    # gather each column part by part: only the kept rows are copied
    offsets = np.r_[0, np.cumsum(sizes)]
    group = part[idx]
    bounds = np.searchsorted(group, np.arange(len(parts) + 1))
    local = [idx[bounds[g]:bounds[g + 1]] - offsets[g] for g in range(len(parts))]
    out = {name: np.concatenate([p[name][loc] for p, loc in zip(parts, local, strict=True)])
           for name in parts[0]}
    out["group"] = group
    return out


def _none(x: float) -> float | None:
    return None if x != x else x  # NaN -> None


#: candidates built at a time when a list is read from start to end
_BATCH = 4096


class CandidateList(Sequence[Candidate]):
    """Candidates held as columns; each :class:`Candidate` (with its reasons) is built when
    it is read. Ordered by score (best first), then distance and flow ids."""

    def __init__(self, cols: _Columns, groups: list[_Group],
                 sel: Mapping[str, NDArray[np.generic]]):
        self._cols, self._groups = cols, groups
        n = len(sel.get("i", ()))
        if n:
            # score (one decimal) first, then distance, then the two flow ids
            score_key = 1000 - np.rint(np.asarray(sel["score"], dtype=np.float64) * 10
                                       ).astype(np.int64)
            id_key = cols.id_rank[sel["i"]] * len(cols.flows) + cols.id_rank[sel["j"]]
            order = np.lexsort((id_key, sel["routed"], score_key))
            self._sel = {k: v[order] for k, v in sel.items()}
        else:
            self._sel = {}
        self._n = n
        self._cache: dict[int, Candidate] = {}
        self._parts: dict[int, _GroupParts] = {}
        self._lookup: _Lookup | None = None

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(self._n))]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(index)
        cand = self._cache.get(index)
        if cand is None:
            cand = self._cache[index] = self._build(index)
        return cand

    def __iter__(self) -> Iterator[Candidate]:
        """Every candidate, built in batches; what iteration builds is not kept, so a
        pass over a long list holds one batch at a time."""
        for lo in range(0, self._n, _BATCH):
            hi = min(self._n, lo + _BATCH)
            cached = [self._cache.get(k) for k in range(lo, hi)]
            if all(c is not None for c in cached):
                yield from cached  # type: ignore[misc]
            else:
                with _no_cyclic_gc():  # candidates hold no cycles: see _no_cyclic_gc
                    built = self._build_range(lo, hi)
                yield from built

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:  # mutable cache, compared by content
        raise TypeError("CandidateList is not hashable")

    def keys(self) -> list[tuple[str, str]]:
        """(supply flow, demand flow) of every candidate, without building them."""
        flows = self._cols.flows
        if not self._n:
            return []
        return [(flows[a].id, flows[b].id) for a, b in zip(self._sel["i"].tolist(),
                                                          self._sel["j"].tolist(), strict=True)]

    def scores(self) -> list[float]:
        """The score of every candidate (in :meth:`keys` order), without building them."""
        return self._sel["score"].tolist() if self._n else []

    def distances(self) -> list[float]:
        """The distance (km, to a metre, as on each candidate) of every candidate."""
        if not self._n:
            return []
        return np.round(np.asarray(self._sel["routed"], dtype=np.float64), 3).tolist()

    def subset(self, positions: Sequence[int]) -> CandidateList:
        """The candidates at ``positions`` (in this list's order), still as columns."""
        picked = np.asarray(sorted(positions), dtype=np.int64)
        out = CandidateList.__new__(CandidateList)
        out._cols, out._groups = self._cols, self._groups
        out._sel = {k: v[picked] for k, v in self._sel.items()} if self._n else {}
        out._n = len(picked)
        out._cache = {}
        out._parts = self._parts
        out._lookup = self._lookup
        return out

    def records(self) -> Iterator[tuple[object, ...]]:
        """Every candidate as a tuple of :data:`RECORD_FIELDS`, straight from the columns
        (no reasons: :func:`explain` makes them again when they are shown)."""
        for lo in range(0, self._n, 8 * _BATCH):
            yield from zip(*self.columns(RECORD_FIELDS, lo, lo + 8 * _BATCH), strict=True)

    def flow_ids(self) -> set[str]:
        """The ids of the flows at either end of a candidate."""
        if not self._n:
            return set()
        used = np.unique(np.concatenate([self._sel["i"], self._sel["j"]]))
        return set(self._lookups().flow_id[used].tolist())

    def _lookups(self) -> _Lookup:
        if self._lookup is None:
            self._lookup = _Lookup.of(self._cols, self._groups,
                                      [self._group_parts(g) for g in range(len(self._groups))])
        return self._lookup

    def columns(self, names: Sequence[str], lo: int = 0, hi: int | None = None
                ) -> list[list[Any]]:
        """Fields of the candidates at positions ``lo`` to ``hi``, one list per name: the
        values of those attributes of the built :class:`Candidate` (any field but its
        reasons and limits, see :meth:`reason_texts`), without building it.

        >>> from symbiosis.model import Company, Flow
        >>> cs = [Company("a", "Mill", 60.70, 11.87), Company("b", "Greenhouse", 60.71, 11.88)]
        >>> fs = [Flow("s", "a", "supply", "waste_heat", 5000, "MWh", {"temperature_c": 70}),
        ...       Flow("d", "b", "demand", "heat", None, "MWh", {"temperature_c": 40})]
        >>> find_candidates(cs, fs).columns(["supply_flow", "amount", "mode"])
        [['s'], [None], ['pipeline']]
        """
        cut = slice(lo, self._n if hi is None else min(hi, self._n))
        if not self._n or cut.start >= cut.stop:
            return [[] for _ in names]
        sel, look = self._sel, self._lookups()
        i, j, group = (_ints(sel[k][cut]) for k in ("i", "j", "group"))

        def column(name: str) -> list[Any]:
            if name in _FLOW_FIELDS:
                side, attr = _FLOW_FIELDS[name]
                return getattr(look, attr)[i if side == "supply" else j].tolist()
            if name in _GROUP_FIELDS:
                return getattr(look, name)[group].tolist()
            if name == "distance_km":
                return _rounded(_floats(sel["routed"][cut]), 3)
            if name == "mode":
                return look.mode_name[look.mode_start[group] + _ints(sel["mode"][cut])].tolist()
            if name == "unit":
                unit = look.unit[group]
                custom = look.custom[group]
                unit[custom] = look.flow_unit[i[custom]]
                return unit.tolist()
            key = _NUMBER_FIELDS[name]
            if name in _OPTIONAL_FIELDS:
                return _nones(_floats(sel[key][cut]))
            return sel[key][cut].tolist()

        return [column(name) for name in names]

    def reason_texts(self, words: ReasonWords, sep: str = " | ", *, batch: int = _BATCH
                     ) -> Iterator[tuple[list[str], list[str]]]:
        """The words of every candidate's reasons and of its limits, each joined by
        ``sep``, ``batch`` candidates at a time: ``sep.join(words(r) for r in c.reasons)``
        and the same of ``c.limits`` for each candidate ``c``, without building them.

        Candidates whose reasons differ only in their own numbers (distances, amount,
        value, CO2, fixed cost, temperatures) and in their flows' unit conversions have
        one shape: its words are made once, as a template (from its first candidate,
        built), and every candidate of that shape fills in its numbers, written a column
        at a time.
        """
        if not self._n:
            return
        sel, cols, look = self._sel, self._cols, self._lookups()
        flows = cols.flows
        conversion = np.full(len(flows), "", dtype=object)
        for k in np.flatnonzero(look.converted).tolist():
            conversion[k] = words(_unit_conversion(flows[k]))
        supply_c, demand_c = (np.full(len(flows), "", dtype=object) for _ in range(2))
        known = np.flatnonzero(look.temperature_known)
        if look.temperature_group.any() and len(known):
            temperature = [flows[k].quality["temperature_c"] for k in known.tolist()]
            supply_c[known] = words.numbers("supply_c", temperature)
            demand_c[known] = words.numbers("demand_c", temperature)
        shapes: dict[tuple[int, ...], tuple[str, str] | None] = {}
        for lo in range(0, self._n, batch):
            cut = slice(lo, min(self._n, lo + batch))
            i, j, group, mode = (_ints(sel[k][cut]) for k in ("i", "j", "group", "mode"))
            amount, value, co2, fixed, unit_value, unit_co2, routed, dist, half, limit = (
                _floats(sel[k][cut]) for k in ("amount", "value", "co2", "fixed", "unit_value",
                                               "unit_co2", "routed", "dist", "half", "limit"))
            # the side that limits the amount: _build_range's sums, on the same floats
            with np.errstate(invalid="ignore"):
                by_supply = cols.amount[i] / cols.n_months[i] <= \
                    cols.amount[j] / cols.n_months[j] / look.yields[group]
            has_amount = ~np.isnan(amount)
            has_co2 = ~np.isnan(unit_co2) & ~np.isnan(co2)
            # everything but the numbers the templates leave open (see _shape_words)
            key = np.column_stack([
                group, mode, look.converted[i], look.converted[j],
                look.temperature_group[group] & look.temperature_known[i]
                & look.temperature_known[j],
                sel["q_unknown"][cut], sel["overlap"][cut], has_amount, has_amount & by_supply,
                np.where(look.custom[group] & has_amount, look.unit_code[i], -1),
                ~has_amount & look.no_amount[i], ~has_amount & look.no_amount[j],
                fixed > 0, np.isnan(unit_value), np.isnan(value), np.isnan(unit_co2),
                np.where(has_co2, look.factor_code[j], -1)]).astype(np.int64)
            found, first, where = _unique_rows(key)
            made = []
            for shape, at in zip(map(tuple, found.tolist()), first.tolist(), strict=True):
                if shape not in shapes:
                    shapes[shape] = self._shape_words(words, lo + at, sep)
                made.append(shapes[shape] or ("", ""))
            templates = np.empty((len(made), 2), dtype=object)
            templates[:] = made
            picked = templates[where.reshape(-1)]
            fields = (  # the fields of the templates, in the order of _OPEN_PARAMS
                words.numbers("km", _rounded(routed, 1)),
                words.numbers("great_circle_km", _rounded(dist, 1)),
                words.numbers("half_km", _rounded(half, 1)),
                words.numbers("limit_km", _rounded(limit, 1)),
                words.numbers("amount", _nones(amount)),
                words.numbers("nok_per_year", _nones(value)),
                words.numbers("t_per_year", _nones(co2)),
                words.numbers("nok_per_year", _nones(np.where(fixed > 0, fixed, np.nan))),
                supply_c[i].tolist(), demand_c[j].tolist(),
                conversion[i].tolist(), conversion[j].tolist())
            reasons = list(map(str.format, picked[:, 0].tolist(), *fields))
            limits = list(map(str.format, picked[:, 1].tolist(), *fields))
            for shape_at in np.flatnonzero([shapes[tuple(x)] is None
                                            for x in found.tolist()]).tolist():
                for k in np.flatnonzero(where.reshape(-1) == shape_at).tolist():
                    c = self._build(lo + k)
                    reasons[k] = sep.join(words(r) for r in c.reasons)
                    limits[k] = sep.join(words(r) for r in c.limits)
            yield reasons, limits

    def _shape_words(self, words: ReasonWords, n: int, sep: str) -> tuple[str, str] | None:
        """The reasons and limits of the candidate at ``n``, each joined by ``sep``, as
        templates whose fields are its own numbers (:data:`_OPEN_PARAMS`) and its flows'
        unit conversions (fields 10 and 11); ``None`` when a reason cannot be a template."""
        c = self._build(n)
        conversions = iter(["{10}"] * bool(self._cols.flows[self._sel["i"][n]].conversion)
                           + ["{11}"])
        out = []
        for reasons in (c.reasons, c.limits):
            texts = []
            for r in reasons:
                if r.code == "unit_conversion":
                    texts.append(next(conversions))
                elif r.code in _OPEN_PARAMS:
                    made = words.template(r, *_OPEN_PARAMS[r.code])
                    if made is None:
                        return None
                    texts.append(made)
                else:
                    texts.append(words(r).replace("{", "{{").replace("}", "}}"))
            out.append(sep.replace("{", "{{").replace("}", "}}").join(texts))
        return out[0], out[1]

    def _build(self, n: int) -> Candidate:
        return self._build_range(n, n + 1)[0]

    def _group_parts(self, grp: int) -> _GroupParts:
        parts = self._parts.get(grp)
        if parts is None:
            parts = self._parts[grp] = _GroupParts.of(self._groups[grp])
        return parts

    def _build_range(self, lo: int, hi: int) -> list[Candidate]:
        """The candidates at positions ``lo`` to ``hi``: the columns are read as Python
        numbers once per batch, and a group's fixed reasons are made once."""
        sel, cols, flows = self._sel, self._cols, self._cols.flows
        names = ("i", "j", "group", "mode", "routed", "limit", "amount", "value", "co2",
                 "unit_value", "unit_co2", "fixed", "transport", "score", "dist", "half",
                 "q_unknown", "overlap")
        columns = [sel[k][lo:hi].tolist() for k in names]
        out = []
        for (i, j, grp, m, routed, limit, amount, value, co2, unit_value, unit_co2, fixed,
             transport, score, dist, half, q_unknown, overlap) in zip(*columns, strict=True):
            s, d = flows[i], flows[j]
            parts = self._group_parts(grp)
            g, link = parts.group, parts.group.link
            mode = g.modes[m]
            amount, value, co2 = _none(amount), _none(value), _none(co2)
            unit_value, unit_co2 = _none(unit_value), _none(unit_co2)
            unit = parts.unit if parts.unit is not None else s.unit
            reasons = [parts.match]
            limits = []
            if parts.via is not None:
                reasons.append(parts.via)
            reasons.append(Reason("distance", (
                ("km", round(routed, 1)), ("mode", mode.mode),
                ("great_circle_km", round(dist, 1)), ("circuity", mode.circuity),
                ("half_km", round(half, 1)), ("limit_km", round(limit, 1)))))
            for f in (s, d):
                if f.conversion:
                    reasons.append(_unit_conversion(f))
            if parts.temperature:
                ts, td = s.quality.get("temperature_c"), d.quality.get("temperature_c")
                if ts is not None and td is not None:
                    reasons.append(Reason.of("temperature", supply_c=ts, demand_c=td,
                                             approach_k=link.threshold or 0.0))
            if parts.confirm is not None:
                limits.append(parts.confirm)
            if q_unknown:
                limits.append(parts.quality_unknown)
            if overlap < 12:
                reasons.append(Reason.of("season", months=overlap))
            if amount is None:
                unknown = [side for side, f in (("supply", s), ("demand", d))
                           if f.amount is None]
                limits.append(Reason.of("quantity_unknown", sides=",".join(unknown)))
            else:
                bound = "supply" if (s.amount or 0) / len(s.months) <= \
                    (d.amount or 0) / len(d.months) / link.yield_ else "demand"
                reasons.append(Reason("feasible_amount", (("amount", amount), ("unit", unit),
                                                          ("bound", bound))))
            if fixed > 0:
                limits.append(Reason.of("fixed_cost", mode=mode.mode, nok_per_year=fixed,
                                        nok_per_km_year=mode.fixed_cost_nok_per_km_year,
                                        technology=parts.technology))
            if unit_value is None:
                limits.append(parts.value_unknown)
            elif value is not None:
                reasons.append(Reason("net_value", (("nok_per_year", value),)))
            if unit_co2 is None:
                limits.append(_CO2_UNKNOWN)
            elif co2 is not None:
                reasons.append(Reason("co2_avoided", (("t_per_year", co2),
                                                      *parts.factor(cols.co2_chosen[j]))))
            out.append(Candidate(
                supply_flow=s.id, demand_flow=d.id, supply_company=s.company_id,
                demand_company=d.company_id, resource=s.resource, demand_resource=d.resource,
                distance_km=round(routed, 3), mode=mode.mode, amount=amount, unit=unit,
                transport_cost_nok_per_unit=transport, unit_value_nok=unit_value,
                unit_co2_avoided_t=unit_co2, fixed_cost_nok_per_year=fixed, value_nok=value,
                co2_avoided_t=co2, score=score, reasons=tuple(reasons),
                limits=tuple(limits), relation=parts.relation, via=link.technology,
                conversion_yield=link.yield_, certainty=link.certainty))
        return out


_CO2_UNKNOWN = Reason("co2_unknown")
#: the reasons that carry a candidate's own numbers: the parameters
#: :meth:`CandidateList.reason_texts` leaves open in a shape's template, and the first of
#: their fields there
_OPEN_PARAMS = {"distance": (("km", "great_circle_km", "half_km", "limit_km"), 0),
                "feasible_amount": (("amount",), 4), "net_value": (("nok_per_year",), 5),
                "co2_avoided": (("t_per_year",), 6), "fixed_cost": (("nok_per_year",), 7),
                "temperature": (("supply_c", "demand_c"), 8)}
#: candidate fields from a flow: (its side, the attribute of :class:`_Lookup`)
_FLOW_FIELDS = {"supply_flow": ("supply", "flow_id"), "demand_flow": ("demand", "flow_id"),
                "supply_company": ("supply", "company_id"),
                "demand_company": ("demand", "company_id"), "resource": ("supply", "resource"),
                "demand_resource": ("demand", "resource")}
#: candidate fields of its group (attributes of :class:`_Lookup`)
_GROUP_FIELDS = {"relation", "via", "conversion_yield", "certainty"}
#: candidate fields that are numbers of the selection (their column there)
_NUMBER_FIELDS = {"transport_cost_nok_per_unit": "transport", "unit_value_nok": "unit_value",
                  "unit_co2_avoided_t": "unit_co2", "fixed_cost_nok_per_year": "fixed",
                  "value_nok": "value", "co2_avoided_t": "co2", "score": "score",
                  "amount": "amount"}
#: of these, the ones that may be unknown (NaN in the selection, ``None`` in a candidate)
_OPTIONAL_FIELDS = {"amount", "unit_value_nok", "unit_co2_avoided_t", "value_nok",
                    "co2_avoided_t"}


def _unit_conversion(f: Flow) -> Reason:
    return Reason.of("unit_conversion", flow=f.id, text=f.amount_text, conversion=f.conversion)


class ReasonWords(Protocol):
    """Words for reasons, made at the edge (:class:`symbiosis.messages.Words`): of a whole
    reason, or of one with some numbers left open as a :meth:`str.format` template
    (``None`` when it cannot be), and of those numbers."""

    def __call__(self, reason: Reason) -> str: ...

    def template(self, reason: Reason, open_params: Sequence[str], first: int = 0
                 ) -> str | None: ...

    def numbers(self, key: str, values: Iterable[float | None]) -> list[str]: ...


def _rounded(values: F, digits: int) -> list[float]:
    """``round(x, digits)`` of each value: Python's rounding (of the exact binary value to
    the nearest decimal) at numpy's pace. Scaling, rounding to an integer and scaling back
    gives the same number except where the scaled value is next to a half (the scaling
    is inexact there): those are rounded by Python."""
    scale = 10.0 ** digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    with np.errstate(invalid="ignore"):
        off_half = np.abs(scaled - np.floor(scaled) - 0.5)
        # the scaling errs by a unit in the last place at most (2.2e-16 of the value):
        # far wider margins, and huge numbers, NaN and inf go to Python
        near = ~(off_half > 1e-9 + 1e-12 * np.abs(scaled))
    if near.any():
        at = np.flatnonzero(near)
        out[at] = [round(x, digits) for x in values[at].tolist()]
    return out.tolist()


def _unique_rows(key: I) -> tuple[I, I, I]:
    """The distinct rows of ``key``, the first position of each and the position of each
    row among them (:func:`numpy.unique` by rows, faster through one integer per row)."""
    low = key.min(axis=0) if len(key) else np.zeros(key.shape[1], dtype=np.int64)
    span = (key.max(axis=0) - low + 1) if len(key) else np.ones(key.shape[1], dtype=np.int64)
    if np.prod([float(x) for x in span]) >= 2.0 ** 62:
        found, first, where = np.unique(key, axis=0, return_index=True, return_inverse=True)
        return found, first, where.reshape(-1)
    code = np.zeros(len(key), dtype=np.int64)
    for column, (lo, size) in enumerate(zip(low.tolist(), span.tolist(), strict=True)):
        code = code * size + (key[:, column] - lo)
    _, first, where = np.unique(code, return_index=True, return_inverse=True)
    return key[first], first, where.reshape(-1)


def _floats(values: NDArray[np.generic]) -> F:
    return np.asarray(values, dtype=np.float64)


def _ints(values: NDArray[np.generic]) -> I:
    return np.asarray(values, dtype=np.int64)


def _nones(values: F) -> list[float | None]:
    """The numbers as Python floats, NaN as ``None``."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


@dataclass(frozen=True)
class _Lookup:
    """A candidate list's flow and group attributes as arrays, to gather its columns by
    position."""

    flow_id: NDArray[np.object_]
    company_id: NDArray[np.object_]
    resource: NDArray[np.object_]
    flow_unit: NDArray[np.object_]
    #: per group: its unit (``None`` for a custom resource: the supply flow's), relation,
    #: technology, yield and certainty
    unit: NDArray[np.object_]
    relation: NDArray[np.object_]
    via: NDArray[np.object_]
    conversion_yield: NDArray[np.object_]
    certainty: NDArray[np.object_]
    #: the name of a group's mode ``m`` is at ``mode_start[group] + m``
    mode_name: NDArray[np.object_]
    mode_start: I
    #: per group, for :meth:`CandidateList.reason_texts`: its yield, whether its unit is
    #: the supply flow's and whether it checks temperatures
    yields: F
    custom: NDArray[np.bool_]
    temperature_group: NDArray[np.bool_]
    #: per flow: whether its amount was converted, whether its temperature is known,
    #: whether its amount is unknown, its unit and its CO2 factor chosen (as codes)
    converted: NDArray[np.bool_]
    temperature_known: NDArray[np.bool_]
    no_amount: NDArray[np.bool_]
    unit_code: I
    factor_code: I

    @classmethod
    def of(cls, cols: _Columns, groups: Sequence[_Group], parts: Sequence[_GroupParts]
           ) -> _Lookup:
        def objects(values: Iterable[object]) -> NDArray[np.object_]:
            items = list(values)
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out

        def codes(values: Iterable[object]) -> I:
            seen: dict[object, int] = {}
            return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)

        flows = cols.flows
        return cls(
            flow_id=objects(f.id for f in flows),
            company_id=objects(f.company_id for f in flows),
            resource=objects(f.resource for f in flows),
            flow_unit=objects(f.unit for f in flows),
            unit=objects(p.unit for p in parts), relation=objects(p.relation for p in parts),
            via=objects(g.link.technology for g in groups),
            conversion_yield=objects(g.link.yield_ for g in groups),
            certainty=objects(g.link.certainty for g in groups),
            mode_name=objects(m.mode for g in groups for m in g.modes),
            mode_start=np.cumsum([0] + [len(g.modes) for g in groups], dtype=np.int64),
            yields=np.array([g.link.yield_ for g in groups], dtype=float),
            custom=np.array([p.unit is None for p in parts], dtype=bool),
            temperature_group=np.array([p.temperature for p in parts], dtype=bool),
            converted=np.array([bool(f.conversion) for f in flows], dtype=bool),
            temperature_known=np.array([f.quality.get("temperature_c") is not None
                                        for f in flows], dtype=bool),
            no_amount=np.array([f.amount is None for f in flows], dtype=bool),
            unit_code=codes(f.unit for f in flows),
            factor_code=codes(id(x) for x in cols.co2_chosen))


@dataclass(frozen=True)
class _GroupParts:
    """What every candidate of one group shares: its fixed reasons and limits."""

    group: _Group
    relation: str
    unit: str | None
    match: Reason
    via: Reason | None
    confirm: Reason | None
    quality_unknown: Reason
    value_unknown: Reason
    temperature: bool
    technology: str
    factors: dict[int, tuple[tuple[str, str | float], ...]]

    @classmethod
    def of(cls, g: _Group) -> _GroupParts:
        link = g.link
        relations = (link.supply_relation, link.demand_relation)
        relation = "generic" if "generic" in relations else (
            "kind_of" if "kind_of" in relations else "same")
        via = None if g.technology is None else Reason.of(
            "via_technology", technology=g.technology.key, output=link.via_resource,
            yield_=link.yield_, unit=g.supply.unit, output_unit=g.demand.unit,
            maturity=g.technology.maturity, site=g.technology.site)
        return cls(
            group=g, relation=relation, unit=None if g.supply.custom else g.supply.unit,
            match=Reason.of("resource_match", supply=link.supply, demand=link.demand,
                            supply_relation=link.supply_relation,
                            demand_relation=link.demand_relation, rule=link.rule,
                            threshold=link.threshold,
                            **({"substitution": link.pathway} if _substitution(link) else {})),
            via=via,
            confirm=Reason.of("needs_confirmation", supply=link.supply, demand=link.demand)
            if relation == "generic" else None,
            quality_unknown=Reason.of("quality_unknown", rule=link.rule),
            value_unknown=Reason.of("value_unknown", demand=link.demand),
            temperature=link.rule in ("temperature_approach", "cold_approach"),
            technology=g.technology.key if g.technology else "", factors={})

    def factor(self, chosen: Co2Factor | None) -> tuple[tuple[str, str | float], ...]:
        key = id(chosen)
        made = self.factors.get(key)
        if made is None:
            made = self.factors[key] = tuple(_factor_used(self.group, chosen).items())
        return made


def _substitution(link: Link) -> bool:
    """Whether ``link`` uses a direct pathway from one resource to another (biomethane
    for natural gas): the reason then names the pathway."""
    return bool(link.pathway) and not link.technology and link.supply != link.demand


def _factor_used(g: _Group, chosen: Co2Factor | None) -> dict[str, str | float]:
    """The CO2 factor a candidate's figure uses: its key (of ``co2_factors.csv`` or an
    added factor set; for a resource's own substitute factor, the resource's key), value,
    unit, year and source."""
    chosen = chosen or g.co2_default
    if chosen is not None:
        return {"factor": chosen.key, "ef": chosen.factor, "ef_unit": chosen.unit,
                "year": str(chosen.year), "source": chosen.source}
    res = g.demand if g.demand.substitute_ef_t_per_unit is not None else g.supply
    source, year = res.sources.get("substitute_ef_t_per_unit", ("", 0))
    return {"factor": res.key, "ef": res.substitute_ef_t_per_unit or 0.0,
            "ef_unit": f"t CO2/{res.unit}", "year": str(year), "source": source}


#: a candidate's fields as stored: all but its reasons and limits, which are made again
#: from the data when shown (:func:`explain`)
RECORD_FIELDS = ("supply_flow", "demand_flow", "supply_company", "demand_company", "resource",
                 "demand_resource", "distance_km", "mode", "amount", "unit",
                 "transport_cost_nok_per_unit", "unit_value_nok", "unit_co2_avoided_t",
                 "fixed_cost_nok_per_year", "value_nok", "co2_avoided_t", "score", "relation",
                 "via", "conversion_yield", "certainty")


def candidate_record(c: Candidate) -> tuple[object, ...]:
    return tuple(getattr(c, name) for name in RECORD_FIELDS)


assert RECORD_FIELDS == tuple(f.name for f in fields(Candidate)
                              if f.name not in ("reasons", "limits")), "stored order"
assert [f.name for f in fields(Candidate)][17:19] == ["reasons", "limits"], "stored order"


def explain(candidates: Sequence[Candidate], companies: Iterable[Company],
            flows: Iterable[Flow], *, taxonomy: Taxonomy | None = None) -> list[Candidate]:
    """``candidates`` with their reasons and limits, made again from their flows (matching
    just these flows, every pair kept). A candidate whose flows no longer link keeps what
    it has."""
    if not candidates:
        return []
    wanted = {fid for c in candidates for fid in c.key}
    mine = [f for f in flows if f.id in wanted]
    owners = {f.company_id for f in mine}
    found = find_candidates([c for c in companies if c.id in owners], mine, taxonomy=taxonomy,
                            max_per_flow=None, nearest=None)
    by_key = {k: n for n, k in enumerate(found.keys())}
    out = []
    for c in candidates:
        n = by_key.get(c.key)
        if n is None:
            out.append(c)
        else:
            made = found[n]
            out.append(replace(c, reasons=made.reasons, limits=made.limits))
    return out


def _focus_pairs(tree_s: cKDTree, tree_d: cKDTree, xyz_s: F, xyz_d: F, radius: float,
                 focus_s: NDArray[np.bool_], focus_d: NDArray[np.bool_]) -> tuple[I, I]:
    """Local (supply, demand) positions within ``radius`` with a focus end, each once."""
    found_i, found_j = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for tree, xyz, mask, swap in ((tree_d, xyz_s, focus_s, False),
                                  (tree_s, xyz_d, focus_d, True)):
        own = np.flatnonzero(mask)
        if not len(own):
            continue
        hits = tree.query_ball_point(xyz[own], radius)
        sizes = np.array([len(h) for h in hits], dtype=np.int64)
        a = np.repeat(own, sizes)
        b = np.fromiter((x for h in hits for x in h), dtype=np.int64, count=int(sizes.sum()))
        found_i.append(b if swap else a)
        found_j.append(a if swap else b)
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    code = np.unique(i * (len(xyz_d) + 1) + j)
    return code // (len(xyz_d) + 1), code % (len(xyz_d) + 1)


def _kd_pairs(tree_s: cKDTree, tree_d: cKDTree, xyz_s: F, xyz_d: F, radius: float,
              nearest: int | None) -> tuple[I, I]:
    """Local (supply, demand) positions within ``radius``: all of them, or a superset of
    each side's ``nearest`` closest (k-nearest queries from both sides, with slack for
    ties; :func:`_nearest_pairs` then cuts exactly)."""
    if nearest is None or len(xyz_s) * len(xyz_d) <= 20000:
        pairs = tree_s.sparse_distance_matrix(tree_d, radius, output_type="ndarray")
        return pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)
    found_i, found_j = [], []
    for tree, xyz, n_other, swap in ((tree_d, xyz_s, len(xyz_d), False),
                                     (tree_s, xyz_d, len(xyz_s), True)):
        k = min(nearest + 4, n_other)
        _, idx = tree.query(xyz, k=k, distance_upper_bound=radius)
        idx = np.asarray(idx).reshape(len(xyz), k)
        own = np.repeat(np.arange(len(xyz), dtype=np.int64), k)
        other = idx.ravel().astype(np.int64)
        ok = other < n_other
        a, b = own[ok], other[ok]
        found_i.append(b if swap else a)
        found_j.append(a if swap else b)
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    code = np.sort(i * (len(xyz_d) + 1) + j)
    code = code[np.r_[True, code[1:] != code[:-1]]]
    return code // (len(xyz_d) + 1), code % (len(xyz_d) + 1)


def find_candidates(companies: Iterable[Company], flows: Iterable[Flow], *,
                    taxonomy: Taxonomy | None = None, max_distance_km: float | None = None,
                    max_per_flow: int | None = DEFAULT_MAX_PER_FLOW,
                    nearest: int | None = DEFAULT_NEAREST,
                    same_company: bool = False,
                    among: Collection[str] | None = None) -> CandidateList:
    """Candidates from every supply flow to every demand flow it can feed.

    Parameters
    ----------
    companies, flows
        The data; flows of unknown companies are ignored.
    taxonomy
        Resources, rules and factors (defaults to the shipped taxonomy).
    max_distance_km
        A routed-distance cap on top of each resource's own limits.
    max_per_flow
        Keep a pair if it is among the best ``max_per_flow`` of its supply flow or of its
        demand flow (by score, then distance); ``None`` keeps every feasible pair.
    nearest
        Partners are sought among each flow's ``nearest`` closest compatible flows within
        reach; ``None`` considers every flow within reach.
    same_company
        Also propose links inside one company (off: those are not symbioses).
    among
        Only pairs with an end in these flows (ids) are sought; with ``nearest=None``
        only (the flows given are then the partners already found, as by
        :func:`nearest_partners`).

    Examples
    --------
    >>> from symbiosis.model import Company, Flow
    >>> cs = [Company("a", "Mill", 60.70, 11.87), Company("b", "Greenhouse", 60.71, 11.88)]
    >>> fs = [Flow("s", "a", "supply", "waste_heat", 5000, "MWh", {"temperature_c": 70}),
    ...       Flow("d", "b", "demand", "heat", 3000, "MWh", {"temperature_c": 40})]
    >>> [(c.supply_flow, c.demand_flow, c.amount) for c in find_candidates(cs, fs)]
    [('s', 'd', 3000.0)]
    """
    with _no_cyclic_gc():
        return _find(companies, flows, taxonomy or default_taxonomy(),
                     max_distance_km=max_distance_km, max_per_flow=max_per_flow,
                     nearest=nearest, same_company=same_company, among=among)


def match_dataset(data: Dataset, *, taxonomy: Taxonomy | None = None,
                  max_distance_km: float | None = None,
                  max_per_flow: int | None = DEFAULT_MAX_PER_FLOW) -> CandidateList:
    """:func:`find_candidates` over a dataset's companies and flows."""
    return find_candidates(data.companies, data.flows, taxonomy=taxonomy,
                           max_distance_km=max_distance_km, max_per_flow=max_per_flow)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Matching builds millions of array cells and no reference cycles: the cyclic
    collector, woken by the allocations, would only scan the caller's heap again and
    again (about a fifth of the time at 100k flows)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _find(companies: Iterable[Company], flows: Iterable[Flow], tax: Taxonomy, *,
          max_distance_km: float | None, max_per_flow: int | None, nearest: int | None,
          same_company: bool, among: Collection[str] | None = None) -> CandidateList:
    if among is not None and nearest is not None:
        raise ValueError("pairs among some flows are sought with nearest=None only")
    cols = _columns(companies, flows, tax)
    focus = (None if among is None else
             np.array([f.id in among for f in cols.flows], dtype=bool))
    sup, dem = _groups(cols)
    xyz = unit_vectors(cols.lat, cols.lon)
    groups: list[_Group] = []
    searches: dict[tuple[str, str, float], None] = {}
    keys: list[tuple[str, str, float]] = []
    for rs in sup:
        for link in tax.links(rs):
            if link.demand not in dem:
                continue
            group = _group(tax, link)
            reach = _group_reach(group, max_distance_km)
            if reach <= 0:
                continue
            groups.append(group)
            keys.append((rs, link.demand, reach))
            searches[keys[-1]] = None  # a direct link and a conversion share the search
    from scipy.spatial import cKDTree  # imported when matching runs, not with the package

    s_trees = {rs: cKDTree(xyz[sup[rs]]) for rs in {k[0] for k in searches}}
    d_trees = {rd: cKDTree(xyz[dem[rd]]) for rd in {k[1] for k in searches}}

    def search(key: tuple[str, str, float]) -> tuple[I, I, F]:
        rs, rd, reach = key
        s_idx, d_idx = sup[rs], dem[rd]
        # a hair wider than the reach: the exact haversine test in _evaluate decides
        radius = chord_for_km(reach) * (1 + 1e-9)
        if focus is not None:
            a, b = _focus_pairs(s_trees[rs], d_trees[rd], xyz[s_idx], xyz[d_idx], radius,
                                focus[s_idx], focus[d_idx])
            return _nearest_pairs(cols, s_idx[a], d_idx[b], None, same_company)
        a, b = _kd_pairs(s_trees[rs], d_trees[rd], xyz[s_idx], xyz[d_idx], radius, nearest)
        return _nearest_pairs(cols, s_idx[a], d_idx[b], nearest, same_company)

    def evaluate(n: int) -> dict[str, NDArray[np.generic]]:
        i, j, dist = found[keys[n]]
        return _top_of_part(_evaluate(cols, groups[n], i, j, dist,
                                      max_distance_km=max_distance_km,
                                      same_company=same_company), max_per_flow, cols.id_rank)

    # the groups are independent and numpy and the KD-tree release the GIL: one thread
    # per core
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        found = dict(zip(searches, pool.map(search, searches), strict=True))
        parts = list(pool.map(evaluate, range(len(groups))))
    classes = [(g.link.supply, g.link.demand) for g in groups]
    return CandidateList(cols, groups, _select_top(parts, max_per_flow, classes,
                                                   cols.id_rank))


def find_candidates_all_pairs(companies: Iterable[Company], flows: Iterable[Flow], *,
                              taxonomy: Taxonomy | None = None,
                              max_distance_km: float | None = None,
                              max_per_flow: int | None = DEFAULT_MAX_PER_FLOW,
                              nearest: int | None = DEFAULT_NEAREST,
                              same_company: bool = False) -> CandidateList:
    """The naive reference: every supply against every demand in a plain Python loop.

    Same rules and economics as :func:`find_candidates` (it shares the rule kernel), so the
    two must return the same candidates; used by the tests and ``bench/matching.py``.
    """
    tax = taxonomy or default_taxonomy()
    cols = _columns(companies, flows, tax)
    supplies = [k for k, f in enumerate(cols.flows) if f.direction == "supply"]
    demands = [k for k, f in enumerate(cols.flows) if f.direction == "demand"]
    found: dict[Link, tuple[list[int], list[int]]] = {}
    order: list[Link] = []
    for a in supplies:
        fa = cols.flows[a]
        lat_a, lon_a = float(cols.lat[a]), float(cols.lon[a])
        for b in demands:
            fb = cols.flows[b]
            for link in tax.links_between(fa.resource, fb.resource):
                reach = _group_reach(_group(tax, link), max_distance_km) * (1 + 1e-9)
                if haversine_km_scalar(lat_a, lon_a, float(cols.lat[b]),
                                       float(cols.lon[b])) > reach:
                    continue
                if link not in found:
                    order.append(link)
                ii, jj = found.setdefault(link, ([], []))
                ii.append(a)
                jj.append(b)
    # the same group order as the KD-tree path (supply resource, then its links)
    rank = {link: k for k, link in enumerate(x for r in dict.fromkeys(
        cols.flows[a].resource for a in supplies) for x in tax.links(r))}
    groups, parts = [], []
    for link in sorted(order, key=lambda x: rank.get(x, len(rank))):
        ii, jj = found[link]
        groups.append(_group(tax, link))
        i, j, dist = _nearest_pairs(cols, np.array(ii, dtype=np.int64),
                                    np.array(jj, dtype=np.int64), nearest, same_company)
        parts.append(_evaluate(cols, groups[-1], i, j, dist, max_distance_km=max_distance_km,
                               same_company=same_company))
    classes = [(g.link.supply, g.link.demand) for g in groups]
    return CandidateList(cols, groups, _select_top(parts, max_per_flow, classes,
                                                   cols.id_rank))


#: a flow's shortlist keeps candidates scoring at least this share of its best one
SHORTLIST_WITHIN = 0.85


class Partners(NamedTuple):
    """A flow's best partners: exchanges it can start with another company
    (``direct``), and apart, conversions through a facility still to build
    (``via_facility``), each best first."""

    direct: list[Candidate]
    via_facility: list[Candidate]


def best_partners(candidates: Iterable[Candidate], *, size: int = 3, within: float = 0.0,
                  ranked: bool = False) -> dict[str, Partners]:
    """Each flow's best ``size`` partners, kept apart by kind: a direct exchange is a
    deal between two companies, a conversion first needs an investment that the
    optimiser decides on, so a flow's best three direct partners are not pushed out or
    padded by facility options. Best first by score, then distance, then flow ids (or
    in the order given when ``ranked``: a page ranks on the values its reader sees); a
    list keeps only the candidates scoring at least ``within`` times its best one.

    >>> from symbiosis.model import Candidate
    >>> def c(d, score, via=""): return Candidate("s", d, "", "", "", "", 1.0, "truck", None,
    ...                                           "t", 0, None, None, 0, None, None, score,
    ...                                           via=via)
    >>> got = best_partners([c("a", 60), c("b", 80, via="composting"), c("c", 50)])["s"]
    >>> [x.demand_flow for x in got.direct], [x.demand_flow for x in got.via_facility]
    (['a', 'c'], ['b'])
    """
    per: dict[str, tuple[list[Candidate], list[Candidate]]] = {}
    for cand in candidates:
        for flow in cand.key:
            per.setdefault(flow, ([], []))[bool(cand.via)].append(cand)

    def best(cands: list[Candidate]) -> list[Candidate]:
        ranked_ = cands if ranked else sorted(
            cands, key=lambda c: (-c.score, c.distance_km, c.key))
        top = ranked_[:size]
        return [c for c in top if not within or c.score >= within * top[0].score]

    return {flow: Partners(best(direct), best(via)) for flow, (direct, via) in per.items()}


def shortlists(candidates: Iterable[Candidate], *, size: int = 3,
               within: float = SHORTLIST_WITHIN) -> dict[str, list[Candidate]]:
    """Each flow's shortlist: its best ``size`` direct partners (:func:`best_partners`)
    that score at least ``within`` times its best one, so a clear favourite is not padded
    with much weaker links.

    >>> from symbiosis.model import Candidate
    >>> def c(d, score): return Candidate("s", d, "", "", "", "", 1.0, "truck", None, "t",
    ...                                   0, None, None, 0, None, None, score)
    >>> [x.demand_flow for x in shortlists([c("a", 90), c("b", 80), c("c", 60)])["s"]]
    ['a', 'b']
    """
    return {flow: p.direct for flow, p in best_partners(
        candidates, size=size, within=within).items() if p.direct}


def value_chains(candidates: Iterable[Candidate], processes: Iterable[Process], start: str, *,
                 max_steps: int = 3) -> list[tuple[str, ...]]:
    """Chains of flow ids from supply flow ``start``, up to ``max_steps`` candidate links.

    A chain alternates a link (supply -> demand) and, where that demand is an input of a
    process, a conversion inside the company (demand -> the process's output supply flows).
    Every chain ending at a demand flow is returned, shortest first.

    >>> from symbiosis.model import Candidate, Process
    >>> def c(s, d): return Candidate(s, d, "", "", "", "", 0, "truck", None, "t", 0,
    ...                               None, None, 0, None, None, 0)
    >>> p = Process("p", "x", inputs=(("d1", 1.0),), outputs=(("s2", 0.5),))
    >>> value_chains([c("s1", "d1"), c("s2", "d2")], [p], "s1", max_steps=2)
    [('s1', 'd1'), ('s1', 'd1', 's2', 'd2')]
    """
    feeds: dict[str, list[str]] = defaultdict(list)
    for cand in candidates:
        feeds[cand.supply_flow].append(cand.demand_flow)
    converts: dict[str, list[str]] = defaultdict(list)
    for p in processes:
        for fin, _ in p.inputs:
            converts[fin].extend(fout for fout, _ in p.outputs)
    chains: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], steps: int) -> None:
        for demand in sorted(set(feeds.get(path[-1], ()))):
            if demand in path:
                continue
            chain = (*path, demand)
            chains.append(chain)
            if steps + 1 < max_steps:
                for out in sorted(set(converts.get(demand, ()))):
                    if out not in chain:
                        walk((*chain, out), steps + 1)

    walk((start,), 0)
    return sorted(chains, key=lambda ch: (len(ch), ch))


def chain_steps(chain: Sequence[str]) -> int:
    """Number of links in a chain returned by :func:`value_chains`."""
    return len(chain) // 2
