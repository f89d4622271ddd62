"""Validation: a graph checked against the SHACL shapes of `ontology/shapes.ttl` with pySHACL.

    >>> report = validate(rdflib.Graph().parse("output/graph.ttl"))
    >>> report.conforms, report.checked
    (True, 2699)
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyshacl
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from kg.data import ONTOLOGY_DIR

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")
EXAMPLES_PER_MESSAGE = 5
_IRI = re.compile(r"https?://[^\s<>\"{}|^`\\]+[\w/#]")


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: which node breaks which promise."""

    message: str
    focus: str  # the node, prefixed, with its Chinese label when it has one
    path: str = ""
    value: str = ""


@dataclass
class Report:
    """What a validation found: the shapes, the nodes they apply to and the violations."""

    shapes: int
    checked: int  # distinct focus nodes
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def failed(self) -> int:
        return len({violation.focus for violation in self.violations})


@functools.cache
def load_shapes() -> Graph:
    """The shapes graph, parsed once per process."""
    return Graph().parse(SHAPES_FILE, format="turtle")


def focus_nodes(data: Graph, shapes: Graph) -> set[Node]:
    """Every node some shape targets (sh:targetClass with its subclasses, targetNode, subjects/objects of)."""
    nodes: set[Node] = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        nodes.update(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            for subclass in data.transitive_subjects(RDFS.subClassOf, cls):
                nodes.update(data.subjects(RDF.type, subclass))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            nodes.update(data.subjects(predicate, None))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            nodes.update(data.objects(None, predicate))
    return nodes


def _show(graph: Graph, node: Node | None, label: bool = False) -> str:
    """A node as a reader wants it: prefixed name or literal, with its Chinese label if asked."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        inverse = graph.value(node, SH.inversePath)
        return f"^{_show(graph, inverse)}" if inverse is not None else "[]"
    text = node.n3(graph.namespace_manager)
    zh = next((l for l in graph.objects(node, RDFS.label) if getattr(l, "language", None) == "zh"), None)
    return f"{text} ({zh})" if label and zh else text


def _shorten(graph: Graph, message: str) -> str:
    """IRIs in a message written as prefixed names."""
    return _IRI.sub(lambda match: _show(graph, URIRef(match.group())), message)


def validate(data: Graph) -> Report:
    """Check the graph against the shapes; every violation becomes a readable `Violation`."""
    shapes = load_shapes()
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        violations.append(Violation(
            message=_shorten(data, str(results.value(result, SH.resultMessage)
                                        or results.value(result, SH.sourceConstraintComponent))),
            focus=_show(data, results.value(result, SH.focusNode), label=True),
            path=_show(results, path) if isinstance(path, BNode) else _show(data, path),
            value=_show(data, results.value(result, SH.value))))
    return Report(shapes=len(set(shapes.subjects(RDF.type, SH.NodeShape))),
                  checked=len(focus_nodes(data, shapes)), violations=sorted(violations))


def summary(report: Report) -> str:
    """One line: how many nodes passed."""
    return (f"SHACL: {report.checked - report.failed} of {report.checked} nodes conform to "
            f"{report.shapes} shapes ({len(report.violations)} violations)")


def format_report(report: Report) -> str:
    """The summary line and the violations grouped by message, with a few examples each."""
    by_message: dict[str, list[Violation]] = defaultdict(list)
    for violation in report.violations:
        by_message[violation.message].append(violation)
    lines = [summary(report)]
    for message, group in by_message.items():
        lines.append(f"  {message} ({len(group)}×)")
        for violation in group[:EXAMPLES_PER_MESSAGE]:
            detail = " ".join(part for part in (violation.path, violation.value) if part)
            lines.append(f"    {violation.focus}" + (f"  {detail}" if detail else ""))
        if len(group) > EXAMPLES_PER_MESSAGE:
            lines.append(f"    … and {len(group) - EXAMPLES_PER_MESSAGE} more")
    return "\n".join(lines)
