"""Interactive HTML view: one self-contained page that works offline from `file://`.

The page is our own template (`templates/graph.html`, autoescaped) with everything inlined: the
vis-network JS and CSS shipped inside the installed pyvis package (licence header kept), the
explorer's own script and stylesheet (`templates/explorer.js`, `templates/explorer.css`) and the
graph as one JSON block. Report text only reaches the page as escaped JSON or autoescaped HTML,
and the script puts it into the DOM with `textContent`.

Past `max_nodes` entities the page shows the aggregated view of `kg.emit.aggregate` instead (provinces
and programmes with counts), says so, and tells how to get the whole graph.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from kg.emit.aggregate import DEFAULT_MAX_NODES, FACTS_QUERY, OBSERVATIONS_QUERY, PROGRAMME_BUDGET, aggregate, too_large
from kg.model import ENTITY_TYPES, Evidence, KnowledgeGraph, Observation

VIS_DIR = ("lib", "vis-9.1.2")  # inside the installed pyvis package
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# Node types: entity types plus observations, drawn as nodes only when the reader asks for them.
NODE_TYPES: tuple[str, ...] = (*ENTITY_TYPES, "Observation")
NODE_STYLE: dict[str, tuple[str, str, str]] = {  # type -> (Chinese name, vis shape, colour)
    "Region": ("地区", "dot", "#4e79a7"),
    "Hospital": ("医院", "square", "#e15759"),
    "Program": ("改革项目", "diamond", "#59a14f"),
    "Metric": ("指标", "triangle", "#f28e2b"),
    "Observation": ("观测", "dot", "#bab0ac"),
}
EDGE_STYLE: dict[str, tuple[str, str, bool]] = {  # predicate -> (Chinese name, colour, dashed)
    "implements": ("实施", "#59a14f", False),
    "pilots": ("试点", "#b07aa1", False),
    "locatedIn": ("位于", "#9c9c9c", True),
    "partOf": ("隶属", "#9c9c9c", True),
    "reports": ("报告", "#f28e2b", False),
    "metric": ("度量指标", "#d4a373", True),  # observation -> metric, only with observation nodes
    "broader": ("上级项目", "#59a14f", True),  # programme -> broader programme, in the aggregated view
}
FULL_PREDICATES = ("implements", "pilots", "locatedIn", "partOf", "reports", "metric")
AGGREGATE_PREDICATES = ("implements", "pilots", "broader")
MAX_INTRO_DOCUMENTS = 50  # documents the aggregated page lists by name
LARGE_GRAPH = 1000  # nodes; above this the page draws straight edges without arrow heads, for speed
STABILIZATION_WORK = 150_000  # node-iterations of layout before physics stops (30 for 5,000 nodes)
SPIRAL_SPACING = 20.0  # pixels between neighbouring start positions
RING_SPACING = 100.0  # pixels between neighbouring provinces on the aggregated view's ring


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vis-network JS (licence header kept, source-map comment dropped) and CSS from pyvis."""
    folder = files("pyvis").joinpath(*VIS_DIR)
    js = folder.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = folder.joinpath("vis-network.css").read_text(encoding="utf-8")
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    _check_inlinable(js, css)
    return js, css


@lru_cache(maxsize=1)
def explorer_assets() -> tuple[str, str]:
    """The explorer's own script and stylesheet."""
    folder = files("kg.emit").joinpath("templates")
    js = folder.joinpath("explorer.js").read_text(encoding="utf-8")
    css = folder.joinpath("explorer.css").read_text(encoding="utf-8")
    _check_inlinable(js, css)
    return js, css


def _check_inlinable(js: str, css: str) -> None:
    if re.search(r"</script|<!--", js, re.I) or re.search(r"</style", css, re.I):
        raise ValueError("a script or stylesheet cannot be inlined: it would close its own element")


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


def graph_edges(graph: KnowledgeGraph) -> list[dict]:
    """Every edge once, sorted: facts (evidence merged), locatedIn, partOf, one reports per region–metric.

    A reports edge carries its observations; the page can also draw them as nodes of their own.
    """
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
    edges.sort(key=lambda e: (e["from"], e["predicate"], e["to"]))
    for index, edge in enumerate(edges):
        edge["id"] = f"e{index}"
    return edges


def graph_nodes(graph: KnowledgeGraph, edges: list[dict]) -> list[dict]:
    """A node per entity, sorted by key; `value` (size and label size) is log2(1 + number of edges)."""
    names = {d.id: d.name for d in graph.documents}
    degree = dict.fromkeys(graph.entities, 0)
    for edge in edges:
        degree[edge["from"]] += 1
        degree[edge["to"]] += 1
    nodes = []
    for key in sorted(graph.entities):
        entity = graph.entities[key]
        nodes.append({"id": key, "label": entity.label, "type": entity.type,
                      "aliases": sorted(entity.alt_labels - {entity.label}),
                      "subtype": entity.subtype or "", "code": entity.code or "",
                      "docs": sorted({names.get(e.doc_id, e.doc_id) for e in entity.evidence}),
                      "value": round(math.log2(1 + degree[key]), 3)})
    return nodes


