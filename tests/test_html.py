"""The HTML view: offline, vis-network inlined, counts right, report text escaped, deterministic."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kg.emit.html import explorer_assets, initial_positions, render_html, vis_assets, vis_options, write_html
from kg.model import Document, Entity, Evidence, Fact, KnowledgeGraph, Observation

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_BREAK = "</script><script>alert(1)</script>"
ATTR_BREAK = '"><img src=x onerror=alert(1)>'
# src=/href=/srcset=/action=/poster= attributes, CSS url() and @import, JS import() pointing at a host
EXTERNAL = re.compile(
    r"""\b(?:src|href|srcset|action|formaction|poster)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|\burl\(\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//"""
    r"""|\bimport\s*\(\s*["'`]\s*(?:https?:)?//""",
    re.IGNORECASE,
)
DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def evidence(doc: str, start: int, sentence: str) -> Evidence:
    return Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence)


def make_graph(hostile: str = "", reverse: bool = False) -> KnowledgeGraph:
    """宁夏 and 银川 (partOf), a hospital in 银川 (locatedIn), 三明医改经验 implemented by 宁夏 (twice, merged)
    and piloted by the hospital, two 卫生人员数 observations for 宁夏 (one reports edge)."""
    nx = "doc-000"
    staff = evidence(nx, 1480, "2024年,全区卫生人员增加到80532人,每千人口执业(助理)医师、注册护士分别为3.52人、4.22人;"
                         "县域内就诊率达到85%,看病就医实现“一般病在市县解决,头疼脑热在乡镇、村里解决”目标。")
    sanming = evidence(nx, 2950, "促进“三医”协同发展和治理,推广三明医改经验,落实定期协商调度机制,健全以公益性为导向的公立医院运行机制。")
    centre = evidence(nx, 620, "五年来,宁夏聚力解决群众看病就医突出问题,完成国家区域医疗中心北京大学第一医院宁夏妇女儿童医院、"
                          "两个省级区域医疗中心布局。" + hostile)
    entities = [
        Entity("region/640000", "Region", "宁夏回族自治区" + hostile, {"宁夏", "全区", ATTR_BREAK if hostile else "宁"},
               subtype="Province", code="640000", evidence=[staff]),
        Entity("region/640100", "Region", "银川市", {"银川"}, subtype="City", code="640100", part_of="region/640000"),
        Entity("region/350400", "Region", "三明市", set(), code="350400", part_of="region/350000"),  # parent absent
        Entity("hospital/ningxia-women-children", "Hospital", "北京大学第一医院宁夏妇女儿童医院", {"宁夏妇女儿童医院"},
               located_in="region/640100", evidence=[centre]),
        Entity("program/sanming-model", "Program", "三明医改经验", {"三明医改", "三明模式"}, evidence=[sanming]),
        Entity("metric/health-workers", "Metric", "卫生人员数", {"卫生人员"}),
    ]
    facts = [
        Fact("region/640000", "implements", "program/sanming-model", [sanming]),
        Fact("region/640000", "implements", "program/sanming-model", [sanming, centre]),
        Fact("hospital/ningxia-women-children", "pilots", "program/sanming-model", [centre]),
    ]
    observations = [
        Observation("region/640000", "metric/health-workers", Decimal("80532"), "人", 2024, "reported", "卫生人员",
                    evidence=[staff]),
        Observation("region/640000", "metric/health-workers", Decimal("85000"), "人", 2025, "target", "卫生人员",
                    qualifier="以上", evidence=[staff]),
    ]
    if reverse:
        entities, facts, observations = entities[::-1], facts[::-1], observations[::-1]
    return KnowledgeGraph(
        documents=[Document(nx, "seeds/000.txt", "000_12ab132b68f62472.txt" + hostile, "0" * 64,
                            title="把维护人民健康摆在更加突出的位置" + hostile)],
        entities={e.key: e for e in entities}, facts=facts, observations=observations)


def embedded(page: str) -> dict:
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_graph())


def test_external_pattern_catches_references():
    for bad in ('<script src="https://cdn.example/x.js">', "<link href='http://a.b/c.css'>", "<img src=//a.b/x>",
                "background:url(https://a.b/x.png)", '@import "https://a.b/c.css";', "@import url(http://a.b/c.css)",
                'import("https://a.b/m.js")'):
        assert EXTERNAL.search(bad), bad
    for fine in ('url("data:image/png;base64,AAAA")', 'createElementNS("http://www.w3.org/2000/svg",t)',
                 '<script src="lib/x.js">'):
        assert not EXTERNAL.search(fine), fine


def test_no_external_resource_references(page):
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "sourceMappingURL" not in page
    assert "<link" not in page


def test_scripts_and_styles_inlined_with_vis_licence(page):
    js, css = vis_assets()
    assert "@license" in js and "vis.js is dual licensed" in js
    assert js in page and css in page
    explorer_js, explorer_css = explorer_assets()
    assert explorer_js in page and explorer_css in page
    assert page.count("</script>") == 3  # vis-network, the JSON data, the explorer
    assert "Noto Sans CJK SC" in page and "Microsoft YaHei" in page


