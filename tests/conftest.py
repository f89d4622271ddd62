"""Shared fixtures: the seed reports built once per test session, in every RDF format."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def seed_output(tmp_path_factory) -> Path:
    """A folder with graph.ttl, graph.nt, graph.jsonld … built from seeds/ (SHACL-checked by the build)."""
    out = tmp_path_factory.mktemp("seed-build")
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--rdf-format", "nt", "--rdf-format", "jsonld"]) == 0
    return out
