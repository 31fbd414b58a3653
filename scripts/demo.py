"""A short tour of the local Personalize emulator with a plain boto3 client (no Pulumi involved).

Run by `scripts/main-job --demo`, or by hand with AWS_ENDPOINT_URL_PERSONALIZE pointing at a running emulator.
"""

from __future__ import annotations

import time

import boto3


def wait(read, target: str) -> str:
    status = read()
    while status not in (target, "CREATE FAILED", "CREATE STOPPED"):
        time.sleep(0.25)
        status = read()
    return status


def main() -> None:
    client = boto3.client("personalize")
    stamp = time.strftime("%H%M%S")
    group = client.create_dataset_group(name=f"demo-{stamp}")["datasetGroupArn"]
    print("dataset group:", group, wait(lambda: client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], "ACTIVE"))
    solution = client.create_solution(
        name=f"demo-{stamp}", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    print("solution:", solution, wait(lambda: client.describe_solution(solutionArn=solution)["solution"]["status"], "ACTIVE"))
    version = client.create_solution_version(solutionArn=solution, tags=[{"tagKey": "team", "tagValue": "demo"}])
    arn = version["solutionVersionArn"]
    last = None
    while last not in ("ACTIVE", "CREATE FAILED"):
        status = client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]
        if status != last:
            print("solution version:", arn, status)
            last = status
        time.sleep(0.25)
    print("metrics:", client.get_solution_metrics(solutionVersionArn=arn)["metrics"])
    print("tags:", client.list_tags_for_resource(resourceArn=arn)["tags"])


if __name__ == "__main__":
    main()
