/* Keyboard-first entry for forms marked data-keyboard-form (the intake, plan, note and meeting forms).
 *
 * - Enter in a one-line field does not send the form (a half-filled form must not be saved by a stray Enter);
 *   Enter in a textarea is a new line, and Enter or Space on a button still presses it.
 * - Ctrl+Enter (⌘+Enter) anywhere in the form presses its main button (the button also has accesskey="s").
 * - A long group of check boxes (課題, ケアの状況 …) is one Tab stop, like a radio group: the arrow keys move
 *   inside it and Space ticks, so the group does not cost a Tab press per box.
 * - [data-show-when="name=value"] is shown only while that radio button is chosen (同意 details when 同意あり).
 * - A [data-reveal] button shows the next of its rows that were left empty and hidden (世帯員を追加).
 * Without JavaScript every field is simply shown and reachable.
 */
(function () {
  "use strict";

  function mainButton(form) {
    return form.querySelector("button[data-main], button[type=submit].primary") ||
      form.querySelector("button[type=submit]");
  }

  function onKeydown(event) {
    var form = event.currentTarget, t = event.target;
    if (event.key !== "Enter" || event.isComposing) { return; }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      var b = mainButton(form);
      if (form.requestSubmit) { form.requestSubmit(b || undefined); } else if (b) { b.click(); }
      return;
    }
    if (t.tagName === "INPUT" && !/^(submit|button|reset|image)$/.test(t.type)) {
      event.preventDefault();
    } else if (t.tagName === "SELECT") {
      event.preventDefault();
    }
  }

  function roving(boxes) {
    function focusAt(i) {
      boxes.forEach(function (b, j) { b.tabIndex = j === i ? 0 : -1; });
      boxes[i].focus();
    }
    var start = boxes.findIndex(function (b) { return b.checked; });
    boxes.forEach(function (b, j) {
      b.tabIndex = j === (start < 0 ? 0 : start) ? 0 : -1;
      b.addEventListener("keydown", function (e) {
        var i = boxes.indexOf(b), n = boxes.length, next = null;
        if (e.key === "ArrowDown" || e.key === "ArrowRight") { next = (i + 1) % n; }
        else if (e.key === "ArrowUp" || e.key === "ArrowLeft") { next = (i - 1 + n) % n; }
        else if (e.key === "Home") { next = 0; } else if (e.key === "End") { next = n - 1; }
        if (next !== null) { e.preventDefault(); focusAt(next); }
      });
      b.addEventListener("focus", function () {
        boxes.forEach(function (o) { o.tabIndex = o === b ? 0 : -1; });
      });
    });
  }

  function groupBoxes(form) {
    var groups = {};
    form.querySelectorAll("input[type=checkbox][name]").forEach(function (b) {
      (groups[b.name] = groups[b.name] || []).push(b);
    });
    Object.keys(groups).forEach(function (name) {
      if (groups[name].length >= 4) { roving(groups[name]); }
    });
  }

  function showWhen(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("="), name = rule[0], value = rule[1];
      function update() {
        var chosen = form.querySelector("input[name='" + name + "']:checked");
        el.hidden = !(chosen && chosen.value === value);
      }
      form.querySelectorAll("input[name='" + name + "']").forEach(function (r) {
        r.addEventListener("change", update);
      });
      update();
    });
  }

  function reveal(form) {
    form.querySelectorAll("[data-reveal]").forEach(function (button) {
      var rows = form.querySelectorAll(button.getAttribute("data-reveal"));
      rows.forEach(function (r) {  // rows left empty stay out of the way (and out of the Tab order)
        var used = r.querySelector(".errorlist") || Array.prototype.some.call(
          r.querySelectorAll("input, select, textarea"), function (f) {
            return (f.type === "checkbox" || f.type === "radio") ? f.checked : f.value !== "";
          });
        r.hidden = !used;
      });
      function update() {
        button.hidden = !Array.prototype.some.call(rows, function (r) { return r.hidden; });
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var row = Array.prototype.find.call(rows, function (r) { return r.hidden; });
        if (row) {
          row.hidden = false;
          var first = row.querySelector("input, select, textarea");
          if (first) { first.focus(); }
        }
        update();
      });
      update();
    });
  }

  function openErrors(form) {
    form.querySelectorAll("details").forEach(function (d) {
      if (d.querySelector(".errorlist")) { d.open = true; }
    });
  }

  function setUp(form) {
    if (form.dataset.keyboardReady) { return; }
    form.dataset.keyboardReady = "1";
    form.addEventListener("keydown", onKeydown);
    groupBoxes(form);
    showWhen(form);
    reveal(form);
    openErrors(form);
  }

  function setUpAll(root) {
    (root || document).querySelectorAll("form[data-keyboard-form]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:afterSettle", function () { setUpAll(document); });
}());
