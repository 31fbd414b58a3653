"""The package schema of the `personalize` plugin, generated from the resource's declarations (properties.py).

`GetSchema` returns it (`pulumi package get-schema personalize`), SDK generators read it, and the repository keeps a
copy in `schema.json` (`python -m personalize_pulumi.plugin.schema > schema.json`; tests/plugin/test_schema.py fails
when the copy is stale). Every description, default and replace-on-change comes from the one declaration of its input
or output: nothing here restates one.
"""

from __future__ import annotations

import json
import re
import sys
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from ..provider.properties import (
    DEFAULT_TAGS_CONFIG,
    REPLACE_ON_CHANGE,
    SOLUTION_VERSION_INPUTS,
    Input,
    SolutionVersionState,
    StateKey,
    ValueType,
)
from . import PACKAGE, SOLUTION_VERSION_TOKEN, TRAINED_MODEL_TOKEN, TRAINING_OWNER_TOKEN
from .component import CHILD_SUFFIX, TRAINED_MODEL_INPUTS, TRAINED_MODEL_OUTPUTS
from .config import CONFIG_VARIABLES
from .owner import OWNER_INPUT_DOCS, REPLACES, VERSION_NAME

_TYPES: dict[ValueType, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "string-map": {"type": "object", "additionalProperties": {"type": "string"}},
    "number-map": {"type": "object", "additionalProperties": {"type": "number"}},
    "any-map": {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}},
}
_PYTHON_TYPES: dict[Any, ValueType] = {
    str: "string",
    float: "number",
    dict[str, str]: "string-map",
    dict[str, float]: "number-map",
}
"""The value types `SolutionVersionState` annotates its outputs with (`StateKey[str]`, `StateKey[str | None]`, ...)."""


RESOURCE_DESCRIPTION = (
    "An Amazon Personalize solution version (a trained model): `pulumi up` trains it and waits until it is ACTIVE, "
    "and a version below `minMetrics` never enters the stack. Deleting it stops a training still in progress; an "
    "ACTIVE, failed or stopped version is only removed from the stack (Personalize has no API to delete one). "
    "Changing the solution, name, training mode, retrain triggers or adopted version trains (or adopts) a new "
    "version; changing tags or `minMetrics` updates it in place. "
    "`pulumi import personalize:index:SolutionVersion <name> <version ARN>` adopts an existing version."
)


TRAINED_MODEL_DESCRIPTION = (
    f"A trained Amazon Personalize model: a component whose child, the SolutionVersion `<name>{CHILD_SUFFIX}`, "
    "trains it (with the team's tags, training mode, retrain triggers and `minMetrics` gate); its outputs are the "
    "version's. `versionArn` only ever names a version that passed `minMetrics`."
)


TRAINING_OWNER_DESCRIPTION = (
    "What makes `pulumi destroy` stop a training that a killed `pulumi up` started (the state holds no such "
    "version, only a pending create): deleting it, after its SolutionVersion, stops every version of the solution "
    "still training that this stack started for that resource, and no other. A TrainedModel declares its own; a "
    "program that declares a bare SolutionVersion declares one beside it, with `versionName` its name, and gives the "
    "version `dependsOn` it. It makes no AWS call but that one, and cannot be imported."
)


def _owner_properties() -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = {}
    for key, doc in OWNER_INPUT_DOCS.items():
        properties[key] = {"type": "string", "description": doc}
        if key in REPLACES:
            properties[key]["replaceOnChanges"] = True
    return properties


def _state_keys() -> dict[str, str]:
    """Python name -> state key, of every input and output: what the schema's readers (YAML, TypeScript, Go) call
    them."""
    keys = {i.python: i.key for i in SOLUTION_VERSION_INPUTS}
    for attribute, value in vars(SolutionVersionState).items():
        if isinstance(value, StateKey):
            keys[attribute] = value.key
    return keys


def _described(doc: str) -> str:
    """A docstring as the schema says it: each `snake_case` name of an input or output as its state key."""
    keys = _state_keys()
    return re.sub(r"`([a-z][a-z0-9_]*)`", lambda m: f"`{keys.get(m.group(1), m.group(1))}`", doc)


def _input_property(declared: Input) -> dict[str, Any]:
    spec: dict[str, Any] = {**_TYPES[declared.type], "description": _described(declared.doc)}
    if declared.default.value is not None and not isinstance(declared.default.value, dict):
        spec["default"] = declared.default.value
    if declared.key in REPLACE_ON_CHANGE:
        spec["replaceOnChanges"] = True
    return spec


