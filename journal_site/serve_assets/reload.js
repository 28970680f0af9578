// Live reload for `journal serve` (never part of a built site).
// Listens to the server's event stream for this page and, after each rebuild:
//   reload -> reloads this page, keeping the scroll position
//   gone   -> the page no longer exists: goes to the timeline
//   errors -> shows the build errors over the page (the last good page stays)
//   ok     -> removes that overlay
// The stream is closed while the tab is hidden (browsers allow few connections per
// host) and reopened when it is shown; the server then says what was missed.
(() => {
  "use strict";
  const me = document.currentScript;
  const page = me.dataset.page;
  const epoch = me.dataset.epoch;
  const missing = me.dataset.missing;
  const scrollKey = "journal-serve-scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = saved.split(",").map(Number);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Again once images and fonts have their size, in case the page was short before.
    window.addEventListener("load", restore, { once: true });
  }

  let overlay = null;
  function showErrors(errors) {
    if (overlay === null) {
      if (!document.querySelector("link[data-journal-serve]")) {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = "/__journal__/reload.css";
        css.dataset.journalServe = "";
        document.head.append(css);
      }
      overlay = document.createElement("section");
      overlay.className = "journal-serve-overlay";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-labelledby", "journal-serve-overlay-title");
    }
    const title = document.createElement("h2");
    title.id = "journal-serve-overlay-title";
    title.textContent =
      errors.length === 1 ? "The last save has a problem" : `The last save has ${errors.length} problems`;
    const list = document.createElement("ul");
    for (const error of errors) {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = error;
      item.append(code);
      list.append(item);
    }
    const note = document.createElement("p");
    note.textContent =
      "This page is the last version that built. Fix the file and save: this note goes away by itself.";
    overlay.replaceChildren(title, list, note);
    if (!overlay.isConnected) document.body.append(overlay);
  }
  function hideErrors() {
    if (overlay !== null) overlay.remove();
  }

  let source = null;
  let retry = null;
  function connect() {
    if (source !== null || document.hidden) return;
    const query = new URLSearchParams({ page, epoch, missing });
    source = new EventSource("/__journal__/events?" + query);
    source.addEventListener("reload", () => {
      disconnect();
      sessionStorage.setItem(scrollKey, `${window.scrollX},${window.scrollY}`);
      location.reload();
    });
    source.addEventListener("gone", (event) => {
      disconnect();
      location.assign(event.data);
    });
    source.addEventListener("errors", (event) => showErrors(JSON.parse(event.data)));
    source.addEventListener("ok", hideErrors);
    source.addEventListener("error", () => {
      // EventSource retries by itself while CONNECTING; once CLOSED it has given up
      // (the server answered with an error), so try again a little later.
      if (source !== null && source.readyState === EventSource.CLOSED) {
        disconnect();
        retry = setTimeout(connect, 1000);
      }
    });
  }
  function disconnect() {
    clearTimeout(retry);
    if (source !== null) source.close();
    source = null;
  }
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", connect);
  connect();
})();
