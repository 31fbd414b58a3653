"""Fuzz Check and Diff of one real dynamic-provider host with generated inputs, and count what went wrong.

Every input is generated from a class whose verdict is known in advance (valid; valid with unknowns; one or more
named properties broken; garbage made only of unknown property names), so the expected result comes from the
generator, not from re-implementing `personalize_pulumi/provider/checks.py`. Inputs are serialized with the SDK's
`rpc.serialize_properties`, as the engine sends them, `pulumi.output.Unknown()` included, and sent to one
`python -m pulumi.dynamic` (`harness.dynamic_host.DynamicHost`) pointed at the local emulator, whose request log
counts any AWS call.

The oracles for `minMetrics` (a map of metric names `[a-z0-9_]+` to finite numbers: one failure on
`minMetrics.<name>` per bad entry, or one on `minMetrics` for a value that is no map; a change is an update, never a
replace, and no part of the autoname) and `existingVersionArn` (`<solutionArn>/<id>`, the id ASCII letters and
digits, at most 256 characters; refused as a version of another solution only next to a valid `solutionArn`; a
`name`, `trainingMode` or non-empty `retrainTriggers` next to it fails on that property; a change, or a switch
between adopting and training, replaces naming it; an adopted version gets no name or training mode) are written
here from those rules, like the others.

Reported, all of which must be 0 (the exit status is 1 otherwise): crashes (gRPC errors), invalid inputs accepted,
valid inputs refused, failures on the wrong property, repeated failures (two for one property or minimum),
unclear failure messages (several lines or longer than MESSAGE_MAX), bad names (check's name neither a valid version
name nor unknown when it should be; an adopted version given a name or training mode), wrong diffs (a spurious diff
right after up, or a change previewed as the wrong kind), AWS calls, lines printed by the host other than the one
line per Diff that tells a reviewer whether the change trains.

Run: `.venv/bin/python -m benchmarks.fuzz_check_diff [--count 10000] [--seed 7]`. Results are recorded in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import botocore.session
import grpc
import regex
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import PROVIDER_KEY, DynamicHost, failure_properties, urn
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.gate import is_fraction
from personalize_pulumi.provider.tags import MAX_USER_TAGS

MESSAGE_MAX = 400
"""Longest failure reason that still reads as one clear line."""
VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", re.ASCII)
"""A Personalize version name (botocore's Name shape: pattern and max length)."""
IDENTITY = ("solutionArn", "trainingMode", "retrainTriggers")
"""What identifies a version the resource trains (and, with `nameScope`, seeds its autoname)."""
ADOPTED_IDENTITY = ("solutionArn", "existingVersionArn")
"""What identifies an adopted version (`existingVersionArn` set): its name, mode and triggers are the service's."""
TRAINING_ONLY = ("name", "trainingMode", "retrainTriggers")
"""Inputs refused next to `existingVersionArn` (an empty `retrainTriggers` map is no triggers)."""
OPERATIONAL = ("waitTimeoutMinutes", "region", "profile")
IN_PLACE = ("tags", "minMetrics", *OPERATIONAL)
"""Inputs whose change (or unknown value) is an update in place, never a replace."""
PROPERTIES = (
    "solutionArn",
    "name",
    "trainingMode",
    "tags",
    "retrainTriggers",
    *OPERATIONAL,
    "minMetrics",
    "existingVersionArn",
)
KNOWN_KEYS = {*PROPERTIES, "nameScope", PROVIDER_KEY}
DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME

LOCATIONS = (
    ("aws", "us-east-1"),
    ("aws", "eu-west-1"),
    ("aws", "ap-southeast-2"),
    ("aws", "ap-northeast-2"),
    ("aws-cn", "cn-north-1"),
)
"""Partitions and regions where Amazon Personalize is offered (botocore's endpoint data: check refuses any other)."""
REGIONS = tuple(region for _, region in LOCATIONS)
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
FULLWIDTH_DIGITS = "０１２３４５６７８９"
# Characters the service's tag pattern accepts, and some it refuses (checked against botocore's model at start-up).
TAG_OK = string.ascii_letters + string.digits + " _.:/=+-@" + "éßжΩ日本語한" + ARABIC_DIGITS + "²Ⅻ" + "\u00a0\u2003"
TAG_BAD = "!#$%&*()<>?,;\"'`~^|\\{}[]\n\t\x00😀€"
NAME_OK_FIRST = string.ascii_letters + string.digits
NAME_OK = NAME_OK_FIRST + "-_"
METRIC_OK = string.ascii_lowercase + string.digits + "_"
"""A metric name, as GetSolutionMetrics spells them: `[a-z0-9_]+` in ASCII."""
METRIC_NAMES = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_10",
    "precision_at_25",
    "average_rewards_at_k",
    "hit_at_5",
    "recall_at_10",
)
METRIC_BAD = " -.@/:AZÉé" + ARABIC_DIGITS + FULLWIDTH_DIGITS + "\n\t\u00a0😀"
"""Characters no metric name holds (upper case, punctuation, non-ASCII digits and letters, spaces)."""
VERSION_ID_OK = string.ascii_letters + string.digits
"""The id that ends a version ARN (the service's are 8 hex digits)."""
UNICODE_POOL = "éßжΩ日本語한😀\u200d\u0301\u00a0\u2028" + ARABIC_DIGITS + FULLWIDTH_DIGITS


# Generators: random values of a known class.


