"""The build: read → normalize → structure/recognize/relate → resolve, one document at a time."""

from __future__ import annotations

import re
import sys
from datetime import date
from collections.abc import Callable, Iterable
from pathlib import Path

from tqdm import tqdm

from kg.model import Document, KnowledgeGraph
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


def build_documents(documents: Iterable[tuple[Document, str]], warnings: list[str] | None = None
                    ) -> KnowledgeGraph:
    """Build a graph from already-read documents (the notebook API uses this with strings)."""
    vocab = load_vocabulary()
    graph = KnowledgeGraph(warnings=list(warnings or []))
    resolver = Resolver(vocab, graph)
    seen: set[str] = set()
    for document, text in documents:
        if document.id in seen:
            graph.warnings.append(f"{document.path}: same content as an earlier file, skipped")
            continue
        seen.add(document.id)
        graph.documents.append(document)
        resolver.add(process(document, text, vocab))
    return resolver.finish()


def _read_all(files: list[Path], warnings: list[str], on_file: Callable[[], None]
              ) -> Iterable[tuple[Document, str]]:
    for path in files:
        try:
            yield read_document(path)
        except ReadError as error:
            warnings.append(str(error))
        finally:
            on_file()


def build(inputs: list[Path], progress: bool | None = None) -> KnowledgeGraph:
    """Build the knowledge graph of every report under `inputs` (files or folders).

    A file that cannot be read becomes a warning; the other files' facts are all kept.
    A progress bar is shown on a terminal unless `progress` is False.
    """
    files, warnings = collect_inputs(inputs)
    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(total=len(files), unit="doc", desc="kg build", disable=not progress, file=sys.stderr)
    read_warnings: list[str] = []
    graph = build_documents(_read_all(files, read_warnings, bar.update), warnings)
    bar.close()
    graph.warnings.extend(read_warnings)
    return graph
