"""The plan page as a report: the workbook download (totals that are the sum of their
lines, nothing a spreadsheet would run, nothing hidden from the reader) and a frontier
chart on round, readable ticks around its points."""

from __future__ import annotations

import dataclasses
import io
import math
import re

import openpyxl
import pytest

from graph import EmbeddedStore
from symbiosis.model import Dataset
from symbiosis.report_html import axis_number, frontier_svg, nice_ticks

from .web_support import SECRET_AMOUNT, SECRET_FLOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_id(app) -> str:
    return EmbeddedStore(app.config["STORE_URL"]).plans()[0].id


def _workbook(session, plan_id: str):
    r = session.get(f"/optimize/plans/{plan_id}/xlsx")
    assert r.status_code == 200 and r.mimetype == XLSX
    assert f"plan-{plan_id}.xlsx" in r.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(r.data))


def _totals(book) -> dict[str, object]:
    return {row[0]: row[1] for row in book["Totals"].iter_rows(min_row=2, values_only=True)}


def test_the_workbook_totals_are_the_sum_of_its_lines(login, app):
    plan_id = _plan_id(app)
    plan = EmbeddedStore(app.config["STORE_URL"]).plan(plan_id)
    book = _workbook(login("admin"), plan_id)
    assert book.sheetnames == ["Totals", "Lines", "Exchanges"]
    totals = _totals(book)
    assert totals["Plan"] == plan_id and totals["Status"] == "optimal"
    assert totals["Net value"] == pytest.approx(plan.totals["value_nok"])
    assert totals["CO2 avoided"] == pytest.approx(plan.totals["co2_avoided_t"])
    rows = list(book["Lines"].iter_rows(min_row=2, values_only=True))
    *lines, last = rows
    assert len(lines) == len(plan.lines) >= 5 and last[0] == "Sum of the lines"
    assert sum(r[3] for r in lines) == pytest.approx(totals["Net value"], abs=0.01)
    assert sum(r[4] for r in lines) == pytest.approx(totals["CO2 avoided"], abs=1e-6)
    assert last[3] == pytest.approx(totals["Net value"], abs=0.01)
    exchanges = list(book["Exchanges"].iter_rows(min_row=2, values_only=True))
    assert len(exchanges) == len(plan.exchanges)
    assert sum(r[9] for r in exchanges) == pytest.approx(
        sum(e.value_nok for e in plan.exchanges))
    assert book["Lines"]["D2"].number_format == "#,##0"
    assert book["Lines"]["E2"].number_format == "#,##0.0"


def test_the_workbook_runs_nothing_written_in_a_cell(login, app):
    """A company named as a formula is written as that text: a text cell with Excel's
    quote prefix, never a formula."""
    path = app.config["STORE_URL"]
    plan = EmbeddedStore(path).plans()[0]
    company_id = plan.exchanges[0].supply_company
    name = '=HYPERLINK("http://evil.example/","click")'
    store = EmbeddedStore(path)
    store.load(Dataset(companies=(dataclasses.replace(store.company(company_id), name=name),)))
    book = _workbook(login("admin"), plan.id)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if isinstance(c.value, str) and name in c.value]
    assert named and all(c.data_type == "s" for c in named)
    exact = [c for c in named if c.value == name]
    assert exact and all(c.quotePrefix for c in exact)


def test_the_workbook_tells_a_reader_no_more_than_the_page(login, app):
    book = _workbook(login("viewer"), _plan_id(app))
    texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert not [t for t in texts if SECRET_FLOW in t or "Nortura" in t]
    assert SECRET_AMOUNT not in [c.value for ws in book.worksheets for row in ws.iter_rows()
                                 for c in row]
    assert "Lines with confidential flows" in texts


def test_the_workbook_speaks_bokmal(login, app):
    s = login("admin")
    s.get("/lang/nb")
    book = _workbook(s, _plan_id(app))
    assert book.sheetnames == ["Totaler", "Linjer", "Utvekslinger"]
    totals = {row[0]: row[1] for row in book["Totaler"].iter_rows(min_row=2, values_only=True)}
    lines = list(book["Linjer"].iter_rows(min_row=1, values_only=True))
    assert lines[0][3] == "Verdi (NOK/år)" and lines[-1][0] == "Sum av linjene"
    assert lines[-1][3] == pytest.approx(totals["Nettoverdi"], abs=0.01)


