"""Interactive HTML view: one self-contained page that works offline from `file://`.

pyvis assembles the nodes, edges and vis-network options; the page itself comes from our own
template (`templates/graph.html`, autoescaped) with the vis-network JS and CSS shipped inside
the installed pyvis package inlined. Report text only reaches the page as escaped JSON and is
put into the DOM with `textContent`.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from pyvis.network import Network

from kg.model import ENTITY_TYPES, Entity, Evidence, KnowledgeGraph, Observation

VIS_DIR = ("lib", "vis-9.1.2")  # inside the installed pyvis package
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
NODE_STYLE: dict[str, tuple[str, str, str]] = {  # type -> (Chinese name, vis shape, colour)
    "Region": ("地区", "dot", "#4e79a7"),
    "Hospital": ("医院", "square", "#e15759"),
    "Program": ("改革项目", "diamond", "#59a14f"),
    "Metric": ("指标", "triangle", "#f28e2b"),
}
EDGE_STYLE: dict[str, tuple[str, str]] = {  # predicate -> (Chinese name, colour)
    "implements": ("实施", "#59a14f"),
    "pilots": ("试点", "#b07aa1"),
    "locatedIn": ("位于", "#9c9c9c"),
    "partOf": ("隶属", "#9c9c9c"),
    "reports": ("报告", "#f28e2b"),
}
DASHED = ("locatedIn", "partOf")
TOOLTIP_EVIDENCE = 5  # evidence sentences per edge tooltip; the side panel shows all


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vis-network JS (licence header kept, source-map comment dropped) and CSS from pyvis."""
    folder = files("pyvis").joinpath(*VIS_DIR)
    js = folder.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = folder.joinpath("vis-network.css").read_text(encoding="utf-8")
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    if re.search(r"</script|<!--", js, re.I) or re.search(r"</style", css, re.I):
        raise ValueError("the vis-network bundle cannot be inlined: it would close its own element")
    return js, css


