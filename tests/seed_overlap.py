"""Find runs of words that a text shares with the source article (the seed).

The guidance takes the article's facts and must say them in its own words: no run of
RUN_LENGTH words in a row may match the article. Words are compared lowercased, with
punctuation, quotes and dashes dropped, so that re-punctuating a copied sentence does not hide it.

    python tests/seed_overlap.py FILE...     lists each shared run with the file it is in
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

RUN_LENGTH = 10
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
# The article's title may appear where the article is cited.
SEED_TITLE = "Ultimate Step Score Strategy for US Citizen IMGs in Medical Genetics Residency"


def words(text: str) -> list[str]:
    """The text's words, lowercased, with accents folded and every non-word character a separator."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def runs(text: str, length: int = RUN_LENGTH) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def seed_files(folder: Path = SEED) -> list[Path]:
    return sorted(folder.glob("*.txt"))


@cache
def seed_runs(folder: Path = SEED) -> frozenset[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for file in seed_files(folder):
        found |= runs(file.read_text(encoding="utf-8"))
    return frozenset(found - runs(SEED_TITLE))


def shared_runs(text: str, folder: Path = SEED) -> list[str]:
    """Each run of RUN_LENGTH words that `text` shares with the article, in reading order."""
    copied = seed_runs(folder)
    tokens = words(text)
    hits = []
    for i in range(len(tokens) - RUN_LENGTH + 1):
        run = tuple(tokens[i : i + RUN_LENGTH])
        if run in copied:
            hits.append(" ".join(run))
    return hits


def main(paths: list[str]) -> int:
    status = 0
    for name in paths:
        for hit in shared_runs(Path(name).read_text(encoding="utf-8")):
            sys.stdout.write(f"{name}: {hit}\n")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
