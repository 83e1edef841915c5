"""Complete bokmål: every page of the app, rendered in bokmål for an admin and a viewer,
holds no word of the interface's English; every interface text has its translation; and
numbers and dates are written the Norwegian way."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from graph import EmbeddedStore

from .web_support import SECRET_EXCHANGE, USERS

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W\d_]+")

#: generic English words of the interface that are not keys of the catalogues
GENERIC = {"unknown", "yr", "supply", "demand", "distance", "Save", "Delete", "quantity",
           "the", "and", "of", "with", "not", "must", "is", "by", "or", "per", "company",
           "value", "confidential", "proposed", "agreed", "operating", "ended", "candidate",
           "pipe", "truck", "ship", "rail", "score", "heat", "electricity", "processes",
           "admin", "viewer", "manager", "staff", "cluster", "county", "reachable", "facility",
           "optimal", "feasible", "infeasible", "limit", "year", "none", "days", "converted"}
#: words that are the same in both languages, names and formats (reviewed: each is the
#: bokmål word too, or a name)
SHARED = {"symbiosis", "CSV", "XLSX", "HTML", "JSON", "UTF", "NOK", "kNOK", "CO", "CO2", "km",
          "t", "MWh", "GWh", "kWh", "m", "e", "s", "K", "C", "ID", "NACE", "EN", "NB", "id",
          "status", "plan", "scenario", "min", "data", "import", "krone", "side", "pilot",
          "matching", "gap", "under", "over", "optimal", "MOD", "start"}


def _words(text: str) -> set[str]:
    return set(WORD.findall(re.sub(r"\{[^}]*\}", " ", text)))


def english_terms() -> set[str]:
    """Words of the interface's English texts (the catalogue's keys, the messages' English,
    a few generic words) that no bokmål text uses. A translation's words count as bokmål
    only where they are not its own English: a text left in English ("Delete": "Delete")
    keeps its words English (the words both languages share are :data:`SHARED`)."""
    from symbiosis.messages import catalogue
    from web.i18n import NB

    english: set[str] = set(GENERIC)
    norwegian: set[str] = set()
    pairs = [*NB.items(), *((r["en"], r["nb"]) for r in catalogue().values())]
    for en, nb in pairs:
        english |= _words(en)
        norwegian |= {w.lower() for w in _words(nb)} - {w.lower() for w in _words(en)}
    lower = {w.lower() for w in norwegian}
    shared = {w.lower() for w in SHARED}
    return {w.lower() for w in english
            if w.lower() not in lower and w.lower() not in shared and len(w) > 1}


def gettext_nb(text: str) -> str:
    from web.i18n import NB

    return NB.get(text, text)


def _values(app) -> dict[str, str]:
    plan = EmbeddedStore(app.config["STORE_URL"]).plans()[0].id
    return {"company_id": "SOL-C01", "flow_id": "SOL-F001", "plan_id": plan,
            "park_id": "FINNFJORD", "code": "nb", "exchange_id": SECRET_EXCHANGE,
            "filename": "style.css", "job_id": "job-test",
            "supply_flow": "SOL-F015", "demand_flow": "SOL-F018"}


def html_pages(app) -> list[str]:
    """Every GET route of the app that renders a page (not the API, files or exports),
    with its path parameters filled from the test world, and a few query strings."""
    values = _values(app)
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api/", "/static")):
            continue
        if rule.endpoint in ("auth.language", "candidates.download", "indicators.report",
                             "map.data", "optimize.plan_xlsx"):
            continue  # a redirect, a CSV, reports, GeoJSON and a workbook for download
        out.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    plans = [p.id for p in EmbeddedStore(app.config["STORE_URL"]).plans()]
    out += ["/network/?company=SOL-C01", "/network/?park=FINNFJORD",
            "/candidates/?sort=distance_km&company=SOL-C04", "/exchanges/?status=proposed",
            "/scenarios/compare?" + "&".join(f"id={p}" for p in plans[:2]),
            "/indicators/report.html"]  # the report download is a page in words too
    out += [f"/optimize/plans/{p}" for p in plans]
    return sorted(set(out))


def user_data(app) -> list[str]:
    """The texts of the test world that users wrote (names, places, ids, descriptions):
    not the interface's words."""
    store = EmbeddedStore(app.config["STORE_URL"])
    data = store.dataset()
    # usernames where a page names its user (the role is the interface's word)
    texts: set[str] = {f"{gettext_nb('Signed in as')} {u}" for u in USERS}
    texts |= {store.url, str(app.config["STORE_URL"])}
    for c in data.companies:
        # the network picture shortens a name to 40 or 59 characters
        texts |= {c.id, c.name, c.name[:40], c.name[:59], c.municipality or "", c.county or "",
                  c.cluster or "", c.park_id or "", c.source or ""}
    for f in data.flows:
        texts |= {f.id, f.description, f.resource_text, f.source or "", f.amount_text}
    for p in data.processes:
        texts |= {p.id, p.name, p.source or ""}
    for p in data.parks:
        texts |= {p.id, p.name, p.source or ""}
    for plan in store.plans():
        texts |= {plan.id, plan.scenario, plan.adopted_by}
    for e in store.exchanges():
        texts |= {e.id, *(h.note for h in e.history), *(h.by for h in e.history)}
    # the register's county and municipality names (the map's filters list them all)
    from symbiosis.places import default_register

    register = default_register()
    texts |= {c.name for c in register.counties.values()}
    texts |= {m.name for m in register.municipalities.values()}
    texts |= {register.label(m.number) for m in register.municipalities.values()}
    with (ROOT / "symbiosis" / "data" / "co2_factors.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts |= {row["key"], row.get("label", ""), row.get("source", ""),
                      row.get("notes", ""), row.get("unit", "")}
    return sorted((t for t in texts if t), key=len, reverse=True)


