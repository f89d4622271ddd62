"""End to end: `kg build` on the seed reports, outputs parsed the way users load them."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pandas as pd
import pyoxigraph
import pytest
import rdflib

import kg
from kg.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PREFIXES = """
PREFIX kg: <https://w3id.org/cn-health-kg/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module")
def built(seed_output) -> Path:
    """The seed build shared by the session (tests/conftest.py)."""
    return seed_output


@pytest.fixture(scope="module")
def graph(built) -> rdflib.Graph:
    return rdflib.Graph().parse(built / "graph.ttl", format="turtle")


def select(graph: rdflib.Graph, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(value) for value in row) for row in graph.query(PREFIXES + query)}


def test_all_outputs_written(built):
    for name in ("graph.ttl", "graph.html", "graph.graphml", "observations.csv"):
        assert (built / name).stat().st_size > 1000, name


def test_turtle_parses_equally_in_rdflib_and_pyoxigraph(built, graph):
    store = pyoxigraph.Store()
    store.load(path=str(built / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph) > 5000


def test_known_facts(graph):
    implements = select(graph, """SELECT ?r ?p WHERE { ?region kg:implements ?program .
        ?region rdfs:label ?r . ?program rdfs:label ?p . FILTER(lang(?r) = "zh" && lang(?p) = "zh") }""")
    assert ("宁夏回族自治区", "国家区域医疗中心") in implements
    assert {"江西省", "湖南省", "福建省"} <= {r for r, p in implements if "三明" in p}
    pilots = select(graph, """SELECT ?s ?p WHERE { ?subject kg:pilots ?program .
        ?subject rdfs:label ?s . ?program rdfs:label ?p . FILTER(lang(?s) = "zh" && lang(?p) = "zh") }""")
    assert ("北京大学第一医院宁夏妇女儿童医院", "国家区域医疗中心") in pilots
    assert {("包头市", "紧密型城市医疗集团"), ("赤峰市", "紧密型城市医疗集团"),
            ("乌海市", "紧密型城市医疗集团")} <= pilots
    reports = select(graph, """SELECT ?r ?v ?u WHERE { ?region kg:reports ?obs . ?obs kg:value ?v ; kg:unit ?u .
        ?region rdfs:label ?r . FILTER(lang(?r) = "zh") }""")
    assert ("重庆市", "79.72", "岁") in reports
    assert ("宁夏回族自治区", "5.74", "/10万") in reports
    assert ("郴州市", "4.5", "个") in reports


def test_every_fact_has_its_sentence_and_document(graph):
    facts = select(graph, "SELECT ?fact WHERE { ?fact a kg:Fact }")
    with_evidence = select(graph, """SELECT DISTINCT ?fact WHERE { ?fact a kg:Fact ; kg:evidence ?e .
        ?e prov:value ?sentence ; kg:document ?doc . ?doc kg:fileName ?file }""")
    assert facts and facts == with_evidence
    observations = select(graph, "SELECT ?o WHERE { ?o a kg:Observation }")
    observed = select(graph, "SELECT DISTINCT ?o WHERE { ?o a kg:Observation ; kg:evidence/prov:value ?s }")
    assert observations and observations == observed


def test_evidence_offsets_point_into_the_original_file(graph):
    rows = select(graph, """SELECT ?file ?begin ?end ?sentence WHERE { ?e a kg:Evidence ;
        <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> ?begin ;
        <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#endIndex> ?end ;
        prov:value ?sentence ; kg:document/kg:fileName ?file } LIMIT 200""")
    assert rows
    for file, begin, end, sentence in rows:
        assert (SEEDS / file).read_text(encoding="utf-8")[int(begin):int(end)] == sentence


def test_graphml_loads_in_networkx(built):
    graph = nx.read_graphml(built / "graph.graphml")
    types = nx.get_node_attributes(graph, "type")
    assert {"Region", "Hospital", "Program", "Metric", "Observation"} <= set(types.values())
    predicates = {data["predicate"] for _, _, data in graph.edges(data=True)}
    assert {"implements", "pilots", "reports", "metric"} <= predicates
    labels = nx.get_node_attributes(graph, "label")
    assert "宁夏回族自治区" in labels.values()


def test_observations_csv(built):
    with (built / "observations.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert any(r["region"] == "重庆市" and r["value"] == "79.72" and r["unit"] == "岁" for r in rows)
    assert all(r["document"] and r["sentence"] for r in rows)


def test_html_is_self_contained(built):
    page = (built / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", page)
    assert "宁夏回族自治区" in page


def test_build_is_deterministic(built, tmp_path):
    assert main(["build", str(SEEDS), "-o", str(tmp_path), "--quiet"]) == 0
    for name in ("graph.ttl", "graph.html", "graph.graphml", "observations.csv"):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_one_bad_file_does_not_spoil_the_build(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("宁夏\n2024年,全区人均预期寿命提高到77.8岁。", encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path), "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "broken.txt: binary" in printed
    assert "77.8" in (out / "observations.csv").read_text(encoding="utf-8")


def test_notebook_api():
    result = kg.build_texts({"note.txt": "宁夏\n2024年,全区县域内就诊率达到85%。"})
    frame = result.observations()
    assert list(frame["value"]) == [Decimal("85")]
    assert frame["region"][0] == "宁夏回族自治区"
    graph = result.networkx()
    assert any(d["predicate"] == "reports" for _, _, d in graph.edges(data=True))
    assert len(result.rdf()) > 100


def _file_order(triple: tuple[str, str, str]) -> tuple:
    """The order the RDF files are written in: subject, then predicate with rdf:type first, then object."""
    subject, predicate, obj = triple
    return subject, predicate != f"<{rdflib.RDF.type}>", predicate, obj


def _same_triples_in_file_order(result: kg.KnowledgeGraph) -> int:
    from kg.emit.rdf import ordered_triples, to_rdflib

    ours = list(ordered_triples(result))
    assert ours == sorted(set(ours), key=_file_order)  # distinct, in file order
    theirs = {line for line in to_rdflib(result).serialize(format="nt").splitlines() if line.strip()}
    assert {f"{s} {p} {o} ." for s, p, o in ours} == theirs
    return len(ours)


def test_fast_rdf_holds_the_same_triples_as_the_rdflib_graph(built):
    """graph.ttl is written by pyoxigraph from triples made straight from the KnowledgeGraph, subject by
    subject; the Python API's rdflib graph (`to_rdflib`) must hold exactly the same triples."""
    from kg.pipeline import build

    assert _same_triples_in_file_order(build([SEEDS], progress=False)) > 5000


def test_fast_rdf_merges_what_several_records_say_of_one_node():
    """A node can be made by several records: a region only facts and observations name, two observations
    of one identity, two evidence sentences at the same offsets, one evidence shared by several records."""
    from kg.model import Document, Entity, Evidence, Fact, Observation

    first, other = Evidence("doc-a", 9, 13, "宁夏试点"), Evidence("doc-a", 9, 13, "宁夏试点。")
    far = Evidence("doc-a", 10, 12, "宁夏")  # its node sorts before first's: the IRIs are sorted as text
    graph = kg.KnowledgeGraph(
        documents=[Document("doc-a", "a.txt", "a.txt", "0" * 64, title="甲")],
        entities={"program/x": Entity("program/x", "Program", "三明医改", evidence=[first, far])},
        facts=[Fact("region/640000", "pilots", "program/x", [first, other]),
               Fact("region/640000", "pilots", "program/x", [far])],
        observations=[Observation("region/640000", "metric/m", Decimal("85"), "%", 2024, "reported", "就诊率",
                                  evidence=[evidence]) for evidence in (first, far)],
    )
    assert _same_triples_in_file_order(graph) > 40


def test_jobs_give_byte_identical_outputs(built, tmp_path):
    assert main(["build", str(SEEDS), "-o", str(tmp_path), "--quiet", "--jobs", "2", "--no-validate"]) == 0
    for name in ("graph.ttl", "graph.html", "graph.graphml", "observations.csv", "build-report.json"):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


@pytest.mark.parametrize("failing", ["kg.emit.rdf.write_fast", "kg.emit.tables.write_graphml"])
def test_with_jobs_a_write_failing_in_either_process_leaves_the_previous_outputs(tmp_path, monkeypatch, capsys,
                                                                                failing):
    """With --jobs 2 the RDF files are written by a forked process (write_fast) beside the others."""
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--no-validate"]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(failing, fail)
    one = sorted(SEEDS.glob("*.txt"))[0]
    assert main(["build", str(one), "-o", str(out), "--quiet", "--no-validate", "--jobs", "2"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before


def test_a_second_build_takes_its_extractions_from_the_cache(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--no-validate"]) == 0
    documents = len(list(SEEDS.glob("*.txt")))
    assert f"cache: 0 of {documents} documents taken from" in capsys.readouterr().out
    first = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html", "build-report.json")}
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--no-validate"]) == 0
    assert f"cache: {documents} of {documents} documents taken from {out / '.kg-cache'}, 0 extracted" \
        in capsys.readouterr().out
    assert first == {name: (out / name).read_bytes() for name in first}
    cache = tmp_path / "elsewhere"
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--no-validate", "--cache", str(cache)]) == 0
    assert f"cache: 0 of {documents} documents taken from {cache}" in capsys.readouterr().out
    assert main(["build", str(SEEDS), "-o", str(out), "--quiet", "--no-validate", "--no-cache"]) == 0
    assert "cache:" not in capsys.readouterr().out
    assert first == {name: (out / name).read_bytes() for name in first}


def test_values_after_a_plan_year_are_targets_until_the_text_speaks_of_now():
    plan = ("湖北省卫生健康发展规划\n二、主要目标\n到2025年,全省人均预期寿命达到79岁。"
            "每千人口注册护士数达到3.9人,每万人口全科医生数达到4人。\n三、重点任务\n全省居民健康素养水平为28.5%。")
    frame = kg.build_texts({"plan.txt": plan}).observations()
    kinds = {row.metric: (row.kind, row.year) for row in frame.itertuples()}
    assert kinds["每千人口注册护士数"] == ("target", 2025) and kinds["每万人口全科医生数"] == ("target", 2025)
    assert kinds["居民健康素养水平"][0] == "reported"  # another section
    announced = ("海南\n《规划》提出到2020年,初步建立医疗健康产业体系。全省常住人口每千人医疗卫生机构床位数达到6张,"
                 "执业(助理)医师2.5人,注册护士3.14人。\n全省孕产妇死亡率为8.9/10万。")
    frame = kg.build_texts({"p.txt": announced}).observations()
    rows = {row.metric: (row.kind, None if pd.isna(row.year) else row.year) for row in frame.itertuples()}
    assert rows == {"每千人口医疗卫生机构床位数": ("target", 2020), "每千人口执业(助理)医师数": ("target", 2020),
                    "每千人口注册护士数": ("target", 2020), "孕产妇死亡率": ("reported", None)}  # a new paragraph
    news = "湖北\n到2025年,全省人均预期寿命达到79岁。目前,全省每千人口注册护士数为3.6人。"
    frame = kg.build_texts({"news.txt": news}).observations()
    assert {row.metric: row.kind for row in frame.itertuples()}["每千人口注册护士数"] == "reported"


def _facts(text: str) -> set[tuple[str, str, str]]:
    result = kg.build_texts({"news.txt": text})
    graph = result.graph
    return {(graph.entities[f.subject].label, f.predicate, graph.entities[f.object].label) for f in graph.facts}


def test_a_province_written_before_its_city_only_qualifies_the_name():
    result = kg.build_texts({"news.txt": "各地医改\n安徽省天长市被列为全国县域医共体建设试点县,县域内就诊率达到92.3%。"})
    graph = result.graph
    assert {graph.entities[o.region].label for o in graph.observations} == {"天长市"}
    assert {graph.entities[f.subject].label for f in graph.facts} == {"天长市"}
    assert "安徽省" in {e.label for e in graph.entities.values()}  # still named by the text


def test_places_listed_before_selected_pilot_the_programme_named_before():
    facts = _facts("各地医改\n国家卫生健康委公布第二批公立医院改革与高质量发展示范项目名单,"
                   "江苏省徐州市、浙江省宁波市、广东省深圳市等15个城市入选。")
    assert {(s, p) for s, p, _ in facts} == {("徐州市", "pilots"), ("宁波市", "pilots"), ("深圳市", "pilots")}
    assert _facts("各地医改\n国家卫生健康委推进公立医院高质量发展,徐州市代表发言。") == set()  # no 入选


def test_a_place_named_as_a_pilot_pilots_the_programme_of_the_sentence():
    facts = _facts("内蒙古\n推进医疗服务价格改革,内蒙古作为三个国家首批省级试点之一,最早印发实施方案。")
    assert facts == {("内蒙古自治区", "pilots", "医疗服务价格改革")}  # and not also implements
    city = _facts("宁夏\n深化医改,银川市作为全国公立医院改革与高质量发展示范项目城市之一。")
    assert ("银川市", "pilots", "公立医院改革与高质量发展示范项目") in city
    assert _facts("重庆\n全面推行家庭医生签约服务,作为我市重点工作。") == {
        ("重庆市", "implements", "家庭医生签约服务")}  # 作为 without 试点 or 示范 designates nothing


def test_places_made_pilots_with_wei_and_places_listed_under_a_list_title():
    facts = _facts("各地\n确定山西省、浙江省为紧密型县域医共体建设试点省,北京市西城区等个县为紧密型县域医共体建设试点县。")
    assert {(s, p) for s, p, _ in facts} == {("山西省", "pilots"), ("浙江省", "pilots"), ("西城区", "pilots")}
    listed = kg.build_texts({"list.txt": "紧密型县域医共体建设试点县名单(河北)\n\n馆陶县\n\n保定市清苑区\n\n"
                                          "工作目标\n\n通过紧密型医共体建设,完善县域医疗卫生服务体系。"}).graph
    pilots = {listed.entities[f.subject].label for f in listed.facts if f.predicate == "pilots"}
    assert pilots == {"馆陶县", "清苑区"}  # the list ends at the next heading
    assert "保定市" in {e.label for e in listed.entities.values()}
    plain = _facts("河北\n\n馆陶县\n\n巨鹿县推进紧密型县域医共体建设。")  # no list title: no pilots
    assert {p for _, p, _ in plain} == {"implements"}


def test_a_place_s_own_plan_named_in_a_title_says_it_carries_the_programme_out():
    facts = _facts("宁夏\n根据《国务院办公厅关于推进分级诊疗制度建设的指导意见》,印发《银川市推进紧密型城市医疗集团建设实施方案》。")
    assert facts == {("银川市", "implements", "紧密型城市医疗集团")}  # the State Council's opinion is no place's
    assert not _facts("宁夏\n学习《银川市紧密型城市医疗集团建设经验汇编》。")  # a document, not a plan


def test_only_the_hospital_written_with_a_centre_is_its_site():
    result = kg.build_texts({"b.txt": "北京\n友谊医院顺义院区基本完工,积水潭医院回龙观院区推进施工,"
                                      "宣武医院房山院区暨国家医学中心项目已核准招标方案。"})
    graph = result.graph
    pilots = {graph.entities[f.subject].label for f in graph.facts if f.predicate == "pilots"}
    assert pilots == {"宣武医院房山院区"}


def test_the_place_a_first_is_within_is_not_the_doer():
    facts = _facts("长兴县医改\n长兴县在全省率先实施医共体总额预算管理下的DRG付费。")
    assert {s for s, _, _ in facts} == {"长兴县"}  # 浙江省 (全省) is the comparison, not a doer


def test_hospitals_that_co_build_a_centre_pilot_it_and_a_name_in_parentheses_is_the_same_hospital():
    graph = kg.build_texts({"d.txt": "山东\n山东第一医科大学第一附属医院(山东省千佛山医院)与北京大学人民医院合作共建"
                                     "国家区域医疗中心。威海市立医院获批国家公立医院高质量发展试点医院。"}).graph
    hospitals = {e.label: e.alt_labels for e in graph.entities.values() if e.type == "Hospital"}
    assert hospitals == {"山东第一医科大学第一附属医院": {"山东省千佛山医院"}, "北京大学人民医院": set(), "威海市立医院": set()}
    pilots = {graph.entities[f.subject].label for f in graph.facts if f.predicate == "pilots"}
    assert pilots == set(hospitals)  # and not 威海市


def test_a_newspaper_is_no_place_and_national_news_no_province_s():
    graph = kg.build_texts({"n.txt": "福建日报记者 王明\n今年全国两会上,政府工作报告提出,深化以公益性为导向的公立医院改革。"}).graph
    assert not graph.facts and not [e for e in graph.entities.values() if e.type == "Region"]
    assert _facts("山西\n山西发布《山西省推进紧密型城市医疗集团建设实施方案》。") == {
        ("山西省", "implements", "紧密型城市医疗集团")}  # a place that issues something is still the place


def test_an_annual_statistical_bulletin_dates_its_values():
    bulletin = "河南省2023年卫生健康事业发展统计公报\n全省孕产妇死亡率为8.21/10万,每千人口床位数由2022年的6.85张增加到7.12张。"
    years = {(row.metric, row.value): row.year for row in kg.build_texts({"b.txt": bulletin}).observations().itertuples()}
    assert years[("孕产妇死亡率", Decimal("8.21"))] == 2023 and years[("每千人口医疗卫生机构床位数", Decimal("6.85"))] == 2022
    news = "2024年全省卫生健康工作会议召开\n河南\n全省孕产妇死亡率为8.21/10万。"  # a meeting is no bulletin
    assert kg.build_texts({"n.txt": news}).observations()["year"].isna().all()
