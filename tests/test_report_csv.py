"""The CSV of candidates written from a CandidateList's columns (``candidate_text``'s fast
path) is the same text, byte for byte, as the one written candidate by candidate."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import Counter

import pytest

from fixtures.synthetic import generate_region
from graph import EmbeddedStore
from symbiosis.export import SpreadsheetWriter, spreadsheet_cell
from symbiosis.matching import (
    RECORD_FIELDS,
    CandidateList,
    _rounded,
    candidate_record,
    find_candidates,
)
from symbiosis.messages import Words, render
from symbiosis.model import Company, Dataset, Flow, Reason
from symbiosis.report import CANDIDATE_FIELDS, _candidate_row, candidate_text
from symbiosis.services import filter_candidates
from symbiosis.taxonomy import default_taxonomy

from .conftest import run_cli

#: every reason and limit a candidate can have
ALL_CODES = {"resource_match", "via_technology", "distance", "unit_conversion",
             "temperature", "season", "feasible_amount", "net_value", "co2_avoided",
             "needs_confirmation", "quality_unknown", "quantity_unknown", "fixed_cost",
             "value_unknown", "co2_unknown"}


def _odd_corner() -> Dataset:
    """A few companies near Trondheim whose flows give what a synthetic region lacks:
    amounts converted from the units written, resources unknown to the taxonomy (their
    units the flows'), a demand without a price or a substitute price, ids a spreadsheet
    would run or a CSV must quote, losses, and amounts halfway between two whole numbers."""
    at = (63.43, 10.39)
    companies = [Company(cid, name, at[0] + k * 0.004, at[1] + k * 0.003)
                 for k, (cid, name) in enumerate([("SAG", "Sag AS"), ('C,"odd"', "Odd, AS"),
                                                  ("=HUS", "Hus AS"), ("MASSE", "Masse AS"),
                                                  ("@LAGER", "Lager AS")])]
    lm3 = {"amount_text": "1000 lm3/år", "conversion": "1 lm3 = 0.35 t (NS 3166, 2020)"}
    flows = [
        Flow("F-wood", "SAG", "supply", "wood_chips", 350.5, "t", **lm3),
        Flow("-12", 'C,"odd"', "demand", "wood_chips", 120.5, "t",
             amount_text="0.5 GWh", conversion="1 GWh = 241 t (fuel, 2019)"),
        Flow("=F3", "=HUS", "demand", "wood_chips", 2.5, "t", price_nok_per_unit=-4000.0),
        Flow("F,4", "SAG", "supply", "custom:pallets", 1234.5, "pallets"),
        Flow('F"5', "=HUS", "demand", "custom:pallets", 999.5, "pallets"),
        Flow("F6", "@LAGER", "supply", "custom:pallets", 10.5, "stk"),
        Flow("F12", "MASSE", "supply", "custom:pallets", 5.5, "pallets"),
        Flow("F7", "MASSE", "supply", "black_liquor", 5000.0, "t"),
        Flow("F8", "=HUS", "demand", "black_liquor", 2000.0, "t"),
        Flow("F9", "SAG", "supply", "waste_heat", 8000.0, "MWh", {"temperature_c": 70}),
        Flow("F10", "=HUS", "demand", "heat", 1500.5, "MWh", {"temperature_c": 42.5},
             replaces="heat_oil_boiler"),
        Flow("F11", 'C,"odd"', "demand", "heat", None, "MWh", {"temperature_c": 55},
             replaces="heat_gas_boiler"),
    ]
    return Dataset(companies=tuple(companies), flows=tuple(flows))


@pytest.fixture(scope="module")
def world() -> Dataset:
    """A synthetic region (many resource groups, links through a facility, seasons,
    temperatures, fixed costs, unknown amounts and qualities), some of its heat demands
    replacing other factors than their resource's, and :func:`_odd_corner`."""
    region = generate_region(1200, seed=7)
    choices = ["heat_oil_boiler", "heat_gas_boiler", "", ""]
    flows = [dataclasses.replace(f, replaces=choices[n % 4])
             if f.resource == "heat" and f.direction == "demand" else f
             for n, f in enumerate(region.flows)]
    corner = _odd_corner()
    return Dataset(companies=region.companies + corner.companies,
                   flows=tuple(flows) + corner.flows, processes=region.processes,
                   parks=region.parks)


@pytest.fixture(scope="module")
def cands(world) -> CandidateList:
    return find_candidates(world.companies, world.flows)


def _reference(cands, lang: str) -> str:
    """The CSV written candidate by candidate, each built with its reasons."""
    words = Words(default_taxonomy(), lang)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CANDIDATE_FIELDS)
    for c in cands:
        row = _candidate_row(c, words)
        w.writerow([spreadsheet_cell(" | ".join(row[k]) if k in ("reasons", "limits")
                                     else row[k]) for k in CANDIDATE_FIELDS])
    return out.getvalue()


