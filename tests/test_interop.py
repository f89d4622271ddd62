"""Interoperability: the graph reads the same in rdflib, pyoxigraph and Raptor's rapper, and the
shipped queries answer the same in Oxigraph, rdflib and Rasqal's roqet.

rapper and roqet come from the Debian packages raptor2-utils and rasqal-utils (scripts/test.sh
installs them). Without them these tests fail, unless KG_SKIP_RDF_TOOLS=1 is set.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess

import pyoxigraph
import pytest
import rdflib

from kg.sparql import QUERIES_DIR, load_store, run, write

QUERIES = sorted(QUERIES_DIR.glob("*.rq"))


def tool(name: str, package: str) -> str:
    """The path of a command-line tool; a failure (or a skip when KG_SKIP_RDF_TOOLS=1) without it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed: apt-get install {package} (scripts/test.sh does), or set KG_SKIP_RDF_TOOLS=1"
    if os.environ.get("KG_SKIP_RDF_TOOLS") == "1":
        pytest.skip(message)
    pytest.fail(message)


def rows(csv_text: str) -> list[tuple[str, ...]]:
    """CSV rows, sorted, with decimals written one way (85.0 and 85 are the same value)."""
    return sorted(tuple(re.sub(r"^(-?\d+)\.0+$|^(-?\d+\.\d*?)0+$", lambda m: m.group(1) or m.group(2), cell)
                        for cell in row) for row in csv.reader(io.StringIO(csv_text)))


@pytest.fixture(scope="module")
def store(seed_output) -> pyoxigraph.Store:
    return load_store(seed_output / "graph.ttl")


@pytest.fixture(scope="module")
def rdflib_graph(seed_output) -> rdflib.Graph:
    return rdflib.Graph().parse(seed_output / "graph.ttl")


@pytest.mark.parametrize("name, syntax", [("graph.ttl", "turtle"), ("graph.nt", "ntriples")])
def test_rapper_reads_as_many_triples_as_rdflib_and_pyoxigraph(seed_output, name, syntax):
    rapper = tool("rapper", "raptor2-utils")
    path = seed_output / name
    out = subprocess.run([rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    counted = int(re.search(r"returned (\d+) triples", out.stderr).group(1))
    assert counted == len(rdflib.Graph().parse(path)) == len(load_store(path)) > 5000


def test_jsonld_reads_as_many_triples_in_rdflib_and_pyoxigraph(seed_output):
    path = seed_output / "graph.jsonld"
    assert len(rdflib.Graph().parse(path)) == len(load_store(path)) == len(load_store(seed_output / "graph.ttl"))


@pytest.mark.parametrize("query", QUERIES, ids=lambda path: path.stem)
def test_roqet_answers_like_oxigraph(seed_output, store, query):
    roqet = tool("roqet", "rasqal-utils")
    result = run(store, query.read_text(encoding="utf-8"))
    results_format = {"graph": "rdfxml", "boolean": "xml"}.get(result.form, "csv")
    out = subprocess.run([roqet, "-q", "-W", "0", "-i", "sparql", "-D", str(seed_output / "graph.ttl"),
                          "-r", results_format, str(query)], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    if result.form == "graph":
        theirs = {str(t) for t in pyoxigraph.parse(out.stdout, format=pyoxigraph.RdfFormat.RDF_XML)}
        assert theirs == {str(t) for t in result.triples}
    elif result.form == "boolean":
        assert (b"<boolean>true</boolean>" in out.stdout) is result.boolean
    else:
        assert rows(out.stdout.decode()) == rows(write(result, "csv").decode())


@pytest.mark.parametrize("query", QUERIES, ids=lambda path: path.stem)
def test_rdflib_answers_like_oxigraph(store, rdflib_graph, query):
    text = query.read_text(encoding="utf-8")
    result, theirs = run(store, text), rdflib_graph.query(text)
    if result.form == "graph":
        assert {(str(s), str(p), str(o)) for s, p, o in theirs} == \
               {(t.subject.value, t.predicate.value, t.object.value) for t in result.triples}
    elif result.form == "boolean":
        assert theirs.askAnswer is result.boolean
    else:
        assert rows(theirs.serialize(format="csv").decode()) == rows(write(result, "csv").decode())
