/* Timetable builder (web/timetable/phase_timetable.html), with htmx:
   - a click on an empty slot loads the new-session form for that day and time into the dialog;
   - dragging a session onto a slot POSTs the move, and the grid comes back as a partial;
   - the dialog opens when htmx puts a form into it and closes when the server says tt-close-dialog;
   - choosing a catalog course fills the form (its data-* attributes; a course held per group ticks
     "every group at the same time");
   - answers with status 400 (a form with errors, a refused move) are shown, not dropped.
   No inline script or style anywhere (strict CSP); every listener is delegated, so grids swapped in
   by htmx work without rebinding. */
(function () {
  "use strict";

  var dragged = null;
  var grabbedRows = 0;  // how many quarter hours below the block's top it was grabbed

  function dialog() { return document.getElementById("tt-dialog"); }

  function openDialog() {
    var d = dialog();
    if (d && !d.open) { d.showModal(); }
  }

  function closeDialog() {
    var d = dialog();
    if (d && d.open) { d.close(); }
  }

  function grid() { return document.getElementById("timetable"); }

  function csrfToken() {
    var tt = grid();
    return tt ? tt.getAttribute("data-csrf") : "";
  }

  function editable() {
    var tt = grid();
    return tt && tt.hasAttribute("data-editable");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "tt-dialog-body") {
      openDialog();
      var first = target.querySelector(".has-error input, .has-error select, [autofocus]");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("tt-close-dialog", closeDialog);

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-tt-close]");
    if (close) {
      event.preventDefault();
      closeDialog();
      return;
    }
    var slot = event.target.closest(".tt-slot[data-day]");
    if (slot && editable() && window.htmx) {
      var url = grid().getAttribute("data-new-url") + "?day=" + encodeURIComponent(slot.getAttribute("data-day")) +
        "&time=" + encodeURIComponent(slot.getAttribute("data-time"));
      window.htmx.ajax("GET", url, {source: slot, target: "#tt-dialog-body", swap: "innerHTML"});
    }
  });

  /* Drag and drop */

  function clearDrag() {
    document.querySelectorAll(".tt-over").forEach(function (el) { el.classList.remove("tt-over"); });
    document.querySelectorAll(".tt-dragging").forEach(function (el) { el.classList.remove("tt-dragging"); });
    document.querySelectorAll(".tt-dragged").forEach(function (el) { el.classList.remove("tt-dragged"); });
  }

  document.addEventListener("dragstart", function (event) {
    var block = event.target.closest && event.target.closest(".tt-session[data-move-url]");
    if (!block || !editable()) { return; }
    dragged = block;
    var anySlot = document.querySelector(".tt-slot");
    var rowHeight = anySlot ? anySlot.getBoundingClientRect().height : 0;
    grabbedRows = rowHeight ? Math.max(0, Math.floor((event.clientY - block.getBoundingClientRect().top) / rowHeight)) : 0;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", block.getAttribute("data-session"));
    // After the browser has taken its drag image: let the slots under the sessions receive the drop.
    window.setTimeout(function () {
      block.classList.add("tt-dragged");
      var g = block.closest(".tt-grid");
      if (g) { g.classList.add("tt-dragging"); }
    }, 0);
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearDrag();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var slot = event.target.closest && event.target.closest(".tt-slot[data-day]");
    if (!slot) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("tt-over")) {
      document.querySelectorAll(".tt-over").forEach(function (el) { el.classList.remove("tt-over"); });
      slot.classList.add("tt-over");
    }
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    var slot = event.target.closest && event.target.closest(".tt-slot[data-day]");
    if (!slot) { return; }
    event.preventDefault();
    var url = dragged.getAttribute("data-move-url");
    dragged = null;
    clearDrag();
    // The block's top goes where it was grabbed from: grabbed by its middle, it starts above the pointer.
    var time = addMinutes(slot.getAttribute("data-time"), -15 * grabbedRows, 6 * 60);
    window.htmx.ajax("POST", url, {
      source: slot,
      target: "#timetable",
      swap: "outerHTML",
      values: {day: slot.getAttribute("data-day"), time: time},
      headers: {"X-CSRFToken": csrfToken()}
    });
  });

  /* Choosing a catalog course fills the session form. */

  function setMulti(select, ids) {
    if (!select) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      option.selected = ids.indexOf(option.value) !== -1;
    });
  }

  function addMinutes(hhmm, minutes, earliest) {
    var parts = hhmm.split(":");
    var total = parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10) + minutes;
    total = Math.max(Math.min(total, 22 * 60), earliest || 0);
    var h = Math.floor(total / 60), m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.name !== "course" || !select.closest(".tt-session-form")) { return; }
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) { return; }
    var form = select.form;
    var data = option.dataset;
    form.elements.form.value = data.form || "";
    form.elements.title.value = data.title || "";
    form.elements.title_en.value = data.titleEn || "";
    form.elements.hours.value = data.hours || "";
    // A course held per group (group discussion) is added for every group at once, without instructors.
    var eachGroup = form.elements.each_group;
    if (eachGroup) { eachGroup.checked = data.groupForm === "1"; }
    var instructors = data.instructors ? data.instructors.split(",") : [];
    if (eachGroup && eachGroup.checked) {
      setMulti(form.elements.instructors, []);
    } else if (instructors.length) {
      setMulti(form.elements.instructors, instructors);
    }
    var sites = data.sites ? data.sites.split(",") : [];
    if (sites.length) {
      var stops = form.querySelectorAll("select[name=sites]");
      Array.prototype.forEach.call(stops, function (stop, i) { stop.value = sites[i] || ""; });
    }
    if (form.hasAttribute("data-new") && form.elements.start.value && data.hours) {
      var minutes = Math.round(parseFloat(data.hours) * 4) * 15 || 60;
      form.elements.end.value = addMinutes(form.elements.start.value, minutes);
    }
  });
})();
