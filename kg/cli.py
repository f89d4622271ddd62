"""The `kg` command line: `kg build` turns reports into a knowledge graph, `kg eval` scores it."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from kg.model import ENTITY_TYPES, KnowledgeGraph

DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("output")


OUTPUT_FILES = ("graph.ttl", "graph.html", "graph.graphml", "observations.csv", "build-report.json")
EXIT_CODES = """exit codes:
  0    built (inputs that could not be used are listed, the build goes on without them)
  1    no readable report among the inputs (nothing written), or with --strict: any input
       skipped or any warning (the outputs are written)
  2    bad usage, or an output that cannot be written
  130  interrupted (Ctrl-C)
A build that fails or is interrupted leaves the previous outputs as they were."""


def write_outputs(graph: KnowledgeGraph, out_dir: Path) -> dict[str, object]:
    """Write the OUTPUT_FILES, each replaced whole (a failure leaves the previous ones); return what was written."""
    from kg.emit.atomic import replacing
    from kg.emit.html import write_html
    from kg.emit.rdf import write_turtle
    from kg.emit.report import write_report
    from kg.emit.tables import write_csv, write_graphml

    with replacing(out_dir, OUTPUT_FILES) as paths:
        triples = write_turtle(graph, paths["graph.ttl"])
        write_html(graph, paths["graph.html"])
        write_graphml(graph, paths["graph.graphml"])
        write_csv(graph, paths["observations.csv"])
        write_report(graph, triples, paths["build-report.json"])
    return {"triples": triples, "files": list(OUTPUT_FILES)}


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

    inputs = args.inputs or [DEFAULT_INPUT]
    graph = build(inputs, progress=None if not args.quiet else False)
    if not graph.documents:
        print(summary(graph), file=sys.stderr)
        print("kg build: no readable report among the inputs", file=sys.stderr)
        return 1
    written = write_outputs(graph, args.output)
    print(summary(graph))
    print(f"wrote {', '.join(str(args.output / name) for name in written['files'])} "
          f"({written['triples']} triples)")
    if args.strict and (graph.skipped or graph.warnings):
        print(f"kg build: --strict: {len(graph.skipped)} skipped, {len(graph.warnings)} warnings", file=sys.stderr)
        return 1
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
    build.add_argument("--strict", action="store_true", help="exit 1 if any input is skipped or any warning is given")
    build.set_defaults(run=run_build)
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
