"""The pull-request workflow users copy (examples/github-actions/pulumi-preview.yml): it passes actionlint (built by
scripts/actionlint; a broken copy fails it, so the check can fail), its actions are pinned, and its `run:` scripts do
what the README beside it says, run as GitHub runs them with `pulumi` and `gh` replaced by fakes: the comment keeps
the preview's stdout and stderr, stays under GitHub's size limit, and is one comment per stack, edited on each push.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.packaging import ROOT

WORKFLOW = ROOT / "examples" / "github-actions" / "pulumi-preview.yml"
ACTIONLINT = ROOT / "scripts" / "actionlint"
COMMENT_LIMIT = 65_536
"""GitHub refuses an issue comment body longer than this many characters."""
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTIONLINT), *map(str, files)], capture_output=True, text=True, timeout=280)


def steps() -> dict[str, dict[str, Any]]:
    """The workflow's steps by name (or by action, for an unnamed `uses:` step)."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    return {step.get("name", step.get("uses", "")): step for step in job["steps"]}


def run_step(name: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a step's script as a GitHub-hosted runner does with `shell: bash`, fakes first on PATH."""
    script = tmp_path / (re.sub(r"\W+", "-", name) + ".sh")
    script.write_text(steps()[name]["run"])
    base = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path)}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env={**base, "STACK": "acme/prod", "GITHUB_REPOSITORY": "acme/infra", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def fake(tmp_path: Path, name: str, body: str) -> None:
    """An executable `name` in tmp_path/bin that runs the bash `body`."""
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_the_example_workflows_pass_actionlint():
    done = actionlint()
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("steps.preview.outcome != 'skipped' }}", "steps.preveiw.outcome != 'skipped' }}"), 'property "preveiw"'),
        (("  pull_request:\n", "  pull_requests:\n"), 'unknown Webhook event "pull_requests"'),
        (("    runs-on: ubuntu-latest\n", ""), '"runs-on" section is missing'),
    ],
)
def test_actionlint_fails_a_broken_copy(tmp_path, change, complaint):
    text = WORKFLOW.read_text()
    assert change[0] in text
    broken = tmp_path / "pulumi-preview.yml"
    broken.write_text(text.replace(change[0], change[1], 1))
    done = actionlint(broken)
    assert done.returncode == 1, done.stdout + done.stderr
    assert complaint in done.stdout


def test_every_action_is_pinned_to_a_commit_named_by_its_version():
    """`uses:` lines, the commented-out credentials step's included: a full commit SHA, the release in a comment."""
    uses = [m.group(1) for m in re.finditer(r"^[\s#-]*uses: (.+)$", WORKFLOW.read_text(), re.MULTILINE)]
    assert len(uses) >= 4
    assert [line for line in uses if not PINNED.match(line)] == []


def test_run_scripts_read_expressions_only_through_env():
    """`${{ }}` inside a script is pasted into it unquoted (a branch name could run code): values arrive as env."""
    assert [name for name, step in steps().items() if "${{" in step.get("run", "")] == []


@pytest.mark.parametrize("exit_code", [0, 255])
def test_the_preview_step_captures_stdout_and_stderr_and_keeps_the_exit_code(tmp_path, exit_code):
    fake(
        tmp_path,
        "pulumi",
        f'echo "$*" > "$RUNNER_TEMP/args"\n'
        "echo '    +-pulumi-python:dynamic/personalize:SolutionVersion: (replace)'\n"
        "echo 'recs-version: trains a new version because trainingMode changes' >&2\n"
        f"exit {exit_code}",
    )
    done = run_step("pulumi preview --diff", tmp_path, {})
    assert done.returncode == exit_code
    captured = (tmp_path / "preview.txt").read_text()
    assert "(replace)" in captured
    assert "recs-version: trains a new version because trainingMode changes" in captured
    args = (tmp_path / "args").read_text().split()
    assert args[:2] == ["preview", "--diff"] and "--non-interactive" in args
    assert args[args.index("--stack") + 1] == "acme/prod"
    assert args[args.index("--color") + 1] == "never"


def summarize(tmp_path: Path, preview: str) -> tuple[str, str]:
    """Run the summary step over `preview`; return the comment body and the job summary."""
    (tmp_path / "preview.txt").write_text(preview)
    (tmp_path / "summary.md").write_text("earlier step's summary\n")
    done = run_step(
        "Write the preview to the job summary",
        tmp_path,
        {
            "OUTCOME": "failure",
            "SHA": "0123abc",
            "RUN_URL": "https://github.example/acme/infra/actions/runs/7",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        },
    )
    assert done.returncode == 0, done.stderr
    return (tmp_path / "preview-comment.md").read_text(), (tmp_path / "summary.md").read_text()


def test_the_comment_holds_the_whole_preview_in_a_fence(tmp_path):
    preview = "Previewing update (acme/prod)\nrecs-version: no training; retags it\nResources:\n    1 to update"
    body, summary = summarize(tmp_path, preview)
    lines = body.splitlines()
    assert lines[0] == "<!-- pulumi-preview acme/prod -->"
    assert "`acme/prod`: failure" in lines[1]
    assert "0123abc" in body and "actions/runs/7" in body
    assert body.endswith(f"````text\n{preview}\n````\n")
    assert summary == "earlier step's summary\n" + body


def test_a_long_preview_keeps_its_head_and_tail_within_the_comment_limit(tmp_path):
    middle = "".join(f"    ~ tags: {{ n: {i} }} => {{ n: {i + 1} }}\n" for i in range(20_000))
    preview = "Previewing update (acme/prod)\n" + middle + "Resources:\n    20000 to update"
    body, _ = summarize(tmp_path, preview)
    assert len(body) < COMMENT_LIMIT
    assert "Previewing update (acme/prod)" in body
    assert body.endswith("Resources:\n    20000 to update\n````\n")
    assert re.search(r"\[\.\.\. \d+ bytes left out: the run log has the whole preview \.\.\.\]", body)


GH = """echo "$*" >> "$RUNNER_TEMP/gh-calls"
case "$*" in
  *--paginate*) printf '%s' "$EXISTING" ;;
esac"""
"""A fake `gh` that logs its arguments and answers the comment listing (after --jq) with $EXISTING."""


@pytest.mark.parametrize(
    ("existing", "call"),
    [
        ("", "api --method POST repos/acme/infra/issues/12/comments -F body=@{body}"),
        ("901\n902", "api --method PATCH repos/acme/infra/issues/comments/901 -F body=@{body}"),
    ],
)
def test_one_comment_per_stack_edited_on_each_push(tmp_path, existing, call):
    body = tmp_path / "preview-comment.md"
    body.write_text("<!-- pulumi-preview acme/prod -->\n#### preview\n")
    fake(tmp_path, "gh", GH)
    done = run_step("Comment on the pull request", tmp_path, {"PR": "12", "GH_TOKEN": "t", "EXISTING": existing})
    assert done.returncode == 0, done.stderr
    listing, posting = (tmp_path / "gh-calls").read_text().splitlines()
    assert listing.startswith("api --paginate repos/acme/infra/issues/12/comments --jq ")
    assert 'startswith("<!-- pulumi-preview acme/prod -->")' in listing
    assert posting == call.format(body=body)