def _output_properties() -> dict[str, dict[str, Any]]:
    """Every state key `SolutionVersionState` declares, typed from its annotation, described by its docstring."""
    hints = get_type_hints(SolutionVersionState)
    inputs = {i.key: i for i in SOLUTION_VERSION_INPUTS}
    docs = _attribute_docs(SolutionVersionState)
    properties: dict[str, dict[str, Any]] = {}
    for attribute, value in vars(SolutionVersionState).items():
        if not isinstance(value, StateKey):
            continue
        if value.key in inputs:
            properties[value.key] = {**_TYPES[inputs[value.key].type], "description": _described(docs[attribute])}
            continue
        (held,) = get_args(hints[attribute])
        if get_origin(held) in (Union, UnionType):  # `str | None` is a string
            (held,) = [arg for arg in get_args(held) if arg is not type(None)]
        properties[value.key] = {**_TYPES[_PYTHON_TYPES[held]], "description": _described(docs[attribute])}
    for declared in SOLUTION_VERSION_INPUTS:  # inputs echoed in the state that the class does not type
        properties.setdefault(declared.key, {**_TYPES[declared.type], "description": _described(declared.doc)})
    return properties


def _attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each attribute of `cls` (what IDEs show), read from its source."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for statement, following in zip(body, body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def schema() -> dict[str, Any]:
    """The package schema (https://www.pulumi.com/docs/iac/guides/building-extending/packages/schema/)."""
    inputs = {i.key: _input_property(i) for i in SOLUTION_VERSION_INPUTS}
    outputs = _output_properties()
    always = ["solutionVersionArn", "versionName", "status", "solutionArn", "tagsAll", "metrics"]
    return {
        "name": PACKAGE,
        "displayName": "Amazon Personalize trained models",
        "description": "Amazon Personalize solution versions (trained models) as Pulumi resources.",
        "keywords": ["pulumi", "aws", "personalize", "category/cloud", "kind/native"],
        "license": "Apache-2.0",
        "publisher": "personalize-pulumi maintainers",
        "config": {"variables": CONFIG_VARIABLES},
        "provider": {
            "description": "The provider of Amazon Personalize trained models; its config is the `personalize:` "
            f"namespace of the stack (credentials come from the standard AWS chain; `{DEFAULT_TAGS_CONFIG}` "
            "is pulumi-aws's and is not read: use `personalize:defaultTags`).",
            "inputProperties": CONFIG_VARIABLES,
        },
        "resources": {
            SOLUTION_VERSION_TOKEN: {
                "description": RESOURCE_DESCRIPTION,
                "properties": outputs,
                "required": [key for key in always if key in outputs],
                "inputProperties": inputs,
                "requiredInputs": [i.key for i in SOLUTION_VERSION_INPUTS if i.default.text == "required"],
            },
            TRAINING_OWNER_TOKEN: {
                "description": TRAINING_OWNER_DESCRIPTION,
                "properties": _owner_properties(),
                "required": ["solutionArn", VERSION_NAME],
                "inputProperties": _owner_properties(),
                "requiredInputs": ["solutionArn", VERSION_NAME],
            },
            TRAINED_MODEL_TOKEN: {
                "isComponent": True,
                "description": TRAINED_MODEL_DESCRIPTION,
                "inputProperties": {i.key: _input_property(i) for i in TRAINED_MODEL_INPUTS},
                "requiredInputs": [i.key for i in TRAINED_MODEL_INPUTS if i.default.text == "required"],
                "properties": {
                    key: {**outputs[source if source != "id" else "solutionVersionArn"], "description": doc}
                    for key, (source, doc) in TRAINED_MODEL_OUTPUTS.items()
                },
                "required": list(TRAINED_MODEL_OUTPUTS),
            },
        },
        "language": {
            "nodejs": {"packageName": "@personalize-pulumi/personalize", "respectSchemaVersion": False},
            "python": {"packageName": "personalize_pulumi_sdk", "respectSchemaVersion": False},
            "go": {
                "importBasePath": "github.com/personalize-pulumi/personalize-pulumi/sdk/go/personalize",
                "generateResourceContainerTypes": False,
            },
        },
    }


def schema_json() -> str:
    """The schema as `schema.json` holds it: sorted keys, two-space indents, a final newline."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_json())
