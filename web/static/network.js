// The network picture: nodes and edges from the JSON embedded in the page
// (<script type="application/json" id="network-data">), drawn with vis-network.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("network-data").textContent);
  window.symbiosisNetwork = new vis.Network(document.getElementById("net"),
    {nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)},
    {physics: {stabilization: {iterations: 150}}, interaction: {hover: true}});
})();
