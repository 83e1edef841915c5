"""The indicators report as one self-contained HTML page: tables and inline SVG charts,
no script and no external resource, so it reads offline and prints."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from .disclosure import Figure, withheld_text
from .indicators import AreaIndicators, CountyProgress, ParkProgress

__all__ = ["report_html", "line_chart_svg", "frontier_svg", "figure_text", "nice_ticks",
           "axis_number", "Number"]

#: a number in words: (value, decimals) -> text, in the reader's language
Number = Callable[[float, int], str]


def _english(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def figure_text(value: float | None, withheld: Figure | None,
                fmt: str | Callable[[float], str] = "{:,.0f}", *,
                confidential: str = "confidential") -> str:
    """A figure for a reader: exact, its band, or ``confidential`` when withheld.
    ``fmt`` is a format string or a function of the value."""
    if withheld is not None:
        return withheld_text(withheld, fmt, confidential=confidential)
    write = fmt.format if isinstance(fmt, str) else fmt
    return confidential if value is None else write(value)


def line_chart_svg(series: dict[str, Sequence[tuple[int, float | None]]], *,
                   width: int = 560, height: int = 220, unit: str = "t CO2/yr",
                   label: str | None = None, number: Number = _english) -> str:
    """A small line chart: one polyline per series, years on x, values on y from zero.
    Withheld values (``None``) are left out of their line. ``label`` names the chart for
    screen readers (default: "<unit> by year"); ``number`` writes the axis figures."""
    colours = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"]
    known = {name: [(y, v) for y, v in points if v is not None]
             for name, points in series.items()}
    years = sorted({y for points in known.values() for y, _ in points})
    top = max([v for points in known.values() for _, v in points] + [1.0])
    pad_l, pad_b, pad_t, pad_r = 70, 30, 15, 15
    if len(years) > 1:
        def x(y: int) -> float:
            return pad_l + (y - years[0]) / (years[-1] - years[0]) * (width - pad_l - pad_r)
    else:
        def x(y: int) -> float:
            return pad_l + (width - pad_l - pad_r) / 2

    def yv(v: float) -> float:
        return height - pad_b - v / top * (height - pad_b - pad_t)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(label or unit + " by year")}">',
             f'<line x1="{pad_l}" y1="{yv(0)}" x2="{width - pad_r}" y2="{yv(0)}" '
             'stroke="#999"/>',
             f'<text x="5" y="{pad_t + 10}" font-size="11">{number(top, 0)}</text>',
             f'<text x="5" y="{yv(0)}" font-size="11">0 {html.escape(unit)}</text>']
    for year in years:
        parts.append(f'<text x="{x(year) - 14:.1f}" y="{height - 8}" font-size="11">'
                     f'{year}</text>')
    for k, (name, points) in enumerate(known.items()):
        colour = colours[k % len(colours)]
        coords = " ".join(f"{x(y):.1f},{yv(v):.1f}" for y, v in points)
        dash = ' stroke-dasharray="6 4"' if k else ""  # equal series stay visible
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                     f'points="{coords}"><title>{html.escape(name)}</title></polyline>')
        parts.append(f'<text x="{pad_l + 10}" y="{pad_t + 14 * (k + 1)}" font-size="12" '
                     f'fill="{colour}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round axis ticks covering ``low`` to ``high``: a step of 1, 2 or 5 times a power of
    ten, the first tick at or below ``low`` and the last at or above ``high``, each less
    than one step beyond them, about ``count`` of them.

    >>> nice_ticks(-79_836_722, -68_887_933)
    [-80000000.0, -75000000.0, -70000000.0, -65000000.0]
    >>> nice_ticks(876.5, 1018.2)
    [850.0, 900.0, 950.0, 1000.0, 1050.0]
    >>> nice_ticks(3.0, 3.0)
    [2.6, 2.8, 3.0, 3.2, 3.4]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"axis range {low}..{high} is not finite")
    low, high = min(low, high), max(low, high)
    if high == low:  # one value: a range around it
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-12))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    digits = max(0, -math.floor(math.log10(step)))  # no float noise in the labels
    return [round(k * step, digits) for k in range(first, last + 1)]


def axis_number(value: float, number: Number | None = None) -> str:
    """A tick label: thousands separated, decimals only where the step needs them, a
    true minus sign; ``number`` writes it in the reader's language (default English).

    >>> axis_number(-58_000_000.0), axis_number(950.0), axis_number(2.5), axis_number(0.0)
    ('−58,000,000', '950', '2.5', '0')
    """
    digits = 0 if float(value).is_integer() else \
        len(f"{value:.6f}".rstrip("0").split(".")[1])
    if number is not None:
        return number(value, digits)
    text = f"{value:,.{digits}f}"
    return text.replace("-", "−") if value < 0 else text.lstrip("-")


def frontier_svg(points: Sequence[tuple[float, float]], *, width: int = 640,
                 height: int = 320, x_title: str = "CO2 avoided (t CO2/yr)",
                 y_title: str = "Net cost (NOK/yr; below 0 the plan earns)",
                 year: str = "yr", number: Number | None = None) -> str:
    """The cost-versus-CO2 frontier: CO2 avoided across (t CO2/yr), net cost up (NOK/yr),
    one dot per frontier point (``(cost_nok, co2_avoided_t)``), joined. Both axes run over
    round ticks around the points (:func:`nice_ticks`), not from zero: the points fill
    the chart. Points the solver found no plan for (not finite) are left out. ``year``
    is the word in "NOK/yr" and ``number`` writes the figures in the reader's language."""
    pad_l, pad_b, pad_t, pad_r = 108, 56, 16, 24
    pts = sorted((co2, cost) for cost, co2 in points
                 if math.isfinite(cost) and math.isfinite(co2))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(y_title)} / {html.escape(x_title)}" '
             'class="frontier" font-family="sans-serif">']
    if not pts:
        parts.append(f'<text x="{pad_l}" y="{height / 2}" font-size="12">–</text></svg>')
        return "".join(parts)
    xt = nice_ticks(pts[0][0], pts[-1][0])
    yt = nice_ticks(min(c for _, c in pts), max(c for _, c in pts))
    left, right, top, bottom = pad_l, width - pad_r, pad_t, height - pad_b

    def sx(v: float) -> float:
        return left + (v - xt[0]) / (xt[-1] - xt[0]) * (right - left)

    def sy(v: float) -> float:
        return bottom - (v - yt[0]) / (yt[-1] - yt[0]) * (bottom - top)

    for v in xt:
        parts.append(f'<line x1="{sx(v):.1f}" y1="{top}" x2="{sx(v):.1f}" y2="{bottom}" '
                     'stroke="#e3e3e3"/>'
                     f'<text class="x-tick" x="{sx(v):.1f}" y="{bottom + 16}" font-size="11" '
                     f'text-anchor="middle">{axis_number(v, number)}</text>')
    for v in yt:
        parts.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{right}" y2="{sy(v):.1f}" '
                     f'stroke="{"#999" if v == 0 else "#e3e3e3"}"/>'
                     f'<text class="y-tick" x="{left - 6}" y="{sy(v) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{axis_number(v, number)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
                 'fill="none" stroke="#999"/>'
                 f'<text class="x-title" x="{(left + right) / 2:.1f}" y="{height - 10}" '
                 f'font-size="12" text-anchor="middle">{html.escape(x_title)}</text>'
                 f'<text class="y-title" x="14" y="{(top + bottom) / 2:.1f}" font-size="12" '
                 f'text-anchor="middle" transform="rotate(-90 14 {(top + bottom) / 2:.1f})">'
                 f'{html.escape(y_title)}</text>')
    coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
    parts.append(f'<polyline fill="none" stroke="#1b9e77" stroke-width="2" '
                 f'points="{coords}"/>')
    parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="#d95f02">'
                 f'<title>{axis_number(round(y), number)} NOK/{html.escape(year)}, '
                 f'{axis_number(round(x, 1), number)} t CO2/{html.escape(year)}</title></circle>'
                 for x, y in pts)
    parts.append("</svg>")
    return "".join(parts)


