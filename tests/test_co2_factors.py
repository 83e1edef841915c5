"""CO2 factors for Norway as data: what recovered heat replaces, by default, per flow, per
park and per county; every CO2 figure names its factor; admins add factor sets."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from graph import EmbeddedStore
from symbiosis import services
from symbiosis.co2 import Co2Choice, Co2FactorError, check_factor, load_co2
from symbiosis.errors import DataFileError, ImportValidationError
from symbiosis.io import Table
from symbiosis.matching import find_candidates
from symbiosis.messages import render
from symbiosis.model import Company, Dataset, Flow
from symbiosis.taxonomy import default_taxonomy

MILL = Company("M", "Sawmill", 60.70, 11.87)
NURSERY = Company("N", "Nursery", 60.71, 11.88, county="Innlandet", park_id="P1")
SUPPLY = Flow("S", "M", "supply", "waste_heat", 5000, "MWh", {"temperature_c": 80})
DEMAND = Flow("D", "N", "demand", "hot_water", 3000, "MWh", {"temperature_c": 50})


def _one(demand: Flow = DEMAND, tax=None, nursery: Company = NURSERY):
    (cand,) = find_candidates([MILL, nursery], [SUPPLY, demand], taxonomy=tax)
    return cand


def _co2_reason(cand):
    (reason,) = [r for r in cand.reasons if r.code == "co2_avoided"]
    return reason


def test_the_factors_are_data_with_source_and_year():
    co2 = default_taxonomy().co2
    el = co2.factors["el_no_location"]
    assert (el.factor, el.year, el.source, el.applies_to) == (0.015, 2023,
                                                              "NVE-KLIMADEKL-2023",
                                                              "electricity")
    assert {"district_heat_no_avg", "heat_oil_boiler", "heat_gas_boiler",
            "heat_woodchip_boiler", "heat_electric_boiler"} <= set(co2.factors)
    # recovered heat replaces an electric boiler by default, electricity the grid
    tax = default_taxonomy()
    for resource in ("waste_heat", "hot_water", "heat", "steam"):
        r = tax.resource(resource)
        assert (r.co2_factor, r.substitute_ef_t_per_unit) == ("heat_electric_boiler", 0.0152)
        assert r.sources["substitute_ef_t_per_unit"] == ("NVE-KLIMADEKL-2023", 2023)
    assert tax.resource("electricity").co2_factor == "el_no_location"


def test_a_factor_row_without_source_or_year_is_refused(tmp_path):
    from symbiosis.knowledge import data_path

    for name in ("co2_factors.csv", "co2_defaults.csv"):
        shutil.copy(data_path(name), tmp_path / name)
    path = tmp_path / "co2_factors.csv"
    text = path.read_text(encoding="utf-8").replace(",MDIR-EF-NIR2021,2021,", ",,2021,", 1)
    path.write_text(text, encoding="utf-8")
    sources = {"NVE-KLIMADEKL-2023", "SIMIEN-CO2-2018", "NVE-VAREDEKL-2020",
               "MDIR-EF-NIR2021", "EST2026"}
    with pytest.raises(DataFileError, match=r"co2_factors.csv, row \d+, field 'source'"):
        load_co2(sources, default_taxonomy().resources, data_dir=tmp_path)


def test_the_norwegian_electricity_factor_gives_about_ten_times_less_than_a_gas_boiler():
    norwegian = _one()
    gas = _one(dataclasses.replace(DEMAND, replaces="heat_gas_boiler"))
    assert norwegian.amount == gas.amount == 3000
    assert norwegian.co2_avoided_t == pytest.approx(3000 * 0.0152)
    assert gas.co2_avoided_t == pytest.approx(3000 * 0.222)
    assert 10 <= gas.co2_avoided_t / norwegian.co2_avoided_t <= 20
    assert norwegian.value_nok == gas.value_nok  # the factor changes CO2 only


def test_the_co2_reason_names_the_factor_its_value_and_year():
    reason = _co2_reason(_one())
    assert reason.mapping == {"t_per_year": pytest.approx(45.6), "factor":
                              "heat_electric_boiler", "ef": 0.0152,
                              "ef_unit": "t CO2e/MWh", "year": "2023",
                              "source": "NVE-KLIMADEKL-2023"}
    assert render(reason) == ("avoids 46 t CO2/yr, counted with factor heat_electric_boiler "
                              "(0.0152 t CO2e/MWh, 2023)")
    assert render(reason, "nb") == ("unngår 46 t CO2/år, regnet med faktor "
                                    "heat_electric_boiler (0,0152 t CO2e/MWh, 2023)")
    gas = _co2_reason(_one(dataclasses.replace(DEMAND, replaces="heat_gas_boiler")))
    assert (gas.get("factor"), gas.get("ef"), gas.get("year")) == ("heat_gas_boiler", 0.222,
                                                                   "2021")
    # a factor that is not in the catalogue is named by its resource
    fuel = find_candidates(
        [MILL, NURSERY], [Flow("B", "M", "supply", "biomethane", 100, "MWh"),
                          Flow("G", "N", "demand", "fuel_gas", 100, "MWh")])
    named = {_co2_reason(c).get("factor") for c in fuel if c.co2_avoided_t}
    assert named == {"biomethane"}


def test_park_and_county_choices_apply_and_a_flow_decides_for_itself():
    tax = default_taxonomy()
    by_county = tax.with_co2(tax.co2.with_sets([], [
        Co2Choice("county", "Innlandet", "heat", "district_heat_no_avg")]))
    assert _co2_reason(_one(tax=by_county)).get("factor") == "district_heat_no_avg"
    by_park = tax.with_co2(by_county.co2.with_sets([], [
        Co2Choice("park", "P1", "heat", "heat_oil_boiler")]))
    assert _co2_reason(_one(tax=by_park)).get("factor") == "heat_oil_boiler"
    assert _one(tax=by_park).co2_avoided_t == pytest.approx(3000 * 0.289)
    own = dataclasses.replace(DEMAND, replaces="heat_woodchip_boiler")
    assert _co2_reason(_one(own, tax=by_park)).get("factor") == "heat_woodchip_boiler"
    assert _one(own, tax=by_park).co2_avoided_t == 0
    elsewhere = dataclasses.replace(NURSERY, county="Vestland", park_id=None)
    assert _co2_reason(_one(tax=by_park, nursery=elsewhere)).get("factor") == \
        "heat_electric_boiler"


def _flows_table(*rows: dict[str, str]) -> Table:
    columns = tuple(rows[0])
    return Table(kind="flows", label="flows.csv", columns=columns,
                 rows=tuple((n, r) for n, r in enumerate(rows, start=2)))


def test_replaces_is_checked_at_import(tmp_path):
    store = EmbeddedStore(tmp_path / "s.db")
    store.load(Dataset(companies=(MILL, NURSERY)))
    row = {"id": "D", "company_id": "N", "direction": "demand", "resource": "hot_water",
           "replaces": "heat_gas_boiler"}
    result = services.import_tables(store, [_flows_table(row)])
    assert result.dataset.flows[0].replaces == "heat_gas_boiler"
    bad = [{**row, "id": "D2", "replaces": "coal_boiler"},
           {**row, "id": "D3", "replaces": "el_no_location"},
           {**row, "id": "S2", "company_id": "M", "direction": "supply",
            "resource": "waste_heat"},
           {**row, "id": "D4", "resource": "wood_chips"}]
    with pytest.raises(ImportValidationError) as refused:
        services.import_tables(store, [_flows_table(*bad)])
    messages = {e.row: e.message for e in refused.value.errors if e.field == "replaces"}
    assert "unknown CO2 factor 'coal_boiler'; for heat one of" in messages[2]
    assert "heat_gas_boiler" in messages[2]
    assert "is for electricity" in messages[3]
    assert "is said of a demand flow" in messages[4]
    assert "no CO2 factor choice for resource wood_chips" in messages[5]


def test_check_factor_refuses_what_cannot_be_used():
    good = {"key": "tromso_dh", "label": "Tromsø district heating", "applies_to": "heat",
            "factor": "0.031", "unit": "t CO2e/MWh", "source": "supplier's declaration",
            "year": "2024"}
    assert check_factor(good).factor == 0.031
    for change, field in (({"factor": "inf"}, "factor"), ({"factor": "-0.1"}, "factor"),
                          ({"factor": "lots"}, "factor"), ({"source": " "}, "source"),
                          ({"year": ""}, "year"), ({"year": "1850"}, "year"),
                          ({"key": "Bad Key"}, "key"), ({"applies_to": "steam"}, "applies_to"),
                          ({"unit": "kg/kWh"}, "unit")):
        with pytest.raises(Co2FactorError) as refused:
            check_factor({**good, **change})
        assert refused.value.field == field, change
    with pytest.raises(Co2FactorError, match="taken"):
        check_factor({**good, "key": "heat_gas_boiler"}, taken={"heat_gas_boiler"})


def test_settings_are_kept_with_the_store(store):
    assert store.settings() == {}
    store.put_setting("a", '{"x": 1}')
    store.put_setting("b", "two")
    store.put_setting("a", '{"x": 2}')
    assert store.settings() == {"a": '{"x": 2}', "b": "two"}
    store.clear()
    assert store.settings() == {}


def test_factor_sets_and_choices_are_kept_with_the_store_and_used(store):
    store.load(Dataset(companies=(MILL, NURSERY), flows=(SUPPLY, DEMAND)))
    services.rematch(store)
    assert store.candidates()[0].co2_avoided_t == pytest.approx(3000 * 0.0152)
    added = services.add_co2_factor(store, {
        "key": "innlandet_bio", "label": "Local bio boiler mix", "applies_to": "heat",
        "factor": "0.01", "source": "Innlandet energy plan", "year": "2025"}, by="admin")
    assert added.added_by == "admin"
    with pytest.raises(Co2FactorError, match="taken"):
        services.add_co2_factor(store, {**dataclasses.asdict(added), "factor": "0.02"},
                                by="admin")
    services.choose_co2_factor(store, Co2Choice("county", "innlandet", "heat",
                                                "innlandet_bio"))
    (cand,) = store.candidates()
    assert cand.co2_avoided_t == pytest.approx(3000 * 0.01)
    (explained,) = services.explain(store, [cand])
    assert _co2_reason(explained).get("factor") == "innlandet_bio"
    assert _co2_reason(explained).get("year") == "2025"
    with pytest.raises(Co2FactorError, match="is for electricity"):
        services.choose_co2_factor(store, Co2Choice("park", "P1", "heat", "el_no_location"))
    services.choose_co2_factor(store, Co2Choice("county", "Innlandet", "heat", ""))  # drop
    assert store.candidates()[0].co2_avoided_t == pytest.approx(3000 * 0.0152)


# -- the web front end ------------------------------------------------------------------------

def test_an_admin_adds_a_factor_set_and_a_flow_uses_it(login, app, tokens):
    s = login("admin")
    page = s.get("/admin/factors").get_data(as_text=True)
    assert 'id="factor-el_no_location"' in page and 'id="add-factor"' in page
    r = s.post("/admin/factors", {"key": "kinn_dh", "label": "Kinn district heating",
                                  "applies_to": "heat", "factor": "nan",
                                  "unit": "t CO2e/MWh", "source": "Kinn energy", "year": "2024"})
    assert r.status_code == 400 and "finite number of at least 0" in r.get_data(as_text=True)
    r = s.post("/admin/factors", {"key": "kinn_dh", "label": "Kinn district heating",
                                  "applies_to": "heat", "factor": "0.05",
                                  "unit": "t CO2e/MWh", "source": "", "year": "2024"})
    assert r.status_code == 400 and 'data-field="source">is required' in r.get_data(as_text=True)
    r = s.post("/admin/factors", {"key": "kinn_dh", "label": "Kinn district heating",
                                  "applies_to": "heat", "factor": "0.05",
                                  "unit": "t CO2e/MWh", "source": "Kinn energy",
                                  "year": "2024"})
    assert r.status_code == 302
    assert 'id="factor-kinn_dh"' in s.get("/admin/factors").get_data(as_text=True)
    # a demand flow names it through the API; its candidates count with it
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    r = client.post("/api/v1/companies", headers=headers, json={
        "companies": [{"id": "K-1", "name": "Fish farm", "lat": 61.599, "lon": 5.068,
                       "municipality": "Kinn"},
                      {"id": "K-2", "name": "Smokehouse", "lat": 61.6, "lon": 5.07,
                       "municipality": "Kinn"}],
        "flows": [{"id": "K-S", "company_id": "K-1", "direction": "supply",
                   "resource": "waste_heat", "amount": 2000, "unit": "MWh",
                   "temperature_c": 70},
                  {"id": "K-D", "company_id": "K-2", "direction": "demand",
                   "resource": "hot_water", "amount": 1000, "unit": "MWh",
                   "temperature_c": 40, "replaces": "kinn_dh"}]})
    assert r.status_code == 201, r.get_json()
    cand = next(c for c in EmbeddedStore(app.config["STORE_URL"]).candidates(flow_id="K-D")
                if c.supply_flow == "K-S")
    assert cand.co2_avoided_t == pytest.approx(1000 * 0.05, rel=1e-3)
    found = client.get("/api/v1/candidates?company=K-2", headers=headers).get_json()
    row = next(c for c in found["candidates"] if c["supply"]["id"] == "K-S")
    assert any("kinn_dh (0.05 t CO2e/MWh, 2024)" in text for text in row["reasons"])


def test_an_admin_chooses_what_heat_replaces_in_a_park(login, app):
    s = login("admin")
    r = s.post("/admin/factors/choice", {"scope": "park", "name": "FINNFJORD",
                                         "applies_to": "heat", "factor": "heat_gas_boiler"})
    assert r.status_code == 302
    assert "park FINNFJORD" in s.get("/admin/factors").get_data(as_text=True)
    r = s.post("/admin/factors/choice", {"scope": "county", "name": "Trom",
                                         "applies_to": "heat", "factor": "heat_gas_boiler"},
               follow_redirects=True)
    assert "did you mean Troms?" in r.get_data(as_text=True)


def test_a_viewer_cannot_manage_factors(login):
    for user in ("viewer", "solor", "troms"):
        s = login(user)
        assert s.get("/admin/factors").status_code == 403
        r = s.post("/admin/factors", {"key": "mine", "label": "x", "applies_to": "heat",
                                      "factor": "0", "source": "me", "year": "2024"})
        assert r.status_code == 403
        assert s.post("/admin/factors/choice", {"scope": "park", "name": "FINNFJORD",
                                                "applies_to": "heat",
                                                "factor": "heat_gas_boiler"}
                      ).status_code == 403
    assert "CO2 factors" not in login("viewer").get("/").get_data(as_text=True)
