"""Run a Pulumi program on the real engine, offline: a local file backend, no plugin downloads, and secrets under a
KMS key of the emulator (`secrets_provider`).

The driver behind the pytest plugin's `personalize_stack`, and under this repository's own end-to-end tests and
main job. Programs run as Automation API *inline programs* (this process serves the language protocol; the CLI runs
the Go engine, which starts the dynamic-provider host in the program's folder), so no Python language host plugin is
needed: only the `pulumi` CLI with `pulumi-resource-pulumi-python` beside it, as every Pulumi install has.

    stack = ProgramStack(Path("infra"), tmp_path, env=emulator.env(), config={"infra:solutionArn": arn})
    stack.up().outputs["modelArn"].value
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pulumi import automation as auto

PLUGIN_SHIMS = ("pulumi-resource-pulumi-python", "pulumi-language-python-exec")
"""What the engine needs beside (or on the PATH of) the CLI to run a Python program's dynamic providers."""
INSTALL_HINT = (
    "install the Pulumi CLI (https://www.pulumi.com/docs/install/: curl -fsSL https://get.pulumi.com | sh), or set "
    "PULUMI_CLI to a `pulumi` executable"
)
COPY_IGNORED = ("venv", "__pycache__", "node_modules", "site", "build", "dist", "*.egg-info")
"""What is not copied of a program folder besides dot-folders (`.git`, `.venv`, caches, `.pulumi` state) and folders
holding another Pulumi project: virtualenvs, caches, build output."""


class CliNotFound(Exception):
    """No usable Pulumi CLI; the message says how to install one."""


class NotAProgram(Exception):
    """The folder given as a program holds no `Pulumi.yaml`; the message names it."""


def built_clis(environ: Mapping[str, str] = os.environ) -> list[Path]:
    """The CLIs this repository's `scripts/pulumi-cli` built, newest version first (its cache: `PULUMI_CLI_CACHE`, or
    `${XDG_CACHE_HOME:-~/.cache}/personalize-pulumi/pulumi-cli-<version>`)."""
    if environ.get("PULUMI_CLI_CACHE"):
        return [Path(environ["PULUMI_CLI_CACHE"]) / "bin" / "pulumi"]
    cache = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "personalize-pulumi"

    def version(folder: Path) -> tuple[int, ...]:
        numbers = folder.name.removeprefix("pulumi-cli-v").split(".")
        return tuple(int(n) for n in numbers if n.isdigit())

    return [folder / "bin" / "pulumi" for folder in sorted(cache.glob("pulumi-cli-v*"), key=version, reverse=True)]


def find_cli(environ: Mapping[str, str] = os.environ) -> Path:
    """The `pulumi` to run, as scripts/pulumi-cli looks for it: `PULUMI_CLI`, `pulumi` on `PATH`,
    `~/.pulumi/bin/pulumi`, then the CLI scripts/pulumi-cli built; each must have the Python plugin shims beside it
    or on `PATH`."""
    path = environ.get("PATH", "")
    candidates = [environ.get("PULUMI_CLI"), shutil.which("pulumi", path=path), str(Path.home() / ".pulumi/bin/pulumi")]
    candidates += [str(cli) for cli in built_clis(environ)]
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        folder = Path(candidate).resolve().parent
        if all((folder / shim).exists() or shutil.which(shim, path=path) for shim in PLUGIN_SHIMS):
            return Path(candidate).resolve()
    raise CliNotFound(
        f"no Pulumi CLI found (PULUMI_CLI, pulumi on PATH, ~/.pulumi/bin/pulumi, scripts/pulumi-cli's cache): {INSTALL_HINT}"
    )


def program_folder(program_dir: Path) -> Path:
    """`program_dir`, resolved, once it is a Pulumi program (it holds `Pulumi.yaml`); NotAProgram otherwise."""
    folder = Path(program_dir).resolve()
    if not (folder / "Pulumi.yaml").is_file():
        raise NotAProgram(f"{folder} is not a Pulumi program: it has no Pulumi.yaml (give the folder that holds it)")
    return folder


def copy_program(source: Path, target: Path) -> None:
    """Copy the program in `source` to `target`: its files and packages, not dot-folders, virtualenvs, caches, build
    output or folders holding another Pulumi project."""
    ignored = shutil.ignore_patterns(*COPY_IGNORED)

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(ignored(folder, names))
        for name in names:
            child = Path(folder) / name
            if child.is_dir() and (name.startswith(".") or (child / "Pulumi.yaml").exists()):
                skipped.add(name)
        return skipped

    shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)


