"""GeoJSON export checked against RFC 7946; report and lifecycle from the command line."""

import csv
import io
import json
import numbers

from symbiosis.cli import cli

from .conftest import CASE_FILES
from .conftest import run_cli as _run


def _position(pos) -> None:
    # RFC 7946 3.1.1: a position is an array of two or three numbers, longitude first
    assert isinstance(pos, list) and len(pos) in (2, 3)
    assert all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in pos)
    lon, lat = pos[0], pos[1]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def validate_rfc7946(doc) -> None:
    assert doc["type"] == "FeatureCollection"  # 3.3
    assert "crs" not in doc  # 4: no crs member; WGS 84 only
    assert isinstance(doc["features"], list)
    ids = set()
    for feature in doc["features"]:
        assert feature["type"] == "Feature"  # 3.2
        assert "geometry" in feature and "properties" in feature
        assert feature["properties"] is None or isinstance(feature["properties"], dict)
        if "id" in feature:
            assert isinstance(feature["id"], str | int) and feature["id"] not in ids
            ids.add(feature["id"])
        geom = feature["geometry"]
        if geom["type"] == "Point":  # 3.1.2
            _position(geom["coordinates"])
        elif geom["type"] == "LineString":  # 3.1.4: two or more positions
            assert len(geom["coordinates"]) >= 2
            for pos in geom["coordinates"]:
                _position(pos)
        else:
            raise AssertionError(f"unexpected geometry {geom['type']}")


def test_geojson_export_is_valid_rfc7946_with_lon_lat_order(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    _run(runner, store, "optimize")
    doc = json.loads(_run(runner, store, "export", "--format", "geojson"))
    validate_rfc7946(doc)
    points = {f["id"]: f for f in doc["features"] if f["geometry"]["type"] == "Point"}
    assert points["FIN-C01"]["geometry"]["coordinates"] == [18.09, 69.215]  # lon, lat
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    assert lines and all(f["properties"]["status"] == "proposed" for f in lines)


def test_lifecycle_and_report_from_the_command_line(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    plan = json.loads(_run(runner, store, "optimize", "--format", "json"))
    rows = json.loads(_run(runner, store, "export", "--format", "json"))
    steam = next(r for r in rows if r["supply_flow"] == "SOL-F013")
    _run(runner, store, "exchange", steam["id"], "agreed", "--by", "Innlandet county",
         "--start-year", "2027")
    _run(runner, store, "exchange", steam["id"], "operating", "--by", "Innlandet county")
    refused = runner.invoke(cli, ["--store", str(store), "exchange", steam["id"], "agreed",
                                  "--by", "x"], obj={})
    assert refused.exit_code != 0
    body = json.loads(_run(runner, store, "report", "--county", "Innlandet"))
    assert body["symbioses"] == 1 and body["symbiosis_pairs"] == [["SOL-C06", "SOL-C07"]]
    assert body["co2_avoided_t"] == steam["co2_avoided_t"]
    assert body["sources"]["co2_avoided_t"] == [steam["id"]]
    assert dict(map(tuple, body["trajectory_realised"]))[2027] == steam["co2_avoided_t"]
    assert {c["county"]: c["met"] for c in body["counties"]}["Innlandet"] is False
    assert len(plan["exchanges"]) == len(rows)
    table = list(csv.reader(io.StringIO(_run(runner, store, "report", "--county",
                                             "Innlandet", "--format", "csv"))))
    assert ["symbioses", "1", steam["id"], ""] in table  # the CLI reads as an admin


def test_plan_park_reports_an_unreachable_target_with_the_best_value(tmp_path, runner):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    out = _run(runner, store, "plan-park", "FINNFJORD")
    # 300,000 t baseline: the site's candidate exchanges cannot close it
    assert "NOT reachable" in out and "most reduction available" in out
    assert "2030: residual" in out
    missing = runner.invoke(cli, ["--store", str(store), "plan-park", "FJORDBASE"], obj={})
    assert missing.exit_code != 0 and "no baseline" in missing.output


def test_html_report_is_one_offline_page_with_charts_and_the_figures(tmp_path, runner,
                                                                     artifacts):
    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    _run(runner, store, "optimize")
    rows = json.loads(_run(runner, store, "export", "--format", "json"))
    steam = next(r for r in rows if r["supply_flow"] == "SOL-F013")
    _run(runner, store, "exchange", steam["id"], "agreed", "--by", "county", "--start-year",
         "2027")
    page_path = artifacts / "report-innlandet.html"
    _run(runner, store, "report", "--county", "Innlandet", "--format", "html", "--output",
         str(page_path))
    page = page_path.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and page.count("<polyline") == 2
    assert "<script" not in page
    # the only URL is the SVG namespace: nothing is fetched
    assert page.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0
    assert f"{steam['co2_avoided_t']:,.0f}" in page and steam["id"] in page
    assert "Innlandet" in page and "not yet" in page


def test_html_report_renders_in_headless_chromium(tmp_path, runner, artifacts):
    from .browser import dump_dom, screenshot

    store = tmp_path / "s.db"
    _run(runner, store, "import", *map(str, CASE_FILES))
    _run(runner, store, "optimize")
    page = tmp_path / "report.html"
    _run(runner, store, "report", "--format", "html", "--output", str(page))
    dom = dump_dom(page.as_uri())
    assert "<polyline" in dom and "Industrial parks: net zero" in dom
    shot = screenshot(page.as_uri(), artifacts / "report.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_the_export_reads_the_flows_of_the_exchanges_only_and_says_the_same(store,
                                                                         monkeypatch):
    """On both stores: the export of every format equals the export of the whole dataset,
    and reads no flow but those of the exchanges."""
    from symbiosis import services

    services.load_demo(store)
    exchanges = store.exchanges()
    whole = store.dataset()
    expected = {fmt: services.export_of(whole, exchanges, fmt)
                for fmt in ("geojson", "csv", "json")}
    named = {fid for e in exchanges for fid in (e.supply_flow, e.demand_flow)}
    assert exchanges and len(named) < len(whole.flows)
    read: list[str] = []
    flows_by_id = store.flows_by_id

    def counted(ids):
        read.extend(ids)
        return flows_by_id(ids)

    def refused(**_):
        raise AssertionError("the export read the whole dataset")

    monkeypatch.setattr(store, "flows_by_id", counted)
    monkeypatch.setattr(store, "dataset", refused)
    for fmt, text in expected.items():
        assert services.export(store, fmt) == text, fmt
    assert set(read) == named
