// "Your price" on the product page: recomputes as the buyer types (the form works without it).
(function () {
  "use strict";
  var table = document.getElementById("tiers");
  var input = document.getElementById("quantity");
  var out = document.getElementById("your-price-result");
  if (!table || !input || !out) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
  var lang = document.documentElement.lang || "en";
  var money = new Intl.NumberFormat(lang, { style: "currency", currency: "CNY" });

  function update() {
    var quantity = parseFloat(input.value.replace(",", "."));
    var current = null;
    rows.forEach(function (row) {
      row.classList.remove("current");
      if (quantity >= parseFloat(row.dataset.min)) { current = row; }
    });
    if (!input.value || !(quantity > 0)) { out.textContent = ""; return; }
    if (!current) { out.textContent = out.dataset.below; return; }
    current.classList.add("current");
    var price = parseFloat(current.dataset.price);
    out.textContent = out.dataset.label + ": " + money.format(price) + " · " + out.dataset.total + ": " +
      money.format(Math.round(price * quantity * 100) / 100);
  }
  input.addEventListener("input", update);
  update();
}());
