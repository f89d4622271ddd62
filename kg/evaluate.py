"""Score an RDF graph against gold annotations (`<stem>.gold.jsonl`, see GOLD_FORMAT.md).

The graph is read the way a user would read it: classes and properties by local name (after the
last '#' or '/'), whatever the namespace; names from rdfs:label, skos:prefLabel and skos:altLabel.

Counting, per kind (entity type, relation type, observations):
- precision = extracted items matching at least one gold line (optional or not) / extracted items;
- recall = required gold lines matched by at least one extracted item / required gold lines.
Several extracted items may match one gold line and one item may match several lines, so the two
true-positive counts are kept apart (`tp_precision`, `tp_recall`). Counts add up over documents
for the micro-average.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

ENTITY_TYPES = ("Region", "Hospital", "Program", "Metric")
RELATIONS = ("implements", "pilots")
OBSERVATION = "observation"
KINDS = ENTITY_TYPES + RELATIONS + (OBSERVATION,)
# Entity types whose matching rules apply to a relation's subject and object.
RELATION_ENDS = {"implements": (("Region",), ("Program",)),
                 "pilots": (("Region", "Hospital"), ("Program",))}
REGION_SUFFIXES = ("省", "市", "自治区", "回族自治区", "维吾尔自治区", "壮族自治区", "特别行政区",
                   "地区", "自治州", "州", "县", "区", "盟", "旗")
# A suffix is removed only when this many characters remain, so that 泸州 does not match 泸县.
MIN_REGION_STEM = 2
MIN_CONTAINED = 4
DOC_SUFFIXES = (".txt", ".md", ".html")
GOLD_SUFFIX = ".gold.jsonl"
LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
_REQUIRED = {"entity": ("type", "name"), "relation": ("type", "subject", "object"),
             "observation": ("region", "metric_key", "value")}


# ---------------------------------------------------------------- gold

@dataclass(frozen=True)
class GoldLine:
    """One gold line. `names` are the entity's, the relation subject's or the observation region's."""

    kind: str                        # entity | relation | observation
    type: str                        # entity type, relation type, or "observation"
    names: tuple[str, ...]           # canonical name first, then aliases
    object_names: tuple[str, ...] = ()
    metric_key: str = ""
    value: float | None = None
    unit: str = ""
    year: int | None = None
    optional: bool = False
    line: int = 0

    def describe(self) -> str:
        """A short human-readable form for error listings."""
        if self.kind == "entity":
            text = self.names[0]
        elif self.kind == "relation":
            text = f"{self.names[0]} -{self.type}-> {self.object_names[0]}"
        else:
            year = f" ({self.year})" if self.year else ""
            text = f"{self.names[0]} · {self.metric_key} = {self.value:g}{self.unit}{year}"
        return f"{text}  [line {self.line}]"


def _names(record: dict, name_key: str, aliases_key: str) -> tuple[str, ...]:
    aliases = record.get(aliases_key) or []
    if not isinstance(record[name_key], str):
        raise ValueError(f"'{name_key}' must be a string")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValueError(f"'{aliases_key}' must be a list of strings")
    return (record[name_key], *aliases)


