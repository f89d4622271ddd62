"""RDF: the knowledge graph as an rdflib Graph and as Turtle (see shared RDF contract and README).

Facts (implements / pilots) are plain triples for simple queries, and also reified as `kg:Fact`
nodes that carry their evidence; observations carry theirs directly. Evidence nodes hold the
sentence (`prov:value`), character offsets into the original file (NIF) and the document.
Written as Turtle (prefixed, grouped by subject), sorted N-Triples or JSON-LD; all deterministic.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.model import Document, Entity, Evidence, Fact, KnowledgeGraph, Observation, stable_id
from kg.data import ONTOLOGY_DIR

KG = Namespace("https://w3id.org/cn-health-kg/def/")
ID = Namespace("https://w3id.org/cn-health-kg/id/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
QB = Namespace("http://purl.org/linked-data/cube#")
DATASET = ID["dataset/observations"]
ID_PREFIXES = ("region", "hospital", "program", "metric", "observation", "fact", "evidence", "document")
FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}  # file extension -> rdflib format


def iri(key: str) -> URIRef:
    """The IRI of an entity key such as 'region/640000'."""
    return ID[key]


def _document_iri(document_id: str) -> URIRef:
    return ID[f"document/{document_id}"]


def _evidence_iri(evidence: Evidence) -> URIRef:
    return ID[f"evidence/{evidence.doc_id}-{evidence.start}-{evidence.end}"]


def _bind(graph: Graph) -> None:
    for prefix, namespace in (("kg", KG), ("id", ID), ("skos", SKOS), ("prov", PROV), ("nif", NIF), ("qb", QB)):
        graph.bind(prefix, namespace)
    for prefix in ID_PREFIXES:
        graph.bind(prefix, ID[f"{prefix}/"])


def _add_evidence(graph: Graph, subject: URIRef, evidence: list[Evidence]) -> None:
    for item in evidence:
        node = _evidence_iri(item)
        graph.add((subject, KG.evidence, node))
        graph.add((subject, PROV.wasDerivedFrom, _document_iri(item.doc_id)))
        graph.add((node, RDF.type, KG.Evidence))
        graph.add((node, PROV.value, Literal(item.sentence)))
        graph.add((node, NIF.anchorOf, Literal(item.sentence)))
        graph.add((node, NIF.beginIndex, Literal(item.start, datatype=XSD.nonNegativeInteger)))
        graph.add((node, NIF.endIndex, Literal(item.end, datatype=XSD.nonNegativeInteger)))
        graph.add((node, KG.document, _document_iri(item.doc_id)))


def _add_document(graph: Graph, document: Document) -> None:
    node = _document_iri(document.id)
    graph.add((node, RDF.type, KG.Document))
    graph.add((node, RDFS.label, Literal(document.title or document.name)))
    if document.title:
        graph.add((node, DCTERMS.title, Literal(document.title)))
    graph.add((node, KG.fileName, Literal(document.name)))
    graph.add((node, KG.sha256, Literal(document.sha256)))
    if document.published:
        graph.add((node, DCTERMS.issued, Literal(document.published, datatype=XSD.date)))


def to_rdflib(kg: KnowledgeGraph, with_ontology: bool = True) -> Graph:
    """The whole knowledge graph as an rdflib Graph (with the ontology, so subclasses resolve)."""
    graph = Graph()
    _bind(graph)
    if with_ontology:
        graph.parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    for document in kg.documents:
        _add_document(graph, document)
    for entity in kg.entities.values():
        node = iri(entity.key)
        graph.add((node, RDF.type, KG[entity.type]))  # ?r a kg:Region works without inference
        if entity.type == "Region" and entity.subtype:
            graph.add((node, RDF.type, KG[entity.subtype]))
        graph.add((node, RDFS.label, Literal(entity.label, lang="zh")))
        graph.add((node, SKOS.prefLabel, Literal(entity.label, lang="zh")))
        for alias in entity.alt_labels - {entity.label}:
            graph.add((node, SKOS.altLabel, Literal(alias, lang="zh")))
        if entity.label_en:
            graph.add((node, RDFS.label, Literal(entity.label_en, lang="en")))
        if entity.code:
            graph.add((node, SKOS.notation, Literal(entity.code)))
        for predicate, target in ((KG.partOf, entity.part_of), (KG.locatedIn, entity.located_in),
                                  (SKOS.broader, entity.broader)):
            if target:
                graph.add((node, predicate, iri(target)))
        _add_evidence(graph, node, entity.evidence)
    for fact in kg.facts:
        subject, predicate, obj = iri(fact.subject), KG[fact.predicate], iri(fact.object)
        graph.add((subject, predicate, obj))
        node = ID[f"fact/{stable_id(fact.subject, fact.predicate, fact.object)}"]
        graph.add((node, RDF.type, KG.Fact))
        graph.add((node, RDF.subject, subject))
        graph.add((node, RDF.predicate, predicate))
        graph.add((node, RDF.object, obj))
        _add_evidence(graph, node, fact.evidence)
    for observation in kg.observations:
        node = ID[f"observation/{stable_id(*observation.identity)}"]
        region = iri(observation.region)
        graph.add((region, KG.reports, node))
        graph.add((node, RDF.type, KG.Observation))
        graph.add((node, QB.dataSet, DATASET))
        graph.add((node, KG.region, region))
        graph.add((node, KG.metric, iri(observation.metric)))
        graph.add((node, KG.value, Literal(observation.value, datatype=XSD.decimal)))
        graph.add((node, KG.unit, Literal(observation.unit)))
        graph.add((node, RDFS.label, Literal(observation.phrase, lang="zh")))
        graph.add((node, KG.kind, KG.Target if observation.kind == "target" else KG.Reported))
        if observation.year:
            graph.add((node, KG.year, Literal(str(observation.year), datatype=XSD.gYear)))
        if observation.qualifier:
            graph.add((node, KG.qualifier, Literal(observation.qualifier, lang="zh")))
        _add_evidence(graph, node, observation.evidence)
    if kg.observations:
        graph.add((DATASET, RDF.type, QB.DataSet))
        graph.add((DATASET, QB.structure, KG.observationStructure))
        graph.add((DATASET, RDFS.label, Literal("Health-system indicators reported in the source documents", lang="en")))
    return graph


def serialize(graph: Graph, extension: str) -> str:
    """The graph as text in the format of a file extension (see FORMATS); the same graph gives the same text."""
    if extension == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    if extension == "jsonld":
        ordered = Graph(bind_namespaces="none")
        for triple in sorted(graph, key=lambda triple: tuple(term.n3() for term in triple)):
            ordered.add(triple)
        iris = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
        context = {prefix: str(namespace) for prefix, namespace in sorted(graph.namespaces())
                   if prefix and any(iri.startswith(str(namespace)) for iri in iris)}
        return ordered.serialize(format="json-ld", context=context, indent=1)
    return graph.serialize(format=FORMATS[extension])


# The fast path: the same triples straight from the KnowledgeGraph in N-Triples syntax, subject by subject
# in file order, written by pyoxigraph (no rdflib Graph, no rdflib serializer, no list of all triples).
# `kg build` writes its files this way.

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = str(RDF.type)
PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": _XSD, "skos": str(SKOS), "dcterms": str(DCTERMS),
            "prov": str(PROV), "owl": "http://www.w3.org/2002/07/owl#", "nif": str(NIF), "qb": str(QB), "kg": str(KG), "id": str(ID),
            **{prefix: f"{ID}{prefix}/" for prefix in ID_PREFIXES}}
_PARSE_CHUNK = 1_000  # triples given to pyoxigraph's parser at once (on 10 MB 10,000 held 24 MB more and were no faster)
OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD"}  # file extension -> pyoxigraph.RdfFormat

Pair = tuple[str, str]  # (predicate, object) of one subject, in N-Triples syntax
Triple = tuple[str, str, str]


@functools.cache
def _ontology_triples() -> tuple[Triple, ...]:
    import pyoxigraph
    triples = pyoxigraph.parse(path=str(ONTOLOGY_DIR / "kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    return tuple((str(t.subject), str(t.predicate), str(t.object)) for t in triples)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _text(value: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples syntax."""
    quoted = f'"{value.translate(_ESCAPES)}"'
    if language:
        return f"{quoted}@{language}"
    return f"{quoted}^^<{datatype}>" if datatype else quoted


