/* Canvas picture, progressively enhanced: hover a point for the account, click it for the account page,
   drag a rectangle to zoom into it and list its accounts. Without this script the page offers the same
   through zoom links, the rectangle form and the account table. Points come from /canvas/points.json
   (loaded on first use) in the picture's own SVG units, so the server alone decides where each is drawn. */
(function () {
  "use strict";
  var figure = document.getElementById("canvas-figure");
  if (!figure || !window.fetch) { return; }
  var picture = figure.querySelector("img.canvas-picture, svg.canvas-svg");
  var tip = document.getElementById("canvas-tip");
  if (!picture || !tip) { return; }
  var plot = figure.getAttribute("data-plot").split(",").map(Number);  // left, top, width, height, W, H
  var box = figure.getAttribute("data-box").split(",").map(Number);    // x0, x1, y0, y1 in score points
  var CELL = 24, data = null, grid = null, loading = false, drag = null, band = null, last = null;

  function load() {
    if (data || loading) { return; }
    loading = true;
    fetch(figure.getAttribute("data-points"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) {
        if (!json) { return; }
        data = json;
        buildGrid();
        if (last) { showTip(nearest(last.x, last.y), last.event); }  // the pointer waited for the points
      })
      .catch(function () { loading = false; });
  }

  function buildGrid() {
    grid = {};
    data.points.forEach(function (p, i) {
      var key = Math.floor(p[4] / CELL) + ":" + Math.floor(p[5] / CELL);
      (grid[key] = grid[key] || []).push(i);
    });
  }

  function svgPoint(event) {
    var rect = picture.getBoundingClientRect();
    return [(event.clientX - rect.left) * plot[4] / rect.width, (event.clientY - rect.top) * plot[5] / rect.height];
  }

  function nearest(x, y) {
    if (!grid) { return null; }
    var best = null, bestDistance = Infinity, cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
    for (var dx = -1; dx <= 1; dx++) {
      for (var dy = -1; dy <= 1; dy++) {
        (grid[(cx + dx) + ":" + (cy + dy)] || []).forEach(function (i) {
          var p = data.points[i], d = Math.hypot(p[4] - x, p[5] - y);
          if (d <= p[6] + 4 && d < bestDistance) { best = p; bestDistance = d; }
        });
      }
    }
    return best;
  }

  function describe(p) {
    var text = p[2] + " (" + p[1] + "): " + p[3] + "; opportunity " + (p[7] === null ? "–" : Math.round(p[7]));
    text += p[8] === null ? "; not yet heard" : "; readiness " + Math.round(p[8]);
    if (p[9]) { text += "; LEAVE ALONE"; }
    if (p[10]) { text += "; co-creation candidate"; }
    return text + ". Click for the account page.";
  }

  function showTip(p, event) {
    if (!p) { tip.hidden = true; picture.classList.remove("on-point"); return; }
    var rect = figure.getBoundingClientRect();
    tip.textContent = describe(p);
    tip.hidden = false;
    tip.style.left = Math.min(event.clientX - rect.left + 12, rect.width - 260) + "px";
    tip.style.top = (event.clientY - rect.top + 12) + "px";
    picture.classList.add("on-point");
  }

  function toScores(x, y) {
    var sx = box[0] + (x - plot[0]) / plot[2] * (box[1] - box[0]);
    var sy = box[2] + (1 - (y - plot[1]) / plot[3]) * (box[3] - box[2]);
    return [Math.min(Math.max(sx, 0), 100), Math.min(Math.max(sy, 0), 100)];
  }

  function drawBand(start, end) {
    var rect = picture.getBoundingClientRect(), outer = figure.getBoundingClientRect();
    var scale = rect.width / plot[4];
    if (!band) { band = document.createElement("div"); band.className = "canvas-band"; figure.appendChild(band); }
    band.style.left = (rect.left - outer.left + Math.min(start[0], end[0]) * scale) + "px";
    band.style.top = (rect.top - outer.top + Math.min(start[1], end[1]) * scale) + "px";
    band.style.width = Math.abs(end[0] - start[0]) * scale + "px";
    band.style.height = Math.abs(end[1] - start[1]) * scale + "px";
  }

  picture.addEventListener("mouseenter", load);
  picture.addEventListener("mousedown", function (event) {
    if (event.button !== 0) { return; }
    drag = { start: svgPoint(event), moved: false };
    event.preventDefault();
  });
  picture.addEventListener("mousemove", function (event) {
    load();
    var here = svgPoint(event);
    if (drag) {
      drag.moved = drag.moved || Math.hypot(here[0] - drag.start[0], here[1] - drag.start[1]) > 6;
      if (drag.moved) { drawBand(drag.start, here); tip.hidden = true; return; }
    }
    last = { x: here[0], y: here[1], event: event };
    showTip(nearest(here[0], here[1]), event);
  });
  picture.addEventListener("mouseleave", function () { tip.hidden = true; last = null; });
  window.addEventListener("mouseup", function (event) {
    if (!drag) { return; }
    var start = drag.start, moved = drag.moved, end = svgPoint(event);
    drag = null;
    if (!moved) {
      var p = nearest(end[0], end[1]);
      if (p && data) { window.location.href = data.account_url + p[0]; }
      return;
    }
    var a = toScores(start[0], start[1]), b = toScores(end[0], end[1]);
    var belowPlot = Math.max(start[1], end[1]) > plot[1] + plot[3];  // reaches the not-yet-heard strip
    var url = new URL(figure.getAttribute("data-explore"), window.location.href);
    url.searchParams.set("x0", Math.min(a[0], b[0]).toFixed(1));
    url.searchParams.set("x1", Math.max(a[0], b[0]).toFixed(1));
    url.searchParams.set("y0", belowPlot ? "0" : Math.min(a[1], b[1]).toFixed(1));
    url.searchParams.set("y1", Math.max(a[1], b[1]).toFixed(1));
    url.hash = "accounts";
    window.location.href = url.toString();
  });
}());
