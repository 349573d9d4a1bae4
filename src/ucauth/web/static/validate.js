// Validation as you type on forms marked data-validate: each field's hint shows its
// data-message while the field is invalid (the browser's constraint checks: required,
// pattern, type), once the field has been touched. The server checks everything again.
"use strict";
document.querySelectorAll("form[data-validate]").forEach(function (form) {
  form.querySelectorAll("[data-message]").forEach(function (field) {
    var hint = field.parentElement.querySelector("[data-hint]");
    function update() {
      var ok = field.checkValidity();
      field.classList.toggle("invalid", !ok);
      field.classList.toggle("valid", ok && field.value !== "");
      if (hint) {
        hint.textContent = ok ? "" : field.dataset.message;
        hint.className = "field-hint" + (ok ? "" : " bad");
      }
    }
    field.addEventListener("input", update);
    field.addEventListener("blur", update);
  });
});
