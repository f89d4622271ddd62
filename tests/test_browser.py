"""The explorer page in real headless Chromium (Debian's `chromium`, driven by Playwright).

Every page is opened from `file://` in an offline browser context where any request that is not a
`file:` URL is aborted and recorded; every console error or warning, uncaught exception and dialog
is recorded too, and each test ends by asserting there were none.

Without Chromium these tests fail. Set KG_SKIP_BROWSER=1 to skip them on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import kg
from kg.emit.html import write_html
from kg.model import KnowledgeGraph

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCREENSHOT = ROOT / "output" / "graph.png"
VIEWPORT = {"width": 1400, "height": 900}
NINGXIA = "region/640000"
SANMING = "program/sanming-model"

pytestmark = pytest.mark.skipif(os.environ.get("KG_SKIP_BROWSER") == "1", reason="KG_SKIP_BROWSER=1")


@dataclass
class Explorer:
    """An opened page, with every URL it requested and every problem it reported."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def drawn(self) -> tuple[int, int]:
        """Nodes and edges vis-network currently draws."""
        return tuple(self.js("() => { const body = kgExplorer.network.body; "
                             "return [body.nodeIndices.length, body.edgeIndices.length]; }"))

    def drawn_nodes(self) -> set[str]:
        return set(self.js("() => kgExplorer.network.body.nodeIndices"))

    def node_point(self, key: str) -> tuple[float, float]:
        """Zoom in on a node (no animation) and return its centre in page coordinates."""
        return tuple(self.js("""(key) => {
            const network = kgExplorer.network;
            const position = network.getPositions([key])[key];
            network.moveTo({ position: position, scale: 2 });
            const point = network.canvasToDOM(position);
            const box = document.getElementById("kg-network").getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }""", key))

    def tick(self, value: str, checked: bool) -> None:
        self.page.set_checked(f'.legend input[value="{value}"]', checked)

    def search(self, text: str) -> None:
        self.page.fill("#kg-query", text)
        self.page.press("#kg-query", "Enter")

    def panel(self) -> str:
        return self.page.inner_text("#kg-details")

    def status(self) -> str:
        return self.page.inner_text("#kg-status")


def squash(text: str) -> str:
    """Text without white space: the page shows runs of spaces and line breaks as one space."""
    return re.sub(r"\s+", "", text)


def expected_edges(graph: KnowledgeGraph) -> Counter[str]:
    """Edges per relation as the page should draw them: one per distinct fact, per parent link and per
    region–metric pair (a pair's observations share one reports edge)."""
    known = graph.entities
    counts = Counter(p for _, p, _ in {(f.subject, f.predicate, f.object) for f in graph.facts
                                       if f.subject in known and f.object in known})
    counts["locatedIn"] = sum(e.located_in in known and e.located_in != e.key for e in known.values())
    counts["partOf"] = sum(e.part_of in known and e.part_of != e.key for e in known.values())
    counts["reports"] = len({(o.region, o.metric) for o in graph.observations
                             if o.region in known and o.metric in known})
    return counts


