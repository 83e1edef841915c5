"""The exchange problem as plain data, and its validation.

A flow takes part in the quantitative model only when its quantity is bounded: a known
amount, or a process with a known capacity that it feeds or comes out of. A candidate
with exactly one end whose quantity is unknown (the other end bounded) waits for the
conditional analysis (:mod:`optimizer.conditional`), which assumes the unknown figure at
the bound its partners' known amounts give it. Everything unknown is listed as "needs
data" with its best candidate; it is never treated as zero or as unbounded.

Agreed and operating exchanges, and proposals started by hand, are facts
(:func:`symbiosis.lifecycle.held`): their pair is never a candidate again, their amount is
taken from both flows (the model works with what is left), and a flow whose existing
exchange has no amount has an unknown remainder, bounded by its own amount.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from symbiosis.errors import OptimizationError
from symbiosis.lifecycle import held
from symbiosis.model import (
    Candidate,
    Exchange,
    ExchangeStatus,
    Flow,
    NeedsData,
    Process,
    Reason,
)

__all__ = ["Problem", "build_problem", "validate", "FACTS"]

#: exchange statuses the model holds as facts (and a proposal started by hand: see
#: :func:`symbiosis.lifecycle.held`)
FACTS = (ExchangeStatus.AGREED.value, ExchangeStatus.OPERATING.value)
_EPS = 1e-9


@dataclass(frozen=True)
class Problem:
    """Everything the model needs.

    ``bounds`` maps each quantified flow id to what is left of it for new exchanges (its
    amount or process bound, less existing exchanges); ``fixed_use`` what existing
    exchanges take of a flow (in its unit: supply units on the supply side, delivered
    units on the demand side). ``pending`` are candidates with one end of unknown quantity
    and the other bounded; ``caps`` the most a flow of unknown remainder can be.
    """

    flows: Mapping[str, Flow]
    processes: tuple[Process, ...]
    candidates: tuple[Candidate, ...]
    bounds: Mapping[str, float]
    input_price: Mapping[str, float] = field(default_factory=dict)
    output_price: Mapping[str, float] = field(default_factory=dict)
    market_inputs: frozenset[str] = frozenset()
    needs_data: tuple[NeedsData, ...] = ()
    fixed_use: Mapping[str, float] = field(default_factory=dict)
    existing: tuple[str, ...] = ()
    pending: tuple[Candidate, ...] = ()
    caps: Mapping[str, float] = field(default_factory=dict)
    #: what the plan's message says about the data, as message codes (``plan.*``)
    notes: tuple[Reason, ...] = ()


def _flow_bounds(flows: Mapping[str, Flow], processes: Iterable[Process]) -> dict[str, float]:
    bounds: dict[str, float] = {fid: f.amount for fid, f in flows.items() if f.amount is not None}
    for p in processes:
        if p.capacity is None:
            continue
        for fid, coef in (*p.inputs, *p.outputs):
            cap = coef * p.capacity
            bounds[fid] = min(bounds.get(fid, cap), cap)
    return bounds


def _facts(existing: Iterable[Exchange], flow_map: Mapping[str, Flow],
           yields: Mapping[tuple[str, str], float]
           ) -> tuple[dict[str, float], set[str], set[tuple[str, str]], list[str]]:
    """What the exchanges held as facts (agreed, operating, or proposed by hand) take of
    each flow, the flows they take an unknown amount of, their pairs and ids."""
    use: dict[str, float] = {}
    unknown: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    ids: list[str] = []
    for e in existing:
        if not held(e):
            continue
        if e.supply_flow not in flow_map and e.demand_flow not in flow_map:
            continue
        ids.append(e.id)
        pairs.add((e.supply_flow, e.demand_flow))
        if e.amount is None:
            unknown.update((e.supply_flow, e.demand_flow))
            continue
        yld = yields.get((e.supply_flow, e.demand_flow), 1.0)
        use[e.supply_flow] = use.get(e.supply_flow, 0.0) + e.amount
        use[e.demand_flow] = use.get(e.demand_flow, 0.0) + e.amount * yld
    return use, unknown, pairs, sorted(ids)


def build_problem(flows: Iterable[Flow], processes: Iterable[Process],
                  candidates: Iterable[Candidate], *,
                  demand_values: Mapping[str, float | None] | None = None,
                  existing: Iterable[Exchange] = ()) -> Problem:
    """Assemble a :class:`Problem` from the store's data and the matching candidates.

    ``demand_values`` gives, per demand resource, the value per unit that matching used
    when the flow has no price of its own (the substitute price); processes pay it for
    every unit of input they need, so an exchange into a process is credited exactly once.
    ``existing`` exchanges that are agreed or operating, or proposed by hand, are held as
    facts (see the module docstring); others are ignored.
    """
    flow_map = {f.id: f for f in flows}
    procs = tuple(sorted(processes, key=lambda p: p.id))
    cands = list(candidates)
    yields = {c.key: c.conversion_yield for c in cands}
    use, unknown_use, fixed_pairs, existing_ids = _facts(existing, flow_map, yields)
    full = _flow_bounds(flow_map, procs)
    bounds: dict[str, float] = {}
    caps: dict[str, float] = {}
    notes: list[Reason] = []
    overused = 0
    for fid, b in full.items():
        if fid in unknown_use:
            caps[fid] = b  # what existing exchanges leave is unknown, at most the amount
            continue
        taken = use.get(fid, 0.0)
        overused += taken > b * (1 + 1e-9) + 1e-9
        bounds[fid] = max(0.0, b - taken)
    if overused:  # no flow ids: a plan's message is shown to users who may not see them
        notes.append(Reason.of("plan.overused", flows=overused))
    in_model: list[Candidate] = []
    pending: list[Candidate] = []
    best: dict[str, Candidate] = {}
    reasons: dict[str, str] = {}
    for c in cands:
        s, d = flow_map.get(c.supply_flow), flow_map.get(c.demand_flow)
        if s is None or d is None or c.key in fixed_pairs:
            continue
        missing = [f for f in (s, d) if f.id not in bounds]
        if any(bounds.get(f.id, 1.0) <= _EPS for f in (s, d)):
            continue  # nothing left at a bounded end: the link can carry nothing
        if not missing and c.unit_value_nok is not None:
            in_model.append(c)
            continue
        if len(missing) == 1 and c.unit_value_nok is not None:
            pending.append(c)
        for f in missing or (s, d):
            if f.id not in best or c.score > best[f.id].score:
                best[f.id] = c
            reasons[f.id] = (("remaining quantity unknown: an existing exchange has no amount"
                              if f.id in unknown_use else "quantity unknown")
                             if f in missing
                             else "value unknown: no price for the demand resource")
    needs = []
    for fid in sorted(best):
        f, c = flow_map[fid], best[fid]
        partner = c.demand_company if f.direction == "supply" else c.supply_company
        needs.append(NeedsData(flow_id=fid, company_id=f.company_id, resource=f.resource,
                               direction=f.direction, best_candidate=c.key,
                               best_partner_company=partner, reason=reasons[fid],
                               unit=f.unit))
    values = demand_values or {}
    input_price: dict[str, float] = {}
    output_price: dict[str, float] = {}
    market: set[str] = set()
    for p in procs:
        for fid, _ in p.inputs:
            f = flow_map[fid]
            if f.price_nok_per_unit is not None:
                input_price[fid] = f.price_nok_per_unit
                market.add(fid)
            elif values.get(f.resource) is not None:
                input_price[fid] = float(values[f.resource] or 0.0)
        for fid, _ in p.outputs:
            f = flow_map[fid]
            if f.price_nok_per_unit is not None:
                output_price[fid] = f.price_nok_per_unit
    return Problem(flows=flow_map, processes=procs,
                   candidates=tuple(sorted(in_model, key=lambda c: c.key)), bounds=bounds,
                   input_price=input_price, output_price=output_price,
                   market_inputs=frozenset(market), needs_data=tuple(needs),
                   fixed_use={k: v for k, v in use.items() if k in flow_map},
                   existing=tuple(existing_ids),
                   pending=tuple(sorted(pending, key=lambda c: c.key)), caps=caps,
                   notes=tuple(notes))


#: the largest number the model takes: HiGHS reads 1e20 and more as infinite, and
#: amounts ten orders of magnitude above any real flow only hide a unit mistake
SOLVER_CEILING = 1e15


def _usable(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and abs(value) < SOLVER_CEILING)


def validate(problem: Problem) -> None:
    """Refuse a problem the model cannot represent faithfully, naming the flow, candidate
    or process that holds a number the solver cannot use (not finite, or beyond
    :data:`SOLVER_CEILING`)."""
    for fid, bound in problem.bounds.items():
        if not _usable(bound):
            raise OptimizationError(
                f"flow {fid} has an amount of {bound:g} {problem.flows[fid].unit}/yr, which "
                "the solver cannot use: correct the flow's amount and optimise again"
                if fid in problem.flows else
                f"flow {fid} has a bound of {bound:g}, which the solver cannot use")
    for c in problem.candidates:
        for name in ("unit_value_nok", "unit_co2_avoided_t", "fixed_cost_nok_per_year",
                     "conversion_yield"):
            if not _usable(getattr(c, name)):
                raise OptimizationError(
                    f"candidate {c.supply_flow} -> {c.demand_flow} has {name} "
                    f"{getattr(c, name):g}, which the solver cannot use: check the prices "
                    "and factors of its flows")
    for p in problem.processes:
        for name, value in (("capacity", p.capacity),
                            ("fixed_cost_nok_per_year", p.fixed_cost_nok_per_year),
                            ("variable_cost_nok_per_unit", p.variable_cost_nok_per_unit),
                            *((f"coefficient of {fid}", k) for fid, k in (*p.inputs,
                                                                         *p.outputs))):
            if not _usable(value):
                raise OptimizationError(f"process {p.id} has {name} {value:g}, which the "
                                        "solver cannot use: correct the process")
    for fid, price in (*problem.input_price.items(), *problem.output_price.items()):
        if not _usable(price):
            raise OptimizationError(f"flow {fid} has a price of {price:g}, which the solver "
                                    "cannot use: correct its price")
    seen = set()
    for c in problem.candidates:
        if c.key in seen:
            raise OptimizationError(f"candidate {c.key} appears twice")
        seen.add(c.key)
        for fid in c.key:
            if fid not in problem.bounds:
                raise OptimizationError(f"candidate {c.key}: flow {fid} has no bound")
        if c.unit_value_nok is None:
            raise OptimizationError(f"candidate {c.key}: unit value unknown")
    for p in problem.processes:
        if p.capacity is None and p.planned:
            raise OptimizationError(f"planned process {p.id} needs a capacity")
        for fid, _ in (*p.inputs, *p.outputs):
            if fid not in problem.flows:
                raise OptimizationError(f"process {p.id}: unknown flow {fid}")
