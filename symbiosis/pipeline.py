"""The main job, as plain functions over plain data: match, build the problem, optimise.

Used by the CLI and the web front end so that neither holds domain logic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from optimizer import Problem, build_problem, frontier, propose_exchanges

from .io import ImportResult, Table, parse_tables
from .matching import find_candidates
from .model import Candidate, Dataset, Exchange, ExchangeStatus, Plan
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["match_dataset", "problem_for", "optimise", "plan_exchanges", "parse_for_store",
           "case_files"]


def case_files() -> list[Path]:
    """The researched Norwegian cases shipped with the package, in import order."""
    base = Path(str(importlib_resources.files("fixtures") / "cases"))
    return [base / n for n in ("parks.csv", "companies.csv", "flows.csv", "processes.csv")]


def parse_for_store(store: Any, tables: Sequence[Table], *,
                    taxonomy: Taxonomy | None = None,
                    mapping: Mapping[str, str] | None = None) -> ImportResult:
    """Validate ``tables`` against what ``store`` already holds (rows may refer to stored
    companies and flows). Raises :class:`ImportValidationError` listing every bad row."""
    existing = store.dataset()
    return parse_tables(tables, taxonomy=taxonomy,
                        known_companies={c.id for c in existing.companies},
                        known_flows={f.id: (f.company_id, f.direction) for f in existing.flows},
                        mapping=mapping)


def match_dataset(data: Dataset, *, taxonomy: Taxonomy | None = None,
                  max_distance_km: float | None = None,
                  max_per_flow: int | None = 10) -> Sequence[Candidate]:
    return find_candidates(data.companies, data.flows, taxonomy=taxonomy,
                           max_distance_km=max_distance_km, max_per_flow=max_per_flow)


def problem_for(data: Dataset, candidates: Sequence[Candidate], *,
                taxonomy: Taxonomy | None = None) -> Problem:
    tax = taxonomy or default_taxonomy()
    values = {key: r.substitute_price_nok_per_unit for key, r in tax.resources.items()}
    return build_problem(data.flows, data.processes, candidates, demand_values=values)


def optimise(data: Dataset, candidates: Sequence[Candidate], *, objective: str = "value",
             budget_nok: float | None = None, min_co2_t: float | None = None,
             frontier_points: int = 0, time_limit_s: float = 60.0, gap: float = 1e-4,
             taxonomy: Taxonomy | None = None) -> Plan:
    """Optimise, and add the cost-versus-CO2 frontier when ``frontier_points`` >= 2."""
    problem = problem_for(data, candidates, taxonomy=taxonomy)
    plan = propose_exchanges(problem, objective=objective, budget_nok=budget_nok,
                             min_co2_t=min_co2_t, time_limit_s=time_limit_s, gap=gap)
    if frontier_points >= 2 and problem.candidates:
        points = frontier(problem, points=frontier_points, time_limit_s=time_limit_s, gap=gap)
        plan = dataclasses.replace(plan, frontier=tuple(points))
    return plan


def plan_exchanges(plan: Plan, *, start_year: int | None = None) -> list[Exchange]:
    """The plan's exchanges as stored *proposed* exchanges."""
    return [Exchange(id=f"{plan.id}-{n:04d}", supply_flow=e.supply_flow,
                     demand_flow=e.demand_flow, amount=e.amount, unit=e.unit,
                     status=ExchangeStatus.PROPOSED.value, start_year=start_year,
                     value_nok=e.value_nok, co2_avoided_t=e.co2_avoided_t, plan_id=plan.id)
            for n, e in enumerate(plan.exchanges, start=1)]
