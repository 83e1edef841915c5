import json
import re

import pytest

from graph import EmbeddedStore

from .conftest import CASE_FILES
from .conftest import run_cli as _run

FIELDS = {"supply_flow", "demand_flow", "supply_company", "demand_company", "resource",
          "distance_km", "amount", "unit", "value_nok", "co2_avoided_t", "score", "reasons"}


def test_match_json_and_filters(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    rows = json.loads(_run(runner, store, "match", "--format", "json"))
    assert rows and FIELDS <= set(rows[0])
    troms = json.loads(_run(runner, store, "match", "--format", "json", "--county", "Troms"))
    assert troms and all("FIN" in (r["supply_flow"][:3], r["demand_flow"][:3]) for r in troms)
    heat = json.loads(_run(runner, store, "match", "--format", "json", "--resource",
                           "spillvarme"))
    assert heat and all("waste_heat" in (r["resource"], r["demand_resource"]) for r in heat)
    one = json.loads(_run(runner, store, "match", "--format", "json", "--company", "FLO-C03"))
    assert one and all("FLO-C03" in (r["supply_company"], r["demand_company"]) for r in one)
    csv_text = _run(runner, store, "match", "--format", "csv")
    assert csv_text.splitlines()[0].startswith("supply_flow,demand_flow")


def test_chains_command(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    out = _run(runner, store, "chains", "--flow", "FLO-F010", "--max-steps", "2")
    assert "FLO-F010 -> FLO-F011 -> FLO-F015 -> FLO-F017" in out


def test_demo_reports_cases_plan_and_writes_a_local_network_picture(tmp_path, runner):
    store, html = tmp_path / "s.db", tmp_path / "net.html"
    out = _run(runner, store, "demo", "--output", str(html))
    # the cases' documented exchanges first, as realised, and the indicators count them
    steam = re.search(r"operating SOL-F013 -> SOL-F018 since 2007: 36,000 MWh/yr, "
                      r"([\d,]+) t CO2/yr avoided", out)
    assert steam and steam.group(1) != "0"
    assert "ended     FIN-F012 -> FIN-F016 since 2021 until 2024" in out
    # the steam is the one documented exchange with a quantity: the indicators' CO2 is its
    assert "indicators: 5 symbioses" in out
    assert f"{steam.group(1)} t CO2/yr avoided by them" in out
    # the plan holds them as facts and proposes none of them again
    plan_part = out.split("== Optimised plan", 1)[1]
    assert "6 existing exchange(s) held as facts (agreed, operating or started by hand)" \
        in plan_part
    assert "SOL-F013 -> SOL-F018  steam" not in plan_part
    assert "account (every krone and tonne of the totals)" in plan_part
    assert "sells 1,520 t/yr hydrogen on the market at 60,000 NOK/t" in plan_part
    assert "totals: Net value " in plan_part and "value_nok" not in plan_part
    assert "conditional proposals" in plan_part and "#1 " in plan_part
    assert "recall 10/10" in out
    for case in ("solor", "finnfjord", "floro"):
        assert f"{case}:" in out
    assert "status optimal" in out and "chain:" in out and "needs data" in out
    page = html.read_text(encoding="utf-8")
    assert "vis.Network" in page and "http://" not in page.split("<script>", 1)[0]
    assert "cdn" not in page.lower().split("</head>")[0]


def test_import_reads_users_words_then_match_shows_conversions_and_reasons(tmp_path, runner):
    """flis in lm3, spillvarme 60 °C in GWh, biomethane for a natural-gas demand, steam
    4 km away; an unsure cell stops the import with suggestions and a mapping template."""
    from symbiosis.cli import cli

    (tmp_path / "companies.csv").write_text(
        "id,name,lat,lon\nSAG,Sag AS,60.70,11.86\nHUS,Veksthus AS,60.71,11.87\n"
        "STE,Damp AS,60.73,11.86\nFYR,Fyrhus AS,60.72,11.88\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "id,company_id,direction,resource,amount,unit\n"
        "F1,SAG,supply,flis,1000,lm3/år\n"
        "F2,FYR,demand,biobrensel,500,t/år\n"
        "F3,SAG,supply,spillvarme 60 °C,2,GWh/år\n"
        "F4,HUS,demand,varme til veksthus 40 grader,1500,MWh/år\n"
        "F5,SAG,supply,biometan,500,MWh/år\n"
        "F6,HUS,demand,naturgass,400,MWh/år\n"
        "F7,SAG,supply,damp 180 grader,20,GWh/år\n"
        "F8,STE,demand,prosessdamp 150 °C,15,GWh/år\n"
        "F9,HUS,demand,xq-blanding linje 3,,\n", encoding="utf-8")
    store, template = tmp_path / "s.db", tmp_path / "confirm.csv"
    files = [str(tmp_path / "companies.csv"), str(tmp_path / "flows.csv")]
    bad = runner.invoke(cli, ["--store", str(store), "import", *files,
                              "--write-mapping", str(template)])
    assert bad.exit_code != 0 and not any(EmbeddedStore(store).counts().values())
    assert "flows.csv, row 10, field 'resource': not recognised" in str(bad.exception)
    assert template.read_text(encoding="utf-8").splitlines()[0] == "text,resource"
    template.write_text("text,resource\nxq-blanding linje 3,organic_waste\n", encoding="utf-8")
    out = _run(runner, store, "import", *files, "--mapping", str(template))
    assert "'flis' -> wood_chips" in out and "1000 lm3/år -> " in out
    assert "'xq-blanding linje 3' -> organic_waste (1.00" in out
    rows = {(r["supply_flow"], r["demand_flow"]): r
            for r in json.loads(_run(runner, store, "match", "--format", "json"))}
    assert {("F1", "F2"), ("F3", "F4"), ("F5", "F6"), ("F7", "F8")} <= set(rows)
    assert any("lm3" in x and "converted" in x for x in rows[("F1", "F2")]["reasons"])
    assert "resource_match" in rows[("F5", "F6")]["reason_codes"]
    assert rows[("F7", "F8")]["distance_km"] == pytest.approx(4.0, abs=0.1)
    nb = json.loads(_run(runner, store, "match", "--format", "json", "--lang", "nb"))
    assert any("regnet om" in x for r in nb for x in r["reasons"])


def test_plans_per_scope_and_scenarios_from_the_command_line(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    vest = json.loads(_run(runner, store, "optimize", "--county", "Vestland", "--format",
                           "json", "--time-limit", "20"))
    assert vest["scope"] == {"kind": "county", "value": "Vestland"} and vest["exchanges"]
    lines = vest["lines"]
    assert sum(x["value_nok"] for x in lines) == pytest.approx(vest["totals"]["value_nok"])
    assert any(x["kind"] == "market_sale" and "HyFuel" in x["text"] for x in lines)
    assert {r["label"] for r in vest["totals_text"]} >= {"Net value", "CO2 avoided"}
    _run(runner, store, "optimize", "--county", "Troms", "--time-limit", "20")
    live = EmbeddedStore(store).exchanges(status="proposed")
    assert vest["id"] in {e.plan_id for e in live}  # Troms left Vestland's proposals
    out = _run(runner, store, "optimize", "--county", "Vestland", "--objective", "co2",
               "--scenario", "most CO2", "--time-limit", "20")
    assert "scenario 'most CO2'" in out
    scenario = next(p for p in EmbeddedStore(store).plans() if p.scenario)
    assert EmbeddedStore(store).exchanges(status="proposed") == live
    listed = _run(runner, store, "scenario", "list")
    assert scenario.id in listed and "most CO2" in listed
    cmp = _run(runner, store, "scenario", "compare", vest["id"], scenario.id)
    assert "net value NOK/yr" in cmp and "most CO2" in cmp
    out = _run(runner, store, "scenario", "adopt", scenario.id, "--by", "kari")
    assert "adopted" in out
    now = EmbeddedStore(store).exchanges(status="proposed")
    assert scenario.id in {e.plan_id for e in now} and vest["id"] not in {
        e.plan_id for e in now}
