"""Resolution: merge per-document extractions into one graph of canonical entities with stable keys.

Keys become IRIs: regions by official administrative code, programmes and metrics by vocabulary id,
hospitals and free-text metrics by a hash of their name, so the same thing gets the same IRI in
every build of every corpus.
"""

from __future__ import annotations

from decimal import Decimal

from kg.model import Entity, Evidence, Fact, KnowledgeGraph, Observation, stable_id
from kg.relate import DocumentExtraction
from kg.vocab import HEALTHY_PREFIX, Vocabulary

HEALTHY_REGIONS_PROGRAMME = "program/healthy-province"  # the vocabulary's parent of 健康宁夏, 健康郴州 …
MAX_ENTITY_EVIDENCE = 5  # sentences kept per entity (facts and observations keep all of theirs)


def name_key(kind: str, name: str) -> str:
    """A stable key for a thing known only by its name."""
    return f"{kind}/{stable_id(name)}"


class Resolver:
    """Accumulates document extractions into a KnowledgeGraph."""

    def __init__(self, vocab: Vocabulary, graph: KnowledgeGraph) -> None:
        self.vocab = vocab
        self.graph = graph
        self._facts: dict[tuple[str, str, str], Fact] = {}
        self._observations: dict[tuple, Observation] = {}
        self._document_evidence: set[tuple[tuple, Evidence]] = set()  # (fact or observation key, evidence)

    def add(self, extraction: DocumentExtraction) -> None:
        """Merge one document's extraction. Each document is added once, so evidence (which names its
        document) is deduplicated within the document only: a set, not a search of every list."""
        self._document_evidence.clear()
        hospital_keys: dict[str, str] = {}
        for mention in extraction.mentions:
            key = mention.key
            if mention.type == "Hospital":
                key = hospital_keys[mention.key] = name_key("hospital", mention.key.removeprefix("hospital:"))
            entity = self._entity(key, mention.type, mention.surface)
            if mention.surface != entity.label:
                entity.alt_labels.add(mention.surface)
            if mention.located_in and not entity.located_in:
                entity.located_in = mention.located_in
            if len(entity.evidence) < MAX_ENTITY_EVIDENCE and mention.evidence not in entity.evidence:
                entity.evidence.append(mention.evidence)
        for relation in extraction.relations:
            subject = hospital_keys.get(relation.subject, relation.subject)
            self._fact(subject, relation.predicate, relation.object, relation.evidence)
        for region, reading, evidence in extraction.readings:
            self._observation(region, reading, evidence)

    def _entity(self, key: str, entity_type: str, surface: str) -> Entity:
        if key in self.graph.entities:
            return self.graph.entities[key]
        entry = self.vocab.entries.get(key)
        if entry:
            entity = Entity(key, entry.type, entry.label, set(entry.aliases), entry.label_en, entry.subtype,
                            entry.code, entry.parent if entry.type == "Region" else None,
                            broader=entry.parent if entry.type == "Program" else None)
        elif key.startswith(HEALTHY_PREFIX):
            entity = self._healthy_region_programme(key)
        else:
            entity = Entity(key, entity_type, surface)  # hospitals and free-text metrics
        self.graph.entities[key] = entity
        return entity

    def _healthy_region_programme(self, key: str) -> Entity:
        region = self.vocab.entries["region/" + key.removeprefix(HEALTHY_PREFIX)]
        short = min(region.aliases | {region.label}, key=len)
        label = f"健康{short}"
        broader = HEALTHY_REGIONS_PROGRAMME if HEALTHY_REGIONS_PROGRAMME in self.vocab.entries else None
        return Entity(key, "Program", label, {f"{label}建设", f"{label}行动", f"健康{region.label}"},
                      f"Healthy {region.label_en or short}" if region.label_en else None, broader=broader)

    def _fact(self, subject: str, predicate: str, obj: str, evidence: Evidence) -> None:
        key = (subject, predicate, obj)
        fact = self._facts.setdefault(key, Fact(subject, predicate, obj))
        self._add_evidence(key, fact.evidence, evidence)

    def _observation(self, region: str, reading, evidence: Evidence) -> None:
        self._entity(region, "Region", region)
        compact = reading.phrase.replace("的", "")  # 达到三级医院水平的县级医疗机构数, with or without 的
        metric_key = reading.metric or name_key("metric", compact)
        metric = self._entity(metric_key, "Metric", reading.phrase)
        metric.alt_labels.update(name for name in (reading.phrase, reading.written, compact)
                                 if name and name != metric.label)
        quantity = reading.quantity
        observation = Observation(region, metric_key, Decimal(quantity.value), quantity.unit, reading.year,
                                  reading.kind, reading.phrase, quantity.qualifier)
        observation = self._observations.setdefault(observation.identity, observation)
        self._add_evidence(observation.identity, observation.evidence, evidence)

    def _add_evidence(self, key: tuple, items: list[Evidence], evidence: Evidence) -> None:
        if (key, evidence) not in self._document_evidence:
            self._document_evidence.add((key, evidence))
            items.append(evidence)

    def finish(self) -> KnowledgeGraph:
        """Settle facts (a pilot is not also listed as an implementation) and sort for determinism."""
        piloted = {(s, o) for s, p, o in self._facts if p == "pilots"}
        facts = [fact for (s, p, o), fact in self._facts.items() if not (p == "implements" and (s, o) in piloted)]
        for fact in facts:
            self._entity(fact.object, "Program", fact.object)
        self.graph.facts = sorted(facts, key=lambda f: (f.subject, f.predicate, f.object))
        self.graph.observations = sorted(self._observations.values(),
                                         key=lambda o: (o.region, o.metric, str(o.value), o.unit, o.year or 0, o.kind,
                                                        o.qualifier or ""))
        for item in (*self.graph.facts, *self.graph.observations, *self.graph.entities.values()):
            item.evidence.sort()
        self.graph.entities = dict(sorted(self.graph.entities.items()))
        self.graph.documents.sort(key=lambda d: (d.name, d.id))
        return self.graph
