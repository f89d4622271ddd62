"""Metric readings in a sentence: which indicator a number measures, its year, report or target.

Three ways Chinese reports attach a number to an indicator:
- 县域内就诊率达到85%: the indicator comes before the number (with a linking verb);
- 健全213个医疗机构: a count, the thing counted comes after the number;
- 孕产妇、婴儿死亡率分别为5.74/10万、2.28‰: a list that distributes over several indicators;
and 由9.52/10万下降至5.71/10万 gives two readings of one indicator.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from kg.numbers import Quantity, find_quantities
from kg.vocab import Vocabulary
from kg.words import tagged, tokenizer

_TIME_LEAD = (r"(?:(?:截至|截止|到|至|在|从|自|于)?\d{4}年(?:底|末|初|以来|上半年|下半年|\d{1,2}月(?:底|末)?)?(?:的)?"
              r"|\d{4}[—\-~～至到]\d{4}年(?:上半年|下半年)?|\(?\d{1,2}\)|(?:改革|实施|建设)[前后]"
              r"|(?:\d+|[一二两三四五六七八九十]+)年(?:来|内|间)?|年末|年底|年初|目前|当前|现在|每年|每月|次年|当年"
              r"|同年|五年来|近年来|近\S年来|今年|去年|全年|年内|其中|同时|另外|此外|此|并|且|还|已经|已|累计|共有|现有|共"
              r"|全部|全系统|全行业|辖区|各类型|各类(?!别)|均|为|对|让|使|和|与|及|的|了(?!解)|分别|截至目前|通过|共计|合计"
              r"|总计|新增|全国|各级各类|力争|将|如|例如|比如)")
_LEAD_NOISE = re.compile(rf"^(?:{_TIME_LEAD})+")
_ADVERBS = re.compile(r"^(?:累计|共计|共|已经|已|分别|均|都)+")
_LINK_VERB = (r"(?:已经|已|将|将会|有望|力争|平均|均|分别|累计|共|全部|提前|持续|稳定|进一步|整体|首次|一直|始终|仅|只|仍)*"
              r"(?:达到了|达到|达|为|是|共有|现有|拥有|提高了|提高到|提高至|提升到|提升至|提升为|增加到|增加至|增至|增长到|"
              r"增长至|上升到|上升至|下降到|下降至|下降了|降低到|降低至|降到|降至|减少到|减少至|控制在|保持在|"
              r"稳定在|维持在|缩短到|缩短至|缩短为|总计|合计|共计|超过|突破|不低于|不少于|低于|高于|增长|增加|提高|提升|下降|降低|减少|"
              r"约|近|逾|超)+(?:了)?")
_TRAIL_VERB = re.compile(rf"{_LINK_VERB}$")
_PER_UNIT_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])(?:每人每年|每人每月|每人|每年|每月|每床日|每床|年人均|人均)$")
# a bare change verb before the number: the number is the change, not the level (外转率平均下降89.6%)
_CHANGE_TAIL = re.compile(r"(?:(?:较|比)[^,;、]{0,10}?|同比|环比)?(?:平均|累计|分别)*"
                          r"(?:(增长|增加|提高|提升|上升)|下降|降低|降价|减少|缩短)了?$")
_LEADING_VERB = re.compile(r"^(?:建成|建设|新建|完成|配备|培养|培训|招聘|建立|设立|组建|创建|打造|开展|实施|"
                           r"投入|安排|争取|支持|筛查|接种|救治|服务|累计|为|共|已)+(?![率数]|人口)")  # not 接种率, 服务人口
_TREND_CLAUSE = re.compile(r"([^,;。]{2,})(?:(?:稳步|持续|不断|逐年|逐步|明显|显著|大幅|进一步|有所)+"
                           r"(?:提升|提高|上升|增长|增加|改善|下降|降低|减少)|翻番|翻了一番|实现翻番)$")
_CHANGE_LEAD = re.compile(r"^(?:较|比|同比|环比)")
# 由2016年的…, 从2012年的人均…, 由和平解放初期(即1951年)的…, 由建设前的…: where a before→after pair starts
_FROM = re.compile(r"(?:已经|已|将)?(?:由|从)(?:[^,;。由从\d]{0,10}?\(?(?:即)?((?:19|20)\d{2})年\)?(?:的)?"
                   r"|[^,;。由从\d]{1,10}?(?:的|期间|时期|末))?(?:人均|每人)?$")
_TO = re.compile(r"^[^,;]{0,6}?(?:下降|降|提高|提升|增长|增加|上升|减少|扩大|缩小|升|增|达)[^,;]{0,2}?"
                 r"(?:到|至|为)了?(?:((?:19|20)\d{2})年|今年|去年|当年|目前|现在|当前|如今)?(?:的)?(?:人均|每人)?$")
_BASE_YEAR = re.compile(r"(?:较|比|相比|相较)于?$")
_YEAR_SPAN = re.compile(r"((?:19|20)\d{2})[—\-~～至到]((?:19|20)\d{2})年")
_YEAR = re.compile(r"(?<![\d\-—~～])((?:19|20)\d{2})年(?![\-—~～]\d)")  # a year a report could mean
_TARGET = re.compile(r"(?<![截降升高长加少低])(?:到(20\d{2})年|至(20\d{2})年(?!底|末|\d))|(20\d{2})年(?:前|目标)|力争|"
                     r"目标(?!人群)|预计|预期(?!寿命)|规划期末")
_ITEM_SPLIT = re.compile(r"[、,](?![^()]*\))")  # not inside (含中西医结合医院、少数民族医医院)
_LISTED = re.compile(r"、(?![^()]*\))")
_AND_SPLIT = re.compile(r"(?:和|及)(?![^()]*\))")
_RATIO_SUFFIX = re.compile(r"(?:率|数|比|比例|比重|水平|占比|人数|次数|寿命)$")
_MEASURE_SUFFIX = re.compile(r"(?:率|数|比|比例|比重|水平|占比|寿命|人次|数量|总量|规模|金额|费用|经费|资金|支出|收入|"
                             r"限额|降幅|增幅|床位|时间|天数|指数|补助|补贴|奖励|投入|资助|诊疗量|门诊量|门急诊量|服务量|就诊量|手术量|"
                             r"服务人口|覆盖人口)$")
_COUNT_SUFFIX = {"人次": "人次", "万人次": "人次", "亿人次": "人次", "人": "人数", "万人": "人数", "亿人": "人数",
                 "名": "人数", "万名": "人数"}
_RATIO_UNITS = {"%", "‰", "个百分点"}
_TIME_UNITS = {"天", "日", "小时", "分钟"}
_TIME_SUFFIX = re.compile(r"(?:时间|天数|日|时限|时长|周期|期限|天|小时|分钟|用时|间隔)$")
_MONEY = {"元", "万元", "千元", "亿元"}
_KIND_SUFFIX = {"种": "种数", "类": "类数", "例": "例数", "万例": "例数", "次": "次数", "万次": "次数"}  # 集采药品1073种 → 集采药品种数
_PERSON_NOUN = re.compile(r"(?:员|师|士|生|者|医|工|人|老人|儿童|女孩|妇女|患者|学者|大师)$")
# people who hold a title or an honour are counted in 人数 (国医大师人数), staff in 数 (注册护士数)
_TITLE_HOLDER = re.compile(r"(?:大师|名医|名中医|名师|学者|英才|专家|获得者|标兵|模范|先进个人)$")
_FACILITY = re.compile(r"(?:机构|中心|医院|病房|病区|科室|门诊|床位|站|室|所|院|项目|队|团队|网|平台|联盟|基地)")
_BARE_MEASURES = {"覆盖率", "占比", "比例", "比重", "增长率", "增速", "增幅", "降幅", "完成率", "达标率"}
_RAISE_OR_SPEND = re.compile(r"提高|提升|增加|降低|减少|下降|上升|安排|投入|筹集|下达")  # the amount's level
_AMOUNT = re.compile(r"(?:支出|收入|费用|金额|资金|经费|投入|基金)$")
_SIDE = re.compile(r"(?:收入|支出|结余|余额)$")  # the sides of one fund's account
_OWNED = {"床位", "床", "托位", "人员", "卫生人员", "职工", "医师", "护士", "卫生技术人员", "品种"}  # measures of a named thing
_TASKS = "行动|工程|任务|工作|措施|举措"
_NOT_COUNTED = re.compile(rf"(?:{_TASKS}|政策|文件|方案|意见|制度|试点|示范项目|方面|之一|目标|指标|基础上)$")
# 8个县市: the places are listed next, no indicator; 81个县(市、区)建设医共体 counts places that do something
_PLACES = re.compile(r"^(?:县市|县区|区县|市县|县|市|区|省|省份|地市|地级市|设区市|市州|盟市|旗县)(?:\([^)]*\))?$")
_ABSTRACT = re.compile(rf"{_TASKS}|建设|力度|进展|成效")  # heads of a noun phrase, not of a predicate
_A_MEASURE = re.compile(r"(?:人次|人数|率|比例|比重|占比|费用|金额|收入|支出)$")
_DISTRIBUTIVE = re.compile(r"每(?:一)?(?:个|所|家|名|村|乡|镇|县)|至少|均(?:建设|建成|设置|设立|配备|有)")
_FRAME_END = re.compile(r"(?:基础上|之上|之中|之下|期间|以来|上|中|下|里|内)$")
_RANK = re.compile(r"第[一二三四五六七八九十\d]+(?:位|名)|排名|位列|位居")
_RANKING = re.compile(r"^(?:整体|综合)*(?:位列|位居|排名|名列|排在|居)")
_COORDINATED = re.compile(r"^(?:和|及|与|以及|、)(?=\d)")  # 114个乡镇卫生院和22个社区卫生服务中心达到…
_GENERIC_TAIL = re.compile(r"(?:建设任务|建设|工作|任务)$")  # 省级区域医疗中心项目建设 (N个): the projects
_HAVE_OR_BUILD = {"有", "拥有", "共有", "现有", "建有", "设有", "达", "达到", "为", "是", "建成", "建设", "新建",
                  "改扩建", "建立", "组建", "创建", "打造", "布局", "认定", "培育", "新增", "增加", "获批", "争取",
                  "推进", "加快", "完成", "实现", "包括", "涵盖", "覆盖"}
_PROGRESS = re.compile(r"(?:正在|正|已|均)?(?:有序|稳步|加快|积极|全面|扎实|顺利)?(?:推进|建设|实施|推进中|建设中)")
_PROGRESS_TAIL = re.compile(r"(?:正在|正|已|均)?(?:有序|稳步|加快|积极|全面|扎实|顺利)(?:推进|建设|实施)中?$")
_MANNER_TAIL = re.compile(r"(?:深入|全面|扎实|有序|稳步|积极|持续|加快|正在|正)+$")
_LIGHT_VERB = re.compile(r"^(?:提供|进行|给予)(?=[\u4e00-\u9fff]{2})")  # the service, not the giving
_ALL_OF_THEM = {"均", "全部", "都"}  # 13个设区市全部实现DIP付费 → 实现DIP付费的设区市数
_MANNER = {"全面", "率先", "先后", "陆续", "相继", "正式", "基本"} | _ALL_OF_THEM  # 139个县|全面推开医共体建设
_NOT_A_PREDICATE = {"有", "为", "是", "达", "共", "等", "已"}  # after the counted noun
_LINKING_WORDS = {"累计", "共", "共计", "总计", "合计", "了", "已", "已经", "全省", "全区", "全市", "分别"}
_VERB_FLAGS = {"v", "vd", "d", "ad", "p", "c", "u", "uj", "ul", "uz", "ug", "y"}
_LEVEL_LEAD = re.compile(r"^[^级、]{1,4}级")
_SHARED_SUFFIX = re.compile(r"(?:患者[\u4e00-\u9fff]{0,4}|[\u4e00-\u9fff]{2})(?:率|比例|比重|占比|水平)$")
_INNER_PERIOD = re.compile(r"(?<=[\u4e00-\u9fff])近(?:\d+|[一二两三四五六七八九十]+)年(?=[\u4e00-\u9fff])")
_GROUP = re.compile(r"^[\u4e00-\u9fff\d]{1,10}?(?:人群|人口|患者|儿童|老人|老年人|孕产妇|妇女|学生|居民|群众|对象)(?=.)")
_SERVED_GROUP = re.compile(r"^(?:目标人群|服务对象|适龄人群)")
_PLACE_NOTE = re.compile(r"\((?:含|不含|包括|包含)([^()]{1,12})\)")  # 医疗卫生机构(含兵团): the scope, not the indicator
_LEVEL_PART = re.compile(r"(?:国家|省|自治区|市|县|区|地市|市\(县\)|县\(市、区\))级")
_POPULATION_PART = re.compile(r"城镇居民|农村居民|男性|女性|城镇|农村|城市|男|女")
_FACILITY_COUNTS = {"个", "家", "所", "间", "万个", "万家"}
_FACILITY_HEADS = "医院|卫生院|卫生室|机构|中心|诊所"
_FACILITY_PART = re.compile(rf"[\u4e00-\u9fff]{{0,8}}(?:{_FACILITY_HEADS})")
_FACILITY_OWNER = re.compile(rf"^[\u4e00-\u9fff]{{0,10}}?(?:{_FACILITY_HEADS})(?=.{{2,}}$)")
# 常住人口每千人床位数 → 每千常住人口床位数; 千人口执业(助理)医师, 千人注册护士 → 每千人口…
_PER_THOUSAND = re.compile(r"^(常住人口)?(?:每千人(?![口次])|千人口|千人(?=执业|注册|医师|护士|床位|药师|全科|卫生))")
_STAFF_OR_BEDS = re.compile(r"(?:医师|护士|医生|药师|人员|床位)数?$")
PER_CAPITA_HAVING = re.compile(r"^(每[千万十百]?(?:常住)?人口|人均)拥有")
_HAVING = re.compile(r"(?<=[\u4e00-\u9fff])拥有(?=[\u4e00-\u9fff]{2})")
_PER_CAPITA_PREFIX = re.compile(r"^(?:每[千万十百](?:常住)?人口|每[千万]人|人均|每万名?)")
_STOP_TOKENS = {"和", "及", "与", "等", "的", "以及", "或", "在", "为", "对", "将", "是", "有", "被", "已", "均",
                "共", "全部", "全面", "累计", "达到", "实现", "成为", "提供", "完成", "覆盖", "开展", "入选",
                "获得", "参加", "纳入", "提高", "增加", "通过", "达", "接受", "享受", "得到", "免费", "进行",
                "设立", "设置", "实施", "新增", "获批", "进入", "结算", "修缮", "建成", "签约", "接入", "开设",
                "配备", "评选", "位列", "排名", "位居", "上市", "实行", "加快", "持续", "积极", "全面", "至少", "给"}
_MAX_PHRASE = 24
_AGE_BRACKET = re.compile(r"^\d+(?:[-—~～]\d+)?岁(?:及以上|以上|及以下|以下)?")


@dataclass(frozen=True)
class MetricReading:
    """One number read as the value of an indicator. Offsets are relative to the sentence."""

    start: int
    end: int
    phrase_start: int
    phrase: str  # the indicator as the sentence words it
    metric: str | None  # vocabulary metric key, when the phrase names a known indicator
    quantity: Quantity
    year: int | None
    kind: str  # reported / target
    written: str = ""  # the phrase as the original text writes it, when that differs (农村妇女“两癌”筛查人次)


def _noun_after(text: str) -> str:
    """The thing a count counts: 医疗机构 in '213个医疗机构、84个…', 65岁以上老人 in '390万名65岁以上老人'
    (none in '医院2218个(民营医院1519个)': the parenthesis breaks the count down)."""
    if text.startswith("("):
        return ""
    segment = re.match(r"(?:\([^()]*\)|[^,;、。:])*", text).group()[:2 * _MAX_PHRASE]  # 县(市、区)
    if segment.endswith("级"):  # 25个自治区级、100个盟市级、300个旗县级临床重点专科: the noun comes last
        later = re.search(r"级([^级,;、。:]{2,})", text[len(segment):])
        segment += later.group(1) if later else ""
    if "的" in segment and "为代表的" not in segment:  # 91个达到二级医院水平的县域医疗次中心: the head
        # noun follows the last 的; but in 以6名学者为代表的人才库 the count is of the examples
        segment = segment.rsplit("的", 1)[1]
    age = _AGE_BRACKET.match(segment)
    words: list[str] = [age.group()] if age else []
    for token in tokenizer()(segment[len(words[0]) if words else 0:][:_MAX_PHRASE]):
        inside = "".join(words).count("(") > "".join(words).count(")")
        if inside:  # 中药(蒙药)饮片, 县(市、区)
            words.append(token.text)
            continue
        if token.text in ("和", "及") and words and _noun_joined(segment[token.idx + 1:]):
            words.append(token.text)  # 407名医学生和全科医生: one count of both
            continue
        if (token.is_punct and token.text != "(" or token.like_num or token.text in _STOP_TOKENS
                or not re.match(r"[\u4e00-\u9fffA-Za-z(]", token.text)):
            break
        words.append(token.text)
    # 18项健康广东行动|深入|实施, 4个省级区域医疗中心|正有序推进: how they fare is no part of the noun
    noun = _MANNER_TAIL.sub("", _PROGRESS_TAIL.sub("", _before_predicate("".join(words))))
    listed = text.startswith(noun + "、") and not re.search(r"\d", re.match(r"[^,;。]*", text).group())
    next_word = tagged(text[len(noun) + 1:len(noun) + 9])[:1] if listed else ()
    if noun.endswith("级") or listed and not (next_word and next_word[0].flag == "v"):
        return ""  # 731家二级及以上和基层…, 592个胸痛、卒中…救治中心: the counted thing comes later
    return noun  # (but 建设50家高水平医院、实现地级市全覆盖: a verb follows, the hospitals are counted)
    return noun


def _noun_joined(rest: str) -> bool:
    """Does a noun with no count of its own follow 和 (医学生和|全科医生), not a number or a verb?"""
    first = next(iter(tagged(rest[:8])), None)
    clause = re.match(r"[^,;、。:]*", rest).group()
    return bool(first and not re.match(r"v|[pcudmrqx]", first.flag) and not find_quantities(clause))


def _names_after(text: str) -> bool:
    """Does a noun follow a count (20个|行动…样板), rather than a verb (21种|增加到43种) or punctuation?"""
    first = next(iter(tagged(text[:8])), None)
    return bool(first and re.match(r"[\u4e00-\u9fff]", first.word) and not re.match(r"v(?!n)|[dpcu]", first.flag))


def _before_predicate(noun: str) -> str:
    """Cut a counted noun at the verb that starts its predicate: 医院|推广检查检验结果互认, but a
    verb inside a facility's name stays (医养结合机构)."""
    words = tagged(noun)
    for index in range(1, len(words)):
        rest = "".join(word.word for word in words[index + 1:])
        head = "".join(word.word for word in words[:index])
        verb = words[index].flag == "v" or words[index].flag == "vn" and _PLACES.match(head)  # 县(市、区)|建设
        if verb and len(words[index].word) >= 2 and rest and not _FACILITY.match(rest):
            return head
    return noun


