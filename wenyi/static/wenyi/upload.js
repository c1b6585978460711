// wenyi: the work form's upload progress bar and live character count.
// Loaded by templates/works/form.html (no inline scripts; see STYLE.md).
//
// A form marked data-wy-upload that has files chosen is sent with XMLHttpRequest, so
// that a <progress> bar can show how much of a large file has gone up. Without
// JavaScript (or without files) the form is sent the ordinary way.
//
// The count equals wenyi.works.services.count_text: letters (Chinese characters
// included) and digits count one each; spaces, line breaks and punctuation do not.
(function () {
  "use strict";
  if (window.wyUploadLoaded) return;
  window.wyUploadLoaded = true;
  var COUNTED = /[\p{L}\p{N}]/gu;

  function countText(text) {
    var found = (text || "").match(COUNTED);
    return found ? found.length : 0;
  }

  function updateCount(source) {
    var box = document.querySelector("[data-wy-counter]");
    if (!box) return;
    var count = countText(source.value);
    var min = parseInt(box.getAttribute("data-min"), 10);
    var max = parseInt(box.getAttribute("data-max"), 10);
    box.querySelectorAll("[data-wy-count]").forEach(function (el) {
      el.textContent = String(count);
    });
    var bad = count > 0 && ((!isNaN(min) && count < min) || (!isNaN(max) && count > max));
    box.classList.toggle("text-danger", bad);
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-wy-count-source")) {
      updateCount(event.target);
    }
  });
  document.querySelectorAll("[data-wy-count-source]").forEach(updateCount);

  function hasFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  function showPage(xhr) {
    // the server answered with a page (the saved work, or the form with its errors)
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.location.assign(xhr.responseURL);
      return;
    }
    // the form again, with its errors: put its body in place of this one. The scripts
    // loaded with this page (their listeners sit on the document) keep working, which
    // document.write would have wiped out.
    var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    document.querySelectorAll("[data-wy-count-source]").forEach(updateCount);
    if (window.htmx) window.htmx.process(document.body);
    document.dispatchEvent(new CustomEvent("wy:page-replaced"));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-wy-upload") || event.defaultPrevented) return;
    if (!window.FormData || !hasFiles(form)) return; // an ordinary submit
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value || "1");
    var box = form.querySelector("[data-wy-progress]");
    var bar = box && box.querySelector("progress");
    var percent = box && box.querySelector("[data-wy-percent]");
    var failed = box && box.querySelector("[data-wy-upload-failed]");
    if (box) box.classList.remove("d-none");
    if (failed) failed.classList.add("d-none");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable || !bar) return;
      var value = Math.round((e.loaded / e.total) * 100);
      bar.value = value;
      if (percent) percent.textContent = String(value);
    });
    xhr.addEventListener("load", function () {
      showPage(xhr);
    });
    xhr.addEventListener("error", function () {
      if (failed) failed.classList.remove("d-none");
      // let the user send the form again
      form.dataset.wySubmitted = "";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = false;
      });
    });
    xhr.send(data);
  });
})();
