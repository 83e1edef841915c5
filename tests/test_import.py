import hashlib

import pandas as pd
import pytest

from graph import EmbeddedStore
from symbiosis.cli import cli
from symbiosis.errors import ImportValidationError
from symbiosis.io import load_files
from symbiosis.taxonomy import default_taxonomy

from .conftest import CASE_FILES


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cases_import_with_units_unknown_quantities_and_processes(cases):
    flows = {f.id: f for f in cases.flows}
    assert flows["SOL-F013"].amount == 36000 and flows["SOL-F013"].unit == "MWh"
    assert flows["SOL-F001"].amount is None  # quantity unknown, never zero
    assert flows["SOL-F019"].months == frozenset(range(3, 11))
    assert flows["SOL-F007"].confidential
    assert {p.id for p in cases.processes} == {"FIN-P01", "FIN-P02", "FLO-P01", "FLO-P02"}
    assert len(cases.companies) == 17 and len(cases.parks) == 4


def test_units_and_aliases_in_a_flows_file(tmp_path):
    (tmp_path / "companies.csv").write_text("id,name,lat,lon,org_number\n"
                                            "A,Mill,60.7,11.8,923609016\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource,amount,unit,ewc,months\n"
        "F1,A,supply,Spillvarme,1.5,GWh/yr,,nov-mar\n"
        "F2,A,supply,10 01 02*,2,kt/yr,10 01 02,\n"
        "F3,A,demand,custom:moon rocks,,,,\n", encoding="utf-8")
    result = load_files([tmp_path / "companies.csv", tmp_path / "flows.csv"])
    f1, f2, f3 = result.dataset.flows
    assert (f1.resource, f1.amount, f1.unit) == ("waste_heat", 1500.0, "MWh")
    assert f1.months == frozenset({11, 12, 1, 2, 3})
    assert (f2.resource, f2.amount, f2.ewc) == ("fly_ash", 2000.0, "100102")
    assert f3.resource == "custom:moon rocks" and f3.amount is None  # custom only when asked
    assert any("no amount" in w for w in result.warnings)


def test_an_unrecognised_resource_is_refused_with_suggestions_then_a_mapping_decides(
        tmp_path):
    (tmp_path / "companies.csv").write_text("id,name,lat,lon\nA,Mill,60.7,11.8\n",
                                            encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource\nF1,A,supply,moon rocks\n"
        "F2,A,supply,restprodukt linje 3 slam\n", encoding="utf-8")
    files = [tmp_path / "companies.csv", tmp_path / "flows.csv"]
    with pytest.raises(ImportValidationError) as info:
        load_files(files)
    (e,) = [x for x in info.value.errors if x.row == 2]
    assert (e.file, e.field, e.value) == ("flows.csv", "resource", "moon rocks")
    assert "not recognised" in e.message and len(e.suggestions) <= 3
    mapping = {"moon rocks": "mine_tailings"}
    result = load_files(files, mapping=mapping)
    f1, f2 = result.dataset.flows
    assert f1.resource == "mine_tailings" and f1.resource_text == "moon rocks"
    assert f2.resource == "sludge" and f2.resource_text == "restprodukt linje 3 slam"
    assert [i.recognition.method for i in result.interpretations] == ["mapping", "exact"]


def test_trade_units_convert_with_sourced_factors(tmp_path):
    (tmp_path / "companies.csv").write_text("id,name,lat,lon\nA,Sag,60.7,11.8\n",
                                            encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource,amount,unit\n"
        "F1,A,supply,flis,1000,lm3/år\n"
        "F2,A,supply,flis,1000,fm3\n"
        "F3,A,supply,biogass,1000000,Nm3/år\n"
        "F4,A,supply,fiskeslam,500,m3\n"
        "F5,A,supply,spillvarme 60 °C,36,TJ/yr\n"
        "F6,A,supply,spillvarme,2,MW\n"
        "F7,A,supply,LNG,100,t/yr\n", encoding="utf-8")
    tax = default_taxonomy()
    know = tax.knowledge
    flows = {f.id: f for f in load_files([tmp_path / "companies.csv",
                                          tmp_path / "flows.csv"]).dataset.flows}
    loose = know.density("wood_chips", "loose")[0]
    solid = know.density("wood_chips", "solid")[0]
    assert flows["F1"].amount == pytest.approx(1000 * loose) and loose < solid
    assert flows["F2"].amount == pytest.approx(1000 * solid)
    assert flows["F1"].conversion.startswith(f"1 lm3 = {loose:g} t (")
    assert flows["F1"].amount_text == "1000 lm3/år"
    assert flows["F3"].amount == pytest.approx(1e6 * know.heating_value("biogas", "nm3")[0])
    assert flows["F4"].amount == pytest.approx(500 * know.density("fish_sludge", "bulk")[0])
    assert flows["F5"].amount == pytest.approx(10_000) and flows["F5"].conversion == ""
    assert flows["F5"].quality["temperature_c"] == 60
    assert flows["F6"].amount == pytest.approx(2 * 8766)
    assert flows["F7"].amount == pytest.approx(100 * know.heating_value("lng", "t")[0])


