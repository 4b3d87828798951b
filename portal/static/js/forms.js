// A form that changes something is sent once: its buttons are disabled while it is in flight,
// so a double-click or an impatient second click sends nothing more. The server refuses a
// repeat all the same (a one-time key per form); this only spares the person the wait and the
// "Dit was al verwerkt" page. Coming back to the page (back button) enables them again.
(function () {
  "use strict";

  function buttonsOf(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("button, input[type=submit]"));
    var outside = form.id
      ? Array.prototype.slice.call(document.querySelectorAll('[form="' + form.id + '"]'))
      : [];
    return inside.concat(outside);
  }

  function setBusy(form, busy) {
    buttonsOf(form).forEach(function (button) {
      if (busy) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("fp-busy");
      } else {
        button.removeAttribute("aria-disabled");
        button.classList.remove("fp-busy");
        button.disabled = false;
      }
    });
    if (busy) {
      form.setAttribute("data-fp-busy", "1");
      form.setAttribute("aria-busy", "true");
    } else {
      form.removeAttribute("data-fp-busy");
      form.removeAttribute("aria-busy");
    }
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
        return;
      }
      if (form.hasAttribute("data-fp-busy")) {
        event.preventDefault();
        return;
      }
      setBusy(form, true);
      // Disabled only after this turn: a disabled submitter would not send its name and value.
      window.setTimeout(function () {
        buttonsOf(form).forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
      // An answer that is no new page (a download) would leave the form locked for good.
      window.setTimeout(function () {
        setBusy(form, false);
      }, 15000);
    },
    false
  );

  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-fp-busy]"), function (form) {
      setBusy(form, false);
    });
  });

  // htmx posts (live totals, running averages) are not submissions; a form that htmx sends
  // itself is busy until its answer came.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form instanceof HTMLFormElement) {
      setBusy(form, false);
    }
  });
})();
