"""Relations: who implements or pilots which programme, and which region reports which number.

The document is walked paragraph by paragraph, keeping track of the region in scope: a heading
that names a place scopes the section (a section headed 宁夏 makes 全区 mean 宁夏回族自治区), a
paragraph that opens with a place scopes that paragraph and the next, and a sentence that opens
with a place is about that place. Clauses that speak for the whole country (国家…, 全国…) have
no implicit subject.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from kg.metrics import MetricReading, read_metrics
from kg.model import Evidence
from kg.normalize import MappedText, canonical_name
from kg.plan_tables import read_tables
from kg.recognize import MEDIA, Mention, recognize
from kg.structure import Paragraph, Sentence, paragraphs
from kg.data import load_yaml
from kg.vocab import HEALTHY_PREFIX, Vocabulary

_CLAUSE = re.compile(r"[^,;:]+")
_OPENING = re.compile(r"^(?:(?:截至|截止|到|至)?\d{4}年[^,]{0,6},|[^,。;]{1,20},)?(?:\d{4}年[^,]{0,6},?)?")


def _opens(text: str, position: int) -> bool:
    """Does the place at `position` open the text, at most after a date or one short lead clause?
    (2024年,江西省将… / 展望新年,天津市计划… / 宁夏持续提升… / 以宾县为例,…)"""
    return (position == 0 or position == _OPENING.match(text).end()
            or bool(_EXAMPLE_LEAD.fullmatch(text, 0, position) and _EXAMPLE.match(text, position)))


_EXAMPLE_LEAD, _EXAMPLE = re.compile(r"(?:如|例如|比如)?以"), re.compile(r"[^,;。]{1,8}?为例")
_CLOSE_BEFORE = re.compile(r"(?:等)?(?:\d+|[一二两三四五六七八九十]+)?(?:个|家|所)?(?:区|市|县|地|省|城市)?"
                           r"(?:建设|创建|完成|承担|(?P<conduct>开展)|入选[^,;。]{0,12}?|获批[^,;。]{0,12}?|(?:被)?(?:列|确定)?为)?"
                           r"(?:国家级|国家|省级|自治区级|市级)?(?:的)?")
_OPENING_QUOTES = "“‘「『\""
_CLOSING_QUOTES = "”’」』\""
_QUOTED = re.compile(r"[“「]([^“”「」\n]{2,18})[”」]")
_COUNTED_AFTER = re.compile(r"(?:\d+|[一二两三四五六七八九十]+)(?:个|家|所|项)")
_COUNTED_BEFORE = re.compile(r"(?:\d+|[一二两三四五六七八九十]+)(?:个|家|所|项)[\u4e00-\u9fff]{1,8}$")
_JUXTAPOSED = re.compile(r"[、:()—\-暨]?")  # a hospital written right next to a programme
_TITLE = re.compile(r"《[^》]*》")
_LIST_JOINTS = ("、", "和", "及", "与")
_SELECTED = re.compile(r"(?:等(?:\d+|[一二两三四五六七八九十]+)?(?:个|家)?(?:城市|地市|地区|市|县|区|省份|省)?)?"
                       r"(?:成功)?(?:入选|获批|上榜)")
_NAMED_AS_PILOT = re.compile(r"作为[^,;。]{0,20}?(?:试点|示范)[^,;。]*")  # the designation cue, to the clause end
# a city's or county's own 城市医疗集团试点 or …示范项目建设 makes it a site (a province's runs in its cities)
_LOCAL_PILOT = re.compile(r"试点|示范项目")
_DESCRIBES = re.compile(r"[^,;。]{0,8}的")
_GRANTED = re.compile(r"(?:获批|入选|评为|列为|确定为|认定为|纳入)为?$")
_RANKED = re.compile(r"[^,;。、]{0,6}?(?:示范区|示范县|示范市|示范单位|试点)")
_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日(?:电|讯)")
_COMPARED = re.compile(r"(?:范围内)?(?:率先|首先|首个|首家|首批|第一|领先|排名|位居|前列)")
_PLAN_TITLE = re.compile(r"(?:实施方案|工作方案|行动方案|实施意见|规划|行动计划)(?:的通知)?》")
_PLAN_YEAR = re.compile(r"(?:提出|目标|力争|规划|预计|计划)[^。,]{0,6}?到(20\d{2})年|^到(20\d{2})年[^。]{0,4}?(?:力争|要|将)")
# …试点县名单, 示范项目名单, 国家区域医疗中心第一批试点
_SITE_LIST = re.compile(r"(?:试点|示范)[^,;。]{0,8}名单|第[一二三四五六七八九十\d]+批(?:试点|示范)[^,;。]{0,4}$")
# the year an annual report is about: 2023年…统计公报, 2022年…工作总结, or an opening 2022年,是…的一年
_ANNUAL_REPORT = re.compile(r"((?:19|20)\d{2})年(?:度)?[^。,]{0,24}(?:统计公报|统计简报|统计年报|发展情况公报|"
                            r"(?<!政府)工作(?:报告|总结))|^((?:19|20)\d{2})年,?是[^。]{0,30}一年")
_TARGETS_HEADING = re.compile(r"目标(?!人群)|指标")  # 主要目标, 发展目标, 主要指标
_PRESENT = re.compile(r"目前|当前|现在|现有|截至|截止|已经|已|去年|上年|同比|较上年|比上年|(?:19|20)\d{2}年")
_HOSTED = re.compile(r"[^;。]{0,12}?(?:落户|落地|位于|分别在|分布在|分别位于|覆盖(?:了)?[^,;。、]{0,10})$")


def _within(spans: list[tuple[int, int]], sentence: Sentence) -> list[tuple[int, int]]:
    """The spans (sorted by start) that lie inside a sentence."""
    first = bisect.bisect_left(spans, (sentence.start, sentence.start))
    last = bisect.bisect_left(spans, (sentence.end, sentence.end))
    return [span for span in spans[first:last] if span[1] <= sentence.end]


def _unopened_quote(text: str) -> bool:
    return text.count("”") > text.count("“") or text.count("」") > text.count("「")


def _names_an_action(name: str) -> bool:
    """A programme named by what is done (推广三明医改经验, 动态调整医疗服务价格, 取消药品加成) states
    its own doing."""
    implement = cues()["implement"]
    return bool(implement.match(name) or re.match(r"(?:全面)?取消", name)
                or re.match(r"(?:动态|全面|持续|深入|积极)", name) and implement.match(name, 2))


def _designates(clause: str, start: int, end: int) -> bool:
    """Does the clause make the place itself a pilot (入选, 获批, 试点省) around clause[start:end]? Not
    when what was approved is counted (全省累计获批5个国家区域医疗中心建设项目: the projects are the
    sites; 4家医院获批建设…: the hospitals are)."""
    return any(not _COUNTED_AFTER.match(clause, match.end()) and not _COUNTED_BEFORE.search(clause, 0, match.start())
               for match in cues()["designation"].finditer(clause, start, end))


def _negated(clause: str, start: int, end: int) -> bool:
    """Does the clause deny the programme at start:end (尚未开展…, …未覆盖)? A negation inside a
    description (…覆盖了前四批没有出现的吉林…) denies nothing."""
    negation = cues()["negation"]
    return bool(negation.search(clause, 0, start)) or any(
        not _DESCRIBES.match(clause, match.end()) for match in negation.finditer(clause, end))


@functools.cache
def cues() -> dict[str, re.Pattern]:
    return {name: re.compile(pattern) for name, pattern in load_yaml("cues.yaml").items()}


@dataclass
class EntityMention:
    """A mention resolved to an entity key, with the text it was seen as."""

    key: str
    type: str
    surface: str
    evidence: Evidence
    located_in: str | None = None  # hospitals: the region their name places them in


@dataclass
class Relation:
    subject: str
    predicate: str
    object: str
    evidence: Evidence


@dataclass
class DocumentExtraction:
    """Everything read from one document, before merging into the graph."""

    mentions: list[EntityMention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    readings: list[tuple[str, MetricReading, Evidence]] = field(default_factory=list)  # region key


@dataclass
class Scope:
    """The regions 全区/全省/自治区 can refer to at this point of the document."""

    document: str | None = None
    section: str | None = None
    paragraph: str | None = None

    def current(self) -> str | None:
        return self.paragraph or self.section or self.document


class RegionResolver:
    """Resolve region mentions and anaphors to entity keys using the administrative hierarchy."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def ancestors(self, key: str) -> list[str]:
        chain = []
        while key:
            chain.append(key)
            key = self.vocab.entries[key].parent if key in self.vocab.entries else None
        return chain

    def resolve(self, mention: Mention, scope: str | None) -> str | None:
        """The one region a mention names; ambiguous names are settled by the region in scope."""
        if mention.type == "Anaphor":
            return self.anaphor(mention.level or "any", scope)
        contextual = mention.surface in self.vocab.contextual_names
        if len(mention.keys) == 1 and not contextual:
            return mention.keys[0]
        if scope:
            context = set(self.ancestors(scope)[-1:] if contextual else self.ancestors(scope))
            inside = [key for key in mention.keys if context & set(self.ancestors(key)[1:])]
            if len(inside) == 1:
                return inside[0]
        return None

    def anaphor(self, level: str, scope: str | None) -> str | None:
        """全省 → the province in scope, 全市 → the city in scope (or a municipality), 全区 → the scope."""
        if scope is None or level == "any":
            return scope
        for key in self.ancestors(scope):
            entry = self.vocab.entries[key]
            if level == "province" and entry.subtype == "Province":
                return key
            if level == "city" and (entry.subtype == "City" or entry.label.endswith("市")):
                return key
            if level == "county" and entry.subtype == "County":
                return key
        return None


