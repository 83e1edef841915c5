"""Each use case once, over a :class:`graph.Store`: the CLI, the pages and the API call
these functions and hold no use-case logic of their own.

Writes keep the candidates fresh: a write that adds, changes or removes flows re-matches
what it touched and the flows within reach of it, and stores those candidates in the same
transaction (:func:`fresh_candidates`). A write touching more than
:data:`FULL_REMATCH_ABOVE` flows matches the whole store in memory instead and writes the
lists that differ.

This module sits above the domain core (model, taxonomy, recognition, matching,
indicators), storage (:mod:`graph`) and optimisation (:mod:`optimizer`); nothing below it
imports it (the layer contract in ``pyproject.toml``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources as importlib_resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import CandidatePatch, Store

from .cases import documented_exchange_records
from .co2 import Co2Choice, Co2Factor, Co2FactorError, Co2Factors, check_factor
from .errors import ImportValidationError, NotFoundError, RowError, SymbiosisError
from .export import SpreadsheetWriter, exchange_rows, geojson, json_text
from .indicators import (
    REALISED,
    area_indicators,
    basis,
    counted,
    county_progress,
    parks_progress,
)
from .lifecycle import ExchangeStartError, LiveExchangeError, advance, held, live
from .lifecycle import start as start_on_candidate
from .matching import (
    DEFAULT_MAX_PER_FLOW,
    CandidateList,
    find_candidates,
    nearest_partners,
    partner_searches,
    place_changes,
)
from .matching import explain as explain_candidates
from .messages import error
from .model import (
    Candidate,
    Company,
    Dataset,
    Exchange,
    ExchangeStatus,
    Flow,
    FlowPoint,
    Plan,
    PlanScope,
)
from .ownership import Origins, ownership_errors
from .places import PlaceMigration, default_register, migrate_places
from .report import indicators_report
from .scenarios import PlanComparison, compare_plans
from .taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:  # the optimizer and the table readers load when a use case needs them
    from optimizer import ParkPlan, SolveInterrupter

    from .io import Deadline, ImportResult, Table

__all__ = ["case_files", "parse_for_store", "import_tables", "save", "ownership_check",
           "report_of", "export_of",
           "move_company", "delete_company", "delete_flow", "rematch", "fresh_candidates",
           "explain", "filter_candidates", "plan", "plan_exchanges", "save_plan", "scenarios",
           "compare_scenarios", "adopt_scenario", "advance_exchange", "start_exchange",
           "plan_park", "report",
           "export", "load_demo", "FULL_REMATCH_ABOVE", "documented_exchanges",
           "normalise_places", "store_taxonomy", "co2_factors", "add_co2_factor",
           "choose_co2_factor", "CO2_SETTING"]

#: a write touching more flows than this matches the whole store in memory and writes
#: the lists that differ: at 100k flows a batch of a hundred new flows moves the nearest
#: lists of thousands of partners, which one matching of everything settles faster
FULL_REMATCH_ABOVE = 25
_KM_PER_DEGREE = 111.2


def _tax(taxonomy: Taxonomy | None, store: Store | None = None) -> Taxonomy:
    """The taxonomy to use, with the CO2 factor sets and choices stored in ``store``."""
    tax = taxonomy or default_taxonomy()
    return store_taxonomy(store, tax) if store is not None else tax


# -- CO2 factor sets and choices, kept with the store -----------------------------------
#: the store setting that holds the added factor sets and the park and county choices
CO2_SETTING = "co2_factor_sets"
_WITH_CO2: dict[tuple[int, str], Taxonomy] = {}


def _co2_setting(store: Store) -> dict[str, list[dict[str, Any]]]:
    text = store.settings().get(CO2_SETTING)
    body = json.loads(text) if text else {}
    return {"factors": list(body.get("factors") or []),
            "choices": list(body.get("choices") or [])}


def store_taxonomy(store: Store, taxonomy: Taxonomy | None = None) -> Taxonomy:
    """``taxonomy`` with the factor sets and choices stored in ``store`` (the same object
    again while they do not change)."""
    base = (taxonomy or default_taxonomy()).origin
    text = store.settings().get(CO2_SETTING, "")
    if not text:
        return base
    cache_key = (id(base), text)
    found = _WITH_CO2.get(cache_key)
    if found is None or found.resources is not base.resources:
        body = _co2_setting(store)
        factors = [check_factor(f) for f in body["factors"]]
        choices = [Co2Choice(**c) for c in body["choices"]]
        found = base.with_co2(base.co2.with_sets(factors, choices))
        if len(_WITH_CO2) > 32:
            _WITH_CO2.clear()
        _WITH_CO2[cache_key] = found
    return found


def co2_factors(store: Store, *, taxonomy: Taxonomy | None = None) -> Co2Factors:
    """The shipped factors with the factor sets and choices stored in ``store``."""
    return store_taxonomy(store, taxonomy).co2


def add_co2_factor(store: Store, cells: Mapping[str, object], *, by: str,
                   taxonomy: Taxonomy | None = None) -> Co2Factor:
    """Add a factor set (a factor with its source and year, checked by
    :func:`symbiosis.co2.check_factor`); flows, parks and counties may then name it.
    Raises :class:`~symbiosis.co2.Co2FactorError` naming the bad field."""
    factor = check_factor(cells, taken=co2_factors(store, taxonomy=taxonomy).factors,
                          added_by=by)
    body = _co2_setting(store)
    body["factors"].append(dataclasses.asdict(factor))
    store.put_setting(CO2_SETTING, json.dumps(body, ensure_ascii=False, sort_keys=True))
    return factor


def choose_co2_factor(store: Store, choice: Co2Choice, *,
                      taxonomy: Taxonomy | None = None) -> Sequence[Candidate]:
    """What the demand of one kind replaces in a park or a county (an empty ``factor``
    drops the choice); the store is matched again, so every CO2 figure uses it."""
    if choice.scope == "county":
        got = default_register().read(choice.name, None)
        if not got.ok or got.county is None:
            raise Co2FactorError("name", got.problems[0].message if got.problems
                                 else "name the county")
        choice = dataclasses.replace(choice, name=got.county)
    body = _co2_setting(store)
    body["choices"] = [c for c in body["choices"] if (c["scope"], c["name"], c["applies_to"])
                       != (choice.scope, choice.name, choice.applies_to)]
    if choice.factor:
        problem = co2_factors(store, taxonomy=taxonomy).choice_problem(choice)
        if problem is not None:
            raise problem
        body["choices"].append(dataclasses.asdict(choice))
    store.put_setting(CO2_SETTING, json.dumps(body, ensure_ascii=False, sort_keys=True))
    return rematch(store, taxonomy=taxonomy)


def case_files() -> list[Path]:
    """The researched Norwegian cases shipped with the package, in import order."""
    base = Path(str(importlib_resources.files("fixtures") / "cases"))
    return [base / n for n in ("parks.csv", "companies.csv", "flows.csv", "processes.csv")]


def documented_exchanges() -> list[dict[str, str]]:
    """The exchanges the cases document (rows of ``fixtures/cases/exchanges.csv``)."""
    path = Path(str(importlib_resources.files("fixtures") / "cases" / "exchanges.csv"))
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# -- import and edits ----------------------------------------------------------------------
def parse_for_store(store: Store, tables: Sequence[Table], *,
                    taxonomy: Taxonomy | None = None,
                    mapping: Mapping[str, str] | None = None, owner: str | None = None,
                    country: str | None = None,
                    deadline: Deadline | None = None) -> ImportResult:
    """Validate ``tables`` against what ``store`` already holds (rows may refer to stored
    companies and flows; a row about a stored id changes only the columns it gives).

    ``owner`` is the cluster the import is made for (``None``: an admin, who may write
    anything): a row that touches an id of another cluster is refused. ``country``: whose
    boxes places are checked against (``None``: Norway). Reads the store without writing;
    raises :class:`ImportValidationError` listing every bad row."""
    from .io import parse_tables

    return parse_tables(tables, taxonomy=_tax(taxonomy, store), mapping=mapping,
                        stored=store.dataset(), owner=owner, country_code=country,
                        deadline=deadline)


def import_tables(store: Store, tables: Sequence[Table], *, taxonomy: Taxonomy | None = None,
                  mapping: Mapping[str, str] | None = None, owner: str | None = None,
                  country: str | None = None) -> ImportResult:
    """Validate and store ``tables`` with fresh candidates; nothing is written when a row
    is bad."""
    result = parse_for_store(store, tables, taxonomy=taxonomy, mapping=mapping, owner=owner,
                             country=country)
    save(store, result.dataset, taxonomy=taxonomy, owner=owner, origins=result.origins)
    return result


def ownership_check(store: Store, data: Dataset, owner: str, *,
                    origins: Origins | None = None) -> list[RowError]:
    """The rows of ``data`` the cluster ``owner`` may not write, read from the store by
    id (see :mod:`symbiosis.ownership`)."""
    flows = {f.id: f for f in store.flows_by_id({f.id for f in data.flows})}
    processes = ({p.id: p for p in store.processes()} if data.processes else {})
    parks = {p.id: p for p in store.parks()} if data.parks else {}
    ids = ({c.id for c in data.companies} | {f.company_id for f in data.flows}
           | {p.company_id for p in data.processes}
           | {f.company_id for f in flows.values()}
           | {p.company_id for p in processes.values()})
    companies = {c.id: c for c in store.companies_by_id(ids)}
    return ownership_errors(data, owner, companies=companies, flows=flows,
                            processes=processes, parks=parks, origins=origins)


def save(store: Store, data: Dataset, *, taxonomy: Taxonomy | None = None,
         owner: str | None = None, origins: Origins | None = None) -> CandidatePatch:
    """Insert or update ``data`` (from a form, an upload or an API batch) and the
    candidates of what it touched, in one transaction.

    With ``owner`` (a cluster) the ownership of every row is checked again against the
    store as it is now (the store may have changed since ``data`` was checked): cheap
    reads by id; :class:`ImportValidationError` and nothing written when a row is not the
    cluster's."""
    if owner is not None:
        errors = ownership_check(store, data, owner, origins=origins)
        if errors:
            raise ImportValidationError(errors)
    patch = fresh_candidates(store, data, taxonomy=taxonomy)
    store.load(data, candidates=patch)
    return patch


