/* Evaluation analysis charts (ECharts): the mean points per dimension, and the overall score of each session,
   course, instructor, teaching form, phase (or program, across years). The data comes from the page (json_script
   "eval-chart-data": {dimensions: {labels, values, max, name}, groups: {labels, values, urls, name}}); the same
   numbers are in the tables beside the charts. A click on a bar of the groups chart opens its answers
   (drill-down). No HTML tooltips (they carry inline styles, which the Content-Security-Policy refuses). */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function bars(element, data, max, color) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: max },
      yAxis: { type: "category", inverse: true, data: data.labels,
               axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ name: data.name, type: "bar", barMaxWidth: 22, itemStyle: { color: color },
                 label: { show: true, position: "right" }, data: data.values }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function size(element, count) {
    element.style.height = Math.max(160, 34 * count + 40) + "px";
  }

  function draw() {
    var source = document.getElementById("eval-chart-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var dims = document.getElementById("eval-dimensions-chart");
    if (dims && data.dimensions && data.dimensions.values.length) {
      size(dims, data.dimensions.values.length);
      bars(dims, data.dimensions, data.dimensions.max, "#a40e26");
    }
    var groups = document.getElementById("eval-groups-chart");
    if (groups && data.groups && data.groups.values.length) {
      size(groups, data.groups.values.length);
      var chart = bars(groups, data.groups, 100, "#4f6d8f");
      chart.on("click", function (params) {
        var url = data.groups.urls[params.dataIndex];
        if (url) {
          window.location.href = url;
        }
      });
      groups.setAttribute("data-rendered", "true");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
