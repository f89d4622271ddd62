"""The aggregated view of a graph too large to draw: provinces and programmes, with counts.

Regions fold into their province (the first two digits of their official code, else their partOf
links), hospitals into the province of the region they are located in. Past PROGRAMME_BUDGET
programmes, those with the most facts are kept with their broader chain and every other programme
folds into its nearest kept broader programme, or into one node for the rest. Facts become weighted
province → programme edges and observations per-province metric counts. Every list a node or edge
carries is capped, so the page does not grow with the number of facts, observations or documents.

Each node also carries a SPARQL pattern that selects its members in graph.ttl; the page fills them
into FACTS_QUERY and OBSERVATIONS_QUERY, so the evidence behind any count is one query away.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from kg.model import Evidence, KnowledgeGraph

DEFAULT_MAX_NODES = 5000  # past this many entities graph.html shows the aggregated view (see README)
PROGRAMME_BUDGET = 150  # programme nodes at most (plus one for the rest)
MAX_NAMES = 300  # folded names a node keeps for search (a province has up to about 200 regions)
FOLDED_ORDER = ("Province", "City", "County", "Region", "Hospital", "Program")  # names kept first to last
MAX_METRICS = 20  # metric rows per province, and in the overview
MAX_SAMPLE = 5  # sample documents and subjects per node or edge
UNPLACED = "aggregate/unplaced"  # hospitals without a location (and regions without a province)
OTHER_PROGRAMMES = "aggregate/other-programmes"
ID = "https://w3id.org/cn-health-kg/id/"
_CODE_KEY = re.compile(r"region/(\d{6})")
_PREFIXES = """PREFIX kg: <https://w3id.org/cn-health-kg/def/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""
# {relation}, {subject} and {programme} are replaced by patterns on ?relation, ?s and ?p (or nothing).
# The facts are chosen in a subquery and the evidence joined in OPTIONAL (every evidence has all of it):
# so Oxigraph joins only the chosen facts' evidence, seconds instead of minutes on a 3-million-triple graph.
FACTS_QUERY = _PREFIXES + """SELECT ?subject ?relation ?programme ?sentence ?file ?begin ?end WHERE {
  {
    SELECT ?fact ?s ?relation ?p WHERE {
      ?fact a kg:Fact ; rdf:subject ?s ; rdf:predicate ?relation ; rdf:object ?p .
      {relation}
      {subject}
      {programme}
    }
  }
  ?fact kg:evidence ?e .
  ?s rdfs:label ?subject . FILTER (lang(?subject) = "zh")
  ?p rdfs:label ?programme . FILTER (lang(?programme) = "zh")
  OPTIONAL { ?e prov:value ?sentence ; nif:beginIndex ?begin ; nif:endIndex ?end ; kg:document/kg:fileName ?file }
}
ORDER BY ?file ?begin ?subject ?programme
"""
# {province} is replaced by the first two digits of the province's code.
OBSERVATIONS_QUERY = _PREFIXES + """SELECT ?region ?metric ?value ?unit ?year ?kind ?sentence ?file WHERE {
  {
    SELECT ?obs ?s ?m ?value ?unit ?k WHERE {
      ?obs a kg:Observation ; kg:region ?s ; kg:metric ?m ; kg:value ?value ; kg:unit ?unit ; kg:kind ?k .
      FILTER (STRSTARTS(STR(?s), "https://w3id.org/cn-health-kg/id/region/{province}"))
    }
  }
  ?obs kg:evidence ?e .
  ?s rdfs:label ?region . FILTER (lang(?region) = "zh")
  ?m rdfs:label ?metric . FILTER (lang(?metric) = "zh")
  OPTIONAL { ?obs kg:year ?year }
  BIND (IF(?k = kg:Target, "target", "reported") AS ?kind)
  OPTIONAL { ?e prov:value ?sentence ; kg:document/kg:fileName ?file }
}
ORDER BY ?region ?metric ?year ?kind ?value ?file
"""
# ?s, or the region a hospital is located in, has an IRI that starts with this
_PLACE = "OPTIONAL { ?s kg:locatedIn ?place }\n  FILTER (%sSTRSTARTS(STR(COALESCE(?place, ?s)), \"%s\"))"


def too_large(graph: KnowledgeGraph, max_nodes: int | None) -> bool:
    """Whether the page should show the aggregated view: more entities than `max_nodes` (None or 0: no limit)."""
    return bool(max_nodes) and len(graph.entities) > max_nodes


