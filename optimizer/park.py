"""Net-zero park planning on top of the optimizer.

The plan that reaches a park's target at least cost: the reduction still needed is the
baseline less the target less what realised exchanges already avoid; the optimizer then
maximises net value (minimises cost) under that CO2 floor, optionally within a budget. A
target that cannot be reached is reported with the most reduction reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.util.python.solve_interrupter import SolveInterrupter

from symbiosis.indicators import park_status
from symbiosis.messages import said
from symbiosis.model import Candidate, Dataset, Exchange, Park, Plan, Reason
from symbiosis.taxonomy import Taxonomy

from .plans import problem_for
from .solve import propose_exchanges

__all__ = ["ParkPlan", "plan_park"]


@dataclass(frozen=True)
class ParkPlan:
    park_id: str
    baseline_t_co2e: float
    target_t_co2e: float
    already_avoided_t: float
    required_t: float
    reachable: bool
    reduction_t: float
    residual_t: float
    cost_nok: float
    plan: Plan
    trajectory: tuple[tuple[int, float], ...]
    message: str
    #: ``message`` as a message code with its parameters (``park.*``), when there is one
    note: Reason | None = None


def plan_park(data: Dataset, candidates: Sequence[Candidate], park: Park, *,
              exchanges: Sequence[Exchange] = (), budget_nok: float | None = None,
              year: int = 2026, time_limit_s: float = 60.0,
              taxonomy: Taxonomy | None = None,
              interrupter: SolveInterrupter | None = None) -> ParkPlan:
    """Least-cost plan to bring ``park`` to its target (see the module docstring)."""
    if park.baseline_t_co2e is None:
        raise ValueError(f"park {park.id} has no baseline: planning needs baseline_t_co2e")
    status = park_status(data, exchanges, park)
    members = {c.id for c in data.companies if c.park_id == park.id}
    touching = [c for c in candidates
                if c.supply_company in members or c.demand_company in members]
    park_data = Dataset(companies=data.companies, flows=data.flows,
                        processes=tuple(p for p in data.processes if p.company_id in members),
                        parks=data.parks)
    # agreed and operating exchanges are facts: never proposed again, so what they avoid
    # (``already_avoided_t``) and what the plan adds (``reduction_t``) never overlap
    problem = problem_for(park_data, touching, taxonomy=taxonomy, exchanges=exchanges)
    target = park.target_t_co2e or 0.0
    required = max(0.0, park.baseline_t_co2e - target - status.avoided_t)
    plan = propose_exchanges(problem, objective="value", min_co2_t=required,
                             budget_nok=budget_nok, time_limit_s=time_limit_s, gap=1e-6,
                             conditional=False, interrupter=interrupter)
    reachable = plan.status in ("optimal", "feasible")
    message, note = "", None
    if not reachable:
        plan = propose_exchanges(problem, objective="co2", budget_nok=budget_nok,
                                 time_limit_s=time_limit_s, gap=1e-6, conditional=False,
                                 interrupter=interrupter)
        message, note = said("park.unreachable" + ("_budget" if budget_nok is not None
                                                   else ""),
                             t_per_year=plan.totals.get("co2_avoided_t", 0.0),
                             needed=required)
    reduction = plan.totals.get("co2_avoided_t", 0.0)
    residual = park.baseline_t_co2e - status.avoided_t - reduction
    trajectory = tuple((y, park.baseline_t_co2e - status.avoided_t - (reduction if y > year
                                                                       else 0.0))
                       for y in range(year, (park.target_year or 2030) + 1))
    return ParkPlan(park_id=park.id, baseline_t_co2e=park.baseline_t_co2e,
                    target_t_co2e=target, already_avoided_t=status.avoided_t,
                    required_t=required, reachable=reachable, reduction_t=reduction,
                    residual_t=residual, cost_nok=-plan.totals.get("value_nok", 0.0),
                    plan=plan, trajectory=trajectory, message=message, note=note)
