"""The home page: the server's store path for admins only; the demo data offered whenever
no company of the reader's scope is stored."""

from __future__ import annotations

import pytest

from graph import EmbeddedStore

from .web_support import PASSWORD


@pytest.mark.parametrize("username", ["viewer", "solor", "innlandet"])
def test_only_admins_see_where_the_server_keeps_its_store(login, app, username):
    path = str(app.config["STORE_URL"])
    admin = login("admin").get("/").get_data(as_text=True)
    assert 'id="store-url"' in admin and path in admin
    page = login(username).get("/").get_data(as_text=True)
    assert path not in page and 'id="store-url"' not in page
    assert "store.db" not in page


def test_the_demo_is_offered_when_no_company_is_left_though_parks_and_plans_are(login, app):
    page = login("admin").get("/").get_data(as_text=True)
    assert 'id="load-demo"' not in page and 'id="no-companies"' not in page
    store = EmbeddedStore(app.config["STORE_URL"])
    for c in store.companies():
        store.delete_company(c.id)
    assert store.parks() and store.plans()  # what is left behind does not count
    page = login("admin").get("/").get_data(as_text=True)
    assert 'id="load-demo"' in page and 'id="no-companies"' in page
    viewer = login("viewer").get("/").get_data(as_text=True)
    assert 'id="no-companies"' in viewer and 'id="load-demo"' not in viewer
    assert "An admin can load the demo data" in viewer
    assert login("admin").post("/demo").status_code == 302
    assert len(EmbeddedStore(app.config["STORE_URL"]).companies()) == 17
    assert 'id="load-demo"' not in login("admin").get("/").get_data(as_text=True)


def test_county_staff_are_told_when_their_county_has_no_company(login, app):
    from web.db import Accounts

    accounts = Accounts(app.config["USERS_DB"])
    accounts.add("agder", PASSWORD, "county_staff", county="Agder")
    accounts.close()
    page = login("agder").get("/").get_data(as_text=True)
    assert 'id="no-companies"' in page and "No companies of your county" in page
    assert 'id="load-demo"' not in page  # loading the demo is an admin's act
    assert 'id="no-companies"' not in login("innlandet").get("/").get_data(as_text=True)
