"""From matched data to a plan: the problem of a dataset and its candidates, solved with
the optional cost-versus-CO2 frontier."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.model import Candidate, Dataset, Exchange, Plan
from symbiosis.taxonomy import Taxonomy, default_taxonomy

from .problem import Problem, build_problem
from .solve import frontier, propose_exchanges

__all__ = ["problem_for", "optimise"]


def problem_for(data: Dataset, candidates: Sequence[Candidate], *,
                taxonomy: Taxonomy | None = None, exchanges: Sequence[Exchange] = ()
                ) -> Problem:
    """The optimisation problem of ``data`` over ``candidates``, with the market value of
    each resource a demand would otherwise buy; agreed and operating ``exchanges``, and
    proposals started by hand, are held as facts (:func:`symbiosis.lifecycle.held`)."""
    tax = taxonomy or default_taxonomy()
    values = {key: r.substitute_price_nok_per_unit for key, r in tax.resources.items()}
    return build_problem(data.flows, data.processes, candidates, demand_values=values,
                         existing=exchanges)


def optimise(data: Dataset, candidates: Sequence[Candidate], *, objective: str = "value",
             budget_nok: float | None = None, min_co2_t: float | None = None,
             frontier_points: int = 0, time_limit_s: float = 60.0, gap: float = 1e-4,
             taxonomy: Taxonomy | None = None, exchanges: Sequence[Exchange] = (),
             conditional: bool = True,
             interrupter: SolveInterrupter | None = None) -> Plan:
    """Optimise, and add the cost-versus-CO2 frontier when ``frontier_points`` >= 2.

    Agreed and operating ``exchanges``, and proposals started by hand, are facts: never
    proposed again, their amounts taken from their flows. With ``conditional``, flows of
    unknown quantity give conditional proposals and the missing figures are ranked."""
    problem = problem_for(data, candidates, taxonomy=taxonomy, exchanges=exchanges)
    plan = propose_exchanges(problem, objective=objective, budget_nok=budget_nok,
                             min_co2_t=min_co2_t, time_limit_s=time_limit_s, gap=gap,
                             conditional=conditional, interrupter=interrupter)
    if frontier_points >= 2 and problem.candidates:
        points = frontier(problem, points=frontier_points, time_limit_s=time_limit_s, gap=gap,
                          interrupter=interrupter)
        plan = dataclasses.replace(plan, frontier=tuple(points))
    return plan
