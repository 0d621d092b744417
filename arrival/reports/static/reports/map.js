// Maps for reports/_map.html: country shapes from our own GeoJSON (no tile server), circle markers, a choropleth.
// Data comes from a json_script element; every string shown comes from the page (translated there).
(function () {
  "use strict";

  // Pages that swap in a map with htmx carry these scripts again: the first copy keeps the work.
  if (window.arrivalMaps) {
    window.arrivalMaps.initAll();
    return;
  }

  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  const GROUP_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const SINGLE_COLOUR = "#0072B2";
  const UNGROUPED_COLOUR = "#5f6b7a";
  // Sequential blues, the same steps as the heat-1..heat-5 classes of site.css.
  const CHOROPLETH_COLOURS = ["#e3eef7", "#b9d4ea", "#7fb0d8", "#3f86c0", "#0b5c8a"];
  const LAND = "#d9dde3";
  const BORDER = "#ffffff";
  const WORLD_BOUNDS = [[-58, -170], [78, 190]];
  // Above this many points, one canvas draws faster than thousands of SVG paths.
  const CANVAS_THRESHOLD = 1500;
  const POINT_PANE = "arrival-points";

  const worldCache = {};

  function loadWorld(url) {
    if (!worldCache[url]) {
      worldCache[url] = fetch(url, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error("world shapes: HTTP " + response.status);
        return response.json();
      }).then(unwrapAntimeridian);
    }
    return worldCache[url];
  }

  // Rings that cross 180° (Fiji, Chukotka) would otherwise be drawn as a band across the whole world.
  function unwrapAntimeridian(world) {
    const fixRing = (ring) => {
      const lons = ring.map((c) => c[0]);
      if (Math.min(...lons) < -170 && Math.max(...lons) > 170) ring.forEach((c) => { if (c[0] < 0) c[0] += 360; });
    };
    world.features.forEach((feature) => {
      const geometry = feature.geometry;
      if (!geometry) return;
      const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
      polygons.forEach((polygon) => polygon.forEach(fixRing));
    });
    return world;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function popupContent(name, url, label) {
    const box = element("div", "map-popup");
    const title = element("strong");
    if (url) {
      const link = element("a", null, name);
      link.href = url;
      title.appendChild(link);
    } else {
      title.textContent = name;
    }
    box.appendChild(title);
    if (label) box.appendChild(element("div", null, label));
    return box;
  }

  function formatNumber(value) {
    return new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 2 }).format(value);
  }

  function legendControl(title, rows) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const box = element("div", "map-legend");
      box.appendChild(element("strong", null, title));
      const list = element("ul");
      rows.forEach((row) => {
        const item = element("li");
        const swatch = element("span", row.round ? "map-swatch map-swatch-round" : "map-swatch");
        swatch.setAttribute("aria-hidden", "true");
        swatch.style.backgroundColor = row.colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(" " + row.label));
        list.appendChild(item);
      });
      box.appendChild(list);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function choroplethClass(value, max) {
    if (!(max > 0) || !(value > 0)) return 0;
    return Math.min(CHOROPLETH_COLOURS.length - 1, Math.floor((value / max) * CHOROPLETH_COLOURS.length));
  }

  function drawCountries(map, world, countries, container) {
    const byCode = {};
    countries.forEach((country) => { byCode[country.iso_a2] = country; });
    const max = countries.reduce((top, country) => Math.max(top, country.value), 0);
    const base = { color: BORDER, weight: 0.6, fillOpacity: 1, fillColor: LAND };
    L.geoJSON(world, { interactive: false, style: () => base }).addTo(map);
    if (!countries.length) return;
    // Only countries with a value answer clicks; the rest is background.
    L.geoJSON(world, {
      filter: (feature) => feature.properties.iso_a2 in byCode,
      style: (feature) => ({
        ...base,
        fillColor: CHOROPLETH_COLOURS[choroplethClass(byCode[feature.properties.iso_a2].value, max)],
      }),
      onEachFeature: (feature, layer) => {
        const country = byCode[feature.properties.iso_a2];
        const label = [country.label, formatNumber(country.value)].filter(Boolean).join(" · ");
        layer.bindPopup(popupContent(country.name || feature.properties.name, country.url, label));
        layer.bindTooltip(element("span", null, country.name || feature.properties.name));
      },
    }).addTo(map);
    const step = max / CHOROPLETH_COLOURS.length;
    const rows = CHOROPLETH_COLOURS.map((colour, index) => ({
      colour: colour,
      label: formatNumber(index * step) + " – " + formatNumber((index + 1) * step),
    }));
    rows.push({ colour: LAND, label: container.dataset.noDataLabel });
    legendControl(container.dataset.legendTitle, rows).addTo(map);
  }

  function drawPoints(map, points, groups, container) {
    const colourOf = {};
    const fallback = groups.length ? UNGROUPED_COLOUR : SINGLE_COLOUR;
    groups.forEach((group, index) => { colourOf[group] = GROUP_COLOURS[index % GROUP_COLOURS.length]; });
    const max = points.reduce((top, p) => (p.value !== null && p.value > top ? p.value : top), 0);
    // Points live in their own pane above the country shapes, which arrive later.
    map.createPane(POINT_PANE).style.zIndex = 450;
    const options = { pane: POINT_PANE };
    const renderer = points.length > CANVAS_THRESHOLD ? L.canvas(options) : L.svg(options);
    const layer = L.featureGroup();
    points.forEach((p) => {
      const colour = p.group !== null && p.group in colourOf ? colourOf[p.group] : fallback;
      // Area, not radius, grows with the value, so big places do not swamp the map.
      const radius = p.value !== null && max > 0 ? 4 + 14 * Math.sqrt(p.value / max) : 6;
      L.circleMarker([p.lat, p.lon], {
        renderer: renderer,
        pane: POINT_PANE,
        radius: radius,
        color: "#ffffff",
        weight: 1,
        fillColor: colour,
        fillOpacity: 0.85,
      })
        .bindPopup(popupContent(p.name, p.url, p.label))
        .bindTooltip(element("span", null, p.name))
        .addTo(layer);
    });
    layer.addTo(map);
    if (groups.length) {
      const rows = groups.map((group) => ({ colour: colourOf[group], label: group, round: true }));
      if (points.some((p) => p.group === null)) rows.push({ colour: UNGROUPED_COLOUR, label: container.dataset.otherLabel, round: true });
      legendControl(container.dataset.legendTitle, rows).addTo(map);
    }
    return layer;
  }

  function fit(map, layer, points) {
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 5);
    } else if (points.length > 1) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 6 });
    } else {
      map.fitBounds(WORLD_BOUNDS);
    }
  }

  function init(container) {
    if (container.dataset.mapReady) return;
    container.dataset.mapReady = "1";
    const source = document.getElementById(container.dataset.mapData);
    const data = source ? JSON.parse(source.textContent) : { points: [], countries: [], groups: [] };
    container.replaceChildren();
    const map = L.map(container, {
      attributionControl: false,
      minZoom: 1,
      maxZoom: 9,
      worldCopyJump: false,
      zoomSnap: 0.5,
      zoomControl: false,
    });
    // The zoom buttons' names come translated from the page.
    L.control.zoom({ zoomInTitle: container.dataset.zoomInLabel, zoomOutTitle: container.dataset.zoomOutLabel }).addTo(map);
    // Leaflet writes attributions as HTML: pass the page's text escaped.
    L.control.attribution({ prefix: false }).addAttribution(element("span", null, container.dataset.sourceLabel).innerHTML).addTo(map);
    let pointLayer = null;
    if (data.points.length) pointLayer = drawPoints(map, data.points, data.groups, container);
    fit(map, pointLayer, data.points);
    loadWorld(container.dataset.worldUrl)
      .then((world) => {
        drawCountries(map, world, data.countries, container);
      })
      .catch((error) => {
        container.classList.add("map-error");
        console.warn(error);
      });
  }

  function initAll() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(init);
  }

  window.arrivalMaps = { initAll: initAll };
  document.addEventListener("htmx:load", initAll);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