def _clean(phrase: str, vocab: Vocabulary) -> str:
    """Strip time words, scope words, leading places and linking verbs off an indicator phrase."""
    while True:
        before = phrase
        phrase = _LEAD_NOISE.sub("", phrase)
        phrase = _TRAIL_VERB.sub("", _PER_UNIT_TAIL.sub("", phrase))  # 补助标准提高到每人每年|640元
        if phrase.startswith("在") and (_starts_with_place(phrase[1:], vocab) or phrase[1:3] in vocab.anaphors):
            phrase = phrase[1:]  # 在全省34个…: a place, not part of a name
        for word in vocab.anaphors:
            if not phrase.startswith(word + "级"):  # 自治区级区域医疗中心 keeps its level
                phrase = phrase.removeprefix(word)
        hits = vocab.find("Region", phrase)
        if hits and hits[0][0] == 0 and not phrase[hits[0][1]:].startswith(("医院", "大学", "级")):
            phrase = phrase[hits[0][1]:]
        phrase = PER_CAPITA_HAVING.sub(r"\1", phrase.lstrip("、的(),;: ").rstrip(":"))  # 每千人口拥有…床位数
        phrase = _HAVING.sub("", phrase)  # 医院、卫生院拥有床位 → 医院、卫生院床位
        phrase = _PER_THOUSAND.sub(lambda m: "每千常住人口" if m.group(1) else "每千人口", phrase)  # 每千人床位数
        phrase = _INNER_PERIOD.sub("", phrase)  # 次均费用近5年平均增幅: the period is the year's business
        phrase = _PLACE_NOTE.sub(lambda note: "" if vocab.find("Region", note.group(1)) else note.group(), phrase)
        if phrase == before:
            break
    if len(phrase) > _MAX_PHRASE:  # lists in parentheses go first: 中医医院(含中西医结合医院、…)开设…
        phrase = re.sub(r"\([^()]*、[^()]*\)", "", phrase)
    if len(phrase) > _MAX_PHRASE:  # keep the end, starting at a word boundary
        cut = min((t.idx for t in tokenizer()(phrase) if t.idx >= len(phrase) - _MAX_PHRASE), default=0)
        phrase = phrase[cut:]
    return phrase if re.search(r"[\u4e00-\u9fff]{2}", phrase) else ""


