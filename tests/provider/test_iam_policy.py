"""The IAM policy the package ships (`personalize_pulumi/iam/policy.json`) is exactly what the provider calls.

Through the real dynamic-provider host, with an IAM user of the emulator (`--iam`) whose policy is the shipped one, a
whole lifecycle succeeds: a create judged by minMetrics, the same create again (an interrupted `up` rerun: it adopts
the training), adoption of an automatic training with existingVersionArn, a tag update, a refresh, and a destroy that
stops a training still running. The Personalize operations the emulator logged are the policy's actions, no more, no
less, and each operation's calls are within its statements. Without any one action, the operation that needs it
fails with one line naming that permission, and nothing is started that the stack does not track.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.dynamic_host import HostError
from personalize_pulumi import iam
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.emulator.timing import SOLUTION_VERSION_MODEL
from tests.helpers import active_solution, checked, message, start_host, unique, version_status, wait_for

GATE = {"coverage": 0.05}
"""Met by every emulated version (their metrics lie in 0.05-0.95)."""

PHASES = ("create", "up again", "adopt", "tag update", "refresh", "destroy")
STATEMENTS = {
    "create": ("Up", "UpFindsAnEarlierAttempt", "QualityGate", "QualityGateFindsReportedMetrics"),
    "up again": ("Up", "UpFindsAnEarlierAttempt", "QualityGate", "QualityGateFindsReportedMetrics"),
    "adopt": ("Adoption", "QualityGate"),
    "tag update": ("TagUpdate",),
    "refresh": ("Refresh",),
    "destroy": ("Destroy", "DestroyFindsLeftTrainings"),
}
"""The statements of the policy that each phase of the lifecycle is about (its Sids)."""


@pytest.fixture(scope="module")
def emulator_process(iam_emulator_process: EmulatorProcess) -> EmulatorProcess:
    return iam_emulator_process


@dataclass
class Lifecycle:
    """One SolutionVersion's life through a host, phase by phase, with what each phase called; it stops at the first
    phase that fails."""

    host: Any
    personalize: Any
    control: Any
    hold_trainings: Callable[[], None]
    calls: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Per phase, the Personalize calls the host made: (operation, HTTP status)."""
    failed: str | None = None
    error: HostError | None = None
    arns: dict[str, str] = field(default_factory=dict)
    """The solution, the automatic training adopted, and the training destroy stops."""

    def phase(self, name: str, call: Callable[[], Any]) -> Any:
        self.control.clear_requests()
        try:
            return call()
        except HostError as error:
            self.failed, self.error = name, error
            raise
        finally:
            self.calls[name] = [(e["operation"], e["status"]) for e in self.control.requests()]

    def run(self) -> Lifecycle:
        try:
            self._run()
        except HostError:
            pass
        return self

    def _run(self) -> None:
        personalize, host = self.personalize, self.host
        solution = self.arns["solution"] = active_solution(personalize)
        automatic = self.arns["automatic"] = self.control.start_automatic_training(solution)
        wait_for(lambda: version_status(personalize, automatic), ("ACTIVE",))
        personalize.tag_resource(resourceArn=automatic, tags=[{"tagKey": "origin", "tagValue": "weekly"}])

        name, inputs = checked(host, solution, tags={"team": "ml", "owner": "recs"}, minMetrics=GATE)
        id_, outs = self.phase("create", lambda: host.create(name, inputs))
        again_id, _ = self.phase("up again", lambda: host.create(name, inputs))
        assert again_id == id_, "the rerun adopted the version instead of training another"

        adopted, adopt_inputs = checked(
            host, solution, existingVersionArn=automatic, tags={"team": "ml"}, minMetrics=GATE
        )
        adopted_id, adopted_outs = self.phase("adopt", lambda: host.create(adopted, adopt_inputs))
        assert adopted_id == automatic and adopted_outs["tagsAll"] == {"team": "ml"}

        news, failures = host.check(name, {**inputs, "tags": {"team": "search"}}, olds=inputs)
        assert failures == []
        outs = self.phase("tag update", lambda: host.update(name, id_, outs, news))
        assert outs["tagsAll"] == {"team": "search"}

        self.phase("refresh", lambda: (host.read(name, id_, outs), host.read(adopted, adopted_id, adopted_outs)))

        self.hold_trainings()
        training = self.arns["training"] = personalize.create_solution_version(solutionArn=solution)[
            "solutionVersionArn"
        ]
        state = {**news, "solutionVersionArn": training, "status": version_status(personalize, training)}
        self.phase(
            "destroy", lambda: (host.delete(name, training, state), host.delete(adopted, adopted_id, adopted_outs))
        )
        assert version_status(personalize, training) == "CREATE STOPPED", "destroy stopped the training"


