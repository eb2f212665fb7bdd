// Explorables (linreg.explorables): draw precomputed training runs as SVG and let sliders pick one.
// Colours come from CSS classes (explorables.css), which follow the palette: nothing to redraw on a toggle.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function fmt(v, digits) { return Number(v).toFixed(digits); }

  function linear(d0, d1, r0, r1) {
    return function (v) { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); };
  }

  // The part of segment a-b inside the box (Liang-Barsky), or null.
  function clipSegment(a, b, box) {
    var t0 = 0, t1 = 1, dx = b[0] - a[0], dy = b[1] - a[1];
    var p = [-dx, dx, -dy, dy], q = [a[0] - box[0], box[2] - a[0], a[1] - box[1], box[3] - a[1]];
    for (var k = 0; k < 4; k++) {
      if (p[k] === 0) { if (q[k] < 0) return null; continue; }
      var t = q[k] / p[k];
      if (p[k] < 0) { if (t > t1) return null; if (t > t0) t0 = t; } else { if (t < t0) return null; if (t < t1) t1 = t; }
    }
    return [[a[0] + t0 * dx, a[1] + t0 * dy], [a[0] + t1 * dx, a[1] + t1 * dy]];
  }

  // A polyline cut to the plot's box, as pieces: nothing is drawn (or laid out) outside the frame.
  function lines(parent, xs, ys, sx, sy, box, cls) {
    var pts = xs.map(function (x, i) { return [sx(x), sy(ys[i])]; })
      .filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
    var pieces = [], current = [];
    for (var i = 1; i < pts.length; i++) {
      var seg = clipSegment(pts[i - 1], pts[i], box);
      if (!seg) { if (current.length) pieces.push(current); current = []; continue; }
      if (!current.length) current = [seg[0]];
      current.push(seg[1]);
      if (seg[1][0] !== pts[i][0] || seg[1][1] !== pts[i][1]) { pieces.push(current); current = []; }
    }
    if (current.length) pieces.push(current);
    pieces.forEach(function (piece) {
      el("polyline", { points: piece.map(function (p) { return fmt(p[0], 1) + "," + fmt(p[1], 1); }).join(" "),
                       "class": cls }, parent);
    });
  }

  function inside(x, y, box) { return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]; }

  function frame(svg, w, h, pad, xlabel, ylabel) {
    el("rect", { x: pad.l, y: pad.t, width: w - pad.l - pad.r, height: h - pad.t - pad.b, "class": "lx-frame" }, svg);
    el("text", { x: (pad.l + w - pad.r) / 2, y: h - 4, "class": "lx-label", "text-anchor": "middle" }, svg).textContent = xlabel;
    el("text", { x: 12, y: (pad.t + h - pad.b) / 2, "class": "lx-label", "text-anchor": "middle",
                 transform: "rotate(-90 12 " + (pad.t + h - pad.b) / 2 + ")" }, svg).textContent = ylabel;
  }

  function ticks(svg, values, scale, axis, at, text) {
    values.forEach(function (v) {
      var p = scale(v);
      el("text", axis === "x" ? { x: p, y: at + 14, "text-anchor": "middle", "class": "lx-tick" }
                              : { x: at - 4, y: p + 4, "text-anchor": "end", "class": "lx-tick" }, svg).textContent = text(v);
    });
  }

  function niceTicks(lo, hi, count) {
    var raw = (hi - lo) / count, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * magnitude; }).filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(parseFloat(v.toPrecision(6)));
    return out;
  }

  // The path of the selected run over the loss's contour lines (weight across, bias up).
  function drawSurface(svg, data, run) {
    var w = 360, h = 300, pad = { l: 50, r: 20, t: 10, b: 36 }, v = data.view;
    var sx = linear(v[0], v[1], pad.l, w - pad.r), sy = linear(v[2], v[3], h - pad.b, pad.t);
    var box = [pad.l, pad.t, w - pad.r, h - pad.b];
    svg.textContent = "";
    frame(svg, w, h, pad, data.labels[0], data.labels[1]);
    ticks(svg, niceTicks(v[0], v[1], 5), sx, "x", h - pad.b, String);
    ticks(svg, niceTicks(v[2], v[3], 5), sy, "y", pad.l, String);
    var plot = el("g", {}, svg);
    data.contours.forEach(function (c) { lines(plot, c[0], c[1], sx, sy, box, "lx-contour"); });
    lines(plot, run.w, run.b, sx, sy, box, "lx-path" + (run.divergedAt !== null ? " lx-diverged" : ""));
    var last = run.w.length - 1;
    [[0, "lx-start"], [last, "lx-end"]].forEach(function (m) {
      var x = sx(run.w[m[0]]), y = sy(run.b[m[0]]);
      if (inside(x, y, box)) el("circle", { cx: x, cy: y, r: 4, "class": m[1] }, plot);
    });
    var mx = sx(data.minimum[0]), my = sy(data.minimum[1]);
    el("path", { d: "M" + mx + " " + (my - 7) + "l2 5h5l-4 3 2 6-5-4-5 4 2-6-4-3h5z", "class": "lx-minimum" }, plot);
  }

  // Lines on a log-scale y axis: {xs, ys, cls} each; the y range is [10^lo, 10^hi].
  function drawLog(svg, series, xmax, lo, hi, xlabel, ylabel) {
    var w = 360, h = 300, pad = { l: 62, r: 20, t: 10, b: 36 };
    var sx = linear(0, xmax, pad.l, w - pad.r), sy = linear(lo, hi, h - pad.b, pad.t);
    var ly = function (v) { return sy(Math.log10(Math.max(v, Math.pow(10, lo - 1)))); };
    var box = [pad.l, pad.t, w - pad.r, h - pad.b];
    svg.textContent = "";
    frame(svg, w, h, pad, xlabel, ylabel);
    ticks(svg, niceTicks(0, xmax, 5), sx, "x", h - pad.b, String);
    var decades = [];
    for (var d = lo; d <= hi; d += Math.max(1, Math.round((hi - lo) / 5))) decades.push(d);
    ticks(svg, decades, sy, "y", pad.l, powerOfTen);
    var plot = el("g", {}, svg);
    series.forEach(function (line) { lines(plot, line.xs, line.ys, sx, ly, box, line.cls); });
  }

  // 10 to the power d as the static figures label a log axis (matplotlib's 10⁻²), in superscript characters.
  function powerOfTen(d) {
    var sup = { "-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
                "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079" };
    return "10" + String(d).split("").map(function (c) { return sup[c]; }).join("");
  }

  function decadesOf(values) {
    var positive = values.filter(function (v) { return v > 0 && isFinite(v); });
    return [Math.floor(Math.log10(Math.min.apply(null, positive))), Math.ceil(Math.log10(Math.max.apply(null, positive)))];
  }

  // The loss panel's step axis: every run's length, or, for a run that diverged within the first
  // twentieth of it, twice its own length (its few steps would be a vertical line); the readout says so.
  function lossAxis(data, selected) {
    var steps = Math.max.apply(null, data.runs.map(function (r) { return r.steps[r.steps.length - 1]; }));
    var own = Math.max(10, 2 * selected.divergedAt);
    return selected.divergedAt !== null && own < steps / 10 ? { steps: own, zoomed: true } : { steps: steps, zoomed: false };
  }

  // Whether part of a run's path lies outside the rectangle the surface panel draws.
  function leavesView(data, run) {
    var v = data.view;
    return run.w.some(function (w, i) { return w < v[0] || w > v[1] || run.b[i] < v[2] || run.b[i] > v[3]; });
  }

  // Loss against step: every run faint, the selected one drawn over them.
  function drawLoss(svg, data, selected) {
    var steps = lossAxis(data, selected).steps;
    var lo = decadesOf([].concat.apply([], data.runs.map(function (r) { return r.loss; })))[0];
    var hi = Math.ceil(Math.log10(selected.loss[0] * 1e2));
    var lines = neighbours(data, selected).map(function (r) { return { xs: r.steps, ys: r.loss, cls: "lx-other" }; });
    lines.push({ xs: selected.steps, ys: selected.loss, cls: "lx-path" + (selected.divergedAt !== null ? " lx-diverged" : "") });
    drawLog(svg, lines, steps, lo, hi, data.stepName, "MSE (log scale)");
  }

  // The runs one slider away from the selected one (all the others when there is one slider): drawn faint.
  function neighbours(data, selected) {
    return data.runs.filter(function (r) {
      var differ = data.controls.filter(function (c) { return r.settings[c.name] !== selected.settings[c.name]; });
      return differ.length === 1;
    });
  }

  function epochs(values) { return values.map(function (_, i) { return i + 1; }); }

  // A key of short sample lines, one row per {label, cls}, its top left corner at (x, y).
  function legend(svg, items, x, y) {
    items.forEach(function (item, i) {
      var row = y + 16 * i;
      el("line", { x1: x, y1: row, x2: x + 22, y2: row, "class": item.cls }, svg);
      el("text", { x: x + 28, y: row + 4, "class": "lx-tick" }, svg).textContent = item.label;
    });
  }

  // A schedule: its learning rate per epoch, and its training and validation losses per epoch,
  // in the colours and line styles of the page's static figures (the learning rate green dashed,
  // training blue, validation orange, the floor dotted).
  function drawSchedule(rateSvg, lossSvg, data, run) {
    var n = Math.max.apply(null, data.runs.map(function (r) { return r.lr.length; }));
    var rates = decadesOf([].concat.apply([], data.runs.map(function (r) { return r.lr; })));
    drawLog(rateSvg, neighbours(data, run)
      .map(function (r) { return { xs: epochs(r.lr), ys: r.lr, cls: "lx-other" }; })
      .concat([{ xs: epochs(run.lr), ys: run.lr, cls: "lx-rate" }]), n, rates[0], rates[1], "epoch", "learning rate (log scale)");
    // Bottom left: every schedule starts at the top, so nothing is drawn there early on.
    legend(rateSvg, [{ label: "chosen run", cls: "lx-rate" }, { label: "one slider away", cls: "lx-other" }], 74, 232);
    var losses = decadesOf([].concat.apply([], data.runs.map(function (r) { return r.train.concat(r.val); })));
    var lines = [{ xs: epochs(run.val), ys: run.val, cls: "lx-val" }, { xs: epochs(run.train), ys: run.train, cls: "lx-train" }];
    if (data.floor) lines.unshift({ xs: [0, n], ys: [data.floor, data.floor], cls: "lx-floor" });
    drawLog(lossSvg, lines, n, losses[0], losses[1], "epoch", "MSE (log scale)");
    // Top right: after the first epochs every loss lies far below it.
    var key = [{ label: "training loss", cls: "lx-train" }, { label: "validation loss", cls: "lx-val" }];
    if (data.floor) key.push({ label: "floor", cls: "lx-floor" });
    legend(lossSvg, key, 206, 26);
  }

  // --- budget: page 12 ---
  // Each search's best validation loss within its first k trials (linreg.budget_explorer): the whole
  // descent on a log scale, and the end up close, as the static figure draws them. The curves up to the
  // budget k are drawn strong, the trials after it faint; Ax's trials placed before its model existed
  // (the centre, the Sobol points) are hollow markers, the ones its model chose filled.
  function bestSoFar(losses) {
    var best = null;
    return losses.map(function (v) { if (v !== null && (best === null || v < best)) best = v; return best; });
  }

  // A step line through (1, b1), (2, b1), (2, b2) ... (n, bn), as the static figure's where="post" draws it.
  function stepPoints(curve, from, to) {
    var xs = [], ys = [];
    for (var i = from; i <= to; i++) {
      if (curve[i - 1] === null) continue;
      if (xs.length) { xs.push(i); ys.push(ys[ys.length - 1]); }
      xs.push(i); ys.push(curve[i - 1]);
    }
    return { xs: xs, ys: ys };
  }

  function drawBudgetPanel(svg, data, k, panel) {
    var w = 360, h = 300, pad = { l: 66, r: 14, t: 24, b: 36 }, n = data.controls[0].values.length;
    var sx = linear(0.5, n + 0.5, pad.l, w - pad.r), sy = panel.scale(h - pad.b, pad.t);
    var box = [pad.l, pad.t, w - pad.r, h - pad.b];
    svg.textContent = "";
    frame(svg, w, h, pad, "trial", panel.ylabel);
    el("text", { x: (pad.l + w - pad.r) / 2, y: 16, "class": "lx-label", "text-anchor": "middle" }, svg).textContent = panel.title;
    ticks(svg, niceTicks(1, n, 5).filter(function (v) { return v >= 1 && v === Math.round(v); }), sx, "x", h - pad.b, String);
    ticks(svg, panel.ticks, sy, "y", pad.l, panel.tickText);
    var plot = el("g", {}, svg);
    var x = sx(k);
    el("line", { x1: x, y1: pad.t, x2: x, y2: h - pad.b, "class": "lx-budget" }, plot);
    data.methods.forEach(function (method, m) {
      var curve = bestSoFar(method.losses), cls = "lx-method lx-method-" + m;
      if (k < n) { var after = stepPoints(curve, k, n); lines(plot, after.xs, after.ys, sx, sy, box, cls + " lx-after"); }
      var upTo = stepPoints(curve, 1, k);
      lines(plot, upTo.xs, upTo.ys, sx, sy, box, cls);
      for (var i = 1; i <= k; i++) {
        if (curve[i - 1] === null) continue;
        var px = sx(i), py = sy(curve[i - 1]);
        if (!inside(px, py, box)) continue;
        var hollow = method.steps.length && method.steps[i - 1] !== data.modelStep;
        el("circle", { cx: px, cy: py, r: 3.5, "class": "lx-mark lx-mark-" + m + (hollow ? " lx-hollow" : "") }, plot);
      }
    });
    if (panel.legend) legend(svg, data.methods.map(function (method, m) {
      return { label: method.name, cls: "lx-method lx-method-" + m };
    }), 200, 44);
  }

  function drawBudget(wholeSvg, closeSvg, data, k) {
    // The range the curves span (a method's first loss down to the best), not every trial's loss.
    var all = [].concat.apply([], data.methods.map(function (m) { return bestSoFar(m.losses); })).filter(function (v) { return v !== null; });
    var best = Math.min.apply(null, all), decades = decadesOf(all);
    // From just below the best loss (not the decade under it, which would stay empty) to the decade above the worst.
    var bottom = Math.log10(best) - 0.05 * (decades[1] - Math.log10(best));
    drawBudgetPanel(wholeSvg, data, k, {
      title: "every trial", ylabel: "best validation loss (log scale)", legend: true,
      scale: function (low, high) {
        var s = linear(bottom, decades[1], low, high);
        return function (v) { return s(Math.log10(v)); };
      },
      ticks: (function () { var out = []; for (var d = Math.ceil(bottom); d <= decades[1]; d++) out.push(Math.pow(10, d)); return out; })(),
      tickText: function (v) { return powerOfTen(Math.round(Math.log10(v))); }
    });
    var lo = best - 0.05 * (data.zoom - 1) * best, hi = data.zoom * best;
    drawBudgetPanel(closeSvg, data, k, {
      title: "up close: up to " + data.zoom + " \u00d7 the best", ylabel: "best validation loss", legend: false,
      scale: function (bottom, top) { return linear(lo, hi, bottom, top); },
      ticks: niceTicks(lo, hi, 4), tickText: function (v) { return v.toFixed(4); }
    });
  }

  function describeBudget(data, run) {
    var k = run.settings.k, n = data.controls[0].values.length;
    var parts = data.methods.map(function (method, m) {
      if (run.best[m] === null) return method.name + " no finite loss yet";
      var trial = run.trial[m], how = method.steps.length ? ", " + (data.stepNames[method.steps[trial - 1]] || method.steps[trial - 1]) : "";
      return method.name + " " + run.best[m].toFixed(5) + " (trial " + trial + how + ")";
    });
    var finite = run.best.filter(function (v) { return v !== null; });
    var lowest = Math.min.apply(null, finite);
    var leaders = data.methods.filter(function (_, m) { return run.best[m] === lowest; }).map(function (m) { return m.name; });
    return "Within " + k + (k === 1 ? " trial" : " trials") + (k === n ? " (the whole budget)" : "") + ", the best so far: " +
      parts.join("; ") + ". Lowest: " + leaders.join(" and ") + ".";
  }

  // --- latent: page 10 ---
  // The code plane of page 10's 2-D autoencoder: the training codes as a scatter coloured by digit, a point the
  // reader moves (pointer or arrow keys) and, beside it, the decode of the grid point nearest it, which the
  // build computed with the page's decoder (linreg.latent_explorer). No interpolation: every digit shown is
  // one the decoder drew.
  function latentText(data, i, j) {
    var n = data.gridX.length, k = j * n + i;
    var where = "code 1 = " + fmt(data.gridX[i], 2) + ", code 2 = " + fmt(data.gridY[j], 2) + ": ";
    if (i === data.start[0] && j === data.start[1]) {  // the start lies on this grid point: its own code is nearest
      var label = data.labels.charAt(data.startIndex);
      return where + "the start, the code of the " + (data.startIndex === 0 ? "first training image" :
        "training image no. " + (data.startIndex + 1)) + " (" + (label === "8" ? "an " : "a ") + label + ") itself.";
    }
    return where + "the nearest training code is " + (data.nearest.charAt(k) === "8" ? "an " : "a ") +
      data.nearest.charAt(k) + ", " + fmt(data.distance[k], 2) + " away.";
  }

  // The outline of class c's marker, of radius r around (0, 0): the shapes of linreg.plots.CLASS_MARKERS,
  // in its order (circle, square, triangle up, diamond, triangle down, plus, cross, star, hexagon, triangle left).
  function classMarker(c, r) {
    function polygon(points) {
      return "M" + points.map(function (p) { return fmt(p[0], 2) + " " + fmt(p[1], 2); }).join("L") + "Z";
    }
    function around(n, radii, turn) {  // n corners, alternating over radii, the first at angle `turn` (degrees, 0 = up)
      var out = [];
      for (var k = 0; k < n; k++) {
        var a = (turn + k * 360 / n) * Math.PI / 180, q = radii[k % radii.length];
        out.push([q * Math.sin(a), -q * Math.cos(a)]);
      }
      return out;
    }
    var arm = 0.36 * r, plus = [[-arm, -r], [arm, -r], [arm, -arm], [r, -arm], [r, arm], [arm, arm], [arm, r], [-arm, r],
                                [-arm, arm], [-r, arm], [-r, -arm], [-arm, -arm]];
    var shapes = [
      function () { return "M" + -r * 0.9 + " 0a" + r * 0.9 + " " + r * 0.9 + " 0 1 0 " + r * 1.8 + " 0a" + r * 0.9 + " " + r * 0.9 + " 0 1 0 " + -r * 1.8 + " 0Z"; },
      function () { return polygon(around(4, [r], 45)); },
      function () { return polygon(around(3, [r * 1.1], 0)); },
      function () { return polygon(around(4, [r * 1.05], 0)); },
      function () { return polygon(around(3, [r * 1.1], 180)); },
      function () { return polygon(plus); },
      function () { var c45 = Math.SQRT1_2; return polygon(plus.map(function (p) { return [c45 * (p[0] - p[1]), c45 * (p[0] + p[1])]; })); },
      function () { return polygon(around(10, [r * 1.15, r * 0.5], 0)); },
      function () { return polygon(around(6, [r], 0)); },
      function () { return polygon(around(3, [r * 1.1], 270)); }
    ];
    return shapes[c]();
  }

  function drawDigit(svg, data, i, j) {
    var rows = data.shape[0], cols = data.shape[1], n = data.gridX.length, size = 100 / Math.max(rows, cols);
    var offset = (j * n + i) * rows * cols * 2;
    svg.textContent = "";
    el("text", { x: 70, y: 14, "text-anchor": "middle", "class": "lx-tick" }, svg).textContent = "the decoder draws";
    el("rect", { x: 20, y: 22, width: cols * size, height: rows * size, "class": "lx-frame" }, svg);
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var ink = parseInt(data.images.substr(offset + (r * cols + c) * 2, 2), 16) / 255;
        if (ink > 0) el("rect", { x: 20 + c * size, y: 22 + r * size, width: size + 0.3, height: size + 0.3,
                                  "fill-opacity": fmt(ink, 3), "class": "lx-ink" }, svg);
      }
    }
    el("text", { x: 70, y: 140, "text-anchor": "middle", "class": "lx-tick" }, svg).textContent =
      "(" + fmt(data.gridX[i], 2) + ", " + fmt(data.gridY[j], 2) + ")";
  }

  function setupLatent(figure, data, live) {
    var plots = live.querySelector(".linreg-explorable__plots");
    var readout = live.querySelector(".linreg-explorable__readout");
    readout.classList.add("lx-latent-readout");
    var gx = data.gridX, gy = data.gridY, nx = gx.length, ny = gy.length;
    var hx = (gx[nx - 1] - gx[0]) / (nx - 1) / 2, hy = (gy[ny - 1] - gy[0]) / (ny - 1) / 2;
    var w = 360, h = 300, pad = { l: 44, r: 12, t: 10, b: 36 };
    var sx = linear(gx[0] - hx, gx[nx - 1] + hx, pad.l, w - pad.r), sy = linear(gy[0] - hy, gy[ny - 1] + hy, h - pad.b, pad.t);
    var plane = el("svg", { id: figure.id + "-plane", viewBox: "0 0 " + w + " " + h, "class": "lx-plot lx-plane",
                            tabindex: "0", role: "slider", "aria-valuemin": fmt(gx[0], 2), "aria-valuemax": fmt(gx[nx - 1], 2),
                            "aria-label": "Point in the code plane: arrow keys move it, Home goes back to the start" }, plots);
    var digit = el("svg", { id: figure.id + "-digit", viewBox: "0 0 140 148", role: "img", "class": "lx-plot lx-digit" }, plots);
    frame(plane, w, h, pad, "code 1", "code 2");
    ticks(plane, niceTicks(gx[0], gx[nx - 1], 5), sx, "x", h - pad.b, String);
    ticks(plane, niceTicks(gy[0], gy[ny - 1], 5), sy, "y", pad.l, String);
    // one shape per digit (defined once, then placed with <use>), so a class differs by shape as well as colour
    var defs = el("defs", {}, plane);
    for (var digitLabel = 0; digitLabel < 10; digitLabel++) {
      el("path", { id: figure.id + "-m" + digitLabel, d: classMarker(digitLabel, 2.3) }, defs);
    }
    var dots = el("g", {}, plane);
    data.x.forEach(function (x, k) {
      var label = data.labels.charAt(k);
      el("use", { href: "#" + figure.id + "-m" + label, x: fmt(sx(x), 1), y: fmt(sy(data.y[k]), 1), "class": "lx-d" + label }, dots);
    });
    Object.keys(data.centres).forEach(function (label) {  // each digit named at its codes' median, as in the static figure
      var c = data.centres[label];
      el("text", { x: fmt(sx(c[0]), 1), y: fmt(sy(c[1]) + 5, 1), "text-anchor": "middle", "class": "lx-centre" }, plane).textContent = label;
    });
    var point = el("g", { "class": "lx-point" }, plane);
    el("circle", { r: 8, "class": "lx-point-ring" }, point);
    el("path", { d: "M-13 0h9M4 0h9M0 -13v9M0 4v9", "class": "lx-point-cross" }, point);
    var key = document.createElement("p");
    key.className = "linreg-explorable__key lx-latent-key";
    key.innerHTML = "Colour and shape: the digit each training code shows. " + Object.keys(data.centres).map(function (label) {
      return '<span class="lx-key-item"><svg viewBox="-5 -5 10 10" aria-hidden="true"><path d="' + classMarker(Number(label), 4.4) +
        '" class="lx-d' + label + '"></path></svg>' + label + "</span>";
    }).join(" ");
    live.appendChild(key);

    var i = data.start[0], j = data.start[1];
    function show(ni, nj) {
      i = Math.max(0, Math.min(nx - 1, ni));
      j = Math.max(0, Math.min(ny - 1, nj));
      point.setAttribute("transform", "translate(" + fmt(sx(gx[i]), 1) + " " + fmt(sy(gy[j]), 1) + ")");
      drawDigit(digit, data, i, j);
      var text = latentText(data, i, j);
      readout.textContent = "At " + text.charAt(0).toLowerCase() + text.slice(1);
      plane.setAttribute("aria-valuenow", fmt(gx[i], 2));
      plane.setAttribute("aria-valuetext", text);
      digit.setAttribute("aria-label", "The digit the decoder draws at code 1 = " + fmt(gx[i], 2) + ", code 2 = " + fmt(gy[j], 2) + ".");
      figure.dataset.node = i + "," + j;
    }

    // A pointer picks the grid point nearest it; dragging keeps picking while the button is down.
    var dragging = false;
    function pick(event) {
      var m = plane.getScreenCTM();
      if (!m) return;
      var p = new DOMPoint(event.clientX, event.clientY).matrixTransform(m.inverse());
      var x = gx[0] + (p.x - sx(gx[0])) / (sx(gx[1]) - sx(gx[0])) * (gx[1] - gx[0]);
      var y = gy[0] + (p.y - sy(gy[0])) / (sy(gy[1]) - sy(gy[0])) * (gy[1] - gy[0]);
      show(Math.round((x - gx[0]) / (2 * hx)), Math.round((y - gy[0]) / (2 * hy)));
    }
    plane.addEventListener("pointerdown", function (event) {
      dragging = true;
      if (plane.setPointerCapture) plane.setPointerCapture(event.pointerId);
      plane.focus();
      pick(event);
      event.preventDefault();
    });
    plane.addEventListener("pointermove", function (event) { if (dragging) pick(event); });
    plane.addEventListener("pointerup", function () { dragging = false; });
    plane.addEventListener("pointercancel", function () { dragging = false; });
    plane.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      var step = event.shiftKey ? 5 : 1;
      if (moves[event.key]) show(i + step * moves[event.key][0], j + step * moves[event.key][1]);
      else if (event.key === "Home") show(data.start[0], data.start[1]);
      else return;
      event.preventDefault();
    });
    figure.querySelector(".linreg-explorable__fallback").hidden = true;
    live.hidden = false;
    show(i, j);
  }

  // --- autograd: page 3 ---
  // A graph in Graphviz's layout (linreg.autograd_explorer): the step control shows the forward values
  // node by node, then the gradients in the order autograd computed them. Every number is a string
  // written at build time; this only decides which of them the chosen step shows.
  function drawAutograd(svg, data, step, id) {
    var phase = data.steps[step].phase, w = data.size[0], h = data.size[1] + 30;
    svg.textContent = "";
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    var defs = el("defs", {}, svg);
    ["", "-active"].forEach(function (suffix) {
      var marker = el("marker", { id: id + "-arrow" + suffix, viewBox: "0 0 10 10", refX: 10, refY: 5,
                                  markerWidth: 7, markerHeight: 7, orient: "auto",
                                  markerUnits: "userSpaceOnUse" }, defs);
      el("path", { d: "M0,0L10,5L0,10z", "class": "lx-ag-head" + suffix }, marker);
    });
    function active(edge) {
      var head = data.nodes[edge.head];
      return phase === "forward" ? head.forward === step : edge.backward === step;
    }
    data.edges.forEach(function (edge) {
      var on = active(edge);
      el("path", { d: edge.d, "class": "lx-ag-edge" + (on ? " lx-ag-active" : ""),
                   "marker-end": "url(#" + id + "-arrow" + (on ? "-active" : "") + ")" }, svg);
    });
    data.nodes.forEach(function (node) {
      var current = phase === "forward" ? node.forward === step : node.backward === step;
      var g = el("g", { "class": "lx-ag-node lx-ag-" + node.role + (current ? " lx-ag-current" : "") }, svg);
      el("rect", { x: node.x - node.w / 2, y: node.y - node.h / 2, width: node.w, height: node.h }, g);
      var top = node.y - 7 * (node.label.length - 1) + 4;
      node.label.forEach(function (line, i) {
        el("text", { x: node.x, y: top + 14 * i, "text-anchor": "middle", "class": "lx-ag-label" }, g).textContent = line;
      });
      var below = node.y + node.h / 2 + 11;
      if (node.value !== null && node.forward !== null && node.forward <= step) {
        el("text", { x: node.x, y: below, "text-anchor": "middle", "class": "lx-ag-value" }, g).textContent = node.value;
        below += 11;
      }
      if (node.grad !== null && phase === "backward" && node.backward <= step) {
        el("text", { x: node.x, y: below, "text-anchor": "middle", "class": "lx-ag-grad" }, g).textContent = node.grad;
      }
    });
  }

  function stepName(data, step) {
    var s = data.steps[step];
    return "Step " + (step + 1) + " of " + data.steps.length + ", " + s.phase + " pass: " + s.name;
  }

  function setupAutograd(figure, data) {
    var live = figure.querySelector(".linreg-explorable__live");
    var slider = live.querySelector("input[type=range]");
    var shown = slider.nextElementSibling, readout = live.querySelector(".linreg-explorable__readout");
    var svg = el("svg", { id: figure.id + "-graph", role: "img", "class": "lx-plot lx-ag-graph" },
                 live.querySelector(".linreg-explorable__plots"));
    slider.parentNode.classList.add("lx-ag-control");
    var buttons = ["Previous", "Next"].map(function (label) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "lx-ag-button";
      button.textContent = label;
      button.setAttribute("aria-controls", slider.id);
      slider.parentNode.insertBefore(button, label === "Previous" ? slider : shown.nextSibling);
      return button;
    });
    var key = document.createElement("p");
    key.className = "linreg-explorable__key";
    key.textContent = data.key;
    live.appendChild(key);

    function update() {
      var step = Number(slider.value);
      var name = stepName(data, step);
      slider.setAttribute("aria-valuetext", name);
      shown.textContent = (step + 1) + " / " + data.steps.length;
      readout.textContent = name + ". " + data.steps[step].text;
      drawAutograd(svg, data, step, figure.id);
      svg.setAttribute("aria-label", "The graph at " + name + ". " + data.steps[step].text);
    }
    function move(by) {
      slider.value = String(Math.min(data.steps.length - 1, Math.max(0, Number(slider.value) + by)));
      update();
    }
    buttons[0].addEventListener("click", function () { move(-1); });
    buttons[1].addEventListener("click", function () { move(1); });
    slider.addEventListener("input", update);
    figure.querySelector(".linreg-explorable__fallback").hidden = true;
    live.hidden = false;
    // The readout keeps the height of its longest text, so the page below does not jump as the reader steps.
    var tallest = 0;
    data.steps.forEach(function (_, i) {
      readout.textContent = stepName(data, i) + ". " + data.steps[i].text;
      tallest = Math.max(tallest, readout.getBoundingClientRect().height);
    });
    readout.style.minHeight = Math.ceil(tallest) + "px";
    update();
  }

  // --- width: page 9 ---
  // A trained network's curve over the data (the noise-free curve thin and dashed), and every
  // setting's final loss against the width, one line per activation, the chosen setting ringed.
  function drawWidth(curveSvg, lossSvg, data, run) {
    var w = 360, h = 300, pad = { l: 50, r: 20, t: 10, b: 36 }, v = data.view;
    var sx = linear(v[0], v[1], pad.l, w - pad.r), sy = linear(v[2], v[3], h - pad.b, pad.t);
    var box = [pad.l, pad.t, w - pad.r, h - pad.b];
    curveSvg.textContent = "";
    frame(curveSvg, w, h, pad, "x", "y");
    ticks(curveSvg, niceTicks(v[0], v[1], 5), sx, "x", h - pad.b, String);
    ticks(curveSvg, niceTicks(v[2], v[3], 5), sy, "y", pad.l, String);
    var plot = el("g", {}, curveSvg);
    var dots = data.x.map(function (x, i) {
      return "M" + fmt(sx(x), 1) + " " + fmt(sy(data.y[i]), 1) + "h0";
    }).join("");
    el("path", { d: dots, "class": "lx-data" }, plot);  // one path of zero-length strokes: a light DOM
    lines(plot, data.xCurve, data.truth, sx, sy, box, "lx-truth");
    lines(plot, data.xCurve, run.curve, sx, sy, box, "lx-path");
    legend(curveSvg, [{ label: "trained network", cls: "lx-path" }, { label: "x sin x", cls: "lx-truth" }], 130, 226);

    var widths = data.controls[0].values, kinds = data.controls[1].values;
    var losses = data.runs.map(function (r) { return r.finalLoss; });
    var range = decadesOf(losses), lo = range[0], hi = range[1];
    var lp = { l: 62, r: 20, t: 10, b: 36 };
    var lx = linear(0, widths.length - 1, lp.l + 10, w - lp.r - 10), ly = linear(lo, hi, h - lp.b, lp.t);
    var logY = function (value) { return ly(Math.log10(value)); };
    var lbox = [lp.l, lp.t, w - lp.r, h - lp.b];
    lossSvg.textContent = "";
    frame(lossSvg, w, h, lp, "hidden units per layer", "final training loss (log scale)");
    ticks(lossSvg, widths.map(function (_, i) { return i; }), lx, "x", h - lp.b, function (i) { return String(widths[i]); });
    var decades = [];
    for (var d = lo; d <= hi; d++) decades.push(d);
    ticks(lossSvg, decades, ly, "y", lp.l, powerOfTen);
    var lplot = el("g", {}, lossSvg);
    kinds.forEach(function (kind, k) {
      var ys = widths.map(function (width) {
        return data.runs.filter(function (r) { return r.settings.hidden === width && r.settings.activation === kind; })[0].finalLoss;
      });
      var cls = "lx-act lx-act-" + k + (kind === run.settings.activation ? " lx-act-chosen" : "");
      lines(lplot, widths.map(function (_, i) { return i; }), ys, lx, logY, lbox, cls);
    });
    var at = widths.indexOf(run.settings.hidden);
    el("circle", { cx: lx(at), cy: logY(run.finalLoss), r: 5, "class": "lx-end" }, lplot);
    legend(lossSvg, kinds.map(function (kind, k) { return { label: kind, cls: "lx-act lx-act-" + k }; }), 80, 200);
  }

  function describeWidth(data, run) {
    return data.controls[0].label + " " + run.settings.hidden + ", " + data.controls[1].label + " " +
      run.settings.activation + ": training loss at epoch " + data.epochs + ": " + run.finalLoss.toFixed(3) +
      " (the curve is the network after its " + data.epochs + " updates).";
  }

  function describe(data, run) {
    if (data.kind === "budget") return describeBudget(data, run);
    if (data.kind === "width") return describeWidth(data, run);
    var setting = data.controls.map(function (c) { return c.label + " " + run.settings[c.name]; }).join(", ");
    if (data.kind === "schedule") {
      if (run.diverged) return setting + ": diverged.";
      var last = run.train.length - 1;
      return setting + ": in epoch " + run.train.length + " the learning rate is " + run.lr[last].toPrecision(3) +
        "; that epoch's training loss (the mean over its batches) " + run.train[last].toFixed(5) +
        ", the validation loss after it " + run.val[last].toFixed(5) + ".";
    }
    var text, notes = [];
    if (run.divergedAt !== null) {
      text = setting + ": diverged at " + data.stepName + " " + run.divergedAt +
        " (the loss grew to " + run.finalLoss.toPrecision(3) + ").";
    } else {
      var end = run.steps[run.steps.length - 1];
      text = setting + ": after " + end + " " + data.stepName + "s, " + data.labels[0].split(" ")[0] + " = " +
        fmt(run.final[0], 4) + ", " + data.labels[1].split(" ")[0] + " = " + fmt(run.final[1], 4) +
        ", MSE = " + run.finalLoss.toPrecision(4) + ".";
    }
    if (leavesView(data, run)) notes.push("Part of its path lies outside the drawn window.");
    var axis = lossAxis(data, run);
    if (axis.zoomed) notes.push("The loss panel is zoomed to " + data.stepName + "s 0\u2013" + axis.steps + ".");
    return notes.length ? text + " " + notes.join(" ") : text;
  }

  function setup(figure) {
    var data = JSON.parse(figure.querySelector("script.linreg-explorable__data").textContent);
    if (data.kind === "autograd") { setupAutograd(figure, data); return; }
    var live = figure.querySelector(".linreg-explorable__live");
    if (data.kind === "latent") { setupLatent(figure, data, live); return; }
    var plots = live.querySelector(".linreg-explorable__plots");
    var readout = live.querySelector(".linreg-explorable__readout");
    var surface = el("svg", { id: figure.id + "-surface", viewBox: "0 0 360 300", role: "img", "class": "lx-plot" }, plots);
    var loss = el("svg", { id: figure.id + "-loss", viewBox: "0 0 360 300", role: "img", "class": "lx-plot" }, plots);
    var sliders = [].slice.call(live.querySelectorAll("input[type=range]"));

    function update() {
      var chosen = {};
      sliders.forEach(function (s) {
        var control = data.controls.filter(function (c) { return c.name === s.dataset.control; })[0];
        var value = control.values[Number(s.value)];
        chosen[control.name] = value;
        s.setAttribute("aria-valuetext", String(value));
        s.nextElementSibling.textContent = String(value);
      });
      var run = data.runs.filter(function (r) {
        return Object.keys(chosen).every(function (k) { return r.settings[k] === chosen[k]; });
      })[0];
      var text = describe(data, run);
      readout.textContent = text;
      if (data.kind === "budget") {
        drawBudget(surface, loss, data, run.settings.k);
        surface.setAttribute("aria-label", "Best validation loss so far per trial, log scale. " + text);
        loss.setAttribute("aria-label", "The same, up close to the best. " + text);
      } else if (data.kind === "width") {
        drawWidth(surface, loss, data, run);
        surface.setAttribute("aria-label", "The trained network's curve over the data, with x sin x dashed. " + text);
        loss.setAttribute("aria-label", "Final training loss against hidden width, one line per activation. " + text);
      } else if (data.kind === "schedule") {
        drawSchedule(surface, loss, data, run);
        surface.setAttribute("aria-label", "Learning rate per epoch. " + text);
        loss.setAttribute("aria-label", "Training loss (blue) and validation loss (orange) per epoch. " + text);
      } else {
        drawSurface(surface, data, run);
        drawLoss(loss, data, run);
        surface.setAttribute("aria-label", "Path on the loss surface. " + text);
        loss.setAttribute("aria-label", "Loss per " + data.stepName + ". " + text);
      }
    }

    // The readout keeps the height of its longest text, so the page below does not move as the slider does.
    function reserveReadout() {
      readout.style.minHeight = "";
      var tallest = 0;
      data.runs.forEach(function (run) {
        readout.textContent = describe(data, run);
        tallest = Math.max(tallest, readout.getBoundingClientRect().height);
      });
      readout.style.minHeight = Math.ceil(tallest) + "px";
    }

    var resized = null, width = 0;
    sliders.forEach(function (s) { s.addEventListener("input", update); });
    figure.querySelector(".linreg-explorable__fallback").hidden = true;
    live.hidden = false;
    reserveReadout();
    update();
    width = live.getBoundingClientRect().width;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(function () {
        var now = live.getBoundingClientRect().width;
        if (now !== width) { width = now; reserveReadout(); update(); }
      }, 150);
    });
  }

  // "Run it in your browser": the code goes to a Web Worker that loads Pyodide from the site on the first Run.
  var HERE = document.currentScript ? document.currentScript.src : location.href;

  function setupRunner(block) {
    var data = JSON.parse(block.querySelector("script.linreg-pyodide__data").textContent);
    var editor = block.querySelector("textarea"), output = block.querySelector("output");
    var run = block.querySelector("button.linreg-pyodide__run"), stop = block.querySelector("button.linreg-pyodide__stop");
    var status = block.querySelector(".linreg-pyodide__status"), worker = null, pressed = 0, watchdog = null;

    // After a run the worker, and the Python it loaded, stay for the next Run; Stop, or a runtime
    // that failed to load, ends it (a fresh one loads Python again).
    function finish(message, keepWorker) {
      clearTimeout(watchdog);
      if (worker && !keepWorker) { worker.terminate(); worker = null; }
      run.disabled = false;
      stop.disabled = true;
      status.textContent = message;
    }

    function startWorker() {
      worker = new Worker(new URL("pyodide-worker.js", HERE), { type: "module" });
      worker.onmessage = function (event) {
        var m = event.data;
        if (m.type === "stdout") output.textContent += m.text + "\n";
        else if (m.type === "status") {
          status.textContent = m.loadSeconds > 0 ? "Python loaded in " + m.loadSeconds.toFixed(1) + " s; running…"
                                                 : "Running (Python is already loaded)…";
        } else if (m.type === "done") {
          block.dataset.seconds = ((performance.now() - pressed) / 1000).toFixed(2);
          block.dataset.state = "done";
          finish("Done in " + block.dataset.seconds + " s (" + (m.loadSeconds > 0 ? "loading Python " +
                 m.loadSeconds.toFixed(1) + " s, " : "Python already loaded; ") + "running the code " +
                 m.runSeconds.toFixed(2) + " s).", true);
        } else if (m.type === "error") {
          block.dataset.state = m.loading ? "unavailable" : "error";
          if (!m.loading) output.textContent += m.message;
          finish(m.loading ? "The Python runtime could not be loaded, so the code cannot run here (" + m.message +
                             "). Copy it into a notebook instead." : "The code stopped with an error (shown below).",
                 !m.loading);
        }
      };
      worker.onerror = function (event) {
        block.dataset.state = "unavailable";
        finish("The Python runtime could not be loaded (" + (event.message || "worker error") + ").");
        event.preventDefault();
      };
      watchdog = setTimeout(function () {  // a runtime that neither loads nor fails within 3 minutes
        if (block.dataset.state === "running" && status.textContent.indexOf("Loading") === 0) {
          block.dataset.state = "unavailable";
          finish("The Python runtime could not be loaded (nothing after 3 minutes). Copy the code into a notebook instead.");
        }
      }, 180000);
    }

    run.addEventListener("click", function () {
      pressed = performance.now();
      output.textContent = "";
      run.disabled = true;
      stop.disabled = false;
      block.dataset.state = "running";
      if (!worker) {
        status.textContent = "Loading Python (Pyodide, about 13 MB, fetched from this site)…";
        startWorker();
      } else {
        status.textContent = "Running (Python is already loaded)…";
      }
      worker.postMessage({ indexURL: new URL("../vendor/pyodide/", HERE).href, code: editor.value, globals: data });
    });
    stop.addEventListener("click", function () { block.dataset.state = "stopped"; finish("Stopped."); });
    block.querySelector(".linreg-pyodide__live").hidden = false;
  }

  // A figure is set up when the reader nears it (half a screen ahead), not on load: parsing
  // its runs and drawing them is main-thread work a phone would pay before the page responds.
  // Until then the static figure stands in. (A "Run it" block costs next to nothing to set up.)
  function whenNear(selector, setUp) {
    var blocks = document.querySelectorAll(selector);
    if (!("IntersectionObserver" in window)) { [].forEach.call(blocks, setUp); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        setUp(entry.target);
      });
    }, { rootMargin: "50% 0px" });
    [].forEach.call(blocks, function (block) { observer.observe(block); });
  }

  function start() {
    whenNear("figure.linreg-explorable", setup);
    [].forEach.call(document.querySelectorAll("div.linreg-pyodide"), setupRunner);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