def _starts_with_place(phrase: str, vocab: Vocabulary) -> bool:
    hits = vocab.find("Region", phrase[:12])
    return bool(hits) and hits[0][0] == 0


def _level_word(item: str, vocab: Vocabulary) -> str:
    """A list item that is only a level (国家、自治区、市(县)级…): kept so that it can borrow the noun."""
    item = _LEADING_VERB.sub("", item.strip())
    return item if item in vocab.anaphors or item in ("国家", "省", "市", "县") else ""


def _distribute(items: list[str]) -> list[str]:
    """孕产妇、婴儿、5岁以下儿童死亡率 → each item gets the shared 死亡率; 每千人口 spreads forward."""
    items = list(items)
    for i in range(len(items) - 2, -1, -1):
        if not _RATIO_SUFFIX.search(items[i]):
            shared = _SHARED_SUFFIX.search(items[i + 1])
            level = _LEVEL_LEAD.match(items[i + 1])
            if items[i].endswith("级") and level:  # 三级和二级(以上)妇幼保健院…比例: the rest after the level
                items[i] += re.sub(r"^及?以[上下]", "", items[i + 1][level.end():])
            elif shared:
                items[i] += shared.group()
            elif len(items[i]) <= 3:  # 国家、自治区、市(县)级重点专科: a level word borrows the noun
                level = items[i + 1].rfind("级")
                noun = items[i + 1][level:] if level >= 0 else items[i + 1][-4:]
                items[i] += noun.removeprefix("级") if items[i].endswith("级") else noun
    prefix = _PER_CAPITA_PREFIX.match(items[0]) if items else None
    if prefix:
        items = [items[0]] + [item if _PER_CAPITA_PREFIX.match(item) else prefix.group() + item
                              for item in items[1:]]
    return items