def move_company(store: Store, company_id: str, cluster: str) -> Company:
    """Give a company (and with it its flows and processes) to another cluster: an
    admin's act, never an import's."""
    company = store.company(company_id)
    if company is None:
        raise NotFoundError(f"no company {company_id}")
    name = cluster.strip()
    if not name:
        raise SymbiosisError("a company needs a cluster: name one")
    moved = dataclasses.replace(company, cluster=name)
    store.load(Dataset(companies=(moved,)))  # the cluster changes no candidate
    return moved


def delete_company(store: Store, company_id: str, *,
                   taxonomy: Taxonomy | None = None) -> None:
    company = store.company(company_id)
    if company is None:
        raise NotFoundError(f"no company {company_id}")
    gone = store.flows(company_id=company_id)
    patch = fresh_candidates(store, Dataset(), removed=gone, taxonomy=taxonomy)
    store.delete_company(company_id, candidates=patch)


def delete_flow(store: Store, flow_id: str, *, taxonomy: Taxonomy | None = None) -> None:
    flow = store.flow(flow_id)
    if flow is None:
        raise NotFoundError(f"no flow {flow_id}")
    patch = fresh_candidates(store, Dataset(), removed=[flow], taxonomy=taxonomy)
    store.delete_flow(flow_id, candidates=patch)


