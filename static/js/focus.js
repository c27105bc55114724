// Where the keyboard focus goes when htmx changes the page. A form marked data-inline-form
// that a request brings in (an edit form, an add-source form, a new claim) takes the focus,
// on its first field with an error if it has one; when it goes away (saved, cancelled,
// Escape) the focus returns to the control that opened it, found again in the redrawn card
// when the swap replaced it. Any other swap that removes the focused control (a card redrawn
// after a review action) puts the focus on the same control in the new content, or on its
// card. A <details> holding a form (a reply, a correction) takes the focus when it opens and
// gives it back to its summary on Escape. Without this the focus falls to the top of the
// page whenever a swap removes it, and a keyboard reader has to find their place again.
(function () {
  "use strict";

  const INLINE = "form[data-inline-form]";
  const FIELDS = "select, input:not([type=hidden]), textarea";
  const openers = new Map(); // open inline form -> the place of the control that opened it
  const requests = new WeakMap(); // htmx request (its XMLHttpRequest) -> {place, hadFocus}

  // A control's place, so that it can be found again after a swap has replaced it: its id,
  // or the nearest element with an id around it and what tells it apart from its neighbours.
  function signature(element) {
    const names = ["hx-get", "hx-post", "href", "name", "value", "data-action"];
    return names.map((name) => element.getAttribute(name) || "").join("|") + "|" + (element.textContent || "").trim();
  }

  function placeOf(element) {
    if (!element || element === document.body || !element.closest) return null;
    if (element.id) return { id: element.id };
    const scope = element.parentElement && element.parentElement.closest("[id]");
    return { scope: scope ? scope.id : null, tag: element.tagName, key: signature(element) };
  }

  function find(place) {
    if (!place) return null;
    if (place.id) return document.getElementById(place.id);
    const scope = place.scope ? document.getElementById(place.scope) : document.body;
    if (!scope) return null;
    const same = Array.from(scope.getElementsByTagName(place.tag)).find((el) => signature(el) === place.key);
    // The control itself is gone (the card changed state): the card around it, which takes
    // the focus (never the whole page's <main>).
    return same || scope.closest("[tabindex]:not(main)");
  }

  function focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function focusOn(element) {
    if (!element) return false;
    element.focus();
    return document.activeElement === element;
  }

  function focusInto(form) {
    const usable = (el) => !el.disabled;
    const wrong = Array.from(form.querySelectorAll(".has-error input, .has-error select, .has-error textarea, [aria-invalid=true]")).find(usable);
    const first = Array.from(form.querySelectorAll(FIELDS)).find(usable);
    return focusOn(wrong || first || form.querySelector("button:not([disabled])"));
  }

  // Forms already on the page as it loads were opened by nobody: they leave the focus alone.
  document.querySelectorAll(INLINE).forEach((form) => openers.set(form, null));

  // `request` is what was recorded when the request left ({place, hadFocus}), or null when
  // the page changed without a request of ours (a form closed by a script).
  function reconcile(request) {
    let moved = false;
    // New forms are adopted when their request settles (never earlier, by the observer
    // below: the opener travels with the request).
    if (request) {
      document.querySelectorAll(INLINE).forEach((form) => {
        if (openers.has(form)) return;
        openers.set(form, request.place);
        if (!moved) moved = focusInto(form);
      });
    }
    openers.forEach((place, form) => {
      if (form.isConnected) return;
      openers.delete(form);
      if (!moved && focusLost()) moved = focusOn(find(place));
    });
    if (request && request.hadFocus && !moved && focusLost()) focusOn(find(request.place));
  }

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const source = event.detail.elt;
    const active = document.activeElement;
    const hadFocus = Boolean(active && active !== document.body);
    const form = source && source.closest ? source.closest(INLINE) : null;
    // A request from inside an open form (save, cancel) carries that form's opener on, to
    // the form that answers it (with errors) or to wherever the focus goes back.
    const place = form && openers.get(form) ? openers.get(form) : placeOf(hadFocus ? active : source);
    requests.set(event.detail.xhr, { place, hadFocus });
  });

  document.body.addEventListener("htmx:afterSettle", (event) => {
    const xhr = event.detail.xhr;
    reconcile((xhr && requests.get(xhr)) || null);
  });

  // A form closed without a request (the new claim's Cancel): put the focus back. A swap
  // htmx is still settling is left to htmx:afterSettle: until then the new content's
  // controls are not wired up yet, and a key pressed on one would do nothing.
  new MutationObserver(() => {
    if (document.querySelector(".htmx-settling")) return;
    for (const form of openers.keys()) {
      if (!form.isConnected) {
        window.setTimeout(() => reconcile(null), 0);
        return;
      }
    }
  }).observe(document.body, { childList: true, subtree: true });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !event.target.closest) return;
    const target = event.target;
    if (target.getAttribute("aria-expanded") === "true") return; // a suggestion list is open
    const form = target.closest(INLINE);
    const cancel = form && form.querySelector("[data-cancel-form], .cancel");
    if (cancel) {
      event.preventDefault();
      cancel.click();
      return;
    }
    const details = target.closest("details[open]");
    if (details && details.querySelector("form") && !target.matches("summary")) {
      event.preventDefault();
      details.open = false;
      details.querySelector("summary").focus();
    }
  });

  // A <details> holding a form, opened from its summary: the focus moves into the form.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    const form = details.querySelector("form");
    if (form && details.contains(document.activeElement)) focusInto(form);
  }, true);
})();
