"""Every failure of an operation the user sees, one function per situation: training.py and lifecycle.py decide which
applies, this says it, so the wording lives in one place (classify.py tells errors apart; check failures are
checks.py's, reviewer lines diffs.py's, progress and fallback lines messages.py's).

The engine shows a provider error as the exception message alone when it is a `SolutionVersionError` (host.py sends
it instead of the SDK host's traceback; any other exception, a bug, keeps its traceback). `failure` is the one place
that message is formatted:

    <verb> Personalize solution version <name> (<version ARN, or the solution before one exists>): <cause>; <what to do>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
)

from .classify import ACCESS_DENIED, IN_USE_CODE, QUOTA_CODE, code, explicit_deny, is_transient, missing_permission
from .gate import Shortfall

NEXT_STEP = {
    "creating": "run `pulumi up` again (no training was started)",
    "reading": "run `pulumi refresh` again",
    "updating": "run `pulumi up` again",
    "deleting": "run `pulumi destroy` (or `pulumi up`) again",
}


INTERRUPTED = "pulumi was interrupted (Ctrl-C) and stopped waiting"
"""The cause when the engine cancels (the first Ctrl-C) while the provider waits."""
AFTER_INTERRUPT = {
    "creating": "run `pulumi up` again: it adopts a training this run started, if any (`pulumi destroy` stops it)",
    "reading": "run `pulumi refresh` again",
    "updating": "run `pulumi up` again",
    "deleting": "run `pulumi destroy` again",
}


class SolutionVersionError(Exception):
    """A failure the user can act on; its message is the last line the engine shows."""


class UnknownProfile(Exception):
    """The AWS profile to use is not in the shared config files; `source` says where it came from."""

    def __init__(self, profile: str, source: str):
        super().__init__(f"the AWS profile {profile!r} ({source}) could not be found in the AWS config files")
        self.source = source


def failure(verb: str, name: Any, where: str, cause: str, todo: str) -> SolutionVersionError:
    """The error for `verb`ing (lower case: "creating", "waiting for", ...) the version `name`; `where` is its ARN."""
    return SolutionVersionError(f"{verb} Personalize solution version {name} ({where}): {cause}; {todo}")


GateCase = Literal["trained", "adopted", "update"]
"""Whose verdict a rejection is: a version this resource trained (or found from an earlier run), a version adopted
with existingVersionArn, or the version already in the stack, re-judged because minMetrics changed."""


def rejected(
    verb: str, name: Any, arn: str, missed: Sequence[Shortfall], metrics: Mapping[str, Any], case: GateCase
) -> SolutionVersionError:
    """The one-line rejection by `minMetrics`: each metric that missed, its value, its minimum, and what to do."""
    misses = []
    for miss in missed:
        if miss.value is None:
            reported = ", ".join(sorted(metrics)) or "no metrics"
            misses.append(f"{miss.metric} is not reported (minimum {_number(miss.minimum)}; it reports {reported})")
        else:
            misses.append(f"{miss.metric} is {_number(miss.value)}, below the minimum {_number(miss.minimum)}")
    fixes = ", ".join(
        f"remove minMetrics.{m.metric}"
        if m.value is None
        else f"lower minMetrics.{m.metric} to {_number(m.value)} or less"
        for m in missed
    )
    cause_text = "rejected by minMetrics: " + "; ".join(misses)
    if case == "trained":
        todo = (
            "the version stays in Personalize (there is no API to delete it) but not in the stack, which keeps its "
            f"previous version if it had one; to accept this version, {fixes} and run `pulumi up` (it adopts it, no "
            "retraining); to train another, change retrainTriggers"
        )
    elif case == "adopted":
        todo = f"it was not added to the stack and is unchanged; to accept it, {fixes}; or adopt another version"
    else:
        todo = (
            f"nothing was changed and the stack keeps the version with its previous minMetrics; {fixes} to accept it, "
            "or change retrainTriggers to train one that passes"
        )
    return failure(verb, name, arn, cause_text, todo)


def gate_names_cause(unknown: Sequence[str], reported: Iterable[str]) -> str:
    """Why `minMetrics` cannot be judged: entries naming metrics the solution never reports, and the names it does."""
    entries = ", ".join(f"minMetrics.{name}" for name in unknown)
    verb = "is not a metric" if len(unknown) == 1 else "are not metrics"
    return f"{entries} {verb} this solution reports (it reports {', '.join(sorted(reported))})"


GATE_NAMES_TODO = "fix or remove it, then run `pulumi up` again (no training was started)"


def _number(value: float) -> str:
    # repr round-trips: "lower to <value> or less" must really accept the value.
    return repr(float(value))


def failure_from(
    verb: str, name: Any, where: str, error: Exception, next_step: str | None = None
) -> SolutionVersionError:
    """`failure` for an error raised by boto3 or the client setup, with the remedy it calls for, then `next_step`."""
    step = next_step or NEXT_STEP.get(verb, "run `pulumi up` again")
    if is_transient(error):
        todo = f"Personalize or the network kept failing; {step} later"
    else:
        todo = f"{remedy(error) or 'fix the cause'}, then {step}"
    return failure(verb, name, where, cause(error), todo)


POLICY_HINT = (
    "grant it to the credentials the stack deploys with (`python -m personalize_pulumi.iam` prints the policy with "
    "every permission the provider needs)"
)
EXPLICIT_DENY_HINT = (
    "remove the Deny statement that refuses it from the policies of the credentials the stack deploys with"
)


def cause(error: BaseException) -> str:
    """What went wrong, in one line. A denial says which permission is missing: `<Operation> answered
    AccessDeniedException: needs IAM permission personalize:<Action> on <arn>`."""
    if isinstance(error, ClientError):
        permission = missing_permission(error)
        if permission is not None:
            explicitly = " (an explicit deny refuses it)" if explicit_deny(error) else ""
            return f"{error.operation_name} answered {ACCESS_DENIED}: needs IAM permission {permission}{explicitly}"
        message = error.response.get("Error", {}).get("Message", "")
        return f"{error.operation_name} answered {code(error)}: {message}"
    if isinstance(error, UnknownProfile):
        return str(error)
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials were found"
    if isinstance(error, BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def remedy(error: BaseException) -> str | None:
    """What the user can change to fix `error`, if it is something on their side."""
    if isinstance(error, UnknownProfile):
        return (
            f"set {error.source} to a profile that exists (`aws configure list-profiles`), or remove it to use the "
            "standard credential chain"
        )
    if isinstance(error, NoCredentialsError):
        return "provide AWS credentials (environment, the stack's aws:profile, or the profile input)"
    if isinstance(error, NoRegionError):
        return "set the stack's aws:region or the region input"
    if missing_permission(error) is not None:
        return EXPLICIT_DENY_HINT if explicit_deny(error) else POLICY_HINT
    if code(error) in (ACCESS_DENIED, "UnrecognizedClientException", "ExpiredTokenException"):
        return "check the credentials and their IAM permissions for Amazon Personalize"
    return None


# The failures of a create, update or delete, one function each: training.py and lifecycle.py decide which applies.

QUOTA_HINT = "20 solution versions pending or in progress per region"
IN_USE_HINT = "possibly another training of it or a dataset import"


def start_waiting_for(error: BaseException) -> str:
    """What a create is doing while CreateSolutionVersion answers `error` (a progress line, see `Progress.trouble`)."""
    if code(error) == QUOTA_CODE:
        return f"waiting for a free training slot ({QUOTA_HINT})"
    if code(error) == IN_USE_CODE:
        return f"waiting while the solution is in use ({IN_USE_HINT})"
    return "starting training"


ADOPTED_NEVER_ACTIVE = (
    "existingVersionArn must name a version that is ACTIVE or still training: adopt another one, or remove "
    "existingVersionArn to train one"
)
"""What to do when a version to adopt will never be ACTIVE."""


def with_remedy(error: BaseException, todo: str) -> str:
    """`todo`, preceded by what the user can change to fix `error` if it is on their side."""
    fix = remedy(error)
    return f"{fix}; {todo}" if fix else todo


def training_continues(arn: str, hint: str = "") -> str:
    """What becomes of a version still training when the create fails, and what to do."""
    return (
        "the training continues in AWS and is not lost: the next `pulumi up` resumes waiting (it adopts this "
        f"version{hint}), and `pulumi destroy` stops it; to abandon it now: "
        f"`aws personalize stop-solution-version-creation --solution-version-arn {arn}`"
    )


def late_cause(minutes: str, subject: str, status: str | None, error: BaseException | None, failures: int) -> str:
    """Why a wait ran out of `waitTimeoutMinutes`: the service kept failing, or `subject` was still `status`."""
    if error is not None:
        return (
            f"no answer from Personalize until waitTimeoutMinutes={minutes} ran out ({failures} failed calls in a "
            f"row; last: {cause(error)})"
        )
    return f"{subject} still {status} after waitTimeoutMinutes={minutes}"


def waiting_failed(name: Any, arn: str, error: BaseException) -> SolutionVersionError:
    return failure("waiting for", name, arn, cause(error), with_remedy(error, training_continues(arn)))


def waiting_ran_late(name: Any, arn: str, late: str) -> SolutionVersionError:
    todo = training_continues(arn, "; raise waitTimeoutMinutes to wait longer")
    return failure("waiting for", name, arn, late, todo)


def waiting_interrupted(name: Any, arn: str) -> SolutionVersionError:
    return failure("waiting for", name, arn, INTERRUPTED, training_continues(arn))


def training_ended(
    name: Any, arn: str, status: str, reason: str | None, next_attempt: str | None
) -> SolutionVersionError:
    """The version stopped being a training without becoming ACTIVE; `next_attempt` is the name the next `pulumi up`
    trains (None for an adopted version, which has none)."""
    retrain = (
        ADOPTED_NEVER_ACTIVE
        if next_attempt is None
        else f"run `pulumi up` again to train the next attempt ({next_attempt})"
    )
    if status == "CREATE FAILED":
        fix_then_retrain = retrain if next_attempt is None else f"fix the cause, then {retrain}"
        return failure(
            "waiting for",
            name,
            arn,
            f"the training ended CREATE FAILED: {reason or 'no reason given'}",
            fix_then_retrain,
        )
    stopped = " (it was stopped outside this stack)" if status in ("CREATE STOPPING", "CREATE STOPPED") else ""
    return failure("waiting for", name, arn, f"unexpected status {status}{stopped}", retrain)


def version_vanished(name: Any, arn: str) -> SolutionVersionError:
    cause_text = "the version no longer exists (was its solution deleted?)"
    return failure("waiting for", name, arn, cause_text, "run `pulumi up` again once the solution exists")


def adopted_unreadable(name: Any, arn: str, error: BaseException) -> SolutionVersionError:
    return failure("creating", name, arn, cause(error), _then(error, "creating"))


def adopted_missing(name: Any, arn: str, solution_arn: str) -> SolutionVersionError:
    todo = f"fix existingVersionArn (aws personalize list-solution-versions --solution-arn {solution_arn})"
    return failure("creating", name, arn, "existingVersionArn names no version (or its solution was deleted)", todo)


def adopted_ended(name: Any, arn: str, status: str, reason: str | None) -> SolutionVersionError:
    because = f" ({reason})" if reason else ""
    return failure("creating", name, arn, f"the version ended {status}{because}", ADOPTED_NEVER_ACTIVE)


def unreportable_metrics(
    name: Any, solution_arn: str, unknown: Sequence[str], reported: Iterable[str]
) -> SolutionVersionError:
    return failure("creating", name, f"solution {solution_arn}", gate_names_cause(unknown, reported), GATE_NAMES_TODO)


def solution_unusable(
    name: Any, solution_arn: str, status: str | None, reason: str | None, region: str | None = None
) -> SolutionVersionError:
    """The solution does not exist in `region` (where it was looked for; `status` None) or will not become ACTIVE."""
    where = f"solution {solution_arn}"
    if status is None:
        looked = f" in {region}, where it was looked for" if region else ""
        todo = "create it first, or fix solutionArn (its region is where the version trains)"
        return failure("creating", name, where, f"the solution does not exist{looked}", todo)
    cause_text = f"the solution is {status}" + (f" ({reason})" if reason else "")
    todo = "a version can only be trained from an ACTIVE solution; fix it, then run `pulumi up` again"
    return failure("creating", name, where, cause_text, todo)


def endpoint_unreachable(
    name: Any, solution_arn: str, endpoint: str, waited: str, error: BaseException
) -> SolutionVersionError:
    """Before any training, the endpoint gave no answer at all for `waited`."""
    cause_text = f"no answer from {endpoint} for {waited} ({cause(error)}); no training was started"
    todo = (
        "check the region, the endpoint (AWS_ENDPOINT_URL, a proxy) and the network from where `pulumi up` runs, "
        "then run it again"
    )
    return failure("creating", name, f"solution {solution_arn}", cause_text, todo)


def solution_late(name: Any, solution_arn: str, late: str) -> SolutionVersionError:
    return failure("creating", name, f"solution {solution_arn}", late, NEXT_STEP["creating"])


def name_refused_but_unlisted(name: Any, solution_arn: str) -> SolutionVersionError:
    cause_text = "Personalize refused the name as taken, but lists no version of the solution with it"
    return failure("creating", name, f"solution {solution_arn}", cause_text, "run `pulumi up` again")


def name_held_by_another(name: Any, holder_arn: str, solution_arn: str) -> SolutionVersionError:
    cause_text = (
        f"Personalize refused the name: version {holder_arn} has it, and it is not this stack's (it carries no marker "
        "of this resource); it was neither adopted nor touched, and no training was started"
    )
    todo = (
        "give this model a name no other stack uses (or leave `name` out: a derived name is the stack's own), or adopt "
        "that version on purpose with existingVersionArn"
    )
    return failure("creating", name, f"solution {solution_arn}", cause_text, todo)


def search_failed(name: Any, solution_arn: str, error: BaseException) -> SolutionVersionError:
    """Looking for this resource's attempts (before, or between, CreateSolutionVersion calls) kept failing."""
    todo = "run `pulumi up` again: it adopts a training this run started, if any (`pulumi destroy` stops it)"
    cause_text = f"could not look for this resource's trainings: {cause(error)}"
    return failure("creating", name, f"solution {solution_arn}", cause_text, with_remedy(error, todo))


