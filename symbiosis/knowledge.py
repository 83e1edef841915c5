"""Knowledge as data: hierarchy, lexicon, pathways, technologies, densities, heating values
and reach, each row with a source and a year.

The files live in ``symbiosis/data/``:

- ``hierarchy.csv`` ``child,parent``: a resource is one kind of a generic concept
  (``fish_sludge`` is-a ``sludge``); ``generic.csv`` lists the generic concepts.
- ``lexicon.csv`` ``resource,lang,term``: words people write for a resource, in English,
  bokmål, nynorsk, Swedish, Danish and Finnish.
- ``technologies.csv``: conversion facilities (anaerobic digestion, heat pump, ...) with
  site, maturity, typical scale and annual costs.
- ``pathways.csv`` ``supply,demand,kind,technology,yield``: what can feed what, directly
  (a substitution) or through a technology (a facility the optimizer may plan).
- ``densities.csv``, ``heating_values.csv``: volume to mass, gas volume to energy.
- ``reach.csv``: per transport profile and mode, the distance at which the proximity
  score halves and a generous outer limit.

Rows derived from one documented case carry its name in a ``case`` column; loading with
``exclude_case`` leaves them out, so a benchmark never scores knowledge on the case it
came from.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from pathlib import Path

from .errors import DataFileError

__all__ = ["Knowledge", "Link", "Pathway", "Technology", "Term", "load_knowledge",
           "LANGUAGES", "RELATIONS", "MATURITIES"]

LANGUAGES = ("en", "nb", "nn", "sv", "da", "fi")
MATURITIES = ("established", "commercial", "demonstration", "pilot")
#: how a supply resource relates to the resource a pathway takes, or a pathway's output
#: to the demanded resource, and the certainty each relation keeps
RELATIONS = {"same": 1.0, "kind_of": 1.0, "generic": 0.5}
#: certainty kept by a conversion through a technology of each maturity; a conversion
#: needs a facility that does not exist yet, so it keeps at most :data:`VIA_CERTAINTY`
_MATURITY_CERTAINTY = {"established": 1.0, "commercial": 0.9, "demonstration": 0.7,
                       "pilot": 0.5}
VIA_CERTAINTY = 0.6
#: a substitution or a step in the hierarchy is a little less certain than the same resource
SUBSTITUTION_CERTAINTY = 0.9
_MIN_CERTAINTY = 0.29
_RULES = ("none", "temperature_approach", "cold_approach", "min_purity", "max_moisture",
          "min_dry_matter")


@dataclass(frozen=True)
class Term:
    resource: str
    lang: str
    term: str
    source: str
    year: int


@dataclass(frozen=True)
class Technology:
    key: str
    label_en: str
    label_no: str
    site: str
    maturity: str
    typical_scale: float | None
    scale_unit: str
    annual_fixed_cost_nok: float | None
    var_cost_nok_per_unit: float | None
    source: str
    year: int
    estimate: bool = False


@dataclass(frozen=True)
class Pathway:
    id: str
    supply: str
    demand: str
    kind: str  # direct | via
    technology: str
    yield_: float
    rule: str
    threshold: float | None
    source: str
    year: int
    estimate: bool = False
    case: str = ""


@dataclass(frozen=True)
class Link:
    """How a supply resource can meet a demand resource: the pathway it uses and the
    relations on each side (``same``, ``kind_of``, ``generic``), with the certainty that
    follows."""

    supply: str
    demand: str
    rule: str
    threshold: float | None
    supply_relation: str
    demand_relation: str
    certainty: float
    technology: str = ""
    yield_: float = 1.0
    pathway: str = ""
    via_resource: str = ""


@dataclass
class Knowledge:
    parents: dict[str, str] = field(default_factory=dict)
    generic: frozenset[str] = frozenset()
    terms: tuple[Term, ...] = ()
    technologies: dict[str, Technology] = field(default_factory=dict)
    pathways: tuple[Pathway, ...] = ()
    densities: dict[tuple[str, str], tuple[float, str, int]] = field(default_factory=dict)
    heating_values: dict[tuple[str, str], tuple[float, str, int]] = field(default_factory=dict)
    reach: dict[tuple[str, str], tuple[float, float, str, int]] = field(default_factory=dict)
    #: (concept, qualifier, op, value, kind): a qualifier that names the kind, e.g. CO2 at
    #: 99 % purity is high-purity CO2
    qualifier_kinds: tuple[tuple[str, str, str, float, str], ...] = ()

    def ancestors(self, key: str) -> list[str]:
        """``key`` and its generic concepts, nearest first."""
        out = [key]
        seen = {key}
        while out[-1] in self.parents:
            nxt = self.parents[out[-1]]
            if nxt in seen:
                break
            out.append(nxt)
            seen.add(nxt)
        return out

    def children(self) -> dict[str, list[str]]:
        kids: dict[str, list[str]] = {}
        for child, parent in self.parents.items():
            kids.setdefault(parent, []).append(child)
        return kids

    def density(self, resource: str, form: str) -> tuple[float, str, int] | None:
        """t per m3 of ``resource`` in ``form`` (loose, solid or bulk), from the nearest
        concept in the hierarchy that has one."""
        for key in self.ancestors(resource):
            hit = self.densities.get((key, form))
            if hit is not None:
                return hit
        return None

    def heating_value(self, resource: str, basis: str) -> tuple[float, str, int] | None:
        for key in self.ancestors(resource):
            hit = self.heating_values.get((key, basis))
            if hit is not None:
                return hit
        return None


def data_path(name: str) -> Path:
    """A file of the package's ``data/`` folder."""
    return Path(str(importlib_resources.files("symbiosis") / "data" / name))