def _n(iri: str) -> str:
    return f"<{iri}>"


def _id(key: str) -> str:
    """The IRI of an entity or node key, such as 'region/640000', in N-Triples syntax."""
    return f"<{ID}{key}>"


_TYPE, _LABEL, _PREF, _ALT = _n(_RDF_TYPE), _n(RDFS.label), _n(SKOS.prefLabel), _n(SKOS.altLabel)
_EVIDENCE, _DERIVED, _VALUE, _ANCHOR = _n(f"{KG}evidence"), _n(PROV.wasDerivedFrom), _n(PROV.value), _n(f"{NIF}anchorOf")
_BEGIN, _END, _DOCUMENT, _NONNEG = _n(f"{NIF}beginIndex"), _n(f"{NIF}endIndex"), _n(f"{KG}document"), f"{_XSD}nonNegativeInteger"
_LINKS = ((_n(f"{KG}partOf"), "part_of"), (_n(f"{KG}locatedIn"), "located_in"), (_n(SKOS.broader), "broader"))
_REPORTS, _DATASET = _n(f"{KG}reports"), _n(DATASET)
_DATASET_PAIRS = ((_TYPE, _n(QB.DataSet)), (_n(QB.structure), _n(f"{KG}observationStructure")),
                  (_LABEL, _text("Health-system indicators reported in the source documents", "en")))


