"""Indicator tables of plans, flattened to one cell per line when the page was scraped:

    指标 / 2020年 / 2025年 / 性质 / 1 / 人均预期寿命(岁) / 77.5 / 78.6左右 / 预期性 / 2 / …

The earlier year columns are reported values; the last one, in a plan table (with a 性质/属性
column of 预期性/约束性), is the target. Rows whose cells cannot be aligned to the year columns
without guessing are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.metrics import MetricReading
from kg.numbers import Quantity
from kg.structure import Paragraph
from kg.vocab import Vocabulary

_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})年(?:目标|基期|基数|现状)?(?:值)?$")
_NATURE = re.compile(r"^(?:预期性|约束性|性质|属性|指标性质|指标属性)$")
_ROW_INDEX = re.compile(r"^\d{1,3}$")
_CELL = re.compile(r"^[*＊]?(?:≤|≥|<|>|稳定在|达到|保持在|约)?(\d+(?:\.\d+)?)(左右|以上|以下)?$")
_UNIT = re.compile(r"[((]([^()()]{1,6})[))]$")
_MAX_ROW = 12


@dataclass(frozen=True)
class TableReading:
    """A table cell read as an indicator value; start/end span the row in the normalized text."""

    start: int
    end: int
    reading: MetricReading


def _header(paragraphs: list[Paragraph], index: int) -> list[int] | None:
    """The year columns of a table whose header starts with a 指标 cell at `index`."""
    years = []
    for paragraph in paragraphs[index + 1:index + 6]:
        column = _YEAR_COLUMN.match(paragraph.text.strip())
        if column:
            years.append(int(column.group(1)))
        elif years:
            break
    return years or None


def _row_cells(paragraphs: list[Paragraph], start: int) -> tuple[list[str], int]:
    """Cells after a row's indicator name, up to its 预期性/约束性 cell or the next row index."""
    cells: list[str] = []
    position = start
    while position < len(paragraphs) and len(cells) < _MAX_ROW:
        text = paragraphs[position].text.strip()
        if _NATURE.match(text):
            return cells, position + 1
        if _ROW_INDEX.match(text) or len(text) > 40:
            break
        cells.append(text)
        position += 1
    return cells, position


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


def read_tables(paragraphs: list[Paragraph], vocab: Vocabulary) -> tuple[list[TableReading], set[int]]:
    """Readings from every flattened indicator table, and the paragraphs the tables occupy."""
    readings: list[TableReading] = []
    used: set[int] = set()
    index = 0
    while index < len(paragraphs):
        years = _header(paragraphs, index) if paragraphs[index].text.strip() == "指标" else None
        if not years:
            index += 1
            continue
        is_plan = any(_NATURE.match(p.text.strip()) for p in paragraphs[index + 1:index + 2 + len(years) + 1])
        position = index + 1 + len(years) + (1 if is_plan else 0)
        used.update(range(index, position))
        while position < len(paragraphs) and _ROW_INDEX.match(paragraphs[position].text.strip()):
            name_paragraph = paragraphs[position + 1] if position + 1 < len(paragraphs) else None
            if name_paragraph is None:
                break
            cells, after = _row_cells(paragraphs, position + 2)
            readings += _row_readings(name_paragraph.text.strip(), cells, years, is_plan,
                                      paragraphs[position].start, paragraphs[after - 1].end, vocab)
            used.update(range(position, after))
            position = after
            while position < len(paragraphs) and not _ROW_INDEX.match(paragraphs[position].text.strip()) \
                    and len(paragraphs[position].text) <= 12:  # category cells: 健康水平, 健康生活 …
                used.add(position)
                position += 1
        index = position
    return readings, used


def _row_readings(name: str, cells: list[str], years: list[int], is_plan: bool, start: int, end: int,
                  vocab: Vocabulary) -> list[TableReading]:
    unit_match = _UNIT.search(name)
    unit = unit_match.group(1) if unit_match else ""
    phrase = (name[:unit_match.start()] if unit_match else name).removeprefix("其中:").strip()
    hits = vocab.find("Metric", phrase)
    metric = vocab.names["Metric"][max(hits, key=lambda h: h[1] - h[0])[2]][0] if hits else None
    found = []
    for year, cell in _aligned(cells, years):
        kind = "target" if is_plan and year == years[-1] and len(years) > 1 else "reported"
        quantity = Quantity(0, 0, Decimal(cell.group(1)), unit, cell.group(2), cell.group())
        reading = MetricReading(0, 0, 0, phrase, metric, quantity, year, kind)
        found.append(TableReading(start, end, reading))
    return found
