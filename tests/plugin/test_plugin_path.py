"""No module on the plugin's path reaches into SDK or grpc internals: the plugin never loads the dynamic host's
front door (host.py scans the heap, walks frames and replaces an SDK global), and its own modules do none of that."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import personalize_pulumi.plugin

DYNAMIC_FRONT_DOOR = {
    "personalize_pulumi.provider.host",
    "personalize_pulumi.provider.owner",
    "personalize_pulumi.provider.resource",
    "personalize_pulumi.provider.solution_version",
    "pulumi.dynamic.__main__",
}


def test_serving_the_plugin_loads_nothing_of_the_dynamic_hosts_front_door():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, personalize_pulumi.plugin.server; print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert DYNAMIC_FRONT_DOOR.isdisjoint(json.loads(loaded.stdout))


def test_the_plugins_modules_scan_no_heap_walk_no_frames_and_replace_no_global():
    forbidden = {"get_objects", "_getframe", "f_back", "f_locals", "_method_handlers", "_max_workers"}
    for path in Path(personalize_pulumi.plugin.__file__).parent.glob("*.py"):
        names = {
            node.attr if isinstance(node, ast.Attribute) else node.id
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.Attribute, ast.Name))
        }
        assert forbidden.isdisjoint(names), f"{path.name} uses {sorted(forbidden & names)}"
