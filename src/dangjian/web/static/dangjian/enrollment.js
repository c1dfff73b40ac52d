// Quotas page: the sum of the quotas against the capacity, kept up to date while typing.
document.addEventListener("DOMContentLoaded", () => {
  const sum = document.getElementById("quota-sum");
  if (!sum) return;
  const inputs = document.querySelectorAll("input.quota-input");
  const target = sum.querySelector("[data-sum]");
  const capacity = Number(sum.dataset.capacity || 0);
  const update = () => {
    let total = 0;
    inputs.forEach((input) => { total += Math.max(0, parseInt(input.value || "0", 10) || 0); });
    target.textContent = String(total);
    sum.classList.toggle("over", total > capacity);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
});
