"""`kg serve`: the SPARQL 1.1 Protocol over HTTP, checked with urllib, SPARQLWrapper and curl."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import rdflib
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.serve import Limits, make_server

SANMING = "SELECT ?province WHERE { ?province a kg:Province ; kg:implements program:sanming-model }"
FUJIAN = "https://w3id.org/cn-health-kg/id/region/350000"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^13 rows


@pytest.fixture(scope="module")
def endpoint(seed_output):
    server = make_server(seed_output / "graph.ttl", port=0, limits=Limits(timeout=3, max_results=500, workers=2))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, str, bytes]:
    """Status, content type and body of one HTTP request (errors included)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers or {}, method=method), timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def get(endpoint: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, str, bytes]:
    return request(f"{endpoint}/sparql?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})


def test_get_returns_sparql_json(endpoint):
    status, media, body = get(endpoint, SANMING)
    assert status == 200 and media == "application/sparql-results+json"
    provinces = {b["province"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert FUJIAN in provinces


def test_post_form_with_csv_and_tsv(endpoint):
    form = urllib.parse.urlencode({"query": SANMING}).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    status, media, body = request(f"{endpoint}/sparql", form, {**form_type, "Accept": "text/csv"})
    assert status == 200 and media.startswith("text/csv") and FUJIAN in body.decode().splitlines()
    status, media, body = request(f"{endpoint}/sparql", SANMING.encode(),
                                  {"Content-Type": "application/sparql-query",
                                   "Accept": "text/tab-separated-values"})
    assert status == 200 and media.startswith("text/tab-separated-values") and f"<{FUJIAN}>" in body.decode()


def test_content_negotiation_with_quality_values_and_format_parameter(endpoint):
    status, media, body = get(endpoint, SANMING, "text/csv;q=0.5, application/sparql-results+xml")
    assert media == "application/sparql-results+xml" and b"<sparql" in body
    status, media, _ = get(endpoint, "CONSTRUCT WHERE { region:350000 ?p ?o }", "application/n-triples")
    assert media == "application/n-triples"
    status, media, body = request(f"{endpoint}/sparql?{urllib.parse.urlencode({'query': SANMING, 'format': 'csv'})}")
    assert media.startswith("text/csv") and body.startswith(b"province\r\n")


def test_sparqlwrapper_select_ask_and_construct(endpoint):
    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery("PREFIX kg: <https://w3id.org/cn-health-kg/def/> "
                    "SELECT ?p WHERE { <%s> kg:implements ?p }" % FUJIAN)
    client.setReturnFormat(JSON)
    programmes = {b["p"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert "https://w3id.org/cn-health-kg/id/program/sanming-model" in programmes
    client.setQuery("ASK { <%s> ?p ?o }" % FUJIAN)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT WHERE { <%s> ?p ?o }" % FUJIAN)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert (rdflib.URIRef(FUJIAN), rdflib.RDFS.label, rdflib.Literal("福建省", lang="zh")) in graph


def test_sparqlwrapper_default_xml(endpoint):
    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery(SANMING)
    document = client.query().convert()  # SPARQL XML parsed into a DOM
    assert FUJIAN in [node.firstChild.data for node in document.getElementsByTagName("uri")]


@pytest.mark.parametrize("query, message", [
    ("LOAD <http://example.org/data.ttl>", b"read-only"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", b"read-only"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", b"SERVICE"),
])
def test_updates_load_and_service_are_forbidden(endpoint, query, message):
    status, _, body = get(endpoint, query)
    assert status == 403 and message in body


def test_update_operation_is_forbidden(endpoint):
    status, _, body = request(f"{endpoint}/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, _, _ = request(f"{endpoint}/sparql", urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, _ = request(f"{endpoint}/sparql", b"", method="PUT")
    assert status == 405


def test_bad_requests(endpoint):
    assert get(endpoint, "SELECT WHERE {")[0] == 400
    assert request(f"{endpoint}/sparql")[0] == 400
    assert request(f"{endpoint}/nowhere")[0] == 404
    assert request(f"{endpoint}/sparql", b"x", {"Content-Type": "text/plain"})[0] == 415


def test_result_size_limit(endpoint):
    status, _, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"more than 500 rows" in body


def test_time_limit_and_recovery(endpoint):
    started = time.monotonic()
    status, _, body = get(endpoint, SLOW)
    assert status == 503 and b"time limit" in body
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 20
    while (status := get(endpoint, SANMING)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200


def test_burst_of_concurrent_queries(endpoint):
    queries = [SANMING, "ASK { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"] * 20
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda q: get(endpoint, q), queries))
    assert [status for status, _, _ in answers] == [200] * len(queries)
    assert all(FUJIAN.encode() in body for (_, _, body), q in zip(answers, queries) if q == SANMING)


def test_home_page_shows_the_endpoint_and_examples(endpoint):
    status, media, body = request(f"{endpoint}/")
    page = body.decode()
    assert status == 200 and media.startswith("text/html")
    assert f"{endpoint}/sparql" in page and "sanming-provinces" in page and "curl" in page


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_kg_serve_answers_curl(seed_output):
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--graph", str(seed_output / "graph.ttl"),
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("SPARQL endpoint http://127.0.0.1:"), line
        url = line.split()[2]
        out = subprocess.run(["curl", "-sf", url, "-H", "Accept: text/csv", "--data-urlencode", f"query={SANMING}"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and FUJIAN in out.stdout.splitlines()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_graph_that_does_not_load_is_reported(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <<", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot load .*bad.ttl"):
        make_server(bad, port=0, limits=Limits(workers=1))
