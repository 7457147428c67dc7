"""The generated Markdown corpus every tool builds, each in its own layout and front matter."""

from __future__ import annotations

from pathlib import Path

PARAGRAPHS = (
    "Plan your **Step 2 CK** date against the [ERAS calendar](https://students-residents.aamc.org/) and keep a "
    "`genetics deck` of inheritance patterns; review *every* explanation and record each `NBME` score, because "
    "the trend across practice forms tells you more than any single number does.",
    "Programs read your file **twice**: once for the primary specialty and again for genetics, so link your "
    "[electives](https://www.acmg.net/) and research with a clear `narrative` and *specific* examples that show "
    "what you did, what you learned and why it points towards a career in the field.",
    "Scores come out on **Wednesdays**, usually three to four weeks after the exam; see "
    "[usmle.org](https://www.usmle.org/) and keep a `buffer` before programs start *reviewing*, so that a late "
    "result never leaves a reviewer looking at an empty score field in September.",
)
# The stages and topics pages spread over, so stage and topic lists have realistic lengths. Not
# `step2ck-targets`: the site's score-bands page prints the whole text of every module with that
# topic, which is a handful in real content, and a fifth of the corpus would make it one huge page.
STAGES = ("overview", "preclinical", "step1", "step2ck", "application")
TOPICS = (
    "landscape",
    "step1-prep",
    "step2ck-timing",
    "step2ck-study-plan",
    "letters",
    "networking",
    "eras-application",
    "program-selection",
    "interviews-and-ranking",
    "score-reporting",
)


def body(index: int) -> str:
    """About 600 words: three sections of paragraphs with inline markup, a list and a table.

    Every page's text differs, so no tool can reuse another page's HTML.
    """
    parts = []
    for section in range(1, 4):
        paragraphs = [
            f"{PARAGRAPHS[(index + k) % 3]} Note {index}.{section}.{k}: see [item {index}](https://example.org/item/{index})."
            for k in range(3)
        ]
        items = "\n".join(
            f"- **Step {k}** for page {index}: book it by *week {index % 7 + k}* and log it in `tracker-{k}`"
            for k in range(1, 5)
        )
        table = "\n".join(
            [
                "| Milestone | When | Note |",
                "| --- | --- | --- |",
                *(f"| Item {index}.{section}.{k} | Week {k + section} | **{'ABC'[k % 3]}** `{k}` |" for k in range(4)),
            ]
        )
        parts.append(f"## Part {section}\n\n" + "\n\n".join([paragraphs[0], items, *paragraphs[1:], table]))
    return "\n\n".join(parts) + "\n"


def write_roadmap(root: Path, pages: int) -> Path:
    """Pages spread over every stage and ten topics, two topics each, with a one-line summary."""
    for i in range(pages):
        stage = STAGES[i % len(STAGES)]
        folder = root / stage
        folder.mkdir(parents=True, exist_ok=True)
        topics = f"[{TOPICS[i % len(TOPICS)]}, {TOPICS[(i * 3 + 1) % len(TOPICS)]}]"
        (folder / f"page-{i:05d}.md").write_text(
            f"---\nid: page-{i:05d}\ntitle: Page {i}\nstage: {stage}\ntopics: {topics}\norder: {i}\n"
            f'summary: "What page {i} asks you to do, in one sentence."\n'
            f'sources: ["benchmark corpus"]\n---\n{body(i)}'
        )
    return root / STAGES[0]


def write_plain(root: Path, pages: int) -> Path:
    root.mkdir(parents=True)
    for i in range(pages):
        (root / f"page-{i:05d}.md").write_text(f"---\ntitle: Page {i}\n---\n{body(i)}")
    return root


def write_mkdocs(root: Path, pages: int) -> Path:
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Benchmark\n")
    for i in range(pages):
        (docs / f"page-{i:05d}.md").write_text(f"# Page {i}\n\n{body(i)}")
    (root / "mkdocs.yml").write_text("site_name: Benchmark\nuse_directory_urls: false\n")
    return root


def write_pelican(root: Path, pages: int) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for i in range(pages):
        (content / f"page-{i:05d}.md").write_text(
            f"Title: Page {i}\nDate: 2026-01-01 10:00\nSlug: page-{i:05d}\n\n{body(i)}"
        )
    (root / "pelicanconf.py").write_text(
        "SITENAME = 'Benchmark'\nPATH = 'content'\nTIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\nFEED_ALL_ATOM = None\n"
        "CATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
        "DEFAULT_PAGINATION = 10\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n"
    )
    return root


def write_hugo(root: Path, pages: int) -> Path:
    content = root / "content" / "posts"
    content.mkdir(parents=True)
    for i in range(pages):
        (content / f"page-{i:05d}.md").write_text(f"---\ntitle: Page {i}\n---\n{body(i)}")
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>"
    )
    (layouts / "list.html").write_text(
        "<!DOCTYPE html><html><body>{{ range .Pages }}<a href='{{ .RelPermalink }}'>{{ .Title }}</a>{{ end }}</body></html>"
    )
    (root / "hugo.toml").write_text(
        "baseURL = 'https://example.org/'\ntitle = 'Benchmark'\ndisableKinds = ['taxonomy', 'term', 'RSS']\n"
    )
    return root


def touch_one(path: Path) -> None:
    """Change one page, as an author editing it would."""
    text = path.read_text()
    path.write_text(
        text.replace("## Part 1", "## Part 1 (edited)", 1) if "(edited)" not in text else text.replace(" (edited)", "")
    )
