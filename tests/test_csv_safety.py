"""Every CSV the project writes quotes text a spreadsheet would run as a formula, and
leaves numbers (negative ones too) as numbers."""

from __future__ import annotations

import csv
import io

import pytest

from graph import EmbeddedStore
from symbiosis.export import spreadsheet_cell, spreadsheet_text
from symbiosis.model import Exchange

from .conftest import run_cli

COMPANY = "@SUM(1+1)"


@pytest.mark.parametrize(("value", "cell"), [
    ("@SUM(1+1)", "'@SUM(1+1)"), ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+47 22 00 00 00", "'+47 22 00 00 00"), ("-1+2", "'-1+2"), ("\tcmd", "'\tcmd"),
    ("\r=1", "'\r=1"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
    ("-12.5", "-12.5"), ("+3", "+3"), ("-1e3", "-1e3"), (-146433.1, -146433.1), (-7, -7),
    (None, None)])
def test_spreadsheet_cell(value, cell):
    assert spreadsheet_cell(value) == cell
    if isinstance(value, str):
        assert spreadsheet_text(str(cell)) == value


@pytest.fixture
def hostile_store(tmp_path, runner):
    """Two companies whose ids and names a spreadsheet would run, one candidate between
    them with a negative net value, and an agreed exchange with a hostile id."""
    (tmp_path / "companies.csv").write_text(
        "id,name,lat,lon,municipality,county\n"
        f"{COMPANY},{COMPANY},60.70,11.86,Våler,Innlandet\n"
        "-HUS,=cmd|' /C calc'!A0,60.71,11.87,Våler,Innlandet\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource,amount,unit\n"
        f"@F1,{COMPANY},supply,waste_heat,2,GWh\n"
        "+F2,-HUS,demand,waste_heat,1.5,GWh\n", encoding="utf-8")
    store = tmp_path / "s.db"
    run_cli(runner, store, "import", str(tmp_path / "companies.csv"),
            str(tmp_path / "flows.csv"))
    EmbeddedStore(store).put_exchange(Exchange(
        id=COMPANY, supply_flow="@F1", demand_flow="+F2", amount=1500.0, unit="MWh",
        status="agreed", value_nok=-146433.1, co2_avoided_t=336.0, start_year=2024))
    return store


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_match_csv_quotes_formulas_and_keeps_negative_numbers(hostile_store, runner):
    rows = _rows(run_cli(runner, hostile_store, "match", "--format", "csv"))
    assert len(rows) == 1
    (r,) = rows
    assert (r["supply_flow"], r["demand_flow"]) == ("'@F1", "'+F2")
    assert (r["supply_company"], r["demand_company"]) == (f"'{COMPANY}", "'-HUS")
    assert float(r["value_nok"]) < 0 and r["value_nok"].startswith("-")
    for column in ("distance_km", "amount", "co2_avoided_t", "score"):
        float(r[column])


def test_export_csv_quotes_formulas_and_keeps_negative_numbers(hostile_store, runner):
    rows = _rows(run_cli(runner, hostile_store, "export", "--format", "csv"))
    (r,) = rows
    assert r["id"] == f"'{COMPANY}" and r["supply_company"] == f"'{COMPANY}"
    assert r["demand_company"] == "'-HUS" and r["supply_flow"] == "'@F1"
    assert r["value_nok"] == "-146433.1" and r["start_year"] == "2024"


def test_report_csv_quotes_exchange_ids(hostile_store, runner):
    rows = _rows(run_cli(runner, hostile_store, "report", "--format", "csv"))
    symbioses = next(r for r in rows if r["indicator"] == "symbioses")
    assert symbioses["value"] == "1" and symbioses["exchanges"] == f"'{COMPANY}"


def test_mapping_template_quotes_cells_and_reads_them_back(tmp_path, runner):
    from symbiosis.cli import cli

    (tmp_path / "companies.csv").write_text("id,name,lat,lon\nA,A AS,60.7,11.8\n",
                                            encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource,amount,unit\nF1,A,supply,=xq-blanding 3,1,t\n",
        encoding="utf-8")
    files = [str(tmp_path / "companies.csv"), str(tmp_path / "flows.csv")]
    template, store = tmp_path / "confirm.csv", tmp_path / "s.db"
    bad = runner.invoke(cli, ["--store", str(store), "import", *files,
                              "--write-mapping", str(template)], obj={})
    assert bad.exit_code != 0
    lines = template.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("'=xq-blanding 3,")
    template.write_text("text,resource\n'=xq-blanding 3,organic_waste\n", encoding="utf-8")
    run_cli(runner, store, "import", *files, "--mapping", str(template))
    assert EmbeddedStore(store).flows(company_id="A")[0].resource == "organic_waste"
