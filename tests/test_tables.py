"""Indicator tables of plans and statistical bulletins: one cell per line, and one row per line with
tabs, spaces or '|' between the cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import kg
from kg.normalize import normalize
from kg.plan_tables import read_tables
from kg.read import clean_text
from kg.structure import paragraphs
from kg.vocab import load_vocabulary

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def table(text: str, vocab) -> tuple[set[tuple], list[str], set[str]]:
    """(phrase, value, unit, year, kind, qualifier) of every reading, the rows they were read from
    (as the normalized text spans them) and the lines the tables occupy."""
    mapped = normalize(clean_text(text))
    parts = paragraphs(mapped.text)
    found, used = read_tables(parts, vocab)
    readings = {(t.reading.phrase, t.reading.quantity.value, t.reading.quantity.unit, t.reading.year,
                 t.reading.kind, t.reading.quantity.qualifier) for t in found}
    rows = [mapped.text[t.start:t.end] for t in found]
    return readings, rows, {parts[index].text for index in used}


def observed(text: str) -> dict[tuple, list]:
    """(region, metric, value, unit, year, kind) of every observation of a document built from `text`,
    with its evidence."""
    graph = kg.build_texts({"plan.txt": text}).graph
    label = {key: entity.label for key, entity in graph.entities.items()}
    return {(label[o.region], label[o.metric], o.value, o.unit, o.year, o.kind): o.evidence
            for o in graph.observations}


PLAN_WITH_TABS = (
    "专栏1\t“十四五”时期全省卫生健康发展主要指标\n"
    "领域\t序号\t指标\t2020年\t2025年\t指标性质\n"
    "健康水平\t1\t人均预期寿命（岁）\t77.4\t78.3左右\t预期性\n"
    "\t2\t孕产妇死亡率（/10万）\t11.2\t≤12\t预期性\n"
    "\t3\t婴儿死亡率（‰）\t4.1\t<5\t预期性\n"
    "健康服务\t4\t每千人口执业（助理）医师数（人）\t2.71\t3.3\t预期性\n"
    "\t5\t每千人口拥有3岁以下婴幼儿托位数（个）\t—\t4.5\t约束性\n"
    "\t6\t二级及以上综合性医院设置老年医学科的比例（%）\t\t60\t预期性\n"
)


def test_a_plan_table_with_tabs_reads_reported_values_and_targets(vocab):
    readings, rows, used = table(PLAN_WITH_TABS, vocab)
    assert readings == {
        ("人均预期寿命", Decimal("77.4"), "岁", 2020, "reported", None),
        ("人均预期寿命", Decimal("78.3"), "岁", 2025, "target", "左右"),
        ("孕产妇死亡率", Decimal("11.2"), "/10万", 2020, "reported", None),
        ("孕产妇死亡率", Decimal("12"), "/10万", 2025, "target", "以下"),  # ≤12
        ("婴儿死亡率", Decimal("4.1"), "‰", 2020, "reported", None),
        ("婴儿死亡率", Decimal("5"), "‰", 2025, "target", "以下"),  # <5
        ("每千人口执业(助理)医师数", Decimal("2.71"), "人", 2020, "reported", None),
        ("每千人口执业(助理)医师数", Decimal("3.3"), "人", 2025, "target", None),
        ("每千人口3岁以下婴幼儿托位数", Decimal("4.5"), "个", 2025, "target", None),  # — in 2020: none; 拥有 goes
    }  # row 6 lost its 2020 cell: 60 cannot be placed without guessing
    assert "2\t孕产妇死亡率(/10万)\t11.2\t≤12\t预期性" in rows  # the blank 领域 cell is no part of the row
    assert "6\t二级及以上综合性医院设置老年医学科的比例(%)\t\t60\t预期性" in used
    assert not any(line.startswith("专栏1") for line in used)


def test_a_markdown_table_is_read_with_bounds_and_five_year_totals(vocab):
    text = ("| 指标 | 2020年 | 2025年 | 属性 |\n"
            "|---|---|---|---|\n"
            "| 居民健康素养水平(%) | 21.3 | 30 | 预期性 |\n"
            "| 5岁以下儿童死亡率(‰) | 5.9 | 5.5以下 | 约束性 |\n"
            "| 个人卫生支出占卫生总费用的比重(%) | 27.5 | 27左右 | 约束性 |\n"
            "| 新增执业(助理)医师数(人) | [5200] | [6000] | 预期性 |\n"
            "| 经常参加体育锻炼人数比例(%) | 37.2 | ≥38.5 | 预期性 |\n"
            "\n"
            "各地要结合实际细化落实上述指标。\n")
    readings, rows, used = table(text, vocab)
    assert readings == {
        ("居民健康素养水平", Decimal("21.3"), "%", 2020, "reported", None),
        ("居民健康素养水平", Decimal("30"), "%", 2025, "target", None),
        ("5岁以下儿童死亡率", Decimal("5.9"), "‰", 2020, "reported", None),
        ("5岁以下儿童死亡率", Decimal("5.5"), "‰", 2025, "target", "以下"),
        ("个人卫生支出占卫生总费用的比重", Decimal("27.5"), "%", 2020, "reported", None),
        ("个人卫生支出占卫生总费用的比重", Decimal("27"), "%", 2025, "target", "左右"),
        ("新增执业(助理)医师数", Decimal("5200"), "人", 2020, "reported", "累计"),  # [ ]: a five-year total
        ("新增执业(助理)医师数", Decimal("6000"), "人", 2025, "target", "累计"),
        ("经常参加体育锻炼人数比例", Decimal("37.2"), "%", 2020, "reported", None),
        ("经常参加体育锻炼人数比例", Decimal("38.5"), "%", 2025, "target", "以上"),
    }
    assert "| 5岁以下儿童死亡率(‰) | 5.9 | 5.5以下 | 约束性 |" in rows
    assert "|---|---|---|---|" in used and "各地要结合实际细化落实上述指标。" not in used


def test_a_bulletin_table_with_a_unit_column_reports_every_year(vocab):
    text = ("表1  2023年全省医疗卫生资源情况\n"
            "指标名称        单位      2022年      2023年      比上年增减\n"
            "医疗卫生机构数   个        8826        8905        79\n"
            "  其中:医院     个        702         731         29\n"
            "卫生技术人员数   万人      30.4        31.9        1.5\n"
            "每千人口医疗卫生机构床位数   张   6.95   7.21   0.26\n")
    readings, rows, _ = table(text, vocab)
    assert readings == {
        ("医疗卫生机构数", Decimal("8826"), "个", 2022, "reported", None),
        ("医疗卫生机构数", Decimal("8905"), "个", 2023, "reported", None),
        ("医院", Decimal("702"), "个", 2022, "reported", None),
        ("医院", Decimal("731"), "个", 2023, "reported", None),
        ("卫生技术人员数", Decimal("30.4"), "万人", 2022, "reported", None),
        ("卫生技术人员数", Decimal("31.9"), "万人", 2023, "reported", None),
        ("每千人口医疗卫生机构床位数", Decimal("6.95"), "张", 2022, "reported", None),
        ("每千人口医疗卫生机构床位数", Decimal("7.21"), "张", 2023, "reported", None),
    }  # 比上年增减 is no year column; without a 性质 column nothing is a target


def test_a_table_with_single_spaces_and_a_group_heading_line(vocab):
    text = ("序号 指标 2020年 2025年 性质\n"
            "健康生活\n"
            "1 居民健康素养水平（%） 22.5 ≥30 预期性\n"
            "2 15岁以上人群吸烟率 (%) 23.1 <20 预期性\n"
            "3 每千人口 执业医师数（人） 2.4 2.9 预期性\n"
            "二、主要任务\n"
            "4 经常参加体育锻炼人数比例(%) 37.2 40 预期性\n")
    readings, _, used = table(text, vocab)
    assert {(phrase, value, year) for phrase, value, _, year, _, _ in readings} == {
        ("居民健康素养水平", Decimal("22.5"), 2020), ("居民健康素养水平", Decimal("30"), 2025),
        ("15岁以上人群吸烟率", Decimal("23.1"), 2020), ("15岁以上人群吸烟率", Decimal("20"), 2025),
    }  # the table ends at row 3: one cell more than the header (a space inside its name)
    assert "健康生活" in used and not any(line.startswith(("3 ", "二、", "4 ")) for line in used)


@pytest.mark.parametrize("text", [
    # prose with its numbers set off by spaces (PDF text), no header
    "2023年 全省 总诊疗人次 3.2 亿 较上年 增长 5.1 % 出院 1020 万人次\n人均预期寿命 78.2 岁 孕产妇死亡率 8.9 /10万\n",
    # a header without year columns
    "指标  基期值  目标值  属性\n人均预期寿命(岁)  77.4  78.3  预期性\n孕产妇死亡率(/10万)  11.2  12  预期性\n",
    # year columns but no 指标/项目 column: whose value is it?
    "地区\t2022年\t2023年\n南昌市\t8.1\t8.3\n九江市\t6.2\t6.5\n",
])
def test_lines_that_are_no_indicator_table_give_nothing(vocab, text):
    readings, _, used = table(text, vocab)
    assert readings == set() and used == set()


def test_prose_with_spaced_numbers_ends_a_table(vocab):
    prose = "2023年 全省 总诊疗人次 3.2 亿 较上年 增长 5.1"
    text = ("指标 2022年 2023年\n"
            "卫生总费用(亿元) 1580 1666\n"
            f"{prose}\n"
            "人均卫生总费用(元) 3490 3688\n")
    readings, _, used = table(text, vocab)
    assert {(reading[0], reading[3]) for reading in readings} == {("卫生总费用", 2022), ("卫生总费用", 2023)}
    assert prose not in used


def test_misaligned_rows_are_skipped_and_the_table_goes_on(vocab):
    text = ("领域  序号  指标  2020年  2025年  性质\n"
            "健康水平  1  人均预期寿命(岁)  77.4  78.3  预期性\n"
            "健康服务  孕产妇死亡率(/10万)  12  预期性\n"  # no 序号 and one value: where would 12 go?
            "2  婴儿死亡率(‰)  4.1  5  预期性  备注\n"  # shifted by a 备注 cell the header has not
            "3  每万人口全科医生数(人)  2.9  3.9  预期性\n")
    readings, _, used = table(text, vocab)
    assert {(reading[0], reading[3]) for reading in readings} == {
        ("人均预期寿命", 2020), ("人均预期寿命", 2025), ("每万人口全科医生数", 2020), ("每万人口全科医生数", 2025)}
    assert len(used) == 5


def test_a_second_header_starts_a_new_table(vocab):
    text = ("指标\t2020年\t2025年\t属性\n"
            "人均预期寿命(岁)\t77.4\t78.3\t预期性\n"
            "指标\t2022年\t2023年\n"
            "卫生总费用(亿元)\t1580\t1666\n")
    readings, _, _ = table(text, vocab)
    assert {(r[0], r[3], r[4]) for r in readings} == {
        ("人均预期寿命", 2020, "reported"), ("人均预期寿命", 2025, "target"),
        ("卫生总费用", 2022, "reported"), ("卫生总费用", 2023, "reported")}


def test_one_cell_per_line_tables_are_still_read(vocab):
    cells = ["指标", "2020年", "2025年", "性质", "1", "人均预期寿命(岁)", "77.4", "78.3左右", "预期性",
             "2", "孕产妇死亡率(/10万)", "待国家", "公布", "11.5", "预期性"]
    readings, _, used = table("\n\n".join(cells) + "\n\n各地要将上述指标纳入年度绩效考核,确保按期完成。\n", vocab)
    assert readings == {
        ("人均预期寿命", Decimal("77.4"), "岁", 2020, "reported", None),
        ("人均预期寿命", Decimal("78.3"), "岁", 2025, "target", "左右"),
        ("孕产妇死亡率", Decimal("11.5"), "/10万", 2025, "target", None),
    }
    assert used == set(cells)


def test_a_flattened_plan_table_with_category_cells_is_read(vocab):
    """seeds/003 (郴州): 类别 / 序号 / 指标 / 2020年 / 2025年 / 性质, then 健康水平 / 1 / 人均预期寿命(岁) / …"""
    readings, rows, used = table(next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8"), vocab)
    assert {
        ("人均预期寿命", Decimal("78.6"), "岁", 2025, "target", "左右"),  # after 健康水平; 待省里 / 公布 is one cell
        ("孕产妇死亡率", Decimal("12"), "/10万", 2025, "target", None),  # an integer value, not row 12
        ("重大慢性病过早死亡率", Decimal("14.87"), "%", 2020, "reported", None),
        ("重大慢性病过早死亡率", Decimal("15"), "%", 2025, "target", "以下"),
        ("居民健康素养水平", Decimal("19.85"), "%", 2020, "reported", None),  # after 健康生活
        ("居民健康素养水平", Decimal("25"), "%", 2025, "target", None),
        ("国家卫生城市(县城)数量占比", Decimal("70"), "%", 2020, "reported", None),  # 2025: 持续提升
        ("每千常住人口中医类别执业(助理)医师数", Decimal("0.32"), "人", 2020, "reported", None),  # 其中:…
        ("每万常住人口全科医生数", Decimal("3.93"), "人", 2025, "target", None),
        ("个人卫生支出占卫生总费用的比重", Decimal("27"), "%", 2025, "target", "左右"),  # after 健康保障
        ("基本医疗保险参保率", Decimal("95.50"), "%", 2020, "reported", None),
        ("基本医疗保险参保率", Decimal("95"), "%", 2025, "target", "以上"),  # 稳定在95以上
        ("公立医疗机构通过省级集中采购平台线上采购率", Decimal("70"), "%", 2020, "reported", None),  # row 24 of 25
    } <= readings
    assert "2\n孕产妇死亡率(/10万)\n*18\n12\n预期性" in rows
    assert ("孕产妇死亡率", Decimal("18"), "/10万", 2020, "reported", None) not in readings  # *: the note's
    phrases = {reading[0] for reading in readings}
    assert len(phrases) == 19 and not phrases & {
        "每千常住人口公共卫生人员数",  # 0.53 of what? The name gives no unit
        "15岁以上人群吸烟率",  # 23.3: the one value of two columns, 2020's or 2025's?
        "儿童青少年总体近视率",  # 44.26 / 力争每年降 / 0.5个百分点以上: three cells for two columns
        "重点救助对象符合规定的医疗费用住院救助比例"}  # 70: one value again
    assert {"健康水平", "健康服务", "25", "药品500个品种以上,高值医用耗材5类以上"} <= used
    assert "注:带*号数据为十三五规划目标值。" not in used  # the note below is no cell


def test_integers_are_values_inside_a_row_and_indexes_where_a_row_starts(vocab):
    cells = ["指标", "2022年", "2023年", "1", "三级医院数(个)", "72", "75", "2", "二级医院数(个)", "310", "315",
             "3", "一级医院数", "410", "412"]  # no unit: no value
    readings, _, used = table("\n\n".join(cells) + "\n\n4\n\n4.1\n", vocab)
    assert readings == {  # no 性质 column: a row ends with its last year's value, nothing is a target
        ("三级医院数", Decimal("72"), "个", 2022, "reported", None),
        ("三级医院数", Decimal("75"), "个", 2023, "reported", None),
        ("二级医院数", Decimal("310"), "个", 2022, "reported", None),
        ("二级医院数", Decimal("315"), "个", 2023, "reported", None),
    }
    assert used == set(cells)  # 4 / 4.1: an integer followed by no name starts no row


def test_category_cells_between_rows_are_skipped_and_a_heading_after_the_table_is_left(vocab):
    cells = ["指标", "2020年", "2025年", "属性", "健康水平", "1", "婴儿死亡率(‰)", "4.1", "5", "预期性",
             "健康服务", "2", "每万人口全科医生数(人)", "2.9", "3.9", "约束性"]
    after = ["保障措施", "1", "加强组织领导", "各地要将上述指标纳入绩效考核。"]  # no row: no 预期性/约束性 cell
    readings, _, used = table("\n\n".join(cells + after) + "\n", vocab)
    assert {(reading[0], reading[3], reading[4]) for reading in readings} == {
        ("婴儿死亡率", 2020, "reported"), ("婴儿死亡率", 2025, "target"),
        ("每万人口全科医生数", 2020, "reported"), ("每万人口全科医生数", 2025, "target")}
    assert used == set(cells)


def test_a_short_sentence_after_a_flattened_table_is_read_as_prose():
    cells = ["指标", "2020年", "2025年", "性质", "1", "人均预期寿命(岁)", "78.2", "78.6左右", "预期性",
             "2", "每万人口全科医生数(人)", "2.92", "3.93", "约束性"]
    sentence = "婴儿死亡率为3.9‰。"  # 12 characters, as short as a category cell
    found = observed("郴州市卫生健康事业发展规划\n\n" + "\n\n".join(cells) + f"\n\n{sentence}\n")
    evidence = found[("郴州市", "婴儿死亡率", Decimal("3.9"), "‰", None, "reported")]
    assert [e.sentence for e in evidence] == [sentence]
    assert len(found) == 5  # and the table's four values


def test_a_row_names_a_vocabulary_indicator_only_with_all_of_its_name():
    cells = ["指标", "2020年", "2025年", "性质",
             "1", "新增执业(助理)医师数(人)", "[5200]", "[6000]", "预期性",
             "2", "每千常住人口执业(助理)医师数(人)", "2.73", "3.2", "预期性",
             "3", "其中:每千常住人口中医类别执业(助理)医师数(人)", "0.32", "0.62", "预期性",
             "4", "执业(助理)医师数(人)", "12610", "14800", "预期性"]
    found = observed("郴州市卫生健康事业发展规划\n\n" + "\n\n".join(cells) + "\n")
    assert {(metric, year): value for _, metric, value, _, year, _ in found} == {
        ("新增执业(助理)医师数", 2020): Decimal("5200"), ("新增执业(助理)医师数", 2025): Decimal("6000"),
        ("每千人口执业(助理)医师数", 2020): Decimal("2.73"),  # 每千常住人口执业(助理)医师数 is its alias
        ("每千人口执业(助理)医师数", 2025): Decimal("3.2"),
        ("每千常住人口中医类别执业(助理)医师数", 2020): Decimal("0.32"),  # not the 每千人口 physicians
        ("每千常住人口中医类别执业(助理)医师数", 2025): Decimal("0.62"),
        ("执业(助理)医师数", 2020): Decimal("12610"), ("执业(助理)医师数", 2025): Decimal("14800"),
    }


def test_rows_of_a_table_are_never_joined_nor_dropped_as_repeats():
    row = "3\t每千人口拥有3岁以下婴幼儿托位数(个)\t1.8\t4.5\t预期性\t按常住人口计算的每千人口托位"
    header = "指标\t2020年\t2025年\t属性"
    text = normalize(f"{header}\n{row}\n健康服务\t4\t每千人口执业医师数(人)\t2.7\t3.3\n{header}\n").text
    assert text.splitlines() == [header, row, "健康服务\t4\t每千人口执业医师数(人)\t2.7\t3.3", header]


def test_a_document_reads_its_tables_with_evidence_and_its_prose_around_them():
    original = ("江西省“十四五”卫生健康发展规划\n\n"
                "到2025年，全省居民主要健康指标居于中部地区前列。\n\n"
                "| 指标 | 2020年 | 2025年 | 属性 |\n"
                "|---|---|---|---|\n"
                "| 人均预期寿命（岁） | 77.4 | 78.3左右 | 预期性 |\n"
                "| 孕产妇死亡率（/10万） | 11.2 | 12 | 预期性 |\n\n"
                "2023年，全省婴儿死亡率下降至3.9‰。\n\n"
                "表2 南昌市卫生资源\n"
                "指标\t2022年\t2023年\n"
                "卫生技术人员数（万人）\t6.1\t6.4\n")
    found = observed(original)
    row = "| 人均预期寿命（岁） | 77.4 | 78.3左右 | 预期性 |"
    assert set(found) == {
        ("江西省", "人均预期寿命", Decimal("77.4"), "岁", 2020, "reported"),
        ("江西省", "人均预期寿命", Decimal("78.3"), "岁", 2025, "target"),
        ("江西省", "孕产妇死亡率", Decimal("11.2"), "/10万", 2020, "reported"),
        ("江西省", "孕产妇死亡率", Decimal("12"), "/10万", 2025, "target"),
        ("江西省", "婴儿死亡率", Decimal("3.9"), "‰", 2023, "reported"),
        ("南昌市", "卫生技术人员数", Decimal("6.1"), "万人", 2022, "reported"),  # the title scopes its table
        ("南昌市", "卫生技术人员数", Decimal("6.4"), "万人", 2023, "reported"),
    }
    evidence = found[("江西省", "人均预期寿命", Decimal("78.3"), "岁", 2025, "target")]
    assert [e.sentence for e in evidence] == [row]
    assert original[evidence[0].start:evidence[0].end] == row