_DROP = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
_SHOWN_ATTRS = re.compile(r'\b(?:title|placeholder|data-confirm|aria-label|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """What a reader sees: the text between tags, the attributes a browser shows, and the
    texts of the JSON pictures (network titles and labels, map popups)."""
    shown = [m.group(1) for m in _SHOWN_ATTRS.finditer(page)]
    for m in re.finditer(r'<script id="[\w-]+" type="application/json">(.*?)</script>',
                         page, re.S):
        shown += _json_texts(json.loads(m.group(1)))
    body = re.sub(r"<[^>]+>", " ", _DROP.sub(" ", page))
    return html.unescape(" ".join([body, *shown]))


_JSON_TEXTS = {"title", "label", "popup", "status_text", "resource_label"}


def _json_texts(doc: object) -> list[str]:
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in _JSON_TEXTS and isinstance(v, str):
                out.append(v)
            elif isinstance(v, dict | list):
                out += _json_texts(v)
    elif isinstance(doc, list):
        for v in doc:
            out += _json_texts(v)
    return out


def english_left(text: str, terms: set[str], data: list[str]) -> list[str]:
    """The English terms in a page's text, once the users' own words are taken out."""
    for t in data:
        text = text.replace(t, " ")
    return sorted({w for w in WORD.findall(text) if w.lower() in terms})


#: a number written the English way: a decimal point, or a comma between thousands
_ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d+\.\d+(?![\d.])|"
                             r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])")
_DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b|kl\. \d{2}\.\d{2}")


def english_numbers(text: str, data: list[str]) -> list[str]:
    """Numbers in a page's text written the English way (``1,200``, ``12.5``), once the
    users' own words and Norwegian dates (``24.11.2026``) are taken out."""
    for t in data:
        text = text.replace(t, " ")
    return sorted(set(_ENGLISH_NUMBER.findall(_DATE.sub(" ", text))))


def _context(text: str, word: str, data: list[str]) -> str:
    """A word with the text around it, to find it on the page."""
    for t in data:
        text = text.replace(t, " ")
    text = " ".join(text.split())
    m = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I)
    return f"{word}: …{text[max(0, m.start() - 60):m.end() + 60]}…" if m else word


def _running_job(app, username: str) -> None:
    """A job of ``username``'s that stays running, for the job page."""
    from web.jobs import Job

    owner = _user_id(app, username)
    jobs = app.extensions["symbiosis_jobs"]
    jobs._jobs["job-test"] = Job(id="job-test", kind="plan", owner=owner, title="Optimering",
                                 state="running", phase="solving", limit_s=30.0)


@pytest.mark.parametrize("username", ["admin", "viewer"])
def test_every_page_in_bokmal_holds_no_english(login, app, username):
    terms = english_terms()
    assert {"unknown", "yr", "delete", "distance"} <= terms and len(terms) > 300
    data = user_data(app)
    _running_job(app, username)
    s = login(username)
    s.get("/lang/nb")
    found = {}
    pages = html_pages(app)
    assert len(pages) >= 25
    for url in pages:
        r = s.get(url)
        if r.status_code == 403:
            assert username == "viewer", url
        assert r.status_code in (200, 403), (url, r.status_code)
        assert 'lang="nb"' in r.get_data(as_text=True), url
        text = without_literals(visible_text(r.get_data(as_text=True)))
        left = english_left(text, terms, data) + english_numbers(text, data)
        if left:
            found[url] = [_context(text, w, data) for w in left]
    assert found == {}, "\n".join(f"{u}:\n  " + "\n  ".join(w) for u, w in found.items())


