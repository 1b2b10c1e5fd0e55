"""The config schema declared in Pulumi.yaml: the one list of settings, types and defaults."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "Pulumi.yaml"


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    description: str
    default: Any = None
    secret: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.secret


@functools.cache
def project() -> dict[str, Any]:
    return yaml.safe_load(PROJECT_FILE.read_text())


def project_name() -> str:
    return project()["name"]


@functools.cache
def keys() -> dict[str, Key]:
    return {
        # An optional secret declares no type (see the receivers' keys in Pulumi.yaml): a string.
        name: Key(name, decl.get("type", "string"), decl.get("description", ""), decl.get("default"),
                  decl.get("secret", False))
        for name, decl in project()["config"].items()
    }
