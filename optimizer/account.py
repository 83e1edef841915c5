"""A solved model as a plan's exchanges, facilities and lines of account.

The lines add up to the plan's value and CO2 to the krone and the tonne (the objective of
:mod:`optimizer.solve`, regrouped):

- an exchange's line is its value ``v_c x_c``, less the price of a facility input it
  delivers (the facility books that on its purchase line) and plus the price of a facility
  output it takes (booked as a sale forgone in ``v_c``): what the exchange adds beyond the
  facility's own trade;
- a link built costs its fixed cost;
- a facility: its fixed cost when the plan builds it, its running cost, its output sold on
  the market and its input bought on the market (beyond what existing exchanges already
  need of it, which is not the plan's doing).
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.math_opt.python import mathopt

from symbiosis.model import FacilityDecision, PlanExchange, PlanLine, Process

from .mip import EPS, Built

__all__ = ["extract", "totals"]

_CENT = 0.5  # lines worth less than half a krone and moving nothing are left out


def _prices(built: Built) -> tuple[dict[str, float], dict[str, float]]:
    """Per flow, the price a modelled facility books for it as input and as output."""
    into: dict[str, float] = {}
    out: dict[str, float] = {}
    problem = built.problem
    for p in problem.processes:
        if p.id not in built.a:
            continue
        for fid, _ in p.inputs:
            into[fid] = into.get(fid, 0.0) + problem.input_price.get(fid, 0.0)
        for fid, _ in p.outputs:
            out[fid] = out.get(fid, 0.0) + problem.output_price.get(fid, 0.0)
    return into, out


def extract(built: Built, values: dict[mathopt.Variable, float]
            ) -> tuple[list[PlanExchange], list[FacilityDecision], list[PlanLine]]:
    """The chosen exchanges, the facilities' decisions and the plan's lines."""
    problem = built.problem
    in_price, out_price = _prices(built)
    exchanges: list[PlanExchange] = []
    lines: list[PlanLine] = []
    moved_in: dict[str, float] = {}
    moved_out: dict[str, float] = {}
    for c in problem.candidates:
        amount = values.get(built.x[c.key], 0.0)
        if amount <= EPS:
            continue
        link = c.key in built.y and values.get(built.y[c.key], 0.0) > 0.5
        delivered = amount * c.conversion_yield
        moved_out[c.supply_flow] = moved_out.get(c.supply_flow, 0.0) + amount
        moved_in[c.demand_flow] = moved_in.get(c.demand_flow, 0.0) + delivered
        value = ((c.unit_value_nok or 0.0) * amount
                 - in_price.get(c.demand_flow, 0.0) * delivered
                 + out_price.get(c.supply_flow, 0.0) * amount)
        co2 = (c.unit_co2_avoided_t or 0.0) * amount
        fixed = c.fixed_cost_nok_per_year if link else 0.0
        ref = f"{c.supply_flow}>{c.demand_flow}"
        companies = (c.supply_company, c.demand_company)
        lines.append(PlanLine("exchange", ref, c.resource, value, co2, companies, c.resource,
                              amount, c.unit))
        if link:
            lines.append(PlanLine("link", ref, c.via or c.mode, -fixed, 0.0, companies,
                                  c.resource))
        exchanges.append(PlanExchange(
            supply_flow=c.supply_flow, demand_flow=c.demand_flow,
            supply_company=c.supply_company, demand_company=c.demand_company,
            resource=c.resource, amount=round(amount, 6), unit=c.unit, mode=c.mode,
            distance_km=c.distance_km, value_nok=value - fixed, co2_avoided_t=co2,
            link_built=link, via=c.via, delivered=round(delivered, 6), link_cost_nok=fixed))
    facilities: list[FacilityDecision] = []
    for p in problem.processes:
        if p.id not in built.a:
            continue
        act = values.get(built.a[p.id], 0.0)
        base = built.base.get(p.id, 0.0)
        build = (values.get(built.b[p.id], 0.0) > 0.5) if p.id in built.b else act > EPS
        new_build = p.planned and build and base <= EPS
        facilities.append(FacilityDecision(process_id=p.id, company_id=p.company_id,
                                           build=build and (p.planned or act > EPS),
                                           activity=round(act, 6) if build else 0.0,
                                           fixed_cost_nok_per_year=p.fixed_cost_nok_per_year
                                           if new_build else 0.0))
        lines.extend(_facility_lines(built, p, act - base, new_build, moved_in, moved_out))
    return exchanges, facilities, lines


def _facility_lines(built: Built, p: Process, more: float, new_build: bool,
                    moved_in: dict[str, float], moved_out: dict[str, float]) -> list[PlanLine]:
    """A facility's lines for ``more`` activity than existing exchanges need of it."""
    problem = built.problem
    name = p.name or p.id
    who = (p.company_id,)
    out: list[PlanLine] = []
    if new_build and p.fixed_cost_nok_per_year:
        out.append(PlanLine("facility_fixed", p.id, name, -p.fixed_cost_nok_per_year, 0.0, who))
    if p.variable_cost_nok_per_unit and abs(more) > EPS:
        out.append(PlanLine("facility_running", p.id, name,
                            -p.variable_cost_nok_per_unit * more, 0.0, who, amount=more,
                            price_nok_per_unit=p.variable_cost_nok_per_unit))
    # what the market takes of the outputs (a sale) and gives of the inputs (a purchase)
    for kind, sign, sides, prices, moved in (
            ("market_sale", 1.0, p.outputs, problem.output_price, moved_out),
            ("market_purchase", -1.0, p.inputs, problem.input_price, moved_in)):
        for fid, k in sides:
            price = prices.get(fid)
            if price is None:
                continue
            traded = k * more - moved.get(fid, 0.0)
            if abs(traded) > EPS or abs(price * traded) > _CENT:
                f = problem.flows[fid]
                out.append(PlanLine(kind, f"{p.id}:{fid}", name, sign * price * traded, 0.0,
                                    who, f.resource, traded, f.unit, price))
    return out


def totals(exchanges: Sequence[PlanExchange], facilities: Sequence[FacilityDecision],
           lines: Sequence[PlanLine]) -> dict[str, float]:
    """The plan's totals: value and CO2 are the sums of its lines."""
    return {
        "value_nok": sum(line.value_nok for line in lines),
        "co2_avoided_t": sum(line.co2_avoided_t for line in lines),
        "exchanges": float(len(exchanges)),
        "links_built": float(sum(e.link_built for e in exchanges)),
        "link_fixed_cost_nok": sum(e.link_cost_nok for e in exchanges),
        "facilities_built": float(sum(f.build and f.fixed_cost_nok_per_year > 0
                                      for f in facilities)),
        "facility_fixed_cost_nok": sum(f.fixed_cost_nok_per_year for f in facilities),
    }
