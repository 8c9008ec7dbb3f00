"""The documentation holds together: links and anchors resolve, pages are reachable, sizes hold.

Checks README.md and docs/*.md: every relative link points to an existing file, every `#anchor`
to a heading of the target page (GitHub's slugs), every docs page is linked from README.md or
docs/README.md, README.md stays a front door (≤ 15 000 bytes), LICENSE and NOTICE exist. The
checker itself is tested on broken pages, so these tests can fail.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_BYTES = 15_000

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
# [text](target) and ![alt](target); the text may hold one level of brackets.
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:…


def documentation_pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: rendered text, lower case, punctuation dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = text.replace("`", "")
    text = re.sub(r"(\*\*|__|\*)", "", text)
    text = text.strip().lower()
    kept = "".join(char for char in text if char.isalnum() or char in " -_")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page, with GitHub's -1, -2… for repeated headings."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        match = _HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def links(page: Path) -> list[str]:
    """Link targets in a page's prose (code blocks and inline code are not links)."""
    targets: list[str] = []
    for line in _prose_lines(page.read_text(encoding="utf-8")):
        targets.extend(_LINK.findall(_INLINE_CODE.sub("", line)))
    return targets


def broken_links(page: Path, root: Path) -> list[str]:
    """The page's relative links whose file, or heading, does not exist."""
    problems: list[str] = []
    for target in links(page):
        if _EXTERNAL.match(target):
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path_part)).resolve() if path_part else page
        where = f"{page.relative_to(root)}: ({target})"
        if not destination.exists():
            problems.append(f"{where} no such file")
        elif root.resolve() not in (destination, *destination.parents):
            problems.append(f"{where} points outside the repository")
        elif fragment and destination.suffix == ".md":
            if unquote(fragment) not in anchors(destination):
                problems.append(f"{where} no such heading")
        elif fragment:
            problems.append(f"{where} anchor into a file that has no headings")
    return problems


def unlinked_pages(root: Path) -> list[str]:
    """docs/*.md pages that neither README.md nor docs/README.md links to."""
    linked: set[Path] = set()
    for index in (root / "README.md", root / "docs" / "README.md"):
        if not index.exists():
            continue
        for target in links(index):
            path_part = target.partition("#")[0]
            if path_part and not _EXTERNAL.match(target):
                linked.add((index.parent / unquote(path_part)).resolve())
    pages = sorted((root / "docs").glob("*.md"))
    return [str(page.relative_to(root)) for page in pages if page.resolve() not in linked]


# --------------------------------------------------------------------------- the repository


def test_docs_folder_has_the_topic_pages() -> None:
    names = {page.name for page in (ROOT / "docs").glob("*.md")}
    expected = {
        "README.md",
        "matching.md",
        "alerts.md",
        "france-travail-client.md",
        "emulators.md",
        "storage.md",
        "benchmarks.md",
        "deployment.md",
        "data-and-licences.md",
    }
    assert expected <= names


@pytest.mark.parametrize(
    "page", documentation_pages(ROOT), ids=lambda page: str(page.relative_to(ROOT))
)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert links(page), "a documentation page with no link at all is not wired in"
    assert broken_links(page, ROOT) == []


def test_every_docs_page_is_linked_from_an_index() -> None:
    assert unlinked_pages(ROOT) == []
    readme_targets = {target.partition("#")[0] for target in links(ROOT / "README.md")}
    assert "docs/README.md" in readme_targets


def test_readme_is_a_front_door() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move details into docs/"


def test_licence_files_exist() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2026 ft-job-bot contributors" in licence
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for bundled in ("rome.json.gz", "communes.json.gz", "commune_points.odbl.json.gz"):
        assert (ROOT / "ft_client" / "data" / bundled).exists()
        assert bundled in notice
    assert "Open Database License (ODbL) 1.0" in notice
    assert "© La Poste" in notice


# --------------------------------------------------------------------------- the checker itself


def test_github_slugs() -> None:
    assert github_slug("Quick start") == "quick-start"
    assert github_slug("`/match` — how well do my skills fit this job?") == (
        "match--how-well-do-my-skills-fit-this-job"
    )
    assert github_slug("Onboarding (`/start`) and `/profil`") == "onboarding-start-and-profil"
    assert github_slug("Données et licences : ROME 4.0") == "données-et-licences--rome-40"
    assert github_slug("France Travail client (`ft_client`)") == "france-travail-client-ft_client"


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_checker_reports_broken_links(tmp_path: Path) -> None:
    _write(tmp_path, "docs/real.md", "# Real page\n\n## Section two\n\n## Section two\n")
    readme = _write(
        tmp_path,
        "README.md",
        "# Home\n\n"
        "[ok](docs/real.md) [ok](docs/real.md#section-two) [ok](docs/real.md#section-two-1)\n"
        "[ok](#home) [web](https://example.org/missing.md) `[code](missing.md)`\n"
        "[gone](docs/missing.md) [bad anchor](docs/real.md#no-such-section)\n"
        "[bad local](#nowhere) [outside](../outside.md)\n"
        "```\n[in a code block](missing-too.md)\n```\n",
    )
    _write(tmp_path.parent, "outside.md", "# Outside\n")
    problems = broken_links(readme, tmp_path)
    assert problems == [
        "README.md: (docs/missing.md) no such file",
        "README.md: (docs/real.md#no-such-section) no such heading",
        "README.md: (#nowhere) no such heading",
        "README.md: (../outside.md) points outside the repository",
    ]


def test_the_checker_reports_unlinked_pages(tmp_path: Path) -> None:
    _write(tmp_path, "README.md", "# Home\n\n[docs](docs/README.md)\n")
    _write(tmp_path, "docs/README.md", "# Index\n\n[linked](linked.md#top)\n")
    _write(tmp_path, "docs/linked.md", "# Top\n")
    _write(tmp_path, "docs/orphan.md", "# Orphan\n")
    assert unlinked_pages(tmp_path) == ["docs/orphan.md"]
