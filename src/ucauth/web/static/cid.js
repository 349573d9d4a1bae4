// Citizen-ID check digit as you type: every input marked data-cid-check gets a hint and
// a custom validity message (the server checks again). The texts come from the page: the
// data-digits, data-short, data-check and data-ok attributes of its form's data-cid-hint.
"use strict";
(function () {
  function checkDigit(first12) {
    var total = 0;
    for (var i = 0; i < 12; i++) total += Number(first12[i]) * (13 - i);
    return (11 - (total % 11)) % 10;
  }
  function state(value) {
    if (value === "") return "empty";
    if (!/^[0-9]*$/.test(value)) return "digits";
    if (value.length < 13) return "short";
    if (value.length > 13) return "digits";
    return checkDigit(value.slice(0, 12)) === Number(value[12]) ? "ok" : "check";
  }
  document.querySelectorAll("[data-cid-check]").forEach(function (input) {
    var hint = input.form && input.form.querySelector("[data-cid-hint]");
    var texts = hint ? hint.dataset : {};
    function update() {
      var value = input.value.replace(/[\s-]/g, "");
      var s = state(value);
      input.setCustomValidity(s === "ok" || s === "empty" ? "" : texts[s] || s);
      input.classList.toggle("invalid", s !== "ok" && s !== "empty" && s !== "short");
      input.classList.toggle("valid", s === "ok");
      if (hint) {
        hint.textContent = s === "empty" ? "" : texts[s];
        hint.className = "field-hint " + (s === "ok" ? "good" : s === "short" ? "" : "bad");
      }
    }
    input.addEventListener("input", function () {
      var cleaned = input.value.replace(/[\s-]/g, "");
      if (cleaned !== input.value) input.value = cleaned;
      update();
    });
    update();
  });
})();
