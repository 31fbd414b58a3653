"""Facts of a Pulumi program directory that the harness, the tests, the scripts and the benchmarks share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from personalize_pulumi import engine

ROOT = Path(__file__).resolve().parent.parent
"""The repository root, which is also the example program's directory."""
EXAMPLE_MODEL = "recommendations-version"
"""The SolutionVersion the example program declares (the child of its TrainedModel `recommendations`)."""


def project_name(program_dir: Path = ROOT) -> str:
    """The `name:` of the program's Pulumi.yaml (by default, the repository's example program)."""
    return engine.project_name(program_dir)


def stack_config(program_dir: Path, stack: str) -> dict[str, Any]:
    """`config:` of Pulumi.<stack>.yaml, as the CLI hands it to programs and providers (objects as JSON text)."""
    path = program_dir / f"Pulumi.{stack}.yaml"
    raw = (yaml.safe_load(path.read_text()) or {}).get("config", {}) if path.exists() else {}
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in raw.items()}
