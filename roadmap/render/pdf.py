"""Turn the print HTML into PDF bytes with WeasyPrint, which reaches no network and no file
but the tool's own template assets. WeasyPrint is imported here only, when a PDF is built."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from roadmap.load.layers import Layered

logger = logging.getLogger(__name__)


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serve `data:` URLs and files under the templates' assets/ folder; refuse the rest."""

        def __init__(self, templates: Layered) -> None:
            super().__init__(allowed_protocols={"data", "file"})
            self._templates = templates
            self._anchor = templates.builtin.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(self._anchor):
                    relative = path.relative_to(self._anchor).as_posix()
                    found = self._templates.find(relative) if relative.startswith("assets/") else None
                    if found is not None:
                        return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": _mime(found)})
            logger.warning("refused to fetch %s: only the plan's own assets are allowed", url[:200])
            raise ValueError(f"refused to fetch {url[:200]}")

    return AssetOnlyFetcher


def _mime(file: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}.get(
        file.suffix, "application/octet-stream"
    )


def preload() -> None:
    """Import WeasyPrint now, so that processes forked afterwards start with it: importing costs
    each process about 0.6 s of CPU, half of it cffi reading the C declarations of Pango."""
    import weasyprint  # noqa: F401


def render_pdf(html: str, templates: Layered, *, tagged: bool = True) -> bytes:
    """Render print HTML to PDF bytes; relative URLs resolve inside the templates' assets.

    Tagged by default as PDF/UA-1: a structure tree (headings, lists, tables with header cells,
    figures with their text alternative), the document language, the title shown as the window
    title and the PDF/UA identifier, so that screen readers can follow the plan.
    """
    from weasyprint import HTML

    fetcher = _fetcher_class()(templates)
    base_url = templates.builtin.resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1") if tagged else document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
