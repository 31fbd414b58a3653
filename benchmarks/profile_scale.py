"""Where the time of a big stack goes: the program process, the provider host and the emulator, profiled separately.

One stack of N (default 200) models of one kind (as in engine_scale.py) goes through preview of the new stack, up,
a preview with nothing changed, a preview with every model retagged, and destroy, on the real engine. Profiled:

- the program process (this one): the Automation API's `run_in_stack`, i.e. the inline program and the SDK's
  registration of its resources, on the language server's thread;
- the provider host: `PULUMI_PYTHON_CMD` is a script that runs `python -m pulumi.dynamic` under threads_profiler.py
  (every gRPC call profiled);
- the emulator: started under threads_profiler.py (every request profiled), its profile taken per operation.

Writes `<out>/<process>-<operation>.prof` and prints, per operation and process, the CPU seconds and the functions
with the most own time. Run: `.venv/bin/python -m benchmarks.profile_scale [--models 200] [--kind SolutionVersion]
[--out /tmp/scale-profile] [--top 25]`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pulumi.automation._server as language_server

from benchmarks.engine_scale import KINDS, PARALLEL, POLLING, PROGRAM, TRAINING_SECONDS, TRIVIAL_MODULE, solutions_for
from harness.automation import EngineStack, project_name, pulumi_cli
from personalize_pulumi.emulator import ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY
from personalize_pulumi.emulator.client import aws_client

PROFILER = Path(__file__).with_name("threads_profiler.py")
OPERATIONS = ("preview-new", "up", "preview-same", "preview-retagged", "destroy")


class ProfiledEmulator:
    """The emulator under threads_profiler.py; `take(name)` writes the profile of the requests since the last take."""

    def __init__(self, out: Path):
        self.out = out
        self.file = out / "emulator-current.prof"
        self.off = out / "emulator-off"
        env = {**os.environ, "SCALE_PROFILE_OUT": str(self.file), "SCALE_PROFILE_OFF": str(self.off)}
        command = [sys.executable, "-u", str(PROFILER), "-m", "personalize_pulumi.emulator", "--port", "0"]
        command += ["--training-seconds", f"{TRAINING_SECONDS:g}", "--setup-seconds", "0.2"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "listening on" not in first:
            raise RuntimeError(f"the emulator did not start: {first}")
        self.url = first.split()[-1]

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_PERSONALIZE": self.url,
            "AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def take(self, name: str | None) -> None:
        before = self.file.stat().st_mtime_ns if self.file.exists() else 0
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 300
        while (not self.file.exists() or self.file.stat().st_mtime_ns == before) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # the .cpu file is written after the profile
        if name is not None:
            self.file.rename(self.out / f"emulator-{name}.prof")
            Path(f"{self.file}.cpu").rename(self.out / f"emulator-{name}.prof.cpu")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def profiling_program(out: Path) -> Callable[[str], None]:
    """Wrap the language server's `run_in_stack` in cProfile; returns a function naming the next operation."""
    original = language_server.run_in_stack
    current = {"name": "none"}

    async def run_in_stack(func: Callable[[], Any]) -> Coroutine[Any, Any, Any]:
        profile = cProfile.Profile()
        started = time.process_time()
        profile.enable()
        try:
            return await original(func)  # type: ignore[no-any-return]
        finally:
            profile.disable()
            profile.dump_stats(out / f"program-{current['name']}.prof")
            (out / f"program-{current['name']}.prof.cpu").write_text(f"{time.process_time() - started:.3f}\n")

    language_server.run_in_stack = run_in_stack  # type: ignore[assignment]

    def name(operation: str) -> None:
        current["name"] = operation

    return name


