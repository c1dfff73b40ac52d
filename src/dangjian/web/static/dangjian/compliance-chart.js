/* Stacked ECharts bars: people by compliance status in each sector of organs (the city's view), or the expected
   secretaries needing induction in each quarter (the forecast). The data comes from the page (json_script
   "compliance-data": categories, series of {name, code, data}); the same numbers are in the table under it. No HTML tooltips (they
   carry inline styles, which the Content-Security-Policy refuses). */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = { overdue: "#a40e26", due: "#d9a21b", satisfied: "#1a7f37", exempt: "#9aa0a6",
                 already_due: "#a40e26", from_elections: "#d9a21b", between_elections: "#4f6d8f" };

  function draw() {
    var element = document.getElementById("compliance-chart");
    var source = document.getElementById("compliance-data");
    if (!element || !source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.categories },
      series: data.series.map(function (row) {
        return { name: row.name, type: "bar", stack: "people", barMaxWidth: 28,
                 itemStyle: { color: COLORS[row.code] }, data: row.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