# -- pages after a form: errors, warnings, the park planner's answer ------------------------

BAD_COMPANIES = ("id;name;lat;lon;municipality;county;org_number;colour\n"
                 "BK-1;Feil AS;600;11,86;Vaaler;Innlandet;123;blå\n"
                 "BK-2;Feil to AS;60,71;11,87;Atlantis;;;grønn\n")
BAD_FLOWS = ("id,company_id,direction,resource,amount,unit,ewc,months,temperature_c\n"
             "BF-1,SOL-C01,sideways,waste_heat,-1,MWh,99 99 99,13,5000\n"
             "BF-2,NOPE,supply,xq-blanding linje 3,2,furlongs,,,\n"
             "BF-3,SOL-C01,supply,waste_heat,2e12,MWh/yr,,,\n")
GOOD_COMPANIES = ("id;name;lat;lon;municipality;cluster\n"
                  "BK-3;Varsel AS;10,75;59,91;Nes;Sirkulære Solør\n"
                  "BK-4;Tidligere AS;60,70;11,86;Hof;Sirkulære Solør\n")
GOOD_FLOWS = ("id,company_id,direction,resource,amount,unit\n"
              "BF-4,BK-4,supply,flis,1000,lm3/år\n"
              "BF-5,BK-4,demand,varme til veksthus 40 grader,,\n")
#: what the forms below send: the users' words, not the interface's
SENT = [
    *(cell for text in (BAD_COMPANIES, BAD_FLOWS, GOOD_COMPANIES, GOOD_FLOWS)
      for line in text.splitlines()[1:] for cell in re.split(r"[;,]", line)
      if len(cell) > 2 and not cell[0].isdigit()),
    "companies.csv", "flows.csv", "BAD-KEY", "Bad factor", "X-NEW", "nowhere", "sideways",
    "lm3/år", "furlongs", "luck", "colour"]


def _upload(s, files: dict[str, str]):
    import io

    return s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": "",
        "file": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]},
        content_type="multipart/form-data")


def _without_field_cells(page: str) -> str:
    """An upload's error table names each bad cell by its column, as the file has it."""
    return re.sub(r'(<tr class="row-error">(?:<td>[^<]*</td>){2})<td>[^<]*</td>', r"\1",
                  page)


