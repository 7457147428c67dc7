"""Season dates: known years equal their sources; other years follow the observed rules, marked estimated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from roadmap.errors import InputError
from roadmap.load.layers import BUILTIN_CONTENT
from roadmap.load.seasons import SEASON_DATES, SeasonTable, load_seasons

TABLE = load_seasons(BUILTIN_CONTENT / "data" / "seasons.yaml", "seasons.yaml")
# Dates FACTS.md gives as High, each from its official source.
KNOWN = {
    (2024, "eras_opens"): date(2023, 6, 7),
    (2024, "eras_submit"): date(2023, 9, 6),
    (2024, "eras_review"): date(2023, 9, 27),
    (2024, "rol_deadline"): date(2024, 2, 28),
    (2024, "match_day"): date(2024, 3, 15),
    (2025, "eras_opens"): date(2024, 6, 5),
    (2025, "eras_submit"): date(2024, 9, 4),
    (2025, "eras_review"): date(2024, 9, 25),
    (2026, "eras_opens"): date(2025, 6, 4),
    (2026, "eras_submit"): date(2025, 9, 3),
    (2026, "eras_review"): date(2025, 9, 24),
    (2026, "match_day"): date(2026, 3, 20),
    (2026, "nrmp_registration"): date(2025, 9, 15),
}


@pytest.mark.parametrize("year", range(2024, 2033))
def test_match_day_is_the_third_friday_of_march(year: int) -> None:
    day = TABLE.season_for(year).match_day.date
    assert (day.month, day.weekday()) == (3, 4)
    assert 15 <= day.day <= 21


@pytest.mark.parametrize("year", range(2024, 2033))
def test_rol_deadline_is_16_days_before_match_day_unless_known(year: int) -> None:
    season = TABLE.season_for(year)
    assert (season.match_day.date - season.rol_deadline.date).days == 16


@pytest.mark.parametrize(("year", "name"), sorted(KNOWN))
def test_known_dates_equal_their_sources(year: int, name: str) -> None:
    entry = getattr(TABLE.season_for(year), name)
    assert entry.date == KNOWN[(year, name)]
    assert entry.confirmed is True
    assert entry.source.startswith("http")


@pytest.mark.parametrize("year", range(2028, 2033))
def test_future_years_are_estimated_wednesdays(year: int) -> None:
    season = TABLE.season_for(year)
    assert season.has_confirmed_entry is False
    for name in SEASON_DATES:
        entry = getattr(season, name)
        assert entry.confirmed is False
        assert entry.source.startswith("estimated: ")
    for name in ("eras_opens", "eras_submit", "eras_review"):
        assert getattr(season, name).date.weekday() == 2
    assert season.eras_opens.date.month == 6 and season.eras_opens.date.day <= 7
    assert season.eras_submit.date.month == 9 and season.eras_submit.date.day <= 7
    assert (season.eras_review.date - season.eras_submit.date).days == 21
    assert season.nrmp_registration.date == date(year - 1, 9, 15)


def test_2027_opening_is_from_a_secondary_source_and_not_confirmed() -> None:
    season = TABLE.season_for(2027)
    assert season.eras_opens.date == date(2026, 6, 3)
    assert season.eras_opens.confirmed is False
    assert season.has_confirmed_entry is False


def test_a_bad_season_file_names_its_line(tmp_path: Path) -> None:
    file = tmp_path / "seasons.yaml"
    file.write_text(
        "2028:\n  eras_open: {date: 2027-06-02, confirmed: true, source: x}\n"
        "  match_day: {date: 2028-02-30, confirmed: true, source: x}\nnext: {}\n"
    )
    with pytest.raises(InputError) as caught:
        load_seasons(file, "seasons.yaml")
    assert [p.format() for p in caught.value.problems] == [
        "seasons.yaml:2:3: 2028.eras_open: unknown season date (use eras_opens, eras_submit, eras_review, "
        "nrmp_registration, rol_deadline, match_day) (got eras_open)",
        "seasons.yaml:3:21: 2028.match_day.date: must be a real date written YYYY-MM-DD (got 2028-02-30)",
        "seasons.yaml:4:1: next: must be a Match year such as 2028 (got next)",
    ]


def test_empty_table_estimates_everything() -> None:
    season = SeasonTable({}).season_for(2030)
    assert season.match_day.date == date(2030, 3, 15)
