"""Issue 12, item 5: spreadsheets as Norwegian users have them. Excel's CSV (semicolons,
decimal commas, Windows-1252) imports as meant and says how it was read; a shifted row or
a misspelt column is an error, never a silent change; a re-import changes only the
columns it gives."""

from __future__ import annotations

import io

import pytest

from graph import EmbeddedStore
from symbiosis.cli import cli
from symbiosis.errors import ImportValidationError
from symbiosis.io import load_files, read_tables

from .conftest import CASE_FILES

# what Norwegian Excel writes for "CSV (semikolondelt)": cp1252, ';', decimal comma, CRLF
EXCEL_COMPANIES = ("id;name;lat;lon;municipality;county\r\n"
                   "NO-1;Sør-Odal Sag AS;60,2567;11,6523;Sør-Odal;Innlandet\r\n"
                   "NO-2;Ærøy Fisk AS;68,1;13,9;Flakstad;Nordland\r\n").encode("cp1252")
EXCEL_FLOWS = ("id;company_id;direction;resource;amount;unit;temperature_c;description\r\n"
               'NF-1;NO-1;supply;flis;1 500,5;t/år;;"Flis; tørr, fra sagbruket"\r\n'
               "NF-2;NO-2;supply;spillvarme;2,5;GWh;45,5;Kjøling av anlegget\r\n"
               ).encode("cp1252")


def test_a_norwegian_excel_csv_imports_as_meant(tmp_path, runner):
    (tmp_path / "companies.csv").write_bytes(EXCEL_COMPANIES)
    (tmp_path / "flows.csv").write_bytes(EXCEL_FLOWS)
    store = tmp_path / "s.db"
    result = runner.invoke(cli, ["--store", str(store), "import", str(tmp_path / "companies.csv"),
                                 str(tmp_path / "flows.csv")], obj={})
    assert result.exit_code == 0, result.output
    assert ("companies.csv: read as Windows-1252, semicolon-separated, decimal comma"
            in result.output)
    s = EmbeddedStore(store)
    c1 = s.company("NO-1")
    assert (c1.name, c1.lat, c1.lon, c1.municipality) == ("Sør-Odal Sag AS", 60.2567, 11.6523,
                                                          "Sør-Odal")
    assert s.company("NO-2").name == "Ærøy Fisk AS"
    flows = {f.id: f for f in s.flows()}
    assert flows["NF-1"].amount == pytest.approx(1500.5)
    assert flows["NF-1"].description == "Flis; tørr, fra sagbruket"
    assert flows["NF-2"].amount == pytest.approx(2500.0)
    assert flows["NF-2"].quality["temperature_c"] == pytest.approx(45.5)


@pytest.mark.parametrize("encoding, header, says", [
    ("utf-8-sig", "id,name,lat,lon", "UTF-8 with BOM, comma-separated, decimal point"),
    ("utf-8", "id\tname\tlat\tlon", "UTF-8, tab-separated, decimal point"),
    ("utf-16", "id;name;lat;lon", "UTF-16, semicolon-separated, decimal point"),
])
def test_other_encodings_and_separators(tmp_path, encoding, header, says):
    sep = header[2]
    text = header + "\n" + sep.join(["A", "Sør Bruk", "60.5", "11.5"]) + "\n"
    (tmp_path / "companies.csv").write_bytes(text.encode(encoding))
    (table,) = read_tables([tmp_path / "companies.csv"])
    assert table.dialect == says
    assert table.rows == ((2, {"id": "A", "name": "Sør Bruk", "lat": "60.5", "lon": "11.5"}),)


