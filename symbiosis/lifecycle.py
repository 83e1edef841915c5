"""Exchange lifecycle: proposed -> agreed -> operating -> ended, kept as history.

An exchange comes from a plan (a proposal with the plan's id), from a documented case, or
is started by hand from a candidate (:func:`start`): a cluster manager who called both
companies records it as proposed, then moves it on. An exchange started by hand is a fact
for every later plan from the start (:func:`held`), as agreed and operating ones are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from .errors import SymbiosisError
from .messages import error
from .model import Candidate, Exchange, ExchangeStatus, StatusChange

__all__ = ["advance", "start", "held", "live", "ALLOWED", "LIVE", "LifecycleError",
           "LiveExchangeError", "ExchangeStartError", "YEARS"]

PROPOSED, AGREED, OPERATING, ENDED = (
    ExchangeStatus.PROPOSED.value, ExchangeStatus.AGREED.value,
    ExchangeStatus.OPERATING.value, ExchangeStatus.ENDED.value)
ALLOWED: dict[str, frozenset[str]] = {
    PROPOSED: frozenset({AGREED, ENDED}),   # a proposal is agreed, or dropped
    AGREED: frozenset({OPERATING, ENDED}),  # an agreement starts operating, or falls through
    OPERATING: frozenset({ENDED}),
    ENDED: frozenset(),
}
#: the years an exchange may start or end in
YEARS = range(1900, 2201)
#: the statuses of an exchange under way (not ended): one such exchange per pair of flows
LIVE = (PROPOSED, AGREED, OPERATING)


class LifecycleError(SymbiosisError):
    """A status change the lifecycle does not allow."""


class LiveExchangeError(LifecycleError):
    """An exchange is started on a pair of flows that already has one under way."""

    def __init__(self, existing: Exchange):
        self.existing = existing
        super().__init__(f"{existing.supply_flow} -> {existing.demand_flow} already has "
                         f"exchange {existing.id} ({existing.status}): move that one on "
                         "instead of starting another")


class ExchangeStartError(SymbiosisError):
    """An exchange cannot be started as asked: not a candidate pair, or a bad amount."""


def live(exchange: Exchange) -> bool:
    """Whether ``exchange`` is under way: proposed, agreed or operating."""
    return exchange.status in LIVE


def held(exchange: Exchange) -> bool:
    """Whether a plan takes ``exchange`` as a fact (never proposes its pair again, works
    with what is left of its flows): agreed and operating exchanges, and a proposal
    started by hand (no plan made it), which a plan must neither drop nor duplicate.

    >>> held(Exchange("x", "s", "d", 1.0, "t", status="proposed"))
    True
    >>> held(Exchange("x", "s", "d", 1.0, "t", status="proposed", plan_id="P1"))
    False
    >>> held(Exchange("x", "s", "d", 1.0, "t", status="ended"))
    False
    """
    return exchange.status in (AGREED, OPERATING) or (
        exchange.status == PROPOSED and exchange.plan_id is None)


def start(candidate: Candidate, exchange_id: str, *, by: str, note: str = "",
          amount: float | None = None, at: str | None = None) -> Exchange:
    """A proposed exchange on ``candidate``, started by hand, with its first history entry.

    Without ``amount`` the exchange takes the candidate's feasible amount, value and CO2
    (each ``None``, unknown, where the candidate's is). A smaller ``amount`` is valued with
    the candidate's figures per unit, less the link's annual fixed cost as matching
    reckoned it; a figure per unit that is unknown stays unknown, never zero.

    >>> from symbiosis.model import Candidate
    >>> c = Candidate("S", "D", "A", "B", "steam", "steam", 2.0, "pipeline", 100.0, "MWh",
    ...               5.0, 40.0, 0.2, 500.0, 3500.0, 20.0, 0.9)
    >>> e = start(c, "EX-S-D", by="kari", note="called both", at="2026-05-01T09:00:00")
    >>> e.status, e.amount, e.value_nok, e.co2_avoided_t, e.plan_id, e.history[0].by
    ('proposed', 100.0, 3500.0, 20.0, None, 'kari')
    >>> start(c, "EX-S-D", by="kari", amount=50.0).value_nok
    1500.0
    >>> start(c, "EX-S-D", by="kari", amount=150.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symbiosis.lifecycle.ExchangeStartError: amount 150 MWh/yr is more than the 100 MWh/yr ...
    """
    if not by:
        raise ExchangeStartError("say who starts the exchange")
    if amount is not None:
        if not math.isfinite(amount) or amount <= 0:
            raise ExchangeStartError(f"amount must be a positive number, not {amount}")
        if candidate.amount is not None and amount > candidate.amount * (1 + 1e-9):
            raise ExchangeStartError(
                f"amount {amount:,.0f} {candidate.unit}/yr is more than the "
                f"{candidate.amount:,.0f} {candidate.unit}/yr the candidate can carry")
    if amount is None or amount == candidate.amount:
        amount, value, co2 = candidate.amount, candidate.value_nok, candidate.co2_avoided_t
    else:
        value = (None if candidate.unit_value_nok is None
                 else candidate.unit_value_nok * amount - candidate.fixed_cost_nok_per_year)
        co2 = (None if candidate.unit_co2_avoided_t is None
               else candidate.unit_co2_avoided_t * amount)
    when = at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Exchange(id=exchange_id, supply_flow=candidate.supply_flow,
                    demand_flow=candidate.demand_flow, amount=amount, unit=candidate.unit,
                    status=PROPOSED, value_nok=value, co2_avoided_t=co2,
                    history=(StatusChange(PROPOSED, when, by, note.strip()),))


def advance(exchange: Exchange, status: str, *, by: str, at: str | None = None,
            note: str = "", start_year: int | None = None,
            end_year: int | None = None) -> Exchange:
    """The exchange with its new status and one more history entry.

    >>> e = Exchange("x", "s", "d", 10.0, "t")
    >>> e = advance(e, "agreed", by="cluster manager", at="2026-05-01", start_year=2027)
    >>> e.status, e.start_year, [h.status for h in e.history]
    ('agreed', 2027, ['agreed'])
    >>> advance(e, "proposed", by="x")
    Traceback (most recent call last):
    ...
    symbiosis.lifecycle.LifecycleError: exchange x cannot go from agreed to proposed

    An exchange cannot end before the year it starts:

    >>> advance(e, "ended", by="x", at="2026-09-01")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symbiosis.lifecycle.LifecycleError: exchange x cannot end in 2026, before its start year 2027...
    """
    if status not in ALLOWED:
        raise error(LifecycleError, "lifecycle.unknown", given=status,
                    statuses=str(sorted(ALLOWED)))
    if status not in ALLOWED[exchange.status]:
        raise error(LifecycleError, "lifecycle.cannot_go", id=exchange.id,
                    from_status=exchange.status, to_status=status)
    if not by:
        raise error(LifecycleError, "lifecycle.by")
    for name, given in (("start", start_year), ("end", end_year)):
        if given is not None and given not in YEARS:
            raise error(LifecycleError, f"lifecycle.{name}_year", year=str(given),
                        first=str(YEARS.start), last=str(YEARS.stop - 1))
    if end_year is not None and status != ENDED:
        raise error(LifecycleError, "lifecycle.end_not_ending", to_status=status)
    when = at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    year = dt.date.fromisoformat(when[:10]).year
    start = start_year if start_year is not None else (
        exchange.start_year if exchange.start_year is not None or status != OPERATING
        else year)
    end = end_year if end_year is not None else (year if status == ENDED else
                                                 exchange.end_year)
    if start is not None and end is not None and end < start:
        raise error(LifecycleError, "lifecycle.end_before_start"
                    + ("" if end_year is None else "_given"), id=exchange.id, end=str(end),
                    start=str(start))
    return dataclasses.replace(
        exchange, status=status, start_year=start, end_year=end,
        history=(*exchange.history, StatusChange(status, when, by, note)))
