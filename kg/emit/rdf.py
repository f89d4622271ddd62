"""RDF: the knowledge graph as an rdflib Graph and as Turtle (see shared RDF contract and README).

Facts (implements / pilots) are plain triples for simple queries, and also reified as `kg:Fact`
nodes that carry their evidence; observations carry theirs directly. Evidence nodes hold the
sentence (`prov:value`), character offsets into the original file (NIF) and the document.
Written as Turtle (prefixed, grouped by subject), sorted N-Triples or JSON-LD; all deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.model import Document, Evidence, KnowledgeGraph, stable_id
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


# The fast path: the same triples straight from the KnowledgeGraph as pyoxigraph terms, sorted and
# written by pyoxigraph (no rdflib Graph, no rdflib serializer). `kg build` writes its files this way.

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = str(RDF.type)
PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": _XSD, "skos": str(SKOS), "dcterms": str(DCTERMS),
            "prov": str(PROV), "owl": "http://www.w3.org/2002/07/owl#", "nif": str(NIF), "qb": str(QB), "kg": str(KG), "id": str(ID),
            **{prefix: f"{ID}{prefix}/" for prefix in ID_PREFIXES}}
_PARSE_CHUNK = 10_000  # triples given to pyoxigraph's parser at once (100,000 held 150 MB more, and were slower)
OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD"}  # file extension -> pyoxigraph.RdfFormat


@functools.cache
def _ontology_triples() -> tuple[tuple[str, str, str], ...]:
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


def iter_triples(kg: KnowledgeGraph) -> Iterator[tuple[str, str, str]]:
    """The triples of `to_rdflib` (without the ontology) as (subject, predicate, object) in N-Triples
    syntax, possibly repeated, in no particular order."""
    def n(iri: str) -> str:
        return f"<{iri}>"

    def idn(key: str) -> str:
        return f"<{ID}{key}>"

    rdf_type, label, pref, alt = n(_RDF_TYPE), n(RDFS.label), n(SKOS.prefLabel), n(SKOS.altLabel)
    evidence_p, derived, prov_value, anchor = n(f"{KG}evidence"), n(PROV.wasDerivedFrom), n(PROV.value), n(f"{NIF}anchorOf")
    begin, end, document_p = n(f"{NIF}beginIndex"), n(f"{NIF}endIndex"), n(f"{KG}document")
    nonneg, evidence_class = f"{_XSD}nonNegativeInteger", n(f"{KG}Evidence")
    seen_evidence: set[Evidence] = set()

    def evidence(subject: str, items: list[Evidence]) -> Iterator[tuple[str, str, str]]:
        for item in items:
            node = idn(f"evidence/{item.doc_id}-{item.start}-{item.end}")
            document = idn(f"document/{item.doc_id}")
            yield subject, evidence_p, node
            yield subject, derived, document
            if item in seen_evidence:
                continue
            seen_evidence.add(item)
            sentence = _text(item.sentence)
            yield node, rdf_type, evidence_class
            yield node, prov_value, sentence
            yield node, anchor, sentence
            yield node, begin, _text(str(item.start), datatype=nonneg)
            yield node, end, _text(str(item.end), datatype=nonneg)
            yield node, document_p, document

    for document in kg.documents:
        node = idn(f"document/{document.id}")
        yield node, rdf_type, n(f"{KG}Document")
        yield node, label, _text(document.title or document.name)
        if document.title:
            yield node, n(DCTERMS.title), _text(document.title)
        yield node, n(f"{KG}fileName"), _text(document.name)
        yield node, n(f"{KG}sha256"), _text(document.sha256)
        if document.published:
            yield node, n(DCTERMS.issued), _text(document.published, datatype=f"{_XSD}date")
    links = ((n(f"{KG}partOf"), "part_of"), (n(f"{KG}locatedIn"), "located_in"), (n(SKOS.broader), "broader"))
    for entity in kg.entities.values():
        node = idn(entity.key)
        yield node, rdf_type, n(f"{KG}{entity.type}")
        if entity.type == "Region" and entity.subtype:
            yield node, rdf_type, n(f"{KG}{entity.subtype}")
        zh = _text(entity.label, "zh")
        yield node, label, zh
        yield node, pref, zh
        for alias in entity.alt_labels - {entity.label}:
            yield node, alt, _text(alias, "zh")
        if entity.label_en:
            yield node, label, _text(entity.label_en, "en")
        if entity.code:
            yield node, n(SKOS.notation), _text(entity.code)
        for predicate, attribute in links:
            target = getattr(entity, attribute)
            if target:
                yield node, predicate, idn(target)
        yield from evidence(node, entity.evidence)
    fact_class = n(f"{KG}Fact")
    for fact in kg.facts:
        subject, predicate, obj = idn(fact.subject), n(f"{KG}{fact.predicate}"), idn(fact.object)
        yield subject, predicate, obj
        node = idn(f"fact/{stable_id(fact.subject, fact.predicate, fact.object)}")
        yield node, rdf_type, fact_class
        yield node, n(RDF.subject), subject
        yield node, n(RDF.predicate), predicate
        yield node, n(RDF.object), obj
        yield from evidence(node, fact.evidence)
    dataset = n(DATASET)
    decimal, gyear = f"{_XSD}decimal", f"{_XSD}gYear"
    reports, observation_class, data_set = n(f"{KG}reports"), n(f"{KG}Observation"), n(QB.dataSet)
    region_p, metric_p, value_p, unit_p = n(f"{KG}region"), n(f"{KG}metric"), n(f"{KG}value"), n(f"{KG}unit")
    kind_p, target, reported = n(f"{KG}kind"), n(f"{KG}Target"), n(f"{KG}Reported")
    for observation in kg.observations:
        node = idn(f"observation/{stable_id(*observation.identity)}")
        region = idn(observation.region)
        yield region, reports, node
        yield node, rdf_type, observation_class
        yield node, data_set, dataset
        yield node, region_p, region
        yield node, metric_p, idn(observation.metric)
        yield node, value_p, _text(f"{observation.value:f}", datatype=decimal)
        yield node, unit_p, _text(observation.unit)
        yield node, label, _text(observation.phrase, "zh")
        yield node, kind_p, target if observation.kind == "target" else reported
        if observation.year:
            yield node, n(f"{KG}year"), _text(str(observation.year), datatype=gyear)
        if observation.qualifier:
            yield node, n(f"{KG}qualifier"), _text(observation.qualifier, "zh")
        yield from evidence(node, observation.evidence)
    if kg.observations:
        yield dataset, rdf_type, n(QB.DataSet)
        yield dataset, n(QB.structure), n(f"{KG}observationStructure")
        yield dataset, label, _text("Health-system indicators reported in the source documents", "en")


def sorted_triples(kg: KnowledgeGraph, with_ontology: bool = True) -> list[tuple[str, str, str]]:
    """Every distinct triple of the graph (with the ontology) in N-Triples syntax, sorted by subject,
    then predicate (rdf:type first), then object: the order the files are written in.

    The triples are sorted as they are (no key tuple per triple, no set: millions of them) and repeats
    dropped as they come; each subject's rdf:type triples are moved before its others on the way."""
    triples = list(iter_triples(kg))
    if with_ontology:
        triples.extend(_ontology_triples())
    triples.sort()
    rdf_type = f"<{_RDF_TYPE}>"
    ordered: list[tuple[str, str, str]] = []
    others: list[tuple[str, str, str]] = []  # the current subject's triples that are not rdf:type
    previous = None
    for triple in triples:
        if triple == previous:
            continue
        if previous is not None and triple[0] != previous[0]:
            ordered += others
            others.clear()
        (ordered if triple[1] == rdf_type else others).append(triple)
        previous = triple
    return ordered + others


