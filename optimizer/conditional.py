"""Planning with incomplete data: conditional proposals and which missing figure matters.

A flow whose quantity is unknown is never counted as zero nor as certain. Its *bound* is
the most its partners' known amounts let it exchange (the sum, over its candidates, of
what is left of each partner, through the link's yield), and no more than its own amount
when only the remainder beside existing exchanges is unknown.

For each such flow u, with the plan P0 made without it:

1. the neighbourhood of u: u, its partners, their partners in the model, and every flow
   of a facility among them; every exchange of P0 between the neighbourhood and the rest
   is held at its amount (it takes its share of its flows, as existing exchanges do);
2. the neighbourhood is optimised twice, without u (as P0 has it) and with u at its bound;
   the *spread* is the difference in value (NOK/yr) and in CO2 (t/yr);
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
from dataclasses import dataclass

from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.model import Candidate, ConditionalProposal, NeedsData, PlanExchange, Process

from .account import extract
from .mip import EPS, solve_one
from .problem import Problem

__all__ = ["Conditional", "conditional_analysis"]

#: longest a single neighbourhood solve may take
PER_SOLVE_S = 5.0


@dataclass(frozen=True)
class Conditional:
    needs_data: tuple[NeedsData, ...]
    proposals: tuple[ConditionalProposal, ...]
    notes: tuple[str, ...] = ()


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
    moves on each link."""

    def __init__(self, problem: Problem, plan: Sequence[PlanExchange]):
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


def _neighbourhood(problem: Problem, index: _Index, u: str, mine: Sequence[Candidate],
                   bound: float) -> tuple[Problem, Problem]:
    """The neighbourhood of ``u`` without it and with it at ``bound``."""
    partners = {_other(c, u) for c in mine}
    near = {u} | partners
    for f in partners:
        near.update(_other(c, f) for c in index.adj.get(f, ()))
    procs = {p.id: p for f in list(near) for p in index.processes.get(f, ())}
    for p in procs.values():
        near.update(fid for fid, _ in (*p.inputs, *p.outputs))
    links = {c.key: c for f in near for c in index.adj.get(f, ())
             if c.supply_flow in near and c.demand_flow in near}
    fixed = {f: problem.fixed_use[f] for f in near if f in problem.fixed_use}
    bounds = {f: problem.bounds[f] for f in near if f in problem.bounds}
    for f in near:
        for c in index.adj.get(f, ()):
            if c.key in links or c.key not in index.moved:
                continue
            amount, delivered = index.moved[c.key]
            held = amount if c.supply_flow == f else delivered
            fixed[f] = fixed.get(f, 0.0) + held
            bounds[f] = max(0.0, bounds[f] - held)
    without = dataclasses.replace(
        problem, processes=tuple(sorted(procs.values(), key=lambda p: p.id)),
        candidates=tuple(sorted(links.values(), key=lambda c: c.key)), bounds=bounds,
        fixed_use=fixed, needs_data=(), pending=(), notes=())
    with_u = dataclasses.replace(
        without, candidates=tuple(sorted([*links.values(), *mine], key=lambda c: c.key)),
        bounds={**bounds, u: bound})
    return without, with_u


def _sums(problem: Problem, objective: str, *, time_limit_s: float, gap: float,
          interrupter: SolveInterrupter | None) -> tuple[float, float, list[PlanExchange]]:
    outcome, built = solve_one(problem, objective, time_limit_s=time_limit_s, gap=gap,
                               interrupter=interrupter)
    if not outcome.values:
        return 0.0, 0.0, []
    exchanges, _, lines = extract(built, outcome.values)
    return (sum(x.value_nok for x in lines), sum(x.co2_avoided_t for x in lines), exchanges)


def _weigh(problem: Problem, index: _Index, u: str, mine: Sequence[Candidate], *,
           objective: str, gap: float, time_limit_s: float,
           interrupter: SolveInterrupter | None) -> _Weighed:
    bound = bound_of(problem, u, mine)
    without, with_u = _neighbourhood(problem, index, u, mine, bound)
    v0, c0, _ = _sums(without, objective, time_limit_s=time_limit_s, gap=gap,
                      interrupter=interrupter)
    v1, c1, chosen = _sums(with_u, objective, time_limit_s=time_limit_s, gap=gap,
                           interrupter=interrupter)
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


def conditional_analysis(problem: Problem, plan: Sequence[PlanExchange], *,
                         objective: str = "value", gap: float = 1e-4,
                         time_limit_s: float = 60.0,
                         interrupter: SolveInterrupter | None = None) -> Conditional:
    """Conditional proposals and the missing figures ranked (see the module docstring).

    ``plan`` is what the plan made without the unknown flows moves.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    index = _Index(problem, plan)
    by_flow: dict[str, list[Candidate]] = {}
    for c in problem.pending:
        u = c.supply_flow if c.supply_flow not in problem.bounds else c.demand_flow
        by_flow.setdefault(u, []).append(c)
    weighed: dict[str, _Weighed] = {}
    late: list[str] = []
    for u in sorted(by_flow):
        left = deadline - time.perf_counter()
        if left <= 0:
            late.append(u)
            continue
        weighed[u] = _weigh(problem, index, u, by_flow[u], objective=objective, gap=gap,
                            time_limit_s=max(0.2, min(PER_SOLVE_S, left / 2)),
                            interrupter=interrupter)
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
        notes.append(f"{len(late)} missing figure(s) not weighed within the time limit "
                     "(listed unranked)")
    return Conditional(tuple(needs), tuple(proposals), tuple(notes))