def _gold_line(record: object, line: int) -> GoldLine:
    """One parsed JSON object as a GoldLine; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    kind = record.get("kind")
    if kind not in _REQUIRED:
        raise ValueError(f"unknown kind {kind!r} (expected entity, relation or observation)")
    for key in _REQUIRED[kind]:
        if record.get(key) in (None, ""):
            raise ValueError(f"missing field '{key}'")
    optional = bool(record.get("optional", False))
    if kind == "entity":
        if record["type"] not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {record['type']!r}")
        return GoldLine(kind, record["type"], _names(record, "name", "aliases"), optional=optional, line=line)
    if kind == "relation":
        if record["type"] not in RELATIONS:
            raise ValueError(f"unknown relation type {record['type']!r}")
        return GoldLine(kind, record["type"], _names(record, "subject", "subject_aliases"),
                        _names(record, "object", "object_aliases"), optional=optional, line=line)
    value = record["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"'value' must be a number, not {value!r}")
    return GoldLine(kind, OBSERVATION, _names(record, "region", "region_aliases"),
                    metric_key=record["metric_key"], value=float(value), unit=record.get("unit") or "",
                    year=record.get("year"), optional=optional, line=line)


def load_gold(path: str | Path) -> list[GoldLine]:
    """Read a `.gold.jsonl` file; ValueError names the file and line of any bad line."""
    path = Path(path)
    lines = []
    for number, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            lines.append(_gold_line(json.loads(text), number))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: invalid JSON: {error.msg} (column {error.colno})") from None
        except ValueError as error:
            raise ValueError(f"{path}:{number}: {error}") from None
    return lines


# ---------------------------------------------------------------- graph

@dataclass(frozen=True)
class Entity:
    """A graph node with its names (rdfs:label first, then skos:prefLabel, skos:altLabel)."""

    iri: str
    names: tuple[str, ...]

    def describe(self) -> str:
        """Its names, or its IRI when it has none."""
        return " / ".join(self.names) if self.names else f"<{self.iri}>"


@dataclass(frozen=True)
class Relation:
    """An implements or pilots triple between two nodes."""

    type: str
    subject: Entity
    object: Entity

    def describe(self) -> str:
        """subject -type-> object."""
        return f"{self.subject.describe()} -{self.type}-> {self.object.describe()}"


@dataclass(frozen=True)
class Observation:
    """`?region :reports ?obs` where ?obs has a :metric and a numeric :value."""

    iri: str
    region: Entity
    values: tuple[float, ...]
    names: tuple[str, ...]           # labels of the metric(s), then of the observation node

    def describe(self) -> str:
        """region · names = values."""
        values = ", ".join(f"{v:g}" for v in self.values)
        return f"{self.region.describe()} · {' / '.join(self.names) or '<' + self.iri + '>'} = {values}"


@dataclass
class Extracted:
    """What the graph says, grouped by kind."""

    entities: dict[str, list[Entity]] = field(default_factory=dict)
    relations: dict[str, list[Relation]] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)


def local_name(term: Node) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return re.split(r"[#/]", str(term))[-1]


def _chinese_first(label: Literal) -> tuple[bool, str]:
    return not (label.language or "zh").startswith("zh"), str(label)


def _labels(graph: Graph, node: Node) -> tuple[str, ...]:
    """Label values per LABELS property, Chinese (or untagged) before other languages."""
    names: dict[str, None] = {}
    for predicate in LABELS:
        labels = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
        for label in sorted(labels, key=_chinese_first):
            names.setdefault(str(label))
    return tuple(names)


def _entity(graph: Graph, node: Node) -> Entity:
    return Entity(str(node), _labels(graph, node))


def _classes(graph: Graph, name: str) -> set[Node]:
    """Classes with this local name and everything declared rdfs:subClassOf* them."""
    candidates = set(graph.objects(None, RDF.type)) | set(graph.subjects(RDFS.subClassOf, None))
    candidates |= set(graph.objects(None, RDFS.subClassOf))
    roots = {c for c in candidates if isinstance(c, URIRef) and local_name(c) == name}
    return {c for root in roots for c in graph.transitive_subjects(RDFS.subClassOf, root)}


def _predicates(graph: Graph, name: str) -> set[Node]:
    return {p for p in set(graph.predicates()) if local_name(p) == name}


def _objects(graph: Graph, node: Node, predicates: set[Node]) -> list[Node]:
    return sorted({o for p in predicates for o in graph.objects(node, p)}, key=str)


def _number(term: Node) -> float | None:
    """A literal's numeric value (numeric datatypes or a plain number string), else None."""
    if not isinstance(term, Literal) or isinstance(term.toPython(), bool):
        return None
    try:
        number = float(term.toPython())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _extract_entities(graph: Graph, type_name: str) -> list[Entity]:
    nodes = {s for c in _classes(graph, type_name) for s in graph.subjects(RDF.type, c)
             if isinstance(s, (URIRef, BNode))}
    return [_entity(graph, node) for node in sorted(nodes, key=str)]


def _extract_relations(graph: Graph, type_name: str) -> list[Relation]:
    pairs = {(s, o) for p in _predicates(graph, type_name) for s, o in graph.subject_objects(p)
             if not isinstance(o, Literal)}
    return [Relation(type_name, _entity(graph, s), _entity(graph, o))
            for s, o in sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1])))]


def _extract_observations(graph: Graph) -> list[Observation]:
    metric, value = _predicates(graph, "metric"), _predicates(graph, "value")
    pairs = {(r, o) for p in _predicates(graph, "reports") for r, o in graph.subject_objects(p)}
    observations = []
    for region, node in sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1]))):
        metrics = _objects(graph, node, metric)
        values = tuple(v for v in map(_number, _objects(graph, node, value)) if v is not None)
        if metrics and values:
            names = [name for m in metrics for name in _labels(graph, m)] + list(_labels(graph, node))
            observations.append(Observation(str(node), _entity(graph, region), values,
                                            tuple(dict.fromkeys(names))))
    return observations


def extract_items(graph: Graph) -> Extracted:
    """Entities, relations and observations of a graph, found by local names of classes/properties."""
    return Extracted({t: _extract_entities(graph, t) for t in ENTITY_TYPES},
                     {r: _extract_relations(graph, r) for r in RELATIONS},
                     _extract_observations(graph))


