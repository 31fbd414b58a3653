"""Fixtures of the generated SDKs (sdk/, from scripts/sdk-gen): the tools each language needs, installed or built once
per machine in caches outside the repository (`${XDG_CACHE_HOME:-~/.cache}/personalize-pulumi/`, each keyed by a
hash of what it holds, with a lock so concurrent test processes share one build; a first build says so on stderr),
and the SDKs built from copies in temporary folders, so that nothing is ever written into the tree.

Nothing here skips: a missing tool (Go, Node.js, npm, the Pulumi CLI) fails the test with one line saying what."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk"
HERE = Path(__file__).resolve().parent
TS_PROGRAM = HERE / "typescript"
GO_PROGRAM = HERE / "go"
VENV_BIN = Path(sys.executable).parent
STAMP = ".installed"

PYTHON_BUILD_TOOLS = ["setuptools==80.9.0"]
"""What pip needs to build the Python SDK's setup.py without a build-isolation download (the repo venv's setuptools
is too old to build wheels without the `wheel` package)."""

GO_ENV = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod -buildvcs=false", "CGO_ENABLED": "0"}


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "personalize-pulumi"


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """Run `command`, failing the test with its output if it fails; returns its stdout."""
    try:
        done = subprocess.run(
            [str(c) for c in command],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except FileNotFoundError:
        pytest.fail(f"{command[0]} not found: install it (see sdk/README.md)")
    assert done.returncode == 0, f"`{' '.join(map(str, command))}` failed in {cwd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def tool(name: str, *fallbacks: str) -> str:
    """The path of executable `name` (on PATH or at one of `fallbacks`); fails the test naming it if there is none."""
    found = shutil.which(name) or next((f for f in fallbacks if os.access(f, os.X_OK)), None)
    if found is None:
        pytest.fail(f"no `{name}` on PATH: install it to test the generated SDKs")
    return found


@contextmanager
def built_once(folder: Path, what: str) -> Iterator[bool]:
    """Hold the lock of cache `folder`; yields whether it must be (re)built, i.e. it has no stamp. The caller writes
    the stamp (`folder / STAMP`) when the build succeeded."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    if (folder / STAMP).exists():
        yield False
        return
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be building it: wait for that build
        if (folder / STAMP).exists():
            yield False
            return
        shutil.rmtree(folder, ignore_errors=True)  # a build that was interrupted
        folder.mkdir()
        print(f"==> {what} into {folder} (once per machine)", file=sys.stderr, flush=True)
        yield True


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `scripts/sdk-gen` generates now from schema.json (it builds sdkgen once per machine, saying so)."""
    out = tmp_path_factory.mktemp("generated")
    done = subprocess.run([str(ROOT / "scripts" / "sdk-gen"), str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"scripts/sdk-gen failed:\n{done.stderr}"
    return out


@pytest.fixture(scope="session")
def go() -> str:
    return tool("go", "/usr/local/go/bin/go")


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """node_modules with the exact @pulumi/pulumi, typescript and @types/node of tests/sdk/typescript/package.json,
    installed with npm once per machine (about 15 s) into node-sdk-deps-<hash of package.json>."""
    npm = tool("npm")
    tool("node")
    manifest = (TS_PROGRAM / "package.json").read_bytes()
    folder = cache_root() / f"node-sdk-deps-{hashlib.sha256(manifest).hexdigest()[:12]}"
    with built_once(folder, "installing the npm packages of tests/sdk/typescript/package.json") as build:
        if build:
            (folder / "package.json").write_bytes(manifest)
            run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, timeout=900)
            (folder / STAMP).write_text("")
    return folder / "node_modules"


@pytest.fixture(scope="session")
def ts_sdk(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Node.js SDK of sdk/nodejs compiled with `tsc -p` from a copy (its tsconfig.json, strict), laid out as
    Pulumi packages are published: the package folder is `bin/` holding the JavaScript, the declarations and
    package.json. Returns that folder."""
    copy = tmp_path_factory.mktemp("ts-sdk") / "nodejs"
    shutil.copytree(SDK / "nodejs", copy)
    (copy / "node_modules").symlink_to(node_modules)
    run([node_modules / ".bin" / "tsc", "-p", "."], cwd=copy)
    shutil.copy(copy / "package.json", copy / "bin" / "package.json")
    return copy / "bin"


@pytest.fixture(scope="session")
def python_build_tools() -> Path:
    """A folder with PYTHON_BUILD_TOOLS (pip install --target, once per machine)."""
    key = hashlib.sha256(repr((PYTHON_BUILD_TOOLS, sys.version)).encode()).hexdigest()[:12]
    folder = cache_root() / f"python-sdk-build-tools-{key}"
    with built_once(folder, f"installing {', '.join(PYTHON_BUILD_TOOLS)}") as build:
        if build:
            run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--target", folder / "lib", *PYTHON_BUILD_TOOLS],
                cwd=folder,
            )
            (folder / STAMP).write_text("")
    return folder / "lib"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The Pulumi CLI of scripts/pulumi-cli (which builds it once per machine where none is installed)."""
    done = subprocess.run([str(ROOT / "scripts" / "pulumi-cli")], stdout=subprocess.PIPE, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail("no Pulumi CLI: see the message of scripts/pulumi-cli above")
    return Path(done.stdout.strip().splitlines()[-1])


def engine_env(cli: Path, folder: Path) -> dict[str, str]:
    """The environment of an Automation API program on the real engine with a local backend in `folder`: the CLI
    and this venv's `bin` (the plugin `pulumi-resource-personalize`) on PATH, and no plugin downloads."""
    (folder / "state").mkdir(parents=True, exist_ok=True)
    return {
        "PULUMI_HOME": str(folder / "home"),
        "PULUMI_BACKEND_URL": f"file://{folder / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PATH": os.pathsep.join([str(VENV_BIN), str(cli.parent), os.environ.get("PATH", "")]),
    }
