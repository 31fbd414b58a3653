"""Programs in TypeScript (tests/sdk/typescript) and Go (tests/sdk/go) that use the generated SDKs, run as Automation
API inline programs on the real engine with the real plugin (`pulumi-resource-personalize` from this venv's `bin`,
on PATH) against the emulator. Each: `up` trains one model, a preview after a tag change shows an in-place update, a
preview after a retrainTriggers change shows a replace, `destroy` empties the stack. The drivers print their results
as one JSON line; the engine's display (their stderr) is shown when a test fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.seeding import active_solution
from tests.helpers import FAST_POLLING, REGION, version_status
from tests.sdk.conftest import GO_ENV, GO_PROGRAM, ROOT, SDK, TS_PROGRAM, engine_env, run

TYPE = "personalize:index:SolutionVersion"


def drive(command: list[str | Path], emulator: EmulatorProcess, cli: Path, folder: Path) -> tuple[dict[str, Any], str]:
    """Run a driver against a new ACTIVE solution; returns its results and the solution ARN."""
    client = boto3.client("personalize", region_name=REGION)
    solution = active_solution(client)
    (folder / "project").mkdir(parents=True)
    env = {
        **os.environ,
        **emulator.env(REGION),
        **FAST_POLLING,
        **engine_env(cli, folder),
        "SOLUTION_ARN": solution,
        "WORK_DIR": str(folder / "project"),
    }
    done = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True, timeout=300)
    print(done.stderr)  # the engine's display, shown when the test fails
    assert done.returncode == 0, f"the driver failed:\n{done.stderr[-6000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1]), solution


def check(results: dict[str, Any], solution: str, emulator: EmulatorProcess) -> None:
    up = results["up"]
    assert up["result"] == "succeeded"
    assert up["ops"] == ["create"]
    arn = up["outputs"]["solutionVersionArn"]
    assert arn.startswith(solution + "/"), arn
    assert up["outputs"]["status"] == "ACTIVE"
    assert up["outputs"]["tagsAll"] == {"team": "ml"}
    client = boto3.client("personalize", region_name=REGION)
    assert version_status(client, arn) == "ACTIVE"

    # a tag change updates in place; a retrainTriggers change replaces (trains a new version)
    assert results["tagPreview"]["ops"] == ["update"]
    assert results["tagPreview"]["changes"] == {"same": 1, "update": 1}
    assert "replace" in results["triggerPreview"]["ops"], results["triggerPreview"]
    assert "update" not in results["triggerPreview"]["ops"]
    assert results["triggerPreview"]["changes"] == {"same": 1, "replace": 1}

    assert results["destroy"]["result"] == "succeeded"
    assert results["destroy"]["changes"] == {"delete": 2}
    assert results["destroy"]["left"] == 0

    # one training in all: the previews trained nothing
    created = [
        entry
        for entry in emulator.control.requests("CreateSolutionVersion")
        if entry["params"].get("solutionArn") == solution
    ]
    assert [entry["status"] for entry in created] == [200], created


def test_typescript_program(emulator: EmulatorProcess, cli: Path, ts_sdk: Path, node_modules: Path, tmp_path: Path):
    # the program's folder: its sources, and node_modules with the cached tools and the SDK compiled by `ts_sdk`
    app = tmp_path / "app"
    app.mkdir()
    for name in ("index.ts", "tsconfig.json", "package.json"):
        shutil.copy(TS_PROGRAM / name, app / name)
    (app / "node_modules" / "@personalize-pulumi").mkdir(parents=True)
    for scope in ("@pulumi", "@types"):
        (app / "node_modules" / scope).symlink_to(node_modules / scope)
    (app / "node_modules" / "@personalize-pulumi" / "personalize").symlink_to(ts_sdk)
    run([node_modules / ".bin" / "tsc", "-p", "."], cwd=app)

    node = shutil.which("node")
    assert node, "no `node` on PATH: install Node.js >= 20"
    results, solution = drive([node, app / "bin" / "index.js"], emulator, cli, tmp_path)
    check(results, solution, emulator)


def test_go_program(emulator: EmulatorProcess, cli: Path, go: str, tmp_path: Path):
    # built from a copy keeping the layout go.mod's `replace ../../../sdk/go` needs, so nothing is written in the tree
    copy = tmp_path / "tree"
    program = copy / GO_PROGRAM.relative_to(ROOT)
    shutil.copytree(GO_PROGRAM, program)
    shutil.copytree(SDK / "go", copy / "sdk" / "go")
    driver = tmp_path / "driver"
    gocache = run([go, "env", "GOCACHE"], cwd=tmp_path).strip()
    print(f"==> go build of tests/sdk/go (cached in {gocache}; a cold cache takes about 1 minute)", file=sys.stderr)
    run([go, "build", "-trimpath", "-o", driver, "."], cwd=program, env={**GO_ENV, "GOWORK": "off"})

    results, solution = drive([driver], emulator, cli, tmp_path)
    check(results, solution, emulator)
