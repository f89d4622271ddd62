"""The build: read → normalize → structure/recognize/relate → resolve, one document at a time.

`build` plans from each file's SHA-256 (the order of the documents, repeated content, the cache), has
the documents read and extracted where `kg.parallel` puts them (here, in worker processes or on a Dask
cluster) and merges each result into the graph as it comes, in order: only a few texts and extractions
are held at once, and the graph does not depend on where the documents were extracted.
"""

from __future__ import annotations

import gc
import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from tqdm import tqdm

from kg.cache import ExtractionCache
from kg.model import Document, KnowledgeGraph, Skipped
from kg.normalize import normalize
from kg.parallel import connect, map_locally, map_on_cluster
from kg.read import ReadError, collect_inputs, display_path, document_id, read_bytes, read_document
from kg.relate import DocumentExtraction, extract
from kg.resolve import Resolver
from kg.vocab import Vocabulary, load_vocabulary

_PUBLISHED = re.compile(r"(?:发布时间|发布日期|时间|日期)\s*[::]?\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")


def describe(document: Document, text: str) -> None:
    """Fill in what the text says about itself: a title (first line) and a publication date."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if 0 < len(first_line) <= 60:
        document.title = first_line
    published = _PUBLISHED.search(text[:2000])
    if published:
        try:  # a date the calendar does not have (2023年13月) is not one
            document.published = date(*map(int, published.groups())).isoformat()
        except ValueError:
            pass


def process(document: Document, text: str, vocab: Vocabulary) -> DocumentExtraction:
    """Everything one document says, as records (no I/O)."""
    describe(document, text)
    return extract(document.id, normalize(text), text, vocab)


_WARM_UP = "宁夏\n2024年,全区县域内就诊率达到85%。"


@dataclass(frozen=True)
class Source:
    """An input file to read and extract, with the SHA-256 of its bytes when the build planned it."""

    path: Path
    sha256: str
    raw: bytes | None = field(default=None, repr=False)  # its bytes, for workers that may not see the file

    @property
    def order(self) -> tuple[str, str, str]:
        """Documents are merged in the order of their file names, then content, then path (as
        `build_documents` orders its documents), so any input order gives the same graph."""
        return display_path(self.path.name), document_id(self.sha256), display_path(self.path)


@dataclass
class Outcome:
    """What became of one input: its document and extraction, or why it could not be read."""

    path: str  # as printed
    warnings: list[str] = field(default_factory=list)
    document: Document | None = None  # None: unreadable (`error` says why)
    error: str = ""
    extraction: DocumentExtraction | str | None = None  # a str says why extraction failed; None: not extracted


def _reason(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:300]


def _extract(document: Document, text: str) -> DocumentExtraction | str:
    """The document's extraction, or why it failed."""
    try:
        return process(document, text, load_vocabulary())
    except Exception as error:  # a bug met on one odd document must not cost the others
        return _reason(error)


def _read(source: Source) -> tuple[Outcome, str | None]:
    """A source read: its outcome (without extraction) and its text (None when unreadable)."""
    outcome = Outcome(display_path(source.path))
    try:
        document, text = read_document(source.path, outcome.warnings, source.raw)
    except ReadError as error:
        outcome.error = error.reason
        return outcome, None
    if document.sha256 != source.sha256:
        outcome.error = "changed while the build was reading it"
        return outcome, None
    outcome.document = document
    return outcome, text


def read_and_extract(source: Source) -> Outcome:
    """Read and extract one source (what workers run: every failure is part of the outcome)."""
    outcome, text = _read(source)
    if text is not None:
        outcome.extraction = _extract(outcome.document, text)
    return outcome


def _worker_died(source: Source, error: Exception) -> Outcome:
    """The outcome of a source whose extraction killed the workers that tried it."""
    outcome, _ = _read(source)
    outcome.extraction = _reason(error)
    return outcome


def _with_bytes(source: Source) -> Source:
    """The source with its bytes, for a worker that may not see the file (which it reads itself, with
    the reason it fails, if they cannot be read here)."""
    try:
        return replace(source, raw=read_bytes(source.path))
    except ReadError:
        return source


def _extract_all(sources: Iterable[Source], jobs: int, client) -> Iterator[Outcome]:
    """`read_and_extract` of every source, in order: on the Dask cluster of `client`, or in `jobs` processes."""
    if client is not None:
        return map_on_cluster(read_and_extract, map(_with_bytes, sources), client, _worker_died)
    # The vocabulary, jieba's dictionary and spaCy are loaded here once (forked workers inherit them) and
    # left out of garbage collection: scanning them took time, and in a worker copied their memory.
    process(Document("doc-warm-up", "", "", ""), _WARM_UP, load_vocabulary())
    gc.freeze()
    return map_locally(read_and_extract, sources, jobs)