def test_the_upload_preview_shows_the_dialect(login):
    s = login("admin")
    r = s.client.post("/upload/", data={"csrf_token": s.token, "kind": "",
                                        "file": (io.BytesIO(EXCEL_COMPANIES), "companies.csv")},
                      content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "companies.csv: Windows-1252, semicolon-separated, decimal comma" in page
    assert "Sør-Odal Sag AS" in page


def test_an_unquoted_comma_is_an_error_not_a_shift(tmp_path, runner):
    store = tmp_path / "s.db"
    (tmp_path / "companies.csv").write_text(
        "id,name,lat,lon,municipality\n"
        "C1,Bruk AS, avd. Våler,60.7,11.8,Våler\n"
        "C2,Sag AS,60.8,11.9,Åsnes\n"
        "C3,Mølle, Kornsilo og Tørke AS,60.9,12.0,Grue\n", encoding="utf-8")
    result = runner.invoke(cli, ["--store", str(store), "import",
                                 str(tmp_path / "companies.csv")], obj={})
    assert result.exit_code != 0
    errors = result.exception.errors
    assert [(e.file, e.row, e.code) for e in errors] == [("companies.csv", 2, "extra_cells"),
                                                       ("companies.csv", 4, "extra_cells")]
    assert "unquoted ','" in errors[0].message
    assert not any(EmbeddedStore(store).counts().values())


def test_a_misspelt_column_is_an_error_with_a_suggestion(tmp_path):
    (tmp_path / "companies.csv").write_text("id,name,lat,lon\nA,Mill,60.7,11.8\n",
                                            encoding="utf-8")
    (tmp_path / "flows.csv").write_text("id,company_id,direction,resource,amout,unit\n"
                                        "F1,A,supply,bark,300,t\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as info:
        load_files([tmp_path / "companies.csv", tmp_path / "flows.csv"])
    (e,) = info.value.errors
    assert (e.file, e.row, e.field) == ("flows.csv", 1, "amout")
    assert e.message == "unknown column: did you mean `amount`?"


def test_a_reimport_changes_only_the_columns_it_gives(tmp_path, runner):
    store = tmp_path / "s.db"
    ok = runner.invoke(cli, ["--store", str(store), "import", *map(str, CASE_FILES)], obj={})
    assert ok.exit_code == 0, ok.output
    s = EmbeddedStore(store)
    before = s.company("SOL-C01")
    assert before.county and before.municipality and before.park_id and before.cluster
    flow_before = s.flow("SOL-F013")
    (tmp_path / "companies.csv").write_text(
        "id,name,lat,lon\nSOL-C01,Moelven Våler AS,60.70,11.85\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text("id,company_id,direction,resource,amount\n"
                                        "SOL-F013,SOL-C01,supply,waste_heat,40000\n",
                                        encoding="utf-8")
    ok = runner.invoke(cli, ["--store", str(store), "import", str(tmp_path / "companies.csv"),
                             str(tmp_path / "flows.csv")], obj={})
    assert ok.exit_code == 0, ok.output
    after = s.company("SOL-C01")
    assert (after.name, after.lat, after.lon) == ("Moelven Våler AS", 60.70, 11.85)
    assert (after.county, after.municipality, after.park_id, after.cluster, after.nace) == (
        before.county, before.municipality, before.park_id, before.cluster, before.nace)
    flow = s.flow("SOL-F013")
    assert flow.amount == 40000 and flow.unit == flow_before.unit
    assert (flow.description, flow.months, flow.quality, flow.source) == (
        flow_before.description, flow_before.months, flow_before.quality, flow_before.source)
    # an empty cell in a column that is given clears the field
    (tmp_path / "companies.csv").write_text("id,park_id\nSOL-C01,\n", encoding="utf-8")
    ok = runner.invoke(cli, ["--store", str(store), "import", str(tmp_path / "companies.csv")],
                       obj={})
    assert ok.exit_code == 0, ok.output
    cleared = s.company("SOL-C01")
    assert cleared.park_id is None and cleared.county == before.county
    # a new company still needs every required column
    (tmp_path / "companies.csv").write_text("id,name\nNEW-1,New\n", encoding="utf-8")
    bad = runner.invoke(cli, ["--store", str(store), "import", str(tmp_path / "companies.csv")],
                        obj={})
    assert bad.exit_code != 0
    assert {e.field for e in bad.exception.errors} == {"lat", "lon"}
