"""The plain-Python floor: the least a Markdown-to-HTML site build can do (markdown-it-py + Jinja).

Per page it reads the file, splits off the front matter, takes the title, renders the body with
the Markdown features roadmap's modules use (CommonMark plus tables and strikethrough) into a
minimal template (a head, the title, the body: no navigation, no lists, no search index) and
writes it with one plain `write_text`. Nothing else: no validation, no escaping of abbreviations,
no record for incremental builds, no atomic write.

Usage: python floor.py SOURCE_DIR OUT_DIR
"""

import sys
from pathlib import Path

from jinja2 import Template
from markdown_it import MarkdownIt

PAGE = Template(
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{{ title }}</title></head>"
    "<body><main><h1>{{ title }}</h1>{{ body }}</main></body></html>",
    autoescape=True,
)


def main(source: Path, out: Path) -> None:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    out.mkdir(parents=True, exist_ok=True)
    for file in sorted(source.glob("*.md")):
        _, front, body = file.read_text().split("---\n", 2)
        title = next(line.split(":", 1)[1].strip() for line in front.splitlines() if line.startswith("title:"))
        (out / f"{file.stem}.html").write_text(PAGE.render(title=title, body=md.render(body)))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