def _groups(text: str, quantities: list[Quantity]) -> list[list[Quantity]]:
    """Quantities joined by 、 (or 和/及, or a comma between like units) form one group: 36个、94个、213个."""
    groups: list[list[Quantity]] = []
    for quantity in quantities:
        joint = text[groups[-1][-1].end:quantity.start] if groups else ""
        if groups and (re.fullmatch(r"\s*(?:、|和|及)\s*", joint)
                       or joint == "," and groups[-1][-1].unit == quantity.unit):
            groups[-1].append(quantity)
        else:
            groups.append([quantity])
    return groups


def _year_and_kind(text: str, position: int) -> tuple[int | None, str]:
    """The year a number is for, and whether it is a target (到2025年…达到) or a reported value."""
    before = text[:position]
    target = list(_TARGET.finditer(before))
    later_report = target and re.search(r"[,;]\D*\d{4}年(?!前|目标)", before[target[-1].end():])
    if target and not later_report:  # 到2025年…达到80岁; but 力争…,2024年全区…下降至 is a report
        last = target[-1]
        year = last.group(1) or last.group(2) or last.group(3)
        if year:
            return int(year), "target"
        years = _YEAR.findall(before[last.start():]) or _YEAR.findall(before)
        return (int(years[-1]) if years else None), "target"
    years = [year for year in _YEAR.finditer(before) if not _BASE_YEAR.search(before, 0, year.start())]
    return (int(years[-1].group(1)) if years else None), "reported"  # 较2012年增长: 2012 is the base