def _outcomes(sources: list[Source], jobs: int, client, cache: ExtractionCache | None) -> Iterator[Outcome]:
    """Every source's outcome, in order. The first copy of each content that the cache lacks is read and
    extracted by the workers, the others are read here: a repeat gets no extraction of its own (the merge
    skips it, or it fails as its first copy did), a cached document gets the cached one."""
    first: dict[str, Source] = {}
    for source in sources:
        first.setdefault(source.sha256, source)
    sent = [first[s.sha256] is s and (cache is None or s.sha256 not in cache) for s in sources]
    extracted = _extract_all((s for s, send in zip(sources, sent) if send), jobs, client)
    settled: dict[str, str | None] = {}  # document id -> why its extraction failed, or None: extracted
    try:
        for source, send in zip(sources, sent):
            outcome, text = (next(extracted), None) if send else _read(source)
            document = outcome.document
            if document is not None and document.id in settled:
                outcome.extraction = settled[document.id]
            elif document is not None:
                cached = cache.get(source.sha256) if cache is not None else None
                if cached is not None:
                    document.title, document.published, outcome.extraction = cached
                else:
                    if outcome.extraction is None:  # its content's first copy was unreadable, or its cache entry
                        outcome.extraction = _extract(document, text)
                    if cache is not None and not isinstance(outcome.extraction, str):  # failures are retried
                        cache.put(source.sha256, (document.title, document.published, outcome.extraction))
                settled[document.id] = outcome.extraction if isinstance(outcome.extraction, str) else None
            yield outcome
    finally:
        extracted.close()


def _merge(outcomes: Iterable[Outcome], graph: KnowledgeGraph, on_outcome: Callable[[], None] | None = None
           ) -> KnowledgeGraph:
    """Merge the outcomes, in order, into `graph`: an unreadable input, a repeated content and a failed
    extraction are skipped with their reason. `on_outcome` is called after each (a progress bar)."""
    resolver = Resolver(load_vocabulary(), graph)
    kept: dict[str, str] = {}  # document id -> the path of the copy kept
    for outcome in outcomes:
        graph.warnings.extend(outcome.warnings)
        document = outcome.document
        if document is None:
            graph.skipped.append(Skipped(outcome.path, outcome.error))
        elif document.id in kept:
            graph.skipped.append(Skipped(outcome.path, f"same content as {kept[document.id]}"))
        elif isinstance(outcome.extraction, str):
            graph.skipped.append(Skipped(outcome.path, f"extraction failed ({outcome.extraction})"))
        else:
            kept[document.id] = document.path
            graph.documents.append(document)
            resolver.add(outcome.extraction)
        if on_outcome:
            on_outcome()
    graph.skipped.sort()
    graph.warnings.sort()
    return resolver.finish()


def build_documents(documents: Iterable[tuple[Document, str]]) -> KnowledgeGraph:
    """Build a graph from documents read already (the notebook API uses this with strings), in the order
    of their names (see `Source.order`). A repeated document, or one whose extraction fails, is skipped
    with its reason; the others' facts are all kept."""
    def outcomes() -> Iterator[Outcome]:
        settled: dict[str, str | None] = {}  # document id -> why its extraction failed, or None: extracted
        for document, text in sorted(documents, key=lambda item: (item[0].name, item[0].id, item[0].path)):
            extraction = settled[document.id] if document.id in settled else _extract(document, text)
            settled[document.id] = extraction if isinstance(extraction, str) else None
            yield Outcome(document.path, document=document, extraction=extraction)

    return _merge(outcomes(), KnowledgeGraph())


def build(inputs: list[Path], progress: bool | None = None, jobs: int = 1,
          cache: ExtractionCache | None = None, scheduler: str | None = None) -> KnowledgeGraph:
    """Build the knowledge graph of every report under `inputs` (files or folders).

    A file that cannot be read is skipped with its reason; the other files' facts are all kept.
    A progress bar is shown on a terminal unless `progress` is False. Documents are extracted in
    `jobs` processes, or on the Dask cluster whose scheduler is at `scheduler` (the graph depends on
    neither); `cache` keeps their extractions. Files are planned from their SHA-256 here, read again
    by the workers, and merged as they come, in order: a corpus's texts are never all in memory.
    """
    client = connect(scheduler) if scheduler else None
    try:
        files, problems = collect_inputs(inputs)
        graph = KnowledgeGraph(skipped=[Skipped(problem.path, problem.reason) for problem in problems])
        sources = []
        for path in files:
            try:
                sources.append(Source(path, hashlib.sha256(read_bytes(path)).hexdigest()))
            except ReadError as error:
                graph.skipped.append(Skipped(error.path, error.reason))
        sources.sort(key=lambda source: source.order)
        if progress is None:
            progress = sys.stderr.isatty()
        with tqdm(total=len(sources), unit="doc", desc="kg build", disable=not progress, file=sys.stderr) as bar:
            return _merge(_outcomes(sources, jobs, client, cache), graph, bar.update)
    finally:
        if client is not None:
            client.close()
