"""`roadmap site`: build the advice site of the whole library, or find it already up to date.

This module is light on purpose: the up-to-date check runs before anything heavy is imported,
so an unchanged site costs one hash of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from roadmap.load.layers import BUILTIN_CONTENT, BUILTIN_TEMPLATES, Layered
from roadmap.write.sitestate import inputs_fingerprint, unchanged

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date
    from pathlib import Path

    from roadmap.errors import Problem
    from roadmap.write.output import OutDir


@dataclass(frozen=True)
class Published:
    """What a site build did: nothing (up to date), or how many files it wrote, kept and removed."""

    up_to_date: bool
    written: int = 0
    unchanged: int = 0
    removed: int = 0


def publish(
    out: OutDir,
    *,
    content_dir: Path | None,
    templates_dir: Path | None,
    base_url: str,
    today: date,
    jobs: int | None,
    warn: Callable[[Problem], None],
) -> Published:
    """Build the site into `out` unless the record shows it was made from these very inputs."""
    content = Layered(BUILTIN_CONTENT, content_dir)
    templates = Layered(BUILTIN_TEMPLATES, templates_dir)
    fingerprint = inputs_fingerprint(content, templates, base_url=base_url, today=today)
    done = unchanged(out.root, fingerprint)
    if done is not None:
        return Published(up_to_date=True, unchanged=done)
    from roadmap.commands.pipeline import load_inputs
    from roadmap.commands.site import build_site

    inputs = load_inputs(content_dir, templates_dir, keep_bodies=False)  # thousands of pages: bodies stay on disk
    counts = build_site(inputs, out, base_url=base_url, today=today, warn=warn, fingerprint=fingerprint, jobs=jobs)
    return Published(False, counts["rendered"], counts["skipped"], counts["removed"])
