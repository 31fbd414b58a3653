"""What create, read, update and delete do against the Personalize API for one solution version.

Each function takes a boto3 Personalize client and plain dicts of state keys (see `properties.py`); the provider class
only resolves the client and translates results for the engine.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from .properties import ACTIVE, FAILED, IN_PROGRESS, INPUTS, NAME_SCOPE, PENDING, STOPPED, STOPPING, TRAINING
from .waiters import Clock, DeadlineExceeded, Polling, Progress, UnexpectedStatus, wait_for_status

SOLUTION_PENDING = (PENDING, IN_PROGRESS)
STOP_WAIT_SECONDS = 30 * 60
QUOTA_HINT = "20 solution versions pending or in progress per region"


class SolutionVersionError(Exception):
    """A failure the user can act on; its message is the last line the engine shows."""


def label(inputs: dict[str, Any]) -> str:
    return f"personalize solution version {inputs.get('name')}"


# Finders: describe, with "not found" mapped to None right here.


def find_version(client: Any, arn: str) -> dict[str, Any] | None:
    try:
        return client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    except ClientError as error:
        if _code(error) == "ResourceNotFoundException":
            return None
        raise


def find_version_by_name(client: Any, solution_arn: str, name: str) -> dict[str, Any] | None:
    """The version of `solution_arn` called `name` (list summaries carry no name, so each is described)."""
    for page in client.get_paginator("list_solution_versions").paginate(solutionArn=solution_arn):
        for summary in page["solutionVersions"]:
            described = find_version(client, summary["solutionVersionArn"])
            if described is not None and described.get("name") == name:
                return described
    return None


def live_tags(client: Any, arn: str) -> dict[str, str]:
    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    return {tag["tagKey"]: tag["tagValue"] for tag in tags}


def metrics_of(client: Any, described: dict[str, Any]) -> dict[str, float]:
    if described.get("status") != ACTIVE:
        return {}
    return client.get_solution_metrics(solutionVersionArn=described["solutionVersionArn"]).get("metrics", {})


# Lifecycle


def create(client: Any, inputs: dict[str, Any], polling: Polling, clock: Clock = Clock()) -> dict[str, Any]:
    """Start (or adopt) the training of `inputs['name']` and block until it is ACTIVE; returns the outputs."""
    progress = Progress(label(inputs), clock=clock, every=polling.progress_every)
    deadline = clock.monotonic() + float(inputs["waitTimeoutMinutes"]) * 60
    try:
        _wait_for_solution(client, inputs, deadline, polling, clock, progress)
        arn = _start_or_adopt(client, inputs, deadline, polling, clock, progress)
        described = _wait_for_training(client, inputs, arn, deadline, polling, clock, progress)
        return outputs(inputs, described, live_tags(client, arn), metrics_of(client, described))
    except (NoCredentialsError, NoRegionError) as error:
        raise SolutionVersionError(f"creating {label(inputs)}: {error} (set AWS credentials, aws:profile or profile)") from None
    except BotoCoreError as error:
        raise SolutionVersionError(f"creating {label(inputs)}: {error}") from None
    except ClientError as error:
        raise SolutionVersionError(f"creating {label(inputs)} for {inputs['solutionArn']}: {_describe_error(error)}") from None


def read(client: Any, arn: str, props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Live outputs and the inputs they imply (so drift shows in the next preview), or None if the version is gone."""
    described = find_version(client, arn)
    if described is None:
        return None
    tags_all = live_tags(client, arn)
    inputs = {key: props[key] for key in _input_keys(props)}
    inputs["tags"] = _user_tags(tags_all)
    inputs["trainingMode"] = described.get("trainingMode", inputs.get("trainingMode"))
    inputs["solutionArn"] = described.get("solutionArn", inputs.get("solutionArn"))
    if described.get("name"):
        inputs["name"] = described["name"]
    return outputs(inputs, described, tags_all, metrics_of(client, described)), inputs


