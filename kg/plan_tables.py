"""Indicator tables of plans and statistical bulletins, in the two shapes scraped text gives them.

One cell per line, when the page's table was flattened:

    指标 / 2020年 / 2025年 / 性质 / 健康水平 / 1 / 人均预期寿命(岁) / 77.5 / 78.6左右 / 预期性 / 2 / …

One row per line, the cells separated by tabs, spaces or '|' (markdown), below a header row with a
指标 (or 项目) column and year columns:

    序号  指标              2020年  2025年  指标性质
    1     人均预期寿命(岁)  77.6    79      预期性

The earlier year columns are reported values; the last one, in a plan table (with a 性质/属性
column of 预期性/约束性), is the target. The unit is in the name's parentheses or a 单位 column.
Rows whose cells cannot be aligned to the year columns without guessing are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.metrics import PER_CAPITA_HAVING, MetricReading, known_metric
from kg.numbers import Quantity
from kg.structure import Paragraph
from kg.vocab import Vocabulary

_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})年(?:目标|基期|基数|现状)?(?:值)?$")
_ROW_INDEX = re.compile(r"^\d{1,3}$")
# a value cell: ≥80, <12, 4.5以下, 78.6左右, *18 (a footnote mark), [85] (a plan's five-year total)
_CELL = re.compile(r"^(?P<mark>[*＊])?(?P<before>≤|≥|<|>|稳定在|达到|保持在|约)?"
                   r"(?:(?P<value>\d+(?:\.\d+)?)|[\[〔【](?P<total>\d+(?:\.\d+)?)[\]〕】])(?P<after>左右|以上|以下)?$")
_BOUND = {"≥": "以上", ">": "以上", "≤": "以下", "<": "以下", "约": "约"}  # as kg.numbers names 不低于, 低于 …
_UNIT = re.compile(r"[((]([^()()]{1,6})[))]$")
_MAX_ROW = 12

# one row per line: what a header cell says its column holds
_COLUMNS = {"name": re.compile(r"^(?:主要)?指标(?:名称)?$|^项目$"), "nature": re.compile(r"^(?:指标)?(?:性质|属性)$"),
            "unit": re.compile(r"^(?:计量)?单位$"), "index": re.compile(r"^序号$")}
_GAPS = {"|": re.compile(r"\|"), "\t": re.compile(r"\s*\t\s*"), " ": re.compile(r" +(?![((])")}  # (岁) ends a name
_RULE = re.compile(r"^:?-+:?$")  # |---|:--:| under a markdown header
_NATURE_VALUES = ("预期性", "约束性")
_SENTENCE_MARK = re.compile(r"[。;!?]|,(?!\d)")  # 1,234 is a number
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SHORT = 12  # characters of a header label or of a group heading inside a table (健康水平)
_MAX_CELL = 40
_MAX_GROUPS = 2  # category cells before a row of a one-cell-per-line table: a group and a subgroup


@dataclass(frozen=True)
class TableReading:
    """A table cell read as an indicator value; start/end span the row in the normalized text."""

    start: int
    end: int
    reading: MetricReading


@dataclass(frozen=True)
class _Columns:
    """The header of a one-row-per-line table: how its lines split into cells and what each column holds."""

    gap: re.Pattern
    roles: tuple[str, ...]  # name, year, nature, unit, index, or "" (领域, 增减, 备注 …: not read)
    column_years: tuple[int | None, ...]  # each column's year, None for the others

    @property
    def years(self) -> list[int]:
        return [year for year in self.column_years if year]

    @property
    def is_plan(self) -> bool:
        return "nature" in self.roles


def _header(paragraphs: list[Paragraph], index: int) -> list[int]:
    """The year columns of a one-cell-per-line table: the year cells right after its 指标 cell at `index`."""
    years = []
    for paragraph in paragraphs[index + 1:]:
        column = _YEAR_COLUMN.match(paragraph.text.strip())
        if not column:
            break
        years.append(int(column.group(1)))
    return years


def _group_cell(paragraph: Paragraph) -> bool:
    """Is the paragraph a bare short line, as a table's group heading or category cell (健康水平) is?"""
    return paragraph.level == 0 and len(paragraph.text) <= _SHORT


def _row_index(paragraphs: list[Paragraph], position: int) -> int | None:
    """Where a row's index cell is when one starts at `position`, after at most _MAX_GROUPS category
    cells (健康水平): an integer followed by the row's name. Placed where a row starts, an integer is
    an index, while elsewhere in a row it is a value."""
    for at in range(position, min(position + _MAX_GROUPS + 1, len(paragraphs) - 1)):
        if _ROW_INDEX.match(paragraphs[at].text.strip()):
            return at if _fits("name", paragraphs[at + 1].text.strip()) else None
        if not _group_cell(paragraphs[at]):
            return None
    return None


