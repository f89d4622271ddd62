"""The aggregated view of a large graph: folding, counts, the switch at --html-max-nodes, bounded size,
and SPARQL queries that select exactly the facts and observations behind each count."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import kg
from kg.cli import main
from kg.emit.aggregate import (FACTS_QUERY, OBSERVATIONS_QUERY, OTHER_PROGRAMMES, UNPLACED, aggregate,
                               programme_groups, province_of)
from kg.emit.html import render_html, ring_positions
from kg.model import Document, Entity, Evidence, Fact, KnowledgeGraph, Observation
from kg.sparql import load_store, run
from test_html import ATTR_BREAK, EXTERNAL, SCRIPT_BREAK, embedded, make_graph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
HENAN, FUJIAN = "region/410000", "region/350000"
REFORM, HOSPITALS, SALARY, CHRONIC, ORPHAN = (
    "program/reform", "program/hospitals", "program/salary", "program/chronic", "program/orphan")


def _bench():
    spec = importlib.util.spec_from_file_location("html_large", ROOT / "bench" / "html_large.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ev(doc: str, start: int, text: str = "句子") -> Evidence:
    return Evidence(doc, start, start + len(text), text)


def hand_graph() -> KnowledgeGraph:
    """河南 with a city, a district and a code-less county under the city; 三明市 whose province (福建)
    no report names; a region with neither code nor parent; hospitals in 河南, in 三明 and nowhere;
    programmes reform ← hospitals ← salary, chronic, and orphan whose broader programme is absent."""
    regions = [
        Entity(HENAN, "Region", "河南省", {"河南"}, subtype="Province", code="410000"),
        Entity("region/410100", "Region", "郑州市", {"郑州"}, subtype="City", code="410100", part_of=HENAN),
        Entity("region/410102", "Region", "中原区", set(), subtype="County", code="410102", part_of="region/410100"),
        Entity("region/new-county", "Region", "新设县", set(), subtype="County", part_of="region/410100"),
        Entity("region/350400", "Region", "三明市", set(), subtype="City", code="350400", part_of=FUJIAN),
        Entity("region/nowhere", "Region", "某地", set()),
    ]
    hospitals = [
        Entity("hospital/zz", "Hospital", "郑州大学第一附属医院", set(), located_in="region/410102"),
        Entity("hospital/sm", "Hospital", "三明市第一医院", set(), located_in="region/350400"),
        Entity("hospital/lost", "Hospital", "市中医医院", set()),
    ]
    programmes = [
        Entity(REFORM, "Program", "深化医改", set()),
        Entity(HOSPITALS, "Program", "公立医院改革", set(), broader=REFORM),
        Entity(SALARY, "Program", "薪酬制度改革", set(), broader=HOSPITALS),
        Entity(CHRONIC, "Program", "慢病管理", set()),
        Entity(ORPHAN, "Program", "孤立项目", set(), broader="program/absent"),
    ]
    metrics = [Entity("metric/life", "Metric", "人均预期寿命", set()), Entity("metric/beds", "Metric", "床位数", set())]
    facts = [
        Fact(HENAN, "implements", HOSPITALS, [ev("d1", 0), ev("d2", 5)]),
        Fact("region/410100", "implements", HOSPITALS, [ev("d1", 10)]),
        Fact("region/410102", "implements", SALARY, [ev("d1", 20)]),
        Fact("region/new-county", "implements", HOSPITALS, [ev("d3", 0)]),
        Fact("hospital/zz", "pilots", SALARY, [ev("d2", 30)]),
        Fact("region/350400", "implements", HOSPITALS, [ev("d2", 40)]),
        Fact("hospital/sm", "pilots", CHRONIC, [ev("d3", 50)]),
        Fact("hospital/lost", "pilots", CHRONIC, [ev("d3", 60)]),
        Fact("region/nowhere", "implements", REFORM, [ev("d1", 70)]),
    ]
    observations = [
        Observation(HENAN, "metric/life", Decimal("78.1"), "岁", 2023, "reported", "人均预期寿命", evidence=[ev("d1", 80)]),
        Observation(HENAN, "metric/life", Decimal("79"), "岁", 2025, "target", "人均预期寿命", evidence=[ev("d1", 90)]),
        Observation("region/410100", "metric/beds", Decimal("7.2"), "张", 2022, "reported", "床位数",
                    evidence=[ev("d2", 100)]),
        Observation("region/350400", "metric/life", Decimal("80"), "岁", None, "reported", "人均预期寿命",
                    evidence=[ev("d3", 110)]),
    ]
    documents = [Document(d, f"c/{d}.txt", f"{d}.txt", "0" * 64, title=f"报告{d}") for d in ("d1", "d2", "d3")]
    return KnowledgeGraph(documents=documents, entities={e.key: e for e in (*regions, *hospitals, *programmes, *metrics)},
                          facts=facts, observations=observations)


def test_regions_and_hospitals_fold_into_their_province():
    graph = hand_graph()
    assert {key: province_of(graph, key) for key in graph.entities if not key.startswith(("program/", "metric/"))} == {
        HENAN: HENAN, "region/410100": HENAN, "region/410102": HENAN,
        "region/new-county": HENAN,  # no code: by its partOf link to 郑州市
        "region/350400": FUJIAN,  # by its code, though 福建省 is not in the graph
        "region/nowhere": UNPLACED,
        "hospital/zz": HENAN, "hospital/sm": FUJIAN, "hospital/lost": UNPLACED}


def test_programmes_fold_by_facts_and_hierarchy():
    graph = hand_graph()
    assert programme_groups(graph, budget=5) == {k: k for k in (REFORM, HOSPITALS, SALARY, CHRONIC, ORPHAN)}
    # facts: hospitals 4, salary 2, chronic 2, reform 1, orphan 0. With room for two, hospitals is kept
    # with its broader chain (reform); salary folds into hospitals; chronic and orphan (its broader
    # programme absent) into the rest.
    assert programme_groups(graph, budget=2) == {
        REFORM: REFORM, HOSPITALS: HOSPITALS, SALARY: HOSPITALS, CHRONIC: OTHER_PROGRAMMES, ORPHAN: OTHER_PROGRAMMES}
    # room for one more: chronic and salary have two facts each, chronic comes first by key
    assert programme_groups(graph, budget=3) == {
        REFORM: REFORM, HOSPITALS: HOSPITALS, SALARY: HOSPITALS, CHRONIC: CHRONIC, ORPHAN: OTHER_PROGRAMMES}
    assert programme_groups(graph, budget=4)[SALARY] == SALARY


def test_aggregate_counts():
    view = aggregate(hand_graph(), budget=2)
    nodes = {n["id"]: n for n in view["nodes"]}
    assert sorted(nodes) == sorted([FUJIAN, HENAN, UNPLACED, REFORM, HOSPITALS, OTHER_PROGRAMMES])
    henan, fujian, unplaced = nodes[HENAN], nodes[FUJIAN], nodes[UNPLACED]
    assert (henan["label"], henan["code"], henan["aliases"]) == ("河南省", "410000", ["河南"])
    assert (fujian["label"], fujian["code"]) == ("福建省", "350000")  # the official name, from the vocabulary
    assert henan["members"] == {"City": 1, "County": 2, "Hospital": 1}
    assert henan["folded"] == ["郑州市", "中原区", "新设县", "郑州大学第一附属医院"]  # cities, counties, hospitals
    assert fujian["members"] == {"City": 1, "Hospital": 1}
    assert unplaced["members"] == {"Hospital": 1, "Region": 1}
    assert nodes[HOSPITALS]["members"] == {"Program": 1} and nodes[HOSPITALS]["folded"] == ["薪酬制度改革"]
    assert nodes[OTHER_PROGRAMMES]["members"] == {"Program": 2}
    assert nodes[REFORM]["members"] == {}

    assert henan["facts"] == {"implements": 4, "pilots": 1}
    assert nodes[HOSPITALS]["facts"] == {"implements": 5, "pilots": 1}
    assert henan["observations"] == 3 and fujian["observations"] == 1
    assert henan["metrics"] == [["人均预期寿命", 1, 1, 2023, 2025], ["床位数", 1, 0, 2022, 2022]]
    assert fujian["metrics"] == [["人均预期寿命", 1, 0, None, None]]
    assert (henan["documents"], henan["docs"]) == (3, ["d1.txt", "d2.txt", "d3.txt"])  # d1: 5 sentences, d2: 3, d3: 1

    edges = {(e["from"], e["predicate"], e["to"]): e for e in view["edges"]}
    assert set(edges) == {(HENAN, "implements", HOSPITALS), (HENAN, "pilots", HOSPITALS),
                          (FUJIAN, "implements", HOSPITALS), (FUJIAN, "pilots", OTHER_PROGRAMMES),
                          (UNPLACED, "pilots", OTHER_PROGRAMMES), (UNPLACED, "implements", REFORM),
                          (HOSPITALS, "broader", REFORM)}
    henan_implements = edges[HENAN, "implements", HOSPITALS]
    assert (henan_implements["facts"], henan_implements["sentences"], henan_implements["documents"]) == (4, 5, 3)
    assert henan_implements["subjects"] == {"Region": 4}
    assert henan_implements["sample"] == ["河南省", "郑州市", "中原区", "新设县"]  # one fact each: by key
    assert henan_implements["docs"] == ["d1.txt", "d2.txt", "d3.txt"]
    assert edges[HENAN, "pilots", HOSPITALS]["subjects"] == {"Hospital": 1}
    assert [e["id"] for e in view["edges"]] == [f"e{i}" for i in range(len(edges))]
    assert view["metrics"] == [["人均预期寿命", 3, 2], ["床位数", 1, 1]]
    assert [d["name"] for d in view["documents"]] == ["d1.txt", "d2.txt", "d3.txt"]


def test_ring_layout_puts_provinces_around_and_programmes_near_their_provinces():
    view = aggregate(hand_graph(), budget=2)
    positions = ring_positions(view["nodes"], view["edges"])
    radius = {key: math.hypot(*positions[key]) for key in positions}
    assert [radius[key] for key in (UNPLACED, FUJIAN, HENAN)] == pytest.approx([300] * 3, abs=0.1)  # on the ring
    assert positions[UNPLACED] == (0, -300) and positions[FUJIAN][0] > 0 > positions[HENAN][0]  # clockwise by key
    assert all(radius[key] < 300 for key in (REFORM, HOSPITALS, OTHER_PROGRAMMES))
    # hospitals: 5 facts from 河南, 1 from 福建 (its pilots edge goes to the rest)
    assert math.dist(positions[HOSPITALS], positions[HENAN]) < math.dist(positions[HOSPITALS], positions[FUJIAN])


@pytest.mark.parametrize("max_nodes, aggregated", [(15, True), (16, False), (17, False), (None, False), (0, False)])
def test_the_page_switches_past_the_limit(max_nodes, aggregated):
    graph = hand_graph()
    assert len(graph.entities) == 16
    page = render_html(graph, max_nodes)
    data = embedded(page)
    assert ('id="kg-aggregate"' in page) is aggregated
    assert ("aggregate" in data) is aggregated
    if aggregated:
        assert len(data["nodes"]) == 3 + 5  # 河南, 福建, unplaced; every programme (within the budget)
        assert "这个图有 16 个节点" in page and f"上限 {max_nodes}（" in page
        assert "kg build --html-max-nodes 0" in page and "graph.ttl" in page and "graph.graphml" in page
    else:
        assert sorted(n["id"] for n in data["nodes"]) == sorted(graph.entities)


def test_aggregated_page_offline_escaped_deterministic():
    hostile = SCRIPT_BREAK + ATTR_BREAK + "<!--"
    page = render_html(make_graph(hostile), 3)
    assert "aggregate" in embedded(page)
    assert not EXTERNAL.search(page)
    for raw in (SCRIPT_BREAK, ATTR_BREAK, "<img", "<!--<"):
        assert raw not in page, raw
    assert page.count("</script>") == 3
    label = next(n["label"] for n in embedded(page)["nodes"] if n["id"] == "region/640000")
    assert label == "宁夏回族自治区" + hostile
    assert render_html(make_graph(), 3) == render_html(make_graph(reverse=True), 3)


def test_aggregated_page_deterministic_across_hash_seeds():
    code = ("import hashlib, importlib.util; "
            "spec = importlib.util.spec_from_file_location('b', 'bench/html_large.py'); "
            "b = importlib.util.module_from_spec(spec); spec.loader.exec_module(b); "
            "from kg.emit.html import render_html; "
            "print(hashlib.sha256(render_html(b.synthetic_graph(1200), 1000).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def _denser(graph: KnowledgeGraph, times: int) -> KnowledgeGraph:
    """The same entities with `times` as many evidence sentences per fact and observations per region–metric."""
    documents = {d.id: d for d in graph.documents}
    facts = [Fact(f.subject, f.predicate, f.object,
                  [Evidence(e.doc_id, e.start + 1000 * k, e.end + 1000 * k, e.sentence + "。" * k)
                   for e in f.evidence for k in range(times)]) for f in graph.facts]
    observations = [Observation(o.region, o.metric, o.value + k, o.unit, o.year, o.kind, o.phrase, o.qualifier,
                                o.evidence) for o in graph.observations for k in range(times)]
    return KnowledgeGraph(list(documents.values()), graph.entities, facts, observations)


def test_aggregated_page_size_does_not_grow_with_facts_and_observations():
    graph = _bench().synthetic_graph(6000)
    dense = _denser(graph, 10)
    assert len(dense.observations) == 10 * len(graph.observations)
    full, full_dense = render_html(graph, None), render_html(dense, None)
    assert len(full_dense) > 3 * len(full)  # what the measure below would show if the page grew
    page, page_dense = render_html(graph, 5000), render_html(dense, 5000)
    assert abs(len(page_dense) - len(page)) < 0.01 * len(page)  # only counts change
    assert len(page.encode()) < 2_000_000


def test_aggregated_page_size_is_bounded_in_the_number_of_entities():
    bench = _bench()
    sizes = [len(render_html(bench.synthetic_graph(n), 1000).encode()) for n in (5000, 20_000)]
    assert sizes[1] < 1.1 * sizes[0] < 2_200_000, sizes


def _fill(template: str, **parts: str) -> str:
    """What the page's script does with the query templates (fillQuery in explorer.js)."""
    text = re.sub(r"\{(relation|subject|programme|province)\}", lambda m: parts.get(m.group(1), ""), template)
    return re.sub(r"\n[ ]*(?=\n)", "", text)