def initial_positions(nodes: list[dict], edges: list[dict]) -> dict[str, tuple[float, float]]:
    """Start positions along an Archimedean spiral in breadth-first order from the best-connected nodes.

    Neighbours start close to each other and hubs near the centre, so the physics needs far fewer
    iterations than from random positions. Linear in the size of the graph.
    """
    neighbours: dict[str, list[str]] = {n["id"]: [] for n in nodes}
    for edge in edges:
        neighbours[edge["from"]].append(edge["to"])
        neighbours[edge["to"]].append(edge["from"])
    rank = {key: (-len(near), key) for key, near in neighbours.items()}
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(neighbours, key=rank.__getitem__):
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        for current in queue:  # grows while it is read: breadth-first
            order.append(current)
            for other in sorted(set(neighbours[current]) - seen, key=rank.__getitem__):
                seen.add(other)
                queue.append(other)
    positions = {}
    angle = 0.0
    for key in order:
        radius = SPIRAL_SPACING * angle / (2 * math.pi)  # one spacing further out per turn
        positions[key] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))
        angle += SPIRAL_SPACING / max(radius, SPIRAL_SPACING)  # one spacing along the arc
    return positions


def ring_positions(nodes: list[dict], edges: list[dict]) -> dict[str, tuple[float, float]]:
    """Aggregated view: provinces on a ring in code order (neighbouring codes are neighbouring provinces),
    each programme inside it at the mean place of its provinces weighted by facts, pulled towards the
    centre; a programme without provinces starts next to its broader programme, or at the centre.
    """
    places = [n["id"] for n in nodes if n["type"] == "Region"]  # sorted by key: by code, unplaced first
    radius = max(300.0, RING_SPACING * len(places) / (2 * math.pi))
    angles = {key: 2 * math.pi * i / len(places) for i, key in enumerate(places)}
    positions = {key: (radius * math.sin(angle), -radius * math.cos(angle)) for key, angle in angles.items()}
    pull: dict[str, tuple[float, float, int]] = {}  # programme -> sums of facts × x, facts × y, facts
    broader = {}
    for edge in edges:
        if edge["from"] in positions:
            x, y = positions[edge["from"]]
            sx, sy, weight = pull.get(edge["to"], (0.0, 0.0, 0))
            pull[edge["to"]] = (sx + edge["facts"] * x, sy + edge["facts"] * y, weight + edge["facts"])
        elif edge["predicate"] == "broader":
            broader[edge["from"]] = edge["to"]
    programmes = [n["id"] for n in nodes if n["type"] != "Region"]
    # a small offset each, so that programmes that would start at the same place start apart
    offsets = {key: (20 * math.cos(2.4 * i), 20 * math.sin(2.4 * i)) for i, key in enumerate(programmes)}
    for key in programmes:
        if key in pull:
            sx, sy, weight = pull[key]
            positions[key] = (0.7 * sx / weight + offsets[key][0], 0.7 * sy / weight + offsets[key][1])
    for key in programmes:
        if key not in pull:
            x, y = positions.get(broader.get(key), (0.0, 0.0))
            positions[key] = (x + offsets[key][0], y + offsets[key][1])
    return {key: (round(x, 1), round(y, 1)) for key, (x, y) in positions.items()}