class Gen:
    """Random inputs of known validity, from one seeded `random.Random`."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def text(self, alphabet: str, low: int, high: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(low, high)))

    def any_text(self) -> str:
        """Any string the wire can carry: ASCII, non-ASCII, controls, astral characters, sometimes huge."""
        roll = self.r.random()
        if roll < 0.01:
            return self.text("ab€😀", 50_000, 200_000)
        if roll < 0.5:
            return self.text(string.printable, 0, 30)
        return self.text(UNICODE_POOL + string.ascii_letters, 0, 30)

    def finite_number(self) -> float:
        return self.r.choice(
            [
                float(self.r.randint(-(10**6), 10**6)),
                self.r.uniform(-1e6, 1e6),
                1e308,
                -1e308,
                5e-324,
                0.0,
                -0.0,
                float(2**53 + 1),
                3.0,
            ]
        )

    def json_value(self, depth: int = 0) -> Any:
        """A finite JSON value: what retrain triggers may hold."""
        kind = self.r.choice(["null", "bool", "number", "text", "text"] + (["list", "map"] if depth < 3 else []))
        if kind == "null":
            return None
        if kind == "bool":
            return self.r.random() < 0.5
        if kind == "number":
            return self.finite_number()
        if kind == "text":
            return self.any_text()
        if kind == "list":
            return [self.json_value(depth + 1) for _ in range(self.r.randint(0, 3))]
        return {self.any_text()[:20]: self.json_value(depth + 1) for _ in range(self.r.randint(0, 3))}

    def garbage(self, depth: int = 0) -> Any:
        """Anything the wire can carry, NaN, infinities and unknowns included."""
        roll = self.r.random()
        if roll < 0.15:
            return Unknown()
        if roll < 0.25:
            return self.r.choice([math.nan, math.inf, -math.inf])
        if roll < 0.45 and depth < 3:
            return [self.garbage(depth + 1) for _ in range(self.r.randint(0, 3))]
        if roll < 0.6 and depth < 3:
            return {self.any_text()[:15]: self.garbage(depth + 1) for _ in range(self.r.randint(0, 3))}
        return self.json_value(depth + 2)

    # Valid values.

    def solution_arn(self, region: str | None = None, max_length: int = 256) -> str:
        partition, region = self.r.choice([(p, r) for p, r in LOCATIONS if region in (None, r)])
        account = self.text(string.digits, 12, 12)
        prefix = f"arn:{partition}:personalize:{region}:{account}:solution/"
        name = self.r.choice(NAME_OK_FIRST) + self.text(NAME_OK, 0, min(62, max_length - 1 - len(prefix)))
        return prefix + name

    def version_arn(self, solution_arn: str) -> str:
        """A version ARN of `solution_arn`: `<solution ARN>/<id>`, at most 256 characters (the caller leaves room)."""
        room = 256 - len(solution_arn) - 1
        version_id = self.text("0123456789abcdef", 8, 8) if self.r.random() < 0.7 else self.text(VERSION_ID_OK, 1, 20)
        return f"{solution_arn}/{version_id[:room]}"

    def metric_name(self) -> str:
        return (
            self.r.choice(METRIC_NAMES) if self.r.random() < 0.6 else self.text(METRIC_OK, 1, self.r.choice([12, 200]))
        )

    def metric_minimum(self, name: str, unknowns: bool = False) -> Any:
        """A valid minimum for the metric `name`: a finite number, not negative, at most 1 for a fraction; or (with
        `unknowns`, rarely) a value not known yet."""
        if unknowns and self.r.random() < 0.1:
            return Unknown()
        if is_fraction(name):
            return self.r.choice([self.r.uniform(0, 1), 0.0, 1.0, 5e-324])
        return self.r.choice([abs(self.finite_number()), self.r.uniform(0, 1), -0.0])

    def min_metrics(self) -> dict[str, Any]:
        names = [self.metric_name() for _ in range(self.r.randint(0, 5))]
        return {name: self.metric_minimum(name) for name in names}

    def bad_min_metrics(self) -> tuple[Any, set[str]]:
        """A `minMetrics` value that must be refused, and the exact properties it fails on: `minMetrics` for a
        value that is no map, else `minMetrics.<name>` once for each bad entry (a bad name, or a good name whose
        minimum is not a finite number), next to good entries that must not fail."""
        r = self.r
        if r.random() < 0.15:
            return r.choice(["coverage", 0.5, True, [0.5], [Unknown()], ["coverage", 0.5]]), {"minMetrics"}
        entries: dict[str, bool] = {}  # name -> bad
        value: dict[str, Any] = {}
        for _ in range(r.randint(0, 3)):
            name = self.metric_name()
            value[name], entries[name] = self.metric_minimum(name, unknowns=True), False
        for _ in range(r.randint(1, 3)):
            if r.random() < 0.5:
                good = self.metric_name()
                cut = r.randint(0, len(good))
                name = r.choice([good[:cut] + r.choice(METRIC_BAD) + good[cut:], "", good.upper()])
                if name == good:  # a name with no letter has no upper case
                    name += "-"
                value[name] = r.choice(
                    [self.metric_minimum(name, unknowns=True), math.nan, "0.5"]
                )  # the name alone fails
            else:
                name = self.metric_name()
                # A minimum no version can meet: negative, or above 1 on a fraction.
                impossible = [-(abs(self.finite_number()) or 1.0), -5e-324]
                if is_fraction(name):
                    impossible += [30.0, 1.0000001, 1e308]
                value[name] = r.choice(
                    [
                        *impossible,
                        math.nan,
                        math.inf,
                        -math.inf,
                        "0.5",
                        "",
                        True,
                        False,
                        [0.5],
                        {"v": 0.5},
                        [Unknown()],
                        {"v": Unknown()},
                    ]
                )
            entries[name] = True
        return value, {f"minMetrics.{name}" for name, bad in entries.items() if bad}

    def bad_version_arn(self, news: dict[str, Any], foreign: bool) -> Any:
        """An `existingVersionArn` that must be refused: malformed, or (when `foreign`, which needs a valid
        `solutionArn` in `news`) a well-formed version of another solution."""
        r = self.r
        solution = (
            news["solutionArn"] if isinstance(news.get("solutionArn"), str) else self.solution_arn(max_length=240)
        )
        if foreign and r.random() < 0.5:
            other = r.choice(
                [
                    self.solution_arn(max_length=240),
                    solution[:-1] + ("x" if solution[-1] != "x" else "y"),  # same account and region, another name
                    solution.replace(":solution/", ":solution/z", 1) if len(solution) < 240 else solution[:-1] + "q",
                ]
            )
            return self.version_arn(other if other != solution else other + "z")
        version = (
            self.version_arn(solution) if len(solution) < 250 else self.version_arn(self.solution_arn(max_length=240))
        )
        head, _, version_id = version.rpartition("/")
        return r.choice(
            [
                lambda: head,
                lambda: head + "/",
                lambda: version_id,
                lambda: "",
                lambda: version + r.choice("-_.é /:" + ARABIC_DIGITS + FULLWIDTH_DIGITS) + "1",
                lambda: head + "/" + r.choice(ARABIC_DIGITS + FULLWIDTH_DIGITS + "-_") + version_id,
                lambda: version + "/" + version_id,
                lambda: head + "/" + "a" * (256 - len(head)),  # one character too long
                lambda: version.replace("arn:", "ARN:", 1),
                lambda: version.replace(":solution/", ":dataset-group/", 1),
                lambda: version.replace(":personalize:", ":sagemaker:", 1),
                lambda: r.choice([1.0, True, [version], {"arn": version}, [Unknown()], {"v": Unknown()}]),
            ]
        )()

    def name(self) -> str:
        return self.r.choice(NAME_OK_FIRST) + self.text(NAME_OK, 0, 62)

    def tag_key(self) -> str:
        key = self.text(TAG_OK, 1, self.r.choice([10, 128]))
        return "x" + key[1:] if key.lower().startswith("aws:") else key

    def tags(self, low: int = 0, high: int = MAX_USER_TAGS) -> dict[str, str]:
        count = self.r.choice([0, 1, 3, high]) if high >= 3 else high
        tags: dict[str, str] = {}
        while len(tags) < max(low, min(count, high)):
            tags[self.tag_key()] = self.text(TAG_OK, 0, self.r.choice([10, 256]))
        return tags

    def triggers(self) -> dict[str, Any]:
        return {self.any_text()[:20]: self.json_value(1) for _ in range(self.r.randint(0, 4))}

    def wait(self) -> float:
        return self.r.choice([60.0, 720.0, 0.1, 1e9, self.r.uniform(0.1, 10_000)])  # the host polls first after 5 s

    def valid(self, index: int) -> dict[str, Any]:
        """A valid input, each optional property present or not: a version to train, or (about one in four) one to
        adopt with `existingVersionArn`, which goes without name, trainingMode and retrainTriggers (an empty map of
        triggers is allowed)."""
        adopting = self.r.random() < 0.25
        arn = self.solution_arn(max_length=240 if adopting else 256)
        news: dict[str, Any] = {"solutionArn": arn, "nameScope": self.name_scope(index)}
        if adopting:
            news["existingVersionArn"] = self.version_arn(arn)
        optional: dict[str, Callable[[], Any]] = {
            "name": self.name,
            "trainingMode": lambda: self.r.choice(["FULL", "UPDATE", "AUTOTRAIN"]),
            "tags": self.tags,
            "retrainTriggers": (lambda: {}) if adopting else self.triggers,
            "waitTimeoutMinutes": self.wait,
            "region": lambda: arn.split(":")[3],
            "profile": lambda: self.any_text() or "default",
            "minMetrics": self.min_metrics,
        }
        for key, make in optional.items():
            if self.r.random() < 0.5 and not (adopting and key in ("name", "trainingMode")):
                news[key] = make()
        return news

    def name_scope(self, index: int) -> str:
        last = self.r.choice([f"model-{index}", self.any_text()[:100] or "m", "日本語", "-x", "a" * 300])
        return f"fuzz/dev/{last}"

    # Invalid values, per property. Each returns a value that property must refuse, whatever else is valid.

    def bad_value(self, prop: str, news: dict[str, Any]) -> Any:
        r = self.r
        arn = self.solution_arn()
        head, _, tail = arn.rpartition(":")
        non_strings = [r.uniform(-5, 5), True, False, [arn], {"a": arn}, [Unknown()], {"v": Unknown()}]
        choices: dict[str, list[Callable[[], Any]]] = {
            "solutionArn": [
                lambda: "arn:aws:s3:::bucket",
                lambda: arn + "/" + self.text("0123456789abcdef", 8, 8),
                lambda: arn + "x" * (257 - len(arn) + r.randint(0, 500)),
                lambda: arn.replace(arn.split(":")[4], self.text(ARABIC_DIGITS, 12, 12)),
                lambda: arn.replace(arn.split(":")[4], self.text(FULLWIDTH_DIGITS, 12, 12)),
                lambda: arn.replace(arn.split(":")[4], self.text(string.digits, 11, 11)),
                lambda: arn.replace(arn.split(":")[3], "us-east-" + r.choice(ARABIC_DIGITS)),
                lambda: arn.replace("arn:", "ARN:"),
                lambda: arn.replace(":personalize:", ":Personalize:"),
                lambda: arn.replace(":solution/", ":dataset-group/"),
                lambda: head + ":solution/-bad",
                lambda: "",
                lambda: self.any_text().replace(":solution/", ""),
                *(lambda v=v: v for v in non_strings),
            ],
            "name": [
                lambda: "",
                lambda: self.name() + "a" * 64,
                lambda: "-" + self.name(),
                lambda: "_x",
                lambda: self.name() + r.choice(" .!/é" + ARABIC_DIGITS) + self.name()[:5],
                lambda: r.choice(ARABIC_DIGITS + "éЖ") + "model",
                *(lambda v=v: v for v in non_strings),
            ],
            "trainingMode": [
                lambda: r.choice(["full", "Full", "PARTIAL", "", "FULL ", " UPDATE", "AUTO_TRAIN"]),
                lambda: self.any_text() + "!",
                *(lambda v=v: v for v in non_strings),
            ],
            "tags": [
                lambda: r.choice(["team", 1.0, True, ["a"], [Unknown()]]),
                lambda: self.tags(MAX_USER_TAGS + 1, r.randint(MAX_USER_TAGS + 1, 60)),
                lambda: {r.choice(["aws:", "AWS:", "Aws:"]) + self.text(TAG_OK, 0, 10): "v"},
                lambda: {self.tag_key() + r.choice(TAG_BAD): "v"},
                lambda: {"k" * r.randint(129, 1000): "v"},
                lambda: {"": "v"},
                lambda: {self.tag_key(): r.choice([1.0, True, ["v"], {"v": "w"}, math.nan])},
                lambda: {self.tag_key(): "v" * r.randint(257, 5000)},
                lambda: {self.tag_key(): self.text(TAG_OK, 0, 5) + r.choice(TAG_BAD)},
            ],
            "retrainTriggers": [
                lambda: r.choice(["weekly", 1.0, True, ["a"], [Unknown()]]),
                lambda: self.with_non_finite(),
            ],
            "waitTimeoutMinutes": [
                lambda: r.choice(
                    [0.0, -0.0, -1.0, -1e-9, 1e-9, 0.001, math.nan, math.inf, -math.inf, "60", "", True, False]
                ),
                lambda: r.choice([[60.0], {"m": 60.0}, [Unknown()]]),
            ],
            "region": [
                lambda: r.choice(["Mars", "US-EAST-1", "us_east_1", "useast1", "", "us-east-1 "]),
                lambda: "us-east-" + r.choice(ARABIC_DIGITS),
                lambda: "eu-west-" + self.text(FULLWIDTH_DIGITS, 1, 2),
                *(lambda v=v: v for v in non_strings),
            ],
            "profile": [lambda: "", *(lambda v=v: v for v in non_strings)],
            "nameScope": [lambda: "", *(lambda v=v: v for v in non_strings)],
        }
        return r.choice(choices[prop])()

    def contradicting_region(self, arn: str) -> str:
        return self.r.choice([region for region in REGIONS if region != arn.split(":")[3]])

    def with_non_finite(self) -> dict[str, Any]:
        """Valid triggers with one NaN or infinity somewhere inside (and maybe unknowns next to it)."""
        bad = self.r.choice([math.nan, math.inf, -math.inf])
        for _ in range(self.r.randint(0, 3)):
            bad = self.r.choice([[self.json_value(2), bad], {"deeper": bad, "u": Unknown()}, {"k": bad}])
        return {**self.triggers(), "bad": bad}


# Cases: one generated input and what must happen to it.


@dataclass
class Case:
    """One generated input, the properties it must fail on (empty: it is valid), and how its diff is judged."""

    kind: str
    news: dict[str, Any]
    broken: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    """Properties made (partly) unknown in the second check of an `unknown` case."""
    variant: dict[str, Any] | None = None
    """The second input (a changed or partly unknown version of `news`), checked with the first as olds."""
    replaces: set[str] = field(default_factory=set)
    change: bool = False
    checked: dict[str, Any] | None = None


def make_case(gen: Gen, index: int) -> Case:
    """A case of a random class: valid then changed, valid then partly unknown, broken, or garbage."""
    kind = gen.r.choices(["valid", "unknown", "broken", "multi", "garbage"], weights=[30, 25, 30, 10, 5])[0]
    news = gen.valid(index)
    if kind == "valid":
        return with_change(gen, Case(kind, news))
    if kind == "unknown":
        return with_unknowns(gen, Case(kind, news))
    if kind == "garbage":
        # Only unknown property names (solutionArn missing): each key must fail on itself, plus solutionArn.
        stems = ["trainingMdoe", "solution_arn", "Tags", "", "x" * 2000, "ключ", "😀"]
        keys = {gen.r.choice(stems) + gen.any_text()[:10] for _ in range(3)} - KNOWN_KEYS
        garbage = {key: gen.garbage() for key in keys}
        garbage = {key: value for key, value in garbage.items() if value is not None}
        return Case(kind, garbage, broken={*garbage, "solutionArn"})
    props = gen.r.sample([*PROPERTIES, "nameScope", "unknown-property"], 1 if kind == "broken" else gen.r.randint(2, 3))
    # existingVersionArn last: whether it can be "a version of another solution" depends on solutionArn being valid.
    props.sort(key=lambda prop: prop == "existingVersionArn")
    case = Case(kind, news, broken=set())
    for prop in props:
        if prop == "unknown-property":
            key = gen.r.choice(
                ["trainingMdoe", "solutionARN", "tag", "retrain_triggers", "x" * 500, "ж", "min_metrics"]
            )
            news[key] = gen.r.choice([gen.any_text(), 1.0, Unknown(), {"a": Unknown()}, [math.nan]])
            case.broken.add(key)
        elif prop == "region" and "solutionArn" not in props and gen.r.random() < 0.3:
            news["region"] = gen.contradicting_region(news["solutionArn"])
            case.broken.add("region")
        elif prop == "solutionArn" and gen.r.random() < 0.1:
            del news["solutionArn"]
            case.broken.add("solutionArn")
        elif prop == "minMetrics":
            news["minMetrics"], failing = gen.bad_min_metrics()
            case.broken |= failing
        elif prop == "existingVersionArn":
            # A version of another solution can only be told apart from a valid solutionArn.
            news["existingVersionArn"] = gen.bad_version_arn(news, foreign="solutionArn" not in props)
            case.broken.add(prop)
        elif prop in TRAINING_ONLY and "existingVersionArn" in news and gen.r.random() < 0.5:
            # Valid on its own, refused next to existingVersionArn (below).
            valid: dict[str, Callable[[], Any]] = {
                "name": gen.name,
                "trainingMode": lambda: gen.r.choice(["FULL", "UPDATE", "AUTOTRAIN", Unknown()]),
                "retrainTriggers": lambda: gen.r.choice(
                    [{**gen.triggers(), "data": "job"}, {"d": Unknown()}, Unknown()]
                ),
            }
            news[prop] = valid[prop]()
        else:
            news[prop] = gen.bad_value(prop, news)
            case.broken.add(prop)
    # Unknowns elsewhere must neither fail nor hide the broken properties.
    broken_roots = {prop.split(".", 1)[0] for prop in case.broken}
    for key in PROPERTIES:
        if key not in broken_roots and key in news and key != "solutionArn" and gen.r.random() < 0.15:
            news[key] = Unknown()
    # Next to existingVersionArn (known or not), a name, training mode or non-empty triggers (known or not) fail.
    # (A map entry whose value is None is not sent at all: triggers holding only Nones arrive as an empty map.)
    if "existingVersionArn" in news:
        case.broken |= {key for key in TRAINING_ONLY if key in news and as_sent(news[key]) != {}}
    return case


def as_sent(value: Any) -> Any:
    """`value` as the engine sends it: `rpc.serialize_properties` leaves out map entries whose value is None."""
    if isinstance(value, dict):
        return {key: as_sent(child) for key, child in value.items() if child is not None}
    if isinstance(value, list):
        return [as_sent(child) for child in value]
    return value


def with_change(gen: Gen, case: Case) -> Case:
    """A second input differing in one known way, and the diff that change must give."""
    news, r = case.news, gen.r
    variant = dict(news)
    adopting = "existingVersionArn" in news
    autonamed = "name" not in news
    what = r.choice(["tags", "operational", "nameScope", "identity", "name", "minMetrics", "same"])
    if what == "name" and adopting:
        what = "adoption"
    if what == "tags":
        tags = dict(news.get("tags", {}))
        if len(tags) < MAX_USER_TAGS:
            tags["fuzz-changed"] = str(r.random())
        else:  # at the limit: change a value instead of adding a tag
            key = next(iter(tags))
            tags[key] = tags[key][:-1] if len(tags[key]) == 256 else tags[key] + "x"
        variant["tags"] = tags
        case.change = True
    elif what == "minMetrics":
        # Add, change or drop a minimum (an update, never a replace: not part of the autoname), or write the
        # missing map as an empty one or the reverse (no change at all).
        minimums = dict(news.get("minMetrics", {}))
        how = r.choice(["add", "change", "drop", "empty"])
        known = [name for name, value in minimums.items() if not isinstance(value, Unknown)]
        if how == "change" and known:
            name = r.choice(known)
            minimums[name] = 0.125 if minimums[name] != 0.125 else 0.875
        elif how == "drop" and minimums:
            del minimums[r.choice(list(minimums))]
        elif how == "empty" and not minimums:
            if "minMetrics" in news:
                del variant["minMetrics"]
            else:
                variant["minMetrics"] = {}
            minimums = None
        else:
            new_name = next(name for name in ("fuzz_changed", "fuzz_changed_2") if name not in minimums)
            minimums[new_name] = r.choice([0.0, 0.5, 3.0, 1e308])
        if minimums is not None:
            variant["minMetrics"] = minimums
            case.change = True
    elif what == "operational":
        key = r.choice(OPERATIONAL)
        if key == "region":
            if "region" in news:
                del variant["region"]
            else:
                variant["region"] = news["solutionArn"].split(":")[3]
        elif key == "profile":
            variant["profile"] = (news.get("profile") or "") + "-other"
        else:
            variant["waitTimeoutMinutes"] = news.get("waitTimeoutMinutes", 720.0) + 1.0
        case.change = True
    elif what == "nameScope":
        variant["nameScope"] = news["nameScope"] + "-renamed"
    elif what == "identity" and adopting:
        # Another version of the same solution, or a version of another solution (both ARNs change together).
        arn = news["solutionArn"]
        if r.random() < 0.5:
            other = news["existingVersionArn"]
            while other == news["existingVersionArn"]:
                other = gen.version_arn(arn)
            variant["existingVersionArn"] = other
            case.replaces = {"existingVersionArn"}
        else:
            variant["solutionArn"] = arn + "x"  # same region, another solution (adopted ARNs leave room)
            variant["existingVersionArn"] = gen.version_arn(variant["solutionArn"])
            case.replaces = {"solutionArn", "existingVersionArn"}
        case.change = True
    elif what == "identity":
        key = r.choice(IDENTITY)
        if key == "solutionArn":
            arn = news["solutionArn"]
            variant["solutionArn"] = arn + "x" if len(arn) < 256 else arn[:-1]  # same region, another solution
        elif key == "trainingMode":
            others = [mode for mode in ("FULL", "UPDATE", "AUTOTRAIN") if mode != news.get("trainingMode", "FULL")]
            variant["trainingMode"] = r.choice(others)
        else:
            variant["retrainTriggers"] = {**news.get("retrainTriggers", {}), "fuzz-changed": r.random()}
        case.replaces = {key, "name"} if autonamed else {key}
        case.change = True
    elif what == "name":
        variant["name"] = "changed-" + gen.name()[:50]
        case.replaces, case.change = {"name"}, True
    elif what == "adoption":
        # Switch between adopting a version and training one: a replace naming existingVersionArn.
        if adopting:
            del variant["existingVersionArn"]
        else:
            for key in TRAINING_ONLY:
                variant.pop(key, None)
            if len(news["solutionArn"]) > 240:
                variant["solutionArn"] = gen.solution_arn(region=news["solutionArn"].split(":")[3], max_length=240)
            variant["existingVersionArn"] = gen.version_arn(variant["solutionArn"])
        case.replaces = {"existingVersionArn"}
        if variant["solutionArn"] != news["solutionArn"]:
            case.replaces.add("solutionArn")
        case.change = True
    case.variant = variant
    return case


def with_unknowns(gen: Gen, case: Case) -> Case:
    """A second input with some properties unknown (whole, or one value inside), and the diff that must give."""
    news, r = case.news, gen.r
    adopting = "existingVersionArn" in news
    news.setdefault("tags", {"team": "ml"})
    news.setdefault("minMetrics", {"coverage": 0.1})
    if not adopting:
        news.setdefault("retrainTriggers", {"data": "job"})
    variant = dict(news)
    identity = ADOPTED_IDENTITY if adopting else IDENTITY
    candidates = ["tags", "minMetrics", *identity, *OPERATIONAL, "nameScope", *([] if adopting else ["name"])]
    for key in r.sample(candidates, r.randint(1, 3)):
        value = news.get(key)
        if isinstance(value, dict) and value and r.random() < 0.5:
            inner = r.choice(list(value))
            # A tag value is a string and a minimum a number, so they are unknown as a whole; a trigger may be
            # unknown deep inside.
            whole = key in ("tags", "minMetrics")
            shapes = [Unknown()] if whole else [Unknown(), [1.0, Unknown()], {"deep": Unknown()}]
            variant[key] = {**value, inner: r.choice(shapes)}
        else:
            variant[key] = Unknown()
        case.unknown.add(key)
    autonamed = "name" not in news and not adopting
    case.replaces = case.unknown & set(identity)
    # Checked against the previous inputs, whose name is kept while the identity inputs are unchanged (an unknown
    # nameScope or owner token only seeds new names).
    if "name" in case.unknown or (autonamed and case.unknown & set(IDENTITY)):
        case.replaces.add("name")
    case.change = bool(case.replaces or case.unknown & set(IN_PLACE))
    case.variant = variant
    return case


# Talking to the host: one serialization loop, calls sent as gRPC futures a batch at a time.


class Wire:
    """Serialize properties as the engine does and send batches of Check/Diff calls to one host."""

    def __init__(self, host: DynamicHost):
        self.host = host
        self.loop = asyncio.new_event_loop()

    def struct(self, props: dict[str, Any]) -> Any:
        return self.loop.run_until_complete(rpc.serialize_properties(props, {}))

    def check_request(self, index: int, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
        news = {**news, PROVIDER_KEY: self.host.provider}
        return provider_pb2.CheckRequest(
            urn=urn(f"model-{index}"), olds=self.struct(olds or {}), news=self.struct(news)
        )

    def diff_request(self, index: int, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        olds, news = {PROVIDER_KEY: self.host.provider, **olds}, {PROVIDER_KEY: self.host.provider, **news}
        return provider_pb2.DiffRequest(
            id=f"v{index}", urn=urn(f"model-{index}"), olds=self.struct(olds), news=self.struct(news)
        )

    def send(self, method: str, requests: list[Any]) -> list[Any]:
        """Responses in order; a `CallFailed` in place of the response of a call that failed or hung."""
        futures = [getattr(self.host.stub, method).future(request) for request in requests]
        results: list[Any] = []
        for future in futures:
            try:
                results.append(future.result(timeout=120))
            except grpc.RpcError as error:
                lines = (error.details() or "").strip().splitlines() or [str(error.code())]
                results.append(CallFailed(f"{method}: {lines[-1]}"))  # the exception's message
            except grpc.FutureTimeoutError:
                results.append(CallFailed(f"{method}: no answer within 120 s"))
        return results


@dataclass(frozen=True)
class CallFailed:
    """A Check or Diff that ended in a gRPC error (the provider raised: a crash) or never answered."""

    detail: str


def outputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The state a create would leave: the checked inputs plus the service's outputs. An adopted version's state
    holds the training mode and type the service reports (no name: automatic trainings name none), which are not
    inputs and must not diff."""
    tags = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else {}
    state = {
        **inputs,
        "solutionVersionArn": f"{inputs.get('solutionArn')}/1a2b3c4d",
        "status": "ACTIVE",
        "trainingType": "MANUAL",
        "tagsAll": tags,
        "metrics": {"coverage": 0.5},
        "creationDateTime": "2026-11-01T00:00:00Z",
    }
    adopted = inputs.get("existingVersionArn")
    if isinstance(adopted, str):
        mode, training_type = random.Random(adopted).choice(
            [("FULL", "MANUAL"), ("UPDATE", "MANUAL"), ("FULL", "AUTOMATIC")]
        )
        state.update(solutionVersionArn=adopted, trainingMode=mode, trainingType=training_type)
    return state