def normalise_places(store: Store, *, dry_run: bool = False) -> PlaceMigration:
    """Rewrite the stored companies' and parks' counties and municipalities to register
    names ("troms" and "Troms" become one county), in one transaction; what the register
    does not know is left as it is and listed. Candidates stay: places do not move."""
    data = store.dataset()
    result = migrate_places(data.companies, data.parks)
    if not dry_run and (result.companies or result.parks):
        store.load(Dataset(companies=result.companies, parks=result.parks))
    return result


# -- matching ---------------------------------------------------------------------------
def rematch(store: Store, *, taxonomy: Taxonomy | None = None,
            max_distance_km: float | None = None,
            max_per_flow: int | None = DEFAULT_MAX_PER_FLOW) -> Sequence[Candidate]:
    """Match the whole store and replace its candidates."""
    data = store.dataset()
    cands = find_candidates(data.companies, data.flows, taxonomy=_tax(taxonomy, store),
                            max_distance_km=max_distance_km, max_per_flow=max_per_flow)
    store.replace_candidates(cands)
    return cands


def _box(points: Iterable[tuple[float, float, float]]) -> tuple[float, float, float, float]:
    """South, west, north, east around each (lat, lon, radius km)."""
    south = west = math.inf
    north = east = -math.inf
    for lat, lon, km in points:
        dlat = km / _KM_PER_DEGREE
        dlon = km / (_KM_PER_DEGREE * max(0.05, math.cos(math.radians(min(89.0, abs(lat))))))
        south, north = min(south, lat - dlat), max(north, lat + dlat)
        west, east = min(west, lon - dlon), max(east, lon + dlon)
    return south, west, north, east


