// The map page: companies and exchanges from the GeoJSON embedded in the page
// (<script type="application/json" id="map-data">), drawn with Leaflet.
"use strict";
(function () {
  const el = document.getElementById("map");
  const doc = JSON.parse(document.getElementById("map-data").textContent);
  const map = L.map(el, {preferCanvas: false});
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, {maxZoom: 18}).addTo(map); }
  const colours = {proposed: "#1f78b4", agreed: "#ff7f00", operating: "#33a02c"};
  const layer = L.geoJSON(doc, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {radius: 6, color: "#1f4e5f",
      fillColor: "#5fa8c4", fillOpacity: 0.9, className: "company-marker"}),
    style: f => f.geometry.type === "LineString"
      ? {color: colours[f.properties.status] || "#555", weight: 3, className: "exchange-line"}
      : {},
    onEachFeature: (f, l) => {
      const p = f.properties;
      const lines = p.kind === "company" ? [p.name, p.municipality || ""]
        : [`${p.status_text || p.status}: ${p.resource_label || p.resource}`,
           `${p.supply_company} \u2192 ${p.demand_company}`];
      const box = document.createElement("div");
      lines.forEach((t, i) => {
        if (i) { box.appendChild(document.createElement("br")); }
        box.appendChild(document.createTextNode(t));
      });
      l.bindPopup(box);
    }}).addTo(map);
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds().pad(0.1)); }
  else { map.setView([62, 10], 5); }
  window.symbiosisMap = {map: map, features: doc.features.length};
})();
