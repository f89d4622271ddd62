"""The in-memory knowledge graph: plain dataclasses shared by every stage and emitter.

Recognition and relation extraction produce these records; the emitters (RDF, HTML, GraphML,
CSV) only read them. Nothing downstream of `kg.relate` re-parses text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

EntityType = Literal["Region", "Hospital", "Program", "Metric"]
Predicate = Literal["implements", "pilots"]
ObservationKind = Literal["reported", "target"]

ENTITY_TYPES: tuple[EntityType, ...] = ("Region", "Hospital", "Program", "Metric")


def stable_id(*parts: object) -> str:
    """A short hash of the parts: the same parts give the same id in every build."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, order=True)
class Evidence:
    """Where a fact was read: the document, the sentence, and offsets into the original file text."""

    doc_id: str
    start: int
    end: int
    sentence: str


@dataclass
class Document:
    """One input report."""

    id: str  # "doc-" + first 16 hex digits of the SHA-256 of the raw bytes
    path: str  # as given on the command line (relative paths stay relative)
    name: str  # file name
    sha256: str
    title: str | None = None
    published: str | None = None  # ISO date when the text states one
    n_chars: int = 0


@dataclass
class Entity:
    """A canonical node. `key` is stable across runs and corpora (see `kg.resolve`)."""

    key: str  # e.g. "region/640000", "program/sanming-model", "hospital/3f2a…", "metric/life-expectancy"
    type: EntityType
    label: str  # canonical Chinese name
    alt_labels: set[str] = field(default_factory=set)  # surface forms seen + vocabulary aliases
    label_en: str | None = None
    subtype: str | None = None  # Region: Province/City/County; free text otherwise
    code: str | None = None  # official administrative code for regions
    part_of: str | None = None  # Region: parent region key
    located_in: str | None = None  # Hospital: region key
    broader: str | None = None  # Program: parent programme key
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Fact:
    """An implements / pilots edge."""

    subject: str  # entity key (Region or Hospital)
    predicate: Predicate
    object: str  # Program entity key
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Observation:
    """A region reports a metric value (the contract's `reports` relation)."""

    region: str  # Region entity key
    metric: str  # Metric entity key
    value: Decimal
    unit: str
    year: int | None
    kind: ObservationKind
    phrase: str  # the metric as the sentence words it (kept as the observation's label)
    qualifier: str | None = None  # 左右 / 以上 / 余 / 以下 / 约 …
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def identity(self) -> tuple:
        """Observations with the same identity are the same statement and are merged."""
        return (self.region, self.metric, self.value, self.unit, self.year, self.kind, self.qualifier)


@dataclass(frozen=True, order=True)
class Skipped:
    """An input the build could not use, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class KnowledgeGraph:
    """Everything one build produced."""

    documents: list[Document] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # inputs left out, each with its reason
    warnings: list[str] = field(default_factory=list)  # problems with inputs that were still used
