"""Normalize report text for matching while keeping a map back to the original characters.

Full-width letters, digits and punctuation become half-width and traditional characters simplified
(both one character for one character); markdown links, images, quotes, bullets, zero-width
characters, web spam, a forum thread's replies and a page's closing list of links are removed;
paragraphs broken mid-sentence are joined and repeated paragraphs dropped. Every character of the
result remembers where it came from, so evidence offsets always point into the source file.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass

from opencc import OpenCC

from kg.data import load_yaml

# full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to ASCII, one char for one char
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_TERMINAL = "。!?;:…”"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CELL_GAP = re.compile(r"\t|\||  +")  # between the cells of a table row written on one line

_QUOTES = "“”‘’\"「」『』"
_TYPESET_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])[ \t]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%‰])[ \t]+(?=[\u4e00-\u9fff])")
# 医疗卫生机构15 631个: a space (or a thin one) between groups of three digits groups thousands
_THOUSANDS_SPACE = re.compile(r"(?<=\d)[ \u2009\u202f](?=\d{3}(?:[ \u2009\u202f]\d{3})*(?![\d.])[\u4e00-\u9fff%‰])")
_PROSE_LINE = re.compile(r"^[^\n]*[。,][^\n]*$", re.M)

# Image and link patterns stop at the next bracket, so no text makes them scan a line twice.
_MARKDOWN_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^()\[\]\n]*\)")
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^()\[\]\n]*\)")
_MARKUP = (
    re.compile(r"^#{1,6}[ \t]*", re.M),  # markdown heading marks
    re.compile(r"\*\*|__"),  # markdown emphasis
    re.compile(f"[{_QUOTES}▶►•·]"),  # quotes and bullets: names match with or without them
    re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]"),  # soft hyphen, zero-width and direction marks
)


@dataclass(frozen=True)
class MappedText:
    """Normalized text plus, for each character (and the end), its offset in the original."""

    text: str
    offsets: array

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the normalized span [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def _rebuild(mapped: MappedText, pattern: re.Pattern, keep: Callable[[re.Match], tuple[int, int] | None]
             ) -> MappedText:
    """Replace each match by the sub-span `keep` returns (or nothing), carrying offsets along."""
    pieces: list[str] = []
    offsets = array("l")
    position = 0
    text = mapped.text
    for match in pattern.finditer(text):
        pieces.append(text[position:match.start()])
        offsets.extend(mapped.offsets[position:match.start()])
        kept = keep(match)
        if kept:
            pieces.append(text[kept[0]:kept[1]])
            offsets.extend(mapped.offsets[kept[0]:kept[1]])
        position = match.end()
    if position == 0 and not pieces:
        return mapped
    pieces.append(text[position:])
    offsets.extend(mapped.offsets[position:])
    return MappedText("".join(pieces), offsets)


def _drop(mapped: MappedText, pattern: re.Pattern) -> MappedText:
    return _rebuild(mapped, pattern, lambda match: None)


def _close_prose_spaces(mapped: MappedText) -> MappedText:
    """达到 80%, 101 个, DRG/DIP 改革, 15 631个 → 达到80%, 101个, DRG/DIP改革, 15631个: a space between
    Chinese and a number or a Latin word, or between groups of three digits, is typesetting. Only in
    prose lines (with 。 or a comma): table rows keep their cells apart."""
    prose = [match.span() for match in _PROSE_LINE.finditer(mapped.text)]
    starts = [start for start, _ in prose]

    def keep(match: re.Match) -> tuple[int, int] | None:
        line = bisect.bisect_right(starts, match.start()) - 1
        return None if line >= 0 and match.end() <= prose[line][1] else match.span()

    def keep_grouping(match: re.Match) -> tuple[int, int] | None:  # 15 631个: the digits before are a group
        group = re.search(r"[\d.]*$", match.string[max(0, match.start() - 8):match.start()]).group()
        return keep(match) if len(group) <= 3 and "." not in group else match.span()
    return _rebuild(_rebuild(mapped, _TYPESET_SPACE, keep), _THOUSANDS_SPACE, keep_grouping)


@functools.cache
def _noise_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    config = load_yaml("noise.yaml")
    spam = re.compile("|".join(f"(?:{p})" for p in config["spam"]), re.I)
    lines = re.compile("|".join(f"(?:{p})" for p in config["boilerplate_lines"]), re.M)
    header = config["reply_header"]
    replies = re.compile(rf"(?P<post>(?:{header})[\s\S]*?)(?={header})[\s\S]*", re.M)  # a thread: keep its first post
    links = re.compile(rf"(?:{config['links_heading']})[\s\S]*", re.M)  # 相关链接 and the headlines after it
    return spam, lines, replies, links


def _is_table_row(line: str) -> bool:
    """A line of three or more cells (tabs, runs of spaces or '|' between them) is a table row."""
    return len(_CELL_GAP.findall(line.strip(" |"))) >= 2


def _join_and_dedupe(mapped: MappedText) -> MappedText:
    """One paragraph per line: join paragraphs broken mid-sentence, drop repeated ones (table rows
    are neither joined nor dropped)."""
    text = mapped.text
    seen: set[str] = set()
    pieces: list[str] = []
    offsets = array("l")
    previous, previous_row = "", False
    for match in re.finditer(r"[^\n]+", text):
        line = match.group().strip()
        if not line:
            continue
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        row = _is_table_row(line)
        if len(line) > 12 and line in seen and not row:  # a second table repeats the first one's header
            continue
        seen.add(line)
        # a short line with a comma continues when its sequel ends a sentence; a title with a comma
        # (…四个角度,看DRG/DIP改革成效) is followed by another title or a byline
        broken = ((len(previous) >= 40 or "," in previous and (line[-1] in _TERMINAL or len(line) >= 40))
                  and previous[-1] not in _TERMINAL and not (row or previous_row)
                  and _CJK.match(line[0]) and _CJK.match(previous[-1]))
        if pieces and not broken:
            pieces.append("\n")
            offsets.append(offsets[-1] + 1)  # the break after the previous line, so offsets keep increasing
        pieces.append(line)
        offsets.extend(mapped.offsets[start:start + len(line)])
        previous = line if not broken else previous + line
        previous_row = row
    offsets.append(mapped.offsets[-1])
    return MappedText("".join(pieces), offsets)


@functools.cache
def _simplified(char: str) -> str:
    """The simplified form of one character (OpenCC's character table), or the character itself."""
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def fold(text: str) -> str:
    """Half-width ASCII for full-width forms and simplified for traditional characters, one character
    for one character (a phrase-level conversion would change lengths and break the offset map)."""
    simplified = {ord(char): _simplified(char) for char in set(text) if "\u3400" <= char < "\uff00"
                  or char > "\uffff"}
    return text.translate(_WIDTH_FOLD | simplified)


def canonical_name(name: str) -> str:
    """A vocabulary name in the form normalized text writes it (half-width, simplified, no quotes)."""
    return re.sub(f"[{_QUOTES}]", "", fold(name))


def normalize(original: str) -> MappedText:
    """Normalize a document's text; see the module docstring."""
    mapped = MappedText(fold(original), array("l", range(len(original) + 1)))
    spam, boilerplate, replies, links = _noise_patterns()
    mapped = _drop(mapped, _MARKDOWN_IMAGE)  # before links: an image is a link with a "!" before it
    mapped = _rebuild(mapped, _MARKDOWN_LINK, lambda match: match.span(1))
    mapped = _rebuild(mapped, replies, lambda match: match.span("post"))
    for pattern in (*_MARKUP, spam, boilerplate, links):
        mapped = _drop(mapped, pattern)
    return _join_and_dedupe(_close_prose_spaces(mapped))