def write_rdf(kg: KnowledgeGraph, paths: dict[str, Path]) -> int:
    """Write the graph to each path in the format of its key (a file extension); return the number of
    triples. Their sorted list is freed on return, before the other outputs are made."""
    triples = sorted_triples(kg)
    for extension, path in paths.items():
        write_fast(triples, extension, path)
    return len(triples)


def _pyoxigraph_triples(triples: list[tuple[str, str, str]]) -> Iterator:
    """The triples as pyoxigraph Triples, in order (parsed by pyoxigraph from N-Triples, in chunks)."""
    import pyoxigraph

    for start in range(0, len(triples), _PARSE_CHUNK):
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in triples[start:start + _PARSE_CHUNK])
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


def write_fast(triples: list, extension: str, path: Path) -> None:
    """Write sorted triples as Turtle (sorted prefixes, grouped by subject), canonical N-Triples or
    JSON-LD with pyoxigraph; the same triples give the same bytes."""
    import pyoxigraph

    rdf_format = getattr(pyoxigraph.RdfFormat, OX_FORMATS[extension])
    with open(path, "wb") as handle:
        if extension != "ttl":
            pyoxigraph.serialize(_pyoxigraph_triples(triples), handle, rdf_format)
            return
        handle.writelines(f"@prefix {prefix}: <{namespace}> .\n".encode() for prefix, namespace in sorted(PREFIXES.items()))
        body = _WithoutPrefixLines(handle)
        pyoxigraph.serialize(_pyoxigraph_triples(triples), body, rdf_format, prefixes=PREFIXES)
        if body.head:
            handle.write(body.head)
