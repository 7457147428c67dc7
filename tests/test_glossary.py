"""The glossary and the spelling out of abbreviations at their first use on a page (issue 17,
SPEC "Plain words")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from roadmap.errors import InputError, Problem
from roadmap.load.glossary import GLOSSARY_FILE, Glossary, Term, read_glossary
from roadmap.load.layers import BUILTIN_CONTENT, Layered
from roadmap.load.rules import builtin_rules, load_rules
from roadmap.load.yamlsrc import load_yaml
from roadmap.render.abbreviations import expand_abbreviations, unexpanded_first_uses
from tests.conftest import REPO

ERAS = Term("ERAS", "Electronic Residency Application Service", None)
NRMP = Term("NRMP", "National Resident Matching Program", None)
CK = Term("CK", "Clinical Knowledge", None)
IMG = Term("IMG", "international medical graduate", None, plural="international medical graduates")
MGG = Term("MGG", "Medical Genetics and Genomics", None)
ECFMG = Term("ECFMG", "Educational Commission for Foreign Medical Graduates", None)
GLOSSARY = Glossary((ERAS, NRMP, CK, IMG, MGG, ECFMG))

ERAS_ABBR = '<abbr title="Electronic Residency Application Service">ERAS</abbr>'
ERAS_PRINTED = "Electronic Residency Application Service (ERAS)"


def screen(html: str) -> str:
    return expand_abbreviations(html, GLOSSARY, for_print=False)


def printed(html: str) -> str:
    return expand_abbreviations(html, GLOSSARY, for_print=True)


# --- on screen and in print ---------------------------------------------------------------


def test_the_first_use_is_wrapped_in_abbr_and_later_uses_are_left_alone() -> None:
    page = "<p>Open ERAS in June.</p><p>ERAS sends your file to programs; ERAS also holds your letters.</p>"
    assert screen(page) == (
        f"<p>Open {ERAS_ABBR} in June.</p><p>ERAS sends your file to programs; ERAS also holds your letters.</p>"
    )


def test_print_writes_the_expansion_before_the_first_use() -> None:
    page = "<p>Register with NRMP, then rank on NRMP's site.</p><p>Step 2 CK first; CK scores matter.</p>"
    assert printed(page) == (
        "<p>Register with National Resident Matching Program (NRMP), then rank on NRMP's site.</p>"
        "<p>Step 2 Clinical Knowledge (CK) first; CK scores matter.</p>"
    )


def test_attributes_never_change() -> None:
    page = '<p><a href="/eras" title="ERAS help" data-x=\'NRMP > ERAS\'>ERAS</a> and NRMP</p>'
    assert screen(page) == (
        f'<p><a href="/eras" title="ERAS help" data-x=\'NRMP > ERAS\'>{ERAS_ABBR}</a> and '
        '<abbr title="National Resident Matching Program">NRMP</abbr></p>'
    )
    assert printed(page) == (
        f'<p><a href="/eras" title="ERAS help" data-x=\'NRMP > ERAS\'>{ERAS_PRINTED}</a> and '
        "National Resident Matching Program (NRMP)</p>"
    )


def test_text_that_is_not_prose_is_skipped_and_the_first_prose_use_is_spelled_out() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>ERAS plan</title><meta name='description' content='ERAS'>"
        "<style>.ERAS { color: red }</style><script>if (a < b) { show('ERAS') }</script></head><body>"
        '<svg role="img"><title>ERAS chart</title><text x="1">ERAS</text></svg>'
        "<pre>ERAS</pre><p><code>ERAS</code> <kbd>ERAS</kbd></p><!-- ERAS -->"
        "<table data-no-abbr><tr><td><b>ERAS</b></td></tr></table>"
        "<p>Then ERAS opens.</p></body></html>"
    )
    assert screen(page) == page.replace("Then ERAS opens", f"Then {ERAS_ABBR} opens")
    assert printed(page) == page.replace("Then ERAS opens", f"Then {ERAS_PRINTED} opens")


def test_only_whole_words_count_and_case_matters() -> None:
    page = "<p>Log in to MyERAS and read the eras guide.</p><p>ERAS opens.</p>"
    assert screen(page) == f"<p>Log in to MyERAS and read the eras guide.</p><p>{ERAS_ABBR} opens.</p>"


def test_a_slash_an_apostrophe_or_a_hyphen_ends_a_word() -> None:
    page = "<p>IM/MGG takes four years. ERAS's deadline. ECFMG-certified.</p>"
    assert printed(page) == (
        "<p>IM/Medical Genetics and Genomics (MGG) takes four years. "
        "Electronic Residency Application Service (ERAS)'s deadline. "
        "Educational Commission for Foreign Medical Graduates (ECFMG)-certified.</p>"
    )


def test_a_url_in_the_text_is_not_changed() -> None:
    page = "<p>See https://example.org/ERAS/guide then ERAS.</p>"
    assert printed(page) == f"<p>See https://example.org/ERAS/guide then {ERAS_PRINTED}.</p>"


def test_text_that_already_spells_it_out_counts_as_expanded() -> None:
    page = "<p>The electronic residency\n   application service (<strong>ERAS</strong>) opens. ERAS again.</p>"
    assert screen(page) == page.replace("<strong>ERAS</strong>", f"<strong>{ERAS_ABBR}</strong>")
    assert printed(page) == page


def test_a_plural_is_a_use_when_the_glossary_gives_the_plural() -> None:
    page = "<p>IMGs apply through ECFMG. An IMG needs a visa; MGGs are not a thing.</p>"
    assert printed(page) == (
        "<p>international medical graduates (IMGs) apply through "
        "Educational Commission for Foreign Medical Graduates (ECFMG). An IMG needs a visa; MGGs are not a thing.</p>"
    )
    assert screen(page).startswith('<p><abbr title="international medical graduates">IMGs</abbr> apply')


def test_an_abbr_written_by_a_template_counts_on_screen_and_is_never_wrapped_twice() -> None:
    page = '<p><abbr title="Electronic Residency Application Service">ERAS</abbr> opens; ERAS closes.</p>'
    assert screen(page) == page
    once = screen("<p>ERAS and NRMP, then ERAS.</p>")
    assert screen(once) == once
    once_printed = printed("<p>ERAS and NRMP, then ERAS.</p>")
    assert printed(once_printed) == once_printed


def test_the_title_and_the_printed_expansion_are_escaped() -> None:
    glossary = Glossary((Term("QA", 'Quality & "Assurance" <Board>', None),))
    page = "<p>QA first.</p>"
    assert expand_abbreviations(page, glossary, for_print=False) == (
        '<p><abbr title="Quality &amp; &quot;Assurance&quot; &lt;Board&gt;">QA</abbr> first.</p>'
    )
    assert expand_abbreviations(page, glossary, for_print=True) == (
        '<p>Quality &amp; "Assurance" &lt;Board&gt; (QA) first.</p>'
    )


def test_an_empty_glossary_changes_nothing() -> None:
    page = "<p>ERAS</p>"
    assert expand_abbreviations(page, Glossary(()), for_print=True) == page
    assert unexpanded_first_uses(page, Glossary(()), for_print=True) == []


# --- the checker ----------------------------------------------------------------------------


def test_the_checker_names_each_first_use_that_is_not_spelled_out() -> None:
    page = "<html><head><title>NRMP</title></head><body><p>ERAS, then Step 2 CK and ERAS.</p></body></html>"
    assert unexpanded_first_uses(page, GLOSSARY, for_print=False) == ["ERAS", "CK"]
    assert unexpanded_first_uses(page, GLOSSARY, for_print=True) == ["ERAS", "CK"]
    assert unexpanded_first_uses(screen(page), GLOSSARY, for_print=False) == []
    assert unexpanded_first_uses(printed(page), GLOSSARY, for_print=True) == []


def test_in_print_an_abbr_title_is_not_enough() -> None:
    """A PDF shows no tooltip: the expansion must be in the text."""
    page = screen("<p>ERAS opens.</p>")
    assert unexpanded_first_uses(page, GLOSSARY, for_print=False) == []
    assert unexpanded_first_uses(page, GLOSSARY, for_print=True) == ["ERAS"]


def test_the_checker_reads_a_pdfs_text_whatever_its_line_breaks_and_hyphenation() -> None:
    wrapped = "Your plan\n\nOpen the Electronic Resi-\ndency Application\nService (ERAS) in June. Step 2 CK\nnext.\n"
    assert unexpanded_first_uses(wrapped, GLOSSARY, for_print=True) == ["CK"]


def test_every_golden_plan_page_is_clean_once_expanded() -> None:
    """On the real pages: after expanding, the checker finds nothing on screen and in print."""
    glossary = builtin_rules().glossary
    built = (REPO / "tests/golden/jordan-rivera/index.html").read_text(encoding="utf-8")
    assert unexpanded_first_uses(built, glossary, for_print=False) == []  # the plan as built
    page = re.sub(r'<abbr title="[^"]*">([^<]*)</abbr>', r"\1", built)  # the same page before expanding
    assert "ERAS" in unexpanded_first_uses(page, glossary, for_print=False)
    assert unexpanded_first_uses(expand_abbreviations(page, glossary, for_print=False), glossary, for_print=False) == []
    assert unexpanded_first_uses(expand_abbreviations(page, glossary, for_print=True), glossary, for_print=True) == []


# --- the glossary file ----------------------------------------------------------------------


def test_the_built_in_glossary_loads_clean_with_the_terms_the_spec_names() -> None:
    glossary = load_rules(Layered(BUILTIN_CONTENT)).glossary
    spec_terms = ("ERAS", "NRMP", "ECFMG", "NBME", "UWSA", "OET", "USCE", "SOAP", "MSPE", "ACGME", "ABMGG", "MGG")
    assert all(abbr in glossary for abbr in spec_terms)
    assert glossary.get("ECFMG") == Term(
        "ECFMG", "Educational Commission for Foreign Medical Graduates", "https://www.ecfmg.org/"
    )
    assert glossary.get("CK") == Term("CK", "Clinical Knowledge", "https://www.usmle.org/step-exams/step-2-ck")
    assert "J-1" not in glossary and "H-1B" not in glossary
    assert builtin_rules().glossary == glossary


def _problems(text: str) -> list[str]:
    problems: list[Problem] = []
    read_glossary(load_yaml(text, "glossary.yaml"), problems)
    return [problem.format() for problem in problems]


def test_mistakes_in_the_glossary_are_reported_at_their_line() -> None:
    text = (
        "terms:\n"
        "  - abbr: ERAS\n"
        "    expansion: Electronic Residency Application Service\n"
        "  - abbr: NRMP\n"
        "    source: https://www.nrmp.org/\n"
        "  - abbr: ERAS\n"
        "    expansion: Something Else\n"
        "  - abbr: OET\n"
        "    expansion: Occupational English Test\n"
        "    source: oet.com\n"
        "  - abbr: eras\n"
        "    expansion: lower case\n"
        "  - abbr: SOAP\n"
        "    expansion: '  '\n"
        "    sourse: https://www.nrmp.org/\n"
    )
    assert _problems(text) == [
        "glossary.yaml:4:5: terms[1]: 'expansion' is required",
        "glossary.yaml:6:11: terms[2].abbr: duplicate abbreviation (first on line 2) (got ERAS)",
        "glossary.yaml:10:13: terms[3].source: must be an http:// or https:// link (got oet.com)",
        "glossary.yaml:11:11: terms[4].abbr: must be letters, digits and hyphens with at least one capital letter (got eras)",
        "glossary.yaml:15:5: terms[5].sourse: unknown key (use abbr, expansion, source, plural) (got sourse)",
    ]


def test_the_glossary_must_be_a_list_of_terms() -> None:
    assert _problems("words: []\n") == [
        "glossary.yaml:1:1: words: unknown key (use terms) (got words)",
        "glossary.yaml:1:1: (root): 'terms' is required",
    ]
    assert _problems("terms: ERAS\n") == ["glossary.yaml:1:8: terms: must be a non-empty list (got ERAS)"]


def test_a_content_folder_overrides_the_glossary_and_its_problems_stop_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine/data").mkdir(parents=True)
    mine = tmp_path / "mine" / GLOSSARY_FILE
    mine.write_text("terms:\n  - abbr: PD\n    expansion: program director\n", encoding="utf-8")
    assert load_rules(Layered(BUILTIN_CONTENT, tmp_path / "mine")).glossary.terms == (
        Term("PD", "program director", None),
    )

    mine.write_text("terms:\n  - abbr: PD\n    expansion: program director\n    source: ftp://x.org/\n")
    with pytest.raises(InputError) as caught:
        load_rules(Layered(BUILTIN_CONTENT, tmp_path / "mine"))
    assert str(caught.value) == (
        "mine/data/glossary.yaml:4:13: terms[0].source: must be an http:// or https:// link (got ftp://x.org/)"
    )


# --- the screen's fast path (issue 21) ------------------------------------------------------
# On screen only the tags that change where text sits are read; the walk over every text node
# (which print needs) is the oracle: both must give the same page for any well-formed HTML.
FRAGMENTS = (
    "<p>ERAS and NRMP</p>",
    "<p>The CK exam, IMGs and an IMG</p>",
    "<!-- ERAS NRMP CK -->",
    "<code>ERAS</code>",
    "<pre><code>NRMP <code>CK</code> IMG</code> MGG</pre>",
    '<abbr title="Clinical Knowledge">CK</abbr>',
    "<abbr>ERAS</abbr>",
    '<abbr title="x"><b>NRMP</b> and <code>IMG</code></abbr>',
    '<div data-no-abbr><div>ERAS</div> NRMP</div><p data-NO-ABBR="">MGG</p>',
    '<span title="data-no-abbr">ECFMG</span>',
    "<script>var a = '<code>'; // ERAS </script>",
    "<style>/* NRMP */</style><textarea>CK</textarea>",
    '<svg viewBox="0 0 1 1"><title>IMG</title><text>ERAS</text></svg><svg/>',
    "<p><a href=\"https://x.org/ERAS\" title='NRMP > CK'>https://www.nrmp.org/CK ECFMG</a></p>",
    "<br><img alt=\"ERAS\"><input value='CK'>",
    "<head><title>ERAS</title><style>p{}</style></head>",
    "<h2>MyERAS &amp;NRMP MGGs</h2>",
    "<p>NRMPs, IMGS, XERAS, ERAS2, ERAS_, \u00c9ERAS, ERAS\u00e9 and &ERAS are no uses; (CK) and CK. are</p>",
)


# Each finds its uses another way: acronyms only; a word with lower case ("MyERAS"); a form with
# a hyphen, which no word shape fits, so the forms' own regex runs over the page.
SHAPED_GLOSSARIES = (
    GLOSSARY,
    Glossary((*GLOSSARY.terms, Term("MyERAS", "the applicants' ERAS portal", None))),
    Glossary((*GLOSSARY.terms, Term("H-1B", "a temporary work visa", None))),
)


@pytest.mark.parametrize("glossary", SHAPED_GLOSSARIES, ids=("acronyms", "words", "hyphen"))
@pytest.mark.parametrize("seed", range(40))
def test_the_screen_fast_path_gives_the_walks_page(seed: int, glossary: Glossary) -> None:
    import random

    from roadmap.render.abbreviations import _expand_walking, _matcher

    chosen = random.Random(seed).choices((*FRAGMENTS, "<p>An H-1B or H-1Bs, my MyERAS</p>"), k=8)
    page = "<html><body>" + "".join(chosen) + "</body></html>"
    walked = _expand_walking(page, _matcher(glossary), len(glossary.terms), for_print=False)
    assert expand_abbreviations(page, glossary, for_print=False) == walked


def test_the_screen_fast_path_gives_the_walks_page_on_every_golden_page() -> None:
    from roadmap.render.abbreviations import _expand_walking, _matcher

    glossary = builtin_rules().glossary
    pages = sorted((REPO / "tests" / "golden").rglob("*.html"))
    assert pages
    for file in pages:
        # The golden pages are already spelled out: take the spelling out away first.
        page = re.sub(r'<abbr title="[^"]*">([^<]*)</abbr>', r"\1", file.read_text(encoding="utf-8"))
        walked = _expand_walking(page, _matcher(glossary), len(glossary.terms), for_print=False)
        assert expand_abbreviations(page, glossary, for_print=False) == walked, file.name
