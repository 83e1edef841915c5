"""Counties and municipalities from the 2024 register: what people type read as register
names at every door (import, forms, API, filters), and stores migrated to them."""

from __future__ import annotations

import shutil

import pytest

from graph import EmbeddedStore
from symbiosis import services
from symbiosis.errors import DataFileError, ImportValidationError
from symbiosis.io import load_files
from symbiosis.model import Company, Dataset, Park
from symbiosis.places import default_register, load_register

from .conftest import run_cli


@pytest.fixture(scope="module")
def reg():
    return default_register()


def test_the_register_holds_the_2024_structure_with_sources(reg):
    assert len(reg.counties) == 15 and len(reg.municipalities) == 357
    assert reg.county_names()[:3] == ["Agder", "Akershus", "Buskerud"]
    assert all(c.source == "SSB-KLASS-104" and c.year == 2024 for c in reg.counties.values())
    assert all(m.source == "SSB-KLASS-131" and m.year == 2024
               for m in reg.municipalities.values())
    assert {m.county for m in reg.municipalities.values()} == set(reg.counties)


def test_a_register_row_without_source_or_year_is_refused(tmp_path):
    from symbiosis.knowledge import data_path

    for name in ("counties.csv", "municipalities.csv", "municipality_former_names.csv",
                 "sources_register.csv"):
        shutil.copy(data_path(name), tmp_path / name)
    path = tmp_path / "municipalities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",SSB-KLASS-131,2024,", ",SSB-KLASS-131,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"municipalities.csv, row 6, field 'year'"):
        load_register(data_dir=tmp_path)


@pytest.mark.parametrize(("county", "municipality", "expected"), [
    ("troms", "", ("Troms", None)),
    ("TROMS ", "", ("Troms", None)),
    ("Troms  fylke", "", ("Troms", None)),
    ("Romsa", "", ("Troms", None)),                   # Northern Sami name of the county
    ("Tromssa", "", ("Troms", None)),                 # Kven
    ("55", "", ("Troms", None)),
    ("", "5501", ("Troms", "Tromsø")),                 # the municipality fills the county
    ("", "tromsø", ("Troms", "Tromsø")),
    ("", "Romsa", ("Troms", "Tromsø")),
    ("", "Guovdageaidnu", ("Finnmark", "Kautokeino")),
    ("", "Guovdageaidnu - Kautokeino", ("Finnmark", "Kautokeino")),
    ("", "301", ("Oslo", "Oslo")),                    # a spreadsheet dropped the zero
    ("Nordland", "Herøy", ("Nordland", "Herøy")),
    ("", "Herøy (Møre og Romsdal)", ("Møre og Romsdal", "Herøy")),
    ("Innlandet", "Våler", ("Innlandet", "Våler")),
    ("", "Tromsø kommune", ("Troms", "Tromsø")),
])
def test_what_people_type_is_read_as_register_names(reg, county, municipality, expected):
    got = reg.read(county, municipality)
    assert got.ok and not got.warnings, (got.problems, got.warnings)
    assert (got.county, got.municipality) == expected


@pytest.mark.parametrize(("county", "municipality", "expected", "warned"), [
    ("", "Skedsmo", ("Akershus", "Lillestrøm"), "former municipality 'Skedsmo'"),
    ("", "5401", ("Troms", "Tromsø"), "former municipality number 5401 (2020-2023)"),
    ("Troms og Finnmark", "Alta", ("Finnmark", "Alta"), "Alta is in Finnmark"),
    ("Viken", "Asker", ("Akershus", "Asker"), "Asker is in Akershus"),
    ("Hordaland", "", ("Vestland", None), "former county 'Hordaland'"),
    ("Telemark", "Bø", ("Telemark", "Midt-Telemark"), "now"),  # Bø i Telemark until 2019
    ("", "Tromso", ("Troms", "Tromsø"), "'Tromso' read as Tromsø"),
])
def test_former_names_and_numbers_are_read_with_a_warning(reg, county, municipality,
                                                          expected, warned):
    got = reg.read(county, municipality)
    assert got.ok, got.problems
    assert (got.county, got.municipality) == expected
    assert got.warnings
    if warned != "now":
        assert any(warned in w.message for w in got.warnings), got.warnings


@pytest.mark.parametrize(("county", "municipality", "field", "code", "choices"), [
    ("Trom", "", "county", "unknown", ("Troms",)),
    ("", "Tromsøø", "municipality", "unknown", ("Tromsø",)),
    ("Viken", "", "county", "ambiguous", ("Østfold", "Akershus", "Buskerud")),
    ("Vestfold og Telemark", "", "county", "ambiguous", ("Vestfold", "Telemark")),
    ("", "Herøy", "municipality", "ambiguous",
     ("Herøy (Møre og Romsdal)", "Herøy (Nordland)")),
    ("Troms", "Bergen", "county", "contradicts", ()),
    ("", "Orkdal", "municipality", "divided", ()),
    ("", "9999", "municipality", "unknown", ()),
])
def test_what_the_register_does_not_know_is_refused_with_the_choices(
        reg, county, municipality, field, code, choices):
    got = reg.read(county, municipality)
    assert [(p.field, p.code) for p in got.problems] == [(field, code)]
    assert got.problems[0].suggestions[:len(choices)] == choices
    if choices:
        assert all(c in got.problems[0].message for c in choices)


