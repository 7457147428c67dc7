"""Program lists: every tier rule, blank cells as unknown, row-level errors, safe CSV, and the
example list placed for the example profiles as checked by hand."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from roadmap.cli import main
from roadmap.commands.pipeline import load_inputs, plan_profile
from roadmap.decide.programs import Program, load_programs, place, tier_programs
from roadmap.errors import InputError
from tests.conftest import REPO, make_profile

TODAY = date(2027, 3, 1)
EXAMPLE = REPO / "profiles" / "example-programs.csv"


def _values(**fields: Any) -> dict[str, object]:
    from roadmap.decide.facts import derive_facts

    return dict(derive_facts(make_profile(**fields), TODAY).values)


def _tier(program: dict[str, Any], **fields: Any) -> tuple[str, tuple[str, ...]]:
    placement = place(
        Program.model_validate({"name": "P", "track": "pediatrics", **program}),
        _values(**fields),
        load_inputs().tier_rules,
    )
    return placement.tier, placement.reasons


CK_240 = {"step1": {"status": "passed", "attempts": 1}, "step2ck": {"status": "passed", "score": 240, "attempts": 1}}


@pytest.mark.parametrize(
    ("program", "fields", "tier", "reason"),
    [
        (
            {"median_step2ck": "235"},
            CK_240,
            "likely",
            "Your Step 2 CK score of 240 is 5 points above this program's stated median of 235.",
        ),
        (
            {"median_step2ck": "236"},
            CK_240,
            "target",
            "Your Step 2 CK score of 240 is within 5 points of this program's stated median of 236.",
        ),
        (
            {"median_step2ck": "245"},
            CK_240,
            "target",
            "Your Step 2 CK score of 240 is within 5 points of this program's stated median of 245.",
        ),
        (
            {"median_step2ck": "246"},
            CK_240,
            "reach",
            "Your Step 2 CK score of 240 is below this program's stated median of 246.",
        ),
        (
            {"median_step2ck": "230", "min_step2ck": "241"},
            CK_240,
            "not-a-fit",
            "Your Step 2 CK score of 240 is below this program's stated minimum of 241.",
        ),
        (
            {"median_step2ck": "230", "img_friendly": "no"},
            CK_240,
            "not-a-fit",
            "This program states that it does not take international graduates.",
        ),
        (
            {"median_step2ck": "230", "sponsors_visa": "none"},
            {**CK_240, "applicant_type": "non-us-img"},
            "not-a-fit",
            "This program sponsors no visa, and as a non-US graduate you need one.",
        ),
        (
            {"median_step2ck": "230", "accepts_attempts": "no"},
            {**CK_240, "step1": {"status": "passed", "attempts": 2}},
            "not-a-fit",
            "This program states that it does not take applicants with a failed attempt, and you have 1.",
        ),
        (
            {"median_step2ck": "230", "usce_required_months": "3"},
            CK_240,
            "not-a-fit",
            "You list 0 months of US clinical experience; this program asks for 3.",
        ),
        (
            {"median_step2ck": "230"},
            {},
            "unknown",
            "You have no Step 2 CK or practice score yet, so a score-based tier cannot be judged.",
        ),
        (
            {},
            CK_240,
            "unknown",
            "Your list gives no median Step 2 CK for this program, so its tier cannot be judged; look it up.",
        ),
        (
            {"median_step2ck": "", "min_step2ck": " ", "img_friendly": ""},
            CK_240,
            "unknown",
            "Your list gives no median Step 2 CK for this program, so its tier cannot be judged; look it up.",
        ),
    ],
)
def test_each_tier_rule(program: dict[str, Any], fields: dict[str, Any], tier: str, reason: str) -> None:
    got_tier, reasons = _tier(program, **fields)
    assert (got_tier, reasons[0]) == (tier, reason)


def test_img_friendly_us_md_is_not_ruled_out_by_img_policy() -> None:
    assert _tier({"median_step2ck": "230", "img_friendly": "no"}, applicant_type="us-md", **CK_240)[0] == "likely"


def test_practice_score_stands_in_and_says_so() -> None:
    tier, reasons = _tier(
        {"median_step2ck": "230"}, step2ck={"practice": [{"form": "NBME 13", "score": 228, "date": "2027-02-01"}]}
    )
    assert tier == "target"
    assert reasons == (
        "Your latest practice score of 228 is within 5 points of this program's stated median of 230.",
        "The comparison uses your latest practice score because you have no Step 2 CK score yet.",
    )


def _csv(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "programs.csv"
    file.write_text(text)
    return file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name,track\nA,surgery\n",
            [
                "p.csv:2:2: track: must be one of categorical-mgg, peds-mgg, im-mgg, pediatrics, internal-medicine, other (got surgery)"
            ],
        ),
        (
            "name,track,median_step2ck\nA,pediatrics,400\n",
            ["p.csv:2:3: median_step2ck: must be a whole number from 1 to 300 (got 400)"],
        ),
        ("name,track\n,pediatrics\n", ["p.csv:2:1: name: must not be empty"]),
        (
            "name,track,ranking\nA,other,1\n",
            [
                "p.csv:1:3: ranking: unknown column; use name, track, state, img_friendly, sponsors_visa, "
                "min_step2ck, median_step2ck, accepts_attempts, usce_required_months, signal, notes (got ranking)"
            ],
        ),
        ("name\nA\n", ["p.csv:1:1: track: required column is missing"]),
        ("", ["p.csv:1:1: (root): the program list is empty; it needs a header with name and track"]),
        (
            "name,track,img_friendly\nA,other,maybe\nB,other,yes\nC,nope,\n",
            [
                "p.csv:2:3: img_friendly: must be one of yes, no (got maybe)",
                "p.csv:4:2: track: must be one of categorical-mgg, peds-mgg, im-mgg, pediatrics, internal-medicine, other (got nope)",
            ],
        ),
    ],
)
def test_bad_program_files_report_row_and_column(tmp_path: Path, text: str, expected: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        load_programs(_csv(tmp_path, text), "p.csv")
    assert [p.format() for p in caught.value.problems] == expected


def test_yaml_program_list(tmp_path: Path) -> None:
    file = tmp_path / "programs.yaml"
    file.write_text("programs:\n  - {name: A, track: pediatrics, median_step2ck: 230}\n  - {name: B, track: bad}\n")
    with pytest.raises(InputError) as caught:
        load_programs(file, "p.yaml")
    assert [p.format() for p in caught.value.problems] == [
        "p.yaml:3:22: programs[1].track: must be one of categorical-mgg, peds-mgg, im-mgg, pediatrics, internal-medicine, other (got bad)"
    ]


EXPECTED = {  # checked by hand against content/data/tiers.yaml
    "jordan-rivera": {"likely": 1, "target": 2, "reach": 2, "not-a-fit": 3, "unknown": 1},
    "morgan-strong-248": {"likely": 5, "target": 2, "reach": 0, "not-a-fit": 1, "unknown": 1},
    "avery-low-score-recovery": {"likely": 0, "target": 2, "reach": 4, "not-a-fit": 2, "unknown": 1},
    "priya-non-us-img": {"likely": 0, "target": 0, "reach": 0, "not-a-fit": 5, "unknown": 4},
}


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_example_list_for_example_profiles(profile: str) -> None:
    inputs = load_inputs()
    plan = plan_profile(REPO / "profiles" / f"{profile}.yaml", inputs, TODAY)
    tiered = tier_programs(load_programs(EXAMPLE, "x.csv"), plan.values, inputs.tier_rules, "x.csv")
    assert dict(tiered.counts) == EXPECTED[profile]


def test_example_list_covers_every_track_and_tier() -> None:
    programs = load_programs(EXAMPLE, "x.csv")
    assert {p.track for p in programs} == {
        "categorical-mgg",
        "peds-mgg",
        "im-mgg",
        "pediatrics",
        "internal-medicine",
        "other",
    }
    assert all("(fictional)" in p.name for p in programs)
    assert all(n > 0 for n in EXPECTED["jordan-rivera"].values())


def test_programs_command_writes_safe_outputs(tmp_path: Path) -> None:
    listing = _csv(tmp_path, 'name,track,median_step2ck,notes\n"=HYPERLINK(""x"")",pediatrics,230,@SUM(1)\n')
    result = CliRunner().invoke(
        main,
        [
            "programs",
            str(REPO / "profiles" / "morgan-strong-248.yaml"),
            str(listing),
            "--out",
            str(tmp_path / "out"),
            "--today",
            "2027-03-01",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "out" / "programs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["name"] == '\'=HYPERLINK("x")' and rows[0]["notes"] == "'@SUM(1)" and rows[0]["tier"] == "likely"
    assert (tmp_path / "out" / "programs.json").is_file() and (tmp_path / "out" / "programs.html").is_file()


def test_plan_gets_a_program_list_section() -> None:
    plan = plan_profile(REPO / "profiles" / "jordan-rivera.yaml", load_inputs(), TODAY)
    assert plan.programs is not None
    assert plan.to_manifest()["programs"]["counts"] == EXPECTED["jordan-rivera"]


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "programs.txt"])
def test_a_profile_cannot_point_outside_its_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / "programs.txt").write_text("x")
    profile = tmp_path / "p.yaml"
    profile.write_text(f"name: A\nmatch_year: 2028\nprograms: {name}\n")
    with pytest.raises(InputError) as caught:
        plan_profile(profile, load_inputs(), TODAY, display="p.yaml")
    assert [p.format() for p in caught.value.problems] == [
        f"p.yaml:3:11: programs: must name a .csv or .yaml file in the profile's folder (got {name})"
    ]
