"""A denied call says which permission is missing, in one line, and a create finds out before it trains: through the
real dynamic-provider host, with IAM users of the emulator (`--iam`), and the message rules on their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.dynamic_host import HostError
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.errors import POLICY_HINT, cause, failure_from, remedy
from tests.helpers import active_solution, checked, message, start_host, trainings_started, unique

SOLUTIONS = "arn:aws:personalize:*:*:solution/*"
ON_SOLUTIONS = (
    "DescribeSolution",
    "CreateSolutionVersion",
    "TagResource",
    "DescribeSolutionVersion",
    "GetSolutionMetrics",
    "ListTagsForResource",
    "UntagResource",
    "StopSolutionVersionCreation",
)
USER = "arn:aws:iam::123456789012:user/deployer"


@pytest.fixture(scope="module")
def emulator_process(iam_emulator_process: EmulatorProcess) -> EmulatorProcess:
    return iam_emulator_process


def policy_without(action: str) -> dict[str, Any]:
    """Every permission a SolutionVersion needs, except `action`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [f"personalize:{a}" for a in ON_SOLUTIONS if a != action],
                "Resource": SOLUTIONS,
            },
            {"Effect": "Allow", "Action": "personalize:ListSolutionVersions", "Resource": "*"},
        ],
    }


@pytest.fixture
def host_without(emulator: EmulatorProcess) -> Iterator[Any]:
    """`host_without(action)`: a provider host whose credentials have every permission but `action`."""
    started: list[Any] = []

    def start(action: str) -> Any:
        host = start_host(emulator, **emulator.user_env(unique("deployer"), policy_without(action)))
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


def denial(operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, operation)


# The message


def test_a_denial_names_the_permission_and_its_resource():
    error = denial(
        "CreateSolutionVersion",
        f"User: {USER} is not authorized to perform: personalize:CreateSolutionVersion on resource: "
        "arn:aws:personalize:us-east-1:123456789012:solution/shop because no identity-based policy allows the "
        "personalize:CreateSolutionVersion action",
    )
    assert cause(error) == (
        "CreateSolutionVersion answered AccessDeniedException: needs IAM permission "
        "personalize:CreateSolutionVersion on arn:aws:personalize:us-east-1:123456789012:solution/shop"
    )
    assert remedy(error) == POLICY_HINT and "python -m personalize_pulumi.iam" in POLICY_HINT


def test_a_denial_without_a_resource_names_the_permission_alone():
    error = denial(
        "ListSolutionVersions", f"User: {USER} is not authorized to perform: personalize:ListSolutionVersions"
    )
    assert cause(error).endswith("AccessDeniedException: needs IAM permission personalize:ListSolutionVersions")


def test_an_explicit_deny_says_so_and_what_to_remove():
    error = denial(
        "StopSolutionVersionCreation",
        f"User: {USER} is not authorized to perform: personalize:StopSolutionVersionCreation on resource: "
        "arn:aws:personalize:us-east-1:123456789012:solution/shop/5eeded01 with an explicit deny in an "
        "identity-based policy",
    )
    assert cause(error).endswith("solution/shop/5eeded01 (an explicit deny refuses it)")
    assert "remove the Deny statement" in str(remedy(error))


def test_a_denial_naming_no_permission_keeps_the_services_message_and_the_general_advice():
    error = denial("DescribeSolution", "Access denied.")
    assert cause(error) == "DescribeSolution answered AccessDeniedException: Access denied."
    assert remedy(error) == "check the credentials and their IAM permissions for Amazon Personalize"


def test_the_whole_message_is_one_line():
    error = denial(
        "DescribeSolutionVersion",
        f"User: {USER} is not authorized to perform: personalize:DescribeSolutionVersion on resource: a:b because x",
    )
    text = str(failure_from("reading", "recs-1a2b3c4d", "arn:v", error))
    assert "\n" not in text
    assert text == (
        "reading Personalize solution version recs-1a2b3c4d (arn:v): DescribeSolutionVersion answered "
        "AccessDeniedException: needs IAM permission personalize:DescribeSolutionVersion on a:b; "
        f"{POLICY_HINT}, then run `pulumi refresh` again"
    )


# Through the host, with the emulator's IAM


def test_a_denied_create_says_which_permission_is_missing_and_starts_nothing(host_without, personalize, control):
    host = host_without("CreateSolutionVersion")
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, tags={"team": "ml"})
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert message(exc.value) == (
        f"creating Personalize solution version {inputs['name']} (solution {solution}): CreateSolutionVersion "
        f"answered AccessDeniedException: needs IAM permission personalize:CreateSolutionVersion on {solution}; "
        f"{POLICY_HINT}, then run `pulumi up` again (no training was started)"
    )
    assert "Traceback" not in exc.value.details
    assert personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == []


@pytest.mark.parametrize("action", ["DescribeSolutionVersion", "GetSolutionMetrics", "ListTagsForResource"])
def test_a_permission_the_training_needs_once_it_runs_fails_the_create_before_it_trains(
    host_without, personalize, control, action
):
    host = host_without(action)
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    control.clear_requests()
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert message(exc.value) == (
        f"creating Personalize solution version {inputs['name']} (solution {solution}): {action} answered "
        f"AccessDeniedException: needs IAM permission personalize:{action} on {solution}/*; {POLICY_HINT}, then run "
        "`pulumi up` again (no training was started); a create checks the permissions its training needs before it "
        "starts one"
    )
    assert control.count("CreateSolutionVersion") == 0 and trainings_started(control) == 0


def test_with_every_permission_the_checks_before_training_find_no_version_and_the_create_goes_on(
    host_without, personalize, control
):
    host = host_without("none")
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    control.clear_requests()
    _, outs = host.create(name, inputs)
    assert outs["status"] == "ACTIVE" and trainings_started(control) == 1
    operations = [e["operation"] for e in control.requests()]
    checks = control.requests()[: operations.index("CreateSolutionVersion")]
    probes = [e for e in checks if e["operation"] not in ("DescribeSolution", "ListSolutionVersions")]
    asked = [(e["operation"], e["status"]) for e in probes]
    assert asked == [("DescribeSolutionVersion", 400), ("GetSolutionMetrics", 400), ("ListTagsForResource", 400)]
    assert {next(iter(e["params"].values())) for e in probes} == {f"{solution}/*"}