# Judging.


class Tally:
    """What went wrong, by kind, with a few examples of each."""

    KINDS = (
        "crashes",
        "invalid accepted",
        "valid refused",
        "wrong property",
        "repeated failures",
        "unclear messages",
        "bad names",
        "wrong diffs",
        "aws calls",
        "host output lines",
    )

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter({kind: 0 for kind in self.KINDS})
        self.examples: dict[str, list[str]] = {}
        self.calls: Counter[str] = Counter()
        self.cases: Counter[str] = Counter()
        self.inputs_with: Counter[str] = Counter()

    def bad(self, kind: str, case: Case, detail: str) -> None:
        self.counts[kind] += 1
        examples = self.examples.setdefault(kind, [])
        if len(examples) < 3:
            examples.append(f"[{case.kind}] {detail[:300]} | input: {_short(case.news)}")

    def failed(self) -> bool:
        return any(self.counts.values())


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def judge_check(tally: Tally, case: Case, response: Any, expected_broken: set[str]) -> dict[str, Any] | None:
    """Count what is wrong with one Check response; returns the checked inputs (None after a crash)."""
    tally.calls["Check"] += 1
    if isinstance(response, CallFailed):
        tally.bad("crashes", case, response.detail)
        return None
    if any(f.property for f in response.failures):
        tally.bad("wrong property", case, "a failure was sent with a property (the engine then prints its value)")
    reasons = [f.reason for f in response.failures]
    failures = list(zip(failure_properties(reasons, case.news), reasons, strict=True))
    for prop, reason in failures:
        if "\n" in reason or len(reason) > MESSAGE_MAX or not reason:
            tally.bad("unclear messages", case, f"{prop}: {reason!r}")
    props = {prop for prop, _ in failures}
    # One failure per property and per minimum (a tag may fail on its key and its value).
    repeated = sorted(
        prop for prop, n in Counter(prop for prop, _ in failures).items() if n > 1 and not prop.startswith("tags")
    )
    if repeated:
        tally.bad("repeated failures", case, f"{repeated}: {failures}")
    if not expected_broken:
        if failures:
            tally.bad("valid refused", case, repr(failures))
    elif not failures:
        tally.bad("invalid accepted", case, f"broken: {sorted(expected_broken)}")
    else:
        # Each failure names a broken property (tag failures name `tags.<key>`), and each broken property fails.
        stray = {
            p for p in props if not any(p == b or (b == "tags" and p.startswith("tags.")) for b in expected_broken)
        }
        missed = {
            b for b in expected_broken if not any(p == b or (b == "tags" and p.startswith("tags.")) for p in props)
        }
        if stray or missed:
            tally.bad(
                "wrong property", case, f"expected {sorted(expected_broken)}, failed on {sorted(props)}: {failures}"
            )
    return rpc.deserialize_properties(response.inputs, True)


