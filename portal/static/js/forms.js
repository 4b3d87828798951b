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

// A textarea with data-limit counts its characters under it (the counter macro in
// templates/macros/forms.html). The server refuses text over the limit and never cuts it; this
// only says so while typing. No maxlength: a browser cuts pasted text at it without a word.
(function () {
  "use strict";

  // As the server counts: characters, not UTF-16 halves (an emoji is one), a line break one.
  function lengthOf(value) {
    return Array.from(value).length;
  }

  function number(n) {
    return n.toLocaleString("nl-NL");
  }

  function message(length, limit) {
    if (length > limit) {
      return number(length - limit) + (length - limit === 1 ? " teken" : " tekens") +
        " te veel (ten hoogste " + number(limit) + ")";
    }
    return number(length) + " van " + number(limit) + " tekens";
  }

  var pauses = new WeakMap();

  function update(area, announce) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    // Looked up next to the textarea, not by id alone: a page with several answer forms has
    // the same field name, and so the same id, more than once.
    var field = area.closest(".utrecht-form-field") || document;
    var visible = field.querySelector('[data-counter-for="' + area.id + '"]');
    var live = field.querySelector('[data-counter-live-for="' + area.id + '"]');
    if (!limit || !visible) {
      return;
    }
    var length = lengthOf(area.value);
    visible.textContent = message(length, limit);
    visible.classList.toggle("fp-counter--over", length > limit);
    visible.hidden = false;
    if (live && announce) {
      // A screen reader hears the count once the person pauses, not on every key.
      window.clearTimeout(pauses.get(area));
      pauses.set(
        area,
        window.setTimeout(function () {
          live.textContent = message(length, limit);
        }, 1000)
      );
    }
  }

  function start(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("textarea[data-limit]"),
      function (area) {
        update(area, false);
      }
    );
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area instanceof HTMLTextAreaElement && area.hasAttribute("data-limit")) {
      update(area, true);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      start(document);
    });
  } else {
    start(document);
  }
  // A fragment htmx swapped in brings its own textareas.
  document.addEventListener("htmx:afterSettle", function (event) {
    start(event.target);
  });
})();

// An upload says that it is under way: the file's name and size and a bar, under the form's
// buttons, while the browser sends it (a form post gives no byte count to a page, so the bar
// runs without a number; the page that comes back says how it went).
(function () {
  "use strict";

  function size(bytes) {
    return bytes >= 1048576
      ? (bytes / 1048576).toFixed(1).replace(".", ",") + " MB"
      : Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.enctype !== "multipart/form-data") {
      return;
    }
    var files = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        files.push(file);
      });
    });
    if (!files.length || form.querySelector(".fp-upload-progress")) {
      return;
    }
    var status = document.createElement("div");
    status.className = "fp-upload-progress";
    status.setAttribute("role", "status");
    var text = document.createElement("p");
    text.className = "utrecht-paragraph";
    text.textContent =
      "Bezig met versturen: " +
      files.map(function (f) { return f.name + " (" + size(f.size) + ")"; }).join(", ") +
      ". Sluit deze pagina niet.";
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", "Versturen");
    status.appendChild(text);
    status.appendChild(bar);
    form.appendChild(status);
  });

  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".fp-upload-progress"), function (el) {
      el.remove();
    });
  });
})();
