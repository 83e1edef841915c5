"""Domain model: plain frozen dataclasses, no driver, web framework or solver.

Quantities are annual amounts in the resource's canonical unit (``MWh``, ``t`` or ``m3``
per year). ``None`` means *unknown*, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ALL_MONTHS",
    "Company",
    "Park",
    "Flow",
    "Process",
    "Candidate",
    "Reason",
    "Exchange",
    "ExchangeStatus",
    "StatusChange",
    "Dataset",
    "FlowPoint",
    "Plan",
    "PlanExchange",
    "PlanLine",
    "PlanScope",
    "FacilityDecision",
    "NeedsData",
    "ConditionalProposal",
    "FrontierPoint",
    "SCOPE_KINDS",
    "valid_org_number",
]

ALL_MONTHS: frozenset[int] = frozenset(range(1, 13))

_MOD11_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_org_number(value: str) -> bool:
    """Whether ``value`` is a valid Norwegian organisation number (9 digits, MOD11).

    Examples
    --------
    >>> valid_org_number("923609016")
    True
    >>> valid_org_number("923609017")
    False
    """
    digits = value.replace(" ", "")
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], _MOD11_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[8])


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    lat: float
    lon: float
    org_number: str | None = None
    nace: str | None = None
    municipality: str | None = None
    county: str | None = None
    park_id: str | None = None
    cluster: str | None = None
    source: str | None = None
    #: ISO 3166 alpha-2 code of a company outside Norway (``None``: Norway, where county
    #: and municipality are names from the register, :mod:`symbiosis.places`)
    country: str | None = None


@dataclass(frozen=True)
class Park:
    """An industrial area with an emission baseline and a net-zero target."""

    id: str
    name: str
    county: str | None = None
    municipality: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    baseline_t_co2e: float | None = None
    target_year: int | None = None
    target_t_co2e: float | None = None
    source: str | None = None
    #: the cluster that owns the park (``None``: only an admin changes it)
    cluster: str | None = None
    #: as for :class:`Company`: ``None`` for Norway
    country: str | None = None


@dataclass(frozen=True)
class Flow:
    """A supply or a demand of one resource at one company."""

    id: str
    company_id: str
    direction: str  # "supply" | "demand"
    resource: str
    amount: float | None = None
    unit: str = ""
    quality: Mapping[str, float] = field(default_factory=dict)
    ewc: str | None = None
    months: frozenset[int] = ALL_MONTHS
    price_nok_per_unit: float | None = None
    confidential: bool = False
    description: str = ""
    source: str | None = None
    #: the resource cell as the user wrote it, kept beside the interpretation
    resource_text: str = ""
    #: the amount and unit as written, and the conversion used to reach ``amount``
    amount_text: str = ""
    conversion: str = ""
    #: of a demand flow: the CO2 factor (a key of :mod:`symbiosis.co2`) for what its
    #: resource replaces here, when not its park's, county's or resource's default
    replaces: str = ""

    @property
    def quantity_known(self) -> bool:
        return self.amount is not None


#: where a flow is, and of what: (flow id, company id, resource, direction, latitude,
#: longitude); all a search for its partners reads before any flow in full
FlowPoint = tuple[str, str, str, str, float, float]


@dataclass(frozen=True)
class Process:
    """A conversion inside one company: per unit of activity, inputs in and outputs out.

    ``inputs`` and ``outputs`` are ``(flow_id, coefficient)`` pairs; input flows are demand
    flows of the company, output flows its supply flows. ``planned`` marks a facility that
    could be built (the optimizer decides).
    """

    id: str
    company_id: str
    inputs: tuple[tuple[str, float], ...]
    outputs: tuple[tuple[str, float], ...]
    capacity: float | None = None
    fixed_cost_nok_per_year: float = 0.0
    variable_cost_nok_per_unit: float = 0.0
    planned: bool = False
    name: str = ""
    source: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a candidate matched, or what limits it: a code with its parameters.

    Words are made at the edges (:func:`symbiosis.messages.render`), in English or bokmål,
    so every language gets every message and tests assert on codes.

    >>> r = Reason.of("distance", km=4.2, mode="pipeline")
    >>> r.code, r.get("km")
    ('distance', 4.2)
    """

    code: str
    params: tuple[tuple[str, str | float | int | bool | None], ...] = ()

    @classmethod
    def of(cls, code: str, **params: str | float | int | bool | None) -> Reason:
        return cls(code, tuple(params.items()))

    def get(self, name: str, default: object = None) -> object:
        for key, value in self.params:
            if key == name:
                return value
        return default

    @property
    def mapping(self) -> dict[str, str | float | int | bool | None]:
        return dict(self.params)


