"""Recognize mentions in a sentence: regions, region anaphors, programmes and hospitals.

Vocabulary names are matched on characters (Aho-Corasick, see `kg.vocab`), because jieba cuts new
policy terms apart; hospitals are recognized by pattern. Overlaps are settled by priority:
hospital > programme > region > anaphor, so 宁夏 inside 北京大学第一医院宁夏妇女儿童医院 locates
the hospital instead of naming a region of its own.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jieba

from kg.data import load_yaml
from kg.model import stable_id
from kg.vocab import HEALTHY_PREFIX, INITIATIVE_PREFIX, Vocabulary
from kg.words import tagged

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not the user's business

_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
MEDIA = re.compile(r"日报|晚报|新闻网|电视台|卫视|广播电台|网讯")  # 福建日报记者: a newspaper, not the place
_LEVEL_ADJECTIVE = re.compile(r"级|域|内外|范围|场")  # 自治区级 / 全区域 / 全市场 are not anaphors


@dataclass(frozen=True)
class Mention:
    """A recognized span of the normalized text. `keys` lists candidate entity keys."""

    start: int
    end: int
    type: str  # Region, Anaphor, Program, Hospital
    surface: str
    keys: tuple[str, ...] = ()
    level: str | None = None  # for anaphors: province / city / county / any


_INITIATIVE = re.compile(
    r"(?:深入实施|组织实施|启动实施|创新实施|实施|启动|开展|推进|深化|推行|打造)(?:好|了)?"
    r"(?P<name>[\u4e00-\u9fffA-Za-z0-9+]{2,16}?(?:三年行动计划|攻坚行动计划|行动计划|三年行动|攻坚行动|提升工程|工程|计划|行动))"
    r"|(?:建设|创建)(?P<zone>[\u4e00-\u9fff]{4,14}?(?:综合试验区|试验区|示范区|先行区))")  # 建设基层卫生健康综合试验区
_INITIATIVE_AS_LEVER = re.compile(  # 以乡村医疗卫生固本强基行动为抓手
    r"以(?P<name>[\u4e00-\u9fffA-Za-z0-9+]{2,16}?(?:行动计划|行动|提升工程|工程|计划))为(?:抓手|牵引|载体|突破口|重点|主线)")
_NAMED_AFTER_SLOGAN = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:工程|行动|计划)")  # “建高地、兜网底、提能力”强医工程
_QUOTED_AFTER_VERB = re.compile(r"(?:(?:实施|开展|推行|推进|推广|打造|深化|启动|创新|探索|建立|落实|开通|推出)(?:了|好)?"
                                r"|以|(?:实施|开展|推行|推进|推广|打造|深化|启动)[^,;。“”]{2,16}[和及、])$")
_QUOTED_HEAD = re.compile(r"巡诊|专项行动|行动计划|工程|行动|计划|项目|服务|改革|模式|城市建设|建设|试点|机制|制度|工作")
_QUOTED_HEAD_INSIDE = re.compile(r"(?:计划|行动|工程|服务|模式|改革|建设|机制|制度|中心|平台|网|日|堂|房)$")
_FORMULA_NAMED = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:服务包|体系|模式|机制|工程|行动|计划)")
_QUOTED_MANY = re.compile(r"[千百万][名人家]|双[千百]")  # 千名医师下基层, 双千行动
_GENERIC_QUOTED = re.compile(r"^(?:更|最|很|新)|化$|[的了]")  # 更可及, 均质化: slogans, not names
_GENERIC_INITIATIVE = re.compile(r"^(?:各项|相关|有关|一系列|系列|专项|重点|重大|这项|该|一批|年度|工作|系列|各类|多项|一揽子)"
                                 r"|^[\u4e00-\u9fff]{0,1}(?:工程|计划|行动)$|^(?:攻坚|三年|专项)?行动计划$"
                                 r"|^(?:开展|实施|推进|启动|深化|推行|打造)|等|和"  # …等重大行动: a list, no name
                                 r"|^(?:首批|第[一二三四五六七八九十\d]+批)|\d+个")  # 首批20个行动: a count, no name
_NAME_POS = re.compile(r"^(?:n[rstz]?|j|b|m|ng|eng)$")  # jieba tags that occur inside a proper name



@functools.cache
def _abbreviated_hospital() -> re.Pattern:
    return re.compile(load_yaml("hospitals.yaml")["abbreviation"])


@functools.cache
def _hospital_rules() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    config = load_yaml("hospitals.yaml")
    heads = "|".join(sorted(map(re.escape, config["heads"]), key=len, reverse=True))
    campus = "|".join(map(re.escape, config["campus_heads"]))
    parts = "|".join(map(re.escape, config["campus_places"]))
    anchors = "|".join(sorted(map(re.escape, config["name_anchors"]), key=len, reverse=True))
    generic = "|".join(sorted(map(re.escape, config["generic_words"]), key=len, reverse=True))
    return (re.compile(heads), re.compile(rf"[\u4e00-\u9fff]{{0,8}}?(?:{campus})"), re.compile(anchors),
            re.compile(rf"^(?:{generic})*(?:{heads})$"), re.compile(rf"(?:{parts})(?:{campus})"))


def _name_start(window: str, anchors: re.Pattern) -> int:
    """Where a name ending at the end of `window` begins: walk jieba words back while they are nouns
    (or name anchors jieba takes for verbs: 佑安|医院)."""
    start = len(window)
    for index, (word, flag) in enumerate(reversed(list(tagged(window)))):
        numbered = index == 1 and re.fullmatch(r"[一二三四五六七八九十]", word)  # 湘雅|二|医院
        if anchors.fullmatch(word) or word == "立" and re.search(r"[省市县区]$", window[:start - 1]):  # 威海市|立|医院
            start -= len(word)
            continue
        if (not _NAME_POS.match(flag) or word in ("的", "和", "与", "及", "等")
                or (flag == "m" and not word.startswith("第") and not numbered)):
            break
        start -= len(word)
    return start


def _hospitals(text: str, offset: int, vocab: Vocabulary, programmes: list[Mention]) -> list[Mention]:
    """Named hospitals: nouns ending in 医院/保健院 (plus a campus: …医院新疆医院, …医院华中医院) with a
    proper-name anchor (a region, a university, a brand such as 协和); 县医院 or 公立医院 are not names."""
    head, campus, anchor_pattern, generic, part_campus = _hospital_rules()
    found: list[Mention] = []
    for match in head.finditer(text):
        end = match.end()
        if found and end <= found[-1].end - offset:
            continue
        window_start = max(end - 30, found[-1].end - offset if found else 0,
                           max([0] + [m.end - offset for m in programmes if m.end - offset <= match.start()]))
        window = text[window_start:end]
        if not vocab.find("Region", window) and not anchor_pattern.search(window):
            continue  # no place and no proper name before it: 公立医院, 县级医院 (and no tagging needed)
        start = window_start + _name_start(window, anchor_pattern)
        regions_after = vocab.find("Region", text[end:end + 12])
        if regions_after and regions_after[0][0] == 0:
            extension = campus.match(text, end + regions_after[0][1])
            if extension:
                end = extension.end()
        elif part_campus.match(text, end):  # 中国医学科学院阜外医院华中医院
            end = part_campus.match(text, end).end()
        region_hits = vocab.find("Region", text[start:end])
        if region_hits and not anchor_pattern.search(text, start, start + region_hits[0][0]):
            start += region_hits[0][0]  # 深化芜湖… / 国家儿童医学中心北京儿童医院: the name starts at the place
        name = text[start:end]
        region_hits = vocab.find("Region", name)
        if not region_hits and not anchor_pattern.search(name):
            continue
        rest = name[region_hits[0][1]:] if region_hits and region_hits[0][0] == 0 else name
        county_hospital = rest == "医院" and re.search(r"[^市省]县$|旗$", name[:len(name) - len(rest)])  # 尤溪县医院
        if generic.match(rest) and not county_hospital or len(name) < 4:
            continue
        found.append(Mention(offset + start, offset + end, "Hospital", name))
    return found


def _overlaps(mention: Mention, taken: list[Mention]) -> bool:
    return any(mention.start < other.end and other.start < mention.end for other in taken)


def _inside_a_word(text: str, start: int, end: int, region_ends: set[int]) -> bool:
    """A two-character county name that is part of another word: 示范县, 提高县域, 形成县 (范县, 高县, 成县)
    — unless a place, a list mark or a preposition comes right before it (江苏沛县, 、萧县, 以宾县为例)."""
    if end - start != 2 or text[end - 1] not in "县区旗":
        return False
    before_is_word = start > 0 and _CJK_CHAR.match(text[start - 1]) and start not in region_ends
    return bool(before_is_word and text[start - 1] not in "、和及与以在对赴于从向如") or text[end:end + 1] in ("域", "级")


def _in_a_list_of_places(text: str, start: int, end: int) -> bool:
    """闵行、青浦、嘉定等区: a short county name between list marks, or before 等区/等县."""
    return text[start - 1:start] == "、" or text[end:end + 1] == "、" or bool(re.match(r"等[区县市地]", text[end:]))


def recognize(text: str, offset: int, vocab: Vocabulary, quoted: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """All mentions in `text` (a sentence starting at `offset` in the normalized document); `quoted`
    lists the spans the original text puts in quotation marks."""
    programmes = _healthy_region_programmes(text, offset, vocab)
    programmes += [mention for mention in (
        Mention(offset + s, offset + e, "Program", name, tuple(vocab.names["Program"][name]))
        for s, e, name in vocab.find("Program", text)) if not _overlaps(mention, programmes)]
    programmes += [m for m in _named_initiatives(text, offset) if not _overlaps(m, programmes)]
    programmes += [m for m in _quoted_initiatives(text, offset, quoted) if not _overlaps(m, programmes)]
    hospitals = _hospitals(text, offset, vocab, programmes)
    hospitals += [mention for mention in (Mention(offset + m.start(), offset + m.end(), "Hospital", m.group())
                                          for m in _abbreviated_hospital().finditer(text))
                  if not _overlaps(mention, hospitals)]  # 哈医大二院
    taken: list[Mention] = list(hospitals)
    taken += [m for m in programmes if not _overlaps(m, taken)]
    region_hits = vocab.find("Region", text)
    region_ends = {e for _, e, _ in region_hits}
    regions = [Mention(offset + s, offset + e, "Region", name, tuple(vocab.names["Region"][name]))
               for s, e, name in region_hits
               if (name not in vocab.listed_names or _in_a_list_of_places(text, s, e))
               and not _inside_a_word(text, s, e, region_ends) and not MEDIA.match(text, e)]
    taken += [m for m in regions if not _overlaps(m, taken)]
    for match in _anaphor_pattern(tuple(vocab.anaphors)).finditer(text):
        word = match.group()
        mention = Mention(offset + match.start(), offset + match.end(), "Anaphor", word, level=vocab.anaphors[word])
        if not _LEVEL_ADJECTIVE.match(text, match.end()) and not _overlaps(mention, taken):
            taken.append(mention)
    return sorted(taken, key=lambda m: (m.start, m.end))


@functools.cache
def _anaphor_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _named_initiatives(text: str, offset: int) -> list[Mention]:
    """Named initiatives that no vocabulary lists yet: 实施京蒙协作医疗倍增计划, 启动万名医师进修三年行动计划,
    深化医疗卫生山海提升工程, 以…固本强基行动为抓手 — a noun phrase ending in 工程/计划/行动 right after an
    implementation verb, or taken as the lever (以…为抓手) of the work; a zone built (建设…综合试验区)."""
    found = []
    for match in (*_INITIATIVE.finditer(text), *_INITIATIVE_AS_LEVER.finditer(text)):
        part = match.lastgroup or "name"  # a name ending in 工程/计划/行动, or a zone (…综合试验区)
        name = match.group(part)
        if _GENERIC_INITIATIVE.match(name):
            continue
        found.append(Mention(offset + match.start(part), offset + match.end(part), "Program", name,
                             (INITIATIVE_PREFIX + stable_id(name),)))
    return found


def _quoted_initiatives(text: str, offset: int, quoted: Sequence[tuple[int, int]]) -> list[Mention]:
    """Initiatives a report names in quotation marks right after an implementation verb (or listed after
    one): 开展“移动医院”巡诊, 实施“千名医师下基层”, 推进“无胶片”城市建设, 推出“2+3”健康服务包 — the
    quoted name with its head noun, if any."""
    found: list[Mention] = []
    for start, end in quoted:
        local_start, local_end = start - offset, end - offset
        listed = bool(found) and text[found[-1].end - offset:local_start] == "、"  # 实施“移动医院”巡诊、“千名医师下基层”
        if local_start < 0 or local_end > len(text) or not (
                listed or _QUOTED_AFTER_VERB.search(text, 0, local_start)):
            continue
        name = text[local_start:local_end]
        named = _NAMED_AFTER_SLOGAN.match(text, local_end)
        if named and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9+]{3,18}", name):  # a slogan, then the name
            found.append(Mention(offset + named.start(), offset + named.end(), "Program", named.group(),
                                 (INITIATIVE_PREFIX + stable_id(named.group()),)))
            continue
        formula = _FORMULA_NAMED.match(text, local_end) if re.fullmatch(r"[\dA-Z+]{3,12}", name) else None
        if formula:  # 推出“2+3”健康服务包: a formula names a programme when a head noun follows it
            found.append(Mention(start, offset + formula.end(), "Program", text[local_start:formula.end()],
                                 (INITIATIVE_PREFIX + stable_id(text[local_start:formula.end()]),)))
            continue
        head = _QUOTED_HEAD.match(text, local_end)
        if (not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9+]{3,18}", name) or _GENERIC_QUOTED.search(name)
                or len(re.findall(r"[\u4e00-\u9fff]", name)) < 3
                or not (head or _QUOTED_HEAD_INSIDE.search(name) or _QUOTED_MANY.search(name))):
            continue  # 更可及, “1+N”, “望闻问切”: slogans and formulas are no programme names
        name_end = head.end() if head else local_end
        full = text[local_start:name_end]
        found.append(Mention(start, offset + name_end, "Program", full, (INITIATIVE_PREFIX + stable_id(full),)))
    return found


def _healthy_region_programmes(text: str, offset: int, vocab: Vocabulary) -> list[Mention]:
    """健康宁夏 / 健康郴州建设 / 健康中国山西行动: a region's own Healthy China programme."""
    found = []
    for start, end, name in vocab.find("Region", text):
        lead = text[max(0, start - 4):start]
        if not (lead.endswith("健康") or lead.endswith("健康中国")):
            continue
        keys = vocab.names["Region"][name]
        if len(keys) != 1:
            continue
        span_start = start - (4 if lead.endswith("健康中国") else 2)
        suffix = re.match(r"建设|行动", text[end:])
        span_end = end + (suffix.end() if suffix else 0)
        found.append(Mention(offset + span_start, offset + span_end, "Program", text[span_start:span_end],
                             (HEALTHY_PREFIX + keys[0].split("/")[1],)))
    return found