def test_the_fixture_has_every_reason_several_groups_and_cells_to_quote(cands):
    codes = Counter(r.code for c in cands for r in (*c.reasons, *c.limits))
    assert set(codes) == ALL_CODES
    assert len({(c.resource, c.demand_resource, c.via) for c in cands}) > 20
    assert sum(1 for c in cands if c.via) > 100
    factors = {r.get("factor") for c in cands for r in c.reasons if r.code == "co2_avoided"}
    assert {"heat_oil_boiler", "heat_gas_boiler"} <= factors
    # of one group, one side limiting, in two units (the supply flows')
    units = {(c.unit, r.get("bound")) for c in cands if c.resource == "custom:pallets"
             for r in c.reasons if r.code == "feasible_amount"}
    assert {("pallets", "supply"), ("stk", "supply")} <= units
    ids = {x for c in cands for x in (c.supply_flow, c.demand_flow, c.demand_company)}
    assert {"-12", "=F3", 'F"5', "F,4", 'C,"odd"', "=HUS"} <= ids
    assert any(c.value_nok is not None and c.value_nok < 0 for c in cands)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_csv_from_columns_is_the_csv_written_candidate_by_candidate(cands, lang):
    fast = "".join(candidate_text(cands, "csv", lang=lang))
    assert fast == _reference(cands, lang)
    # and it went through the columns: a plain list of the same candidates is written
    # the old way, to the same text
    assert "".join(candidate_text(list(cands), "csv", lang=lang)) == fast


def test_reason_texts_are_the_words_of_each_built_candidate(cands):
    words = Words(default_taxonomy(), "nb")
    batches = list(cands.reason_texts(words, " | ", batch=500))
    reasons = [text for made, _ in batches for text in made]
    limits = [text for _, made in batches for text in made]
    assert reasons == [" | ".join(render(r, "nb", label=words.label, tech_label=words.tech,
                                         mode_label=words.mode) for r in c.reasons)
                       for c in cands]
    assert limits == [" | ".join(words(r) for r in c.limits) for c in cands]


def test_columns_and_records_are_the_built_candidates_fields(cands):
    fields = list(RECORD_FIELDS)
    got = cands.columns(fields, 100, 700)
    built = cands[100:700]
    for name, column in zip(fields, got, strict=True):
        assert column == [getattr(c, name) for c in built], name
    assert list(cands.records()) == [candidate_record(c) for c in cands]
    assert cands.flow_ids() == {fid for c in cands for fid in c.key}


def test_the_match_command_writes_that_csv_filtered_or_not(tmp_path, runner, world):
    store = EmbeddedStore(tmp_path / "s.db")
    store.load(world)
    stored = store.dataset()
    reference = list(find_candidates(stored.companies, stored.flows))
    county = world.companies[0].county
    in_county = filter_candidates(store, reference, county=county, resource="spillvarme")
    store.close()
    assert 0 < len(in_county) < len(reference) / 10
    for lang in ("en", "nb"):
        out = run_cli(runner, tmp_path / "s.db", "match", "--format", "csv", "--lang", lang)
        assert out == _reference(reference, lang)
    out = run_cli(runner, tmp_path / "s.db", "match", "--format", "csv", "--county", county,
                  "--resource", "spillvarme")
    assert out == _reference(in_county, "en")


def test_writecolumns_writes_what_writerows_writes():
    cells = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "=SUM(A1)", "-12", "-x",
             "@at", "+3", "\ttab", "", " spaced ", "x" * 60 + ",", "ø æ å", "-0.5e3"]
    numbers = [0.0, -0.0, 1.5, -2.25, 1e22, 1e-7, float("nan"), float("inf"), None, 3, True,
               12345678.901, -1 / 3, 2.5, None, 0.1]
    columns = [cells, numbers, list(reversed(cells)), [c * 3 for c in cells],
               [str(n) for n in numbers], [x for pair in zip(cells[::2], numbers[1::2],
                                                             strict=True) for x in pair]]
    fast, slow = io.StringIO(), io.StringIO()
    for _ in range(2):  # a second time, with the texts seen before
        SpreadsheetWriter(fast).writecolumns(columns)
        SpreadsheetWriter(slow).writerows(zip(*columns, strict=True))
    assert fast.getvalue() == slow.getvalue()


def test_number_templates_read_as_the_whole_reason():
    words = Words(default_taxonomy(), "nb")
    for km in (0.0, 0.04, 0.05, 9.96, 99.95, 123.45, 1234.5, -3.0):
        reason = Reason.of("distance", km=km, mode="truck", great_circle_km=km / 1.4,
                           circuity=1.4, half_km=80.0, limit_km=250.0)
        made = words.template(reason, ("km", "great_circle_km"), first=2)
        assert made is not None
        assert made.format("", "", *words.numbers("km", [km]),
                           *words.numbers("great_circle_km", [km / 1.4])) == words(reason)
    # a factor is written to four significant digits, a mode is a word: not plain numbers
    co2 = Reason.of("co2_avoided", t_per_year=12.5, factor="x", ef=0.0152)
    assert words.template(co2, ("ef",)) is None
    assert words.template(Reason.of("fixed_cost", mode="truck", nok_per_year=1.0),
                          ("mode",)) is None
    assert words.numbers("amount", [0.5, 1.5, -0.4, 1234.5, None]) == \
        ["0", "2", "0", "1\u00a0234", ""]


def test_columns_round_as_python_does():
    """Halfway in decimal is seldom halfway in binary: 0.15 is 0.1499..., rounded down."""
    import numpy as np

    rng = np.random.default_rng(3)
    values = np.concatenate([[0.15, 0.25, 0.35, 2.675, 1.005, -0.05, -0.0, 1e300, 5e15 + 0.5,
                              float("nan"), float("inf")],
                             np.round(rng.random(20000) * 600, 1) + 0.05,
                             np.round(rng.random(20000) * 600, 3) + 0.0005])
    for digits in (1, 3):
        got = _rounded(values, digits)
        want = [round(x, digits) for x in values.tolist()]
        assert [repr(x) for x in got] == [repr(x) for x in want]
