// wenyi: small behaviours shared by every page (no inline scripts; see STYLE.md).
(function () {
  "use strict";
  // Forms marked data-wy-once disable their submit buttons after the first submit,
  // so a double click does not send the form twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-wy-once")) return;
    if (form.dataset.wySubmitted === "1") { event.preventDefault(); return; }
    form.dataset.wySubmitted = "1";
    // disable after the browser has collected the form data: a button disabled now
    // would drop its own name (e.g. "save and submit") from what is sent
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });
  // Rows of a formset: "add a row" clones the empty form template.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-wy-add-row]");
    if (!button) return;
    var prefix = button.getAttribute("data-wy-add-row");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var target = document.getElementById(prefix + "-rows");
    if (!total || !template || !target) return;
    var html = template.innerHTML.replace(/__prefix__/g, total.value);
    target.insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
  });
  // After a failed submit the page comes back with its errors: move focus to the error
  // summary at the top of the form, or else to the first field marked invalid, so a
  // keyboard or screen-reader user starts where the problem is, not at the page's top.
  function focusErrors(root) {
    var target = root.querySelector("[data-wy-error-summary]") ||
      root.querySelector("form [aria-invalid=true]");
    if (!target) return;
    if (!target.hasAttribute("tabindex") && !target.matches("input, select, textarea, button")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
  // scripts are deferred: the whole page has been parsed when this runs
  focusErrors(document);
  // a form sent with its files (upload.js) comes back as a whole new body
  document.addEventListener("wy:page-replaced", function () { focusErrors(document); });
  // a form sent by htmx comes back in the part of the page it replaces
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.querySelector) focusErrors(event.target);
  });
  // "Back" links on error pages: the previous page when there is one, else the link's own.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-wy-back]");
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
})();