def _evidence_node(item: Evidence) -> str:
    return _id(f"evidence/{item.doc_id}-{item.start}-{item.end}")


def _evidence_links(items: list[Evidence]) -> Iterator[Pair]:
    """What a node that carries evidence says of it: the evidence nodes and their documents."""
    for item in items:
        yield _EVIDENCE, _evidence_node(item)
        yield _DERIVED, _id(f"document/{item.doc_id}")


def _evidence_pairs(item: Evidence) -> Iterator[Pair]:
    sentence = _text(item.sentence)
    yield _TYPE, _n(f"{KG}Evidence")
    yield _VALUE, sentence
    yield _ANCHOR, sentence
    yield _BEGIN, _text(str(item.start), datatype=_NONNEG)
    yield _END, _text(str(item.end), datatype=_NONNEG)
    yield _DOCUMENT, _id(f"document/{item.doc_id}")


def _document_pairs(document: Document) -> Iterator[Pair]:
    yield _TYPE, _n(f"{KG}Document")
    yield _LABEL, _text(document.title or document.name)
    if document.title:
        yield _n(DCTERMS.title), _text(document.title)
    yield _n(f"{KG}fileName"), _text(document.name)
    yield _n(f"{KG}sha256"), _text(document.sha256)
    if document.published:
        yield _n(DCTERMS.issued), _text(document.published, datatype=f"{_XSD}date")


def _entity_pairs(entity: Entity | None, facts: list[Fact], observations: list[str]) -> Iterator[Pair]:
    """An entity's own triples, the facts it is the subject of and the observations (ids) it reports; an
    entity key that only facts or observations name has those alone."""
    if entity is not None:
        yield _TYPE, _n(f"{KG}{entity.type}")
        if entity.type == "Region" and entity.subtype:
            yield _TYPE, _n(f"{KG}{entity.subtype}")
        zh = _text(entity.label, "zh")
        yield _LABEL, zh
        yield _PREF, zh
        for alias in entity.alt_labels - {entity.label}:
            yield _ALT, _text(alias, "zh")
        if entity.label_en:
            yield _LABEL, _text(entity.label_en, "en")
        if entity.code:
            yield _n(SKOS.notation), _text(entity.code)
        for predicate, attribute in _LINKS:
            target = getattr(entity, attribute)
            if target:
                yield predicate, _id(target)
        yield from _evidence_links(entity.evidence)
    for fact in facts:
        yield _n(f"{KG}{fact.predicate}"), _id(fact.object)
    for observation in observations:
        yield _REPORTS, _id(f"observation/{observation}")


