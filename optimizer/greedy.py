"""A greedy heuristic, the baseline the benchmark compares the MIP against.

Take candidates by net unit value (fixed link cost spread over the largest amount that
fits), best first, and move as much as the remaining supply and demand allow while the
exchange still pays for its link. Amounts are in the supply's unit; a link through a
technology delivers ``conversion_yield`` units of the demand per unit of supply, so it
takes that much of the demand's remainder (as in the MIP). Processes are ignored: their
flows only take part when they have amounts of their own (less what existing exchanges
take of them).
"""

from __future__ import annotations

import time

from symbiosis.model import PlanExchange

from .problem import Problem

__all__ = ["greedy_value"]


def greedy_value(problem: Problem) -> tuple[float, list[PlanExchange], float]:
    """(net annual value in NOK, exchanges, seconds)."""
    start = time.perf_counter()
    left = {fid: problem.bounds[fid] for fid, f in problem.flows.items()
            if f.amount is not None and fid in problem.bounds}

    def density(c):  # noqa: ANN001, ANN202 - local helper
        cap = min(left.get(c.supply_flow, 0.0),
                  left.get(c.demand_flow, 0.0) / c.conversion_yield)
        if cap <= 0:
            return float("-inf")
        return (c.unit_value_nok or 0.0) - c.fixed_cost_nok_per_year / cap

    order = sorted(problem.candidates, key=density, reverse=True)
    total, chosen = 0.0, []
    for c in order:
        if c.supply_flow not in left or c.demand_flow not in left:
            continue
        amount = min(left[c.supply_flow], left[c.demand_flow] / c.conversion_yield)
        if amount <= 0:
            continue
        value = (c.unit_value_nok or 0.0) * amount - c.fixed_cost_nok_per_year
        if value <= 0:
            continue
        left[c.supply_flow] -= amount
        left[c.demand_flow] -= amount * c.conversion_yield
        total += value
        chosen.append(PlanExchange(c.supply_flow, c.demand_flow, c.supply_company,
                                   c.demand_company, c.resource, amount, c.unit, c.mode,
                                   c.distance_km, value, (c.unit_co2_avoided_t or 0) * amount,
                                   c.fixed_cost_nok_per_year > 0))
    return total, chosen, time.perf_counter() - start
