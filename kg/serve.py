"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over a graph file.

Queries run in worker processes that each hold the graph in an Oxigraph store. A query that outlives
the time limit has its worker killed and replaced, and a worker's memory is capped, so no query can
hang or exhaust the server; updates, LOAD and SERVICE are refused before they reach a worker.

    >>> server = make_server(Path("output/graph.ttl"), port=8000)
    >>> server.serve_forever()      # http://127.0.0.1:8000/sparql?query=ASK{?s?p?o}
"""

from __future__ import annotations

import html
import multiprocessing
import queue
import resource
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from kg.sparql import (GRAPH_FORMATS, MEDIA_TYPES, SOLUTION_FORMATS, RefusedQuery, Result, TooManyResults, check,
                       load_store, read_query, result_format, run, shipped_queries, write)

ENDPOINT = "/sparql"
MAX_REQUEST_BYTES = 1 << 20
Reply = tuple[int, str, bytes]  # HTTP status, content type, body


@dataclass(frozen=True)
class Limits:
    """What one query may take."""

    timeout: float = 10.0  # seconds, from dispatch to answer
    max_results: int = 10_000  # rows or triples
    workers: int = 2  # processes answering queries at once
    memory: int = 2 << 30  # bytes of address space per worker


def _text(status: int, message: str) -> Reply:
    return status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8")


# ---------------------------------------------------------------- content negotiation

_MEDIA_ALIASES = {"application/json": ("json", "jsonld"), "text/xml": ("xml", "rdfxml"),
                  "application/xml": ("xml", "rdfxml"), "text/plain": ("table", "ntriples"),
                  "application/x-turtle": (None, "turtle")}


def negotiate(result: Result, accept: str, requested: str | None) -> str:
    """The format to answer in: a `format=` parameter (name or media type), else the Accept header, else JSON/Turtle."""
    names = GRAPH_FORMATS if result.form == "graph" else SOLUTION_FORMATS
    if requested:
        requested = next((name for name, media in MEDIA_TYPES.items() if media == requested), requested)
        return result_format(result, requested)
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = next((float(p[2:]) for p in params if p.startswith("q=") and p[2:].replace(".", "", 1).isdigit()), 1.0)
        ranked.append((-quality, position, media.lower()))
    for quality, _, media in sorted(ranked):
        if quality == 0:
            break
        for name in names:
            if MEDIA_TYPES[name] == media:
                return name
        alias = _MEDIA_ALIASES.get(media, (None, None))[result.form == "graph"]
        if alias:
            return alias
        if media in ("*/*", "application/*", "text/*"):
            break
    return result_format(result, "json")


def answer(store, query: str, accept: str, requested: str | None, max_results: int) -> Reply:
    """Run one query and write its result in the negotiated format (errors as text/plain)."""
    try:
        result = run(store, query, max_results)
    except RefusedQuery as error:
        return _text(403, str(error))
    except SyntaxError as error:
        return _text(400, f"SPARQL syntax error: {error}")
    except TooManyResults as error:
        return _text(413, str(error))
    name = negotiate(result, accept, requested)
    media = MEDIA_TYPES[name]
    return 200, f"{media}; charset=utf-8" if media.startswith("text/") else media, write(result, name)


# ---------------------------------------------------------------- worker processes

def _work(conn: Connection, graph: str, max_results: int, memory: int) -> None:
    """A worker process: load the graph, then answer (query, accept, format) until the pipe closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        store = load_store(Path(graph))
    except (OSError, ValueError, SyntaxError) as error:
        conn.send(("error", f"cannot load {graph}: {error}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            query, accept, requested = conn.recv()
        except EOFError:
            return
        conn.send(answer(store, query, accept, requested, max_results))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class WorkerPool:
    """Worker processes holding the graph; `run` hands a query to an idle one and waits at most the time limit."""

    def __init__(self, graph: Path, limits: Limits) -> None:
        self.graph, self.limits = graph, limits
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        starting = [self._start() for _ in range(limits.workers)]
        try:
            self.triples = min(self._ready(worker) for worker in starting)
        except ValueError:
            self.close()
            raise

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_work, daemon=True, args=(
            child, str(self.graph), self.limits.max_results, self.limits.memory))
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        return worker

    def _ready(self, worker: _Worker) -> int:
        """Wait until the worker has loaded the graph; put it in the idle queue; return the triple count."""
        try:
            status, detail = worker.conn.recv()
        except EOFError:
            status, detail = "error", f"cannot load {self.graph}: the worker process died"
        if status != "ready":
            raise ValueError(detail)
        self._idle.put(worker)
        return detail

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self._all.discard(worker)
        threading.Thread(target=lambda: self._ready(self._start()), daemon=True).start()

    def run(self, query: str, accept: str, requested: str | None) -> Reply:
        """The reply to one query; 503 when no worker frees up in time or the query runs too long."""
        try:
            check(query)
        except RefusedQuery as error:
            return _text(403, str(error))
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            return _text(503, "the server is busy; try again")
        try:
            worker.conn.send((query, accept, requested))
            if worker.conn.poll(self.limits.timeout):
                reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
            reply = _text(503, f"the query ran longer than the time limit ({self.limits.timeout:g} s)")
        except (EOFError, OSError):
            reply = _text(500, "the query stopped its worker (out of memory?); it has been restarted")
        self._replace(worker)
        return reply

    def close(self) -> None:
        for worker in list(self._all):
            worker.process.kill()
            worker.process.join()
            worker.conn.close()
        self._all.clear()


# ---------------------------------------------------------------- HTTP

def home_page(base: str) -> str:
    """The page at `/`: where the endpoint is and a link per shipped query."""
    examples = "".join(
        f'<li><a href="{ENDPOINT}?query={quote(read_query(name))}&amp;format=table">{html.escape(name)}</a>'
        f" — {html.escape(comment)}</li>" for name, comment in shipped_queries().items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title></head>
<body style="font-family: sans-serif; max-width: 60em; margin: 2em auto">
<h1>kg — China health-reform knowledge graph</h1>
<p>Read-only SPARQL 1.1 endpoint: <code>{html.escape(base)}{ENDPOINT}</code> (GET or POST <code>query=</code>).
Results as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, N-Triples or JSON-LD, chosen by the
<code>Accept</code> header or a <code>format=</code> parameter. Prefixes <code>kg:</code>, <code>rdfs:</code>,
<code>skos:</code>, <code>prov:</code>, <code>region:</code>, <code>program:</code> … are predeclared.</p>
<pre>curl {html.escape(base)}{ENDPOINT} -H 'Accept: text/csv' \\
  --data-urlencode 'query=SELECT ?province WHERE {{ ?province a kg:Province ; kg:implements program:sanming-model }}'</pre>
<h2>Example queries</h2><ul>{examples}</ul>
</body></html>
"""


class SparqlHandler(BaseHTTPRequestHandler):
    """GET/POST /sparql per the SPARQL 1.1 Protocol (queries only); GET / describes the endpoint."""

    server: SparqlServer
    server_version = "kg-sparql"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            base = f"http://{self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]}"
            return self._send((200, "text/html; charset=utf-8", home_page(base).encode("utf-8")))
        if url.path != ENDPOINT:
            return self._send(_text(404, f"not found; the SPARQL endpoint is {ENDPOINT}"))
        self._dispatch(parse_qs(url.query))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != ENDPOINT:
            return self._send(_text(404, f"not found; the SPARQL endpoint is {ENDPOINT}"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            return self._send(_text(413, f"request body over {MAX_REQUEST_BYTES} bytes"))
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if media == "application/x-www-form-urlencoded":
            params.update(parse_qs(body))
        elif media == "application/sparql-query":
            params["query"] = [body]
        elif media == "application/sparql-update":
            params["update"] = [body]
        else:
            return self._send(_text(415, "POST application/x-www-form-urlencoded or application/sparql-query"))
        self._dispatch(params)

    def _refuse_method(self) -> None:
        self._send(_text(405, "read-only endpoint: GET or POST queries"), {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _dispatch(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._send(_text(403, "SPARQL update is refused: this endpoint is read-only"))
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return self._send(_text(400, "give exactly one query= parameter (see / for examples)"))
        requested = params.get("format", [None])[0]
        self._send(self.server.pool.run(queries[0], self.headers.get("Accept") or "*/*", requested))

    def _send(self, reply: Reply, headers: dict[str, str] | None = None) -> None:
        status, content_type, body = reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server with a deep accept queue and the worker pool."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pool: WorkerPool) -> None:
        self.pool = pool
        super().__init__(address, SparqlHandler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(graph: Path, host: str = "127.0.0.1", port: int = 8000, limits: Limits = Limits()) -> SparqlServer:
    """A server bound to host:port (port 0 picks a free one), workers started and the graph loaded."""
    pool = WorkerPool(graph, limits)
    try:
        return SparqlServer((host, port), pool)
    except OSError:
        pool.close()
        raise
