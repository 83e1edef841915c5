"""Words for reason codes, in English and bokmål, from ``data/messages.csv``.

The core returns :class:`~symbiosis.model.Reason` codes with their numbers; the edges (CLI,
pages, API) call :func:`render` with a language. Numbers follow the language: ``1,200.5``
in English, ``1 200,5`` in bokmål.

>>> from symbiosis.model import Reason
>>> render(Reason.of("co2_avoided", t_per_year=1234.4), "nb")
'unngår 1\\xa0234 t CO2/år'
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, TypeVar

from .errors import RowError, SymbiosisError
from .model import Reason

__all__ = ["render", "render_all", "catalogue", "format_number", "format_date", "message",
           "listing", "row_error", "error", "said", "word", "LANGS", "Words", "renderer"]

LANGS = ("en", "nb")
_RESOURCE_PARAMS = {"supply", "demand", "output", "resource"}
#: parameters that are a word of the catalogue: (parameter, prefix of its code)
_WORD_PARAMS = {"demand_kind": "applies_to", "applies_to": "applies_to", "country": "country"}
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_INTEGER_PARAMS = {"amount", "nok_per_year", "nok_per_km_year", "t_per_year", "needed"}
#: factors: small numbers shown to their fourth significant digit (0.0152, not 0.02)
_FACTOR_PARAMS = {"ef"}
#: numbers shown with a fixed count of decimals
_FIXED_PARAMS = {"confidence": 2}
E = TypeVar("E", bound=SymbiosisError)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    path = Path(str(importlib_resources.files("symbiosis") / "data" / "messages.csv"))
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["code"]: {lang: r[lang] for lang in LANGS} for r in csv.DictReader(fh)}


def _lang(lang: str) -> str:
    return "nb" if lang in ("nb", "no", "nn") else "en"


def format_number(value: float, lang: str = "en", *, digits: int | None = None,
                  trim: bool = True) -> str:
    """``1,234.5`` (en) or ``1 234,5`` (nb, with a no-break space as the thousands
    separator, a decimal comma and a minus sign). ``digits`` decimals (default: by size);
    ``trim`` drops trailing zeros of the decimals.

    >>> format_number(1200.5, "nb", digits=1), format_number(-3.10, "en", digits=2)
    ('1\xa0200,5', '-3.1')
    >>> format_number(0.5, "nb", digits=2, trim=False)
    '0,50'
    """
    return _number(value, _lang(lang) == "nb", digits, trim)


def _number(value: float, nb: bool, digits: int | None, trim: bool = True) -> str:
    if digits is None:
        digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{digits}f}"
    if digits and trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":  # no "-0"
        text = text.lstrip("-")
    if nb:
        return text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
    return text


def format_date(value: str, lang: str = "en") -> str:
    """An ISO date or time as a reader writes it: ``2026-11-24`` or ``2026-11-24 14:05 UTC``
    (en), ``24.11.2026`` or ``24.11.2026 kl. 14.05 UTC`` (nb). Text that is not an ISO
    date is returned as it is.

    >>> format_date("2026-11-24T14:05:09+00:00", "nb")
    '24.11.2026 kl. 14.05 UTC'
    >>> format_date("2026-11-24", "en")
    '2026-11-24'
    """
    text = str(value or "")
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    nb = _lang(lang) == "nb"
    day = when.strftime("%d.%m.%Y") if nb else when.strftime("%Y-%m-%d")
    if len(text) <= 10:
        return day
    zone = " UTC" if when.utcoffset() == datetime.timedelta(0) else ""
    return f"{day} kl. {when:%H.%M}{zone}" if nb else f"{day} {when:%H:%M}{zone}"


def _word(code: str, lang: str, default: str) -> str:
    entry = catalogue().get(code)
    return entry[_lang(lang)] if entry else default


def word(code: str, lang: str = "en", default: str | None = None) -> str:
    """One word of the catalogue (a status, what a factor applies to ...), or ``default``
    (the code itself) when the catalogue has none.

    >>> word("status.operating", "nb")
    'i drift'
    """
    return _word(code, lang, code if default is None else default)


#: a list parameter: names separated by this, written "a, b and c" (``*_and``) or
#: "a, b or c" (``*_or``) in the reader's language
LIST_SEPARATOR = "|"


def listing(names: Iterable[str], lang: str = "en", last: str = "and") -> str:
    """Names in a sentence: ``a, b and c`` (``og`` in bokmål; ``or``: ``eller``).

    >>> listing(["Troms", "Finnmark"], "nb", "or")
    'Troms eller Finnmark'
    """
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    word = _word(f"word.{last}", lang, last)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def message(code: str, lang: str = "en", **params: str | float | int | bool | None) -> str:
    """The catalogue's words for ``code`` with ``params``, in ``lang``.

    >>> message("error.at_least", "nb", low_g=-90)
    'må være minst −90'
    """
    return render(Reason.of(code, **params), lang)


def render(reason: Reason, lang: str = "en", *,
           label: Callable[[str], str] | None = None,
           tech_label: Callable[[str], str] | None = None,
           mode_label: Callable[[str], str] | None = None) -> str:
    """The reason in words. ``label`` names a resource key in ``lang`` (defaults to the
    key itself); ``tech_label`` and ``mode_label`` likewise for technologies and modes."""
    lang = _lang(lang)
    entry = catalogue().get(reason.code)
    params = reason.mapping
    if entry is None:
        return f"{reason.code} " + " ".join(f"{k}={v}" for k, v in reason.params)
    out: dict[str, str] = {}
    nb = lang == "nb"
    for key, value in params.items():
        if key.endswith("_code") and isinstance(value, str):
            # another message inside this one, made of the same parameters
            inner = {k: v for k, v in reason.params if k != key}
            out[key[:-5]] = render(Reason(value, tuple(inner.items())), lang, label=label,
                                   tech_label=tech_label, mode_label=mode_label)
        elif key.endswith(("_and", "_or")) and isinstance(value, str):
            last = "and" if key.endswith("_and") else "or"
            # a period "-2019" is "until 2019"
            items = [_word("word.until", lang, "until") + " " + x[1:]
                     if x.startswith("-") and x[1:].isdigit() else x
                     for x in value.split(LIST_SEPARATOR) if x]
            out[key] = listing(items, lang, last)
        elif key in _RESOURCE_PARAMS and isinstance(value, str):
            out[key] = label(value) if label else value
        elif isinstance(value, bool) or value is None:
            out[key] = "" if value is None else str(value)
        elif isinstance(value, int | float) and key in _FACTOR_PARAMS:
            text = f"{float(value):.4g}"
            out[key] = text.replace(".", ",") if lang == "nb" else text
        elif isinstance(value, int | float) and key.endswith("_g"):
            text = f"{float(value):g}"
            out[key] = text.replace(".", ",").replace("-", "\u2212") if lang == "nb" else text
        elif isinstance(value, int | float) and key in _FIXED_PARAMS:
            out[key] = format_number(float(value), lang, digits=_FIXED_PARAMS[key],
                                     trim=False)
        elif key in _WORD_PARAMS and isinstance(value, str):
            out[key] = _word(f"{_WORD_PARAMS[key]}.{value}", lang, value)
        elif key == "conversion" and isinstance(value, str) and lang == "nb":
            out[key] = _DECIMAL_POINT.sub(",", value)  # "1 lm3 = 0,3 t (source, year)"
        elif key.endswith("_date") and isinstance(value, str):
            out[key] = format_date(value, lang)
        elif key == "status" or key.endswith("_status"):
            out[key] = _word(f"status.{value}", lang, str(value))
        elif key == "suggested" and isinstance(value, str):
            out[key] = _suggestions(value, lang, label)
        elif isinstance(value, int | float):
            if key in _FACTOR_PARAMS:
                text = f"{float(value):.4g}"
                out[key] = text.replace(".", ",") if nb else text
            else:
                out[key] = _number(float(value), nb, 0 if key in _INTEGER_PARAMS else None)
        else:
            out[key] = str(value)
    if reason.code == "resource_match":
        rel = ""
        if "generic" in (params.get("supply_relation"), params.get("demand_relation")):
            rel = _word("relation.generic", lang, "")
        elif params.get("demand_relation") == "kind_of":
            rel = _word("relation.demand.kind_of", lang, "")
        elif params.get("supply_relation") == "kind_of":
            rel = _word("relation.supply.kind_of", lang, "")
        if params.get("substitution"):
            rel += _word("relation.substitution", lang, "")
        rule = params.get("rule") or "none"
        rule_text = "" if rule == "none" else _word(f"rule.{rule}", lang, "")
        out["relation"] = rel.format(**out)
        out["rule"] = rule_text.format(**out)
    if "technology" in out and tech_label and out["technology"]:
        out["technology"] = tech_label(out["technology"])
    if "mode" in out and mode_label:
        out["mode"] = mode_label(out["mode"])
    if "maturity" in out:
        out["maturity"] = _word(f"maturity.{out['maturity']}", lang, out["maturity"])
    if "bound" in out:
        out["bound"] = _word(f"word.{out['bound']}", lang, out["bound"])
    if "site" in out:
        out["site"] = _word(f"word.{out['site']}_side", lang, out["site"])
    if "sides" in out:
        out["sides"] = ", ".join(_word(f"word.{x}", lang, x) for x in out["sides"].split(",")
                                 if x)
    if "rule" in out and reason.code == "quality_unknown":
        out["rule"] = _word(f"rule.{out['rule']}.name", lang, out["rule"])
    if reason.code == "co2_avoided":
        out["factor_text"] = _word("co2_avoided.factor", lang, "").format_map(_Missing(out)) \
            if params.get("factor") else ""
    if reason.code == "fixed_cost":
        tech = params.get("technology")
        out["facility"] = _word("fixed_cost.facility", lang, "").format(**out) if tech else ""
    try:
        return entry[lang].format(**out)
    except (KeyError, IndexError):
        return entry["en"].format_map(_Missing(out))


def _suggestions(value: str, lang: str, label: Callable[[str], str] | None) -> str:
    """``key:0.42|key2:0.3`` as ``key (0.42), key2 (0.30)`` (``none`` when empty)."""
    out = []
    for part in value.split(LIST_SEPARATOR):
        key, _, conf = part.rpartition(":")
        if key:
            name = label(key) if label else key
            out.append(f"{name} ({format_number(float(conf), lang, digits=2, trim=False)})")
    return ", ".join(out) or _word("word.none", lang, "none")


def said(code: str, **params: Any) -> tuple[str, Reason]:
    """A message's English and its code with parameters, for an error or note that the
    edges say again in the reader's language."""
    reason = Reason.of(code, **params)
    return render(reason, "en"), reason