def _next_row(paragraphs: list[Paragraph], position: int, count: int | None
              ) -> tuple[int, list[str], int] | None:
    """The row that starts at `position`: where its index cell is, the cells after its name and where
    it ends, with its 预期性/约束性 cell in a plan table (`count` None), else after its `count` value
    cells. None when no row starts there or a sentence (…。), a long line or the end of the text comes
    before the row's end: prose, a heading or a note ends the table."""
    index = _row_index(paragraphs, position)
    if index is None:
        return None
    cells: list[str] = []
    end = index + 2
    while end < len(paragraphs) and len(cells) < (count or _MAX_ROW):
        text = paragraphs[end].text.strip()
        if text.endswith("。") or len(text) > _MAX_CELL:
            return None
        end += 1
        if count is None and text in _NATURE_VALUES:
            return index, cells, end
        cells.append(text)
    return (index, cells, end) if count and len(cells) == count else None


def _aligned(cells: list[str], years: list[int]) -> list[tuple[int, re.Match]]:
    """(year, numeric cell) pairs when the alignment is certain."""
    if len(cells) == len(years):
        return [(year, match) for year, cell in zip(years, cells) if (match := _CELL.match(cell))]
    numeric = [_CELL.match(cell) for cell in cells]
    first_numeric = next((i for i, match in enumerate(numeric) if match), len(cells))
    tail = numeric[first_numeric:]
    if 0 < first_numeric and all(tail) and len(tail) <= len(years):  # 待省里|公布|78.6左右
        return list(zip(years[-len(tail):], tail))
    return []


def _cell_table(paragraphs: list[Paragraph], index: int, years: list[int], vocab: Vocabulary
                ) -> tuple[list[TableReading], int]:
    """Readings of a one-cell-per-line table whose 指标 cell is at `index`, and where the table ends.

    Each row is category cells (健康水平, only where a group begins), an index, the name and its cells
    up to the 预期性/约束性 cell of a plan table, or its value cells when the table has no 性质 column.
    The table ends where no row starts."""
    readings: list[TableReading] = []
    header_end = index + 1 + len(years)
    is_plan = header_end < len(paragraphs) and bool(_COLUMNS["nature"].match(paragraphs[header_end].text.strip()))
    target = _target_year(years, is_plan)
    position = header_end + 1 if is_plan else header_end
    while row := _next_row(paragraphs, position, None if is_plan else len(years)):
        row_index, cells, position = row
        readings += _row_readings(paragraphs[row_index + 1].text.strip(), "", _aligned(cells, years), target,
                                  paragraphs[row_index].start, paragraphs[position - 1].end, vocab)
    return readings, position


def _split(text: str, gap: re.Pattern) -> list[str]:
    """A line's cells (a markdown row's outer '|' borders are no cells)."""
    return [cell.strip() for cell in gap.split(text.strip().removeprefix("|").removesuffix("|"))]


def _columns(text: str) -> _Columns | None:
    """The columns of a one-row-per-line table, when `text` is its header: short cells, one of them
    指标 or 项目, the years among them (2020年, 2025年目标值) marking the year columns; the cells are
    split by '|' when the line has one, else by tabs when it has one, else by spaces."""
    gap = next((pattern for mark, pattern in _GAPS.items() if mark in text), _GAPS[" "])
    cells = _split(text, gap)
    if len(cells) < 2 or any(len(cell) > _SHORT for cell in cells):
        return None
    roles, years = [], []
    for cell in cells:
        year = _YEAR_COLUMN.match(cell)
        roles.append("year" if year else next((role for role, label in _COLUMNS.items() if label.match(cell)), ""))
        years.append(int(year.group(1)) if year else None)
    if roles.count("name") != 1:
        return None
    return _Columns(gap, tuple(roles), tuple(years))


def _table_line(text: str, columns: _Columns) -> list[str] | None:
    """The cells of a line that continues a table: at least two, no more than the header's, none of
    them a sentence."""
    cells = _split(text, columns.gap)
    if not 2 <= len(cells) <= len(columns.roles):
        return None
    return None if any(len(cell) > _MAX_CELL or _SENTENCE_MARK.search(cell) for cell in cells) else cells


def _fits(role: str, cell: str) -> bool:
    """Does a cell hold what its column holds? (Blank cells fit every column but the name.)"""
    if role == "name":
        return bool(_CJK.search(cell)) and not _CELL.match(cell)
    if not cell or role == "":
        return True
    if role == "year":
        return bool(_CELL.match(cell)) or set(cell) <= set("—-–")
    if role == "nature":
        return cell in _NATURE_VALUES
    if role == "index":
        return bool(_ROW_INDEX.match(cell))
    return len(cell) <= 6 and not _CELL.match(cell)  # unit


