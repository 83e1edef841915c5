"""Mixed-integer exchange model: validate -> build_model -> solve -> extract_plan.

Formulation (per connected component of the candidate graph, or all at once when a
constraint couples components):

Sets: candidates c (supply flow s(c) -> demand flow d(c)); processes p with input flows
I(p) and output flows O(p), coefficients k per unit of activity.

Variables:
    x_c >= 0            amount moved on candidate c (supply units),
                        x_c <= M_c = min(bound s, bound d / r_c)
    r_c                 units of the demand resource per unit of supply: 1 for a direct
                        link, the technology's yield for a link through a facility
    y_c in {0, 1}       build link c (only where the link has an annual fixed cost F_c)
    a_p >= 0            activity of process p, a_p <= cap_p
    b_p in {0, 1}       build planned facility p

Constraints:
    sum_{c: s(c)=f} x_c <= bound_f                 every quantified supply flow f
    sum_{c: d(c)=f} r_c x_c <= bound_f             every quantified demand flow f
    x_c <= M_c y_c                                 links with a fixed cost (a pipeline, or
                                                   the facility a conversion needs: y_c
                                                   is then "build this facility")
    sum_{c: s(c)=f} x_c <= k_pf a_p                f in O(p): what leaves is bounded by what enters
    sum_{c: d(c)=f} x_c  = k_pf a_p                f in I(p) without market: by exchange
    sum_{c: d(c)=f} x_c <= k_pf a_p                f in I(p), market for f (the flow has a price)
    a_p <= cap_p b_p                               planned facilities
    CO2(x) >= min_co2                              optional target
    -VALUE(x) <= budget                            optional budget on net cost

Objective (``value``): max VALUE = sum_c v_c x_c - sum_c F_c y_c
    - sum_p (var_p a_p + fix_p b_p) - sum_{f in I(p)} price_f k_pf a_p
    + sum_{f in O(p), priced} price_f k_pf a_p
where v_c already credits the avoided input purchase, so a process pays for all its input
and each exchanged unit earns it back exactly once. (``co2``): max CO2 = sum_c e_c x_c,
then, at that CO2, max VALUE (lexicographic). Money enters the solver in kNOK
(``VALUE_SCALE``), the one place floats are scaled.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import networkx as nx
from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2
from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.errors import InfeasibleError, OptimizationError
from symbiosis.model import FacilityDecision, FrontierPoint, Plan, PlanExchange, Process

from .problem import Problem, validate

__all__ = ["propose_exchanges", "frontier", "components", "VALUE_SCALE", "OBJECTIVES"]

VALUE_SCALE = 1e-3  # NOK -> kNOK inside the solver
OBJECTIVES = ("value", "co2")
_EPS = 1e-6


@dataclass
class _Built:
    model: mathopt.Model
    problem: Problem
    x: dict[tuple[str, str], mathopt.Variable]
    y: dict[tuple[str, str], mathopt.Variable]
    a: dict[str, mathopt.Variable]
    b: dict[str, mathopt.Variable]
    value: mathopt.LinearExpression
    co2: mathopt.LinearExpression
    co2_floor: mathopt.LinearConstraint | None = None
    notes: list[str] = field(default_factory=list)


def _activity_bound(problem: Problem, p: Process) -> float | None:
    if p.capacity is not None:
        return p.capacity
    limits = [problem.bounds[f] / k for f, k in (*p.inputs, *p.outputs)
              if f in problem.bounds and k > 0]
    return min(limits) if limits else None


def build_model(problem: Problem, *, budget_nok: float | None = None,
                min_co2_t: float | None = None) -> _Built:
    """Variables, constraints and the two objective expressions (not yet chosen)."""
    m = mathopt.Model(name="symbiosis-exchanges")
    x: dict[tuple[str, str], mathopt.Variable] = {}
    y: dict[tuple[str, str], mathopt.Variable] = {}
    out_of: dict[str, list[mathopt.Variable]] = {}
    into: dict[str, list[mathopt.Variable | mathopt.LinearExpression]] = {}
    value_terms: list[mathopt.LinearExpression | mathopt.Variable] = []
    co2_terms = []
    notes: list[str] = []
    # variables: amounts and link binaries
    for c in problem.candidates:
        # amounts are in the supply's unit; a link through a technology delivers
        # ``conversion_yield`` units of the demand per unit of supply
        yld = c.conversion_yield
        cap = min(problem.bounds[c.supply_flow], problem.bounds[c.demand_flow] / yld)
        var = m.add_variable(lb=0.0, ub=cap, name=f"x[{c.supply_flow}>{c.demand_flow}]")
        x[c.key] = var
        out_of.setdefault(c.supply_flow, []).append(var)
        into.setdefault(c.demand_flow, []).append(var if yld == 1.0 else yld * var)
        value_terms.append((c.unit_value_nok or 0.0) * VALUE_SCALE * var)
        if c.unit_co2_avoided_t is not None:
            co2_terms.append(c.unit_co2_avoided_t * var)
        if c.fixed_cost_nok_per_year > 0 and cap > 0:
            link = m.add_binary_variable(name=f"y[{c.supply_flow}>{c.demand_flow}]")
            y[c.key] = link
            m.add_linear_constraint(var <= cap * link)
            value_terms.append(-c.fixed_cost_nok_per_year * VALUE_SCALE * link)
    # processes
    a: dict[str, mathopt.Variable] = {}
    b: dict[str, mathopt.Variable] = {}
    process_flows: set[str] = set()
    for p in problem.processes:
        ub = _activity_bound(problem, p)
        if ub is None:
            notes.append(f"process {p.id} left out: no capacity and no bounded flow")
            continue
        act = m.add_variable(lb=0.0, ub=ub, name=f"a[{p.id}]")
        a[p.id] = act
        value_terms.append(-p.variable_cost_nok_per_unit * VALUE_SCALE * act)
        if p.planned:
            build = m.add_binary_variable(name=f"b[{p.id}]")
            b[p.id] = build
            m.add_linear_constraint(act <= ub * build)
            value_terms.append(-p.fixed_cost_nok_per_year * VALUE_SCALE * build)
        for fid, k in p.outputs:
            process_flows.add(fid)
            m.add_linear_constraint(mathopt.fast_sum(out_of.get(fid, [])) <= k * act,
                                    name=f"out[{p.id},{fid}]")
            if fid in problem.output_price:
                value_terms.append(problem.output_price[fid] * k * VALUE_SCALE * act)
        for fid, k in p.inputs:
            process_flows.add(fid)
            inflow = mathopt.fast_sum(into.get(fid, []))
            if fid in problem.market_inputs:
                m.add_linear_constraint(inflow <= k * act, name=f"in[{p.id},{fid}]")
            else:
                m.add_linear_constraint(inflow == k * act, name=f"in[{p.id},{fid}]")
            value_terms.append(-problem.input_price.get(fid, 0.0) * k * VALUE_SCALE * act)
    # flow limits
    for fid, vars_ in (*out_of.items(), *into.items()):
        f = problem.flows[fid]
        if f.amount is not None and len(vars_) > 1 or (f.amount is not None
                                                       and fid in process_flows):
            m.add_linear_constraint(mathopt.fast_sum(vars_) <= f.amount, name=f"lim[{fid}]")
    value = mathopt.fast_sum(value_terms)
    co2 = mathopt.fast_sum(co2_terms)
    built = _Built(m, problem, x, y, a, b, value, co2, notes=notes)
    if budget_nok is not None:
        m.add_linear_constraint(-value <= budget_nok * VALUE_SCALE, name="budget")
    if min_co2_t is not None:
        built.co2_floor = m.add_linear_constraint(co2 >= min_co2_t, name="co2_target")
    return built


def _quiet_highs() -> highs_pb2.HighsOptionsProto:
    """HiGHS options that keep its log off the console (commands print JSON on stdout)."""
    options = highs_pb2.HighsOptionsProto()
    options.bool_options["output_flag"] = False
    options.bool_options["log_to_console"] = False
    return options


_QUIET_HIGHS = _quiet_highs()


@dataclass(frozen=True)
class _Outcome:
    status: str
    objective: float | None
    bound: float | None
    seconds: float
    values: dict[mathopt.Variable, float]


_STATUS = {
    mathopt.TerminationReason.OPTIMAL: "optimal",
    mathopt.TerminationReason.FEASIBLE: "feasible",
    mathopt.TerminationReason.INFEASIBLE: "infeasible",
    mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED: "infeasible",
    mathopt.TerminationReason.NO_SOLUTION_FOUND: "time_limit",
    mathopt.TerminationReason.UNBOUNDED: "unbounded",
}


def solve_failure_text(exc: BaseException) -> str:
    """The solver's own words for a failure.

    MathOpt reports a refused model as a ``StatusNotOk`` from its C++ layer and turns it
    into a Python exception through ``canonical_code``; with the pybind11_abseil this
    OR-Tools release ships with, that attribute is missing, and what reaches us is
    ``AttributeError: 'StatusNotOk' object has no attribute 'canonical_code'`` with the
    real status as its context. Its ``message`` says what was refused."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        message = getattr(current, "message", None)
        if type(current).__name__ == "StatusNotOk" and isinstance(message, str):
            return message
        current = current.__cause__ or current.__context__
    return str(exc)


