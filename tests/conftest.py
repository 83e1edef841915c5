"""Shared fixtures: the Norwegian cases, stores, and a CLI runner."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbiosis.io import load_files

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "cases"
CASE_FILES = [CASES / n for n in ("parks.csv", "companies.csv", "flows.csv", "processes.csv")]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def cases():
    return load_files(CASE_FILES).dataset


@pytest.fixture(scope="session")
def documented_exchanges():
    with (CASES / "exchanges.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