def _fact_pairs(fact: Fact) -> Iterator[Pair]:
    """The reified fact (`kg:Fact`) node's triples."""
    yield _TYPE, _n(f"{KG}Fact")
    yield _n(RDF.subject), _id(fact.subject)
    yield _n(RDF.predicate), _n(f"{KG}{fact.predicate}")
    yield _n(RDF.object), _id(fact.object)
    yield from _evidence_links(fact.evidence)


def _observation_pairs(observation: Observation) -> Iterator[Pair]:
    yield _TYPE, _n(f"{KG}Observation")
    yield _n(QB.dataSet), _DATASET
    yield _n(f"{KG}region"), _id(observation.region)
    yield _n(f"{KG}metric"), _id(observation.metric)
    yield _n(f"{KG}value"), _text(f"{observation.value:f}", datatype=f"{_XSD}decimal")
    yield _n(f"{KG}unit"), _text(observation.unit)
    yield _LABEL, _text(observation.phrase, "zh")
    yield _n(f"{KG}kind"), _n(f"{KG}Target" if observation.kind == "target" else f"{KG}Reported")
    if observation.year:
        yield _n(f"{KG}year"), _text(str(observation.year), datatype=f"{_XSD}gYear")
    if observation.qualifier:
        yield _n(f"{KG}qualifier"), _text(observation.qualifier, "zh")
    yield from _evidence_links(observation.evidence)


Subjects = Iterator[tuple[str, Iterable[Pair]]]  # (subject, its pairs), in subject order; a subject may repeat


def _subject_streams(kg: KnowledgeGraph, with_ontology: bool) -> list[Subjects]:
    """One stream per kind of subject, each in subject order. Only keys are sorted (the fact and
    observation ids are sha1 prefixes of one length, as are document ids); each subject's pairs are made
    when it comes."""
    observations = sorted(((stable_id(*o.identity), o) for o in kg.observations), key=itemgetter(0))
    reports: dict[str, list[str]] = {}
    for observation_id, observation in observations:
        reports.setdefault(observation.region, []).append(observation_id)
    facts_by_subject: dict[str, list[Fact]] = {}
    for fact in kg.facts:
        facts_by_subject.setdefault(fact.subject, []).append(fact)
    entity_keys = sorted({*kg.entities, *facts_by_subject, *reports}, key=_id)
    facts = sorted(((stable_id(f.subject, f.predicate, f.object), f) for f in kg.facts), key=itemgetter(0))
    ontology: dict[str, list[Pair]] = {}
    for subject, predicate, obj in _ontology_triples() if with_ontology else ():
        ontology.setdefault(subject, []).append((predicate, obj))
    return [
        iter(sorted(ontology.items())),
        iter(sorted(((_id(f"document/{d.id}"), _document_pairs(d)) for d in kg.documents), key=itemgetter(0))),
        ((_id(key), _entity_pairs(kg.entities.get(key), facts_by_subject.get(key, []), reports.get(key, [])))
         for key in entity_keys),
        ((_id(f"fact/{fact_id}"), _fact_pairs(fact)) for fact_id, fact in facts),
        ((_id(f"observation/{observation_id}"), _observation_pairs(o)) for observation_id, o in observations),
        _evidence_subjects(kg),
        iter([(_DATASET, _DATASET_PAIRS)] if kg.observations else []),
    ]