def solver_failure(exc: BaseException) -> str:
    """A failed solve in words, for people: what happened, what to check, and the
    solver's own message."""
    detail = solve_failure_text(exc)
    hint = ("a number in the model is not finite or too large: check the amounts, prices "
            "and capacities of the flows and processes"
            if any(w in detail.lower() for w in ("finite", "nan", "inf", "too large"))
            else "the model could not be solved")
    return f"The optimiser refused the model: {hint} (solver: {detail})"


def solve(built: _Built, objective: mathopt.LinearExpression, *, time_limit_s: float,
          gap: float, interrupter: SolveInterrupter | None = None) -> _Outcome:
    if interrupter is not None and interrupter.interrupted:
        # HiGHS through MathOpt does not stop on the interrupter: the solves of a plan
        # (its components, the frontier's points) stop between one and the next
        raise OptimizationError("the optimisation was cancelled")
    built.model.maximize(objective)
    params = mathopt.SolveParameters(time_limit=dt.timedelta(seconds=time_limit_s),
                                     relative_gap_tolerance=gap, absolute_gap_tolerance=1e-9,
                                     enable_output=False, highs=_QUIET_HIGHS)
    start = time.perf_counter()
    try:
        result = mathopt.solve(built.model, mathopt.SolverType.HIGHS, params=params,
                                  interrupter=interrupter)
    except Exception as exc:  # solver failures become the project's own error, in words
        raise OptimizationError(solver_failure(exc)) from exc
    seconds = time.perf_counter() - start
    status = _STATUS.get(result.termination.reason, "error")
    if status == "feasible" and result.termination.limit == mathopt.Limit.TIME:
        status = "feasible"  # a solution exists, stopped by the time limit: says the gap
    values: dict[mathopt.Variable, float] = {}
    obj = bound = None
    if result.has_primal_feasible_solution():
        values = result.variable_values()
        obj = result.objective_value()
        bound = result.termination.objective_bounds.dual_bound
        if not math.isfinite(bound):
            bound = None
    return _Outcome(status, obj, bound, seconds, values)


