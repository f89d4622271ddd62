"""`kg query` and the shipped analyst queries, run on the seed graph with real answers checked."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest

from kg.cli import main
from kg.sparql import QUERIES_DIR, RefusedQuery, TooManyResults, check, load_store, read_query, run, write

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ID = "https://w3id.org/cn-health-kg/id/"


@pytest.fixture(scope="module")
def store(seed_output) -> pyoxigraph.Store:
    return load_store(seed_output / "graph.ttl")


def rows(store, name: str) -> set[tuple[str, ...]]:
    """A shipped query's rows as tuples of lexical values (decimals normalised, unbound as "")."""
    result = run(store, read_query(name))
    return {tuple(_value(term) for term in row) for row in result.rows}


def _value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value.endswith("#decimal"):
        return format(Decimal(term.value).normalize(), "f")
    return term.value


def test_every_shipped_query_is_documented_and_tested():
    names = {path.stem for path in QUERIES_DIR.glob("*.rq")}
    assert len(names) >= 8
    for path in QUERIES_DIR.glob("*.rq"):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    assert names <= tested


def test_sanming_provinces(store):
    provinces = {name for _, name, _ in rows(store, "sanming-provinces")}
    assert {"福建省", "江西省", "湖南省", "宁夏回族自治区"} <= provinces
    assert all(sentence for *_, sentence in rows(store, "sanming-provinces"))
    assert any("三明医改" in sentence for *_, sentence in rows(store, "sanming-provinces"))


def test_pilot_cities(store):
    found = rows(store, "pilot-cities")
    assert ("紧密型城市医疗集团", "包头市", "内蒙古自治区") in found
    assert ("公立医院改革与高质量发展示范项目", "三明市", "福建省") in found


def test_life_expectancy(store):
    found = rows(store, "life-expectancy")
    assert ("浙江省", "2021", "82.2", "岁", "reported", "002_3beb5ca452edc6cc.txt") in found
    assert ("郴州市", "2035", "80", "岁", "target", "003_65d0c4f75aeeb8fa.txt") in found


def test_regional_medical_centres(store):
    found = rows(store, "regional-medical-centres")
    assert ("北京大学第一医院宁夏妇女儿童医院", "宁夏回族自治区") in found
    assert ("河南省儿童医院商丘医院", "河南省") in found


def test_region_facts(store):
    found = rows(store, "region-facts")
    relations = {relation for relation, *_ in found}
    assert {f"https://w3id.org/cn-health-kg/def/{name}" for name in ("implements", "reports")} <= relations
    assert any(r[1] == "国家区域医疗中心" and r[5] == "000_12ab132b68f62472.txt" for r in found)
    assert any(r[1] == "县域内就诊率" and r[2:4] == ("85", "%") for r in found)
    for *_, sentence, file, begin, end in found:
        assert (SEEDS / file).read_text(encoding="utf-8")[int(begin):int(end)] == sentence


def test_programmes_by_provinces(store):
    result = run(store, read_query("programmes-by-provinces"))
    counts = [(row[0].value, int(row[1].value)) for row in result.rows]
    assert counts == sorted(counts, key=lambda item: (-item[1], item[0]))
    assert dict(counts)["三明医改经验"] >= 4


def test_targets(store):
    found = rows(store, "targets")
    assert ("郴州市", "65岁及以上常住老年人规范健康管理服务率", "65", "%", "2025") in found
    assert ("福建省", "居民中医药健康文化素养水平", "30", "%", "2025") in found


def test_documents(store):
    found = {row[0]: row for row in rows(store, "documents")}
    assert set(found) == {path.name for path in SEEDS.glob("*.txt")}
    file, label, sha256, facts = found["004_fd44d362ff85506a.txt"]
    assert label == "健康中国山西行动" and sha256.startswith("f3a4b0f9e705d8a7") and int(facts) > 0


def test_cities_and_counties(store):
    found = rows(store, "cities-and-counties")
    assert ("140100", "太原市", "Prefecture-level region", "140000", "山西省") in found
    assert ("330483", "桐乡市", "County-level region", "330400", "嘉兴市") in found


def test_fujian_implements_sanming(store):
    result = run(store, read_query("fujian-implements-sanming"))
    assert result.form == "boolean" and result.boolean


def test_programme_map(store):
    result = run(store, read_query("programme-map"))
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in result.triples}
    assert (f"{ID}region/350000", "https://w3id.org/cn-health-kg/def/implements", f"{ID}program/sanming-model") in triples
    assert (f"{ID}program/sanming-model", "http://www.w3.org/2000/01/rdf-schema#label", "三明医改经验") in triples


# ---------------------------------------------------------------- the command and the result formats

def test_cli_runs_a_shipped_query_as_a_table(seed_output, capsys):
    assert main(["query", "pilot-cities", "--graph", str(seed_output / "graph.ttl")]) == 0
    out = capsys.readouterr().out
    assert "包头市" in out and "programme" in out.splitlines()[0] and out.rstrip().endswith("rows)")


def test_cli_runs_a_query_file_with_predeclared_prefixes(seed_output, tmp_path, capsys):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?name WHERE { region:350000 rdfs:label ?name FILTER(lang(?name) = 'zh') }",
                     encoding="utf-8")
    assert main(["query", str(query), "--graph", str(seed_output / "graph.ttl"), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "name\r\n福建省\r\n"


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_result_formats_round_trip(store, name):
    result = run(store, read_query("pilot-cities"))
    parsed = pyoxigraph.parse_query_results(write(result, name), format=getattr(pyoxigraph.QueryResultsFormat, name.upper()))
    assert [[solution[v] for v in result.variables] for solution in parsed] == result.rows


def test_csv_and_json_are_the_standard_layouts(store):
    result = run(store, read_query("sanming-provinces"))
    table = list(csv.reader(io.StringIO(write(result, "csv").decode())))
    assert table[0] == ["province", "name", "sentence"] and len(table) == len(result.rows) + 1
    document = json.loads(write(result, "json"))
    assert document["head"]["vars"] == ["province", "name", "sentence"]
    assert document["results"]["bindings"][0]["name"]["xml:lang"] == "zh"


def test_construct_is_written_as_rdf(seed_output, capsys):
    assert main(["query", "programme-map", "--graph", str(seed_output / "graph.ttl"), "--format", "ntriples"]) == 0
    triples = list(pyoxigraph.parse(capsys.readouterr().out.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(triples) == len(run(load_store(seed_output / "graph.ttl"), read_query("programme-map")).triples)


def test_syntax_errors_and_service_are_refused(seed_output, capsys):
    graph = str(seed_output / "graph.ttl")
    assert main(["query", "SELECT WHERE {", "--graph", graph]) == 2
    assert main(["query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "--graph", graph]) == 2
    assert "SERVICE (federated query) is disabled" in capsys.readouterr().err


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }", "LOAD <http://example.org/data.ttl>",
    "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }",
    "SELECT * WHERE { service <http://example.org/sparql> { ?s ?p ?o } }"])
def test_check_refuses_updates_and_service(query):
    with pytest.raises(RefusedQuery):
        check(query)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a <http://example.org/Service> }",
    'SELECT * WHERE { ?s ?p "SERVICE <x> {}" } # SERVICE in a comment',
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }"])
def test_check_lets_lookalikes_through(query):
    check(query)


def test_result_size_limit(store):
    with pytest.raises(TooManyResults, match="more than 10 rows"):
        run(store, "SELECT * WHERE { ?s ?p ?o }", limit=10)
    assert len(run(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 10", limit=10).rows) == 10
