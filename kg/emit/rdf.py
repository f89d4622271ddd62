"""RDF: the knowledge graph as an rdflib Graph and as Turtle (see shared RDF contract and README).

Facts (implements / pilots) are plain triples for simple queries, and also reified as `kg:Fact`
nodes that carry their evidence; observations carry theirs directly. Evidence nodes hold the
sentence (`prov:value`), character offsets into the original file (NIF) and the document.
Written as Turtle (prefixed, grouped by subject), sorted N-Triples or JSON-LD; all deterministic.
"""

from __future__ import annotations


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
