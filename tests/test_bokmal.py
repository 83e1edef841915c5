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
#: words that are the same in both languages, names and formats
SHARED = {"symbiosis", "CSV", "XLSX", "HTML", "JSON", "NOK", "kNOK", "CO", "CO2", "km", "t",
          "MWh", "GWh", "kWh", "m", "e", "s", "K", "C", "ID", "NACE", "EN", "NB", "id"}


def _words(text: str) -> set[str]:
    return set(WORD.findall(re.sub(r"\{[^}]*\}", " ", text)))


def english_terms() -> set[str]:
    """Words of the interface's English texts (the catalogue's keys, the messages' English,
    a few generic words) that no bokmål text uses."""
    from symbiosis.messages import catalogue
    from web.i18n import NB

    english: set[str] = set(GENERIC)
    norwegian: set[str] = set()
    for en, nb in NB.items():
        english |= _words(en)
        norwegian |= _words(nb)
    for row in catalogue().values():
        english |= _words(row["en"])
        norwegian |= _words(row["nb"])
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
            "filename": "style.css", "job_id": "job-test"}


def html_pages(app) -> list[str]:
    """Every GET route of the app that renders a page (not the API, files or exports),
    with its path parameters filled from the test world, and a few query strings."""
    values = _values(app)
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api/", "/static")):
            continue
        if rule.endpoint in ("auth.language", "candidates.download", "indicators.report",
                             "map.data"):
            continue  # a redirect, a CSV, reports and GeoJSON for download
        out.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    plans = [p.id for p in EmbeddedStore(app.config["STORE_URL"]).plans()]
    out += ["/network/?company=SOL-C01", "/network/?park=FINNFJORD",
            "/candidates/?sort=distance_km&company=SOL-C04", "/exchanges/?status=proposed",
            "/scenarios/compare?" + "&".join(f"id={p}" for p in plans[:2])]
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
        # the network picture shortens a name to 40 characters
        texts |= {c.id, c.name, c.name[:40], c.municipality or "", c.county or "",
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
    from web.db import Accounts
    from web.jobs import Job

    accounts = Accounts(app.config["USERS_DB"])
    owner = next(u.id for u in accounts.users() if u.username == username)
    accounts.close()
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
        text = visible_text(r.get_data(as_text=True))
        left = english_left(text, terms, data) + english_numbers(text, data)
        if left:
            found[url] = [_context(text, w, data) for w in left]
    assert found == {}, "\n".join(f"{u}:\n  " + "\n  ".join(w) for u, w in found.items())
