// The map page: the coastline, counties and municipalities shipped with the package
// (static/geo, fetched from this site), then companies and exchanges from the GeoJSON
// embedded in the page (<script type="application/json" id="map-data">), drawn with
// Leaflet; the legend and the filters are written by the page, filtering happens here.
// Every text from the data goes into the page as text, never as HTML.
"use strict";
(function () {
  const el = document.getElementById("map");
  const ds = el.dataset;
  const doc = JSON.parse(document.getElementById("map-data").textContent);
  const lang = document.documentElement.lang || "en";
  const NORWAY = [[57.9, 4.6], [71.2, 31.2]];

  const map = L.map(el, {zoomSnap: 0.25, minZoom: 3, maxZoom: 18});
  // panes from the bottom: land (norway), municipality borders, county borders, lines, companies
  [["norway", 250], ["municipalities", 270], ["counties", 290], ["exchanges", 410],
   ["companies", 420]].forEach(([name, z]) => { map.createPane(name).style.zIndex = z; });
  const tiles = ds.tiles ? L.tileLayer(ds.tiles, {maxZoom: 18}).addTo(map) : null;

  // -- small helpers --------------------------------------------------------------------
  function esc(text) {  // for the few Leaflet APIs that take HTML
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function node(tag, text, className) {
    const n = document.createElement(tag);
    if (text) { n.textContent = text; }
    if (className) { n.className = className; }
    return n;
  }
  function link(text, href) {
    const a = node("a", text);
    a.href = href;
    return a;
  }
  const coordinate = new Intl.NumberFormat(lang, {minimumFractionDigits: 4,
                                                  maximumFractionDigits: 4});

  // -- the legend: colours, and the legend itself as a map control ------------------------
  const legend = document.getElementById("map-legend");
  const familyColour = {};
  legend.querySelectorAll("[data-family]").forEach(li => {
    familyColour[li.dataset.family] = li.dataset.colour;
  });
  const statusColour = {};
  legend.querySelectorAll("[data-status]").forEach(li => {
    statusColour[li.dataset.status] = li.dataset.colour;
  });
  const legendControl = L.control({position: "bottomright"});
  legendControl.onAdd = () => {
    L.DomEvent.disableClickPropagation(legend);
    L.DomEvent.disableScrollPropagation(legend);
    return legend;
  };
  legendControl.addTo(map);
  map.attributionControl.addAttribution(esc(ds.attribution));

  // -- companies and exchanges ------------------------------------------------------------
  const companies = L.layerGroup().addTo(map);
  const exchanges = L.layerGroup().addTo(map);
  const companyItems = [];
  const exchangeItems = [];

  function companyPopup(p) {
    const box = node("div", "", "map-popup");
    const title = node("b");
    title.appendChild(link(p.name, p.url));
    box.appendChild(title);
    if (p.place) { box.appendChild(node("div", p.place, "muted")); }
    if (p.flows.length) {
      const list = node("ul", "", "popup-flows");
      p.flows.forEach(f => {
        const li = node("li", "", "flow " + f.direction);
        const dot = node("span", "", "swatch dot");
        dot.style.background = familyColour[f.family] || "#999";
        li.appendChild(dot);
        li.appendChild(document.createTextNode(f.text));
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    return box;
  }

  function exchangePopup(p) {
    const box = node("div", "", "map-popup");
    const head = node("div");
    head.appendChild(node("b", p.status_text));
    head.appendChild(document.createTextNode(": " + p.text));
    box.appendChild(head);
    const ends = node("div");
    ends.appendChild(link(p.ends[0].name, p.ends[0].url));
    ends.appendChild(document.createTextNode(" \u2192 "));
    ends.appendChild(link(p.ends[1].name, p.ends[1].url));
    box.appendChild(ends);
    if (p.since) { box.appendChild(node("div", p.since, "muted")); }
    return box;
  }

  doc.features.forEach(f => {
    const p = f.properties;
    const [lon, lat] = f.geometry.type === "Point" ? f.geometry.coordinates : [0, 0];
    if (p.kind === "company") {
      const layer = L.circleMarker([lat, lon], {
        pane: "companies", radius: 7, color: "#1f3a46", weight: 1.5,
        fillColor: familyColour[p.family] || "#999", fillOpacity: 0.95,
        className: "company-marker", bubblingMouseEvents: false});
      // the name on hover; the popup, opened after it by a click, closes it
      layer.bindTooltip(node("span", p.name), {direction: "top", offset: [0, -6]});
      layer.bindPopup(() => companyPopup(p));
      layer.on("add", () => { layer.getElement().setAttribute("data-company", f.id); });
      layer.on("popupopen", () => layer.closeTooltip());
      companyItems.push({p: p, layer: layer});
    } else {
      const latlngs = f.geometry.coordinates.map(([x, y]) => [y, x]);
      const layer = L.polyline(latlngs, {
        pane: "exchanges", color: statusColour[p.status] || "#555",
        weight: p.status === "operating" ? 4 : 3, opacity: 0.9,
        dashArray: p.status === "proposed" ? "7 6" : null,
        className: "exchange-line " + p.status, bubblingMouseEvents: false});
      layer.bindPopup(() => exchangePopup(p));
      exchangeItems.push({p: p, layer: layer});
    }
  });

  // -- filters ----------------------------------------------------------------------------
  const form = document.getElementById("map-filters");
  const familySel = document.getElementById("filter-family");
  const countySel = document.getElementById("filter-county");
  const muniSel = document.getElementById("filter-municipality");
  const count = document.getElementById("map-count");
  const checked = name => new Set(Array.from(form.querySelectorAll(`input[name=${name}]`))
    .filter(i => i.checked).map(i => i.value));

  function place() {
    const opt = muniSel.selectedOptions[0];
    const muni = opt && opt.value ? {name: opt.dataset.name, county: opt.dataset.county}
      : null;
    const county = countySel.value;
    return (c, m) => (!county || c === county) &&
      (!muni || (m === muni.name && c === muni.county));
  }

  function apply() {
    const family = familySel.value;
    const directions = checked("direction");
    const statuses = checked("status");
    const inPlace = place();
    const everyFlow = !family && directions.size === 2;
    companies.clearLayers();
    companyItems.forEach(({p, layer}) => {
      const shown = inPlace(p.county, p.municipality) && (everyFlow || p.flows.some(
        x => (!family || x.family === family) && directions.has(x.direction)));
      if (shown) {
        layer.setStyle({fillColor: familyColour[family || p.family] || "#999"});
        companies.addLayer(layer);
      }
    });
    exchanges.clearLayers();
    exchangeItems.forEach(({p, layer}) => {
      if (statuses.has(p.status) && (!family || p.family === family) &&
          p.ends.some(e => inPlace(e.county, e.municipality))) {
        exchanges.addLayer(layer);
      }
    });
    const shown = {companies: companies.getLayers().length,
                   exchanges: exchanges.getLayers().length};
    count.textContent = count.dataset.template
      .replace("{shown}", shown.companies).replace("{total}", companyItems.length)
      .replace("{lines}", shown.exchanges).replace("{all_lines}", exchangeItems.length);
    state.shown = shown;
  }

  function limitMunicipalities() {
    const county = countySel.value;
    Array.from(muniSel.options).forEach(o => {
      o.hidden = Boolean(o.value && county && o.dataset.county !== county);
    });
    const opt = muniSel.selectedOptions[0];
    if (opt && opt.hidden) { muniSel.value = ""; }
  }

  // -- the view ---------------------------------------------------------------------------
  const dataBounds = L.featureGroup(companyItems.map(i => i.layer)).getBounds();
  function home() {
    // the data when it lies in one region; else all of Norway (and the data abroad)
    const region = dataBounds.isValid() &&
      dataBounds.getNorth() - dataBounds.getSouth() < 4 &&
      dataBounds.getEast() - dataBounds.getWest() < 8;
    const view = region ? dataBounds.pad(0.15) : L.latLngBounds(NORWAY);
    if (!region && dataBounds.isValid()) { view.extend(dataBounds); }
    map.fitBounds(view, {maxZoom: 10, padding: [10, 10]});
  }
  const areas = {counties: {}, municipalities: {}};  // number -> layer
  function zoomToPlace() {
    const muni = muniSel.value && areas.municipalities[muniSel.value];
    const opt = countySel.selectedOptions[0];
    const county = countySel.value && opt && areas.counties[opt.dataset.number];
    const target = muni || county;
    // the chosen area drawn with a stronger border
    Object.values(areas.counties).concat(Object.values(areas.municipalities))
      .forEach(l => { if (l.chosen) { l.setStyle(l.chosen); l.chosen = null; } });
    if (target) {
      target.chosen = {color: target.options.color, weight: target.options.weight};
      target.setStyle({color: "#1f4e5f", weight: 3}).bringToFront();
      map.fitBounds(target.getBounds(), {padding: [20, 20]});
    } else {
      home();
    }
  }

  form.addEventListener("change", ev => {
    if (ev.target === countySel) { limitMunicipalities(); }
    apply();
    if (ev.target === countySel || ev.target === muniSel) { zoomToPlace(); }
  });
  form.addEventListener("submit", ev => ev.preventDefault());
  form.addEventListener("reset", () => setTimeout(() => {
    limitMunicipalities(); apply(); zoomToPlace();
  }, 0));

  // -- base layers shipped with the package -----------------------------------------------
  const labels = {counties: L.layerGroup(), municipalities: L.layerGroup()};
  const countyNames = {};  // register names by number, from the county filter
  Array.from(countySel.options).forEach(o => {
    if (o.value) { countyNames[o.dataset.number] = o.value; }
  });
  const muniNames = {};  // register labels by number, from the municipality filter
  Array.from(muniSel.options).forEach(o => {
    if (o.value) { muniNames[o.value] = {label: o.textContent, county: o.dataset.county}; }
  });

  function label(group, latlng, text, className) {
    const t = L.tooltip({permanent: true, direction: "center", interactive: false,
                         className: "place-label " + className, pane: "tooltipPane"});
    t.setLatLng(latlng).setContent(node("span", text));
    group.addLayer(t);
    return t;
  }

  const base = {};
  function loaded(name, style, number, nameOf) {
    return fetch(ds[name]).then(r => r.json()).then(geo => {
      const layer = L.geoJSON(geo, {pane: name, interactive: false, style: style});
      layer.eachLayer(l => {
        const props = l.feature.properties;
        if (number) {
          areas[name][props[number]] = l;
          if (props.label) {
            const t = label(labels[name], [props.label[1], props.label[0]],
                            nameOf(props), name);
            t.spanDeg = l.getBounds().getEast() - l.getBounds().getWest();
          }
        }
      });
      base[name] = layer;
      return layer;
    });
  }

  function byZoom() {
    // municipality borders faint while the whole country is in view
    if (base.municipalities) {
      const zoom = map.getZoom();
      base.municipalities.eachLayer(l => {
        if (!l.chosen) { l.setStyle({opacity: zoom < 6 ? 0.35 : zoom < 8 ? 0.7 : 1}); }
      });
    }
    // a name where its area is wide enough on screen to hold it
    const degPx = map.latLngToContainerPoint([60, 11]).x -
      map.latLngToContainerPoint([60, 10]).x;
    Object.entries(labels).forEach(([name, group]) => {
      const on = map.hasLayer(base[name] || labels[name]) &&
        (name === "counties" || map.getZoom() >= 8);
      group.eachLayer(t => {
        const fits = on && t.spanDeg * degPx > 70;
        const elt = t.getElement();
        if (elt) { elt.style.display = fits ? "" : "none"; }
      });
    });
  }

  const loads = [
    loaded("norway", {color: "#5b7a8a", weight: 1, fillColor: "#fbfaf4",
                      fillOpacity: tiles ? 0 : 1, className: "land"}),
    loaded("municipalities", {color: "#a7b3ba", weight: 0.6, fill: false,
                              className: "municipality-border"}, "kommunenummer",
           p => (muniNames[p.kommunenummer] || {}).label || p.kommunenavn),
    loaded("counties", {color: "#4a5a66", weight: 1.6, fill: false,
                        className: "county-border"}, "fylkesnummer",
           p => countyNames[p.fylkesnummer] || p.fylkesnavn),
  ];
  Promise.all(loads).then(([norway, municipalities, counties]) => {
    norway.addTo(map);
    municipalities.addTo(map);
    counties.addTo(map);
    labels.counties.addTo(map);
    labels.municipalities.addTo(map);
    const overlays = {};
    overlays[esc(ds.wordsCounties)] = counties;
    overlays[esc(ds.wordsMunicipalities)] = municipalities;
    if (tiles) { overlays[esc(ds.wordsBasemap)] = tiles; }
    L.control.layers(null, overlays, {position: "topright"}).addTo(map);
    map.on("overlayadd overlayremove", byZoom);
    map.on("zoomend", byZoom);
    if (countySel.value || muniSel.value) { zoomToPlace(); }
    byZoom();
    state.base = {counties: Object.keys(areas.counties).length,
                  municipalities: Object.keys(areas.municipalities).length};
  }).catch(err => {
    state.baseError = String(err) + " " + err.stack;
  });

  // -- a click: where it is, and for those who may, a new company there --------------------
  function inside(lon, lat, rings) {  // even-odd rule over all rings (holes count)
    let hit = false;
    rings.forEach(ring => {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
          hit = !hit;
        }
      }
    });
    return hit;
  }
  function municipalityAt(latlng) {
    for (const [number, layer] of Object.entries(areas.municipalities)) {
      if (!layer.getBounds().contains(latlng)) { continue; }
      const g = layer.feature.geometry;
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      if (polygons.some(rings => inside(latlng.lng, latlng.lat, rings))) {
        const known = muniNames[number];
        const props = layer.feature.properties;
        return {number: number, label: known ? known.label : props.kommunenavn,
                county: known ? known.county : countyNames[number.slice(0, 2)] || ""};
      }
    }
    return null;
  }

  const offer = document.getElementById("place-offer");
  const pin = L.marker([0, 0], {keyboard: false});
  map.on("click", ev => {
    const ll = ev.latlng;
    const muni = municipalityAt(ll);
    const box = node("div", "", "map-popup place-popup");
    box.appendChild(node("b", muni ? `${muni.label}${muni.label.includes("(") ? "" :
      ", " + muni.county}` : ds.wordsOutside));
    box.appendChild(node("div", `${coordinate.format(ll.lat)}, ${coordinate.format(ll.lng)}`,
                         "muted"));
    if (offer) {
      const query = new URLSearchParams({lat: ll.lat.toFixed(5), lon: ll.lng.toFixed(5)});
      if (muni) { query.set("municipality", muni.number); }
      const a = link(offer.dataset.text, `${offer.dataset.url}?${query}`);
      a.className = "place-company";
      box.appendChild(node("div")).appendChild(a);
    }
    pin.setLatLng(ll).addTo(map).bindPopup(box).openPopup();
    state.placed = {lat: ll.lat, lon: ll.lng, municipality: muni && muni.number};
  });

  const state = {map: map, features: doc.features.length, shown: null, base: null,
                 moving: false};
  map.on("movestart", () => { state.moving = true; });
  map.on("moveend", () => { state.moving = false; });
  window.symbiosisMap = state;
  home();
  limitMunicipalities();
  apply();
})();