# -- the frontier chart ----------------------------------------------------------------------

RANGES = [(-79_836_722.05, -68_887_933.4), (876.54, 1018.15), (0.0, 1.0), (-5.0, 5.0),
          (12.0, 12.0), (-57_712_941.0, -57_712_941.0), (0.013, 0.019), (3e9, 7.1e9),
          (-120.0, 2_500_000.0)]


@pytest.mark.parametrize(("low", "high"), RANGES)
def test_axis_ticks_are_round_numbers_just_around_the_data(low, high):
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    assert 3 <= len(ticks) <= 8
    assert all(b - a == pytest.approx(step) for a, b in zip(ticks, ticks[1:], strict=False))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-9, step
    assert all(abs(t / step - round(t / step)) < 1e-9 for t in ticks)  # multiples of it
    assert ticks[0] <= low and ticks[-1] >= high
    if high > low:  # no more than a step of air on either side
        assert ticks[0] > low - step and ticks[-1] < high + step
        assert high - low >= 0.3 * (ticks[-1] - ticks[0])


def test_tick_labels_read_as_numbers_with_thousands_separators():
    assert axis_number(-58_000_000.0) == "−58,000,000"
    assert axis_number(1_000.0) == "1,000" and axis_number(0.0) == "0"
    assert axis_number(0.015) == "0.015" and axis_number(2.5) == "2.5"


def _ticks(svg: str, kind: str) -> list[float]:
    labels = re.findall(rf'class="{kind}-tick"[^>]*>([^<]+)<', svg)
    return [float(t.replace("−", "-").replace(",", "")) for t in labels]


def test_the_frontier_chart_spans_its_points_with_readable_ticks():
    points = [(-79_836_722.05, 876.54), (-74_388_850.64, 947.35), (-68_887_933.4, 1018.15),
              (math.nan, 1100.0)]  # a point the solver found no plan for is left out
    svg = frontier_svg(points, x_title="CO2 avoided (t CO2/yr)", y_title="Net cost (NOK/yr)")
    xs, ys = _ticks(svg, "x"), _ticks(svg, "y")
    assert xs[0] <= 876.54 and xs[-1] >= 1018.15 and xs[-1] - xs[0] <= 300
    assert ys[0] <= -79_836_722.05 and ys[-1] >= -68_887_933.4 and ys[-1] - ys[0] <= 20e6
    assert 1.0 not in ys and 0.0 not in ys  # the axis is not stretched to 0 or 1 NOK
    assert "−80,000,000" in svg and "1,000" in svg
    assert "CO2 avoided (t CO2/yr)" in svg and "Net cost (NOK/yr)" in svg
    assert svg.count("<circle") == 3
    # every point inside the plot, and they spread over it (not one corner)
    rect = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"',
                     svg)
    left, top, width, height = (float(v) for v in rect.groups())
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"',
                                                        svg)]
    assert all(left <= x <= left + width and top <= y <= top + height for x, y in dots)
    assert max(x for x, _ in dots) - min(x for x, _ in dots) > 0.5 * width
    assert max(y for _, y in dots) - min(y for _, y in dots) > 0.5 * height


def test_the_plan_page_draws_the_frontier_with_its_axes_in_words(login, app):
    plan_id = _plan_id(app)
    page = login("admin").get(f"/optimize/plans/{plan_id}").get_data(as_text=True)
    chart = page[page.index('<svg'):page.index("</svg>")]
    assert "CO2 avoided (t CO2/yr)" in chart and "Net cost (NOK/yr" in chart
    assert len(_ticks(chart, "y")) >= 3 and len(_ticks(chart, "x")) >= 3
    assert 'id="plan-xlsx"' in page
    s = login("admin")
    s.get("/lang/nb")
    page = s.get(f"/optimize/plans/{plan_id}").get_data(as_text=True)
    assert "CO2 unngått (t CO2/år)" in page and "Last ned som XLSX" in page
