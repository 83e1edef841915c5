"""Planning with incomplete data: conditional proposals and which missing figure matters.

A flow whose quantity is unknown is never counted as zero nor as certain. Its *bound* is
the most its partners' known amounts let it exchange (the sum, over its candidates, of
what is left of each partner, through the link's yield), and no more than its own amount
when only the remainder beside existing exchanges is unknown.

For each such flow u, with the plan P0 made without it:

1. the neighbourhood of u: u, its partners, their links in the model (to their other
   partners, whose other exchanges stay as P0 has them) and the facilities among them
   with their flows and links; every exchange of P0 that leaves the neighbourhood is held
   at its amount (it takes its share of its flows, as existing exchanges do);
2. the neighbourhood is optimised with u at its bound; the *spread* is its value (NOK/yr)
   and CO2 (t/yr) less those of P0 on the same neighbourhood (P0 is one of its
   solutions: the spread is never negative in the plan's objective);
3. the exchanges of u in the second solve are its *conditional proposals*: "if u supplies
   (takes) at least ``threshold``, this exchange is worth at least ``value``", the
   threshold never above the partner's known amount.

Missing figures are ranked by the spread of the plan's objective: the figure to ask for
first is the one that could change the plan most. Holding the rest of P0 makes the spread
a lower bound of what re-optimising everything would find; on an instance whose components
fit in the neighbourhood (every hand-solved test), it is exact. Flows with no bounded
partner cannot be weighed and are listed last.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.math_opt.python import mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.errors import OptimizationError
from symbiosis.model import (
    Candidate,
    ConditionalProposal,
    FacilityDecision,
    NeedsData,
    PlanExchange,
    Process,
    Reason,
)

from .account import extract
from .mip import EPS, VALUE_SCALE, Built, build_model, solve_built
from .problem import Problem

__all__ = ["Conditional", "conditional_analysis"]

#: longest a single neighbourhood solve may take
PER_SOLVE_S = 5.0


@dataclass(frozen=True)
class Conditional:
    needs_data: tuple[NeedsData, ...]
    proposals: tuple[ConditionalProposal, ...]
    notes: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class _Weighed:
    bound: float
    spread_nok: float
    spread_co2_t: float
    proposals: tuple[ConditionalProposal, ...]


def _other(c: Candidate, fid: str) -> str:
    return c.demand_flow if c.supply_flow == fid else c.supply_flow


def bound_of(problem: Problem, fid: str, cands: Sequence[Candidate]) -> float:
    """The most flow ``fid`` could exchange: its partners' known remainders through each
    link's yield, and no more than its own amount when that is known."""
    total = 0.0
    for c in cands:
        if c.supply_flow == fid:
            total += problem.bounds[c.demand_flow] / c.conversion_yield
        else:
            total += problem.bounds[c.supply_flow] * c.conversion_yield
    return min(total, problem.caps.get(fid, total))


class _Index:
    """Who is linked to whom in the model, and what the plan without the unknown flows
    (P0) moves on each link, builds and runs."""

    def __init__(self, problem: Problem, plan: Sequence[PlanExchange],
                 facilities: Sequence[FacilityDecision]):
        self.adj: dict[str, list[Candidate]] = {}
        for c in problem.candidates:
            self.adj.setdefault(c.supply_flow, []).append(c)
            self.adj.setdefault(c.demand_flow, []).append(c)
        self.processes: dict[str, list[Process]] = {}
        for p in problem.processes:
            for fid, _ in (*p.inputs, *p.outputs):
                self.processes.setdefault(fid, []).append(p)
        self.moved = {(e.supply_flow, e.demand_flow): (e.amount, e.delivered or e.amount)
                      for e in plan}
        self.links = {(e.supply_flow, e.demand_flow) for e in plan if e.link_built}
        self.facilities = {f.process_id: f for f in facilities}


