"""Issue 22 (hardening, round 2): batch, shards, the dashboard, CSV cells and template overrides.

Each test is the attack or the mistake, and checks the safe outcome.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from roadmap.cli import main
from roadmap.write.csvtable import safe_cell
from tests.conftest import REPO

TODAY = "2027-03-01"
K8S = REPO / "docs" / "k8s"


def _advisees(folder: Path, **profiles: str) -> Path:
    """A folder of profiles: file name -> a profile of profiles/ (by name) or YAML text."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, what in profiles.items():
        source = REPO / "profiles" / f"{what}.yaml"
        (folder / file).write_bytes(source.read_bytes() if source.is_file() else what.encode())
    return folder


def _roadmap(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _batch(*args: str) -> Result:
    return _roadmap("batch", *args)


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8", newline="") as handle:
        return {row["slug"]: row for row in csv.DictReader(handle)}


def _all_text(out: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file())


@pytest.fixture
def three(tmp_path: Path) -> Path:
    return _advisees(
        tmp_path / "advisees",
        **{"a.yaml": "jordan-rivera", "b.yaml": "casey-preclinical", "c.yaml": "taylor-flat-220s"},
    )


def _shards(folder: Path, out: Path, count: int, *extra: str) -> None:
    for k in range(1, count + 1):
        result = _batch(str(folder), "--out", str(out), "--shard", f"{k}/{count}", "--today", TODAY, *extra)
        assert result.exit_code == 0, result.stderr


# A forged shard file (shared volumes are written by many machines) --------------------------

FORGERIES = {
    "javascript slug": (
        {"slug": "javascript:alert(document.cookie)"},
        "rows[0].slug: must be a folder name of a-z, 0-9 and single hyphens (got javascript:alert(document.cookie))",
    ),
    "slug leaving the folder": (
        {"slug": "../../evil"},
        "rows[0].slug: must be a folder name of a-z, 0-9 and single hyphens (got ../../evil)",
    ),
    "unknown href field": ({"href": "javascript:alert(1)"}, "rows[0].href: unknown field"),
    "file with a scheme": (
        {"files": ["index.html", "javascript:alert(1)"]},
        "rows[0].files: must be a list of relative file names (got ['index.html', 'javascript:alert(1)'])",
    ),
    "terminal escape in the name": (
        {"name": "\x1b]0;pwned\x07"},
        "rows[0].name: must be a text without control characters (got \\x1b]0;pwned\\x07)",
    ),
    "status": ({"status": "ok<script>"}, "rows[0].status: must be ok or error (got ok<script>)"),
    "days left": ({"days_left": "3; rm -rf"}, "rows[0].days_left: must be a whole number or null (got 3; rm -rf)"),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_shard_row_is_refused_by_the_merge(three: Path, tmp_path: Path, forgery: str) -> None:
    out = tmp_path / "out"
    _shards(three, out, 2, "--format", "json")
    shard = out / ".batch" / "shard-2-of-2.json"
    data = json.loads(shard.read_text())
    change, message = FORGERIES[forgery]
    data["rows"][0].update(change)
    shard.write_text(json.dumps(data))

    merged = _roadmap("batch", "--merge", "--out", str(out), "--today", TODAY)
    assert merged.exit_code == 1
    assert merged.stderr == f"{shard}:1:1: {message}\n"
    assert not (out / "index.html").exists() and not (out / "summary.csv").exists()


def test_dashboard_links_are_built_from_checked_folder_names_only(three: Path, tmp_path: Path) -> None:
    """The record a profile's folder keeps is read back on the next run: a forged one is rebuilt."""
    out = tmp_path / "out"
    args = (str(three), "--out", str(out), "--today", TODAY, "--format", "html")
    assert _batch(*args).exit_code == 0
    record = out / "jordan-rivera" / ".roadmap-row.json"
    forged = {**json.loads(record.read_text()), "slug": "javascript:alert(1)//", "name": "<img src=x onerror=alert(1)>"}
    record.write_text(json.dumps(forged))

    again = _batch(*args)
    assert again.exit_code == 0, again.stderr
    dashboard = (out / "index.html").read_text()
    assert "javascript:" not in dashboard and "onerror" not in dashboard
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', dashboard)
    links = [h for h in hrefs if not h.startswith(("assets/", "#")) and h not in ("data:,", "summary.csv")]
    assert sorted(links) == ["./casey-nguyen/index.html", "./jordan-rivera/index.html", "./taylor-brooks/index.html"]
    assert json.loads(record.read_text())["slug"] == "jordan-rivera"  # rebuilt


# --merge and --shard exit codes ---------------------------------------------------------------


def test_merge_with_no_shard_files_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".batch").mkdir(parents=True)
    (out / ".batch" / "notes.txt").write_text("not a shard")
    merged = _roadmap("batch", "--merge", "--out", str(out), "--today", TODAY)
    assert merged.exit_code == 1
    assert merged.stderr == (
        f"{out}/.batch:1:1: --merge: no shard files (shard-K-of-N.json); "
        f"run roadmap batch PROFILES --shard K/N --out {out} first\n"
    )
    assert not (out / "index.html").exists()


def test_a_shard_with_invalid_profiles_exits_1_like_an_unsharded_run(tmp_path: Path) -> None:
    folder = _advisees(tmp_path / "advisees", **{"a.yaml": "jordan-rivera", "b.yaml": "name: Pat\nmatch_year: 1800\n"})
    out = tmp_path / "out"
    whole = _batch(str(folder), "--out", str(tmp_path / "whole"), "--today", TODAY, "--format", "json")
    first = _batch(str(folder), "--out", str(out), "--shard", "1/2", "--today", TODAY, "--format", "json")
    second = _batch(str(folder), "--out", str(out), "--shard", "2/2", "--today", TODAY, "--format", "json")
    assert (whole.exit_code, first.exit_code, second.exit_code) == (1, 0, 1)
    assert second.stderr.count("\n") == 1 and second.stderr.startswith(f"{folder}/b.yaml:2:")
    assert (out / ".batch" / "shard-2-of-2.json").is_file()  # the error row is in the shard's rows


def test_shards_made_for_different_dates_are_not_merged(three: Path, tmp_path: Path) -> None:
    """A shard left to read the clock can run past midnight: its plans are for another day."""
    out = tmp_path / "out"
    shards = out / ".batch"
    for k, day in ((1, "2027-03-01"), (2, "2027-03-02")):
        shard = _batch(str(three), "--out", str(out), "--shard", f"{k}/2", "--today", day, "--format", "json")
        assert shard.exit_code == 0
    same = "give every shard and the merge the same --today"

    undated = _roadmap("batch", "--merge", "--out", str(out))
    assert undated.exit_code == 1
    assert undated.stderr == (
        f"{shards}/shard-2-of-2.json:1:1: today: its plans were made for 2027-03-02, "
        f"shard 1/2's for 2027-03-01; {same}\n"
    )
    dated = _roadmap("batch", "--merge", "--out", str(out), "--today", "2027-03-02")
    assert dated.exit_code == 1
    assert dated.stderr == (
        f"{shards}/shard-1-of-2.json:1:1: today: its plans were made for 2027-03-01, not for --today 2027-03-02; {same}\n"
    )
    assert not (out / "index.html").exists()

    assert _batch(str(three), "--out", str(out), "--shard", "2/2", "--today", TODAY, "--format", "json").exit_code == 0
    assert _roadmap("batch", "--merge", "--out", str(out)).exit_code == 0  # dated by its shards
    undated_page = (out / "index.html").read_bytes()
    assert _roadmap("batch", "--merge", "--out", str(out), "--today", TODAY).exit_code == 0
    assert (out / "index.html").read_bytes() == undated_page


# CSV cells and control characters ------------------------------------------------------------


def test_formulas_after_leading_whitespace_are_neutralised() -> None:
    cells = [" =1+1", "\n=cmd|' /C calc'!A0", "\t=1", " \n @SUM(A1)", "\r\n-2", "  +1", "a =1", "\u00a0=1", "\r=1"]
    assert [safe_cell(c) for c in cells] == [
        "' =1+1",
        "'\n=cmd|' /C calc'!A0",
        "'\t=1",
        "' \n @SUM(A1)",
        "'\n-2",  # a Windows line break is a line break
        "'  +1",
        "a =1",
        "?=1",
        "?=1",  # a lone CR is a control character: replaced, so no formula
    ]


def test_profile_names_with_whitespace_before_a_formula_reach_csv_as_text(tmp_path: Path) -> None:
    folder = _advisees(
        tmp_path / "advisees",
        **{
            "valid.yaml": 'name: " =HYPERLINK(\\"http://evil.example\\")"\nmatch_year: 2028\n',
            "invalid.yaml": 'name: "\\n@SUM(1+1)"\nmatch_year: 1800\n',
        },
    )
    out = tmp_path / "out"
    assert _batch(str(folder), "--out", str(out), "--today", TODAY, "--format", "json").exit_code == 1
    names = {row["status"]: row["name"] for row in _summary(out).values()}
    assert names == {"ok": '\' =HYPERLINK("http://evil.example")', "error": "'\n@SUM(1+1)"}


def test_program_list_cells_with_whitespace_before_a_formula_are_neutralised(tmp_path: Path) -> None:
    header = (REPO / "profiles" / "example-programs.csv").read_text().splitlines()[0]
    programs = tmp_path / "programs.csv"
    programs.write_text(f'{header}\n" =1+1",peds-mgg,OH,yes,j1,220,232,yes,2,gold,"\n@SUM(A1)"\n')
    out = tmp_path / "out"
    result = _roadmap(
        "programs", str(REPO / "profiles" / "jordan-rivera.yaml"), str(programs), "--format", "csv", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    with (out / "programs.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["name"], row["notes"]) == ("' =1+1", "'\n@SUM(A1)")


def test_terminal_escapes_in_an_invalid_profile_reach_no_output(tmp_path: Path) -> None:
    folder = _advisees(
        tmp_path / "advisees",
        **{
            "escape.yaml": 'name: "\\e]0;pwned\\a\\e[2J Pat"\nmatch_year: 1800\n',
            "evil\x1b[31m.yaml": "name: Sam Red\nmatch_year: 1800\n",
            "good.yaml": "jordan-rivera",
        },
    )
    out = tmp_path / "out"
    result = _batch(str(folder), "--out", str(out), "--today", TODAY, "--format", "html")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    everything = _all_text(out)
    assert "\x1b" not in everything and "\x07" not in everything
    names = {row["source"]: row["name"] for row in _summary(out).values()}
    assert names["escape.yaml"] == "?]0;pwned??[2J Pat"
    assert names["evil?[31m.yaml"] == "Sam Red"


# Template override folders -------------------------------------------------------------------

SECRET = "root:x:0:0:secret-marker"


@pytest.mark.parametrize("target", ["/etc/passwd", "secret"])
def test_template_link_out_of_the_templates_folder_is_ignored(three: Path, tmp_path: Path, target: str) -> None:
    if target == "secret":
        outside = tmp_path / "secret.txt"
        outside.write_text(SECRET)
        marker = SECRET
    else:
        outside = Path(target)
        lines = outside.read_text(errors="replace").splitlines() if outside.is_file() else []
        roots = [line for line in lines if line.startswith("root:")]
        if not roots:
            pytest.skip("no /etc/passwd with a root line here")
        marker = roots[0]  # the whole line: a stylesheet's ":root:" must not count as a leak
    theme = tmp_path / "theme"
    (theme / "batch").mkdir(parents=True)
    for name in ("plan.html", "batch/dashboard.html", "programs_table.html"):
        os.symlink(outside, theme / name)
    out = tmp_path / "out"
    result = _batch(str(three), "--out", str(out), "--today", TODAY, "--format", "html", "--templates", str(theme))
    assert result.exit_code == 0, result.stderr
    assert marker not in _all_text(out)
    assert "Jordan Rivera" in (out / "jordan-rivera" / "index.html").read_text()  # the built-in template
    one = ("build", str(three / "a.yaml"), "--out", str(tmp_path / "one"), "--today", TODAY, "--format", "html")
    built = _roadmap(*one, "--templates", str(theme))
    assert built.exit_code == 0 and marker not in _all_text(tmp_path / "one")


TEMPLATE_MISTAKES = {
    "missing include": ('<p>\n{% include "missing.html" %}\n', "2:1: template: template not found (got missing.html)"),
    "include out of the folder": (
        '{% include "../secret.txt" %}',
        "1:1: template: template not found (got ../secret.txt)",
    ),
    "absolute include": ('\n\n{% include "/etc/passwd" %}', "3:1: template: template not found (got /etc/passwd)"),
    "syntax error": ("<p>\nb {{ x }\n", "2:1: template: unexpected '}'"),
    "unknown filter": ("{{ plan.profile.name | shout }}", "1:1: template: No filter named 'shout'."),
    "undefined name": (
        "\n\n{{ plan.nope }}",
        "3:1: template: 'roadmap.decide.plan.Plan object' has no attribute 'nope'",
    ),
    "not UTF-8": ("<p>\n\xff\xfe</p>", "2:1: template: is not UTF-8 text"),
}


def _theme(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / "theme" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode())


@pytest.mark.parametrize("mistake", sorted(TEMPLATE_MISTAKES))
def test_a_mistake_in_an_override_template_is_an_input_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mistake: str
) -> None:
    text, where = TEMPLATE_MISTAKES[mistake]
    (tmp_path / "secret.txt").write_text(SECRET)
    _theme(tmp_path, {"plan.html": text})
    monkeypatch.chdir(tmp_path)
    profile = str(REPO / "profiles" / "jordan-rivera.yaml")
    result = _roadmap("build", profile, "--out", "out", "--today", TODAY, "--format", "html", "--templates", "theme")
    assert result.exit_code == 1
    assert result.stderr == f"theme/plan.html:{where}\n"
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_broken_theme_stops_the_batch_once_before_any_plan(
    three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hundred identical error rows would help nobody, and would bury yesterday's dashboard."""
    monkeypatch.chdir(tmp_path)
    assert _batch(str(three), "--out", "out", "--today", TODAY, "--format", "html").exit_code == 0

    def outputs() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file() and p.suffix != ".lock"}

    before = outputs()
    _theme(tmp_path, {"plan.html": '{% include "header.html" %}\n', "header.html": "<h1>\n{% if %}\n"})
    for shard in ("1/1", "1/2"):
        result = _batch(str(three), "--out", "out", "--today", TODAY, "--templates", "theme", "--shard", shard)
        assert result.exit_code == 1
        assert (
            result.stderr == "theme/header.html:2:1: template: Expected an expression, got 'end of statement block'\n"
        )
    assert outputs() == before


def test_a_template_error_met_by_some_profiles_is_their_error_row(
    three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _theme(
        tmp_path,
        {"plan.html": '{% if plan.stage == "preclinical" %}{{ plan.nope }}{% endif %}<p>{{ plan.profile.name }}\n'},
    )
    result = _batch(
        str(three), "--out", "out", "--today", TODAY, "--format", "html", "--templates", "theme", "--jobs", "2"
    )
    assert result.exit_code == 1
    line = "theme/plan.html:1:1: template: 'roadmap.decide.plan.Plan object' has no attribute 'nope'"
    assert result.stderr == f"{line}\n"
    rows = _summary(tmp_path / "out")
    assert {slug: row["status"] for slug, row in rows.items()} == {
        "jordan-rivera": "ok",
        "casey-nguyen": "error",
        "taylor-brooks": "ok",
    }
    assert rows["casey-nguyen"]["error"] == line
    assert "Casey" in (tmp_path / "out" / "index.html").read_text()


def test_a_dashboard_template_failing_on_the_rows_still_leaves_summary_csv(
    three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _theme(tmp_path, {"batch/dashboard.html": "<ul>\n{% for row in rows %}<li>{{ row.nope }}{% endfor %}\n"})
    result = _batch(str(three), "--out", "out", "--today", TODAY, "--format", "json", "--templates", "theme")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "theme/batch/dashboard.html:2:1: template: 'roadmap.commands.batch.Row object' has no attribute 'nope'\n"
    )
    assert len(_summary(tmp_path / "out")) == 3
    assert not (tmp_path / "out" / "index.html").exists()


def test_links_planted_in_the_out_dir_become_error_rows(three: Path, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("keep me")
    out.mkdir()
    os.symlink(elsewhere, out / "jordan-rivera")  # a profile's whole folder
    (out / "casey-nguyen").mkdir()
    os.symlink(victim, out / "casey-nguyen" / "index.html")  # one file in it
    result = _batch(str(three), "--out", str(out), "--today", TODAY, "--format", "html")
    assert result.exit_code == 1
    assert "internal error" not in result.stderr
    assert {slug: row["status"] for slug, row in _summary(out).items()} == {
        "jordan-rivera": "error",
        "casey-nguyen": "error",
        "taylor-brooks": "ok",
    }
    assert list(elsewhere.iterdir()) == [] and victim.read_text() == "keep me"
    assert (out / "index.html").is_file()


# The Kubernetes recipe -----------------------------------------------------------------------


def _jobs() -> dict[str, dict[str, Any]]:
    jobs = {}
    for file in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if doc and doc.get("kind") == "Job":
                jobs[doc["metadata"]["name"]] = {**doc, "file": file.name}
    return jobs


def _script(job: dict[str, Any]) -> str:
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["/bin/sh", "-c"]
    today = {"name": "TODAY", "valueFrom": {"configMapKeyRef": {"name": "roadmap-run", "key": "today"}}}
    assert today in container["env"]  # one date, from one ConfigMap, for every pod
    return str(container["args"][0])


def test_k8s_recipe_orders_the_merge_after_the_shards_with_one_date() -> None:
    jobs = _jobs()
    shards, merge = jobs["roadmap-shards"], jobs["roadmap-merge"]
    assert shards["file"] != merge["file"]  # applied separately: never started together
    assert shards["spec"]["completionMode"] == "Indexed"
    assert f"-of-{shards['spec']['completions']}.json" in _script(shards)
    assert f"/{shards['spec']['completions']} --today" in _script(shards).replace('"', "")
    run = (K8S / "run.sh").read_text()
    steps = [
        "kubectl create configmap roadmap-run --from-literal=today=",
        "kubectl apply -f roadmap-shards.yaml",
        "wait_for roadmap-shards",
        "kubectl apply -f roadmap-merge.yaml",
    ]
    assert [run.index(step) for step in steps] == sorted(run.index(step) for step in steps)
    assert "--for=condition=complete" in run
    assert subprocess.run(["/bin/sh", "-n", str(K8S / "run.sh")], check=False).returncode == 0
    guide = (REPO / "docs" / "batch-at-scale.md").read_text()
    assert "Kubernetes 1.29 or later" in guide and "backoffLimitPerIndex" in guide
    assert "1.29" in (K8S / "roadmap-shards.yaml").read_text()


FAKE_ROADMAP = """#!/bin/sh
echo "$@" > "$FAKE_LOG"
if [ "$FAKE_WRITES" = yes ]; then mkdir -p "$FAKE_OUT/.batch"; touch "$FAKE_OUT/$FAKE_FILE"; fi
exit "$FAKE_EXIT"
"""


def _run_pod(job: dict[str, Any], tmp_path: Path, exit_code: int, writes: bool, written: str) -> tuple[int, str]:
    """Run a pod's shell script with a stand-in roadmap that exits as told."""
    bin_dir, data = tmp_path / "bin", tmp_path / "data"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "roadmap").write_text(FAKE_ROADMAP)
    (bin_dir / "roadmap").chmod(0o755)
    script = _script(job).replace("/data/", f"{data}/")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "JOB_COMPLETION_INDEX": "2",
        "TODAY": TODAY,
        "FAKE_LOG": str(tmp_path / "args"),
        "FAKE_OUT": str(data / "out"),
        "FAKE_FILE": written,
        "FAKE_WRITES": "yes" if writes else "no",
        "FAKE_EXIT": str(exit_code),
    }
    code = subprocess.run(["/bin/sh", "-c", script], env=env, check=False).returncode
    return code, (tmp_path / "args").read_text()


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
@pytest.mark.parametrize(
    ("exit_code", "writes", "done"),
    [(0, True, True), (1, True, True), (1, False, False), (2, False, False)],
    ids=["built", "invalid-profiles", "could-not-run", "usage-error"],
)
def test_k8s_pods_count_exit_1_as_done_only_when_outputs_were_written(
    tmp_path: Path, exit_code: int, writes: bool, done: bool
) -> None:
    jobs = _jobs()
    stale = tmp_path / "data" / "out" / ".batch" / "shard-3-of-8.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("yesterday's rows")  # must not count as this run's
    code, args = _run_pod(jobs["roadmap-shards"], tmp_path, exit_code, writes, ".batch/shard-3-of-8.json")
    assert (code == 0) is done
    data = f"{tmp_path}/data"
    assert args.split() == f"batch {data}/advisees --out {data}/out --shard 3/8 --today {TODAY} --jobs 2 -q".split()
    (tmp_path / "data" / "out" / "index.html").write_text("yesterday's dashboard")
    code, args = _run_pod(jobs["roadmap-merge"], tmp_path, exit_code, writes, "index.html")
    assert (code == 0) is done
    assert args.split() == ["batch", "--merge", "--out", f"{tmp_path}/data/out", "--today", TODAY]
