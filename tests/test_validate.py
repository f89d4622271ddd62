"""The ontology and the SHACL shapes: the seed graph conforms, broken graphs are reported readably."""

from __future__ import annotations

import rdflib
import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from kg.cli import main
from kg.data import ONTOLOGY_DIR
from kg.emit.rdf import serialize

KG = Namespace("https://w3id.org/cn-health-kg/def/")
ID = Namespace("https://w3id.org/cn-health-kg/id/")
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
SKOS_DEFINITION = URIRef("http://www.w3.org/2004/02/skos/core#definition")


@pytest.fixture(scope="module")
def seed_graph(seed_output) -> rdflib.Graph:
    return rdflib.Graph().parse(seed_output / "graph.ttl")


def broken(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of the seed graph with one mistake of each kind the shapes guard against."""
    copy = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, replace=True)
    for triple in graph:
        copy.add(triple)
    observation = next(copy.subjects(KG.metric, ID["metric/life-expectancy"]))
    copy.set((observation, KG.value, Literal("seventy-seven")))
    copy.set((observation, KG.year, Literal("1024", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))))
    copy.remove((ID["region/640000"], RDFS.label, Literal("宁夏回族自治区", lang="zh")))
    copy.add((ID["region/350000"], KG.implements, ID["program/family-doctor"]))  # stated without a kg:Fact
    fact = next(copy.subjects(RDF.type, KG.Fact))
    copy.remove((fact, KG.evidence, None))
    return copy


def test_ontology_terms_have_chinese_and_english_labels_and_definitions():
    ontology = rdflib.Graph().parse(ONTOLOGY_DIR / "kg.ttl")
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(KG)) and not str(s).endswith("Component")}
    assert {KG.Region, KG.Observation, KG.implements, KG.value, KG.sha256} <= terms
    for term in terms - {KG.observationStructure, URIRef(str(KG))}:
        for predicate in (RDFS.label, SKOS_DEFINITION):
            languages = {value.language for value in ontology.objects(term, predicate)}
            assert {"zh", "en"} <= languages, (term, predicate)


def test_seed_graph_conforms(seed_output, capsys):
    assert main(["validate", str(seed_output / "graph.ttl")]) == 0
    out = capsys.readouterr().out
    assert "(0 violations)" in out and "nodes conform to" in out


@pytest.mark.parametrize("name", ["graph.nt", "graph.jsonld"])
def test_other_serializations_conform_too(seed_output, name):
    assert main(["validate", str(seed_output / name)]) == 0


def test_broken_graph_fails_with_a_readable_report(seed_graph, tmp_path, capsys):
    path = tmp_path / "broken.ttl"
    path.write_text(serialize(broken(seed_graph), "ttl"), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "an observation has one xsd:decimal value" in out and '"seventy-seven"' in out
    assert "kg:year is at most one xsd:gYear between 1900 and 2099" in out
    assert "needs exactly one Chinese rdfs:label (@zh)" in out and "region:640000" in out
    assert "region:350000 kg:implements program:family-doctor: no kg:Fact carries this statement" in out
    assert "a fact has at least one evidence sentence" in out
    assert "0 violations" not in out


def test_a_graph_without_the_ontology_is_reported(seed_graph, tmp_path, capsys):
    ontology = rdflib.Graph().parse(ONTOLOGY_DIR / "kg.ttl")
    path = tmp_path / "bare.nt"
    path.write_text(serialize(seed_graph - ontology, "nt"), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert "the class hierarchy of ontology/kg.ttl is missing from the graph" in capsys.readouterr().out


def test_unreadable_graph_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "bad.ttl"
    path.write_text("this is not turtle <<", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "bad.ttl: not valid RDF" in capsys.readouterr().err


def test_build_reports_the_shacl_check(tmp_path, capsys):
    (tmp_path / "note.txt").write_text("宁夏\n2024年,全区县域内就诊率达到85%。", encoding="utf-8")
    assert main(["build", str(tmp_path / "note.txt"), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert "(0 violations)" in capsys.readouterr().out


def _values(graph: rdflib.Graph) -> set[tuple]:
    """Triples with decimals as numbers (Turtle writes 85 as 85.0, the other formats keep "85")."""
    return {(s, p, o.value if isinstance(o, Literal) and o.datatype == DECIMAL else o) for s, p, o in graph}


def test_every_serialization_holds_the_same_triples(seed_output, seed_graph):
    for name in ("graph.nt", "graph.jsonld"):
        assert _values(rdflib.Graph().parse(seed_output / name)) == _values(seed_graph), name


def test_serializations_do_not_depend_on_insertion_order(seed_graph):
    reversed_graph = rdflib.Graph()
    for prefix, namespace in seed_graph.namespaces():
        reversed_graph.bind(prefix, namespace, replace=True)
    for triple in reversed(sorted(seed_graph)):
        reversed_graph.add(triple)
    for extension in ("ttl", "nt", "jsonld"):
        assert serialize(reversed_graph, extension) == serialize(seed_graph, extension), extension


def test_turtle_uses_prefixes_and_groups_subjects(seed_output):
    text = (seed_output / "graph.ttl").read_text(encoding="utf-8")
    assert "@prefix region: <https://w3id.org/cn-health-kg/id/region/> ." in text
    block = text[text.index("\nregion:640000 a kg:Province , kg:Region ;\n"):]
    block = block[:block.index(" .\n")]
    assert 'rdfs:label "宁夏回族自治区"@zh ;' in block and 'skos:notation "640000" ;' in block
    assert "kg:reports observation:" in block


def test_documents_carry_file_name_hash_and_dates(seed_graph):
    rows = {(str(f), str(h), str(d)) for f, h, d in seed_graph.query("""
        PREFIX kg: <https://w3id.org/cn-health-kg/def/>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?f ?h ?d WHERE { ?doc a kg:Document ; kg:fileName ?f ; kg:sha256 ?h ; dcterms:issued ?d }""")}
    assert ("004_fd44d362ff85506a.txt",
            "f3a4b0f9e705d8a7295b61aacc03fe3eaa6c6d7c58ae309244658ff497775e73", "2024-11-21") in rows


def test_build_says_when_the_shacl_check_is_skipped(tmp_path, capsys):
    (tmp_path / "note.txt").write_text("宁夏\n2024年,全区县域内就诊率达到85%。", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "note.txt"), "-o", str(out), "--quiet", "--validate-max-triples", "10"]) == 0
    printed = capsys.readouterr().out
    assert "SHACL: not checked:" in printed and "more than --validate-max-triples 10" in printed
    assert "0 violations" not in printed
    assert main(["build", str(tmp_path / "note.txt"), "-o", str(out), "--quiet", "--no-validate"]) == 0
    assert "SHACL: not checked (--no-validate)" in capsys.readouterr().out
