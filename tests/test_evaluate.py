"""Gold-standard scoring: reading graphs by local name, the matching rules, and the arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg.evaluate import (Counts, Entity, Extracted, GoldLine, Observation, Relation, Scores, errors,
                         evaluate_dir, extract_items, format_table, load_gold, micro_average, names_match,
                         normalize_name, region_forms, score, to_json)

PREFIXES = """
@prefix x: <https://example.org/x#> .
@prefix y: <https://example.net/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Two vocabularies on purpose: classes and properties are found by local name only.
GRAPH = PREFIXES + """
x:Province rdfs:subClassOf x:Region .
y:City rdfs:subClassOf x:Province .
x:Regional a rdfs:Class .

x:nx a x:Province ; rdfs:label "宁夏回族自治区"@zh ; skos:altLabel "宁夏" .
y:zw a y:City ; skos:prefLabel "中卫市"@zh .
y:bj a y:Region ; rdfs:label "Beijing"@en, "北京" .
x:ks a x:Region ; rdfs:label "喀什地区" .
x:not-a-region a x:Regional ; rdfs:label "重庆市" .

x:h1 a y:Hospital ; rdfs:label "宁夏妇女儿童医院"@zh .

x:p1 a y:Program ; rdfs:label "紧密型县域医共体建设"@zh .
x:p2 a x:Program ; rdfs:label "家庭医生"@zh .
x:p3 a x:Program ; rdfs:label "医共体"@zh .

x:m1 a y:Metric ; rdfs:label "县域内就诊率"@zh .
x:m3 a y:Metric ; rdfs:label "门诊量"@zh .

x:nx y:implements x:p1 .
y:zw x:implements x:p1 .
x:nx x:implements x:p3 .
x:h1 y:pilots x:p1 .
y:zw y:pilots x:p1 .

x:nx y:reports x:o1 . x:o1 x:metric x:m1 ; x:value "85.0000001"^^xsd:decimal .
x:nx y:reports x:o2 . x:o2 x:metric x:m1 ; y:value 90.1 .
y:zw y:reports x:o3 . x:o3 x:metric x:m1 ; x:value 85 .
x:nx x:reports x:o4 . x:o4 x:metric x:m3 ; x:value 90 ; rdfs:label "2025年县域内就诊率目标"@zh .
x:nx x:reports x:o5 . x:o5 y:metric x:m3 ; x:value 90 .
x:nx x:reports x:o6 . x:o6 x:value 90 ; rdfs:label "县域内就诊率" .
"""

GOLD = [
    {"kind": "entity", "type": "Region", "name": "宁夏回族自治区", "aliases": ["宁夏"]},
    {"kind": "entity", "type": "Region", "name": "中卫市", "aliases": []},
    {"kind": "entity", "type": "Region", "name": "重庆市", "aliases": ["重庆"]},
    {"kind": "entity", "type": "Region", "name": "喀什", "aliases": [], "optional": True},
    {"kind": "entity", "type": "Program", "name": "紧密型县域医共体", "aliases": []},
    {"kind": "entity", "type": "Program", "name": "家庭医生签约服务", "aliases": [], "optional": True},
    {"kind": "relation", "type": "implements", "subject": "宁夏回族自治区", "subject_aliases": ["宁夏"],
     "object": "紧密型县域医共体", "object_aliases": [], "evidence": "…"},
    {"kind": "relation", "type": "pilots", "subject": "北京大学第一医院宁夏妇女儿童医院", "subject_aliases": [],
     "object": "紧密型县域医共体", "object_aliases": [], "evidence": "…"},
    {"kind": "observation", "region": "宁夏回族自治区", "region_aliases": ["宁夏"], "metric_key": "就诊率",
     "value": 85, "unit": "%", "year": None, "evidence": "…"},
    {"kind": "observation", "region": "宁夏", "region_aliases": [], "metric_key": "就诊率",
     "value": 90, "unit": "%", "year": 2025, "evidence": "…"},
    {"kind": "entity", "type": "Hospital", "name": "北京大学第一医院宁夏妇女儿童医院", "aliases": []},
]