def province_of(graph: KnowledgeGraph, key: str) -> str:
    """The province key a region or hospital folds into, or UNPLACED.

    A region's province is `region/` + the first two digits of its code + `0000`; a region without a
    code is followed up its partOf links, a hospital to the region it is located in.
    """
    seen: set[str] = set()
    while key not in seen:
        seen.add(key)
        entity = graph.entities.get(key)
        if entity is not None and entity.type == "Hospital":
            key = entity.located_in or UNPLACED
            continue
        match = _CODE_KEY.fullmatch(key)  # a parent region no report names is known by its key
        code = (entity.code if entity is not None else None) or (match.group(1) if match else None)
        if code and len(code) == 6 and code.isdigit():
            return f"region/{code[:2]}0000"
        if entity is None or not entity.part_of:
            break
        key = entity.part_of
    return UNPLACED


def _broader_chain(graph: KnowledgeGraph, key: str) -> list[str]:
    """The programme and its broader programmes, nearest first, as far as they are in the graph."""
    chain = [key]
    parent = graph.entities[key].broader
    while parent in graph.entities and parent not in chain:
        chain.append(parent)
        parent = graph.entities[parent].broader
    return chain


def programme_groups(graph: KnowledgeGraph, budget: int = PROGRAMME_BUDGET) -> dict[str, str]:
    """Programme key -> the node it is drawn as: itself, its nearest kept broader programme, or OTHER_PROGRAMMES.

    Within the budget every programme is kept; past it, programmes are kept in order of their number
    of facts (then key), each together with its broader chain, while the budget allows.
    """
    programmes = sorted(key for key, entity in graph.entities.items() if entity.type == "Program")
    chains = {key: _broader_chain(graph, key) for key in programmes}
    if len(programmes) <= budget:
        kept = set(programmes)
    else:
        facts = Counter(fact.object for fact in graph.facts)
        kept = set()
        for key in sorted(programmes, key=lambda k: (-facts[k], k)):
            missing = [k for k in chains[key] if k not in kept]
            if len(kept) + len(missing) <= budget:
                kept.update(missing)
    return {key: next((k for k in chains[key] if k in kept), OTHER_PROGRAMMES) for key in programmes}


