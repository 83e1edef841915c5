"""Plans side by side: what each plan (a live plan or a named scenario) proposes, what it
is worth and what it avoids, exchange by exchange and facility by facility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Plan, PlanScope

__all__ = ["PlanSummary", "ComparisonRow", "FacilityRow", "PlanComparison", "compare_plans"]


@dataclass(frozen=True)
class PlanSummary:
    id: str
    name: str
    scope: PlanScope
    objective: str
    status: str
    value_nok: float
    co2_avoided_t: float
    exchanges: int
    links_built: int
    facilities_built: int
    fixed_cost_nok: float
    conditional: int
    missing_figures: int
    created_at: str
    adopted_at: str


@dataclass(frozen=True)
class ComparisonRow:
    """One pair of flows, and what each plan moves on it (``None``: not in that plan)."""

    supply_flow: str
    demand_flow: str
    supply_company: str
    demand_company: str
    resource: str
    unit: str
    amounts: tuple[float | None, ...]
    values_nok: tuple[float | None, ...]
    co2_avoided_t: tuple[float | None, ...]

    @property
    def in_all(self) -> bool:
        return all(a is not None for a in self.amounts)


@dataclass(frozen=True)
class FacilityRow:
    process_id: str
    company_id: str
    built: tuple[bool, ...]
    activity: tuple[float, ...]


@dataclass(frozen=True)
class PlanComparison:
    plans: tuple[PlanSummary, ...]
    exchanges: tuple[ComparisonRow, ...]
    facilities: tuple[FacilityRow, ...]

    @property
    def differences(self) -> tuple[ComparisonRow, ...]:
        """The exchanges not in every plan, or moving different amounts."""
        def spread(r: ComparisonRow) -> float:
            known = [a for a in r.amounts if a is not None]
            return max(known) - min(known) if known else 0.0

        return tuple(r for r in self.exchanges if not r.in_all or spread(r) > 1e-6)


def _summary(plan: Plan) -> PlanSummary:
    t = plan.totals
    return PlanSummary(
        id=plan.id, name=plan.scenario or "live plan", scope=plan.scope,
        objective=plan.objective, status=plan.status, value_nok=t.get("value_nok", 0.0),
        co2_avoided_t=t.get("co2_avoided_t", 0.0), exchanges=len(plan.exchanges),
        links_built=sum(e.link_built for e in plan.exchanges),
        facilities_built=sum(1 for f in plan.facilities if f.build and f.fixed_cost_nok_per_year),
        fixed_cost_nok=t.get("facility_fixed_cost_nok", 0.0) + t.get("link_fixed_cost_nok", 0.0),
        conditional=len(plan.conditional),
        missing_figures=len(plan.needs_data), created_at=plan.created_at,
        adopted_at=plan.adopted_at)


def compare_plans(plans: Sequence[Plan]) -> PlanComparison:
    """``plans`` side by side, in the order given.

    >>> from symbiosis.model import Plan, PlanExchange
    >>> def plan(pid, amount):
    ...     e = PlanExchange("S", "D", "A", "B", "steam", amount, "MWh", "pipeline", 1.0,
    ...                      10.0 * amount, 0.2 * amount)
    ...     return Plan(pid, "optimal", "value", None, None, None, 0.0, exchanges=(e,),
    ...                 totals={"value_nok": 10.0 * amount}, scenario=pid)
    >>> cmp = compare_plans([plan("a", 100.0), plan("b", 50.0)])
    >>> [p.value_nok for p in cmp.plans], cmp.exchanges[0].amounts
    ([1000.0, 500.0], (100.0, 50.0))
    >>> len(cmp.differences)
    1
    """
    keys: dict[tuple[str, str], list] = {}
    for n, p in enumerate(plans):
        for e in p.exchanges:
            row = keys.setdefault((e.supply_flow, e.demand_flow),
                                  [e, [None] * len(plans), [None] * len(plans),
                                   [None] * len(plans)])
            row[1][n], row[2][n], row[3][n] = e.amount, e.value_nok, e.co2_avoided_t
    rows = tuple(ComparisonRow(e.supply_flow, e.demand_flow, e.supply_company,
                               e.demand_company, e.resource, e.unit, tuple(a), tuple(v),
                               tuple(c))
                 for (e, a, v, c) in (keys[k] for k in sorted(keys)))
    procs: dict[str, list] = {}
    for n, p in enumerate(plans):
        for f in p.facilities:
            row = procs.setdefault(f.process_id, [f.company_id, [False] * len(plans),
                                                  [0.0] * len(plans)])
            row[1][n], row[2][n] = f.build, f.activity
    facilities = tuple(FacilityRow(pid, cid, tuple(b), tuple(a))
                       for pid, (cid, b, a) in sorted(procs.items()) if any(b))
    return PlanComparison(tuple(_summary(p) for p in plans), rows, facilities)
