"""Benchmark: the CPU of engine commands of a test stack whose secrets are under an empty passphrase, and under a KMS
key of the emulator (what `personalize_stack` and the suite's stacks use, `engine.secrets_provider`).

The real Go CLI (from scripts/pulumi-cli) runs commands that open the stack's secrets manager on a YAML project (no
language host needed): `config set --secret` once, then `config get` of that secret and `stack export --show-secrets`,
each `--repeats` times, per secrets provider, all in one run. Reports the CPU (user + system) of the CLI processes
per command, and KMS/passphrase. The passphrase provider derives its key with 1,000,000 rounds of PBKDF2-SHA256 in
every command (sdk/go/common/resource/config/crypt.go); the KMS provider decrypts one data key with a call to the
emulator (whose own CPU is counted too: it runs in this benchmark's child process, measured at the end).
Run: `.venv/bin/python -m benchmarks.stack_secrets [--repeats 10]`. Results are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import tempfile
from pathlib import Path

from harness.automation import pulumi_cli
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.engine import engine_env, secrets_provider

REGION = "us-east-1"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(cli: Path, emulator: EmulatorProcess, provider: str, folder: Path, repeats: int) -> dict[str, float]:
    """CPU seconds per command of each kind, for a new stack under `provider` ('passphrase' or 'kms')."""
    (folder / "state").mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text("name: secrets-bench\nruntime: yaml\n")
    env = {**os.environ, **engine_env(folder, emulator.env(REGION))}
    chosen = "passphrase" if provider == "passphrase" else secrets_provider(emulator.env(REGION))

    def run(*words: str) -> None:
        subprocess.run([str(cli), "--non-interactive", *words], cwd=folder, env=env, check=True, capture_output=True)

    results: dict[str, float] = {}
    for label, words, times in (
        ("stack init", ("stack", "init", "dev", "--secrets-provider", chosen), 1),
        ("config set --secret", ("config", "set", "--secret", "token", "s3cr3t"), 1),
        ("config get (secret)", ("config", "get", "token"), repeats),
        ("stack export --show-secrets", ("stack", "export", "--show-secrets"), repeats),
    ):
        before = children_cpu()
        for _ in range(times):
            run(*words)
        results[label] = (children_cpu() - before) / times
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    cli = pulumi_cli()
    emulator = EmulatorProcess()
    try:
        with tempfile.TemporaryDirectory() as work:
            emulator_before = process_cpu(emulator.process.pid)
            passphrase = measure(cli, emulator, "passphrase", Path(work) / "passphrase", args.repeats)
            emulator_passphrase = process_cpu(emulator.process.pid) - emulator_before
            emulator_before = process_cpu(emulator.process.pid)
            kms = measure(cli, emulator, "kms", Path(work) / "kms", args.repeats)
            emulator_kms = process_cpu(emulator.process.pid) - emulator_before
    finally:
        emulator.stop()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {cli}")
    print(f"{'command':30} {'passphrase':>12} {'kms':>12} {'kms/passphrase':>15}   (CLI CPU s per command)")
    for label in passphrase:
        ratio = kms[label] / passphrase[label] if passphrase[label] else float("nan")
        print(f"{label:30} {passphrase[label]:12.3f} {kms[label]:12.3f} {ratio:15.2f}")
    commands = 2 + 2 * args.repeats
    print(
        f"emulator CPU per command: passphrase {emulator_passphrase / commands:.3f} s, "
        f"kms {emulator_kms / commands:.3f} s"
    )


if __name__ == "__main__":
    main()