def read_metrics(text: str, vocab: Vocabulary) -> list[MetricReading]:
    """Every number in a sentence that measures an indicator, with its phrase, year and kind."""
    readings: list[MetricReading] = []
    quantities = find_quantities(text)
    previous_end = 0
    previous_group: list[tuple[int, str]] = []
    for group in _groups(text, quantities):
        clause_start = max(previous_end, text.rfind(";", 0, group[0].start) + 1)
        paired = len(group) > 1 and len(previous_group) == len(group)
        if paired and _TO.search(text[previous_end:group[0].start].lstrip(",")):
            phrases = previous_group  # 分别由2016年的A、B、C,下降到2019年的D、E、F: the same indicators
        elif len(group) > 1:
            phrases = _list_phrases(text, clause_start, group, vocab)
            if not any(phrase for _, phrase in phrases):
                phrases = _same_as_before(text, group, readings, vocab) or phrases
        else:
            earlier = [q for q in quantities if q.end <= group[0].start]
            phrases = [_single_phrase(text, clause_start, group[0], vocab, readings, earlier)]
        change = _CHANGE_TAIL.search(text[clause_start:group[0].start])
        years = _years_listed(text[clause_start:group[0].start], len(group))
        previous_group = phrases
        for index, (quantity, (phrase_start, phrase)) in enumerate(zip(group, phrases)):
            if change or not (readings and phrase == readings[-1].phrase and len(group) == 1):  # 由A下降至B: named
                if change and phrase and phrase_start != quantity.end:
                    phrase = _change_name(phrase, quantity, rising=bool(change.group(1)))
                phrase = _part_of(phrase, quantity, readings)
                phrase = (_indicator(phrase, quantity, counted_after=phrase_start == quantity.end)
                          or _step_of(phrase, quantity, readings))
                if phrase:
                    phrase = _owner_carried(_per_capita_carried(phrase, quantity, text, readings), text, readings)
                    phrase = _service_carried(phrase, text[:phrase_start])
                if not phrase or not _measures(phrase, quantity, vocab):
                    continue
            if not quantity.unit:  # 户籍孕产妇死亡率为0: zero, in the indicator's usual unit
                quantity = replace(quantity, unit=_usual_unit(phrase, vocab))
                if not quantity.unit:
                    continue
            year, kind = _year_and_kind(text, quantity.start)
            year = years[index] if years else year
            start = _FROM.search(text[:quantity.start])
            end = (not start and readings and readings[-1].phrase == phrase
                   and _TO.search(text[readings[-1].end:quantity.start]))
            pair = start or end
            if pair and pair.group(1):
                year = int(pair.group(1))
            elif end and (started := _FROM.search(text[:readings[-1].start])) and started.group(1):
                year = _year_and_kind(text, readings[-1].phrase_start)[0]  # 至2022年,…从2018年的A提高至B:
                # B is not 2018's
            if end and year == readings[-1].year:  # 由2012年的7.52%提高到8.93%,其中…由43.30%提高到49.61%:
                year = None  # the later value of a pair is not of the earlier one's year
            for name in _shared_value(phrase) if len(group) == 1 else [phrase]:
                readings.append(MetricReading(quantity.start, quantity.end, phrase_start, name,
                                              known_metric(name, vocab), quantity, year, kind))
        previous_end = group[-1].end
    return readings


def _same_as_before(text: str, group: list[Quantity], readings: list[MetricReading], vocab: Vocabulary
                    ) -> list[tuple[int, str]]:
    """药占比为47%,改革后2012—2014年分别为42%、31%和28%: a list with no name of its own, right after a
    value of the same unit, gives more values of that indicator; 床位16.05万张,卫生技术人员16.32万人,
    分别较2012年增长45.63%、43.83%: a list of changes, one for each value before it."""
    previous = readings[-1] if readings else None
    if previous is None:
        return []
    between = text[previous.end:group[0].start].replace("分别", "")
    if _CHANGE_TAIL.search(between) and len(readings) >= len(group):
        if _clean(_CHANGE_TAIL.sub("", between), vocab):
            return []
        return [(reading.phrase_start, reading.phrase) for reading in readings[-len(group):]]
    if previous.quantity.unit != group[0].unit or _clean(between, vocab):
        return []  # another unit, or something else named in between
    return [(previous.phrase_start, previous.phrase)] * len(group)


def _before_pair_start(text: str) -> str:
    """The text without the start of a before→after pair at its end (…床位数从 → …床位数)."""
    start = _FROM.search(text)
    return text[:start.start()] if start else text


def _years_listed(left: str, count: int) -> list[int]:
    """2012—2014年…分别为42%、31%和28%: one year for each value, when the span has as many years."""
    span = _YEAR_SPAN.search(left)
    if not span or int(span.group(2)) - int(span.group(1)) + 1 != count or count < 2:
        return []
    return list(range(int(span.group(1)), int(span.group(2)) + 1))


def _measures(phrase: str, quantity: Quantity, vocab: Vocabulary) -> bool:
    """Does the name say what a share or a duration measures? 药品达到90% or 医保基金100%预付到位
    name no rate, 实施生命早期1000天…行动 no time; a known indicator always does."""
    core = re.sub(r"\([^()]*\)$", "", phrase)  # 医保支付比例(含大病保险)
    if quantity.unit in _RATIO_UNITS:
        return bool(_MEASURE_SUFFIX.search(core) or known_metric(phrase, vocab))
    if quantity.unit in _TIME_UNITS:
        return bool(_TIME_SUFFIX.search(core) or known_metric(phrase, vocab))
    return True


def _change_name(phrase: str, quantity: Quantity, rising: bool) -> str:
    """住院人次较建设前平均增长65.9% → 住院人次增长率; 病人外转率平均下降89.6% → 病人外转率降幅."""
    if quantity.unit == "个百分点":
        return phrase + ("增幅" if rising else "降幅")
    if quantity.unit == "%":
        return phrase + ("增长率" if rising else "降幅")
    if quantity.unit == "倍":
        return phrase + "增长倍数"  # 全科医生数量增长近18倍
    return phrase + ("增加数" if rising else "减少数")


def _indicator(phrase: str, quantity: Quantity, counted_after: bool) -> str:
    """The indicator name a phrase gives, or "" when it is not one.

    Leading verbs go (开展疑难手术 → 疑难手术, 拥有食药物质 → 食药物质) while a name is left; a phrase
    that is all verbs (推进, 审核确认), ends in a verb (减少群众垫付) or in 的 names no indicator; a
    count read from the words before it is named by what it counts (筛查 N人次 → 筛查人次).
    """
    if not phrase or "\t" in phrase or phrase.startswith("占") or re.search(r"分别|\d、", phrase):
        return ""  # a table row's cells; 占全国0.2%: a share of what came before; 分别为30、: a list's tail
    words = [(word.word, word.flag) for word in tagged(phrase)]
    while (not counted_after and len(words) > 1 and words[0][1] in _VERB_FLAGS
           and (quantity.unit not in _MONEY or _RAISE_OR_SPEND.fullmatch(words[0][0]))
           and sum(len(word) for word, _ in words[1:]) >= 4  # but 结算药品耗材款: what was done with money
           and len(tagged(words[0][0] + words[1][0][:2])[0].word) == len(words[0][0])):  # 公立|医院病床使用率:
        words.pop(0)  # 公立 reads as a verb only before a taught term, 公立医院 is a noun
    phrase = "".join(word for word, _ in words)
    if phrase.endswith("床位") and quantity.unit in ("张", "万张"):
        return phrase + "数"  # 全省床位74.4万张: the number of beds
    if quantity.unit == "%" and phrase.endswith("覆盖"):
        return phrase + "率"  # 病种覆盖达到90%
    if quantity.unit == "%" and _AMOUNT.search(phrase):
        return ""  # 医保基金支出达到70%: a share or a change of an amount, not the amount
    if _MEASURE_SUFFIX.search(phrase):
        return phrase
    if quantity.unit in _MONEY and len(phrase) <= 2 and not _SIDE.fullmatch(phrase):
        return ""  # 投资4000万元建设的平台: an amount with no owner named (a fund's 结余 is carried, below)
    if quantity.unit.endswith("人次") and words[-1][1] == "v" and len(words) > 1:
        return phrase + "人次"  # 医疗机构诊疗3.8亿人次: the doing is what is counted
    if all(flag in _VERB_FLAGS for _, flag in words) or words[-1][1] in _VERB_FLAGS - {"vd"}:
        return ""
    if (quantity.is_count or quantity.unit in _COUNT_SUFFIX) and not counted_after:
        phrase = _GENERIC_TAIL.sub("", phrase) or phrase  # …能力提升项目建设152个: the projects
        if _NOT_COUNTED.search(phrase):  # 国家试点示范项目13个: programmes, no indicator
            return ""
        person = _PERSON_NOUN.search(phrase)  # 注册护士 3人 → 注册护士数, 两癌筛查 N人 → 两癌筛查人数
        kind = _KIND_SUFFIX.get(quantity.unit, "数")
        kind = "数" if phrase.endswith(kind[0]) else kind  # 特药品种 → 特药品种数
        if quantity.unit in ("张", "万张") and _FACILITY.search(phrase[-4:]) and "床" not in phrase:
            kind = "床位数"  # 床位41.2万张,其中:医院33.5万张: the beds the hospitals have
        if person and not _TITLE_HOLDER.search(phrase):
            return phrase + "数"
        return phrase + (_COUNT_SUFFIX.get(quantity.unit) or kind)
    return phrase


