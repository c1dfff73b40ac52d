// Quotas page: the sum of the quotas against the capacity, kept up to date while typing. The organs of the other
// pages count as the server says: their quotas, and their suggestions while "fill_suggested" is ticked.
document.addEventListener("DOMContentLoaded", () => {
  const sum = document.getElementById("quota-sum");
  if (!sum) return;
  const inputs = document.querySelectorAll("input.quota-input");
  const target = sum.querySelector("[data-sum]");
  const capacity = Number(sum.dataset.capacity || 0);
  const fill = document.getElementById("fill-suggested");
  const update = () => {
    let total = Number(sum.dataset.others || 0);
    if (fill && fill.checked) total += Number(sum.dataset.othersSuggested || 0);
    inputs.forEach((input) => { total += Math.max(0, parseInt(input.value || "0", 10) || 0); });
    target.textContent = String(total);
    sum.classList.toggle("over", total > capacity);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  if (fill) fill.addEventListener("change", update);
  update();
});
