// "Copy" buttons: data-copy-target names the input whose value is copied. No inline script (strict CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-button");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  const done = () => { button.textContent = button.dataset.copied; };
  field.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, () => field.select());
  } else {
    done();
  }
});
