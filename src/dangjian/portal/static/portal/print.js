// Print view (?print=1): the "print" button opens the browser's print dialog. No inline script (strict CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest(".print-now")) window.print();
});