def judge_name(tally: Tally, case: Case, checked: dict[str, Any], news: dict[str, Any], unknown: set[str]) -> None:
    """A version to train gets a valid name (unknown while an input of its autoname is); an adopted one none, and no
    training mode or triggers (they are the service's)."""
    name = checked.get("name")
    if "existingVersionArn" in news:
        invented = sorted({"name", "trainingMode"} & set(checked)) + (
            ["retrainTriggers"] if checked.get("retrainTriggers", {}) != {} else []
        )
        if invented:
            tally.bad(
                "bad names", case, f"adopting, check gave {invented}: {_short({k: checked[k] for k in invented})}"
            )
        return
    if "name" in news:
        should_be_unknown = "name" in unknown
    else:
        should_be_unknown = bool(unknown & set(IDENTITY))  # see with_unknowns: the old name is kept otherwise
    if should_be_unknown:
        if not isinstance(name, Unknown):
            tally.bad("bad names", case, f"name {name!r} should be unknown (unknown: {sorted(unknown)})")
    elif not (isinstance(name, str) and VALID_NAME.fullmatch(name)):
        tally.bad("bad names", case, f"name {name!r} is not a valid version name")


def judge_diff(tally: Tally, case: Case, response: Any, change: bool | None, replaces: set[str]) -> None:
    """`change=None`: only crashes count (a diff of inputs check refused, which the engine never sends)."""
    tally.calls["Diff"] += 1
    if isinstance(response, CallFailed):
        tally.bad("crashes", case, response.detail)
        return
    if change is None:
        return
    got = (response.changes, set(response.replaces))
    want = (DIFF_SOME if change else DIFF_NONE, replaces)
    if got != want:
        tally.bad("wrong diffs", case, f"expected {want}, got {got}")


