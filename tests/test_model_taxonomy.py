import csv
from pathlib import Path

import pytest

from symbiosis.errors import DataFileError
from symbiosis.model import valid_org_number
from symbiosis.taxonomy import QUALITY_FIELDS, default_taxonomy, load_taxonomy
from symbiosis.units import UnitError, conversion_factor

DATA = Path(__file__).resolve().parent.parent / "symbiosis" / "data"


@pytest.mark.parametrize("number,ok", [("923609016", True), ("923 609 016", True),
                                       ("923609017", False), ("12345678", False),
                                       ("98765432X", False)])
def test_org_number_mod11(number, ok):
    assert valid_org_number(number) is ok


def test_taxonomy_covers_the_families_and_resources_the_field_needs():
    tax = default_taxonomy()
    assert len(tax.resources) >= 30
    needed = {"waste_heat", "hot_water", "steam", "cooling", "co2", "oxygen", "hydrogen",
              "biogas", "wood_residues", "recovered_wood", "bark", "wood_chips", "fish_sludge",
              "sewage_sludge", "manure", "food_waste", "digestate", "algae", "feed_byproducts",
              "fly_ash", "bottom_ash", "slag", "gypsum", "microsilica", "lime", "process_water",
              "treated_wastewater", "surface_water", "cooling_water", "chemicals", "electricity"}
    assert needed <= set(tax.resources)
    for res in tax.resources.values():
        assert res.label_en and res.label_no
        assert res.transport, res.key
        assert set(res.quality_fields) <= set(QUALITY_FIELDS)


def _rows(name):
    return list(csv.DictReader((DATA / name).read_text(encoding="utf-8").splitlines()))


def _sources():
    keys = {r["key"] for r in _rows("sources.csv")}
    for path in sorted(DATA.glob("sources_*.csv")):
        keys |= {r["key"] for r in _rows(path.name)}
    return keys


def test_every_number_in_the_data_files_has_a_source_and_year():
    sources = _sources()
    for row in _rows("resources.csv"):
        for value, src, year in (("substitute_ef_t_per_unit", "ef_source", "ef_year"),
                                 ("substitute_price_nok_per_unit", "price_source", "price_year"),
                                 ("disposal_cost_nok_per_unit", "disposal_source",
                                  "disposal_year")):
            if row[value]:
                assert row[src] in sources and row[year].isdigit(), (row["key"], value)
    for row in _rows("transport.csv") + _rows("modes.csv"):
        assert row["source"] in sources and row["year"].isdigit(), row
    for name in ("lexicon.csv", "hierarchy.csv", "pathways.csv", "technologies.csv",
                 "densities.csv", "heating_values.csv", "reach.csv", "qualifier_kinds.csv"):
        rows = _rows(name)
        assert rows, name
        for row in rows:
            keys = [k.strip() for k in row["source"].split(";") if k.strip()]
            assert keys and all(k in sources for k in keys) and row["year"].isdigit(), (
                name, row)


def test_knowledge_is_large_enough_and_estimates_say_how():
    tax = default_taxonomy()
    assert len(tax.resources) >= 150
    pathways = tax.knowledge.pathways
    assert len(pathways) >= 300
    for row in _rows("pathways.csv") + _rows("technologies.csv"):
        if row["estimate"] == "yes":
            assert row["notes"].strip(), row  # an estimate says how it was reached
    langs = {t.lang for t in tax.knowledge.terms}
    assert langs == {"en", "nb", "nn", "sv", "da", "fi"}
    assert {t.resource for t in tax.knowledge.terms} == set(tax.resources)


def test_a_knowledge_row_needs_its_source(tmp_path):
    for path in DATA.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    text = (DATA / "pathways.csv").read_text(encoding="utf-8").splitlines()
    head, first = text[0], text[1].split(",")
    cols = head.split(",")
    first[cols.index("source")] = "NO-SUCH-SOURCE"
    (tmp_path / "pathways.csv").write_text("\n".join([head, ",".join(first), *text[2:]]),
                                           encoding="utf-8")
    with pytest.raises(DataFileError, match=r"pathways.csv, row 2, field 'source'"):
        load_taxonomy(data_dir=tmp_path)


def test_a_number_without_source_is_refused(tmp_path):
    for name in ("sources.csv", "modes.csv", "transport.csv", "compatibility.csv",
                 "ewc_codes.csv", "ewc_map.csv", "sources_factors.csv"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    text = (DATA / "resources.csv").read_text(encoding="utf-8")
    (tmp_path / "resources.csv").write_text(
        text.replace(",0.202,IPCC2006-V2,2006,", ",0.202,,,", 1), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"resources.csv, row \d+, field 'ef_source'"):
        load_taxonomy(data_dir=tmp_path)


def test_all_842_ewc_codes_are_known_to_the_importer():
    tax = default_taxonomy()
    assert len(tax.ewc_codes) == 842
    for code in tax.ewc_codes:
        spaced = f"{code[:2]} {code[2:4]} {code[4:]}*"
        key, _ = tax.resolve(spaced)
        assert key and tax.known(key)
    assert tax.resolve("10 01 02")[0] == "fly_ash"
    assert tax.resolve("99 99 99")[0] == ""


def test_names_aliases_norwegian_and_custom():
    tax = default_taxonomy()
    assert tax.resolve("Spillvarme") == ("waste_heat", None)
    assert tax.resolve("fish-sludge")[0] == "fish_sludge"
    assert tax.resolve("RETURTRE")[0] == "recovered_wood"
    key, warning = tax.resolve("unobtainium dust")
    assert key == "custom:unobtainiumdust" and "custom" in warning
    assert [r.demand for r in tax.demands_met_by(key)] == [key]


def test_override_file_replaces_factor_and_requires_source(tmp_path):
    good = tmp_path / "factors.csv"
    good.write_text("resource,field,value,source,year\n"
                    "waste_heat,substitute_price_nok_per_unit,999,Local quote,2026\n"
                    "waste_heat,max_distance_km:pipeline,25,Municipal heat plan,2025\n",
                    encoding="utf-8")
    tax = load_taxonomy(overrides=good)
    res = tax.resource("waste_heat")
    assert res.substitute_price_nok_per_unit == 999
    assert res.sources["substitute_price_nok_per_unit"] == ("Local quote", 2026)
    assert res.max_distance_km == 25
    bad = tmp_path / "bad.csv"
    bad.write_text("resource,field,value,source,year\nwaste_heat,substitute_price_nok_per_unit,"
                   "1,,\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="row 2, field 'source'"):
        load_taxonomy(overrides=bad)


@pytest.mark.parametrize("unit,canonical,factor", [
    ("t/yr", "t", 1.0), ("kt/yr", "t", 1000.0), ("kg/yr", "t", 0.001), ("GWh/yr", "MWh", 1000.0),
    ("kWh/yr", "MWh", 0.001), ("MWh", "MWh", 1.0), ("m3/yr", "m3", 1.0), ("l/yr", "m3", 0.001),
    ("tonn/år", "t", 1.0)])
def test_units_convert_with_pint(unit, canonical, factor):
    assert conversion_factor(unit, canonical) == pytest.approx(factor)


def test_units_refuse_wrong_dimension_and_unknown():
    with pytest.raises(UnitError):
        conversion_factor("t/yr", "MWh")
    with pytest.raises(UnitError):
        conversion_factor("bananas", "t")
