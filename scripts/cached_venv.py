"""Throwaway virtualenvs holding exactly the given requirements, built once per machine and kept outside the tree.

Used by `scripts/check-floors` (the package at its declared floors) and `tests/packaging.py` (the installed wheel
with only the declared run-time dependencies). A virtualenv lives in `$PERSONALIZE_VENV_CACHE` (default
`${XDG_CACHE_HOME:-~/.cache}/personalize-pulumi/venvs`), named after its purpose and a hash of the requirement lines
and the Python version, so a changed requirement builds a new one and an unchanged one costs nothing. pip's own cache
is used as usual. A lock file lets concurrent runs share one build. Standard library only.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
STAMP = ".installed"
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def cache_root() -> Path:
    if os.environ.get("PERSONALIZE_VENV_CACHE"):
        return Path(os.environ["PERSONALIZE_VENV_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "personalize-pulumi" / "venvs"


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of a requirements file, following `-r` includes; comments and blanks dropped."""
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines.extend(requirement_lines(path.parent / line.split(None, 1)[1]))
        else:
            lines.append(line)
    return lines


def declared_requirements() -> list[str]:
    """Every requirement line the project declares: pyproject.toml's dependencies and extras, and requirements-dev.txt
    (without its editable install of the project itself)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    lines.extend(line for line in requirement_lines(ROOT / "requirements-dev.txt") if not line.startswith("-e"))
    return lines


def requirement_name(line: str) -> str:
    """The normalized project name of a requirement line (`moto[server]>=5.1` -> `moto`)."""
    match = NAME.match(line)
    if not match:
        raise ValueError(f"not a requirement line: {line!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def clean_env() -> dict[str, str]:
    """This process's environment without what would let a child Python see other packages."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def cached_venv(purpose: str, requirements: list[str]) -> Path:
    """A virtualenv (of this Python) with exactly `requirements` installed; built on first use, then reused."""
    key = hashlib.sha256(json.dumps([sys.version, sys.base_prefix, sorted(requirements)]).encode()).hexdigest()[:16]
    root = cache_root()
    venv = root / f"{purpose}-{key}"
    if (venv / STAMP).exists():
        return venv
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it; wait for that build
        if (venv / STAMP).exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)  # a build that was interrupted
        print(f"building {venv} ({', '.join(requirements)})", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env())
        subprocess.run(
            [str(python_of(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
            check=True,
            env=clean_env(),
        )
        (venv / STAMP).write_text("\n".join(requirements) + "\n")
    return venv


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"