def neighbours(graph: KnowledgeGraph, key: str) -> set[str]:
    """The entities one edge away from `key`."""
    near = {f.object for f in graph.facts if f.subject == key} | {f.subject for f in graph.facts if f.object == key}
    near |= {o.metric for o in graph.observations if o.region == key}
    near |= {o.region for o in graph.observations if o.metric == key}
    entity = graph.entities[key]
    near |= {entity.part_of, entity.located_in}
    near |= {e.key for e in graph.entities.values() if key in (e.part_of, e.located_in)}
    return (near & set(graph.entities)) - {key}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is not installed: run scripts/test.sh as root or `apt-get install chromium`; "
                    "set KG_SKIP_BROWSER=1 to skip the browser tests on purpose", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)  # never a downloaded browser
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator:
    """Open a page offline; after the test, assert it fetched nothing and reported no problem."""
    opened: list[Explorer] = []

    def open_(path: Path) -> Explorer:
        context = browser.new_context(viewport=VIEWPORT, offline=True)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        page = context.new_page()
        explorer = Explorer(page, path.resolve().as_uri())
        page.on("request", lambda request: explorer.requests.append(request.url))
        page.on("console", lambda message: explorer.problems.append(f"console {message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: explorer.problems.append(f"uncaught: {error}"))
        page.on("dialog", lambda dialog: (explorer.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(explorer.url)
        page.wait_for_selector("body[data-state=ready]", timeout=60_000)
        opened.append(explorer)
        return explorer

    yield open_
    for explorer in opened:
        explorer.page.context.close()
        assert explorer.requests == [explorer.url], "the page requested more than itself"
        assert explorer.problems == []


@pytest.fixture(scope="module")
def seed_graph() -> KnowledgeGraph:
    return kg.build([SEEDS]).graph


@pytest.fixture(scope="module")
def seed_file(seed_graph: KnowledgeGraph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "graph.html"
    write_html(seed_graph, path)
    return path


@pytest.fixture
def seed(open_page, seed_file: Path) -> Explorer:
    return open_page(seed_file)


def test_opens_offline_with_nothing_but_itself(seed):
    assert seed.js("() => typeof vis.Network") == "function"
    assert seed.js("() => [...document.styleSheets].every((sheet) => sheet.href === null)")
    assert seed.js("() => document.fonts.size") == 0  # system fonts only, no web fonts
    # the fixture asserts that no other URL was requested and nothing was logged


def test_draws_every_entity_and_edge(seed, seed_graph):
    edges = expected_edges(seed_graph)
    assert seed.drawn_nodes() == set(seed_graph.entities)  # observations are not nodes unless asked
    assert seed.drawn() == (len(seed_graph.entities), sum(edges.values()))
    total = f"{len(seed_graph.entities)} / {len(seed_graph.entities)} 个节点 · {sum(edges.values())} / "
    assert total in seed.status()


def test_physics_stops_once_laid_out(seed):
    before = seed.js("() => kgExplorer.network.getPositions()")
    seed.page.wait_for_timeout(700)
    assert seed.js("() => kgExplorer.network.getPositions()") == before


def test_type_and_relation_filters(seed, seed_graph):
    types = Counter(e.type for e in seed_graph.entities.values())
    edges = expected_edges(seed_graph)
    n_nodes, n_edges = len(seed_graph.entities), sum(edges.values())

    seed.tick("Metric", False)
    assert seed.drawn() == (n_nodes - types["Metric"], n_edges - edges["reports"])
    assert not any(key.startswith("metric/") for key in seed.drawn_nodes())
    seed.tick("Hospital", False)
    assert seed.drawn()[0] == n_nodes - types["Metric"] - types["Hospital"]
    seed.tick("Metric", True)
    seed.tick("Hospital", True)
    assert seed.drawn() == (n_nodes, n_edges)

    seed.tick("implements", False)
    assert seed.drawn() == (n_nodes, n_edges - edges["implements"])
    assert f"{n_edges - edges['implements']} / {n_edges} 条边" in seed.status()
    seed.tick("implements", True)
    assert seed.drawn() == (n_nodes, n_edges)


def test_observations_become_nodes_on_request(seed, seed_graph):
    edges = expected_edges(seed_graph)
    n_nodes, n_edges, n_observations = len(seed_graph.entities), sum(edges.values()), len(seed_graph.observations)
    seed.tick("Observation", True)
    # each observation: a node, region → observation and observation → metric instead of the pair's edge
    assert seed.drawn() == (n_nodes + n_observations, n_edges - edges["reports"] + 2 * n_observations)

    node = seed.js(r"() => kgExplorer.network.body.nodeIndices.find((id) => /^e\d+\/o\d+$/.test(id))")
    seed.page.mouse.click(*seed.node_point(node))
    assert seed.js("() => kgExplorer.network.getSelectedNodes()") == [node]
    panel = seed.panel()
    assert "观测 Observation" in panel
    assert any(squash(e.sentence) in squash(panel) for o in seed_graph.observations for e in o.evidence)
    seed.tick("Observation", False)
    assert seed.drawn() == (n_nodes, n_edges)


def test_search_by_alias_selects_and_shows(seed):
    seed.search("宁夏")  # an alias of 宁夏回族自治区
    assert seed.page.inner_text("#kg-details h2") == "宁夏回族自治区"
    assert seed.js("() => kgExplorer.network.getSelectedNodes()") == [NINGXIA]
    seed.page.wait_for_timeout(600)  # the camera moves to the node
    inside = seed.js("""(key) => {
        const network = kgExplorer.network;
        const point = network.canvasToDOM(network.getPositions([key])[key]);
        const box = document.getElementById("kg-network").getBoundingClientRect();
        return point.x > 0 && point.y > 0 && point.x < box.width && point.y < box.height;
    }""", NINGXIA)
    assert inside


def test_search_lists_several_hits_and_reports_none(seed, seed_graph):
    names = {e.key: {e.label, *e.alt_labels} for e in seed_graph.entities.values()}
    hits = {key for key, forms in names.items() if any("人民医院" in form for form in forms)}
    assert len(hits) > 1 and not any("人民医院" in forms for forms in names.values())  # no exact hit
    seed.search("人民医院")
    assert f"找到 {len(hits)} 个节点" in seed.panel()
    assert set(seed.js("() => kgExplorer.network.getSelectedNodes()")) == hits
    seed.search("没有这个名字")
    assert "没有找到匹配的节点" in seed.panel()


def test_clicking_a_node_lists_facts_evidence_and_observations(seed, seed_graph):
    seed.page.mouse.click(*seed.node_point(NINGXIA))
    panel = seed.panel()
    assert seed.page.inner_text("#kg-details h2") == "宁夏回族自治区"
    names = {d.id: d.name for d in seed_graph.documents}
    facts = [f for f in seed_graph.facts if NINGXIA in (f.subject, f.object)]
    assert facts
    for fact in facts:
        other = fact.object if fact.subject == NINGXIA else fact.subject
        assert seed_graph.entities[other].label in panel
        for evidence in fact.evidence:
            assert squash(evidence.sentence) in squash(panel) and names[evidence.doc_id] in panel

    observations = [o for o in seed_graph.observations if o.region == NINGXIA]
    rows = seed.page.locator("#kg-details tr.observation")
    assert rows.count() == len(observations) > 0
    shown = {tuple(rows.nth(i).locator("td").all_inner_texts()[:4]) for i in range(rows.count())}
    for o in observations:
        year = str(o.year) if o.year else "—"
        assert (seed_graph.entities[o.metric].label, format(o.value, "f") + (o.qualifier or ""), o.unit, year) in shown
    sources = seed.page.locator("#kg-details tr.sources").first
    assert sources.is_hidden()
    rows.first.locator("td.num").click()  # a row opens its evidence sentences
    assert sources.is_visible() and "——" in sources.inner_text()


def test_focus_shows_one_neighbourhood(seed, seed_graph):
    seed.page.mouse.dblclick(*seed.node_point(SANMING))
    near = neighbours(seed_graph, SANMING)
    assert seed.drawn_nodes() == near | {SANMING}
    assert seed.page.is_visible("#kg-focus") and "三明医改经验（1 跳）" in seed.page.inner_text("#kg-focus")
    assert seed.page.inner_text("#kg-details h2") == "三明医改经验"

    seed.page.select_option("#kg-details select", "2")
    seed.page.click("#kg-details .actions button")
    two_steps = seed.drawn_nodes()
    assert two_steps > near | {SANMING}
    assert two_steps == near.union(*(neighbours(seed_graph, key) for key in near)) | {SANMING}

    seed.page.keyboard.press("Escape")
    assert seed.page.is_hidden("#kg-focus")
    assert seed.drawn_nodes() == set(seed_graph.entities)


def test_screenshot_of_the_seed_graph(seed):
    seed.search("宁夏回族自治区")
    seed.js("() => kgExplorer.network.fit()")  # the whole graph, the region selected, its panel open
    seed.page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    seed.page.screenshot(path=SCREENSHOT)
    assert SCREENSHOT.stat().st_size > 50_000


HOSTILE_NAME = '"><img src=x onerror=window.__kgPwned=6>.txt'
HOSTILE_TEXT = (
    "<script>window.__kgPwned=1</script>宁夏报告\n"
    "宁夏\n"
    "促进“三医”协同发展和治理,推广三明医改经验\"><img src=x onerror=window.__kgPwned=3>,"
    "落实定期协商调度机制<script>window.__kgPwned=4</script>。\n"
    "2024年,全区人均预期寿命提高到77.8岁\"><img src=x onerror=window.__kgPwned=5>。\n"
)


def test_report_text_is_shown_as_text_never_run(open_page, tmp_path):
    graph = kg.build_texts({HOSTILE_NAME: HOSTILE_TEXT}).graph
    assert any("<script>" in e.sentence for f in graph.facts for e in f.evidence)  # the markup reached the graph
    write_html(graph, tmp_path / "graph.html")
    page = open_page(tmp_path / "graph.html")

    assert page.js("() => window.__kgPwned") is None
    assert page.js("() => document.querySelectorAll('img').length") == 0
    assert page.js("() => document.scripts.length") == 3  # vis-network, the data, the explorer
    intro = page.page.inner_text("#kg-intro")
    assert "<script>window.__kgPwned=1</script>宁夏报告" in intro and HOSTILE_NAME in intro

    page.search("宁夏")
    panel = page.panel()
    assert "推广三明医改经验\"><img src=x onerror=window.__kgPwned=3>," in panel
    assert "<script>window.__kgPwned=4</script>" in panel
    page.page.click("#kg-details tr.observation td.num")
    assert "77.8岁\"><img src=x onerror=window.__kgPwned=5>" in page.panel()
    assert page.js("() => window.__kgPwned") is None
    # the fixture asserts that no image was fetched and no dialog opened


def test_a_large_graph_opens(open_page, tmp_path):
    spec = importlib.util.spec_from_file_location("html_large", ROOT / "bench" / "html_large.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    graph = bench.synthetic_graph(1500)  # above LARGE_GRAPH: straight edges, no arrow heads
    write_html(graph, tmp_path / "large.html")
    page = open_page(tmp_path / "large.html")
    assert page.drawn() == (len(graph.entities), sum(expected_edges(graph).values()))
    page.tick("Region", False)
    assert page.drawn()[0] == sum(e.type != "Region" for e in graph.entities.values())


@pytest.fixture(scope="module")
def aggregated_file(seed_graph: KnowledgeGraph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "aggregated.html"
    write_html(seed_graph, path, max_nodes=100)
    return path


def edge_point(explorer: Explorer, edge_id: str) -> tuple[float, float] | None:
    """Zoom in on an edge and return a point in page coordinates where it, and no node, is hit (if any)."""
    point = explorer.js("""(id) => {
        const network = kgExplorer.network;
        const edge = network.body.edges[id];
        const positions = network.getPositions([edge.fromId, edge.toId]);
        const [a, b] = [positions[edge.fromId], positions[edge.toId]];
        network.moveTo({ position: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, scale: 1.5 });
        const box = document.getElementById("kg-network").getBoundingClientRect();
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65]) {
            const dom = network.canvasToDOM({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
            if (network.getNodeAt(dom) === undefined && network.getEdgeAt(dom) === id) return [box.left + dom.x, box.top + dom.y];
        }
        return null;
    }""", edge_id)
    return tuple(point) if point else None


def test_aggregated_view_opens_says_so_and_its_panels_work(open_page, aggregated_file, seed_graph, seed_output):
    from kg.emit.aggregate import FACTS_QUERY, OBSERVATIONS_QUERY, aggregate
    from kg.sparql import load_store, run
    from test_aggregate import _fill

    view = aggregate(seed_graph)
    nodes = {n["id"]: n for n in view["nodes"]}
    page = open_page(aggregated_file)
    assert page.drawn() == (len(view["nodes"]), len(view["edges"]))
    assert f"{len(view['nodes'])} / {len(view['nodes'])} 个节点" in page.status()

    notice = page.page.locator("#kg-aggregate")
    box = notice.bounding_box()
    assert notice.is_visible() and box["y"] + box["height"] < VIEWPORT["height"] / 2  # on screen, above the graph
    text = squash(notice.inner_text())
    assert f"汇总视图Aggregatedview：这个图有{len(seed_graph.entities)}个节点" in text
    assert "超过graph.html的上限100（--html-max-nodes）" in text
    assert all(word in text for word in ("kgbuild--html-max-nodes0", "graph.ttl", "kgquery", "graph.graphml"))

    page.search("郑州市")  # a city folded into its province
    assert page.page.inner_text("#kg-details h2") == "河南省"
    assert page.js("() => kgExplorer.network.getSelectedNodes()") == ["region/410000"]
    assert "郑州市" in page.panel() and "汇总节点" in page.panel()

    page.page.mouse.click(*page.node_point(NINGXIA))
    ningxia = nodes[NINGXIA]
    panel = page.panel()
    assert page.page.inner_text("#kg-details h2") == "宁夏回族自治区"
    assert f"指标观测（{ningxia['observations']} 条）" in panel
    assert page.page.locator("#kg-details table.metrics tr").count() == len(ningxia["metrics"]) + 1
    facts = [e for e in view["edges"] if "facts" in e and NINGXIA in (e["from"], e["to"])]
    assert page.page.locator("#kg-details li").filter(has_text="条事实").count() == len(facts)
    queries = page.page.locator("#kg-details pre.query").all_inner_texts()
    assert [q.strip() for q in queries] == [_fill(FACTS_QUERY, subject=ningxia["sparql"]).strip(),
                                            _fill(OBSERVATIONS_QUERY, province="64").strip()]

    # the edge with the most facts that a click can reach (a big node may cover an edge's whole length)
    edges = sorted((e for e in view["edges"] if "facts" in e), key=lambda e: (-e["facts"], e["id"]))
    edge, point = next((e, point) for e in edges if (point := edge_point(page, e["id"])))
    assert edge["facts"] > 1
    page.page.mouse.click(*point)
    panel = page.panel()
    source, target = nodes[edge["from"]], nodes[edge["to"]]
    assert squash(page.page.inner_text("#kg-details h2")) == f"{source['label']}→{target['label']}"
    assert f"{edge['facts']} 条事实" in panel and f"{edge['documents']} 份文档" in panel
    assert all(name in panel for name in edge["docs"])
    query = page.page.inner_text("#kg-details pre.query")
    assert query.strip() == _fill(FACTS_QUERY, relation=f"VALUES ?relation {{ kg:{edge['predicate']} }}",
                                  subject=source["sparql"], programme=target["sparql"]).strip()
    assert len(run(load_store(seed_output / "graph.ttl"), query).rows) == edge["sentences"]

    page.page.keyboard.press("Escape")
    page.page.mouse.dblclick(*page.node_point(NINGXIA))  # focus: 宁夏 and the programmes it is linked to
    assert page.drawn_nodes() == {NINGXIA} | {e["to"] for e in facts}
    page.page.keyboard.press("Escape")
    page.tick("Program", False)
    assert page.drawn_nodes() == {n["id"] for n in view["nodes"] if n["type"] == "Region"}
