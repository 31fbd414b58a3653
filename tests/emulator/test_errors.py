"""Every refusal the emulator makes carries the error code Amazon Personalize documents for it."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import HELD, RECIPE_SIMS, active_solution, unique, version_status, wait_for

REGION = "us-east-1"
ACCOUNT = "123456789012"
MISSING_SOLUTION = f"arn:aws:personalize:{REGION}:{ACCOUNT}:solution/no-such-solution"
MISSING_VERSION = f"{MISSING_SOLUTION}/0badc0de"


@pytest.fixture
def slow_training(control):
    """Trainings that stay CREATE PENDING for the whole test; dataset groups and solutions ACTIVE at once."""
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    return control


def no_retry_client(region: str = REGION):
    """A client that makes exactly one attempt, so a retryable error code reaches the test unchanged.

    (`max_attempts` counts retries, not attempts: `{"max_attempts": 1}` would still retry once.)
    """
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.client("personalize", region_name=region, config=config)


def new_version(client, **kwargs) -> str:
    """A version of a new ACTIVE solution (`solutionArn` may be given instead)."""
    kwargs.setdefault("solutionArn", active_solution(client))
    return client.create_solution_version(**kwargs)["solutionVersionArn"]


def create_missing(**kwargs):
    """A CreateSolutionVersion call on a solution that does not exist."""
    return lambda c: c.create_solution_version(solutionArn=MISSING_SOLUTION, **kwargs)


def trained_version(client, solution: str, **kwargs) -> str:
    arn = client.create_solution_version(solutionArn=solution, **kwargs)["solutionVersionArn"]
    wait_for(lambda: version_status(client, arn), ("ACTIVE",))
    return arn


def tags(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"tagKey": f"{prefix}{i}", "tagValue": "v"} for i in range(count)]


# Input validation the service does and botocore does not (max lengths, patterns, enums)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(create_missing(name="bad name"), id="name-with-space"),
        pytest.param(create_missing(name="-starts-with-dash"), id="name-leading-dash"),
        pytest.param(create_missing(name="n" * 64), id="name-64-chars"),
        pytest.param(lambda c: c.create_dataset_group(name="bad name"), id="dataset-group-name"),
        pytest.param(lambda c: c.create_solution_version(solutionArn=MISSING_SOLUTION + "x" * 200), id="arn-257-chars"),
        pytest.param(lambda c: c.create_solution_version(solutionArn="arn:aws:s3:::x"), id="arn-of-another-service"),
        pytest.param(lambda c: c.describe_solution_version(solutionVersionArn="arn:aws:s3:::x"), id="describe-arn"),
        pytest.param(create_missing(trainingMode="PARTIAL"), id="training-mode-enum"),
        pytest.param(lambda c: c.list_solution_versions(maxResults=101), id="max-results-over-100"),
        pytest.param(
            lambda c: c.tag_resource(resourceArn=MISSING_SOLUTION, tags=[{"tagKey": "bad!key", "tagValue": "v"}]),
            id="tag-key-pattern",
        ),
        pytest.param(
            lambda c: c.tag_resource(resourceArn=MISSING_SOLUTION, tags=[{"tagKey": "k", "tagValue": "v" * 257}]),
            id="tag-value-257-chars",
        ),
    ],
)
def test_invalid_input_is_refused_before_any_lookup(personalize, control, call):
    """The named resources do not exist: the service validates the request before it looks anything up."""
    with pytest.raises(ClientError) as exc:
        call(personalize)

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidInputException"
    assert "failed to satisfy constraint" in err["Message"]


def test_63_char_version_name_is_accepted(personalize, fast):
    solution = active_solution(personalize)

    arn = personalize.create_solution_version(solutionArn=solution, name="n" * 63)["solutionVersionArn"]

    assert personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["name"] == "n" * 63


# Missing resources


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: c.create_solution_version(solutionArn=MISSING_SOLUTION), id="create-version"),
        pytest.param(lambda c: c.describe_solution(solutionArn=MISSING_SOLUTION), id="describe-solution"),
        pytest.param(lambda c: c.describe_solution_version(solutionVersionArn=MISSING_VERSION), id="describe-version"),
        pytest.param(lambda c: c.list_solution_versions(solutionArn=MISSING_SOLUTION), id="list-versions"),
        pytest.param(lambda c: c.stop_solution_version_creation(solutionVersionArn=MISSING_VERSION), id="stop"),
        pytest.param(lambda c: c.get_solution_metrics(solutionVersionArn=MISSING_VERSION), id="metrics"),
        pytest.param(lambda c: c.delete_solution(solutionArn=MISSING_SOLUTION), id="delete-solution"),
    ],
)
def test_unknown_solution_or_version_is_not_found(personalize, control, call):
    with pytest.raises(ClientError) as exc:
        call(personalize)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceNotFoundException"


def test_list_tags_of_unknown_arn_is_not_found(personalize, control):
    with pytest.raises(ClientError) as exc:
        personalize.list_tags_for_resource(resourceArn=MISSING_VERSION)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceNotFoundException"


def test_tag_unknown_arn_is_not_found(personalize, control):
    with pytest.raises(ClientError) as exc:
        personalize.tag_resource(resourceArn=MISSING_SOLUTION, tags=tags(1))

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceNotFoundException"


# Resources in the wrong state


def test_create_version_of_solution_not_yet_active_is_in_use(personalize, control):
    control.set_timing(setup_seconds=0)
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]
    wait_for(lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",))
    control.set_timing(setup_seconds=HELD)
    solution = personalize.create_solution(name=unique("sol"), datasetGroupArn=group, recipeArn=RECIPE_SIMS)

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution["solutionArn"])

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceInUseException"


def test_stop_active_version_is_in_use(personalize, fast):
    arn = trained_version(personalize, active_solution(personalize))

    with pytest.raises(ClientError) as exc:
        personalize.stop_solution_version_creation(solutionVersionArn=arn)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceInUseException"
    assert version_status(personalize, arn) == "ACTIVE"


def test_delete_solution_while_a_version_trains_is_in_use(personalize, slow_training):
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    with pytest.raises(ClientError) as exc:
        personalize.delete_solution(solutionArn=solution)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceInUseException"
    assert personalize.describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"
    personalize.stop_solution_version_creation(solutionVersionArn=arn)


def test_get_metrics_of_a_training_version_is_in_use(personalize, slow_training):
    arn = personalize.create_solution_version(solutionArn=active_solution(personalize))["solutionVersionArn"]

    with pytest.raises(ClientError) as exc:
        personalize.get_solution_metrics(solutionVersionArn=arn)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceInUseException"
    personalize.stop_solution_version_creation(solutionVersionArn=arn)


# Names


def test_duplicate_version_name_in_a_solution_already_exists(personalize, fast):
    solution = active_solution(personalize)
    personalize.create_solution_version(solutionArn=solution, name="nightly")

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution, name="nightly")

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceAlreadyExistsException"


def test_same_version_name_in_another_solution_is_accepted(personalize, fast):
    personalize.create_solution_version(solutionArn=active_solution(personalize), name="nightly")

    assert new_version(personalize, name="nightly")


# Incremental training (trainingMode UPDATE)


def test_update_without_any_version_is_invalid(personalize, fast):
    solution = active_solution(personalize)

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution, trainingMode="UPDATE")

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidInputException"


def test_update_while_the_full_version_still_trains_is_invalid(personalize, slow_training):
    solution = active_solution(personalize)
    full = personalize.create_solution_version(solutionArn=solution, trainingMode="FULL")["solutionVersionArn"]

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution, trainingMode="UPDATE")

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidInputException"
    personalize.stop_solution_version_creation(solutionVersionArn=full)


def test_update_on_a_recipe_without_incremental_training_is_invalid(personalize, fast):
    """aws-sims has no incremental training, even once a FULL version is ACTIVE."""
    solution = active_solution(personalize, recipe_arn=RECIPE_SIMS)
    trained_version(personalize, solution, trainingMode="FULL")

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution, trainingMode="UPDATE")

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidInputException"
    assert "aws-sims" in err["Message"]


# The per-region quota on trainings


def test_21st_training_in_a_region_exceeds_the_limit(personalize, slow_training):
    """20 versions may be CREATE PENDING or CREATE IN_PROGRESS per region: the 21st is refused, in that region only."""
    slow_training.reset()  # nothing left training by earlier tests may count against the quota
    try:
        solution = active_solution(personalize)
        for _ in range(20):
            personalize.create_solution_version(solutionArn=solution)
        slow_training.clear_requests()

        with pytest.raises(ClientError) as exc:
            no_retry_client().create_solution_version(solutionArn=solution)

        err = exc.value.response["Error"]
        assert err["Code"] == "LimitExceededException"
        assert [e["status"] for e in slow_training.requests("CreateSolutionVersion")] == [400]
        west = no_retry_client("us-west-2")
        assert west.create_solution_version(solutionArn=active_solution(west))["solutionVersionArn"]
    finally:
        slow_training.reset()


def test_stopping_a_training_frees_a_slot_of_the_quota(personalize, slow_training):
    slow_training.reset()
    try:
        solution = active_solution(personalize)
        training = [personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"] for _ in range(20)]

        personalize.stop_solution_version_creation(solutionVersionArn=training[0])

        assert no_retry_client().create_solution_version(solutionArn=solution)["solutionVersionArn"]
    finally:
        slow_training.reset()


# Tags


def test_more_than_50_tags_on_create_is_too_many(personalize, fast):
    solution = active_solution(personalize)

    with pytest.raises(ClientError) as exc:
        personalize.create_solution_version(solutionArn=solution, tags=tags(51))

    err = exc.value.response["Error"]
    assert err["Code"] == "TooManyTagsException"
    assert personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == []


def test_50_tags_on_create_are_accepted(personalize, fast):
    arn = new_version(personalize, tags=tags(50))

    assert len(personalize.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


def test_tag_resource_past_50_tags_in_total_is_too_many(personalize, fast):
    """40 tags already on the version plus 11 new keys make 51: refused, and nothing is added."""
    arn = new_version(personalize, tags=tags(40))

    with pytest.raises(ClientError) as exc:
        personalize.tag_resource(resourceArn=arn, tags=tags(11, prefix="new"))

    err = exc.value.response["Error"]
    assert err["Code"] == "TooManyTagsException"
    assert len(personalize.list_tags_for_resource(resourceArn=arn)["tags"]) == 40


def test_tag_resource_overwriting_existing_keys_is_not_too_many(personalize, fast):
    arn = new_version(personalize, tags=tags(50))

    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "k0", "tagValue": "changed"}])

    assert {"tagKey": "k0", "tagValue": "changed"} in personalize.list_tags_for_resource(resourceArn=arn)["tags"]


def test_untag_more_than_50_keys_is_too_many_tag_keys(personalize, fast):
    arn = new_version(personalize, tags=tags(5))

    with pytest.raises(ClientError) as exc:
        personalize.untag_resource(resourceArn=arn, tagKeys=[f"k{i}" for i in range(51)])

    err = exc.value.response["Error"]
    assert err["Code"] == "TooManyTagKeysException"
    assert len(personalize.list_tags_for_resource(resourceArn=arn)["tags"]) == 5


RESERVED = [{"tagKey": "aws:createdBy", "tagValue": "me"}]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, sol, ver: c.create_solution_version(solutionArn=sol, tags=RESERVED), id="create"),
        pytest.param(lambda c, sol, ver: c.tag_resource(resourceArn=ver, tags=RESERVED), id="tag"),
        pytest.param(lambda c, sol, ver: c.untag_resource(resourceArn=ver, tagKeys=["aws:createdBy"]), id="untag"),
    ],
)
def test_reserved_aws_tag_keys_are_invalid(personalize, fast, call):
    solution = active_solution(personalize)
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    with pytest.raises(ClientError) as exc:
        call(personalize, solution, version)

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidInputException"
    assert "aws:" in err["Message"]


# Outside the emulated surface


def test_operation_the_emulator_does_not_implement_says_so(personalize, control):
    with pytest.raises(ClientError) as exc:
        no_retry_client().describe_campaign(campaignArn=f"arn:aws:personalize:{REGION}:{ACCOUNT}:campaign/c")

    err = exc.value.response["Error"]
    assert err["Code"] == "NotImplementedException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