def test_pages_after_a_form_in_bokmal_hold_no_english(login, app):
    """Upload errors and warnings, form errors, the lifecycle's refusal, a failed job, a
    missing page and the park planner's answer, in bokmål."""
    from web.jobs import Job

    terms = english_terms()
    s = login("admin")
    s.get("/lang/nb")
    pages: dict[str, str] = {}
    r = _upload(s, {"companies.csv": BAD_COMPANIES, "flows.csv": BAD_FLOWS})
    assert r.status_code == 422
    pages["upload errors"] = _without_field_cells(r.get_data(as_text=True))
    assert pages["upload errors"].count('class="row-error"') >= 12
    r = _upload(s, {"companies.csv": GOOD_COMPANIES, "flows.csv": GOOD_FLOWS})
    pages["upload preview"] = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="warnings"' in pages["upload preview"]
    assert 'id="dialects"' in pages["upload preview"]
    r = s.post("/companies/new", {"id": "X-NEW", "name": "", "lat": "95", "lon": "east",
                                  "org_number": "123", "nace": "x", "municipality": "nowhere"})
    assert r.status_code == 400
    pages["company form"] = r.get_data(as_text=True)
    r = s.post("/companies/SOL-C01/flows/new", {
        "id": "X-NEW", "direction": "sideways", "resource": "waste_heat", "amount": "-1",
        "unit": "furlongs", "ewc": "99 99 99", "months": "13", "temperature_c": "5000"})
    assert r.status_code == 400
    pages["flow form"] = r.get_data(as_text=True)
    r = s.post("/optimize/", {"objective": "luck", "budget": "-5", "time_limit": "x",
                              "frontier_points": "40", "park": "nowhere"})
    assert r.status_code == 400
    pages["optimizer form"] = r.get_data(as_text=True)
    r = s.post("/admin/factors", {"key": "BAD-KEY", "label": "Bad factor",
                                  "applies_to": "heat", "factor": "0.1", "unit": "t CO2/MWh",
                                  "source": "x", "year": "2024"})
    assert r.status_code == 400
    pages["factor form"] = r.get_data(as_text=True)
    s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed", "start_year": "2027"})
    r = s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "ended",
                                                        "end_year": "2020"})
    pages["lifecycle refusal"] = s.get("/exchanges/").get_data(as_text=True)
    assert 'class="flash error"' in pages["lifecycle refusal"]
    pages["missing company"] = s.get("/companies/NOPE").get_data(as_text=True)
    pages["missing page"] = s.get("/no/such/page").get_data(as_text=True)
    assert "Siden finnes ikke." in pages["missing page"]
    from symbiosis.errors import OptimizationError
    from symbiosis.messages import error

    failure = error(OptimizationError, "plan.no_plan", plan_status="infeasible")
    owner = _user_id(app, "admin")
    app.extensions["symbiosis_jobs"]._jobs["job-failed"] = Job(
        id="job-failed", kind="plan", owner=owner, title="Optimering", state="failed",
        error=str(failure), reason=failure.reason)
    pages["failed job"] = s.get("/jobs/job-failed").get_data(as_text=True)
    assert 'id="job-error"' in pages["failed job"]
    r = s.finish(s.post("/parks/FINNFJORD", {"time_limit": "20", "budget": "1000000"}))
    pages["park planner"] = r.get_data(as_text=True)
    assert 'id="park-result"' in pages["park planner"]
    data = sorted([*user_data(app), *SENT], key=len, reverse=True)
    found = {}
    for name, page in pages.items():
        text = without_literals(visible_text(page))
        left = english_left(text, terms, data) + english_numbers(text, data)
        if left:
            found[name] = [_context(text, w, data) for w in left]
    assert found == {}, "\n".join(f"{u}:\n  " + "\n  ".join(w) for u, w in found.items())


#: what a message shows for the user to type as it is, in any language: a mapping file's
#: header, country codes, months, a NACE code, a cell's true
_TYPED = re.compile(r"\(text,resource\)|\(replaces\)|NO, SE, DK \w+ FI|\(SE, DK, FI \.\.\.\)"
                    r"|\bnov-mar\b|(?<=NACE-kode som )\d{2}\.\d{2}|\bconfirm_large til true\b")


def without_literals(text: str) -> str:
    """A page's text without the import's column names and cell values a message quotes
    («municipality», `country`, «supply») and the other things :data:`_TYPED` names: the
    user types them as they are."""
    from symbiosis.io.columns import COLUMNS

    literals = {c for cols in COLUMNS.values() for c in cols} | {"supply", "demand", "value",
                                                                   "co2", "country"}
    text = _TYPED.sub(" ", text)
    return re.sub(r"«([\w ]+)»|`(\w+)`",
                  lambda m: " " if (m.group(1) or m.group(2)) in literals else m.group(0),
                  text)


def _user_id(app, username: str) -> int:
    from web.db import Accounts

    accounts = Accounts(app.config["USERS_DB"])
    try:
        return next(u.id for u in accounts.users() if u.username == username)
    finally:
        accounts.close()


# -- every text has its bokmål ----------------------------------------------------------------