@dataclass(frozen=True)
class Candidate:
    """A possible link from a supply flow to a demand flow, with why and what limits it."""

    supply_flow: str
    demand_flow: str
    supply_company: str
    demand_company: str
    resource: str
    demand_resource: str
    distance_km: float
    mode: str
    amount: float | None
    unit: str
    transport_cost_nok_per_unit: float
    unit_value_nok: float | None
    unit_co2_avoided_t: float | None
    fixed_cost_nok_per_year: float
    value_nok: float | None
    co2_avoided_t: float | None
    score: float
    reasons: tuple[Reason, ...] = ()
    limits: tuple[Reason, ...] = ()
    #: how the supply meets the demand: ``same``, ``kind_of`` or ``generic`` on each side
    #: (a generic side is "possible, needs confirmation")
    relation: str = "same"
    #: a technology the link goes through (a facility to build), with its yield: units of
    #: the demand resource per unit of supply
    via: str = ""
    conversion_yield: float = 1.0
    certainty: float = 1.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.supply_flow, self.demand_flow)


class ExchangeStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    OPERATING = "operating"
    ENDED = "ended"


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: str
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class Exchange:
    """An amount on a candidate link with a lifecycle status."""

    id: str
    supply_flow: str
    demand_flow: str
    amount: float | None
    unit: str
    status: str = ExchangeStatus.PROPOSED.value
    start_year: int | None = None
    end_year: int | None = None
    value_nok: float | None = None
    co2_avoided_t: float | None = None
    plan_id: str | None = None
    history: tuple[StatusChange, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """Everything an import or a store query returns: plain tuples of domain objects."""

    companies: tuple[Company, ...] = ()
    flows: tuple[Flow, ...] = ()
    processes: tuple[Process, ...] = ()
    parks: tuple[Park, ...] = ()

    def is_empty(self) -> bool:
        return not (self.companies or self.flows or self.processes or self.parks)


@dataclass(frozen=True)
class PlanExchange:
    supply_flow: str
    demand_flow: str
    supply_company: str
    demand_company: str
    resource: str
    amount: float
    unit: str
    mode: str
    distance_km: float
    value_nok: float
    co2_avoided_t: float
    link_built: bool = False
    #: a technology the exchange goes through: the facility to build (its annualised
    #: cost is the link's fixed cost), and the amount of the demand resource it delivers
    via: str = ""
    delivered: float | None = None
    #: the annual fixed cost of the link, when the plan builds it (included in value_nok)
    link_cost_nok: float = 0.0


@dataclass(frozen=True)
class PlanLine:
    """One line of a plan's account: the value and CO2 of all lines add up to its totals.

    ``kind`` says what the line is:

    - ``exchange``: an exchange's value (the receiver's avoided purchase, the supplier's
      avoided disposal or forgone sale, less transport), net of what a facility at either
      end books on its own lines: a facility input's price, a facility output's sale price;
    - ``link``: the annual fixed cost of a link built (a pipeline, a cable, or the
      facility a conversion needs), negative;
    - ``facility_fixed``, ``facility_running``: a facility's annual fixed cost (when the
      plan builds it) and its running cost per unit of activity, negative;
    - ``market_sale``: a facility's output sold on the market (what no exchange takes);
    - ``market_purchase``: a facility's input bought on the market (what no exchange
      brings), negative.

    ``ref`` names what the line is about (``supply>demand`` for an exchange or a link, the
    process id for a facility line, ``process:flow`` for a sale or a purchase); ``name``
    is in words (the facility's name, or the resource); ``companies`` are the company ids.
    """

    kind: str
    ref: str
    name: str
    value_nok: float
    co2_avoided_t: float = 0.0
    companies: tuple[str, ...] = ()
    resource: str = ""
    amount: float | None = None
    unit: str = ""
    price_nok_per_unit: float | None = None


#: what a plan may be run for: everything, one county, one municipality or one park
SCOPE_KINDS = ("all", "county", "municipality", "park")


@dataclass(frozen=True)
class PlanScope:
    """What a plan was run for. A plan replaces only the proposals that earlier plans of
    the same scope made.

    >>> PlanScope("county", "Troms").key, PlanScope().key
    ('county:Troms', 'all')
    """

    kind: str = "all"
    value: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"scope kind must be one of {SCOPE_KINDS}, not {self.kind!r}")
        if (self.kind == "all") != (not self.value):
            raise ValueError("a scope names a value unless it is 'all'")

    @property
    def key(self) -> str:
        """One string for the scope, as the stores index it."""
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"

    @classmethod
    def of(cls, *, county: str | None = None, municipality: str | None = None,
           park: str | None = None) -> PlanScope:
        """The narrowest scope named (a park, else a municipality, else a county)."""
        if park:
            return cls("park", park)
        if municipality:
            return cls("municipality", municipality)
        if county:
            return cls("county", county)
        return cls()

    @classmethod
    def from_key(cls, key: str) -> PlanScope:
        if key == "all":
            return cls()
        kind, _, value = key.partition(":")
        return cls(kind, value)