def write_gold(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def graph() -> Graph:
    return Graph().parse(data=GRAPH, format="turtle")


@pytest.fixture
def gold(tmp_path: Path) -> list[GoldLine]:
    return load_gold(write_gold(tmp_path / "doc.gold.jsonl", GOLD))


def iris(items) -> list[str]:
    return [item.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for item in items]


# ---------------------------------------------------------------- reading the graph

def test_entities_by_local_name_and_subclass(graph):
    extracted = extract_items(graph)
    assert iris(extracted.entities["Region"]) == ["bj", "zw", "ks", "nx"]
    assert iris(extracted.entities["Program"]) == ["p1", "p2", "p3"]
    assert iris(extracted.entities["Hospital"]) == ["h1"]
    assert iris(extracted.entities["Metric"]) == ["m1", "m3"]


def test_names_from_all_label_properties(graph):
    regions = {e.iri: e.names for e in extract_items(graph).entities["Region"]}
    assert regions["https://example.org/x#nx"] == ("宁夏回族自治区", "宁夏")
    assert regions["https://example.net/vocab/zw"] == ("中卫市",)
    assert regions["https://example.net/vocab/bj"] == ("北京", "Beijing")


def test_relations_from_both_namespaces(graph):
    relations = extract_items(graph).relations
    pairs = {kind: sorted((r.subject.names[0], r.object.names[0]) for r in rels)
             for kind, rels in relations.items()}
    assert pairs == {"implements": [("中卫市", "紧密型县域医共体建设"), ("宁夏回族自治区", "医共体"),
                                    ("宁夏回族自治区", "紧密型县域医共体建设")],
                     "pilots": [("中卫市", "紧密型县域医共体建设"), ("宁夏妇女儿童医院", "紧密型县域医共体建设")]}


def test_observations_need_metric_and_value(graph):
    observations = {o.iri.rsplit("#", 1)[-1]: o for o in extract_items(graph).observations}
    assert sorted(observations) == ["o1", "o2", "o3", "o4", "o5"]
    assert observations["o1"].values == (pytest.approx(85.0000001),)
    assert observations["o4"].names == ("门诊量", "2025年县域内就诊率目标")
    assert observations["o3"].region.names == ("中卫市",)


# ---------------------------------------------------------------- matching rules

def test_normalize_name():
    assert normalize_name(" ＤＲＧ／ＤＩＰ 支付\u3000方式 ") == "drg/dip支付方式"


def test_region_forms_try_every_suffix_longest_included():
    assert region_forms("宁夏回族自治区") == {"宁夏回族自治区", "宁夏", "宁夏回族", "宁夏回族自治"}
    assert region_forms("泸州") == {"泸州"}


@pytest.mark.parametrize("ours, theirs, expected", [
    ("宁夏", "宁夏回族自治区", True),
    ("新疆", "新疆维吾尔自治区", True),
    ("广西自治区", "广西壮族自治区", True),
    ("北京", "北京市", True),
    ("喀什地区", "喀什", True),
    ("南岸", "南岸区", True),
    ("泸州", "泸县", False),
    ("福建省三明市", "三明市", False),
])
def test_region_suffix_rule(ours, theirs, expected):
    assert names_match("Region", [ours], [theirs]) is expected


@pytest.mark.parametrize("type_name, ours, theirs, expected", [
    ("Program", "紧密型县域医共体建设", "紧密型县域医共体", True),
    ("Program", "家庭医生", "家庭医生签约服务", True),
    ("Program", "医共体", "紧密型县域医共体", False),
    ("Hospital", "北京大学第一医院宁夏妇女儿童医院", "宁夏妇女儿童医院", True),
    ("Metric", "县域内就诊率", "县域内就诊率(%)", True),
    ("Metric", "就诊率", "县域内就诊率", False),
    ("Program", "DRG 付费", "ｄｒｇ付费", True),
])
def test_containment_rule(type_name, ours, theirs, expected):
    assert names_match(type_name, [ours], [theirs]) is expected


def observation(value: float, names: tuple[str, ...] = ("县域内就诊率",), region: str = "宁夏") -> Observation:
    return Observation("o", Entity("r", (region,)), (value,), names)


@pytest.mark.parametrize("item, matched", [
    (observation(85.00008), True),       # 9.4e-7 relative
    (observation(85.0002), False),       # 2.4e-6 relative
    (observation(85, region="宁夏回族自治区"), True),
    (observation(85, region="中卫市"), False),
    (observation(85, names=("门诊量", "县域内 就诊率 目标")), True),
    (observation(85, names=("门诊量",)), False),
])
def test_observation_value_region_and_metric_key(item, matched):
    line = GoldLine("observation", "observation", ("宁夏回族自治区",), metric_key="就诊率", value=85.0)
    counts = score(Extracted(observations=[item]), [line]).by_kind["observation"]
    assert (counts.tp_precision, counts.tp_recall) == ((1, 1) if matched else (0, 0))


def test_relation_kind_must_agree():
    gold = [GoldLine("relation", "implements", ("宁夏",), ("家庭医生签约服务",))]
    ends = Entity("a", ("宁夏回族自治区",)), Entity("b", ("家庭医生签约",))
    as_pilot = score(Extracted(relations={"pilots": [Relation("pilots", *ends)]}), gold).by_kind
    assert (as_pilot["implements"], as_pilot["pilots"]) == (Counts(0, 0, 0, 1), Counts(0, 1, 0, 0))
    as_implementation = score(Extracted(relations={"implements": [Relation("implements", *ends)]}), gold)
    assert as_implementation.by_kind["implements"] == Counts(1, 1, 1, 1)


# ---------------------------------------------------------------- arithmetic

def test_counts_computed_by_hand(graph, gold):
    scores = score(extract_items(graph), gold).by_kind
    # Regions: 宁夏, 中卫, 喀什地区 (optional 喀什) match, 北京 does not; 重庆市 missed.
    assert scores["Region"] == Counts(tp_precision=3, n_extracted=4, tp_recall=2, n_gold=3)
    assert scores["Region"].precision == 0.75
    assert scores["Region"].recall == pytest.approx(2 / 3)
    assert scores["Region"].f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    # Programmes: 紧密型县域医共体建设 (required), 家庭医生 (optional) match; 医共体 is too short.
    assert scores["Program"] == Counts(2, 3, 1, 1)
    assert scores["Hospital"] == Counts(1, 1, 1, 1)
    assert scores["Metric"] == Counts(0, 2, 0, 0)
    assert (scores["Metric"].precision, scores["Metric"].recall, scores["Metric"].f1) == (0.0, None, None)
    assert scores["implements"] == Counts(1, 3, 1, 1)
    assert scores["pilots"] == Counts(1, 2, 1, 1)
    # o1 (85.0000001) and o4 (key in the observation's own label) match; o2, o3, o5 do not.
    assert scores["observation"] == Counts(2, 5, 2, 2)


def test_optional_lines_do_not_count_for_recall(graph, gold):
    required = [line for line in gold if not line.optional]
    with_optional, without = score(extract_items(graph), gold), score(extract_items(graph), required)
    assert with_optional.by_kind["Region"] == Counts(3, 4, 2, 3)
    assert without.by_kind["Region"] == Counts(2, 4, 2, 3)
    assert without.by_kind["Program"] == Counts(1, 3, 1, 1)


def test_micro_average_sums_counts():
    a = Scores({"Region": Counts(1, 2, 1, 1)})
    b = Scores({"Region": Counts(3, 3, 1, 3)})
    micro = micro_average([a, b])
    assert micro.by_kind["Region"] == Counts(4, 5, 2, 4)
    assert (micro.by_kind["Region"].precision, micro.by_kind["Region"].recall) == (0.8, 0.5)
    assert micro.by_kind["pilots"] == Counts()
    assert micro.total == Counts(4, 5, 2, 4)


def test_errors_list_false_positives_and_misses(graph, gold):
    found = errors(extract_items(graph), gold)
    assert found["Region"] == {"false_positives": ["北京 / Beijing"], "false_negatives": ["重庆市  [line 3]"]}
    assert found["Program"]["false_positives"] == ["医共体"]
    assert found["implements"]["false_positives"] == ["中卫市 -implements-> 紧密型县域医共体建设",
                                                      "宁夏回族自治区 / 宁夏 -implements-> 医共体"]
    assert found["observation"]["false_negatives"] == []
    assert len(found["observation"]["false_positives"]) == 3


# ---------------------------------------------------------------- gold files

def test_load_gold_fields(gold):
    assert len(gold) == 11
    assert gold[0] == GoldLine("entity", "Region", ("宁夏回族自治区", "宁夏"), line=1)
    assert gold[3].optional
    assert gold[6].object_names == ("紧密型县域医共体",)
    assert (gold[9].names, gold[9].value, gold[9].year, gold[9].line) == (("宁夏",), 90.0, 2025, 10)


def test_load_gold_bad_json_names_file_and_line(tmp_path):
    path = tmp_path / "bad.gold.jsonl"
    path.write_text(json.dumps(GOLD[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.gold\.jsonl:3: invalid JSON"):
        load_gold(path)


def test_load_gold_missing_field_names_file_and_line(tmp_path):
    no_key = {"kind": "observation", "region": "宁夏", "value": 1}
    path = write_gold(tmp_path / "m.gold.jsonl", [GOLD[0], no_key])
    with pytest.raises(ValueError, match=r"m\.gold\.jsonl:2: missing field 'metric_key'"):
        load_gold(path)


# ---------------------------------------------------------------- folders and output

def test_evaluate_dir_pairs_gold_with_documents(tmp_path, graph):
    gold_dir, docs = tmp_path / "gold", tmp_path / "docs"
    gold_dir.mkdir(), docs.mkdir()
    write_gold(gold_dir / "a.gold.jsonl", GOLD)
    write_gold(gold_dir / "b.gold.jsonl", GOLD[:3])
    (docs / "a.md").write_text("…", encoding="utf-8")
    (docs / "b.html").write_text("…", encoding="utf-8")
    built = []
    report = evaluate_dir(gold_dir, docs, lambda path: built.append(path.name) or graph)
    assert built == ["a.md", "b.html"]
    assert list(report.per_doc) == ["a", "b"]
    assert report.per_doc["b"].by_kind["Region"] == Counts(2, 4, 2, 3)
    assert report.micro.by_kind["Region"] == Counts(5, 8, 4, 6)
    micro = json.loads(to_json(report))["micro"]
    assert micro["Region"]["precision"] == 0.625
    assert micro["Metric"]["recall"] is None


def test_evaluate_dir_missing_document_is_an_error(tmp_path, graph):
    gold_dir, docs = tmp_path / "gold", tmp_path / "docs"
    gold_dir.mkdir(), docs.mkdir()
    write_gold(gold_dir / "a.gold.jsonl", GOLD)
    (docs / "a.txt").write_text("…", encoding="utf-8")
    write_gold(gold_dir / "c.gold.jsonl", GOLD)
    built = []
    with pytest.raises(FileNotFoundError, match=r"c\.gold\.jsonl.*c\.txt.*docs"):
        evaluate_dir(gold_dir, docs, lambda path: built.append(path) or graph)
    assert built == []


def test_format_table_rows(graph, gold):
    scores = score(extract_items(graph), gold)
    rows = {line.split()[0]: line.split()[1:] for line in format_table(scores).splitlines()}
    assert rows["kind"] == ["P", "R", "F1", "extracted", "gold"]
    assert rows["Region"] == ["0.750", "0.667", "0.706", "4", "3"]
    assert rows["Metric"] == ["0.000", "-", "-", "2", "0"]
    assert rows["all"] == ["0.500", "0.889", "0.640", "20", "9"]
    with_docs = format_table(micro_average([scores, scores]), per_doc={"a": scores, "b": scores})
    assert with_docs.startswith("== a\n") and "== micro-average over 2 documents" in with_docs
