/* The teaching-form mix of a program as an ECharts chart: hours per teaching form (ring) and the
   theory / practice / exchange shares of the teaching hours (bars). The data comes from the page
   (json_script "form-mix-data"); the same numbers are in the tables under the chart.
   No HTML tooltips (they carry inline styles, which the Content-Security-Policy refuses). */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  // Each teaching form takes a shade of its category's colour (theory red, practice gold, exchange
  // blue, other grey), as the chips in the table beside the chart.
  var SHADES = {
    theory: ["#b3191d", "#d9534f", "#8c1014"],
    practice: ["#d9a21b", "#f2c94c", "#b7791f", "#e8b65a"],
    exchange: ["#4f6d8f", "#7b96b5"],
    other: ["#9aa0a6", "#c3c7cb", "#6a737d", "#dadde0"]
  };
  var CATEGORY_COLORS = { theory: "#b3191d", practice: "#d9a21b", exchange: "#4f6d8f", other: "#9aa0a6" };

  function colourForms(forms) {
    var used = {};
    return forms.map(function (row) {
      var shades = SHADES[row.category] || SHADES.other;
      var n = used[row.category] || 0;
      used[row.category] = n + 1;
      return { name: row.name, value: row.value, itemStyle: { color: shades[n % shades.length] } };
    });
  }

  function option(data, narrow) {
    var labels = data.labels;
    return {
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      title: [
        { text: labels.forms, left: narrow ? "center" : "2%", top: 0,
          textStyle: { fontSize: 14, fontWeight: 600, fontFamily: FONT } },
        { text: labels.categories, left: narrow ? "center" : "58%", top: narrow ? "64%" : 0,
          textStyle: { fontSize: 14, fontWeight: 600, fontFamily: FONT } }
      ],
      legend: {
        type: narrow ? "plain" : "scroll", orient: narrow ? "horizontal" : "vertical",
        left: narrow ? "center" : "36%", top: narrow ? "43%" : "middle", width: narrow ? "96%" : "auto",
        itemGap: narrow ? 6 : 10,
        data: data.forms.map(function (row) { return row.name; })
      },
      grid: narrow ? { left: 70, right: 56, top: "70%", bottom: 28 }
                   : { left: "66%", right: 56, top: 48, bottom: 32 },
      xAxis: { type: "value", min: 0, max: 100, interval: 25, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.categories.map(function (row) { return row.name; }) },
      series: [
        {
          name: labels.forms, type: "pie", radius: narrow ? ["32%", "56%"] : ["38%", "66%"],
          center: narrow ? ["50%", "24%"] : ["18%", "55%"],
          label: { formatter: "{c}", fontFamily: FONT }, labelLine: { length: 6, length2: 6 },
          data: colourForms(data.forms)
        },
        {
          name: labels.share, type: "bar", barWidth: "55%",
          label: { show: true, position: "right", formatter: "{c}%", fontFamily: FONT },
          data: data.categories.map(function (row) {
            return { value: row.share, itemStyle: { color: CATEGORY_COLORS[row.code] || CATEGORY_COLORS.other } };
          })
        }
      ]
    };
  }

  function draw() {
    var element = document.getElementById("form-mix-chart");
    var source = document.getElementById("form-mix-data");
    if (!element || !source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var narrow = null;
    function render() {
      var nowNarrow = element.clientWidth < 640;
      if (nowNarrow !== narrow) {
        narrow = nowNarrow;
        chart.setOption(option(data, narrow), true);
      }
      chart.resize();
    }
    render();
    window.addEventListener("resize", render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
