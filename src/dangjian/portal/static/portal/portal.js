// News portal: the "copy link" share button. No inline script anywhere (strict CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest(".share-copy");
  if (!button) return;
  const done = () => { button.textContent = button.dataset.copied; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(button.dataset.copy).then(done, () => button.nextElementSibling.select());
  } else {
    button.nextElementSibling.select();
  }
});