@dataclass(frozen=True)
class FacilityDecision:
    process_id: str
    company_id: str
    build: bool
    activity: float
    fixed_cost_nok_per_year: float


@dataclass(frozen=True)
class NeedsData:
    """A missing figure: a flow left out of the quantitative model because its quantity
    (or what is left of it beside existing exchanges) or a value is unknown.

    ``bound`` is the most the flow could exchange, from its partners' known amounts (and
    its own amount, when only what existing exchanges leave of it is unknown); ``None``
    when no partner's amount is known either. ``spread_nok`` and ``spread_co2_t`` are how
    much the plan changes when the flow is assumed at that bound instead of left out;
    missing figures are listed by that spread, largest first (``rank`` 1), those that
    cannot be bounded last.
    """

    flow_id: str
    company_id: str
    resource: str
    direction: str
    best_candidate: tuple[str, str] | None
    best_partner_company: str | None
    reason: str
    bound: float | None = None
    unit: str = ""
    spread_nok: float | None = None
    spread_co2_t: float | None = None
    rank: int | None = None


@dataclass(frozen=True)
class ConditionalProposal:
    """An exchange that depends on a missing figure: "if ``unknown_flow`` supplies (or
    takes) at least ``threshold``, this exchange is worth at least ``value_nok``".

    ``threshold`` is in the unknown flow's unit; it is the amount the plan moves on the
    link when the flow is assumed at its bound, so never more than the partner's known
    amount (``partner_bound``). ``pays_from`` is the smallest amount at which the link
    pays for its fixed cost. Conditional proposals are never counted in a plan's totals.
    """

    supply_flow: str
    demand_flow: str
    supply_company: str
    demand_company: str
    resource: str
    unknown_flow: str
    direction: str
    threshold: float
    unit: str
    value_nok: float
    co2_avoided_t: float
    partner_bound: float
    pays_from: float | None = None
    mode: str = ""
    distance_km: float = 0.0


@dataclass(frozen=True)
class FrontierPoint:
    cost_nok: float
    co2_avoided_t: float
    status: str


@dataclass(frozen=True)
class Plan:
    """The optimizer's answer, honest about how good it is."""

    id: str
    status: str  # optimal | feasible | infeasible | time_limit | no_solution
    objective: str
    objective_value: float | None
    bound: float | None
    gap: float | None
    solve_time_s: float
    exchanges: tuple[PlanExchange, ...] = ()
    facilities: tuple[FacilityDecision, ...] = ()
    needs_data: tuple[NeedsData, ...] = ()
    totals: Mapping[str, float] = field(default_factory=dict)
    frontier: tuple[FrontierPoint, ...] = ()
    components: int = 0
    message: str = ""
    created_at: str = ""
    #: every krone and tonne of ``totals`` on a line (:class:`PlanLine`)
    lines: tuple[PlanLine, ...] = ()
    #: exchanges that depend on a missing figure, never counted in the totals
    conditional: tuple[ConditionalProposal, ...] = ()
    #: agreed and operating exchanges the plan held as facts (ids)
    existing: tuple[str, ...] = ()
    scope: PlanScope = field(default_factory=PlanScope)
    #: a named what-if: stored without touching the live proposals until adopted
    scenario: str = ""
    adopted_by: str = ""
    adopted_at: str = ""
    #: ``message`` as message codes with their parameters (``plan.*``), for the edges to
    #: say in the reader's language (plans stored before they had them have none)
    notes: tuple[Reason, ...] = ()

    @property
    def is_scenario(self) -> bool:
        """A scenario not (yet) adopted: its exchanges are not live proposals."""
        return bool(self.scenario) and not self.adopted_at

    @property
    def facilities_built(self) -> tuple[FacilityDecision, ...]:
        return tuple(f for f in self.facilities if f.build)
