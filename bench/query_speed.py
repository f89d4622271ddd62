"""Query speed on a large graph: rdflib against pyoxigraph (Oxigraph), the engine of `kg query` / `kg serve`.

The seed graph is scaled to about --triples triples by copying its instance data: each copy gets its own
regions, hospitals, facts, observations, evidence and documents (IRIs suffixed -1, -2 …), while programmes,
metrics and the ontology are shared, so the shipped queries have more to find and to aggregate. Every
shipped query then runs in both engines; the script prints load and query times, their ratios, and
checks that both engines return the same number of results.

    .venv/bin/kg build && .venv/bin/python bench/query_speed.py            # ~1M triples, several minutes
    .venv/bin/python bench/query_speed.py --triples 200000 --queries targets,documents
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import rdflib

from kg.sparql import QUERIES_DIR, load_store, run

ID = "https://w3id.org/cn-health-kg/id/"
SHARED = re.compile(rf"^{re.escape(ID)}(?:program|metric|dataset)/")


def _copied(term) -> bool:
    return isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(ID) and not SHARED.match(term.value)


def scale(source: Path, target: Path, triples: int) -> None:
    """Write a Turtle file of about `triples` distinct triples made of copies of the source's instance data."""
    store = load_store(source)
    shared, copied = [], []
    for quad in store.quads_for_pattern(None, None, None):
        triple = quad.triple
        (copied if _copied(triple.subject) or _copied(triple.object) else shared).append(triple)
    copies = max(1, round((triples - len(shared)) / len(copied)))

    def rename(term, copy: int):
        return pyoxigraph.NamedNode(f"{term.value}-{copy}") if copy and _copied(term) else term

    def all_triples():
        yield from shared
        for copy in range(copies):
            for t in copied:
                yield pyoxigraph.Triple(rename(t.subject, copy), t.predicate, rename(t.object, copy))

    pyoxigraph.serialize(all_triples(), str(target), pyoxigraph.RdfFormat.TURTLE,
                         prefixes={"kg": "https://w3id.org/cn-health-kg/def/", "id": ID})


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def _rdflib_query(graph: rdflib.Graph, text: str, conn) -> None:
    answer, seconds = timed(lambda: graph.query(text))
    conn.send((seconds, 1 if answer.type == "ASK" else len(answer)))


def rdflib_timed(graph: rdflib.Graph, text: str, limit: float) -> tuple[float | None, int | None]:
    """Seconds and result count of an rdflib query, in a forked process killed after `limit` seconds."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_rdflib_query, args=(graph, text, child))
    process.start()
    answer = parent.recv() if parent.poll(limit) else (None, None)
    process.kill()
    process.join()
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=Path("output/graph.ttl"), help="the graph to scale")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the scaled graph")
    parser.add_argument("--queries", help="comma-separated shipped query names (default: all)")
    parser.add_argument("--rdflib-limit", type=float, default=300, help="seconds before an rdflib query is given up")
    args = parser.parse_args()
    if not args.graph.is_file():
        print(f"{args.graph}: run `kg build` first", file=sys.stderr)
        return 1
    names = args.queries.split(",") if args.queries else sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "graph.ttl"
        _, seconds = timed(lambda: scale(args.graph, big, args.triples))
        store, oxigraph_load = timed(lambda: load_store(big))
        graph, rdflib_load = timed(lambda: rdflib.Graph().parse(big, format="turtle"))
        print(f"scaled graph: {len(store):,} triples, {big.stat().st_size / 1e6:.0f} MB Turtle ({seconds:.1f} s to write)")
    assert len(store) == len(graph)
    print(f"\n{'':28} {'rdflib':>10} {'pyoxigraph':>10} {'ratio':>8}  results")
    print(f"{'load (parse Turtle)':28} {rdflib_load:9.2f}s {oxigraph_load:9.2f}s {rdflib_load / oxigraph_load:7.0f}×")
    total_rdflib = total_oxigraph = 0.0
    for name in names:
        text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
        result, oxigraph_time = timed(lambda: run(store, text))
        count = {"boolean": 1, "graph": len(result.triples)}.get(result.form, len(result.rows))
        rdflib_time, theirs = rdflib_timed(graph, text, args.rdflib_limit)
        total_oxigraph += oxigraph_time
        if rdflib_time is None:
            total_rdflib += args.rdflib_limit
            print(f"{name:28} {'>' + format(args.rdflib_limit, '.0f'):>9}s {oxigraph_time:9.3f}s "
                  f"{'>' + format(args.rdflib_limit / oxigraph_time, '.0f'):>7}×  {count:,} (rdflib gave up)")
            continue
        total_rdflib += rdflib_time
        same = "same" if count == theirs else f"DIFFERENT (rdflib {theirs})"
        print(f"{name:28} {rdflib_time:9.2f}s {oxigraph_time:9.3f}s {rdflib_time / oxigraph_time:7.0f}×  {count:,} {same}")
    print(f"{'all queries':28} {total_rdflib:9.2f}s {total_oxigraph:9.3f}s {total_rdflib / total_oxigraph:7.0f}×"
          "  (a query rdflib gave up counts as the limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