def fresh_candidates(store: Store, data: Dataset, *, removed: Sequence[Flow] = (),
                     taxonomy: Taxonomy | None = None) -> CandidatePatch:
    """The candidates to store with a write of ``data`` (and the removal of ``removed``):
    the same as a full matching of the store after the write would keep, found by
    looking only near the write.

    The flows touched are the written ones, the stored flows of written companies (a
    company that moves moves its flows) and the removed ones. A touched flow is matched
    where it is now with the partners a full matching would search
    (:func:`symbiosis.matching.nearest_partners`: only places are read for the search, and
    only the partners found are read in full). The flows whose best list the write can
    change are its neighbours:

    - the touched flows' stored partners;
    - the flows whose new pair with a touched flow scores at least their ``k``-th best
      stored pair (or that hold fewer than ``k``);
    - the flows a touched flow that moved, came, went or changed kind pushes out of a
      partner's nearest flows or lets in (:func:`symbiosis.matching.place_changes`), with
      that partner.

    A neighbour whose best list held a touched flow that now ranks lower or is gone, or
    whose pairs the nearest rule changed, is matched again over everything in its reach,
    since what takes that place may not be stored. Every candidate with an end in a
    touched flow or a neighbour is replaced; each such list is ranked over its stored pairs
    and the fresh ones, and a pair whose other end keeps its list as it is stays when it is
    among that end's best.
    """
    tax = _tax(taxonomy, store)
    written = {f.id: f for f in data.flows}
    new_companies = {c.id: c for c in data.companies}
    removed_ids = {f.id for f in removed}
    if len(written) + len(new_companies) + len(removed_ids) > FULL_REMATCH_ABOVE:
        return _full_patch(store, data, removed_ids, tax)  # without a read per company
    for cid in new_companies:
        for f in store.flows(company_id=cid):
            written.setdefault(f.id, f)
    if not written and not removed_ids:
        return CandidatePatch(frozenset())
    if len(written) + len(removed_ids) > FULL_REMATCH_ABOVE:
        return _full_patch(store, data, removed_ids, tax)
    touched = set(written) | removed_ids
    old = {f.id: f for f in store.flows_by_id(touched)}
    was = {c.id: c for c in store.companies_by_id({f.company_id for f in (
        *written.values(), *old.values())})}
    companies = {**was, **new_companies}
    then = {fid: _point(f, was[f.company_id]) for fid, f in old.items()
            if f.company_id in was}
    now = {fid: _point(f, companies[f.company_id]) for fid, f in written.items()
           if f.company_id in companies}
    moved = [(then.get(fid), now.get(fid)) for fid in touched
             if then.get(fid) != now.get(fid)]
    k = DEFAULT_MAX_PER_FLOW
    places = _Around(store, tax, touched, written, now)
    places.read([*now.values(), *(p for p, _ in moved if p is not None)])
    pool = _Pool()
    fresh = pool.add(places.pairs(now, written, companies))
    held = store.candidates_of(touched)
    old_partners = {f for c in held for f in c.key} - touched
    new_best: dict[str, float] = {}
    for key in fresh:
        other = key[1] if key[0] in written else key[0]
        if other not in touched:
            new_best[other] = max(pool.rank[key][0], new_best.get(other, -1.0))
    left: set[tuple[str, str]] = set()
    entered: set[tuple[str, str]] = set()
    if moved:
        left, entered = place_changes(tax, list(places.before.values()),
                                      list(places.after.values()), moved)
    kth = store.kth_scores(old_partners | set(new_best) | {f for p in entered for f in p},
                           k)
    neighbours = old_partners | {f for f, score in new_best.items()
                                 if f not in kth or score >= kth[f]}
    # matched again over everything in reach: a stored partner that ranked a touched flow
    # among its best, which now ranks lower or is gone (what takes its place may be a pair
    # nobody stored), and both ends of a stored pair the nearest rule may now part
    again = {other for c in held for other in c.key if other not in touched
             and (other not in kth or c.score >= kth[other])
             and (c.key not in pool.rank or _ranks_below(pool.rank[c.key], c))}
    stored = {c.key for c in store.candidates_of({p[1] for p in left} - touched)}
    again |= {f for key in left & stored for f in key}
    neighbours |= again
    # a pair the nearest rule lets in: its ends rank it when it is among their best
    if entered - set(pool.rank):
        came = pool.add(places.pairs_given(entered - set(pool.rank), companies))
        neighbours |= {f for key in came for f in key
                       if f not in kth or pool.rank[key][0] >= kth[f]}
    # the stored pairs that stand as they are: a pair of a flow matched again is among its
    # fresh pairs or is gone
    stored_keys: set[tuple[str, str]] = set()
    for c in store.candidates_of(neighbours - touched):
        if not set(c.key) & touched:
            stored_keys.add(c.key)
            if not set(c.key) & again:
                pool.put(c)
    if again:
        flows = {f.id: f for f in store.flows_by_id(again)}
        companies.update((c.id, c) for c in store.companies_by_id(
            {f.company_id for f in flows.values()} - set(companies)))
        focus = {fid: _point(f, companies[f.company_id]) for fid, f in flows.items()}
        places.read(list(focus.values()))
        pool.add(places.pairs(focus, flows, companies))
    stored_keys &= set(pool.rank)
    ranked = touched | neighbours
    keep = pool.best(ranked, k)
    outside = {f for key in stored_keys - keep for f in key} - ranked
    if outside:  # a pair stays when the end that keeps its list holds it among its best
        kth_out = store.kth_scores(outside, k)
        keep |= {key for key in stored_keys - keep
                 if any(f in outside and (f not in kth_out or pool.rank[key][0] >= kth_out[f])
                        for f in key)}
    return CandidatePatch(frozenset(ranked),
                          sorted((pool.candidate(key) for key in keep),
                                 key=lambda c: (-c.score, c.supply_flow, c.demand_flow)))


def _ranks_below(now: tuple[float, float], was: Candidate) -> bool:
    """Whether a pair now at ``now`` (score, -distance) ranks below how it was stored."""
    return (round(now[0], 1), now[1]) < (round(was.score, 1), -was.distance_km)


class _Pool:
    """Candidates by pair, fresh ones (still columns of a :class:`CandidateList`) and
    stored ones, ranked without building more than are kept."""

    def __init__(self) -> None:
        #: (score, -distance): higher ranks first
        self.rank: dict[tuple[str, str], tuple[float, float]] = {}
        self._made: dict[tuple[str, str], Candidate | tuple[CandidateList, int]] = {}

    def put(self, c: Candidate) -> None:
        self.rank[c.key] = (c.score, -c.distance_km)
        self._made[c.key] = c

    def add(self, found: tuple[CandidateList, list[int]]) -> list[tuple[str, str]]:
        cands, positions = found
        keys, scores, dists = cands.keys(), cands.scores(), cands.distances()
        for n in positions:
            self.rank[keys[n]] = (scores[n], -dists[n])
            self._made[keys[n]] = (cands, n)
        return [keys[n] for n in positions]

    def candidate(self, key: tuple[str, str]) -> Candidate:
        made = self._made[key]
        return made if isinstance(made, Candidate) else made[0][made[1]]

    def best(self, flows: set[str], k: int) -> set[tuple[str, str]]:
        """The pairs among the best ``k`` of an end in ``flows``: score to a tenth, then
        distance, then the other flow's id, as matching ranks them."""
        per: dict[str, list[tuple[float, float, str, tuple[str, str]]]] = {}
        for key, (score, dist) in self.rank.items():
            for n, f in enumerate(key):
                if f in flows:
                    per.setdefault(f, []).append((-round(score, 1), -dist, key[1 - n], key))
        keep: set[tuple[str, str]] = set()
        for mine in per.values():
            keep.update(x[3] for x in sorted(mine)[:k])
        return keep


