"""The response-shape check the `personalize` fixture applies to every 200 answer can fail, so it is not vacuous."""

from __future__ import annotations

from personalize_pulumi.emulator.shape_validation import validate_output

VERSION_ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s/0badc0de"


def test_a_well_formed_body_passes():
    body = {"solutionVersionArn": VERSION_ARN, "metrics": {"coverage": 0.5, "precision_at_5": 1}}

    assert validate_output("GetSolutionMetrics", body) == []


def test_a_wrong_type_is_reported():
    errors = validate_output("GetSolutionMetrics", {"solutionVersionArn": VERSION_ARN, "metrics": {"coverage": "high"}})

    assert errors == ["Value at 'metrics.coverage' must be a number."]


def test_an_unknown_member_is_reported():
    body = {"solutionVersion": {"solutionVersionArn": VERSION_ARN, "status": "ACTIVE", "trainingSeconds": 12}}

    assert validate_output("DescribeSolutionVersion", body) == ["Unknown member 'solutionVersion.trainingSeconds'."]


def test_a_timestamp_that_is_not_epoch_seconds_is_reported():
    body = {"solutionVersion": {"creationDateTime": "2024-01-01T00:00:00Z"}}

    errors = validate_output("DescribeSolutionVersion", body)

    assert errors == ["Value at 'solutionVersion.creationDateTime' must be epoch seconds."]


def test_an_enum_violation_is_reported():
    body = {"solutionVersion": {"trainingMode": "PARTIAL"}}

    (error,) = validate_output("DescribeSolutionVersion", body)
    assert "Member must satisfy enum value set" in error
