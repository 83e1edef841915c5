import json

from .conftest import CASE_FILES
from .conftest import run_cli as _run

FIELDS = {"supply_flow", "demand_flow", "supply_company", "demand_company", "resource",
          "distance_km", "amount", "unit", "value_nok", "co2_avoided_t", "score", "reasons"}


def test_match_json_and_filters(tmp_path, runner):
    store = tmp_path / "s.json"
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
    store = tmp_path / "s.json"
    _run(runner, store, "import", *map(str, CASE_FILES))
    out = _run(runner, store, "chains", "--flow", "FLO-F010", "--max-steps", "2")
    assert "FLO-F010 -> FLO-F011 -> FLO-F015 -> FLO-F017" in out


def test_demo_reports_cases_plan_and_writes_a_local_network_picture(tmp_path, runner):
    store, html = tmp_path / "s.json", tmp_path / "net.html"
    out = _run(runner, store, "demo", "--output", str(html))
    assert "recall 10/10" in out
    for case in ("solor", "finnfjord", "floro"):
        assert f"{case}:" in out
    assert "status optimal" in out and "chain:" in out and "needs data" in out
    page = html.read_text(encoding="utf-8")
    assert "vis.Network" in page and "http://" not in page.split("<script>", 1)[0]
    assert "cdn" not in page.lower().split("</head>")[0]
