// wenyi dashboard: draws each chart with ECharts from the numbers the page carries in
// a <script type="application/json"> (Django's json_script; no inline script, see the
// Content-Security-Policy in settings.py), and saves a chart as a PNG picture on
// "Download picture". The same numbers stand in a table under every chart.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;

  var charts = {};

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function narrow() {
    return window.matchMedia("(max-width: 575.98px)").matches;
  }

  function timeline(d) {
    // a stacked bar per stage: an invisible part from the first day to the stage's
    // start, then the stage; the axis counts milliseconds from the first day
    var day = 24 * 3600 * 1000;
    var start = d.stages.map(function (s) { return Date.parse(s.start); });
    var first = Math.min.apply(null, start);
    var last = Math.max.apply(null, d.stages.map(function (s) { return Date.parse(s.end) + day; }));
    return {
      animation: false,
      grid: { left: 8, right: 32, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: "value", min: 0, max: last - first,
        axisLabel: {
          hideOverlap: true,
          formatter: function (value) {
            var when = new Date(first + value);
            return (when.getUTCMonth() + 1) + "/" + when.getUTCDate();
          }
        }
      },
      yAxis: { type: "category", data: d.stages.map(function (s) { return s.name; }), inverse: true },
      series: [
        { type: "bar", stack: "t", silent: true, itemStyle: { color: "transparent" },
          data: start.map(function (s) { return s - first; }) },
        { type: "bar", stack: "t", itemStyle: { color: "#0d6efd" },
          data: d.stages.map(function (s) { return Date.parse(s.end) + day - Date.parse(s.start); }),
          markLine: {
            symbol: "none", silent: true, lineStyle: { color: "#dc3545", width: 2 },
            // the axis runs downwards (inverse): "start" puts the label above the bars
            label: { formatter: d.today_label + " " + d.today, position: "start" },
            data: [{ xAxis: Date.parse(d.today) - first }]
          } }
      ]
    };
  }

  function bars(d) {
    var horizontal = !!d.horizontal;
    var category = { type: "category", data: d.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    return {
      animation: false,
      legend: { top: 0, type: "scroll" },
      // tooltips drawn on the canvas: HTML ones carry style attributes the CSP refuses
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      grid: { left: 8, right: 16, top: d.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { type: "category", data: d.categories, inverse: true } : value,
      series: d.series.map(function (s) {
        var one = { name: s.name, type: "bar", data: s.data, barMaxWidth: 36 };
        if (d.stack) one.stack = "all";
        if (s.colour) one.itemStyle = { color: s.colour };
        return one;
      })
    };
  }

  function lines(d) {
    return {
      animation: false,
      legend: { top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.categories },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: d.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 8 };
      })
    };
  }

  function option(d) {
    if (d.kind === "timeline") return timeline(d);
    if (d.kind === "line") return lines(d);
    return bars(d);
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var id = element.getAttribute("data-chart");
    var d = data(id);
    if (!d) return;
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var o = option(d);
    if (narrow() && o.legend) o.legend.type = "scroll";
    chart.setOption(o);
    charts[id] = chart;
    var button = document.querySelector('[data-chart-download="' + id + '"]');
    if (button) button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-download]");
    if (!button) return;
    var chart = charts[button.getAttribute("data-chart-download")];
    if (!chart) return;
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = button.getAttribute("data-filename") || "chart.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    }, 150);
  });
})();