def _part_of(phrase: str, quantity: Quantity, readings: list[MetricReading]) -> str:
    """A part named only by its facility or its group takes the measure of the whole written before
    it: 总诊疗人次48552.1万人次,其中医院18648.3万人次(民营医院3324.1万人次) → 医院总诊疗人次,
    民营医院总诊疗人次; 期望寿命83.63岁(其中男性81.25岁) → 男性期望寿命; 国家级…基地18所、省级21所
    → 省级…基地数. A facility counted in 家 or 个 is a count of its own (医疗卫生机构80492个,其中医院
    2218个 → 医院数)."""
    previous = readings[-1] if readings else None
    if previous is None or previous.quantity.unit != quantity.unit:
        return phrase
    if _LEVEL_PART.fullmatch(phrase):
        level = _LEVEL_PART.match(previous.phrase)
        return phrase + previous.phrase[level.end():] if level else phrase
    if _POPULATION_PART.fullmatch(phrase):
        group = _POPULATION_PART.match(previous.phrase)
        return phrase + previous.phrase[group.end() if group else 0:]
    if _FACILITY_PART.fullmatch(phrase) and quantity.unit not in _FACILITY_COUNTS:
        per_capita = _PER_CAPITA_PREFIX.match(previous.phrase)  # 每千常住人口床位数5.48张,其中医院4.08张
        prefix = per_capita.group() if per_capita else ""
        whole = previous.phrase[len(prefix):]
        owner = _FACILITY_OWNER.match(whole)  # 出院1818.1万人,其中医院1243.4万人 → 医院出院人数
        return prefix + phrase + whole[owner.end() if owner else 0:]
    return phrase


def _step_of(verbs: str, quantity: Quantity, readings: list[MetricReading]) -> str:
    """补贴申领人数156.7万人,已完成审核确认142.2万人,发放109万人: a step named only by its verb counts
    the people of the reading before it (补贴审核确认人数, 补贴发放人数)."""
    previous = readings[-1] if readings else None
    core = re.sub(r"(?:人数|人次)$", "", previous.phrase) if previous else ""
    if (not verbs or not core or core == previous.phrase or quantity.unit not in _COUNT_SUFFIX
            or any(not word.flag.startswith("v") for word in tagged(verbs))):
        return ""
    words = list(tagged(core))
    while words and words[-1].flag.startswith("v"):
        words.pop()
    owner = "".join(word.word for word in words)
    return owner + verbs + _COUNT_SUFFIX[quantity.unit] if len(owner) >= 2 else ""


def _shared_value(phrase: str) -> list[str]:
    """入户核实率、救治率和家庭医生签约率均达到100%: one number for each indicator of the list; an item
    that is only an action's rate (救治率) is the rate of the group the first item names (三类监测人群)."""
    each = re.fullmatch(r"(.+[、和及].+)各((?:人|床位|类|种|例)?数|人次)", phrase)
    if each:  # 三级甲等中医院、三级妇幼保健医院各1家: one each
        return [item + each.group(2) for item in re.split(r"、|和|及", each.group(1))]
    items = re.split(r"、|和|及", phrase)
    if len(items) > 1 and all(_RATIO_SUFFIX.search(item) and len(item) > 2 for item in items):
        group = _GROUP.match(items[0])
        return [group.group() + item if group and len(item) <= 3 else item for item in items]
    return [phrase]


def _owner_carried(phrase: str, text: str, readings: list[MetricReading]) -> str:
    """医养结合机构121所、床位2.5万张: a bare 床位 belongs to what the list named before it; in 基金收入
    从A增长到B,支出从C… a bare 支出 is the same fund's; 建成健康促进医院380家,覆盖率近98%: the 覆盖率
    is theirs (and with nothing before it, a bare 覆盖率 names nothing)."""
    previous = readings[-1] if readings else None
    if phrase in _BARE_MEASURES:
        return previous.phrase.removesuffix("数") + phrase if previous and previous.quantity.is_count else ""
    joint = text[previous.end:previous.end + 1] if previous else ""
    owned = phrase.removesuffix("数")
    if previous and owned in _OWNED and joint in ("、", ","):
        owner = previous.phrase.removesuffix("数")
        item = next((item for item in _OWNED
                     if owner.endswith(item) and _FACILITY.search(owner.removesuffix(item)[-3:])), None)
        if item:  # 乡镇卫生院1953个,床位15.5万张,卫生人员16.5万人: still the 乡镇卫生院's
            return owner.removesuffix(item) + owned + "数"
        if joint == "、" or previous.quantity.is_count and _FACILITY.search(owner[-3:]):
            return owner + owned + "数"
    if previous and _SIDE.fullmatch(phrase) and joint in ("、", ",") and _SIDE.search(previous.phrase):
        return _SIDE.sub("", previous.phrase) + phrase
    return phrase


def _service_carried(phrase: str, before: str) -> str:
    """开展免费孕前优生健康检查,目标人群覆盖率达99.9%: the target group is the service's, named in the
    clause before (免费孕前优生健康检查目标人群覆盖率)."""
    if not _SERVED_GROUP.match(phrase):
        return phrase
    service = re.search(r"(?:开展|实施|推行|推进|提供)([^,;。、]{4,20}),$", before)
    return service.group(1) + phrase if service else phrase