def row_error(file: str, row: int, field: str, code: str, value: str = "", *,
              suggestions: tuple[tuple[str, float], ...] = (), kind: str = "",
              **params: Any) -> RowError:
    """A :class:`RowError` whose message is the catalogue's ``error.<code>``; ``kind`` is
    its :attr:`RowError.code` (what kind of problem, for callers that act on it).

    >>> e = row_error("f.csv", 2, "lat", "at_least", "-99", low_g=-90)
    >>> e.message, render(e.reason, "nb")
    ('must be at least -90', 'må være minst −90')
    """
    text, reason = said(f"error.{code}", **params)
    return RowError(file, row, field, text, value, suggestions, kind, reason)


def error(cls: type[E], code: str, *args: Any, **params: Any) -> E:
    """``cls(*args, english)`` carrying the message's code and parameters as its
    ``reason``."""
    text, reason = said(code, **params)
    exc = cls(*args, text)
    exc.reason = reason
    return exc


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def render_all(reasons: Iterable[Reason], lang: str = "en", **kw: Callable[[str], str]
               ) -> list[str]:
    return [render(r, lang, **kw) for r in reasons]  # type: ignore[arg-type]


#: a parameter left open in a template: its place while the reason is rendered
_OPEN = "\x00{}\x00"
_OPEN_SPLIT = re.compile("\x00([0-9]+)\x00")
#: parameters :func:`render` reads for more than their number (words, lists, rules)
_NOT_PLAIN = {"status", "technology", "mode", "maturity", "bound", "site", "sides", "rule",
              "factor", "substitution", "supply_relation", "demand_relation", "conversion",
              "suggested", *_RESOURCE_PARAMS, *_WORD_PARAMS, *_FACTOR_PARAMS, *_FIXED_PARAMS}