@pytest.fixture(scope="module")
def seed_graph() -> KnowledgeGraph:
    return kg.build([SEEDS]).graph


def test_queries_select_exactly_the_counted_facts_and_observations(seed_output, seed_graph):
    view = aggregate(seed_graph)
    nodes = {n["id"]: n for n in view["nodes"]}
    assert nodes[OTHER_PROGRAMMES]["members"]["Program"] > 10  # the seeds have more programmes than the budget
    store = load_store(seed_output / "graph.ttl")
    # edges of each kind of pattern: to a programme alone, to one with others folded in, to the rest;
    # from hospitals without a place
    kinds = {"alone": [], "folding": [], "rest": [], "unplaced": []}
    for edge in view["edges"]:
        if "facts" in edge:
            target = nodes[edge["to"]]
            kind = ("unplaced" if edge["from"] == UNPLACED else "rest" if edge["to"] == OTHER_PROGRAMMES
                    else "folding" if target["members"] else "alone")
            kinds[kind].append(edge)
    assert all(len(edges) >= 2 for edges in kinds.values()), {k: len(v) for k, v in kinds.items()}
    for edge in (edge for edges in kinds.values() for edge in edges[:8]):
        query = _fill(FACTS_QUERY, relation=f"VALUES ?relation {{ kg:{edge['predicate']} }}",
                      subject=nodes[edge["from"]]["sparql"], programme=nodes[edge["to"]]["sparql"])
        rows = run(store, query).rows
        assert len(rows) == edge["sentences"], edge
        assert len({(row[0].value, row[2].value) for row in rows}) == edge["facts"], edge
    provinces = sorted((n for n in view["nodes"] if n["observations"]), key=lambda n: -n["observations"])[:2]
    for node in provinces:
        rows = run(store, _fill(OBSERVATIONS_QUERY, province=node["code"][:2])).rows
        prefix = node["id"][:len("region/") + 2]
        assert len(rows) == sum(len(set(o.evidence)) for o in seed_graph.observations if o.region.startswith(prefix))
        assert len({(row[0].value, row[1].value, row[2].value, row[3].value, row[4] and row[4].value, row[5].value)
                    for row in rows}) == node["observations"]


def test_build_option(tmp_path, capsys):
    report = tmp_path / "report.txt"
    report.write_text("2024年,宁夏全区推广三明医改经验,县域内就诊率达到85%。银川市开展紧密型医联体试点。\n", encoding="utf-8")
    assert main(["build", str(report), "-o", str(tmp_path / "a"), "-q", "--no-validate", "--html-max-nodes", "1"]) == 0
    assert "graph.html: aggregated view" in capsys.readouterr().out
    assert 'id="kg-aggregate"' in (tmp_path / "a" / "graph.html").read_text(encoding="utf-8")
    assert main(["build", str(report), "-o", str(tmp_path / "b"), "-q", "--no-validate", "--html-max-nodes", "0"]) == 0
    assert "aggregated" not in capsys.readouterr().out
    assert 'id="kg-aggregate"' not in (tmp_path / "b" / "graph.html").read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["build", str(report), "--html-max-nodes", "-1"])
