"""The docs' reference pages cannot drift from the code: they are generated from its declarations, and every input is
declared with a doc, a default and a change class."""

from __future__ import annotations

import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from personalize_pulumi.provider import properties
from personalize_pulumi.provider.resource import SolutionVersionArgs
from personalize_pulumi.trained_model import TrainedModelArgs

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "docs_reference.py"
_spec = importlib.util.spec_from_file_location("docs_reference", _SCRIPT)
assert _spec is not None and _spec.loader is not None
docs_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_reference)


def test_the_reference_pages_are_what_the_declarations_generate():
    assert docs_reference.main(["--check"]) == 0, "run: python scripts/docs_reference.py"


@pytest.mark.parametrize("python", list(docs_reference.parameters(SolutionVersionArgs.__init__)))
def test_every_solution_version_input_has_a_state_key_doc_default_and_change_class(python):
    key = properties.INPUTS[python]
    assert docs_reference.param_docs(SolutionVersionArgs.__init__).get(python), f"{python} has no :param doc"
    assert key in properties.DEFAULTS, f"{key} has no entry in properties.DEFAULTS"
    classes = [properties.REPLACE_ON_CHANGE, properties.UPDATE_IN_PLACE, properties.OPERATIONAL]
    assert sum(key in declared for declared in classes) == 1, f"{key} must be in exactly one change class"


def test_every_declared_input_is_a_parameter_of_the_args():
    assert list(properties.INPUTS) == list(docs_reference.parameters(SolutionVersionArgs.__init__))


@pytest.mark.parametrize("python", list(docs_reference.parameters(TrainedModelArgs.__init__)))
def test_every_trained_model_input_has_a_doc(python):
    assert docs_reference.param_docs(TrainedModelArgs.__init__).get(python), f"{python} has no :param doc"


def test_the_check_fails_on_a_stale_page(tmp_path, monkeypatch):
    monkeypatch.setattr(docs_reference, "PAGES", tmp_path)
    assert docs_reference.main(["--check"]) == 1
    assert docs_reference.main([]) == 0 and docs_reference.main(["--check"]) == 0


ROOT = Path(__file__).resolve().parents[2]


def test_every_message_of_the_provider_has_an_entry_on_the_errors_page():
    from personalize_pulumi.provider import errors

    page = (ROOT / "docs" / "errors.md").read_text()
    messages = [
        name
        for name, function in inspect.getmembers(errors, inspect.isfunction)
        if function.__module__ == errors.__name__
        and not name.startswith("_")
        and inspect.signature(function).return_annotation == "SolutionVersionError"
    ]
    assert len(messages) > 15
    assert [name for name in messages if f"`{name}`" not in page] == []


FORMATTING_HELPERS = {"duration", "polled", "attempt_label"}
"""Pieces of lines (a duration, a status, an attempt's label), not lines of their own."""


def test_every_line_of_the_provider_that_is_not_an_error_has_an_entry_on_the_errors_page():
    from personalize_pulumi.provider import messages

    page = (ROOT / "docs" / "errors.md").read_text()
    lines = [
        name
        for name, function in inspect.getmembers(messages, inspect.isfunction)
        if function.__module__ == messages.__name__ and not name.startswith("_") and name not in FORMATTING_HELPERS
    ]
    assert len(lines) > 10
    assert [name for name in lines if f"`{name}`" not in page] == []


def test_the_reviewers_lines_are_diffs_and_the_errors_page_says_where_each_kind_of_text_lives():
    from personalize_pulumi.provider import diffs

    page = (ROOT / "docs" / "errors.md").read_text()
    assert all(callable(getattr(diffs, name)) for name in ("explain", "explain_create", "explain_drift"))
    for home in ("provider/errors.py", "provider/checks.py", "provider/diffs.py", "provider/messages.py"):
        assert home in page, home


def test_the_set_mocks_recipe_of_the_testing_page_passes(tmp_path):
    page = (ROOT / "docs" / "testing.md").read_text()
    blocks = [block.split("```", 1)[0] for block in page.split("```python\n")[1:]]
    [recipe] = [block for block in blocks if "set_mocks" in block]
    (tmp_path / "test_recipe.py").write_text(recipe)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


def test_every_input_is_declared_once_with_a_doc_a_default_and_a_change():
    from typing import get_args

    declared = properties.SOLUTION_VERSION_INPUTS
    assert len({i.key for i in declared}) == len({i.python for i in declared}) == len(declared)
    for declaration in declared:
        assert declaration.doc.strip() and declaration.default.text.strip(), declaration.python
        assert declaration.change in get_args(properties.Change), declaration.python
        camel = declaration.python.split("_")[0] + "".join(w.title() for w in declaration.python.split("_")[1:])
        assert declaration.key == camel, f"{declaration.python}: state keys are the camelCase of the Python name"


def test_the_docs_site_builds_strictly_and_a_broken_link_fails_it(tmp_path):
    docs = ROOT / "scripts" / "docs"
    built = subprocess.run([str(docs), str(tmp_path / "site")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "index.html").is_file()

    broken = tmp_path / "docs"
    subprocess.run(["cp", "-r", str(ROOT / "docs"), str(broken)], check=True)
    with (broken / "index.md").open("a") as page:
        page.write("\n[a page that does not exist](nowhere.md)\n")
    failed = subprocess.run([str(docs)], capture_output=True, text=True, env={**os.environ, "DOCS_DIR": str(broken)})
    assert failed.returncode == 1
    assert "nowhere.md" in failed.stderr


def test_lint_builds_the_docs(tmp_path):
    """scripts/lint (which scripts/test and CI run) calls scripts/docs: run a copy of it whose Python is a no-op and
    whose scripts/docs leaves a mark."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "lint", tmp_path / "scripts" / "lint")
    marker = tmp_path / "docs-built"
    for path, body in (
        (tmp_path / "scripts" / "docs", f"#!/bin/sh\ntouch {marker}\n"),
        (tmp_path / ".venv" / "bin" / "python", "#!/bin/sh\nexit 0\n"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
        path.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "VENV"}
    subprocess.run([str(tmp_path / "scripts" / "lint")], check=True, env=env)
    assert marker.exists()


def test_one_run_writes_a_changed_declaration_into_the_pages_and_the_source(tmp_path, monkeypatch):
    import dataclasses

    (tmp_path / "provider").mkdir()
    for relative in ("provider/resource.py", "trained_model.py"):
        shutil.copy(docs_reference.PACKAGE / relative, tmp_path / relative)
    monkeypatch.setattr(docs_reference, "PACKAGE", tmp_path)
    monkeypatch.setattr(docs_reference, "PAGES", tmp_path / "reference")
    changed = tuple(
        dataclasses.replace(declared, doc=declared.doc + " A sentence added today.")
        if declared.key == "tags"
        else declared
        for declared in properties.SOLUTION_VERSION_INPUTS
    )
    monkeypatch.setattr(properties, "SOLUTION_VERSION_INPUTS", changed)

    assert docs_reference.main([]) == 0

    for written in (tmp_path / "reference" / "solution-version.md", tmp_path / "provider" / "resource.py"):
        assert "A sentence added today." in written.read_text(), written