def _clauses(sentence: Sentence) -> Iterator[tuple[int, int]]:
    for match in _CLAUSE.finditer(sentence.text):
        yield sentence.start + match.start(), sentence.start + match.end()


class DocumentReader:
    """Walks one document's paragraphs, keeping the scope, and extracts its relations."""

    def __init__(self, doc_id: str, mapped: MappedText, original: str, vocab: Vocabulary) -> None:
        self.doc_id, self.mapped, self.original, self.vocab = doc_id, mapped, original, vocab
        self.regions = RegionResolver(vocab)
        self.scope = Scope()
        self.out = DocumentExtraction()
        self.target_year: int | None = None  # the plan year a paragraph's targets are for (到2025年,…)
        self.targets_section = False  # under a heading like 主要目标: every value is a target
        self.report_year: int | None = None  # the year an annual bulletin or work report is about
        self.listed_programme: str | None = None  # under …试点县名单: the programme the places listed pilot

    def run(self) -> DocumentExtraction:
        document_paragraphs = paragraphs(self.mapped.text)
        table_readings, table_paragraphs = read_tables(document_paragraphs, self.vocab)
        tables = iter(sorted(table_readings, key=lambda t: t.start))
        pending = next(tables, None)
        quoted = self._quoted_spans()
        recognized = [[(sentence, recognize(sentence.text, sentence.start, self.vocab, _within(quoted, sentence)))
                       for sentence in paragraph.sentences] for paragraph in document_paragraphs]
        self.scope.document = (self._opening_topic(document_paragraphs, recognized)
                               or self._title_place(document_paragraphs, recognized))
        annual = _ANNUAL_REPORT.search(document_paragraphs[0].text) if document_paragraphs else None
        self.report_year = int(annual.group(1) or annual.group(2)) if annual else None
        for index, paragraph in enumerate(document_paragraphs):
            while pending and pending.start < paragraph.end:  # a table speaks for the region in scope
                region = self.scope.current()
                if region:
                    sentence = Sentence(pending.start, pending.end, self.mapped.text[pending.start:pending.end])
                    self.out.readings.append((region, pending.reading, self._evidence(sentence)))
                pending = next(tables, None)
            if index not in table_paragraphs:
                self._paragraph(index, paragraph, recognized[index])
        return self.out

    def _quoted_spans(self) -> list[tuple[int, int]]:
        """Spans of the normalized text that the original puts in quotation marks (“千名医师下基层”)."""
        spans = []
        for match in _QUOTED.finditer(self.original):
            start = bisect.bisect_left(self.mapped.offsets, match.start(1))
            end = bisect.bisect_left(self.mapped.offsets, match.end(1))
            if self.mapped.text[start:end] == canonical_name(match.group(1)):
                spans.append((start, end))
        return spans

    def _evidence(self, sentence: Sentence) -> Evidence:
        start, end = self.mapped.original_span(sentence.start, sentence.end)
        return Evidence(self.doc_id, start, end, self.original[start:end])

    def _opening_topic(self, document_paragraphs: list[Paragraph],
                       recognized: list[list[tuple[Sentence, list[Mention]]]]) -> str | None:
        """The place an opening without a place heading is about: the place it names most often whose
        level its own 全市/全省/我区 (the level it uses most) refers to (…重庆每年为… 全市人均预期寿命…;
        …番禺区卫生健康局…获评广州市…全区共有…: 全区 is the district's, not the city's), or else the
        place of the outlet that publishes it (青海新闻网讯…全省…)."""
        opening, opening_paragraphs = [], []
        for paragraph, found in zip(document_paragraphs, recognized):
            mentions = [m for _, sentence_mentions in found for m in sentence_mentions]
            if paragraph.is_heading and self._place_named(paragraph, mentions):
                break
            opening.extend(mentions)
            opening_paragraphs.append(paragraph)
        anaphors = [m for m in opening if m.type == "Anaphor"]
        counts = Counter(m.level for m in anaphors).most_common()
        if not counts or len(counts) > 1 and counts[0][1] == counts[1][1]:
            return None
        level = counts[0][0]  # the level it speaks at most (全县 ×3, 全省家庭医生签约服务示范区 ×1)
        named = Counter(self.regions.resolve(mention, None) for mention in opening if mention.type == "Region")
        candidates = {key for key in named if key and self.regions.anaphor(level, key) == key
                      and all(self.regions.anaphor(other, key) for other, _ in counts)}
        if level == "any":  # 全区/我区: a district or an autonomous region, as its own name ends
            endings = tuple({m.surface[-1] for m in anaphors if m.level == "any"})
            candidates = {key for key in candidates if self.vocab.entries[key].label.endswith(endings)}
        if not candidates:  # 青海新闻网讯…全省…: a provincial outlet's 全省 is its province
            candidates = {key for key in self._outlets(opening_paragraphs) if self.regions.anaphor(level, key) == key}
        ranked = sorted(candidates, key=lambda key: (-named[key], key))
        if len(ranked) > 1 and named[ranked[0]] == named[ranked[1]]:
            return None  # no telling which
        return ranked[0] if ranked else None  # the one named most (芜湖 ×3 over 无为市 ×1)

    def _outlets(self, paragraphs: list[Paragraph]) -> set[str]:
        """The places of the news outlets the paragraphs name (青海新闻网, 福建日报: no place mentions)."""
        return {key for paragraph in paragraphs for _, end, name in self.vocab.find("Region", paragraph.text)
                if MEDIA.match(paragraph.text, end) for key in self.vocab.names["Region"][name]}

    def _title_place(self, document_paragraphs: list[Paragraph],
                     recognized: list[list[tuple[Sentence, list[Mention]]]]) -> str | None:
        """The place of a document whose front matter (what comes before its first numbered heading)
        has short lines that name one place only, its issuer and title (鄂尔多斯市人民政府办公室,
        鄂尔多斯市进一步完善医疗卫生…), and whose 我市/全市 there, if any, refer to that place."""
        places, anaphors = set(), set()
        for paragraph, found in zip(document_paragraphs, recognized):
            if paragraph.level >= 1:
                break
            mentions = [m for _, sentence_mentions in found for m in sentence_mentions]
            anaphors |= {m.level for m in mentions if m.type == "Anaphor"}
            if paragraph.is_heading:
                places |= {self.regions.resolve(m, None) for m in self._without_qualifiers(mentions, None)
                           if m.type == "Region"}
        if len(places) != 1 or None in places:
            return None
        place = places.pop()
        return place if all(self.regions.anaphor(level, place) == place for level in anaphors) else None

    def _paragraph(self, index: int, paragraph: Paragraph,
                   recognized: list[tuple[Sentence, list[Mention]]]) -> None:
        mentions = [m for _, found in recognized for m in found]
        if self._listed_site(paragraph, mentions):
            return
        place = self._place_named(paragraph, mentions)
        if paragraph.is_heading or not self.targets_section:
            self.target_year = None
        if paragraph.is_heading:
            self.targets_section = bool(_TARGETS_HEADING.search(paragraph.text))
            if place:
                self.scope.section, self.scope.paragraph = place, None
                if self.scope.document is None and index < 3:  # the title names the document's place
                    self.scope.document = place
            elif paragraph.level == 0:  # a new article or part with no place of its own
                self.scope.section = self.scope.paragraph = None
        elif place:
            self.scope.paragraph = place
        for sentence, found in recognized:
            planned = _PLAN_YEAR.search(sentence.text)
            if planned:  # 《规划》提出到2020年,初步建立…: the paragraph's values are that year's targets
                self.target_year = int(planned.group(1) or planned.group(2))
            self._sentence(sentence, found)

    def _listed_site(self, paragraph: Paragraph, mentions: list[Mention]) -> bool:
        """A list of sites under its title (紧密型县域医共体建设试点县名单(河北), then 馆陶县, 巨鹿县,
        保定市清苑区 … one per line; 国家区域医疗中心第一批试点, then 中国医学科学院阜外医院华中医院(依托…):
        心血管 …): each place, or each hospital a line opens with, pilots the title's programme. True
        for a line of places (a hospital's line is read as usual too)."""
        named = [m for m in mentions if m.type == "Region"]
        places = self._without_qualifiers(named, self.scope.current())
        bare = bool(places) and "".join(self.mapped.text[m.start:m.end] for m in places) == paragraph.text.strip()
        site = self.regions.resolve(places[0], self.scope.current()) if bare and len(places) == 1 else None
        if self.listed_programme and site:
            evidence = self._evidence(paragraph.sentences[0])
            for mention in named:  # 保定市清苑区: 保定市 is named too
                key = self.regions.resolve(mention, self.scope.current())
                if key:
                    self.out.mentions.append(EntityMention(key, "Region", mention.surface, evidence))
            self.out.relations.append(Relation(site, "pilots", self.listed_programme, evidence))
            return True
        opening = mentions[0] if mentions else None
        if (self.listed_programme and opening and opening.type == "Hospital" and opening.start == paragraph.start
                and len(paragraph.sentences) == 1):
            hospital = self._entity_key(opening, self.scope.current())
            self.out.relations.append(Relation(hospital, "pilots", self.listed_programme,
                                               self._evidence(paragraph.sentences[0])))
            return False
        self.listed_programme = None
        programmes = [m for m in mentions if m.type == "Program"]
        if paragraph.is_heading and programmes and _SITE_LIST.search(paragraph.text):
            self.listed_programme = self._entity_key(programmes[0], self.scope.current())
        return False

    def _place_named(self, paragraph: Paragraph, mentions: list[Mention]) -> str | None:
        """The place a heading names, or the place a paragraph opens with (福建省三明市: 三明市)."""
        for mention in self._without_qualifiers(mentions, self.scope.current()):
            if self._frame(mention):
                continue
            if mention.type == "Program" and mention.keys[0].startswith(HEALTHY_PREFIX):
                region = "region/" + mention.keys[0].removeprefix(HEALTHY_PREFIX)
            elif mention.type == "Region":
                region = self.regions.resolve(mention, self.scope.current())
            else:
                continue
            if region and (paragraph.is_heading or _opens(paragraph.text, mention.start - paragraph.start)):
                return region
        return None

    def _sentence(self, sentence: Sentence, mentions: list[Mention]) -> None:
        evidence = self._evidence(sentence)
        scope = self.scope.current()
        named = mentions
        mentions = [m for m in self._without_qualifiers(mentions, scope)
                    if not self._frame(m) and not self._rank_of(m, named)]
        subject = next((self.regions.resolve(m, scope) for m in mentions
                        if m.type in ("Region", "Anaphor") and _opens(sentence.text, m.start - sentence.start)),
                       None)
        resolved: dict[Mention, str] = {}
        previous: Mention | None = None
        for mention in dict.fromkeys([*named, *mentions]):
            key = self._entity_key(mention, subject or scope)
            if key and previous and self._other_name(previous, mention):
                key = resolved[previous]  # 山东第一医科大学第一附属医院(山东省千佛山医院): one hospital
            previous = mention if key else None
            if key:
                resolved[mention] = key
                if mention.type != "Anaphor" and mention in named:
                    surface = self._written(mention.start, mention.end) if mention.type == "Program" else mention.surface
                    self.out.mentions.append(EntityMention(key, mention.type, surface, evidence,
                                                           self._hospital_region(mention, subject or scope)))
        clauses = list(_clauses(sentence))
        national = cues()["national"]
        if not any(m.type in ("Region", "Anaphor") for m in mentions) and any(
                national.match(self.mapped.text[start:end].lstrip()) for start, end in clauses):
            subject = scope = None  # 按照党中央、国务院要求,…推进DRG/DIP: the country's doing, no place's
        if any(m.type == "Hospital" and _opens(sentence.text, m.start - sentence.start) for m in mentions):
            subject = scope = None  # 河南省儿童医院抢抓…机遇: what a hospital does is not its province's policy
        titles = [(sentence.start + t.start(), sentence.start + t.end()) for t in _TITLE.finditer(sentence.text)]
        stated = [m for m in mentions if not any(start <= m.start < end for start, end in titles)]  # not 《…》
        for clause_start, clause_end in clauses:
            clause = [m for m in stated if clause_start <= m.start < clause_end]
            text = self.mapped.text[clause_start:clause_end]
            implicit = self._implicit_subject(text, subject or scope)
            governed = bool(cues()["implement"].search(self.mapped.text[sentence.start:clause_start]))
            self._programme_relations(clause, mentions, resolved, implicit, text, clause_start, evidence, governed)
        self._selected_places(stated, resolved, evidence)
        self._titled_plans(titles, mentions, resolved, evidence)
        for reading in self._health_readings(sentence):
            phrase_at, value_at = sentence.start + reading.phrase_start, sentence.start + reading.start
            clause_start, clause_end = next(((s, e) for s, e in clauses if s <= phrase_at < e), clauses[0])
            places = [m for m in mentions if m.type in ("Region", "Anaphor") and m in resolved
                      and clause_start <= m.start < clause_end]
            before = [resolved[m] for m in places if m.start < value_at]
            text = self.mapped.text[clause_start:clause_end]
            implicit = self._implicit_subject(text, subject or scope)
            if len(set(before)) > 1:  # 在临汾、运城、长治布局4个中心: the count is the whole province's
                region = implicit
            else:
                region = before[-1] if before else (None if places else implicit)
            if region:
                reading = self._in_plan(replace(reading, written=self._as_written(sentence, reading)), sentence)
                self.out.readings.append((region, reading, evidence))

    def _health_readings(self, sentence: Sentence) -> list[MetricReading]:
        """The sentence's metric readings, but none about the party's or the administration's own
        business (对29个单位党组织…进行督导) or about another field (出版图书13621种)."""
        if cues()["internal"].search(sentence.text):
            return []
        return [reading for reading in read_metrics(sentence.text, self.vocab)
                if not cues()["off_domain"].search(reading.phrase)]

    def _in_plan(self, reading: MetricReading, sentence: Sentence) -> MetricReading:
        """A value with no year of its own, after 到2025年 in the same paragraph (or under 主要目标),
        is a target too, unless its sentence speaks of now (目前, 已, 截至…); in an annual statistical
        bulletin (2023年…统计公报) it is the bulletin's year's."""
        if reading.kind == "target":
            self.target_year = reading.year or self.target_year
        elif (reading.year is None and (self.target_year or self.targets_section)
              and not _PRESENT.search(sentence.text)):
            return replace(reading, kind="target", year=self.target_year)
        elif reading.year is None and self.report_year:
            return replace(reading, year=self.report_year)
        return reading

    def _as_written(self, sentence: Sentence, reading: MetricReading) -> str:
        """The indicator phrase with the quotation marks normalization took out: “两癌”筛查人次,
        实施“全院一张床”管理的医院数 (the words the name adds to the sentence's are kept as they are)."""
        for cut in range(len(reading.phrase), 1, -1):
            core, added = reading.phrase[:cut], reading.phrase[cut:]
            position = sentence.text.find(core, reading.phrase_start)
            if len(added) > max(3, cut):
                return ""
            if position >= 0:
                written = self._written(sentence.start + position, sentence.start + position + cut)
                return written + added if written != core else ""
        return ""

    def _written(self, start: int, end: int) -> str:
        """A normalized span as the original writes it, when it differs only by quotation marks
        (“千名医师下基层”, “移动医院”巡诊); otherwise the normalized text."""
        normalized = self.mapped.text[start:end]
        first, last = self.mapped.original_span(start, end)
        if first > 0 and self.original[first - 1] in _OPENING_QUOTES:
            if _unopened_quote(self.original[first:last]):  # 移动医院”巡诊 → “移动医院”巡诊
                first -= 1
            elif self.original[last:last + 1] in _CLOSING_QUOTES:  # 千名医师下基层 → “千名医师下基层”
                first, last = first - 1, last + 1
        written = self.original[first:last]
        balanced = written.count("“") == written.count("”") and written.count("「") == written.count("」")
        if balanced and canonical_name(written) == normalized:
            return written
        return normalized

    @staticmethod
    def _implicit_subject(clause_text: str, subject: str | None) -> str | None:
        """The subject a clause without a place of its own is about (none for national statements)."""
        return None if cues()["national"].match(clause_text.lstrip()) else subject

    def _entity_key(self, mention: Mention, scope: str | None) -> str | None:
        if mention.type in ("Region", "Anaphor"):
            return self.regions.resolve(mention, scope)
        if mention.type == "Hospital":
            return "hospital:" + mention.surface  # keyed properly in kg.resolve
        return mention.keys[0]

    def _hospital_region(self, mention: Mention, scope: str | None) -> str | None:
        """A hospital is where the last place in its name is (…医院宁夏妇女儿童医院 → 宁夏)."""
        if mention.type != "Hospital":
            return None
        hits = self.vocab.find("Region", mention.surface)
        for start, end, name in reversed(hits):
            key = self.regions.resolve(Mention(start, end, "Region", name,
                                               tuple(self.vocab.names["Region"][name])), scope)
            if key:
                return key
        return None

    def _programme_relations(self, clause: list[Mention], sentence_mentions: list[Mention],
                             resolved: dict[Mention, str], implicit: str | None, text: str, clause_start: int,
                             evidence: Evidence, governed: bool = False) -> None:
        """implements / pilots edges for the programmes of one clause (`governed`: a verb earlier in
        the sentence governs it, as in 推动出台…财政补助机制,人事薪酬制度改革政策,…).

        A place named right before a programme with a pilot cue (包头、赤峰、乌海3个…试点) pilots it;
        the place in scope pilots only when the text designates it (示范区, 试点省, 入选, 获批);
        otherwise it implements. Hospitals next to a designation (国家区域医疗中心北京大学第一医院…,
        依托…医院建设…中心) pilot it.
        """
        patterns = cues()
        for index, programme in enumerate(clause):
            if programme.type != "Program" or programme not in resolved:
                continue
            local_start, local_end = programme.start - clause_start, programme.end - clause_start
            if _negated(text, local_start, local_end):
                continue
            following = clause[index + 1].start - clause_start if index + 1 < len(clause) else len(text)
            # the words around it, but not a cue of the list item before (国家自主创新示范区、京津冀协同发展)
            window = max(0, local_start - 6, text.rfind("、", 0, local_start) + 1), min(following, local_end + 12)
            around = text[window[0]:window[1]]
            if patterns["replaced_before"].search(text[:local_start]) and patterns["replaced_after"].match(
                    text[local_end:]):
                continue  # 从传统的按项目付费转变为…: the practice the reform replaces
            pilot = bool(patterns["pilot"].search(around))
            if not (pilot or governed or _names_an_action(programme.surface)
                    or patterns["implement"].search(text[:local_start] + " " + text[local_end:])):
                continue
            place_mentions = [m for m in clause[:index] if m.type in ("Region", "Anaphor") and m in resolved]
            sites = self._named_right_before(programme, place_mentions, resolved)
            places = [resolved[m] for m in place_mentions]
            hospitals = self._designated_hospitals(programme, clause, sentence_mentions, resolved, evidence)
            for hospital in hospitals:
                self.out.relations.append(Relation(resolved[hospital], "pilots", resolved[programme], evidence))
            hosts = self._host_places(programme, sentence_mentions, resolved)
            if pilot and sites and not hospitals:  # 包头、赤峰、乌海3个…试点: the places named are the sites
                for site in dict.fromkeys(sites):
                    if self._may_carry(site, resolved[programme]):
                        self.out.relations.append(Relation(site, "pilots", resolved[programme], evidence))
                places, predicate = [p for p in places if p not in sites], "implements"
            designated = _designates(text, *window) and not patterns["aspiration"].search(text[:local_start])
            if places:
                predicate = "pilots" if pilot and designated and not hospitals else "implements"
            elif hosts:  # 两个国家区域医疗中心项目落户河北 / …中心,分别在伊犁、克拉玛依
                places, predicate = hosts, "implements"
            else:
                places = [implicit] if implicit else []
                local = implicit and self.vocab.entries[implicit].subtype != "Province" and _LOCAL_PILOT.search(
                    text, local_start, local_end + 4) and not patterns["aspiration"].search(text[:local_start])
                predicate = "pilots" if (designated or local) and not hospitals else "implements"
            for subject in dict.fromkeys(places):
                if self._may_carry(subject, resolved[programme]):
                    self.out.relations.append(Relation(subject, predicate, resolved[programme], evidence))

    def _without_qualifiers(self, mentions: list[Mention], scope: str | None) -> list[Mention]:
        """安徽省天长市 names 天长市: the province written before it only qualifies the name. The place
        is taken as spanning both (the province is still an entity of the text, but no subject or site)."""
        kept: list[Mention] = []
        for mention in mentions:
            outer = kept[-1] if kept else None
            if (outer and outer.type == mention.type == "Region" and mention.start == outer.end
                    and self._qualifies(outer, mention, scope)):
                kept[-1] = replace(mention, start=outer.start)
            else:
                kept.append(mention)
        return kept

    def _qualifies(self, outer: Mention, inner: Mention, scope: str | None) -> bool:
        outer_key = self.regions.resolve(outer, scope)
        inner_key = self.regions.resolve(inner, outer_key or scope)
        return bool(outer_key and inner_key and outer_key in self.regions.ancestors(inner_key)[1:])

    def _other_name(self, named: Mention, mention: Mention) -> bool:
        """Is `mention` a hospital's other name, in parentheses right after it?"""
        return (named.type == mention.type == "Hospital" and self.mapped.text[named.end:mention.start] == "("
                and self.mapped.text[mention.end:mention.end + 1] == ")")

    def _frame(self, mention: Mention) -> bool:
        """在全省率先实施…, 在全国首个…: the place is what the doer is compared within, not the doer;
        广州7月5日电: a news dateline says where the report was filed."""
        if mention.type not in ("Region", "Anaphor"):
            return False
        text = self.mapped.text
        return (text[mention.start - 1:mention.start] == "在" and bool(_COMPARED.match(text, mention.end))
                or bool(_DATELINE.match(text, mention.end)))

    def _rank_of(self, mention: Mention, mentions: list[Mention]) -> bool:
        """争创全省家庭医生签约服务示范区, 5个科室获批云南省临床重点专科: the place written into a
        designation gives its rank, it is no site."""
        following = next((m for m in mentions if m.start >= mention.end), None)
        if following is None or following.type != "Program" or following.start != mention.end:
            return False
        if mention.type == "Anaphor":
            return bool(_RANKED.match(self.mapped.text, following.end))
        return mention.type == "Region" and bool(_GRANTED.search(self.mapped.text, max(0, mention.start - 4),
                                                                  mention.start))

    def _titled_plans(self, titles: list[tuple[int, int]], mentions: list[Mention], resolved: dict[Mention, str],
                      evidence: Evidence) -> None:
        """《青海省全面推进紧密型县域医疗卫生共同体建设实施方案》: a place's own plan for a programme
        says the place carries it out (other titles in 《》 only name documents)."""
        for start, end in titles:
            if not _PLAN_TITLE.search(self.mapped.text, start, end):
                continue
            inside = [m for m in mentions if start <= m.start < end and m in resolved]
            place = next((m for m in inside if m.type == "Region"), None)
            for programme in inside:
                if place and programme.type == "Program" and programme.start > place.start and self._may_carry(
                        resolved[place], resolved[programme]):
                    self.out.relations.append(Relation(resolved[place], "implements", resolved[programme], evidence))

    def _selected_places(self, mentions: list[Mention], resolved: dict[Mention, str], evidence: Evidence) -> None:
        """…示范项目名单,徐州市、宁波市、深圳市等15个城市入选: places listed right before 入选/获批 pilot
        the pilot or demonstration programme the sentence named before them; so do places named 作为…试点
        in a clause of their own (推进医疗服务价格改革,内蒙古作为三个国家首批省级试点之一)."""
        text = self.mapped.text
        for index, mention in enumerate(mentions):
            if mention.type != "Region" or mention not in resolved:
                continue
            named_as = _NAMED_AS_PILOT.match(text, mention.end)
            if named_as and any(m.type == "Program" and mention.end <= m.start < named_as.end() for m in mentions):
                continue  # 作为DRG付费试点城市: the clause names its programme itself
            if not (named_as or _SELECTED.match(text, mention.end)):
                continue
            first = index
            while (first > 0 and mentions[first - 1].type == "Region" and mentions[first - 1] in resolved
                   and text[mentions[first - 1].end:mentions[first].start] in _LIST_JOINTS):
                first -= 1
            listed = mentions[first:index + 1]
            programme = next((m for m in reversed(mentions[:first]) if m.type == "Program" and m in resolved), None)
            if programme and (named_as or cues()["pilot"].search(text[programme.start:listed[0].start])):
                for place in listed:
                    self.out.relations.append(Relation(resolved[place], "pilots", resolved[programme], evidence))

    def _may_carry(self, place: str, programme: str) -> bool:
        """健康湖南 is carried out in 湖南 and its cities and counties, never in 浙江."""
        if not programme.startswith(HEALTHY_PREFIX):
            return True
        return "region/" + programme.removeprefix(HEALTHY_PREFIX) in self.regions.ancestors(place)

    def _named_right_before(self, programme: Mention, places: list[Mention], resolved: dict[Mention, str]
                            ) -> list[str]:
        """The places listed right before a programme (闵行、青浦、嘉定等区紧密型城市医疗集团试点;
        包头、赤峰、乌海3个…试点), not a subject further away (安徽省将从…、…试点、…等方面发力).
        A city or county that conducts a pilot (长沙市、株洲市开展…试点) is a site; a province that
        does (黑龙江省开展…试点) runs it somewhere inside, unless the text says where (在武汉、宜昌开展…)."""
        text, listed, end = self.mapped.text, [], programme.start
        conducted = False
        for place in reversed(places):
            gap = text[place.end:end]
            close = None if listed else _CLOSE_BEFORE.fullmatch(gap)
            if listed and gap not in _LIST_JOINTS or not listed and not close:
                break
            conducted = conducted or bool(close and close.group("conduct"))
            listed.append(place)
            end = place.start
        sites = [resolved[place] for place in reversed(listed)]
        if conducted and not text[:end].endswith("在"):
            return [site for site in sites if self.vocab.entries[site].subtype != "Province"]
        return sites

    def _host_places(self, programme: Mention, sentence_mentions: list[Mention],
                     resolved: dict[Mention, str]) -> list[str]:
        """Places a programme is located in, named after it: …落户河北, …分别在伊犁、克拉玛依、巴州,
        …名单覆盖了前四批没有出现的吉林、湖南…6个省份."""
        after = [m for m in sentence_mentions if m.start >= programme.end]
        first = next((i for i, m in enumerate(after) if m.type == "Region"), None)
        if first is None or not _HOSTED.match(self.mapped.text, programme.end, after[first].start):
            return []
        hosts = []
        for previous, mention in zip([None, *after[first:]], after[first:]):
            if mention.type != "Region" or mention not in resolved or (
                    previous and self.mapped.text[previous.end:mention.start] not in ("、", "和", "及")):
                break
            hosts.append(resolved[mention])
        return hosts

    def _juxtaposed(self, end: int, start: int) -> bool:
        """Is the mention starting at `start` written right after the one ending at `end`?"""
        return start >= end and bool(_JUXTAPOSED.fullmatch(self.mapped.text, end, start))

    def _designated_hospitals(self, programme: Mention, clause: list[Mention], sentence_mentions: list[Mention],
                              resolved: dict[Mention, str], evidence: Evidence) -> list[Mention]:
        """Hospitals the sentence names as sites of a designation programme (…中心, 试点, 示范)."""
        adjacent = [m for m in clause if m.type == "Hospital" and m in resolved  # …中心北京大学第一医院
                    and (self._juxtaposed(programme.end, m.start) or self._juxtaposed(m.end, programme.start))]
        label = self.vocab.entries[resolved[programme]].label if resolved[programme] in self.vocab.entries else ""
        if adjacent or not re.search(r"中心|试点|示范", label) or not cues()["site"].search(evidence.sentence):
            return adjacent
        hospitals = []  # the sentence's hospitals after the last programme named before this one
        for mention in sentence_mentions:
            if mention.type == "Program" and mention.start < programme.start:
                hospitals = []
            elif mention.type == "Hospital" and mention in resolved:
                hospitals.append(mention)
        return hospitals


def extract(doc_id: str, mapped: MappedText, original: str, vocab: Vocabulary) -> DocumentExtraction:
    """Mentions, relations and metric readings of one normalized document."""
    return DocumentReader(doc_id, mapped, original, vocab).run()
