// Live reach on the new-campaign form: when a filter changes, ask the server for the reach section
// (POST /campaigns/reach with the form's fields, CSRF token included) and put it in place.
// Without JavaScript the "Check reach" button gives the same answer.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form.campaign-form[data-reach-url]");
    var section = document.getElementById("reach");
    if (!form || !section) { return; }
    var timer = null;
    var pending = null;
    function update() {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(form.dataset.reachUrl, {method: "POST", body: new FormData(form), credentials: "same-origin",
                                    signal: pending.signal})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("reach");
          if (parsed) { section.replaceChildren.apply(section, Array.from(parsed.childNodes)); }
        })
        .catch(function () { /* aborted or offline: the button still works */ });
    }
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