def _evidence_subjects(kg: KnowledgeGraph) -> Subjects:
    """The evidence nodes, one document at a time: only that document's nodes are sorted at once."""
    by_document: dict[str, list[Evidence]] = {}
    for owner in itertools.chain(kg.entities.values(), kg.facts, kg.observations):
        for item in owner.evidence:
            by_document.setdefault(item.doc_id, []).append(item)
    for document_id in sorted(by_document):
        nodes = sorted((_evidence_node(item), item) for item in set(by_document.pop(document_id)))
        for node, item in nodes:
            yield node, _evidence_pairs(item)


def ordered_triples(kg: KnowledgeGraph, with_ontology: bool = True) -> Iterator[Triple]:
    """Every distinct triple of the graph (with the ontology) in N-Triples syntax, sorted by subject, then
    predicate (rdf:type first), then object: the order the files are written in.

    Made subject by subject: the streams of `_subject_streams` are merged in subject order and only one
    subject's triples are sorted at a time."""
    merged = heapq.merge(*_subject_streams(kg, with_ontology), key=itemgetter(0))
    for subject, group in itertools.groupby(merged, key=itemgetter(0)):
        pairs = sorted({pair for _, pairs in group for pair in pairs})
        for predicate, obj in pairs:
            if predicate == _TYPE:
                yield subject, predicate, obj
        for predicate, obj in pairs:
            if predicate != _TYPE:
                yield subject, predicate, obj


def write_rdf(kg: KnowledgeGraph, paths: dict[str, Path]) -> int:
    """Write the graph to each path in the format of its key (a file extension); return the number of
    triples. Each file is made in one pass over the graph (`ordered_triples`), nothing is held whole."""
    written = 0
    for extension, path in paths.items():
        written = write_fast(ordered_triples(kg), extension, path)
    return written


def _pyoxigraph_triples(triples: Iterable[Triple], written: list[int]) -> Iterator:
    """The triples as pyoxigraph Triples, in order (parsed by pyoxigraph from N-Triples, in chunks);
    `written` gets the size of each chunk."""
    import pyoxigraph

    triples = iter(triples)
    while chunk := list(itertools.islice(triples, _PARSE_CHUNK)):
        written.append(len(chunk))
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in chunk)
        yield from pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)


class _WithoutPrefixLines:
    """A binary file wrapper that drops the @prefix lines a serializer writes first (pyoxigraph writes them
    in hash order; `write_fast` writes them itself, sorted)."""

    def __init__(self, handle) -> None:
        self.handle, self.head = handle, b""

    def write(self, data: bytes) -> int:
        if self.head is None:
            return self.handle.write(data)
        self.head += bytes(data)
        while self.head.startswith(b"@prefix ") and b"\n" in self.head:
            self.head = self.head[self.head.index(b"\n") + 1:]
        if self.head and not b"@prefix ".startswith(self.head[:8]):
            self.handle.write(self.head)
            self.head = None
        return len(data)

    def flush(self) -> None:
        self.handle.flush()


def write_fast(triples: Iterable[Triple], extension: str, path: Path) -> int:
    """Write ordered triples as Turtle (sorted prefixes, grouped by subject), canonical N-Triples or
    JSON-LD with pyoxigraph, as they come; return how many. The same triples give the same bytes."""
    import pyoxigraph

    rdf_format = getattr(pyoxigraph.RdfFormat, OX_FORMATS[extension])
    written: list[int] = []
    with open(path, "wb") as handle:
        if extension != "ttl":
            pyoxigraph.serialize(_pyoxigraph_triples(triples, written), handle, rdf_format)
            return sum(written)
        handle.writelines(f"@prefix {prefix}: <{namespace}> .\n".encode() for prefix, namespace in sorted(PREFIXES.items()))
        body = _WithoutPrefixLines(handle)
        pyoxigraph.serialize(_pyoxigraph_triples(triples, written), body, rdf_format, prefixes=PREFIXES)
        if body.head:
            handle.write(body.head)
    return sum(written)