def vis_options(n_nodes: int) -> dict:
    """vis-network options: style by type, size by degree, a short layout run sized to the graph.

    The page switches physics off once the layout has stabilised, so the graph then holds still.
    """
    large = n_nodes > LARGE_GRAPH
    return {
        "groups": {t: {"shape": shape, "color": colour} for t, (_, shape, colour) in NODE_STYLE.items()},
        "nodes": {"font": {"face": FONT_STACK, "strokeWidth": 3, "strokeColor": "#ffffff"}, "borderWidth": 1,
                  # label size grows with the node's: hubs stay labelled when zoomed out
                  "scaling": {"min": 6, "max": 28, "label": {"enabled": True, "min": 12, "max": 36,
                                                             "drawThreshold": 8, "maxVisible": 22}}},
        "edges": {"arrows": {"to": {"enabled": not large, "scaleFactor": 0.5}}, "width": 1.2, "selectionWidth": 2,
                  "font": {"face": FONT_STACK, "size": 9, "align": "middle", "color": "#555555"},
                  "scaling": {"label": {"drawThreshold": 14}},  # relation names only when zoomed in
                  "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.5}},
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -30, "centralGravity": 0.015, "springLength": 50,
                                 "springConstant": 0.08, "damping": 0.5, "avoidOverlap": 0.6,
                                 "theta": 1.0},  # Barnes–Hut accuracy: coarser than the default, twice as fast
            "minVelocity": 1,
            "stabilization": {"enabled": True, "fit": True, "updateInterval": 10,
                              "iterations": max(25, min(300, STABILIZATION_WORK // max(n_nodes, 1)))},
        },
        "layout": {"improvedLayout": False},  # the start positions come from initial_positions
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large},
    }


def _predicates(names: tuple[str, ...]) -> dict[str, dict]:
    return {p: {"name": EDGE_STYLE[p][0], "color": EDGE_STYLE[p][1], "dashed": EDGE_STYLE[p][2]} for p in names}


def _place(nodes: list[dict], edges: list[dict]) -> None:
    positions = initial_positions(nodes, edges)
    for node in nodes:
        node["x"], node["y"] = positions[node["id"]]


def page_data(graph: KnowledgeGraph) -> dict:
    """Everything the page's script reads: nodes, edges, documents, styles and vis options."""
    edges = graph_edges(graph)
    nodes = graph_nodes(graph, edges)
    _place(nodes, edges)
    return {
        "nodes": nodes, "edges": edges,
        "documents": [{"name": d.name, "title": d.title or ""}
                      for d in sorted(graph.documents, key=lambda d: (d.name, d.id))],
        "types": {t: {"name": name} for t, (name, _, _) in NODE_STYLE.items()},
        "predicates": _predicates(FULL_PREDICATES),
        "options": vis_options(len(nodes)),
    }


def aggregate_page_data(graph: KnowledgeGraph, max_nodes: int) -> dict:
    """The page's data for the aggregated view (kg.emit.aggregate), edges as wide as their number of facts.

    `aggregate` tells the script which view it draws and holds the SPARQL templates its panels fill in.
    """
    view = aggregate(graph)
    positions = ring_positions(view["nodes"], view["edges"])
    for node in view["nodes"]:
        node["x"], node["y"] = positions[node["id"]]
        node["fixed"] = node["type"] == "Region"  # the layout moves programmes only
    options = vis_options(len(view["nodes"]))
    # widths 1–10 by number of facts; relation names only when zoomed in, the widest edges' first
    options["edges"]["scaling"] = {"min": 1, "max": 10, "label": {"min": 9, "max": 14, "drawThreshold": 16}}
    options["edges"]["color"] = {"opacity": 0.45}  # thousands of edges: the many thin ones recede
    options["nodes"]["scaling"]["label"].update({"min": 11, "max": 22})
    return {
        "nodes": view["nodes"], "edges": view["edges"], "documents": view["documents"],
        "types": {t: {"name": name} for t, (name, _, _) in NODE_STYLE.items()},
        "predicates": _predicates(AGGREGATE_PREDICATES), "options": options,
        "aggregate": {"entities": len(graph.entities), "maxNodes": max_nodes, "metrics": view["metrics"],
                      "factsQuery": FACTS_QUERY, "observationsQuery": OBSERVATIONS_QUERY},
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("kg.emit", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_html(graph: KnowledgeGraph, max_nodes: int | None = DEFAULT_MAX_NODES) -> str:
    """The whole page as a string: the same graph always gives the same bytes.

    A graph of more than `max_nodes` entities (None or 0: no limit) gets the aggregated view instead of
    every node, so that the page stays small and opens quickly.
    """
    aggregated = too_large(graph, max_nodes)
    data = aggregate_page_data(graph, max_nodes) if aggregated else page_data(graph)
    type_counts = Counter(node["type"] for node in data["nodes"])
    predicate_counts = Counter(edge["predicate"] for edge in data["edges"])
    documents = sorted(graph.documents, key=lambda d: (d.name, d.id))
    counts = {"documents": len(documents), "entities": len(graph.entities),
              "nodes": len(data["nodes"]), "edges": len(data["edges"])}
    if aggregated:
        counts["facts"] = sum(edge.get("facts", 0) for edge in data["edges"])
        counts["observations"] = len(graph.observations)
        counts["programmes_folded"] = sum(node["members"].get("Program", 0) for node in data["nodes"])
    else:
        counts["observations"] = sum(len(e["observations"]) for e in data["edges"])
        type_counts["Observation"] = predicate_counts["metric"] = counts["observations"]  # as nodes, when asked for
    vis_js, vis_css = vis_assets()
    explorer_js, explorer_css = explorer_assets()
    return _environment().get_template("graph.html").render(
        data_json=Markup(_escape_json(data)), vis_js=Markup(vis_js), vis_css=Markup(vis_css),
        explorer_js=Markup(explorer_js), explorer_css=Markup(explorer_css), font_stack=Markup(FONT_STACK),
        node_types=[(t, *NODE_STYLE[t], type_counts[t]) for t in (("Region", "Program") if aggregated else NODE_TYPES)],
        edge_types=[(p, *EDGE_STYLE[p], predicate_counts[p])
                    for p in (AGGREGATE_PREDICATES if aggregated else FULL_PREDICATES)],
        documents=documents[:MAX_INTRO_DOCUMENTS] if aggregated else documents, counts=counts,
        aggregate=data.get("aggregate"), programme_budget=PROGRAMME_BUDGET)


def write_html(graph: KnowledgeGraph, path: Path, max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
    """Write the interactive page to `path` (UTF-8); past `max_nodes` entities, the aggregated view."""
    Path(path).write_text(render_html(graph, max_nodes), encoding="utf-8")
