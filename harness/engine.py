"""A small stand-in for the Pulumi engine's deployment loop, for machines without the Pulumi CLI.

It runs the program under the SDK's mocks to learn which SolutionVersions it declares, then drives each one through
the real dynamic-provider host (`python -m pulumi.dynamic`) in the engine's order: Configure, Check, Diff, then
Create / Update / Create-then-Delete (replace) / Delete, keeping state in a JSON file. It is what the tests and the
CLI-less main job use; it is not the engine (no parallelism, no plugins, only this provider's resources).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import provider_pb2

from providers.properties import TYPE_TOKEN, UPDATE_IN_PLACE

from .dynamic_host import DynamicHost, HostError
from .program import run_program, stack_config

PROVIDER_KEY = "__provider"


class DeploymentError(Exception):
    """A program or provider error, as one message."""


@dataclass
class Step:
    """One planned or applied step: op is same, create, update, replace or delete."""

    op: str
    name: str
    detail: str = ""

    def __str__(self) -> str:
        symbol = {"same": " ", "create": "+", "update": "~", "replace": "+-", "delete": "-"}[self.op]
        return f"  {symbol} {self.op:<8} {self.name}{'  ' + self.detail if self.detail else ''}"


@dataclass
class Result:
    steps: list[Step]
    exports: dict[str, Any] = field(default_factory=dict)

    def ops(self) -> dict[str, str]:
        return {step.name: step.op for step in self.steps}


class LocalEngine:
    """Deploy the program in `program_dir` as `stack`, with state in `state_path`."""

    def __init__(self, program_dir: Path, stack: str, state_path: Path, env: dict[str, str], config: dict[str, str] | None = None):
        self.program_dir = program_dir
        self.stack = stack
        self.state_path = state_path
        self.env = env
        self.config = config if config is not None else stack_config(program_dir, stack)
        self.host = DynamicHost(env=env, cwd=program_dir)
        self.host.configure(self.config)

    def close(self) -> None:
        self.host.stop()

    # State

    def state(self) -> dict[str, dict[str, Any]]:
        """name -> {"id", "inputs", "outputs"} for every resource in the stack."""
        return json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    def _save(self, state: dict[str, dict[str, Any]]) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps(state, indent=2, sort_keys=True))

    # Operations

    def preview(self) -> Result:
        """Check and Diff only: what `pulumi preview` would show."""
        return self._deploy(apply=False)

    def up(self) -> Result:
        return self._deploy(apply=True)

    def refresh(self) -> Result:
        state, steps = self.state(), []
        for name, entry in list(state.items()):
            new_id, outputs, inputs = self.host.read(name, entry["id"], entry["outputs"], entry["inputs"])
            if not new_id:
                del state[name]
                steps.append(Step("delete", name, "(gone outside the stack)"))
                continue
            entry.update(id=new_id, outputs=outputs, inputs=inputs or entry["inputs"])
            steps.append(Step("same", name, f"status {outputs.get('status')}"))
        self._save(state)
        return Result(steps)

    def destroy(self) -> Result:
        state, steps = self.state(), []
        for name, entry in list(state.items()):
            self.host.delete(name, entry["id"], entry["outputs"])
            del state[name]
            self._save(state)
            steps.append(Step("delete", name))
        return Result(steps)

    def _deploy(self, apply: bool) -> Result:
        state = self.state()
        prior = {name: {"id": e["id"], "outputs": e["outputs"]} for name, e in state.items()}
        run = run_program(self.program_dir, self.stack, self.config, prior, self.env)
        if run.error:
            raise DeploymentError(run.error)
        declared = [r for r in run.registrations if r.type == TYPE_TOKEN]
        steps = []
        for registration in declared:
            steps.append(self._step(state, registration.name, registration.inputs, apply))
        for name in [n for n in state if n not in {r.name for r in declared}]:
            if apply:
                self.host.delete(name, state[name]["id"], state[name]["outputs"])
                del state[name]
                self._save(state)
            steps.append(Step("delete", name))
        exports = run.exports
        if apply:
            prior = {name: {"id": e["id"], "outputs": e["outputs"]} for name, e in state.items()}
            exports = run_program(self.program_dir, self.stack, self.config, prior, self.env).exports
        return Result(steps, exports)

    def _step(self, state: dict[str, Any], name: str, news: dict[str, Any], apply: bool) -> Step:
        old = state.get(name)
        inputs, failures = self.host.check(name, news, olds=old["inputs"] if old else {})
        if failures:
            raise DeploymentError("\n".join(f"{name}: {prop}: {reason}" for prop, reason in failures))
        if old is None:
            if apply:
                state[name] = self._create(name, inputs)
                self._save(state)
            return Step("create", name)
        diff = self.host.diff(name, old["id"], old["outputs"], inputs)
        if diff.changes == provider_pb2.DiffResponse.DIFF_NONE:
            if apply:
                old["inputs"] = inputs
                self._save(state)
            return Step("same", name)
        if diff.replaces:
            detail = f"[diff: {', '.join(diff.replaces)}]"
            if apply:
                replacement = self._create(name, inputs)  # create before delete: the new version trains first
                self._host_call(self.host.delete, name, old["id"], old["outputs"])
                state[name] = replacement
                self._save(state)
            return Step("replace", name, detail)
        if apply:
            outputs = self._host_call(self.host.update, name, old["id"], old["outputs"], inputs)
            state[name] = {"id": old["id"], "inputs": inputs, "outputs": outputs}
            self._save(state)
        # The provider's diff says only "some change, no replace"; only UPDATE_IN_PLACE inputs can cause that.
        return Step("update", name, f"[diff: ~{', ~'.join(UPDATE_IN_PLACE)}]")

    def _create(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        id_, outputs = self._host_call(self.host.create, name, inputs)
        return {"id": id_, "inputs": inputs, "outputs": outputs}

    @staticmethod
    def _host_call(method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except HostError as error:
            raise DeploymentError(error.last_line) from None