def start_ran_late(
    name: Any, solution_arn: str, minutes: str, error: BaseException, unanswered: bool = False
) -> SolutionVersionError:
    """CreateSolutionVersion kept failing (or the quota stayed full, or the solution in use) until the wait budget ran
    out; `unanswered`: some try got no answer, so it may have started the training."""
    last = cause(error)
    adopts = "run `pulumi up` again (it adopts the training if one of the tries started it)"
    if code(error) == QUOTA_CODE:
        cause_text = f"no free training slot ({QUOTA_HINT}) within waitTimeoutMinutes={minutes}: {last}"
        when = "when fewer trainings run"
    elif code(error) == IN_USE_CODE:
        cause_text = f"the solution stayed in use ({IN_USE_HINT}) until waitTimeoutMinutes={minutes} ran out: {last}"
        when = "once the solution is free"
    else:
        cause_text = f"CreateSolutionVersion kept failing until waitTimeoutMinutes={minutes} ran out ({last})"
        return failure("creating", name, f"solution {solution_arn}", cause_text, adopts)
    if unanswered:
        todo = f"{adopts}, or raise waitTimeoutMinutes"
    else:
        todo = f"no training was started; run `pulumi up` again {when} or raise waitTimeoutMinutes"
    return failure("creating", name, f"solution {solution_arn}", cause_text, todo)


