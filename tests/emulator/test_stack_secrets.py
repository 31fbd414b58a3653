"""The secrets provider of the stacks `personalize_stack` and the suite make (engine.secrets_provider): a KMS key of
the emulator when the stack's commands hold its root credentials, else the passphrase."""

from __future__ import annotations

import boto3

from personalize_pulumi.engine import secrets_provider
from tests.helpers import REGION


def test_an_emulator_stack_gets_a_kms_key_of_the_emulator_that_encrypts(emulator):
    env = emulator.env(REGION)
    provider = secrets_provider(env)
    assert provider.startswith("awskms://") and f"endpoint={emulator.url}" in provider
    key = provider.removeprefix("awskms://").split("?", 1)[0]
    kms = boto3.client("kms", region_name=REGION, endpoint_url=emulator.url)
    sealed = kms.encrypt(KeyId=key, Plaintext=b"owner token")["CiphertextBlob"]
    assert b"owner token" not in sealed and kms.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"owner token"


def test_other_stacks_keep_the_passphrase(emulator):
    env = emulator.env(REGION)
    assert secrets_provider({}) == "passphrase", "no emulator"
    assert secrets_provider({**env, "AWS_ACCESS_KEY_ID": "AKIAIAMUSER"}) == "passphrase", "an IAM user of it"
