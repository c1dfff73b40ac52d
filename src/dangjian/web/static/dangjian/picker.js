/* Searchable pickers (web/widgets.py, PickerSelect): a select listing a few of thousands of records, and a
   search box above it. Typing asks the server for the matching records (GET data-picker-url?q=…, an HTML list
   of <option>s) and puts them in the select, keeping its empty choice and its current choice; a live region
   says how many were found. Enter in the search box searches at once instead of submitting the form.
   No inline script (strict CSP); the listeners are delegated, so pickers loaded later work too. */
(function () {
  "use strict";

  var timers = {};

  function isPickerSearch(element) {
    return element && element.classList && element.classList.contains("picker-search");
  }

  function refresh(input) {
    var select = document.getElementById(input.getAttribute("aria-controls"));
    if (!select) { return; }
    var url = new URL(input.getAttribute("data-picker-url"), window.location.href);
    url.searchParams.set("q", input.value.trim());
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var kept = Array.prototype.filter.call(select.options, function (option) {
          return option.value === "" ? !option.disabled : option.selected;
        });
        var found = document.createElement("template");
        found.innerHTML = html;
        var current = select.value;
        var count = 0;
        select.replaceChildren.apply(select, kept);
        found.content.querySelectorAll("option").forEach(function (option) {
          if (option.value !== "" && option.value === current) { return; }
          if (option.value !== "") { count += 1; }
          select.appendChild(option);
        });
        var status = input.parentNode.querySelector(".picker-status");
        if (status) { status.textContent = status.getAttribute("data-found").replace("%(count)s", count); }
      })
      .catch(function () { /* the select keeps what it had */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!isPickerSearch(input)) { return; }
    clearTimeout(timers[input.id]);
    timers[input.id] = setTimeout(function () { refresh(input); }, 250);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !isPickerSearch(input)) { return; }
    event.preventDefault();
    clearTimeout(timers[input.id]);
    refresh(input);
  });
})();
