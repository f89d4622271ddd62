"""`kg build --scheduler`: documents extracted on a Dask cluster (a LocalCluster of two worker processes)."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import dask
import pytest
from dask.distributed import Client, LocalCluster, SchedulerPlugin

from kg.cli import OUTPUT_FILES, main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TASK = "read_and_extract"  # the name Dask gives the tasks of kg.pipeline.read_and_extract


class TaskCounter(SchedulerPlugin):
    """Counts the extraction tasks the scheduler has seen finish."""

    def __init__(self) -> None:
        self.finished = 0

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "memory" and str(key).startswith(TASK):
            self.finished += 1


@pytest.fixture(scope="module")
def cluster():
    """A scheduler (in this process) and two worker processes; a task whose worker dies is not tried again."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        counter = TaskCounter()
        cluster.scheduler.add_plugin(counter)
        yield cluster.scheduler_address, client, counter


def test_a_build_on_a_cluster_is_byte_identical_to_a_local_build(seed_output, cluster, tmp_path):
    address, _, _ = cluster
    assert main(["build", str(SEEDS), "-o", str(tmp_path), "--quiet", "--no-validate", "--scheduler", address,
                 "--rdf-format", "nt", "--rdf-format", "jsonld"]) == 0
    for name in (*OUTPUT_FILES, "graph.nt", "graph.jsonld"):
        assert (tmp_path / name).read_bytes() == (seed_output / name).read_bytes(), name


def test_the_workers_extract_and_only_cache_misses_are_sent(cluster, tmp_path, capsys):
    address, client, counter = cluster
    corpus = tmp_path / "in"
    shutil.copytree(SEEDS, corpus)
    documents = len(list(corpus.glob("*.txt")))
    before = counter.finished
    assert main(["build", str(corpus), "-o", str(tmp_path / "out"), "--quiet", "--no-validate",
                 "--scheduler", address]) == 0
    assert f"cache: 0 of {documents} documents taken from" in capsys.readouterr().out
    assert counter.finished == before + documents
    loaded = client.run(lambda: __import__("kg.vocab").vocab.load_vocabulary.cache_info().currsize)
    assert any(loaded.values())  # the workers loaded the vocabulary themselves
    (corpus / "new.txt").write_text("宁夏\n2024年,全区县域内就诊率达到85%。", encoding="utf-8")
    assert main(["build", str(corpus), "-o", str(tmp_path / "out"), "--quiet", "--no-validate",
                 "--scheduler", address]) == 0
    assert f"cache: {documents} of {documents + 1} documents taken from" in capsys.readouterr().out
    assert counter.finished == before + documents + 1  # only the new one


def test_a_document_whose_extraction_fails_on_a_worker_is_skipped_with_its_reason(cluster, tmp_path, capsys):
    address, client, _ = cluster
    corpus, fatal = tmp_path / "in", tmp_path / "fatal.txt"
    corpus.mkdir()
    (corpus / "good.txt").write_text("宁夏\n2024年,全区县域内就诊率达到85%。", encoding="utf-8")
    (corpus / "odd.txt").write_text("宁夏\n2024年,全区县域内就诊率达到86%。FAIL", encoding="utf-8")
    fatal.write_text("宁夏\n2024年,全区县域内就诊率达到87%。EXIT", encoding="utf-8")

    def sabotage() -> None:  # run on each worker: one document raises, another kills the worker process
        import os

        import kg.pipeline

        extract = kg.pipeline.extract

        def failing(doc_id, mapped, original, vocab):
            if "EXIT" in original:
                os._exit(1)
            if "FAIL" in original:
                raise RuntimeError("odd document")
            return extract(doc_id, mapped, original, vocab)

        kg.pipeline.extract = failing

    client.run(sabotage)
    try:
        assert main(["build", str(corpus), "-o", str(tmp_path / "out"), "--quiet", "--no-validate",
                     "--no-cache", "--scheduler", address]) == 0
        printed = capsys.readouterr().out
        assert f"{corpus / 'odd.txt'}: extraction failed (RuntimeError: odd document)" in printed
        assert "documents read: 1" in printed
        assert "85" in (tmp_path / "out" / "observations.csv").read_text(encoding="utf-8")
        # alone, so that no other document's task shares the dying worker (Dask would count it too)
        assert main(["build", str(fatal), "-o", str(tmp_path / "out"), "--quiet", "--no-validate",
                     "--no-cache", "--scheduler", address]) == 1
        assert f"{fatal}: extraction failed (KilledWorker:" in capsys.readouterr().err
    finally:
        client.restart()  # fresh workers, without the sabotage


def test_an_unreachable_scheduler_is_exit_2_with_its_address(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("kg.parallel.CONNECT_TIMEOUT", 2)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    assert main(["build", str(SEEDS), "-o", str(tmp_path / "out"), "--quiet", "--scheduler", address]) == 2
    assert f"kg build: cannot reach the Dask scheduler at {address}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_scheduler_without_workers_is_exit_2_rather_than_a_wait(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("kg.parallel.CONNECT_TIMEOUT", 2)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        assert main(["build", str(SEEDS), "-o", str(tmp_path / "out"), "--quiet",
                     "--scheduler", empty.scheduler_address]) == 2
    assert f"kg build: the Dask scheduler at {empty.scheduler_address} has no worker" in capsys.readouterr().err
