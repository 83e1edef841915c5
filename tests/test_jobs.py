"""Long work runs as background jobs: pages answer meanwhile, and a job can be cancelled."""

from __future__ import annotations

import threading
import time

from flask import g

from graph import EmbeddedStore
from symbiosis import services
from web import jobs
from web.db import Accounts


def _wait(predicate, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_pages_answer_while_a_job_works_and_it_commits_under_the_lock(login, app):
    s = login("admin")
    release = threading.Event()
    inside = threading.Event()

    def long_work(job):
        jobs.phase(job, "matching")
        inside.set()
        assert release.wait(60)
        return 1

    with app.test_request_context():
        g.user = next(u for u in Accounts(app.config["USERS_DB"]).users()
                      if u.username == "admin")
        job = jobs.start("match", "Matching", long_work)
    assert inside.wait(30)
    # the job holds no lock while it works: pages and writes go on
    assert s.get("/companies/").status_code == 200
    assert s.get("/candidates/").status_code == 200
    assert job.running
    release.set()
    _wait(lambda: not job.running)
    assert job.state == "done"


def test_a_running_optimizer_is_cancelled_and_stores_nothing(login, app):
    from fixtures.synthetic import generate_region

    store = EmbeddedStore(app.config["STORE_URL"])
    store.clear()
    services.save(store, generate_region(4000, 3))
    before = len(store.plans())
    s = login("admin")
    started = s.post("/optimize/", {"objective": "co2", "time_limit": "120",
                                    "frontier_points": "6"})
    assert started.status_code == 302
    url = started.headers["Location"]
    r = s.post(url + "/cancel")
    assert r.status_code == 302
    _wait(lambda: 'data-state="cancelled"' in s.get(url).get_data(as_text=True), 60)
    assert len(store.plans()) == before  # nothing was committed
