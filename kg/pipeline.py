"""The build: read → normalize → structure/recognize/relate → resolve, one document at a time."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from tqdm import tqdm

from kg.cache import ExtractionCache
from kg.model import Document, KnowledgeGraph, Skipped
from kg.normalize import normalize
from kg.read import ReadError, collect_inputs, read_document
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


def _extract_one(item: tuple[Document, str]) -> tuple[str | None, str | None, DocumentExtraction | str]:
    """One document's title, date and extraction, or the reason its extraction failed (runs in a worker)."""
    document, text = item
    try:
        extraction = process(document, text, load_vocabulary())
    except Exception as error:  # a bug met on one odd document must not cost the others
        return document.title, document.published, " ".join(f"{type(error).__name__}: {error}".split())[:300]
    return document.title, document.published, extraction


def _extract_all(items: list[tuple[Document, str]], jobs: int, on_document: Callable[[], None] | None
                 ) -> list[tuple[str | None, str | None, DocumentExtraction | str]]:
    """`_extract_one` of every item, in order; in `jobs` worker processes when there are several."""
    if jobs <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(_extract_one(item))
            if on_document:
                on_document()
        return results
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    # the vocabulary, jieba's dictionary and spaCy are loaded here once, and inherited by forked workers
    process(Document("doc-warm-up", "", "", ""), _WARM_UP, load_vocabulary())
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    results = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        for result in pool.map(_extract_one, items, chunksize=max(1, min(8, len(items) // (4 * jobs)))):
            results.append(result)
            if on_document:
                on_document()
    return results


def build_documents(documents: Iterable[tuple[Document, str]], skipped: Iterable[Skipped] = (),
                    warnings: Iterable[str] = (), on_document: Callable[[], None] | None = None,
                    jobs: int = 1, cache: ExtractionCache | None = None) -> KnowledgeGraph:
    """Build a graph from already-read documents (the notebook API uses this with strings).

    Documents are taken in the order of their file names (then content), so any input order gives
    the same graph.
    A repeated document, or one whose extraction fails, is skipped with its reason; the others'
    facts are all kept. `on_document` is called after each document (a progress bar).
    With `jobs` > 1 the documents are extracted in that many processes; they are merged here, in
    the same order, so the graph is the same as with one. With a `cache`, documents extracted by an
    earlier build (same bytes, same pipeline version) are taken from it, and new ones are added.
    """
    vocab = load_vocabulary()
    graph = KnowledgeGraph(skipped=list(skipped), warnings=sorted(warnings))
    resolver = Resolver(vocab, graph)
    ordered = sorted(documents, key=lambda item: (item[0].name, item[0].id, item[0].path))
    first: dict[str, tuple[Document, str]] = {}
    for document, text in ordered:  # the same content gives the same extraction: each is extracted once
        first.setdefault(document.id, (document, text))
    extracted = {}
    if cache is not None:
        for doc_id, (document, _) in first.items():
            hit = cache.get(document.sha256)
            if hit is not None:
                extracted[doc_id] = hit
                if on_document:
                    on_document()
    missing = [item for doc_id, item in first.items() if doc_id not in extracted]
    for (document, _), result in zip(missing, _extract_all(missing, jobs, on_document)):
        extracted[document.id] = result
        if cache is not None and not isinstance(result[2], str):  # failures are retried next time
            cache.put(document.sha256, result)
    kept: dict[str, Document] = {}
    for document, text in ordered:
        if document.id in kept:
            graph.skipped.append(Skipped(document.path, f"same content as {kept[document.id].path}"))
            continue
        document.title, document.published, extraction = extracted[document.id]
        if isinstance(extraction, str):
            graph.skipped.append(Skipped(document.path, f"extraction failed ({extraction})"))
        else:
            kept[document.id] = document
            graph.documents.append(document)
            resolver.add(extraction)
    graph.skipped.sort()
    return resolver.finish()


def build(inputs: list[Path], progress: bool | None = None, jobs: int = 1,
          cache: ExtractionCache | None = None) -> KnowledgeGraph:
    """Build the knowledge graph of every report under `inputs` (files or folders).

    A file that cannot be read is skipped with its reason; the other files' facts are all kept.
    A progress bar is shown on a terminal unless `progress` is False. `jobs` processes extract
    documents in parallel (the graph does not depend on it); `cache` keeps their extractions.
    """
    files, problems = collect_inputs(inputs)
    skipped = [Skipped(problem.path, problem.reason) for problem in problems]
    warnings: list[str] = []
    documents = []
    for path in files:
        try:
            documents.append(read_document(path, warnings))
        except ReadError as error:
            skipped.append(Skipped(error.path, error.reason))
    if progress is None:
        progress = sys.stderr.isatty()
    with tqdm(total=len({document.id for document, _ in documents}), unit="doc", desc="kg build",
              disable=not progress, file=sys.stderr) as bar:
        return build_documents(documents, skipped, warnings, bar.update, jobs=jobs, cache=cache)