def _neighbourhood(problem: Problem, index: _Index, u: str, mine: Sequence[Candidate],
                   bound: float) -> Problem:
    """The neighbourhood of ``u``, with ``u`` at ``bound`` (see the module docstring)."""
    core = {u} | {_other(c, u) for c in mine}
    procs: dict[str, Process] = {}
    for f in list(core):
        for p in index.processes.get(f, ()):
            procs[p.id] = p
            core.update(fid for fid, _ in (*p.inputs, *p.outputs))
    links = {c.key: c for f in core for c in index.adj.get(f, ())}
    near = core | {fid for key in links for fid in key}
    # a partner's partner that is a facility's flow brings its facility along (moving what
    # the facility exchanges moves the facility); the facility's other links stay as P0
    # has them
    for f in near - core:
        for p in index.processes.get(f, ()):
            if p.id not in procs:
                procs[p.id] = p
    for p in procs.values():
        near.update(fid for fid, _ in (*p.inputs, *p.outputs))
    fixed = {f: problem.fixed_use[f] for f in near if f in problem.fixed_use}
    bounds = {f: problem.bounds[f] for f in near if f in problem.bounds}
    for f in near:
        for c in index.adj.get(f, ()):
            if c.key in links or c.key not in index.moved:
                continue
            amount, delivered = index.moved[c.key]
            held = amount if c.supply_flow == f else delivered
            fixed[f] = fixed.get(f, 0.0) + held
            left = bounds[f] - held
            bounds[f] = left if left > EPS else 0.0
    bounds[u] = bound
    kept = [c for c in (*links.values(), *mine)
            if bounds[c.supply_flow] > EPS and bounds[c.demand_flow] > EPS]
    return dataclasses.replace(
        problem, processes=tuple(sorted(procs.values(), key=lambda p: p.id)),
        candidates=tuple(sorted(kept, key=lambda c: c.key)), bounds=bounds,
        fixed_use=fixed, needs_data=(), pending=(), notes=())


def _p0(built: Built, index: _Index) -> tuple[float, float]:
    """Value (NOK) and CO2 (t) of P0 on the neighbourhood's model."""
    values: dict[mathopt.Variable, float] = {}
    for key, var in built.x.items():
        values[var] = index.moved.get(key, (0.0, 0.0))[0]
    for key, var in built.y.items():
        values[var] = 1.0 if key in index.links else 0.0
    for pid, var in built.a.items():
        f = index.facilities.get(pid)
        values[var] = f.activity if f is not None else 0.0
    for pid, var in built.b.items():
        f = index.facilities.get(pid)
        values[var] = 1.0 if f is not None and f.build else 0.0
    return (mathopt.evaluate_expression(built.value, values) / VALUE_SCALE,
            mathopt.evaluate_expression(built.co2, values))


def _weigh(problem: Problem, index: _Index, u: str, mine: Sequence[Candidate], *,
           objective: str, gap: float, time_limit_s: float,
           interrupter: SolveInterrupter | None) -> _Weighed:
    bound = bound_of(problem, u, mine)
    built = build_model(_neighbourhood(problem, index, u, mine, bound))
    v0, c0 = _p0(built, index)
    outcome = solve_built(built, objective, time_limit_s=time_limit_s, gap=gap,
                          interrupter=interrupter)
    if not outcome.values:
        return _Weighed(bound, 0.0, 0.0, ())
    chosen, _, lines = extract(built, outcome.values)
    v1 = sum(x.value_nok for x in lines)
    c1 = sum(x.co2_avoided_t for x in lines)
    better = (v1, c1) if objective == "value" else (c1, v1)
    if better <= ((v0, c0) if objective == "value" else (c0, v0)):
        return _Weighed(bound, 0.0, 0.0, ())  # P0 is as good: u changes nothing
    flow = problem.flows[u]
    keys = {c.key: c for c in mine}
    proposals = []
    for e in chosen:
        c = keys.get((e.supply_flow, e.demand_flow))
        if c is None:
            continue
        partner = _other(c, u)
        threshold = e.amount if c.supply_flow == u else (e.delivered or e.amount)
        per_unit = (e.value_nok + e.link_cost_nok) / threshold if threshold > EPS else 0.0
        pays_from = (e.link_cost_nok / per_unit if per_unit > 0 else None)
        proposals.append(ConditionalProposal(
            supply_flow=c.supply_flow, demand_flow=c.demand_flow,
            supply_company=c.supply_company, demand_company=c.demand_company,
            resource=c.resource, unknown_flow=u, direction=flow.direction,
            threshold=round(threshold, 6), unit=flow.unit, value_nok=e.value_nok,
            co2_avoided_t=e.co2_avoided_t, partner_bound=problem.bounds[partner],
            pays_from=None if pays_from is None else round(pays_from, 6), mode=c.mode,
            distance_km=c.distance_km))
    return _Weighed(bound, v1 - v0, c1 - c0, tuple(proposals))


