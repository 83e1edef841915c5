"""Counties and municipalities from the official register, and what people type read as
register names.

The register is data (``symbiosis/data/``), each row with its source and year:

- ``counties.csv``: the 15 counties of 2024 (SSB KLASS 104) with their nynorsk, Sami and
  Kven names, the names and numbers they had before (``Troms og Finnmark`` 54, ``Viken``
  30, ``Hordaland`` ...);
- ``municipalities.csv``: the 357 municipalities of 2024 (SSB KLASS 131) with their
  numbers, county, parallel names and their 2020-2023 numbers;
- ``municipality_former_names.csv``: names of municipalities merged away since 1994,
  with the 2024 municipality each became part of (none when the source names no single
  one).

:meth:`Register.read` takes a county and a municipality as typed and returns the register
names, with warnings for what it read generously (a former name or number, letters
without ``æøå``) and problems for what it refuses (an unknown name, with the nearest
register names; a former county split in 2024 when the municipality does not say which
part; a county that contradicts the municipality). A municipality implies its county.

>>> reg = default_register()
>>> reg.read("troms", "").county
'Troms'
>>> got = reg.read("", "5501")
>>> got.county, got.municipality
('Troms', 'Tromsø')
>>> reg.read("Trom", "").problems[0].suggestions
('Troms',)
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from rapidfuzz import fuzz, process

from .errors import DataFileError
from .knowledge import data_path, read_rows, sourced_row
from .messages import LIST_SEPARATOR, said
from .model import Company, Park, Reason

__all__ = ["County", "Municipality", "FormerMunicipality", "PlaceNote", "Place", "Register",
           "load_register", "default_register", "place_key", "PlaceChange", "PlaceMigration",
           "migrate_places"]

_SUFFIXES = ("fylkeskommune", "fylke", "kommune", "herad", "municipality", "county")
_DASH = re.compile(r"\s*[-\u2010-\u2015]\s*")
_PARTS = re.compile(r"\s+[-\u2010-\u2015]\s+")
_QUALIFIED = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ŋ": "n", "đ": "d", "ŧ": "t",
                       "ä": "a", "ö": "o"})
#: how close (0-100) a name must be to be offered as a suggestion
SUGGEST_ABOVE = 70.0


def place_key(text: str) -> str:
    """What two spellings of one place have in common: case, spacing, dashes and a
    trailing ``kommune``, ``fylke`` or ``herad`` do not count.

    >>> place_key("  Møre  og Romsdal fylke")
    'møre og romsdal'
    >>> place_key("Porsanger – Porsáŋgu")
    'porsanger-porsáŋgu'
    """
    key = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    for suffix in _SUFFIXES:
        if key.endswith(" " + suffix):
            key = key[: -len(suffix) - 1]
            break
    return _DASH.sub("-", key)


def _fold(key: str) -> str:
    """``key`` without Norwegian and Sami letters or accents."""
    text = unicodedata.normalize("NFKD", key.translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@dataclass(frozen=True)
class County:
    number: str
    name: str
    #: nynorsk, Sami and Kven names and the official name with its parallel forms
    other_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    former_numbers: tuple[str, ...] = ()
    source: str = ""
    year: int = 0


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str
    county: str  # the county's number
    other_names: tuple[str, ...] = ()
    #: the numbers it had in 2020-2023
    former_numbers: tuple[str, ...] = ()
    source: str = ""
    year: int = 0


@dataclass(frozen=True)
class FormerMunicipality:
    name: str
    number: str
    valid: str  # e.g. "-2019", "2018-2019"
    successor: str | None  # 2024 number, or None when the source names no single one
    source: str = ""
    year: int = 0


@dataclass(frozen=True)
class PlaceNote:
    """A warning about, or a problem with, one field: ``county`` or ``municipality``.

    ``code``: ``former_name``, ``former_number``, ``spelling`` (warnings); ``unknown``,
    ``ambiguous``, ``divided``, ``contradicts`` (problems)."""

    field: str
    code: str
    message: str
    value: str = ""
    #: the nearest register names, for an unknown or ambiguous value
    suggestions: tuple[str, ...] = ()
    #: the message as a code with its parameters (``message`` is its English)
    reason: Reason | None = None


def _note(field: str, code: str, key: str, value: str, suggestions: tuple[str, ...] = (),
          **params: object) -> PlaceNote:
    """A note whose message is the catalogue's ``place.<key>``."""
    message, reason = said(f"place.{key}", **params)
    return PlaceNote(field, code, message, value, suggestions, reason)


def _items(names: Iterable[str]) -> str:
    """Names as a list parameter of a message."""
    return LIST_SEPARATOR.join(names)


