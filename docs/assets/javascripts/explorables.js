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
    ticks(svg, decades, sy, "y", pad.l, function (d) { return "1e" + d; });
    var plot = el("g", {}, svg);
    series.forEach(function (line) { lines(plot, line.xs, line.ys, sx, ly, box, line.cls); });
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
  // in the colours of the page's static figures (training blue, validation orange, the floor dotted).
  function drawSchedule(rateSvg, lossSvg, data, run) {
    var n = Math.max.apply(null, data.runs.map(function (r) { return r.lr.length; }));
    var rates = decadesOf([].concat.apply([], data.runs.map(function (r) { return r.lr; })));
    drawLog(rateSvg, neighbours(data, run)
      .map(function (r) { return { xs: epochs(r.lr), ys: r.lr, cls: "lx-other" }; })
      .concat([{ xs: epochs(run.lr), ys: run.lr, cls: "lx-path" }]), n, rates[0], rates[1], "epoch", "learning rate (log scale)");
    // Bottom left: every schedule starts at the top, so nothing is drawn there early on.
    legend(rateSvg, [{ label: "chosen run", cls: "lx-path" }, { label: "one slider away", cls: "lx-other" }], 74, 232);
    var losses = decadesOf([].concat.apply([], data.runs.map(function (r) { return r.train.concat(r.val); })));
    var lines = [{ xs: epochs(run.val), ys: run.val, cls: "lx-val" }, { xs: epochs(run.train), ys: run.train, cls: "lx-train" }];
    if (data.floor) lines.unshift({ xs: [0, n], ys: [data.floor, data.floor], cls: "lx-floor" });
    drawLog(lossSvg, lines, n, losses[0], losses[1], "epoch", "MSE (log scale)");
    // Top right: after the first epochs every loss lies far below it.
    var key = [{ label: "training loss", cls: "lx-train" }, { label: "validation loss", cls: "lx-val" }];
    if (data.floor) key.push({ label: "floor", cls: "lx-floor" });
    legend(lossSvg, key, 206, 26);
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
    ticks(lossSvg, decades, ly, "y", lp.l, function (d) { return "1e" + d; });
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
    if (data.kind === "width") return describeWidth(data, run);
    var setting = data.controls.map(function (c) { return c.label + " " + run.settings[c.name]; }).join(", ");
    if (data.kind === "schedule") {
      if (run.diverged) return setting + ": diverged.";
      var last = run.train.length - 1;
      return setting + ": after " + run.train.length + " epochs the learning rate is " + run.lr[last].toPrecision(3) +
        ", the training loss " + run.train[last].toFixed(5) + ", the validation loss " + run.val[last].toFixed(5) + ".";
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
    var live = figure.querySelector(".linreg-explorable__live");
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
      if (data.kind === "width") {
        drawWidth(surface, loss, data, run);
        surface.setAttribute("aria-label", "The trained network's curve over the data, with x sin x dashed. " + text);
        loss.setAttribute("aria-label", "Final training loss against hidden width, one line per activation. " + text);
      } else if (data.kind === "schedule") {
        drawSchedule(surface, loss, data, run);
        surface.setAttribute("aria-label", "Learning rate per epoch. " + text);
        loss.setAttribute("aria-label", "Training loss (solid) and validation loss (dashed) per epoch. " + text);
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