def _point(f: Flow, c: Company) -> FlowPoint:
    return (f.id, f.company_id, f.resource, f.direction, c.lat, c.lon)


class _Around:
    """The places of the store around a write, as they were (``before``) and as they are
    after it (``after``: the ``touched`` flows where ``now`` says, or gone), read by
    resource in boxes as wide as each search's reach."""

    def __init__(self, store: Store, tax: Taxonomy, touched: set[str],
                 written: Mapping[str, Flow], now: Mapping[str, FlowPoint]):
        self.store, self.tax, self.touched, self.now = store, tax, touched, now
        self.written = written
        self.before: dict[str, FlowPoint] = {}
        self.after: dict[str, FlowPoint] = {}

    def read(self, centres: Sequence[FlowPoint]) -> None:
        """Read the places within reach of ``centres``' searches, and their rivals' within
        twice that."""
        boxes: dict[str, list[tuple[float, float, float]]] = {}
        for _, _, resource, direction, lat, lon in centres:
            for other, reaches in partner_searches(self.tax, resource, direction).items():
                boxes.setdefault(other, []).append((lat, lon, max(reaches)))
                # the partners' other choices: flows of the centre's own kind
                boxes.setdefault(resource, []).append((lat, lon, 2 * max(reaches)))
        by_box: dict[tuple[float, float, float, float], list[str]] = {}
        for resource, around in boxes.items():
            by_box.setdefault(_box(around), []).append(resource)
        for (south, west, north, east), resources in by_box.items():
            self.before.update((p[0], p) for p in self.store.points(
                resources, south=south, west=west, north=north, east=east))
        self.after = {fid: p for fid, p in self.before.items() if fid not in self.touched}
        self.after.update(self.now)

    def pairs(self, focus: Mapping[str, FlowPoint], flows: Mapping[str, Flow],
              companies: Mapping[str, Company]) -> tuple[CandidateList, list[int]]:
        """Every candidate of the ``focus`` flows (given in full in ``flows``) after the
        write, as a full matching scores them before any is cut from a best list: the
        list and the positions in it that the place rule keeps."""
        partners_of = nearest_partners(self.tax, list(focus.values()),
                                       list(self.after.values()))
        return self._matched({(f, o) for f, others in partners_of.items() for o in others},
                             set(focus), flows, companies)

    def pairs_given(self, pairs: set[tuple[str, str]], companies: Mapping[str, Company]
                    ) -> tuple[CandidateList, list[int]]:
        """The candidates of the given (supply, demand) pairs, those that qualify."""
        return self._matched(pairs, {s for s, _ in pairs}, {}, companies)

    def _matched(self, pairs: set[tuple[str, str]], among: set[str],
                 flows: Mapping[str, Flow], companies: Mapping[str, Company]
                 ) -> tuple[CandidateList, list[int]]:
        wanted = {f for pair in pairs for f in pair}
        given = {fid: f for fid, f in (*self.written.items(), *flows.items()) if fid in wanted}
        partners = {f.id: f for f in self.store.flows_by_id(wanted - set(given)
                                                            - self.touched)}
        partners.update(given)
        owners = dict(companies)
        owners.update((c.id, c) for c in self.store.companies_by_id(
            {f.company_id for f in partners.values()} - set(owners)))
        cands = find_candidates(owners.values(), partners.values(), taxonomy=self.tax,
                                nearest=None, max_per_flow=None, among=among)
        # a pair stands when the place rule pairs it for one of its ends
        return cands, [n for n, (s, d) in enumerate(cands.keys())
                       if (s, d) in pairs or (d, s) in pairs]


def _full_patch(store: Store, data: Dataset, removed: set[str], tax: Taxonomy
                ) -> CandidatePatch:
    """The whole store after the write, matched in memory; the patch replaces the lists
    that differ from the stored ones: the written and removed flows' and those whose
    stored pairs are not the pairs a full matching keeps (a pair of two flows the write
    did not touch is the same candidate wherever it is kept)."""
    now = store.dataset()
    companies = {c.id: c for c in now.companies}
    companies.update((c.id, c) for c in data.companies)
    flows = {f.id: f for f in now.flows if f.id not in removed}
    flows.update((f.id, f) for f in data.flows)
    written_companies = {c.id for c in data.companies}
    moved = {f.id for f in now.flows if f.company_id in written_companies}
    cands = find_candidates(companies.values(), flows.values(), taxonomy=tax)
    keys = cands.keys()
    changed = {f.id for f in data.flows} | removed | moved
    changed |= {f for key in set(keys) ^ store.candidate_keys() for f in key}
    return CandidatePatch(frozenset(changed), cands.subset(
        [n for n, (s, d) in enumerate(keys) if s in changed or d in changed]))