# ---------------------------------------------------------------- matching

@lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """NFKC, lower case, no white space."""
    return "".join(unicodedata.normalize("NFKC", name).lower().split())


@lru_cache(maxsize=1 << 14)
def _keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for key in map(normalize_name, names) if key)


@lru_cache(maxsize=1 << 16)
def region_forms(name: str) -> frozenset[str]:
    """A normalised region name and the names left after removing any one administrative suffix."""
    return frozenset([name] + [name[:-len(s)] for s in REGION_SUFFIXES
                               if name.endswith(s) and len(name) - len(s) >= MIN_REGION_STEM])


def _contained(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= MIN_CONTAINED and shorter in longer


@lru_cache(maxsize=1 << 16)
def _keys_match(type_name: str, ours: frozenset[str], theirs: frozenset[str]) -> bool:
    if ours & theirs:
        return True
    if type_name == "Region":
        return any(region_forms(a) & region_forms(b) for a in ours for b in theirs)
    return any(_contained(a, b) for a in ours for b in theirs)


def names_match(type_name: str, ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether two name lists denote the same entity of this type (GOLD_FORMAT.md rules)."""
    return _keys_match(type_name, _keys(tuple(ours)), _keys(tuple(theirs)))


def _end_matches(types: tuple[str, ...], entity: Entity, names: tuple[str, ...]) -> bool:
    return any(names_match(t, entity.names, names) for t in types)


def _entity_matches(entity: Entity, line: GoldLine) -> bool:
    return names_match(line.type, entity.names, line.names)


def _relation_matches(relation: Relation, line: GoldLine) -> bool:
    subject_types, object_types = RELATION_ENDS[line.type]
    return (relation.type == line.type and _end_matches(subject_types, relation.subject, line.names)
            and _end_matches(object_types, relation.object, line.object_names))


def _observation_matches(observation: Observation, line: GoldLine) -> bool:
    key = normalize_name(line.metric_key)
    return (any(math.isclose(v, line.value, rel_tol=1e-6) for v in observation.values)
            and any(key in normalize_name(name) for name in observation.names)
            and names_match("Region", observation.region.names, line.names))


Item = Entity | Relation | Observation
_Comparison = tuple[str, list[Item], list[GoldLine], Callable[[Item, GoldLine], bool]]


def _comparisons(extracted: Extracted, gold_lines: list[GoldLine]) -> Iterator[_Comparison]:
    """Per kind: extracted items, gold lines of that kind, and the match test."""
    for kind in KINDS:
        lines = [line for line in gold_lines if line.type == kind]
        if kind in ENTITY_TYPES:
            yield kind, extracted.entities.get(kind, []), lines, _entity_matches
        elif kind in RELATIONS:
            yield kind, extracted.relations.get(kind, []), lines, _relation_matches
        else:
            yield kind, extracted.observations, lines, _observation_matches


# ---------------------------------------------------------------- scores

def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Counts:
    """The four counts of one kind; precision/recall are None when their denominator is 0."""

    tp_precision: int = 0
    n_extracted: int = 0
    tp_recall: int = 0
    n_gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp_precision + other.tp_precision, self.n_extracted + other.n_extracted,
                      self.tp_recall + other.tp_recall, self.n_gold + other.n_gold)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp_precision, self.n_extracted)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp_recall, self.n_gold)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int | None]:
        """Counts and ratios."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class Scores:
    """Counts per kind (Region … Metric, implements, pilots, observation)."""

    by_kind: dict[str, Counts]

    @property
    def total(self) -> Counts:
        """All kinds pooled."""
        return sum(self.by_kind.values(), Counts())


def score(extracted: Extracted, gold_lines: list[GoldLine]) -> Scores:
    """Precision/recall counts per kind, as described in the module docstring."""
    by_kind = {}
    for kind, items, lines, match in _comparisons(extracted, gold_lines):
        required = [line for line in lines if not line.optional]
        by_kind[kind] = Counts(tp_precision=sum(any(match(i, line) for line in lines) for i in items),
                               n_extracted=len(items),
                               tp_recall=sum(any(match(i, line) for i in items) for line in required),
                               n_gold=len(required))
    return Scores(by_kind)


def micro_average(scores: list[Scores]) -> Scores:
    """Counts summed over documents, per kind."""
    return Scores({kind: sum((s.by_kind.get(kind, Counts()) for s in scores), Counts()) for kind in KINDS})


def errors(extracted: Extracted, gold_lines: list[GoldLine]) -> dict[str, dict[str, list[str]]]:
    """Per kind: false positives (extracted items matching no gold line) and false negatives
    (required gold lines no item matches), as readable strings."""
    result = {}
    for kind, items, lines, match in _comparisons(extracted, gold_lines):
        result[kind] = {
            "false_positives": [i.describe() for i in items if not any(match(i, line) for line in lines)],
            "false_negatives": [line.describe() for line in lines
                                if not line.optional and not any(match(i, line) for i in items)]}
    return result


# ---------------------------------------------------------------- documents

@dataclass(frozen=True)
class DocumentResult:
    """Scores and errors of one document."""

    stem: str
    gold: Path
    document: Path
    scores: Scores
    errors: dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class Report:
    """Results of every document with gold annotations."""

    documents: list[DocumentResult]

    @property
    def per_doc(self) -> dict[str, Scores]:
        """Scores by document stem."""
        return {d.stem: d.scores for d in self.documents}

    @property
    def micro(self) -> Scores:
        """Micro-average over the documents."""
        return micro_average([d.scores for d in self.documents])


def _document_for(gold: Path, docs_dir: Path) -> Path:
    stem = gold.name[:-len(GOLD_SUFFIX)]
    for suffix in DOC_SUFFIXES:
        if (docs_dir / f"{stem}{suffix}").is_file():
            return docs_dir / f"{stem}{suffix}"
    raise FileNotFoundError(f"gold file {gold} has no document {stem}.txt, {stem}.md or {stem}.html "
                            f"in {docs_dir}")


def evaluate_dir(gold_dir: str | Path, docs_dir: str | Path,
                 build_graph: Callable[[Path], Graph]) -> Report:
    """Score `build_graph(document)` against each `<stem>.gold.jsonl` of gold_dir.

    All gold files are read and all documents found before any graph is built.
    """
    gold_dir, docs_dir = Path(gold_dir), Path(docs_dir)
    if not gold_dir.is_dir():
        raise NotADirectoryError(f"gold folder not found: {gold_dir}")
    gold_files = sorted(gold_dir.glob(f"*{GOLD_SUFFIX}"))
    if not gold_files:
        raise FileNotFoundError(f"no *{GOLD_SUFFIX} files in {gold_dir}")
    jobs = [(gold, _document_for(gold, docs_dir), load_gold(gold)) for gold in gold_files]
    results = []
    for gold, document, lines in jobs:
        extracted = extract_items(build_graph(document))
        results.append(DocumentResult(gold.name[:-len(GOLD_SUFFIX)], gold, document,
                                      score(extracted, lines), errors(extracted, lines)))
    return Report(results)


# ---------------------------------------------------------------- output

def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(scores: Scores) -> list[str]:
    rows = [("kind", "P", "R", "F1", "extracted", "gold")]
    for kind, counts in [*scores.by_kind.items(), ("all", scores.total)]:
        rows.append((kind, _cell(counts.precision), _cell(counts.recall), _cell(counts.f1),
                     str(counts.n_extracted), str(counts.n_gold)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join([row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])])
            for row in rows]


def format_table(scores: Scores, per_doc: dict[str, Scores] | None = None) -> str:
    """A plain-text table (kind, P, R, F1, extracted, gold), after one table per document if given."""
    lines = []
    for stem, doc_scores in (per_doc or {}).items():
        lines += [f"== {stem}", *_table(doc_scores), ""]
    if per_doc:
        lines.append(f"== micro-average over {len(per_doc)} documents")
    return "\n".join(lines + _table(scores))


def format_errors(report: Report) -> str:
    """False positives and false negatives, per document and kind."""
    lines = []
    for doc in report.documents:
        for kind, found in doc.errors.items():
            for label, entries in (("false positives", found["false_positives"]),
                                   ("false negatives", found["false_negatives"])):
                if entries:
                    lines.append(f"== {doc.stem} · {kind} · {label} ({len(entries)})")
                    lines += [f"  {entry}" for entry in entries]
    return "\n".join(lines)


def format_report(report: Report, show_errors: bool = False) -> str:
    """The per-document and micro-averaged tables, then the errors if asked for."""
    text = format_table(report.micro, report.per_doc)
    return f"{text}\n\n{format_errors(report)}" if show_errors else text


def _scores_dict(scores: Scores) -> dict[str, dict[str, float | int | None]]:
    return {kind: counts.as_dict() for kind, counts in [*scores.by_kind.items(), ("all", scores.total)]}


def to_json(report: Report, with_errors: bool = False) -> str:
    """The report as JSON: counts and P/R/F1 per document and micro-averaged (errors if asked)."""
    documents = []
    for doc in report.documents:
        entry = {"stem": doc.stem, "gold": str(doc.gold), "document": str(doc.document),
                 "scores": _scores_dict(doc.scores)}
        if with_errors:
            entry["errors"] = doc.errors
        documents.append(entry)
    return json.dumps({"documents": documents, "micro": _scores_dict(report.micro)},
                      ensure_ascii=False, indent=2)
