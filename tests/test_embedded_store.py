"""The embedded store survives a kill mid-write and scales with what a write touches."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from graph import EmbeddedStore
from symbiosis.model import Dataset

CHILD = r"""
import sys
from fixtures.synthetic import generate_region
from graph import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
data = generate_region(60000, 7)
print("writing", flush=True)
while True:  # one transaction after another until killed
    store.load(data)
"""


def test_kill_during_write_leaves_a_whole_state(tmp_path, cases):
    path = tmp_path / "store.db"
    EmbeddedStore(path).load(cases)
    before = EmbeddedStore(path).dataset()
    journal = tmp_path / "store.db-journal"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 120
        # kill while a transaction is being committed: its journal is on disk
        while time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > 0:
                break
            assert child.poll() is None, "child stopped before it could be killed"
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    reopened = EmbeddedStore(path)
    after = reopened.dataset()
    # the killed transaction left nothing: the state is the one before it, whole
    assert len(after.flows) in (len(before.flows), len(before.flows) + 60000)
    assert {c.id: c for c in after.companies if c.id in {x.id for x in before.companies}} \
        == {c.id: c for c in before.companies}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_handles_see_each_others_writes(tmp_path, cases):
    a, b = EmbeddedStore(tmp_path / "s.db"), EmbeddedStore(tmp_path / "s.db")
    a.load(Dataset(companies=cases.companies[:2]))
    assert {c.id for c in b.dataset().companies} == {c.id for c in cases.companies[:2]}
