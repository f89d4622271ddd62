"""Document structure: paragraphs (one per line after normalization), headings and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[^。!?;!?;]*(?:[。!?;]+|$)")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|第[一二三四五六七八九十]+[章节部分])")
MAX_SENTENCE = 600  # characters; the longest sentence in the seed reports has 341
_TABLE_CELL = re.compile(r"^[\d.%‰/万人个张岁元年≥≤<>＞＜\-—~～]+$")


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets into the normalized text
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str
    is_heading: bool
    level: int  # 0: bare short line (often a place name), 1: 一、 2: (一) 3: 1. ; -1 for body text
    sentences: tuple[Sentence, ...]


def heading_level(line: str) -> int:
    """The heading level of a line, or -1 when it is body text."""
    numbered = _NUMBERED.match(line)
    if numbered:
        rest = line[numbered.end():]
        if len(rest) <= 30 and "。" not in rest:
            return {"、": 1, ")": 2}.get(numbered.group()[-1], 3)
        return -1
    if len(line) <= 25 and not re.search(r"[。;,:]", line) and not _TABLE_CELL.match(line):
        return 0
    return -1


def _pieces(text: str) -> list[str]:
    """A run-on "sentence" (a line without full stops, a dump) in pieces of at most MAX_SENTENCE
    characters, cut after the last comma or space that fits: extraction time grows with the square
    of a sentence's length, and no real sentence comes near the limit."""
    pieces, start = [], 0
    while len(text) - start > MAX_SENTENCE:
        window = text[start:start + MAX_SENTENCE]
        cut = max(window.rfind(mark) for mark in ", 、") + 1 or MAX_SENTENCE
        pieces.append(window[:cut])
        start += cut
    return [*pieces, text[start:]]


def split_sentences(text: str, offset: int = 0) -> tuple[Sentence, ...]:
    """Sentences end at 。!?; (kept with the sentence); run-on ones are cut (see `_pieces`)."""
    sentences = []
    for match in _SENTENCE_END.finditer(text):
        position = offset + match.start()
        for raw in _pieces(match.group()):
            stripped = raw.strip()
            if stripped:
                start = position + len(raw) - len(raw.lstrip())
                sentences.append(Sentence(start, start + len(stripped), stripped))
            position += len(raw)
    return tuple(sentences)


def paragraphs(text: str) -> list[Paragraph]:
    """Split normalized text (one paragraph per line) into paragraphs with their sentences."""
    result = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        level = heading_level(line)
        result.append(Paragraph(match.start(), match.end(), line, level >= 0, level,
                                split_sentences(line, match.start())))
    return result