def _companies(tmp_path, rows: str, header: str = "id,name,lat,lon,municipality,county"):
    path = tmp_path / "companies.csv"
    path.write_text(header + "\n" + rows, encoding="utf-8")
    return path


def test_import_writes_register_names_and_names_file_row_and_field(tmp_path):
    ok = _companies(tmp_path, "A,Mill,69.6,18.9,,troms\nB,Smelter,69.2,18.1,5501,\n"
                              "C,Yard,59.9,10.8,Skedsmo,\n"
                              "D,Lab,57.7,11.9,Göteborg,Västra Götalands län\n",
                    header="id,name,lat,lon,municipality,county")
    with pytest.raises(ImportValidationError) as refused:
        load_files([ok])
    abroad = "; outside Norway, give the 'country' (SE, DK, FI ...)"
    assert [str(e) for e in refused.value.errors] == [
        "companies.csv, row 5, field 'county': unknown county 'Västra Götalands län'; the "
        "counties are Agder, Akershus, Buskerud, Finnmark, Innlandet, Møre og Romsdal, "
        f"Nordland, Oslo, Rogaland, Telemark, Troms, Trøndelag, Vestfold, Vestland and "
        f"Østfold{abroad} (got 'Västra Götalands län')",
        f"companies.csv, row 5, field 'municipality': unknown municipality 'Göteborg'{abroad} "
        "(got 'Göteborg')"]
    # a company abroad says so, and keeps its places as written
    path = _companies(tmp_path, "A,Mill,69.6,18.9,,troms,\nB,Smelter,69.2,18.1,5501,,NO\n"
                                "C,Yard,59.9,10.8,Skedsmo,,\n"
                                "D,Lab,57.7,11.9,Göteborg,Västra Götalands län,se\n",
                      header="id,name,lat,lon,municipality,county,country")
    result = load_files([path])
    got = {c.id: (c.county, c.municipality, c.country) for c in result.dataset.companies}
    assert got == {"A": ("Troms", None, None), "B": ("Troms", "Tromsø", None),
                   "C": ("Akershus", "Lillestrøm", None),
                   "D": ("Västra Götalands län", "Göteborg", "SE")}
    assert ("companies.csv, row 4, field 'municipality': former municipality 'Skedsmo' "
            "(until 2019): read as Lillestrøm (3205)") in result.warnings


def test_an_unknown_county_is_refused_with_a_suggestion_in_an_import(tmp_path):
    path = _companies(tmp_path, "A,Mill,69.6,18.9,,Trom\n")
    with pytest.raises(ImportValidationError) as refused:
        load_files([path])
    (error,) = refused.value.errors
    assert (error.file, error.row, error.field, error.code) == ("companies.csv", 2, "county",
                                                               "place_unknown")
    assert "did you mean Troms?" in error.message


