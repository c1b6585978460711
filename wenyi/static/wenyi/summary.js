// wenyi: the summary report's live character count and the statistics insert button.
// Loaded by templates/reporting/_summary_tools.html (no inline scripts; see STYLE.md).
//
// What counts equals wenyi.reporting.summary.count_chars: every code point whose
// Unicode category is a letter (L) or a number (N). Chinese characters, Latin letters
// and digits count one each; spaces, line breaks, punctuation and symbols do not.
(function () {
  "use strict";
  // the tools' script tag may be loaded again by an htmx swap: set up once per page
  if (window.wySummaryLoaded) return;
  window.wySummaryLoaded = true;
  var COUNTED = /[\p{L}\p{N}]/gu;

  function countChars(text) {
    var found = (text || "").match(COUNTED);
    return found ? found.length : 0;
  }

  function number(box, name) {
    var value = parseInt(box.getAttribute("data-" + name), 10);
    return isNaN(value) ? 0 : value;
  }

  function sourceOf(box) {
    var selector = box.getAttribute("data-source");
    return selector ? document.querySelector(selector) : null;
  }

  function update(box) {
    var source = sourceOf(box);
    var text = source ? source.value : box.getAttribute("data-text");
    var count = countChars(text);
    var target = number(box, "target");
    var low = number(box, "low");
    var high = number(box, "high");
    box.querySelectorAll("[data-wy-count]").forEach(function (el) {
      el.textContent = String(count);
    });
    var short = box.querySelector("[data-wy-short]");
    var long = box.querySelector("[data-wy-long]");
    if (short) short.hidden = !(target && count < low);
    if (long) long.hidden = !(target && count > high);
  }

  function setUp(box) {
    if (box.dataset.wyReady === "1") return;
    box.dataset.wyReady = "1";
    var source = sourceOf(box);
    if (source) {
      source.addEventListener("input", function () { update(box); });
    }
    update(box);
  }

  function setUpAll() {
    document.querySelectorAll("[data-wy-summary]").forEach(setUp);
  }

  // Insert the drafted paragraph at the cursor (or at the end), as a paragraph of its own.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-wy-insert-statistics]");
    if (!button) return;
    var card = button.closest("[data-wy-statistics]");
    var paragraph = card && card.querySelector("[data-wy-statistics-text]");
    var box = button.closest("[data-wy-summary]") || document.querySelector("[data-wy-summary]");
    var textarea = box ? sourceOf(box) : null;
    if (!paragraph || !textarea) return;
    var added = paragraph.textContent.trim();
    var value = textarea.value;
    // at the cursor if the author has been in the textarea, else at the end
    var at = textarea.dataset.wyTouched === "1" && typeof textarea.selectionStart === "number"
      ? textarea.selectionStart : value.length;
    var before = value.slice(0, at);
    var after = value.slice(at);
    if (before && !/\n$/.test(before)) added = "\n" + added;
    if (after && !/^\n/.test(after)) added = added + "\n";
    textarea.value = before + added + after;
    var caret = (before + added).length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Remember where the author last put the cursor: clicking the button moves focus
  // away from the textarea, but its selection stays.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea")) {
      event.target.dataset.wyTouched = "1";
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
  // the tools may arrive in a page fragment swapped in by htmx
  document.addEventListener("htmx:load", setUpAll);
})();
