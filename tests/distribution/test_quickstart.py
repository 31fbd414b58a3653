"""The quick start runs as written against the emulator: its Pulumi.yaml and program, the emulator command it gives,
the config line the emulator prints, on the real engine. (The program runs as an Automation API inline program with a
local backend and an empty passphrase, what the page's `pulumi login --local` and `PULUMI_CONFIG_PASSPHRASE=""` give:
the Python language host behind a plain `pulumi up` cannot be built on these machines.)"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from harness.automation import pulumi_cli
from personalize_pulumi.emulator.defaults import METRIC_RANGE
from personalize_pulumi.engine import ProgramStack
from personalize_pulumi.testing import STACK_POLLING

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "quickstart.md"


def _blocks(language: str) -> list[str]:
    return [block.split("```", 1)[0] for block in PAGE.read_text().split(f"```{language}\n")[1:]]


def test_the_quick_start_trains_its_model_against_the_emulator_as_written(tmp_path):
    [project] = _blocks("yaml")
    [program] = [block for block in _blocks("python") if "TrainedModel(" in block]
    [steps] = [block for block in _blocks("bash") if "pulumi config set" in block]
    gate = {name: float(value) for name, value in re.findall(r'"(\w+)": ([0-9.]+)', program.split("min_metrics=")[1])}
    assert gate and all(value <= METRIC_RANGE[0] for value in gate.values()), "a gate every emulated version meets"
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "Pulumi.yaml").write_text(project)
    (tmp_path / "infra" / "__main__.py").write_text(program)
    [command] = [line.split("#")[0].strip() for line in steps.splitlines() if "personalize_pulumi.emulator" in line]
    assert command.endswith("&")
    args = shlex.split(command.rstrip("& "))
    assert args[:3] == ["python", "-m", "personalize_pulumi.emulator"]
    emulator = subprocess.Popen(
        [sys.executable, *args[1:], "--port", "0"], stdout=subprocess.PIPE, text=True
    )  # a free port: other tests run beside this one
    try:
        assert emulator.stdout is not None
        printed = [emulator.stdout.readline().strip() for _ in range(4)]
        [exports] = [line for line in printed if line.startswith("export ")]
        [config_line] = [line for line in printed if line.startswith("pulumi config set ")]
        page_config = [line.split("#")[0].strip() for line in steps.splitlines() if "pulumi config set" in line]
        assert page_config == [re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:4570", config_line)], (
            "the page shows what it prints"
        )
        env = dict(pair.split("=", 1) for pair in shlex.split(exports)[1:])
        key, arn = config_line.split()[3:5]
        stack = ProgramStack(
            tmp_path / "infra",
            tmp_path / "work",
            stack="dev",
            env={**env, **STACK_POLLING},
            config={f"shop-models:{key}": arn},
            cli=pulumi_cli(),
        )

        outputs = stack.up().outputs

        assert outputs["modelArn"].value.startswith(arn + "/"), "trained, and past the gate"
        stack.destroy()
    finally:
        emulator.terminate()
        emulator.wait(10)
