"""The resource taxonomy, transport options, quality rules and factors, loaded from data files.

Every number comes from ``symbiosis/data/*.csv`` with a source key and a year; the loader
refuses a number without them. Users can override factors with a CSV of their own (see
:func:`load_taxonomy`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .co2 import Co2Factors, load_co2
from .errors import DataFileError
from .knowledge import (
    Knowledge,
    Link,
    data_path,
    derive_links,
    load_knowledge,
    number_cell,
    read_rows,
)

__all__ = [
    "CompatRule",
    "Link",
    "Resource",
    "Taxonomy",
    "TransportOption",
    "load_taxonomy",
    "default_taxonomy",
    "normalise_name",
    "normalise_ewc",
    "QUALITY_FIELDS",
    "RULES",
]

QUALITY_FIELDS = ("temperature_c", "purity_pct", "dry_matter_pct", "moisture_pct")
RULES = ("none", "temperature_approach", "cold_approach", "min_purity", "max_moisture",
         "min_dry_matter")
CANONICAL_UNITS = ("MWh", "t", "m3")
CUSTOM_PREFIX = "custom:"
EWC_PREFIX = "ewc:"


@dataclass(frozen=True)
class TransportOption:
    mode: str
    max_distance_km: float
    circuity: float
    var_cost_nok_per_unit_km: float
    fixed_cost_nok_per_km_year: float
    co2_t_per_unit_km: float
    source: str
    year: int
    #: routed km at which the proximity score halves (smooth decay up to the outer limit,
    #: ``max_distance_km``)
    half_km: float | None = None

    @property
    def half_distance_km(self) -> float:
        return self.half_km if self.half_km is not None else self.max_distance_km / 2


@dataclass(frozen=True)
class CompatRule:
    supply: str
    demand: str
    rule: str
    threshold: float | None
    source: str = ""
    year: int | None = None


@dataclass(frozen=True)
class Resource:
    key: str
    label_en: str
    label_no: str
    family: str
    unit: str
    quality_fields: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    transport: tuple[TransportOption, ...] = ()
    substitute: str = ""
    substitute_ef_t_per_unit: float | None = None
    substitute_price_nok_per_unit: float | None = None
    disposal_cost_nok_per_unit: float | None = None
    sources: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    custom: bool = False
    #: the CO2 factor (``co2_factors.csv`` key) ``substitute_ef_t_per_unit`` comes from,
    #: when it comes from one (``co2_defaults.csv``)
    co2_factor: str = ""

    @property
    def max_distance_km(self) -> float:
        return max((t.max_distance_km for t in self.transport), default=0.0)

    def label(self, lang: str = "en") -> str:
        return self.label_no if lang == "no" else self.label_en


def normalise_name(name: str) -> str:
    """Lower-case and drop spaces, hyphens and underscores.

    >>> normalise_name("Waste-Heat ")
    'wasteheat'
    """
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


_EWC_RE = re.compile(r"^\s*(\d{2})\s*(\d{2})\s*(\d{2})\s*\*?\s*$")


def normalise_ewc(text: str) -> str | None:
    """Six digits from ``'10 01 05*'``-style input, or ``None`` when it is not code-shaped.

    >>> normalise_ewc("10 01 05*")
    '100105'
    """
    m = _EWC_RE.match(text)
    return "".join(m.groups()) if m else None


def _sourced(path: Path, row: int, rec: Mapping[str, str], sources: set[str],
             src_field: str, year_field: str, what: str) -> tuple[str, int]:
    src = (rec.get(src_field) or "").strip()
    year = (rec.get(year_field) or "").strip()
    if src not in sources:
        raise DataFileError(
            f"{path.name}, row {row}, field '{src_field}': {what} needs a known source key "
            f"(got {src!r})")
    if not year.isdigit():
        raise DataFileError(f"{path.name}, row {row}, field '{year_field}': {what} needs a year")
    return src, int(year)


class Taxonomy:
    """Lookup over resources, rules, transport options and EWC codes."""

    def __init__(self, resources: Mapping[str, Resource], rules: Iterable[CompatRule],
                 ewc_codes: Mapping[str, tuple[str, bool]], ewc_map: Mapping[str, str],
                 sources: Mapping[str, tuple[str, int]],
                 knowledge: Knowledge | None = None,
                 mode_names: Mapping[str, tuple[str, str]] | None = None,
                 co2: Co2Factors | None = None):
        self.resources = dict(resources)
        self.knowledge = knowledge or Knowledge()
        #: CO2 factors: each resource's default, and what flows, parks and counties chose
        self.co2 = co2 or Co2Factors({})
        #: this taxonomy as loaded, before :meth:`with_co2` added factor sets and choices
        self.origin: Taxonomy = self
        #: transport mode -> (English, Norwegian) name
        self.mode_names = dict(mode_names or {})
        self.ewc_codes = dict(ewc_codes)
        self.ewc_map = dict(ewc_map)
        self.sources = dict(sources)
        self._rule_by_pair = {(r.supply, r.demand): r for r in rules}
        self._names: dict[str, str] = {}
        for res in self.resources.values():
            for name in (res.key, res.label_en, res.label_no, *res.aliases):
                self._names.setdefault(normalise_name(name), res.key)
        self._links = derive_links(self.knowledge, self.resources,
                                   {(r.supply, r.demand): (r.rule, r.threshold)
                                    for r in self._rule_by_pair.values()})
        self._pair_links: dict[tuple[str, str], list[Link]] = {}
        for links in self._links.values():
            for link in links:
                self._pair_links.setdefault((link.supply, link.demand), []).append(link)

    def with_co2(self, co2: Co2Factors) -> Taxonomy:
        """This taxonomy with other CO2 factor sets and choices (resources, links and
        knowledge shared, not rebuilt)."""
        other = copy.copy(self)
        other.co2 = co2
        return other

    # -- names ---------------------------------------------------------------
    def resolve(self, name: str) -> tuple[str, str | None]:
        """Key for a key, alias, Norwegian or English name or EWC code, plus a warning.

        Unknown names become a custom resource (``custom:<name>``) that matches only itself.
        """
        code = normalise_ewc(name)
        if code is not None:
            if code not in self.ewc_codes:
                return "", f"{name!r} looks like an EWC code but is not in the List of Waste"
            mapped = self.ewc_map.get(code)
            if mapped:
                return mapped, None
            return EWC_PREFIX + code, (
                f"EWC {code} ({self.ewc_codes[code][0]}) has no taxonomy resource: "
                "kept as its own resource, it matches only the same code")
        key = self._names.get(normalise_name(name))
        if key:
            return key, None
        custom = CUSTOM_PREFIX + normalise_name(name)
        return custom, (f"unknown resource {name!r}: kept as custom resource '{custom}', "
                        "it matches only flows with the same name")

    def resource(self, key: str) -> Resource:
        res = self.resources.get(key)
        if res is not None:
            return res
        if key.startswith((CUSTOM_PREFIX, EWC_PREFIX)):
            return self._custom(key)
        raise KeyError(key)

    @lru_cache(maxsize=4096)  # noqa: B019 - taxonomy objects live for the process
    def _custom(self, key: str) -> Resource:
        base = self.resources["industrial_waste"]
        label = key.split(":", 1)[1]
        if key.startswith(EWC_PREFIX):
            label = f"EWC {label}: {self.ewc_codes.get(label, ('',))[0]}"
        return Resource(key=key, label_en=label, label_no=label, family="other", unit="t",
                        transport=base.transport, custom=True,
                        substitute="unknown", sources={})

    def known(self, key: str) -> bool:
        return key in self.resources or key.startswith((CUSTOM_PREFIX, EWC_PREFIX))

    # -- rules and links -------------------------------------------------------
    def links(self, supply: str) -> list[Link]:
        """Every demand resource ``supply`` can meet: directly, through the hierarchy or
        through a technology (see :func:`symbiosis.knowledge.derive_links`)."""
        links = self._links.get(supply)
        if links:
            return links
        if supply in self.resources:
            return []
        return [Link(supply, supply, "none", None, "same", "same", 1.0)]

    def links_between(self, supply: str, demand: str) -> list[Link]:
        if supply == demand and supply not in self.resources:
            return [Link(supply, supply, "none", None, "same", "same", 1.0)]
        return self._pair_links.get((supply, demand), [])

    def demands_met_by(self, supply: str) -> list[CompatRule]:
        """The direct rules of ``supply`` (kept for callers that ask for rules only)."""
        return [CompatRule(x.supply, x.demand, x.rule, x.threshold)
                for x in self.links(supply) if not x.technology]

    def rule(self, supply: str, demand: str) -> CompatRule | None:
        for x in self.links_between(supply, demand):
            if not x.technology:
                return CompatRule(x.supply, x.demand, x.rule, x.threshold)
        return None

    def pairs(self) -> list[CompatRule]:
        return list(self._rule_by_pair.values())

    def ancestors(self, key: str) -> list[str]:
        return self.knowledge.ancestors(key)

    def mode_labels(self, lang: str = "en") -> dict[str, str]:
        """Transport mode names in English (``en``) or Norwegian (``no``)."""
        return {m: (no if lang == "no" else en) for m, (en, no) in self.mode_names.items()}


def _load_transport(path: Path, sources: set[str], circuity: Mapping[str, float]
                    ) -> dict[str, list[TransportOption]]:
    out: dict[str, list[TransportOption]] = {}
    for i, rec in enumerate(read_rows(path), start=2):
        mode = rec["mode"].strip()
        if mode not in circuity:
            raise DataFileError(f"{path.name}, row {i}, field 'mode': unknown mode {mode!r}")
        src, year = _sourced(path, i, rec, sources, "source", "year", "a transport row")
        opt = TransportOption(
            mode=mode,
            max_distance_km=number_cell(path, i, "max_distance_km", rec["max_distance_km"],
                                    required=True) or 0.0,
            circuity=circuity[mode],
            var_cost_nok_per_unit_km=number_cell(path, i, "var_cost_nok_per_unit_km",
                                             rec["var_cost_nok_per_unit_km"], required=True) or 0.0,
            fixed_cost_nok_per_km_year=number_cell(path, i, "fixed_cost_nok_per_km_year",
                                               rec["fixed_cost_nok_per_km_year"],
                                               required=True) or 0.0,
            co2_t_per_unit_km=number_cell(path, i, "co2_t_per_unit_km", rec["co2_t_per_unit_km"],
                                      required=True) or 0.0,
            source=src, year=year)
        out.setdefault(rec["profile"].strip(), []).append(opt)
    return out


_FACTOR_FIELDS = {
    "substitute_ef_t_per_unit": ("ef_source", "ef_year"),
    "substitute_price_nok_per_unit": ("price_source", "price_year"),
    "disposal_cost_nok_per_unit": ("disposal_source", "disposal_year"),
}
_TRANSPORT_FIELDS = ("max_distance_km", "half_km", "var_cost_nok_per_unit_km",
                     "fixed_cost_nok_per_km_year", "co2_t_per_unit_km")


def _apply_overrides(resources: dict[str, Resource], path: Path) -> None:
    """Override file: ``resource,field,value,source,year[,notes]``.

    ``field`` is one of the factor fields, or ``<transport field>:<mode>``.
    """
    rows = read_rows(path)
    for i, rec in enumerate(rows, start=2):
        key = (rec.get("resource") or "").strip()
        fld = (rec.get("field") or "").strip()
        if key not in resources:
            raise DataFileError(f"{path.name}, row {i}, field 'resource': unknown {key!r}")
        src = (rec.get("source") or "").strip()
        year_text = (rec.get("year") or "").strip()
        if not src:
            raise DataFileError(f"{path.name}, row {i}, field 'source': an override needs "
                                "its source")
        if not year_text.isdigit():
            raise DataFileError(f"{path.name}, row {i}, field 'year': an override needs a year")
        year = int(year_text)
        value = number_cell(path, i, "value", rec.get("value", ""), required=True)
        res = resources[key]
        if fld in _FACTOR_FIELDS:
            srcs = dict(res.sources)
            srcs[fld] = (src, year)
            changes: dict[str, Any] = {fld: value, "sources": srcs}
            if fld == "substitute_ef_t_per_unit":
                changes["co2_factor"] = ""  # no longer the catalogue's factor
            resources[key] = replace(res, **changes)
        elif ":" in fld and fld.split(":", 1)[0] in _TRANSPORT_FIELDS:
            name, mode = fld.split(":", 1)
            opts = list(res.transport)
            hits = [j for j, t in enumerate(opts) if t.mode == mode]
            if not hits:
                raise DataFileError(
                    f"{path.name}, row {i}, field 'field': {key} has no transport mode {mode!r}")
            for j in hits:
                opt_changes: dict[str, Any] = {name: value, "source": src, "year": year}
                opts[j] = replace(opts[j], **opt_changes)
            resources[key] = replace(res, transport=tuple(opts))
        else:
            raise DataFileError(f"{path.name}, row {i}, field 'field': cannot override {fld!r}")


def load_taxonomy(*, overrides: str | Path | None = None,
                  data_dir: str | Path | None = None,
                  exclude_case: str | None = None) -> Taxonomy:
    """Load and validate the taxonomy data files.

    Parameters
    ----------
    overrides
        Optional CSV ``resource,field,value,source,year`` replacing factors; every row must
        carry a source and a year, like the shipped data.
    data_dir
        Directory holding the data files (defaults to the package's ``data/``).
    exclude_case
        Leave out knowledge rows derived from this documented case (leave-one-case-out).
    """
    def p(name: str) -> Path:
        return Path(data_dir) / name if data_dir else data_path(name)

    source_rows = read_rows(p("sources.csv"))
    base = Path(data_dir) if data_dir else data_path("sources.csv").parent
    for extra in sorted(base.glob("sources_*.csv")):
        source_rows += read_rows(extra)
    sources: dict[str, tuple[str, int]] = {}
    for i, r in enumerate(source_rows, start=2):
        key, year_text = (r.get("key") or "").strip(), (r.get("year") or "").strip()
        if not key or not year_text.isdigit():
            raise DataFileError(f"sources, row {i}: a source needs a key and a year "
                                f"(got {key!r}, {year_text!r})")
        sources.setdefault(key, (r.get("title") or key, int(year_text)))
    source_keys = set(sources)
    circuity: dict[str, float] = {}
    mode_names: dict[str, tuple[str, str]] = {}
    for i, rec in enumerate(read_rows(p("modes.csv")), start=2):
        mode_names[rec["mode"]] = (rec.get("label_en") or rec["mode"],
                                   rec.get("label_no") or rec["mode"])
        _sourced(p("modes.csv"), i, rec, source_keys, "source", "year", "a circuity factor")
        circuity[rec["mode"]] = number_cell(p("modes.csv"), i, "circuity", rec["circuity"],
                                        required=True) or 1.0
    profiles = _load_transport(p("transport.csv"), source_keys, circuity)

    resources: dict[str, Resource] = {}
    profile_of: dict[str, str] = {}
    path = p("resources.csv")
    for i, rec in enumerate(read_rows(path), start=2):
        key = rec["key"].strip()
        if key in resources:
            raise DataFileError(f"{path.name}, row {i}, field 'key': duplicate {key!r}")
        if rec["unit"] not in CANONICAL_UNITS:
            raise DataFileError(f"{path.name}, row {i}, field 'unit': not one of "
                                f"{CANONICAL_UNITS}")
        qf = tuple(q for q in rec["quality_fields"].split(";") if q)
        for q in qf:
            if q not in QUALITY_FIELDS:
                raise DataFileError(f"{path.name}, row {i}, field 'quality_fields': {q!r}")
        profile = rec["transport_profile"].strip()
        profile_of[key] = profile
        if profile not in profiles:
            raise DataFileError(f"{path.name}, row {i}, field 'transport_profile': "
                                f"unknown {profile!r}")
        values: dict[str, float | None] = {}
        srcs: dict[str, tuple[str, int]] = {}
        for fld, (sf, yf) in _FACTOR_FIELDS.items():
            values[fld] = number_cell(path, i, fld, rec[fld], required=False)
            if values[fld] is not None:
                srcs[fld] = _sourced(path, i, rec, source_keys, sf, yf, fld)
        resources[key] = Resource(
            key=key, label_en=rec["label_en"], label_no=rec["label_no"], family=rec["family"],
            unit=rec["unit"], quality_fields=qf,
            aliases=tuple(a.strip() for a in rec["aliases"].split(";") if a.strip()),
            transport=tuple(profiles[profile]), substitute=rec["substitute_en"],
            substitute_ef_t_per_unit=values["substitute_ef_t_per_unit"],
            substitute_price_nok_per_unit=values["substitute_price_nok_per_unit"],
            disposal_cost_nok_per_unit=values["disposal_cost_nok_per_unit"],
            sources=srcs)

    rules: list[CompatRule] = []
    path = p("compatibility.csv")
    for i, rec in enumerate(read_rows(path), start=2):
        for side in ("supply", "demand"):
            if rec[side] not in resources:
                raise DataFileError(f"{path.name}, row {i}, field '{side}': unknown "
                                    f"resource {rec[side]!r}")
        if rec["rule"] not in RULES:
            raise DataFileError(f"{path.name}, row {i}, field 'rule': unknown {rec['rule']!r}")
        threshold = number_cell(path, i, "threshold", rec["threshold"], required=False)
        src, year = ("", None) if threshold is None else _sourced(
            path, i, rec, source_keys, "source", "year", "a rule threshold")
        rules.append(CompatRule(rec["supply"], rec["demand"], rec["rule"], threshold,
                                src, year))

    ewc_codes: dict[str, tuple[str, bool]] = {}
    for rec in read_rows(p("ewc_codes.csv")):
        ewc_codes[rec["code"]] = (rec["description"], rec["hazardous"] == "true")
    ewc_map: dict[str, str] = {}
    path = p("ewc_map.csv")
    for i, rec in enumerate(read_rows(path), start=2):
        if rec["ewc"] not in ewc_codes:
            raise DataFileError(f"{path.name}, row {i}, field 'ewc': {rec['ewc']!r} is not "
                                "in the List of Waste")
        if rec["resource"] not in resources:
            raise DataFileError(f"{path.name}, row {i}, field 'resource': unknown "
                                f"{rec['resource']!r}")
        ewc_map[rec["ewc"]] = rec["resource"]

    co2 = load_co2(source_keys, resources, data_dir=data_dir)
    for key, factor_key in co2.defaults.items():  # what each resource replaces, by default
        if resources[key].substitute_ef_t_per_unit is not None:
            raise DataFileError(f"co2_defaults.csv names a default for {key!r}, which has "
                                "its own factor in resources.csv: keep it in one place")
        f = co2.factors[factor_key]
        resources[key] = replace(
            resources[key], substitute=f.label, substitute_ef_t_per_unit=f.factor,
            sources={**resources[key].sources, "substitute_ef_t_per_unit": (f.source, f.year)},
            co2_factor=f.key)
    knowledge = load_knowledge(resources, source_keys, data_dir=data_dir,
                               exclude_case=exclude_case)
    reached = {profile: tuple(_with_reach(t, knowledge, profile) for t in opts)
               for profile, opts in profiles.items()}  # smooth reach per profile and mode
    for key, res in list(resources.items()):
        resources[key] = replace(res, transport=reached[profile_of[key]])
    if overrides is not None:
        _apply_overrides(resources, Path(overrides))
    return Taxonomy(resources, rules, ewc_codes, ewc_map, sources, knowledge, mode_names, co2)


def _with_reach(opt: TransportOption, knowledge: Knowledge, profile: str) -> TransportOption:
    hit = knowledge.reach.get((profile, opt.mode))
    if hit is None:
        return opt
    half, outer, src, year = hit
    return replace(opt, half_km=half, max_distance_km=outer, source=src, year=year)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once."""
    return load_taxonomy()