def _escape_json(value: object) -> str:
    """JSON that cannot end a <script> element or open an HTML comment inside it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _evidence(evidence: list[Evidence], names: dict[str, str]) -> list[dict[str, str]]:
    return [{"doc": names.get(e.doc_id, e.doc_id), "sentence": e.sentence} for e in sorted(set(evidence))]


def _observation_key(observation: Observation) -> tuple:
    return (observation.year is None, observation.year or 0, observation.kind, observation.unit,
            observation.value, observation.qualifier or "", observation.phrase)


def _observation(observation: Observation, names: dict[str, str]) -> dict[str, object]:
    return {"value": format(observation.value, "f"), "unit": observation.unit, "year": observation.year,
            "kind": observation.kind, "qualifier": observation.qualifier or "", "phrase": observation.phrase,
            "evidence": _evidence(observation.evidence, names)}


def _edges(graph: KnowledgeGraph) -> list[dict]:
    """Every edge once, sorted: facts (evidence merged), locatedIn, partOf, one reports per region–metric."""
    names = {d.id: d.name for d in graph.documents}
    known = graph.entities
    edges: list[dict] = []
    facts: dict[tuple[str, str, str], set[Evidence]] = {}
    for fact in graph.facts:
        if fact.subject in known and fact.object in known:
            facts.setdefault((fact.subject, fact.predicate, fact.object), set()).update(fact.evidence)
    for (subject, predicate, obj), evidence in facts.items():
        edges.append({"from": subject, "to": obj, "predicate": predicate,
                      "evidence": _evidence(list(evidence), names), "observations": []})
    for entity in known.values():
        for predicate, target in (("locatedIn", entity.located_in), ("partOf", entity.part_of)):
            if target in known and target != entity.key:
                edges.append({"from": entity.key, "to": target, "predicate": predicate,
                              "evidence": [], "observations": []})
    reports: dict[tuple[str, str], list[Observation]] = {}
    for observation in graph.observations:
        if observation.region in known and observation.metric in known:
            reports.setdefault((observation.region, observation.metric), []).append(observation)
    for (region, metric), observations in reports.items():
        edges.append({"from": region, "to": metric, "predicate": "reports", "evidence": [],
                      "observations": [_observation(o, names) for o in sorted(observations, key=_observation_key)]})
    return sorted(edges, key=lambda e: (e["from"], e["predicate"], e["to"]))


def _node_title(entity: Entity) -> str:
    lines = [f"{NODE_STYLE[entity.type][0]} {entity.type}", entity.label]
    aliases = sorted(entity.alt_labels - {entity.label})
    if aliases:
        lines.append("别名：" + "、".join(aliases))
    if entity.code:
        lines.append("代码：" + entity.code)
    return "\n".join(lines)


def _edge_title(edge: dict, labels: dict[str, str]) -> str:
    lines = [f"{edge['predicate']}（{EDGE_STYLE[edge['predicate']][0]}）：{labels[edge['from']]} → {labels[edge['to']]}"]
    for observation in edge["observations"]:
        lines.append(" ".join(str(part) for part in (
            observation["value"] + observation["qualifier"], observation["unit"], observation["year"] or "年份不详",
            observation["kind"]) if part))
        lines.extend(f"  「{e['sentence']}」 ——{e['doc']}" for e in observation["evidence"][:TOOLTIP_EVIDENCE])
    evidence = edge["evidence"]
    lines.extend(f"「{e['sentence']}」 ——{e['doc']}" for e in evidence[:TOOLTIP_EVIDENCE])
    if len(evidence) > TOOLTIP_EVIDENCE:
        lines.append(f"……另有 {len(evidence) - TOOLTIP_EVIDENCE} 句，见侧栏")
    return "\n".join(lines)


def build_network(graph: KnowledgeGraph) -> Network:
    """The pyvis network: a node per entity (colour/shape by type, size by degree), edges with tooltips."""
    edges = _edges(graph)
    degree = dict.fromkeys(graph.entities, 0)
    for edge in edges:
        degree[edge["from"]] += 1
        degree[edge["to"]] += 1
    net = Network(directed=True)
    for key in sorted(graph.entities):
        entity = graph.entities[key]
        _, shape, colour = NODE_STYLE[entity.type]
        net.add_node(key, label=entity.label, shape=shape, color=colour, title=_node_title(entity),
                     size=round(10 + 6 * math.log2(1 + degree[key]), 1), type=entity.type,
                     aliases=sorted(entity.alt_labels - {entity.label}))
    labels = {key: entity.label for key, entity in graph.entities.items()}
    for index, edge in enumerate(edges):
        net.add_edge(edge["from"], edge["to"], id=f"e{index}", label=edge["predicate"],
                     title=_edge_title(edge, labels), color=EDGE_STYLE[edge["predicate"]][1],
                     dashes=edge["predicate"] in DASHED, predicate=edge["predicate"],
                     evidence=edge["evidence"], observations=edge["observations"])
    net.force_atlas_2based(gravity=-120, central_gravity=0.01, spring_length=120, spring_strength=0.05,
                           damping=0.5, overlap=0.6)
    net.options.physics.stabilization.iterations = 400
    net.options.edges.smooth.type = "continuous"
    net.inherit_edge_colors(False)
    return net


def _options(net: Network) -> dict:
    """pyvis's options plus fonts, edge labels, hover tooltips and a fixed layout seed."""
    options = json.loads(net.options.to_json())
    options["nodes"] = {"font": {"face": FONT_STACK, "size": 14}, "borderWidth": 1}
    options["edges"].update(font={"face": FONT_STACK, "size": 10, "align": "middle", "color": "#555555"},
                            width=1.2, selectionWidth=2)
    options["interaction"].update(hover=True, tooltipDelay=150)
    options["layout"] = {"randomSeed": 7}
    return options


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("kg.emit", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_html(graph: KnowledgeGraph) -> str:
    """The whole page as a string: the same graph always gives the same bytes."""
    net = build_network(graph)
    data = {"nodes": net.nodes, "edges": net.edges, "options": _options(net),
            "typeNames": {t: style[0] for t, style in NODE_STYLE.items()},
            "predicateNames": {p: style[0] for p, style in EDGE_STYLE.items()}}
    js, css = vis_assets()
    return _environment().get_template("graph.html").render(
        data_json=Markup(_escape_json(data)), vis_js=Markup(js), vis_css=Markup(css), font_stack=Markup(FONT_STACK),
        node_types=[(t, *NODE_STYLE[t]) for t in ENTITY_TYPES],
        edge_types=[(p, name, colour, p in DASHED) for p, (name, colour) in EDGE_STYLE.items()],
        documents=sorted(graph.documents, key=lambda d: (d.name, d.id)),
        counts={"documents": len(graph.documents), "entities": len(net.nodes), "edges": len(net.edges),
                "observations": sum(len(e["observations"]) for e in net.edges)})


def write_html(graph: KnowledgeGraph, path: Path) -> None:
    """Write the interactive page to `path` (UTF-8)."""
    Path(path).write_text(render_html(graph), encoding="utf-8")