def _per_capita_carried(phrase: str, quantity: Quantity, text: str, readings: list[MetricReading]) -> str:
    """每千人口拥有执业(助理)医师3.19人、注册护士4.12人: the next item of the list is per capita too."""
    previous = readings[-1] if readings else None
    if previous is None or _PER_CAPITA_PREFIX.match(phrase):
        return phrase
    prefix = _PER_CAPITA_PREFIX.match(previous.phrase)
    between = text[previous.end:quantity.start]
    between = _before_pair_start(between)  # …,床位数从4.79张
    listed = between.startswith("、") and previous.quantity.unit == quantity.unit
    resources = (between.startswith(",") and quantity.unit in ("人", "张") and quantity.value < 100
                 and _STAFF_OR_BEDS.search(phrase))  # 每千人床位数达到6张,执业(助理)医师2.5人,注册护士3.14人
    if prefix and (listed or resources) and len(between) > 1 and phrase.startswith(between[1:]):
        return prefix.group() + phrase
    return phrase


def _usual_unit(phrase: str, vocab: Vocabulary) -> str:
    """The usual unit of the known indicator a phrase ends with (全人口孕产妇死亡率 → /10万), or ""."""
    hits = [hit for hit in vocab.find("Metric", phrase) if hit[1] == len(phrase)]
    keys = vocab.names["Metric"][hits[-1][2]] if hits else []
    return (vocab.entries[keys[0]].unit or "") if keys else ""


def known_metric(phrase: str, vocab: Vocabulary) -> str | None:
    """The vocabulary indicator a phrase names, all of it: a qualified name is another indicator
    (接入医疗卫生机构数 is not 医疗卫生机构数, 疑难手术例数 not 手术例数)."""
    hits = [hit for hit in vocab.find("Metric", phrase) if hit[1] == len(phrase)]
    if not hits:
        return None
    start, _, name = max(hits, key=lambda hit: hit[1] - hit[0])
    return vocab.names["Metric"][name][0] if start == 0 else None


def _count_name(left: str, noun: str, after: str, quantity: Quantity) -> str:
    """The indicator a count of things gives, named by what is done to them when that is what is
    counted: 1447所医院推广检查检验结果互认 → 推广检查检验结果互认的医院数, 接入4759所医疗卫生机构 →
    接入医疗卫生机构数, 390万名老人免费体检 → 老人免费体检人数. Having or building N things counts the
    things themselves (建成513家托育机构 → 托育机构数). Counts of actions and tasks (7个专项行动) are
    no indicators, nor are places about to be listed (8个县市:…)."""
    if _NOT_COUNTED.search(noun) or _RANK.search(noun):  # 位列全国11个综合医改试点省第三名: a rank
        return ""
    predicate = _predicate(after)
    if predicate is not None:  # the things counted do something: named by it, or no indicator
        if not predicate:
            return ""
        if quantity.unit in _COUNT_SUFFIX:  # 为5.8万名失能老人提供上门健康服务 → 失能老人上门健康服务人数
            return noun + _LIGHT_VERB.sub("", predicate) + "人数"
        return f"{predicate}的{noun}数"
    if _PLACES.match(noun):
        return ""
    before = [w for w in tagged(left) if w.word not in _LINKING_WORDS]
    done = before[-1].word if before and before[-1].flag == "v" and before[-1].word not in _HAVE_OR_BUILD else ""
    name = done + noun
    kind = _KIND_SUFFIX.get(quantity.unit, "数")  # 提供12类公共卫生服务 → 提供公共卫生服务类数
    if _TITLE_HOLDER.search(name) and quantity.unit in _COUNT_SUFFIX:
        kind = "人数"
    if quantity.unit == "项" and next(iter(tagged(noun[-2:]))).flag == "v":
        kind = "项目数"  # 363项检查检验结果互认: the items recognized
    return name if _RATIO_SUFFIX.search(name) else name + ("数" if name.endswith(kind[0]) else kind)


def _predicate(after: str) -> str | None:
    """What the counted things do, when the words right after them say it (22个社区卫生服务中心|达到
    国家服务能力基本标准; a coordinated count before it shares it). None when no verb follows; "" when
    one does but names no indicator: a ranking (11家医院|位列全国第14位), a clause with a number of its
    own (81家医院|实现363项检查检验结果互认: the 363 is what is reported), or a long story."""
    while conjunction := _COORDINATED.match(after):
        quantity = next(iter(find_quantities(after[:_MAX_PHRASE])), None)
        if quantity is None or quantity.start != conjunction.end():
            return None
        noun = _noun_after(after[quantity.end:])
        if not noun:
            return None
        after = after[quantity.end + after[quantity.end:].find(noun) + len(noun):]
    predicate = re.match(r"[^,;。、]*", after).group().replace("了", "")  # 开展了…试点
    listed = re.match(r"[^,;。]*?、[^,;。]*等([^,;。、]{2,})", after)
    if listed:  # 提供用药指导、健康随访等上门健康服务: the kind the list is of
        verbs = list(itertools.takewhile(lambda word: word.flag == "v", tagged(predicate)))
        predicate = "".join(word.word for word in verbs) + listed.group(1) if verbs else predicate
    predicate = re.sub(r"^(纳入.{2,})范围$", r"\1", predicate)  # 纳入医保支付范围: included in 医保支付
    words = list(tagged(predicate)) if predicate else []
    first = next((word for word in words if word.word not in _MANNER), None)
    if not (first and first.flag in ("v", "vn", "d", "ad", "p") and first.word not in _NOT_A_PREDICATE
            and any(word.flag in ("v", "vn") for word in words)):
        return None
    if first.flag == "p" or _FRAME_END.search(predicate):  # 7家医院|在“国考”中实现争先进位: a story;
        return ""  # 在18项干预方案|基础上: a frame, not what the things do
    if _PROGRESS.fullmatch(predicate):
        return None  # 2个国家级区域医疗中心|正有序推进: how the things fare, the things are counted
    noun_phrase = len(words) <= 2 and _ABSTRACT.fullmatch(words[-1].word)  # 31个示范医院|创新工作, 项目|建设
    if noun_phrase or _RANKING.match(predicate) or re.search(r"\d", predicate) or len(predicate) > 16:
        return ""
    return "".join(word.word for word in itertools.dropwhile(lambda word: word.word in _ALL_OF_THEM, words))


