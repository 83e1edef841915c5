"""The layer contract: the core imports no outer package, and `make lint` says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("symbiosis", "graph", "optimizer", "web", "fixtures")


def _contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]["contracts"]


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([str(exe), "--no-cache"], cwd=folder, env=env, text=True,
                          capture_output=True, timeout=300)


def test_every_module_of_the_core_package_is_placed_in_a_layer():
    core = set(_contracts()[0]["source_modules"])
    outer = {"symbiosis.services", "symbiosis.cli"}
    found = {f"symbiosis.{p.stem}" for p in (ROOT / "symbiosis").glob("*.py")
             if p.stem != "__init__"}
    found |= {f"symbiosis.{p.name}" for p in (ROOT / "symbiosis").iterdir()
              if (p / "__init__.py").exists()}
    assert found == core | outer


def _copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "data", "cases", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contract_holds_and_fails_when_the_core_imports_an_outer_package(tmp_path):
    folder = _copy(tmp_path)
    assert _lint(folder).returncode == 0
    matching = folder / "symbiosis" / "matching.py"
    matching.write_text(matching.read_text(encoding="utf-8") + "\nimport graph  # noqa\n",
                        encoding="utf-8")
    broken = _lint(folder)
    assert broken.returncode != 0
    assert "The domain core imports no outer package BROKEN" in broken.stdout


def test_the_contract_fails_when_storage_imports_the_services(tmp_path):
    folder = _copy(tmp_path)
    base = folder / "graph" / "base.py"
    base.write_text(base.read_text(encoding="utf-8")
                    + "\nimport symbiosis.services  # noqa\n", encoding="utf-8")
    broken = _lint(folder)
    assert broken.returncode != 0 and "Layers point one way BROKEN" in broken.stdout