def conditional_analysis(problem: Problem, plan: Sequence[PlanExchange],
                         facilities: Sequence[FacilityDecision] = (), *,
                         objective: str = "value", gap: float = 1e-4,
                         time_limit_s: float = 60.0, workers: int = 1,
                         interrupter: SolveInterrupter | None = None) -> Conditional:
    """Conditional proposals and the missing figures ranked (see the module docstring).

    ``plan`` and ``facilities`` are what the plan made without the unknown flows (P0)
    moves, builds and runs; ``workers`` flows are weighed at once (threads). What is not
    weighed within ``time_limit_s`` is listed unranked.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    index = _Index(problem, plan, facilities)
    by_flow: dict[str, list[Candidate]] = {}
    for c in problem.pending:
        u = c.supply_flow if c.supply_flow not in problem.bounds else c.demand_flow
        by_flow.setdefault(u, []).append(c)

    failed: list[str] = []

    def weigh(u: str) -> _Weighed | None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        try:
            return _weigh(problem, index, u, by_flow[u], objective=objective, gap=gap,
                          time_limit_s=max(0.2, min(PER_SOLVE_S, left)),
                          interrupter=interrupter)
        except OptimizationError:
            if interrupter is not None and interrupter.interrupted:
                raise  # a cancelled job stops here, not figure by figure
            failed.append(u)  # the solver gave up on this neighbourhood: listed unranked
            return None

    flows = sorted(by_flow)
    if workers > 1 and len(flows) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = list(pool.map(weigh, flows))
    else:
        found = [weigh(u) for u in flows]
    weighed = {u: w for u, w in zip(flows, found, strict=True) if w is not None}
    late = [u for u, w in zip(flows, found, strict=True) if w is None and u not in failed]
    key = ((lambda w: (w.spread_nok, w.spread_co2_t)) if objective == "value"
           else (lambda w: (w.spread_co2_t, w.spread_nok)))
    order = sorted(weighed, key=lambda u: (tuple(-v for v in key(weighed[u])), u))
    rank = {u: n for n, u in enumerate(order, start=1)}
    needs = []
    for n in problem.needs_data:
        w = weighed.get(n.flow_id)
        if w is None:
            needs.append(n)
            continue
        needs.append(dataclasses.replace(n, bound=round(w.bound, 6), spread_nok=w.spread_nok,
                                         spread_co2_t=w.spread_co2_t, rank=rank[n.flow_id]))
    needs.sort(key=lambda n: (n.rank is None, n.rank or 0, n.flow_id))
    proposals = [p for u in order for p in weighed[u].proposals]
    notes = []
    if late:  # no flow ids: a plan's message is shown to users who may not see them
        notes.append(Reason.of("plan.late", flows=len(late)))
    if failed:
        notes.append(Reason.of("plan.unweighed", flows=len(failed)))
    return Conditional(tuple(needs), tuple(proposals), tuple(notes))
