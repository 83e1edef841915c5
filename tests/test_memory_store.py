"""The embedded store survives a kill mid-write."""

import os
import signal
import subprocess
import sys
import time

from graph import MemoryStore
from symbiosis.model import Dataset

CHILD = r"""
import sys
from fixtures.synthetic import generate_region
from graph import MemoryStore
store = MemoryStore(sys.argv[1])
data = generate_region(60000, 7)
print("writing", flush=True)
store.load(data)
print("done", flush=True)
"""


def test_kill_during_write_leaves_previous_file_intact(tmp_path, cases):
    path = tmp_path / "store.json"
    MemoryStore(path).load(cases)
    before = path.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 120
        # kill as soon as the new file is being written beside the old one
        while time.monotonic() < deadline:
            tmp = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if tmp and tmp[0].stat().st_size > 0:
                break
            assert child.poll() is None, "child finished before it could be killed"
            time.sleep(0.002)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    reopened = MemoryStore(path)
    assert len(reopened.dataset().flows) == len(cases.flows)


def test_two_handles_see_each_others_writes(tmp_path, cases):
    a, b = MemoryStore(tmp_path / "s.json"), MemoryStore(tmp_path / "s.json")
    a.load(Dataset(companies=cases.companies[:2]))
    assert {c.id for c in b.dataset().companies} == {c.id for c in cases.companies[:2]}
