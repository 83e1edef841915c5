"""Lifecycle dates: an exchange cannot end before the year it starts, at every door (the
lifecycle itself, the command line, the exchange page and the API)."""

from __future__ import annotations

import json

import pytest

from graph import EmbeddedStore
from symbiosis.cli import cli
from symbiosis.lifecycle import LifecycleError, advance
from symbiosis.model import Exchange

from .conftest import CASE_FILES, run_cli
from .web_support import SECRET_EXCHANGE


def _agreed(start_year: int) -> Exchange:
    return advance(Exchange("X", "s", "d", 10.0, "MWh"), "agreed", by="kari",
                   at="2026-03-01T10:00:00", start_year=start_year)


def test_an_exchange_cannot_end_before_its_start_year():
    e = _agreed(2027)
    with pytest.raises(LifecycleError, match="cannot end in 2026, before its start year 2027"):
        advance(e, "ended", by="kari", at="2026-09-01T10:00:00")
    with pytest.raises(LifecycleError, match="cannot end in 2025"):
        advance(e, "ended", by="kari", at="2028-01-01T10:00:00", end_year=2025)
    with pytest.raises(LifecycleError, match="before its start year 2028"):
        advance(_agreed(2024), "ended", by="kari", at="2026-09-01", start_year=2028)
    ended = advance(e, "ended", by="kari", at="2026-09-01T10:00:00", end_year=2027)
    assert (ended.start_year, ended.end_year, ended.status) == (2027, 2027, "ended")
    same_year = advance(_agreed(2026), "ended", by="kari", at="2026-12-01T10:00:00")
    assert (same_year.start_year, same_year.end_year) == (2026, 2026)


def test_years_must_be_plausible_and_an_end_year_comes_only_with_the_end():
    with pytest.raises(LifecycleError, match="not a year between"):
        _agreed(20277)
    with pytest.raises(LifecycleError, match="only when the exchange ends"):
        advance(_agreed(2027), "operating", by="kari", end_year=2030)


def test_the_command_line_refuses_an_end_before_the_start(tmp_path, runner):
    store = tmp_path / "s.db"
    run_cli(runner, store, "import", *map(str, CASE_FILES))
    run_cli(runner, store, "optimize", "--format", "json", "--time-limit", "30")
    exchange = json.loads(run_cli(runner, store, "export", "--format", "json"))[0]["id"]
    run_cli(runner, store, "exchange", exchange, "agreed", "--by", "kari",
            "--start-year", "2199")
    refused = runner.invoke(cli, ["--store", str(store), "exchange", exchange, "ended",
                                  "--by", "kari"], obj={})
    assert refused.exit_code != 0
    assert isinstance(refused.exception, LifecycleError)
    assert "before its start year 2199" in str(refused.exception)
    assert EmbeddedStore(store).exchange(exchange).status == "agreed"
    out = run_cli(runner, store, "exchange", exchange, "ended", "--by", "kari",
                  "--end-year", "2199")
    assert "agreed -> ended" in out
    assert EmbeddedStore(store).exchange(exchange).end_year == 2199


def test_the_exchange_page_refuses_an_end_before_the_start(login, app):
    s = login("solor")
    s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed", "start_year": "2199"})
    r = s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "ended"})
    assert r.status_code == 302
    page = s.get("/exchanges/").get_data(as_text=True)
    assert "before its start year 2199" in page
    assert 'name="end_year"' in page
    stored = EmbeddedStore(app.config["STORE_URL"]).exchange(SECRET_EXCHANGE)
    assert stored.status == "agreed" and stored.end_year is None
    s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "ended", "end_year": "soon"})
    assert "end year must be a whole year" in s.get("/exchanges/").get_data(as_text=True)
    s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "ended", "end_year": "2200"})
    stored = EmbeddedStore(app.config["STORE_URL"]).exchange(SECRET_EXCHANGE)
    assert (stored.status, stored.start_year, stored.end_year) == ("ended", 2199, 2200)


def test_the_api_refuses_an_end_before_the_start(app, tokens):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['solor']}"}
    url = f"/api/v1/exchanges/{SECRET_EXCHANGE}/status"
    assert client.post(url, json={"status": "agreed", "start_year": 2199},
                       headers=headers).status_code == 200
    r = client.post(url, json={"status": "ended"}, headers=headers)
    assert r.status_code == 409 and "before its start year 2199" in r.get_json()["error"]
    r = client.post(url, json={"status": "ended", "end_year": "2200"}, headers=headers)
    assert r.status_code == 400 and "end_year must be an integer" in r.get_json()["error"]
    r = client.post(url, json={"status": "ended", "end_year": 2199}, headers=headers)
    assert r.status_code == 200 and (r.get_json()["start_year"], r.get_json()["end_year"]) \
        == (2199, 2199)
