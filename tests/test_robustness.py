"""Robustness: hostile inputs never cost the good files a fact, outputs are replaced whole, the same
inputs in any order give the same bytes, and report text stays inert in every output format.

The hostile corpus is `tests/data/hostile/` (HTML with scripts, markdown, escapes, traditional
Chinese) plus files made here: other encodings, binary, empty and damaged files, special files and
an unreadable one (made unreadable for root too, with `setpriv`, when it is there).
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
import rdflib

import kg.read
from kg.cli import OUTPUT_FILES, main
from kg.pipeline import build, build_documents
from kg.read import decode, document_from_string, read_document
from kg.structure import MAX_SENTENCE, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
# a report sentence in each encoding, told apart by its value
ENCODED = {
    "utf8-bom.txt": ("utf-8-sig", 71.1), "gb18030.txt": ("gb18030", 71.2), "gbk.txt": ("gbk", 71.3),
    "utf16-bom.txt": ("utf-16", 71.4), "utf16be-bom.txt": ("utf-16-be-bom", 71.5),
    "utf16le.txt": ("utf-16-le", 71.6), "utf16be.txt": ("utf-16-be", 71.7), "utf32.txt": ("utf-32", 71.8),
    "big5.txt": ("big5", 71.9),
}
# file -> what the summary and the report must say about it
SKIPPED = {
    "binary.png.txt": "binary file", "random-bytes.txt": "binary file", "empty.txt": "empty file",
    "blank.txt": "empty file", "bom-only.txt": "empty file", "bad-bom.txt": "despite its byte-order mark",
    "broken-link.txt": "broken symbolic link", "fifo.txt": "not a regular file",
    "zero-device.txt": "not a regular file", "unreadable.txt": "Permission denied",
    "seed-copy.txt": "same content as",
}
WARNED = {"damaged-utf8.txt": "1 undecodable byte sequence"}
PREFIXES = """PREFIX kg: <https://w3id.org/cn-health-kg/def/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""


def report_sentence(value: float, traditional: bool = False) -> str:
    text = f"宁夏\n2024年,全区县域内就诊率达到{value}%,推进紧密型县域医共体建设。\n"
    return text.translate(str.maketrans("宁区县内诊达进紧医体设", "寧區縣內診達進緊醫體設")) if traditional else text


def encode(text: str, encoding: str) -> bytes:
    return b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold, even for root (empty when they already do)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else []


