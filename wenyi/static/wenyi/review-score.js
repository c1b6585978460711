// wenyi: the expert's scoring page — keyboard shortcuts, the running total, and a
// warning before leaving a changed form. Loaded by templates/review/expert/score.html
// (no inline scripts; see STYLE.md). Without JavaScript the page works the same: the
// buttons send the form and the server computes the total.
//
//   Alt+S        save the draft        (the button marked data-wy-key="s")
//   Alt+N        submit and go on      (data-wy-key="n")
//   J or →       next entry            (the link marked data-wy-next)
//   K or ←       previous entry        (data-wy-prev)
//
// Letters and arrows act only outside input fields, so typing a comment or moving the
// cursor in a number never leaves the page. Alt+letter is matched by the key's place
// (event.code), as on a Mac Alt+S types "ß".
(function () {
  "use strict";
  var form = document.querySelector("form[data-wy-score]");
  var changed = false;

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable]") ||
      target.isContentEditable;
  }

  function press(key) {
    if (!form) return false;
    var button = form.querySelector('button[data-wy-key="' + key + '"]');
    if (!button || button.disabled) return false;
    changed = false;  // the form is being sent: no warning
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
    return true;
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (!link) return false;
    window.location.href = link.href;
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var key = event.code === "KeyS" ? "s" : event.code === "KeyN" ? "n" : "";
      if (key && press(key)) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || typing(event.target)) return;
    var done = false;
    if (event.key === "j" || event.key === "J" || event.key === "ArrowRight") {
      done = follow("[data-wy-next]");
    } else if (event.key === "k" || event.key === "K" || event.key === "ArrowLeft") {
      done = follow("[data-wy-prev]");
    }
    if (done) event.preventDefault();
  });

  if (!form) return;

  // Σ weight × value, as wenyi.review.aggregate.weighted_total; shown once every
  // criterion has a number (the server's total is the one that counts)
  var inputs = form.querySelectorAll("input[data-wy-weight]");
  var output = form.querySelector("[data-wy-total]");
  function total() {
    if (!output || !inputs.length) return;
    var sum = 0;
    for (var i = 0; i < inputs.length; i++) {
      var raw = inputs[i].value.trim();
      var value = Number(raw);
      if (raw === "" || !isFinite(value)) { output.textContent = "—"; return; }
      sum += Number(inputs[i].getAttribute("data-wy-weight")) * value;
    }
    output.textContent = String(Math.round(sum * 1000) / 1000);
  }

  form.addEventListener("input", function (event) {
    changed = true;
    if (event.target.hasAttribute && event.target.hasAttribute("data-wy-weight")) total();
  });
  form.addEventListener("change", function () { changed = true; });
  form.addEventListener("submit", function () { changed = false; });
  // leaving with unsaved input (a link, J/K, closing the tab) asks first
  window.addEventListener("beforeunload", function (event) {
    if (!changed) return;
    event.preventDefault();
    event.returnValue = "";
  });
  total();
})();
