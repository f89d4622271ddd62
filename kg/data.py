"""The data files of `ontology/` (installed as the package `kg.ontology`)."""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path
from typing import Any

import yaml

ONTOLOGY_DIR = Path(str(importlib.resources.files("kg.ontology")))


@functools.cache
def load_yaml(name: str) -> Any:
    """A YAML file of ontology/, parsed once per process."""
    return yaml.safe_load((ONTOLOGY_DIR / name).read_text(encoding="utf-8"))
