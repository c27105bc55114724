// Site-wide behaviour: when an htmx request fails (server error, expired session, lost
// network), say so in a banner. htmx leaves the page as it was, so whatever was typed into
// a form is still there to save again.
(function () {
  "use strict";

  // The texts are the page's, in its language (data-msg-* on <body>, from base.html).
  function message(name, values) {
    let text = document.body.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) text = text.replace(`{${key}}`, value);
    return text;
  }

  function announce(text) {
    let banner = document.getElementById("request-error");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "request-error";
      banner.className = "request-error";
      banner.setAttribute("role", "alert");
      document.body.appendChild(banner);
    }
    banner.textContent = text;
    banner.hidden = false;
    window.clearTimeout(banner._hideTimer);
    banner._hideTimer = window.setTimeout(() => { banner.hidden = true; }, 12000);
  }

  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const status = xhr.status;
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain");
    if (status === 400 && plain && xhr.responseText.length < 500) {
      announce(message("msgRefused", { reason: xhr.responseText }));
    } else if (status === 403) {
      announce(message("msgForbidden"));
    } else if (status === 404) {
      announce(message("msgGone"));
    } else {
      announce(message("msgFailed", { status: String(status) }));
    }
  });
  document.body.addEventListener("htmx:sendError", () => {
    announce(message("msgOffline"));
  });

  // Polled regions (data-poll): send the ETag of what is shown, so an unchanged poll is a
  // cheap 304 that htmx leaves alone (see htmx-config in base.html). Skip a poll while the
  // user is working inside the region (ticked checkboxes, focus in a field), so a refresh
  // never throws their selection away.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const region = event.detail.elt;
    if (!region.hasAttribute || !region.hasAttribute("data-poll")) return;
    const busy = region.querySelector("input:checked") ||
      (region.contains(document.activeElement) && document.activeElement.matches("input, select, textarea"));
    if (busy) { event.preventDefault(); return; }
    if (region.dataset.etag) event.detail.headers["If-None-Match"] = '"' + region.dataset.etag + '"';
  });

  // Forms that take a long pasted text (data-keep-draft): the text is kept in this tab's
  // session storage when the form is sent. If the answer is the same form with an error and
  // an empty text box (a body too large to read, a failure), the text is put back.
  document.querySelectorAll("form[data-keep-draft]").forEach((form) => {
    const key = "draft:" + form.dataset.keepDraft;
    const box = form.querySelector("textarea[name=text]");
    if (!box) return;
    form.addEventListener("submit", () => {
      try { window.sessionStorage.setItem(key, box.value); } catch (error) { /* too large to keep */ }
    });
    const kept = window.sessionStorage.getItem(key);
    const refused = form.querySelector("[role=alert]") || document.querySelector(".message-error");
    if (kept && !box.value && refused) {
      box.value = kept;
      const note = document.createElement("p");
      note.className = "kept-draft";
      note.textContent = message("msgDraftKept");
      box.insertAdjacentElement("beforebegin", note);
    } else if (!refused) {
      window.sessionStorage.removeItem(key);
    }
  });
})();