def test_nodes_and_edges(page):
    data = embedded(page)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert sorted(nodes) == sorted(make_graph().entities)
    ningxia = nodes["region/640000"]
    assert (ningxia["label"], ningxia["type"], ningxia["subtype"], ningxia["code"]) == (
        "宁夏回族自治区", "Region", "Province", "640000")
    assert ningxia["aliases"] == ["全区", "宁", "宁夏"]
    assert ningxia["docs"] == ["000_12ab132b68f62472.txt"]
    styles = {(g["shape"], g["color"]) for g in data["options"]["groups"].values()}
    assert set(data["options"]["groups"]) == {n["type"] for n in data["nodes"]} | {"Observation"}
    assert len(styles) == 5  # every type looks different
    assert nodes["program/sanming-model"]["value"] > nodes["metric/health-workers"]["value"]  # degree 2 > 1

    edges = {(e["from"], e["predicate"], e["to"]): e for e in data["edges"]}
    assert len(data["edges"]) == len(edges) == 5
    assert set(edges) == {
        ("region/640000", "implements", "program/sanming-model"),  # two facts, one edge
        ("hospital/ningxia-women-children", "pilots", "program/sanming-model"),
        ("hospital/ningxia-women-children", "locatedIn", "region/640100"),
        ("region/640100", "partOf", "region/640000"),  # 三明市 → 350000 is dropped: parent not in the graph
        ("region/640000", "reports", "metric/health-workers"),  # two observations, one edge
    }
    assert sorted(e["id"] for e in data["edges"]) == ["e0", "e1", "e2", "e3", "e4"]
    assert set(data["predicates"]) >= {e["predicate"] for e in data["edges"]}
    implements = edges["region/640000", "implements", "program/sanming-model"]
    assert [e["sentence"][:6] for e in implements["evidence"]] == ["五年来,宁夏", "促进“三医”"]
    assert implements["evidence"][0]["doc"] == "000_12ab132b68f62472.txt"
    reports = edges["region/640000", "reports", "metric/health-workers"]
    assert [(o["value"], o["unit"], o["year"], o["kind"], o["qualifier"]) for o in reports["observations"]] == [
        ("80532", "人", 2024, "reported", ""), ("85000", "人", 2025, "target", "以上")]
    assert "全区卫生人员增加到80532人" in reports["observations"][0]["evidence"][0]["sentence"]
    assert data["documents"] == [{"name": "000_12ab132b68f62472.txt", "title": "把维护人民健康摆在更加突出的位置"}]


def test_start_positions_put_neighbours_close_and_hubs_central():
    nodes = [{"id": key} for key in ("hub", "a", "b", "c", "lone")]
    edges = [{"from": "hub", "to": key} for key in ("a", "b", "c")]
    positions = initial_positions(nodes, edges)
    assert positions["hub"] == (0.0, 0.0)
    assert len(set(positions.values())) == 5
    distance = {key: math.dist(positions["hub"], xy) for key, xy in positions.items()}
    assert max(distance[k] for k in "abc") < distance["lone"]  # the unconnected node starts furthest out
    assert initial_positions(nodes[::-1], edges[::-1]) == positions


def test_large_graphs_trade_detail_for_speed():
    small, large = vis_options(500), vis_options(5000)
    assert small["edges"]["arrows"]["to"]["enabled"] and small["edges"]["smooth"]
    assert not large["edges"]["arrows"]["to"]["enabled"] and not large["edges"]["smooth"]
    assert large["interaction"]["hideEdgesOnDrag"]
    iterations = [options["physics"]["stabilization"]["iterations"] for options in (large, small)]
    assert 25 <= iterations[0] < iterations[1] <= 300


def test_report_text_is_escaped():
    hostile = SCRIPT_BREAK + ATTR_BREAK + "<!--"
    page = render_html(make_graph(hostile))
    for raw in (SCRIPT_BREAK, ATTR_BREAK, "<img", "<!--<", "alert(1)</script>"):
        assert raw not in page, raw
    assert page.count("</script>") == 3
    data = embedded(page)  # the text is still there, intact, once decoded
    label = next(n["label"] for n in data["nodes"] if n["id"] == "region/640000")
    assert label == "宁夏回族自治区" + hostile
    assert ATTR_BREAK in next(n["aliases"] for n in data["nodes"] if n["id"] == "region/640000")
    assert any(hostile in e["doc"] for edge in data["edges"] for e in edge["evidence"])
    assert "把维护人民健康摆在更加突出的位置&lt;/script&gt;" in page  # the document list, autoescaped
    explorer_js, _ = explorer_assets()  # the page's own script builds the DOM from text only
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", explorer_js)


def test_deterministic(tmp_path):
    first = render_html(make_graph())
    assert render_html(make_graph()) == first
    assert render_html(make_graph(reverse=True)) == first
    write_html(make_graph(), tmp_path / "graph.html")
    assert (tmp_path / "graph.html").read_bytes() == first.encode("utf-8")


def test_deterministic_across_hash_seeds():
    code = ("import hashlib, sys; sys.path.insert(0, 'tests'); from test_html import make_graph; "
            "from kg.emit.html import render_html; "
            "print(hashlib.sha256(render_html(make_graph()).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1