def read_rows(path: Path, *, optional: bool = False) -> list[dict[str, str]]:
    """The rows of a data file as dicts; an ``optional`` file may be absent."""
    if optional and not path.exists():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return [dict(r) for r in csv.DictReader(fh)]
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read {path}: {exc}") from exc


def number_cell(path: Path, row: int, name: str, text: str | None, *,
                required: bool = False, positive: bool = False) -> float | None:
    """A number from a data file's cell, or an error naming file, row and field."""
    text = (text or "").strip()
    where = f"{path.name}, row {row}, field '{name}'"
    if not text:
        if required:
            raise DataFileError(f"{where}: a number is required")
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataFileError(f"{where}: not a number: {text!r}") from None
    if not math.isfinite(value):
        raise DataFileError(f"{where}: not finite")
    if positive and value <= 0:
        raise DataFileError(f"{where}: must be positive")
    return value


def sourced_row(path: Path, row: int, rec: Mapping[str, str], sources: Iterable[str]
                ) -> tuple[str, int]:
    """The source keys (``;``-separated, each known) and the year of a data row."""
    src = (rec.get("source") or "").strip()
    year = (rec.get("year") or "").strip()
    keys = [s.strip() for s in src.split(";") if s.strip()]
    if not keys or any(k not in sources for k in keys):
        raise DataFileError(f"{path.name}, row {row}, field 'source': needs known source "
                            f"keys (got {src!r})")
    if not year.isdigit():
        raise DataFileError(f"{path.name}, row {row}, field 'year': needs a year")
    return src, int(year)


def _resource(path: Path, row: int, name: str, key: str, resources: Iterable[str]) -> str:
    key = (key or "").strip()
    if key not in resources:
        raise DataFileError(f"{path.name}, row {row}, field '{name}': unknown resource {key!r}")
    return key


def _excluded(rec: Mapping[str, str], exclude_case: str | None) -> bool:
    if not exclude_case:
        return False
    cases = {c.strip() for c in (rec.get("case") or "").split(";") if c.strip()}
    return exclude_case in cases


