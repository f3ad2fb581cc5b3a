"""The HTML of an :class:`~d2lmini.explore.Explorer`: SVG, native sliders, and
the JavaScript that redraws the SVG when a slider moves.

Everything is inline, so that the figure works from a downloaded copy of the
website (``file://``), with no network, inside Colab's output frames and in
Jupyter: the data is a JSON block, the drawing code about a hundred lines.
The figure is a white card with dark text, as the course's other figures are,
so that it reads the same in light and dark mode.
"""
import html

SCRIPT = r"""
(function () {
  var root = document.getElementById("%(id)s");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var still = root.querySelector("img");  // for where this script does not run
  if (still) still.remove();
  root.querySelector("svg").style.display = "block";
  root.querySelector(".d2l-sliders").hidden = false;
  var spec = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  // A panel is PW x PH in the SVG's units; its smallest text (legend, 11
  // units) stays 9 px high where a panel is shown at least 270 px wide, so
  // the panels sit side by side while that many fit, and wrap onto rows below.
  var NS = "http://www.w3.org/2000/svg", PW = 330, PH = 250, MIN_PANEL_PX = 270;
  var M = {l: 56, r: 12, t: 26, b: 42}, svg = root.querySelector("svg");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("input[type=range]"));
  var plots = [], cols = 0;
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function scale(p, ox, oy) {
    var w = PW - M.l - M.r, h = PH - M.t - M.b, x0 = ox + M.l, y0 = oy + M.t;
    return {
      x: function (v) { return x0 + (v - p.xlim[0]) / (p.xlim[1] - p.xlim[0]) * w; },
      y: function (v) { return y0 + (p.ylim[1] - v) / (p.ylim[1] - p.ylim[0]) * h; },
      box: [x0, y0, w, h]
    };
  }
  function columns() {
    var n = spec.panels.length, width = svg.parentNode.getBoundingClientRect().width;
    return width ? Math.max(1, Math.min(n, Math.floor(width / MIN_PANEL_PX))) : n;
  }
  function layout() {
    var c = columns();
    if (c === cols) return;
    cols = c;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var rows = Math.ceil(spec.panels.length / cols);
    svg.setAttribute("viewBox", "0 0 " + PW * cols + " " + PH * rows);
    var axes = el("g", {fill: "currentColor", "font-size": 12}, svg);
    plots = spec.panels.map(function (p, k) {
      var ox = (k %% cols) * PW, oy = Math.floor(k / cols) * PH;
      var s = scale(p, ox, oy), b = s.box, id = root.id + "-clip" + k;
      el("rect", {x: b[0], y: b[1], width: b[2], height: b[3], fill: "none",
                  stroke: "currentColor", "stroke-opacity": 0.6}, axes);
      el("rect", {x: b[0], y: b[1], width: b[2], height: b[3]},
         el("clipPath", {id: id}, el("defs", {}, svg)));
      p.xticks.forEach(function (t) {
        var x = s.x(t[0]);
        el("line", {x1: x, x2: x, y1: b[1] + b[3], y2: b[1] + b[3] + 4,
                    stroke: "currentColor"}, axes);
        el("text", {x: x, y: b[1] + b[3] + 16, "text-anchor": "middle"}, axes, t[1]);
      });
      p.yticks.forEach(function (t) {
        var y = s.y(t[0]);
        el("line", {x1: b[0] - 4, x2: b[0], y1: y, y2: y, stroke: "currentColor"}, axes);
        el("text", {x: b[0] - 6, y: y + 4, "text-anchor": "end"}, axes, t[1]);
      });
      el("text", {x: b[0] + b[2] / 2, y: oy + PH - 6, "text-anchor": "middle"}, axes,
         p.xlabel);
      el("text", {x: 0, y: 0, "text-anchor": "middle", transform: "translate(" +
                  (ox + 13) + "," + (b[1] + b[3] / 2) + ") rotate(-90)"}, axes, p.ylabel);
      el("text", {x: b[0] + b[2] / 2, y: oy + 16, "text-anchor": "middle"}, axes, p.title);
      return {scale: s, g: el("g", {"clip-path": "url(#" + id + ")"}, svg),
              legend: el("g", {"font-size": 11, fill: "currentColor"}, svg)};
    });
    draw();
  }
  function draw() {
    var sizes = spec.sliders.map(function (s) { return s.labels.length; });
    var flat = 0;
    inputs.forEach(function (input, i) { flat = flat * sizes[i] + Number(input.value); });
    var frame = spec.frames[flat];
    plots.forEach(function (plot, k) {
      var s = plot.scale, row = 0;
      while (plot.g.firstChild) plot.g.removeChild(plot.g.firstChild);
      while (plot.legend.firstChild) plot.legend.removeChild(plot.legend.firstChild);
      frame.series[k].forEach(function (d) {
        if (d.ref !== undefined) d = spec.shared[d.ref];
        if (d.kind === "cells") {
          d.values.forEach(function (r, i) {
            r.forEach(function (v, j) {
              var xa = s.x(d.x0 + j), xb = s.x(d.x0 + j + 1);
              var ya = s.y(d.y0 + i), yb = s.y(d.y0 + i + 1);
              el("rect", {x: Math.min(xa, xb), y: Math.min(ya, yb),
                          width: Math.abs(xb - xa), height: Math.abs(yb - ya), fill: d.color,
                          "fill-opacity": v, stroke: "currentColor",
                          "stroke-opacity": 0.25}, plot.g);
            });
          });
        } else {
          var path = d.x.map(function (x, i) {
            return (i ? "L" : "M") + s.x(x).toFixed(1) + " " + s.y(d.y[i]).toFixed(1);
          }).join("");
          el("path", {d: path, fill: "none", stroke: d.color, "stroke-width": d.width,
                      "stroke-linejoin": "round"}, plot.g);
          if (d.points) d.x.forEach(function (x, i) {
            el("circle", {cx: s.x(x), cy: s.y(d.y[i]), r: 2.6, fill: d.color}, plot.g);
          });
        }
        if (d.label) {
          var b = s.box, y = b[1] + 14 + 15 * row++;
          el("line", {x1: b[0] + b[2] - 92, x2: b[0] + b[2] - 76, y1: y - 4, y2: y - 4,
                      stroke: d.color, "stroke-width": 3}, plot.legend);
          el("text", {x: b[0] + b[2] - 72, y: y}, plot.legend, d.label);
        }
      });
    });
    var said = spec.sliders.map(function (s, i) {
      var label = s.labels[Number(inputs[i].value)];
      inputs[i].setAttribute("aria-valuetext", s.name + " " + label);
      root.querySelector("output[for='" + inputs[i].id + "']").textContent = label;
      return s.name + " = " + label;
    }).join(", ");
    root.querySelector("figcaption").textContent =
      (spec.title ? spec.title + ": " : "") + said + (frame.caption ? ". " + frame.caption : "");
  }
  inputs.forEach(function (input) { input.addEventListener("input", draw); });
  layout();
  if (window.ResizeObserver) new ResizeObserver(layout).observe(svg.parentNode);
})();
"""

