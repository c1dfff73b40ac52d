/* Steps that cannot be undone (the program page's transitions, sending messages): the button is a link to the
   step's confirmation page, or a submit button whose form answers with one; with script, the same question
   opens in a <dialog> on the page instead. The dialog's form (or its button, naming the page's form) posts the
   step; its cancel button closes it (method="dialog", no script needed). No inline script (strict CSP). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("a[data-confirm], button[data-confirm]");
    if (!trigger) { return; }
    var dialog = document.getElementById(trigger.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }  // the confirmation page, then
    event.preventDefault();
    dialog.showModal();
  });
})();
