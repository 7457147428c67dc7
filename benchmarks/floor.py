"""The plain-Python floor: the least a Markdown-to-HTML site build can do (markdown-it-py + Jinja).

Usage: python floor.py SOURCE_DIR OUT_DIR
"""

import sys
from pathlib import Path

from jinja2 import Template
from markdown_it import MarkdownIt

PAGE = Template(
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{{ title }}</title></head>"
    "<body><nav>{% for t in titles %}<a href='{{ t }}.html'>{{ t }}</a> {% endfor %}</nav>"
    "<main><h1>{{ title }}</h1>{{ body }}</main></body></html>",
    autoescape=True,
)


def main(source: Path, out: Path) -> None:
    md = MarkdownIt("commonmark")
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for file in sorted(source.glob("*.md")):
        text = file.read_text()
        _, front, body = text.split("---\n", 2)
        title = next(line.split(":", 1)[1].strip() for line in front.splitlines() if line.startswith("title:"))
        pages.append((file.stem, title, body))
    titles = [stem for stem, _, _ in pages[:20]]
    for stem, title, body in pages:
        html = PAGE.render(title=title, body=md.render(body), titles=titles)
        (out / f"{stem}.html").write_text(html)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
