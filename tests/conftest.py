"""Shared fixtures: hand-built profiles and a fixed planning date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from roadmap.profile import Profile

TODAY = date(2027, 3, 1)
REPO = Path(__file__).resolve().parent.parent
PROFILES = sorted((REPO / "profiles").glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/ from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def make_profile(**fields: Any) -> Profile:
    """A valid profile from keyword fields; nested sections are plain dicts as in YAML."""
    data: dict[str, Any] = {"name": "Test Person", "match_year": 2028}
    data.update(fields)
    return Profile.model_validate(data)
