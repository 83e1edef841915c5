"""Mixed-integer exchange model: validate -> build_model -> solve -> extract_plan.

Formulation (per connected component of the candidate graph, or all at once when a
constraint couples components):

Sets: candidates c (supply flow s(c) -> demand flow d(c)); processes p with input flows
I(p) and output flows O(p), coefficients k per unit of activity. Agreed and operating
exchanges are facts, not candidates: E_f is what they take of flow f (a constant).

Variables:
    x_c >= 0            amount moved on candidate c (supply units),
                        x_c <= M_c = min(rest s, rest d / r_c), rest f = bound_f - E_f
    r_c                 units of the demand resource per unit of supply: 1 for a direct
                        link, the technology's yield for a link through a facility
    y_c in {0, 1}       build link c (only where the link has an annual fixed cost F_c)
    a_p >= 0            activity of process p, a_p <= cap_p
    b_p in {0, 1}       build planned facility p

Constraints:
    sum_{c: s(c)=f} x_c <= rest_f                  every quantified supply flow f
    sum_{c: d(c)=f} r_c x_c <= rest_f              every quantified demand flow f
    x_c <= M_c y_c                                 links with a fixed cost (a pipeline, or
                                                   the facility a conversion needs: y_c
                                                   is then "build this facility")
    sum_{c: s(c)=f} x_c + E_f <= k_pf a_p          f in O(p): what leaves is bounded by what enters
    sum_{c: d(c)=f} x_c + E_f  = k_pf a_p          f in I(p) without market: by exchange
    sum_{c: d(c)=f} x_c + E_f <= k_pf a_p          f in I(p), market for f (the flow has a price)
    a_p <= cap_p b_p                               planned facilities
    CO2(x) >= min_co2                              optional target
    -VALUE(x) <= budget                            optional budget on net cost

Objective (``value``): max VALUE = sum_c v_c x_c - sum_c F_c y_c
    - sum_p (var_p a_p + fix_p b_p) - sum_{f in I(p)} price_f k_pf a_p
    + sum_{f in O(p), priced} price_f k_pf a_p + C
where v_c already credits the avoided input purchase, so a process pays for all its input
and each exchanged unit earns it back exactly once. Existing exchanges are in no term:
the plan's value is what it adds. A process already running for existing exchanges runs at
least at A_p = max_f E_f / k_pf; the constant C = sum_p (var_p + sum_I price k - sum_O
price k) A_p + fix_p [A_p > 0] takes that running out of the plan's value (and the
facility's fixed cost, which is not new). (``co2``): max CO2 = sum_c e_c x_c, then, at that
CO2, max VALUE (lexicographic). Money enters the solver in kNOK (``VALUE_SCALE``), the one
place floats are scaled.

Before a value plan without a CO2 floor is built, links that cannot pay for themselves
(:func:`without_unpaying`) are dropped; this leaves the optimum unchanged and lets the
candidate graph fall apart into more, smaller components.

Every krone and tonne of the totals is put on a line (:mod:`optimizer.account`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.errors import InfeasibleError, OptimizationError
from symbiosis.messages import render
from symbiosis.model import (
    FacilityDecision,
    FrontierPoint,
    Plan,
    PlanExchange,
    PlanLine,
    Reason,
)

from .account import extract, totals
from .conditional import conditional_analysis
from .mip import VALUE_SCALE, Built, Outcome, build_model, solve, solve_built
from .problem import Problem, validate

__all__ = ["propose_exchanges", "frontier", "components", "without_unpaying", "build_model",
           "VALUE_SCALE", "OBJECTIVES"]

OBJECTIVES = ("value", "co2")


def components(problem: Problem) -> list[Problem]:
    """Split into independent problems: flows joined by candidates or by one process."""
    g = nx.Graph()
    for c in problem.candidates:
        g.add_edge(c.supply_flow, c.demand_flow)
    for p in problem.processes:
        fids = [f for f, _ in (*p.inputs, *p.outputs)]
        g.add_nodes_from(fids)
        g.add_edges_from(zip(fids, fids[1:], strict=False))
    label: dict[str, int] = {}
    for k, comp in enumerate(nx.connected_components(g)):
        for fid in comp:
            label[fid] = k
    cands: dict[int, list] = {}
    for c in problem.candidates:
        cands.setdefault(label[c.supply_flow], []).append(c)
    procs: dict[int, list] = {}
    for p in problem.processes:
        first = (p.inputs or p.outputs)[0][0]
        procs.setdefault(label[first], []).append(p)
    return [dataclasses.replace(problem, processes=tuple(procs.get(k, ())),
                                candidates=tuple(group), needs_data=(), pending=())
            for k, group in sorted(cands.items(), key=lambda kv: -len(kv[1]))]


def without_unpaying(problem: Problem) -> Problem:
    """``problem`` without the links no plan that maximises value would use.

    A link between two flows that no process takes in or gives out earns at most
    ``v * M - F`` (unit value times the most it can carry, less its fixed cost); when that
    is not positive, carrying nothing on it is at least as good and frees the flows for
    other links. Such links are dropped before the model is built (exact: the optimum is
    unchanged). A link at a process flow is kept, because what the process makes of a
    unit can be worth more than the link's own value. Only for value plans without a CO2
    floor: a link that costs money can still be needed for CO2."""
    at_process = {fid for p in problem.processes for fid, _ in (*p.inputs, *p.outputs)}
    bounds = problem.bounds
    kept = []
    for c in problem.candidates:
        if c.supply_flow in at_process or c.demand_flow in at_process:
            kept.append(c)
            continue
        most = min(bounds[c.supply_flow], bounds[c.demand_flow] / c.conversion_yield)
        if (c.unit_value_nok or 0.0) * most - c.fixed_cost_nok_per_year > 0:
            kept.append(c)
    if len(kept) == len(problem.candidates):
        return problem
    return dataclasses.replace(problem, candidates=tuple(kept))


_WORST = ["infeasible", "unbounded", "error", "time_limit", "feasible", "optimal"]


def _merge_status(statuses: Sequence[str]) -> str:
    return min(statuses, key=_WORST.index) if statuses else "optimal"


def propose_exchanges(problem: Problem, *, objective: str = "value",
                      budget_nok: float | None = None, min_co2_t: float | None = None,
                      time_limit_s: float = 60.0, gap: float = 1e-4,
                      decompose: bool = True, workers: int = 1,
                      require_optimal: bool = False, conditional: bool = True,
                      conditional_time_s: float | None = None,
                      interrupter: SolveInterrupter | None = None) -> Plan:
    """Best set of exchanges and facilities for ``problem``.

    Parameters
    ----------
    objective
        ``"value"`` (net annual value, NOK) or ``"co2"`` (t CO2 avoided per year, then value).
    budget_nok
        Most net annual cost allowed (net cost = minus net value).
    min_co2_t
        CO2 avoided the plan must reach.
    time_limit_s, gap
        Per solve; the plan reports the status, bound and gap reached.
    decompose
        Solve connected components separately when no constraint couples them.
    workers
        Components solved at once (threads), and missing figures weighed at once.
    require_optimal
        Raise :class:`InfeasibleError` unless the status is ``optimal``.
    conditional
        Analyse the flows of unknown quantity (:mod:`optimizer.conditional`): the plan
        then lists conditional proposals and ranks the missing figures.
    conditional_time_s
        Time for that analysis (default: ``time_limit_s``); what it cannot reach in time
        is listed unranked, and the plan's message says so.
    interrupter
        Stops the solves early when interrupted (a cancelled background job).
    """
    if objective not in OBJECTIVES:
        raise OptimizationError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    validate(problem)
    started = time.perf_counter()
    coupled = budget_nok is not None or min_co2_t is not None
    model_problem = without_unpaying(problem) if objective == "value" and min_co2_t is None \
        else problem
    parts = components(model_problem) if decompose and not coupled else [
        dataclasses.replace(model_problem, needs_data=(), pending=())]

    deadline = started + time_limit_s
    # the time limit holds for the whole plan: a component starting gets the share of what
    # is left that its links are of the links not yet started (the largest start first), so
    # the time small components leave unused goes to the others
    clock = threading.Lock()
    not_started = [sum(len(p.candidates) for p in parts)]

    def run(part: Problem) -> tuple[Outcome, Built]:
        built = build_model(part, budget_nok=budget_nok, min_co2_t=min_co2_t)
        with clock:  # the model is built: what is left of the time is the solver's
            links = len(part.candidates)
            left = (deadline - time.perf_counter()) * links / max(links, not_started[0], 1)
            not_started[0] -= links
        return solve_built(built, objective, time_limit_s=max(0.5, left), gap=gap,
                           interrupter=interrupter), built

    if workers > 1 and len(parts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run, parts))
    else:
        results = [run(p) for p in parts]
    status = _merge_status([o.status for o, _ in results])
    exchanges: list[PlanExchange] = []
    facilities: list[FacilityDecision] = []
    lines: list[PlanLine] = []
    notes: list[Reason] = list(problem.notes)
    for outcome, built in results:
        notes.extend(built.notes)
        if outcome.values:
            ex, fa, li = extract(built, outcome.values)
            exchanges.extend(ex)
            facilities.extend(fa)
            lines.extend(li)
    has_solution = all(o.objective is not None for o, _ in results)
    obj = sum(o.objective or 0.0 for o, _ in results) if has_solution else None
    bound = (sum(o.bound if o.bound is not None else math.inf for o, _ in results)
             if has_solution else None)
    scale = 1.0 / VALUE_SCALE if objective == "value" else 1.0
    if obj is not None:
        obj *= scale
    if bound is not None and math.isfinite(bound):
        bound *= scale
    else:
        bound = None
    gap_reached = (None if obj is None or bound is None
                   else abs(bound - obj) / max(abs(bound), 1e-9))
    if status == "feasible" and gap_reached is not None and gap_reached <= gap:
        # components are independent: the plan's gap is the summed one, and it is proven
        status = "optimal"
    said = (Reason.of(f"plan.{status}") if status in ("infeasible", "time_limit", "unbounded")
            else None)
    if not results:
        said = Reason.of("plan.nothing_quantified")
    if status == "infeasible":
        exchanges, facilities, lines = [], [], []
    needs, proposals = list(problem.needs_data), []
    if conditional and status in ("optimal", "feasible") and problem.pending:
        found = conditional_analysis(
            problem, exchanges, facilities, objective=objective, gap=gap,
            time_limit_s=conditional_time_s if conditional_time_s is not None
            else time_limit_s, workers=workers, interrupter=interrupter)
        needs, proposals = list(found.needs_data), list(found.proposals)
        notes.extend(found.notes)
        if coupled:
            notes.append(Reason.of("plan.coupled"))
    plan = Plan(id=uuid.uuid4().hex[:12], status=status, objective=objective,
                objective_value=obj, bound=bound, gap=gap_reached,
                solve_time_s=time.perf_counter() - started,
                exchanges=tuple(sorted(exchanges, key=lambda e: (e.supply_flow, e.demand_flow))),
                facilities=tuple(facilities), needs_data=tuple(needs),
                totals=totals(exchanges, facilities, lines),
                components=len(parts),
                message="; ".join(render(r) for r in [*([said] if said else []), *notes]),
                notes=(*([said] if said else []), *notes),
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                lines=tuple(lines), conditional=tuple(proposals), existing=problem.existing)
    if require_optimal and status != "optimal":
        raise InfeasibleError(f"plan status is {status}: {plan.message}")
    return plan


def frontier(problem: Problem, *, points: int = 5, time_limit_s: float = 60.0,
             gap: float = 1e-4, interrupter: SolveInterrupter | None = None
             ) -> list[FrontierPoint]:
    """Cost-versus-CO2 frontier by the epsilon-constraint method.

    The ends are the most valuable plan and the plan with the most CO2 avoided; between
    them, CO2 floors are spaced evenly and net value is maximised under each floor. Cost is
    minus net value (negative cost = the plan earns money).
    """
    if points < 2:
        raise OptimizationError("a frontier needs at least 2 points")
    validate(problem)
    return _frontier(problem, points, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter)


def _frontier(problem: Problem, points: int, *, time_limit_s: float, gap: float,
              interrupter: SolveInterrupter | None = None) -> list[FrontierPoint]:
    built = build_model(problem, min_co2_t=0.0)
    best_value = solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                       interrupter=interrupter)
    if best_value.objective is None:
        return [FrontierPoint(math.nan, math.nan, best_value.status)]
    co2_low = sum(best_value.values.get(v, 0.0) * (c.unit_co2_avoided_t or 0.0)
                  for c in problem.candidates for v in [built.x[c.key]])
    best_co2 = solve(built, built.co2, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter)
    co2_high = best_co2.objective if best_co2.objective is not None else co2_low
    out = []
    assert built.co2_floor is not None
    for k in range(points):
        eps = co2_low + (co2_high - co2_low) * k / (points - 1)
        if k == points - 1:
            eps -= max(1e-6, 1e-7 * abs(eps))
        built.co2_floor.lower_bound = eps
        res = solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                    interrupter=interrupter)
        if res.objective is None:
            out.append(FrontierPoint(math.nan, eps, res.status))
            continue
        co2 = sum(res.values.get(built.x[c.key], 0.0) * (c.unit_co2_avoided_t or 0.0)
                  for c in problem.candidates)
        out.append(FrontierPoint(cost_nok=-res.objective / VALUE_SCALE, co2_avoided_t=co2,
                                 status=res.status))
    return out