def load_knowledge(resources: Iterable[str], sources: Iterable[str], *,
                   data_dir: str | Path | None = None,
                   exclude_case: str | None = None) -> Knowledge:
    """Load and validate the knowledge files against the resource keys and source keys."""
    res = set(resources)
    src = set(sources)

    def p(name: str) -> Path:
        return Path(data_dir) / name if data_dir else data_path(name)

    k = Knowledge()
    path = p("hierarchy.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        if _excluded(rec, exclude_case):
            continue
        child = _resource(path, i, "child", rec.get("child", ""), res)
        parent = _resource(path, i, "parent", rec.get("parent", ""), res)
        sourced_row(path, i, rec, src)
        if child in k.parents:
            raise DataFileError(f"{path.name}, row {i}, field 'child': {child!r} has two parents")
        k.parents[child] = parent
    for key in k.parents:  # no cycles
        seen = {key}
        cur = key
        while cur in k.parents:
            cur = k.parents[cur]
            if cur in seen:
                raise DataFileError(f"{path.name}: the hierarchy has a cycle through {key!r}")
            seen.add(cur)
    path = p("generic.csv")
    k.generic = frozenset(_resource(path, i, "resource", r.get("resource", ""), res)
                          for i, r in enumerate(read_rows(path, optional=True), start=2))

    path = p("lexicon.csv")
    terms = []
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        if _excluded(rec, exclude_case):
            continue
        key = _resource(path, i, "resource", rec.get("resource", ""), res)
        lang = (rec.get("lang") or "").strip()
        if lang not in LANGUAGES:
            raise DataFileError(f"{path.name}, row {i}, field 'lang': not one of {LANGUAGES}")
        term = (rec.get("term") or "").strip()
        if not term:
            raise DataFileError(f"{path.name}, row {i}, field 'term': empty")
        s, y = sourced_row(path, i, rec, src)
        terms.append(Term(key, lang, term, s, y))
    k.terms = tuple(terms)

    path = p("technologies.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        key = (rec.get("key") or "").strip()
        if not key or key in k.technologies:
            raise DataFileError(f"{path.name}, row {i}, field 'key': empty or duplicate")
        site = (rec.get("site") or "demand").strip()
        if site not in ("supply", "demand"):
            raise DataFileError(f"{path.name}, row {i}, field 'site': supply or demand")
        maturity = (rec.get("maturity") or "").strip()
        if maturity not in MATURITIES:
            raise DataFileError(f"{path.name}, row {i}, field 'maturity': one of {MATURITIES}")
        s, y = sourced_row(path, i, rec, src)
        k.technologies[key] = Technology(
            key=key, label_en=rec.get("label_en", key), label_no=rec.get("label_no", key),
            site=site, maturity=maturity,
            typical_scale=number_cell(path, i, "typical_scale", rec.get("typical_scale")),
            scale_unit=(rec.get("scale_unit") or "").strip(),
            annual_fixed_cost_nok=number_cell(path, i, "annual_fixed_cost_nok",
                                       rec.get("annual_fixed_cost_nok")),
            var_cost_nok_per_unit=number_cell(path, i, "var_cost_nok_per_unit",
                                       rec.get("var_cost_nok_per_unit")),
            source=s, year=y, estimate=(rec.get("estimate") or "").strip().lower() == "yes")

    path = p("pathways.csv")
    pathways = []
    seen_ids: set[str] = set()
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        if _excluded(rec, exclude_case):
            continue
        pid = (rec.get("id") or f"row{i}").strip()
        if pid in seen_ids:
            raise DataFileError(f"{path.name}, row {i}, field 'id': duplicate {pid!r}")
        seen_ids.add(pid)
        supply = _resource(path, i, "supply", rec.get("supply", ""), res)
        demand = _resource(path, i, "demand", rec.get("demand", ""), res)
        kind = (rec.get("kind") or "").strip()
        if kind not in ("direct", "via"):
            raise DataFileError(f"{path.name}, row {i}, field 'kind': direct or via")
        tech = (rec.get("technology") or "").strip()
        if kind == "via" and tech not in k.technologies:
            raise DataFileError(f"{path.name}, row {i}, field 'technology': unknown {tech!r}")
        rule = (rec.get("rule") or "none").strip() or "none"
        if rule not in _RULES:
            raise DataFileError(f"{path.name}, row {i}, field 'rule': unknown {rule!r}")
        yld = number_cell(path, i, "yield", rec.get("yield"), positive=True)
        s, y = sourced_row(path, i, rec, src)
        pathways.append(Pathway(
            id=pid, supply=supply, demand=demand, kind=kind,
            technology=tech if kind == "via" else "", yield_=1.0 if yld is None else yld,
            rule=rule, threshold=number_cell(path, i, "threshold", rec.get("threshold")),
            source=s, year=y, estimate=(rec.get("estimate") or "").strip().lower() == "yes",
            case=(rec.get("case") or "").strip()))
    k.pathways = tuple(pathways)

    path = p("densities.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        key = _resource(path, i, "resource", rec.get("resource", ""), res)
        form = (rec.get("form") or "").strip()
        if form not in ("loose", "solid", "bulk"):
            raise DataFileError(f"{path.name}, row {i}, field 'form': loose, solid or bulk")
        value = number_cell(path, i, "t_per_m3", rec.get("t_per_m3"), required=True, positive=True)
        s, y = sourced_row(path, i, rec, src)
        assert value is not None
        k.densities.setdefault((key, form), (value, s, y))
    path = p("heating_values.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        key = _resource(path, i, "resource", rec.get("resource", ""), res)
        basis = (rec.get("basis") or "").strip().lower()
        if basis not in ("nm3", "t"):
            raise DataFileError(f"{path.name}, row {i}, field 'basis': nm3 or t")
        value = number_cell(path, i, "mwh_per_unit", rec.get("mwh_per_unit"), required=True,
                     positive=True)
        s, y = sourced_row(path, i, rec, src)
        assert value is not None
        k.heating_values.setdefault((key, basis), (value, s, y))
    path = p("qualifier_kinds.csv")
    kinds = []
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        concept = _resource(path, i, "concept", rec.get("concept", ""), res)
        kind = _resource(path, i, "kind", rec.get("kind", ""), res)
        op = (rec.get("op") or "").strip()
        if op not in ("<", "<=", ">", ">="):
            raise DataFileError(f"{path.name}, row {i}, field 'op': one of < <= > >=")
        value = number_cell(path, i, "value", rec.get("value"), required=True)
        sourced_row(path, i, rec, src)
        assert value is not None
        kinds.append((concept, (rec.get("qualifier") or "").strip(), op, value, kind))
    k.qualifier_kinds = tuple(kinds)
    path = p("reach.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        half = number_cell(path, i, "half_km", rec.get("half_km"), required=True, positive=True)
        outer = number_cell(path, i, "outer_km", rec.get("outer_km"), required=True, positive=True)
        assert half is not None and outer is not None
        if outer < half:
            raise DataFileError(f"{path.name}, row {i}, field 'outer_km': below half_km")
        s, y = sourced_row(path, i, rec, src)
        k.reach[((rec.get("profile") or "").strip(), (rec.get("mode") or "").strip())] = (
            half, outer, s, y)
    return k


def _relation(offered: str, wanted_ancestors: list[str], offered_ancestors: list[str]
              ) -> str | None:
    """How ``offered`` relates to the wanted resource: the same, one kind of it, or a
    more generic concept than it (possible, needs confirmation)."""
    if offered == wanted_ancestors[0]:
        return "same"
    if wanted_ancestors[0] in offered_ancestors:
        return "kind_of"
    if offered in wanted_ancestors:
        return "generic"
    return None


def derive_links(knowledge: Knowledge, resources: Iterable[str],
                 rules: Mapping[tuple[str, str], tuple[str, float | None]]
                 ) -> dict[str, list[Link]]:
    """Every (supply resource -> demand resource) link the rules, the hierarchy and the
    pathways allow: per pair the best direct link and the best link through a technology.

    A pathway ``a -> b`` (or a quality rule, or the identity of a resource) serves a
    supply ``s`` when ``s`` is ``a`` or one of its kinds (full certainty) or a generic
    concept above ``a`` (half); it serves a demand ``d`` when ``b`` is ``d`` or one of its
    kinds (full) or a generic concept above ``d`` (half). A link keeps certainty of at
    least one half: one "needs confirmation" step at most.
    """
    keys = list(resources)
    anc = {r: knowledge.ancestors(r) for r in keys}
    # every way a resource is used: (input, output, rule, threshold, tech, yield, id)
    uses: list[tuple[str, str, str, float | None, str, float, str]] = []
    for (a, b), (rule, th) in rules.items():
        uses.append((a, b, rule, th, "", 1.0, ""))
    for r in keys:
        if (r, r) not in rules:
            # the identity takes the rule of the nearest concept that has one
            rule, th = next((rules[(x, x)] for x in anc[r] if (x, x) in rules), ("none", None))
            uses.append((r, r, rule, th, "", 1.0, ""))
    for pw in knowledge.pathways:
        uses.append((pw.supply, pw.demand, pw.rule if pw.kind == "direct" else "none",
                     pw.threshold if pw.kind == "direct" else None, pw.technology, pw.yield_,
                     pw.id))
    # index uses by input, expanded to everything the input may serve
    kids = knowledge.children()

    def descendants(r: str) -> list[str]:
        out, stack = [], [r]
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(kids.get(cur, ()))
        return out

    best: dict[tuple[str, str, bool], Link] = {}
    for a, b, rule, th, tech, yld, pid in uses:
        if a not in anc or b not in anc:
            continue
        tech_certainty = 1.0
        if tech:
            tech_certainty = VIA_CERTAINTY * _MATURITY_CERTAINTY[
                knowledge.technologies[tech].maturity]
        supplies = set(descendants(a)) | set(anc[a])
        demands = set(descendants(b)) | set(anc[b])
        for s in supplies:
            # s is a (same), one of its kinds, or a generic concept above it
            side_s = "same" if s == a else ("kind_of" if a in anc[s] else "generic")
            for d in demands:
                side_d = _relation(b, anc[d], anc[b])
                if side_d is None or (side_s == "kind_of" and side_d == "generic"):
                    continue  # siblings under one concept do not meet each other
                certainty = RELATIONS[side_s] * RELATIONS[side_d] * tech_certainty
                if s != d and not tech:
                    certainty *= SUBSTITUTION_CERTAINTY
                if certainty < _MIN_CERTAINTY or (tech and "generic" in (side_s, side_d)):
                    continue  # at most one uncertain step
                link = Link(supply=s, demand=d, rule=rule, threshold=th, supply_relation=side_s,
                            demand_relation=side_d, certainty=certainty, technology=tech,
                            yield_=yld, pathway=pid, via_resource=b if tech else "")
                key = (s, d, bool(tech))
                old = best.get(key)
                if old is None or _better(link, old):
                    best[key] = link
    out: dict[str, list[Link]] = {}
    for (s, _d, _via), link in sorted(best.items()):
        out.setdefault(s, []).append(link)
    return out


def _better(new: Link, old: Link) -> bool:
    """Direct before conversion, then certainty, then the more specific pathway, then a
    rule, then a pathway row (which names its source) over a bare compatibility rule."""
    def rank(x: Link) -> tuple[int, float, int, int, int]:
        specific = (x.supply_relation == "same") + (x.demand_relation == "same")
        return (0 if x.technology else 1, x.certainty, specific, 1 if x.rule != "none" else 0,
                1 if x.pathway else 0)
    return rank(new) > rank(old)
