/* Förderlotse chat widget. One tag on the host page:
 *   <script src="https://assistant.example/widget.js" data-title="Förderlotse"
 *           data-programme="sn-modellvorhaben" data-accent="#0a5" defer></script>
 * Everything renders inside a Shadow DOM; every text from the server or the user is set with
 * textContent (never innerHTML); the API is the one of the script's own origin.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__foerderlotseWidget) return;
  window.__foerderlotseWidget = true;

  var base = new URL(script.src, document.baseURI).origin;
  var title = script.getAttribute("data-title") || "Förderlotse";
  var programme = script.getAttribute("data-programme") || null;
  var accent = script.getAttribute("data-accent") || "";
  var MAX_CHARS = parseInt("{{MAX_QUESTION_CHARS}}", 10) || 2000; // filled in by the server
  var history = [];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var host = el("div", { id: "foerderlotse-widget" });
  var root = host.attachShadow({ mode: "open" });
  if (/^#[0-9a-fA-F]{3,8}$/.test(accent)) host.style.setProperty("--fl-accent", accent);
  root.appendChild(el("link", { rel: "stylesheet", href: base + "/widget.css" }));

  var bubble = el("button", { class: "bubble", type: "button", "aria-expanded": "false",
    "aria-controls": "fl-panel", "aria-label": title + " öffnen" }, title);
  var panel = el("div", { class: "panel", id: "fl-panel", role: "dialog", "aria-modal": "true",
    "aria-labelledby": "fl-title" });
  panel.hidden = true;
  var header = el("header");
  header.appendChild(el("h2", { id: "fl-title" }, title));
  var close = el("button", { type: "button", "aria-label": "Schließen" }, "×");
  header.appendChild(close);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
  log.appendChild(el("p", { class: "msg bot" },
    "Fragen Sie zu Förderrichtlinien. Jede Aussage wird mit der Textstelle belegt."));
  var form = el("form");
  var label = el("label", { class: "sr", for: "fl-input" }, "Ihre Frage");
  // No length attribute: a longer question is not cut silently; the hint says the limit instead.
  var input = el("input", { id: "fl-input", type: "text", autocomplete: "off", placeholder: "Ihre Frage …",
    "aria-describedby": "fl-hint" });
  var send = el("button", { type: "submit" }, "Senden");
  var hint = el("p", { class: "hint", id: "fl-hint", role: "status" }); // role=status: announced politely
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(form); panel.appendChild(hint);
  root.appendChild(bubble); root.appendChild(panel);

  function open() {
    panel.hidden = false; bubble.setAttribute("aria-expanded", "true"); input.focus();
  }
  function shut() {
    panel.hidden = true; bubble.setAttribute("aria-expanded", "false"); bubble.focus();
  }
  bubble.addEventListener("click", function () { panel.hidden ? open() : shut(); });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); shut(); return; }
    if (event.key !== "Tab") return;
    var focusables = Array.prototype.filter.call(
      panel.querySelectorAll("button, input, summary, a[href]"),
      function (n) { return !n.disabled && n.offsetParent !== null; });
    if (!focusables.length) return;
    var first = focusables[0], last = focusables[focusables.length - 1];
    var active = root.activeElement;
    if (event.shiftKey && active === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
  });

  function showAnswer(data) {
    var box = el("div", { class: "msg bot" });
    box.appendChild(el("p", {}, data.answer));
    (data.notices || []).forEach(function (n) { box.appendChild(el("p", { class: "notice" }, "Hinweis: " + n)); });
    if (data.citations && data.citations.length) {
      var list = el("ul", { class: "sources", "aria-label": "Quellen" });
      data.citations.forEach(function (c) {
        var item = el("li");
        var details = el("details");
        details.appendChild(el("summary", {}, "[" + c.n + "] " + c.title + (c.section ? ", Abschnitt " + c.section : "")));
        details.appendChild(el("blockquote", {}, "„" + c.quote.replace(/\s+/g, " ") + "“"));
        if (c.url && /^https?:\/\//.test(c.url)) {
          details.appendChild(el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer" }, "Quelle öffnen"));
        }
        item.appendChild(details); list.appendChild(item);
      });
      box.appendChild(list);
    }
    log.appendChild(box);
    showStart(box);
  }

  // The start of the newest answer at the top of the log (not its sources at the bottom).
  function showStart(node) {
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  // Only the newest error is announced.
  function quietPast() {
    Array.prototype.forEach.call(log.querySelectorAll("[role=alert]"), function (n) { n.removeAttribute("role"); });
  }

  function problem(question) {
    if (!question) return "Bitte geben Sie eine Frage ein.";
    if (question.length > MAX_CHARS) {
      return "Die Frage ist zu lang (" + question.length + " Zeichen, höchstens " + MAX_CHARS +
        "). Bitte kürzer fassen.";
    }
    return "";
  }
  input.addEventListener("input", function () {
    if (hint.textContent && !problem(input.value.trim())) { hint.textContent = ""; input.removeAttribute("aria-invalid"); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.replace(/\s+/g, " ").trim();
    var wrong = problem(question);
    if (wrong) { // said, and the question stays in the box
      hint.textContent = wrong; input.setAttribute("aria-invalid", "true"); input.focus(); return;
    }
    hint.textContent = ""; input.removeAttribute("aria-invalid");
    quietPast();
    log.appendChild(el("p", { class: "msg user" }, question));
    var waiting = el("p", { class: "msg pending loading", role: "status" }, "Antwort wird gesucht …");
    log.appendChild(waiting);
    showStart(waiting);
    input.value = ""; send.disabled = true; input.disabled = true; log.setAttribute("aria-busy", "true");
    var payload = { question: question, history: history.slice(-10) };
    if (programme) payload.programme = programme;
    fetch(base + "/api/v1/ask", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error((res.data && res.data.error && res.data.error.message) || "Fehler");
        showAnswer(res.data);
        history.push({ role: "user", content: question }, { role: "assistant", content: res.data.answer });
      })
      .catch(function (err) {
        var shown = el("p", { class: "msg bot error", role: "alert" },
          err && err.message && err.message !== "Failed to fetch" ? err.message : "Der Dienst ist nicht erreichbar.");
        log.appendChild(shown);
        showStart(shown);
        if (!input.value) input.value = question; // nothing lost: the question can be sent again
      })
      .finally(function () {
        if (waiting.parentNode) waiting.parentNode.removeChild(waiting);
        log.removeAttribute("aria-busy");
        send.disabled = false; input.disabled = false; input.focus();
      });
  });

  (document.body || document.documentElement).appendChild(host);
})();
