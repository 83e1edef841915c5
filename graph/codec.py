"""Domain objects to and from plain JSON-ready dicts, shared by both stores."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, TypeVar

from symbiosis.model import (
    ALL_MONTHS,
    Candidate,
    Company,
    ConditionalProposal,
    Exchange,
    FacilityDecision,
    Flow,
    FrontierPoint,
    NeedsData,
    Park,
    Plan,
    PlanExchange,
    PlanLine,
    PlanScope,
    Process,
    Reason,
    StatusChange,
)

T = TypeVar("T")

__all__ = ["to_dict", "plain", "SCALARS", "field_names", "plain_defaults", "company", "park",
           "flow", "process", "candidate", "exchange", "plan", "dumps", "loads", "made"]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The names of a dataclass's fields, in order (looked up once per class)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


SCALARS = (str, int, float, bool, type(None))  # stored as they are


def plain(value: Any) -> Any:
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, Reason):  # many per candidate: its pairs of scalars go to JSON as they are
        return {"code": value.code, "params": value.params}
    if isinstance(value, tuple | list):
        return [v if isinstance(v, SCALARS) else plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in field_names(type(value))}
    return value


_DEFAULTS: dict[type, dict[str, Any]] = {}


def plain_defaults(cls: type) -> dict[str, Any]:
    """Each field's default as :func:`to_dict` would write it."""
    if cls in _DEFAULTS:
        return _DEFAULTS[cls]
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = plain(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = plain(f.default_factory())
    _DEFAULTS[cls] = out
    return out



def to_dict(obj: Any) -> dict[str, Any]:
    out = plain(obj)
    assert isinstance(out, dict)
    return out


def dumps(obj: Any) -> str:
    return json.dumps(plain(obj), sort_keys=True, ensure_ascii=False)


def loads(text: str) -> Any:
    return json.loads(text)


_REQUIRED: dict[type, frozenset[str]] = {}


def _required(cls: type) -> frozenset[str]:
    names = _REQUIRED.get(cls)
    if names is None:
        names = _REQUIRED[cls] = frozenset(
            f.name for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    return names


_KEY_SETS: dict[type, frozenset[str]] = {}


def _field_keys(cls: type) -> frozenset[str]:
    keys = _KEY_SETS.get(cls)
    if keys is None:
        keys = _KEY_SETS[cls] = frozenset(field_names(cls))
    return keys


def _known(cls: type, d: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``cls`` found in ``d``; a required field a graph store left out
    (Neo4j keeps no null properties) comes back as None. A fresh ``d`` with exactly the
    fields (as the embedded store writes them) is copied as it is."""
    if type(d) is dict and d.keys() == _field_keys(cls):
        return d.copy()
    required = _required(cls)
    return {name: d.get(name) for name in field_names(cls) if name in d or name in required}


def made(cls: type[T], d: dict[str, Any]) -> T:
    """``cls(**d)``. When ``d`` holds exactly its fields, the instance's attributes are
    set at once rather than one ``object.__setattr__`` each, as a frozen dataclass's
    ``__init__`` does (a store reads 100,000 flows and 800,000 candidates at once). Only
    for classes without ``__post_init__`` or slots (checked once per class)."""
    plain_class = _PLAIN_CLASSES.get(cls)
    if plain_class is None:
        plain_class = _PLAIN_CLASSES[cls] = (dataclasses.is_dataclass(cls)
                                             and not hasattr(cls, "__post_init__")
                                             and not hasattr(cls, "__slots__"))
    if plain_class and d.keys() == _field_keys(cls):
        made = object.__new__(cls)
        made.__dict__.update(d)
        return made
    return cls(**d)


_PLAIN_CLASSES: dict[type, bool] = {}
#: months as most flows store them: all year, one shared set
_ALL_YEAR = list(range(1, 13))


def company(d: dict[str, Any]) -> Company:
    return made(Company, _known(Company, d))


def park(d: dict[str, Any]) -> Park:
    return Park(**_known(Park, d))


def flow(d: dict[str, Any]) -> Flow:
    d = _known(Flow, d)
    months = d.get("months")
    d["months"] = ALL_MONTHS if not months or months == _ALL_YEAR else frozenset(months)
    q = d.get("quality") or {}
    d["quality"] = json.loads(q) if isinstance(q, str) else dict(q)
    return made(Flow, d)


def process(d: dict[str, Any]) -> Process:
    d = _known(Process, d)
    for side in ("inputs", "outputs"):
        v = d.get(side) or []
        v = json.loads(v) if isinstance(v, str) else v
        d[side] = tuple((str(a), float(b)) for a, b in v)
    return Process(**d)


def reason(value: Any) -> Reason:
    """A stored reason: ``{"code", "params"}`` (a JSON text from a graph store), or the
    plain sentence earlier versions stored (kept as code ``text``)."""
    if isinstance(value, Reason):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("{") else value
        except ValueError:
            pass
        if isinstance(value, str):
            return Reason("text", (("text", value),))
    return Reason(str(value["code"]), tuple((str(k), v) for k, v in value.get("params") or ()))


def candidate(d: dict[str, Any]) -> Candidate:
    d = _known(Candidate, d)
    for side in ("reasons", "limits"):
        v = d.get(side) or ()
        v = json.loads(v) if isinstance(v, str) else v
        d[side] = tuple(reason(x) for x in v)
    return Candidate(**d)


def exchange(d: dict[str, Any]) -> Exchange:
    d = _known(Exchange, d)
    h = d.get("history") or []
    h = json.loads(h) if isinstance(h, str) else h
    d["history"] = tuple(StatusChange(**x) for x in h)
    return Exchange(**d)


def plan(d: dict[str, Any]) -> Plan:
    d = _known(Plan, d)
    d["exchanges"] = tuple(PlanExchange(**x) for x in d.get("exchanges") or ())
    d["facilities"] = tuple(FacilityDecision(**x) for x in d.get("facilities") or ())
    d["needs_data"] = tuple(
        NeedsData(**{**x, "best_candidate": tuple(x["best_candidate"])
                     if x.get("best_candidate") else None})
        for x in d.get("needs_data") or ())
    d["frontier"] = tuple(FrontierPoint(**x) for x in d.get("frontier") or ())
    d["totals"] = dict(d.get("totals") or {})
    d["lines"] = tuple(PlanLine(**{**x, "companies": tuple(x.get("companies") or ())})
                       for x in d.get("lines") or ())
    d["conditional"] = tuple(ConditionalProposal(**x) for x in d.get("conditional") or ())
    d["existing"] = tuple(d.get("existing") or ())
    notes = d.get("notes") or ()
    d["notes"] = tuple(reason(x) for x in (json.loads(notes) if isinstance(notes, str)
                                           else notes))
    scope = d.get("scope") or {}
    d["scope"] = PlanScope(**scope) if isinstance(scope, dict) else PlanScope.from_key(scope)
    for key in ("scenario", "adopted_by", "adopted_at"):
        d[key] = d.get(key) or ""
    return Plan(**d)
