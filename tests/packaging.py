"""The package as users install it: a clean clone of this checkout, the wheel built from it, and a virtualenv with
only the declared run-time dependencies and that wheel (cached outside the tree, see scripts/cached_venv.py; the wheel
is reinstalled into it on every run)."""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import tomllib

from scripts.cached_venv import cached_venv, clean_env, python_of

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def run(*command: str | Path, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `command`, failing the test with its output if it fails."""
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


def make_clean_clone(clone: Path) -> Path:
    """A git repository holding exactly what a clone of this checkout would (tracked and new, unignored files)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            (clone / name).write_bytes(source.read_bytes())
    run("git", "init", "-q", cwd=clone)
    run("git", "add", "-A", cwd=clone)
    run("git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "clone", cwd=clone)
    return clone


def build_wheel(clone: Path, out: Path) -> Path:
    """`pip wheel --no-deps .` in `clone`."""
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, ".", cwd=clone)
    (built,) = out.glob("*.whl")
    return built


def python_with_wheel(wheel: Path, purpose: str = "runtime", extra: tuple[str, ...] = ()) -> Path:
    """The Python of a virtualenv with only the declared run-time dependencies (and `extra` requirements), and
    `wheel` installed into it. Test workers share the virtualenv: the install is done under a lock, and only when
    the installed files differ from the wheel's (a reinstall would remove the plugin's executable while another
    worker's engine may be starting it)."""
    venv = cached_venv(purpose, [*PROJECT["dependencies"], *extra])
    python = python_of(venv)
    with zipfile.ZipFile(wheel) as archive:
        (record,) = [name for name in archive.namelist() if name.endswith(".dist-info/RECORD")]
        contents = hashlib.sha256(archive.read(record)).hexdigest()
    marker = venv / "installed-wheel.sha256"
    with open(venv / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == contents:
            return python
        run(
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--force-reinstall",
            wheel,
        )
        marker.write_text(contents)
    return python