def make_hostile_corpus(folder: Path) -> None:
    """The committed hostile files plus the ones that cannot be committed (see the module docstring)."""
    shutil.copytree(HOSTILE, folder)
    for name, (encoding, value) in ENCODED.items():
        (folder / name).write_bytes(encode(report_sentence(value, encoding == "big5"), encoding))
    damaged = report_sentence(72.1).encode()
    (folder / "damaged-utf8.txt").write_bytes(damaged[:7] + b"\xff" + damaged[7:])  # after 宁夏\n
    (folder / "binary.png.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "random-bytes.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \r\n\t\n\xe3\x80\x80\n")
    (folder / "bom-only.txt").write_bytes(b"\xef\xbb\xbf")
    (folder / "bad-bom.txt").write_bytes(b"\xff\xfe\x00")
    (folder / "broken-link.txt").symlink_to(folder / "nowhere.txt")
    os.mkfifo(folder / "fifo.txt")
    (folder / "zero-device.txt").symlink_to("/dev/zero")
    (folder / "unreadable.txt").write_text(report_sentence(72.2), encoding="utf-8")
    (folder / "unreadable.txt").chmod(0)
    shutil.copy(SEEDS / "004_fd44d362ff85506a.txt", folder / "seed-copy.txt")
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # not followed
    (folder / "named like a file.txt").mkdir()  # a folder: read as one
    (folder / "named like a file.txt" / "inside.md").write_text(report_sentence(72.3), encoding="utf-8")
    odd = os.fsdecode(b'odd "name" \\ <script>\n\xff.txt')
    (folder / odd).write_text(report_sentence(72.4), encoding="utf-8")
    (folder / "ignored.pdf").write_bytes(b"%PDF-1.7\x00")


def query(path: Path, sparql: str) -> set[tuple[str, ...]]:
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return {tuple(term.value if term is not None else "" for term in row) for row in store.query(PREFIXES + sparql)}


FACTS = """SELECT ?s ?p ?o ?file ?begin ?end ?sentence WHERE {
  ?fact a kg:Fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidence ?e .
  ?e prov:value ?sentence ; nif:beginIndex ?begin ; nif:endIndex ?end ; kg:document/kg:fileName ?file }"""
OBSERVATIONS = """SELECT ?region ?metric ?value ?unit ?year ?kind ?file ?sentence WHERE {
  ?region kg:reports ?obs . ?obs kg:metric ?metric ; kg:value ?value ; kg:unit ?unit ; kg:kind ?kind ;
  kg:evidence ?e . OPTIONAL { ?obs kg:year ?year } ?e prov:value ?sentence ; kg:document/kg:fileName ?file }"""


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def with_hostile(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """Seeds and the hostile corpus built by `kg build` in a process of its own (for permissions)."""
    base = tmp_path_factory.mktemp("hostile")
    corpus, out = base / "corpus", base / "out"
    make_hostile_corpus(corpus)
    done = subprocess.run([*unprivileged(), sys.executable, "-m", "kg", "build", str(SEEDS), str(corpus),
                           "-o", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return corpus, out, done


def permissions_hold() -> bool:
    return os.geteuid() != 0 or bool(unprivileged())


def test_hostile_files_cost_the_good_files_no_fact(seed_output, with_hostile):
    _, out, _ = with_hostile
    for sparql in (FACTS, OBSERVATIONS):
        alone = query(seed_output / "graph.ttl", sparql)
        assert alone and alone <= query(out / "graph.ttl", sparql)
    combined = csv_rows(out / "observations.csv")
    assert all(row in combined for row in csv_rows(seed_output / "observations.csv"))


def test_each_bad_input_is_one_line_with_its_reason(with_hostile):
    corpus, out, done = with_hostile
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    skipped = {Path(item["path"]).name: item["reason"] for item in report["skipped"]}
    expected = dict(SKIPPED) if permissions_hold() else {k: v for k, v in SKIPPED.items() if k != "unreadable.txt"}
    assert set(skipped) == set(expected)
    for name, reason in expected.items():
        assert reason in skipped[name], (name, skipped[name])
        assert len([line for line in done.stdout.splitlines() if f"/{name}: " in line]) == 1, name
    for name, warning in WARNED.items():
        assert [w for w in report["warnings"] if name in w and warning in w]
    assert report["counts"]["skipped"] == len(expected) and report["counts"]["documents"] == len(report["documents"])
    assert report["kg_version"] and "\n" not in "".join(item["path"] for item in report["documents"])


def test_every_encoding_and_format_is_read(with_hostile):
    corpus, out, _ = with_hostile
    rows = csv_rows(out / "observations.csv")
    found = {(row["document"], row["value"]) for row in rows if row["region"] == "宁夏回族自治区"}
    for name, (_, value) in ENCODED.items():
        assert (name, str(value)) in found, name
    assert ("damaged-utf8.txt", "72.1") in found
    assert ("inside.md", "72.3") in found
    assert ('odd "name" \\ <script>\\n\\xff.txt', "72.4") in found
    assert {("page.html", "81.5"), ("page.html", "66.6"), ("markup.md", "77.9"), ("traditional.txt", "78.1")} <= found
    scripted = {"99.9", "99.1", "98.8", "9.9"}  # inside <style>, <script>, a comment, <noscript>
    assert not {row["value"] for row in rows if row["document"] == "page.html"} & scripted


def test_traditional_text_is_matched_as_simplified_and_kept_as_written(with_hostile):
    corpus, out, _ = with_hostile
    [row] = [r for r in csv_rows(out / "observations.csv") if r["document"] == "traditional.txt"]
    assert (row["region"], row["metric"], row["unit"]) == ("宁夏回族自治区", "人均预期寿命", "岁")
    assert row["sentence"] == "2024年，全區人均預期壽命達到78.1歲，推進緊密型縣域醫共體建設。"
    text = (corpus / "traditional.txt").read_text(encoding="utf-8")
    facts = [row for row in query(out / "graph.ttl", FACTS) if row[3] == "traditional.txt"]
    assert [row[2] for row in facts] == ["https://w3id.org/cn-health-kg/id/program/county-medical-community"]
    for *_, begin, end, sentence in facts:
        assert text[int(begin):int(end)] == sentence


def test_big5_and_utf16_without_bom_are_told_from_gb18030():
    text = "寧夏回族自治區推進緊密型縣域醫共體建設"
    assert decode(text.encode("big5"), Path("x.txt")) == text
    simplified = "宁夏回族自治区推进紧密型县域医共体建设,全区县域内就诊率达到85%。"
    for encoding in ("utf-16-le", "utf-16-be", "gb18030", "utf-8"):
        assert decode(simplified.encode(encoding), Path("x.txt")) == simplified, encoding
    other_scripts = "Отчёт о реформе здравоохранения; 医療制度改革の報告書"  # text, though not common hanzi
    assert decode(other_scripts.encode(), Path("x.txt")) == other_scripts


def test_control_characters_and_surrogates_are_cleaned_character_for_character():
    document, text = document_from_string("宁夏\x00全区\x1b[31m\r\n就诊率\ud800达到85%\x0c。", "a\x07b.txt")
    assert text == "宁夏 全区 [31m\n\n就诊率\ufffd达到85%\n。"
    assert document.name == "a\\x07b.txt"


def test_strict_turns_warnings_into_exit_1(tmp_path, capsys):
    (tmp_path / "good.txt").write_text(report_sentence(85), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert main(["build", str(tmp_path), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert main(["build", str(tmp_path), "-o", str(tmp_path / "strict"), "--quiet", "--strict"]) == 1
    assert "--strict: 1 skipped, 0 warnings" in capsys.readouterr().err
    assert (tmp_path / "strict" / "build-report.json").exists()  # written, so the reasons can be read
    assert main(["build", str(tmp_path / "good.txt"), "-o", str(tmp_path / "clean"), "--quiet", "--strict"]) == 0


def test_nothing_readable_is_exit_1_and_touches_no_output(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("previous", encoding="utf-8")
    assert main(["build", str(tmp_path / "in"), str(tmp_path / "missing"), "-o", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "empty.txt: empty file" in err and "missing: no such file or folder" in err
    assert [p.name for p in out.iterdir()] == ["graph.ttl"] and (out / "graph.ttl").read_text() == "previous"


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_a_failed_or_interrupted_build_leaves_the_previous_outputs(tmp_path, monkeypatch, failure):
    (tmp_path / "a.txt").write_text(report_sentence(85), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(out), "--quiet"]) == 0
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    (tmp_path / "b.txt").write_text(report_sentence(86), encoding="utf-8")

    def fail(*args, **kwargs):
        raise failure()

    monkeypatch.setattr("kg.emit.tables.write_graphml", fail)  # after graph.ttl and graph.html are written
    if failure is KeyboardInterrupt:
        assert main(["build", str(tmp_path / "b.txt"), "-o", str(out), "--quiet"]) == 130
    else:
        with pytest.raises(RuntimeError):
            main(["build", str(tmp_path / "b.txt"), "-o", str(out), "--quiet"])
    assert {path.name: path.read_bytes() for path in out.iterdir()
            if path.name != ".kg-cache"} == before  # and no temporary file left (the cache may have grown)


def test_ctrl_c_while_writing_keeps_the_previous_outputs(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUT_FILES:
        (out / name).write_text("previous", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "kg", "build", str(SEEDS), "-o", str(out), "--quiet"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(".*.tmp")):  # graph.ttl is written, the other files are being made
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 130 and "interrupted" in process.stderr.read()
    assert sorted(path.name for path in out.iterdir() if path.name != ".kg-cache") == sorted(OUTPUT_FILES)
    assert all((out / name).read_text(encoding="utf-8") == "previous" for name in OUTPUT_FILES)


def test_an_output_that_cannot_be_written_is_exit_2(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(report_sentence(85), encoding="utf-8")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    assert main(["build", str(tmp_path / "a.txt"), "-o", str(tmp_path / "taken"), "--quiet"]) == 2
    assert "kg build:" in capsys.readouterr().err


def test_help_documents_strict_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--strict" in text and "130" in text and "no readable report" in text
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--no-such-option"])
    assert exit_.value.code == 2


def test_same_inputs_in_any_order_give_identical_bytes(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    for name in ("page.html", "traditional.txt", "escapes.txt"):
        shutil.copy(HOSTILE / name, folder / name)
    shutil.copy(SEEDS / "001_7f6cfaaf1af7e210.txt", folder / "a-copy.txt")  # which copy is kept must not vary
    files = sorted(str(path) for path in folder.iterdir())
    assert main(["build", str(folder), "-o", str(tmp_path / "folder"), "--quiet"]) == 0
    assert main(["build", *reversed(files), "-o", str(tmp_path / "reversed"), "--quiet"]) == 0
    walk = os.walk
    monkeypatch.setattr(kg.read.os, "walk", lambda *a, **k: ((d, s, n[::-1]) for d, s, n in walk(*a, **k)))
    assert main(["build", str(folder), "-o", str(tmp_path / "listed"), "--quiet"]) == 0
    for name in OUTPUT_FILES:
        expected = (tmp_path / "folder" / name).read_bytes()
        assert (tmp_path / "reversed" / name).read_bytes() == expected, name
        assert (tmp_path / "listed" / name).read_bytes() == expected, name


def test_quotes_backslashes_newlines_and_scripts_stay_text_in_every_format(tmp_path):
    source = tmp_path / 'evil "name" \\ <script>alert(2).txt'
    shutil.copy(HOSTILE / "escapes.txt", source)
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--quiet"]) == 0
    sentences = {'2024年,全区县域内就诊率达到85.1%</script><script>alert("x")</script>\\ """ \'\'\' ]]> --> 。',
                 "2024年,全区<script>alert(1)</script>就诊率达到86.2%。", '2024年,全区\\"县域\\"就诊率达到87.3%。',
                 "2024年,全区县域内就诊率\n达到88.4%,推进“<script>”医共体建设。"}
    labels = {">alert(1)</script>就诊率", "\\县域\\就诊率"}

    graph = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph)
    literals = {str(o) for o in graph.objects() if isinstance(o, rdflib.Literal)}
    assert sentences <= literals and labels <= literals and source.name in literals

    network = nx.read_graphml(out / "graph.graphml")
    assert labels <= set(nx.get_node_attributes(network, "label").values())
    evidence = "\n".join(data["evidence"] for _, _, data in network.edges(data=True))
    assert all(sentence in evidence for sentence in sentences)

    rows = csv_rows(out / "observations.csv")
    assert sentences <= {row["sentence"] for row in rows} and labels <= {row["metric"] for row in rows}
    assert {row["document"] for row in rows} == {source.name}

    (tmp_path / "benign.txt").write_text(report_sentence(85), encoding="utf-8")
    assert main(["build", str(tmp_path / "benign.txt"), "-o", str(tmp_path / "benign"), "--quiet"]) == 0
    page = (out / "graph.html").read_text(encoding="utf-8").lower()
    benign = (tmp_path / "benign" / "graph.html").read_text(encoding="utf-8").lower()
    for markup in ("<script", "</script", "<!--", "-->", "]]>", "<img"):
        assert page.count(markup) == benign.count(markup), markup  # only the page's own
    assert "alert(" in page and "<script>alert" not in page


def test_a_folder_of_thousands_of_files(tmp_path):
    for index in range(1500):
        folder = tmp_path / "in" / f"batch{index // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = "" if index % 500 == 7 else f"宁夏\n{2000 + index % 25}年,全区县域内就诊率达到{index / 10}%。\n第{index}号。"
        (folder / f"report{index:04d}.txt").write_text(text, encoding="utf-8")
    graph = build([tmp_path / "in"], progress=False)
    assert len(graph.documents) == 1497 and [s.path.rsplit("/", 1)[1] for s in graph.skipped] == [
        "report0007.txt", "report0507.txt", "report1007.txt"]
    assert len(graph.observations) == 1497 and {"0.0", "149.9", "75.3"} <= {str(o.value) for o in graph.observations}


def test_a_20_mb_single_line_file(tmp_path):
    """A scraped markdown page with an embedded image: one line of 20 MB."""
    image = "iVBORw0KGgo" + "".join(random.Random(3).choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/",
                                                              k=1 << 16)) * 320
    line = f"宁夏2024年,全区县域内就诊率达到85%。![图1](data:image/png;base64,{image})全区人均预期寿命达到77.8岁。"
    path = tmp_path / "long.md"
    path.write_text(line, encoding="utf-8")
    assert path.stat().st_size > 20 * 10**6
    started = time.monotonic()
    graph = build([path], progress=False)
    assert time.monotonic() - started < 120
    found = {(str(o.value), o.unit): o.evidence[0] for o in graph.observations}
    assert set(found) == {("85", "%"), ("77.8", "岁")}
    for evidence in found.values():
        assert len(evidence.sentence) < 40 and line[evidence.start:evidence.end] == evidence.sentence


@pytest.mark.parametrize("text", [
    "1" * 100_000, "十" * 100_000, "1." * 50_000, "![" * 50_000, "[" * 50_000 + "](" * 25_000,
    "\n" * 100_000, "#" * 100_000, "全区医疗卫生服务" * 12_500, "“" * 50_000 + "”" * 50_000,
    "由9.52/10万下降至" * 8_000, "、".join(["包头", "赤峰", "乌海"] * 10_000),
], ids=["digits", "numerals", "dotted", "images", "links", "blank-lines", "hashes", "run-on", "quotes",
        "pairs", "place-list"])
def test_hostile_text_takes_linear_time(text):
    started = time.monotonic()
    build_documents([document_from_string(text, "hostile.txt")])
    assert time.monotonic() - started < 15  # each took minutes to hours before the patterns were bounded


def test_a_run_on_line_is_cut_into_sentences_that_cover_it():
    line = ("医疗卫生" * 40 + "," + "x" * 700) * 3_000  # 2.6 million characters, no full stop
    started = time.monotonic()
    sentences = split_sentences(line, 5)
    assert time.monotonic() - started < 5
    assert max(len(s.text) for s in sentences) <= MAX_SENTENCE
    assert "".join(s.text for s in sentences) == line and sentences[0].start == 5
    assert all(s.text == line[s.start - 5:s.end - 5] for s in sentences)


def test_read_document_names_the_problem(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\xfe\xff\x00")
    with pytest.raises(kg.read.ReadError, match="bad.txt: not valid UTF-16-BE despite its byte-order mark"):
        read_document(tmp_path / "bad.txt")
    with pytest.raises(kg.read.ReadError, match="nowhere.txt: cannot read"):
        read_document(tmp_path / "nowhere.txt")
