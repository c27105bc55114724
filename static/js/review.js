// Review pages: @mention autocomplete in comment boxes. Typing "@" and a few letters in a
// textarea with data-mentions lists matching colleagues (from the server); arrow keys move,
// Enter or Tab inserts, Escape closes. Without JavaScript, typing @username works the same.
(function () {
  "use strict";

  let box = null;
  let active = 0;
  let target = null;

  function close() {
    if (box) { box.remove(); box = null; }
    if (target) { target.removeAttribute("aria-activedescendant"); target.setAttribute("aria-expanded", "false"); }
  }

  function wordBeforeCaret(textarea) {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /(?:^|[\s(])@([\w.+-]*)$/.exec(before);
    return match ? match[1] : null;
  }

  function insert(textarea, username) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/@([\w.+-]*)$/, "@" + username + " ");
    textarea.value = before + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    close();
    textarea.focus();
  }

  function highlight(index) {
    if (!box) return;
    const items = box.querySelectorAll("li");
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
    target.setAttribute("aria-activedescendant", items[active].id);
  }

  function show(textarea, people) {
    close();
    if (!people.length) return;
    target = textarea;
    box = document.createElement("ul");
    box.className = "mention-list";
    box.id = "mention-list";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", document.body.dataset.msgMentionList || "");
    people.forEach((person, i) => {
      const item = document.createElement("li");
      item.id = "mention-option-" + i;
      item.setAttribute("role", "option");
      item.dataset.username = person.username;
      item.textContent = person.name === person.username ? "@" + person.username : person.name + " (@" + person.username + ")";
      item.addEventListener("mousedown", (event) => { event.preventDefault(); insert(textarea, person.username); });
      box.appendChild(item);
    });
    textarea.insertAdjacentElement("afterend", box);
    textarea.setAttribute("aria-controls", "mention-list");
    textarea.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  let pending = null;
  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.dataset.mentions) return;
    const word = wordBeforeCaret(textarea);
    if (word === null) { close(); return; }
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      fetch(textarea.dataset.mentions + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { people: [] }))
        .then((data) => { if (wordBeforeCaret(textarea) === word) show(textarea, data.people); })
        .catch(close);
    }, 120);
  });

  document.addEventListener("keydown", (event) => {
    if (!box || event.target !== target) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      insert(target, box.querySelectorAll("li")[active].dataset.username);
    } else if (event.key === "Escape") { close(); }
  });
  document.addEventListener("focusout", (event) => { if (event.target === target) window.setTimeout(close, 150); });
})();