STYLE = ("<style>.d2l-explorer{margin:1em 0;padding:.5em .8em;color:#1a1a1a;"
         "background:#fff;border-radius:4px}"
         ".d2l-explorer svg{width:100%;height:auto;display:block;overflow:visible}"
         ".d2l-explorer figure{margin:0}"
         ".d2l-explorer figcaption{font-size:.9em;min-height:2.6em}"
         ".d2l-explorer .d2l-slider{display:flex;align-items:center;gap:.6em;"
         "margin:.3em 0;font-size:.95em}"
         ".d2l-explorer input[type=range]{flex:1;min-width:8em}"
         ".d2l-explorer output{min-width:4em;font-variant-numeric:tabular-nums}</style>")


def page(data, element_id, still=None):
    """The HTML of one figure, ``data`` being its JSON spec and ``still`` a
    PNG of its first combination, which shows where scripts do not run (an
    untrusted notebook in Jupyter, a page without JavaScript) until the
    script replaces it by the figure and shows the sliders."""
    import base64
    import json
    spec = json.loads(data)
    sliders = []
    for i, s in enumerate(spec["sliders"]):
        sid = f"{element_id}-s{i}"
        sliders.append(
            f'<div class="d2l-slider"><label for="{sid}">{html.escape(s["name"])}</label>'
            f'<input type="range" id="{sid}" min="0" max="{len(s["labels"]) - 1}" '
            f'step="1" value="0"><output for="{sid}">{html.escape(s["labels"][0])}'
            '</output></div>')
    first = ", ".join(f"{s['name']} = {s['labels'][0]}" for s in spec["sliders"])
    said = (f"{spec['title']}: " if spec["title"] else "") + first + (
        f". {spec['frames'][0]['caption']}" if spec["frames"][0]["caption"] else "")
    image = "" if still is None else (
        f'<img src="data:image/png;base64,{base64.b64encode(still).decode()}" '
        f'alt="{html.escape(spec["title"] or "figure")} ({html.escape(first)})" '
        'style="max-width:100%">')
    safe = data.replace("</", "<\\/")
    width = 360 * len(spec["panels"]) + 40
    return (f'<div class="d2l-explorer" id="{element_id}" style="max-width:{width}px">'
            f'{STYLE}<figure>{image}<svg role="img" style="display:none" '
            f'aria-labelledby="{element_id}-caption"></svg>'
            f'<figcaption id="{element_id}-caption" aria-live="polite">{html.escape(said)}'
            '</figcaption>'
            f'</figure><div class="d2l-sliders" hidden>{"".join(sliders)}</div>'
            f'<script type="application/json">{safe}</script>'
            f'<script>{SCRIPT % {"id": element_id}}</script></div>')
