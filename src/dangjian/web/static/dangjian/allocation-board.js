/* The allocation board (web/enrollment/allocation_board.html): drag a participant's name onto another group; the
   move is POSTed (nomination, group) and the server answers the board, which htmx puts in place. Names stay links to
   the placement form for keyboards and without script. No inline script (strict CSP). */
(function () {
  "use strict";

  var dragged = null;

  function clear() {
    document.querySelectorAll(".board-over").forEach(function (el) { el.classList.remove("board-over"); });
  }

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".board-chip[data-nomination]");
    if (!chip) { return; }
    dragged = chip;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-nomination"));
  });

  document.addEventListener("dragend", function () { dragged = null; clear(); });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var group = event.target.closest && event.target.closest(".board-group[data-group]");
    if (!group) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!group.classList.contains("board-over")) { clear(); group.classList.add("board-over"); }
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    var group = event.target.closest && event.target.closest(".board-group[data-group]");
    var board = document.getElementById("board");
    if (!group || !board) { return; }
    event.preventDefault();
    var nomination = dragged.getAttribute("data-nomination");
    dragged = null;
    clear();
    window.htmx.ajax("POST", board.getAttribute("data-move-url"), {
      source: group, target: "#board", swap: "outerHTML",
      values: {nomination: nomination, group: group.getAttribute("data-group")},
      headers: {"X-CSRFToken": board.getAttribute("data-csrf")}
    });
  });
})();
