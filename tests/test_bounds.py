"""Issue 12, items 6 and 8: numbers within bounds and places within the country.

Amounts are finite and under a plausible ceiling per unit unless confirmed; solver
failures are reported in words; JSON never holds ``Infinity`` or ``NaN``; a company
outside Norway, or with latitude and longitude swapped, is a warning."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from graph import EmbeddedStore
from optimizer import build_model, build_problem, optimise
from optimizer.solve import solve
from symbiosis.cli import cli
from symbiosis.errors import ImportValidationError, OptimizationError
from symbiosis.export import json_text
from symbiosis.io import load_files
from symbiosis.matching import match_dataset

from .conftest import CASE_FILES

COMPANY = "id,name,lat,lon\nA,Mill,60.7,11.8\nB,Dairy,60.71,11.81\n"


def _strict(text: str):
    """JSON as the standard has it: ``Infinity`` and ``NaN`` are refused."""
    def refuse(token: str):
        raise ValueError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def _files(tmp_path, flows: str):
    (tmp_path / "companies.csv").write_text(COMPANY, encoding="utf-8")
    (tmp_path / "flows.csv").write_text(flows, encoding="utf-8")
    return [tmp_path / "companies.csv", tmp_path / "flows.csv"]


@pytest.mark.parametrize("amount, unit, code", [
    ("1e308", "TWh/yr", "not_finite"),      # finite as written, infinite in MWh
    ("1e400", "MWh", ""),                   # not a finite number at all
    ("2e9", "t/yr", "too_large"),           # above the ceiling of one flow
    ("20", "Tm3", "too_large"),
])
def test_amounts_must_be_finite_and_plausible(tmp_path, amount, unit, code):
    files = _files(tmp_path, "id,company_id,direction,resource,amount,unit\n"
                             f"F1,A,supply,waste_heat,{amount},{unit}\n"
                   .replace("waste_heat", "water" if unit == "Tm3" else
                            "waste_heat" if "Wh" in unit else "bark"))
    with pytest.raises(ImportValidationError) as info:
        load_files(files)
    (e,) = info.value.errors
    assert (e.file, e.row, e.field, e.code) == ("flows.csv", 2, "amount", code)


def test_a_large_amount_is_taken_when_confirmed(tmp_path, runner):
    files = _files(tmp_path, "id,company_id,direction,resource,amount,unit,confirm_large\n"
                             "F1,A,supply,bark,2e9,t/yr,true\n")
    (flow,) = load_files(files).dataset.flows
    assert flow.amount == 2e9
    store = tmp_path / "s.db"
    assert runner.invoke(cli, ["--store", str(store), "import", *map(str, files)],
                         obj={}).exit_code == 0
    # a re-import without the amount keeps it, confirmed as it was
    (tmp_path / "flows.csv").write_text("id,description\nF1,bark from the debarker\n",
                                        encoding="utf-8")
    out = runner.invoke(cli, ["--store", str(store), "import", str(tmp_path / "flows.csv")],
                        obj={})
    assert out.exit_code == 0, out.output
    assert EmbeddedStore(store).flow("F1").amount == 2e9


def test_the_flow_form_asks_for_confirmation(login, app):
    s = login("admin")
    form = {"id": "SOL-F999", "direction": "supply", "resource": "bark", "amount": "5e9",
            "unit": "t"}
    r = s.post("/companies/SOL-C01/flows/new", form)
    assert r.status_code == 400 and "confirm_large" in r.get_data(as_text=True)
    assert 'id="confirm_large"' in r.get_data(as_text=True)
    assert s.post("/companies/SOL-C01/flows/new", {**form, "confirm_large": "true"}
                  ).status_code == 302
    assert EmbeddedStore(app.config["STORE_URL"]).flow("SOL-F999").amount == 5e9


def test_the_cli_refuses_1e308_twh_and_leaves_the_store_as_it_was(tmp_path, runner):
    store = tmp_path / "s.db"
    files = _files(tmp_path, "id,company_id,direction,resource,amount,unit\n"
                             "F1,A,supply,waste_heat,1e308,TWh/yr\n"
                             "F2,B,demand,waste_heat,1e308,TWh/yr\n")
    result = runner.invoke(cli, ["--store", str(store), "import", *map(str, files)], obj={})
    assert result.exit_code != 0
    assert not any(EmbeddedStore(store).counts().values())


def _with_infinite_amount():
    """The cases with one exchanged pair's amounts infinite, as an older import stored."""
    data = load_files(CASE_FILES).dataset
    plan = optimise(data, list(match_dataset(data)), time_limit_s=20)
    pair = {plan.exchanges[0].supply_flow, plan.exchanges[0].demand_flow}
    flows = tuple(dataclasses.replace(f, amount=math.inf) if f.id in pair else f
                  for f in data.flows)
    return dataclasses.replace(data, flows=flows), sorted(pair)


