// Keyboard shortcuts of the NLU review inbox (/latih, training_inbox.html).
// j / k: next / previous group; c: confirm the prediction; d: discard; 1-9: relabel with the
// group's shortlisted intent; x: tick the group for a bulk action. Keys typed into a field,
// or pressed with Ctrl, Alt or Meta, are left alone. The current group survives the page
// reload that follows a decision (sessionStorage).
(function () {
  "use strict";
  var KEY = "latih-current";

  function groups() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-review-group]"));
  }

  function current() {
    return document.querySelector("[data-review-group].current");
  }

  function select(index) {
    var all = groups();
    if (!all.length) return null;
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (g) {
      g.classList.remove("current");
      g.removeAttribute("aria-current");
    });
    var group = all[index];
    group.classList.add("current");
    group.setAttribute("aria-current", "true");
    group.focus({ preventScroll: true });
    group.scrollIntoView({ block: "nearest" });
    try {
      sessionStorage.setItem(KEY, String(index));
    } catch (e) {
      /* storage refused: the position is only a convenience */
    }
    return group;
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(
      target.isContentEditable || target.closest("input, select, textarea, [contenteditable]")
    );
  }

  function submit(group, action) {
    var button = group.querySelector('form[data-decision] button[name="aksi"][value="' + action + '"]');
    if (!button) return false;
    // A click, not requestSubmit: htmx (hx-boost) sends the clicked button's value.
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    var all = groups();
    if (!all.length) return;
    var group = current() || select(0);
    var index = all.indexOf(group);
    var key = event.key;
    var done = true;
    if (key === "j") {
      select(index + 1);
    } else if (key === "k") {
      select(index - 1);
    } else if (key === "c") {
      done = submit(group, "benar");
    } else if (key === "d") {
      done = submit(group, "buang");
    } else if (key === "x") {
      var box = group.querySelector('input[type="checkbox"][name="grup"]');
      if (box) box.checked = !box.checked;
    } else if (/^[1-9]$/.test(key)) {
      var names = (group.getAttribute("data-shortlist") || "").split(",").filter(Boolean);
      var name = names[Number(key) - 1];
      var field = group.querySelector('form[data-decision] select[name="intent"]');
      done = Boolean(name && field);
      if (done) {
        field.value = name;
        done = submit(group, "ganti");
      }
    } else {
      done = false;
    }
    if (done) event.preventDefault();
  });

  function restore() {
    var all = groups();
    if (!all.length) return;
    var saved = 0;
    try {
      saved = Number(sessionStorage.getItem(KEY) || 0) || 0;
    } catch (e) {
      saved = 0;
    }
    select(saved);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