def _literal_texts(node) -> list[str]:
    """The texts a call's argument can be: a literal, or either branch of ``a if c else
    b``; a text made at run time (an f-string) gives none."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_texts(node.body) + _literal_texts(node.orelse)
    return []


def _python_calls(paths, names: dict[str, int]) -> list[tuple[str, str]]:
    """(file, text) for each literal text given to a call of one of ``names`` (function
    or method name -> position of the argument)."""
    import ast

    out = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else None
            if name in names and len(node.args) > names[name]:
                out += [(path.name, t) for t in _literal_texts(node.args[names[name]])]
    return out


def _template_texts(app) -> list[tuple[str, str]]:
    """(template, text) for each literal given to ``_()`` or ``gettext()`` in a template."""
    from jinja2 import nodes

    env = app.jinja_env
    out = []
    for name in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, name)[0]
        for call in env.parse(source).find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in ("_", "gettext") \
                    and call.args and isinstance(call.args[0], nodes.Const):
                out.append((name, call.args[0].value))
    return out


def test_every_interface_text_of_the_pages_has_its_bokmal(app):
    """Every ``gettext("...")`` and ``allow(..., "...")`` in web/, every ``_("...")`` in the
    templates, and every table of labels the pages pick from has its ``NB`` entry."""
    from symbiosis.report import TOTALS
    from web.i18n import NB
    from web.views import _CONDITIONAL, LINE_KINDS
    from web.words import LABEL_TABLES

    web = sorted((ROOT / "web").glob("*.py"))
    texts = _python_calls(web, {"gettext": 0, "_": 0, "allow": 1})
    texts += _template_texts(app)
    assert len(texts) > 400 and len({t for _, t in texts}) > 250
    assert ("plan.html", "Conditional proposals") in texts
    assert ("companies.py", "company {id} is outside your county") in texts  # allow()
    assert ("upload.py", "Choose a CSV or XLSX file.") in texts
    tables = {*LINE_KINDS.values(), *_CONDITIONAL.values(),
              *(label for _, label, _, _ in TOTALS), *(u for *_, u, _ in TOTALS if u),
              *(v for table in LABEL_TABLES for v in table.values())}
    texts += [("tables", t) for t in tables]
    missing = sorted({f"{where}: {t!r}" for where, t in texts if not NB.get(t)})
    assert missing == []
    # the placeholders of a translation are those of its English
    field = re.compile(r"\{(\w*)[^}]*\}")
    assert [k for k, v in NB.items()
            if set(field.findall(k)) != set(field.findall(v))] == []


def test_the_optimizer_missing_figure_reasons_are_all_named():
    """The reasons the optimizer gives a missing figure are words of the pages."""
    from web.words import NEEDS_REASONS

    source = (ROOT / "optimizer" / "problem.py").read_text(encoding="utf-8")
    told = set(re.findall(r'"((?:remaining quantity|quantity|value) unknown[^"]*)"', source))
    assert told and told <= set(NEEDS_REASONS)


#: message codes the core makes at run time (an f-string or a sum), each spelt out
_MADE_CODES = {
    "error.flow_owner_supply", "error.flow_owner_demand", "error.import_only_companies",
    "error.import_only_parks", "place.county_former_number_read",
    "place.county_former_number_divided", "place.county_former_name_read",
    "place.county_former_name_divided", "place.municipality_ambiguous_in_county",
    "place.municipality_ambiguous_anywhere", "unit.no_loose_density",
    "unit.no_solid_density", "plan.infeasible", "plan.time_limit", "plan.unbounded",
    "park.unreachable", "park.unreachable_budget", "lifecycle.start_year",
    "lifecycle.end_year", "lifecycle.end_before_start", "lifecycle.end_before_start_given",
    "dialect.comma", "dialect.semicolon", "dialect.tab", "dialect.other",
    "word.companies.one", "word.parks.one"}


def test_every_message_code_of_the_core_is_in_the_catalogue_in_both_languages():
    """Each code the core gives a message (errors of an import, places, units, CO2
    factors, the lifecycle, plans, the park planner) has English and bokmål words with
    the same placeholders."""
    from symbiosis.messages import catalogue

    rows = catalogue()
    assert all(r["en"].strip() and r["nb"].strip() for r in rows.values())
    field = re.compile(r"\{(\w+)\}")
    assert [c for c, r in rows.items()
            if set(field.findall(r["en"])) != set(field.findall(r["nb"]))] == []
    core = sorted((ROOT / "symbiosis").rglob("*.py")) + sorted((ROOT / "optimizer").glob("*.py"))
    used = {t for _, t in _python_calls(core, {"said": 0, "of": 0, "message": 0})}
    used |= {t for _, t in _python_calls(core, {"error": 1}) if "." in t}  # error(Cls, code)
    used |= {f"error.{t}" for _, t in _python_calls(core, {"row_error": 3})}
    used |= {f"error.{t}" for _, t in _python_calls(core, {"error": 1}) if "." not in t}
    used |= {f"error.{t}" for _, t in _python_calls(core, {"TooBig": 1})}
    used |= {f"unit.{t}" for _, t in _python_calls(core, {"UnitError": 0})}
    used |= {f"place.{t}" for _, t in _python_calls(core, {"_note": 2})}
    used = {c for c in used if re.fullmatch(r"[a-z_0-9]+(\.[a-z_0-9]+)+", c)} | _MADE_CODES
    assert len(used) > 100
    assert {"error.required", "error.unrecognised", "place.county_unknown_near",
            "unit.not_measure", "co2.one_of", "lifecycle.cannot_go", "plan.overused",
            "warning.place"} <= used
    assert sorted(used - set(rows)) == []


# -- exports stay machine-readable in bokmål ------------------------------------------------

def test_exports_keep_plain_numbers_and_keys_in_bokmal(login, tokens):
    """CSV and JSON downloads and the API answer a bokmål reader with numbers a program
    reads (``1200.5``) and keys (``pipeline``), not ``1 200,5`` and ``rørledning``."""
    import io

    s = login("admin")
    s.get("/lang/nb")
    rows = list(csv.DictReader(io.StringIO(s.get("/candidates/csv").get_data(as_text=True))))
    assert rows
    for r in rows:
        for column in ("distance_km", "value_nok", "co2_avoided_t", "score", "amount"):
            # a figure is a plain number (an unknown or banded amount is words)
            if re.fullmatch(r"[-\u2212\d\s.,]+", r[column]):
                float(r[column])
        assert r["mode"] in ("pipeline", "cable", "truck", "ship", "rail")
    assert any("kan dekke" in r["reasons"] for r in rows)  # the words follow the reader
    report = list(csv.reader(io.StringIO(s.get("/indicators/report.csv").get_data(
        as_text=True))))
    numbers = [cell for row in report[1:] for cell in row[1:]
               if re.fullmatch(r"[-\u2212\d\s.,]+", cell)]
    assert numbers and all(float(n) is not None for n in numbers)
    doc = s.get("/map/geojson").get_json()
    lines = [f["properties"] for f in doc["features"] if f["properties"]["kind"] == "exchange"]
    assert lines and all(isinstance(p["amount"], float | int | None) for p in lines)
    assert {p["status"] for p in lines} <= {"proposed", "agreed", "operating"}
    api = s.get("/api/v1/candidates?limit=5&lang=nb",
                headers={"Authorization": f"Bearer {tokens['admin']}"}).get_json()
    found = api if isinstance(api, list) else api.get("candidates", api.get("items", []))
    assert found and all(isinstance(c["distance_km"], float | int) for c in found)


# -- numbers, dates and notes ------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "want"), [
    ("en", "1,200.5 | 1,201 | 0.0152 | 12% | 2026-11-24 | 1,200 t/yr | 4.2 km | pipeline"
           " | 3,000"),
    ("nb", "1\u00a0200,5 | 1\u00a0201 | 0,0152 | 12\u00a0% | 24.11.2026 | 1\u00a0200 t/år"
           " | 4,2 km | rørledning | 3\u00a0000"),
])
def test_numbers_dates_and_units_follow_the_reader(app, lang, want):
    """The page filters write ``1,200.5`` and ``2026-11-24`` in English, ``1 200,5`` and
    ``24.11.2026`` in bokmål, with units and transport modes in words; a filter of a
    constant is written per request, not once when the template is compiled."""
    template = app.jinja_env.from_string(
        "{{ 1200.5|num(1) }} | {{ 1200.7|num }} | {{ 0.01523|sig(3) }} | {{ 0.12|pct }} | "
        "{{ '2026-11-24T14:05:00+00:00'[:10]|date }} | {{ amount_words(1200, 't') }} | "
        "{{ km(4.2) }} | {{ 'pipeline'|mode }} | {{ 3000|num }}")
    for _ in range(2):  # the same template, once compiled, in either language
        with app.test_request_context(f"/?lang={lang}"):
            assert template.render() == want


def test_a_plans_notes_are_stored_and_said_in_bokmal(tmp_path):
    """A plan's message is kept as codes with their numbers beside its English, so the
    plan page says it in bokmål; plans stored before had only the English."""
    from graph import EmbeddedStore
    from symbiosis.messages import render
    from symbiosis.model import Plan, Reason

    notes = (Reason.of("plan.overused", flows=2), Reason.of("plan.late", flows=1200))
    plan = Plan(id="p1", status="feasible", objective="value", objective_value=1.0,
                bound=2.0, gap=0.5, solve_time_s=1.0, message="English", notes=notes)
    store = EmbeddedStore(tmp_path / "s.db")
    store.save_plan(plan, [])
    (back,) = EmbeddedStore(tmp_path / "s.db").plans()
    assert back.notes == notes
    assert render(back.notes[1], "nb") == ("1\u00a0200 manglende tall ble ikke vurdert innen "
                                           "tidsgrensen (listet uten rangering)")
    assert render(back.notes[1], "en").startswith("1,200 missing figure(s)")
