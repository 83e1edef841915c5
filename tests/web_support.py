"""A small world for the web tests: the Norwegian cases with one confidential flow that
has an amount and a partner, stored candidates, a plan, and one user of each role."""

from __future__ import annotations

import dataclasses
import re
import shutil
import time
from pathlib import Path

from graph import EmbeddedStore
from optimizer import optimise
from symbiosis.io import load_files
from symbiosis.matching import match_dataset
from symbiosis.model import Exchange, Flow
from symbiosis.services import plan_exchanges

PASSWORD = "correct-horse-1"
SECRET_FLOW = "SOL-F007"          # confidential supply of Nortura (cluster Sirkulære Solør)
SECRET_AMOUNT = 4200.0
SECRET_BAND = "1,000-10,000 t/yr"
PARTNER_FLOW = "SOL-F900"         # a demand for it at a neighbour
SECRET_EXCHANGE = "X-SECRET"
USERS = {  # username: (role, cluster, county)
    "admin": ("admin", None, None),
    "solor": ("cluster_manager", "Sirkulære Solør", None),
    "fjord": ("cluster_manager", "Fjord Base", None),
    "innlandet": ("county_staff", None, "Innlandet"),
    "troms": ("county_staff", None, "Troms"),
    "viewer": ("viewer", None, None),
}


def build_world(folder: Path, case_files: list[Path]) -> tuple[Path, Path, dict[str, str]]:
    """Write the store and accounts files into ``folder``; API tokens by username."""
    from web.db import Accounts

    data = load_files(case_files).dataset
    flows = [dataclasses.replace(f, amount=SECRET_AMOUNT, unit="t")
             if f.id == SECRET_FLOW else f for f in data.flows]
    flows.append(Flow(id=PARTNER_FLOW, company_id="SOL-C04", direction="demand",
                      resource="animal_byproducts", amount=5000.0, unit="t",
                      description="biogas feedstock wanted (test)"))
    data = dataclasses.replace(data, flows=tuple(flows))
    store_path = folder / "store.db"
    store = EmbeddedStore(store_path)
    store.load(data)
    cands = list(match_dataset(data))
    assert any(c.key == (SECRET_FLOW, PARTNER_FLOW) for c in cands)
    store.replace_candidates(cands)
    plan = optimise(data, cands, frontier_points=3, time_limit_s=30)
    store.save_plan(plan, plan_exchanges(plan))
    store.put_exchange(Exchange(id=SECRET_EXCHANGE, supply_flow=SECRET_FLOW,
                                demand_flow=PARTNER_FLOW, amount=SECRET_AMOUNT, unit="t",
                                status="proposed", value_nok=1.0, co2_avoided_t=1.0))
    users_path = folder / "users.sqlite"
    accounts = Accounts(users_path)
    tokens = {}
    for name, (role, cluster, county) in USERS.items():
        accounts.add(name, PASSWORD, role, cluster=cluster, county=county)
        tokens[name] = accounts.new_token(name)
    accounts.close()
    return store_path, users_path, tokens


def copy_world(src: Path, dst: Path) -> tuple[Path, Path]:
    for name in ("store.db", "users.sqlite"):
        shutil.copy(src / name, dst / name)
    return dst / "store.db", dst / "users.sqlite"


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Session:
    """A test client signed in as one user, posting forms with their CSRF token."""

    def __init__(self, client, username: str | None):
        self.client = client
        self.username = username
        self.token = ""
        if username is not None:
            page = client.get("/login").get_data(as_text=True)
            self.token = _CSRF.search(page).group(1)
            response = client.post("/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": self.token})
            assert response.status_code == 302, response.get_data(as_text=True)
            # signing in starts a new session, and with it a new CSRF token
            self.token = _CSRF.search(client.get("/").get_data(as_text=True)).group(1)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kw)

    def finish(self, started, timeout_s: float = 180.0):
        """Follow a background job started by ``started`` (a redirect to its page) until it
        ends: the response of its page then (a redirect to the result, or the page)."""
        assert started.status_code == 302, started.get_data(as_text=True)
        url = started.headers["Location"]
        assert "/jobs/" in url, url
        deadline = time.monotonic() + timeout_s
        while True:
            r = self.get(url)
            if r.status_code != 200 or 'data-state="queued"' not in r.get_data(as_text=True) \
                    and 'data-state="running"' not in r.get_data(as_text=True):
                return r
            assert time.monotonic() < deadline, "job did not finish"
            time.sleep(0.05)