def run_chunk(wire: Wire, tally: Tally, cases: list[tuple[int, Case]], reference_state: dict[str, Any]) -> None:
    """Three rounds: check every input; diff it (or check its variant); diff the variant against the first."""
    first = wire.send("Check", [wire.check_request(i, case.news) for i, case in cases])
    for (_, case), response in zip(cases, first, strict=True):
        case.checked = judge_check(tally, case, response, case.broken)
        if case.checked is not None and not case.broken:
            judge_name(tally, case, case.checked, case.news, set())

    # Round 2: a valid input diffs as no change against the state its own create would leave; a refused one is
    # diffed anyway (for crashes only); the variants are checked with the first input as olds.
    diffs, diff_cases, checks, check_cases = [], [], [], []
    for i, case in cases:
        if case.checked is None:
            continue
        if case.broken:
            diffs.append(wire.diff_request(i, reference_state, case.checked))
            diff_cases.append((case, None))
        else:
            diffs.append(wire.diff_request(i, outputs(case.checked), case.checked))
            diff_cases.append((case, False))
            checks.append(wire.check_request(i, case.variant, olds=case.checked))
            check_cases.append((i, case))
    for (case, change), response in zip(diff_cases, wire.send("Diff", diffs), strict=True):
        judge_diff(tally, case, response, change, set())

    variants = []
    for (i, case), response in zip(check_cases, wire.send("Check", checks), strict=True):
        checked = judge_check(tally, case, response, set())
        if checked is not None:
            judge_name(tally, case, checked, case.variant, case.unknown)
            variants.append((i, case, checked))

    # Round 3: the change (or the unknowns) previews as the case says.
    requests = [wire.diff_request(i, outputs(case.checked), checked) for i, case, checked in variants]
    for (_, case, _), response in zip(variants, wire.send("Diff", requests), strict=True):
        judge_diff(tally, case, response, case.change, case.replaces)