@pytest.fixture
def lifecycle(emulator, personalize, fast, moto_progression) -> Iterator[Callable[[dict[str, Any]], Lifecycle]]:
    """`lifecycle(policy)`: run a whole lifecycle through a host whose credentials have exactly `policy`."""
    hosts: list[Any] = []

    def hold_trainings() -> None:
        # A training that stays CREATE PENDING until something describes it 1000 times: no timer to race.
        moto_progression(SOLUTION_VERSION_MODEL, progression="manual", times=1000)

    def run(policy: dict[str, Any]) -> Lifecycle:
        host = start_host(emulator, **emulator.user_env(unique("deployer"), policy))
        hosts.append(host)
        return Lifecycle(host, personalize, fast, hold_trainings).run()

    yield run
    for host in hosts:
        host.stop()


def operations(calls: list[tuple[str, int]]) -> set[str]:
    return {f"personalize:{operation}" for operation, _ in calls}


def test_the_policy_is_one_statement_per_operation_on_solutions_or_star():
    document = iam.policy()
    assert document["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in document["Statement"]]
    assert len(sids) == len(set(sids)) and set(sids) == {sid for sids in STATEMENTS.values() for sid in sids}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and all(a.startswith("personalize:") for a in statement["Action"])
        lists = statement["Action"] == ["personalize:ListSolutionVersions"]
        assert statement["Resource"] == ("*" if lists else "arn:aws:personalize:*:*:solution/*"), statement["Sid"]


def test_with_exactly_the_policy_a_whole_lifecycle_succeeds_and_calls_exactly_its_actions(lifecycle):
    run = lifecycle(iam.policy())

    assert run.failed is None, run.error and run.error.details
    assert list(run.calls) == list(PHASES)
    called = set().union(*(operations(calls) for calls in run.calls.values()))
    assert called == iam.actions(), "nothing missing from the policy, nothing in it the provider does not call"
    for phase, sids in STATEMENTS.items():
        allowed = set().union(*(iam.actions({"Statement": [iam.statement(sid)]}) for sid in sids))
        assert operations(run.calls[phase]) <= allowed, f"{phase} calls more than its statements allow"


EXPECTED = {
    # action: the phase that needs it first, and the resource the denial names
    "personalize:DescribeSolution": ("create", lambda arns: arns["solution"]),
    "personalize:ListSolutionVersions": ("create", lambda arns: "*"),
    "personalize:CreateSolutionVersion": ("create", lambda arns: arns["solution"]),
    "personalize:TagResource": ("create", lambda arns: arns["solution"]),  # a create that tags needs it too
    "personalize:DescribeSolutionVersion": ("create", lambda arns: f"{arns['solution']}/*"),  # checked before training
    "personalize:GetSolutionMetrics": ("create", lambda arns: arns["automatic"]),  # the gate's metric names
    "personalize:ListTagsForResource": ("create", lambda arns: f"{arns['solution']}/*"),
    "personalize:UntagResource": ("adopt", lambda arns: arns["automatic"]),  # the adopted training's own tag
    "personalize:StopSolutionVersionCreation": ("destroy", lambda arns: arns["training"]),
}


def test_every_action_of_the_policy_is_expected_to_fail_an_operation():
    assert set(EXPECTED) == iam.actions()


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_without_one_action_the_operation_that_needs_it_fails_in_one_line_naming_it(lifecycle, action):
    run = lifecycle(iam.without(action))

    phase, resource = EXPECTED[action]
    assert run.failed == phase and run.error is not None
    line = message(run.error)
    assert f"AccessDeniedException: needs IAM permission {action} on {resource(run.arns)};" in line, line
    assert "grant it to the credentials the stack deploys with" in line
    assert "\n" not in line and "Traceback" not in run.error.details
    failing = run.calls[phase]
    assert ("CreateSolutionVersion", 200) not in failing, "nothing was started that the stack does not track"
    assert failing[-1][1] == 400, "the operation stopped at the denied call"


def test_a_preview_needs_no_permission(emulator, personalize, control):
    """check and diff make no AWS call: credentials that may do nothing at all preview a create and a change."""
    solution = active_solution(personalize)
    nothing = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    host = start_host(emulator, **emulator.user_env(unique("reviewer"), nothing))
    try:
        control.clear_requests()
        name, inputs = checked(host, solution, tags={"team": "ml"}, minMetrics=GATE)
        outs = {**inputs, "solutionVersionArn": f"{solution}/5eeded01", "status": "ACTIVE"}
        news, failures = host.check(name, {**inputs, "tags": {"team": "search"}}, olds=inputs)
        diff = host.diff(name, outs["solutionVersionArn"], outs, news)
        assert failures == [] and list(diff.replaces) == []
        assert control.requests() == []
    finally:
        host.stop()


def test_the_iam_command_prints_the_policy_and_explains_itself_with_help(capsys):
    from personalize_pulumi.iam import __main__ as command
    from personalize_pulumi.iam import policy_text

    assert command.main([]) == 0
    assert capsys.readouterr().out == policy_text()
    with pytest.raises(SystemExit) as exited:
        command.main(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: python -m personalize_pulumi.iam") and "aws iam create-policy" in shown
    assert '"Statement"' not in shown, "help, not the policy"