def metrics_unreadable_for_gate(name: Any, arn: str, error: BaseException | None) -> SolutionVersionError:
    problem = cause(error) if error is not None else "no answer"
    again = "the next `pulumi up` adopts it and judges it again"
    todo = again if error is None else with_remedy(error, again)
    return failure("creating", name, arn, f"its metrics could not be read to judge minMetrics: {problem}", todo)


def tags_not_set(name: Any, arn: str, error: BaseException) -> SolutionVersionError:
    return failure("creating", name, arn, f"its tags could not be set: {cause(error)}", _then(error, "creating"))


def denied_before_training(name: Any, solution_arn: str, error: BaseException) -> SolutionVersionError:
    """A permission the training needs once it runs is missing (checked before it starts: provider/permissions.py)."""
    todo = f"{_then(error, 'creating')}; a create checks the permissions its training needs before it starts one"
    return failure("creating", name, f"solution {solution_arn}", cause(error), todo)


def _then(error: BaseException, verb: str) -> str:
    """What the user can change to fix `error`, if anything, then the next step of `verb`."""
    fix, again = remedy(error), NEXT_STEP[verb]
    return f"{fix}, then {again}" if fix else again


def started_version_unreachable(
    name: Any, solution_arn: str, arn: str | None, active: bool, error: BaseException
) -> SolutionVersionError:
    """A call after CreateSolutionVersion kept failing: what becomes of the version (`arn` None: not known yet)."""
    if arn is None:
        where, todo = f"solution {solution_arn}", "run `pulumi up` again: it adopts a version this run started"
    elif active:
        where, todo = arn, "the version is trained and not lost: the next `pulumi up` adopts it"
    else:
        where, todo = arn, training_continues(arn)
    return failure("creating", name, where, cause(error), with_remedy(error, todo))