BAD_FLOWS = ("id,company_id,direction,resource,amount,unit\n"
             "X1,SOL-C01,sideways,waste_heat,100,MWh/yr\n"
             "X2,SOL-C01,supply,waste_heat,-5,MWh/yr\n"
             "X3,SOL-C01,supply,waste_heat,100,furlongs/fortnight\n"
             "X4,NO-SUCH-COMPANY,supply,waste_heat,100,MWh/yr\n")


def test_bad_flows_file_reports_every_error_and_leaves_the_store_untouched(tmp_path, runner):
    store = tmp_path / "store.db"
    ok = runner.invoke(cli, ["--store", str(store), "import", *map(str, CASE_FILES)], obj={})
    assert ok.exit_code == 0, ok.output
    before = _sha(store)
    bad = tmp_path / "flows_bad.csv"
    bad.write_text(BAD_FLOWS, encoding="utf-8")
    result = runner.invoke(cli, ["--store", str(store), "import", str(bad)], obj={})
    assert result.exit_code != 0
    err = result.exception
    assert isinstance(err, ImportValidationError)
    found = {(e.file, e.row, e.field) for e in err.errors}
    assert found == {("flows_bad.csv", 2, "direction"), ("flows_bad.csv", 3, "amount"),
                     ("flows_bad.csv", 4, "unit"), ("flows_bad.csv", 5, "company_id")}
    text = str(err)
    assert "flows_bad.csv, row 5, field 'company_id'" in text
    assert _sha(store) == before
    assert len(EmbeddedStore(store).dataset().flows) == 55


def test_cli_main_exits_non_zero_and_prints_errors(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "flows_bad.csv"
    bad.write_text(BAD_FLOWS, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "symbiosis.cli", "--store",
                           str(tmp_path / "s.db"), "import", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    for field in ("direction", "amount", "unit", "company_id"):
        assert f"field '{field}'" in proc.stderr
    assert not any(EmbeddedStore(tmp_path / "s.db").counts().values())


def test_xlsx_workbook_holds_the_same_as_sheets(tmp_path):
    book = tmp_path / "members.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame([{"id": "A", "name": "Mill", "lat": 60.7, "lon": 11.87}]).to_excel(
            xw, sheet_name="companies", index=False)
        pd.DataFrame([{"id": "F1", "company_id": "A", "direction": "supply",
                       "resource": "bark", "amount": 3, "unit": "kt/yr"},
                      {"id": "F2", "company_id": "A", "direction": "demand",
                       "resource": "heat", "amount": "lots", "unit": "MWh/yr"}]).to_excel(
            xw, sheet_name="flows", index=False)
    with pytest.raises(ImportValidationError) as info:
        load_files([book])
    assert [(e.file, e.row, e.field) for e in info.value.errors] == [
        ("members.xlsx:flows", 3, "amount")]


def test_process_must_reference_own_flows(tmp_path):
    (tmp_path / "companies.csv").write_text("id,name,lat,lon\nA,a,60,10\nB,b,60,10.1\n",
                                            encoding="utf-8")
    (tmp_path / "flows.csv").write_text("id,company_id,direction,resource\n"
                                        "F1,A,demand,fish sludge\nF2,B,supply,biogas\n",
                                        encoding="utf-8")
    (tmp_path / "processes.csv").write_text("id,company_id,inputs,outputs\n"
                                            "P1,A,F1:1,F2:0.25\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as info:
        load_files([tmp_path / n for n in ("companies.csv", "flows.csv", "processes.csv")])
    assert [(e.row, e.field, e.value) for e in info.value.errors] == [(2, "outputs", "F2")]
