/* Steps that cannot be undone (web/training/program_detail.html): the button is a link to the step's
   confirmation page; with script, the same question opens in a <dialog> on the page instead. The
   dialog's form posts the step; its cancel button closes it (method="dialog", no script needed).
   No inline script (strict CSP). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (!link) { return; }
    var dialog = document.getElementById(link.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }  // the confirmation page, then
    event.preventDefault();
    dialog.showModal();
  });
})();
