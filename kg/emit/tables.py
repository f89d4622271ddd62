"""Analytics exports: a networkx MultiDiGraph (and GraphML), and observations as rows (and CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from kg.emit.rdf import iri
from kg.model import Evidence, KnowledgeGraph

OBSERVATION_COLUMNS = ("region", "region_code", "metric", "phrase", "value", "unit", "qualifier", "year", "kind",
                       "document", "sentence")


def _evidence_text(evidence: list[Evidence], names: dict[str, str]) -> str:
    return "\n".join(f"[{names.get(e.doc_id, e.doc_id)}] {e.sentence}" for e in evidence)


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Entities and observations as nodes (attributes type, label, iri); facts as edges
    (attributes predicate, evidence)."""
    names = {d.id: d.name for d in kg.documents}
    graph = nx.MultiDiGraph()
    for entity in kg.entities.values():
        graph.add_node(entity.key, type=entity.type, label=entity.label, iri=str(iri(entity.key)),
                       aliases="|".join(sorted(entity.alt_labels)), code=entity.code or "")
    for entity in kg.entities.values():
        for predicate, target in (("partOf", entity.part_of), ("locatedIn", entity.located_in)):
            if target and target in graph:
                graph.add_edge(entity.key, target, key=predicate, predicate=predicate, evidence="")
    for fact in kg.facts:
        graph.add_edge(fact.subject, fact.object, key=fact.predicate, predicate=fact.predicate,
                       evidence=_evidence_text(fact.evidence, names))
    for index, observation in enumerate(kg.observations):
        node = f"observation/{index}"
        graph.add_node(node, type="Observation", label=f"{observation.phrase} {observation.value}{observation.unit}",
                       iri="", value=float(observation.value), unit=observation.unit,
                       year=observation.year or 0, kind=observation.kind)
        graph.add_edge(observation.region, node, key="reports", predicate="reports",
                       evidence=_evidence_text(observation.evidence, names))
        graph.add_edge(node, observation.metric, key="metric", predicate="metric", evidence="")
    return graph


def observation_rows(kg: KnowledgeGraph) -> list[dict[str, object]]:
    """One row per observation (and per evidence sentence)."""
    names = {d.id: d.name for d in kg.documents}
    rows = []
    for observation in kg.observations:
        region, metric = kg.entities[observation.region], kg.entities[observation.metric]
        for evidence in observation.evidence:
            rows.append({
                "region": region.label, "region_code": region.code or "", "metric": metric.label,
                "phrase": observation.phrase, "value": observation.value, "unit": observation.unit,
                "qualifier": observation.qualifier or "", "year": observation.year,
                "kind": observation.kind, "document": names.get(evidence.doc_id, evidence.doc_id),
                "sentence": evidence.sentence,
            })
    return rows


def write_graphml(kg: KnowledgeGraph, path: Path) -> None:
    """GraphML via networkx's lxml writer, which writes node by node instead of building the whole
    XML tree first (on the 100 MB benchmark corpus that tree was the build's largest allocation)."""
    nx.write_graphml_lxml(to_networkx(kg), path)


def write_csv(kg: KnowledgeGraph, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OBSERVATION_COLUMNS)
        writer.writeheader()
        writer.writerows(observation_rows(kg))