def host_wrapper(out: Path) -> Path:
    """The `PULUMI_PYTHON_CMD` of the provider host: `python -m pulumi.dynamic` under threads_profiler.py, its
    profile in `<out>/host-<operation in out/current>-<pid>.prof`."""
    script = out / "profiled-python"
    script.write_text(
        "#!/bin/sh\n"
        f'SCALE_PROFILE_OUT="{out}/host-$(cat {out}/current)-$$.prof" exec {sys.executable} -u {PROFILER} "$@"\n'
    )
    script.chmod(0o755)
    return script


def summary(files: list[Path], top: int) -> tuple[float, str]:
    """CPU seconds and the top functions by own time of the profiles in `files`."""
    if not files:
        return 0.0, "  (no profile)\n"
    stats = pstats.Stats(str(files[0]), stream=io.StringIO())
    for file in files[1:]:
        stats.add(str(file))
    cpu = sum(float(Path(f"{file}.cpu").read_text()) for file in files if Path(f"{file}.cpu").exists())
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return cpu, text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--kind", choices=KINDS, default="SolutionVersion")
    parser.add_argument("--out", type=Path, default=Path("/tmp/scale-profile"))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.prof*"):
        old.unlink()
    shutil.rmtree(out / "stack", ignore_errors=True)  # a stack left by an earlier run would not be new
    cli = pulumi_cli()
    emulator = ProfiledEmulator(out)
    name_program = profiling_program(out)
    env = {**emulator.env(), **POLLING, "PULUMI_PYTHON_CMD": str(host_wrapper(out))}
    walls: dict[str, float] = {}
    try:
        client = aws_client(emulator.url)
        solutions = solutions_for(client, args.kind, args.models, f"profile-{args.kind}", one=False)
        folder = out / "stack"
        stack = EngineStack(folder, env=env, main=PROGRAM, cli=cli, echo=None)
        stack.env["PULUMI_PYTHON_CMD"] = env["PULUMI_PYTHON_CMD"]  # engine_env sets it before `env` is applied
        stack.stack.workspace.env_vars["PULUMI_PYTHON_CMD"] = env["PULUMI_PYTHON_CMD"]
        (stack.program_dir / "scale_trivial.py").write_text(TRIVIAL_MODULE)
        project = project_name()
        for key, value in (("kind", args.kind), ("models", str(args.models)), ("solutions", solutions), ("tag", "a")):
            stack.set_config(f"{project}:{key}", value)
        steps: dict[str, Callable[[], Any]] = {
            "preview-new": lambda: stack.preview(parallel=PARALLEL),
            "up": lambda: stack.up(parallel=PARALLEL),
            "preview-same": lambda: stack.preview(parallel=PARALLEL, expect_no_changes=True),
            "preview-retagged": lambda: (stack.set_config(f"{project}:tag", "b"), stack.preview(parallel=PARALLEL)),
            "destroy": lambda: stack.destroy(parallel=PARALLEL),
        }
        emulator.take(None)
        for operation, step in steps.items():
            (out / "current").write_text(operation)
            if operation == "up":  # not profiled in the emulator: thousands of requests, and not what is asked
                emulator.off.touch()
            else:
                emulator.off.unlink(missing_ok=True)
            name_program(operation)
            started = time.monotonic()
            step()
            walls[operation] = time.monotonic() - started
            time.sleep(1.0)  # the host writes its profile as it exits
            emulator.take(operation)
            print(f"{operation}: {walls[operation]:.1f} s (load {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        emulator.stop()
    for operation in OPERATIONS:
        lines = [f"== {operation}: wall {walls.get(operation, 0):.1f} s, {args.models} {args.kind}"]
        for process in ("program", "host", "emulator"):
            cpu, text = summary(sorted(out.glob(f"{process}-{operation}*.prof")), args.top)
            lines.append(f"-- {process}: {cpu:.2f} CPU s")
            (out / f"{process}-{operation}.txt").write_text(text)
        print("\n".join(lines))
    print(f"profiles and their top functions: {out}/<process>-<operation>.prof / .txt")


if __name__ == "__main__":
    main()
