"""The exchange model in MathOpt, built from a :class:`Problem` and solved by HiGHS.

The formulation is written out in :mod:`optimizer.solve`; this module builds it
(:func:`build_model`), solves it once (:func:`solve`) and for an objective
(:func:`solve_one`: ``co2`` is lexicographic, CO2 first and then value at that CO2).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2
from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.errors import OptimizationError
from symbiosis.model import Process, Reason

from .problem import Problem

__all__ = ["Built", "Outcome", "build_model", "solve", "solve_one", "solve_built",
           "VALUE_SCALE", "baseline_activity", "solver_output_to_stderr", "solver_failure",
           "solve_failure_text"]

VALUE_SCALE = 1e-3  # NOK -> kNOK inside the solver
EPS = 1e-6


@dataclass
class Built:
    """A model with its variables and the two objective expressions (not yet chosen).

    ``base`` is each process's activity that existing exchanges already need, and
    ``offset_nok`` the constant that takes its running out of the plan's value."""

    model: mathopt.Model
    problem: Problem
    x: dict[tuple[str, str], mathopt.Variable]
    y: dict[tuple[str, str], mathopt.Variable]
    a: dict[str, mathopt.Variable]
    b: dict[str, mathopt.Variable]
    value: mathopt.LinearExpression
    co2: mathopt.LinearExpression
    co2_floor: mathopt.LinearConstraint | None = None
    notes: list[Reason] = field(default_factory=list)
    base: dict[str, float] = field(default_factory=dict)
    offset_nok: float = 0.0


def _activity_bound(problem: Problem, p: Process) -> float | None:
    if p.capacity is not None:
        return p.capacity
    limits = [(problem.bounds[f] + problem.fixed_use.get(f, 0.0)) / k
              for f, k in (*p.inputs, *p.outputs) if f in problem.bounds and k > 0]
    return min(limits) if limits else None


def baseline_activity(problem: Problem, p: Process) -> float:
    """The activity existing exchanges already need of ``p`` (0 when none touches it)."""
    need = [problem.fixed_use.get(f, 0.0) / k for f, k in (*p.inputs, *p.outputs) if k > 0]
    return max(need, default=0.0)


def build_model(problem: Problem, *, budget_nok: float | None = None,
                min_co2_t: float | None = None) -> Built:
    """Variables, constraints and the two objective expressions (not yet chosen)."""
    m = mathopt.Model(name="symbiosis-exchanges")
    x: dict[tuple[str, str], mathopt.Variable] = {}
    y: dict[tuple[str, str], mathopt.Variable] = {}
    out_of: dict[str, list[mathopt.Variable]] = {}
    into: dict[str, list[mathopt.Variable | mathopt.LinearExpression]] = {}
    value_terms: list[mathopt.LinearExpression | mathopt.Variable] = []
    co2_terms = []
    notes: list[Reason] = []
    bounds, fixed = problem.bounds, problem.fixed_use
    # variables: amounts and link binaries
    for c in problem.candidates:
        # amounts are in the supply's unit; a link through a technology delivers
        # ``conversion_yield`` units of the demand per unit of supply
        yld = c.conversion_yield
        cap = min(bounds[c.supply_flow], bounds[c.demand_flow] / yld)
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
    base: dict[str, float] = {}
    offset = 0.0
    process_flows: set[str] = set()
    for p in problem.processes:
        ub = _activity_bound(problem, p)
        if ub is None:
            notes.append(Reason.of("plan.process_left_out", process=p.id))
            continue
        act = m.add_variable(lb=0.0, ub=ub, name=f"a[{p.id}]")
        a[p.id] = act
        value_terms.append(-p.variable_cost_nok_per_unit * VALUE_SCALE * act)
        per_unit = p.variable_cost_nok_per_unit
        if p.planned:
            build = m.add_binary_variable(name=f"b[{p.id}]")
            b[p.id] = build
            m.add_linear_constraint(act <= ub * build)
            value_terms.append(-p.fixed_cost_nok_per_year * VALUE_SCALE * build)
        for fid, k in p.outputs:
            process_flows.add(fid)
            m.add_linear_constraint(mathopt.fast_sum(out_of.get(fid, [])) + fixed.get(fid, 0.0)
                                    <= k * act, name=f"out[{p.id},{fid}]")
            if fid in problem.output_price:
                value_terms.append(problem.output_price[fid] * k * VALUE_SCALE * act)
                per_unit -= problem.output_price[fid] * k
        for fid, k in p.inputs:
            process_flows.add(fid)
            inflow = mathopt.fast_sum(into.get(fid, [])) + fixed.get(fid, 0.0)
            if fid in problem.market_inputs:
                m.add_linear_constraint(inflow <= k * act, name=f"in[{p.id},{fid}]")
            else:
                m.add_linear_constraint(inflow == k * act, name=f"in[{p.id},{fid}]")
            value_terms.append(-problem.input_price.get(fid, 0.0) * k * VALUE_SCALE * act)
            per_unit += problem.input_price.get(fid, 0.0) * k
        base[p.id] = baseline_activity(problem, p)
        if base[p.id] > EPS:
            # running for existing exchanges is not the plan's doing, nor is the facility
            offset += per_unit * base[p.id] + (p.fixed_cost_nok_per_year if p.planned else 0.0)
    # flow limits
    for fid, vars_ in (*out_of.items(), *into.items()):
        f = problem.flows[fid]
        if f.amount is not None and (len(vars_) > 1 or fid in process_flows):
            m.add_linear_constraint(mathopt.fast_sum(vars_) <= bounds[fid], name=f"lim[{fid}]")
    value = mathopt.fast_sum(value_terms) + offset * VALUE_SCALE
    co2 = mathopt.fast_sum(co2_terms)
    built = Built(m, problem, x, y, a, b, value, co2, notes=notes, base=base,
                  offset_nok=offset)
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