def _top(counter: Counter, n: int = MAX_SAMPLE) -> list[str]:
    """The n most frequent items, ties by the item itself."""
    return [item for item, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


class _Group:
    """What one aggregated node accumulates."""

    def __init__(self) -> None:
        self.members: Counter[str] = Counter()  # folded entities by subtype or type
        self.names: set[tuple[int, str]] = set()  # (place in FOLDED_ORDER, label)
        self.facts: Counter[str] = Counter()  # by predicate
        self.docs: Counter[str] = Counter()  # evidence sentences by document name
        self.metrics: dict[str, list] = {}  # metric key -> [reported, target, years]

    def add_evidence(self, evidence: Iterable[Evidence], names: dict[str, str]) -> None:
        for item in evidence:
            self.docs[names.get(item.doc_id, item.doc_id)] += 1


def _place_pattern(key: str) -> str:
    if key == UNPLACED:
        return _PLACE % ("!", f"{ID}region/")
    return _PLACE % ("", f"{ID}{key[:len('region/') + 2]}")


def _programme_pattern(key: str, kept_children: list[str], folds: bool) -> str:
    """?p is a programme drawn as `key`: under it in the hierarchy, but not under a kept child of it."""
    values = " ".join(f"<{ID}{k}>" for k in kept_children)
    if key == OTHER_PROGRAMMES:  # its kept children are the kept programmes without a broader one
        return f"FILTER NOT EXISTS {{ VALUES ?kept {{ {values} }} ?p skos:broader* ?kept }}"
    if not folds:
        return f"VALUES ?p {{ <{ID}{key}> }}"
    pattern = f"?p skos:broader* <{ID}{key}> ."
    if kept_children:
        pattern += f"\n  FILTER NOT EXISTS {{ VALUES ?kept {{ {values} }} ?p skos:broader* ?kept }}"
    return pattern


def _fact_edges(graph: KnowledgeGraph, place: dict[str, str], programme: dict[str, str],
                groups: dict[str, _Group], names: dict[str, str]) -> list[dict]:
    """One edge per place, relation and programme node, with its counts and samples; the groups count too."""
    edges: dict[tuple[str, str, str], dict] = {}
    for fact in graph.facts:
        if fact.subject not in place or fact.object not in programme:
            continue
        source, target = place[fact.subject], programme[fact.object]
        edge = edges.setdefault((source, fact.predicate, target),
                                {"facts": 0, "sentences": 0, "subjects": Counter(), "docs": Counter()})
        evidence = set(fact.evidence)
        edge["facts"] += 1
        edge["sentences"] += len(evidence)
        edge["subjects"][fact.subject] += 1
        for item in evidence:
            edge["docs"][names.get(item.doc_id, item.doc_id)] += 1
        for key in (source, target):
            groups[key].facts[fact.predicate] += 1
            groups[key].add_evidence(evidence, names)
    known = graph.entities
    return [{"from": source, "to": target, "predicate": predicate, "facts": edge["facts"],
             "sentences": edge["sentences"], "documents": len(edge["docs"]),
             "subjects": dict(sorted(Counter(known[k].type for k in edge["subjects"]).items())),
             "sample": [known[k].label for k in _top(edge["subjects"])], "docs": _top(edge["docs"]),
             "evidence": [], "observations": []}
            for (source, predicate, target), edge in edges.items()]


def _label(graph: KnowledgeGraph, key: str) -> str:
    if key == UNPLACED:
        return "所在地不详"
    if key == OTHER_PROGRAMMES:
        return "其他改革项目"
    if key in graph.entities:
        return graph.entities[key].label
    from kg.vocab import load_vocabulary  # a province no report names: its official name

    entry = load_vocabulary().entries.get(key)
    return entry.label if entry else key.removeprefix("region/")


def _node(graph: KnowledgeGraph, key: str, group: _Group, sparql: str) -> dict:
    known = graph.entities
    entity = known.get(key)
    place = key.startswith("region/")
    metric_rows = sorted(group.metrics.items(), key=lambda kv: (-kv[1][0] - kv[1][1], known[kv[0]].label, kv[0]))
    n_observations = sum(reported + target for _, (reported, target, _) in metric_rows)
    return {
        "id": key, "type": "Region" if place or key == UNPLACED else "Program", "label": _label(graph, key),
        "subtype": "Province" if place else "", "code": key.removeprefix("region/") if place else "",
        "aliases": sorted(entity.alt_labels - {entity.label}) if entity is not None else [],
        "folded": list(dict.fromkeys(label for _, label in sorted(group.names)))[:MAX_NAMES],
        "members": dict(sorted(group.members.items())),
        "facts": dict(sorted(group.facts.items())), "observations": n_observations,
        "metrics": [[known[m].label, reported, target, min(years, default=None), max(years, default=None)]
                    for m, (reported, target, years) in metric_rows[:MAX_METRICS]],
        "moreMetrics": [len(metric_rows[MAX_METRICS:]), sum(r + t for _, (r, t, _) in metric_rows[MAX_METRICS:])],
        "documents": len(group.docs), "docs": _top(group.docs), "sparql": sparql,
        "value": round(math.log2(1 + sum(group.facts.values()) + n_observations), 3),
    }


def aggregate(graph: KnowledgeGraph, budget: int = PROGRAMME_BUDGET) -> dict:
    """The aggregated nodes and edges (as the page reads them), the top metrics and the sampled documents."""
    names = {d.id: d.name for d in graph.documents}
    known = graph.entities
    place = {key: province_of(graph, key) for key, e in known.items() if e.type in ("Region", "Hospital")}
    programme = programme_groups(graph, budget)
    groups: dict[str, _Group] = defaultdict(_Group)
    for key, group_key in (*place.items(), *programme.items()):
        if key != group_key:
            entity = known[key]
            kind = entity.subtype if entity.type == "Region" and entity.subtype else entity.type
            groups[group_key].members[kind] += 1
            groups[group_key].names.add((FOLDED_ORDER.index(kind), entity.label))
    edges = _fact_edges(graph, place, programme, groups, names)

    metric_totals: Counter[str] = Counter()
    metric_places: dict[str, set[str]] = defaultdict(set)
    for observation in graph.observations:
        if observation.region in place and observation.metric in known:
            group = groups[place[observation.region]]
            row = group.metrics.setdefault(observation.metric, [0, 0, set()])
            row[observation.kind == "target"] += 1
            if observation.year:
                row[2].add(observation.year)
            group.add_evidence(set(observation.evidence), names)
            metric_totals[observation.metric] += 1
            metric_places[observation.metric].add(place[observation.region])

    children: dict[str, list[str]] = defaultdict(list)  # kept programme -> its kept narrower programmes
    for key in sorted(set(programme.values()) - {OTHER_PROGRAMMES}):
        parent = known[key].broader
        children[parent if parent in known else OTHER_PROGRAMMES].append(key)
        if parent in known:
            edges.append({"from": key, "to": parent, "predicate": "broader", "evidence": [], "observations": []})
    edges.sort(key=lambda e: (e["from"], e["predicate"], e["to"]))
    for index, edge in enumerate(edges):
        edge["id"] = f"e{index}"
    places = set(place.values())
    nodes = [_node(graph, key, groups[key], _place_pattern(key) if key in places
                   else _programme_pattern(key, children[key], bool(groups[key].members)))
             for key in sorted(places | set(programme.values()))]

    top_metrics = [[known[m].label, metric_totals[m], len(metric_places[m])] for m in _top(metric_totals, MAX_METRICS)]
    sampled = {name for item in (*nodes, *edges) for name in item.get("docs", [])}
    return {"nodes": nodes, "edges": edges, "metrics": top_metrics,
            "documents": [{"name": d.name, "title": d.title or ""}
                          for d in sorted(graph.documents, key=lambda d: (d.name, d.id)) if d.name in sampled]}
