// Progressive enhancement for questionnaire pages: hide items whose show_if condition (on an
// earlier item of the same page) is not met, and show them again as answers change. Without
// this script every item is shown with a hint saying when to answer it; the server ignores
// answers to items whose condition is not met.
(function () {
  "use strict";
  var OPS = {
    "==": function (a, b) { return a === b; }, "!=": function (a, b) { return a !== b; },
    ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; },
    "<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; }
  };

  function currentValues(form, name) {
    var values = [];
    var fields = form.querySelectorAll("[name='" + name.replace(/'/g, "\\'") + "']");
    fields.forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value.trim() !== "") { values.push(field.value.trim()); }
    });
    return values;
  }

  function met(form, rule) {
    var values = currentValues(form, rule.field);
    if (!values.length) { return false; }
    if (rule["in"]) {
      return values.some(function (v) {
        return rule["in"].some(function (allowed) { return String(allowed) === v; });
      });
    }
    var number = Number(values[0].replace(/,/g, ""));
    return !isNaN(number) && OPS[rule.op] ? OPS[rule.op](number, rule.value) : false;
  }

  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (element) {
      var rule = JSON.parse(element.getAttribute("data-show-if"));
      element.hidden = !met(form, rule);
      var hint = element.querySelector(".condition-hint");
      if (hint) { hint.hidden = true; }
    });
  }

  document.querySelectorAll("form.survey-form").forEach(function (form) {
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  });
})();
