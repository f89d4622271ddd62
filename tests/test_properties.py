"""Property-based tests: the normalizer's offset map, the number parser, and the whole pipeline and its
emitters on random and adversarial documents. Example counts are kept modest so the suite stays fast."""

from __future__ import annotations

import csv
import tempfile
import unicodedata
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pyoxigraph
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import write_outputs
from kg.normalize import fold, normalize
from kg.numbers import UNITS, find_quantities, parse_number
from kg.pipeline import build_documents
from kg.read import clean_text, document_from_string, html_to_text

# pieces of real reports and of the things scraped pages and editors put around them
FRAGMENTS = [
    "宁夏", "全区", "全省", "该市", "寧夏", "醫院", "縣域", "包头、赤峰、乌海3个", "北京大学第一医院宁夏妇女儿童医院",
    "推进紧密型县域医共体建设", "深入推广三明医改经验", "试点", "2024年,", "到2025年", "从2020年的", "由9.52/10万下降至",
    "人均预期寿命达到", "分别为", "达到85%", "７９．７２岁", "十二个", "两千", "1xbet体育", "返回目录", "\n", "\n\n", " ",
    "\u3000", "\t", "。", ",", "、", ";", "“", "”", "「", "」", '"', "'", "\\", "**", "__", "# ", "![图](a.png)",
    "[链接](http://x)", "[", "]", "(", ")", "<script>", "</script>", "&lt;", "\u200b", "\ufeff", "▶", "•", "《", "》",
]
pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4))
reports = st.lists(pieces, max_size=50).map("".join)
adversarial = st.one_of(
    reports,
    st.text(st.characters(codec=None), max_size=200),  # any code point, lone surrogates included
    st.builds(lambda piece, n: piece * n, st.sampled_from(FRAGMENTS), st.integers(100, 2000)),  # long runs
    st.builds(lambda a, b, n: a * n + b * n, st.sampled_from("“「『\"'([!#"), st.sampled_from("”」』\"')]"),
              st.integers(1, 300)),  # nested quotes and brackets
)


def ordered_in(needle: str, haystack: str) -> bool:
    """Every character of needle appears in haystack, in order."""
    rest = iter(haystack)
    return all(char in rest for char in needle)


@settings(max_examples=150, deadline=None)
@given(reports)
def test_every_normalized_character_comes_from_where_its_offset_points(original):
    mapped = normalize(original)
    offsets = mapped.offsets
    assert len(offsets) == len(mapped.text) + 1 and offsets[-1] == len(original)
    assert all(0 <= a < b <= len(original) for a, b in pairwise(offsets))  # strictly increasing
    for index, char in enumerate(mapped.text):
        assert char == "\n" or fold(original[offsets[index]]) == char


@settings(max_examples=150, deadline=None)
@given(reports, st.data())
def test_a_normalized_span_maps_to_an_original_span_that_normalizes_back(original, data):
    mapped = normalize(original)
    start = data.draw(st.integers(0, len(mapped.text)))
    end = data.draw(st.integers(start, len(mapped.text)))
    begin, stop = mapped.original_span(start, end)
    assert 0 <= begin <= stop <= len(original)
    assert stop <= mapped.original_span(end, end)[0] or start == end  # spans in order stay in order
    span, source = mapped.text[start:end], fold(original[begin:stop])
    assert ordered_in(span.replace("\n", ""), source)
    if span and span[0] != "\n":
        assert source[0] == span[0] and (span[-1] == "\n" or source[-1] == span[-1])
    if all(b == a + 1 for a, b in pairwise(mapped.offsets[start:end + 1])):  # nothing dropped inside
        assert source == span


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text("0123456789.零一二两三四五六七八九十百千万亿", min_size=1)))
def test_parse_number_never_raises_and_gives_finite_values(text):
    value = parse_number(text)
    assert value is None or value.is_finite()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text("0123456789.零一二两三十百千约近超逾余多以上下左右", max_size=6),
                          st.sampled_from(UNITS)), max_size=30).map("".join))
def test_quantities_are_finite_and_where_they_say(text):
    for quantity in find_quantities(text):
        assert quantity.value.is_finite() and quantity.unit in UNITS
        assert text[quantity.start:quantity.end] == quantity.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(adversarial, min_size=1, max_size=3))
def test_the_pipeline_survives_any_document(texts):
    documents = [document_from_string(text, f"doc{index}.txt") for index, text in enumerate(texts)]
    graph = build_documents(documents)
    assert not [item for item in graph.skipped if "same content" not in item.reason]
    originals = {document.id: text for document, text in documents}
    for item in (*graph.facts, *graph.observations, *graph.entities.values()):
        for evidence in item.evidence:
            assert originals[evidence.doc_id][evidence.start:evidence.end] == evidence.sentence


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(pieces, st.sampled_from(["<p>", "</p>", "<div>", "<br>", "<script>", "</script>",
                                                    "<style>", "</style>", "<!--", "-->", "&amp;", "&#0;", "&#x1F;",
                                                    "<![CDATA[", "]]>", "<p class='a\"b'>"])), max_size=40).map("".join))
def test_html_to_text_never_raises_and_its_cleaned_text_has_no_control_characters(markup):
    text = clean_text(html_to_text(markup))
    assert not [char for char in text if unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(reports, st.text(st.characters(codec=None), max_size=80)), min_size=1, max_size=2))
def test_every_output_format_reads_back(texts):
    graph = build_documents(document_from_string(f"宁夏\n{text}", f"d{i}.txt") for i, text in enumerate(texts))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_outputs(graph, out)
        rdf = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
        store = pyoxigraph.Store()
        store.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
        assert len(store) == len(rdf)
        assert nx.read_graphml(out / "graph.graphml").number_of_nodes() == len(graph.entities) + len(graph.observations)
        with (out / "observations.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [row["sentence"] for row in rows] == [e.sentence for o in graph.observations for e in o.evidence]