@dataclass(frozen=True)
class Place:
    """County and municipality as register names (``None`` when not given or refused)."""

    county: str | None = None
    municipality: str | None = None
    municipality_number: str | None = None
    warnings: tuple[PlaceNote, ...] = ()
    problems: tuple[PlaceNote, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Reading:
    """Register numbers one text may mean, and how it was read."""

    numbers: tuple[str, ...] = ()
    warning: PlaceNote | None = None
    problem: PlaceNote | None = None


class Register:
    """The counties and municipalities of one register version, with lookups by name."""

    def __init__(self, counties: Iterable[County], municipalities: Iterable[Municipality],
                 former: Iterable[FormerMunicipality] = ()):
        self.counties = {c.number: c for c in counties}
        self.municipalities = {m.number: m for m in municipalities}
        self.former = tuple(former)
        self._county_names = self._index((c.number, (c.name, *c.other_names))
                                         for c in self.counties.values())
        self._county_former: dict[str, set[str]] = defaultdict(set)
        self._county_former_numbers: dict[str, set[str]] = defaultdict(set)
        for c in self.counties.values():
            for name in c.former_names:
                if place_key(name) not in self._county_names:
                    self._county_former[place_key(name)].add(c.number)
            for n in c.former_numbers:
                if n not in self.counties:
                    self._county_former_numbers[n].add(c.number)
        self._names = self._index((m.number, (m.name, *m.other_names))
                                  for m in self.municipalities.values())
        self._former_numbers: dict[str, set[str]] = defaultdict(set)
        for m in self.municipalities.values():
            for n in m.former_numbers:
                if n != m.number:
                    self._former_numbers[n].add(m.number)
        self._former_names: dict[str, list[FormerMunicipality]] = defaultdict(list)
        #: former names by their name without a county ("Bø (Telemark)" under "bø"), for
        #: a name that is now another municipality's, told apart by the county
        self._former_bases: dict[str, list[FormerMunicipality]] = defaultdict(list)
        for f in self.former:
            keys = {place_key(f.name), *(place_key(p) for p in _PARTS.split(f.name))}
            for key in keys - set(self._names):
                self._former_names[key].append(f)
            qualified = _QUALIFIED.match(f.name)
            if qualified and f.successor:
                self._former_bases[place_key(qualified.group(1))].append(f)
        self._folded_counties = self._folds(self._county_names)
        self._folded = self._folds(self._names)

    @staticmethod
    def _index(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for number, names in entries:
            for name in names:
                key = place_key(name)
                if key and number not in out[key]:
                    out[key].append(number)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _folds(index: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        out: dict[str, set[str]] = defaultdict(set)
        for key, numbers in index.items():
            out[_fold(key)].update(numbers)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    # -- lists -------------------------------------------------------------------
    def county_names(self) -> list[str]:
        """The counties' names, alphabetical (for drop-downs)."""
        return sorted((c.name for c in self.counties.values()), key=_fold)

    def label(self, number: str) -> str:
        """A municipality's name, with its county where two municipalities share it."""
        m = self.municipalities[number]
        if len(self._names.get(place_key(m.name), ())) > 1:
            return f"{m.name} ({self.counties[m.county].name})"
        return m.name

    def municipality_labels(self) -> list[str]:
        return sorted((self.label(n) for n in self.municipalities), key=_fold)

    def municipality_name(self, text: str) -> str | None:
        """The register name ``text`` reads as, also when two municipalities share it
        (for filters: "Våler" is both Våler in Østfold and Våler in Innlandet)."""
        names = {self.municipalities[n].name for n in self._read_municipality(text).numbers}
        return names.pop() if len(names) == 1 else None

    # -- reading what people type --------------------------------------------------
    def _suggest(self, text: str, names: Iterable[str]) -> tuple[str, ...]:
        choices = sorted(set(names))
        found = process.extract(place_key(text), {n: place_key(n) for n in choices},
                                scorer=fuzz.WRatio, limit=3, score_cutoff=SUGGEST_ABOVE)
        return tuple(name for _, _, name in found)

    def _read_county(self, text: str) -> _Reading:
        key = place_key(text)
        if key.isdigit() and len(key) <= 2:
            number = key.zfill(2)
            if number in self.counties:
                return _Reading((number,))
            if number in self._county_former_numbers:
                return self._former_county(text, sorted(self._county_former_numbers[number]),
                                           "former_number", number)
            return _Reading(problem=_note("county", "unknown", "county_number", text,
                                          number=number))
        if key in self._county_names:
            return _Reading(self._county_names[key])
        elif key in self._county_former:
            return self._former_county(text, sorted(self._county_former[key]), "former_name",
                                       text.strip())
        elif _fold(key) in self._folded_counties:
            numbers = self._folded_counties[_fold(key)]
            return _Reading(numbers, _note(
                "county", "spelling", "spelling", text, text=text.strip(),
                names_and=_items(self.counties[n].name for n in numbers)))
        names = [c.name for c in self.counties.values()]
        hint = self._suggest(text, [*names, *(n for c in self.counties.values()
                                              for n in c.other_names)])
        hint = tuple(dict.fromkeys(self.counties[self._county_names[place_key(h)][0]].name
                                   for h in hint))
        if hint:
            return _Reading(problem=_note("county", "unknown", "county_unknown_near", text,
                                          hint, text=text.strip(), near_and=_items(hint)))
        return _Reading(problem=_note("county", "unknown", "county_unknown", text, hint,
                                      text=text.strip(),
                                      counties_and=_items(self.county_names())))

    def _former_county(self, text: str, numbers: list[str], code: str, what: str
                       ) -> _Reading:
        """``what``: the former county's number or name, as ``code`` says."""
        names = _items(self.counties[n].name for n in numbers)
        how = "read" if len(numbers) == 1 else "divided"
        return _Reading(tuple(numbers), _note(
            "county", code, f"county_{code}_{how}", text, what=what, names_and=names))

    def _read_municipality(self, text: str) -> _Reading:
        key = place_key(text)
        if key.isdigit() and len(key) in (3, 4):
            number = key.zfill(4)
            if number in self.municipalities:
                return _Reading((number,))
            if number in self._former_numbers:
                found = sorted(self._former_numbers[number])
                return _Reading(tuple(found), _note(
                    "municipality", "former_number", "municipality_former_number", text,
                    number=number, names_and=self._names_of(found)))
            return _Reading(problem=_note("municipality", "unknown", "municipality_number",
                                          text, number=number))
        if key in self._names:
            return _Reading(self._names[key])
        parts = [place_key(p) for p in _PARTS.split(text.strip())]
        if len(parts) > 1:  # an official name with its parallel forms, in any order
            meant = {self._names[p] for p in parts if p in self._names}
            if len(meant) == 1:
                return _Reading(meant.pop())
        if key in self._former_names:
            return self._former_municipality(text, self._former_names[key])
        qualified = _QUALIFIED.match(text.strip())
        if qualified:  # "Bø (Telemark)": a name with its county
            base = self._read_municipality(qualified.group(1))
            county = self._read_county(qualified.group(2))
            if base.numbers and county.numbers:
                fit = tuple(n for n in base.numbers
                            if self.municipalities[n].county in county.numbers)
                if fit:
                    return _Reading(fit, base.warning)
        if _fold(key) in self._folded:
            numbers = self._folded[_fold(key)]
            return _Reading(numbers, _note(
                "municipality", "spelling", "spelling", text, text=text.strip(),
                names_and=self._names_of(numbers)))
        hint = self._suggest(text, (self.label(n) for n in self.municipalities))
        if hint:
            return _Reading(problem=_note("municipality", "unknown",
                                          "municipality_unknown_near", text, hint,
                                          text=text.strip(), near_and=_items(hint)))
        return _Reading(problem=_note("municipality", "unknown", "municipality_unknown",
                                      text, hint, text=text.strip()))

    def _former_municipality(self, text: str, former: list[FormerMunicipality]) -> _Reading:
        successors = sorted({f.successor for f in former if f.successor})
        # "-2019" is "until 2019", in the reader's language
        valid = _items(sorted({f.valid for f in former},
                              key=lambda v: ("until " + v[1:]) if v.startswith("-") else v))
        if not successors or any(f.successor is None for f in former):
            return _Reading(problem=_note("municipality", "divided", "municipality_divided",
                                          text, text=text.strip(), valid_and=valid))
        return _Reading(tuple(successors), _note(
            "municipality", "former_name", "municipality_former_name", text,
            text=text.strip(), valid_and=valid, names_and=self._names_of(successors)))

    def _former_in(self, text: str, counties: Iterable[str]) -> _Reading | None:
        """A former municipality of this name in one of ``counties`` ("Bø" in Telemark is
        the former Bø (Telemark), now Midt-Telemark)."""
        inside = set(counties)
        former = [f for f in self._former_bases.get(place_key(text), ())
                  if f.successor and self.municipalities[f.successor].county in inside]
        return self._former_municipality(text, former) if former else None

    def _names_of(self, numbers: Iterable[str]) -> str:
        """Municipalities with their numbers, as a list parameter of a message."""
        return _items(f"{self.label(n)} ({n})" for n in numbers)

    def read(self, county: str | None, municipality: str | None) -> Place:
        """The county and municipality as register names.

        A municipality decides the county: it fills an empty county, says which part of a
        former county it is in, and a county that does not contain it is a problem.
        """
        county, municipality = (county or "").strip(), (municipality or "").strip()
        warnings: list[PlaceNote] = []
        problems: list[PlaceNote] = []
        c = self._read_county(county) if county else _Reading()
        m = self._read_municipality(municipality) if municipality else _Reading()
        if m.numbers and c.numbers and not any(
                self.municipalities[n].county in c.numbers for n in m.numbers):
            m = self._former_in(municipality, c.numbers) or m
        for reading in (c, m):
            if reading.warning is not None:
                warnings.append(reading.warning)
            if reading.problem is not None:
                problems.append(reading.problem)
        chosen: str | None = None
        if m.numbers:
            fit = [n for n in m.numbers if not c.numbers
                   or self.municipalities[n].county in c.numbers]
            if len(fit) == 1:
                chosen = fit[0]
            elif fit:
                choices = tuple(self.label(n) for n in fit)
                problems.append(_note(
                    "municipality", "ambiguous", "municipality_ambiguous_"
                    + ("in_county" if c.numbers else "anywhere"), municipality, choices,
                    text=municipality, names_or=self._names_of(fit)))
            else:
                where = _items(sorted({self.counties[self.municipalities[n].county].name
                                       for n in m.numbers}))
                problems.append(_note(
                    "county", "contradicts", "county_contradicts", county, text=county,
                    names_and=self._names_of(m.numbers), where_and=where))
        got_county: str | None = None
        if chosen is not None:
            got_county = self.counties[self.municipalities[chosen].county].name
            if c.warning is not None and len(c.numbers) > 1:  # the municipality said which
                inner = c.warning.reason
                assert inner is not None
                said_first: dict[str, Any] = dict(inner.mapping)
                warnings[warnings.index(c.warning)] = _note(
                    "county", c.warning.code, "located", county, **said_first,
                    detail_code=inner.code, municipality=self.label(chosen),
                    county=got_county)
        elif len(c.numbers) == 1:
            got_county = self.counties[c.numbers[0]].name
        elif c.numbers and not (m.numbers and problems):
            choices = tuple(self.counties[n].name for n in c.numbers)
            problems.append(_note(
                "county", "ambiguous", "county_divided", county, choices, text=county,
                names_and=_items(choices)))
        failed = {p.field for p in problems}
        warnings = [w for w in warnings if w.field not in failed]
        return Place(county=got_county,
                     municipality=self.municipalities[chosen].name if chosen else None,
                     municipality_number=chosen, warnings=tuple(warnings),
                     problems=tuple(problems))


def _names(rec: Mapping[str, str], *fields: str) -> tuple[str, ...]:
    out: list[str] = []
    for f in fields:
        out += [n.strip() for n in (rec.get(f) or "").split("|") if n.strip()]
    return tuple(dict.fromkeys(out))


def _number(path: Path, row: int, field: str, text: str, digits: int) -> str:
    if not re.fullmatch(rf"\d{{{digits}}}", text):
        raise DataFileError(f"{path.name}, row {row}, field '{field}': {digits} digits "
                            f"expected (got {text!r})")
    return text


def load_register(*, data_dir: str | Path | None = None) -> Register:
    """Load and validate the register files (every row with a known source and a year)."""
    def p(name: str) -> Path:
        return Path(data_dir) / name if data_dir else data_path(name)

    sources = {(r.get("key") or "").strip() for r in read_rows(p("sources_register.csv"))}
    counties: list[County] = []
    path = p("counties.csv")
    for i, rec in enumerate(read_rows(path), start=2):
        number = _number(path, i, "number", (rec.get("number") or "").strip(), 2)
        name = (rec.get("name") or "").strip()
        if not name:
            raise DataFileError(f"{path.name}, row {i}, field 'name': empty")
        src, year = sourced_row(path, i, rec, sources)
        counties.append(County(
            number, name, _names(rec, "name_nn", "name_se", "alt_names"),
            _names(rec, "former_names"),
            tuple(_number(path, i, "former_numbers", n, 2)
                  for n in _names(rec, "former_numbers")), src, year))
    by_number = {c.number for c in counties}
    if len(by_number) != len(counties):
        raise DataFileError(f"{path.name}: a county number appears twice")
    municipalities: list[Municipality] = []
    path = p("municipalities.csv")
    for i, rec in enumerate(read_rows(path), start=2):
        number = _number(path, i, "number", (rec.get("number") or "").strip(), 4)
        county = (rec.get("county_number") or "").strip()
        if county not in by_number:
            raise DataFileError(f"{path.name}, row {i}, field 'county_number': no county "
                                f"{county!r}")
        name = (rec.get("name") or "").strip()
        if not name:
            raise DataFileError(f"{path.name}, row {i}, field 'name': empty")
        src, year = sourced_row(path, i, rec, sources)
        municipalities.append(Municipality(
            number, name, county, _names(rec, "name_nn", "alt_names"),
            tuple(_number(path, i, "former_numbers", n, 4)
                  for n in _names(rec, "former_numbers")), src, year))
    if len({m.number for m in municipalities}) != len(municipalities):
        raise DataFileError(f"{path.name}: a municipality number appears twice")
    known = {m.number for m in municipalities}
    former: list[FormerMunicipality] = []
    path = p("municipality_former_names.csv")
    for i, rec in enumerate(read_rows(path, optional=True), start=2):
        name = (rec.get("name") or "").strip()
        successor = (rec.get("successor") or "").strip() or None
        if not name:
            raise DataFileError(f"{path.name}, row {i}, field 'name': empty")
        if successor is not None and successor not in known:
            raise DataFileError(f"{path.name}, row {i}, field 'successor': no municipality "
                                f"{successor!r}")
        src, year = sourced_row(path, i, rec, sources)
        former.append(FormerMunicipality(name, (rec.get("number") or "").strip(),
                                         (rec.get("valid") or "").strip(), successor, src,
                                         year))
    return Register(counties, municipalities, former)


@lru_cache(maxsize=1)
def default_register() -> Register:
    """The shipped register (the 2024 structure), loaded once."""
    return load_register()


# -- stores written before the register -------------------------------------------------
@dataclass(frozen=True)
class PlaceChange:
    """A company's or park's county and municipality before and after."""

    kind: str  # company | park
    id: str
    before: tuple[str | None, str | None]
    after: tuple[str | None, str | None]


@dataclass(frozen=True)
class PlaceMigration:
    """What :func:`migrate_places` changed, what it could not match (left as it was) and
    the companies and parks to write."""

    changed: tuple[PlaceChange, ...] = ()
    #: (kind, id, the problem): the field named stays as it was
    unmatched: tuple[tuple[str, str, PlaceNote], ...] = ()
    warnings: tuple[tuple[str, str, PlaceNote], ...] = ()
    companies: tuple[Company, ...] = ()
    parks: tuple[Park, ...] = ()


_Placed = TypeVar("_Placed", Company, Park)


def migrate_places(companies: Iterable[Company], parks: Iterable[Park], *,
                   register: Register | None = None) -> PlaceMigration:
    """Companies and parks with register names for their county and municipality.

    A field the register refuses keeps its value and is listed in ``unmatched``; the other
    field is still rewritten. Places outside Norway are left alone.

    >>> got = migrate_places([Company("a", "A", 69.6, 19.0, county="troms"),
    ...                       Company("b", "B", 69.6, 19.0, municipality="5501")], [])
    >>> [(c.id, c.county, c.municipality) for c in got.companies]
    [('a', 'Troms', None), ('b', 'Troms', 'Tromsø')]
    """
    reg = register or default_register()
    changed: list[PlaceChange] = []
    unmatched: list[tuple[str, str, PlaceNote]] = []
    warnings: list[tuple[str, str, PlaceNote]] = []

    def fix(kind: str, item: _Placed) -> _Placed | None:
        if item.country not in (None, "", "NO") or not (item.county or item.municipality):
            return None
        got = reg.read(item.county, item.municipality)
        failed = {p.field for p in got.problems}
        unmatched.extend((kind, item.id, p) for p in got.problems)
        warnings.extend((kind, item.id, w) for w in got.warnings)
        county = item.county if "county" in failed else got.county
        municipality = item.municipality if "municipality" in failed else got.municipality
        if (county, municipality) == (item.county, item.municipality):
            return None
        changed.append(PlaceChange(kind, item.id, (item.county, item.municipality),
                                   (county, municipality)))
        return dataclasses.replace(item, county=county, municipality=municipality)

    fixed_companies = [c for c in (fix("company", c) for c in companies) if c is not None]
    fixed_parks = [p for p in (fix("park", p) for p in parks) if p is not None]
    return PlaceMigration(tuple(changed), tuple(unmatched), tuple(warnings),
                          tuple(fixed_companies), tuple(fixed_parks))