def _aligned_row(cells: list[str], columns: _Columns) -> list[str] | None:
    """The row's cells column by column, or None when they cannot be aligned without guessing.

    A row with as many cells as the header is read as written. A shorter one lacks leading cells (a
    领域 or 序号 cell merged with the row above, a blank first cell) and is aligned from the right,
    but only when every cell it has holds what its column holds."""
    missing = len(columns.roles) - len(cells)
    name_at = columns.roles.index("name")
    if missing < 0 or missing > name_at:
        return None
    if missing and not all(_fits(role, cell) for role, cell in zip(columns.roles[missing:], cells)):
        return None
    row = [""] * missing + cells
    return row if _fits("name", row[name_at]) else None


def _group_heading(paragraphs: list[Paragraph], position: int, columns: _Columns) -> bool:
    """Is the line at `position` a bare short heading inside a table (健康水平), a row following it?"""
    following = paragraphs[position + 1].text if position + 1 < len(paragraphs) else ""
    return _group_cell(paragraphs[position]) and bool(_table_line(following, columns)) and not _columns(following)


def _row_table(paragraphs: list[Paragraph], index: int, columns: _Columns, vocab: Vocabulary
               ) -> tuple[list[TableReading], int]:
    """Readings of the rows under a one-row-per-line header at `index`, and where the table ends: at
    the first line that is neither a row of it (aligned, or skipped for holding numbers that cannot
    be), a markdown rule nor a group heading, or that is another header."""
    readings: list[TableReading] = []
    target = _target_year(columns.years, columns.is_plan)
    position = index + 1
    while position < len(paragraphs):
        paragraph = paragraphs[position]
        cells = _table_line(paragraph.text, columns)
        if cells is None:
            if not _group_heading(paragraphs, position, columns):
                break
        elif _columns(paragraph.text):
            break
        elif row := _aligned_row(cells, columns):
            by_role = dict(zip(columns.roles, row))
            values = [(year, match) for year, cell in zip(columns.column_years, row)
                      if year and (match := _CELL.match(cell))]
            readings += _row_readings(by_role["name"], by_role.get("unit", ""), values, target,
                                      paragraph.start, paragraph.end, vocab)
        elif not any(_CELL.match(cell) or _RULE.match(cell) for cell in cells):
            break  # a title or a note below the table (表2 …), not a row
        position += 1
    return readings, position


def read_tables(paragraphs: list[Paragraph], vocab: Vocabulary) -> tuple[list[TableReading], set[int]]:
    """Readings from every indicator table, and the paragraphs the tables occupy."""
    readings: list[TableReading] = []
    used: set[int] = set()
    index = 0
    while index < len(paragraphs):
        text = paragraphs[index].text.strip()
        if text == "指标" and (years := _header(paragraphs, index)):
            found, end = _cell_table(paragraphs, index, years, vocab)
        elif (columns := _columns(text)) and columns.years:
            found, end = _row_table(paragraphs, index, columns, vocab)
        else:
            index += 1
            continue
        readings += found
        used.update(range(index, end))
        index = end
    return readings, used


def _target_year(years: list[int], is_plan: bool) -> int | None:
    """The year whose column holds a plan's targets: the last of several."""
    return years[-1] if is_plan and len(years) > 1 else None


def _row_readings(name: str, unit: str, values: list[tuple[int, re.Match]], target: int | None,
                  start: int, end: int, vocab: Vocabulary) -> list[TableReading]:
    """A row's values as readings of the indicator it names; the unit is `unit` (a 单位 cell) or the
    name's parentheses, and a row with neither gives none (a number without a unit measures nothing)."""
    unit_match = _UNIT.search(name)
    unit = unit or (unit_match.group(1) if unit_match else "")
    if not unit:
        return []
    phrase = (name[:unit_match.start()] if unit_match else name).removeprefix("其中:").strip()
    phrase = PER_CAPITA_HAVING.sub(r"\1", phrase)  # 每千常住人口拥有…医师数: as in prose
    metric = known_metric(phrase, vocab)  # as in prose: all of the name, or another indicator
    found = []
    for year, cell in values:
        if cell["mark"]:  # *18: a value the table's note qualifies (an earlier plan's target …)
            continue
        kind = "target" if year == target else "reported"
        qualifier = cell["after"] or _BOUND.get(cell["before"] or "") or ("累计" if cell["total"] else None)
        quantity = Quantity(0, 0, Decimal(cell["value"] or cell["total"]), unit, qualifier, cell.group())
        reading = MetricReading(0, 0, 0, phrase, metric, quantity, year, kind)
        found.append(TableReading(start, end, reading))
    return found
