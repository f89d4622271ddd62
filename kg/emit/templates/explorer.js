/* The explorer: legend filters, search, focus mode and a side panel over a vis-network graph.
   With data.aggregate the nodes are provinces and programmes with counts (kg/emit/aggregate.py).
   Report text reaches the DOM only through textContent (see el) and vis-network's plain-text tooltips. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const KIND_NAMES = { reported: "报告值", target: "目标值" };
  const MEMBER_NAMES = { City: "个市", County: "个县（区）", Region: "个地区", Hospital: "家医院", Program: "个改革项目" };
  const aggregate = data.aggregate || null;
  const $ = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // The graph as the data block gives it; vis-network only gets what it draws.
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));
  const incident = new Map(data.nodes.map((n) => [n.id, []]));
  for (const edge of data.edges) {
    incident.get(edge.from).push(edge);
    incident.get(edge.to).push(edge);
  }
  const docTitles = new Map(data.documents.map((d) => [d.name, d.title]));
  const label = (id) => byId.get(id).label;
  const typeLine = (node) => [data.types[node.type].name, node.type, node.subtype].filter(Boolean).join(" ");
  const valueText = (o) => o.value + o.qualifier + (o.unit ? " " + o.unit : "");

  function nodeTitle(node) {
    if (aggregate) return [typeLine(node) + " · 汇总", node.label, memberText(node), countText(node)].filter(Boolean).join("\n");
    const lines = [typeLine(node), node.label];
    if (node.aliases.length) lines.push("别名：" + node.aliases.join("、"));
    if (node.code) lines.push("代码：" + node.code);
    return lines.join("\n");
  }

  function edgeTitle(edge) {
    const style = data.predicates[edge.predicate];
    const lines = [style.name + " " + edge.predicate + "：" + label(edge.from) + " → " + label(edge.to)];
    for (const o of edge.observations.slice(0, 5)) lines.push(valueText(o) + " · " + (o.year || "年份不详") + " · " + KIND_NAMES[o.kind]);
    if (edge.observations.length > 5) lines.push("……共 " + edge.observations.length + " 条观测");
    if (edge.evidence.length) lines.push(edge.evidence.length + " 句证据（点击查看）");
    if (edge.facts) lines.push(edge.facts + " 条事实 · " + edge.documents + " 份文档（点击查看）");
    return lines.join("\n");
  }

  // Aggregated nodes and edges: what they fold together and how many facts and observations they carry.
  function memberText(node) {
    const parts = Object.entries(node.members).map(([kind, n]) => n + " " + (MEMBER_NAMES[kind] || kind));
    return parts.length ? "并入 " + parts.join("、") : "";
  }

  const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
  const factText = (node) => Object.entries(node.facts).map(([p, n]) => data.predicates[p].name + " " + n + " 条事实")
    .join(" · ");
  const countText = (node) => [factText(node), node.observations ? node.observations + " 条观测" : ""].filter(Boolean)
    .join(" · ");
  // the first n names, and 等 when there are more than are shown
  const sample = (names, total, n) => names.slice(0, n).join("、") + (total > Math.min(n, names.length) ? " 等" : "");

  function visEdge(edge) {
    const style = data.predicates[edge.predicate];
    return { id: edge.id, from: edge.from, to: edge.to, label: style.name + (edge.facts ? " " + edge.facts : ""),
             title: edgeTitle(edge), dashes: style.dashed, value: edge.facts,
             color: { color: style.color, highlight: style.color, hover: style.color } };
  }

  const nodes = new vis.DataSet(data.nodes.map((n) => ({ id: n.id, label: n.label, group: n.type, value: n.value, title: nodeTitle(n),
                                                         x: n.x, y: n.y, fixed: Boolean(n.fixed) })));
  const edges = new vis.DataSet(data.edges.map(visEdge));
  const network = new vis.Network($("kg-network"), { nodes: nodes, edges: edges }, data.options);
  window.kgExplorer = { network: network };  // for tests and the browser console

  // What is shown: ticked node types and relations, and in focus mode one node's neighbourhood.
  const state = { types: new Set(), predicates: new Set(), focus: null };
  for (const box of document.querySelectorAll(".legend input")) {
    box.checked = box.defaultChecked;  // the browser may restore ticks from an earlier visit
    if (box.checked) state[box.name === "type" ? "types" : "predicates"].add(box.value);
  }
  const hidden = new Map();  // what vis-network was last told: id -> hidden
  for (const id of byId.keys()) hidden.set(id, false);
  for (const id of edgeById.keys()) hidden.set(id, false);

  // Observations become nodes of their own only when the reader ticks them in the legend.
  let observationsAdded = false;
  function addObservationNodes() {
    if (observationsAdded) return;
    observationsAdded = true;
    const positions = network.getPositions();
    const perRegion = new Map();
    for (const edge of data.edges) {
      if (edge.observations.length) perRegion.set(edge.from, (perRegion.get(edge.from) || 0) + edge.observations.length);
    }
    const placed = new Map();
    const newNodes = [];
    const newEdges = [];
    for (const edge of data.edges) {
      edge.observations.forEach((o, i) => {
        const id = edge.id + "/o" + i;
        const node = { id: id, label: valueText(o) + (o.year ? " (" + o.year + ")" : ""), type: "Observation", aliases: [],
                       subtype: "", code: "", docs: [], observation: o, region: edge.from, metric: edge.to };
        const reports = { id: id + "/r", from: edge.from, to: id, predicate: "reports", evidence: o.evidence,
                          observations: [], derived: true };
        const measures = { id: id + "/m", from: id, to: edge.to, predicate: "metric", evidence: [], observations: [],
                           derived: true };
        byId.set(id, node);
        incident.set(id, [reports, measures]);
        for (const e of [reports, measures]) {
          edgeById.set(e.id, e);
          newEdges.push(visEdge(e));
        }
        incident.get(edge.from).push(reports);
        incident.get(edge.to).push(measures);
        const k = placed.get(edge.from) || 0;  // a ring around the region, physics stays off
        placed.set(edge.from, k + 1);
        const total = perRegion.get(edge.from);
        const angle = (2 * Math.PI * k) / total;
        const radius = 60 + 3 * total;
        const centre = positions[edge.from];
        newNodes.push({ id: id, label: node.label, group: "Observation", value: 0, title: nodeTitle(node) + "\n" + o.phrase,
                        x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle), hidden: true });
        hidden.set(id, true);
      });
    }
    nodes.add(newNodes);
    edges.add(newEdges.map((e) => Object.assign(e, { hidden: true })));
    for (const e of newEdges) hidden.set(e.id, true);
  }

  function edgeAllowed(edge) {
    if (!state.predicates.has(edge.predicate)) return false;
    const observationsShown = state.types.has("Observation");
    return edge.derived ? observationsShown : !(observationsShown && edge.observations.length);
  }

  function neighbourhood(id, depth) {
    const seen = new Set([id]);
    let frontier = [id];
    for (let step = 0; step < depth; step++) {
      const next = [];
      for (const current of frontier) {
        for (const edge of incident.get(current)) {
          const other = edge.from === current ? edge.to : edge.from;
          if (edgeAllowed(edge) && !seen.has(other) && state.types.has(byId.get(other).type)) {
            seen.add(other);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  function refresh() {
    const near = state.focus ? neighbourhood(state.focus.id, state.focus.depth) : null;
    const shown = new Set();
    const nodeChanges = [];
    for (const node of byId.values()) {
      const visible = near ? near.has(node.id) : state.types.has(node.type);
      if (visible) shown.add(node.id);
      if (hidden.get(node.id) !== !visible) nodeChanges.push({ id: node.id, hidden: !visible });
      hidden.set(node.id, !visible);
    }
    let shownEdges = 0;
    const edgeChanges = [];
    for (const edge of edgeById.values()) {
      const allowed = edgeAllowed(edge);  // vis-network itself hides the edges of hidden nodes
      if (allowed && shown.has(edge.from) && shown.has(edge.to)) shownEdges++;
      if (hidden.get(edge.id) !== !allowed) edgeChanges.push({ id: edge.id, hidden: !allowed });
      hidden.set(edge.id, !allowed);
    }
    nodes.update(nodeChanges);
    edges.update(edgeChanges);
    $("kg-status").textContent = "显示 " + shown.size + " / " + byId.size + " 个节点 · " + shownEdges + " / " + edgeById.size + " 条边";
    return shown;
  }

  function focusOn(id, depth) {
    state.focus = { id: id, depth: depth };
    $("kg-focus").hidden = false;
    $("kg-focus-label").textContent = label(id) + "（" + depth + " 跳）";
    const shown = refresh();
    network.fit({ nodes: Array.from(shown), animation: { duration: 400 } });
    network.selectNodes([id]);
    showNode(id);
  }

  function unfocus() {
    if (!state.focus) return;
    state.focus = null;
    $("kg-focus").hidden = true;
    refresh();
    network.fit({ animation: { duration: 400 } });
  }

  // Selecting a node opens its panel; a hidden node is first shown (focus moves to it, or its type is ticked).
  function select(id) {
    const node = byId.get(id);
    if (hidden.get(id)) {
      if (state.focus) return focusOn(id, state.focus.depth);
      setChecked("type", node.type, true);
      refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: { duration: 400 } });
    showNode(id);
  }

  function setChecked(name, value, checked) {
    const box = document.querySelector('.legend input[name="' + name + '"][value="' + value + '"]');
    box.checked = checked;
    if (name === "type" && value === "Observation" && checked) addObservationNodes();
    state[name === "type" ? "types" : "predicates"][checked ? "add" : "delete"](value);
  }

  // The side panel.
  const panel = $("kg-panel");

  function openPanel(children) {
    const close = el("button", "× 关闭", "link");
    close.type = "button";
    close.addEventListener("click", () => {
      $("kg-details").hidden = true;
      $("kg-intro").hidden = false;
    });
    $("kg-intro").hidden = true;
    $("kg-details").hidden = false;
    $("kg-details").replaceChildren(close, ...children);
    panel.scrollTop = 0;
  }

  function link(id) {
    const button = el("button", label(id), "link");
    button.type = "button";
    button.addEventListener("click", () => select(id));
    return button;
  }

  function evidenceList(evidence) {
    const list = el("ul");
    for (const item of evidence) {
      const li = el("li", null, "evidence");
      const cite = el("cite", " —— " + item.doc);
      if (docTitles.get(item.doc)) cite.title = docTitles.get(item.doc);
      li.append(el("q", item.sentence), cite);
      list.append(li);
    }
    return list;
  }

  function factList(id, facts) {
    const list = el("ul");
    for (const edge of facts) {
      const li = el("li");
      const outgoing = edge.from === id;
      li.append(el("span", data.predicates[edge.predicate].name + " " + edge.predicate + (outgoing ? " → " : " ← ")),
                link(outgoing ? edge.to : edge.from));
      if (edge.evidence.length) li.append(evidenceList(edge.evidence));
      list.append(li);
    }
    return list;
  }

  // Rows of (other end, observation); clicking a row shows its evidence sentences under it.
  function observationTable(otherHeading, rows) {
    const table = el("table", null, "observations");
    const head = el("tr");
    for (const name of [otherHeading, "数值", "单位", "年份", "类别"].filter(Boolean)) head.append(el("th", name));
    table.append(head);
    for (const [other, o] of rows) {
      const row = el("tr", null, "observation");
      row.title = "点击查看证据句";
      const cells = [el("td", o.value + o.qualifier, "num"), el("td", o.unit), el("td", o.year === null ? "—" : o.year),
                     el("td", KIND_NAMES[o.kind] || o.kind)];
      if (other) {
        const cell = el("td");
        cell.append(link(other));
        cells.unshift(cell);
      }
      row.append(...cells);
      const sources = el("tr", null, "sources");
      const cell = el("td");
      cell.colSpan = cells.length;
      cell.append(el("div", "原文：" + o.phrase, "muted"), evidenceList(o.evidence));
      sources.append(cell);
      sources.hidden = true;
      row.addEventListener("click", (event) => {
        if (event.target.tagName !== "BUTTON") sources.hidden = !sources.hidden;
      });
      table.append(row, sources);
    }
    return table;
  }

  function focusControls(id) {
    const box = el("div", null, "actions");
    const button = el("button", "聚焦邻域");
    button.type = "button";
    const depth = el("select");
    depth.setAttribute("aria-label", "邻域跳数");
    for (const n of [1, 2, 3]) {
      const option = el("option", n + " 跳");
      option.value = String(n);
      depth.append(option);
    }
    depth.value = String(state.focus ? state.focus.depth : 1);
    button.addEventListener("click", () => focusOn(id, Number(depth.value)));
    box.append(button, depth);
    return box;
  }

  function showNode(id) {
    const node = byId.get(id);
    if (aggregate) return showGroup(node);
    if (node.type === "Observation") return showObservation(node);
    const parts = [el("h2", node.label), el("p", typeLine(node) + (node.code ? " · 代码 " + node.code : ""), "muted")];
    if (node.aliases.length) parts.push(el("p", "别名：" + node.aliases.join("、")));
    parts.push(focusControls(id));
    const own = incident.get(id).filter((e) => !e.derived);
    const facts = own.filter((e) => !e.observations.length);
    const reports = own.filter((e) => e.observations.length);
    if (reports.length) {
      const rows = reports.flatMap((e) => e.observations.map((o) => [e.from === id ? e.to : e.from, o]));
      parts.push(el("h3", "指标观测（" + rows.length + "）"), observationTable(node.type === "Region" ? "指标" : "地区", rows));
    }
    if (facts.length) parts.push(el("h3", "事实（" + facts.length + "）"), factList(id, facts));
    if (!facts.length && !reports.length) parts.push(el("p", "没有相连的事实。", "muted"));
    if (node.docs.length) {
      const list = el("ul");
      for (const name of node.docs) list.append(el("li", docTitles.get(name) ? docTitles.get(name) + " · " + name : name));
      parts.push(el("h3", "提及它的文档"), list);
    }
    openPanel(parts);
  }

  function showObservation(node) {
    const o = node.observation;
    const where = el("p");
    where.append(link(node.region), el("span", " 报告 "), link(node.metric));
    openPanel([el("h2", node.label), el("p", "观测 Observation · " + KIND_NAMES[o.kind], "muted"), where,
               observationTable(null, [[null, o]]), el("p", "原文：" + o.phrase, "muted"),
               el("h3", "证据（" + o.evidence.length + "）"), evidenceList(o.evidence)]);
  }

  function showEdge(id) {
    const edge = edgeById.get(id);
    if (edge.derived) return showNode(byId.get(edge.to).type === "Observation" ? edge.to : edge.from);
    if (edge.facts) return showAggregateEdge(edge);
    const style = data.predicates[edge.predicate];
    const ends = el("h2");
    ends.append(link(edge.from), el("span", " → "), link(edge.to));
    const parts = [ends, el("p", "关系：" + style.name + " " + edge.predicate, "muted")];
    if (edge.observations.length) parts.push(observationTable(null, edge.observations.map((o) => [null, o])));
    if (edge.evidence.length) parts.push(el("h3", "证据（" + edge.evidence.length + "）"), evidenceList(edge.evidence));
    openPanel(parts);
  }

  // The aggregated panels: counts, a sample of documents, and the SPARQL query that lists every fact.
  function fillQuery(template, parts) {
    const text = template.replace(/\{(relation|subject|programme|province)\}/g, (_, name) => parts[name] || "");
    return text.replace(/\n[ ]*(?=\n)/g, "");  // placeholders left empty leave no blank line
  }

  function queryBlock(title, query) {
    const pre = el("pre", query, "query");
    pre.title = "保存为 .rq 文件，运行 kg query 文件名 --graph graph.ttl（或在任何 SPARQL 引擎中运行）";
    return [el("h3", title), el("p", "在 graph.ttl 上运行（保存为 .rq 文件后 kg query 文件名）：", "muted"), pre];
  }

  function docList(title, total, names) {
    const list = el("ul");
    for (const name of names) list.append(el("li", docTitles.get(name) ? docTitles.get(name) + " · " + name : name));
    const heading = title + "（共 " + total + " 份" + (total > names.length ? "，示例 " + names.length + " 份" : "") + "）";
    return names.length ? [el("h3", heading), list] : [];
  }

  function showGroup(node) {
    const parts = [el("h2", node.label), el("p", typeLine(node) + (node.code ? " · 代码 " + node.code : "") + " · 汇总节点", "muted"),
                   focusControls(node.id)];
    if (node.aliases.length) parts.push(el("p", "别名：" + node.aliases.join("、")));
    if (node.folded.length) parts.push(el("p", memberText(node) + "：" + sample(node.folded, sum(node.members), 40)));
    const other = (edge) => (edge.from === node.id ? edge.to : edge.from);
    const facts = incident.get(node.id).filter((e) => e.facts)
      .sort((a, b) => b.facts - a.facts || (a.id < b.id ? -1 : 1));
    if (facts.length) {
      const list = el("ul");
      for (const edge of facts) {
        const li = el("li");
        li.append(el("span", data.predicates[edge.predicate].name + (edge.from === node.id ? " → " : " ← ")),
                  link(other(edge)), el("span", " · " + edge.facts + " 条事实 · " + edge.documents + " 份文档", "muted"));
        list.append(li);
      }
      parts.push(el("h3", "事实（" + factText(node) + "）"), list);
    }
    const hierarchy = incident.get(node.id).filter((e) => e.predicate === "broader");
    if (hierarchy.length) {
      const list = el("ul");
      for (const edge of hierarchy) {
        const li = el("li");
        li.append(el("span", edge.from === node.id ? "上级项目 " : "下级项目 "), link(other(edge)));
        list.append(li);
      }
      parts.push(el("h3", "项目层级"), list);
    }
    if (node.metrics.length) {
      const table = el("table", null, "metrics");
      const head = el("tr");
      for (const name of ["指标", "报告值", "目标值", "年份"]) head.append(el("th", name));
      table.append(head);
      for (const [metric, reported, target, first, last] of node.metrics) {
        const row = el("tr");
        row.append(el("td", metric), el("td", reported, "num"), el("td", target, "num"),
                   el("td", first === null ? "—" : first === last ? first : first + "–" + last));
        table.append(row);
      }
      parts.push(el("h3", "指标观测（" + node.observations + " 条）"), table);
      const [moreMetrics, moreObservations] = node.moreMetrics;
      if (moreMetrics) parts.push(el("p", "另有 " + moreMetrics + " 项指标、" + moreObservations + " 条观测。", "muted"));
    }
    parts.push(...docList("来源文档", node.documents, node.docs));
    const pattern = node.type === "Region" ? { subject: node.sparql } : { programme: node.sparql };
    if (facts.length) parts.push(...queryBlock("全部事实与证据句", fillQuery(aggregate.factsQuery, pattern)));
    if (node.observations && node.code) {
      parts.push(...queryBlock("全部观测与证据句", fillQuery(aggregate.observationsQuery, { province: node.code.slice(0, 2) })));
    }
    openPanel(parts);
  }

  function showAggregateEdge(edge) {
    const style = data.predicates[edge.predicate];
    const ends = el("h2");
    ends.append(link(edge.from), el("span", " → "), link(edge.to));
    const who = Object.entries(edge.subjects).map(([kind, n]) => n + " " + MEMBER_NAMES[kind]).join("、");
    const parts = [ends, el("p", "关系：" + style.name + " " + edge.predicate + " · 汇总边", "muted"),
                   el("p", edge.facts + " 条事实（" + who + "）· " + edge.sentences + " 句证据 · " + edge.documents + " 份文档"),
                   el("p", "例如：" + sample(edge.sample, sum(edge.subjects), edge.sample.length))];
    parts.push(...docList("来源文档", edge.documents, edge.docs));
    parts.push(...queryBlock("全部事实与证据句", fillQuery(aggregate.factsQuery, {
      relation: "VALUES ?relation { kg:" + edge.predicate + " }", subject: byId.get(edge.from).sparql,
      programme: byId.get(edge.to).sparql })));
    openPanel(parts);
  }

  // Search by label or alias (and in the aggregated view by the names folded into a node): one hit is
  // selected, several are listed and highlighted.
  const nodeNames = (n) => [n.label].concat(n.aliases, n.folded || []);
  const searchIndex = data.nodes.map((n) => ({ id: n.id, names: nodeNames(n).map((s) => s.toLowerCase()) }));
  const names = $("kg-names");
  for (const name of new Set(data.nodes.flatMap(nodeNames))) {
    const option = el("option");
    option.value = name;
    names.append(option);
  }

  function search(text) {
    const query = text.trim().toLowerCase();
    if (!query) return;
    const exact = searchIndex.filter((e) => e.names.includes(query)).map((e) => e.id);
    if (exact.length === 1) return select(exact[0]);
    const hits = exact.concat(searchIndex.filter((e) => !e.names.includes(query) && e.names.some((n) => n.includes(query))).map((e) => e.id));
    if (hits.length === 1) return select(hits[0]);
    const parts = [el("h2", "搜索“" + text.trim() + "”"), el("p", hits.length ? "找到 " + hits.length + " 个节点" : "没有找到匹配的节点。", "muted")];
    const list = el("ul");
    for (const id of hits.slice(0, 200)) {
      const li = el("li");
      li.append(link(id), el("span", " " + typeLine(byId.get(id)), "muted"));
      list.append(li);
    }
    if (hits.length) parts.push(list);
    openPanel(parts);
    const visible = hits.filter((id) => !hidden.get(id));
    network.selectNodes(visible);
    if (visible.length) network.fit({ nodes: visible, animation: { duration: 400 } });
  }

  // Wiring.
  $("kg-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("kg-query").value);
  });
  for (const box of document.querySelectorAll(".legend input")) {
    box.addEventListener("change", () => {
      setChecked(box.name, box.value, box.checked);
      refresh();
    });
  }
  $("kg-unfocus").addEventListener("click", unfocus);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") unfocus();
  });
  network.on("click", (params) => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  network.on("doubleClick", (params) => {
    if (params.nodes.length) focusOn(params.nodes[0], state.focus ? state.focus.depth : 1);
  });

  // Lay out with physics, then stop it so the graph holds still and stays responsive.
  network.on("stabilizationProgress", (p) => {
    $("kg-status").textContent = "正在布局… " + Math.round((100 * p.iterations) / p.total) + "%";
  });
  function ready() {
    network.setOptions({ physics: { enabled: false } });
    refresh();
    network.once("afterDrawing", () => {
      performance.mark("kg:ready");  // for benchmarks: loaded, laid out and drawn
      document.body.dataset.state = "ready";
    });
    network.redraw();
  }
  if (data.nodes.length) network.once("stabilizationIterationsDone", ready);
  else ready();
})();
