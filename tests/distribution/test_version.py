"""The version means something: pyproject.toml's version is CHANGELOG.md's newest release when nothing is unreleased,
else the next version's `.devN` (PEP 440), so a wheel built between releases never claims to be the last release;
and the installed package reports that version.

At release time: rename `## Unreleased` to `## X.Y.Z (YYYY-MM-DD)` and set `version = "X.Y.Z"`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from itertools import pairwise

import pytest
from packaging.version import InvalidVersion, Version

import personalize_pulumi
from tests.packaging import PROJECT, ROOT

CHANGELOG = ROOT / "CHANGELOG.md"
RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+) \((\d{4}-\d{2}-\d{2})\)$")
DEV = re.compile(r"^(\d+)\.(\d+)\.(\d+)\.dev\d+$")


@dataclass(frozen=True)
class Changelog:
    releases: list[tuple[Version, datetime.date]]
    """The `## X.Y.Z (date)` headings, in file order (newest first)."""
    unreleased: list[str]
    """The entries (`- ...` lines) under `## Unreleased`."""
    unreleased_kinds: set[str]
    """Its `### ...` subsection names, lower-case and up to the first word (`added`, `fixed`, ...)."""


def parse(text: str) -> Changelog:
    """The release headings and the Unreleased section of a changelog; fails on a heading that looks like a release
    but is not `## X.Y.Z (YYYY-MM-DD)`, or an Unreleased section below a release."""
    releases: list[tuple[Version, datetime.date]] = []
    unreleased: list[str] = []
    kinds: set[str] = set()
    section: str | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            if section == "Unreleased":
                if releases:
                    raise ValueError("## Unreleased must come before every release")
            elif section[:1].isdigit():
                match = RELEASE.match(section)
                if match is None:
                    raise ValueError(f"release heading {line!r} is not `## X.Y.Z (YYYY-MM-DD)`")
                releases.append((Version(".".join(match.groups()[:3])), datetime.date.fromisoformat(match[4])))
        elif section == "Unreleased" and line.startswith("### "):
            kinds.add(line[4:].split()[0].lower())
        elif section == "Unreleased" and line.startswith("- "):
            unreleased.append(line)
    return Changelog(releases, unreleased, kinds)


def next_versions(release: Version) -> dict[str, Version]:
    major, minor, patch = release.release
    return {
        "patch": Version(f"{major}.{minor}.{patch + 1}"),
        "minor": Version(f"{major}.{minor + 1}.0"),
        "major": Version(f"{major + 1}.0.0"),
    }


def violation(changelog_text: str, version: str) -> str | None:
    """Why `version` breaks the rule for this changelog, or None when it holds."""
    changelog = parse(changelog_text)
    if not changelog.releases:
        return "CHANGELOG.md names no release (`## X.Y.Z (YYYY-MM-DD)`)"
    for (newer, newer_date), (older, older_date) in pairwise(changelog.releases):
        if not (newer > older and newer_date >= older_date):
            return f"releases out of order: {newer} ({newer_date}) above {older} ({older_date})"
    newest = changelog.releases[0][0]
    try:
        parsed = Version(version)
    except InvalidVersion:
        return f"{version!r} is not a PEP 440 version"
    if str(parsed) != version:
        return f"{version!r} is not written in its normal form {str(parsed)!r}"
    if not changelog.unreleased:
        if parsed != newest:
            return f"nothing is unreleased, so the version must be the newest release {newest}, not {version}"
        return None
    nexts = next_versions(newest)
    if not DEV.match(version) or Version(parsed.base_version) not in nexts.values():
        wanted = " or ".join(f"{v}.devN" for v in nexts.values())
        return f"CHANGELOG.md has unreleased changes, so the version must be {wanted} (after {newest}), not {version}"
    if "added" in changelog.unreleased_kinds and Version(parsed.base_version) == nexts["patch"]:
        return (
            f"unreleased changes add features, so the next release is {nexts['minor']} or {nexts['major']}, not a patch"
        )
    return None


def test_the_version_follows_the_changelog():
    found = violation(CHANGELOG.read_text(), PROJECT["version"])
    assert found is None, found


def test_releasing_is_the_two_line_change():
    """Renaming the heading and dropping `.devN` satisfies the rule, and the release needs no other edit: checked
    forwards from a dev version, or backwards from a release (its entries as Unreleased, its `.dev0`)."""
    version = Version(PROJECT["version"])
    text = CHANGELOG.read_text()
    if version.is_devrelease:
        released = text.replace(
            "\n## Unreleased\n", f"\n## {version.base_version} ({datetime.date.today().isoformat()})\n", 1
        )
        assert violation(released, version.base_version) is None
    else:
        start = text.index(f"\n## {version} (") + 1
        before = text[:start] + "## Unreleased" + text[text.index("\n", start) :]
        assert violation(before, f"{version}.dev0") is None


def test_the_installed_package_reports_the_version_in_pyproject():
    """An editable install keeps the version of when it was installed: scripts/bootstrap reinstalls on a change."""
    assert personalize_pulumi.__version__ == PROJECT["version"], "reinstall the package: ./scripts/bootstrap"


HEAD = "# Changelog\n\n"
UNRELEASED = "## Unreleased\n\n### Fixed\n- a fix\n\n"
RELEASED = "## 1.0.0 (2026-12-01)\n\n### Added\n- the first\n\n## Before 1.0.0\nUnversioned.\n"


@pytest.mark.parametrize(
    ("text", "version"),
    [
        (HEAD + RELEASED, "1.0.0"),
        (HEAD + "## Unreleased\n\n" + RELEASED, "1.0.0"),  # an empty Unreleased section is nothing unreleased
        (HEAD + UNRELEASED + RELEASED, "1.0.1.dev0"),
        (HEAD + UNRELEASED + RELEASED, "1.1.0.dev0"),
        (HEAD + UNRELEASED + RELEASED, "2.0.0.dev3"),
        (HEAD + UNRELEASED.replace("Fixed", "Added") + RELEASED, "1.1.0.dev0"),
        (HEAD + "## 1.1.0 (2026-12-03)\n- more\n\n" + RELEASED, "1.1.0"),
    ],
)
def test_versions_the_rule_accepts(text, version):
    assert violation(text, version) is None


@pytest.mark.parametrize(
    ("text", "version", "complaint"),
    [
        (HEAD + UNRELEASED + RELEASED, "1.0.0", "must be 1.0.1.devN or 1.1.0.devN or 2.0.0.devN (after 1.0.0)"),
        (HEAD + UNRELEASED + RELEASED, "1.1.0", "not 1.1.0"),
        (HEAD + UNRELEASED + RELEASED, "1.2.0.dev0", "not 1.2.0.dev0"),
        (HEAD + UNRELEASED + RELEASED, "1.1.0rc1", "not 1.1.0rc1"),
        (HEAD + UNRELEASED + RELEASED, "1.1.0-dev0", "normal form '1.1.0.dev0'"),
        (HEAD + UNRELEASED.replace("Fixed", "Added") + RELEASED, "1.0.1.dev0", "not a patch"),
        (HEAD + RELEASED, "1.1.0.dev0", "must be the newest release 1.0.0"),
        (HEAD + "## 1.1.0 (2026-12-03)\n- more\n\n" + RELEASED, "1.0.0", "newest release 1.1.0"),
        (HEAD + "## 0.9.0 (2026-12-03)\n- more\n\n" + RELEASED, "0.9.0", "out of order"),
        (HEAD + "## 1.1.0 (2026-11-03)\n- more\n\n" + RELEASED, "1.1.0", "out of order"),
        (HEAD + "## Before 1.0.0\n", "1.0.0", "names no release"),
        (HEAD + RELEASED, "one", "not a PEP 440 version"),
    ],
)
def test_versions_the_rule_refuses(text, version, complaint):
    found = violation(text, version)
    assert found is not None and complaint in found, found


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (HEAD + "## 1.1.0\n- more\n\n" + RELEASED, "is not `## X.Y.Z (YYYY-MM-DD)`"),
        (HEAD + "## 1.1.0 - 2026-12-03\n- more\n\n" + RELEASED, "is not `## X.Y.Z (YYYY-MM-DD)`"),
        (HEAD + RELEASED.replace("## Before", UNRELEASED + "## Before"), "must come before every release"),
    ],
)
def test_malformed_changelogs_fail(text, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        parse(text)
