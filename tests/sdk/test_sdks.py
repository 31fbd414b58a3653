"""The generated SDKs in sdk/: current with schema.json, and each builds with its language's tools: the Node.js SDK
with `tsc` (strict) against @pulumi/pulumi, the Go SDK with `go build` and `go vet`, the Python SDK installed with pip
and type-checked with mypy (strict) in a program that uses it. Each builds a copy in a temporary folder."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.sdk.conftest import GO_ENV, ROOT, SDK, run

LANGUAGES = ("nodejs", "go", "python")


def checked_in(folder: Path) -> set[str]:
    """The files of `folder` a clone of this checkout would hold (tracked or new, unignored; relative paths)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return {str((ROOT / name).relative_to(folder)) for name in listed if name and (ROOT / name).is_file()}


def all_files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_checked_in_sdks_are_what_sdk_gen_generates_now(generated: Path) -> None:
    stale: list[str] = []
    for language in LANGUAGES:
        ours, fresh = checked_in(SDK / language), all_files(generated / language)
        stale += [f"{language}/{name}: missing" for name in sorted(fresh - ours)]
        stale += [f"{language}/{name}: not generated any more" for name in sorted(ours - fresh)]
        stale += [
            f"{language}/{name}: differs"
            for name in sorted(ours & fresh)
            if not filecmp.cmp(SDK / language / name, generated / language / name, shallow=False)
        ]
    assert not stale, "sdk/ is stale (run scripts/sdk-gen and check in the result):\n" + "\n".join(stale)


def test_sdk_gen_writes_the_three_sdks_with_the_plugin_version(generated: Path) -> None:
    from personalize_pulumi.plugin.server import plugin_version

    package = json.loads((generated / "nodejs" / "package.json").read_text())
    assert package["name"] == "@personalize-pulumi/personalize"
    assert package["version"] == plugin_version()
    assert (
        (generated / "go" / "go.mod")
        .read_text()
        .startswith("module github.com/personalize-pulumi/personalize-pulumi/sdk/go\n")
    )
    assert (generated / "go" / "personalize" / "solutionVersion.go").is_file()
    assert (generated / "python" / "personalize_pulumi_sdk" / "solution_version.py").is_file()


def test_typescript_sdk_compiles_with_tsc(ts_sdk: Path) -> None:
    # ts_sdk ran `tsc -p` (strict) on a copy of sdk/nodejs; what it emitted is the package users load
    assert {"index.js", "index.d.ts", "solutionVersion.js", "solutionVersion.d.ts", "package.json"} <= {
        path.name for path in ts_sdk.iterdir()
    }
    declared = (ts_sdk / "solutionVersion.d.ts").read_text()
    assert "export declare class SolutionVersion extends pulumi.CustomResource" in declared
    assert "readonly solutionVersionArn: pulumi.Output<string>;" in declared


def test_go_sdk_builds_and_vets(go: str, tmp_path: Path) -> None:
    copy = tmp_path / "go"
    shutil.copytree(SDK / "go", copy)
    env = {**GO_ENV, "GOWORK": "off"}
    run([go, "build", "./..."], cwd=copy, env=env)
    run([go, "vet", "./..."], cwd=copy, env=env)
    listed = run([go, "list", "./..."], cwd=copy, env=env).split()
    assert "github.com/personalize-pulumi/personalize-pulumi/sdk/go/personalize" in listed


PROGRAM = """\
import pulumi
import personalize_pulumi_sdk as personalize

model = personalize.SolutionVersion("model", solution_arn="arn:aws:personalize:us-east-1:1:solution/s", tags={"t": "v"})
arn: pulumi.Output[str] = model.solution_version_arn
"""


def test_python_sdk_installs_imports_and_type_checks(python_build_tools: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).strip())
    # pip, pulumi and mypy from the repo venv; build tools from the cache, ahead of the repo venv's older setuptools
    repo_site = run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path)
    (site / "zz-sdk-test.pth").write_text(f"{python_build_tools}\n{repo_site.strip()}\n")
    source = tmp_path / "python"
    shutil.copytree(SDK / "python", source)
    run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", source],
        cwd=tmp_path,
    )

    where = run([python, "-c", "import personalize_pulumi_sdk as p; print(p.__file__, p.SolutionVersion)"], tmp_path)
    assert where.startswith(str(site / "personalize_pulumi_sdk")), where

    (tmp_path / "good.py").write_text(PROGRAM)
    mypy = [python, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", tmp_path / "mypy-cache"]
    run([*mypy, "good.py"], cwd=tmp_path)

    # and mypy does see the SDK's types: a wrong argument type is an error
    (tmp_path / "bad.py").write_text(PROGRAM.replace('"arn:aws:personalize:us-east-1:1:solution/s"', "3"))
    done = subprocess.run([str(c) for c in [*mypy, "bad.py"]], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'bad.py:4: error: No overload variant of "SolutionVersion" matches' in done.stdout, done.stdout
