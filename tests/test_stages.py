"""Each pipeline stage on real sentences from health-reform reports."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from kg.metrics import read_metrics
from kg.normalize import normalize
from kg.numbers import find_quantities
from kg.pipeline import build_documents
from kg.read import ReadError, decode, document_from_string, html_to_text, read_document
from kg.recognize import recognize
from kg.structure import heading_level, paragraphs
from kg.vocab import load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def graph_of(text: str):
    return build_documents([document_from_string(text, "test.txt")])


def facts(graph) -> set[tuple[str, str, str]]:
    label = {key: entity.label for key, entity in graph.entities.items()}
    return {(label[f.subject], f.predicate, label[f.object]) for f in graph.facts}


def observations(graph) -> set[tuple[str, Decimal, str, int | None]]:
    label = {key: entity.label for key, entity in graph.entities.items()}
    return {(label[o.region], o.value, o.unit, o.year) for o in graph.observations}


# --- read ---------------------------------------------------------------------------------------

def test_decode_gb18030_and_bom():
    text = "宁夏回族自治区县域内就诊率达到85%"
    assert decode(text.encode("gb18030"), Path("x.txt")) == text
    assert decode("\ufeff".encode() + text.encode(), Path("x.txt")) == text
    assert decode(text.encode("utf-16"), Path("x.txt")) == text


def test_binary_and_empty_files_are_clear_errors(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")
    with pytest.raises(ReadError, match="image.txt: binary"):
        read_document(binary)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(ReadError, match="empty.txt: empty"):
        read_document(empty)


def test_html_drops_scripts_and_keeps_blocks():
    page = "<html><script>var x='宁夏';</script><p>中卫市推进医共体建设</p><p>第二段</p></html>"
    text = html_to_text(page)
    assert "var x" not in text
    assert "中卫市推进医共体建设\n" in text and "第二段" in text


# --- normalize ----------------------------------------------------------------------------------

def test_normalize_offsets_point_back_to_the_source():
    original = "强化公1xbet体育立医院内涵式发展。**全区**人均预期寿命达７９．７２岁"
    mapped = normalize(original)
    assert "强化公立医院内涵式发展" in mapped.text
    assert "全区人均预期寿命达79.72岁" in mapped.text
    start = mapped.text.index("79.72")
    begin, end = mapped.original_span(start, start + 5)
    assert original[begin:end] == "７９．７２"


def test_normalize_joins_a_paragraph_broken_mid_sentence_and_drops_repeats():
    original = ("为农村妇女两癌筛查150余万人次,新生儿疾病筛查100余万人次,为全区常住\n\n适龄女孩免费接种疫苗2.2万人。\n"
                "这一段重复出现了两次以上的内容。\n这一段重复出现了两次以上的内容。\n")
    text = normalize(original).text
    assert "为全区常住适龄女孩免费接种疫苗" in text
    assert text.count("这一段重复出现了两次以上的内容") == 1


# --- structure ----------------------------------------------------------------------------------

def test_headings_and_sentences():
    assert heading_level("宁夏") == 0
    assert heading_level("一、规划背景") == 1
    assert heading_level("(一)“十三五”工作基础") == 2
    assert heading_level("全区医疗卫生服务公平性、可及性明显增强,人民健康水平显著提升。") == -1
    parts = paragraphs("宁夏\n五年来,宁夏聚力解决群众看病就医突出问题。县域内就诊率达到85%;目标实现。")
    assert parts[0].is_heading and not parts[1].is_heading
    assert [s.text for s in parts[1].sentences] == ["五年来,宁夏聚力解决群众看病就医突出问题。",
                                                    "县域内就诊率达到85%;", "目标实现。"]


# --- recognize ----------------------------------------------------------------------------------

def test_regions_programmes_and_hospitals(vocab):
    text = "五年来,宁夏聚力解决群众看病就医突出问题,完成国家区域医疗中心北京大学第一医院宁夏妇女儿童医院布局"
    found = {(m.type, m.surface) for m in recognize(text, 0, vocab)}
    assert ("Region", "宁夏") in found
    assert ("Program", "国家区域医疗中心") in found
    assert ("Hospital", "北京大学第一医院宁夏妇女儿童医院") in found
    listed = "支持中南大学湘雅医院、中南大学湘雅二医院建设国家医学中心"
    assert [m.surface for m in recognize(listed, 0, vocab) if m.type == "Hospital"] == [
        "中南大学湘雅医院", "中南大学湘雅二医院"]  # the hospital's number is part of its name
    named = "佑安医院新院区基本确定选址,尤溪县医院牵头组建医共体"
    assert [m.surface for m in recognize(named, 0, vocab) if m.type == "Hospital"] == ["佑安医院", "尤溪县医院"]


def test_generic_hospitals_are_not_names(vocab):
    text = ("宁夏6家三甲医院新增车位1100余个,上海市全面加强党对医改工作和公立医院的领导,支持县级医院发展,全市二医院,"
            "河南省医院床位使用率,支持县医院发展")
    assert not [m for m in recognize(text, 0, vocab) if m.type == "Hospital"]


def test_autonomous_prefecture_short_forms(vocab):
    found = {m.surface: m.keys for m in recognize("伊犁州和巴州推进医共体建设", 0, vocab) if m.type == "Region"}
    assert vocab.entries[found["伊犁州"][0]].label == "伊犁哈萨克自治州"
    assert vocab.entries[found["巴州"][0]].label == "巴音郭楞蒙古自治州"


# --- numbers ------------------------------------------------------------------------------------

def test_quantities_with_units_qualifiers_and_non_values():
    found = [(q.value, q.unit, q.qualifier) for q in
             find_quantities("重庆每年为390多万名65岁以上老人免费体检,管理率保持在90%以上,位列全国第14位")]
    assert found == [(Decimal("390"), "万名", "多"), (Decimal("90"), "%", "以上")]
    assert [q.value for q in find_quantities("孕产妇死亡率由9.52/10万下降至5.71/10万")] == [
        Decimal("9.52"), Decimal("5.71")]
    implied = find_quantities("总诊疗人次6.5亿,比上年增加1.3亿人次;入院人次2187.3万。床位1.2万,人员达3万余。")
    assert [(q.value, q.unit, q.qualifier) for q in implied] == [
        (Decimal("6.5"), "亿人次", None), (Decimal("1.3"), "亿人次", None), (Decimal("2187.3"), "万人次", None),
        (Decimal("3"), "万人", "余")]  # 床位1.2万: the name does not say the unit


# --- relations ----------------------------------------------------------------------------------

def test_before_after_pair_gives_two_observations_with_years(vocab):
    readings = read_metrics("30—70岁人群因心脑血管疾病等四类重大慢性病导致的过早死亡率从2015年的18.5%降至2023年的15.26%。", vocab)
    assert [(r.quantity.value, r.year, r.kind) for r in readings] == [
        (Decimal("18.5"), 2015, "reported"), (Decimal("15.26"), 2023, "reported")]
    assert all("过早死亡率" in r.phrase for r in readings)
    dated = read_metrics("至2022年,全市人均预期寿命已从2018年的77.6岁提高至79.6岁;预计到2025年将达到81岁。", vocab)
    assert [(r.quantity.value, r.year, r.kind) for r in dated] == [
        (Decimal("77.6"), 2018, "reported"), (Decimal("79.6"), 2022, "reported"), (Decimal("81"), 2025, "target")]
    undated = read_metrics("人均预期寿命从2018年的77.6岁提高至79.6岁。", vocab)
    assert [r.year for r in undated] == [2018, None]  # the later value is not the earlier one's year's


def test_list_distributes_over_metrics(vocab):
    mixed = read_metrics("全省孕产妇死亡率、婴儿死亡率和5岁以下儿童死亡率分别降至8.86/10万、3.52‰和4.76‰。", vocab)
    assert [(r.phrase, r.quantity.value) for r in mixed] == [
        ("孕产妇死亡率", Decimal("8.86")), ("婴儿死亡率", Decimal("3.52")), ("5岁以下儿童死亡率", Decimal("4.76"))]
    assert not read_metrics("孕产妇、婴儿死亡率分别为8%、3%、5%。", vocab)  # two names, three numbers
    readings = read_metrics("2024年,全区孕产妇、婴儿、5岁以下儿童死亡率分别下降至5.74/10万、2.28‰、3.36‰。", vocab)
    assert [(r.phrase, r.quantity.value, r.year) for r in readings] == [
        ("孕产妇死亡率", Decimal("5.74"), 2024), ("婴儿死亡率", Decimal("2.28"), 2024),
        ("5岁以下儿童死亡率", Decimal("3.36"), 2024)]
    per_capita = read_metrics("每千人口执业(助理)医师、注册护士分别为3.52人、4.22人", vocab)
    assert [r.phrase for r in per_capita] == ["每千人口执业(助理)医师数", "每千人口注册护士数"]


def test_target_year(vocab):
    readings = read_metrics("到2025年,每千常住人口拥有3岁以下婴幼儿托位数达4.5个。", vocab)
    assert [(r.quantity.value, r.year, r.kind) for r in readings] == [(Decimal("4.5"), 2025, "target")]


def test_heading_scopes_anaphors():
    graph = graph_of("宁夏\n2024年,全区卫生人员增加到80532人,县域内就诊率达到85%。\n持续深化公立医院改革。")
    assert ("宁夏回族自治区", Decimal("80532"), "人", 2024) in observations(graph)
    assert ("宁夏回族自治区", Decimal("85"), "%", 2024) in observations(graph)
    assert any(s == "宁夏回族自治区" and p == "implements" for s, p, _ in facts(graph))


def test_a_city_inside_a_province_section_is_that_city():
    graph = graph_of("宁夏\n全国首个互联网+医疗健康示范区全面建成,实施中卫市公立医院改革与高质量发展等国家试点示范项目13个。")
    pilots = {(s, o) for s, p, o in facts(graph) if p == "pilots"}
    assert any(s == "中卫市" and "公立医院改革与高质量发展" in o for s, o in pilots)
    assert any(s == "宁夏回族自治区" and "互联网+医疗健康" in o for s, o in pilots)


def test_pilot_city_list():
    graph = graph_of("内蒙古\n推进包头、赤峰、乌海3个国家紧密型城市医疗集团建设试点。")
    pilots = {s for s, p, o in facts(graph) if p == "pilots" and "城市医疗集团" in o}
    assert pilots == {"包头市", "赤峰市", "乌海市"}
    conducted = graph_of("湖南\n长沙市、株洲市开展紧密型城市医疗集团建设试点。")
    assert {s for s, p, o in facts(conducted) if p == "pilots"} == {"长沙市", "株洲市"}
    province = graph_of("黑龙江\n黑龙江省开展紧密型城市医疗集团建设试点。")  # runs pilots somewhere inside
    assert {p for s, p, o in facts(province)} == {"implements"}


def test_a_province_promoting_a_pilot_scheme_implements_it():
    graph = graph_of("2024年,安徽省将从“三医”协同、紧密型县域医共体建设、紧密型城市医疗集团试点、公立医院高质量发展等方面发力。")
    assert ("安徽省", "implements", "紧密型城市医疗集团") in facts(graph)
    assert not [f for f in facts(graph) if f[1] == "pilots"]
    named = graph_of("2024年,海南省将推动海口市、三亚市建设国家紧密型城市医疗集团试点城市。")
    assert {s for s, p, o in facts(named) if p == "pilots"} == {"海口市", "三亚市"}


def test_titles_and_counted_approvals_designate_no_place():
    titled = graph_of("上海\n推动《上海市推动公立医院高质量发展试点支持政策清单》落地落实。")
    assert not [f for f in facts(titled) if f[1] == "pilots"]
    counted = graph_of("贵州\n全省累计获批5个国家区域医疗中心建设项目。")
    assert ("贵州省", "implements", "国家区域医疗中心") in facts(counted)
    assert not [f for f in facts(counted) if f[1] == "pilots"]
    province = graph_of("浙江\n扎实推进国家公立医院高质量发展试点省、试点医院和中央财政示范项目建设。")
    assert any(s == "浙江省" and p == "pilots" for s, p, _ in facts(province))


def test_national_statement_is_not_a_region_fact():
    graph = graph_of("宁夏\n国家医保局推进DRG/DIP支付方式改革三年行动计划。")
    assert not graph.facts


def test_paragraph_opening_place_scopes_the_paragraph():
    graph = graph_of("2023年,天津市统筹推进公立医院综合改革。\n2023年,河北省深入推广三明医改经验。")
    found = facts(graph)
    assert any(s == "天津市" and "公立医院" in o for s, _, o in found)
    assert any(s == "河北省" and "三明" in o for s, _, o in found)
    assert not any(s == "天津市" and "三明" in o for s, _, o in found)


def test_level_words_borrow_the_noun_of_the_list(vocab):
    readings = read_metrics("分别建成国家、自治区、市(县)级重点专科36个、94个、213个;", vocab)
    assert [(r.phrase, r.quantity.value) for r in readings] == [
        ("国家级重点专科数", Decimal("36")), ("自治区级重点专科数", Decimal("94")), ("市(县)级重点专科数", Decimal("213"))]


def test_verbs_and_fragments_are_not_indicators(vocab):
    for sentence in ("另一方面,全力推动县乡一体和乡村一体发展,推进81个县(市、区)建设紧密型县域医共体。",
                     "全省补贴申领人数总计156.7万人,已完成审核确认142.2万人,发放109余万人38.66亿元。",
                     "同时,建立了592个胸痛、卒中、创伤、危重孕产妇、危重新生儿救治中心。",
                     "基本建立起农村30分钟的医疗卫生服务圈。"):
        phrases = [r.phrase for r in read_metrics(sentence, vocab)]
        assert not {"推进", "审核确认", "发放", "胸痛数", "基本建立起农村"} & set(phrases), phrases
    assert "补贴申领人数" in [r.phrase for r in read_metrics("全省补贴申领人数总计156.7万人。", vocab)]


def test_counts_are_named_by_what_they_count(vocab):
    readings = read_metrics("共有国医大师2名、全国名中医7名、青年岐黄学者4名,2个民族药进入《中国药典》。", vocab)
    assert [(r.phrase, r.quantity.value) for r in readings] == [
        ("国医大师人数", Decimal("2")), ("名中医人数", Decimal("7")), ("青年岐黄学者人数", Decimal("4")),
        ("进入《中国药典》的民族药数", Decimal("2"))]
    nurses = read_metrics("每千人口拥有执业(助理)医师3.19人、注册护士4.12人。", vocab)
    assert [r.phrase for r in nurses] == ["每千人口执业(助理)医师数", "每千人口注册护士数"]


def test_a_count_covers_nouns_joined_by_and_unless_each_has_its_own(vocab):
    [staff] = read_metrics("为基层医疗卫生机构配备407名医学生和全科医生,189名大学生成为乡村医生。", vocab)[:1]
    assert (staff.phrase, staff.quantity.value) == ("配备医学生和全科医生数", Decimal("407"))
    scholars = read_metrics("以1名国医大师、6名岐黄学者和青年岐黄学者为代表的人才库", vocab)
    assert [r.phrase for r in scholars] == ["国医大师人数", "岐黄学者和青年岐黄学者人数"]
    both = read_metrics("建成513家托育机构和托位2.97万个。", vocab)
    assert [r.phrase for r in both] == ["托育机构数", "托位数"]


def test_a_count_before_an_amount_says_for_whom(vocab):
    [paid] = read_metrics("累计为全区1958家配送企业结算药品耗材款137.9亿元。", vocab)
    assert (paid.phrase, paid.quantity.unit) == ("结算药品耗材款", "亿元")  # not 企业…; 1958家 no indicator
    [done] = read_metrics("5家项目医院累计引进新技术新项目787项。", vocab)  # without 为 they do it
    assert done.phrase == "项目医院引进新技术新项目数"


def test_a_service_names_what_is_counted_or_covered(vocab):
    [care] = read_metrics("为5.8万名失能老人提供用药指导、健康随访等上门健康服务。", vocab)
    assert care.phrase == "失能老人上门健康服务人数"  # the kind the list is of, not its first item
    [coverage] = read_metrics("普遍开展免费孕前优生健康检查,目标人群覆盖率达99.9%。", vocab)
    assert coverage.phrase == "免费孕前优生健康检查目标人群覆盖率"
    [bare] = read_metrics("目标人群覆盖率达99.9%。", vocab)
    assert bare.phrase == "目标人群覆盖率"  # nothing before it to own the group
    assert not read_metrics("实施公立医院改革与高质量发展等国家试点示范项目13个。", vocab)  # programmes


def test_a_name_containing_a_target_word_is_no_target(vocab):
    life = read_metrics("全市人均预期寿命达79.72岁,较2020年提高了1.45岁。", vocab)
    assert [(r.quantity.value, r.kind) for r in life] == [(Decimal("79.72"), "reported")]
    pair = read_metrics("全省人均预期寿命从2020年的75.2岁提升到2024年的76.5岁。", vocab)
    assert [(r.quantity.value, r.year, r.kind) for r in pair] == [
        (Decimal("75.2"), 2020, "reported"), (Decimal("76.5"), 2024, "reported")]


def test_a_count_is_named_by_what_is_done_to_what_it_counts(vocab):
    [connected] = read_metrics("云上妇幼远程医疗平台接入4759所医疗卫生机构。", vocab)
    assert (connected.phrase, connected.metric) == ("接入医疗卫生机构数", None)  # not all institutions
    [mutual] = read_metrics("在全省1447所医院推广检查检验结果互认。", vocab)
    assert mutual.phrase == "推广检查检验结果互认的医院数"
    [built] = read_metrics("建成513家托育机构。", vocab)
    assert built.phrase == "托育机构数"
    [total] = read_metrics("2024年,全区医疗卫生机构数达到1.9万个。", vocab)
    assert total.metric == "metric/health-institutions"


def test_one_value_shared_by_a_list_of_rates(vocab):
    each = read_metrics("共有三级甲等综合医院3家以及三级甲等中医院、三级妇幼保健医院各1家。", vocab)
    assert [(r.phrase, r.quantity.value) for r in each] == [
        ("三级甲等综合医院数", Decimal("3")), ("三级甲等中医院数", Decimal("1")), ("三级妇幼保健医院数", Decimal("1"))]
    readings = read_metrics("三类监测人群入户核实率、救治率和家庭医生签约率均达到100%。", vocab)
    assert [(r.phrase, r.quantity.value) for r in readings] == [
        ("三类监测人群入户核实率", 100), ("三类监测人群救治率", 100), ("家庭医生签约率", 100)]


def test_a_bare_measure_belongs_to_the_thing_before_it(vocab):
    readings = read_metrics("全省登记在册的医养结合机构121所、床位2.5万张。", vocab)
    assert readings[1].phrase.endswith("医养结合机构床位数") and readings[1].quantity.unit == "万张"
    bulletin = read_metrics("全省共有乡镇卫生院1953个,床位15.5万张,卫生人员16.5万人。", vocab)
    assert [r.phrase for r in bulletin] == ["乡镇卫生院数", "乡镇卫生院床位数", "乡镇卫生院卫生人员数"]
    assert [r.phrase for r in read_metrics("全省床位74.4万张,全省医院2355个。", vocab)] == ["床位数", "医院数"]
    after_a_rate = read_metrics("全省医疗卫生机构床位使用率80%,卫生人员16.5万人。", vocab)
    assert after_a_rate[1].phrase == "卫生人员数"  # only a count of facilities owns what follows a comma


def test_a_change_is_not_a_level(vocab):
    readings = read_metrics("门急诊人次、住院人次较建设前平均增长47.5%、65.9%,病人外转率平均下降89.6%。", vocab)
    assert [r.phrase for r in readings] == ["门急诊人次增长率", "住院人次增长率", "病人外转率降幅"]


def test_counts_of_actions_are_no_indicators(vocab):
    assert not read_metrics("明确11项提升人均预期寿命的专项行动工作年度目标。", vocab)
    assert not read_metrics("三明医改已走过近十个年头。", vocab)
    sorted_by = read_metrics("建设5个专业25个省级重点专科。", vocab)
    assert [(r.phrase, r.quantity.value) for r in sorted_by] == [("省级重点专科数", Decimal("25"))]
    assert not read_metrics("扎实推进健康宁夏16项专项行动,持续提升群众健康水平。", vocab)
    [people] = read_metrics("另外,重庆每年为390多万名65岁以上老人免费体检。", vocab)
    assert people.phrase == "65岁以上老人免费体检人数"
    assert [r.phrase for r in read_metrics("建成513家托育机构、托位数2.97万个。", vocab)] == ["托育机构数", "托位数"]


def test_indicators_keep_the_names_as_written():
    graph = graph_of("宁夏\n为农村妇女“两癌”筛查150余万人次,当日出院、当日结账率达73%。")
    names = {name for e in graph.entities.values() if e.type == "Metric" for name in (e.label, *e.alt_labels)}
    assert {"农村妇女两癌筛查人次", "农村妇女“两癌”筛查人次"} <= names


def test_a_replaced_practice_is_not_implemented():
    graph = graph_of("内蒙古\n深化医保支付方式改革,从传统的按项目付费转变为以按病种付费为主的多元复合式医保支付方式。")
    assert not [f for f in facts(graph) if "按项目付费" in f[2]]
    assert any(s == "内蒙古自治区" and p == "implements" for s, p, _ in facts(graph))


def test_count_units_name_the_kind_and_a_list_of_rates_shares_its_value(vocab):
    assert [r.phrase for r in read_metrics("累计集采药品1073种,医用耗材77类。", vocab)] == ["集采药品种数", "医用耗材类数"]
    [herbs] = read_metrics("将符合条件的486个中药(蒙药)饮片纳入医保支付。", vocab)
    assert herbs.phrase.endswith("中药(蒙药)饮片数")
    [granules] = read_metrics("将434个中药配方颗粒纳入医保支付范围。", vocab)
    assert granules.phrase == "纳入医保支付的中药配方颗粒数"  # 范围 adds nothing to what is counted
    shared = read_metrics("接种率、7岁以下儿童健康管理率保持在90%以上。", vocab)
    assert [(r.phrase, r.quantity.qualifier) for r in shared] == [("接种率", "以上"), ("7岁以下儿童健康管理率", "以上")]
    [surgery] = read_metrics("开展疑难手术11.39万例。", vocab)
    assert (surgery.phrase, surgery.metric) == ("疑难手术例数", None)  # not all surgeries


def test_short_district_names_are_places_only_in_a_list():
    graph = graph_of("上海\n推进闵行、青浦、嘉定等区紧密型城市医疗集团试点。")
    assert {s for s, p, o in facts(graph) if p == "pilots"} == {"闵行区", "青浦区", "嘉定区"}
    prose = graph_of("北京\n海淀的优质医疗资源丰富,朝阳产业发展迅速,持续推进紧密型城市医疗集团建设。")
    assert {e.label for e in prose.entities.values() if e.type == "Region"} == {"北京市"}


def test_quoted_initiatives_after_an_implementation_verb():
    graph = graph_of("福建\n福建省创新开展“移动医院”巡诊,实施“千名医师下基层”,持续推进服务“更可及”,推广“望闻问切”。")
    programmes = {e.label for e in graph.entities.values() if e.type == "Program"}
    assert {"“移动医院”巡诊", "“千名医师下基层”"} <= programmes
    assert not {name for name in programmes if "更可及" in name or "望闻问切" in name}
    assert ("福建省", "implements", "“千名医师下基层”") in facts(graph)
    listed = graph_of("青海\n结合实施“移动医院”巡诊、“千名医师下基层”等项目,落实“更可及”。")
    assert {e.label for e in listed.entities.values() if e.type == "Program"} >= {"“移动医院”巡诊", "“千名医师下基层”"}
    assert not {e.label for e in listed.entities.values() if "更可及" in e.label}
    more = graph_of("山西\n山西省以“建高地、兜网底、提能力”强医工程为主线。探索“百名银龄医疗卫生首席专家下基层计划”。"
                    "推进数字健康应用场景落地和“无胶片”城市建设,建设基层卫生健康综合试验区。以“健康优先”为原则。")
    assert {o for s, p, o in facts(more)} >= {"强医工程", "“百名银龄医疗卫生首席专家下基层计划”", "“无胶片”城市建设",
                                             "基层卫生健康综合试验区"}
    assert not [e for e in more.entities.values() if "健康优先" in e.label]  # a principle, no programme


def test_an_impossible_publication_date_is_left_out():
    good = graph_of("发布时间:2024-03-05\n宁夏持续深化公立医院改革。")
    bad = graph_of("发布时间:2024-13-45\n宁夏持续深化公立医院改革。")
    assert good.documents[0].published == "2024-03-05" and bad.documents[0].published is None


def test_initiatives_taken_as_the_lever_or_named_after_a_slogan():
    lever = graph_of("山西\n着眼小病在乡村解决,以乡村医疗卫生固本强基行动为抓手,兜牢基层服务网底。")
    assert ("山西省", "implements", "乡村医疗卫生固本强基行动") in facts(lever)
    slogan = graph_of("山西\n为解决群众看病就医难题,我省创新实施“建高地、兜网底、提能力”强医工程。")
    assert ("山西省", "implements", "强医工程") in facts(slogan)


def test_a_share_of_things_that_do_something(vocab):
    [share] = read_metrics("全区67.65%的二级以上医院设置了老年医学科,三级中医院老年病科实现全覆盖。", vocab)
    assert (share.phrase, share.quantity.value) == ("二级以上医院设置老年医学科比例", Decimal("67.65"))
    [users] = read_metrics("远程医疗平台用户已达2万余人。", vocab)
    assert (users.phrase, users.quantity.unit, users.quantity.qualifier) == ("远程医疗平台用户人数", "万人", "余")
    [subsidy] = read_metrics("为村医每月补助1000元。", vocab)
    assert subsidy.phrase == "村医每月补助"


def test_national_and_hospital_sentences_are_no_provinces_facts():
    graph = graph_of("海南\n按照党中央、国务院要求,2021年11月,在推进DRG/DIP支付方式改革。\n"
                     "河南省儿童医院抢抓分级诊疗建设的机遇,推进现代医院管理制度建设。\n海南省深化“互联网+医疗健康”。")
    assert {(s, o) for s, p, o in facts(graph)} == {("海南省", "互联网+医疗健康")}


def test_a_healthy_region_programme_belongs_to_its_region():
    graph = graph_of("浙江\n医院将继续高举中医药发展旗帜,助力健康湖南建设。\n高水平推进健康浙江建设。")
    assert {o for s, p, o in facts(graph) if s == "浙江省"} == {"健康浙江"}


def test_a_title_with_a_comma_is_not_joined_to_the_next_paragraph():
    from kg.normalize import normalize
    text = normalize("从患、保、医、药四个角度，看DRG/DIP改革成效\n\n来源：金豆数据\n").text
    assert text.splitlines()[0] == "从患、保、医、药四个角度,看DRG/DIP改革成效"


def test_two_character_county_names_inside_words_are_no_places():
    graph = graph_of("四川\n高标准启动健康四川示范县创建,提高县域内住院率,推动形成县、乡、村三级网络。江苏沛县推进医共体建设。")
    assert {e.label for e in graph.entities.values() if e.type == "Region"} == {"四川省", "江苏省", "沛县"}


def test_projects_are_counted_not_their_building(vocab):
    assert [r.phrase for r in read_metrics("支持省级医疗卫生机构能力提升项目建设152个。", vocab)] == [
        "省级医疗卫生机构能力提升项目数"]
    assert [r.phrase for r in read_metrics("门诊、住院次均费用近5年平均增幅低于3.9%。", vocab)] == [
        "门诊、住院次均费用平均增幅"]


def test_a_verb_governs_the_list_that_follows_it():
    graph = graph_of("2024年,江苏省将推动出台与财力相适应的财政补助机制,人事薪酬制度改革政策,药学类医疗服务价格政策。")
    assert any(s == "江苏省" and "薪酬制度改革" in o for s, p, o in facts(graph))


def test_a_programme_named_by_its_doing_states_it():
    graph = graph_of("重庆\n动态调整医疗服务价格,开展年度调价评估,及时调价。")
    assert ("重庆市", "implements", "医疗服务价格动态调整") in facts(graph)


def test_every_region_has_an_official_numeric_code(vocab):
    regions = [entry for entry in vocab.entries.values() if entry.type == "Region"]
    assert len(regions) > 3000 and all(re.fullmatch(r"\d{6}", entry.code) for entry in regions)
    assert vocab.entries["region/710000"].label == "台湾省"


def test_things_counted_are_named_by_what_they_do(vocab):
    readings = read_metrics("114个乡镇卫生院和22个社区卫生服务中心达到国家服务能力基本标准。", vocab)
    assert [(r.phrase, r.quantity.value) for r in readings] == [
        ("达到国家服务能力基本标准的乡镇卫生院数", 114), ("达到国家服务能力基本标准的社区卫生服务中心数", 22)]
    [cities] = read_metrics("13个设区市全部实现DIP付费,覆盖所有统筹地区。", vocab)
    assert cities.phrase == "实现DIP付费的设区市数"  # and not 设区市数: not all its cities
    shares = read_metrics("DRG/DIP实际付费机构达到100%,病种覆盖达到90%,医保基金支出达到70%。", vocab)
    assert [r.phrase for r in shares] == ["病种覆盖率"]  # a share of an amount is not the amount
    raised = read_metrics("大病保险最高支付限额提高到40万元,追回基金损失1.3亿元。", vocab)
    assert [r.phrase for r in raised] == ["大病保险最高支付限额", "追回基金损失"]
    [cut] = read_metrics("集采药品平均降价53%。", vocab)
    assert cut.phrase == "集采药品降幅"
    [counties] = read_metrics("139个县(市、区)全面推开紧密型县域医共体建设,实现卒中中心县域全覆盖。", vocab)
    assert counties.phrase == "全面推开紧密型县域医共体建设的县(市、区)数"


def test_a_count_that_only_introduces_a_story_is_no_indicator(vocab):
    for sentence in ("56家医院提供3日内挂号患者检查检验结果免挂号解读服务。",  # the story has its own numbers
                     "宁夏11家西医类医院整体综合评价位列全国第14位。",  # a ranking
                     "加大对省一院等7家三甲医院支持力度,推动7家医院在“国考”中实现争先进位。",
                     "继续抓好31个省级示范医院创新工作。"):
        assert [r.phrase for r in read_metrics(sentence, vocab)] == [], sentence
    [projects] = read_metrics("支持省市县152个医疗卫生机构能力提升项目建设。", vocab)
    assert projects.phrase == "医疗卫生机构能力提升项目数"  # the projects are counted, their building is no story
    readings = read_metrics("宁夏6家三甲医院新增车位1100余个。", vocab)
    assert [r.quantity.value for r in readings] == [1100]  # not 6 as the region's grade-3A hospitals


def test_frames_and_examples_are_no_part_of_the_counted_thing(vocab):
    [centres] = read_metrics("除建设200个县域医疗次中心外,提质扩能40个县级医疗卫生机构。", vocab)[:1]
    assert centres.phrase.endswith("县域医疗次中心数")  # not 县域医疗次中心外数
    readings = read_metrics("新疆拥有一支以1名国医大师、6名岐黄学者为代表的高层次中医药人才库。", vocab)
    assert "高层次中医药人才库数" not in [r.phrase for r in readings]


def test_a_place_note_is_the_scope_not_the_indicator(vocab):
    [total] = read_metrics("截至2024年年末,全区各级各类医疗卫生机构(含兵团)1.9万家。", vocab)
    assert total.metric == "metric/health-institutions"
    [insured] = read_metrics("城乡居民政策范围内住院费用医保支付比例(含大病保险)达到70%。", vocab)
    assert "(含大病保险)" in insured.phrase  # a note on what is counted stays


def test_each_step_of_a_process_counts_the_people_first_named(vocab):
    readings = read_metrics("全省补贴申领人数总计156.7万人,已完成审核确认142.2万人,发放109余万人38.66亿元。", vocab)
    assert [(r.phrase, r.quantity.value, r.quantity.unit) for r in readings] == [
        ("补贴申领人数", Decimal("156.7"), "万人"), ("补贴审核确认人数", Decimal("142.2"), "万人"),
        ("补贴发放人数", 109, "万人"), ("补贴发放金额", Decimal("38.66"), "亿元")]
    assert read_metrics("全省推进审核确认142.2万人。", vocab) == []  # no earlier count to name the step by


def test_days_are_values_but_dates_and_time_limits_are_not():
    assert [(q.value, q.unit) for q in find_quantities("出院者平均住院日为8.6日,5月8日起,3日内挂号患者")] == [
        (Decimal("8.6"), "日")]


def test_statistical_bulletin_lines(vocab):
    institutions = read_metrics("其中:医院1289个,基层医疗卫生机构35621个。", vocab)
    assert [r.phrase for r in institutions] == ["医院数", "基层医疗卫生机构数"]  # no ':' left of 医院
    beds = read_metrics("全省医疗卫生机构床位41.2万张,其中:医院33.5万张(占81.3%),基层医疗卫生机构6.1万张。", vocab)
    assert [r.phrase for r in beds][1:] == ["医院床位数", "基层医疗卫生机构床位数"]  # beds, not hospitals
    [subsidy] = read_metrics("城乡居民医保财政补助标准提高到每人每年640元。", vocab)
    assert subsidy.phrase == "城乡居民医保财政补助标准"


def test_abbreviated_university_hospitals_are_hospitals(vocab):
    def hospitals(text: str) -> list[str]:
        return [m.surface for m in recognize(text, 0, vocab) if m.type == "Hospital"]
    assert hospitals("完成哈医大二院国家紧急医学救援基地建设任务") == ["哈医大二院"]
    assert hospitals("郑大一附院、西安交大一附院和重医附一院牵头组建专科联盟") == ["郑大一附院", "西安交大一附院", "重医附一院"]
    assert hospitals("支持省二院中西医协同旗舰医院项目建设,扩大二级医院覆盖面") == []  # which province's 二院?


def test_typesetting_spaces_between_chinese_and_numbers_are_closed_in_prose_only():
    original = "全省户籍人口基本医保参保率达到 99.76%，DRG/DIP 改革已完成首轮 3 年试点。\n指标 2020年 2025年\n"
    mapped = normalize(original)
    assert mapped.text.splitlines() == ["全省户籍人口基本医保参保率达到99.76%,DRG/DIP改革已完成首轮3年试点。",
                                        "指标 2020年 2025年"]
    start = mapped.text.index("99.76")
    first, last = mapped.original_span(start, start + 6)
    assert original[first:last] == "99.76%"  # offsets still point into the original


def test_a_share_or_a_duration_needs_a_name_that_says_what_it_measures(vocab):
    assert read_metrics("医保基金100%预付到位,配送供应正常。", vocab) == []
    assert read_metrics("实施生命早期1000天营养健康行动。", vocab) == []
    assert [r.phrase for r in read_metrics("药品平均回款天数缩短至22天。", vocab)] == ["药品平均回款天数"]


def test_a_standard_for_each_place_is_no_total(vocab):
    for sentence in ("每个乡镇卫生院、街道社区卫生服务中心配备4名以上全科医生。",
                     "市、县市区均建设1所政府办公益性、标准化妇幼保健机构。",
                     "全区每个旗(市、区)至少建设1所公办托育服务机构。"):
        assert read_metrics(sentence, vocab) == [], sentence


def test_lists_of_values_find_their_items(vocab):
    fund = read_metrics("全市城镇职工医疗(生育)保险基金收入从11.24亿元增长到21.99亿元,支出从10.30亿元增长到18.54亿元;", vocab)
    assert [r.phrase for r in fund] == ["城镇职工医疗(生育)保险基金收入"] * 2 + ["城镇职工医疗(生育)保险基金支出"] * 2
    subsidy = read_metrics("城乡居民基本医疗保险财政补助省级标准和基本公共卫生服务财政补助标准分别提高到年人均600元和92元。", vocab)
    assert [(r.phrase, r.quantity.value) for r in subsidy] == [
        ("城乡居民基本医疗保险财政补助省级标准", 600), ("基本公共卫生服务财政补助标准", 92)]
    levels = read_metrics("三级和二级妇幼保健院开展中医药专科服务的比例达到90%和70%。", vocab)
    assert [(r.phrase, r.quantity.value) for r in levels] == [
        ("三级妇幼保健院开展中医药专科服务的比例", 90), ("二级妇幼保健院开展中医药专科服务的比例", 70)]
    assert read_metrics("目前已在全省34个地级市、县(市、区)开展试点工作。", vocab) == []
    assert read_metrics("2021年打造了首批20个行动省级示范样板。", vocab) == []


def test_what_a_count_counts_decides_its_name(vocab):
    readings = read_metrics("81家二级以上医院实现363项检查检验结果互认,互认次数达203万人次。", vocab)
    assert [r.phrase for r in readings] == ["检查检验结果互认项目数", "互认次数"]  # 81 hospitals: a story
    [standards] = read_metrics("累计制定发布食品安全标准79项。", vocab)
    assert standards.phrase.endswith("食品安全标准数")
    changes = read_metrics("4所国家区域医疗中心建设医院门急诊人次、住院人次较建设前平均增长47.5%、65.9%。", vocab)
    assert [r.quantity.value for r in changes] == [Decimal("47.5"), Decimal("65.9")]  # 4所 says whose


def test_generic_measures_and_long_names(vocab):
    pairs = read_metrics("在三级和二级以上中医医院(含中西医结合医院、少数民族医医院)开设优生优育门诊的比例达到100%和90%。", vocab)
    assert [(r.phrase, r.quantity.value) for r in pairs] == [
        ("三级中医医院开设优生优育门诊的比例", 100), ("二级以上中医医院开设优生优育门诊的比例", 90)]
    covered = read_metrics("建成健康促进医院380家,覆盖全省11个地级市90个县(市、区),覆盖率近98%。", vocab)
    assert [r.phrase for r in covered] == ["健康促进医院数", "健康促进医院覆盖率"]
    assert read_metrics("开展国家健康促进县(区)建设,目前已成功创建41个,覆盖率达45%。", vocab) == []  # whose?
    assert read_metrics("居民健康素养水平达到36.11%,高于全国平均10个百分点。", vocab)[1:] == []


def test_a_district_work_report_speaks_for_the_district_and_its_year():
    graph = graph_of("2022年,是具有特殊重要意义的一年,番禺区卫生健康局围绕发展主线,多项工作成绩明显。番禺区获评广州市"
                     "2021年度综合医改考核A等次;通过广东省消除艾滋病、梅毒和乙肝母婴传播项目现场认证。目前,全区共有医疗机构"
                     "787间,相比2021年末增加66间。全区户籍孕产妇死亡率为0,全人口孕产妇死亡率为3.85/10万。辖区居民健康素养水平"
                     "稳步提升,2022年达38.2%。\n一、主要工作\n成立督导组,对7个副处级以上单位民主生活会和29个单位党组织的"
                     "组织生活会进行全覆盖督导。")
    assert observations(graph) == {("番禺区", Decimal(787), "间", 2022), ("番禺区", Decimal(0), "/10万", 2022),
                                   ("番禺区", Decimal("3.85"), "/10万", 2022), ("番禺区", Decimal("38.2"), "%", 2022)}


def test_zero_takes_the_indicators_unit_and_a_trend_clause_names_the_value(vocab):
    assert read_metrics("死亡人数降至0,成本为0。", vocab) == []  # zero of what unit? no indicator known
    [literacy] = read_metrics("居民健康素养水平持续提高,2023年达到35%。", vocab)
    assert (literacy.phrase, literacy.year) == ("居民健康素养水平", 2023)
    assert read_metrics("全市经济持续增长,2022年达1200亿元。", vocab) == []  # 经济 names no measure


def test_front_matter_names_the_documents_place():
    graph = graph_of("鄂府办发〔2024〕24号\n各旗区人民政府,市直各有关部门:\n鄂尔多斯市人民政府办公室\n2024年4月8日\n"
                     "鄂尔多斯市进一步完善医疗卫生\n服务体系实施方案\n为建立健全优质高效的医疗卫生服务体系,结合我市实际,制定本方案。\n"
                     "一、总体要求\n(二)工作目标。到2025年,每千人床位数达到6.8张,县域内住院人次占比达到80%以上。")
    assert observations(graph) == {("鄂尔多斯市", Decimal("6.8"), "张", 2025), ("鄂尔多斯市", Decimal(80), "%", 2025)}


def test_a_county_strives_for_designations_and_runs_its_own_pilot():
    graph = graph_of("3月7日,全县卫生健康工作会议召开。会议宣读了《竹山县2024年卫生健康重点工作任务责任清单》。"
                     "要争创全省家庭医生签约服务示范区,持续推进国家级医共体改革试点工作。会议表扬了全县先进单位。")
    found = facts(graph)
    assert ("竹山县", "pilots", "紧密型县域医共体") in found
    assert ("竹山县", "implements", "家庭医生签约服务") in found  # 争创: not a pilot yet
    assert not any(s == "湖北省" for s, p, o in found)  # 全省…示范区 gives the rank, it is no place


def test_a_citys_own_pilot_and_a_designation_won():
    city = facts(graph_of("湖州\n城市医疗集团试点等各项改革任务走在前列。创成全国基层中医药工作示范市。"))
    assert {("湖州市", "pilots", "紧密型城市医疗集团"), ("湖州市", "pilots", "全国基层中医药工作示范市（县）")} <= city
    province = facts(graph_of("浙江\n城市医疗集团试点等各项改革任务走在前列。连续4年健康中国行动年度考核获评优秀。"))
    assert ("浙江省", "implements", "紧密型城市医疗集团") in province  # a province runs pilots in its cities
    assert not any(p == "pilots" for s, p, o in province)  # 获评优秀 is a grade, no designation


def test_a_breakdown_takes_the_measure_of_the_whole(vocab):
    def named(sentence):
        return [(r.phrase, r.quantity.value) for r in read_metrics(sentence, vocab)]
    assert named("总诊疗人次48552.1万人次,其中医院18648.3万人次(民营医院3324.1万人次);出院1818.1万人,其中医院1243.4万人。") == [
        ("总诊疗人次", Decimal("48552.1")), ("医院总诊疗人次", Decimal("18648.3")),
        ("民营医院总诊疗人次", Decimal("3324.1")), ("出院人数", Decimal("1818.1")), ("医院出院人数", Decimal("1243.4"))]
    assert named("年末医疗卫生机构80492个,其中医院2218个(民营医院1519个)。") == [  # a count of its own
        ("医疗卫生机构数", 80492), ("医院数", 2218), ("民营医院数", 1519)]
    assert named("每千常住人口床位数5.48张,其中医院4.08张。")[1] == ("每千常住人口医院床位数", Decimal("4.08"))
    assert named("户籍人口期望寿命83.63岁(其中男性81.25岁,女性86.08岁)。")[1:] == [
        ("男性户籍人口期望寿命", Decimal("81.25")), ("女性户籍人口期望寿命", Decimal("86.08"))]
    assert named("国家级高水平重点实验室18所、省级21所。")[1] == ("省级高水平重点实验室数", 21)


def test_visits_counted_by_their_doing_and_ranks_are_no_indicators(vocab):
    readings = read_metrics("2014年全省医疗机构诊疗3.8亿人次,出院病人1029万人,均排全国第八位,近五年平均增长率分别为29%和14.7%。",
                            vocab)
    assert [r.phrase for r in readings] == ["医疗机构诊疗人次", "出院病人数"]


def test_other_fields_and_party_business_give_no_observations():
    graph = graph_of("四川\n2017年出版期刊352种,出版图书13621种。年末医疗卫生机构80492个。\n"
                     "对7个副处级以上单位民主生活会和29个单位党组织的组织生活会进行全覆盖督导。")
    assert observations(graph) == {("四川省", Decimal(80492), "个", None)}


def test_a_negation_inside_a_description_denies_nothing():
    found = facts(graph_of("本次国家区域医疗中心名单覆盖了前四批没有出现的吉林、湖南2个省份。\n浙江\n尚未开展DRG付费改革。"))
    assert found == {("吉林省", "implements", "国家区域医疗中心"), ("湖南省", "implements", "国家区域医疗中心")}


def test_hospitals_listed_under_a_batch_heading_pilot_it():
    graph = graph_of("河南\n国家区域医疗中心第一批试点\n中国医学科学院阜外医院华中医院(依托河南省人民医院):心血管\n"
                     "首都医科大学附属北京儿童医院郑州医院(依托河南省儿童医院):儿童\n标签:")
    pilots = {s for s, p, o in facts(graph) if p == "pilots" and o == "国家区域医疗中心"}
    assert pilots == {"中国医学科学院阜外医院华中医院", "首都医科大学附属北京儿童医院郑州医院"}


def test_who_was_approved_decides_the_pilot():
    found = facts(graph_of("江西\n我省优质医疗资源有序扩容下沉,4家医院获批建设国家区域医疗中心。"))
    assert ("江西省", "implements", "国家区域医疗中心") in found  # the 4 hospitals were approved
    ranked = facts(graph_of("云南\n云南省阜外心血管病医院急诊科、重症医学科获批云南省临床重点专科。"))
    assert not any(s == "云南省" and p == "pilots" for s, p, o in ranked)  # 云南省 gives the specialty's rank


def test_a_place_heading_with_its_province_and_a_reform_named_by_its_doing():
    graph = graph_of("药品集中采购政策改革试点效果评析\n——以福建省三明市为例\n"
                     "结果:(1)取消药品加成、理顺医疗服务价格;(3)改革前2011年全市公立医院药占比为47%,"
                     "改革后2012—2014年上半年分别为42%、31%和28%。结论:三明市通过“三医联动”,建立起药品采购政策体系。")
    assert {("三明市", "implements", "取消药品加成"), ("三明市", "implements", "三医联动")} <= facts(graph)
    assert observations(graph) == {("三明市", Decimal(47), "%", 2011), ("三明市", Decimal(42), "%", 2012),
                                   ("三明市", Decimal(31), "%", 2013), ("三明市", Decimal(28), "%", 2014)}


def test_a_forum_threads_replies_are_not_the_report():
    text = normalize("折于往衷 发表于 2023-10-12 08:42:28\n延安市成功入选示范项目名单。\n"
                     "太平河畔 发表于 2023-10-12 16:22:43\n反腐的钱不止2个亿吧\n页: [1]").text
    assert text.splitlines()[-1] == "延安市成功入选示范项目名单。"


def test_a_formula_with_a_head_noun_names_a_programme_and_known_zones():
    found = facts(graph_of("海南\n创新推出“2+3”健康服务包。打造世界一流的博鳌乐城国际医疗旅游先行区。实施“1+N”。"))
    assert found == {("海南省", "implements", "“2+3”健康服务包"), ("海南省", "pilots", "博鳌乐城国际医疗旅游先行区")}


def test_pairs_of_lists_and_pairs_from_a_described_start(vocab):
    readings = read_metrics("数据显示,西藏孕产妇死亡率、婴儿死亡率和5岁以下儿童死亡率分别由2016年的109.9/10万、13.87‰、18.65‰,"
                            "下降到2019年的63.68/10万、8.9‰、11.37‰。", vocab)
    assert [(r.metric, r.quantity.value, r.year) for r in readings] == [
        ("metric/maternal-mortality", Decimal("109.9"), 2016), ("metric/infant-mortality", Decimal("13.87"), 2016),
        ("metric/under5-mortality", Decimal("18.65"), 2016), ("metric/maternal-mortality", Decimal("63.68"), 2019),
        ("metric/infant-mortality", Decimal("8.9"), 2019), ("metric/under5-mortality", Decimal("11.37"), 2019)]
    life = read_metrics("西藏的人均期望寿命由和平解放初期(即1951年)的35.5岁提高到了70.6岁。", vocab)
    assert [(r.quantity.value, r.year) for r in life] == [(Decimal("35.5"), 1951), (Decimal("70.6"), None)]
    grown = read_metrics("医院、卫生院拥有床位16.05万张,卫生技术人员16.32万人,分别较2012年增长45.63%、43.83%。", vocab)
    assert [(r.phrase, r.year) for r in grown][2:] == [("医院、卫生院床位数增长率", None),
                                                       ("医院、卫生院卫生技术人员数增长率", None)]


def test_counts_written_with_grouped_digits_times_and_people(vocab):
    assert normalize("全区共有医疗卫生机构15 631个,其中医院1 633个。").text == "全区共有医疗卫生机构15631个,其中医院1633个。"
    readings = read_metrics("服务人口达1706.83万,完成远程会诊1.18万次,为4.57万村民提供免费体检。", vocab)
    assert [(r.phrase, r.quantity.unit) for r in readings] == [
        ("服务人口", "万人"), ("远程会诊次数", "万次"), ("村民免费体检人数", "万人")]
    assert read_metrics("位列全国11个综合医改试点省第三名,投资4000万元建设平台。", vocab) == []


def test_a_dateline_and_an_outlet_are_no_subjects_but_an_outlet_gives_its_province():
    dated = graph_of("广东居民人均预期寿命提高到79.31岁\n广州7月5日电 广东省卫健委称,全省孕产妇死亡率从11.56/10万下降到10.18/10万。")
    assert {region for region, *_ in observations(dated)} == {"广东省"}
    outlet = graph_of("我省人均期望寿命增至71.7岁\n青海新闻网讯 五年来,全省卫生总费用达到215.83亿元。西宁市推进公立医院综合改革。")
    assert ("青海省", Decimal("215.83"), "亿元", None) in observations(outlet)


def test_short_county_names_after_a_preposition_and_autonomous_county_short_forms(vocab):
    found = [(m.type, m.surface) for m in recognize("以宾县为例,西宁市和互助县,在示范县建设中", 0, vocab, [])]
    assert found == [("Region", "宾县"), ("Region", "西宁市"), ("Region", "互助县")]


def test_only_still_doubled_and_per_capita_pairs(vocab):
    readings = read_metrics("山东省人均预期寿命仅为35岁;如今,人均预期寿命翻番,达79.9岁。", vocab)
    assert [(r.metric, r.quantity.value) for r in readings] == [("metric/life-expectancy", 35),
                                                               ("metric/life-expectancy", Decimal("79.9"))]
    pairs = read_metrics("每千人口执业医师从2.11人增至3.17人,床位数从4.79张提升至8.43张,全科医生数量增长近18倍。", vocab)
    assert [(r.phrase, r.quantity.value) for r in pairs] == [
        ("每千人口执业医师数", Decimal("2.11")), ("每千人口执业医师数", Decimal("3.17")), ("每千人口床位数", Decimal("4.79")),
        ("每千人口床位数", Decimal("8.43")), ("全科医生数量增长倍数", 18)]
    counted = read_metrics("广东分批支持建设50家高水平医院、实现地级市全覆盖。仅有2.61万卫生技术人员。", vocab)
    assert [(r.phrase, r.quantity.unit) for r in counted] == [("高水平医院数", "家"), ("卫生技术人员数", "万人")]


def test_an_example_place_is_the_subject_and_progress_is_no_part_of_a_count(vocab):
    graph = graph_of("黑龙江\n以宾县为例,平台完成远程会诊1.18万次。全省已组建108个医共体。")
    assert {(region, value) for region, value, *_ in observations(graph)} == {
        ("宾县", Decimal("1.18")), ("黑龙江省", 108)}
    readings = read_metrics("目前,2个国家级区域医疗中心、4个省级区域医疗中心正有序推进。18项健康广东行动深入实施。", vocab)
    assert [r.phrase for r in readings] == ["国家级区域医疗中心数", "省级区域医疗中心数"]  # 行动: no indicator


def test_a_pages_closing_links_are_not_the_report():
    text = normalize("全省已有80个县实施医共体建设。\n相关链接\n- 四川平昌县为紧密型县域医共体改革加注动力源").text
    assert text == "全省已有80个县实施医共体建设。"


def test_a_forum_report_on_a_city_and_its_numbers():
    graph = graph_of("芜湖人均预期寿命超过80岁!1949年全国仅35岁,变化从何而来?\n后会无期\n发表于: 2020-12-23 12:13\n"
                     "12月22日,市政府召开美好芜湖成就巡礼新闻发布会。"
                     "至十三五末,我市人均预期寿命指标达到了80.6岁(根据国家卫健委发布的统计公报,2019年我国居民人均预期寿命达到77.3岁)。"
                     "主要健康指标优于全省平均水平,新生儿死亡率、婴儿死亡率从十二五期间4.77‰、7.37‰分别降至现在的2.05‰、3.04‰,"
                     "孕产妇死亡率平均为14.13人/10万人。全市卫生专业技术人员数从2015年1.92万人增加到目前2.5万人。"
                     "改扩建无为市、南陵县县级医院。")  # 芜湖, named most, is the city of 我市
    assert {(region, value, unit) for region, value, unit, _ in observations(graph)} == {
        ("芜湖市", Decimal(80), "岁"), ("芜湖市", Decimal("80.6"), "岁"), ("芜湖市", Decimal("4.77"), "‰"),
        ("芜湖市", Decimal("7.37"), "‰"), ("芜湖市", Decimal("2.05"), "‰"), ("芜湖市", Decimal("3.04"), "‰"),
        ("芜湖市", Decimal("14.13"), "/10万"), ("芜湖市", Decimal("1.92"), "万人"), ("芜湖市", Decimal("2.5"), "万人")}


def test_a_cue_of_the_list_item_before_is_not_the_programmes(vocab):
    found = facts(graph_of("天津\n我市正值天津自贸试验区、滨海新区开发开放、国家自主创新示范区、京津冀协同发展等五大战略机遇叠加。"))
    assert not any(p == "pilots" for s, p, o in found)
    assert read_metrics("千人注册护士4人,全市千人以上规模的企业5家。", vocab)[0].phrase == "每千人口注册护士数"


def test_a_bulletin_paragraph_with_parts_changes_and_a_city_inside_a_word():
    graph = graph_of("太原\n2024年末,全市乡镇卫生院共有52个,床位652张,1319人(其中卫生技术人员1069人)。"
                     "全市社区卫生服务中心(站)共有354个,卫生人员5724人,卫生人员数比上年增加469人。"
                     "全市医院病床使用率84.02%,其中,公立医院86.81%。")
    label = {key: entity.label for key, entity in graph.entities.items()}
    named = {(label[o.region], label[o.metric], o.value) for o in graph.observations}
    assert {("太原市", "乡镇卫生院床位数", 652), ("太原市", "卫生人员数增加数", 469),
            ("太原市", "公立医院病床使用率", Decimal("86.81"))} <= named
    assert {region for region, *_ in named} == {"太原市"}  # 其中卫生技术人员 names no 中卫市