def assert_tag_classes_match_the_service_model() -> None:
    """The oracle's tag characters agree with botocore's TagKey/TagValue pattern (not with providers/checks.py)."""
    model = botocore.session.get_session().get_service_model("personalize")
    for shape in ("TagKey", "TagValue"):
        pattern = regex.compile(model.shape_for(shape).metadata["pattern"])
        assert all(pattern.fullmatch(char) for char in TAG_OK), f"{shape}: TAG_OK holds a refused character"
        assert not any(pattern.fullmatch(char) for char in TAG_BAD), f"{shape}: TAG_BAD holds an accepted character"


REVIEWER_LINE = re.compile(
    r"^.+?: (trains a new version because |adopts .+: no training$|no training; updates the version in place: |"
    r"trains a new version$)"
)
"""What `diff` prints for a resource that changes (personalize_pulumi.provider.diffs.explain), and check for a new one
(explain_create)."""
ALSO_SAID = re.compile(
    r"^(.+: progress is printed under the stack, .+|warning: .+: trains in \S+, where its solution is, .+)$"
)
"""Lines the host may print besides: once, that it has no engine to talk to; a solution in another region than the
stack's."""


def stop_measuring_this_process() -> None:
    """Under the test suite's coverage (tests/host/test_fuzz_check_diff.py), measure the host and the emulator this driver
    starts, not the driver: it is not the package, and tracing its generator triples the fuzz's run time."""
    try:
        import coverage
    except ImportError:
        return
    measuring = coverage.Coverage.current()
    if measuring is not None:
        measuring.stop()


