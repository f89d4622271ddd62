"""How long explorer pages take to open: load → layout stabilised → first frame drawn.

Builds synthetic KnowledgeGraphs shaped like a national corpus (provinces, cities and counties,
hospitals, programmes, metrics, observations), writes each page and opens it from `file://` in
headless Chromium (system `chromium`, driven by Playwright), with every non-file request blocked.
`--nodes` graphs get the full page (every node drawn), `--aggregated` graphs the aggregated view
that graph.html shows past `--max-nodes` entities; `--page FILE` measures a page already written.

    .venv/bin/python bench/html_large.py [--nodes 5000 ...] [--aggregated 50000 ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from decimal import Decimal
from pathlib import Path

from kg.emit.aggregate import DEFAULT_MAX_NODES
from kg.emit.html import write_html
from kg.model import Document, Entity, Evidence, Fact, KnowledgeGraph, Observation


def synthetic_graph(n_nodes: int = 5000, seed: int = 7) -> KnowledgeGraph:
    """A reproducible graph of about `n_nodes` entities: half regions, a quarter hospitals, the rest
    programmes and metrics; partOf/locatedIn trees, implements/pilots facts, metric observations."""
    rng = random.Random(seed)
    docs = [Document(f"doc-{i:03d}", f"corpus/{i:03d}.txt", f"{i:03d}.txt", "0" * 64, title=f"第{i}号医改报告")
            for i in range(40)]

    def evidence(text: str) -> list[Evidence]:
        start = rng.randrange(100_000)
        sentence = f"{text}，持续深化医药卫生体制改革，推动优质医疗资源扩容下沉和区域均衡布局。"
        return [Evidence(rng.choice(docs).id, start, start + len(sentence), sentence)]

    n_regions, n_hospitals = n_nodes // 2, n_nodes // 4
    n_programs = (n_nodes - n_regions - n_hospitals) * 3 // 5
    n_metrics = n_nodes - n_regions - n_hospitals - n_programs
    entities: dict[str, Entity] = {}
    provinces = [f"region/{11 + i:02d}0000" for i in range(31)]
    for i, key in enumerate(provinces):
        entities[key] = Entity(key, "Region", f"第{i + 1}省", {f"{i + 1}省"}, subtype="Province", code=key[-6:])
    cities = []
    for i in range(n_regions - len(provinces)):
        key = f"region/c{i:05d}"
        parent = rng.choice(provinces if i < n_regions // 5 else cities)
        kind = "City" if parent in provinces else "County"
        cities.append(key)
        entities[key] = Entity(key, "Region", f"第{i + 1}{'市' if kind == 'City' else '县'}", set(), subtype=kind,
                               part_of=parent)
    regions = provinces + cities
    for i in range(n_hospitals):
        key = f"hospital/h{i:05d}"
        entities[key] = Entity(key, "Hospital", f"第{i + 1}人民医院", {f"{i + 1}院"}, located_in=rng.choice(cities))
    programs = [f"program/p{i:04d}" for i in range(n_programs)]
    for i, key in enumerate(programs):
        entities[key] = Entity(key, "Program", f"第{i + 1}项改革", {f"改革{i + 1}"})
    metrics = [f"metric/m{i:04d}" for i in range(n_metrics)]
    for i, key in enumerate(metrics):
        entities[key] = Entity(key, "Metric", f"第{i + 1}项指标", set())

    facts = []
    for region in regions:
        for program in rng.sample(programs, 12 if region in provinces else 1):
            cue = f"{entities[region].label}推广{entities[program].label}"
            facts.append(Fact(region, "implements", program, evidence(cue)))
    for i in range(n_hospitals):
        key = f"hospital/h{i:05d}"
        facts.append(Fact(key, "pilots", rng.choice(programs), evidence(f"{entities[key].label}开展试点")))
    observations = []
    for region in provinces + cities[: len(cities) // 3]:
        for metric in rng.sample(metrics, 15 if region in provinces else 2):
            for year, kind in ((2023, "reported"), (2025, "target"))[: rng.randint(1, 2)]:
                value = Decimal(rng.randrange(1, 100_000)) / 100
                observations.append(Observation(region, metric, value, "%", year, kind, entities[metric].label,
                                                evidence=evidence(f"{entities[region].label}{entities[metric].label}达到{value}%")))
    return KnowledgeGraph(documents=docs, entities=entities, facts=facts, observations=observations)


def measure(page_path: Path, browser, screenshot: Path | None = None) -> dict[str, float]:
    """Open the page once; seconds from navigation to the layout stabilised and the first frame drawn."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    start = time.perf_counter()
    page.goto(page_path.resolve().as_uri())
    page.wait_for_selector("body[data-state=ready]", timeout=300_000)
    wall = time.perf_counter() - start
    if screenshot:
        page.screenshot(path=screenshot)
    timings = page.evaluate("""() => {
        const network = kgExplorer.network;
        const drawn = [network.body.nodeIndices.length, network.body.edgeIndices.length];
        const t0 = performance.now();
        network.redraw();
        const frame = performance.now() - t0;
        const t1 = performance.now();
        document.querySelector('.legend input[value="Region"]').click();  // hide the regions (half the nodes)
        const filter = performance.now() - t1;
        return {ready: performance.getEntriesByName("kg:ready")[0].startTime / 1000,
                scripts: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd / 1000,
                frame: frame / 1000, filter: filter / 1000, nodes: drawn[0], edges: drawn[1]};
    }""")
    page.close()
    if errors:
        raise RuntimeError(f"the page reported errors: {errors}")
    return {"wall": wall, **timings}


def report(page_path: Path, browser, runs: int) -> None:
    """Open the page `runs` times and print what each run measured and the median time to interactive."""
    results = [measure(page_path, browser, page_path.with_suffix(".png") if i == 0 else None) for i in range(runs)]
    for run in results:
        print(f"  {run['nodes']} nodes, {run['edges']} edges drawn; navigation → scripts run {run['scripts']:.2f} s, "
              f"→ laid out and drawn {run['ready']:.2f} s (wall {run['wall']:.2f} s); "
              f"one frame {run['frame'] * 1000:.0f} ms; hiding the regions {run['filter'] * 1000:.0f} ms")
    print(f"  median navigation → interactive: {statistics.median(r['ready'] for r in results):.2f} s "
          f"(screenshot of the first run: {page_path.with_suffix('.png')})")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="*", default=[5000], help="full pages of graphs this big")
    parser.add_argument("--aggregated", type=int, nargs="*", default=[], help="aggregated pages of graphs this big")
    parser.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, help="the limit for --aggregated")
    parser.add_argument("--page", type=Path, nargs="*", default=[], help="pages already written")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("output/bench-large.html"), help="where pages are written")
    args = parser.parse_args()

    pages = list(args.page)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for n, max_nodes in [(n, None) for n in args.nodes] + [(n, args.max_nodes) for n in args.aggregated]:
        graph = synthetic_graph(n)
        path = args.out.with_name(f"{args.out.stem}-{n}{'-aggregated' if max_nodes else ''}.html")
        start = time.perf_counter()
        write_html(graph, path, max_nodes)
        print(f"{path}: {len(graph.entities)} entities, {len(graph.facts)} facts, {len(graph.observations)} "
              f"observations; {'aggregated' if max_nodes else 'full'} page of {path.stat().st_size / 1e6:.1f} MB "
              f"written in {time.perf_counter() - start:.2f} s")
        pages.append(path)

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        for path in pages:
            print(f"{path} ({path.stat().st_size / 1e6:.1f} MB):")
            report(path, browser, args.runs)
        browser.close()


if __name__ == "__main__":
    main()