def test_parks_are_read_against_the_register_too(tmp_path):
    path = tmp_path / "parks.csv"
    path.write_text("id,name,county,municipality\nP,Park,Troms og Finnmark,\n"
                    "Q,Other,romsa,senja\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as refused:
        load_files([path])
    assert [(e.row, e.field) for e in refused.value.errors] == [(2, "county")]
    assert "Troms and Finnmark" in refused.value.errors[0].message


def test_migration_makes_one_county_of_troms_and_troms(store):
    store.load(Dataset(
        companies=(Company("A", "Mill", 69.6, 18.9, county="troms"),
                   Company("B", "Smelter", 69.2, 18.1, county="Troms", municipality="senja"),
                   Company("C", "Yard", 69.6, 18.9, county="TROMS", municipality="5501"),
                   Company("D", "Lab", 69.6, 18.9, county="Tromz", municipality="Tromsø"),
                   Company("E", "Abroad", 57.7, 11.9, county="Västra Götaland",
                           country="SE")),
        parks=(Park("P", "Park", county="romsa"),)))
    result = services.normalise_places(store)
    assert {(c.kind, c.id, c.after) for c in result.changed} == {
        ("company", "A", ("Troms", None)), ("company", "B", ("Troms", "Senja")),
        ("company", "C", ("Troms", "Tromsø")), ("park", "P", ("Troms", None))}
    (unmatched,) = result.unmatched
    assert unmatched[:2] == ("company", "D") and unmatched[2].field == "county"
    assert unmatched[2].suggestions == ("Troms",)
    companies = {c.id: c for c in store.dataset().companies}
    assert {c.county for c in companies.values() if c.country is None} == {"Troms", "Tromz"}
    assert companies["D"].county == "Tromz"  # left as it was, and listed
    assert companies["E"].county == "Västra Götaland"
    assert [p.county for p in store.parks() if p.id == "P"] == ["Troms"]
    assert {c.id for c in store.companies(county="Troms")} == {"A", "B", "C"}
    assert services.normalise_places(store).changed == ()  # once is enough


def test_migrate_places_command_reports_changes_and_fixes_county_staff(tmp_path, runner):
    from web.db import Accounts

    store_path = tmp_path / "s.db"
    EmbeddedStore(store_path).load(Dataset(companies=(
        Company("A", "Mill", 69.6, 18.9, county="troms"),
        Company("B", "Lab", 69.6, 18.9, county="Nowhere"))))
    users = tmp_path / "u.sqlite"
    accounts = Accounts(users)
    accounts.add("kari", "long-enough-1", "county_staff", county="Troms")
    accounts.db.execute("UPDATE user SET county = 'troms' WHERE username = 'kari'")
    accounts.db.commit()
    accounts.close()
    dry = run_cli(runner, store_path, "migrate-places", "--dry-run", "--users", str(users))
    assert "would change 1" in dry and "company A: troms / - -> Troms / -" in dry
    assert EmbeddedStore(store_path).company("A").county == "troms"
    out = run_cli(runner, store_path, "migrate-places", "--users", str(users))
    assert "changed 1" in out and "company B, county: unknown county 'Nowhere'" in out
    assert "user kari: county troms -> Troms" in out
    assert EmbeddedStore(store_path).company("A").county == "Troms"
    accounts = Accounts(users)
    assert [u.county for u in accounts.users()] == ["Troms"]
    accounts.close()


def test_county_options_read_register_names(tmp_path, runner):
    from symbiosis.cli import cli

    store_path = tmp_path / "s.db"
    EmbeddedStore(store_path).load(Dataset(companies=(
        Company("A", "Mill", 69.6, 18.9, county="Troms"),)))
    out = run_cli(runner, store_path, "report", "--county", "romsa")
    assert '"area": "Troms"' in out and '"companies": 1' in out
    refused = runner.invoke(cli, ["--store", str(store_path), "report", "--county", "Trom"],
                            obj={})
    assert refused.exit_code != 0 and "did you mean Troms?" in refused.output


# -- the web front end -----------------------------------------------------------------------

def test_the_troms_user_sees_a_company_typed_troms_after_migration(login, app):
    store = EmbeddedStore(app.config["STORE_URL"])
    store.load(Dataset(companies=(Company("T-1", "Tromsø Fish Oil", 69.65, 18.96,
                                          county="troms"),)))
    s = login("troms")
    assert "Tromsø Fish Oil" not in s.get("/companies/").get_data(as_text=True)
    services.normalise_places(store)
    assert "Tromsø Fish Oil" in s.get("/companies/").get_data(as_text=True)
    assert s.get("/companies/T-1").status_code == 200


def test_county_drop_downs_list_the_register_and_filters_read_it(login, app):
    EmbeddedStore(app.config["STORE_URL"]).load(Dataset(companies=(
        Company("T-1", "Typed Free", 69.65, 18.96, county="troms"),)))
    s = login("admin")
    for url in ("/companies/", "/candidates/", "/indicators/", "/optimize/", "/network/"):
        page = s.get(url).get_data(as_text=True)
        for county in default_register().county_names():
            assert f"<option >{county}</option>" in page or \
                f"<option>{county}</option>" in page or f">{county}</option>" in page, (url,
                                                                                      county)
        assert ">troms</option>" not in page, url
    page = s.get("/companies/?county=romsa").get_data(as_text=True)
    assert "Finnfjord" in page and "Moelven" not in page
    assert s.get("/companies/?county=Trom").status_code == 400


def test_the_company_form_and_the_api_go_through_the_register(login, app, tokens):
    s = login("admin")
    r = s.post("/companies/new", {"id": "N-1", "name": "New", "lat": "69.6", "lon": "18.9",
                                  "county": "Trom"})
    assert r.status_code == 400 and "did you mean Troms?" in r.get_data(as_text=True)
    page = s.get("/companies/new").get_data(as_text=True)
    assert '<datalist id="municipalities">' in page and '<option value="Herøy (Nordland)">' \
        in page
    r = s.post("/companies/new", {"id": "N-1", "name": "New", "lat": "69.6", "lon": "18.9",
                                  "municipality": "tromsø"})
    assert r.status_code == 302
    company = EmbeddedStore(app.config["STORE_URL"]).company("N-1")
    assert (company.county, company.municipality) == ("Troms", "Tromsø")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    r = client.post("/api/v1/companies", headers=headers, json={"companies": [
        {"id": "N-2", "name": "Api", "lat": 70.0, "lon": 23.0, "county": "Finnmárku"}]})
    assert r.status_code == 201
    r = client.post("/api/v1/companies", headers=headers, json={"companies": [
        {"id": "N-3", "name": "Api", "lat": 70.0, "lon": 23.0, "county": "Viken"}]})
    assert r.status_code == 422
    (error,) = r.get_json()["errors"]
    assert error["field"] == "county" and "Østfold, Akershus and Buskerud" in error["message"]
    rows = client.get("/api/v1/companies?county=56", headers=headers).get_json()["companies"]
    assert [(c["id"], c["county"]) for c in rows] == [("N-2", "Finnmark")]
    assert client.get("/api/v1/companies?county=Trom", headers=headers).status_code == 400