def _extract(built: _Built, values: dict[mathopt.Variable, float]
             ) -> tuple[list[PlanExchange], list[FacilityDecision]]:
    exchanges = []
    for c in built.problem.candidates:
        amount = values.get(built.x[c.key], 0.0)
        if amount <= _EPS:
            continue
        link = c.key in built.y and values.get(built.y[c.key], 0.0) > 0.5
        exchanges.append(PlanExchange(
            supply_flow=c.supply_flow, demand_flow=c.demand_flow,
            supply_company=c.supply_company, demand_company=c.demand_company,
            resource=c.resource, amount=round(amount, 6), unit=c.unit, mode=c.mode,
            distance_km=c.distance_km,
            value_nok=(c.unit_value_nok or 0.0) * amount - (c.fixed_cost_nok_per_year
                                                            if link else 0.0),
            co2_avoided_t=(c.unit_co2_avoided_t or 0.0) * amount, link_built=link,
            via=c.via, delivered=round(amount * c.conversion_yield, 6)))
    facilities = []
    for p in built.problem.processes:
        if p.id not in built.a:
            continue
        act = values.get(built.a[p.id], 0.0)
        build = (values.get(built.b[p.id], 0.0) > 0.5) if p.id in built.b else act > _EPS
        facilities.append(FacilityDecision(process_id=p.id, company_id=p.company_id,
                                           build=build and (p.planned or act > _EPS),
                                           activity=round(act, 6) if build else 0.0,
                                           fixed_cost_nok_per_year=p.fixed_cost_nok_per_year
                                           if p.planned and build else 0.0))
    return exchanges, facilities


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
    return [Problem(flows=problem.flows, processes=tuple(procs.get(k, ())),
                    candidates=tuple(group), bounds=problem.bounds,
                    input_price=problem.input_price, output_price=problem.output_price,
                    market_inputs=problem.market_inputs)
            for k, group in sorted(cands.items(), key=lambda kv: -len(kv[1]))]