def update(client: Any, arn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """Apply tag changes in place (never touching `aws:` tags); returns the full outputs."""
    set_tags(client, arn, olds.get("tags") or {}, news.get("tags") or {})
    described = find_version(client, arn)
    if described is None:
        raise SolutionVersionError(f"updating {label(news)} ({arn}): it no longer exists; run `pulumi refresh`")
    return outputs(news, described, live_tags(client, arn), metrics_of(client, described))


def set_tags(client: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    removed = [key for key in old if key not in new and not key.lower().startswith("aws:")]
    changed = [{"tagKey": k, "tagValue": v} for k, v in new.items() if old.get(k) != v and not k.lower().startswith("aws:")]
    if removed:
        client.untag_resource(resourceArn=arn, tagKeys=removed)
    if changed:
        client.tag_resource(resourceArn=arn, tags=changed)


def delete(client: Any, arn: str, props: dict[str, Any], polling: Polling, clock: Clock = Clock()) -> None:
    """Stop a training still in progress and wait until it is CREATE STOPPED; otherwise forget the version
    (Personalize has no API to delete a solution version)."""
    progress = Progress(label(props), clock=clock, every=polling.progress_every)
    described = find_version(client, arn)
    if described is None:
        return
    status = described["status"]
    if status in TRAINING:
        try:
            client.stop_solution_version_creation(solutionVersionArn=arn)
            progress.say(f"stopping the training of {arn} (it was {status})")
        except ClientError as error:
            if _code(error) != "ResourceInUseException":  # it finished between describe and stop
                raise
            described = find_version(client, arn) or described
            status = described["status"]
    if status in TRAINING + (STOPPING,):
        deadline = clock.monotonic() + STOP_WAIT_SECONDS
        try:
            wait_for_status(
                lambda: _version_status(client, arn), TRAINING + (STOPPING,), (STOPPED,), deadline, polling, clock, progress
            )
        except UnexpectedStatus as unexpected:
            status = unexpected.status  # it finished before the stop took effect: nothing left to stop
        except DeadlineExceeded as late:
            raise SolutionVersionError(
                f"deleting {label(props)} ({arn}): still {late.status} {STOP_WAIT_SECONDS // 60} minutes after "
                "StopSolutionVersionCreation; run `pulumi destroy` again to keep waiting"
            ) from None
        else:
            return
    progress.say(
        f"{arn} is {status}; Personalize has no API to delete a solution version, so it is left in place and removed "
        "from the stack (it goes away when its solution is deleted)"
    )


# Create, step by step


def _wait_for_solution(
    client: Any, inputs: dict[str, Any], deadline: float, polling: Polling, clock: Clock, progress: Progress
) -> None:
    solution_arn = inputs["solutionArn"]

    def describe() -> tuple[str, dict[str, Any]]:
        solution = client.describe_solution(solutionArn=solution_arn)["solution"]
        return solution["status"], solution

    try:
        wait_for_status(describe, SOLUTION_PENDING, (ACTIVE,), deadline, polling, clock)
    except UnexpectedStatus as unexpected:
        reason = unexpected.described.get("failureReason")
        raise SolutionVersionError(
            f"creating {label(inputs)}: solution {solution_arn} is {unexpected.status}"
            + (f" ({reason})" if reason else "")
            + "; a version can only be trained from an ACTIVE solution"
        ) from None
    except DeadlineExceeded as late:
        raise SolutionVersionError(
            f"creating {label(inputs)}: solution {solution_arn} was still {late.status} after "
            f"waitTimeoutMinutes={inputs['waitTimeoutMinutes']}; no training was started. Run `pulumi up` again."
        ) from None


def _start_or_adopt(
    client: Any, inputs: dict[str, Any], deadline: float, polling: Polling, clock: Clock, progress: Progress
) -> str:
    """CreateSolutionVersion under the deterministic name, unless a version with that name exists: then the version an
    earlier, interrupted `pulumi up` started is adopted instead of training a second one."""
    found = find_version_by_name(client, inputs["solutionArn"], inputs["name"])
    if found is None:
        arn = _start(client, inputs, deadline, polling, clock, progress)
        if arn is not None:
            return arn
        # A concurrent run created it between our lookup and our create; the name makes that safe.
        found = find_version_by_name(client, inputs["solutionArn"], inputs["name"])
        if found is None:
            raise SolutionVersionError(
                f"creating {label(inputs)}: Personalize reports that the name exists in {inputs['solutionArn']}, "
                "but no version of that solution has it"
            )
    return _adopt(client, inputs, found, progress)


def _start(
    client: Any, inputs: dict[str, Any], deadline: float, polling: Polling, clock: Clock, progress: Progress
) -> str | None:
    """The new version's ARN, or None if the name is already taken."""
    request: dict[str, Any] = {
        "solutionArn": inputs["solutionArn"],
        "name": inputs["name"],
        "trainingMode": inputs["trainingMode"],
    }
    if inputs.get("tags"):
        request["tags"] = [{"tagKey": k, "tagValue": v} for k, v in inputs["tags"].items()]
    delay = polling.initial
    while True:
        try:
            arn = client.create_solution_version(**request)["solutionVersionArn"]
            progress.say(f"started training {arn} (trainingMode {inputs['trainingMode']})")
            return arn
        except ClientError as error:
            code = _code(error)
            if code == "ResourceAlreadyExistsException":
                return None
            if code != "LimitExceededException" or clock.monotonic() + delay > deadline:
                raise
            # botocore already retried this as throttling; what is left is the quota of trainings per region.
            progress.say(f"waiting for a free training slot ({QUOTA_HINT}): {_message(error)}")
            clock.sleep(delay)
            delay = min(delay * polling.factor, polling.cap)


def _adopt(client: Any, inputs: dict[str, Any], found: dict[str, Any], progress: Progress) -> str:
    arn, status = found["solutionVersionArn"], found["status"]
    if found.get("trainingMode") != inputs["trainingMode"]:
        raise SolutionVersionError(
            f"creating {label(inputs)}: a version with this name already exists ({arn}) with trainingMode "
            f"{found.get('trainingMode')}, not {inputs['trainingMode']}; choose another name"
        )
    if status not in TRAINING + (ACTIVE,):
        reason = f" ({found['failureReason']})" if found.get("failureReason") else ""
        raise SolutionVersionError(
            f"creating {label(inputs)}: the version with this name, {arn}, is {status}{reason} and cannot be reused; "
            "change retrain_triggers (or name) to train a new version"
        )
    progress.say(f"adopting {arn} ({status}), started by an earlier run; no second training is started")
    set_tags(client, arn, live_tags(client, arn), inputs.get("tags") or {})
    return arn


def _wait_for_training(
    client: Any, inputs: dict[str, Any], arn: str, deadline: float, polling: Polling, clock: Clock, progress: Progress
) -> dict[str, Any]:
    try:
        return wait_for_status(lambda: _version_status(client, arn), TRAINING, (ACTIVE,), deadline, polling, clock, progress)
    except UnexpectedStatus as unexpected:
        if unexpected.status == FAILED:
            reason = unexpected.described.get("failureReason") or "no reason given"
            raise SolutionVersionError(
                f"training of {label(inputs)} failed: {arn} is CREATE FAILED: {reason}. Fix the cause, then change "
                "retrain_triggers (or name) to train a new version"
            ) from None
        raise SolutionVersionError(
            f"waiting for {label(inputs)} ({arn}): unexpected status {unexpected.status}"
            + (" (it was stopped outside this stack)" if unexpected.status in (STOPPING, STOPPED) else "")
        ) from None
    except DeadlineExceeded as late:
        raise SolutionVersionError(
            f"waiting for {label(inputs)} ({arn}): still {late.status} after waitTimeoutMinutes="
            f"{inputs['waitTimeoutMinutes']}. The training continues in AWS and is not lost: run `pulumi up` again to "
            "resume waiting (it adopts this version), raise waitTimeoutMinutes, or stop it with "
            f"`aws personalize stop-solution-version-creation --solution-version-arn {arn}`"
        ) from None


def _version_status(client: Any, arn: str) -> tuple[str, dict[str, Any]]:
    described = client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    return described["status"], described


# Outputs


def outputs(inputs: dict[str, Any], described: dict[str, Any], tags_all: dict[str, str], metrics: dict[str, float]) -> dict[str, Any]:
    """The resource's full state: the checked inputs plus what the service reports."""
    result = {key: inputs[key] for key in _input_keys(inputs)}
    result.update(
        solutionVersionArn=described["solutionVersionArn"],
        status=described["status"],
        failureReason=described.get("failureReason"),
        trainingMode=described.get("trainingMode", inputs.get("trainingMode")),
        trainingType=described.get("trainingType"),
        trainingHours=described.get("trainingHours"),
        recipeArn=described.get("recipeArn"),
        datasetGroupArn=described.get("datasetGroupArn"),
        creationDateTime=_iso(described.get("creationDateTime")),
        lastUpdatedDateTime=_iso(described.get("lastUpdatedDateTime")),
        tagsAll=tags_all,
        metrics=metrics,
    )
    return result


def _input_keys(props: dict[str, Any]) -> list[str]:
    return [key for key in (*INPUTS.values(), NAME_SCOPE) if key in props]


def _user_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if not k.lower().startswith("aws:")}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if isinstance(moment, datetime) else moment


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _message(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "")


def _describe_error(error: ClientError) -> str:
    return f"{_code(error)}: {_message(error)}"
