"""SPARQL with Oxigraph: load a graph file, run a query, write its results in a standard format.

`kg query` and `kg serve` both go through here:

    >>> store = load_store(Path("output/graph.ttl"))
    >>> result = run(store, read_query("sanming-provinces"))
    >>> print(write(result, "csv").decode())
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, RdfFormat, Store

from kg.data import ONTOLOGY_DIR

QUERIES_DIR = ONTOLOGY_DIR / "queries"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ID = "https://w3id.org/cn-health-kg/id/"

# Declared for every query (a query's own PREFIX wins).
PREFIXES: dict[str, str] = {
    "kg": "https://w3id.org/cn-health-kg/def/",
    "id": _ID,
    **{name: f"{_ID}{name}/" for name in ("region", "hospital", "program", "metric", "observation", "fact",
                                          "evidence", "document")},
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "qb": "http://purl.org/linked-data/cube#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
}

# Result formats: name -> media type. Solutions and booleans use the first five, graphs the last four.
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "table": "text/plain",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
SOLUTION_FORMATS = ("json", "xml", "csv", "tsv", "table")
GRAPH_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                 "rdfxml": RdfFormat.RDF_XML}
# What a solution format means for a graph result (so `kg query --format json` works on CONSTRUCT).
GRAPH_FORMAT_FOR = {"table": "turtle", "json": "jsonld", "csv": "ntriples", "tsv": "ntriples", "xml": "rdfxml"}

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_TOKENS = re.compile(r'''
    (?P<skip> \#[^\n]*                                          # comment
      | """(?:[^"\\]|\\.|"(?!""))*""" | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'   # long strings
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'               # strings
      | <[^<>"{}|^`\\\s]*>                                      # IRIs
      | [?$]\w+                                                 # variables
      | [\w.-]*:[\w.:%-]*                                       # prefixed names
    )
    | (?P<word>[A-Za-z]+)
''', re.VERBOSE)


class RefusedQuery(ValueError):
    """A query this read-only, offline tool will not run (an update, or SERVICE)."""


class TooManyResults(ValueError):
    """The result has more rows or triples than the limit allows."""


@dataclass
class Result:
    """A query's answer: solutions (variables and rows), a boolean, or triples."""

    form: str  # "solutions", "boolean" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[object | None]] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)


def load_store(path: Path) -> Store:
    """An in-memory Oxigraph store holding the graph file (format from the extension: .ttl, .nt, .jsonld …)."""
    rdf_format = RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if rdf_format is None:
        raise ValueError(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)")
    store = Store()
    store.bulk_load(path=str(path), format=rdf_format)
    return store


def read_query(text_or_file: str) -> str:
    """The query itself, a file holding one, or the name of a shipped query (ontology/queries/NAME.rq)."""
    shipped = QUERIES_DIR / f"{text_or_file}.rq"
    if re.fullmatch(r"[\w-]+", text_or_file) and shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    path = Path(text_or_file)
    if len(text_or_file) < 4096 and "\n" not in text_or_file and path.is_file():
        return path.read_text(encoding="utf-8")
    return text_or_file


def shipped_queries() -> dict[str, str]:
    """Name -> first comment line of every query in ontology/queries/."""
    return {path.stem: path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
            for path in sorted(QUERIES_DIR.glob("*.rq"))}


def check(query: str) -> None:
    """Refuse updates (INSERT, LOAD, …) and federated SERVICE calls, which would reach the network."""
    words = [match.group("word").upper() for match in _TOKENS.finditer(query) if match.group("word")]
    form = next((word for word in words if word not in ("PREFIX", "BASE")), "")
    if form in UPDATE_KEYWORDS:
        raise RefusedQuery(f"{form} is a SPARQL update; this endpoint is read-only")
    if "SERVICE" in words:
        raise RefusedQuery("SERVICE (federated query) is disabled: queries run on the local graph only")


def _take(iterator, limit: int | None, what: str) -> list:
    items = []
    for item in iterator:
        if limit is not None and len(items) == limit:
            raise TooManyResults(f"the result has more than {limit} {what}; add a LIMIT or narrow the query")
        items.append(item)
    return items


def run(store: Store, query: str, limit: int | None = None) -> Result:
    """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query; raise SyntaxError, RefusedQuery or TooManyResults."""
    check(query)
    answer = store.query(query, prefixes=PREFIXES)
    if isinstance(answer, QueryBoolean):
        return Result("boolean", boolean=bool(answer))
    if isinstance(answer, QuerySolutions):
        variables = [variable.value for variable in answer.variables]
        rows = [[solution[name] for name in variables] for solution in _take(answer, limit, "rows")]
        return Result("solutions", variables=variables, rows=rows)
    return Result("graph", triples=_take(answer, limit, "triples"))


def result_format(result: Result, requested: str) -> str:
    """The format a result is written in when `requested` is asked for (graphs map solution formats)."""
    if result.form == "graph":
        return requested if requested in GRAPH_FORMATS else GRAPH_FORMAT_FOR.get(requested, "turtle")
    return requested if requested in SOLUTION_FORMATS else "json"


# ---------------------------------------------------------------- writing results

def _json_term(term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value != XSD_STRING:
            return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
        return {"type": "literal", "value": term.value}
    return {"type": "triple", "value": str(term)}


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _plain(term) -> str:
    """A term as CSV writes it: IRIs and lexical forms without quotes or datatypes."""
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def _short(term) -> str:
    """A term for the terminal: prefixed IRI or the literal's value."""
    if isinstance(term, NamedNode):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            if term.value.startswith(namespace) and re.fullmatch(r"[\w.-]*", term.value[len(namespace):]):
                return f"{prefix}:{term.value[len(namespace):]}"
        return f"<{term.value}>"
    return _plain(term)


def _width(text: str) -> int:
    """Columns a string takes on a terminal (wide CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(result: Result) -> str:
    if result.form == "boolean":
        return "true\n" if result.boolean else "false\n"
    cells = [result.variables] + [[_short(term) if term is not None else "" for term in row] for row in result.rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(result.variables))]
    lines = ["  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def write(result: Result, requested: str) -> bytes:
    """The result in a format of MEDIA_TYPES (see `result_format` for what graphs and booleans get)."""
    name = result_format(result, requested)
    if result.form == "graph":
        return pyoxigraph.serialize(result.triples, format=GRAPH_FORMATS[name], prefixes=PREFIXES)
    if name == "table":
        return _table(result).encode("utf-8")
    if name == "json":
        if result.form == "boolean":
            return json.dumps({"head": {}, "boolean": result.boolean}).encode("utf-8")
        bindings = [{name: _json_term(term) for name, term in zip(result.variables, row) if term is not None}
                    for row in result.rows]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if name == "xml":
        head = "".join(f"<variable name={quoteattr(variable)}/>" for variable in result.variables)
        if result.form == "boolean":
            body = f"<boolean>{'true' if result.boolean else 'false'}</boolean>"
        else:
            body = "<results>" + "".join(
                "<result>" + "".join(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                                     for name, term in zip(result.variables, row) if term is not None) + "</result>"
                for row in result.rows) + "</results>"
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head>{head}</head>{body}</sparql>\n").encode("utf-8")
    if result.form == "boolean":
        return b"true\n" if result.boolean else b"false\n"
    if name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([_plain(term) for term in row] for row in result.rows)
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{variable}" for variable in result.variables)]
    lines += ["\t".join(str(term) if term is not None else "" for term in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