def _plain_number(key: str) -> bool:
    """Whether :func:`render` writes a number of parameter ``key`` as
    :func:`format_number` does by its size (or whole, :data:`_INTEGER_PARAMS`) and reads
    it for nothing else."""
    return key not in _NOT_PLAIN and not key.endswith(
        ("_code", "_and", "_or", "_g", "_date", "_status"))


class Words:
    """:func:`render` bound to a taxonomy's resource, technology and mode names and to a
    language: call it with a reason for its words.

    Many candidates share a reason (a link's resources and rule, a unit conversion): its
    words are made once. Many more share all of a reason but a number or two (the km of a
    distance, the NOK of a value): :meth:`template` writes such a reason once with those
    numbers left open, :meth:`numbers` writes the numbers, and ``template.format(*texts)``
    reads exactly as the whole reason rendered.

    Examples
    --------
    >>> from symbiosis.taxonomy import default_taxonomy
    >>> words = Words(default_taxonomy(), "nb")
    >>> net = Reason.of("net_value", nok_per_year=1234.4)
    >>> text = words.template(net, ("nok_per_year",))
    >>> text
    'nettoverdi {0} kr/år'
    >>> text.format(*words.numbers("nok_per_year", [98765.4]))
    'nettoverdi 98\xa0765 kr/år'
    """

    def __init__(self, taxonomy: object, lang: str = "en"):
        from .taxonomy import Taxonomy

        assert isinstance(taxonomy, Taxonomy)
        self._tax = taxonomy
        self.lang = lang
        self._nb = _lang(lang) == "nb"
        self._code = "no" if self._nb else "en"
        self._modes = taxonomy.mode_labels(self._code)
        self._made: dict[Reason, str] = {}
        self._templates: dict[tuple[Reason, tuple[str, ...], int], str | None] = {}
        self._by_size: dict[float, str] = {}

    def label(self, key: str) -> str:
        try:
            return self._tax.resource(key).label(self._code)
        except KeyError:
            return key

    def tech(self, key: str) -> str:
        t = self._tax.knowledge.technologies.get(key)
        return key if t is None else (t.label_no if self._code == "no" else t.label_en)

    def mode(self, key: str) -> str:
        return self._modes.get(key, key)

    def __call__(self, reason: Reason) -> str:
        text = self._made.get(reason)
        if text is None:
            if len(self._made) > 100_000:
                self._made.clear()
            text = self._made[reason] = render(reason, self.lang, label=self.label,
                                               tech_label=self.tech, mode_label=self.mode)
        return text

    def template(self, reason: Reason, open_params: Sequence[str], first: int = 0
                 ) -> str | None:
        """The words of ``reason`` as a :meth:`str.format` template whose fields
        ``{first}``, ``{first + 1}``, ... stand for the parameters named in ``open_params``
        (written by :meth:`numbers`); ``None`` when they cannot be left open (a parameter
        that is not a plain number, or words that would not read the same).

        ``reason`` gives the other parameters and, for the open ones, numbers the template
        is checked with against :func:`render`.
        """
        slots = tuple(open_params)
        blank = dict(reason.params)
        numbers: list[str] = []
        for n, key in enumerate(slots):
            value = blank.get(key)
            if not _plain_number(key) or not isinstance(value, int | float) \
                    or isinstance(value, bool):
                return None
            numbers += self.numbers(key, [value])
            blank[key] = _OPEN.format(n)
        marked = Reason(reason.code, tuple(blank.items()))
        known = (marked, slots, first)
        if known in self._templates:
            return self._templates[known]
        text = render(marked, self.lang, label=self.label, tech_label=self.tech,
                      mode_label=self.mode)
        pieces = _OPEN_SPLIT.split(text)
        made: str | None = None
        if "\x00" not in "".join(pieces[::2]) and all(int(n) < len(slots)
                                                      for n in pieces[1::2]):
            made = "".join(f"{{{first + int(piece)}}}" if k % 2 else
                           piece.replace("{", "{{").replace("}", "}}")
                           for k, piece in enumerate(pieces))
            if made.format(*([""] * first), *numbers) != self(reason):
                made = None
        self._templates[known] = made
        return made

    def numbers(self, key: str, values: Iterable[float | None]) -> list[str]:
        """Numbers (floats or ints; ``None`` is empty) of the plain-number parameter
        ``key`` as the words of a reason write them: whole for an amount, a value or a
        tonnage (:data:`_INTEGER_PARAMS`), else to a precision by size.

        >>> from symbiosis.taxonomy import default_taxonomy
        >>> Words(default_taxonomy(), "nb").numbers("km", [1234.5, 12.34, -0.001, None])
        ['1\xa0234', '12,3', '0', '']
        """
        if not _plain_number(key):
            raise ValueError(f"{key} is not a plain number of a reason")
        if key in _INTEGER_PARAMS:
            out = ["" if v is None else f"{v:,.0f}" for v in values]
            out = ["0" if t == "-0" else t for t in out]
        else:
            cache = self._by_size
            if len(cache) > 100_000:
                cache.clear()
            out = []
            for v in values:
                if v is None:
                    out.append("")
                    continue
                t = cache.get(v)
                if t is None:
                    t = cache[v] = _number(float(v), False, None)
                out.append(t)
        if self._nb:
            return [t.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
                    for t in out]
        return out


def renderer(taxonomy: object, lang: str = "en") -> Words:
    """A :func:`render` bound to a taxonomy's resource, technology and mode names (a
    :class:`Words`)."""
    return Words(taxonomy, lang)
