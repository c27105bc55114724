// The annotation workspace: turn a mouse selection or a keyboard span into character
// offsets, open the inline form, and keep highlights and cards pointing at each other.
// No build step; htmx does the requests. Offsets come from each sentence's data-start plus
// the text length inside it, so the score badges and gaps between sentences never count.
(function () {
  "use strict";

  const workspace = document.querySelector(".workspace");
  if (!workspace) return;
  const canAnnotate = workspace.dataset.canAnnotate === "true";
  const newUrl = workspace.dataset.newUrl;
  const versionId = workspace.dataset.version;
  const formSlot = () => document.getElementById("annotation-form");
  const textRoot = () => document.getElementById("article-text");
  const sentences = () => Array.from(document.querySelectorAll("#article-text .sentence"));

  let cursor = -1; // keyboard position (sentence index in reading order)
  let anchor = -1; // other end of a keyboard span

  // --- Offsets -------------------------------------------------------------------------

  function lengthBefore(sentence, node, offset) {
    const range = document.createRange();
    range.setStart(sentence, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function enclosingSentence(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("#article-text .sentence") : null;
  }

  function boundary(node, offset, isStart) {
    const sentence = enclosingSentence(node);
    if (sentence) {
      return Number(sentence.dataset.start) + lengthBefore(sentence, node, offset);
    }
    // The point is between sentences (a gap or a score badge): move it into the text.
    const point = document.createRange();
    point.setStart(node, offset);
    const all = sentences();
    if (isStart) {
      const next = all.find((s) => point.comparePoint(s, 0) >= 0);
      return next ? Number(next.dataset.start) : null;
    }
    const previous = all.filter((s) => point.comparePoint(s, s.childNodes.length) <= 0).pop();
    return previous ? Number(previous.dataset.end) : null;
  }

  function selectionOffsets() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    const range = selection.getRangeAt(0);
    const root = textRoot();
    if (!root || !root.contains(range.commonAncestorContainer)) return null;
    const start = boundary(range.startContainer, range.startOffset, true);
    const end = boundary(range.endContainer, range.endOffset, false);
    if (start === null || end === null || end <= start) return null;
    return { start, end };
  }

  // --- The form --------------------------------------------------------------------------

  function openForm(start, end) {
    if (!canAnnotate) return;
    const url = `${newUrl}?version=${versionId}&start=${start}&end=${end}`;
    // focus.js moves the focus into the form, and back to the sentence when it closes.
    htmx.ajax("GET", url, { target: "#annotation-form", swap: "innerHTML" });
  }

  function closeForm() {
    const slot = formSlot();
    if (slot) slot.innerHTML = "";
  }

  // --- Keyboard span -------------------------------------------------------------------

  // The text is one stop in the Tab order (a roving tabindex): Tab reaches the current
  // sentence, the arrow keys (or j/k) move, Enter makes a claim from the span. The hidden
  // hint (#sentence-keys) is read out with the sentence.
  function makeTabStop(sentence) {
    if (!canAnnotate || !sentence) return;
    document.querySelectorAll('#article-text .sentence[tabindex="0"]').forEach((s) => {
      if (s !== sentence) s.setAttribute("tabindex", "-1");
    });
    sentence.setAttribute("tabindex", "0");
    if (document.getElementById("sentence-keys")) sentence.setAttribute("aria-describedby", "sentence-keys");
  }

  function ensureTabStop() {
    if (document.querySelector('#article-text .sentence[tabindex="0"]')) return;
    const all = sentences();
    makeTabStop(all[cursor >= 0 && cursor < all.length ? cursor : 0]);
  }

  function paintSpan(focus = true) {
    const all = sentences();
    const low = Math.min(anchor, cursor);
    const high = Math.max(anchor, cursor);
    all.forEach((s, i) => {
      s.classList.toggle("cursor", i === cursor);
      s.classList.toggle("in-span", cursor >= 0 && i >= low && i <= high && low !== high);
    });
    if (cursor >= 0 && all[cursor]) {
      const current = all[cursor];
      makeTabStop(current);
      if (!focus) return;
      current.focus({ preventScroll: true });
      current.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step, extend) {
    const count = sentences().length;
    if (!count) return;
    cursor = cursor < 0 ? 0 : Math.max(0, Math.min(count - 1, cursor + step));
    if (!extend || anchor < 0) anchor = cursor;
    paintSpan();
  }

  function annotateSpan() {
    const selected = selectionOffsets();
    if (selected) return openForm(selected.start, selected.end);
    if (cursor < 0) return;
    const all = sentences();
    const first = all[Math.min(anchor, cursor)];
    const last = all[Math.max(anchor, cursor)];
    openForm(Number(first.dataset.start), Number(last.dataset.end));
  }

  // --- Highlights and cards ------------------------------------------------------------

  function activate(id) {
    document.querySelectorAll("mark.hl.active, .ann-card.active").forEach((el) => el.classList.remove("active"));
    document.querySelectorAll(`mark.hl[data-annotation-id="${id}"]`).forEach((el) => el.classList.add("active"));
    const card = document.getElementById(`annotation-${id}`);
    if (card) card.classList.add("active");
    return card;
  }

  function focusCard(id) {
    const card = activate(id);
    if (card) {
      card.scrollIntoView({ block: "nearest" });
      card.focus({ preventScroll: true });
      return;
    }
    // Cards load a page at a time; fetch this one now if it has not arrived yet.
    const url = workspace.dataset.cardUrl.replace(/0\/$/, `${id}/`);
    htmx.ajax("GET", url, { target: "#annotation-cards", swap: "beforeend" }).then(() => {
      sortCards();
      const loaded = activate(id);
      if (loaded) {
        loaded.scrollIntoView({ block: "nearest" });
        loaded.focus({ preventScroll: true });
      }
    });
  }

  function jumpToHighlight(id) {
    activate(id);
    const mark = document.querySelector(`mark.hl[data-annotation-id="${id}"]`);
    if (mark) mark.scrollIntoView({ block: "center" });
  }

  function cycleCards(step) {
    const cards = Array.from(document.querySelectorAll("#annotation-cards .ann-card"));
    if (!cards.length) return;
    const current = cards.indexOf(document.activeElement.closest(".ann-card"));
    const next = cards[(current + step + cards.length) % cards.length];
    focusCard(next.dataset.annotationId);
    jumpToHighlight(next.dataset.annotationId);
  }

  function sortCards() {
    const list = document.getElementById("annotation-cards");
    if (!list) return;
    const seen = new Set();
    const cards = Array.from(list.querySelectorAll(":scope > .ann-card")).filter((card) => {
      if (seen.has(card.id)) {
        card.remove(); // fetched early by a click, then again with its page
        return false;
      }
      seen.add(card.id);
      return true;
    });
    const sorted = cards.slice().sort((a, b) => Number(a.dataset.start) - Number(b.dataset.start));
    if (sorted.some((card, i) => card !== cards[i])) {
      const more = list.querySelector(":scope > .more-cards");
      sorted.forEach((card) => list.insertBefore(card, more));
    }
  }

  // --- Events --------------------------------------------------------------------------

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable], dialog[open]") !== null;
  }

  // Single-key shortcuts (WCAG 2.1.4): only where they act, on the article text, on a
  // focused card, or with nothing focused; never on a link or button, where a speech-input
  // user's words would be read as keys. They can be turned off; the browser remembers it.
  const SHORTCUTS_KEY = "newsroom.singleKeyShortcuts";

  function shortcutsOn() {
    try {
      return window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
    } catch (error) {
      return true; // storage refused (private mode): the default
    }
  }

  function rememberShortcuts(on) {
    try {
      if (on) window.localStorage.removeItem(SHORTCUTS_KEY);
      else window.localStorage.setItem(SHORTCUTS_KEY, "off");
    } catch (error) {
      // Not remembered, but the switch still holds until the page is left.
    }
    shortcutsEnabled = on;
  }

  let shortcutsEnabled = shortcutsOn();

  function inShortcutScope(target) {
    return (
      target === document.body ||
      target === document.documentElement ||
      target.id === "main" || // where the skip link puts the focus: the page, not a control
      target.matches(".ann-card") ||
      target.closest("#article-text") !== null
    );
  }

  const shortcutsToggle = document.querySelector("[data-shortcuts-toggle]");
  if (shortcutsToggle) {
    shortcutsToggle.checked = shortcutsEnabled;
    shortcutsToggle.addEventListener("change", () => rememberShortcuts(shortcutsToggle.checked));
  }
  window.addEventListener("storage", (event) => {
    if (event.key !== SHORTCUTS_KEY) return; // switched in another tab
    shortcutsEnabled = shortcutsOn();
    if (shortcutsToggle) shortcutsToggle.checked = shortcutsEnabled;
  });

  document.addEventListener("mouseup", (event) => {
    if (!textRoot() || !textRoot().contains(event.target)) return;
    const selected = selectionOffsets();
    if (selected) openForm(selected.start, selected.end);
  });

  document.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.hl");
    if (mark && window.getSelection().isCollapsed) {
      // The innermost mark is the one clicked; overlapping ones are reachable from their cards.
      focusCard(mark.dataset.annotationId);
      return;
    }
    const jump = event.target.closest("[data-jump]");
    if (jump) {
      event.preventDefault();
      jumpToHighlight(jump.dataset.jump);
      return;
    }
    if (event.target.closest("[data-cancel-form]")) {
      closeForm();
      return;
    }
    if (event.target.closest("[data-show-shortcuts]")) {
      document.getElementById("shortcuts").showModal();
      return;
    }
    const card = event.target.closest(".ann-card");
    if (card && !event.target.closest("button, a, form, summary")) activate(card.dataset.annotationId);
  });

  document.addEventListener("focusin", (event) => {
    const card = event.target.closest && event.target.closest(".ann-card");
    if (card) activate(card.dataset.annotationId);
    // Tab onto a sentence puts the keyboard cursor there (a mouse click does not).
    const sentence = event.target.closest && event.target.closest("#article-text .sentence");
    const index = sentence ? sentences().indexOf(sentence) : -1;
    if (index >= 0 && index !== cursor && sentence.matches(":focus-visible")) {
      cursor = index;
      anchor = index;
      paintSpan();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (event.defaultPrevented) return; // an open form was cancelled (focus.js)
      if (formSlot() && formSlot().innerHTML.trim()) {
        closeForm();
        if (cursor >= 0) paintSpan();
      }
      anchor = cursor;
      paintSpan();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const onText = event.target === document.body || event.target.closest("#article-text");
    const onSentence = event.target.closest("#article-text .sentence") !== null;
    // The arrows and Enter are the text's own keys (a roving tabindex); the letters are
    // shortcuts, subject to the switch and the scope.
    if (event.key.length === 1 && !(shortcutsEnabled && inShortcutScope(event.target))) return;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!onSentence) return;
        move(event.key === "ArrowDown" ? 1 : -1, event.shiftKey);
        break;
      case "j": move(1, false); break;
      case "k": move(-1, false); break;
      case "J": move(1, true); break;
      case "K": move(-1, true); break;
      case "n": cycleCards(1); break;
      case "p": cycleCards(-1); break;
      case "a": annotateSpan(); break;
      case "Enter":
        if (!onText) return;
        annotateSpan();
        break;
      case "?": document.getElementById("shortcuts").showModal(); break;
      default: return;
    }
    event.preventDefault();
  });

  // The claim summary's counter: a warning past the recommended length, never a block.
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.dataset || !input.dataset.counter) return;
    const limit = Number(input.dataset.counter);
    const counter = document.querySelector(`[data-counter-for="${input.id}"]`);
    if (!counter) return;
    const length = input.value.length;
    // The texts are the page's, in its language (data-msg-counter-* on <body>, base.html).
    const text = (length > limit ? document.body.dataset.msgCounterOver : document.body.dataset.msgCounterUnder) || "";
    counter.textContent = text.replace("{length}", String(length)).replace("{limit}", String(limit));
    counter.classList.toggle("over", length > limit);
  });

  document.body.addEventListener("annotation-changed", (event) => {
    sortCards();
    const count = document.getElementById("annotation-count");
    const step = { created: 1, deleted: -1 }[event.detail && event.detail.action] || 0;
    if (count && step) count.textContent = String(Number(count.textContent) + step);
    const id = event.detail && event.detail.id;
    const card = id && document.getElementById(`annotation-${id}`);
    // The focus stays on a control inside the card (focus.js put it back on Edit after a save).
    if (card && card.contains(document.activeElement) && document.activeElement !== card) activate(id);
    else if (card) focusCard(id);
    if (cursor >= 0) {
      anchor = cursor;
      // A claim made from the keyboard span: the focus goes back to the sentence.
      paintSpan(event.detail && event.detail.action === "created");
    }
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    sortCards();
    ensureTabStop(); // a redrawn paragraph comes without the tab stop
  });
  ensureTabStop();
})();