_REDIRECT = threading.Lock()
_redirect_state: dict[str, int | None] = {"depth": 0, "saved": None}


def _flush_c_stdio() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to ask: nothing buffered there
        pass


@contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """While any solve runs, the process's standard output (file descriptor 1) goes to
    standard error: HiGHS's MIP solver prints a few lines with ``printf`` whatever its
    options say, and commands print JSON on standard output. Solves in several threads
    share one redirection; the last to finish restores it."""
    with _REDIRECT:
        if _redirect_state["depth"] == 0:
            try:
                sys.stdout.flush()
                saved: int | None = os.dup(1)
                os.dup2(2, 1)
            except (OSError, ValueError, AttributeError):
                saved = None  # no descriptors to swap (a closed or replaced stream)
            _redirect_state["saved"] = saved
        _redirect_state["depth"] = (_redirect_state["depth"] or 0) + 1
    try:
        yield
    finally:
        with _REDIRECT:
            _redirect_state["depth"] = (_redirect_state["depth"] or 1) - 1
            saved = _redirect_state["saved"]
            if _redirect_state["depth"] == 0 and saved is not None:
                _flush_c_stdio()
                os.dup2(saved, 1)
                os.close(saved)
                _redirect_state["saved"] = None


@dataclass(frozen=True)
class Outcome:
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


def solve(built: Built, objective: mathopt.LinearExpression, *, time_limit_s: float,
          gap: float, interrupter: SolveInterrupter | None = None) -> Outcome:
    if interrupter is not None and interrupter.interrupted:
        # HiGHS through MathOpt does not stop on the interrupter: the solves of a plan
        # (its components, the frontier's points, the missing figures) stop between one
        # and the next
        raise OptimizationError("the optimisation was cancelled")
    built.model.maximize(objective)
    params = mathopt.SolveParameters(time_limit=dt.timedelta(seconds=time_limit_s),
                                     relative_gap_tolerance=gap, absolute_gap_tolerance=1e-9,
                                     enable_output=False, highs=_QUIET_HIGHS)
    start = time.perf_counter()
    try:
        with solver_output_to_stderr():
            result = mathopt.solve(built.model, mathopt.SolverType.HIGHS, params=params,
                                   interrupter=interrupter)
    except Exception as exc:  # solver failures become the project's own error, in words
        raise OptimizationError(solver_failure(exc)) from exc
    seconds = time.perf_counter() - start
    status = _STATUS.get(result.termination.reason, "error")
    values: dict[mathopt.Variable, float] = {}
    obj = bound = None
    if result.has_primal_feasible_solution():
        values = result.variable_values()
        obj = result.objective_value()
        bound = result.termination.objective_bounds.dual_bound
        if not math.isfinite(bound):
            bound = None
    return Outcome(status, obj, bound, seconds, values)


def solve_one(problem: Problem, objective: str, *, budget_nok: float | None = None,
              min_co2_t: float | None = None, time_limit_s: float, gap: float,
              interrupter: SolveInterrupter | None = None) -> tuple[Outcome, Built]:
    """Build and solve ``problem`` for ``objective`` (``value`` or ``co2``)."""
    built = build_model(problem, budget_nok=budget_nok, min_co2_t=min_co2_t)
    return solve_built(built, objective, time_limit_s=time_limit_s, gap=gap,
                       interrupter=interrupter), built


def solve_built(built: Built, objective: str, *, time_limit_s: float, gap: float,
                interrupter: SolveInterrupter | None = None) -> Outcome:
    """Solve a built model for ``objective``: ``value``, or ``co2`` then value at it."""
    if objective == "value":
        return solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                     interrupter=interrupter)
    first = solve(built, built.co2, time_limit_s=time_limit_s, gap=gap,
                  interrupter=interrupter)
    if first.objective is None:
        return first
    # lexicographic: keep the CO2 reached, then the most value at it
    floor = first.objective - max(1e-6, 1e-7 * abs(first.objective))
    built.model.add_linear_constraint(built.co2 >= floor, name="co2_lexicographic")
    second = solve(built, built.value, time_limit_s=time_limit_s, gap=gap,
                   interrupter=interrupter)
    if second.objective is None:
        return first
    return Outcome(first.status if first.status != "optimal" else second.status,
                   first.objective, first.bound, first.seconds + second.seconds,
                   second.values)