def test_a_solver_failure_is_reported_in_words():
    data, pair = _with_infinite_amount()
    cands = list(match_dataset(data))
    with pytest.raises(OptimizationError) as info:
        optimise(data, cands, time_limit_s=20)
    assert str(info.value).startswith(f"flow {pair[0]} has an amount of inf")
    assert "correct the flow's amount" in str(info.value)
    # the solver's own refusal of a number past the check (here: an infinite coefficient
    # as a link with a fixed cost and no bound would make) comes in words, not as
    # "'StatusNotOk' object has no attribute 'canonical_code'"
    clean = load_files(CASE_FILES).dataset
    built = build_model(build_problem(clean.flows, clean.processes, match_dataset(clean)))
    amount = next(iter(built.x.values()))
    built.model.add_linear_constraint(amount * math.inf <= 1.0)
    with pytest.raises(OptimizationError) as info:
        solve(built, built.value, time_limit_s=10, gap=1e-4)
    text = str(info.value)
    assert "canonical_code" not in text
    assert text.startswith("The optimiser refused the model: a number in the model is not "
                           "finite or too large")
    assert "found coefficient: inf" in text


def test_json_never_holds_infinity_or_nan(tmp_path, runner, app, tokens):
    data, pair = _with_infinite_amount()
    store_path = tmp_path / "s.db"
    store = EmbeddedStore(store_path)
    store.load(data)
    store.replace_candidates(list(match_dataset(data)))
    for args in (["export", "--format", "json"], ["export", "--format", "geojson"],
                 ["report", "--format", "json"], ["match", "--format", "json"]):
        out = runner.invoke(cli, ["--store", str(store_path), *args], obj={})
        assert out.exit_code == 0, out.output
        _strict(out.output)
    assert _strict(json_text({"a": [math.inf, -math.inf, math.nan, 1.5]})) == {
        "a": [None, None, None, 1.5]}
    # the API, over a store holding an infinite amount
    app.config["STORE_URL"] = str(store_path)
    from web.data import close

    close(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    company = next(f.company_id for f in data.flows if f.id == pair[0])
    for url in (f"/api/v1/companies/{company}", "/api/v1/flows", "/api/v1/candidates"):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, url
        _strict(r.get_data(as_text=True))
    flows = _strict(client.get(f"/api/v1/companies/{company}", headers=headers)
                    .get_data(as_text=True))["flows"]
    assert any(f["id"] in pair and f["amount"] is None for f in flows)


# -- coordinates -----------------------------------------------------------------------------

PLACES = ("id,name,lat,lon\n"
          "OSL,Oslo swapped,10.75,59.91\n"
          "LYR,Longyearbyen,78.22,15.65\n"
          "PAR,Paris,48.85,2.35\n"
          "BGO,Bergen,60.39,5.32\n")


def test_places_outside_norway_or_swapped_are_warnings_in_the_cli(tmp_path, runner):
    (tmp_path / "companies.csv").write_text(PLACES, encoding="utf-8")
    out = runner.invoke(cli, ["--store", str(tmp_path / "s.db"), "import",
                              str(tmp_path / "companies.csv")], obj={})
    assert out.exit_code == 0, out.output  # a warning, not an error
    assert ("warning: companies.csv row 2: company OSL at lat 10.75, lon 59.91 is outside "
            "Norway; lat and lon look swapped (lat 59.91, lon 10.75 is in Norway)"
            in out.output)
    assert "company PAR at lat 48.85, lon 2.35 is outside Norway\n" in out.output
    assert "LYR" not in out.output and "BGO" not in out.output  # Svalbard is Norway
    assert len(EmbeddedStore(tmp_path / "s.db").companies()) == 4


def test_the_upload_preview_warns_about_swapped_places(login):
    import io

    s = login("admin")
    r = s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": "",
        "file": (io.BytesIO(PLACES.encode()), "companies.csv")},
        content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="commit"' in page
    assert "company OSL at lat 10.75, lon 59.91 is outside Norway; lat and lon look swapped" \
        in page