def updated_version_gone(name: Any, arn: str) -> SolutionVersionError:
    todo = "run `pulumi refresh`; the next `pulumi up` then trains a new one"
    return failure("updating", name, arn, "it no longer exists", todo)


def delete_interrupted(name: Any, arn: str) -> SolutionVersionError:
    return failure(
        "deleting", name, arn, INTERRUPTED, "the stop goes on in AWS; run `pulumi destroy` again to see it through"
    )


def stop_ran_late(
    name: Any, arn: str, minutes: int, status: str | None, error: BaseException | None, failures: int
) -> SolutionVersionError:
    cause_text = (
        f"still {status} {minutes} minutes after StopSolutionVersionCreation"
        if error is None
        else f"DescribeSolutionVersion kept failing ({failures} tries; last: {cause(error)})"
    )
    return failure("deleting", name, arn, cause_text, "run `pulumi destroy` again to keep waiting")


def interrupted(verb: str, name: Any, where: str) -> SolutionVersionError:
    """The engine cancelled (the first Ctrl-C) while `verb`ing, outside a wait that says more."""
    return failure(verb, name, where, INTERRUPTED, AFTER_INTERRUPT[verb])


def model_not_trained(component: str, child: str, detail: str | None) -> SolutionVersionError:
    """A TrainedModel of the plugin (plugin/component.py) whose SolutionVersion failed: that failure was said on the
    child's own row, so this line only points there."""
    cause = f" ({detail})" if detail else " (its error is on the SolutionVersion's row above)"
    return SolutionVersionError(f"{component}: its model {child} was not trained{cause}")


def owner_not_importable(name: str) -> SolutionVersionError:
    """`pulumi import` of a plugin's TrainingOwner (plugin/owner.py): nothing on the service is one."""
    return SolutionVersionError(
        f"{name}: a TrainingOwner cannot be imported (nothing on the service is one); declare it, or a TrainedModel, "
        "which declares its own, and `pulumi up` creates it with no AWS call"
    )
