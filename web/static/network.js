// The network picture: nodes, edges and groups from the JSON embedded in the page
// (<script type="application/json" id="network-data">), drawn with vis-network.
//
// - Groups (county, municipality, park) become vis-network clusters, innermost first;
//   double-click opens one. "Open all groups" and "Group again" do what they say.
// - Double-click a company: its flows appear around it as small satellites (again: gone).
//   Double-click a county of an overview picture: the page of that county.
// - The legend's checkboxes and the fields under "Show" filter the picture.
// - The layout starts from the server's positions, settles with physics for a bounded
//   number of iterations, then physics is switched off: #net then has
//   data-settled="true"; data-iterations says how many steps it took, data-visible-nodes
//   counts the nodes drawn (groups included), data-shown-companies those the filters pass.
"use strict";
(function () {
  const holder = document.getElementById("net");
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const T = data.text;
  const fmt = new Intl.NumberFormat(data.lang === "nb" ? "nb-NO" : "en-GB");
  const PHYSICS_CAP = 1500;  // more nodes drawn than this: no physics, the server's layout
  const GROUP = {shape: "box", kind: "group", borderWidth: 2, margin: 12,
    widthConstraint: {maximum: 320},
    font: {size: 20, face: "system-ui, sans-serif", color: "#222222"}};
  const GROUP_COLOURS = {  // by kind, as in the legend
    county: {background: "#fff4d6", border: "#b8860b"},
    municipality: {background: "#e3f0fb", border: "#3b7bbf"},
    park: {background: "#e6f5e6", border: "#3c8d3c"}};

  const nodes = new vis.DataSet(data.nodes);
  const allEdges = new vis.DataSet(data.edges);
  const groups = new Map(data.groups.map(g => [g.id, g]));
  const grp = new Map(data.nodes.map(n => [n.id, n.grp]));
  const paths = new Map();  // group id -> the groups it lies in and itself, outermost first
  data.groups.forEach(g => {
    const path = [];
    for (let x = g.id; x; x = groups.get(x).parent) { path.unshift(x); }
    paths.set(g.id, path);
  });
  const single = new Set(data.groups.filter(g => g.single).map(g => g.id));
  const opened = new Set();   // groups the reader opened
  const made = [];            // clusters made, in the order made (innermost first)
  const centres = new Map();  // cluster id -> where it was made
  const satellites = new Map();  // company id -> its flow nodes' ids
  let F = readFilters();
  let shown = new Set();      // the node ids that pass the filters
  const edges = new vis.DataView(allEdges, {filter: e => edgeShown(e, shown)});

  const network = new vis.Network(holder, {nodes: nodes, edges: edges}, {
    layout: {improvedLayout: false, randomSeed: 1},
    physics: {enabled: false, solver: "barnesHut", minVelocity: 1.5,
      barnesHut: {gravitationalConstant: -20000, centralGravity: 0.2, springLength: 220,
        springConstant: 0.01, damping: 0.25, avoidOverlap: 0.8},
      stabilization: {enabled: false, updateInterval: 25, fit: true}},
    interaction: {hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.edges.length > 1500,
      multiselect: false},
    nodes: {font: {size: 16, face: "system-ui, sans-serif", strokeWidth: 3,
      strokeColor: "#ffffff"}, widthConstraint: {maximum: 160},
      scaling: {min: 8, max: 26, label: {enabled: false, drawThreshold: 6}}},
    edges: {font: {size: 11, align: "horizontal", strokeWidth: 4, strokeColor: "#ffffff",
      color: "#333333"}, smooth: {type: "continuous", roundness: 0.2},
      scaling: {label: {drawThreshold: 11}}, arrows: {to: {scaleFactor: 0.5}},
      selectionWidth: 2},
  });
  window.symbiosisNetwork = network;
  holder.dataset.settled = "false";

  function readFilters() {
    const ticked = name => new Set(Array.from(
      document.querySelectorAll(`input[name="${name}"]:checked`), i => i.value));
    const value = id => { const el = document.getElementById(id); return el ? el.value : ""; };
    const linked = document.getElementById("filter-linked");
    return {families: ticked("family"), statuses: ticked("status"),
      county: value("filter-county"), municipality: value("filter-municipality"),
      minScore: parseFloat(value("filter-score")) || 0, linked: !!(linked && linked.checked)};
  }

  function placeShown(n) {
    if (F.county && n.county !== F.county) { return false; }
    if (F.municipality && n.municipality !== F.municipality) { return false; }
    return (n.families || []).some(f => F.families.has(f));
  }

  function edgePasses(e, ok) {
    if (e.kind === "flow") { return ok.has(e.from); }
    // an overview's edge stands for links of several statuses and families
    const statuses = e.statuses || [e.status];
    const families = e.families || [e.family];
    if (!statuses.some(x => F.statuses.has(x)) || !families.some(x => F.families.has(x))) {
      return false;
    }
    if (F.minScore > 0 && e.status === "candidate" && !(e.score >= F.minScore)) {
      return false;
    }
    return ok.has(e.from) && ok.has(e.to);
  }

  // An edge inside a group that is drawn closed is left out: it would only be hidden in
  // the cluster, and vis-network's clustering costs time per edge it hides.
  function edgeShown(e, ok) {
    if (e.kind !== "flow") {
      const inner = target(grp.get(e.from));
      if (inner && inner === target(grp.get(e.to))) { return false; }
    }
    return edgePasses(e, ok);
  }

  function passing() {
    const ok = new Set(nodes.getIds({filter: n => n.kind !== "flow" && placeShown(n)}));
    if (!F.linked) { return ok; }
    const linked = new Set();
    allEdges.forEach(e => { if (edgePasses(e, ok)) { linked.add(e.from); linked.add(e.to); } });
    return new Set(Array.from(ok).filter(id => linked.has(id)));
  }

  // -- groups ----------------------------------------------------------------------------
  function target(gid) {  // the group a node of group gid is drawn in: none if all open
    if (!gid) { return null; }
    return paths.get(gid).find(x => !opened.has(x)) || null;
  }

  function release(cid) {  // members go back around the cluster, wherever it has moved
    const at = centres.get(cid);
    return (now, positions) => {
      const out = {};
      Object.keys(positions).forEach(id => {
        out[id] = {x: positions[id].x + now.x - at.x, y: positions[id].y + now.y - at.y};
      });
      return out;
    };
  }

  // Clusters are made and opened with vis-network's refreshData off, and the data
  // refreshed once after: each refresh reads every node and edge (tens of ms at a few
  // thousand edges), once per cluster it would take seconds.
  function refresh() { network.body.emitter.emit("_dataChanged"); }

  function ungroup() {
    for (let i = made.length - 1; i >= 0; i--) {
      if (network.isCluster(made[i])) {
        network.clustering.openCluster(made[i], {releaseFunction: release(made[i])}, false);
      }
    }
    made.length = 0;
    refresh();
  }

  // A node joins the outermost group on its path that is not open; a group's subgroups
  // are made when it opens (so a store picture makes one cluster per county to start).
  function group(within) {
    const members = new Map();
    shown.forEach(id => {
      const t = target(nodes.get(id).grp);
      if (t && (within === undefined || groups.get(t).parent === within)) {
        if (!members.has(t)) { members.set(t, []); }
        members.get(t).push(id);
      }
    });
    members.forEach((ids, gid) => {
      const g = groups.get(gid);
      if (ids.length < 2 && !single.has(gid)) { return; }  // a group of one: its member
      const inside = new Set(ids);
      // a group inside another says which: "Hamar / Innlandet · 62 companies"
      const within = g.parent ? `${groups.get(g.parent).label} · ` : "";
      const words = `${fmt.format(ids.length)} ${T.companies}`;
      const colours = GROUP_COLOURS[g.kind] || GROUP_COLOURS.county;
      network.clustering.cluster({
        joinCondition: o => inside.has(o.id),
        clusterNodeProperties: Object.assign({}, GROUP, {id: gid,
          label: `${g.label}\n${within}${words}`,
          title: `${g.label}: ${within}${words}\n${T.open}`,
          color: Object.assign({highlight: colours}, colours),
          mass: 1 + Math.sqrt(ids.length) / 2, allowSingleNodeCluster: true,
          font: Object.assign({}, GROUP.font, {size: 18 + Math.min(12, Math.sqrt(ids.length))})}),
        clusterEdgeProperties: {dashes: false, arrows: {to: {enabled: false}},
          color: {color: "#8c8c8c", highlight: "#555555"}},
      }, false);
      if (network.isCluster(gid)) {
        made.push(gid);
        centres.set(gid, network.getPosition(gid));
      }
    });
    labelGroupLinks();
  }

  function top(id) { return network.clustering.findNode(id)[0]; }

  function labelGroupLinks() {  // an edge between groups: how many links it stands for
    const links = new Map();
    edges.forEach(e => {
      const a = top(e.from); const b = top(e.to);
      if (a === undefined || b === undefined || a === b) { return; }
      if (!network.isCluster(a) || !network.isCluster(b)) { return; }  // group to group
      const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
      links.set(key, (links.get(key) || 0) + 1);
    });
    made.forEach(cid => {
      if (!network.isCluster(cid)) { return; }
      network.getConnectedEdges(cid).forEach(eid => {
        const [a, b] = network.getConnectedNodes(eid);
        const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
        const k = links.get(key) || 0;
        const edge = network.body.edges[eid];
        if (k && edge) {
          const words = `${fmt.format(k)} ${k === 1 ? T.link : T.links}`;
          edge.setOptions({label: words, font: {size: 14}, title: words,
            scaling: {label: {drawThreshold: 6}},
            width: Math.min(8, 1 + Math.log2(k))});
        }
      });
    });
    refresh();
  }

  // -- what is drawn ---------------------------------------------------------------------
  function drawn() {
    const out = new Set();
    nodes.forEach(n => { if (!n.hidden) { const t = top(n.id); if (t) { out.add(t); } } });
    return Array.from(out);
  }

  function report() {
    const count = drawn().length;
    holder.dataset.visibleNodes = String(count);
    holder.dataset.shownCompanies = String(shown.size);
    const label = document.getElementById("shown-count");
    if (label) { label.textContent = fmt.format(shown.size); }
    return count;
  }

  // The view on some nodes, from their positions: vis-network's fit reads the nodes'
  // bounding boxes, which are stale for nodes just out of a cluster.
  function fitTo(ids) {
    if (!ids.length) { return; }
    let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
    ids.forEach(id => {
      const p = network.getPosition(id);
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    });
    const pad = 110;  // room for labels
    const scale = Math.min(1.2, holder.clientWidth / (x1 - x0 + 2 * pad),
      holder.clientHeight / (y1 - y0 + 2 * pad));
    network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, scale: scale,
      animation: false});
  }

  // The layout settles for a number of steps that shrinks as the nodes grow (a few
  // seconds at most), or for ``steps`` (0: not at all, the nodes stay where they are).
  // Edge labels show once they are large enough to read, or always in a small picture.
  let threshold = null;
  function edgeLabels() {
    const wanted = edges.length <= 80 ? 4 : 11;
    if (wanted !== threshold) {
      threshold = wanted;
      network.setOptions({edges: {scaling: {label: {drawThreshold: wanted}}}});
    }
  }

  function settle(fit, then, steps) {
    edgeLabels();
    const count = report();
    const done = () => {
      // fit to what is drawn: vis-network's own fit counts the nodes inside clusters too
      if (fit) { fitTo(drawn()); }
      holder.dataset.settled = "true";
      if (then) { then(); }
    };
    holder.dataset.settled = "false";
    if (steps === 0 || count > PHYSICS_CAP) { done(); return; }  // as laid out
    network.once("stabilizationIterationsDone", () => {
      holder.dataset.iterations = String(network.physics.stabilizationIterations);
      network.setOptions({physics: {enabled: false}});
      done();
    });
    network.setOptions({physics: {enabled: true, stabilization: {enabled: false, fit: false}}});
    network.stabilize(steps ||
      Math.round(Math.max(80, Math.min(400, 60000 / Math.max(count, 1)))));
  }

  function collapseAll() {
    Array.from(satellites.keys()).forEach(toggleFlows);
  }

  function apply() {
    collapseAll();
    ungroup();
    F = readFilters();
    shown = passing();
    const changes = [];
    nodes.forEach(n => {
      const hide = !shown.has(n.id);
      if (!!n.hidden !== hide) { changes.push({id: n.id, hidden: hide, physics: !hide}); }
    });
    nodes.update(changes);
    edges.refresh();
    group();
    report();
  }

  function openGroup(cid) {
    const before = new Set(drawn());
    const at = network.getPosition(cid);
    opened.add(cid);
    network.clustering.openCluster(cid, {releaseFunction: release(cid)}, false);
    const index = made.indexOf(cid);
    if (index >= 0) { made.splice(index, 1); }
    edges.refresh();
    group(cid);
    const fresh = drawn().filter(id => !before.has(id));
    makeRoom(at, gather(at, fresh) + 150, fresh, before);
    settle(false, () => fitTo(fresh));
  }

  // The members of an opened group, drawn no wider than their number needs (a county's
  // municipalities come out where their companies would be, far apart): its radius.
  function gather(at, fresh) {
    const far = id => {
      const p = network.getPosition(id);
      return Math.hypot(p.x - at.x, p.y - at.y);
    };
    const wide = Math.max(1, ...fresh.map(far));
    const shrink = Math.min(1, 160 * Math.sqrt(fresh.length) / wide);
    fresh.forEach(id => {
      const p = network.getPosition(id);
      network.moveNode(id, at.x + (p.x - at.x) * shrink, at.y + (p.y - at.y) * shrink);
    });
    return wide * shrink;
  }

  // An opened group needs room: everything else drawn moves out, away from the group's
  // centre, by ``radius``.
  function makeRoom(at, radius, fresh, others) {
    others.forEach(id => {
      if (fresh.indexOf(id) >= 0 || network.body.nodes[id] === undefined) { return; }
      const p = network.getPosition(id);
      const d = Math.hypot(p.x - at.x, p.y - at.y) || 1;
      network.moveNode(id, p.x + radius * (p.x - at.x) / d, p.y + radius * (p.y - at.y) / d);
    });
  }

  function toggleFlows(id) {
    if (satellites.has(id)) {
      const ids = satellites.get(id);
      satellites.delete(id);
      allEdges.remove(ids.map(s => `${s}~`));
      nodes.remove(ids);
      report();
      return;
    }
    const n = nodes.get(id);
    const at = network.getPosition(id);
    const k = n.flows.length;
    const r = 45 + 5 * k;
    const flows = n.flows.map((f, i) => ({id: `${id}#${i}`, label: f.label, title: f.text,
      kind: "flow", shape: f.dir === "supply" ? "dot" : "triangleDown", size: 7,
      color: data.colours[f.family] || "#999999", font: {size: 10}, physics: false,
      x: at.x + r * Math.cos(2 * Math.PI * i / k), y: at.y + r * Math.sin(2 * Math.PI * i / k)}));
    satellites.set(id, flows.map(s => s.id));
    nodes.add(flows);
    allEdges.add(flows.map(s => ({id: `${s.id}~`, from: id, to: s.id, kind: "flow",
      color: "#bbbbbb", width: 1, arrows: "", physics: false, smooth: false})));
    report();
  }

  network.on("doubleClick", p => {
    if (!p.nodes.length) { return; }
    const id = p.nodes[0];
    if (network.isCluster(id)) { openGroup(id); return; }
    const n = nodes.get(id);
    if (!n) { return; }
    if (n.kind === "area" && n.href) { window.location.assign(n.href); return; }
    if (n.flows && n.flows.length) { toggleFlows(id); }
  });

  // A filter hides and shows: what stays keeps its place (the layout does not run again).
  document.querySelectorAll("#network-panel input, #network-panel select").forEach(el => {
    el.addEventListener("change", () => { apply(); settle(true, null, 0); });
  });
  const openAll = document.getElementById("open-all");
  if (openAll) {
    openAll.addEventListener("click", () => {
      data.groups.forEach(g => opened.add(g.id));
      apply();
      settle(true);
    });
  }
  const regroup = document.getElementById("regroup");
  if (regroup) {
    regroup.addEventListener("click", () => { opened.clear(); apply(); settle(true, null, 0); });
  }

  apply();
  settle(true);
  window.symbiosisPicture = {openGroup: openGroup, drawn: drawn, apply: apply, settle: settle};
})();