def engine_env(folder: Path, extra: Mapping[str, str], python: str = sys.executable) -> dict[str, str]:
    """The CLI's environment for a stack kept in `folder`: local state, empty passphrase, `PULUMI_HOME` in the folder,
    no update checks or plugin downloads, the provider host in `python`, plus `extra`."""
    return {
        "PULUMI_BACKEND_URL": f"file://{folder / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_HOME": str(folder / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # The dynamic-provider shim runs ${PULUMI_PYTHON_CMD:-python3}: make it this virtualenv's Python.
        "PULUMI_PYTHON_CMD": python,
        **extra,
    }


def project_name(program_dir: Path) -> str:
    """The `name:` of the program's Pulumi.yaml (pyyaml comes with the Pulumi SDK)."""
    import yaml

    name = yaml.safe_load((program_dir / "Pulumi.yaml").read_text())["name"]
    if not isinstance(name, str):
        raise ValueError(f"{program_dir / 'Pulumi.yaml'} has no name")
    return name


def run_program(program_dir: Path) -> None:
    """Run `program_dir/__main__.py` as the engine's language host would: from its folder, which comes first on
    `sys.path` (the program imports its repo's own packages)."""
    if str(program_dir) not in sys.path:
        sys.path.insert(0, str(program_dir))
    runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")


def secrets_provider(env: Mapping[str, str]) -> str:
    """The secrets provider of a new stack whose commands get `env`: a new KMS key of the emulator `env` points at
    (moto's KMS, which the emulator serves beside Personalize), when it holds the emulator's root credentials; else
    the passphrase (empty: `engine_env`). Either keeps secrets encrypted in state; the key makes each engine command
    decrypt one data key instead of deriving the passphrase's (1,000,000 rounds of PBKDF2, about half the CPU of a
    short command)."""
    from .emulator import ROOT_ACCESS_KEY_ID

    endpoint = env.get("AWS_ENDPOINT_URL_PERSONALIZE")
    if not endpoint or env.get("AWS_ACCESS_KEY_ID") != ROOT_ACCESS_KEY_ID:
        return "passphrase"  # not the emulator, or an IAM user of it, whose policy need not allow KMS
    import boto3

    region = env.get("AWS_DEFAULT_REGION") or "us-east-1"
    kms = boto3.client(
        "kms",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", ""),
    )
    key = kms.create_key(Description="secrets of a test stack")["KeyMetadata"]["KeyId"]
    return f"awskms://{key}?region={region}&endpoint={endpoint}"


@cache
def pulumi_command(cli: Path) -> auto.PulumiCommand:
    """The Automation API's handle on `cli`; making one runs `pulumi version`, so each process makes it once."""
    return auto.PulumiCommand(root=str(cli.parent.parent), skip_version_check=True)


def open_stack(
    program_dir: Path,
    folder: Path,
    stack: str,
    env: Mapping[str, str],
    cli: Path,
    program: Callable[[], None],
) -> auto.Stack:
    """The Automation API stack `stack` of the program in `program_dir` (an inline `program`), its state and
    `PULUMI_HOME` in `folder`, created if new."""
    (folder / "state").mkdir(parents=True, exist_ok=True)
    (folder / "pulumi-home").mkdir(parents=True, exist_ok=True)
    options = auto.LocalWorkspaceOptions(
        work_dir=str(program_dir),
        pulumi_home=str(folder / "pulumi-home"),
        env_vars=dict(env),
        pulumi_command=pulumi_command(cli),
        secrets_provider=secrets_provider(env),
    )
    return auto.create_or_select_stack(
        stack_name=stack, project_name=project_name(program_dir), program=program, opts=options
    )


class ProgramStack:
    """A stack of the Pulumi program in `program_dir` on the real engine, kept in `folder`: the program is copied to
    `folder/program` (the CLI writes the stack's config file there, never into your repo), state and `PULUMI_HOME`
    live beside it. `config` keys are the program's (`project:key`); `env` goes to the CLI and the provider host.
    Change config between operations with `set_config`. NotAProgram, and nothing copied, if `program_dir` holds no
    `Pulumi.yaml`."""

    def __init__(
        self,
        program_dir: Path,
        folder: Path,
        *,
        stack: str = "test",
        env: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
        cli: Path | None = None,
        on_output: Callable[[str], None] | None = None,
    ):
        self.source = program_folder(program_dir)
        self.folder = Path(folder)
        self.program_dir = self.folder / "program"
        copy_program(self.source, self.program_dir)
        self.env = engine_env(self.folder, env or {})
        self.on_output = on_output
        self.stack = open_stack(
            self.program_dir, self.folder, stack, self.env, cli or find_cli(), lambda: run_program(self.program_dir)
        )
        for key, value in (config or {}).items():
            self.set_config(key, value)

    def set_config(self, key: str, value: Any, secret: bool = False) -> None:
        """Set the config `key` (`project:key`) for the next operation; a value that is not a string is stored as JSON
        (what `pulumi config set --path` or a structured value in `Pulumi.<stack>.yaml` gives the program)."""
        text = value if isinstance(value, str) else json.dumps(value)
        self.stack.set_config(key, auto.ConfigValue(text, secret=secret))

    def _kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"on_output": self.on_output, "color": "never", **kwargs}

    def preview(self, diff: bool = False, **kwargs: Any) -> auto.PreviewResult:
        """`pulumi preview` (`diff=True`: `--diff`); the result has `change_summary` and `stdout`."""
        return self.stack.preview(diff=diff, **self._kwargs(kwargs))

    def up(self, **kwargs: Any) -> auto.UpResult:
        """`pulumi up`; the result has `outputs`, `summary` and `stdout`."""
        return self.stack.up(**self._kwargs(kwargs))

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        """`pulumi refresh`."""
        return self.stack.refresh(**self._kwargs(kwargs))

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        """`pulumi destroy`."""
        return self.stack.destroy(**self._kwargs(kwargs))

    def outputs(self) -> dict[str, Any]:
        """The stack's outputs as plain values."""
        return {key: value.value for key, value in self.stack.outputs().items()}
