"""Benchmark `kg build` on generated corpora of 1, 10 and 100 MB (see bench/corpus.py).

Prints, per size: throughput (MB/s), documents/s, triples/s written, peak RSS of the build, and two
ratios measured in the same run over the same text: build time / raw `jieba.lcut` time and build
time / spaCy zh+jieba tokenization time.

    python bench/run.py [--sizes 1 10 100] [--work DIR] [-- KG_BUILD_ARGS such as --jobs 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from corpus import generate


def timed_build(corpus: Path, out: Path, extra: list[str]) -> tuple[float, int, int]:
    """Run `kg build` in a child process: (seconds, peak RSS in bytes, triples written)."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out), *extra],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 3):  # 3: built, but the SHACL check found violations
        sys.exit(f"kg build failed on {corpus}:\n{output}")
    triples = int(re.search(r"\((\d+) triples\)", output).group(1))
    return seconds, usage.ru_maxrss * 1024, triples


def baselines(texts: list[str]) -> tuple[float, float]:
    """Seconds for raw jieba segmentation and for spaCy zh (jieba segmenter) tokenization."""
    import jieba
    import spacy
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    jieba_seconds = time.perf_counter() - start
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    start = time.perf_counter()
    for text in texts:
        nlp.make_doc(text)
    return jieba_seconds, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 100], help="corpus sizes in MB")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench"), help="where corpora are generated")
    parser.add_argument("build_args", nargs="*", help="extra arguments for kg build (after --)")
    args = parser.parse_args()
    print(f"{'MB':>6} {'docs':>6} {'MB/s':>6} {'docs/s':>7} {'triples/s':>10} {'peak RSS':>9} "
          f"{'÷jieba':>7} {'÷spaCy':>7}")
    for size in args.sizes:
        corpus = args.work / f"corpus-{size:g}MB"
        if not corpus.exists():
            generate(corpus, size)
        files = sorted(corpus.glob("*.txt"))
        texts = [path.read_text(encoding="utf-8") for path in files]
        megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
        seconds, rss, triples = timed_build(corpus, args.work / f"out-{size:g}MB", args.build_args)
        jieba_seconds, spacy_seconds = baselines(texts)
        print(f"{megabytes:6.1f} {len(files):6d} {megabytes / seconds:6.3f} {len(files) / seconds:7.1f} "
              f"{triples / seconds:10.0f} {rss / 2**20:7.0f}MB {seconds / jieba_seconds:7.2f} "
              f"{seconds / spacy_seconds:7.2f}", flush=True)


if __name__ == "__main__":
    main()
