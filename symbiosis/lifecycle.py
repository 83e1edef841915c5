"""Exchange lifecycle: proposed -> agreed -> operating -> ended, kept as history."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .errors import SymbiosisError
from .messages import error
from .model import Exchange, ExchangeStatus, StatusChange

__all__ = ["advance", "ALLOWED", "LifecycleError", "YEARS"]

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


class LifecycleError(SymbiosisError):
    """A status change the lifecycle does not allow."""


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
