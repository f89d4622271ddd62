"""kg: a knowledge graph of China's health-system reform, built from Chinese reports.

The notebook API::

    import kg
    result = kg.build(["seeds/"])                       # files or folders
    result = kg.build_texts({"note.txt": "2024年,宁夏全区县域内就诊率达到85%。"})
    result.rdf()            # rdflib.Graph (with the ontology)
    result.networkx()       # networkx.MultiDiGraph: nodes type/label/iri, edges predicate/evidence
    result.observations()   # pandas.DataFrame when pandas is installed, else a list of dicts
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.model import KnowledgeGraph

__all__ = ["BuildResult", "build", "build_texts"]


@dataclass
class BuildResult:
    """A built knowledge graph with its analytics views."""

    graph: KnowledgeGraph

    def rdf(self):
        """The graph as an rdflib Graph."""
        from kg.emit.rdf import to_rdflib

        return to_rdflib(self.graph)

    def networkx(self):
        """The graph as a networkx MultiDiGraph."""
        from kg.emit.tables import to_networkx

        return to_networkx(self.graph)

    def observations(self):
        """One row per observation: a pandas DataFrame if pandas is installed, else a list of dicts."""
        from kg.emit.tables import OBSERVATION_COLUMNS, observation_rows

        rows = observation_rows(self.graph)
        try:
            import pandas
        except ImportError:
            return rows
        frame = pandas.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
        frame["year"] = frame["year"].astype("Int64")  # a year, or <NA> when the text gives none
        return frame


def build(paths: Iterable[str | Path]) -> BuildResult:
    """Build from report files and folders (.txt, .md, .html)."""
    from kg.pipeline import build as build_paths

    return BuildResult(build_paths([Path(p) for p in paths], progress=False))


def build_texts(texts: Mapping[str, str]) -> BuildResult:
    """Build from strings: a mapping of document name to text."""
    from kg.pipeline import build_documents
    from kg.read import document_from_string

    return BuildResult(build_documents(document_from_string(text, name) for name, text in texts.items()))
