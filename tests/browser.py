"""Headless Chromium from Debian's package (installed by `make test`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: `make test` installs it")
    return path


def screenshot(url: str, out: Path, *, size: str = "1000,1100") -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={size}", f"--screenshot={out}", url],
                       check=True, capture_output=True, timeout=120)
    return out


def dump_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}",
                               "--dump-dom", url], check=True, capture_output=True,
                              text=True, timeout=120)
    return done.stdout
