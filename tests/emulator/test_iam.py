"""The emulator with `--iam`: moto's own access control checks every request, IAM's API is served on the same
endpoint, the default credentials act as the account's root, and a denied Personalize call is answered as AWS
answers a JSON service."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import REGION, active_solution, unique

SOLUTIONS = "arn:aws:personalize:*:*:solution/*"


@pytest.fixture(scope="module")
def emulator_process(iam_emulator_process: EmulatorProcess) -> EmulatorProcess:
    return iam_emulator_process


def allow(*actions: str, resource: str = SOLUTIONS) -> dict[str, Any]:
    """A policy allowing `actions` (without the `personalize:` prefix) on `resource`."""
    statement = {"Effect": "Allow", "Action": [f"personalize:{a}" for a in actions], "Resource": resource}
    return {"Version": "2012-10-17", "Statement": [statement]}


def client_of(env: dict[str, str], service: str = "personalize", secret: str | None = None) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=env["AWS_ENDPOINT_URL_PERSONALIZE"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or env["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"total_max_attempts": 1}),
    )


def refused(call: Any) -> dict[str, Any]:
    """The error a call is refused with, and its HTTP status."""
    with pytest.raises(ClientError) as exc:
        call()
    return {**exc.value.response["Error"], "status": exc.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def test_health_says_iam_is_checked(control):
    assert control.health()["iam"] is True


def test_the_default_credentials_are_the_root_and_may_do_anything_iam_included(emulator, personalize):
    solution = active_solution(personalize)
    assert personalize.describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"
    root_iam = client_of(emulator.env(), "iam")
    user = unique("someone")
    root_iam.create_user(UserName=user)
    assert user in [u["UserName"] for u in root_iam.list_users()["Users"]]


def test_a_user_may_do_what_its_policy_allows_and_a_denial_names_the_action_and_resource_in_json(
    emulator, personalize, control
):
    solution = active_solution(personalize)
    user = unique("deployer")
    env = emulator.user_env(user, allow("DescribeSolution"))
    client = client_of(env)
    assert client.describe_solution(solutionArn=solution)["solution"]["solutionArn"] == solution

    control.clear_requests()
    error = refused(lambda: client.create_solution_version(solutionArn=solution, name="denied"))
    assert error["Code"] == "AccessDeniedException" and error["status"] == 400
    assert error["Message"] == (
        f"User: arn:aws:iam::123456789012:user/{user} is not authorized to perform: "
        f"personalize:CreateSolutionVersion on resource: {solution} because no identity-based policy allows the "
        "personalize:CreateSolutionVersion action"
    )
    assert personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == [], "nothing was started"
    assert [e["status"] for e in control.requests("CreateSolutionVersion")] == [400], "the refusal is logged"


def test_statements_scoped_to_arns_are_enforced(emulator, personalize):
    mine, other = active_solution(personalize), active_solution(personalize)
    client = client_of(emulator.user_env(unique("scoped"), allow("DescribeSolution", resource=mine)))
    assert client.describe_solution(solutionArn=mine)["solution"]["solutionArn"] == mine
    error = refused(lambda: client.describe_solution(solutionArn=other))
    assert error["Code"] == "AccessDeniedException" and f"on resource: {other} " in error["Message"]


def test_list_solution_versions_is_authorized_on_star_as_it_supports_no_resource_level_permissions(
    emulator, personalize
):
    solution = active_solution(personalize)
    scoped = client_of(emulator.user_env(unique("lister"), allow("ListSolutionVersions")))
    error = refused(lambda: scoped.list_solution_versions(solutionArn=solution))
    assert "personalize:ListSolutionVersions on resource: * because" in error["Message"]
    anywhere = client_of(emulator.user_env(unique("lister"), allow("ListSolutionVersions", resource="*")))
    assert anywhere.list_solution_versions(solutionArn=solution)["solutionVersions"] == []


def test_a_create_that_tags_also_needs_tag_resource(emulator, personalize):
    solution = active_solution(personalize)
    client = client_of(emulator.user_env(unique("creator"), allow("CreateSolutionVersion")))
    error = refused(
        lambda: client.create_solution_version(
            solutionArn=solution, name="tagged", tags=[{"tagKey": "team", "tagValue": "ml"}]
        )
    )
    assert (
        error["Code"] == "AccessDeniedException"
        and "perform: personalize:TagResource on resource: " in error["Message"]
    )
    assert personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == []
    assert client.create_solution_version(solutionArn=solution, name="untagged")["solutionVersionArn"]


def test_an_explicit_deny_wins_over_an_allow(emulator, personalize):
    solution = active_solution(personalize)
    policy = allow("DescribeSolution")
    policy["Statement"].append({"Effect": "Deny", "Action": "personalize:DescribeSolution", "Resource": solution})
    error = refused(
        lambda: client_of(emulator.user_env(unique("denied"), policy)).describe_solution(solutionArn=solution)
    )
    assert error["Code"] == "AccessDeniedException"


def test_unknown_keys_and_bad_signatures_are_refused_as_aws_refuses_them(emulator):
    stranger = {**emulator.env(), "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}
    error = refused(lambda: client_of(stranger).list_solutions())
    assert (error["Code"], error["status"]) == ("UnrecognizedClientException", 403)
    env = emulator.user_env(unique("forgetful"), allow("ListSolutions", resource="*"))
    assert client_of(env).list_solutions()["solutions"] is not None
    error = refused(lambda: client_of(env, secret="not-the-secret").list_solutions())
    assert (error["Code"], error["status"]) == ("InvalidSignatureException", 403)


def test_iam_itself_is_checked_for_users_and_answered_by_moto(emulator):
    user_iam = client_of(emulator.user_env(unique("curious"), allow("ListSolutions", resource="*")), "iam")
    error = refused(user_iam.list_users)
    assert error["Code"] == "AccessDenied" and "iam:ListUsers" in error["Message"]


def test_user_env_needs_an_emulator_that_checks_iam():
    unchecked = EmulatorProcess.__new__(EmulatorProcess)
    unchecked.iam = False
    with pytest.raises(RuntimeError, match="iam=True"):
        unchecked.user_env("nobody", allow("ListSolutions"))


def test_user_env_is_env_with_the_users_key(emulator):
    env = emulator.user_env(unique("deployer"), allow("ListSolutions", resource="*"))
    keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    assert env["AWS_ACCESS_KEY_ID"] != emulator.env()["AWS_ACCESS_KEY_ID"]
    assert {k: v for k, v in env.items() if k not in keys} == {k: v for k, v in emulator.env().items() if k not in keys}
    caller = client_of(env, "sts").get_caller_identity()
    assert caller["Arn"].startswith("arn:aws:iam::123456789012:user/deployer-")
