"""The `kg` command line: `kg build` turns reports into a knowledge graph, `kg validate` checks it against
the SHACL shapes, `kg query` and `kg serve` answer SPARQL over it, `kg eval` scores it."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from kg.emit.aggregate import DEFAULT_MAX_NODES, too_large
from kg.model import ENTITY_TYPES, KnowledgeGraph

DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("output")
DEFAULT_GRAPH = DEFAULT_OUTPUT / "graph.ttl"
DEFAULT_VALIDATE_MAX_TRIPLES = 200_000
CACHE_FOLDER = ".kg-cache"


OUTPUT_FILES = ("graph.ttl", "graph.html", "graph.graphml", "observations.csv", "build-report.json")
EXIT_CODES = """exit codes:
  0    built (inputs that could not be used are listed, the build goes on without them)
  1    no readable report among the inputs (nothing written), or with --strict: any input
       skipped or any warning (the outputs are written)
  2    bad usage, an output that cannot be written, or a --scheduler that cannot be reached
  3    built, but the graph breaks the SHACL shapes (the violations are printed)
  130  interrupted (Ctrl-C)
A build that fails or is interrupted leaves the previous outputs as they were."""


def write_outputs(graph: KnowledgeGraph, out_dir: Path, rdf_formats: tuple[str, ...] = (),
                  html_max_nodes: int | None = DEFAULT_MAX_NODES, processes: int = 1) -> dict[str, object]:
    """Write the OUTPUT_FILES (plus graph.nt / graph.jsonld on request), each replaced whole (a
    failure leaves the previous ones); return the number of triples and the files written. graph.html
    shows the aggregated view past `html_max_nodes` entities (None or 0: no limit).

    The RDF files are written by pyoxigraph from triples made subject by subject straight from `graph`
    (no rdflib Graph, no list of all triples);
    with `processes` > 1 by a forked process, while this one writes the others."""
    from kg.emit.atomic import replacing
    from kg.emit.html import write_html
    from kg.emit.rdf import write_rdf
    from kg.emit.report import write_report
    from kg.emit.tables import write_csv, write_graphml
    from kg.parallel import in_background

    extensions = ("ttl", *dict.fromkeys(f for f in rdf_formats if f != "ttl"))
    names = [*OUTPUT_FILES, *(f"graph.{extension}" for extension in extensions[1:])]
    with replacing(out_dir, names) as paths:
        rdf_paths = {extension: paths[f"graph.{extension}"] for extension in extensions}
        finish = in_background(lambda: write_rdf(graph, rdf_paths), fork=processes > 1)
        try:
            write_html(graph, paths["graph.html"], html_max_nodes)
            write_graphml(graph, paths["graph.graphml"])
            write_csv(graph, paths["observations.csv"])
        except BaseException:
            finish(cancel=True)  # before the temporary files are removed
            raise
        triples = finish()
        write_report(graph, triples, paths["build-report.json"])
    return {"triples": triples, "files": names}


def summary(graph: KnowledgeGraph) -> str:
    """Documents read, entities per type, facts per relation, inputs skipped, warnings: one line each."""
    entities = Counter(entity.type for entity in graph.entities.values())
    facts = Counter(fact.predicate for fact in graph.facts)
    lines = [f"documents read: {len(graph.documents)}",
             "entities: " + ", ".join(f"{t} {entities[t]}" for t in ENTITY_TYPES),
             f"facts: implements {facts['implements']}, pilots {facts['pilots']}, "
             f"reports {len(graph.observations)} observations",
             f"skipped: {len(graph.skipped)}", f"warnings: {len(graph.warnings)}"]
    lines += [f"  skipped: {item}" for item in graph.skipped]
    lines += [f"  warning: {warning}" for warning in graph.warnings]
    return "\n".join(lines)


def run_build(args: argparse.Namespace) -> int:
    from kg.pipeline import build
    from kg.validate import format_report, validate

    inputs = args.inputs or [DEFAULT_INPUT]
    from kg.cache import ExtractionCache

    cache = None if args.no_cache else ExtractionCache(args.cache or args.output / CACHE_FOLDER)
    graph = build(inputs, progress=None if not args.quiet else False, jobs=args.jobs, cache=cache,
                  scheduler=args.scheduler)
    if not graph.documents:
        print(summary(graph), file=sys.stderr)
        print("kg build: no readable report among the inputs", file=sys.stderr)
        return 1
    written = write_outputs(graph, args.output, tuple(args.rdf_format or ()), args.html_max_nodes,
                            processes=args.jobs)
    print(summary(graph))
    if cache is not None:
        print(f"cache: {cache.hits} of {cache.hits + cache.misses} documents taken from {cache.root}, "
              f"{cache.misses} extracted")
    print(f"wrote {', '.join(str(args.output / name) for name in written['files'])} "
          f"({written['triples']} triples)")
    if too_large(graph, args.html_max_nodes):
        print(f"graph.html: aggregated view (provinces and programmes): {len(graph.entities)} entities is more than "
              f"--html-max-nodes {args.html_max_nodes}")
    conforms = True
    if args.no_validate:
        print("SHACL: not checked (--no-validate)")
    elif written["triples"] > args.validate_max_triples:
        print(f"SHACL: not checked: {written['triples']} triples is more than --validate-max-triples "
              f"{args.validate_max_triples} (run `kg validate {args.output / 'graph.ttl'}`, or raise the limit)")
    else:
        from kg.emit.rdf import to_rdflib

        report = validate(to_rdflib(graph))
        print(format_report(report))
        conforms = report.conforms
    if args.strict and (graph.skipped or graph.warnings):
        print(f"kg build: --strict: {len(graph.skipped)} skipped, {len(graph.warnings)} warnings", file=sys.stderr)
        return 3 if not conforms else 1
    return 0 if conforms else 3


def run_validate(args: argparse.Namespace) -> int:
    import rdflib
    from rdflib.util import guess_format

    from kg.validate import format_report, validate

    try:
        graph = rdflib.Graph().parse(args.graph, format=guess_format(str(args.graph)) or "turtle")
    except (SyntaxError, rdflib.exceptions.ParserError) as error:  # rdflib's parsers raise either
        raise ValueError(f"{args.graph}: not valid RDF ({error})") from error
    report = validate(graph)
    print(format_report(report))
    return 0 if report.conforms else 1


def run_query(args: argparse.Namespace) -> int:
    from kg.sparql import RefusedQuery, load_store, read_query, run, write

    store = load_store(args.graph)
    try:
        result = run(store, read_query(args.query))
    except (SyntaxError, RefusedQuery) as error:
        print(f"kg query: {error}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(write(result, args.format))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from kg.serve import Limits, make_server

    limits = Limits(timeout=args.timeout, max_results=args.max_results, workers=args.workers)
    server = make_server(args.graph, args.host, args.port, limits)
    host, port = server.server_address[:2]
    print(f"SPARQL endpoint http://{host}:{port}/sparql over {args.graph} ({server.pool.triples} triples); "
          f"Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from kg.emit.rdf import to_rdflib
    from kg.evaluate import evaluate_dir, format_report, to_json
    from kg.pipeline import build

    def build_graph(path: Path):
        return to_rdflib(build([path], progress=False))

    report = evaluate_dir(args.gold_dir, args.docs, build_graph)
    print(to_json(report, with_errors=args.errors) if args.json
          else format_report(report, show_errors=args.errors))
    return 0


def _shipped_queries() -> dict[str, str]:
    from kg.sparql import shipped_queries

    return shipped_queries()


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number ≥ 0: {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="kg", description="Build a knowledge graph of China's health-system reform from reports.")
    verbs = main.add_subparsers(dest="verb", required=True)
    build = verbs.add_parser(
        "build", help="read reports, write graph.ttl, graph.html, graph.graphml, observations.csv",
        description="Read reports (.txt, .md, .html; files or folders) and write the knowledge graph\n"
                    "as RDF/Turtle, an interactive HTML page, GraphML and a CSV of observations, and\n"
                    "build-report.json (documents read, inputs skipped and why, warnings, counts).",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("inputs", nargs="*", type=Path, help=f"files or folders (default: {DEFAULT_INPUT}/)")
    build.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                       help=f"output folder (default: {DEFAULT_OUTPUT}/)")
    build.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    build.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                       help="extract documents in N processes, and write the RDF files beside the others "
                            "(default: 1); the outputs do not depend on N")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="extract documents on the Dask cluster of the scheduler at ADDRESS "
                            "(such as tcp://HOST:8786; needs pip install 'kg[distributed]'); the workers "
                            "need kg installed, not the input files; the outputs are the same as a local build's")
    build.add_argument("--cache", type=Path, metavar="DIR",
                       help=f"where extraction results are kept between builds (default: OUTPUT/{CACHE_FOLDER}); "
                            "an unchanged document with an unchanged kg is not extracted again")
    build.add_argument("--no-cache", action="store_true", help="extract every document, read and write no cache")
    build.add_argument("--rdf-format", action="append", choices=("ttl", "nt", "jsonld"),
                       help="also write the graph as graph.nt (sorted N-Triples) or graph.jsonld (JSON-LD); "
                            "repeatable; graph.ttl is always written")
    build.add_argument("--no-validate", action="store_true",
                       help="skip the SHACL check (which otherwise ends the build with exit code 3 "
                            "when the graph breaks the shapes)")
    build.add_argument("--validate-max-triples", type=int, default=DEFAULT_VALIDATE_MAX_TRIPLES, metavar="N",
                       help="skip the SHACL check (and say so) when the graph has more than N triples; pySHACL "
                            f"on an rdflib graph takes minutes for millions (default: {DEFAULT_VALIDATE_MAX_TRIPLES})")
    build.add_argument("--html-max-nodes", type=_count, default=DEFAULT_MAX_NODES, metavar="N",
                       help="past N entities graph.html shows an aggregated view (provinces and programmes, with "
                            f"counts) instead of every node; 0: no limit (default: {DEFAULT_MAX_NODES})")
    build.add_argument("--strict", action="store_true", help="exit 1 if any input is skipped or any warning is given")
    build.set_defaults(run=run_build)
    validate = verbs.add_parser(
        "validate", help="check a graph against the SHACL shapes (ontology/shapes.ttl)",
        description="Check a graph file against the SHACL shapes of ontology/shapes.ttl and print what "
                    "breaks them. Exit codes: 0 conforms, 1 violations, 2 unreadable file.")
    validate.add_argument("graph", nargs="?", type=Path, default=DEFAULT_GRAPH,
                          help=f"a .ttl, .nt or .jsonld file (default: {DEFAULT_GRAPH})")
    validate.set_defaults(run=run_validate)
    query = verbs.add_parser(
        "query", help="run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on a graph",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a SPARQL query with Oxigraph. QUERY is the query text, a file, or the name of a "
                    "shipped query. The prefixes kg: rdf: rdfs: owl: xsd: skos: prov: dcterms: qb: nif: and "
                    "id: region: hospital: program: metric: observation: fact: evidence: document: are "
                    "predeclared. CONSTRUCT results are written as Turtle (table), JSON-LD (json) or "
                    "N-Triples (csv, tsv) unless a graph format is asked for.",
        epilog="shipped queries (ontology/queries/):\n" + "\n".join(
            f"  {name:26} {comment}" for name, comment in _shipped_queries().items()))
    query.add_argument("query", metavar="QUERY_OR_FILE")
    query.add_argument("--graph", type=Path, default=DEFAULT_GRAPH, help=f"graph file (default: {DEFAULT_GRAPH})")
    query.add_argument("--format", default="table", choices=("table", "csv", "tsv", "json", "xml", "turtle",
                                                             "ntriples", "jsonld", "rdfxml"),
                       help="table (default), csv, tsv, json or xml for results; turtle, ntriples, jsonld or "
                            "rdfxml for graphs")
    query.set_defaults(run=run_query)
    serve = verbs.add_parser(
        "serve", help="a read-only SPARQL 1.1 Protocol endpoint at /sparql",
        description="Serve a graph over the SPARQL 1.1 Protocol at http://HOST:PORT/sparql (GET or POST query=; "
                    "results as SPARQL JSON/XML/CSV/TSV or Turtle/N-Triples/JSON-LD by Accept header). Updates, "
                    "LOAD and SERVICE are refused; each query has a time and a result-size limit.")
    serve.add_argument("--graph", type=Path, default=DEFAULT_GRAPH, help=f"graph file (default: {DEFAULT_GRAPH})")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default: 10)")
    serve.add_argument("--max-results", type=int, default=10_000, help="rows or triples per answer (default: 10000)")
    serve.add_argument("--workers", type=int, default=2, help="queries answered at once (default: 2)")
    serve.set_defaults(run=run_serve)
    evaluate = verbs.add_parser(
        "eval", help="score extraction against gold annotations",
        description="Build each document that has a <stem>.gold.jsonl in GOLD_DIR and print precision, "
                    "recall and F1 per entity type, per relation and for observations.")
    evaluate.add_argument("gold_dir", type=Path)
    evaluate.add_argument("--docs", type=Path, default=DEFAULT_INPUT,
                          help=f"folder with the documents (default: {DEFAULT_INPUT}/)")
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate.add_argument("--errors", action="store_true", help="also list false positives and misses")
    evaluate.set_defaults(run=run_eval)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError) as error:
        print(f"kg {args.verb}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kg {args.verb}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