def explain(store: Store, candidates: Sequence[Candidate], *,
             taxonomy: Taxonomy | None = None) -> list[Candidate]:
    """Stored candidates with their reasons and limits, made from their flows."""
    flows = store.flows_by_id({fid for c in candidates for fid in c.key})
    companies = store.companies_by_id({f.company_id for f in flows})
    return explain_candidates(candidates, companies, flows, taxonomy=_tax(taxonomy, store))


def filter_candidates(store: Store, candidates: Sequence[Candidate], *,
                      county: str | None = None, municipality: str | None = None,
                      resource: str | None = None, company: str | None = None,
                      taxonomy: Taxonomy | None = None) -> Sequence[Candidate]:
    """Candidates touching an area, a resource (key, alias or EWC code) or a company, in
    their order. A :class:`CandidateList` is filtered on its columns and stays one (no
    candidate is built)."""
    names = ("supply_company", "demand_company", "resource", "demand_resource")
    if isinstance(candidates, CandidateList):
        supply_co, demand_co, res, demand_res = candidates.columns(names)
    else:
        supply_co, demand_co, res, demand_res = ([getattr(c, name) for c in candidates]
                                                 for name in names)
    keep: Sequence[int] = range(len(candidates))
    if county or municipality:
        inside = {c.id for c in store.companies(county=county, municipality=municipality)}
        keep = [k for k in keep if supply_co[k] in inside or demand_co[k] in inside]
    if resource:
        key, _ = _tax(taxonomy).resolve(resource)
        keep = [k for k in keep if key in (res[k], demand_res[k])]
    if company:
        keep = [k for k in keep if company in (supply_co[k], demand_co[k])]
    if isinstance(candidates, CandidateList):
        return candidates.subset(keep)
    return [candidates[k] for k in keep]


# -- plans and exchanges ------------------------------------------------------------------
def plan_exchanges(plan: Plan, *, start_year: int | None = None) -> list[Exchange]:
    """The plan's exchanges as stored *proposed* exchanges."""
    return [Exchange(id=f"{plan.id}-{n:04d}", supply_flow=e.supply_flow,
                     demand_flow=e.demand_flow, amount=e.amount, unit=e.unit,
                     status=ExchangeStatus.PROPOSED.value, start_year=start_year,
                     value_nok=e.value_nok, co2_avoided_t=e.co2_avoided_t, plan_id=plan.id)
            for n, e in enumerate(plan.exchanges, start=1)]


def _scope_data(store: Store, scope: PlanScope) -> tuple[Dataset, list[Candidate]]:
    """The companies of ``scope`` with their flows and processes, and the stored
    candidates with both ends among them."""
    if scope.kind == "all":
        return store.dataset(), store.candidates()
    if scope.kind == "county":
        data = store.dataset(county=scope.value)
        cands = store.candidates(county=scope.value)
    else:
        data = (store.dataset(municipality=scope.value) if scope.kind == "municipality"
                else store.dataset(park_id=scope.value))
        found = {c.key: c for co in data.companies for c in store.candidates(company_id=co.id)}
        cands = sorted(found.values(), key=lambda c: (-c.score, c.supply_flow, c.demand_flow))
    ids = {c.id for c in data.companies}
    return data, [c for c in cands if c.supply_company in ids and c.demand_company in ids]


def _facts(store: Store) -> list[Exchange]:
    """The facts a plan starts from: agreed and operating exchanges, and proposals
    started by hand (:func:`symbiosis.lifecycle.held`)."""
    return [e for e in store.exchanges() if held(e)]


def plan(store: Store, *, county: str | None = None, municipality: str | None = None,
         park: str | None = None, objective: str = "value",
         budget_nok: float | None = None, min_co2_t: float | None = None,
         frontier_points: int = 0, time_limit_s: float = 60.0, gap: float = 1e-4,
         taxonomy: Taxonomy | None = None, scenario: str = "", save: bool = True,
         interrupter: SolveInterrupter | None = None) -> tuple[Dataset, Plan]:
    """Optimise the store, or one county, municipality or park of it (the narrowest one
    named is the plan's scope), over its stored candidates. Agreed and operating
    exchanges are facts the plan starts from. A solved plan is stored when ``save``: as
    the live proposals of its scope, or, named ``scenario``, as a what-if that leaves the
    live proposals alone."""
    from optimizer import optimise

    scope = PlanScope.of(county=county, municipality=municipality, park=park)
    data, cands = _scope_data(store, scope)
    result = optimise(data, cands, objective=objective, budget_nok=budget_nok,
                      min_co2_t=min_co2_t, frontier_points=frontier_points,
                      time_limit_s=time_limit_s, gap=gap, taxonomy=taxonomy,
                      exchanges=_facts(store), interrupter=interrupter)
    result = dataclasses.replace(result, scope=scope, scenario=scenario.strip())
    if save and result.status in ("optimal", "feasible"):
        save_plan(store, result)
    return data, result