def _rows(rows: Sequence[Sequence[object]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)


FIGURES = (("symbioses", "Symbioses (company pairs, agreed or operating)"),
           ("proposals", "Proposals"),
           ("co2_avoided_t", "CO2 avoided, realised (t/yr)"),
           ("co2_proposed_t", "CO2 avoided, proposals (t/yr)"),
           ("waste_diverted_t", "Waste diverted (t/yr)"),
           ("energy_recovered_mwh", "Energy recovered (MWh/yr)"),
           ("water_reused_m3", "Water reused (m3/yr)"))


def _same(text: str) -> str:
    return text


def report_html(ind: AreaIndicators, counties: Sequence[CountyProgress],
                parks: Sequence[ParkProgress], *, title: str,
                say: Callable[[str], str] = _same, number: Number | None = None,
                lang: str = "en") -> str:
    """The indicators as one HTML page. ``say`` gives an English text in the reader's
    language, ``number`` writes figures in it (default English) and ``lang`` names it."""
    write = number or _english

    def whole(value: float) -> str:
        return write(value, 0)

    def shown(value: float | None, held: Figure | None, *, secret: str = "confidential",
              fmt: Callable[[float], str] = whole) -> str:
        return figure_text(value, held, fmt, confidential=say(secret))

    figures: list[tuple[str, str, str]] = [
        (say(label), shown(getattr(ind, key), ind.withheld.get(key)),
         ", ".join(ind.sources.get(key, ()))) for key, label in FIGURES]
    share = shown(ind.participation, ind.withheld.get("participation"),
                  fmt=lambda v: f"{write(v * 100, 0)} %")
    figures.append((say("Companies taking part"),
                    say("{share} of {companies}").format(share=share,
                                                         companies=write(ind.companies, 0)),
                    ""))
    chart = line_chart_svg({say("realised"): ind.trajectory_realised,
                            say("realised + proposed"): ind.trajectory_with_proposals},
                           unit=say("t CO2/yr"), label=say("CO2 avoided toward 2030"),
                           number=write)
    status = {True: say("met"), False: say("not yet"), None: say("confidential")}
    county_rows = [(c.county, shown(c.symbioses, None), write(c.target, 0), status[c.met])
                   for c in counties]
    park_rows = [(p.park_id, say("unknown") if p.baseline_t_co2e is None else
                  whole(p.baseline_t_co2e),
                  shown(p.avoided_t, p.withheld.get("avoided_t")),
                  shown(p.residual_t, p.withheld.get("residual_t"),
                        secret="unknown" if p.baseline_t_co2e is None else "confidential"),
                  {True: say("net zero"), False: say("not yet"),
                   None: say("baseline unknown") if p.baseline_t_co2e is None
                   else say("confidential")}[p.net_zero])
                 for p in parks]
    withheld = ("<p>" + html.escape(say(
        "Figures shown as a range or as confidential are built from confidential flows: "
        "fewer than three companies or one company's 85 % or more are not shown, others "
        "as the visible part plus the order of magnitude of the confidential part.")) + "</p>"
        if ind.withheld or any(p.withheld for p in parks)
        or any(c.met is None for c in counties) else "")
    unquantified = ("<p>" + html.escape(say(
        "Not quantified (amount or CO2 unknown, never counted as zero): {ids}").format(
            ids=", ".join(ind.unquantified))) + "</p>" if ind.unquantified else "")

    def head(*names: str) -> str:
        return "<tr>" + "".join(f"<th>{html.escape(say(n))}</th>" for n in names) + "</tr>"

    return f"""<!doctype html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px}}
th{{background:#f3f3f3;text-align:left}}</style></head>
<body><h1>{html.escape(title)}</h1>
<h2>{html.escape(say("Indicators"))}</h2>
<table>{head("indicator", "value", "from exchanges")}{_rows(figures)}</table>
{unquantified}
{withheld}
<h2>{html.escape(say("CO2 avoided toward 2030"))}</h2>
{chart}
<h2>{html.escape(say("Counties: at least two symbioses by 2030"))}</h2>
<table>{head("county", "symbioses", "target", "status")}
{_rows(county_rows)}</table>
<h2>{html.escape(say("Industrial parks: net zero"))}</h2>
<table>{head("park", "baseline t CO2e/yr", "avoided", "residual", "status")}
{_rows(park_rows)}</table>
</body></html>
"""