def _solve_one(problem: Problem, objective: str, *, budget_nok: float | None,
               min_co2_t: float | None, time_limit_s: float, gap: float,
               interrupter: SolveInterrupter | None = None) -> tuple[_Outcome, _Built]:
    built = build_model(problem, budget_nok=budget_nok, min_co2_t=min_co2_t)
    if objective == "value":
        return solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter), built
    first = solve(built, built.co2, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter)
    if first.objective is None:
        return first, built
    # lexicographic: keep the CO2 reached, then the most value at it
    floor = first.objective - max(1e-6, 1e-7 * abs(first.objective))
    built.model.add_linear_constraint(built.co2 >= floor, name="co2_lexicographic")
    second = solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter)
    if second.objective is None:
        return first, built
    return _Outcome(first.status if first.status != "optimal" else second.status,
                    first.objective, first.bound, first.seconds + second.seconds,
                    second.values), built


_WORST = ["infeasible", "unbounded", "error", "time_limit", "feasible", "optimal"]


def _merge_status(statuses: Sequence[str]) -> str:
    return min(statuses, key=_WORST.index) if statuses else "optimal"


def propose_exchanges(problem: Problem, *, objective: str = "value",
                      budget_nok: float | None = None, min_co2_t: float | None = None,
                      time_limit_s: float = 60.0, gap: float = 1e-4,
                      decompose: bool = True, workers: int = 1,
                      require_optimal: bool = False,
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
        Components solved at once (threads).
    require_optimal
        Raise :class:`InfeasibleError` unless the status is ``optimal``.
    interrupter
        Stops the solves early when interrupted (a cancelled background job).
    """
    if objective not in OBJECTIVES:
        raise OptimizationError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    validate(problem)
    started = time.perf_counter()
    coupled = budget_nok is not None or min_co2_t is not None
    parts = components(problem) if decompose and not coupled else [problem]

    deadline = started + time_limit_s
    # the time limit holds for the whole plan; one hard component may not take it all
    per_part = time_limit_s if len(parts) == 1 else max(1.0, time_limit_s / 10)

    def run(part: Problem) -> tuple[_Outcome, _Built]:
        left = max(0.5, min(per_part, deadline - time.perf_counter()))
        return _solve_one(part, objective, budget_nok=budget_nok, min_co2_t=min_co2_t,
                          time_limit_s=left, gap=gap, interrupter=interrupter)

    if workers > 1 and len(parts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run, parts))
    else:
        results = [run(p) for p in parts]
    status = _merge_status([o.status for o, _ in results])
    exchanges: list[PlanExchange] = []
    facilities: list[FacilityDecision] = []
    notes: list[str] = []
    for outcome, built in results:
        notes.extend(built.notes)
        if outcome.values:
            ex, fa = _extract(built, outcome.values)
            exchanges.extend(ex)
            facilities.extend(fa)
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
    message = {"infeasible": "no plan meets the constraints (budget, CO2 target)",
               "time_limit": "the time limit was reached before any plan was found",
               "unbounded": "the model is unbounded: a flow or process lacks a bound",
               }.get(status, "")
    if not results:
        message = "no quantified candidate: nothing to optimise (see needs data)"
    if status == "infeasible":
        exchanges, facilities = [], []
    totals = {
        "value_nok": sum(e.value_nok for e in exchanges) + _process_value(problem, facilities),
        "co2_avoided_t": sum(e.co2_avoided_t for e in exchanges),
        "exchanges": float(len(exchanges)),
        "links_built": float(sum(e.link_built for e in exchanges)),
        "facilities_built": float(sum(f.build and f.fixed_cost_nok_per_year > 0
                                      for f in facilities)),
        "facility_fixed_cost_nok": sum(f.fixed_cost_nok_per_year for f in facilities),
    }
    plan = Plan(id=uuid.uuid4().hex[:12], status=status, objective=objective,
                objective_value=obj, bound=bound, gap=gap_reached,
                solve_time_s=time.perf_counter() - started,
                exchanges=tuple(sorted(exchanges, key=lambda e: (e.supply_flow, e.demand_flow))),
                facilities=tuple(facilities), needs_data=problem.needs_data, totals=totals,
                components=len(parts), message="; ".join(filter(None, [message, *notes])),
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))
    if require_optimal and status != "optimal":
        raise InfeasibleError(f"plan status is {status}: {plan.message}")
    return plan


def _process_value(problem: Problem, facilities: Sequence[FacilityDecision]) -> float:
    """Process-side money of a plan: costs, input purchases, priced output sales."""
    by_id = {p.id: p for p in problem.processes}
    total = 0.0
    for f in facilities:
        p = by_id[f.process_id]
        total -= f.fixed_cost_nok_per_year + p.variable_cost_nok_per_unit * f.activity
        total -= sum(problem.input_price.get(fid, 0.0) * k * f.activity for fid, k in p.inputs)
        total += sum(problem.output_price.get(fid, 0.0) * k * f.activity for fid, k in p.outputs)
    return total


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