def _single_phrase(text: str, clause_start: int, quantity: Quantity, vocab: Vocabulary,
                   readings: list[MetricReading], earlier: list[Quantity]) -> tuple[int, str]:
    """The indicator of one number: before→after pairs, counts (N个X), or the phrase before it."""
    comma = text.rfind(",", clause_start, quantity.start)
    left_start = comma + 1 if comma >= 0 else clause_start
    left = text[left_start:quantity.start]
    if readings and _TO.search(text[readings[-1].end:quantity.start]):
        return readings[-1].phrase_start, readings[-1].phrase
    if readings and readings[-1].end == quantity.start and quantity.unit in _MONEY:  # 发放109万人38.66亿元
        people = re.fullmatch(r"(.{2,})(?:人数|人次)", readings[-1].phrase)
        return readings[-1].phrase_start, people.group(1) + "金额" if people else ""
    from_match = _FROM.search(left)
    if from_match:
        left = left[:from_match.start()]
    left = _CHANGE_TAIL.sub("", left)
    joint = re.search("、|和|及", left)
    if readings and readings[-1].end >= left_start and joint:  # 建成513家托育机构、托位数2.97万个
        left_start, left = left_start + joint.end(), left[joint.end():]
    if _CHANGE_LEAD.match(_LEAD_NOISE.sub("", left)):
        return left_start, ""
    if quantity.is_count and _DISTRIBUTIVE.search(left):
        return left_start, ""  # 每个乡镇卫生院配备4名全科医生, 市、县均建设1所…: a standard per place
    if quantity.is_count:
        noun = _noun_after(text[quantity.end:])
        if not noun and not from_match and _names_after(text[quantity.end:]):
            return left_start, ""  # a count of something unnamed (打造了首批20个行动…样板): no indicator
        noun = noun if _PLACES.match(noun) else _clean(noun, vocab)  # 县(市、区) stays as it is
        if "除" in left:  # 除建设200个县域医疗次中心外: the frame is no part of the noun
            noun = noun.removesuffix("外")
        if _A_MEASURE.search(noun):  # 4所医院门急诊人次…增长47.5%: the count only says whose
            return left_start, ""
        if noun:
            position = text.find(noun, quantity.end)  # the predicate follows the noun with its tail (…项目建设|)
            after = text[position + len(noun):] if position >= 0 else ""
            if re.match(r"\d", after):  # 5个专业|25个省级重点专科: the count only sorts the next one
                return left_start, ""
            return quantity.end, _count_name(left, _GENERIC_TAIL.sub("", noun), after, quantity)
    counted = [q for q in earlier if q.is_count and q.end >= left_start]
    if counted:  # a count of who does or gets what the number measures
        between = text[counted[-1].end:quantity.start]
        noun = _noun_after(between)
        if noun and between.startswith(noun) and len(between) - len(noun) >= 2:
            rest = between[len(noun):]
            if re.search(r"为[^,;。\d]{0,4}$", text[:counted[-1].start]):
                left_start, left = quantity.start - len(rest), rest  # 为1958家配送企业|结算药品耗材款137.9亿元
            else:  # 5家项目医院|累计引进新技术新项目787项: the things counted do it
                left_start, left = quantity.start - len(between), noun + _ADVERBS.sub("", rest)
    phrase = _clean(_LEADING_VERB.sub("", _clean(left, vocab)), vocab)
    trend = _TREND_CLAUSE.search(text[clause_start:comma]) if not phrase and comma > clause_start else None
    named = _clean(trend.group(1), vocab) if trend else ""
    if _MEASURE_SUFFIX.search(named) or known_metric(named, vocab):  # 居民健康素养水平稳步提升,2022年达
        return clause_start + trend.start(1), named  # 38.2%: the indicator is the clause before's
    if not phrase and quantity.unit == "%":
        return quantity.end, _share_of(text[quantity.end:])
    return left_start, phrase


def _share_of(after: str) -> str:
    """全区67.65%的二级以上医院设置了老年医学科 → 二级以上医院设置老年医学科比例: a share of things
    that do something, named by the things and what they do."""
    clause = re.match(r"的?([^,;。]{4,40})(?:[,;。]|$)", after)
    if not clause or not any(word.flag.startswith("v") for word in tagged(clause.group(1))):
        return ""
    return clause.group(1).replace("了", "") + "比例"


def _items(parts: list[str], vocab: Vocabulary) -> list[str]:
    """The indicator names of a list's parts (a level word such as 自治区 stays, to borrow the noun)."""
    items = [_clean(_LEADING_VERB.sub("", _clean(part, vocab)), vocab) or _level_word(part, vocab) for part in parts]
    return [item for item in items if item and not _RANK.search(item)]  # 均排全国第八位: no indicator


def _list_phrases(text: str, clause_start: int, group: list[Quantity], vocab: Vocabulary
                  ) -> list[tuple[int, str]]:
    """Phrases for a group of numbers: distributed over a list of indicators when counts agree."""
    left = text[clause_start:group[0].start]
    left = _before_pair_start(left)  # 分别由2016年的A、B、C
    cleaned = _TRAIL_VERB.sub("", _CHANGE_TAIL.sub("", left.replace("分别", "")))
    if group[0].is_count and not cleaned.strip(",、"):
        nouns = [_clean(_noun_after(text[q.end:]), vocab) for q in group]
        return [(q.end, noun + "数" if noun else "") for q, noun in zip(group, nouns)]
    last_clause = _LISTED.split(cleaned.rsplit(",", 1)[-1])  # 数据显示,西藏孕产妇死亡率、婴儿死亡率和…
    for split in (last_clause, [piece for part in last_clause for piece in _AND_SPLIT.split(part)]):
        named = _items(split, vocab)
        if len(named) == len(group):  # the list is the last clause's
            return [(clause_start + left.rfind(",") + 1, phrase) for phrase in _distribute(named)]
    items = _items(_ITEM_SPLIT.split(cleaned), vocab)
    joined_by_and = all(re.fullmatch(r"\s*(?:和|及)\s*", text[a.end:b.start]) for a, b in zip(group, group[1:]))
    if joined_by_and or len(items) < len(group):  # A标准和B标准分别提高到600元和92元: the last item's
        parts = _ITEM_SPLIT.split(cleaned)
        last_split = _items(_AND_SPLIT.split(parts[-1]), vocab)
        all_split = _items([piece for part in parts for piece in _AND_SPLIT.split(part)], vocab)
        items = next((split for split in (last_split, all_split) if len(split) == len(group)), items)
    if len(items) >= len(group):
        return [(clause_start, phrase) for phrase in _distribute(items[-len(group):])]
    joined = _clean(cleaned, vocab)
    if _ITEM_SPLIT.search(joined) or _AND_SPLIT.search(joined):
        joined = ""  # 孕产妇、婴儿死亡率分别为8%、3%、5%: two names, three numbers, no telling which is which
    return [(clause_start, joined)] * len(group)
