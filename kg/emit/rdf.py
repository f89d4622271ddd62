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
OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD"}  # file extension -> pyoxigraph.RdfFormat


@functools.cache
def _ontology_triples() -> tuple:
    import pyoxigraph
    return tuple(pyoxigraph.parse(path=str(ONTOLOGY_DIR / "kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE))


def iter_triples(kg: KnowledgeGraph) -> Iterator[tuple]:
    """The triples of `to_rdflib` (without the ontology) as (subject, predicate, object) pyoxigraph terms,
    possibly repeated, in no particular order."""
    from pyoxigraph import Literal as L, NamedNode as N

    ns = functools.lru_cache(maxsize=None)(N)
    idn = lambda key: N(f"{ID}{key}")  # noqa: E731
    rdf_type, label, pref, alt = ns(_RDF_TYPE), ns(str(RDFS.label)), ns(str(SKOS.prefLabel)), ns(str(SKOS.altLabel))
    evidence_p, derived, prov_value, anchor = ns(f"{KG}evidence"), ns(str(PROV.wasDerivedFrom)), \
        ns(str(PROV.value)), ns(f"{NIF}anchorOf")
    begin, end, document_p, nonneg = ns(f"{NIF}beginIndex"), ns(f"{NIF}endIndex"), ns(f"{KG}document"), \
        ns(f"{_XSD}nonNegativeInteger")
    evidence_class = ns(f"{KG}Evidence")
    seen_evidence: set[tuple] = set()

    def evidence(subject, items: list[Evidence]) -> Iterator[tuple]:
        for item in items:
            node = idn(f"evidence/{item.doc_id}-{item.start}-{item.end}")
            document = idn(f"document/{item.doc_id}")
            yield subject, evidence_p, node
            yield subject, derived, document
            if item in seen_evidence:
                continue
            seen_evidence.add(item)
            sentence = L(item.sentence)
            yield node, rdf_type, evidence_class
            yield node, prov_value, sentence
            yield node, anchor, sentence
            yield node, begin, L(str(item.start), datatype=nonneg)
            yield node, end, L(str(item.end), datatype=nonneg)
            yield node, document_p, document

    for document in kg.documents:
        node = idn(f"document/{document.id}")
        yield node, rdf_type, ns(f"{KG}Document")
        yield node, label, L(document.title or document.name)
        if document.title:
            yield node, ns(str(DCTERMS.title)), L(document.title)
        yield node, ns(f"{KG}fileName"), L(document.name)
        yield node, ns(f"{KG}sha256"), L(document.sha256)
        if document.published:
            yield node, ns(str(DCTERMS.issued)), L(document.published, datatype=ns(f"{_XSD}date"))
    links = ((ns(f"{KG}partOf"), "part_of"), (ns(f"{KG}locatedIn"), "located_in"), (ns(str(SKOS.broader)), "broader"))
    for entity in kg.entities.values():
        node = idn(entity.key)
        yield node, rdf_type, ns(f"{KG}{entity.type}")
        if entity.type == "Region" and entity.subtype:
            yield node, rdf_type, ns(f"{KG}{entity.subtype}")
        zh = L(entity.label, language="zh")
        yield node, label, zh
        yield node, pref, zh
        for alias in entity.alt_labels - {entity.label}:
            yield node, alt, L(alias, language="zh")
        if entity.label_en:
            yield node, label, L(entity.label_en, language="en")
        if entity.code:
            yield node, ns(str(SKOS.notation)), L(entity.code)
        for predicate, attribute in links:
            target = getattr(entity, attribute)
            if target:
                yield node, predicate, idn(target)
        yield from evidence(node, entity.evidence)
    fact_class = ns(f"{KG}Fact")
    for fact in kg.facts:
        subject, predicate, obj = idn(fact.subject), ns(f"{KG}{fact.predicate}"), idn(fact.object)
        yield subject, predicate, obj
        node = idn(f"fact/{stable_id(fact.subject, fact.predicate, fact.object)}")
        yield node, rdf_type, fact_class
        yield node, ns(str(RDF.subject)), subject
        yield node, ns(str(RDF.predicate)), predicate
        yield node, ns(str(RDF.object)), obj
        yield from evidence(node, fact.evidence)
    dataset = N(str(DATASET))
    decimal, gyear = ns(f"{_XSD}decimal"), ns(f"{_XSD}gYear")
    for observation in kg.observations:
        node = idn(f"observation/{stable_id(*observation.identity)}")
        region = idn(observation.region)
        yield region, ns(f"{KG}reports"), node
        yield node, rdf_type, ns(f"{KG}Observation")
        yield node, ns(str(QB.dataSet)), dataset
        yield node, ns(f"{KG}region"), region
        yield node, ns(f"{KG}metric"), idn(observation.metric)
        yield node, ns(f"{KG}value"), L(f"{observation.value:f}", datatype=decimal)
        yield node, ns(f"{KG}unit"), L(observation.unit)
        yield node, label, L(observation.phrase, language="zh")
        yield node, ns(f"{KG}kind"), ns(f"{KG}Target" if observation.kind == "target" else f"{KG}Reported")
        if observation.year:
            yield node, ns(f"{KG}year"), L(str(observation.year), datatype=gyear)
        if observation.qualifier:
            yield node, ns(f"{KG}qualifier"), L(observation.qualifier, language="zh")
        yield from evidence(node, observation.evidence)
    if kg.observations:
        yield dataset, rdf_type, ns(str(QB.DataSet))
        yield dataset, ns(str(QB.structure)), ns(f"{KG}observationStructure")
        yield dataset, label, L("Health-system indicators reported in the source documents", language="en")


def sorted_triples(kg: KnowledgeGraph, with_ontology: bool = True) -> list:
    """Every distinct triple of the graph (with the ontology) as a pyoxigraph Triple, sorted by subject,
    then predicate (rdf:type first), then object: the order the files are written in."""
    from pyoxigraph import Triple

    unique = set(iter_triples(kg))
    if with_ontology:
        unique.update((t.subject, t.predicate, t.object) for t in _ontology_triples())

    def key(triple: tuple) -> tuple:
        subject, predicate, obj = triple
        return subject.value, predicate.value != _RDF_TYPE, predicate.value, str(obj)

    return [Triple(*triple) for triple in sorted(unique, key=key)]


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
            pyoxigraph.serialize(triples, handle, rdf_format)
            return
        handle.writelines(f"@prefix {prefix}: <{namespace}> .\n".encode() for prefix, namespace in sorted(PREFIXES.items()))
        body = _WithoutPrefixLines(handle)
        pyoxigraph.serialize(triples, body, rdf_format, prefixes=PREFIXES)
        if body.head:
            handle.write(body.head)
