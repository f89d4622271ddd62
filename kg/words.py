"""Words: jieba taught the vocabulary's terms, its part-of-speech tags (cached) and spaCy's tokenizer.

The same short phrases are tagged again and again (a phrase, its head, the words after a count), so
tags are cached; the vocabulary's terms are added to jieba's dictionary before anything is cut, so a
phrase gets the same words in every document and every process.
"""

from __future__ import annotations

import functools

import jieba
import jieba.posseg
import spacy

from kg.vocab import load_vocabulary


@functools.cache
def _taught() -> None:
    """Add every programme and metric name to jieba's dictionary (once per process)."""
    for entry in load_vocabulary().entries.values():
        if entry.type in ("Program", "Metric"):
            for name in (entry.label, *entry.aliases):
                jieba.add_word(name)


@functools.lru_cache(maxsize=1 << 16)
def tagged(text: str) -> tuple[jieba.posseg.pair, ...]:
    """jieba's words of `text` with their part-of-speech flags (`.word`, `.flag`)."""
    _taught()
    return tuple(jieba.posseg.cut(text))


@functools.cache
def tokenizer() -> spacy.language.Language:
    """spaCy's Chinese pipeline with the jieba segmenter (which shares the taught dictionary)."""
    _taught()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
