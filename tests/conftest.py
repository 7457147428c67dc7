"""Shared fixtures: hand-built profiles and a fixed planning date."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from roadmap.load.profile import Profile

TODAY = date(2027, 3, 1)
REPO = Path(__file__).resolve().parent.parent
PROFILES = sorted((REPO / "profiles").glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite stored expectations (tests/vectors/).")
    parser.addoption(
        "--slow", action="store_true", help="Run the property tests with 2,000 examples each (as CI does)."
    )


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import HealthCheck, settings

    common = {"deadline": 5000, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    settings.register_profile("dev", max_examples=150, **common)
    settings.register_profile("slow", max_examples=2000, **common)
    slow = config.getoption("--slow") or os.environ.get("CI", "").lower() in ("1", "true", "yes")
    settings.load_profile("slow" if slow else "dev")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def make_profile(**fields: Any) -> Profile:
    """A valid profile from keyword fields; nested sections are plain dicts as in YAML."""
    data: dict[str, Any] = {"name": "Test Person", "match_year": 2028}
    data.update(fields)
    return Profile.model_validate(data)
