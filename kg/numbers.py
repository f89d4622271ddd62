"""Numbers with units in a sentence: value, unit as written, qualifier (左右, 以上, 余 …).

Years, dates, ordinals, document numbers and age brackets (65岁以上老人) are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

# longest first, so 万人次 wins over 人次 over 人
UNITS = sorted([
    "%", "‰", "/10万", "/万", "/千", "个百分点", "人/10万人", "/10万人",
    "万人次", "亿人次", "人次", "万人", "亿人", "人", "万名", "名",
    "亿元", "万元", "千元", "元", "万个", "个", "万家", "家", "万张", "张", "所", "项", "台", "套",
    "支", "万例", "例", "万户", "户", "床", "岁", "小时", "分钟", "公里", "天", "倍", "类", "种",
    "万份", "份", "辆", "座", "批次", "日", "间", "万次", "次",
], key=len, reverse=True)
COUNT_UNITS = {"个", "家", "张", "所", "项", "台", "套", "支", "例", "户", "类", "种", "名", "万名", "万个",
               "万家", "万张", "万例", "万户", "人", "万人", "份", "万份", "辆", "座", "间", "次", "万次"}

_UNIT = "|".join(re.escape(unit) for unit in UNITS)
_SAME_UNIT = {"人/10万人": "/10万", "/10万人": "/10万"}  # 孕产妇死亡率14.13人/10万人
_CN_DIGITS = "零一二两三四五六七八九十百千"
QUANTITY = re.compile(
    rf"(?P<before>约|近|超过|超|逾|不低于|不少于|不超过|低于|高于)?"
    # Chinese numerals only with 十/百/千: 一个/两个/三个 are mostly idiom, not indicator values
    # a number starts where a run of digits starts: no rescanning a long run from every position
    rf"(?P<num>(?<![\d{_CN_DIGITS}])(?:\d+(?:\.\d+)?|[{_CN_DIGITS}]*[十百千][{_CN_DIGITS}]*(?=个|家|所|项)))"
    rf"(?:(?P<magnitude>万|亿)(?=多|余))?(?P<more>多|余)?(?P<unit>{_UNIT})"
    rf"(?P<after>以上|以下|左右|之内|以内)?"
)
# 总诊疗人次6.5亿, 入院人次2187.3万, 服务人口1706.83万: the name says what is counted, the number only
# its magnitude; 4.57万村民, 2.61万卫生技术人员: the people named after it
_IMPLIED_UNIT = re.compile(r"(?P<counted>人次|人数|人员|人口)(?:为|达|达到|超过)?(?P<num>\d+(?:\.\d+)?)(?P<magnitude>万|亿)"
                           r"(?P<more>多|余)?(?P<after>以上|以下|左右)?(?=[,;。、]|比|较|$)"
                           r"|(?P<people>\d+(?:\.\d+)?)(?P<scale>万|亿)(?=村民|居民|群众|老人|儿童|患者|妇女|学生|职工"
                           r"|卫生技术人员|医务人员|卫生人员|医师|医生|护士)")
_COUNTED_UNIT = {"人次": "人次", "人数": "人", "人员": "人", "人口": "人"}
# 户籍孕产妇死亡率为0: zero needs no unit (the indicator's own is given it, see kg.metrics)
_ZERO = re.compile(r"(?<=为|至|到|是)(?P<num>0|零)(?![\d.]|[\u4e00-\u9fff%‰/])")
_DURATION = re.compile(r"^多?(?:工作日|月|小时|星期|年度|年头|方面|层面|环节|维度)")  # 6个方面: an enumeration
_NOT_A_VALUE_AFTER = re.compile(r"^(?:及|以上[\u4e00-\u9fff]|以下[\u4e00-\u9fff]|至|[-—~～]|的|[\u4e00-\u9fff]{0,2}(?:儿童|老人|老年|人群|妇女|女孩|青少年|婴幼儿))")
_QUALIFIER_NAMES = {"约": "约", "近": "近", "超过": "以上", "超": "以上", "逾": "以上", "不低于": "以上",
                    "不少于": "以上", "高于": "以上", "不超过": "以下", "低于": "以下"}


@dataclass(frozen=True)
class Quantity:
    """A number with its unit; offsets are relative to the text it was found in."""

    start: int
    end: int
    value: Decimal
    unit: str
    qualifier: str | None
    text: str

    @property
    def is_count(self) -> bool:
        return self.unit in COUNT_UNITS


def parse_number(text: str) -> Decimal | None:
    """'79.72' → 79.72, '两' → 2, '十二' → 12; None when it is not a number."""
    try:
        if text[0].isdigit():
            return Decimal(text)
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (InvalidOperation, ValueError, KeyError, IndexError):
        return None


def _is_value(text: str, match: re.Match) -> bool:
    """Reject ordinals (第3位), ranks (前25%), age brackets (65岁以上老人) and ranges' first halves."""
    before = text[max(0, match.start() - 1):match.start()]
    now = text[max(0, match.start() - 2):match.start()] in ("目前", "当前", "此前", "之前", "以前")  # 目前2.5万人
    if before in ("第", "前", "后", "-", "—", "~", "～") and not match.group("before") and not now:
        return False
    rest = text[match.end():match.end() + 8]
    if match.group("unit") == "个" and _DURATION.match(rest):
        return False
    if match.group("unit") in ("分钟", "小时", "公里") and re.match(r"的?[\u4e00-\u9fff]", rest):
        return False  # 30分钟的医疗卫生服务圈, 15分钟健康服务圈: a reach, not a measured value
    if match.group("unit") == "岁" and _NOT_A_VALUE_AFTER.match(rest):
        return False
    if match.group("unit") == "日" and (before == "月" or match.group("after") or re.match(r"[内起前后]", rest)):
        return False  # 5月8日 is a date, 3日内 a time limit; 平均住院日为8.6日 is a value
    return not (match.group("unit") in ("%", "‰") and rest[:1] in ("-", "—", "~", "～"))


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in a sentence, left to right."""
    quantities = []
    for match in QUANTITY.finditer(text):
        if not _is_value(text, match):
            continue
        value = parse_number(match.group("num"))
        if value is None:
            continue
        qualifier = (match.group("after") or match.group("more")
                     or _QUALIFIER_NAMES.get(match.group("before") or ""))
        start = match.start("num") if not match.group("before") else match.start()
        unit = (match.group("magnitude") or "") + match.group("unit")  # 2万余人: 2 万人, 余
        if unit not in UNITS:
            continue
        unit = _SAME_UNIT.get(unit, unit)
        quantities.append(Quantity(start, match.end(), value, unit, qualifier or None, match.group()))
    for match in _IMPLIED_UNIT.finditer(text):
        if match.group("people"):  # 为4.57万村民提供免费体检: so many people
            quantities.append(Quantity(match.start(), match.end(), Decimal(match.group("people")),
                                       match.group("scale") + "人", None, match.group()))
            continue
        unit = match.group("magnitude") + _COUNTED_UNIT[match.group("counted")]
        quantities.append(Quantity(match.start("num"), match.end(), Decimal(match.group("num")), unit,
                                   match.group("more") or match.group("after"), text[match.start("num"):match.end()]))
    for match in _ZERO.finditer(text):
        quantities.append(Quantity(match.start(), match.end(), Decimal(0), "", None, match.group()))
    return sorted(quantities, key=lambda quantity: quantity.start)
