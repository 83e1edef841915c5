"""The indicators report as one self-contained HTML page: tables and inline SVG charts,
no script and no external resource, so it reads offline and prints."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from .disclosure import Figure, withheld_text
from .indicators import AreaIndicators, CountyProgress, ParkProgress

__all__ = ["report_html", "line_chart_svg", "frontier_svg", "figure_text", "Number"]

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


def frontier_svg(points: Sequence[tuple[float, float]], *, width: int = 560,
                 height: int = 260, label: str = "net cost against CO2 avoided",
                 year: str = "yr", number: Number = _english) -> str:
    """Cost (x, NOK/yr) against CO2 avoided (y, t/yr): one dot per frontier point, joined.
    ``label`` names the chart for screen readers, ``year`` is the word in "NOK/yr" and
    ``number`` writes the figures (in the reader's language)."""
    pad_l, pad_b, pad_t, pad_r = 80, 40, 15, 20
    pts = sorted(points)
    xs, ys = [p[0] for p in pts] or [0.0], [p[1] for p in pts] or [0.0]
    x0, x1 = min(xs + [0.0]), max(xs + [1.0])
    y1 = max(ys + [1.0])

    def sx(v: float) -> float:
        return pad_l + (v - x0) / ((x1 - x0) or 1.0) * (width - pad_l - pad_r)

    def sy(v: float) -> float:
        return height - pad_b - v / y1 * (height - pad_b - pad_t)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{html.escape(label)}" class="frontier">',
             f'<line x1="{pad_l}" y1="{sy(0)}" x2="{width - pad_r}" y2="{sy(0)}" stroke="#999"/>',
             f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{sy(0)}" stroke="#999"/>',
             f'<text x="5" y="{pad_t + 10}" font-size="11">{number(y1, 0)} t</text>',
             f'<text x="5" y="{sy(0)}" font-size="11">0 t</text>',
             f'<text x="{pad_l}" y="{height - 8}" font-size="11">{number(x0, 0)} NOK</text>',
             f'<text x="{width - pad_r - 110}" y="{height - 8}" font-size="11">'
             f'{number(x1, 0)} NOK</text>']
    if pts:
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="#1b9e77" stroke-width="2" '
                     f'points="{coords}"/>')
        parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="#d95f02">'
                     f'<title>{number(x, 0)} NOK/{html.escape(year)}, {number(y, 1)} '
                     f't CO2/{html.escape(year)}</title></circle>' for x, y in pts)
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


def report_html(ind: AreaIndicators, counties: Sequence[CountyProgress],
                parks: Sequence[ParkProgress], *, title: str) -> str:
    figures: list[tuple[str, str, str]] = [
        (label, figure_text(getattr(ind, key), ind.withheld.get(key)),
         ", ".join(ind.sources.get(key, ()))) for key, label in FIGURES]
    share = figure_text(ind.participation, ind.withheld.get("participation"), "{:.0%}")
    figures.append(("Companies taking part", f"{share} of {ind.companies}", ""))
    chart = line_chart_svg({"realised": ind.trajectory_realised,
                            "realised + proposed": ind.trajectory_with_proposals})
    county_rows = [(c.county, figure_text(c.symbioses, None),
                    c.target, {True: "met", False: "not yet", None: "confidential"}[c.met])
                   for c in counties]
    park_rows = [(p.park_id, "unknown" if p.baseline_t_co2e is None else
                  f"{p.baseline_t_co2e:,.0f}",
                  figure_text(p.avoided_t, p.withheld.get("avoided_t")),
                  figure_text(p.residual_t, p.withheld.get("residual_t"),
                              confidential="unknown" if p.baseline_t_co2e is None
                              else "confidential"),
                  {True: "net zero", False: "not yet",
                   None: "baseline unknown" if p.baseline_t_co2e is None
                   else "confidential"}[p.net_zero])
                 for p in parks]
    withheld = ("<p>Figures shown as a range or as <i>confidential</i> are built from "
                "confidential flows: fewer than three companies or one company's 85 % or "
                "more are not shown, others as the visible part plus the order of magnitude "
                "of the confidential part.</p>"
                if ind.withheld or any(p.withheld for p in parks)
                or any(c.met is None for c in counties) else "")
    unquantified = (f"<p>Not quantified (amount or CO2 unknown, never counted as zero): "
                    f"{html.escape(', '.join(ind.unquantified))}</p>"
                    if ind.unquantified else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px}}
th{{background:#f3f3f3;text-align:left}}</style></head>
<body><h1>{html.escape(title)}</h1>
<h2>Indicators</h2>
<table><tr><th>indicator</th><th>value</th><th>from exchanges</th></tr>{_rows(figures)}</table>
{unquantified}
{withheld}
<h2>CO2 avoided toward 2030</h2>
{chart}
<h2>Counties: at least two symbioses by 2030</h2>
<table><tr><th>county</th><th>symbioses</th><th>target</th><th>status</th></tr>
{_rows(county_rows)}</table>
<h2>Industrial parks: net zero</h2>
<table><tr><th>park</th><th>baseline t CO2e/yr</th><th>avoided</th><th>residual</th>
<th>status</th></tr>{_rows(park_rows)}</table>
</body></html>
"""
