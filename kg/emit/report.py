"""build-report.json: what a build read, what it skipped and why, warnings and counts."""

from __future__ import annotations

import json
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kg.model import ENTITY_TYPES, KnowledgeGraph


def kg_version() -> str:
    """The installed package's version ("unknown" when run from a source tree that is not installed)."""
    try:
        return version("kg")
    except PackageNotFoundError:
        return "unknown"


def build_report(graph: KnowledgeGraph, triples: int) -> dict[str, object]:
    """The report as a dict; no clock or machine in it, so the same inputs give the same bytes."""
    entities = Counter(entity.type for entity in graph.entities.values())
    facts = Counter(fact.predicate for fact in graph.facts)
    return {
        "kg_version": kg_version(),
        "documents": [{"path": d.path, "name": d.name, "id": d.id, "sha256": d.sha256, "characters": d.n_chars,
                       "title": d.title, "published": d.published} for d in graph.documents],
        "skipped": [{"path": item.path, "reason": item.reason} for item in graph.skipped],
        "warnings": list(graph.warnings),
        "counts": {"documents": len(graph.documents), "skipped": len(graph.skipped),
                   "warnings": len(graph.warnings), "entities": {t: entities[t] for t in ENTITY_TYPES},
                   "facts": {"implements": facts["implements"], "pilots": facts["pilots"]},
                   "observations": len(graph.observations), "triples": triples},
    }


def write_report(graph: KnowledgeGraph, triples: int, path: Path) -> None:
    """Write build-report.json (UTF-8, indented)."""
    text = json.dumps(build_report(graph, triples), ensure_ascii=False, indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")