def save_plan(store: Store, plan: Plan) -> None:
    """Store a solved plan: a scenario on its own, any other plan with its exchanges as
    the live proposals of its scope. A pair held as a fact when the plan is saved (an
    exchange agreed, operating or started by hand while the plan was solved) keeps its
    exchange: the plan's proposal on it is not stored, so it neither replaces nor
    duplicates it."""
    if plan.is_scenario:
        store.save_scenario(plan)
        return
    facts = {(e.supply_flow, e.demand_flow) for e in _facts(store)}
    store.save_plan(plan, [e for e in plan_exchanges(plan)
                           if (e.supply_flow, e.demand_flow) not in facts])


def scenarios(store: Store) -> list[Plan]:
    """The plans saved as named scenarios (adopted ones too), newest first."""
    return [p for p in store.plans() if p.scenario]


def _plans(store: Store, plan_ids: Sequence[str]) -> list[Plan]:
    out = []
    for pid in plan_ids:
        found = store.plan(pid)
        if found is None:
            raise NotFoundError(f"no plan {pid}")
        out.append(found)
    return out


def compare_scenarios(store: Store, plan_ids: Sequence[str]) -> PlanComparison:
    """Plans (scenarios or live plans) side by side, in the order given."""
    return compare_plans(_plans(store, plan_ids))


