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
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path

from .model import Reason

__all__ = ["render", "render_all", "catalogue", "format_number", "LANGS"]

LANGS = ("en", "nb")
_RESOURCE_PARAMS = {"supply", "demand", "output"}
_INTEGER_PARAMS = {"amount", "nok_per_year", "nok_per_km_year", "t_per_year"}
#: factors: small numbers shown to their fourth significant digit (0.0152, not 0.02)
_FACTOR_PARAMS = {"ef"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    path = Path(str(importlib_resources.files("symbiosis") / "data" / "messages.csv"))
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["code"]: {lang: r[lang] for lang in LANGS} for r in csv.DictReader(fh)}


def _lang(lang: str) -> str:
    return "nb" if lang in ("nb", "no", "nn") else "en"


def format_number(value: float, lang: str = "en", *, digits: int | None = None) -> str:
    """``1,234.5`` (en) or ``1 234,5`` (nb, with a no-break space)."""
    return _number(value, _lang(lang) == "nb", digits)


def _number(value: float, nb: bool, digits: int | None) -> str:
    if digits is None:
        digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{digits}f}"
    if digits and "." in text:
        text = text.rstrip("0").rstrip(".")
    if nb:
        return text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
    return text


def _word(code: str, lang: str, default: str) -> str:
    entry = catalogue().get(code)
    return entry[_lang(lang)] if entry else default


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
        if isinstance(value, str):
            out[key] = label(value) if label and key in _RESOURCE_PARAMS else value
        elif isinstance(value, bool) or value is None:
            out[key] = "" if value is None else str(value)
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


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def render_all(reasons: Iterable[Reason], lang: str = "en", **kw: Callable[[str], str]
               ) -> list[str]:
    return [render(r, lang, **kw) for r in reasons]  # type: ignore[arg-type]


def renderer(taxonomy: object, lang: str = "en") -> Callable[[Reason], str]:
    """A :func:`render` bound to a taxonomy's resource, technology and mode names."""
    from .taxonomy import Taxonomy

    assert isinstance(taxonomy, Taxonomy)
    tax = taxonomy
    code = "no" if _lang(lang) == "nb" else "en"

    def label(key: str) -> str:
        try:
            return tax.resource(key).label(code)
        except KeyError:
            return key

    def tech(key: str) -> str:
        t = tax.knowledge.technologies.get(key)
        return key if t is None else (t.label_no if code == "no" else t.label_en)

    modes = tax.mode_labels(code)

    def mode(key: str) -> str:
        return modes.get(key, key)

    # the same reason (a link's resources and rule, a unit conversion) recurs across many
    # candidates: its words are made once
    made: dict[Reason, str] = {}

    def words(reason: Reason) -> str:
        text = made.get(reason)
        if text is None:
            if len(made) > 100_000:
                made.clear()
            text = made[reason] = render(reason, lang, label=label, tech_label=tech,
                                         mode_label=mode)
        return text

    return words