def main() -> int:
    stop_measuring_this_process()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="generated inputs (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=250, help="calls in flight at once")
    args = parser.parse_args()
    assert_tag_classes_match_the_service_model()

    emulator = EmulatorProcess(training_seconds=1, setup_seconds=0)
    host = DynamicHost(env=emulator.env())
    tally = Tally()
    started = time.monotonic()
    try:
        host.configure({"aws:region": "us-east-1"})
        # Prove the request log counts calls from this machine before trusting its zero.
        emulator.client().list_solutions()
        assert emulator.control.requests(), "the emulator's request log recorded nothing"
        emulator.control.clear_requests()

        gen, wire = Gen(args.seed), Wire(host)
        reference = gen.valid(0)
        first = wire.send("Check", [wire.check_request(0, reference)])[0]
        reference_state = outputs(rpc.deserialize_properties(first.inputs, True))
        for start in range(0, args.count, args.batch):
            cases = [(i, make_case(gen, i)) for i in range(start, min(start + args.batch, args.count))]
            for _, case in cases:
                tally.cases[case.kind] += 1
                for key in ("minMetrics", "existingVersionArn"):
                    tally.inputs_with[key] += any(key in props for props in (case.news, case.variant or {}))
            run_chunk(wire, tally, cases, reference_state)
        elapsed = time.monotonic() - started
        aws = emulator.control.requests()
        tally.counts["aws calls"] = len(aws)
        if aws:
            tally.examples["aws calls"] = [f"{entry['operation']}" for entry in aws[:3]]
    finally:
        host.stop()
        emulator.stop()
    # Diff prints one line per changed resource for the reviewer (what the change means); nothing else may appear.
    said = [line for line in host.output if not ALSO_SAID.match(line)]
    unexpected = [line for line in said if not REVIEWER_LINE.match(line)]
    surplus = max(0, len(said) - len(unexpected) - tally.calls["Diff"] - tally.calls["Check"])
    tally.counts["host output lines"] = len(unexpected) + surplus
    if unexpected:
        tally.examples["host output lines"] = unexpected[:3]

    print(f"fuzz_check_diff: {args.count} generated inputs, seed {args.seed}, one `python -m pulumi.dynamic` host")
    print(
        f"  machine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()}, pulumi {version('pulumi')}"
    )
    print(f"  inputs by class: {', '.join(f'{kind} {n}' for kind, n in sorted(tally.cases.items()))}")
    print(f"  inputs with: {', '.join(f'{key} {n}' for key, n in sorted(tally.inputs_with.items()))}")
    print(
        f"  calls: Check {tally.calls['Check']}, Diff {tally.calls['Diff']} in {elapsed:.1f} s "
        f"({(tally.calls['Check'] + tally.calls['Diff']) / elapsed:.0f} calls/s)"
    )
    for kind in Tally.KINDS:
        print(f"  {kind}: {tally.counts[kind]}")
        for example in tally.examples.get(kind, []):
            print(f"      e.g. {example}")
    print("FAIL" if tally.failed() else "OK: all zero")
    return 1 if tally.failed() else 0


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
