"""The exchanges the researched cases document, as stored exchanges with their lifecycle.

A row of ``fixtures/cases/exchanges.csv`` is an exchange when its ``exchange_status``
(``operating``, ``agreed`` or ``ended``, each with the sources that say so) is given; a
row only planned in the sources has none and is not loaded. ``start_year`` and
``end_year`` are taken as the sources give them (``start_year_source``); ``quantity`` is
converted to the supply flow's unit. Value and CO2 come from the candidate link matching
made for the pair, and only for a known quantity: nothing unknown is counted as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from .lifecycle import ALLOWED
from .model import Candidate, Exchange, ExchangeStatus, Flow, StatusChange
from .units import UnitError, conversion_factor

__all__ = ["documented_exchange_records", "DOCUMENTED_BY"]

#: who the history of a documented exchange names
DOCUMENTED_BY = "documented case"


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def _amount(row: Mapping[str, str], flow: Flow) -> float | None:
    text = (row.get("quantity") or "").strip()
    if not text:
        return None
    unit = (row.get("unit") or flow.unit).strip()
    try:
        return float(text) * conversion_factor(unit, flow.unit)
    except (UnitError, ValueError) as exc:
        raise ValueError(f"documented exchange {row['supply_flow_id']} -> "
                         f"{row['demand_flow_id']}: quantity {text} {unit} does not read as "
                         f"{flow.unit}: {exc}") from exc


def documented_exchange_records(rows: Iterable[Mapping[str, str]],
                                flows: Mapping[str, Flow],
                                candidates: Mapping[tuple[str, str], Candidate], *,
                                at: str | None = None) -> list[Exchange]:
    """The rows with a lifecycle status as exchanges (id ``DOC-supply-demand``).

    >>> from symbiosis.model import Flow
    >>> flows = {"S": Flow("S", "A", "supply", "steam", 36000.0, "MWh"),
    ...          "D": Flow("D", "B", "demand", "steam", 36000.0, "MWh")}
    >>> row = {"case": "x", "supply_flow_id": "S", "demand_flow_id": "D", "quantity": "36",
    ...        "unit": "GWh/yr", "start_year": "2007", "exchange_status": "operating",
    ...        "exchange_status_source": "N06", "start_year_source": "N07"}
    >>> (e,) = documented_exchange_records([row], flows, {}, at="2026-01-01")
    >>> e.id, e.status, e.amount, e.start_year, e.co2_avoided_t
    ('DOC-S-D', 'operating', 36000.0, 2007, None)
    """
    when = at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out = []
    for row in rows:
        status = (row.get("exchange_status") or "").strip()
        if not status:
            continue
        if status not in ALLOWED or status == ExchangeStatus.PROPOSED.value:
            raise ValueError(f"documented exchange status {status!r}: operating, agreed or "
                             "ended")
        s, d = row["supply_flow_id"], row["demand_flow_id"]
        supply = flows.get(s)
        if supply is None or d not in flows:
            continue  # the case's flows are not in the store
        amount = _amount(row, supply)
        cand = candidates.get((s, d))
        value = co2 = None
        if amount is not None and cand is not None:
            value = None if cand.unit_value_nok is None else cand.unit_value_nok * amount
            co2 = None if cand.unit_co2_avoided_t is None else cand.unit_co2_avoided_t * amount
        sources = row.get("exchange_status_source") or row.get("source") or ""
        start_source = row.get("start_year_source") or ""
        note = f"{row.get('case', '')}: {status} per {sources}" + (
            f"; start year per {start_source}" if start_source else "")
        out.append(Exchange(
            id=f"DOC-{s}-{d}", supply_flow=s, demand_flow=d, amount=amount, unit=supply.unit,
            status=status, start_year=_year(row.get("start_year")),
            end_year=_year(row.get("end_year")), value_nok=value, co2_avoided_t=co2,
            history=(StatusChange(status, when, DOCUMENTED_BY, note),)))
    return out