def adopt_scenario(store: Store, plan_id: str, *, by: str) -> Plan:
    """Make a scenario's exchanges the live proposals of its scope (those of earlier
    plans of the scope are dropped). A pair agreed or operating since the scenario was
    made stays as it is: it is not proposed again."""
    (found,) = _plans(store, [plan_id])
    if not found.scenario:
        raise error(SymbiosisError, "scenario.not_scenario", plan=plan_id)
    if found.adopted_at:
        raise error(SymbiosisError, "scenario.adopted", scenario=found.scenario,
                    at_date=found.adopted_at)
    if found.status not in ("optimal", "feasible"):
        raise error(SymbiosisError, "scenario.no_plan", scenario=found.scenario,
                    plan_status=found.status)
    adopted = dataclasses.replace(
        found, adopted_by=by,
        adopted_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
    facts = {(e.supply_flow, e.demand_flow) for e in _facts(store)}
    store.save_plan(adopted, [e for e in plan_exchanges(adopted)
                              if (e.supply_flow, e.demand_flow) not in facts])
    return adopted


def advance_exchange(store: Store, exchange_id: str, status: str, *, by: str,
                     note: str = "", start_year: int | None = None,
                     end_year: int | None = None) -> tuple[str, Exchange]:
    """Move an exchange along its lifecycle; returns the former status and the exchange.
    Raises :class:`~symbiosis.lifecycle.LifecycleError` for a change the lifecycle does not
    allow, among them an end before the start year."""
    current = store.exchange(exchange_id)
    if current is None:
        raise NotFoundError(f"no exchange {exchange_id}")
    changed = advance(current, status, by=by, note=note, start_year=start_year,
                      end_year=end_year)
    store.put_exchange(changed)
    return current.status, changed


#: the id prefix of exchanges started by hand (``EX-0001``)
_STARTED = "EX-"


def start_exchange(store: Store, supply_flow: str, demand_flow: str, *, by: str,
                   note: str = "", amount: float | None = None,
                   at: str | None = None) -> Exchange:
    """Start an exchange by hand on a stored candidate ("I called them; they will talk"):
    a *proposed* exchange with one history entry (who, when, the note), which then moves
    along its lifecycle with :func:`advance_exchange`.

    Only a pair matching found is started: :class:`~symbiosis.errors.NotFoundError` for
    a flow that does not exist, :class:`~symbiosis.lifecycle.ExchangeStartError` for a
    pair that is not a stored candidate (matching says why two flows do not fit; correct
    the flows and the pair becomes a candidate) and for an amount above the candidate's.
    A pair with an exchange under way (proposed, agreed
    or operating) is refused with
    :class:`~symbiosis.lifecycle.LiveExchangeError` naming it: one live exchange per
    pair, and an operating exchange is never proposed twice. The amount, value and CO2
    are the candidate's (``amount``: a smaller amount, valued per unit as the candidate
    is), unknown where the candidate's are. The exchange is a fact for every later plan
    (:func:`symbiosis.lifecycle.held`)."""
    flows = {f.id: f for f in store.flows_by_id({supply_flow, demand_flow})}
    for fid, direction in ((supply_flow, "supply"), (demand_flow, "demand")):
        if fid not in flows:
            raise NotFoundError(f"no flow {fid}")
        if flows[fid].direction != direction:
            raise ExchangeStartError(f"flow {fid} is a {flows[fid].direction}, not a "
                                     f"{direction}")
    candidate = next((c for c in store.candidates(flow_id=supply_flow)
                      if c.key == (supply_flow, demand_flow)), None)
    if candidate is None:
        raise ExchangeStartError(f"{supply_flow} -> {demand_flow} is not a candidate: "
                                 "matching did not find that this supply can feed this "
                                 "demand")
    stored = store.exchanges()
    under_way = next((e for e in stored if e.supply_flow == supply_flow
                      and e.demand_flow == demand_flow and live(e)), None)
    if under_way is not None:
        raise LiveExchangeError(under_way)
    # numbered, not named after the flows: an id is shown to readers a confidential
    # flow is hidden from
    numbers = [int(e.id[3:]) for e in stored
               if e.id.startswith(_STARTED) and e.id[3:].isdigit()]
    exchange_id = f"{_STARTED}{max(numbers, default=0) + 1:04d}"
    started = start_on_candidate(candidate, exchange_id, by=by, note=note, amount=amount,
                                 at=at)
    store.put_exchange(started)
    return started


def plan_park(store: Store, park_id: str, *, budget_nok: float | None = None,
              time_limit_s: float = 60.0, taxonomy: Taxonomy | None = None,
              year: int | None = None,
              interrupter: SolveInterrupter | None = None) -> tuple[Dataset, ParkPlan]:
    """The least-cost plan that brings a park to its net-zero target."""
    from optimizer import plan_park as _plan_park

    data = store.dataset()
    park = next((p for p in data.parks if p.id == park_id), None)
    if park is None:
        raise NotFoundError(f"no park {park_id}")
    if park.baseline_t_co2e is None:
        raise NotFoundError(f"park {park_id} has no baseline_t_co2e: add it first")
    members = {c.id for c in data.companies if c.park_id == park_id}
    cands = [c for cid in sorted(members) for c in store.candidates(company_id=cid)]
    unique = list({c.key: c for c in cands}.values())
    # what the park already avoids is its agreed and operating exchanges: those are its
    # facts; a proposal (started by hand or not) is for the park plan to weigh again
    realised = [e for e in store.exchanges() if e.status in REALISED]
    return data, _plan_park(data, unique, park, exchanges=realised,
                            budget_nok=budget_nok, year=year or datetime.date.today().year,
                            time_limit_s=time_limit_s, taxonomy=taxonomy,
                            interrupter=interrupter)


# -- reports and exports --------------------------------------------------------------------
def report(store: Store, *, county: str | None = None, municipality: str | None = None,
           park: str | None = None, fmt: str = "json",
           hidden: Callable[[Flow], bool] | None = None) -> str:
    """Indicators of an area toward the 2030 targets as JSON, CSV or one HTML page, as a
    reader from whom the flows ``hidden`` says are hidden may see them (``None``: all
    shown, as for an admin)."""
    return report_of(store.dataset(), store.exchanges(), county=county,
                     municipality=municipality, park=park, fmt=fmt, hidden=hidden)


def report_of(data: Dataset, exchanges: Sequence[Exchange], *, county: str | None = None,
              municipality: str | None = None, park: str | None = None, fmt: str = "json",
              hidden: Callable[[Flow], bool] | None = None) -> str:
    """:func:`report` of data already read."""
    secret = hidden or (lambda f: False)
    base = basis(data, exchanges, hidden=secret)  # one for every area of the report
    ind = area_indicators(data, exchanges, county=county, municipality=municipality,
                          park_id=park, year=datetime.date.today().year, hidden=secret,
                          base=base)
    return indicators_report(ind, county_progress(data, exchanges, hidden=secret, base=base),
                             parks_progress(data, exchanges, data.parks, hidden=secret,
                                            base=base),
                             fmt=fmt)


def export(store: Store, fmt: str) -> str:
    """Companies and exchanges as GeoJSON (opens in QGIS), CSV or JSON. Of the flows
    only those of the exchanges are read: the export names no other."""
    exchanges = store.exchanges()
    ids = {fid for e in exchanges for fid in (e.supply_flow, e.demand_flow)}
    data = Dataset(companies=tuple(store.companies()), flows=tuple(store.flows_by_id(ids)))
    return export_of(data, exchanges, fmt)


def export_of(data: Dataset, exchanges: Sequence[Exchange], fmt: str) -> str:
    """:func:`export` of data already read."""
    if fmt == "geojson":  # lines on a map: each link once (see indicators.counted)
        return json_text(geojson(data, counted(exchanges)), ensure_ascii=False) + "\n"
    rows = exchange_rows(data, exchanges)
    if fmt == "json":
        return json_text(rows, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    fields = list(rows[0]) if rows else ["id"]
    w = SpreadsheetWriter(buffer)
    w.writerow(fields)
    w.writerows([r[f] for f in fields] for r in rows)
    return buffer.getvalue()


def load_demo(store: Store, *, taxonomy: Taxonomy | None = None
              ) -> tuple[ImportResult, list[Exchange]]:
    """The researched Norwegian cases, imported with their candidates, and the exchanges
    the cases document, with their status and start year (:mod:`symbiosis.cases`)."""
    from .io import read_tables

    result = import_tables(store, read_tables([str(p) for p in case_files()]),
                           taxonomy=taxonomy)
    rows = documented_exchanges()
    ids = {fid for r in rows for fid in (r["supply_flow_id"], r["demand_flow_id"])}
    flows = {f.id: f for f in store.flows_by_id(ids)}
    cands = {c.key: c for c in store.candidates_of(ids)}
    exchanges = documented_exchange_records(rows, flows, cands)
    for e in exchanges:
        store.put_exchange(e)
    return result, exchanges
